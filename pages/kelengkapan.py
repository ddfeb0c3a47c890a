"""Kelengkapan Laporan: who reported, on time or late, how many versions, desa coverage, and every stored file."""

import streamlit as st

from core import auth, charts, fmt, store, ui, ui_arahan, views

bulan, polsek = ui.screen_header("Kelengkapan Laporan")
data = ui.anev(bulan, ui.scope(polsek))
view = views.kelengkapan_view(data)
ui.caveat(data)

with st.container(horizontal=True, gap="small"):
    st.metric("Tepat waktu", view.on_time, border=True, width=200)
    st.metric("Terlambat", fmt.number(view.late), border=True, width=200)
    st.metric("Belum melapor", fmt.number(view.missing), border=True, width=200)
st.caption(view.deadline)

st.subheader("Polsek \u00d7 bulan")
ui.chart(charts.completeness_matrix(view.matrix), key="matriks")
st.caption(view.legend)

st.subheader("Verifikasi rekap")
st.caption("Rekap yang sudah diverifikasi Kasat Binmas terkunci: unggahan baru ditolak sampai verifikasinya dibatalkan "
           "dengan alasan (tercatat di jejak audit).")
user = ui.current_user()
ui_arahan.verification_block(bulan, user, ui.scope(polsek).polsek, key="kelengkapan_verifikasi")
if user is not None and user.role not in auth.VERIFY_ROLES:
    st.caption("Verifikasi dilakukan oleh pimpinan atau verifikator.")

st.subheader("Cakupan desa")
st.caption("Desa melapor: desa yang ada di lembar Kegiatan rekap bulan ini.")
ui.table(view.coverage.rename(columns={"polsek": "Polsek", "desa_total": "Desa di wilayah", "desa_melapor": "Desa melapor",
                                       "persen": "Cakupan"}), key="cakupan",
         column_config={"Cakupan": st.column_config.ProgressColumn(format="%.0f%%", min_value=0, max_value=100)})

st.subheader("Riwayat unggahan")
if view.uploads.empty:
    st.info(f"Belum ada unggahan untuk {fmt.month(bulan)}.")
else:
    ui.table(view.uploads, key="riwayat_lengkap")
    labels = {upload_id: f"{row.Polsek.removeprefix('Polsek ')} v{row.Versi} \u00b7 {row.Berkas}"
              for upload_id, row in zip(view.upload_ids, view.uploads.itertuples(), strict=True)}
    chosen = st.selectbox("Unduh berkas asli", list(labels), format_func=labels.get, key="pilih_berkas")
    if chosen is not None:
        name, content = store.upload_file(ui.engine(), chosen)
        st.download_button("Unduh berkas asli", data=content, file_name=name, icon=":material/download:", key="unduh_asli",
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
