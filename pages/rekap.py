"""Rekap Bulanan: the month's figures per Polsek and per desa, computed from the stored latest versions."""

import streamlit as st

from core import ui, views

bulan, polsek = ui.screen_header("Rekap Bulanan")
data = ui.anev(bulan, ui.scope(polsek))
view = views.rekap_view(data)
if not view.cards:
    ui.no_data(bulan, polsek)
ui.caveat(data)

with st.container(horizontal=True, gap="small"):
    for label, value in view.cards:
        st.metric(label, value, border=True, width=ui.CARD_WIDTH)

st.subheader("Per Polsek")
st.caption("Desa melapor: desa yang ada di lembar Kegiatan. Personel TPS: kebutuhan pengamanan menurut rasio di pengaturan, "
           "dibulatkan ke atas per Polsek.")
ui.table(view.polsek, key="rekap_polsek")

st.subheader("Per desa")
ui.table(view.desa, key="rekap_desa", decimals={"Skor Kerawanan": 0})
