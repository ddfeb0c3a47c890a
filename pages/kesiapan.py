"""Kesiapan Pemilihan: agenda and countdown, Indeks Kesiapan, coordination and socialisation coverage, Linmas."""

import streamlit as st

from core import agenda as agenda_mod
from core import charts, fmt, ui, views

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

data = ui.anev(bulan, ui.scope(polsek))
view = views.kesiapan_view(data)
if not view.has_data:
    ui.no_data(bulan, polsek)
ui.caveat(data)

st.subheader("Indeks Kesiapan per Polsek")
st.caption(f"{fmt.month(bulan)} \u00b7 {view.weights}.")
ui.chart(charts.ranking(view.ranking, value="indeks_kesiapan"), key="kesiapan_polsek")

st.subheader("Desa dengan koordinasi dan sosialisasi bulan ini")
ui.chart(charts.grouped_bars(view.coverage, "polsek", view.coverage_labels, percent=True), key="cakupan_polsek")
st.caption("Persen desa yang melapor dengan sedikitnya satu kegiatan bulan ini.")

st.subheader(view.trend.title)
ui.chart(charts.trend(view.trend.series, view.trend.keys, view.trend.labels, percent=True), key="tren_cakupan")

follow = views.tindak_lanjut_view(data)
st.subheader("Tindak lanjut arahan Anev")
if follow.arahan.total:
    st.caption("Arahan dari Anev sebelumnya yang masih berjalan, dengan angka saat diberikan dan sekarang "
               "(rincian dan catatan di layar Tindak Lanjut).")
    ui.html_table(follow.arahan.rows[["Arahan", "Pelaksana", "Tenggat", "Status", "Saat diberikan", "Sekarang"]], key="tl-kesiapan")
else:
    st.caption("Belum ada arahan dari Anev sebelumnya yang perlu ditindaklanjuti bulan ini.")

st.subheader("Linmas terhadap kebutuhan")
ui.table(view.linmas, key="linmas",
         column_config={"Terpenuhi": st.column_config.ProgressColumn(format="%.0f%%", min_value=0, max_value=100)})
st.caption(view.linmas_note)

st.subheader("Indeks Kesiapan per desa")
ui.table(views.kesiapan_desa_table(view), key="kesiapan_desa",
         column_config={"Indeks Kesiapan": st.column_config.ProgressColumn(format="%.0f", min_value=0, max_value=100)})
st.caption(f"{fmt.month(bulan)} \u00b7 {view.scope.label} \u00b7 desa dengan indeks terendah di atas")
