"""Mode Paparan: the Anev on a projector, one topic per full screen, in meeting order.

Sidebar and chrome are hidden, type is large and high-contrast; arrows, Page Up/Down (a presenter
clicker) and large on-screen buttons move between slides; the slide number lives in the URL.
"""

import streamlit as st

from core import analysis, charts, maps, metrics, ui
from core.months import format_bulan

SLIDES = ["Judul", "Kelengkapan Laporan", "Ringkasan", "Kinerja Bhabinkamtibmas", "Kesiapan Pemilihan", "Peta Kerawanan",
          "Desa Rawan", "Catatan untuk Anev"]

bulan, polsek = ui.current_filters()
index = int(st.query_params.get("slide", "1")) - 1 if str(st.query_params.get("slide", "1")).isdigit() else 0
index = min(max(index, 0), len(SLIDES) - 1)

st.html(
    """
<style>
  [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], header[data-testid="stHeader"],
  [data-testid="stToolbar"], [data-testid="stDecoration"], footer { display: none !important; }
  .block-container, [data-testid="stMainBlockContainer"] { padding-top: 1.2rem !important; max-width: 100% !important; }
  [data-testid="stMain"] p, [data-testid="stMain"] li { font-size: 26px; }
  [data-testid="stMetricValue"], [data-testid="stMetricValue"] p { font-size: 64px !important; font-weight: 700; color: #0B1F44; }
  [data-testid="stMetricLabel"] p { font-size: 24px !important; }
  [data-testid="stMetricDelta"] { font-size: 22px !important; }
  h1 { font-size: 52px !important; color: #0B1F44; }
  .st-key-paparan_sebelum button, .st-key-paparan_berikut button { min-height: 64px; font-size: 26px; }
</style>
<script>
  if (!window.__anevPaparan) {
    window.__anevPaparan = true;
    document.addEventListener("keydown", function (e) {
      if (e.target && ["INPUT", "TEXTAREA", "SELECT"].includes(e.target.tagName)) return;
      const next = ["ArrowRight", "PageDown", " ", "ArrowDown"].includes(e.key);
      const prev = ["ArrowLeft", "PageUp", "ArrowUp"].includes(e.key);
      if (!next && !prev) return;
      const button = document.querySelector(next ? ".st-key-paparan_berikut button" : ".st-key-paparan_sebelum button");
      if (button && !button.disabled) { e.preventDefault(); button.click(); }
    });
  }
</script>
""",
    unsafe_allow_javascript=True,
)


def go(step: int) -> None:
    st.query_params["slide"] = str(min(max(index + step, 0), len(SLIDES) - 1) + 1)


head_left, head_right = st.columns([4, 2])
head_left.markdown(f"**Anev Bhabinkamtibmas Polres TTU** \u00b7 {ui.scope_caption(bulan, polsek)}")
head_right.markdown(f"<div style='text-align:right'>{index + 1} / {len(SLIDES)} \u00b7 {SLIDES[index]}</div>", unsafe_allow_html=True)
ui.demo_badge()

desa_all, months = ui.history(bulan)
scope = desa_all if polsek is None else desa_all[desa_all["polsek"] == polsek]
series = analysis.monthly_series(scope, months)
has_data = series.loc[bulan, "desa_melapor"] > 0
big = {"displayModeBar": False}


def big_figure(fig):
    fig.update_layout(font={"size": 22}, height=560, legend={"font": {"size": 22}})
    return fig


slide = SLIDES[index]
if slide == "Judul":
    st.markdown("<div style='height:12vh'></div>", unsafe_allow_html=True)
    st.title("Analisis dan Evaluasi Bhabinkamtibmas")
    st.markdown(f"## Polres Timor Tengah Utara \u00b7 {format_bulan(bulan)}")
    st.markdown(f"### {polsek or 'Seluruh Polsek'}")
elif not has_data and slide != "Kelengkapan Laporan":
    st.title(slide)
    st.info(f"Belum ada rekap yang tersimpan untuk {format_bulan(bulan)}.")
elif slide == "Kelengkapan Laporan":
    st.title("Kelengkapan Laporan")
    matrix = metrics.completeness(ui.uploads(), months[-6:])
    if polsek:
        matrix = matrix[matrix["polsek"] == polsek]
    now = matrix[matrix["bulan"] == bulan]
    c = st.columns(3)
    c[0].metric("Tepat waktu", f"{(now['status'] == 'tepat waktu').sum()}/{len(now)}")
    c[1].metric("Terlambat", int((now["status"] == "terlambat").sum()))
    c[2].metric("Belum melapor", int((now["status"] == "belum").sum()))
    fig = charts.completeness_matrix(matrix)
    fig.update_layout(font={"size": 22})
    fig.update_traces(textfont={"size": 22})
    st.plotly_chart(fig, width="stretch", key="p_matriks", config=big, theme=None)
elif slide == "Ringkasan":
    st.title("Ringkasan")
    cards = [k for k in analysis.kpis(series, bulan) if k.key != "polsek_melapor"]
    columns = st.columns(4)
    for i, kpi in enumerate(cards[:8]):
        value = f"{ui.format_number(kpi.value)}%" if kpi.kind == "pct" else ui.format_number(kpi.value)
        delta = None if kpi.vs_previous is None else (f"{kpi.vs_previous:+.0f} poin" if kpi.kind == "pct" else f"{kpi.vs_previous:+.0f}%")
        columns[i % 4].metric(kpi.label, value, delta=delta)
    st.plotly_chart(big_figure(charts.trend(series, ["sambang_dds", "deteksi_dini"], {"sambang_dds": "Sambang/DDS",
                                                                                   "deteksi_dini": "Deteksi Dini"})),
                    width="stretch", key="p_tren", config=big, theme=None)
elif slide == "Kinerja Bhabinkamtibmas":
    st.title("Kinerja: Indeks Kinerja per Polsek")
    ranking = ui.rekap(bulan).polsek
    if polsek:
        ranking = ranking[ranking["polsek"] == polsek]
    left, right = st.columns([3, 2])
    left.plotly_chart(big_figure(charts.ranking(ranking)), width="stretch", key="p_peringkat", config=big, theme=None)
    league = analysis.officer_league(scope, bulan)
    flagged = league[league["bulan_kurang"] >= 2]
    right.markdown(f"### Perlu pembinaan: {len(flagged)} Bhabinkamtibmas")
    for row in flagged.head(8).itertuples():
        right.markdown(f"- {ui.escape(row.pangkat or '')} {ui.escape(row.nama_bhabin)} \u00b7 "
                       f"{ui.escape(str(row.polsek).removeprefix('Polsek '))} \u00b7 {row.bulan_kurang} bulan Kurang")
elif slide == "Kesiapan Pemilihan":
    st.title("Kesiapan Pemilihan")
    left, right = st.columns(2)
    left.plotly_chart(big_figure(charts.instruction_lines(series, "pos_kamling_rasio", "pos_kamling_aktif", "Pos kamling aktif (%)",
                                                          "Pos kamling aktif (unit)", title="Aktifkan kembali pos kamling")),
                      width="stretch", key="p_poskamling", config=big, theme=None)
    right.plotly_chart(big_figure(charts.trend(series, ["cakupan_koordinasi", "cakupan_sosialisasi"],
                                               {"cakupan_koordinasi": "Koordinasi PPK/PPS", "cakupan_sosialisasi": "Sosialisasi"},
                                               title="Desa dengan \u2265 1 kegiatan", percent=True)),
                       width="stretch", key="p_cakupan", config=big, theme=None)
elif slide == "Peta Kerawanan":
    st.title("Peta Kerawanan Desa")
    frame = ui.peta_frame(bulan, polsek)
    batas = ui.boundaries()
    st.markdown(f"<div style='font-size:24px'>{maps.legend_html('kerawanan', frame)}</div>", unsafe_allow_html=True)
    view = maps.fit_view(maps.frame_bounds(frame, batas, whole_district=polsek is None),
                         width=maps.PAPARAN_FIT_WIDTH, height=maps.PAPARAN_MAP_HEIGHT)
    st.pydeck_chart(maps.build_deck(frame, "kerawanan", batas, polsek=polsek, view=view), key="p_peta",
                    height=maps.PAPARAN_MAP_HEIGHT, alt=f"Peta Kerawanan desa, {ui.scope_caption(bulan, polsek)}")
elif slide == "Desa Rawan":
    st.title("Desa Rawan dan Sangat Rawan")
    month = scope[(scope["bulan"] == bulan) & scope["tingkat_kerawanan"].isin(["Rawan", "Sangat Rawan"])]
    counts = month["tingkat_kerawanan"].value_counts()
    c = st.columns(3)
    c[0].metric("Sangat Rawan", int(counts.get("Sangat Rawan", 0)))
    c[1].metric("Rawan", int(counts.get("Rawan", 0)))
    c[2].metric("TPS rawan + sangat rawan", int(month["tps_rawan"].sum() + month["tps_sangat_rawan"].sum()))
    table = month.sort_values(["tingkat_kerawanan", "skor_kerawanan"], ascending=[False, False])[
        ["desa", "kecamatan", "polsek", "tingkat_kerawanan", "skor_kerawanan", "potensi_gangguan"]].head(12)
    st.dataframe(table.rename(columns={"desa": "Desa", "kecamatan": "Kecamatan", "polsek": "Polsek", "tingkat_kerawanan": "Tingkat",
                                       "skor_kerawanan": "Skor", "potensi_gangguan": "Potensi gangguan"}),
                 hide_index=True, width="stretch", key="p_rawan", row_height=44,
                 column_config={"Skor": st.column_config.NumberColumn(format="%.0f")}, placeholder=ui.KOSONG)
elif slide == "Catatan untuk Anev":
    st.title("Catatan untuk Anev")
    notes = analysis.findings(desa_all, metrics.completeness(ui.uploads(), months), bulan, polsek)
    for note in notes or [analysis.Finding("", "sedang", "Tidak ada catatan khusus bulan ini.")]:
        mark = "\u2757 " if note.tingkat == "tinggi" else ""
        st.markdown(f"- {mark}{ui.escape(note.teks)}")

st.markdown("<div style='height:2vh'></div>", unsafe_allow_html=True)
prev_col, auto_col, next_col = st.columns([2, 3, 2])
prev_col.button("\u25c0 Sebelumnya", key="paparan_sebelum", on_click=go, args=(-1,), disabled=index == 0, width="stretch")
next_col.button("Berikutnya \u25b6", key="paparan_berikut", on_click=go, args=(1,), disabled=index == len(SLIDES) - 1,
                width="stretch")
auto = auto_col.toggle("Maju otomatis (30 detik)", key="paparan_otomatis")
if auto and index < len(SLIDES) - 1:
    st.html("<script>clearTimeout(window.__anevTimer);window.__anevTimer=setTimeout(function(){"
            "const b=document.querySelector('.st-key-paparan_berikut button');if(b&&!b.disabled){b.click();}}, 30000);</script>",
            unsafe_allow_javascript=True)
else:
    st.html("<script>clearTimeout(window.__anevTimer);</script>", unsafe_allow_javascript=True)
