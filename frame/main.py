"""The frame every screen runs in: page config, login gate, DATA CONTOH, filters, navigation per role.

This is the Streamlit script that `app.py` (st.App) serves, run on every rerun of every session.
It sits in its own folder on purpose: Streamlit 1.67 puts an app into its legacy multipage mode when a
`pages/` folder lies beside the main script, and then a fresh server's first request for `/kinerja`,
or any AppTest rerun, runs the page file without this frame (no login gate). Here `pages/` is one level up,
so `st.navigation` below is the only router (README, "Struktur"; tests/e2e/test_sesi.py).
"""

import os
from pathlib import Path

import streamlit as st

from core import auth, demo, ui

ROOT = Path(__file__).resolve().parent.parent

SCREENS = {
    "Anev": [
        ("ringkasan", "ringkasan.py", "Ringkasan", ":material/dashboard:"),
        ("kelengkapan", "kelengkapan.py", "Kelengkapan Laporan", ":material/fact_check:"),
        ("kinerja", "kinerja.py", "Kinerja Bhabinkamtibmas", ":material/military_tech:"),
        ("kesiapan", "kesiapan.py", "Kesiapan Pemilihan", ":material/how_to_vote:"),
        ("peta", "peta.py", "Peta Kerawanan", ":material/map:"),
        ("paparan", "paparan.py", "Mode Paparan", ":material/co_present:"),
        ("tindak_lanjut", "tindak_lanjut.py", "Tindak Lanjut Arahan", ":material/task_alt:"),
    ],
    "Data": [
        ("rekap", "rekap.py", "Tabel Rekap", ":material/table_chart:"),
        ("unggah", "unggah.py", "Unggah Rekap", ":material/upload_file:"),
        ("verifikasi", "verifikasi.py", "Verifikasi Rekap", ":material/verified:"),
    ],
    "Admin": [
        ("pengguna", "pengguna.py", "Pengguna dan Cadangan", ":material/manage_accounts:"),
        ("audit", "audit.py", "Jejak Audit", ":material/history:"),
        ("rujukan", "rujukan.py", "Data Rujukan", ":material/dataset:"),
    ],
}

st.set_page_config(
    page_title="Anev Bhabinkamtibmas Polres TTU",
    page_icon=str(ROOT / "data" / "ikon.png"),  # a local file: a Material icon favicon is fetched from the internet
    layout="wide",
    initial_sidebar_state="auto",
)
engine = ui.engine()
if os.environ.get("ANEV_DEMO_OTOMATIS", "1") == "1" and ui.data_version()[0] == 0:
    with st.spinner("Basis data masih kosong: menyiapkan DATA CONTOH (sekitar 10 detik)\u2026"):
        if demo.ensure_demo(engine):
            ui.clear_caches()

user = ui.session_user()
ui.page_style()
pages = {
    group: [
        st.Page(ROOT / "pages" / file, title=title, icon=icon, url_path=key, default=key == "ringkasan")
        for key, file, title, icon in items
        if user is None or auth.can_see(user, key)
    ]
    for group, items in SCREENS.items()
}
# Navigation comes before the login form, so after signing in the requested page (a shared link) opens.
navigation = st.navigation({group: items for group, items in pages.items() if items}, position="sidebar" if user else "hidden",
                          expanded=True)
if user is None:
    ui.login_form()

with st.sidebar:
    st.markdown("**Anev Bhabinkamtibmas**  \nPolres Timor Tengah Utara")
    st.caption(f"Masuk sebagai {user.label}")
    if st.button("Keluar", key="keluar", icon=":material/logout:"):
        ui.logout()
        st.rerun()
if user.role == "admin":
    left_over = auth.demo_accounts_left(engine)
    if left_over:
        st.error(f"Akun contoh **{', '.join(left_over)}** masih ada padahal DATA CONTOH sudah dihapus. Kata sandinya tertulis di "
                 "README: akun itu ditolak saat masuk, tetapi hapuslah di Pengguna dan Cadangan "
                 "(atau `python -m core demo --hapus`).", icon=":material/gpp_bad:")

st.session_state["filters"] = ui.filters(user)
ui.export_buttons(*st.session_state["filters"])
navigation.run()
