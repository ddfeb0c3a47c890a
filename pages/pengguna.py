"""Pengguna dan Cadangan (admin): accounts, passwords, open sessions, sign-in limits, and a consistent backup."""

import datetime as dt
import tempfile
from pathlib import Path

import streamlit as st

from core import auth, backup, reference, sesi, ui

user = ui.current_user()
auth.require_admin(user)
engine = ui.engine()
NONE = "\u2013"

st.title("Pengguna dan Cadangan")
left_over = auth.demo_accounts_left(engine)
if left_over:
    st.error(f"Akun contoh {', '.join(left_over)} masih ada padahal DATA CONTOH sudah dihapus (kata sandinya ada di README). "
             "Akun itu ditolak saat masuk; hapus di bawah.", icon=":material/gpp_bad:")
    if st.button("Hapus akun contoh", key="hapus_akun_contoh", type="primary"):
        try:
            _versions, removed = auth.remove_demo(engine, by=user)
            st.toast(f"Akun contoh dihapus: {', '.join(removed)}")
            st.rerun()
        except auth.AuthError as exc:
            st.error(str(exc))

st.subheader("Akun")
table = auth.users(engine)
shown = table.drop(columns=["id"]).assign(dibuat=auth.wita(table["dibuat"]), terakhir_masuk=auth.wita(table["terakhir_masuk"]))
st.dataframe(shown.rename(columns={"username": "Nama pengguna", "peran": "Peran", "polsek": "Polsek", "aktif": "Aktif",
                                   "dibuat": "Dibuat (WITA)", "terakhir_masuk": "Terakhir masuk (WITA)"}),
             hide_index=True, width="stretch", key="daftar_akun", placeholder=ui.KOSONG)
names = list(table["username"]) if not table.empty else []

left, right = st.columns(2)
with left, st.form("tambah_akun", clear_on_submit=True):
    st.markdown("**Tambah akun**")
    username = st.text_input("Nama pengguna", key="akun_username")
    role = st.selectbox("Peran", list(auth.ROLES), format_func=auth.ROLES.get, key="akun_peran")
    polsek = st.selectbox("Polsek (untuk peran Operator Polsek)", [NONE, *reference.polsek_names()], key="akun_polsek")
    password = st.text_input("Kata sandi awal (minimal 8 karakter)", type="password", key="akun_sandi")
    if st.form_submit_button("Tambah", key="akun_tambah"):
        try:
            created = auth.create_user(engine, username, password, role, None if polsek == NONE else polsek, by=user)
            st.success(f"Akun {created.label} dibuat.")
        except auth.AuthError as exc:
            st.error(str(exc))
with right:
    st.markdown("**Ubah akun**")
    chosen = st.selectbox("Akun", names, key="akun_pilih")
    c1, c2 = st.columns(2)
    for column, active, label in ((c1, False, "Nonaktifkan"), (c2, True, "Aktifkan")):
        if column.button(label, key=f"akun_{'aktif' if active else 'nonaktif'}", disabled=not chosen, width="stretch"):
            try:
                auth.set_active(engine, chosen, active, by=user)
                st.rerun()
            except auth.AuthError as exc:
                st.error(str(exc))
    sure = st.checkbox("Ya, hapus akun ini (jejak auditnya tetap)", key="akun_hapus_yakin", disabled=not chosen)
    if st.button("Hapus akun", key="akun_hapus", disabled=not (chosen and sure), icon=":material/person_remove:"):
        try:
            auth.delete_user(engine, chosen, by=user)
            st.toast(f"Akun {chosen} dihapus.")
            st.rerun()
        except auth.AuthError as exc:
            st.error(str(exc))
    with st.form("ganti_sandi", clear_on_submit=True):
        new_password = st.text_input("Kata sandi baru untuk akun terpilih (minimal 8 karakter)", type="password", key="akun_sandi_baru")
        if st.form_submit_button("Ganti kata sandi", key="akun_ganti_sandi", disabled=not chosen):
            try:
                auth.set_password(engine, chosen, new_password, by=user)
                st.success(f"Kata sandi {chosen} diganti; semua sesinya berakhir.")
            except auth.AuthError as exc:
                st.error(str(exc))

st.subheader("Sesi aktif")
st.caption("Peramban yang sedang masuk. Mencabut sesi membuat peramban itu (dan salinan cookie-nya) keluar pada langkah berikutnya. "
           "Keluar, ganti kata sandi dan menonaktifkan akun juga mengakhiri sesi.")
sessions = sesi.active(engine)
st.dataframe(sessions.assign(dibuat=auth.wita(sessions["dibuat"]), terakhir=auth.wita(sessions["terakhir"]))
             .rename(columns={"id": "Sesi", "username": "Nama pengguna", "dibuat": "Masuk (WITA)", "terakhir": "Terakhir aktif (WITA)",
                              "perangkat": "Perangkat", "alamat": "Alamat"}),
             hide_index=True, width="stretch", key="daftar_sesi", placeholder=ui.KOSONG)
if not sessions.empty:
    labels = {int(r.id): f"#{r.id} {r.username} \u00b7 {r.perangkat}" for r in sessions.itertuples()}
    target = st.selectbox("Sesi", list(labels), format_func=labels.get, key="sesi_pilih")
    if st.button("Cabut sesi", key="sesi_cabut", icon=":material/logout:"):
        sesi.revoke(engine, target, by=user)
        st.rerun()

limits = auth.limits_in_force(engine)
if not limits.empty:
    st.subheader("Pembatasan masuk")
    st.caption("Terlalu banyak percobaan masuk yang salah. Batas berakhir sendiri; buka lebih awal bila pemilik akun sudah dihubungi.")
    st.dataframe(limits.drop(columns=["kunci"]).assign(sampai=auth.wita(limits["sampai"]))
                 .rename(columns={"batas": "Batas", "untuk": "Untuk", "percobaan": "Percobaan", "sampai": "Sampai (WITA)"}),
                 hide_index=True, width="stretch", key="daftar_batas", placeholder=ui.KOSONG)
    key = st.selectbox("Batas", list(limits["kunci"]), key="batas_pilih")
    if st.button("Buka batas", key="batas_buka"):
        auth.lift_limit(engine, key, by=user)
        st.rerun()

st.subheader("Cadangan basis data")
st.caption("Salinan yang konsisten walaupun dasbor sedang dipakai. Simpan di tempat lain (bukan di komputer yang sama). "
           "Pulihkan dengan: python -m core restore --from BERKAS --ya")
if st.button("Buat cadangan sekarang", key="buat_cadangan", icon=":material/backup:"):
    try:
        with tempfile.TemporaryDirectory() as work:
            target = Path(work) / "cadangan.db"
            counts = backup.backup(engine, target)
            st.session_state["cadangan"] = target.read_bytes()
        auth.record(engine, user.username, "cadangan", "unduhan", "ok", f"{counts.get('unggahan', 0)} versi")
    except backup.BackupError as exc:
        st.error(str(exc))
if st.session_state.get("cadangan"):
    st.download_button("Unduh cadangan", st.session_state["cadangan"], file_name=f"anev_cadangan_{dt.date.today():%Y%m%d}.db",
                       mime="application/octet-stream", key="unduh_cadangan", icon=":material/download:")
