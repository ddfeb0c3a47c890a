"""Jejak Audit (admin): who did what and when — sign-ins, sessions, uploads, exports, account changes, backups."""

import streamlit as st

from core import auth, ui

user = ui.current_user()
auth.require_admin(user)
engine = ui.engine()

st.title("Jejak Audit")
log = auth.audit_log(engine, limit=5000)
c1, c2 = st.columns(2)
who = c1.selectbox("Pengguna", ["Semua", *sorted(log["pengguna"].unique())], key="audit_pengguna")
action = c2.selectbox("Aksi", ["Semua", *sorted(log["aksi"].unique())], key="audit_aksi")
if who != "Semua":
    log = log[log["pengguna"] == who]
if action != "Semua":
    log = log[log["aksi"] == action]
st.caption(f"{len(log)} catatan, terbaru di atas. Waktu dalam WITA. Kata sandi tidak pernah dicatat; nama yang tidak dikenal "
           f"dicatat sebagai {auth.UNKNOWN_NAME}. Pengguna `cli:...` adalah operator server di baris perintah.")
st.dataframe(log.drop(columns=["id"]).assign(waktu=auth.wita(log["waktu"]))
             .rename(columns={"waktu": "Waktu (WITA)", "pengguna": "Pengguna", "aksi": "Aksi", "objek": "Objek", "hasil": "Hasil",
                              "rincian": "Rincian"}),
             hide_index=True, width="stretch", key="tabel_audit", placeholder=ui.KOSONG)
