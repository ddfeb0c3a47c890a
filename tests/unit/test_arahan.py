"""Arahan: status rules, role rules for every role, audited history, evidence checks, follow-up from stored recaps, JSON."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from conftest import TODAY
from workbooks import filled_template

from core import analysis, arahan, auth, demo, pipeline, reference, store, verifikasi
from core.template import HEADER_ROW

ADMIN = auth.User("operator", "admin")
PIMPINAN = auth.User("kapolres", "pimpinan")
VERIFIKATOR = auth.User("staf-kasat", "verifikator")
INSANA = auth.User("clerk-insana", "polsek", "Polsek Insana")
NOEMUTI = auth.User("clerk-noemuti", "polsek", "Polsek Noemuti")
PNG = arahan.PNG_MAGIC + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 40
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def series(**values: float | None) -> pd.Series:
    """A month-indexed series: series(m2024_09=50) -> {"2024-09": 50}."""
    return pd.Series({key[1:].replace("_", "-"): (np.nan if v is None else v) for key, v in values.items()}, dtype=float)


# --------------------------------------------------------------------------- status of a measurable arahan


def test_tercapai_when_target_met_by_the_due_month():
    ev = arahan.evaluate(series(m2024_09=50, m2024_10=85), "2024-09", "2024-11", "2024-10", ">=", 80, "pos_kamling_rasio")
    assert ev.status == "tercapai"
    assert (ev.bulan_awal, ev.angka_awal, ev.bulan_sekarang, ev.angka_sekarang) == ("2024-09", 50, "2024-10", 85)
    assert "Oktober 2024" in ev.penjelasan


def test_bergerak_and_tidak_bergerak_use_the_share_of_the_distance_to_the_target():
    # 50 -> 80 is a distance of 30; 10% of it is 3 points
    at_threshold = arahan.evaluate(series(m2024_09=50, m2024_10=53), "2024-09", "2024-12", "2024-10", ">=", 80, moving_share=10)
    below = arahan.evaluate(series(m2024_09=50, m2024_10=52.9), "2024-09", "2024-12", "2024-10", ">=", 80, moving_share=10)
    away = arahan.evaluate(series(m2024_09=50, m2024_10=45), "2024-09", "2024-12", "2024-10", ">=", 80, moving_share=10)
    assert at_threshold.status == "bergerak"
    assert below.status == "tidak bergerak" and "10%" in below.penjelasan
    assert away.status == "tidak bergerak"
    stricter = arahan.evaluate(series(m2024_09=50, m2024_10=53), "2024-09", "2024-12", "2024-10", ">=", 80, moving_share=20)
    assert stricter.status == "tidak bergerak"


def test_moving_threshold_comes_from_the_settings(monkeypatch):
    settings = dict(reference.settings())
    monkeypatch.setattr(reference, "settings", lambda: {**settings, "arahan": {"ambang_bergerak_persen": 50}})
    assert arahan.threshold() == 50
    assert arahan.evaluate(series(m2024_09=50, m2024_10=60), "2024-09", "2024-12", "2024-10", ">=", 80).status == "tidak bergerak"
    assert arahan.evaluate(series(m2024_09=50, m2024_10=66), "2024-09", "2024-12", "2024-10", ">=", 80).status == "bergerak"


def test_terlambat_after_the_due_month_and_tercapai_late_when_met_after_it():
    values = series(m2024_09=50, m2024_10=60, m2024_11=70, m2024_12=85)
    assert arahan.evaluate(values, "2024-09", "2024-10", "2024-10", ">=", 80).status == "bergerak"
    late = arahan.evaluate(values, "2024-09", "2024-10", "2024-11", ">=", 80, "pos_kamling_rasio")
    assert late.status == "terlambat" and "Oktober 2024" in late.penjelasan and late.angka_sekarang == 70
    after = arahan.evaluate(values, "2024-09", "2024-10", "2024-12", ">=", 80)
    assert after.status == "tercapai" and "setelah tenggat" in after.penjelasan


def test_met_by_the_due_month_stays_tercapai_when_it_drops_afterwards():
    values = series(m2024_09=50, m2024_10=85, m2024_11=70)
    ev = arahan.evaluate(values, "2024-09", "2024-10", "2024-11", ">=", 80, "pos_kamling_rasio")
    assert ev.status == "tercapai" and ev.angka_sekarang == 70 and "Kini 70%" in ev.penjelasan


def test_at_most_targets_move_downwards():
    assert arahan.evaluate(series(m2024_09=10, m2024_10=6), "2024-09", "2024-12", "2024-10", "<=", 5).status == "bergerak"
    assert arahan.evaluate(series(m2024_09=10, m2024_10=4), "2024-09", "2024-12", "2024-10", "<=", 5).status == "tercapai"
    assert arahan.evaluate(series(m2024_09=10, m2024_10=12), "2024-09", "2024-12", "2024-10", "<=", 5).status == "tidak bergerak"


def test_target_already_met_when_given():
    given = arahan.evaluate(series(m2024_09=90), "2024-09", "2024-12", "2024-09", ">=", 80, "pos_kamling_rasio")
    assert given.status == "tercapai" and "saat arahan diberikan" in given.penjelasan
    dropped = arahan.evaluate(series(m2024_09=90, m2024_10=70), "2024-09", "2024-12", "2024-10", ">=", 80)
    assert dropped.status == "tidak bergerak" and "Sempat memenuhi" in dropped.penjelasan


def test_month_given_without_target_met_is_baru():
    assert arahan.evaluate(series(m2024_09=50), "2024-09", "2024-12", "2024-09", ">=", 80).status == "baru"


def test_months_without_data():
    nothing = series(m2024_09=None, m2024_10=None)
    assert arahan.evaluate(nothing, "2024-09", "2024-10", "2024-10", ">=", 80).status == "belum dinilai"
    overdue = arahan.evaluate(nothing, "2024-09", "2024-10", "2024-11", ">=", 80)
    assert overdue.status == "terlambat" and overdue.angka_awal is None
    # data when given, none since: not judged as not moving
    stale = arahan.evaluate(series(m2024_09=50, m2024_10=None), "2024-09", "2024-12", "2024-10", ">=", 80)
    assert stale.status == "belum dinilai" and stale.bulan_sekarang == "2024-09"
    # a gap in the middle: the latest month with data is "now"
    gap = arahan.evaluate(series(m2024_09=50, m2024_10=None, m2024_11=60), "2024-09", "2024-12", "2024-11", ">=", 80)
    assert gap.status == "bergerak" and gap.bulan_sekarang == "2024-11"
    # no recap in the month given: the latest of the two months before stands in, else the first one after
    before = arahan.evaluate(series(m2024_08=40, m2024_09=None, m2024_10=60), "2024-09", "2024-12", "2024-10", ">=", 80)
    assert before.bulan_awal == "2024-08" and before.angka_awal == 40
    after = arahan.evaluate(series(m2024_05=10, m2024_09=None, m2024_10=60, m2024_11=62), "2024-09", "2024-12", "2024-11", ">=", 80)
    assert after.bulan_awal == "2024-10" and after.angka_awal == 60
    # months after the month viewed are not used
    future = arahan.evaluate(series(m2024_09=50, m2024_10=90), "2024-09", "2024-12", "2024-09", ">=", 80)
    assert future.status == "baru" and future.angka_sekarang == 50


def _entries(*rows: tuple[str, str | None]) -> pd.DataFrame:
    return pd.DataFrame([{"bulan": b, "status": s, "pengguna": "kapolres", "waktu": dt.datetime(2024, 1, 1)} for b, s in rows],
                        columns=["bulan", "status", "pengguna", "waktu"])


def test_status_set_by_hand():
    none = _entries()
    assert arahan.evaluate_manual(none, "2024-09", "2024-11", "2024-09").status == "baru"
    assert arahan.evaluate_manual(none, "2024-09", "2024-11", "2024-10").status == "belum dinilai"
    assert arahan.evaluate_manual(none, "2024-09", "2024-11", "2024-12").status == "terlambat"
    moving = _entries(("2024-10", None), ("2024-10", "bergerak"))
    assert arahan.evaluate_manual(moving, "2024-09", "2024-11", "2024-10").status == "bergerak"
    assert arahan.evaluate_manual(moving, "2024-09", "2024-11", "2024-12").status == "terlambat"
    done = _entries(("2024-10", "bergerak"), ("2024-11", "tercapai"))
    assert arahan.evaluate_manual(done, "2024-09", "2024-11", "2024-10").status == "bergerak"  # later months are not used
    assert arahan.evaluate_manual(done, "2024-09", "2024-11", "2025-03").status == "tercapai"


# --------------------------------------------------------------------------- records, roles, history


def _add(engine, by=ADMIN, **kw) -> int:
    values = {"teks": "Aktifkan kembali pos kamling", "bulan_diberikan": "2024-09", "pemilik": ["Polsek Insana"], "tenggat": "2024-11",
              "ukuran": "pos_kamling_rasio", "target": 80.0, **kw}
    return arahan.add(engine, values.pop("teks"), values.pop("bulan_diberikan"), values.pop("pemilik"), values.pop("tenggat"), by,
                      today=TODAY, **values)


@pytest.mark.parametrize(("user", "allowed"), [(ADMIN, True), (PIMPINAN, True), (VERIFIKATOR, False), (INSANA, False)])
def test_who_may_give_an_arahan(engine, user, allowed):
    if allowed:
        new_id = _add(engine, by=user)
        assert arahan.get(engine, new_id)["dicatat_oleh"] == user.username
        assert auth.audit_log(engine, action="arahan.tambah")["hasil"].iloc[0] == "ok"
    else:
        with pytest.raises(auth.AuthError, match="admin atau pimpinan"):
            _add(engine, by=user)
        log = auth.audit_log(engine, action="arahan.tambah")
        assert list(log["hasil"]) == ["ditolak"] and log["pengguna"].iloc[0] == user.username
        with engine.connect() as conn:
            assert conn.execute(sa.select(sa.func.count()).select_from(arahan.arahan)).scalar() == 0


@pytest.mark.parametrize(("user", "own_ok", "other_ok"),
                         [(ADMIN, True, True), (PIMPINAN, True, True), (INSANA, True, False), (VERIFIKATOR, False, False)])
def test_who_may_add_a_progress_note(engine, user, own_ok, other_ok):
    own = _add(engine, pemilik=["Polsek Insana"])
    everyone = _add(engine, pemilik=[arahan.SEMUA])
    other = _add(engine, pemilik=["Polsek Noemuti"])
    for arahan_id, ok in ((own, own_ok), (everyone, own_ok), (other, other_ok)):
        if ok:
            arahan.add_note(engine, arahan_id, "2024-10", "Ronda malam berjalan di dua desa", user)
            assert arahan.notes(engine, arahan_id)["teks"].iloc[0] == "Ronda malam berjalan di dua desa"
        else:
            with pytest.raises(auth.AuthError):
                arahan.add_note(engine, arahan_id, "2024-10", "Ronda malam berjalan di dua desa", user)
            assert arahan.notes(engine, arahan_id).empty


@pytest.mark.parametrize("user", [ADMIN, PIMPINAN, VERIFIKATOR, INSANA])
def test_who_may_set_a_status_by_hand_and_change_or_close(engine, user):
    unmeasured = _add(engine, pemilik=["Polsek Insana"], ukuran=None, target=None)
    allowed = user.role in ("admin", "pimpinan")
    if allowed:
        arahan.add_note(engine, unmeasured, "2024-10", "Mediasi tahap I selesai", user, status="bergerak")
        arahan.update(engine, unmeasured, user, tenggat="2024-12")
        arahan.close(engine, unmeasured, "2025-01", "pemilihan sudah selesai", user)
        assert arahan.get(engine, unmeasured)["ditutup_bulan"] == "2025-01"
    else:
        with pytest.raises(auth.AuthError):
            arahan.add_note(engine, unmeasured, "2024-10", "Mediasi tahap I selesai", user, status="tercapai")
        with pytest.raises(auth.AuthError):
            arahan.update(engine, unmeasured, user, tenggat="2024-12")
        with pytest.raises(auth.AuthError):
            arahan.close(engine, unmeasured, "2025-01", "pemilihan sudah selesai", user)
        assert arahan.get(engine, unmeasured)["tenggat"] == "2024-11" and arahan.notes(engine, unmeasured).empty


def test_a_polsek_clerk_sees_only_his_own_arahan(engine):
    own, everyone, other, unit = (_add(engine, pemilik=p) for p in (["Polsek Insana"], [arahan.SEMUA], ["Polsek Noemuti"], ["Sat Binmas"]))
    assert arahan.get(engine, own, INSANA)["id"] == own
    for hidden in (other, unit):
        with pytest.raises(auth.AuthError, match="bukan arahan Polsek Insana"):
            arahan.get(engine, hidden, INSANA)
        with pytest.raises(auth.AuthError):
            arahan.notes(engine, hidden, INSANA)
    assert set(arahan.list_frame(engine, INSANA)["id"]) == {own, everyone}
    assert set(arahan.follow_up(engine, "2024-10", None, by=INSANA, view="semua")["id"]) == {own, everyone}
    assert set(arahan.follow_up(engine, "2024-10", None, by=PIMPINAN, view="semua")["id"]) == {own, everyone, other, unit}
    note = arahan.add_note(engine, other, "2024-10", "Foto kegiatan", NOEMUTI, evidence=("foto.png", PNG))
    bukti = int(arahan.notes(engine, other)["bukti_id"].iloc[0])
    assert note and arahan.evidence(engine, bukti, NOEMUTI)[1] == PNG
    with pytest.raises(auth.AuthError):
        arahan.evidence(engine, bukti, INSANA)


def test_a_measured_status_is_not_set_by_hand(engine):
    measured = _add(engine)
    with pytest.raises(arahan.ArahanError, match="dihitung dari rekap"):
        arahan.add_note(engine, measured, "2024-10", "Sudah tercapai menurut Polsek", PIMPINAN, status="tercapai")
    with pytest.raises(arahan.ArahanError, match="Status yang dapat ditetapkan"):
        arahan.add_note(engine, _add(engine, ukuran=None, target=None), "2024-10", "terlambat", PIMPINAN, status="terlambat")


def test_every_change_is_kept_with_before_and_after(engine):
    new_id = _add(engine)
    arahan.update(engine, new_id, PIMPINAN, tenggat="2024-12", pemilik=["Polsek Insana", "Polsek Noemuti"])
    arahan.add_note(engine, new_id, "2024-10", "Jadwal ronda ditempel di kantor desa", INSANA, evidence=("jadwal.pdf", PDF))
    arahan.close(engine, new_id, "2024-12", "digantikan arahan baru", ADMIN)
    arahan.reopen(engine, new_id, PIMPINAN)
    log = arahan.history(engine, new_id)
    assert list(log["aksi"]) == ["tambah", "ubah", "catatan", "tutup", "buka"]
    change = json.loads(log["rincian"].iloc[1])
    assert change["tenggat"] == ["2024-11", "2024-12"]
    assert change["pemilik"] == [["Polsek Insana"], ["Polsek Insana", "Polsek Noemuti"]]
    assert "jadwal.pdf" in json.loads(log["rincian"].iloc[2])["bukti"]
    assert list(log["pengguna"]) == ["operator", "kapolres", "clerk-insana", "operator", "kapolres"]
    audited = auth.audit_log(engine)
    assert {"arahan.tambah", "arahan.ubah", "arahan.catatan", "arahan.tutup", "arahan.buka"} <= set(audited["aksi"])
    assert arahan.get(engine, new_id)["ditutup_bulan"] is None


@pytest.mark.parametrize(("changes", "message"), [
    ({"tenggat": "2024-08"}, "tidak boleh sebelum"),
    ({"pemilik": ["Polsek Atlantis"]}, "Pelaksana tidak dikenal"),
    ({"pemilik": []}, "paling sedikit satu pelaksana"),
    ({"ukuran": "jumlah_bintang"}, "tidak dikenal"),
    ({"target": 120.0}, "0\u2013100"),
    ({"target": None}, "Isi angka target"),
    ({"teks": "ok"}, "paling sedikit 5"),
    ({"bulan_diberikan": "2026-12", "tenggat": "2027-01"}, "belum tiba"),
])
def test_bad_input_is_refused_with_a_sentence(engine, changes, message):
    with pytest.raises(arahan.ArahanError, match=message):
        _add(engine, **changes)


def test_owners_are_normalised(engine):
    new_id = _add(engine, pemilik=["insana", "SAT BINMAS", "Semua Polsek", "Polsek Noemuti"])
    assert sorted(arahan.get(engine, new_id)["pemilik"]) == ["Sat Binmas", "Semua Polsek"]


# --------------------------------------------------------------------------- evidence


@pytest.mark.parametrize(("content", "kind"), [(PNG, "png"), (JPEG, "jpeg"), (PDF, "pdf")])
def test_evidence_kinds_by_signature(content, kind):
    assert arahan.check_evidence(content) == kind


@pytest.mark.parametrize(("content", "message"), [
    (b"", "kosong"),
    (b"PK\x03\x04 a zip named foto.jpg", "bukan salah satunya"),
    (b"GIF89a......", "bukan salah satunya"),
    (b"<html><script>alert(1)</script></html>", "bukan salah satunya"),
])
def test_evidence_refused_when_not_png_jpeg_or_pdf(content, message):
    with pytest.raises(arahan.ArahanError, match=message):
        arahan.check_evidence(content)


def test_evidence_too_big_is_refused_and_nothing_is_stored(engine, monkeypatch):
    new_id = _add(engine)
    settings = dict(reference.settings())
    monkeypatch.setattr(reference, "settings", lambda: {**settings, "arahan": {"bukti_maks_mb": 0.001}})  # about 1 KB
    with pytest.raises(arahan.ArahanError, match="terlalu besar"):
        arahan.add_note(engine, new_id, "2024-10", "Foto terlalu besar", INSANA, evidence=("besar.jpg", JPEG + b"\x00" * 2000))
    assert arahan.notes(engine, new_id).empty
    arahan.add_note(engine, new_id, "2024-10", "Foto kecil", INSANA, evidence=("kecil.jpg", JPEG))
    stored = arahan.notes(engine, new_id).iloc[0]
    assert stored["jenis"] == "jpeg" and stored["nama_berkas"] == "kecil.jpg" and stored["ukuran"] == len(JPEG)
    name, content, mime = arahan.evidence(engine, int(stored["bukti_id"]), ADMIN)
    assert (name, content, mime) == ("kecil.jpg", JPEG, "image/jpeg")


def test_evidence_name_keeps_only_the_file_name(engine):
    new_id = _add(engine)
    arahan.add_note(engine, new_id, "2024-10", "Berita acara", ADMIN, evidence=("C:\\Users\\op\\..\\berita\x00acara.pdf", PDF))
    assert arahan.notes(engine, new_id)["nama_berkas"].iloc[0] == "berita acara.pdf"


# --------------------------------------------------------------------------- follow-up from stored recaps


def _with_active_share(share: float):
    """A template edit: `pos_kamling_aktif` = share x `pos_kamling` on every Kegiatan row."""
    def edit(wb):
        ws = wb["Kegiatan"]
        headers = {ws.cell(row=HEADER_ROW, column=c).value: c for c in range(1, ws.max_column + 1)}
        total, active = headers[reference.indicator("kegiatan", "pos_kamling").header], \
            headers[reference.indicator("kegiatan", "pos_kamling_aktif").header]
        for r in range(HEADER_ROW + 1, ws.max_row + 1):
            if ws.cell(row=r, column=total).value is not None:
                ws.cell(row=r, column=active, value=int(ws.cell(row=r, column=total).value * share))
    return edit


@pytest.fixture
def two_months(engine):
    """Polsek Insana with few active pos kamling in September and all of them in October; Noemuti September only."""
    for polsek, bulan, share in (("Polsek Insana", "2024-09", 0.4), ("Polsek Insana", "2024-10", 1.0), ("Polsek Noemuti", "2024-09", 0.5)):
        _, version = pipeline.import_file(engine, filled_template(polsek, bulan, edit=_with_active_share(share)), "r.xlsx", "x", today=TODAY)
        assert version == 1
    return engine


def _ratio(engine, polsek: str, bulan: str) -> float:
    rows = store.rows(engine, "kegiatan", bulan)
    rows = rows[rows["polsek"] == polsek]
    return rows["pos_kamling_aktif"].sum() / rows["pos_kamling"].sum() * 100


def test_follow_up_measures_the_owner_polsek_from_stored_recaps(two_months):
    engine = two_months
    insana = _add(engine)
    everyone = _add(engine, pemilik=[arahan.SEMUA], teks="Pos kamling aktif di seluruh Polres", tenggat="2024-09")
    manual = _add(engine, pemilik=["Sat Binmas"], ukuran=None, target=None, teks="Evaluasi setiap Bhabinkamtibmas setiap bulan")
    arahan.add_note(engine, manual, "2024-10", "Anev Oktober dilaksanakan", PIMPINAN, status="bergerak")

    september = arahan.follow_up(engine, "2024-09", view="semua").set_index("id")
    assert september.loc[insana, "status"] == "baru"
    rows = arahan.follow_up(engine, "2024-10").set_index("id")
    assert set(rows.index) == {insana, everyone, manual}
    assert rows.loc[insana, "status"] == "tercapai"
    assert rows.loc[insana, "angka_awal"] == pytest.approx(_ratio(engine, "Polsek Insana", "2024-09"))
    assert rows.loc[insana, "angka_sekarang"] == pytest.approx(100.0)
    assert rows.loc[insana, "angka_awal_teks"] == f"{_ratio(engine, 'Polsek Insana', '2024-09'):.0f}%"
    assert rows.loc[insana, "target_teks"] == "Pos kamling aktif \u2265 80%"
    # all Polsek, due September: Polres-wide September figure (both Polsek) missed the target; October's (only Insana
    # reported) meets it, after the due month
    both = store.rows(engine, "kegiatan", "2024-09")
    assert rows.loc[everyone, "angka_awal"] == pytest.approx(both["pos_kamling_aktif"].sum() / both["pos_kamling"].sum() * 100)
    assert rows.loc[everyone, "status"] == "tercapai" and "setelah tenggat" in rows.loc[everyone, "penjelasan"]
    assert rows.loc[manual, "status"] == "bergerak" and rows.loc[manual, "catatan_terakhir"] == "Anev Oktober dilaksanakan"
    assert list(rows["status"]) == sorted(rows["status"], key=arahan.STATUSES.index)  # most urgent first

    # the Polsek filter measures an arahan of all Polsek on that Polsek's desa only
    noemuti = arahan.follow_up(engine, "2024-10", "Polsek Noemuti").set_index("id")
    assert set(noemuti.index) == {everyone}
    assert noemuti.loc[everyone, "angka_awal"] == pytest.approx(_ratio(engine, "Polsek Noemuti", "2024-09"))
    # reported tercapai in October: not on November's meeting list, still on the screen's list
    assert insana not in set(arahan.follow_up(engine, "2024-11")["id"])
    assert insana in set(arahan.follow_up(engine, "2024-11", view="semua")["id"])


def test_closed_arahan_leave_the_meeting_list(two_months):
    engine = two_months
    new_id = _add(engine, tenggat="2024-12")
    arahan.close(engine, new_id, "2024-10", "digantikan arahan Polsek", PIMPINAN)
    assert new_id not in set(arahan.follow_up(engine, "2024-10")["id"])
    closed = arahan.follow_up(engine, "2024-10", view="semua").set_index("id")
    assert closed.loc[new_id, "status"] == "ditutup" and "digantikan" in closed.loc[new_id, "penjelasan"]


def test_follow_up_can_read_verified_recaps_only(two_months):
    engine = two_months
    new_id = _add(engine)
    assert arahan.follow_up(engine, "2024-10", verified_only=True).set_index("id").loc[new_id, "status"] == "belum dinilai"
    verifikasi.verify(engine, "Polsek Insana", "2024-09", PIMPINAN)
    verifikasi.verify(engine, "Polsek Insana", "2024-10", PIMPINAN)
    assert arahan.follow_up(engine, "2024-10", verified_only=True).set_index("id").loc[new_id, "status"] == "tercapai"


def test_findings_name_overdue_and_not_moving_arahan(two_months):
    engine = two_months
    overdue = _add(engine, pemilik=["Polsek Insana"], ukuran="cakupan_fkpm", target=100.0, tenggat="2024-09",
                   teks="Bangun kembali FKPM di semua desa")
    stuck = _add(engine, pemilik=["Polsek Insana"], ukuran="deteksi_dini", target=10_000.0, tenggat="2024-12",
                 teks="Tingkatkan laporan deteksi dini")
    rows = arahan.follow_up(engine, "2024-10").set_index("id")
    assert rows.loc[overdue, "status"] == "terlambat"
    assert rows.loc[stuck, "status"] == "tidak bergerak"
    notes = arahan.findings(engine, "2024-10")
    by_level = {n.tingkat: n.teks for n in notes}
    assert "Bangun kembali FKPM" in by_level["tinggi"] and "terlambat" in by_level["tinggi"]
    assert "Tingkatkan laporan deteksi dini" in by_level["sedang"] and "belum bergerak" in by_level["sedang"]
    assert all(n.jenis == "arahan" for n in notes)


def test_filters_of_the_screen(two_months):
    engine = two_months
    insana = _add(engine)
    everyone = _add(engine, pemilik=[arahan.SEMUA], tenggat="2024-09", ukuran="cakupan_fkpm", target=100.0)
    unit = _add(engine, pemilik=["Sat Binmas"], ukuran=None, target=None, bulan_diberikan="2024-10", tenggat="2024-12")
    rows = arahan.follow_up(engine, "2024-10", view="semua")
    assert set(arahan.filter_rows(rows, pemilik="Polsek Insana")["id"]) == {insana, everyone}
    assert set(arahan.filter_rows(rows, pemilik="Sat Binmas")["id"]) == {unit}
    assert set(arahan.filter_rows(rows, status="terlambat")["id"]) == {everyone}
    assert set(arahan.filter_rows(rows, bulan_diberikan="2024-10")["id"]) == {unit}
    shown = arahan.display_frame(rows)
    assert list(shown.columns) == ["Arahan", "Pelaksana", "Anev", "Tenggat", "Target", "Status", "Saat diberikan", "Sekarang", "Keterangan"]


def test_json_of_the_arahan(two_months):
    engine = two_months
    insana = _add(engine)
    manual = _add(engine, pemilik=["Sat Binmas"], ukuran=None, target=None)
    arahan.add_note(engine, manual, "2024-10", "Anev Oktober dilaksanakan", PIMPINAN, status="bergerak")
    items = {i["id"]: i for i in arahan.to_json(engine, "2024-10")}
    keys = {"id", "teks", "bulan_diberikan", "pemilik", "tenggat", "target", "status", "penjelasan", "angka_awal", "angka_sekarang",
            "catatan_terakhir", "contoh"}
    assert all(set(i) == keys for i in items.values())
    measured = items[insana]
    assert measured["target"] == {"ukuran": "pos_kamling_rasio", "label": "Pos kamling aktif", "arah": ">=", "nilai": 80.0, "satuan": "%"}
    assert measured["angka_awal"] == {"bulan": "2024-09", "nilai": round(_ratio(engine, "Polsek Insana", "2024-09"), 2)}
    assert measured["angka_sekarang"] == {"bulan": "2024-10", "nilai": 100.0} and measured["status"] == "tercapai"
    assert items[manual]["target"] is None and items[manual]["angka_awal"] is None
    assert items[manual]["catatan_terakhir"] == {"bulan": "2024-10", "teks": "Anev Oktober dilaksanakan", "oleh": "kapolres"}
    text = arahan.json_into('{\n  "bulan": "2024-10"\n}', engine, "2024-10")
    assert json.loads(text) == {"bulan": "2024-10", "arahan": json.loads(json.dumps(list(items.values()), ensure_ascii=False))}


def test_prefill_from_a_catatan_untuk_anev_finding():
    late = analysis.Finding("laporan", "tinggi", "Belum mengirim rekap Oktober 2024: Polsek Insana Utara, Polsek Noemuti.")
    filled = arahan.prefill_from_finding(late)
    assert filled["pemilik"] == ["Polsek Insana Utara", "Polsek Noemuti"] and filled["ukuran"] is None
    assert "tanggal 5" in filled["teks"] and filled["sumber"].endswith(late.teks)
    stalled = analysis.Finding("instruksi", "sedang", "Instruksi \u201cAktifkan kembali pos kamling (Kam Swakarsa)\u201d belum bergerak: "
                                                      "pos kamling aktif 40% \u2192 41% sejak Juli 2024.")
    filled = arahan.prefill_from_finding(stalled, "Polsek Insana")
    assert filled["pemilik"] == ["Polsek Insana"] and filled["ukuran"] == "pos_kamling_rasio" and late.teks not in filled["teks"]
    assert arahan.prefill_from_finding(analysis.Finding("penurunan", "sedang", "Sambang/DDS turun 20%"))["pemilik"] == [arahan.SEMUA]


# --------------------------------------------------------------------------- demo


def test_demo_seeds_the_seed_meeting_with_follow_up_and_removes_it(engine):
    real = _add(engine, pemilik=["Polsek Noemuti"], bulan_diberikan="2024-08", tenggat="2024-12", ukuran=None, target=None)
    demo.generate(engine, dari="2024-09", sampai="2024-10", seed=3, today=dt.date(2024, 11, 20))
    records = arahan.list_frame(engine)
    seeded = records[records["contoh"].astype(bool)]
    assert len(seeded) == len(arahan.SEED_MEETING) + 2
    first = seeded[seeded["bulan_diberikan"] == "2024-09"]
    assert len(first) == len(arahan.SEED_MEETING)
    assert any("pemetaan wilayah rawan" in t for t in first["teks"]) and any("FKPM" in t for t in first["teks"])
    follow = arahan.follow_up(engine, "2024-10").set_index("id")
    measured = follow[follow["terukur"] & follow["contoh"]]
    assert len(measured) >= 6 and measured["angka_awal"].notna().all() and measured["angka_sekarang"].notna().all()
    assert (measured["bulan_awal"] == "2024-09").all() and (measured["bulan_sekarang"] == "2024-10").all()
    assert set(follow["status"]) - {"belum dinilai"}, "statuses are computed, not all unknown"
    assert follow["catatan_terakhir"].notna().sum() >= 3
    assert arahan.given_at(engine, "2024-10")["contoh"].all() and len(arahan.given_at(engine, "2024-10")) == 2
    assert verifikasi.status(engine, ["2024-09"])["terverifikasi"].sum() >= 5
    # running the demo again replaces its arahan and may re-upload its verified months
    demo.generate(engine, dari="2024-09", sampai="2024-10", seed=3, today=dt.date(2024, 11, 20))
    assert int(arahan.list_frame(engine)["contoh"].astype(bool).sum()) == len(arahan.SEED_MEETING) + 2

    store.delete_demo(engine)
    left = arahan.list_frame(engine)
    assert list(left["id"]) == [real]
    assert verifikasi.log(engine).empty
    with engine.connect() as conn:
        for table in (arahan.arahan_catatan, arahan.arahan_riwayat, arahan.arahan_pemilik):
            orphans = conn.execute(sa.select(sa.func.count()).select_from(table).where(table.c.arahan_id != real)).scalar()
            assert orphans == 0


def test_demo_outside_the_seed_month_gives_the_arahan_at_the_second_to_last_month(engine):
    demo.generate(engine, dari="2025-02", sampai="2025-03", seed=3, today=dt.date(2025, 4, 20))
    given = set(arahan.list_frame(engine)["bulan_diberikan"])
    assert given == {"2025-02", "2025-03"}
