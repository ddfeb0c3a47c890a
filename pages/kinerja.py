"""Kinerja Bhabinkamtibmas: scorecard against targets, officer league table, drill-downs, Kurang streaks."""

import streamlit as st

from core import access, analysis, charts, fmt, ui, views

bulan, polsek = ui.screen_header("Kinerja Bhabinkamtibmas")
data = ui.anev(bulan, ui.scope(polsek))
ui.caveat(data)
view = views.kinerja_view(data)
if not view.has_data:
    ui.no_data(bulan, polsek)

# ------------------------------------------------------------------ scorecard
st.subheader("Rapor terhadap target bulanan" + (" per Polsek" if view.by == "polsek" else " per desa"))
shown = views.scorecard_table(view)


def _colour(value: float, column: str) -> str:
    if column == "Indeks Kinerja":
        colour = charts.KATEGORI_COLOURS.get(ui.kategori(value))
        return f"background-color: {colour}; color: white; font-weight: 600"
    return f"background-color: {charts.SCORE_COLOURS[analysis.score_colour(value)]}"


styled = shown.style.apply(lambda col: [_colour(v, col.name) for v in col], axis=0).format(
    {c: (lambda v: fmt.percent(v * 100)) for c in shown.columns if c != "Indeks Kinerja"} | {"Indeks Kinerja": lambda v: fmt.number(v, 1)},
    na_rep=fmt.DASH,
)
st.dataframe(styled, width="stretch", key="rapor", placeholder=ui.KOSONG)
st.caption("Capaian per desa dibatasi 100% lalu dirata-ratakan (cara yang sama dengan Indeks Kinerja), sehingga satu desa "
           "yang jauh di atas target tidak menutupi desa lain yang di bawah target. Hijau \u2265 100%, kuning 60\u201399%, "
           f"merah < 60%. {view.weights}.")
if view.by == "polsek":
    with st.expander("Desa di bawah target per komponen"):
        ui.table(views.under_target_table(view), key="di_bawah_target", hide_index=False)

# ------------------------------------------------------------------ league table
st.subheader("Peringkat Bhabinkamtibmas")
if view.pembinaan.total:
    st.error(f"{fmt.number(view.pembinaan.total)} Bhabinkamtibmas berkategori Kurang dua bulan berturut-turut atau lebih: "
             "perlu pembinaan. Yang terlama dan terendah lebih dulu:", icon=":material/priority_high:")
    ui.html_table(view.pembinaan.rows, key="tabel-pembinaan", numeric=("Indeks",))
table = views.league_table(view)
ui.table(table, key="liga", column_config={"Indeks": st.column_config.ProgressColumn(format="%.0f", min_value=0, max_value=100)})
st.caption("Urutkan dengan mengetuk judul kolom. Tren: \u2191 naik, \u2193 turun (lebih dari 2 poin) dibanding bulan lalu; "
           "komponen dalam poin dari bobotnya.")

# ------------------------------------------------------------------ drill-down
st.subheader("Rincian")
tab_officer, tab_polsek = st.tabs(["Satu Bhabinkamtibmas", "Satu Polsek"])
with tab_officer:
    names = {row.nrp: f"{analysis.officer_name(row)} ({row.nrp})" for row in view.league.itertuples()}
    chosen = st.selectbox("Pilih Bhabinkamtibmas", list(names), format_func=names.get, key="pilih_bhabin")
    if chosen:
        detail = views.officer_detail(data, chosen)
        c1, c2 = st.columns([2, 3])
        c1.markdown(f"**{ui.escape(detail.name)}** \u00b7 NRP {chosen}  \n{ui.escape(detail.polsek)}")
        c1.markdown("**Desa binaan bulan ini:** " + ui.escape(detail.desa))
        if detail.notes:
            c1.markdown("**Keterangan:**")
            for note in detail.notes:
                c1.text(note)
        with c2:
            st.markdown(f"**{detail.trend.title}**")
            ui.chart(charts.trend(detail.trend.series, detail.trend.keys, detail.trend.labels), key="tren_bhabin")
with tab_polsek:
    polsek_options = access.polsek_names(view.scope)
    chosen_polsek = st.selectbox("Pilih Polsek", polsek_options, key="pilih_polsek_rinci")
    detail = views.polsek_detail(data, chosen_polsek)
    st.markdown(f"**{detail.trend.title}**")
    ui.chart(charts.trend(detail.trend.series, detail.trend.keys, detail.trend.labels), key="tren_polsek")
    ui.table(detail.desa, key="rinci_polsek")
    st.caption(f"{fmt.month(bulan)} \u00b7 {chosen_polsek}")
