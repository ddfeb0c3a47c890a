"""Data Rujukan (admin): which desa are border desa (perbatasan RI-RDTL); the default comes from data/, corrections are stored and audited."""

import pandas as pd
import streamlit as st

from core import auth, reference, rujukan, ui

user = ui.current_user()
auth.require_admin(user)
engine = ui.engine()

st.title("Data Rujukan")
st.subheader("Desa perbatasan RI\u2013RDTL")
st.caption(
    "Desa perbatasan diisi otomatis di kolom Perbatasan templat, dipakai bila sel Perbatasan di rekap kosong, dan menambah "
    "Skor Kerawanan. Bawaan: desa yang berbatasan dengan Oecusse (Timor-Leste) menurut poligon wilayah, ditambah desa "
    "perbatasan menurut pemberitaan publik. Koreksi di sini tersimpan di basis data dan tercatat di "
    "Jejak Audit; rekap yang sudah tersimpan tidak berubah."
)

notice = st.session_state.pop("rujukan_pesan", None)
if notice:
    st.success(notice, icon=":material/check_circle:")

table = rujukan.border_table(engine)
corrected = table["perbatasan"] != table["bawaan"]
c1, c2, c3 = st.columns(3)
c1.metric("Desa perbatasan", int(table["perbatasan"].sum()), border=True)
c2.metric("Menurut bawaan", int(table["bawaan"].sum()), border=True)
c3.metric("Dikoreksi admin", int(corrected.sum()), border=True)

left, right = st.columns([2, 1], vertical_alignment="bottom")
polsek = left.selectbox("Polsek", [ui.ALL_POLSEK, *reference.polsek_names()], key="rujukan_polsek")
only_border = right.toggle("Hanya desa perbatasan", key="rujukan_hanya")
shown = table if polsek == ui.ALL_POLSEK else table[table["polsek"] == polsek]
if only_border:
    shown = shown[shown["perbatasan"] | shown["bawaan"]]
shown = shown.reset_index(drop=True)

view = pd.DataFrame({
    "Desa/Kelurahan": shown["desa"],
    "Kecamatan": shown["kecamatan"],
    "Polsek": shown["polsek"],
    "Perbatasan": shown["perbatasan"],
    "Bawaan": shown["bawaan"].map({True: "Ya", False: "Tidak"}),
    "Dasar bawaan": shown["sumber"],
    "Dikoreksi": [f"{who}, {when:%d-%m-%Y %H.%M} UTC" if who else "" for who, when in zip(shown["oleh"], shown["diubah"], strict=True)],
})
version = st.session_state.get("rujukan_versi", 0)
with st.form("rujukan_perbatasan"):
    edited = st.data_editor(
        view, hide_index=True, width="stretch", key=f"rujukan_tabel_{version}", num_rows="fixed",
        disabled=[c for c in view.columns if c != "Perbatasan"],
        column_config={"Perbatasan": st.column_config.CheckboxColumn("Perbatasan", help="Centang bila desa ini desa perbatasan RI\u2013RDTL.")},
    )
    submitted = st.form_submit_button("Simpan", key="rujukan_simpan", type="primary", icon=":material/save:")
if submitted:
    flags = dict(zip(shown["kode"], edited["Perbatasan"].astype(bool), strict=True))
    try:
        changes = rujukan.save_border(engine, flags, user)
    except (auth.AuthError, ValueError) as exc:
        st.error(str(exc))
    else:
        if changes:
            st.cache_data.clear()  # screens that counted border desa from the old list
            st.session_state["rujukan_versi"] = version + 1
            st.session_state["rujukan_pesan"] = f"{len(changes)} perubahan tersimpan: " + "; ".join(ui.escape(c) for c in changes) + "."
            st.rerun()
        st.info("Tidak ada perubahan untuk disimpan.", icon=":material/info:")

with st.expander("Cara data bawaan dibuat"):
    st.markdown(
        "Skrip `scripts/wilayah.py` membaca poligon desa (dataset publik \"wilayah_boundaries\", Cahya DSN, lisensi MIT). "
        "Satu-satunya daratan asing yang berbatasan dengan TTU adalah Oecusse (Timor-Leste), yang menjorok ke barat laut "
        "kabupaten; garis batas kabupaten di sisi itu (antara ujung barat Mutis dan pantai di Humusu Wini) dianggap batas "
        "darat RI\u2013RDTL, dan desa yang menyentuhnya sepanjang paling sedikit 0,5 km menjadi desa perbatasan. Ditambah "
        "desa yang disebut pemberitaan publik (Bikomi Nilulat, Bikomi Utara, Humusu Wini). Tidak pasti: letak ujung-ujung "
        "batas itu dan ketelitian poligon sumber; desa pesisir yang hanya berbatasan laut tidak ditandai. Koreksi di atas."
    )
