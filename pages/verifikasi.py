"""Verifikasi Rekap: the Kasat Binmas (or his staff) verifies each Polsek's recap before the Anev; a verified month is locked."""

import streamlit as st

from core import auth, ui, ui_arahan, verifikasi
from core.months import add_months, format_bulan, month_range

bulan, polsek = ui.screen_header("Verifikasi Rekap")
user = ui.current_user()
engine = ui.engine()

st.caption("Kasat Binmas (pimpinan) atau verifikator memeriksa rekap setiap Polsek sebelum Anev. Rekap yang sudah diverifikasi "
           "terkunci: unggahan baru untuk Polsek dan bulan itu ditolak sampai verifikasinya dibatalkan dengan alasan, "
           "dan pembatalan itu tercatat di Jejak Audit.")
if user.role not in auth.VERIFY_ROLES:
    st.info("Akun Anda dapat melihat status verifikasi; verifikasi dilakukan oleh verifikator atau pimpinan.", icon=":material/info:")
if verifikasi.only_verified_in_paparan():
    st.caption("Pengaturan aktif: Mode Paparan dan bahan PowerPoint hanya memakai rekap yang sudah diverifikasi.")

ui_arahan.verification_block(bulan, user, polsek, key="vr")

st.subheader("Enam bulan terakhir")
months = month_range(add_months(bulan, -5), bulan)
table = verifikasi.grid(engine, months, polsek).rename(columns=format_bulan)
st.dataframe(table.reset_index().rename(columns={"polsek": "Polsek"}), hide_index=True, width="stretch", key="vr_grid", placeholder=ui.KOSONG)
st.caption("\u2713 v1 = versi 1 terverifikasi \u00b7 v2 = versi 2 masuk, belum diverifikasi \u00b7 \u2013 = belum mengunggah")

st.subheader("Riwayat verifikasi")
log = verifikasi.log(engine, polsek)
log = log[log["bulan"].isin(months)]
if log.empty:
    st.caption("Belum ada verifikasi dalam enam bulan ini.")
else:
    shown = log.assign(waktu=log["waktu"].map(verifikasi.wita), waktu_batal=log["waktu_batal"].map(verifikasi.wita),
                       bulan=log["bulan"].map(format_bulan))
    st.dataframe(shown[["polsek", "bulan", "versi", "oleh", "waktu", "dibatalkan_oleh", "waktu_batal", "alasan_batal"]].rename(columns={
        "polsek": "Polsek", "bulan": "Bulan", "versi": "Versi", "oleh": "Diverifikasi oleh", "waktu": "Waktu",
        "dibatalkan_oleh": "Dibatalkan oleh", "waktu_batal": "Waktu batal", "alasan_batal": "Alasan batal"}),
        hide_index=True, width="stretch", key="vr_riwayat", placeholder=ui.KOSONG)
