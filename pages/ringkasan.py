"""Ringkasan: the first screen of the Anev: KPI changes, 12-month trends, Polsek ranking, Catatan untuk Anev."""

import streamlit as st

from core import charts, ui, views

bulan, polsek = ui.screen_header("Ringkasan Anev")
view = views.ringkasan_view(ui.anev(bulan, ui.scope(polsek)))
if not view.has_data:
    ui.no_data(bulan, polsek)

st.caption(view.comparison_note)
ui.kpi_cards(view.cards)

st.subheader("Catatan untuk Anev")
ui.show_findings(view.findings)

left, right = st.columns([3, 2])
with left:
    for number, trend in enumerate(view.trends):
        st.subheader(trend.title)
        st.caption(f"{view.period} \u00b7 {view.scope.label}")
        ui.chart(charts.trend(trend.series, trend.keys, trend.labels, percent=trend.percent), key=f"tren_{number}")
with right:
    st.subheader("Peringkat Polsek")
    st.caption(f"Indeks Kinerja \u00b7 {view.scope.label}")
    ui.chart(charts.ranking(view.ranking), key="peringkat")
    st.caption("Hijau Baik (\u2265 80) \u00b7 kuning Cukup (60\u201379) \u00b7 merah Kurang (< 60)")
