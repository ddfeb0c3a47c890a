"""Kesiapan Pemilihan: agenda and countdown, Indeks Kesiapan, coordination and socialisation coverage, instructions."""

import streamlit as st

from core import agenda as agenda_mod
from core import analysis, charts, reference, ui
from core.months import format_bulan

bulan, polsek = ui.screen_header("Kesiapan Pemilihan")

agenda = ui.election_agenda()
countdown = agenda_mod.countdown(agenda["tanggal"])
c1, c2 = st.columns([3, 2])
c1.markdown(f"### {ui.escape(agenda['nama'])}\nPemungutan suara {agenda['tanggal']:%d-%m-%Y}")
c2.metric("Hitung mundur", countdown, border=True)
is_admin = getattr(ui.current_user(), "role", None) == "admin"
if countdown.startswith("H+"):
    c2.caption("Pemilihan ini sudah lewat. " + ("Perbarui agenda untuk pemilihan berikutnya di bawah." if is_admin
                                                else "Admin dapat memperbarui agenda untuk pemilihan berikutnya."))
if is_admin:
    with st.expander("Ubah agenda pemilihan"), st.form("agenda"):
        nama = st.text_input("Nama pemilihan", value=agenda["nama"], key="agenda_nama")
        tanggal = st.date_input("Tanggal pemungutan suara", value=agenda["tanggal"], format="DD/MM/YYYY", key="agenda_tanggal")
        if st.form_submit_button("Simpan agenda"):
            try:
                ui.save_election_agenda(nama, tanggal)
                st.rerun()
            except ValueError as exc:  # an empty name; only an admin reaches this form (core checks again)
                st.error(str(exc))

desa_all, months = ui.history(bulan)
scope = desa_all if polsek is None else desa_all[desa_all["polsek"] == polsek]
series = analysis.monthly_series(scope, months)
if series.loc[bulan, "desa_melapor"] == 0:
    ui.no_data(bulan, polsek)
month = scope[(scope["bulan"] == bulan) & scope["_ada_kegiatan"]]

st.subheader("Indeks Kesiapan")
per_polsek = month.groupby("polsek").agg(
    indeks_kesiapan=("indeks_kesiapan", "mean"),
    cakupan_koordinasi=("koordinasi_penyelenggara", lambda s: (s >= 1).mean() * 100),
    cakupan_sosialisasi=("sosialisasi_pemilihan", lambda s: (s >= 1).mean() * 100),
).reset_index()
left, right = st.columns(2)
with left:
    st.plotly_chart(charts.ranking(per_polsek.assign(kategori_kinerja=per_polsek["indeks_kesiapan"].map(ui.kategori)),
                                   value="indeks_kesiapan", title="Indeks Kesiapan per Polsek"),
                    width="stretch", key="kesiapan_polsek", config={"displayModeBar": False}, theme=None)
with right:
    st.plotly_chart(charts.grouped_bars(per_polsek, "polsek", {"cakupan_koordinasi": "Koordinasi PPK/PPS", "cakupan_sosialisasi": "Sosialisasi"},
                                        title="Desa dengan \u2265 1 kegiatan bulan ini", percent=True),
                    width="stretch", key="cakupan_polsek", config={"displayModeBar": False}, theme=None)

st.subheader("Cakupan koordinasi dan sosialisasi, 12 bulan")
st.plotly_chart(charts.trend(series, ["cakupan_koordinasi", "cakupan_sosialisasi"],
                             {"cakupan_koordinasi": "Desa dengan koordinasi PPK/PPS", "cakupan_sosialisasi": "Desa dengan sosialisasi"},
                             percent=True),
                width="stretch", key="tren_cakupan", config={"displayModeBar": False}, theme=None)

st.subheader("Instruksi Anev September 2024")
i1, i2 = st.columns(2)
with i1:
    st.plotly_chart(charts.instruction_lines(series, "pos_kamling_rasio", "pos_kamling_aktif", "Pos kamling aktif (%)",
                                             "Pos kamling aktif (unit)", title="Aktifkan kembali pos kamling"),
                    width="stretch", key="instruksi_poskamling", config={"displayModeBar": False}, theme=None)
with i2:
    st.plotly_chart(charts.instruction_lines(series, "", "fkpm_aktif", "", "Desa dengan FKPM aktif", title="Bangun kembali FKPM"),
                    width="stretch", key="instruksi_fkpm", config={"displayModeBar": False}, theme=None)

st.subheader("Linmas terhadap kebutuhan 2 per TPS")
linmas = month.groupby("polsek")[["linmas", "tps"]].sum().reset_index()
linmas["kebutuhan"] = linmas["tps"] * reference.settings()["pengamanan_tps"]["linmas_per_tps"]
linmas["persen"] = (linmas["linmas"] / linmas["kebutuhan"].where(linmas["kebutuhan"] > 0) * 100).round(0)
st.dataframe(linmas.rename(columns={"polsek": "Polsek", "linmas": "Linmas dilibatkan", "tps": "TPS", "kebutuhan": "Kebutuhan",
                                    "persen": "Terpenuhi"}),
             hide_index=True, width="stretch", key="linmas",
             column_config={"Terpenuhi": st.column_config.ProgressColumn(format="%.0f%%", min_value=0, max_value=100)}, placeholder=ui.KOSONG)

st.subheader("Indeks Kesiapan per desa")
per_desa = month[["desa", "kecamatan", "polsek", "indeks_kesiapan", "koordinasi_penyelenggara", "sosialisasi_pemilihan",
                  "pos_kamling_aktif", "pos_kamling", "fkpm_aktif", "linmas", "tps"]].sort_values("indeks_kesiapan")
st.dataframe(per_desa.rename(columns={"desa": "Desa", "kecamatan": "Kecamatan", "polsek": "Polsek", "indeks_kesiapan": "Indeks Kesiapan",
                                      "koordinasi_penyelenggara": "Koordinasi", "sosialisasi_pemilihan": "Sosialisasi",
                                      "pos_kamling_aktif": "Pos kamling aktif", "pos_kamling": "Pos kamling", "fkpm_aktif": "FKPM aktif",
                                      "linmas": "Linmas", "tps": "TPS"}),
             hide_index=True, width="stretch", key="kesiapan_desa",
             column_config={"Indeks Kesiapan": st.column_config.ProgressColumn(format="%.0f", min_value=0, max_value=100)}, placeholder=ui.KOSONG)
st.caption(f"{format_bulan(bulan)} \u00b7 {polsek or ui.ALL_POLSEK} \u00b7 desa dengan indeks terendah di atas")
