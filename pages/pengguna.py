"""Pengguna dan Cadangan (admin): accounts, roles, and a consistent backup of the database."""

import datetime as dt
import tempfile
from pathlib import Path

import streamlit as st

from core import auth, backup, reference, ui

ui.ensure_frame()
user = ui.current_user()
auth.require_admin(user)
engine = ui.engine()

st.title("Pengguna dan Cadangan")
st.subheader("Akun")
table = auth.users(engine)
st.dataframe(table.rename(columns={"username": "Nama pengguna", "peran": "Peran", "polsek": "Polsek", "aktif": "Aktif",
                                   "dibuat": "Dibuat (UTC)", "gagal": "Gagal masuk", "terkunci_sampai": "Terkunci sampai (UTC)",
                                   "terakhir_masuk": "Terakhir masuk (UTC)"}).drop(columns=["id"]),
             hide_index=True, width="stretch", key="daftar_akun", placeholder=ui.KOSONG)

left, right = st.columns(2)
with left, st.form("tambah_akun", clear_on_submit=True):
    st.markdown("**Tambah akun**")
    username = st.text_input("Nama pengguna", key="akun_username")
    role = st.selectbox("Peran", list(auth.ROLES), format_func=auth.ROLES.get, key="akun_peran")
    polsek = st.selectbox("Polsek (untuk peran Operator Polsek)", ["\u2013", *reference.polsek_names()], key="akun_polsek")
    password = st.text_input("Kata sandi awal (minimal 8 karakter)", type="password", key="akun_sandi")
    if st.form_submit_button("Tambah", key="akun_tambah"):
        try:
            created = auth.create_user(engine, username, password, role, None if polsek == "\u2013" else polsek, by=user)
            st.success(f"Akun {created.label} dibuat.")
        except auth.AuthError as exc:
            st.error(str(exc))
with right:
    st.markdown("**Nonaktifkan atau aktifkan kembali**")
    names = list(table["username"]) if not table.empty else []
    chosen = st.selectbox("Akun", names, key="akun_pilih")
    c1, c2 = st.columns(2)
    for column, active, label in ((c1, False, "Nonaktifkan"), (c2, True, "Aktifkan")):
        if column.button(label, key=f"akun_{'aktif' if active else 'nonaktif'}", disabled=not chosen):
            try:
                auth.set_active(engine, chosen, active, by=user)
                st.rerun()
            except auth.AuthError as exc:
                st.error(str(exc))

st.subheader("Cadangan basis data")
st.caption("Salinan yang konsisten walaupun dasbor sedang dipakai. Simpan di tempat lain (bukan di komputer yang sama). "
           "Pulihkan dengan: python -m core restore --from BERKAS --ya")
if st.button("Buat cadangan sekarang", key="buat_cadangan", icon=":material/backup:"):
    with tempfile.TemporaryDirectory() as work:
        target = Path(work) / "cadangan.db"
        counts = backup.backup(engine, target)
        st.session_state["cadangan"] = target.read_bytes()
    auth.record(engine, user.username, "cadangan", "unduhan", "ok", f"{counts.get('unggahan', 0)} versi")
if st.session_state.get("cadangan"):
    st.download_button("Unduh cadangan", st.session_state["cadangan"], file_name=f"anev_cadangan_{dt.date.today():%Y%m%d}.db",
                       mime="application/octet-stream", key="unduh_cadangan", icon=":material/download:")
