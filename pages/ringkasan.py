"""Ringkasan: the first screen of the Anev: KPI changes, 12-month trends, Polsek ranking, Catatan untuk Anev."""

import streamlit as st

from core import arahan, auth, charts, ui, ui_arahan, views

bulan, polsek = ui.screen_header("Ringkasan Anev")
data = ui.anev(bulan, ui.scope(polsek))
view = views.ringkasan_view(data)
if not view.has_data:
    ui.no_data(bulan, polsek)
ui.caveat(data)

st.caption(view.comparison_note)
ui.kpi_cards(view.cards)

st.subheader("Catatan untuk Anev")
user = ui.current_user()
ui.show_findings(view.findings)
if view.findings and user is not None and user.role in auth.ARAHAN_EDIT_ROLES:
    with st.expander("Catat arahan dari catatan ini"):
        for number, finding in enumerate(view.findings):
            st.caption(ui.escape(finding.teks))
            ui_arahan.arahan_button(bulan, user, key=f"arahan_catatan_{number}", **arahan.prefill_from_finding(finding, polsek))

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
