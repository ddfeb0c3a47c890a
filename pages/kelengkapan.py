"""Kelengkapan Laporan: who reported, on time or late, how many versions, desa coverage, and every stored file."""

import json

import pandas as pd
import streamlit as st

from core import analysis, charts, metrics, store, ui
from core.months import format_bulan

bulan, polsek = ui.screen_header("Kelengkapan Laporan")

desa_all, months = ui.history(bulan, months_back=11)
uploads = ui.uploads()
if not uploads.empty:
    months = [m for m in months if m >= uploads["bulan"].min()] or months  # no red history before the first report
matrix = metrics.completeness(uploads, months)
if polsek:
    matrix = matrix[matrix["polsek"] == polsek]
this_month = matrix[matrix["bulan"] == bulan]
c = st.columns(3)
c[0].metric("Tepat waktu", f"{(this_month['status'] == 'tepat waktu').sum()}/{len(this_month)}", border=True)
c[1].metric("Terlambat", int((this_month["status"] == "terlambat").sum()), border=True)
c[2].metric("Belum melapor", int((this_month["status"] == "belum").sum()), border=True)
deadline = metrics.deadline(bulan) + pd.Timedelta(hours=8)
st.caption(f"Batas waktu {format_bulan(bulan)}: {deadline:%d-%m-%Y} pukul 23.59 WITA")

st.subheader("Polsek \u00d7 bulan")
st.plotly_chart(charts.completeness_matrix(matrix), width="stretch", key="matriks", config={"displayModeBar": False}, theme=None)
st.caption("Hijau tepat waktu \u00b7 kuning terlambat \u00b7 merah belum melapor \u00b7 v2 = dua versi diunggah")

st.subheader("Cakupan desa")
coverage = analysis.coverage_per_polsek(desa_all, bulan)
if polsek:
    coverage = coverage[coverage["polsek"] == polsek]
st.dataframe(coverage.rename(columns={"polsek": "Polsek", "desa_total": "Desa di wilayah", "desa_melapor": "Desa dilaporkan",
                                      "persen": "Cakupan"}),
             hide_index=True, width="stretch", key="cakupan",
             column_config={"Cakupan": st.column_config.ProgressColumn(format="%.0f%%", min_value=0, max_value=100)}, placeholder=ui.KOSONG)

st.subheader("Riwayat unggahan")
history = uploads[uploads["bulan"] == bulan] if not uploads.empty else uploads
if polsek and not history.empty:
    history = history[history["polsek"] == polsek]
if history.empty:
    st.info(f"Belum ada unggahan untuk {format_bulan(bulan)}.")
else:
    history = history.assign(peringatan=history["peringatan"].map(lambda text: len(json.loads(text))))
    st.dataframe(history[["polsek", "versi", "nama_berkas", "pengunggah", "waktu", "peringatan", "contoh"]].rename(
        columns={"polsek": "Polsek", "versi": "Versi", "nama_berkas": "Berkas", "pengunggah": "Pengunggah", "waktu": "Waktu (UTC)",
                 "peringatan": "Peringatan", "contoh": "Data contoh"}), hide_index=True, width="stretch", key="riwayat_lengkap", placeholder=ui.KOSONG)
    labels = {int(r.id): f"{r.polsek.removeprefix('Polsek ')} v{r.versi} \u00b7 {r.nama_berkas}" for r in history.itertuples()}
    chosen = st.selectbox("Unduh berkas asli", list(labels), format_func=labels.get, key="pilih_berkas")
    if chosen is not None:
        name, content = store.upload_file(ui.engine(), chosen)
        st.download_button("Unduh berkas asli", data=content, file_name=name, icon=":material/download:", key="unduh_asli",
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
