"""Tindak Lanjut Arahan: every arahan up to the month with its status, filters, progress notes with evidence, history."""

import json

import pandas as pd
import streamlit as st

from core import arahan, auth, ui, ui_arahan, verifikasi
from core.months import add_months, format_bulan, month_range

bulan, polsek = ui.screen_header("Tindak Lanjut Arahan")
user = ui.current_user()
engine = ui.engine()
can_edit = user.role in auth.ARAHAN_EDIT_ROLES

rows = ui_arahan.follow_up(bulan, polsek, user, view="semua")
st.caption(ui_arahan.rules_text())

add_col, minutes_col = st.columns([1, 1])
with add_col:
    ui_arahan.arahan_button(bulan, user, label="Catat arahan baru", key="tl_baru", pemilik=[polsek] if polsek else None)
with minutes_col:
    ui_arahan.notulen_button(bulan, polsek, user, key="tl_notulen")

if rows.empty:
    st.info(f"Belum ada arahan yang diberikan sampai Anev {format_bulan(bulan)}" + (f" untuk {polsek}." if polsek else ".")
            + (" Catat arahan dengan tombol di atas." if can_edit else ""), icon=":material/info:")
    st.stop()

present = {o for owners in rows["pemilik_list"] for o in owners}
owner_options = ["", *[o for o in arahan.owner_choices() if o in present or (o == polsek)]]
f1, f2, f3 = st.columns(3)
owner = f1.selectbox("Pelaksana", owner_options, format_func=lambda o: o or "Semua pelaksana", key="tl_pemilik")
status = f2.selectbox("Status", ["", *arahan.STATUSES], format_func=lambda s: s or "Semua status", key="tl_status")
given_options = ["", *sorted(rows["bulan_diberikan"].unique(), reverse=True)]
given = f3.selectbox("Diberikan pada Anev", given_options, format_func=lambda m: format_bulan(m) if m else "Semua bulan", key="tl_bulan")
shown = arahan.filter_rows(rows, owner or None, status or None, given or None)

counts = shown["status"].value_counts()
cards = st.columns(3)  # three per row: five narrow cards cut "Tidak bergerak" on a tablet
for i, (label, keys) in enumerate([("Terlambat", ["terlambat"]), ("Tidak bergerak", ["tidak bergerak"]), ("Bergerak", ["bergerak"]),
                                   ("Tercapai", ["tercapai"]), ("Belum dinilai / baru", ["belum dinilai", "baru"])]):
    cards[i % 3].metric(label, int(sum(counts.get(k, 0) for k in keys)), border=True)

used = sorted({m for m in [*shown["bulan_awal"], *shown["bulan_sekarang"]] if isinstance(m, str)})
caveat = verifikasi.caveat(engine, month_range(used[0], used[-1]), polsek) if used else None
if caveat:
    st.caption(f":material/pending: {caveat}")

if shown.empty:
    st.info("Tidak ada arahan yang cocok dengan pilihan di atas.")
    st.stop()
st.dataframe(arahan.display_frame(shown), hide_index=True, width="stretch", key="tl_tabel", placeholder=ui.KOSONG,
             column_config={"Arahan": st.column_config.TextColumn(width="large"), "Keterangan": st.column_config.TextColumn(width="large")})

# ------------------------------------------------------------------ one arahan
st.subheader("Rincian dan catatan perkembangan")
labels = {int(r.id): f"#{r.id} \u00b7 {r.status} \u00b7 {r.teks[:90]}" for r in shown.itertuples(index=False)}
chosen = st.selectbox("Arahan", list(labels), format_func=labels.get, key="tl_pilih")
row = shown[shown["id"] == chosen].iloc[0]
record = arahan.get(engine, chosen, user)

st.markdown(f"**#{chosen}** {ui.escape(row['teks'])}")
facts = st.columns(4)
facts[0].markdown(f"**Pelaksana**  \n{ui.escape(row['pemilik'])}")
facts[1].markdown(f"**Anev / tenggat**  \n{format_bulan(row['bulan_diberikan'])} \u2192 {format_bulan(row['tenggat'])}")
facts[2].markdown(f"**Target**  \n{ui.escape(row['target_teks'])}")
facts[3].markdown(f"**Status {format_bulan(bulan)}**  \n{row['status']}")
st.caption(ui.escape(row["penjelasan"]))
if row["terukur"]:
    st.caption(f"Saat diberikan: {row['angka_awal_teks']} \u00b7 sekarang: {row['angka_sekarang_teks']}")
if row["sumber"]:
    st.caption(f"Asal arahan: {ui.escape(row['sumber'])}")

notes = arahan.notes(engine, chosen, user)
if notes.empty:
    st.caption("Belum ada catatan perkembangan.")
for note in notes.itertuples(index=False):
    with st.container(border=True):
        head = f"**{format_bulan(note.bulan)}** \u00b7 {ui.escape(note.pengguna)} ({auth.ROLES.get(note.peran, note.peran)}"
        head += f", {ui.escape(note.polsek)})" if isinstance(note.polsek, str) else ")"
        if isinstance(note.status, str):
            head += f" \u00b7 status ditetapkan: **{note.status}**"
        st.markdown(head)
        st.text(note.teks)
        if not pd.isna(note.bukti_id):
            name, content, mime = arahan.evidence(engine, int(note.bukti_id), user)
            st.download_button(f"Unduh bukti: {name}", content, file_name=name, mime=mime, key=f"tl_bukti_{int(note.bukti_id)}",
                               icon=":material/attach_file:")

try:
    auth.require_arahan_note(user, record["pemilik"])
    may_note = True
except auth.AuthError:
    may_note = False
note_months = month_range(row["bulan_diberikan"], bulan)
limit_mb = arahan.max_evidence_bytes() // (1024 * 1024)
if may_note:
    with st.form("tl_catatan", clear_on_submit=True):
        st.markdown("**Tambah catatan perkembangan**")
        text = st.text_area("Apa yang sudah dilakukan (di mana, kapan, hasilnya)", key="tl_catatan_teks")
        month = st.selectbox("Bulan", note_months, index=len(note_months) - 1, format_func=format_bulan, key="tl_catatan_bulan")
        upload = st.file_uploader(f"Bukti (foto JPG/PNG atau PDF, paling besar {limit_mb} MB; opsional)", type=["jpg", "jpeg", "png", "pdf"],
                                  key="tl_catatan_bukti", max_upload_size=limit_mb)
        if st.form_submit_button("Simpan catatan", type="primary", icon=":material/save:"):
            try:
                arahan.add_note(engine, chosen, month, text, user, evidence=(upload.name, upload.getvalue()) if upload else None)
                st.rerun()
            except (arahan.ArahanError, auth.AuthError) as exc:
                st.error(str(exc))

if can_edit and not row["terukur"]:
    with st.form("tl_status", clear_on_submit=True):
        st.markdown("**Tetapkan status** (arahan ini tidak terukur dari rekap)")
        new_status = st.segmented_control("Status", arahan.MANUAL_STATUSES, key="tl_status_pilih")
        month = st.selectbox("Untuk bulan", note_months, index=len(note_months) - 1, format_func=format_bulan, key="tl_status_bulan")
        text = st.text_area("Dasar penilaian", key="tl_status_teks")
        upload = st.file_uploader(f"Bukti (opsional, paling besar {limit_mb} MB)", type=["jpg", "jpeg", "png", "pdf"], key="tl_status_bukti",
                                  max_upload_size=limit_mb)
        if st.form_submit_button("Tetapkan status", type="primary", icon=":material/flag:"):
            try:
                if not new_status:
                    raise arahan.ArahanError("Pilih status: bergerak, tidak bergerak atau tercapai.")
                arahan.add_note(engine, chosen, month, text, user, status=new_status,
                                evidence=(upload.name, upload.getvalue()) if upload else None)
                st.rerun()
            except (arahan.ArahanError, auth.AuthError) as exc:
                st.error(str(exc))

if can_edit:
    with st.expander("Ubah atau tutup arahan", icon=":material/edit:"):
        with st.form("tl_ubah"):
            new_text = st.text_area("Isi arahan", value=record["teks"], key="tl_ubah_teks")
            new_owners = st.multiselect("Pelaksana", arahan.owner_choices(), default=record["pemilik"], key="tl_ubah_pemilik")
            due_options = month_range(record["bulan_diberikan"], add_months(max(record["tenggat"], bulan), 12))
            new_due = st.selectbox("Tenggat", due_options, index=due_options.index(record["tenggat"]), format_func=format_bulan,
                                   key="tl_ubah_tenggat")
            if st.form_submit_button("Simpan perubahan", icon=":material/save:"):
                try:
                    arahan.update(engine, chosen, user, teks=new_text, pemilik=new_owners, tenggat=new_due)
                    st.rerun()
                except (arahan.ArahanError, auth.AuthError) as exc:
                    st.error(str(exc))
        if record["ditutup_bulan"]:
            st.caption(f"Ditutup mulai {format_bulan(record['ditutup_bulan'])}: {ui.escape(record['alasan_tutup'] or '')}")
            if st.button("Buka kembali", key="tl_buka", icon=":material/lock_open:"):
                arahan.reopen(engine, chosen, user)
                st.rerun()
        else:
            with st.form("tl_tutup"):
                reason = st.text_input("Alasan menutup (misalnya: pemilihan sudah selesai)", key="tl_tutup_alasan")
                if st.form_submit_button("Tutup arahan mulai bulan ini", icon=":material/task_alt:"):
                    try:
                        arahan.close(engine, chosen, bulan, reason, user)
                        st.rerun()
                    except (arahan.ArahanError, auth.AuthError) as exc:
                        st.error(str(exc))

with st.expander("Riwayat perubahan", icon=":material/history:"):
    log = arahan.history(engine, chosen, user)
    log = log.assign(waktu=log["waktu"].map(verifikasi.wita),
                     rincian=log["rincian"].map(lambda text: "; ".join(f"{k}: {v[-1] if isinstance(v, list) else v}"
                                                                        for k, v in json.loads(text).items())))
    st.dataframe(log[["waktu", "pengguna", "aksi", "rincian"]].rename(columns={"waktu": "Waktu", "pengguna": "Pengguna", "aksi": "Aksi",
                                                                             "rincian": "Rincian"}),
                 hide_index=True, width="stretch", key="tl_riwayat", placeholder=ui.KOSONG)
