"""Streamlit pieces of the Anev loop, reusable on any screen: the arahan form, its dialog button, the verification block.

Like `core/ui.py` this module imports Streamlit; the logic stays in `core.arahan` and `core.verifikasi`. The form is
made for a tablet in the meeting: large controls, the month shown as the Anev month, next month as the due month,
and text, owner and measure pre-filled from the Catatan untuk Anev finding it came from.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core import arahan, auth, config, notulen, ui, verifikasi
from core.months import add_months, format_bulan, month_range

RULES_TEXT = (
    "Status dihitung dari rekap bila arahan punya target terukur: **tercapai** (target terpenuhi pada bulan terakhir yang "
    "ada datanya sampai tenggat), **terlambat** (tenggat lewat, target belum terpenuhi), **bergerak** (mendekati target "
    "paling sedikit {ambang:.0f}% dari jarak ke target sejak arahan diberikan), **tidak bergerak** (kurang dari itu). "
    "Arahan tanpa target terukur dinilai admin atau pimpinan dengan catatan dan bukti."
)


def rules_text() -> str:
    """The status rules in one paragraph (Markdown), with the threshold of `data/pengaturan.toml`."""
    return RULES_TEXT.format(ambang=arahan.threshold())


def _big_controls(key: str) -> None:
    """Larger touch targets and text for the form's widgets (every key starts with the form's), for a tablet."""
    scope = f'[class*="st-key-{key}_"]'
    st.html(f"""<style>
  {scope} textarea, {scope} input {{ font-size: 20px !important; }}
  {scope} textarea {{ min-height: 110px; }}
  {scope} [data-testid="stSelectbox"] [role="group"], {scope} [data-testid="stNumberInputContainer"],
  {scope} [data-baseweb="select"] > div {{ min-height: 52px; height: auto; }}
  .st-key-{key}_simpan button {{ min-height: 56px; }}
  .st-key-{key}_simpan button p {{ font-size: 20px; }}
  {scope} label p {{ font-size: 18px; }}
</style>""")


def arahan_form(bulan: str, user: auth.User | None, *, teks: str = "", pemilik: list[str] | None = None, ukuran: str | None = None,
                sumber: str | None = None, key: str = "arahan_baru") -> int | None:
    """A form to record an arahan at the Anev of `bulan`; returns the new id once saved (else None).

    Pre-fill `teks`, `pemilik` and `ukuran` from the finding the arahan answers; `sumber` is stored as its origin.
    Only admin and pimpinan see the form (the same rule `core.arahan.add` enforces).
    """
    if user is None or user.role not in auth.ARAHAN_EDIT_ROLES:
        st.caption("Arahan dicatat oleh admin atau pimpinan.")
        return None
    _big_controls(key)
    found = arahan.measures()
    owners = [o for o in (pemilik or [arahan.SEMUA]) if o in arahan.owner_choices()]
    given_options = month_range(add_months(bulan, -2), bulan)
    due_options = month_range(bulan, add_months(bulan, 12))
    measure_options = ["", *found]
    with st.form(key, clear_on_submit=True):
        text = st.text_area("Isi arahan", value=teks, height=110, key=f"{key}_teks",
                            placeholder="Misalnya: Aktifkan kembali pos kamling di desa perbatasan.")
        chosen_owners = st.multiselect("Pelaksana", arahan.owner_choices(), default=owners, key=f"{key}_pemilik")
        left, right = st.columns(2)
        given = left.selectbox("Diberikan pada Anev", given_options, index=len(given_options) - 1, format_func=format_bulan,
                               key=f"{key}_bulan")
        due = right.selectbox("Tenggat", due_options, index=1, format_func=format_bulan, key=f"{key}_tenggat")
        c1, c2, c3 = st.columns([4, 1, 2])
        measure = c1.selectbox("Target terukur (opsional)", measure_options,
                               index=measure_options.index(ukuran) if ukuran in measure_options else 0,
                               format_func=lambda k: "Tanpa target terukur" if not k else found[k].label, key=f"{key}_ukuran")
        direction = c2.selectbox("Arah", list(arahan.DIRECTIONS), format_func=arahan.DIRECTIONS.get, key=f"{key}_arah")
        target = c3.number_input("Target (persen untuk rasio)", min_value=0.0, value=None, step=5.0, key=f"{key}_target")
        submitted = st.form_submit_button("Simpan arahan", type="primary", icon=":material/save:", width="stretch", key=f"{key}_simpan")
    if not submitted:
        return None
    try:
        new_id = arahan.add(ui.engine(), text, given, chosen_owners, due, user, ukuran=measure or None, arah=direction,
                            target=target, sumber=sumber)
    except (arahan.ArahanError, auth.AuthError) as exc:
        st.error(str(exc), icon=":material/error:")
        return None
    st.success(f"Arahan #{new_id} dicatat: {', '.join(chosen_owners)}, tenggat {format_bulan(due)}.", icon=":material/check_circle:")
    return new_id


@st.dialog("Catat arahan", width="large")
def _arahan_dialog(bulan: str, username: str, role: str, polsek: str | None, prefill: dict, key: str) -> None:
    saved = arahan_form(bulan, auth.User(username, role, polsek), key=f"{key}_form", **prefill)
    if saved:
        st.session_state[f"{key}_tersimpan"] = saved
        st.rerun()


def arahan_button(bulan: str, user: auth.User | None, *, label: str = "Catat arahan", key: str = "tombol_arahan", **prefill) -> None:
    """A button (admin, pimpinan) that opens the arahan form in a dialog, pre-filled (`teks`, `pemilik`, `ukuran`, `sumber`).

    For Mode Paparan and the Catatan untuk Anev list: one tap opens, one tap saves; the dialog closes after saving.
    """
    if user is None or user.role not in auth.ARAHAN_EDIT_ROLES:
        return
    saved = st.session_state.pop(f"{key}_tersimpan", None)
    if saved:
        st.toast(f"Arahan #{saved} dicatat.", icon=":material/check_circle:")
    if st.button(label, key=key, icon=":material/add_task:"):
        _arahan_dialog(bulan, user.username, user.role, user.polsek, prefill, key)


# --------------------------------------------------------------------------- cached follow-up


@st.cache_data(show_spinner=False, max_entries=32)
def _follow_up(url: str, bulan: str, polsek: str | None, view: str, verified_only: bool, data: tuple, loop: tuple, checks: tuple) -> pd.DataFrame:
    return arahan.follow_up(ui._engine(url), bulan, polsek, view=view, verified_only=verified_only)


def follow_up(bulan: str, polsek: str | None, user: auth.User, view: str = "semua", verified_only: bool = False) -> pd.DataFrame:
    """`core.arahan.follow_up` for the screen's filters, cached until recaps, arahan or verifications change.

    A Polsek clerk always gets his own Polsek (`auth.allowed_polsek`).
    """
    engine = ui.engine()
    return _follow_up(config.db_url(), bulan, auth.allowed_polsek(user, polsek), view, verified_only, ui.data_version(),
                      arahan.version(engine), verifikasi.version(engine))


# --------------------------------------------------------------------------- verification


def verification_block(bulan: str, user: auth.User, polsek: str | None = None, key: str = "verifikasi") -> None:
    """One line per Polsek for the month: latest version, verified or not (by whom, when); buttons for a verifier.

    A verifier verifies the latest version, or unverifies with a reason. Usable on Kelengkapan as well.
    """
    engine = ui.engine()
    frame = verifikasi.status(engine, [bulan], polsek)
    can = user.role in auth.VERIFY_ROLES
    uploaded = int((frame["versi_terbaru"] > 0).sum())
    st.markdown(f"**{int(frame['terverifikasi'].sum())} dari {uploaded}** rekap {format_bulan(bulan)} yang masuk sudah diverifikasi.")
    for i, row in enumerate(frame.itertuples(index=False)):
        name, state, action = st.columns([3, 5, 2], vertical_alignment="center")
        name.markdown(f"**{ui.escape(row.polsek)}**")
        if row.versi_terbaru == 0:
            state.markdown("belum mengunggah rekap")
            continue
        if row.terverifikasi:
            state.markdown(f":green[:material/verified: terverifikasi] versi {row.versi_terverifikasi} \u00b7 {ui.escape(row.oleh)} \u00b7 "
                           f"{verifikasi.wita(row.waktu)}")
        else:
            state.markdown(f":orange[:material/pending: belum diverifikasi] versi {row.versi_terbaru}")
        if not can:
            continue
        if not row.terverifikasi:
            if action.button("Verifikasi", key=f"{key}_v_{i}", type="primary", icon=":material/verified:", width="stretch"):
                try:
                    verifikasi.verify(engine, row.polsek, bulan, user, version=int(row.versi_terbaru))
                    st.rerun()
                except (verifikasi.VerifikasiError, auth.AuthError) as exc:
                    st.error(str(exc))
            continue
        with action.popover("Batalkan", icon=":material/lock_open:", width="stretch"):
            reason = st.text_area("Alasan pembatalan (tercatat di jejak audit)", key=f"{key}_alasan_{i}",
                                  placeholder="Misalnya: jumlah TPS Desa Oelami salah ketik, Polsek akan mengunggah ulang.")
            if st.button("Batalkan verifikasi", key=f"{key}_b_{i}", type="primary"):
                try:
                    verifikasi.unverify(engine, row.polsek, bulan, reason, user)
                    st.rerun()
                except (verifikasi.VerifikasiError, auth.AuthError) as exc:
                    st.error(str(exc))


# --------------------------------------------------------------------------- notulen

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def notulen_button(bulan: str, polsek: str | None, user: auth.User, findings: list[str] | None = None, key: str = "notulen") -> None:
    """A popover that builds the notulen of the Anev of `bulan` as a Word file (date, chair) and offers it for download.

    `findings`: the Catatan untuk Anev sentences the screen shows (default: computed as the screens do). A Polsek clerk
    gets his own Polsek's notulen. Audited like the other exports.
    """
    polsek = auth.allowed_polsek(user, polsek)
    with st.popover("Notulen Anev (Word)", icon=":material/description:"):
        tanggal = st.date_input("Tanggal rapat", value=notulen.today_wita(), format="DD/MM/YYYY", key=f"{key}_tanggal")
        chair = st.text_input("Pimpinan rapat (opsional)", key=f"{key}_pimpinan")
        if st.button("Siapkan notulen", key=f"{key}_siapkan", icon=":material/edit_document:"):
            with st.spinner("Menyusun notulen\u2026"):
                content = notulen.build(ui.engine(), bulan, findings=findings, tanggal=tanggal, polsek=polsek, pimpinan=chair or None)
            st.session_state[f"{key}_isi"] = (bulan, polsek, content)
            auth.record(ui.engine(), user.username, "notulen", f"{bulan} {polsek or 'Polres'}", "ok", f"rapat {tanggal:%d-%m-%Y}")
        ready = st.session_state.get(f"{key}_isi")
        if ready and ready[:2] == (bulan, polsek):
            short = (polsek or "Polres").removeprefix("Polsek ").replace(" ", "_")
            st.download_button("Unduh notulen", ready[2], file_name=f"Notulen_Anev_{short}_{bulan}.docx", mime=DOCX_MIME,
                               key=f"{key}_unduh", icon=":material/download:")
