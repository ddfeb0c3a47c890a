"""Rules over a whole file and what reaches the database (spec section 5): a file for another Polsek is one
message, a desa missing from Kerawanan is a warning and unknown (never 0s), a count beyond its maximum stores
nothing on SQLite or PostgreSQL, and the error count does not count the line saying checking stopped.
"""

from __future__ import annotations

import json

import openpyxl
import pytest
import sqlalchemy as sa
from conftest import TODAY

import tests.hostile as hostile
from core import cli, pipeline, reference, store
from core.ingest import MAX_ERRORS, read_recap
from tests.unit.test_ingest import BIG, BULAN, SMALL, _base, edited, excel_row, index_of, only, read, set_value

# --------------------------------------------------------------------------- a file for another Polsek


def test_template_of_another_polsek_picked_on_upload_is_one_message() -> None:
    """Issue: Polsek Insana's file uploaded as Polsek Insana Utara gave 42 row errors."""
    result = read(_base(BIG), polsek=SMALL)
    error = only(result.errors)
    assert (error.column, error.value) == ("Polsek", BIG)
    assert error.message.startswith(f"Berkas ini untuk {BIG}, bukan {SMALL}: 42 desa di dalamnya termasuk wilayah {BIG} (")
    assert f"pilih {BIG} saat mengunggah" in error.message and f"unggah rekap {SMALL}" in error.message
    assert result.warnings == []


def test_file_titled_for_one_polsek_holding_anothers_desa_is_one_message() -> None:
    """The `_meta` and titles say Insana Utara, the rows are Insana's (a neighbour's file copied into the template)."""
    def relabel(wb: openpyxl.Workbook) -> None:
        meta = wb["_meta"]
        for row in meta.iter_rows():
            if row[0].value == "polsek":
                row[1].value = SMALL
        for title in ("Kegiatan", "Kerawanan"):
            wb[title]["A1"].value = f"REKAP {SMALL.upper()}"

    result = read(edited(relabel, BIG))
    assert result.polsek == SMALL
    error = only(result.errors)
    assert error.message.startswith(f"Berkas ini untuk {BIG}, bukan {SMALL}")


def test_a_stray_desa_of_another_polsek_stays_a_row_error() -> None:
    result = read(edited(set_value("kegiatan", "desa", 3, "Sa'tab"), BIG))
    error = only(result.errors)
    assert error.row == excel_row(3) and "termasuk wilayah Polsek Miomaffo Barat, bukan Polsek Insana" in error.message


# --------------------------------------------------------------------------- a desa missing from Kerawanan


def _without_kerawanan_row(nama: str, polsek: str = BIG):
    def edit(wb: openpyxl.Workbook) -> None:
        wb["Kerawanan"].delete_rows(excel_row(index_of(polsek, nama)))

    return edit


def test_desa_missing_from_kerawanan_is_a_warning_like_kegiatan() -> None:
    result = read(edited(_without_kerawanan_row("Susulaku B")))
    assert result.status == "ok"
    warning = only(result.warnings)
    assert (warning.sheet, warning.row, warning.column, warning.value) == ("Kerawanan", None, "Desa/Kelurahan", "Susulaku B")
    assert warning.message == "Desa Susulaku B tidak ada di lembar Kerawanan. Tambahkan barisnya; tanpa baris itu kerawanan desa ini belum dinilai."
    assert len(result.kerawanan) == 41 and len(result.kegiatan) == 42


def test_prefilled_kerawanan_row_left_empty_is_missing_too() -> None:
    """The template lists every desa: a row nobody filled in is not reported, never a row of zeros."""
    index = index_of(BIG, "Susulaku B")

    def empty(wb: openpyxl.Workbook) -> None:
        for item in reference.sheet_indicators("kerawanan"):
            if item.key not in ("desa", "kecamatan"):
                set_value("kerawanan", item.key, index, None)(wb)

    result = read(edited(empty))
    assert only(result.warnings).value == "Susulaku B"
    kode = str(reference.desa().set_index("nama").loc["Susulaku B", "kode"])
    assert kode not in set(result.kerawanan["desa_kode"])


def test_desa_missing_from_kerawanan_is_stored_as_unknown(engine, monkeypatch, capsys) -> None:
    content = edited(_without_kerawanan_row("Susulaku B"))
    result, version = pipeline.import_file(engine, content, "Rekap_Insana_2024-09.xlsx", "operator", today=TODAY)
    assert (result.status, version) == ("ok", 1)
    kode = str(reference.desa().set_index("nama").loc["Susulaku B", "kode"])
    stored = store.rows(engine, "kerawanan", BULAN)
    assert kode not in set(stored["desa_kode"]) and len(stored) == 41  # no row, so no 0s
    monkeypatch.setattr(store, "get_engine", lambda *args, **kwargs: engine)
    assert cli.main(["rekap", "--bulan", BULAN, "--json"]) == 0
    desa = {d["kode"]: d for d in json.loads(capsys.readouterr().out)["desa"]}
    assert desa[kode]["tps"] is None and desa[kode]["skor_kerawanan"] is None
    assert desa[kode]["sambang_dds"] is not None  # its Kegiatan row is there


# --------------------------------------------------------------------------- nothing beyond a maximum reaches the database


@pytest.mark.parametrize("written", [1e20, 5e18, 2**31, "081234567890"])
def test_a_count_beyond_its_maximum_stores_nothing(engine, written: object) -> None:
    """Hostile-input issue: these passed dry-run, then saving crashed (OverflowError, integer out of range) or wrapped sums."""
    content = edited(set_value("kegiatan", "sambang_dds", 0, written), SMALL)
    result, version = pipeline.import_file(engine, content, "Rekap_Insana_Utara_2024-09.xlsx", "operator", today=TODAY)
    assert (result.status, version) == ("invalid", None)
    assert "melebihi batas wajar 600 per desa per bulan" in only(result.errors).message
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(store.unggahan)).scalar() == 0


def test_the_maximum_itself_is_stored_and_summed(engine) -> None:
    maks = {key: reference.indicator("kegiatan", key).maks for key in reference.count_keys("kegiatan")}

    def at_max(wb: openpyxl.Workbook) -> None:
        for index in range(len(reference.desa_of(SMALL))):
            for key, value in maks.items():
                set_value("kegiatan", key, index, value)(wb)

    result, version = pipeline.import_file(engine, edited(at_max, SMALL), "Rekap_Insana_Utara_2024-09.xlsx", "operator", today=TODAY)
    assert (result.status, version) == ("ok", 1), result.errors
    stored = store.rows(engine, "kegiatan", BULAN)
    assert int(stored["peserta_sosialisasi"].sum()) == 5 * maks["peserta_sosialisasi"]


# --------------------------------------------------------------------------- the error count


def test_the_line_saying_checking_stopped_is_not_counted_as_an_error() -> None:
    result = read_recap(hostile.duplicated_rows(MAX_ERRORS + 50), "Rekap_Insana_Utara_2024-09.xlsx", today=TODAY)
    assert len(result.errors) == MAX_ERRORS + 1 and result.stopped_at is not None
    assert result.error_count == MAX_ERRORS
    assert result.errors_summary() == "sedikitnya 200 kesalahan"


def test_a_complete_count_says_how_many() -> None:
    result = read_recap(hostile.duplicated_rows(4), "Rekap_Insana_Utara_2024-09.xlsx", today=TODAY)
    assert (result.error_count, result.errors_summary()) == (3, "3 kesalahan")


def test_command_line_says_at_least_200_not_201(env_db_and_file, capsys) -> None:
    code = cli.main(["import", str(env_db_and_file), "--dry-run"])
    out = capsys.readouterr().out
    assert code == 1
    assert "sedikitnya 200 kesalahan, tidak ada yang disimpan" in out and "201" not in out.splitlines()[0]


@pytest.fixture
def env_db_and_file(db_url, monkeypatch, tmp_path):
    monkeypatch.setenv("ANEV_DB_URL", db_url)
    path = tmp_path / "Rekap_Insana_Utara_2024-09.xlsx"
    path.write_bytes(hostile.duplicated_rows(MAX_ERRORS + 50))
    return path
