"""The border list a Sat Binmas admin corrects: stored, audited, admins only, and followed everywhere the flag is used."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest
import sqlalchemy as sa

from core import auth, metrics, reference, rujukan, store
from core.ingest import read_recap
from core.template import HEADER_ROW, build_template
from tests.workbooks import filled_template

POLSEK = "Polsek Insana Utara"
ADMIN = auth.User("admin-uji", "admin")


def _kode(nama: str) -> str:
    ref = reference.desa_default()
    return ref.loc[ref["nama"] == nama, "kode"].iloc[0]


@pytest.fixture
def configured(db_url: str, engine, monkeypatch: pytest.MonkeyPatch):
    """The test's database is the configured one (reference data reads the corrections from there)."""
    monkeypatch.setenv("ANEV_DB_URL", db_url)
    rujukan.forget()
    yield engine
    rujukan.forget()


def _flag(nama: str) -> bool:
    ref = reference.desa()
    return bool(ref.loc[ref["nama"] == nama, "perbatasan"].iloc[0])


def _template_flags(polsek: str) -> dict[str, str]:
    ws = openpyxl.load_workbook(io.BytesIO(build_template(polsek, "2024-09")))["Kerawanan"]
    headers = [c.value for c in ws[HEADER_ROW]]
    col = headers.index(reference.indicator("kerawanan", "perbatasan").header) + 1
    return {ws.cell(row=r, column=3).value: ws.cell(row=r, column=col).value for r in range(HEADER_ROW + 1, ws.max_row + 1)
            if ws.cell(row=r, column=3).value}


def test_default_is_the_reference_file(configured):
    assert rujukan.border_corrections(configured) == {}
    assert reference.desa()["perbatasan"].equals(reference.desa_default()["perbatasan"])
    assert int(reference.desa()["perbatasan"].sum()) == int((pd.read_csv(reference.config.data_dir() / "desa.csv",
                                                                          dtype=str)["perbatasan"] == "1").sum())


def test_admin_correction_is_followed_by_template_import_and_score(configured):
    assert _flag("Humusu Wini") and not _flag("Oesoko")
    changes = rujukan.save_border(configured, {_kode("Oesoko"): True, _kode("Humusu Wini"): False, _kode("Fatumtasa"): False},
                                  ADMIN)
    assert sorted(changes) == ["Humusu Wini (Kec. Insana Utara): perbatasan Ya \u2192 Tidak",
                               "Oesoko (Kec. Insana Utara): perbatasan Tidak \u2192 Ya"]
    assert _flag("Oesoko") and not _flag("Humusu Wini")  # reference.desa(), which everything reads
    assert rujukan.border_corrections(configured) == {_kode("Oesoko"): True, _kode("Humusu Wini"): False}
    # the template pre-fills the corrected flag
    flags = _template_flags(POLSEK)
    assert flags["Oesoko"] == "Ya" and flags["Humusu Wini"] == "Tidak" and flags["Fatumtasa"] == "Tidak"

    # the importer's default for an empty Perbatasan cell
    def empty_border(wb):
        ws = wb["Kerawanan"]
        headers = [c.value for c in ws[HEADER_ROW]]
        col = headers.index(reference.indicator("kerawanan", "perbatasan").header) + 1
        for r in range(HEADER_ROW + 1, ws.max_row + 1):
            ws.cell(row=r, column=col).value = None  # cell(value=None) would leave the value

    result = read_recap(filled_template(POLSEK, edit=empty_border), "rekap.xlsx", polsek=POLSEK, bulan="2024-09")
    assert result.status == "ok", result.errors
    border = dict(zip(result.kerawanan["desa_kode"], result.kerawanan["perbatasan"], strict=True))
    assert bool(border[_kode("Oesoko")]) and not bool(border[_kode("Humusu Wini")])
    # the Skor Kerawanan of a desa whose Kerawanan row leaves Perbatasan empty: 10 points for a border desa
    kegiatan = pd.DataFrame([{"desa_kode": k, "bulan": "2024-09", "polsek": POLSEK} for k in (_kode("Oesoko"), _kode("Humusu Wini"))])
    for key in reference.count_keys("kegiatan"):
        kegiatan[key] = 0
    kerawanan = kegiatan[["desa_kode", "bulan", "polsek"]].assign(
        **{i.key: 0 for i in reference.sheet_indicators("kerawanan") if i.tipe == "angka"},
        **{i.key: False for i in reference.sheet_indicators("kerawanan") if i.tipe == "ya_tidak" and i.key != "perbatasan"},
        perbatasan=None)
    month = metrics.desa_month(kegiatan, kerawanan).set_index("kode")
    assert month.loc[_kode("Oesoko"), "skor_kerawanan"] == 10 and month.loc[_kode("Humusu Wini"), "skor_kerawanan"] == 0


def test_corrections_are_audited_and_back_to_default_removes_them(configured):
    rujukan.save_border(configured, {_kode("Oesoko"): True}, ADMIN)
    log = auth.audit_log(configured, action="rujukan.perbatasan")
    assert len(log) == 1 and log.iloc[0]["pengguna"] == "admin-uji" and log.iloc[0]["hasil"] == "ok"
    assert "Oesoko" in log.iloc[0]["objek"] and log.iloc[0]["rincian"] == "Tidak -> Ya; bawaan Tidak"
    table = rujukan.border_table(configured).set_index("desa")
    assert table.loc["Oesoko", "perbatasan"] and not table.loc["Oesoko", "bawaan"] and table.loc["Oesoko", "oleh"] == "admin-uji"
    assert "Oecusse" in table.loc["Manamas", "sumber"] and table.loc["Manamas", "perbatasan"]
    # unchanged flags change nothing and write nothing
    assert rujukan.save_border(configured, {_kode("Oesoko"): True, _kode("Manamas"): True}, ADMIN) == []
    assert len(auth.audit_log(configured, action="rujukan.perbatasan")) == 1
    # back to the default: the stored correction goes, the change is audited
    assert rujukan.save_border(configured, {_kode("Oesoko"): False}, ADMIN) == [
        "Oesoko (Kec. Insana Utara): perbatasan Ya \u2192 Tidak (kembali ke bawaan)"]
    assert rujukan.border_corrections(configured) == {} and not _flag("Oesoko")
    assert len(auth.audit_log(configured, action="rujukan.perbatasan")) == 2


@pytest.mark.parametrize("user", [auth.User("pimpinan-uji", "pimpinan"), auth.User("insana-uji", "polsek", "Polsek Insana Utara")])
def test_only_an_admin_may_correct(configured, user):
    with pytest.raises(auth.AuthError, match="Hanya admin"):
        rujukan.save_border(configured, {_kode("Oesoko"): True}, user)
    assert rujukan.border_corrections(configured) == {} and not _flag("Oesoko")
    log = auth.audit_log(configured, action="rujukan.perbatasan")
    assert list(log["hasil"]) == ["ditolak"] and log.iloc[0]["pengguna"] == user.username


def test_unknown_desa_code_stores_nothing(configured):
    with pytest.raises(ValueError, match=r"Kode desa tidak dikenal: 99\.99\.99\.9999"):
        rujukan.save_border(configured, {_kode("Oesoko"): True, "99.99.99.9999": True}, ADMIN)
    assert rujukan.border_corrections(configured) == {}


def test_another_process_correction_is_read_again(configured, db_url):
    assert rujukan.current_corrections() == ()
    with store.writing(configured) as conn:  # as a second server would have stored it
        conn.execute(rujukan.perbatasan_desa.insert().values(kode=_kode("Oesoko"), perbatasan=True, diubah=rujukan._now(), oleh="lain"))
    rujukan.forget()  # instead of waiting REFRESH_SECONDS
    assert rujukan.current_corrections() == ((_kode("Oesoko"), True),) and _flag("Oesoko")
    with configured.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(rujukan.perbatasan_desa)).scalar() == 1


def test_no_database_yet_means_the_file(tmp_path, monkeypatch):
    missing = tmp_path / "belum-ada.db"
    monkeypatch.setenv("ANEV_DB_URL", f"sqlite:///{missing}")
    rujukan.forget()
    assert rujukan.current_corrections() == ()
    assert not missing.exists()  # reading the reference data does not create a database
