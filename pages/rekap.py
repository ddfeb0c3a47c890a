"""Rekap Bulanan: the month's figures per Polsek and per desa, computed from the stored latest versions."""

import streamlit as st

from core import reference, ui
from core.months import format_bulan

bulan, polsek = ui.screen_header("Rekap Bulanan")

data = ui.rekap(bulan)
k = data.kelengkapan
if k["polsek_melapor"] == 0:
    st.info(f"Belum ada rekap yang tersimpan untuk {format_bulan(bulan)}. Unggah rekap Polsek di menu Unggah Rekap.")
    st.stop()

table = data.polsek if polsek is None else data.polsek[data.polsek["polsek"] == polsek]
desa = data.desa if polsek is None else data.desa[data.desa["polsek"] == polsek]
cols = st.columns(4)
cols[0].metric("Polsek melapor", f"{k['polsek_melapor']}/{k['polsek_total']}")
cols[1].metric("Desa melapor", f"{int(table['desa_melapor'].sum())}/{int(table['desa_total'].sum())}")
cols[2].metric("Sambang/DDS", ui.format_number(table["sambang_dds"].sum()))
cols[3].metric("Personel Polri untuk TPS", ui.format_number(table["personel_polri"].sum()))

table = table.assign(kategori_kinerja=table["kategori_kinerja"].fillna("Belum melapor"))
labels = {key: reference.label(key) for key in reference.count_keys() + reference.bool_keys()}
st.subheader("Per Polsek")
shown = table[["polsek", "desa_melapor", "desa_total", "indeks_kinerja", "kategori_kinerja", "indeks_kesiapan",
               "sambang_dds", "deteksi_dini", "ps_ditangani", "ps_selesai", "pos_kamling", "pos_kamling_aktif",
               "fkpm_aktif", "tps", "personel_polri", "personel_linmas"]]
st.dataframe(
    shown.rename(columns={**labels, "polsek": "Polsek", "desa_melapor": "Desa melapor", "desa_total": "Jumlah desa",
                          "indeks_kinerja": "Indeks Kinerja", "kategori_kinerja": "Kategori",
                          "indeks_kesiapan": "Indeks Kesiapan", "personel_polri": "Personel Polri",
                          "personel_linmas": "Personel Linmas", "fkpm_aktif": "Desa FKPM aktif"}),
    hide_index=True,
    width="stretch",
    column_config={
        "Indeks Kinerja": st.column_config.NumberColumn(format="%.1f"),
        "Indeks Kesiapan": st.column_config.NumberColumn(format="%.1f"),
    },
    placeholder=ui.KOSONG,
)

st.subheader("Per desa")
st.dataframe(
    desa[["desa", "kecamatan", "polsek", "nama_bhabin", "indeks_kinerja", "indeks_kesiapan", "skor_kerawanan",
          "tingkat_kerawanan", "tps", "tps_rawan", "tps_sangat_rawan"]].rename(
        columns={"desa": "Desa/Kelurahan", "kecamatan": "Kecamatan", "polsek": "Polsek", "nama_bhabin": "Bhabinkamtibmas",
                 "indeks_kinerja": "Indeks Kinerja", "indeks_kesiapan": "Indeks Kesiapan", "skor_kerawanan": "Skor Kerawanan",
                 "tingkat_kerawanan": "Tingkat Kerawanan", "tps": "TPS", "tps_rawan": "TPS Rawan",
                 "tps_sangat_rawan": "TPS Sangat Rawan"}
    ),
    hide_index=True,
    width="stretch",
    column_config={
        "Indeks Kinerja": st.column_config.NumberColumn(format="%.1f"),
        "Indeks Kesiapan": st.column_config.NumberColumn(format="%.1f"),
        "Skor Kerawanan": st.column_config.NumberColumn(format="%.0f"),
    },
    placeholder=ui.KOSONG,
)
