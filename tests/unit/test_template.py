"""The Excel template a Polsek clerk downloads (spec section 2), and its round trip through the importer."""

from __future__ import annotations

import datetime as dt
import functools
import io

import openpyxl
import pandas as pd
import pytest
from openpyxl.utils import get_column_letter, range_boundaries

from core import reference
from core.ingest import read_recap
from core.template import HEADER_ROW, TEMPLATE_VERSION, build_template, safe_text, template_filename
from tests.workbooks import expected_rows, filled_template

TODAY = dt.date(2026, 11, 30)
POLSEK = "Polsek Insana Utara"
BULAN = "2024-09"


@functools.cache
def _template(polsek: str = POLSEK, bulan: str = BULAN) -> bytes:
    return build_template(polsek, bulan)


def load(polsek: str = POLSEK, bulan: str = BULAN) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(_template(polsek, bulan)))


def ordered_desa(polsek: str) -> pd.DataFrame:
    return reference.desa_of(polsek).sort_values(["kecamatan", "nama"]).reset_index(drop=True)


def column_of(sheet: str, key: str) -> str:
    """Column letter of a key: column A is the numbering column."""
    keys = [i.key for i in reference.sheet_indicators(sheet)]
    return get_column_letter(keys.index(key) + 2)


def covered(ranges: str) -> set[tuple[int, int]]:
    """Every (row, column) inside a space-separated list of ranges (`G5:G59 H5:H59`)."""
    cells = set()
    for part in str(ranges).split():
        min_col, min_row, max_col, max_row = range_boundaries(part)
        for row in range(min_row, max_row + 1):
            for col in range(min_col, max_col + 1):
                cells.add((row, col))
    return cells


def validations(ws) -> list:
    return list(ws.data_validations.dataValidation)


def data_cells(sheet: str, key: str, polsek: str = POLSEK) -> set[tuple[int, int]]:
    col = openpyxl.utils.column_index_from_string(column_of(sheet, key))
    n = len(reference.desa_of(polsek))
    return {(row, col) for row in range(HEADER_ROW + 1, HEADER_ROW + 1 + n)}


# --------------------------------------------------------------------------- sheets


def test_sheets_in_order_with_the_helpers_hidden() -> None:
    wb = load()
    assert wb.sheetnames == ["Petunjuk", "Kegiatan", "Kerawanan", "Daftar", "_meta"]
    states = {name: wb[name].sheet_state for name in wb.sheetnames}
    assert states == {"Petunjuk": "visible", "Kegiatan": "visible", "Kerawanan": "visible", "Daftar": "hidden", "_meta": "hidden"}
    assert wb.active.title == "Petunjuk"


def test_meta_sheet_names_polsek_month_and_version() -> None:
    ws = load()["_meta"]
    assert [[c.value for c in row] for row in ws.iter_rows()] == [
        ["polsek", POLSEK],
        ["bulan", BULAN],
        ["versi_template", TEMPLATE_VERSION],
    ]


def test_petunjuk_names_polsek_month_deadline_and_every_desa() -> None:
    ws = load()["Petunjuk"]
    texts = [c.value for c in ws["A"] if c.value]
    assert f"Polsek: {POLSEK}" in texts
    assert "Bulan: September 2024" in texts
    assert any("paling lambat tanggal 5 bulan berikutnya" in t for t in texts)
    listed = {(row[0].value, row[1].value, row[2].value) for row in ws.iter_rows() if row[2].value and str(row[2].value).startswith("53.")}
    desa = ordered_desa(POLSEK)
    assert listed == set(zip(desa["kecamatan"], desa["nama"], desa["kode"], strict=True))
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9  # A4


def test_daftar_sheet_holds_the_dropdown_lists() -> None:
    ws = load()["Daftar"]
    desa = [c.value for c in ws["A"][1:] if c.value]
    ranks = [c.value for c in ws["B"][1:] if c.value]
    assert desa == list(ordered_desa(POLSEK)["nama"])
    assert ranks == ["Bripda", "Briptu", "Brigpol", "Bripka", "Aipda", "Aiptu", "Ipda", "Iptu", "AKP"]


@pytest.mark.parametrize("sheet", reference.SHEETS)
def test_title_header_and_one_row_per_desa(sheet: str) -> None:
    ws = load()[reference.SHEET_TITLES[sheet]]
    width = len(reference.sheet_indicators(sheet)) + 1
    assert ws["A1"].value.endswith("POLSEK INSANA UTARA")
    assert ws["A2"].value == "BULAN : SEPTEMBER 2024"
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert merged == {f"A1:{get_column_letter(width)}1", f"A2:{get_column_letter(width)}2"}
    header = [ws.cell(row=HEADER_ROW, column=c).value for c in range(1, width + 1)]
    assert header == ["No"] + [i.header for i in reference.sheet_indicators(sheet)]
    desa = ordered_desa(POLSEK)
    body = [[ws.cell(row=HEADER_ROW + 1 + i, column=c).value for c in (1, 2, 3)] for i in range(len(desa))]
    assert body == [[i + 1, d.kecamatan, d.nama] for i, d in enumerate(desa.itertuples(index=False))]
    assert ws.cell(row=HEADER_ROW + 1 + len(desa), column=3).value is None


def test_border_flag_prefilled_from_reference_data() -> None:
    ws = load()["Kerawanan"]
    col = openpyxl.utils.column_index_from_string(column_of("kerawanan", "perbatasan"))
    values = {ws.cell(row=HEADER_ROW + 1 + i, column=3).value: ws.cell(row=HEADER_ROW + 1 + i, column=col).value for i in range(5)}
    assert values == {"Fatumtasa": "Tidak", "Humusu Oekolo": "Tidak", "Humusu Sainiup": "Tidak", "Humusu Wini": "Ya", "Oesoko": "Tidak"}


# --------------------------------------------------------------------------- dropdowns and validation


@pytest.mark.parametrize("sheet", reference.SHEETS)
def test_yes_no_dropdown_on_every_boolean_column(sheet: str) -> None:
    ws = load()[reference.SHEET_TITLES[sheet]]
    lists = [dv for dv in validations(ws) if dv.type == "list" and dv.formula1 == '"Ya,Tidak"']
    assert len(lists) == 1
    dv = lists[0]
    assert dv.showErrorMessage and dv.allow_blank
    for key in reference.bool_keys(sheet):
        assert data_cells(sheet, key) <= covered(dv.sqref), key


@pytest.mark.parametrize("sheet", reference.SHEETS)
def test_whole_number_validation_on_every_count_column(sheet: str) -> None:
    ws = load()[reference.SHEET_TITLES[sheet]]
    whole = [dv for dv in validations(ws) if dv.type == "whole"]
    assert len(whole) == 1
    dv = whole[0]
    assert (dv.operator, dv.formula1, dv.showErrorMessage) == ("greaterThanOrEqual", "0", True)
    assert "bilangan bulat" in dv.error
    cells = covered(dv.sqref)
    for key in reference.count_keys(sheet):
        assert data_cells(sheet, key) <= cells, key
        # 50 spare rows under the table are validated too
        col = openpyxl.utils.column_index_from_string(column_of(sheet, key))
        assert (HEADER_ROW + 5 + 50, col) in cells
    non_counts = [i.key for i in reference.sheet_indicators(sheet) if i.tipe != "angka"]
    for key in non_counts:
        assert not data_cells(sheet, key) & cells, key


def test_nrp_rank_and_desa_dropdowns() -> None:
    ws = load()["Kegiatan"]
    by_type = {}
    for dv in validations(ws):
        by_type.setdefault((dv.type, dv.formula1), dv)
    nrp = by_type[("textLength", "8")]
    assert nrp.operator == "equal"
    assert data_cells("kegiatan", "nrp") <= covered(nrp.sqref)
    rank = by_type[("list", "Daftar!$B$2:$B$10")]
    assert data_cells("kegiatan", "pangkat") <= covered(rank.sqref)
    desa = by_type[("list", "Daftar!$A$2:$A$6")]  # exactly the 5 desa of Polsek Insana Utara
    assert data_cells("kegiatan", "desa") <= covered(desa.sqref)


def test_desa_dropdown_of_the_biggest_polsek_covers_all_its_desa() -> None:
    n = len(reference.desa_of("Polsek Miomaffo Timur"))
    assert n == 49
    ws = load("Polsek Miomaffo Timur")["Kegiatan"]
    formulas = {dv.formula1 for dv in validations(ws) if dv.type == "list"}
    assert f"Daftar!$A$2:$A${n + 1}" in formulas


def test_nrp_and_count_cells_are_formatted() -> None:
    ws = load()["Kegiatan"]
    assert ws[f"{column_of('kegiatan', 'nrp')}5"].number_format == "@"
    assert ws[f"{column_of('kegiatan', 'sambang_dds')}5"].number_format == "0"


# --------------------------------------------------------------------------- layout, protection, print


@pytest.mark.parametrize("sheet", reference.SHEETS)
def test_frozen_and_protected_header(sheet: str) -> None:
    ws = load()[reference.SHEET_TITLES[sheet]]
    assert ws.freeze_panes == "D5"
    assert ws.protection.sheet is True
    width = len(reference.sheet_indicators(sheet)) + 1
    assert all(ws.cell(row=HEADER_ROW, column=c).protection.locked for c in range(1, width + 1))
    first = HEADER_ROW + 1
    for item in reference.sheet_indicators(sheet):
        cell = ws[f"{column_of(sheet, item.key)}{first}"]
        assert cell.protection.locked is (item.key in ("kecamatan", "desa")), item.key
    # rows under the table stay open for a desa the list lacks
    assert ws[f"C{first + 5}"].protection.locked is False
    assert ws.cell(row=HEADER_ROW, column=1).font.b is True


@pytest.mark.parametrize("sheet", reference.SHEETS)
def test_a4_landscape_one_page_wide_with_repeated_header(sheet: str) -> None:
    ws = load()[reference.SHEET_TITLES[sheet]]
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9  # A4
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert ws.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"


def test_column_widths() -> None:
    ws = load()["Kegiatan"]
    width = {key: ws.column_dimensions[column_of("kegiatan", key)].width for key in ("kecamatan", "desa", "nama_bhabin", "keterangan")}
    assert width == {"kecamatan": 18, "desa": 28, "nama_bhabin": 28, "keterangan": 28}
    assert ws.column_dimensions["A"].width == 5
    for key in reference.count_keys("kegiatan"):
        assert 10 <= ws.column_dimensions[column_of("kegiatan", key)].width <= 16, key
    kerawanan = load()["Kerawanan"]
    assert kerawanan.column_dimensions[column_of("kerawanan", "potensi_gangguan")].width == 40


# --------------------------------------------------------------------------- officers, safety, names


def test_officers_prefilled_and_kept_as_text() -> None:
    desa = ordered_desa(POLSEK)
    officers = pd.DataFrame(
        {
            "desa_kode": [desa["kode"][0], desa["kode"][1], desa["kode"][1]],
            "nama_bhabin": ["Yohanes Taek", "=HYPERLINK(\"http://x\")", "Maria Abi"],
            "pangkat": ["Bripka", "Aipda", "Aipda"],
            "nrp": ["08501000", "79050123", "79050124"],
        }
    )
    ws = openpyxl.load_workbook(io.BytesIO(build_template(POLSEK, BULAN, officers)))["Kegiatan"]
    row = [ws[f"{column_of('kegiatan', k)}5"].value for k in ("nama_bhabin", "pangkat", "nrp")]
    assert row == ["Yohanes Taek", "Bripka", "08501000"]
    second = ws[f"{column_of('kegiatan', 'nama_bhabin')}6"]
    assert second.data_type == "s"
    assert second.value == "Maria Abi"  # the latest assignment of a desa wins
    assert ws[f"{column_of('kegiatan', 'nama_bhabin')}7"].value is None


def test_officer_name_that_looks_like_a_formula_is_never_a_formula() -> None:
    desa = ordered_desa(POLSEK)
    officers = pd.DataFrame({"desa_kode": [desa["kode"][0]], "nama_bhabin": ["=1+1"], "pangkat": ["@SUM(A1)"], "nrp": ["85010000"]})
    ws = openpyxl.load_workbook(io.BytesIO(build_template(POLSEK, BULAN, officers)))["Kegiatan"]
    name = ws[f"{column_of('kegiatan', 'nama_bhabin')}5"]
    rank = ws[f"{column_of('kegiatan', 'pangkat')}5"]
    assert (name.value, name.data_type) == ("'=1+1", "s")
    assert (rank.value, rank.data_type) == ("'@SUM(A1)", "s")


@pytest.mark.parametrize(
    ("text", "safe"),
    [
        ("Yohanes Taek", "Yohanes Taek"),
        ("=HYPERLINK(\"http://x\",\"klik\")", "'=HYPERLINK(\"http://x\",\"klik\")"),
        ("+6281234", "'+6281234"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("  =1+1", "'=1+1"),
        ("Nama\x00 dengan\x07 kontrol", "Nama dengan kontrol"),
        (None, ""),
        (85010000, "85010000"),
    ],
)
def test_safe_text(text: object, safe: str) -> None:
    assert safe_text(text) == safe


def test_unknown_polsek_is_refused() -> None:
    with pytest.raises(ValueError, match="Polsek tidak dikenal"):
        build_template("Polsek Atambua", BULAN)


@pytest.mark.parametrize(
    ("polsek", "name"),
    [("Polsek Insana", "Rekap_Insana_2024-09.xlsx"), ("Polsek Insana Utara", "Rekap_Insana_Utara_2024-09.xlsx"),
     ("Polsek Kota Kefamenanu", "Rekap_Kota_Kefamenanu_2024-09.xlsx")],
)
def test_template_filename_is_read_back_by_the_importer(polsek: str, name: str) -> None:
    assert template_filename(polsek, BULAN) == name
    wb = openpyxl.load_workbook(io.BytesIO(filled_template(polsek, BULAN)))
    del wb["_meta"]
    del wb["Petunjuk"]
    for sheet in ("Kegiatan", "Kerawanan"):
        wb[sheet]["A1"], wb[sheet]["A2"] = "REKAP", None
    out = io.BytesIO()
    wb.save(out)
    result = read_recap(out.getvalue(), name, today=TODAY)
    assert (result.polsek, result.bulan) == (polsek, BULAN)


# --------------------------------------------------------------------------- round trip


def _records(frame: pd.DataFrame) -> list[dict]:
    frame = frame.drop(columns=["excel_row"]).sort_values("desa_kode").reset_index(drop=True).astype(object)
    return frame.where(frame.notna(), None).to_dict("records")


@pytest.mark.parametrize("polsek", reference.polsek_names())
def test_round_trip_template_filled_read(polsek: str) -> None:
    """Template -> filled by a clerk -> importer gives back exactly the values written, for every Polsek."""
    result = read_recap(filled_template(polsek, BULAN), template_filename(polsek, BULAN), today=TODAY)
    assert result.status == "ok", result.errors
    assert (result.polsek, result.bulan) == (polsek, BULAN)
    assert result.warnings == [] and result.notes == []
    for sheet in reference.SHEETS:
        want = expected_rows(polsek, sheet).sort_values("desa_kode").reset_index(drop=True).astype(object).to_dict("records")
        assert _records(getattr(result, sheet)) == want, sheet
        for key in reference.count_keys(sheet):
            assert int(getattr(result, sheet)[key].sum()) == sum(r[key] for r in want), key


def test_unfilled_template_is_refused_not_stored_as_zeros() -> None:
    """Prefilled desa rows nobody filled in are not a report of zeros: the clerk is told to fill the sheet."""
    result = read_recap(_template(), "kosong.xlsx", today=TODAY)
    assert result.status == "invalid"
    assert result.rows()["kegiatan"] == 0
    messages = [e.message for e in result.errors if e.sheet == "Kegiatan"]
    assert any("Lembar Kegiatan belum diisi" in m for m in messages)


def test_one_filled_row_reports_only_that_desa() -> None:
    """A template with one desa filled in stores that desa; the others are warned about as missing."""
    wb = openpyxl.load_workbook(io.BytesIO(_template()))
    wb["Kegiatan"].cell(row=HEADER_ROW + 1, column=7, value=12)
    out = io.BytesIO()
    wb.save(out)
    result = read_recap(out.getvalue(), "satu.xlsx", today=TODAY)
    assert result.rows()["kegiatan"] == 1
    assert int(result.kegiatan["sambang_dds"].sum()) == 12
    assert len([w for w in result.warnings if "tidak ada di lembar Kegiatan" in w.message]) == 4
