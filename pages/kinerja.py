"""Kinerja Bhabinkamtibmas: scorecard against targets, officer league table, drill-downs, Kurang streaks."""

import streamlit as st

from core import analysis, charts, reference, ui
from core.metrics import kategori_kinerja
from core.months import format_bulan

bulan, polsek = ui.screen_header("Kinerja Bhabinkamtibmas")

desa_all, months = ui.history(bulan)
scope = desa_all if polsek is None else desa_all[desa_all["polsek"] == polsek]
month = scope[scope["bulan"] == bulan]
if month.empty or not month["_ada_kegiatan"].any():
    ui.no_data(bulan, polsek)

components = reference.index_components()
components = components[components["indeks"] == "kinerja"].set_index("komponen")

# ------------------------------------------------------------------ scorecard
st.subheader("Rapor Polsek terhadap target bulanan")
by = "polsek" if polsek is None else "desa"
card = analysis.scorecard(month, by=by)
shown = card.rename(columns={**{c: components.loc[c, "label"] for c in components.index}, "indeks_kinerja": "Indeks Kinerja"})
shown.index = [str(i).removeprefix("Polsek ") for i in shown.index]
shown.index.name = "Polsek" if by == "polsek" else "Desa"


def _colour(value: float, column: str) -> str:
    if column == "Indeks Kinerja":
        colour = charts.KATEGORI_COLOURS.get(kategori_kinerja(value))
        return f"background-color: {colour}; color: white; font-weight: 600"
    return f"background-color: {charts.SCORE_COLOURS[analysis.score_colour(value)]}"


styled = shown.style.apply(lambda col: [_colour(v, col.name) for v in col], axis=0).format(
    {c: "{:.0%}" for c in shown.columns if c != "Indeks Kinerja"} | {"Indeks Kinerja": "{:.1f}"}, na_rep="\u2013"
)
st.dataframe(styled, width="stretch", key="rapor", placeholder=ui.KOSONG)
st.caption("Persentase capaian rata-rata per desa terhadap target bulanan di data/indeks.csv: "
           "hijau \u2265 100%, kuning 60\u201399%, merah < 60%. Rasio (problem solving, pos kamling) dihitung dari jumlah.")

# ------------------------------------------------------------------ league table
st.subheader("Peringkat Bhabinkamtibmas")
league = analysis.officer_league(scope, bulan)
flagged = league[league["bulan_kurang"] >= 2]
if not flagged.empty:
    st.error(f"{len(flagged)} Bhabinkamtibmas berkategori **Kurang dua bulan berturut-turut atau lebih**: perlu pembinaan.",
             icon=":material/priority_high:")
component_cols = [c for c in league.columns if c.startswith("kinerja_")]
table = league[["nama_bhabin", "pangkat", "nrp", "polsek", "desa_binaan", "indeks_kinerja", "tren", "kategori_kinerja",
                "bulan_kurang", *component_cols]].copy()
table["polsek"] = table["polsek"].str.removeprefix("Polsek ")
table = table.rename(columns={
    "nama_bhabin": "Nama", "pangkat": "Pangkat", "nrp": "NRP", "polsek": "Polsek", "desa_binaan": "Desa binaan",
    "indeks_kinerja": "Indeks", "tren": "Tren", "kategori_kinerja": "Kategori", "bulan_kurang": "Bulan Kurang",
    **{c: components.loc[c.removeprefix("kinerja_"), "label"] for c in component_cols},
})
st.dataframe(
    table, hide_index=True, width="stretch", key="liga",
    column_config={
        "Indeks": st.column_config.ProgressColumn(format="%.1f", min_value=0, max_value=100),
        **{components.loc[c.removeprefix("kinerja_"), "label"]: st.column_config.NumberColumn(format="%.1f")
           for c in component_cols},
    },
    placeholder=ui.KOSONG,
)
st.caption("Urutkan dengan mengetuk judul kolom. Tren: \u2191 naik, \u2193 turun (> 2 poin) dibanding bulan lalu.")

# ------------------------------------------------------------------ drill-down
st.subheader("Rincian")
tab_officer, tab_polsek = st.tabs(["Satu Bhabinkamtibmas", "Satu Polsek"])
with tab_officer:
    options = list(league["nrp"])
    names = dict(zip(league["nrp"], league["pangkat"].fillna("") + " " + league["nama_bhabin"], strict=True))
    chosen = st.selectbox("Pilih Bhabinkamtibmas", options, format_func=lambda n: f"{names[n]} ({n})", key="pilih_bhabin")
    if chosen:
        rows = scope[scope["nrp"] == chosen]
        history = analysis.officer_history(rows)
        series = history.set_index("bulan").reindex(months)
        series["desa_melapor"] = series["indeks_kinerja"].notna().astype(int)
        c1, c2 = st.columns([2, 3])
        current = rows[rows["bulan"] == bulan]
        c1.markdown(f"**{ui.escape(names[chosen])}** \u00b7 NRP {chosen}  \n{ui.escape(current['polsek'].iloc[0])}")
        c1.markdown("**Desa binaan bulan ini:** " + ui.escape(", ".join(current["desa"])))
        notes = [n for n in current["keterangan"].dropna() if str(n).strip()]
        if notes:
            c1.markdown("**Keterangan:**")
            for note in notes:
                c1.text(str(note))
        c2.plotly_chart(charts.trend(series, ["indeks_kinerja"], {"indeks_kinerja": "Indeks Kinerja"}, title="Indeks Kinerja 12 bulan"),
                        width="stretch", key="tren_bhabin", config={"displayModeBar": False}, theme=None)
with tab_polsek:
    polsek_options = list(reference.polsek_names()) if polsek is None else [polsek]
    chosen_polsek = st.selectbox("Pilih Polsek", polsek_options, key="pilih_polsek_rinci")
    rows = desa_all[desa_all["polsek"] == chosen_polsek]
    series = analysis.monthly_series(rows, months)
    st.plotly_chart(charts.trend(series, ["indeks_kinerja", "indeks_kesiapan"],
                                 {"indeks_kinerja": "Indeks Kinerja", "indeks_kesiapan": "Indeks Kesiapan"},
                                 title=f"{chosen_polsek}: indeks 12 bulan"),
                    width="stretch", key="tren_polsek", config={"displayModeBar": False}, theme=None)
    per_desa = rows[rows["bulan"] == bulan][["desa", "kecamatan", "nama_bhabin", "indeks_kinerja", "kategori_kinerja", "sambang_dds",
                                             "deteksi_dini", "pos_kamling_aktif", "pos_kamling", "fkpm_aktif"]]
    st.dataframe(per_desa.rename(columns={"desa": "Desa", "kecamatan": "Kecamatan", "nama_bhabin": "Bhabinkamtibmas",
                                          "indeks_kinerja": "Indeks", "kategori_kinerja": "Kategori", "sambang_dds": "Sambang/DDS",
                                          "deteksi_dini": "Deteksi Dini", "pos_kamling_aktif": "Pos kamling aktif",
                                          "pos_kamling": "Pos kamling", "fkpm_aktif": "FKPM aktif"}),
                 hide_index=True, width="stretch", key="rinci_polsek",
                 column_config={"Indeks": st.column_config.NumberColumn(format="%.1f")}, placeholder=ui.KOSONG)
    st.caption(f"{format_bulan(bulan)} \u00b7 {chosen_polsek}")
