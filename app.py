"""Anev Bhabinkamtibmas Polres TTU: the router and frame (page config, demo data, filters, navigation)."""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

from core import demo, ui

HERE = Path(__file__).parent

st.set_page_config(
    page_title="Anev Bhabinkamtibmas Polres TTU",
    page_icon=":material/local_police:",
    layout="wide",
    initial_sidebar_state="auto",
)

engine = ui.engine()
if os.environ.get("ANEV_DEMO_OTOMATIS", "1") == "1" and ui.data_version()[0] == 0:
    with st.spinner("Basis data masih kosong: menyiapkan DATA CONTOH (sekitar 10 detik)\u2026"):
        if demo.ensure_demo(engine):
            ui.clear_caches()

pages = {
    "Anev": [
        st.Page(HERE / "pages" / "ringkasan.py", title="Ringkasan", icon=":material/dashboard:", default=True),
        st.Page(HERE / "pages" / "kelengkapan.py", title="Kelengkapan Laporan", icon=":material/fact_check:", url_path="kelengkapan"),
        st.Page(HERE / "pages" / "kinerja.py", title="Kinerja Bhabinkamtibmas", icon=":material/military_tech:", url_path="kinerja"),
        st.Page(HERE / "pages" / "kesiapan.py", title="Kesiapan Pemilihan", icon=":material/how_to_vote:", url_path="kesiapan"),
        st.Page(HERE / "pages" / "peta.py", title="Peta Kerawanan", icon=":material/map:", url_path="peta"),
    ],
    "Data": [
        st.Page(HERE / "pages" / "rekap.py", title="Tabel Rekap", icon=":material/table_chart:", url_path="rekap"),
        st.Page(HERE / "pages" / "unggah.py", title="Unggah Rekap", icon=":material/upload_file:", url_path="unggah"),
    ],
}

with st.sidebar:
    st.markdown("**Anev Bhabinkamtibmas**  \nPolres Timor Tengah Utara")

st.session_state["filters"] = ui.filters()
ui.export_buttons(*st.session_state["filters"])
navigation = st.navigation(pages)
navigation.run()
