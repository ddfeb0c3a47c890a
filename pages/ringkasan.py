"""Ringkasan: the first screen of the Anev: KPI changes, 12-month trends, Polsek ranking, Catatan untuk Anev."""

import streamlit as st

from core import arahan, auth, charts, config, rapor, ui, ui_arahan, verifikasi, views
from core.access import Scope

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

with st.container(key="lipat_ringkasan"):
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


# Rapor Anev for WhatsApp: one page of the scope shown (a Polsek clerk: his own Polsek), PDF and PNG, built when asked.
@st.cache_data(show_spinner=False, max_entries=16)
def _rapor(url: str, bulan: str, polsek: str | None, version: tuple) -> tuple[bytes, bytes]:
    pdf = rapor.rapor(ui.engine(), bulan, Scope(polsek), "pdf")
    return pdf, rapor.png_from_pdf(pdf)


with st.popover("Rapor untuk WhatsApp", icon=":material/share:"):
    st.caption(f"Satu halaman untuk ponsel ({ui.scope_caption(bulan, data.scope.polsek)}): PDF dan gambar PNG, di bawah 500 KB.")
    wanted = (bulan, data.scope.polsek)
    if st.session_state.get("rapor_siap") != wanted and st.button("Siapkan rapor", key="siapkan_rapor", icon=":material/description:"):
        st.session_state["rapor_siap"] = wanted
    if st.session_state.get("rapor_siap") == wanted:
        eng = ui.engine()
        with st.spinner("Menyusun rapor\u2026"):
            pdf, png = _rapor(config.db_url(), bulan, data.scope.polsek, (ui.data_version(), arahan.version(eng), verifikasi.version(eng)))
        if st.session_state.get("rapor_dicatat") != wanted:
            auth.record(eng, user.username if user else "?", "ekspor", f"{bulan} {data.scope.polsek or 'Polres'}", "ok", "rapor pdf dan png")
            st.session_state["rapor_dicatat"] = wanted
        st.download_button("Rapor PDF", pdf, file_name=rapor.file_name(bulan, data.scope, "pdf"), mime="application/pdf",
                           key="unduh_rapor_pdf", icon=":material/download:")
        st.download_button("Rapor PNG", png, file_name=rapor.file_name(bulan, data.scope, "png"), mime="image/png",
                           key="unduh_rapor_png", icon=":material/download:")
