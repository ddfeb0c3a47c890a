"""Formula cells whose result the file does not hold, and NaN cells (`core.sheetbounds` finds them, `core.workbook`
marks them, `core.rows` refuses them): never read as 0 or blank (issue: files written by scripts read as empty).

What the reader alone sees is checked first in each case, so a test proves the importer's own finding.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
from collections.abc import Callable

import openpyxl
import pandas as pd
import pytest
import python_calamine
import xlsxwriter

from core import reference, sheetbounds
from core.cells import NoResult
from core.workbook import read_grids
from tests.unit.test_ingest import (
    SMALL,
    _biff_cell,
    _biff_record,
    _ods,
    _xls,
    assert_clean,
    col_index,
    data_rows,
    edited,
    excel_row,
    headers,
    only,
    read,
    read_small,
    set_value,
)

LAST = len(reference.desa_of(SMALL)) - 1
ROW = excel_row(LAST)  # 9


def _sheet_part(archive: zipfile.ZipFile, name: str) -> str:
    """The worksheet part of sheet `name`, found through workbook.xml and its relationships."""
    book = archive.read("xl/workbook.xml").decode()
    rel = re.search(rf'<sheet [^>]*name="{re.escape(name)}"[^>]*r:id="([^"]+)"', book).group(1)
    rels = archive.read("xl/_rels/workbook.xml.rels").decode()
    target = re.search(rf'<Relationship [^>]*Id="{rel}"[^>]*Target="([^"]+)"|<Relationship [^>]*Target="([^"]+)"[^>]*Id="{rel}"', rels)
    path = target.group(1) or target.group(2)
    return path.lstrip("/") if path.startswith("/") else f"xl/{path}"


def patched(content: bytes, sheet: str, change: Callable[[str], str], book: Callable[[str], str] | None = None) -> bytes:
    """The workbook with `change` applied to one sheet's XML (and `book` to workbook.xml)."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        part = _sheet_part(archive, sheet)
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as rebuilt:
            for info in archive.infolist():
                data = archive.read(info)
                if info.filename == part:
                    changed = change(data.decode())
                    assert changed != data.decode(), "the change found nothing to change"
                    data = changed.encode()
                elif info.filename == "xl/workbook.xml" and book:
                    data = book(data.decode()).encode()
                rebuilt.writestr(info, data)
    return out.getvalue()


def _cell_xml(ref: str, inner: str, attrs: str = "") -> Callable[[str], str]:
    """Replace cell `ref` (an existing `<c r="ref" ...>...</c>` or `<c r="ref" .../>`) by one with `inner`."""
    pattern = re.compile(rf'<c r="{ref}"[^>]*?(?:/>|>.*?</c>)', re.DOTALL)

    def change(xml: str) -> str:
        assert pattern.search(xml), f"cell {ref} not in the sheet"
        return pattern.sub(f'<c r="{ref}"{attrs}>{inner}</c>', xml, count=1)

    return change


def _calamine_value(content: bytes, sheet: str, row: int, col: int) -> object:
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))
    cells = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    return cells[row][col] if row < len(cells) and col < len(cells[row]) else None


def _ref(key: str, row: int = ROW) -> str:
    return sheetbounds.cell_name(row - 1, col_index("kegiatan", key))


# --------------------------------------------------------------------------- .xlsx


def test_formula_written_by_a_script_without_result_is_an_error_naming_the_cell() -> None:
    """openpyxl (and any writer that does not calculate) stores `<f>` with an empty `<v>`: the reader shows it empty."""
    content = edited(set_value("kegiatan", "binluh", LAST, "=G9+H9"), SMALL)
    assert _calamine_value(content, "Kegiatan", ROW - 1, col_index("kegiatan", "binluh")) in ("", None)  # what a reader alone sees
    result = read(content)
    error = only(result.errors)
    ref = _ref("binluh")
    assert (error.sheet, error.row, error.column, error.value) == ("Kegiatan", ROW, "Binluh (kali)", "=G9+H9")
    assert error.message == (f'Baris {ROW}, kolom "Binluh (kali)": sel {ref} berisi rumus tanpa hasil tersimpan (=G9+H9); '
                             "buka dan simpan ulang di Excel.")
    assert pd.isna(result.kegiatan.set_index("excel_row").loc[ROW, "binluh"])


@pytest.mark.parametrize("key", ["fkpm_aktif", "nama_bhabin", "nrp", "kecamatan", "keterangan"])
def test_formula_without_result_in_any_column_read_is_an_error(key: str) -> None:
    result = read(edited(set_value("kegiatan", key, LAST, "=Daftar!A2"), SMALL))
    error = only(result.errors)
    assert error.row == ROW and f"sel {_ref(key)} berisi rumus tanpa hasil tersimpan" in error.message


def test_formula_without_result_in_the_desa_column_is_an_error_not_an_empty_desa() -> None:
    result = read(edited(set_value("kegiatan", "desa", LAST, "=Daftar!A6"), SMALL))
    error = only(result.errors)
    assert (error.row, error.column) == (ROW, "Desa/Kelurahan")
    assert f"sel {_ref('desa')} berisi rumus tanpa hasil tersimpan (=Daftar!A6)" in error.message
    assert "nama desa kosong" not in error.message


def test_a_row_of_formulas_without_results_is_not_skipped_as_unfilled() -> None:
    """A desa row whose every value is a formula without result would otherwise pass as "not reported"."""
    def edit(wb: openpyxl.Workbook) -> None:
        ws = wb["Kegiatan"]
        for item in reference.sheet_indicators("kegiatan"):
            if item.key not in ("desa", "kecamatan"):
                ws.cell(row=ROW, column=col_index("kegiatan", item.key) + 1).value = "=1+1"

    result = read(edited(edit, SMALL))
    assert result.status == "invalid"
    assert {e.row for e in result.errors} == {ROW}
    assert len(result.errors) == len(reference.sheet_indicators("kegiatan")) - 2


def test_a_formula_without_result_beyond_the_last_value_still_counts() -> None:
    """The reader ends the sheet at its last value; a formula cell past it is added to the grid, not lost."""
    col = col_index("kegiatan", "desa")
    content = edited(lambda wb: setattr(wb["Kegiatan"].cell(row=ROW + 2, column=col + 1), "value", "=Daftar!A9"), SMALL)
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))
    assert len(book.get_sheet_by_name("Kegiatan").to_python()) == ROW  # the reader's sheet stops at the last data row
    grids = {g.name: g for g in read_grids(content)}
    assert grids["Kegiatan"].value(ROW + 1, col) == NoResult("Daftar!A9")
    error = only(read(content).errors)
    assert (error.row, error.column) == (ROW + 2, "Desa/Kelurahan") and "rumus tanpa hasil tersimpan" in error.message


def test_formula_in_the_totals_row_is_never_read() -> None:
    """The JUMLAH row under the table is skipped, formulas and all: no error for what is not read."""
    def edit(wb: openpyxl.Workbook) -> None:
        ws = wb["Kegiatan"]
        ws.cell(row=ROW + 1, column=col_index("kegiatan", "desa") + 1).value = "JUMLAH"
        for key in reference.count_keys("kegiatan"):
            letter = sheetbounds.column_name(col_index("kegiatan", key))
            ws.cell(row=ROW + 1, column=col_index("kegiatan", key) + 1).value = f"=SUM({letter}5:{letter}{ROW})"

    assert_clean(read(edited(edit, SMALL)))


def test_formula_with_a_stored_result_reads_its_result() -> None:
    """What Excel saves: `<f>` with `<v>` and no calculate-on-open flag. The result is what the author's formula gave."""
    content = edited(set_value("kegiatan", "binluh", LAST, "=G9+H9"), SMALL)
    content = patched(content, "Kegiatan", _cell_xml(_ref("binluh"), "<f>G9+H9</f><v>7</v>"),
                      book=lambda xml: xml.replace(' fullCalcOnLoad="1"', ""))
    result = read(content)
    assert result.errors == []
    assert result.kegiatan.set_index("excel_row").loc[ROW, "binluh"] == 7


def test_text_formula_with_an_empty_stored_result_is_blank_as_its_author_computed() -> None:
    """`=IF(...;"";...)` saved by Excel: `t="str"` and an empty `<v>` is a real result, an empty text."""
    content = edited(set_value("kegiatan", "keterangan", LAST, '=IF(G9>0,"","-")'), SMALL)
    content = patched(content, "Kegiatan", _cell_xml(_ref("keterangan"), '<f>IF(G9&gt;0,"","-")</f><v></v>', ' t="str"'),
                      book=lambda xml: xml.replace(' fullCalcOnLoad="1"', ""))
    result = read(content)
    assert result.errors == []
    assert pd.isna(result.kegiatan.set_index("excel_row").loc[ROW, "keterangan"])


def _xlsxwriter_recap(formula_result: object = None) -> bytes:
    """A recap written by XlsxWriter, as a script would: values, and one formula whose result it cannot know."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    for sheet in reference.SHEETS:
        ws = book.add_worksheet(reference.SHEET_TITLES[sheet])
        ws.write_row(0, 0, headers(sheet))
        for r, row in enumerate(data_rows(SMALL, sheet), start=1):
            ws.write_row(r, 0, row)
    ws = book.get_worksheet_by_name("Kegiatan")
    col = col_index("kegiatan", "binluh")
    if formula_result is None:
        ws.write_formula(5, col, "=G6+H6")  # XlsxWriter stores a 0 placeholder and asks Excel to calculate on open
    else:
        ws.write_formula(5, col, "=G6+H6", None, formula_result)
    book.close()
    return out.getvalue()


def test_xlsxwriter_placeholder_zero_is_no_zero() -> None:
    content = _xlsxwriter_recap()
    assert _calamine_value(content, "Kegiatan", 5, col_index("kegiatan", "binluh")) == 0  # the reader alone reads 0
    result = read_small(content)
    error = only(result.errors)
    assert (error.row, error.column, error.value) == (6, "Binluh (kali)", "=G6+H6")
    assert "berisi rumus tanpa hasil tersimpan" in error.message


def test_xlsxwriter_formula_with_a_given_result_reads_it() -> None:
    result = read_small(_xlsxwriter_recap(formula_result=9))
    assert result.errors == []
    assert result.kegiatan.set_index("excel_row").loc[6, "binluh"] == 9


def test_a_nan_cell_is_an_error_not_zero() -> None:
    content = edited(set_value("kegiatan", "binluh", LAST, 3), SMALL)
    content = patched(content, "Kegiatan", _cell_xml(_ref("binluh"), "<v>NaN</v>", ' t="n"'))
    value = _calamine_value(content, "Kegiatan", ROW - 1, col_index("kegiatan", "binluh"))
    assert isinstance(value, float) and value != value  # the reader gives a float NaN
    error = only(read(content).errors)
    assert error.row == ROW and "bukan angka yang sah" in error.message


def test_too_many_formulas_without_results_refuse_the_file() -> None:
    rows = [headers("kegiatan"), *data_rows(SMALL, "kegiatan")]
    out = io.BytesIO()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Kegiatan"
    for row in rows:
        ws.append(row)
    for r in range(20, 20 + sheetbounds.MAX_FORMULAS_WITHOUT_RESULT // 10 + 1):
        for c in range(30, 40):
            ws.cell(row=r, column=c).value = "=1"
    wb.save(out)
    result = read_small(out.getvalue())
    assert result.status == "unreadable"
    assert "lebih dari 5.000 sel rumus tanpa hasil tersimpan" in result.errors[0].message


# --------------------------------------------------------------------------- .ods and .xls


def test_ods_formula_without_value_is_an_error() -> None:
    content = _ods({"Kegiatan": [headers("kegiatan"), *data_rows(SMALL, "kegiatan")]})
    col = col_index("kegiatan", "binluh")
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        xml = archive.read("content.xml").decode()
        rows = xml.split("<table:table-row")
        cells = re.findall(r"<table:table-cell[^>]*?(?:/>|>.*?</table:table-cell>)", rows[6], re.DOTALL)
        rows[6] = rows[6].replace(cells[col], '<table:table-cell table:formula="of:=[.G6]+[.H6]"/>', 1)
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as rebuilt:
            for info in archive.infolist():
                data = "<table:table-row".join(rows).encode() if info.filename == "content.xml" else archive.read(info)
                rebuilt.writestr(info, data)
    content = out.getvalue()
    assert _calamine_value(content, "Kegiatan", 5, col) in ("", None)
    result = read_small(content, filename="rekap.ods")
    error = only(result.errors)
    assert (error.row, error.column) == (6, "Binluh (kali)")
    assert "sel " + sheetbounds.cell_name(5, col) + " berisi rumus tanpa hasil tersimpan (=[.G6]+[.H6])" in error.message


def _xls_formula(row: int, col: int, text_result: str | None) -> bytes:
    """A FORMULA record (`=5`) whose result is text: in a STRING record after it, or (None) missing."""
    tokens = b"\x1e\x05\x00"
    record = _biff_record(0x0006, struct.pack("<HHH", row, col, 15) + b"\x00" + b"\0" * 5 + b"\xff\xff"
                          + struct.pack("<HIH", 0, 0, len(tokens)) + tokens)
    if text_result is None:
        return record
    encoded = text_result.encode("utf-16-le")
    return record + _biff_record(0x0207, struct.pack("<HB", len(text_result), 1) + encoded)


@pytest.mark.parametrize(("text_result", "error"), [(None, True), ("Catatan", False)], ids=["no-string-record", "string-record"])
def test_xls_text_formula_without_its_stored_text_is_an_error(monkeypatch, text_result: str | None, error: bool) -> None:
    import tests.unit.test_ingest as helpers

    col = col_index("kegiatan", "keterangan")

    def cell(r: int, c: int, value: object) -> bytes:
        return _xls_formula(r, c, text_result) if value == "FORMULA" else _biff_cell(r, c, value)

    monkeypatch.setattr(helpers, "_biff_cell", cell)
    rows = [headers("kegiatan"), *data_rows(SMALL, "kegiatan")]
    rows[5][col] = "FORMULA"
    content = _xls([("Kegiatan", rows, [], False)])
    result = read_small(content, filename="rekap.xls")
    if error:
        found = only(result.errors)
        assert (found.row, found.column) == (6, "Keterangan")
        assert f"sel {sheetbounds.cell_name(5, col)} berisi rumus tanpa hasil tersimpan; buka" in found.message
    else:
        assert result.errors == []
        assert result.kegiatan.set_index("excel_row").loc[6, "keterangan"] == "Catatan"


def test_admit_lists_formulas_without_result_per_sheet() -> None:
    content = edited(both_cells(), SMALL)
    admitted = sheetbounds.admit(content, "xlsx", lambda infos: [i.name for i in infos])
    assert {name: [(b.row, b.col, b.formula) for b in blocks] for name, blocks in admitted.no_result.items()} == {
        "Kegiatan": [(ROW - 1, col_index("kegiatan", "binluh"), "1+1")],
        "Kerawanan": [(4, col_index("kerawanan", "tps"), "SUM(A1:A2)")],
    }


def both_cells() -> Callable[[openpyxl.Workbook], None]:
    def edit(wb: openpyxl.Workbook) -> None:
        wb["Kegiatan"].cell(row=ROW, column=col_index("kegiatan", "binluh") + 1).value = "=1+1"
        wb["Kerawanan"].cell(row=5, column=col_index("kerawanan", "tps") + 1).value = "=SUM(A1:A2)"

    return edit
