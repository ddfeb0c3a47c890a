"""Unggah Rekap: download the template, upload recaps, see the preview and problems, then Simpan.

Uploaded files wait in the database as previews (their tokens are in the URL), so a browser
refresh keeps them; nothing is stored as a version until the clerk presses Simpan.
"""

import json

import pandas as pd
import streamlit as st

from core import auth, fmt, pipeline, reference, store, ui
from core.filecheck import FileRefused
from core.months import add_months, current_bulan, format_bulan, month_range
from core.template import build_template, template_filename

AUTO = "Deteksi dari berkas"
engine = ui.engine()
bulan_filter, polsek_filter = ui.current_filters()

st.title("Unggah Rekap Bulanan")
ui.demo_badge()

# ------------------------------------------------------------------ who uploads (accounts come later)
user = ui.current_user()
if not auth.can_see(user, "unggah"):
    st.error("Akun ini tidak dapat mengunggah rekap.")
    st.stop()

# ------------------------------------------------------------------ 1. template
# While previews wait for Simpan the template section moves below them, so on a phone the previews come first.
template_slot = st.container()
polsek_names = [user.polsek] if user.role == "polsek" else list(reference.polsek_names())
months = sorted(month_range(add_months(current_bulan(), -23), current_bulan()), reverse=True)


@st.cache_data(show_spinner=False, max_entries=32)
def _template(polsek: str, bulan: str, version: tuple[int, int]) -> bytes:
    officers = store.assignments(ui.engine(), polsek, add_months(bulan, -1))
    return build_template(polsek, bulan, officers if not officers.empty else None)


def template_section() -> None:
    """Step 1: the template of a Polsek and month, pre-filled with last month's officers."""
    st.subheader("1. Unduh templat")
    c1, c2 = st.columns(2)
    start = polsek_names.index(polsek_filter) if polsek_filter in polsek_names else 0
    tpl_polsek = c1.selectbox("Polsek", polsek_names, index=start, key="tpl_polsek")
    tpl_bulan = c2.selectbox("Bulan", months, format_func=format_bulan, key="tpl_bulan")
    st.download_button(
        "Unduh templat Excel",
        data=_template(tpl_polsek, tpl_bulan, ui.data_version()),
        file_name=template_filename(tpl_polsek, tpl_bulan),
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/download:",
        key="unduh_templat",
    )
    st.caption("Baris desa dan Bhabinkamtibmas bulan lalu sudah terisi. Isi angka kegiatan dan lembar Kerawanan.")



# ------------------------------------------------------------------ 2. upload
st.subheader("2. Unggah berkas rekap")
c1, c2 = st.columns(2)
choice_polsek = c1.selectbox("Polsek berkas", polsek_names if user.role == "polsek" else [AUTO, *polsek_names], key="unggah_polsek")
choice_bulan = c2.selectbox("Bulan berkas", [AUTO, *months], format_func=lambda m: m if m == AUTO else format_bulan(m),
                            key="unggah_bulan")
files = st.file_uploader(
    "Pilih satu atau beberapa berkas (.xlsx, .xls, .ods)",
    type=["xlsx", "xls", "ods"],
    accept_multiple_files=True,
    key="unggah_berkas",
)
tokens = [t for t in st.query_params.get_all("pratinjau") if t]
seen = st.session_state.setdefault("berkas_diproses", {})
refused = st.session_state.setdefault("berkas_ditolak", {})  # file_id -> (name, why): refused at the door, never stored
for uploaded in files or []:
    if uploaded.file_id in seen or uploaded.file_id in refused:
        continue
    try:
        token = store.save_preview(
            engine, uploaded.name, uploaded.getvalue(), user.username,
            None if choice_polsek == AUTO else choice_polsek, None if choice_bulan == AUTO else choice_bulan,
            max_bytes=pipeline.max_upload_bytes(),
        )
    except FileRefused as refusal:
        refused[uploaded.file_id] = (uploaded.name, str(refusal))
        continue
    seen[uploaded.file_id] = token
    tokens.append(token)
for uploaded in files or []:
    if uploaded.file_id in refused:
        name, why = refused[uploaded.file_id]
        st.error(f"**{ui.escape(name)}** tidak diterima: {ui.escape(why)}", icon=":material/block:")
if tokens != st.query_params.get_all("pratinjau"):
    st.query_params["pratinjau"] = tokens

# ------------------------------------------------------------------ 3. preview and Simpan
st.subheader("3. Pratinjau dan simpan")
if not tokens:
    st.info("Belum ada berkas. Unggah rekap di atas; pratinjau muncul di sini sebelum apa pun disimpan.")


def _named_rows(frame: pd.DataFrame, sheet: str) -> pd.DataFrame:
    names = reference.desa().set_index("kode")
    shown = frame.copy()
    shown.insert(0, "Desa/Kelurahan", shown["desa_kode"].map(names["nama"]))
    shown.insert(1, "Kecamatan", shown["desa_kode"].map(names["kecamatan"]))
    labels = {i.key: i.label for i in reference.sheet_indicators(sheet)}
    return shown.drop(columns=["desa_kode"]).rename(columns={"excel_row": "Baris Excel", **labels})


def _forget(token: str) -> None:
    st.query_params["pratinjau"] = [t for t in st.query_params.get_all("pratinjau") if t != token]


for token in tokens:
    preview = store.get_preview(engine, token)
    if preview is None:
        _forget(token)
        continue
    if preview["pengunggah"] != user.username:
        _forget(token)
        continue
    result = pipeline.check_file(engine, preview["isi"], preview["nama_berkas"], user=user,
                                 polsek=preview["polsek_pilihan"], bulan=preview["bulan_pilihan"])
    where = f"{result.polsek or 'Polsek ?'} \u00b7 {format_bulan(result.bulan) if result.bulan else 'bulan ?'}"
    with st.container(border=True):
        st.markdown(f"**{ui.escape(preview['nama_berkas'])}** \u2014 {ui.escape(where)}")
        if preview["status"] == "disimpan":
            version = store.uploads(engine).set_index("id").loc[preview["unggahan_id"], "versi"] if preview["unggahan_id"] else "?"
            st.success(f"Tersimpan sebagai versi {version}.", icon=":material/check_circle:")
            if st.button("Tutup", key=f"tutup_{token}"):
                _forget(token)
                st.rerun()
            continue
        if preview["status"] == "dibatalkan":
            _forget(token)
            continue
        rows = result.rows()
        if result.errors:
            st.error(
                f"{result.errors_summary().capitalize()}. Tidak ada yang disimpan dari berkas ini. "
                "Perbaiki di Excel sesuai keterangan, lalu unggah kembali.",
                icon=":material/error:",
            )
            # the sentences themselves, readable on a phone without scrolling a table sideways
            st.markdown(ui.issue_list(result.errors, "kesalahan"))
        else:
            st.success(
                f"Berkas sah: {rows['kegiatan']} baris kegiatan dan {rows['kerawanan']} baris kerawanan siap disimpan.",
                icon=":material/task_alt:",
            )
        if result.warnings:
            st.warning(f"{len(result.warnings)} peringatan (disimpan bersama berkas):", icon=":material/warning:")
            st.markdown(ui.issue_list(result.warnings, "peringatan", limit=5))
        confirmed = True
        if not result.errors:
            existing = store.latest_version(engine, result.polsek, result.bulan)
            if existing:
                previous = store.uploads(engine, result.bulan)
                previous = previous[(previous["polsek"] == result.polsek) & (previous["versi"] == existing)].iloc[0]
                st.warning(
                    f"{ui.escape(result.polsek)} {format_bulan(result.bulan)} sudah ada sebagai versi {existing} "
                    f"({ui.escape(previous['nama_berkas'])}, {fmt.when(previous['waktu'])} oleh {ui.escape(previous['pengunggah'])}). "
                    f"Menyimpan membuat versi {existing + 1} yang dipakai dasbor; versi {existing} tetap tersimpan.",
                    icon=":material/history:",
                )
                confirmed = st.checkbox(f"Ya, ganti versi {existing} dengan versi baru", key=f"konfirmasi_{token}")
        # the buttons come before the long tables: on a phone Simpan is reachable without scrolling past them
        with st.container(horizontal=True, gap="small"):
            save = not result.errors and st.button("Simpan", type="primary", key=f"simpan_{token}", disabled=not confirmed,
                                                   icon=":material/save:")
            cancel = st.button("Batal", key=f"batal_{token}", icon=":material/close:")
        if save:
            try:
                version = pipeline.save(engine, result, user)
            except (auth.AuthError, store.Locked) as refused_save:  # not allowed, or verified meanwhile
                st.error(str(refused_save))
                st.stop()
            upload_id = store.upload_id_of(engine, result.polsek, result.bulan, version)
            store.close_preview(engine, token, "disimpan", upload_id)
            ui.clear_caches()
            st.rerun()
        if cancel:
            store.close_preview(engine, token, "dibatalkan")
            _forget(token)
            st.rerun()
        if result.errors:
            with st.expander("Tabel kesalahan"):
                ui.table(ui.issues_frame(result.errors), key=f"kesalahan_{token}")
        if result.warnings:
            with st.expander("Tabel peringatan"):
                ui.table(ui.issues_frame(result.warnings), key=f"peringatan_{token}")
        if result.notes:
            with st.expander(f"{len(result.notes)} catatan"):
                ui.table(ui.issues_frame(result.notes), key=f"catatan_{token}")
        if not result.errors:
            with st.expander("Lihat baris yang akan disimpan"):
                tab1, tab2 = st.tabs(["Kegiatan", "Kerawanan"])
                with tab1:
                    ui.table(_named_rows(result.kegiatan, "kegiatan"), key=f"baris_kegiatan_{token}")
                with tab2:
                    if result.kerawanan.empty:
                        st.caption("Lembar Kerawanan tidak ada di berkas ini.")
                    else:
                        ui.table(_named_rows(result.kerawanan, "kerawanan"), key=f"baris_kerawanan_{token}")

if tokens:
    template_section()  # below the previews while they wait, so Simpan comes first on a phone
else:
    with template_slot:
        template_section()

# ------------------------------------------------------------------ history
st.subheader("Riwayat unggahan")
history = store.uploads(engine, bulan_filter)
if polsek_filter:
    history = history[history["polsek"] == polsek_filter]
st.caption(ui.scope_caption(bulan_filter, polsek_filter))
if history.empty:
    st.caption("Belum ada unggahan untuk pilihan ini.")
else:
    shown = pd.DataFrame({
        "Polsek": history["polsek"], "Bulan": history["bulan"].map(fmt.month), "Versi": history["versi"],
        "Berkas": history["nama_berkas"], "Pengunggah": history["pengunggah"],
        f"Waktu ({fmt.zone_name()})": history["waktu"].map(fmt.when),
        "Peringatan": history["peringatan"].map(lambda text: len(json.loads(text))),
        "Data contoh": history["contoh"].map({True: "Ya", False: "Tidak"}),
    })
    ui.table(shown, key="riwayat")

if ui.has_demo() and user.role == "admin":
    with st.expander("DATA CONTOH"):
        st.write("Basis data berisi data sintetis untuk mencoba dasbor. Hapus sebelum memakai data asli; "
                 "rekap asli yang sudah diunggah tidak ikut terhapus. Akun contoh (admin-contoh, pimpinan-contoh, "
                 "insana-contoh) ikut dihapus.")
        if st.button("Hapus semua DATA CONTOH", key="hapus_contoh", icon=":material/delete:"):
            try:
                removed, accounts = auth.remove_demo(engine, by=user)
                ui.clear_caches()
                st.toast(f"{removed} versi data contoh dihapus" + (f"; akun contoh dihapus: {', '.join(accounts)}." if accounts else "."))
                st.rerun()
            except auth.AuthError as exc:
                st.error(str(exc))
