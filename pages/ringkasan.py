"""Ringkasan: the first screen of the Anev: KPI changes, 12-month trend, Polsek ranking, Catatan untuk Anev."""

import streamlit as st

from core import analysis, charts, metrics, ui
from core.months import add_months, format_bulan

bulan, polsek = ui.screen_header("Ringkasan Anev")

desa_all, months = ui.history(bulan)
scope = desa_all if polsek is None else desa_all[desa_all["polsek"] == polsek]
series = analysis.monthly_series(scope, months)
if series.loc[bulan, "desa_melapor"] == 0:
    ui.no_data(bulan, polsek)

previous, last_year = format_bulan(add_months(bulan, -1)), format_bulan(add_months(bulan, -12))
cards = analysis.kpis(series, bulan)
st.caption(f"Panah: perubahan dibanding {previous} (persen, atau poin persen untuk rasio).")
columns = st.columns(4)
for i, kpi in enumerate(cards):
    col = columns[i % 4]
    if kpi.key == "polsek_melapor":
        total = 1 if polsek else 9
        col.metric(kpi.label, f"{int(kpi.value or 0)}/{total}", border=True,
                   help=f"Polsek yang rekapnya tersimpan untuk {format_bulan(bulan)}.")
        continue
    if kpi.kind == "pct":
        value = f"{ui.format_number(kpi.value, 0)}%"
        delta = None if kpi.vs_previous is None else f"{kpi.vs_previous:+.0f} poin"
    else:
        value = ui.format_number(kpi.value)
        delta = None if kpi.vs_previous is None else f"{kpi.vs_previous:+.0f}%"
    col.metric(kpi.label, value, delta=delta, border=True, help=f"Bulan lalu ({previous}): "
               f"{ui.format_number(kpi.previous)}{'%' if kpi.kind == 'pct' else ''}.")
    if kpi.vs_last_year is not None:
        unit = " poin" if kpi.kind == "pct" else "%"
        col.caption(f"{kpi.vs_last_year:+.0f}{unit} vs {last_year}")
if all(kpi.vs_last_year is None for kpi in cards if kpi.key != "polsek_melapor"):
    st.caption(f"Pembanding tahun lalu ({last_year}) belum ada datanya.")

st.subheader("Catatan untuk Anev")
uploads = ui.uploads()
notes = analysis.findings(desa_all, metrics.completeness(uploads, months), bulan, polsek)
if not notes:
    st.success("Tidak ada catatan khusus bulan ini: semua Polsek melapor tepat waktu dan tidak ada penurunan berarti.")
for note in notes:
    icon = ":material/priority_high:" if note.tingkat == "tinggi" else ":material/info:"
    (st.error if note.tingkat == "tinggi" else st.warning)(ui.escape(note.teks), icon=icon)

left, right = st.columns([3, 2])
with left:
    st.subheader("Tren 12 bulan")
    st.caption(f"{format_bulan(months[0])} \u2013 {format_bulan(bulan)} \u00b7 {polsek or ui.ALL_POLSEK}")
    st.plotly_chart(
        charts.trend(series, ["sambang_dds", "deteksi_dini"], {"sambang_dds": "Sambang/DDS", "deteksi_dini": "Deteksi Dini"}),
        width="stretch", key="tren_kegiatan", config={"displayModeBar": False}, theme=None,
    )
    st.plotly_chart(
        charts.trend(series, ["pos_kamling_rasio", "cakupan_koordinasi", "cakupan_sosialisasi"],
                     {"pos_kamling_rasio": "Pos kamling aktif", "cakupan_koordinasi": "Desa dengan koordinasi PPK/PPS",
                      "cakupan_sosialisasi": "Desa dengan sosialisasi"}, percent=True),
        width="stretch", key="tren_instruksi", config={"displayModeBar": False}, theme=None,
    )
with right:
    st.subheader("Peringkat Polsek")
    st.caption(f"Indeks Kinerja \u00b7 {format_bulan(bulan)}")
    ranking = ui.rekap(bulan).polsek
    if polsek:
        ranking = ranking[ranking["polsek"] == polsek]
    st.plotly_chart(charts.ranking(ranking), width="stretch", key="peringkat", config={"displayModeBar": False}, theme=None)
    st.caption("Hijau Baik (\u2265 80) \u00b7 kuning Cukup (60\u201379) \u00b7 merah Kurang (< 60)")
