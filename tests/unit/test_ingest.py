"""The importer against messy workbooks generated on the fly (spec sections 3-5).

Every workbook here is built by the test itself: from the project's template (`filled_template`)
or cell by cell as a clerk retyping it would. No binary fixture is committed.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import struct
import tracemalloc
import zipfile
from collections.abc import Callable

import openpyxl
import pandas as pd
import pytest

from core import reference
from core.cells import ValueProblem, parse_bool, parse_count, parse_nrp
from core.desa_match import DesaResolver
from core.ingest import read_recap
from core.issues import History, ImportResult
from core.template import HEADER_ROW
from tests.workbooks import expected_rows, fill_value, filled_template

TODAY = dt.date(2026, 11, 30)
SMALL = "Polsek Insana Utara"  # 5 desa: fast hand-made files
BIG = "Polsek Insana"  # 42 desa, with the Manunain A/B and Susulaku/Susulaku B pairs
BULAN = "2024-09"


# --------------------------------------------------------------------------- helpers


def read(content: bytes, filename: str = "rekap.xlsx", **kwargs) -> ImportResult:
    kwargs.setdefault("today", TODAY)
    return read_recap(content, filename, **kwargs)


def read_small(content: bytes, **kwargs) -> ImportResult:
    """A hand-made file of the small Polsek, with Polsek and month given as on the upload screen."""
    kwargs.setdefault("polsek", SMALL)
    kwargs.setdefault("bulan", BULAN)
    return read(content, **kwargs)


def ordered_desa(polsek: str) -> pd.DataFrame:
    return reference.desa_of(polsek).sort_values(["kecamatan", "nama"]).reset_index(drop=True)


def headers(sheet: str) -> list[str]:
    """The template's header row (with the numbering column)."""
    return ["No"] + [i.header for i in reference.sheet_indicators(sheet)]


def keys(sheet: str) -> list[str | None]:
    """The key of each column of `headers(sheet)`; None for the numbering column."""
    return [None] + [i.key for i in reference.sheet_indicators(sheet)]


def data_rows(polsek: str, sheet: str, names: list[str] | None = None) -> list[list[object]]:
    """One row per desa as the filled template holds it (values from `fill_value`)."""
    rows = []
    for i, desa in enumerate(ordered_desa(polsek).itertuples(index=False)):
        row: list[object] = [i + 1]
        for item in reference.sheet_indicators(sheet):
            if item.key == "kecamatan":
                row.append(desa.kecamatan)
            elif item.key == "desa":
                row.append(names[i] if names else desa.nama)
            else:
                row.append(fill_value(item.key, i))
        rows.append(row)
    return rows


def records(frame: pd.DataFrame) -> list[dict]:
    """Imported rows as plain Python values, by desa code, without the Excel row number."""
    frame = frame.drop(columns=["excel_row"]).sort_values("desa_kode").reset_index(drop=True)
    frame = frame.astype(object)
    return frame.where(frame.notna(), None).to_dict("records")


def expected(polsek: str, sheet: str) -> list[dict]:
    frame = expected_rows(polsek, sheet).sort_values("desa_kode").reset_index(drop=True).astype(object)
    return frame.to_dict("records")


def expected_sum(polsek: str, sheet: str, key: str) -> int:
    return int(sum(r[key] for r in expected(polsek, sheet)))


def col_index(sheet: str, key: str) -> int:
    """0-based column of a key in the template layout."""
    return keys(sheet).index(key)


def workbook(sheets: dict[str, tuple[list[list[object]], list[str]]]) -> bytes:
    """Several sheets, each with its rows and merged ranges (`handmade` merges only the first sheet)."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, (rows, merges) in sheets.items():
        ws = wb.create_sheet(name)
        for r, values in enumerate(rows, start=1):
            for c, value in enumerate(values, start=1):
                if value is not None:
                    ws.cell(row=r, column=c, value=value)
        for rng in merges:
            ws.merge_cells(rng)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@functools.cache
def _base(polsek: str) -> bytes:
    return filled_template(polsek, BULAN)


def edited(edit: Callable[[openpyxl.Workbook], None], polsek: str = BIG) -> bytes:
    """The filled template of `polsek` with `edit` applied (the filled file is built once per Polsek)."""
    wb = openpyxl.load_workbook(io.BytesIO(_base(polsek)))
    edit(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def excel_row(index: int) -> int:
    """Excel row of the template's data row `index` (0-based)."""
    return HEADER_ROW + 1 + index


def set_value(sheet: str, key: str, index: int, value: object) -> Callable[[openpyxl.Workbook], None]:
    def edit(wb: openpyxl.Workbook) -> None:
        # `ws.cell(..., value=None)` would leave the cell as it was: assign explicitly
        wb[reference.SHEET_TITLES[sheet]].cell(row=excel_row(index), column=col_index(sheet, key) + 1).value = value

    return edit


def both(*edits: Callable[[openpyxl.Workbook], None]) -> Callable[[openpyxl.Workbook], None]:
    def edit(wb: openpyxl.Workbook) -> None:
        for one in edits:
            one(wb)

    return edit


def index_of(polsek: str, nama: str) -> int:
    names = list(ordered_desa(polsek)["nama"])
    return names.index(nama)


def kode_of(nama: str) -> str:
    frame = reference.desa()
    return str(frame.loc[frame["nama"] == nama, "kode"].iloc[0])


def only(issues: list, **where) -> object:
    """The single issue matching every attribute given; fails loudly otherwise."""
    found = [i for i in issues if all(getattr(i, k) == v for k, v in where.items())]
    assert len(found) == 1, f"expected one issue with {where}, got {found} among {issues}"
    return found[0]


def kegiatan_file(
    polsek: str = SMALL,
    above: list[list[object]] | None = None,
    header: list[object] | None = None,
    rows: list[list[object]] | None = None,
    merges: list[str] | None = None,
    sheet_name: str = "Kegiatan",
    with_kerawanan: bool = True,
) -> bytes:
    """A retyped recap: optional title rows, a header row, the data rows, and a plain Kerawanan sheet."""
    sheet_rows = list(above or []) + [header or headers("kegiatan")] + (rows if rows is not None else data_rows(polsek, "kegiatan"))
    sheets = {sheet_name: (sheet_rows, merges or [])}
    if with_kerawanan:
        sheets["Kerawanan"] = ([headers("kerawanan"), *data_rows(polsek, "kerawanan")], [])
    return workbook(sheets)


def assert_clean(result: ImportResult, polsek: str = SMALL) -> None:
    """Imported without errors, and exactly the values written."""
    assert result.errors == [], result.errors
    assert result.status == "ok"
    assert result.polsek == polsek
    assert records(result.kegiatan) == expected(polsek, "kegiatan")


# --------------------------------------------------------------------------- the template as sent


def test_filled_template_imports_exactly() -> None:
    result = read(_base(BIG))
    assert result.status == "ok"
    assert (result.polsek, result.bulan) == (BIG, BULAN)
    assert result.rows() == {"kegiatan": 42, "kerawanan": 42}
    assert records(result.kegiatan) == expected(BIG, "kegiatan")
    assert records(result.kerawanan) == expected(BIG, "kerawanan")
    assert result.warnings == []
    assert result.notes == []
    # rows keep their Excel row numbers, in file order
    assert list(result.kegiatan["excel_row"]) == list(range(5, 47))


# --------------------------------------------------------------------------- layout tolerances (spec section 4)


@pytest.mark.parametrize("header_row", [1, 2, 6, 13, 20])
def test_header_anywhere_in_first_20_rows(header_row: int) -> None:
    above: list[list[object]] = [[] for _ in range(header_row - 1)]
    merges = []
    if header_row > 1:
        above[0] = ["REKAP KEGIATAN BHABINKAMTIBMAS POLSEK INSANA UTARA"]
        merges.append("A1:U1")
    if header_row > 3:
        above[2] = ["Dibuat oleh: Bripka Yohanes", None, None, "Catatan: angka dalam kali"]
        merges.append("A3:C3")
    result = read_small(kegiatan_file(above=above, merges=merges))
    assert_clean(result)
    assert list(result.kegiatan["excel_row"]) == [header_row + 1 + i for i in range(5)]


def test_header_below_row_20_is_not_found() -> None:
    above = [["REKAP KEGIATAN"]] + [[] for _ in range(19)]
    result = read_small(kegiatan_file(above=above, with_kerawanan=False))
    assert result.status == "invalid"
    error = only(result.errors, sheet="Kegiatan")
    assert error.column == "Desa/Kelurahan"
    assert "Lembar Kegiatan tidak ditemukan" in error.message
    assert "baris judul" in error.message and "templat" in error.message


def test_title_rows_and_merged_cells_above_the_header() -> None:
    above = [
        ["KEPOLISIAN NEGARA REPUBLIK INDONESIA"],
        ["DAERAH NUSA TENGGARA TIMUR", None, None, None, None, None, None, None, None, None, None, "LAMPIRAN"],
        ["REKAPITULASI KEGIATAN BHABINKAMTIBMAS"],
        [],
    ]
    merges = ["A1:U1", "A2:K2", "L2:U2", "A3:U3", "A4:U4"]
    result = read_small(kegiatan_file(above=above, merges=merges))
    assert_clean(result)


def _two_row_kegiatan(vertical_merges: bool) -> tuple[list[list[object]], list[str]]:
    """`Problem Solving` over `Ditangani | Selesai`, `Pos Kamling` over `Jumlah | Aktif`."""
    top: list[object] = []
    bottom: list[object] = []
    merges = []
    groups = {
        "ps_ditangani": ("Problem Solving", "Ditangani"),
        "ps_selesai": (None, "Selesai"),
        "pos_kamling": ("Pos Kamling", "Jumlah"),
        "pos_kamling_aktif": (None, "Aktif"),
    }
    for col, (key, text) in enumerate(zip(keys("kegiatan"), headers("kegiatan"), strict=True), start=1):
        letter = openpyxl.utils.get_column_letter(col)
        if key in groups:
            top.append(groups[key][0])
            bottom.append(groups[key][1])
            if groups[key][0]:
                merges.append(f"{letter}3:{openpyxl.utils.get_column_letter(col + 1)}3")
        else:
            top.append(text)
            bottom.append(None)
            if vertical_merges:
                merges.append(f"{letter}3:{letter}4")
    above = [["REKAP KEGIATAN BHABINKAMTIBMAS"], []]
    return [*above, top, bottom], ["A1:U1", *merges]


@pytest.mark.parametrize("vertical_merges", [True, False], ids=["merged", "blank-below"])
def test_two_row_header_kegiatan(vertical_merges: bool) -> None:
    header_rows, merges = _two_row_kegiatan(vertical_merges)
    sheet = header_rows + data_rows(SMALL, "kegiatan")
    result = read_small(workbook({"Kegiatan": (sheet, merges), "Kerawanan": ([headers("kerawanan"), *data_rows(SMALL, "kerawanan")], [])}))
    assert_clean(result)
    assert list(result.kegiatan["excel_row"]) == [5, 6, 7, 8, 9]
    assert result.notes == []


def test_two_row_header_kerawanan_tps_classes() -> None:
    """`TPS` merged over `Jumlah | Kurang Rawan | Rawan | Sangat Rawan`."""
    top, bottom, merges = [], [], []
    sub = {"tps": "Jumlah", "tps_kurang_rawan": "Kurang Rawan", "tps_rawan": "Rawan", "tps_sangat_rawan": "Sangat Rawan"}
    for col, (key, text) in enumerate(zip(keys("kerawanan"), headers("kerawanan"), strict=True), start=1):
        letter = openpyxl.utils.get_column_letter(col)
        if key in sub:
            top.append("TPS" if key == "tps" else None)
            bottom.append(sub[key])
        else:
            top.append(text)
            bottom.append(None)
            merges.append(f"{letter}1:{letter}2")
    tps_col = col_index("kerawanan", "tps") + 1
    merges.append(f"{openpyxl.utils.get_column_letter(tps_col)}1:{openpyxl.utils.get_column_letter(tps_col + 3)}1")
    content = workbook(
        {
            "Kegiatan": ([headers("kegiatan"), *data_rows(SMALL, "kegiatan")], []),
            "Kerawanan": ([top, bottom, *data_rows(SMALL, "kerawanan")], merges),
        }
    )
    result = read_small(content)
    assert_clean(result)
    assert records(result.kerawanan) == expected(SMALL, "kerawanan")
    assert list(result.kerawanan["excel_row"]) == [3, 4, 5, 6, 7]


HEADER_VARIANTS = [
    ("sambang_dds", "SAMBANG/DDS"),
    ("sambang_dds", "Sambang DDS (kali)"),
    ("sambang_dds", "Sambang DDS kali"),
    ("sambang_dds", "Jml Sambang"),
    ("sambang_dds", "sambang\n/ DDS\n(kali)"),
    ("sambang_dds", "  SAMBANG  /  DDS  [KALI] "),
    ("desa", "DESA / KEL."),
    ("desa", "Nama Desa/Kelurahan"),
    ("desa", "Desa Binaan"),
    ("kecamatan", "KEC."),
    ("nama_bhabin", "NAMA BHABIN"),
    ("nama_bhabin", "Nama\nBhabinkamtibmas"),
    ("pangkat", "PKT"),
    ("nrp", "NRP/NIP"),
    ("deteksi_dini", "Deteksi\nDini"),
    ("deteksi_dini", "Jumlah Deteksi Dini (laporan)"),
    ("ps_ditangani", "PS Ditangani"),
    ("ps_selesai", "Problem Solving Tuntas (kasus)"),
    ("binluh", "Bimbingan dan Penyuluhan"),
    ("sosialisasi_pemilihan", "Sosialisasi Pilkada"),
    ("peserta_sosialisasi", "Peserta [orang]"),
    ("koordinasi_penyelenggara", "Koordinasi PPK/PPS"),
    ("gangguan_kamtibmas", "GANGGUAN KAMTIBMAS"),
    ("pos_kamling", "Poskamling"),
    ("pos_kamling_aktif", "POS KAMLING YANG AKTIF"),
    ("fkpm_aktif", "FKPM Aktif (Y/T)"),
    ("pertemuan_fkpm", "Rapat FKPM"),
    ("linmas", "Jumlah Linmas"),
    ("keterangan", "KET."),
]


@pytest.mark.parametrize(("key", "variant"), HEADER_VARIANTS, ids=[f"{k}:{v!r}" for k, v in HEADER_VARIANTS])
def test_header_variants_kegiatan(key: str, variant: str) -> None:
    header = headers("kegiatan")
    header[col_index("kegiatan", key)] = variant
    result = read_small(kegiatan_file(header=header))
    assert_clean(result)
    assert result.notes == [] and result.warnings == []


KERAWANAN_VARIANTS = [
    ("tps", "TOTAL TPS"),
    ("tps", "TPS"),
    ("tps_kurang_rawan", "Kurang\nRawan"),
    ("tps_sangat_rawan", "SANGAT RAWAN"),
    ("riwayat_konflik", "Riwayat Konflik"),
    ("politik_uang", "Money Politic"),
    ("hoaks", "HOAX / Ujaran Kebencian"),
    ("netralitas", "Netralitas ASN"),
    ("sengketa", "Sengketa Lahan"),
    ("akses_sulit", "Akses Sulit Dijangkau"),
    ("perbatasan", "Perbatasan (Y/T)"),
    ("potensi_gangguan", "Potensi Kerawanan"),
]


@pytest.mark.parametrize(("key", "variant"), KERAWANAN_VARIANTS, ids=[f"{k}:{v!r}" for k, v in KERAWANAN_VARIANTS])
def test_header_variants_kerawanan(key: str, variant: str) -> None:
    header = headers("kerawanan")
    header[col_index("kerawanan", key)] = variant
    content = workbook(
        {
            "Kegiatan": ([headers("kegiatan"), *data_rows(SMALL, "kegiatan")], []),
            "Kerawanan": ([header, *data_rows(SMALL, "kerawanan")], []),
        }
    )
    result = read_small(content)
    assert result.errors == []
    assert records(result.kerawanan) == expected(SMALL, "kerawanan")
    assert result.notes == [] and result.warnings == []


def test_every_header_upper_case_with_line_breaks() -> None:
    header = [text.upper().replace(" ", "\n") for text in headers("kegiatan")]
    result = read_small(kegiatan_file(header=header))
    assert_clean(result)


@pytest.mark.parametrize("order", ["reversed", "shuffled"])
def test_columns_in_another_order(order: str) -> None:
    header = headers("kegiatan")
    rows = data_rows(SMALL, "kegiatan")
    positions = list(range(len(header)))
    if order == "reversed":
        positions.reverse()
    else:
        positions = positions[1::3] + positions[2::3] + positions[0::3]
    result = read_small(kegiatan_file(header=[header[p] for p in positions], rows=[[row[p] for p in positions] for row in rows]))
    assert_clean(result)


def test_extra_columns_are_ignored_and_noted() -> None:
    header = headers("kegiatan")
    rows = data_rows(SMALL, "kegiatan")
    header = [*header[:3], "No. HP", *header[3:], "Paraf Kapolsek"]
    rows = [[*row[:3], f"0812{i:04d}", *row[3:], "ttd"] for i, row in enumerate(rows)]
    result = read_small(kegiatan_file(header=header, rows=rows))
    assert_clean(result)
    warning = only(result.warnings)  # spec section 5: unrecognised columns are listed in one warning
    assert (warning.sheet, warning.row) == ("Kegiatan", 1)
    assert "Kolom tidak dikenali, diabaikan: 'No. HP', 'Paraf Kapolsek'." in warning.message


@pytest.mark.parametrize(
    ("kegiatan_name", "kerawanan_name"),
    [
        ("KEGIATAN SEPT", "KERAWANAN SEPT"),
        ("kegiatan", "kerawanan"),
        ("Rekap Kegiatan Sept 2024", "Data Kerawanan"),
        ("Sheet1", "Sheet2"),
        ("Lembar1", "KERAWANAN"),
    ],
)
def test_sheet_names(kegiatan_name: str, kerawanan_name: str) -> None:
    content = workbook(
        {
            kerawanan_name: ([headers("kerawanan"), *data_rows(SMALL, "kerawanan")], []),
            kegiatan_name: ([headers("kegiatan"), *data_rows(SMALL, "kegiatan")], []),
        }
    )
    result = read_small(content)
    assert_clean(result)
    assert records(result.kerawanan) == expected(SMALL, "kerawanan")


@pytest.mark.parametrize("sheet_name", ["Sheet1", "KEGIATAN SEPT", "Rekap"])
def test_single_sheet_with_kegiatan_columns_only(sheet_name: str) -> None:
    result = read_small(kegiatan_file(sheet_name=sheet_name, with_kerawanan=False))
    assert_clean(result)
    assert result.kerawanan.empty
    assert result.rows() == {"kegiatan": 5, "kerawanan": 0}
    warning = only(result.warnings, sheet="Kerawanan")  # spec section 5: Kerawanan unknown is a warning, once
    assert "Lembar Kerawanan tidak ada: kerawanan 5 desa Polsek Insana Utara belum dinilai" in warning.message


# --------------------------------------------------------------------------- rows: blanks, numbering, totals


def _totals_row(label: str, label_key: str | None, rows: list[list[object]]) -> list[object]:
    total: list[object] = [None] * len(headers("kegiatan"))
    for col, key in enumerate(keys("kegiatan")):
        if key in reference.count_keys("kegiatan"):
            total[col] = sum(row[col] for row in rows)
    total[col_index("kegiatan", label_key) if label_key else 0] = label
    return total


TOTAL_LABELS = [
    ("JUMLAH", None), ("JUMLAH", "desa"), ("JUMLAH", "kecamatan"), ("TOTAL", None), ("TOTAL", "desa"),
    ("Jumlah Total", "desa"), ("J U M L A H", None), ("J U M L A H", "desa"), ("Jml.", "kecamatan"),
    ("Grand Total", "desa"), ("Total :", None), ("Sub Total", "desa"),
]


@pytest.mark.parametrize(("label", "label_key"), TOTAL_LABELS, ids=[f"{t}@{k or 'No'}" for t, k in TOTAL_LABELS])
def test_totals_row_is_skipped_never_counted(label: str, label_key: str | None) -> None:
    rows = data_rows(SMALL, "kegiatan")
    body = [rows[0], [], rows[1], rows[2], [None] * 5, rows[3], [], [], rows[4]]
    body += [[], _totals_row(label, label_key, rows), [], ["Kefamenanu, 2 Oktober 2024"], ["KAPOLSEK INSANA UTARA"]]
    merges = ["A12:C12"] if label_key is None else []  # the label merged over No, Kecamatan and Desa
    result = read_small(kegiatan_file(rows=body, merges=merges))
    assert_clean(result)
    assert len(result.kegiatan) == 5
    for key in reference.count_keys("kegiatan"):
        assert int(result.kegiatan[key].sum()) == expected_sum(SMALL, "kegiatan", key), key
    assert list(result.kegiatan["excel_row"]) == [2, 4, 5, 7, 10]


def test_totals_row_in_the_middle_and_at_the_end_of_a_big_file() -> None:
    """Subtotals per kecamatan inside the table and a grand total below it: none counted."""
    desa = ordered_desa(BIG)

    def add_totals(wb: openpyxl.Workbook) -> None:
        ws = wb["Kegiatan"]
        last = excel_row(len(desa) - 1)
        ws.insert_rows(last + 1)
        ws.cell(row=last + 1, column=3, value="TOTAL")
        ws.cell(row=last + 1, column=col_index("kegiatan", "sambang_dds") + 1, value=9999)
        first_barat = excel_row(list(desa["kecamatan"]).index("Insana Barat"))
        ws.insert_rows(first_barat)
        ws.cell(row=first_barat, column=1, value="Jumlah Kec. Insana")
        ws.cell(row=first_barat, column=col_index("kegiatan", "sambang_dds") + 1, value=5000)

    result = read(edited(add_totals))
    assert result.status == "ok", result.errors
    assert len(result.kegiatan) == 42
    assert int(result.kegiatan["sambang_dds"].sum()) == expected_sum(BIG, "kegiatan", "sambang_dds")


@pytest.mark.parametrize(
    ("key", "text"),
    [("keterangan", "Jumlah warga hadir 30 orang"), ("keterangan", "TOTAL kegiatan di balai desa"), ("pangkat", "Jml")],
)
def test_free_text_starting_with_jumlah_is_not_a_totals_row(key: str, text: str) -> None:
    """A real desa row whose remark begins with `Jumlah` is data, not a totals row."""
    rows = data_rows(SMALL, "kegiatan")
    rows[0][col_index("kegiatan", key)] = text
    result = read_small(kegiatan_file(rows=rows))
    assert result.status == "ok", result.errors
    assert len(result.kegiatan) == 5
    first = result.kegiatan.set_index("desa_kode").loc[kode_of("Fatumtasa")]
    assert first[key] == text


def test_potensi_text_starting_with_total_is_not_a_totals_row() -> None:
    rows = data_rows(SMALL, "kerawanan")
    rows[2][col_index("kerawanan", "potensi_gangguan")] = "Total pemilih besar, rawan mobilisasi"
    content = workbook(
        {
            "Kegiatan": ([headers("kegiatan"), *data_rows(SMALL, "kegiatan")], []),
            "Kerawanan": ([headers("kerawanan"), *rows], []),
        }
    )
    result = read_small(content)
    assert result.status == "ok", result.errors
    assert len(result.kerawanan) == 5
    assert "Total pemilih besar, rawan mobilisasi" in set(result.kerawanan["potensi_gangguan"])


def test_column_number_row_under_the_header_is_skipped() -> None:
    """Government tables often number the columns (1, 2, 3, ...) in the row under the header."""
    numbering = list(range(1, len(headers("kegiatan")) + 1))
    result = read_small(kegiatan_file(rows=[numbering, *data_rows(SMALL, "kegiatan")]))
    assert_clean(result)
    assert list(result.kegiatan["excel_row"]) == [3, 4, 5, 6, 7]


def test_kecamatan_heading_rows_are_skipped() -> None:
    """Clerks group desa under a heading row such as `KEC. INSANA UTARA`."""
    rows = data_rows(SMALL, "kegiatan")
    heading = [None, None, "KECAMATAN INSANA UTARA"]
    result = read_small(kegiatan_file(rows=[heading, *rows]))
    assert_clean(result)


def test_officer_merged_over_several_desa_rows() -> None:
    """One officer for three desa, the name, rank and NRP cells merged vertically."""
    rows = data_rows(SMALL, "kegiatan")
    name_col, rank_col, nrp_col = (col_index("kegiatan", k) for k in ("nama_bhabin", "pangkat", "nrp"))
    for row in rows[:3]:
        row[name_col], row[rank_col], row[nrp_col] = "Yohanes Taek", "Aipda", "79050123"
    for row in rows[1:3]:
        row[name_col] = row[rank_col] = row[nrp_col] = None
    letters = [openpyxl.utils.get_column_letter(c + 1) for c in (name_col, rank_col, nrp_col)]
    merges = [f"{letter}2:{letter}4" for letter in letters]
    result = read_small(kegiatan_file(rows=rows, merges=merges))
    assert result.status == "ok", result.errors
    first_three = result.kegiatan.sort_values("excel_row").head(3)
    assert list(first_three["nama_bhabin"]) == ["Yohanes Taek"] * 3
    assert list(first_three["pangkat"]) == ["Aipda"] * 3
    assert list(first_three["nrp"]) == ["79050123"] * 3
    assert [w for w in result.warnings if "Bhabinkamtibmas" in w.message] == []


# --------------------------------------------------------------------------- values


@pytest.mark.parametrize(
    ("written", "number"),
    [
        (12, 12),
        (12.0, 12),
        ("12", 12),
        (" 12 ", 12),
        ("12\u00a0", 12),
        ("12 kali", 12),
        ("12kali", 12),
        ("-", 0),
        ("\u2013", 0),
        ("", 0),
        (None, 0),
        ("nihil", 0),
        ("0", 0),
        ("1.234", 1234),
        ("1,234", 1234),
        ("7,0", 7),
    ],
)
def test_parse_count_accepts(written: object, number: int) -> None:
    assert parse_count(written, "kali") == number


@pytest.mark.parametrize(
    ("written", "fragment"),
    [
        (-3, "tidak boleh negatif"),
        ("-3", "tidak boleh negatif"),
        ("- 3", "tidak boleh negatif"),
        (2.5, "bilangan bulat"),
        ("2,5", "bilangan bulat"),
        ("dua", "bukan angka"),
        ("12/3", "bukan angka"),
        (True, "angka"),
        (dt.date(2024, 9, 1), "tanggal"),
        (float("inf"), "bukan angka"),
    ],
)
def test_parse_count_refuses(written: object, fragment: str) -> None:
    with pytest.raises(ValueProblem, match=fragment):
        parse_count(written)


BOOLEANS = [
    ("Ya", True), ("Tidak", False), ("YA", True), ("tidak", False), ("Y", True), ("T", False),
    ("Ada", True), ("Tidak Ada", False), ("v", True), ("V", True), ("\u2713", True), ("\u2714", True),
    ("x", True), ("1", True), ("0", False), (1, True), (0, False), ("True", True), ("False", False),
    ("TRUE", True), (True, True), (False, False), ("Ya.", True), (" ya ", True), ("-", False),
]


@pytest.mark.parametrize(("written", "value"), BOOLEANS, ids=[repr(w) for w, _ in BOOLEANS])
def test_parse_bool_accepts(written: object, value: bool) -> None:
    assert parse_bool(written) is value


@pytest.mark.parametrize("written", [None, "", "   "])
def test_parse_bool_empty_is_none(written: object) -> None:
    assert parse_bool(written) is None


@pytest.mark.parametrize("written", ["mungkin", 2, "?", "Yaa tidak"])
def test_parse_bool_refuses(written: object) -> None:
    with pytest.raises(ValueProblem, match="Ya atau Tidak"):
        parse_bool(written)


@pytest.mark.parametrize(
    ("written", "nrp"),
    [("85010000", "85010000"), (85010000, "85010000"), (85010000.0, "85010000"), ("8501 0000", "85010000"),
     ("8501.0000", "85010000"), (" 08501000 ", "08501000")],
)
def test_parse_nrp_accepts(written: object, nrp: str) -> None:
    assert parse_nrp(written) == nrp


@pytest.mark.parametrize("written", ["1234567", 8501000, "123456789", "ABCDEFGH", "8501-0000", ""])
def test_parse_nrp_refuses(written: object) -> None:
    with pytest.raises(ValueProblem, match="8 angka"):
        parse_nrp(written)


def test_numbers_as_text_and_booleans_in_many_spellings_in_a_file() -> None:
    rows = data_rows(SMALL, "kegiatan")
    spelled = {
        "sambang_dds": ["12", " 7 ", "3 kali", "-", ""],
        "deteksi_dini": [4.0, "0", "2 laporan", None, "1"],
        "peserta_sosialisasi": ["1.234", "25 orang", "-", 0, "40"],
        "fkpm_aktif": ["Y", "Tidak Ada", "\u2713", "x", "True"],
    }
    numbers = {
        "sambang_dds": [12, 7, 3, 0, 0],
        "deteksi_dini": [4, 0, 2, 0, 1],
        "peserta_sosialisasi": [1234, 25, 0, 0, 40],
        "fkpm_aktif": [True, False, True, True, True],
    }
    for key, values in spelled.items():
        for row, value in zip(rows, values, strict=True):
            row[col_index("kegiatan", key)] = value
    result = read_small(kegiatan_file(rows=rows))
    assert result.status == "ok", result.errors
    got = result.kegiatan.sort_values("excel_row")
    for key, values in numbers.items():
        assert got[key].tolist() == values, key


def test_booleans_in_many_spellings_in_kerawanan_and_border_default() -> None:
    rows = data_rows(SMALL, "kerawanan")
    spelled = ["Ya", "T", "Ada", "0", "v"]
    for row, value in zip(rows, spelled, strict=True):
        row[col_index("kerawanan", "politik_uang")] = value
        row[col_index("kerawanan", "perbatasan")] = None  # left empty: from the reference data
    content = workbook(
        {
            "Kegiatan": ([headers("kegiatan"), *data_rows(SMALL, "kegiatan")], []),
            "Kerawanan": ([headers("kerawanan"), *rows], []),
        }
    )
    result = read_small(content)
    assert result.status == "ok", result.errors
    got = result.kerawanan.sort_values("excel_row")
    assert got["politik_uang"].tolist() == [True, False, True, False, True]
    border = dict(zip(got["desa_kode"], got["perbatasan"].tolist(), strict=True))
    assert border == {kode: kode == kode_of("Humusu Wini") for kode in ordered_desa(SMALL)["kode"]}


# --------------------------------------------------------------------------- desa names


RESOLVED = [
    ("Polsek Miomaffo Barat", "Sa'tab", "Sa'tab"),
    ("Polsek Miomaffo Barat", "Satab", "Sa'tab"),
    ("Polsek Miomaffo Barat", "SATAB", "Sa'tab"),
    ("Polsek Miomaffo Barat", "Sa tab", "Sa'tab"),
    ("Polsek Miomaffo Barat", "Sa\u2019tab", "Sa'tab"),
    ("Polsek Miomaffo Barat", "Desa Sa'tab", "Sa'tab"),
    ("Polsek Miomaffo Barat", "Nian", "N i a n"),
    ("Polsek Miomaffo Barat", "Naekake  a", "Naekake A"),
    ("Polsek Insana Utara", "Humusu A", "Humusu Sainiup"),
    ("Polsek Insana Utara", "humusu-b", "Humusu Oekolo"),
    ("Polsek Insana Utara", "Desa Humusu C", "Humusu Wini"),
    ("Polsek Insana Utara", "Humusu Sainiup", "Humusu Sainiup"),
    ("Polsek Miomaffo Timur", "Faennake", "Faenake"),
    ("Polsek Miomaffo Timur", "Faenake", "Faenake"),
    ("Polsek Insana", "Susulaku", "Susulaku"),
    ("Polsek Insana", "Susulaku B", "Susulaku B"),
    ("Polsek Insana", "SUSULAKU  B", "Susulaku B"),
    ("Polsek Insana", "Manunain A", "Manunain A"),
    ("Polsek Insana", "manunain b", "Manunain B"),
    ("Polsek Insana", "Fatuana", "Fatu'Ana"),
    ("Polsek Biboki Utara", "Taunbaen", "Taunbaen"),
    ("Polsek Biboki Utara", "Taunbaen Timur", "Taunbaen Timur"),
    ("Polsek Biboki Utara", "Boronubaen", "Boronubaen"),
    ("Polsek Biboki Utara", "Kel. Boronubaen Timur", "Boronubaen Timur"),
    ("Polsek Kota Kefamenanu", "Kel. Maubeli", "Maubeli"),
    ("Polsek Kota Kefamenanu", "Kelurahan Maubeli", "Maubeli"),
    ("Polsek Kota Kefamenanu", "DESA/KEL. MAUBELI", "Maubeli"),
    ("Polsek Kota Kefamenanu", "Ds. Sasi", "Sasi"),
]


@pytest.mark.parametrize(("polsek", "written", "nama"), RESOLVED, ids=[f"{p[7:]}:{w}" for p, w, _ in RESOLVED])
def test_desa_resolved_exactly(polsek: str, written: str, nama: str) -> None:
    match = DesaResolver(polsek).resolve(written)
    assert match.problem is None
    assert match.kode == kode_of(nama)
    assert match.fuzzy_from is None


FUZZY = [
    ("Polsek Insana Utara", "Oesokko", "Oesoko"),
    ("Polsek Insana Utara", "Fatumtass", "Fatumtasa"),
    ("Polsek Miomaffo Barat", "Fatunisuang", "Fatunisuan"),
    ("Polsek Biboki Utara", "Taunbaen Timor", "Taunbaen Timur"),
]


@pytest.mark.parametrize(("polsek", "written", "nama"), FUZZY)
def test_desa_small_typo_resolved_by_fuzzy_matching(polsek: str, written: str, nama: str) -> None:
    match = DesaResolver(polsek).resolve(written)
    assert match.kode == kode_of(nama)
    assert match.fuzzy_from == written


@pytest.mark.parametrize("written", ["Manunain", "Manunain C", "MANUNAIN"])
def test_desa_near_two_names_is_never_guessed(written: str) -> None:
    match = DesaResolver(BIG).resolve(written)
    assert match.kode is None
    assert "Manunain A" in match.problem and "Manunain B" in match.problem


def test_typo_between_susulaku_and_susulaku_b_is_not_guessed() -> None:
    match = DesaResolver(BIG).resolve("Susulku")
    assert match.kode is None
    assert "Susulaku" in match.problem and "Susulaku B" in match.problem


@pytest.mark.parametrize(
    ("polsek", "written", "owner"),
    [
        ("Polsek Insana", "Sa'tab", "Polsek Miomaffo Barat"),
        ("Polsek Insana", "Humusu A", "Polsek Insana Utara"),
        ("Polsek Insana Utara", "Manunain A", "Polsek Insana"),
        ("Polsek Miomaffo Barat", "Faennake", "Polsek Miomaffo Timur"),
    ],
)
def test_desa_of_another_polsek_names_the_right_polsek(polsek: str, written: str, owner: str) -> None:
    match = DesaResolver(polsek).resolve(written)
    assert match.kode is None
    assert f"termasuk wilayah {owner}, bukan {polsek}" in match.problem


def test_unknown_desa_says_to_check_the_spelling() -> None:
    match = DesaResolver(SMALL).resolve("Kampung Baru")
    assert match.kode is None
    assert "tidak dikenal di wilayah Polsek Insana Utara" in match.problem
    assert "Periksa ejaannya" in match.problem


def test_typo_of_a_desa_of_another_polsek_gives_a_hint() -> None:
    match = DesaResolver(BIG).resolve("Humusu Wni")
    assert match.kode is None
    assert "mirip desa Humusu Wini di Polsek Insana Utara" in match.problem


def test_desa_spellings_in_a_file() -> None:
    names = {
        "Fatumtasa": "Desa Fatumtasa",
        "Humusu Oekolo": "HUMUSU B",
        "Humusu Sainiup": "Humusu A",
        "Humusu Wini": "Kel. Humusu C",
        "Oesoko": "Oesokko",
    }
    written = [names[n] for n in ordered_desa(SMALL)["nama"]]
    result = read_small(kegiatan_file(rows=data_rows(SMALL, "kegiatan", names=written)))
    assert_clean(result)
    warning = only(result.warnings, column="Desa/Kelurahan")
    assert (warning.sheet, warning.row, warning.value) == ("Kegiatan", 2 + written.index("Oesokko"), "Oesokko")
    assert "dibaca sebagai desa Oesoko" in warning.message and "Perbaiki ejaannya" in warning.message


# --------------------------------------------------------------------------- month and Polsek (spec section 3)


def test_polsek_and_month_from_meta() -> None:
    result = read(_base(BIG), filename="apa saja.xlsx")
    assert (result.polsek, result.bulan) == (BIG, BULAN)


def _without_meta_and_titles(wb: openpyxl.Workbook) -> None:
    del wb["_meta"]
    del wb["Petunjuk"]
    for name in ("Kegiatan", "Kerawanan"):
        wb[name]["A1"] = "REKAP"
        wb[name]["A2"] = None


def _titles(texts: list[object]) -> Callable[[openpyxl.Workbook], None]:
    def edit(wb: openpyxl.Workbook) -> None:
        _without_meta_and_titles(wb)
        ws = wb["Kegiatan"]
        for r, text in enumerate(texts, start=1):
            ws.cell(row=r, column=1, value=text)

    return edit


TITLES = [
    (["REKAP KEGIATAN BHABINKAMTIBMAS POLSEK INSANA", "BULAN : SEPTEMBER 2024"], BIG, "2024-09"),
    (["POLSEK INSANA", "Sept 2024"], BIG, "2024-09"),
    (["Polsek Insana", "Periode 09/2024"], BIG, "2024-09"),
    (["POLSEK INSANA", "Bulan: October 2024"], BIG, "2024-10"),
    (["POLSEK INSANA", "BULAN : AGUSTUS 2024"], BIG, "2024-08"),
    (["POLSEK INSANA", "Agt 2024"], BIG, "2024-08"),
    (["POLSEK INSANA", "BULAN MEI 2025"], BIG, "2025-05"),
    (["POLSEK INSANA", "March 2025"], BIG, "2025-03"),
    (["POLSEK INSANA", "BULAN SEPTEMBER TAHUN 2024"], BIG, "2024-09"),
    (["POLSEK INSANA", "Bulan Nopember 2024"], BIG, "2024-11"),
    (["POLSEK INSANA", dt.datetime(2024, 9, 1)], BIG, "2024-09"),
    (["REKAP POLSEK INSANA BULAN DESEMBER 2024"], BIG, "2024-12"),
    (["Polsek Miomafo Barat", "Januari 2025"], "Polsek Miomaffo Barat", "2025-01"),
]


@pytest.mark.parametrize(("texts", "polsek", "bulan"), TITLES, ids=[" | ".join(map(str, t)) for t, _, _ in TITLES])
def test_polsek_and_month_from_title_cells(texts: list[object], polsek: str, bulan: str) -> None:
    result = read(edited(_titles(texts), polsek=polsek))
    assert (result.polsek, result.bulan) == (polsek, bulan)
    assert result.status == "ok", result.errors


def test_polsek_insana_utara_is_not_taken_for_insana() -> None:
    result = read(kegiatan_file(above=[["REKAP POLSEK INSANA UTARA"], ["BULAN : SEPTEMBER 2024"]]))
    assert (result.polsek, result.bulan) == (SMALL, BULAN)
    assert_clean(result)


def test_title_directly_above_a_header_without_numbering_column() -> None:
    header = headers("kegiatan")[1:]
    rows = [row[1:] for row in data_rows(SMALL, "kegiatan")]
    result = read(kegiatan_file(above=[["POLSEK INSANA UTARA"], ["BULAN : SEPTEMBER 2024"]], header=header, rows=rows))
    assert (result.polsek, result.bulan) == (SMALL, BULAN)
    assert_clean(result)


FILE_NAMES = [
    ("Rekap_Insana_2024-09.xlsx", BIG, "2024-09"),
    ("rekap insana september 2024.xlsx", BIG, "2024-09"),
    ("REKAP-INSANA-09-2024.xlsx", BIG, "2024-09"),
    ("Rekap_Insana_202410.xlsx", BIG, "2024-10"),
    ("Rekap_Insana_Utara_2024-09.xlsx", SMALL, "2024-09"),
    ("Rekap_InsanaUtara_Sept2024.xlsx", SMALL, "2024-09"),
    ("C:\\Users\\Binmas\\Documents\\Rekap_Insana_2024-09 (1).xlsx", BIG, "2024-09"),
]


@pytest.mark.parametrize(("filename", "polsek", "bulan"), FILE_NAMES)
def test_polsek_and_month_from_file_name(filename: str, polsek: str, bulan: str) -> None:
    result = read(edited(_without_meta_and_titles, polsek=polsek), filename=filename)
    assert (result.polsek, result.bulan) == (polsek, bulan)
    assert result.status == "ok", result.errors


def test_meta_wins_over_titles_and_titles_over_file_name() -> None:
    def titles_say_august(wb: openpyxl.Workbook) -> None:
        wb["Kegiatan"]["A2"] = "BULAN : AGUSTUS 2024"
        wb["Kerawanan"]["A2"] = "BULAN : AGUSTUS 2024"

    content = edited(titles_say_august)
    assert read(content, filename="Rekap_Insana_2024-07.xlsx").bulan == "2024-09"  # _meta

    def no_meta(wb: openpyxl.Workbook) -> None:
        titles_say_august(wb)
        del wb["_meta"]
        wb["Petunjuk"]["A3"] = "Bulan: Agustus 2024"

    assert read(edited(no_meta), filename="Rekap_Insana_2024-07.xlsx").bulan == "2024-08"  # titles


def test_choice_on_upload_screen_wins_over_everything() -> None:
    result = read(_base(BIG), filename="Rekap_Insana_2024-07.xlsx", polsek="insana", bulan="2024-10")
    assert (result.polsek, result.bulan) == (BIG, "2024-10")
    assert result.status == "ok"
    # a file whose title names another Polsek, read for the Polsek chosen
    result = read(kegiatan_file(above=[["POLSEK INSANA"], ["BULAN : JULI 2024"]]), polsek=SMALL, bulan=BULAN)
    assert (result.polsek, result.bulan) == (SMALL, BULAN)
    assert_clean(result)


def test_neither_month_nor_polsek_found_says_what_to_add() -> None:
    result = read(edited(_without_meta_and_titles), filename="rekap.xlsx")
    assert result.status == "invalid"
    polsek = only(result.errors, column="Polsek")
    bulan = only(result.errors, column="Bulan")
    assert "Polsek tidak ditemukan" in polsek.message
    assert "POLSEK INSANA" in polsek.message and "Rekap_Insana_2024-09.xlsx" in polsek.message
    assert "Bulan laporan tidak ditemukan" in bulan.message
    assert "BULAN : SEPTEMBER 2024" in bulan.message and "pilih bulan" in bulan.message


def test_two_different_months_in_the_titles_are_named() -> None:
    def two_months(wb: openpyxl.Workbook) -> None:
        _titles(["POLSEK INSANA", "BULAN : AGUSTUS 2024"])(wb)
        wb["Kerawanan"]["A1"] = "BULAN : SEPTEMBER 2024"

    result = read(edited(two_months))
    assert result.polsek == BIG
    error = only(result.errors, column="Bulan")
    assert "Agustus 2024" in error.message and "September 2024" in error.message
    # the file name settles it
    assert read(edited(two_months), filename="Rekap_Insana_2024-09.xlsx").bulan == "2024-09"


def test_future_month_is_refused() -> None:
    result = read(_base(BIG), bulan="2026-12")
    error = only(result.errors, column="Bulan")
    assert error.value == "2026-12"
    assert "Desember 2026 belum berjalan" in error.message and "Periksa bulan" in error.message
    assert read(_base(BIG), bulan="2026-11").status == "ok"  # the running month may be sent


@pytest.mark.parametrize(("polsek", "bulan", "column"), [("Polsek Atambua", None, "Polsek"), (None, "2024-13", "Bulan"), (None, "Sept", "Bulan")])
def test_invalid_choice_on_upload_screen(polsek: str | None, bulan: str | None, column: str) -> None:
    result = read(_base(BIG), polsek=polsek, bulan=bulan)
    error = only(result.errors, column=column)
    assert error.value == (polsek or bulan)
    assert result.status == "invalid"
    if column == "Polsek":
        assert "Polsek Insana Utara" in error.message  # the list to pick from
    else:
        assert "2024-09" in error.message  # the expected format


# --------------------------------------------------------------------------- errors (spec section 5)

I14 = 9  # template data row 14
ROW14 = excel_row(I14)


ERRORS = [
    pytest.param(
        set_value("kegiatan", "sambang_dds", I14, -3), "Kegiatan", "Sambang / DDS (kali)", "-3",
        ['Baris 14, kolom "Sambang / DDS (kali)": -3 tidak boleh negatif; isi 0 atau lebih.'], id="negative",
    ),
    pytest.param(
        set_value("kegiatan", "binluh", I14, "-2"), "Kegiatan", "Binluh (kali)", "-2",
        ['Baris 14, kolom "Binluh (kali)"', "tidak boleh negatif"], id="negative-text",
    ),
    pytest.param(
        set_value("kegiatan", "deteksi_dini", I14, "dua"), "Kegiatan", "Deteksi Dini (laporan)", "dua",
        ['Baris 14, kolom "Deteksi Dini (laporan)": "dua" bukan angka; isi dengan bilangan bulat, misalnya 12'], id="non-numeric",
    ),
    pytest.param(
        set_value("kegiatan", "linmas", I14, 2.5), "Kegiatan", "Linmas Dilibatkan (orang)", "2.5",
        ["harus bilangan bulat"], id="decimal",
    ),
    pytest.param(
        set_value("kerawanan", "tps", I14, "banyak"), "Kerawanan", "Jumlah TPS", "banyak",
        ['Baris 14, kolom "Jumlah TPS"', "bukan angka"], id="non-numeric-kerawanan",
    ),
    pytest.param(
        both(set_value("kegiatan", "ps_ditangani", I14, 3), set_value("kegiatan", "ps_selesai", I14, 5)),
        "Kegiatan", "Problem Solving Selesai (kasus)", "5",
        ['Baris 14, kolom "Problem Solving Selesai (kasus)": 5 lebih besar dari Problem Solving Ditangani (3).'],
        id="ps_selesai>ps_ditangani",
    ),
    pytest.param(
        both(set_value("kegiatan", "pos_kamling", I14, 3), set_value("kegiatan", "pos_kamling_aktif", I14, 5)),
        "Kegiatan", "Pos Kamling Aktif (unit)", "5",
        ['Baris 14, kolom "Pos Kamling Aktif (unit)": 5 lebih besar dari Pos Kamling (3).'],
        id="pos_kamling_aktif>pos_kamling",
    ),
    pytest.param(
        both(*(set_value("kerawanan", k, I14, v) for k, v in
               [("tps", 2), ("tps_kurang_rawan", 2), ("tps_rawan", 1), ("tps_sangat_rawan", 1)])),
        "Kerawanan", "Jumlah TPS", "2",
        ['Baris 14, kolom "Jumlah TPS": TPS Kurang Rawan + TPS Rawan + TPS Sangat Rawan (4) lebih besar dari Jumlah TPS (2).',
         "Perbaiki jumlah TPS atau kelasnya"], id="tps-classes-above-tps",
    ),
    pytest.param(
        set_value("kegiatan", "nrp", I14, "1234567"), "Kegiatan", "NRP", "1234567",
        ['Baris 14, kolom "NRP": 1234567 bukan NRP yang sah: NRP harus 8 angka.'], id="nrp-7-digits",
    ),
    pytest.param(
        set_value("kegiatan", "nrp", I14, 8501009), "Kegiatan", "NRP", "8501009",
        ["8 angka", "format sel menjadi Teks"], id="nrp-lost-leading-zero",
    ),
    pytest.param(
        set_value("kegiatan", "nrp", I14, "NRP 85010009X"), "Kegiatan", "NRP", "NRP 85010009X",
        ["8 angka"], id="nrp-letters",
    ),
    pytest.param(
        set_value("kegiatan", "nrp", I14, None), "Kegiatan", "NRP", "",
        ['Baris 14, kolom "NRP"', "NRP wajib diisi", "Petugas 10"], id="nrp-missing-with-name",
    ),
    pytest.param(
        set_value("kegiatan", "fkpm_aktif", I14, "kadang"), "Kegiatan", "FKPM Aktif (Ya/Tidak)", "kadang",
        ['Baris 14, kolom "FKPM Aktif (Ya/Tidak)": "kadang" bukan Ya/Tidak; isi dengan Ya atau Tidak.'], id="boolean",
    ),
    pytest.param(
        set_value("kegiatan", "desa", I14, "Kampung Baru"), "Kegiatan", "Desa/Kelurahan", "Kampung Baru",
        ["Baris 14", "tidak dikenal di wilayah Polsek Insana", "Periksa ejaannya"], id="unknown-desa",
    ),
    pytest.param(
        set_value("kegiatan", "desa", I14, "Sa'tab"), "Kegiatan", "Desa/Kelurahan", "Sa'tab",
        ["Baris 14", "termasuk wilayah Polsek Miomaffo Barat, bukan Polsek Insana", "Hapus baris ini"], id="other-polsek",
    ),
    pytest.param(
        set_value("kegiatan", "desa", I14, "Manunain"), "Kegiatan", "Desa/Kelurahan", "Manunain",
        ["Baris 14", "Manunain A", "Manunain B", "Tulis nama desa persis"], id="ambiguous-manunain",
    ),
    pytest.param(
        set_value("kerawanan", "desa", I14, "Manunain C"), "Kerawanan", "Desa/Kelurahan", "Manunain C",
        ["Baris 14", "Manunain A", "Manunain B"], id="ambiguous-manunain-c",
    ),
    pytest.param(
        set_value("kegiatan", "desa", I14, None), "Kegiatan", "Desa/Kelurahan", "",
        ['Baris 14, kolom "Desa/Kelurahan": nama desa kosong', "Isi nama desa atau hapus baris"], id="desa-empty-with-numbers",
    ),
]


@pytest.mark.parametrize(("edit", "sheet", "column", "value", "fragments"), ERRORS)
def test_error_is_located_and_says_what_to_fix(edit, sheet: str, column: str, value: str, fragments: list[str]) -> None:
    result = read(edited(edit))
    assert result.status == "invalid"
    assert len(result.errors) == 1, result.errors
    error = result.errors[0]
    assert (error.sheet, error.row, error.column, error.value) == (sheet, ROW14, column, value)
    for fragment in fragments:
        assert fragment in error.message
    assert error.to_dict() == {"sheet": sheet, "row": ROW14, "column": column, "value": value, "message": error.message}


def test_same_desa_twice_in_a_sheet() -> None:
    first = index_of(BIG, "Susulaku")
    second = index_of(BIG, "Susulaku B")
    result = read(edited(set_value("kerawanan", "desa", second, "SUSULAKU")))
    error = only(result.errors)
    assert (error.sheet, error.row, error.column, error.value) == ("Kerawanan", excel_row(second), "Desa/Kelurahan", "SUSULAKU")
    assert f"desa Susulaku sudah ada di baris {excel_row(first)}" in error.message
    assert "Gabungkan" in error.message


@pytest.mark.parametrize(
    ("sheet", "key", "title"),
    [("kegiatan", "binluh", "Binluh (kali)"), ("kegiatan", "fkpm_aktif", "FKPM Aktif (Ya/Tidak)"), ("kerawanan", "tps", "Jumlah TPS")],
)
def test_required_column_missing(sheet: str, key: str, title: str) -> None:
    def drop_header(wb: openpyxl.Workbook) -> None:
        wb[reference.SHEET_TITLES[sheet]].cell(row=HEADER_ROW, column=col_index(sheet, key) + 1).value = None

    result = read(edited(drop_header))
    assert result.status == "invalid"
    error = only(result.errors)
    assert (error.sheet, error.row, error.column, error.value) == (reference.SHEET_TITLES[sheet], HEADER_ROW, title, "")
    assert f'Kolom "{title}" tidak ditemukan' in error.message and "Tambahkan kolom" in error.message


def test_all_errors_are_reported_at_once() -> None:
    edit = both(
        set_value("kegiatan", "sambang_dds", 0, -1),
        set_value("kegiatan", "nrp", 1, "123"),
        set_value("kegiatan", "desa", 2, "Sa'tab"),
        both(set_value("kegiatan", "pos_kamling", 3, 1), set_value("kegiatan", "pos_kamling_aktif", 3, 2)),
        set_value("kerawanan", "tps", 4, -5),
    )
    result = read(edited(edit), filename="Rekap_Insana_2024-09.xlsx")
    assert result.status == "invalid"
    located = sorted((e.sheet, e.row, e.column) for e in result.errors)
    assert located == [
        ("Kegiatan", 5, "Sambang / DDS (kali)"),
        ("Kegiatan", 6, "NRP"),
        ("Kegiatan", 7, "Desa/Kelurahan"),
        ("Kegiatan", 8, "Pos Kamling Aktif (unit)"),
        ("Kerawanan", 9, "Jumlah TPS"),
    ]
    payload = result.to_dict()
    assert payload["status"] == "invalid" and payload["version"] is None
    assert len(payload["errors"]) == 5
    assert payload["rows"] == {"kegiatan": 42, "kerawanan": 42}


# --------------------------------------------------------------------------- warnings (spec section 5)


def test_desa_missing_from_the_file_is_a_warning() -> None:
    gone = index_of(BIG, "Susulaku B")

    def delete_row(wb: openpyxl.Workbook) -> None:
        wb["Kegiatan"].delete_rows(excel_row(gone))

    result = read(edited(delete_row))
    assert result.status == "ok"
    assert len(result.kegiatan) == 41
    warning = only(result.warnings)
    assert (warning.sheet, warning.column, warning.value) == ("Kegiatan", "Desa/Kelurahan", "Susulaku B")
    assert "Desa Susulaku B tidak ada di lembar Kegiatan" in warning.message and "Tambahkan" in warning.message


def test_desa_without_officer_is_a_warning() -> None:
    edit = both(*(set_value("kegiatan", k, I14, None) for k in ("nama_bhabin", "pangkat", "nrp")))
    result = read(edited(edit))
    assert result.status == "ok"
    warning = only(result.warnings)
    assert (warning.sheet, warning.row, warning.column) == ("Kegiatan", ROW14, "Nama Bhabinkamtibmas")
    assert "tidak punya Bhabinkamtibmas" in warning.message and "Isi nama, pangkat dan NRP" in warning.message
    row = result.kegiatan.set_index("excel_row").loc[ROW14]
    assert row["nama_bhabin"] is None or pd.isna(row["nama_bhabin"])


@pytest.mark.parametrize(
    ("written", "stored", "warned"),
    [("Bripka", "Bripka", False), ("BRIPKA", "Bripka", False), ("Brigadir Polisi Kepala", "Bripka", False),
     ("Brigadir", "Brigpol", False), ("aiptu", "Aiptu", False), ("Kombes", "Kombes", True), ("Serda", "Serda", True)],
)
def test_rank_is_normalised_and_unknown_rank_warned(written: str, stored: str, warned: bool) -> None:
    result = read(edited(set_value("kegiatan", "pangkat", 2, written), SMALL))
    assert result.status == "ok"
    assert result.kegiatan.set_index("excel_row").loc[excel_row(2), "pangkat"] == stored
    if warned:
        warning = only(result.warnings)
        assert (warning.row, warning.column, warning.value) == (excel_row(2), "Pangkat", written)
        assert f'pangkat "{written}" tidak dikenal' in warning.message and "Bripda" in warning.message
        assert "Periksa ejaannya" in warning.message
    else:
        assert result.warnings == []


def test_tps_not_all_classified_is_a_warning() -> None:
    edit = both(*(set_value("kerawanan", k, I14, v) for k, v in
                  [("tps", 5), ("tps_kurang_rawan", 2), ("tps_rawan", 1), ("tps_sangat_rawan", 0)]))
    result = read(edited(edit))
    assert result.status == "ok"
    warning = only(result.warnings)
    assert (warning.sheet, warning.row, warning.column, warning.value) == ("Kerawanan", ROW14, "Jumlah TPS", "5")
    assert "TPS belum dipetakan" in warning.message and "3 dari 5" in warning.message


MONTHS_BEFORE = ["2024-03", "2024-04", "2024-05", "2024-06", "2024-07", "2024-08"]


def _history(desa_kode: str, values: list[int], key: str = "sambang_dds", months: list[str] = MONTHS_BEFORE) -> History:
    frame = pd.DataFrame({"desa_kode": desa_kode, "bulan": months, "key": key, "value": values})
    return History(counts=frame, officers={})


@pytest.mark.parametrize(
    ("past", "value", "warned"),
    [
        ([4, 5, 5, 6, 5, 4], 16, True),  # median 5: 16 > 15 and 11 above
        ([4, 5, 5, 6, 5, 4], 15, False),  # exactly 3 x median
        ([3, 3, 3, 3, 3, 3], 12, False),  # > 3 x median but only 9 above
        ([3, 3, 3, 3, 3, 3], 13, True),  # 10 above
        ([0, 0, 0, 0, 0, 0], 10, True),
        ([0, 0, 0, 0, 0, 0], 9, False),
        ([20, 22, 19, 25, 21, 20], 61, False),  # busy desa: 61 < 3 x 20.5
    ],
)
def test_outlier_against_the_desa_history(past: list[int], value: int, warned: bool) -> None:
    kode = kode_of("Oesoko")
    index = index_of(SMALL, "Oesoko")
    result = read(edited(set_value("kegiatan", "sambang_dds", index, value), SMALL), history=_history(kode, past))
    assert result.status == "ok"
    outliers = [w for w in result.warnings if w.column == "Sambang / DDS (kali)"]
    if warned:
        warning = only(outliers)
        assert (warning.sheet, warning.row, warning.value) == ("Kegiatan", excel_row(index), str(value))
        assert f"Sambang / DDS (kali) Oesoko = {value}, jauh di atas biasanya" in warning.message and "Periksa" in warning.message
    else:
        assert outliers == []


def test_outlier_uses_only_the_last_six_months_before_the_file() -> None:
    kode = kode_of("Oesoko")
    index = index_of(SMALL, "Oesoko")
    # an old busy half year, then six quiet months, then a later month that must be ignored
    months = ["2023-09", "2023-10", "2023-11", "2023-12", "2024-01", "2024-02", *MONTHS_BEFORE, "2024-10"]
    values = [40, 40, 40, 40, 40, 40, 2, 2, 2, 2, 2, 2, 40]
    content = edited(set_value("kegiatan", "sambang_dds", index, 30), SMALL)
    result = read(content, history=_history(kode, values, months=months))
    warning = only(result.warnings)
    assert "median 6 bulan terakhir 2" in warning.message


def test_nrp_seen_before_with_another_name() -> None:
    history = History(counts=pd.DataFrame(), officers={"85010009": "Yohanes Taek", "85010000": "PETUGAS 1"})
    result = read(_base(BIG), history=history)
    assert result.status == "ok"
    warning = only(result.warnings)  # 85010000 is the same name in another case: no warning
    assert (warning.sheet, warning.row, warning.column, warning.value) == ("Kegiatan", ROW14, "NRP", "85010009")
    assert "Yohanes Taek" in warning.message and "Petugas 10" in warning.message and "Periksa NRP" in warning.message


def test_warnings_do_not_stop_the_file() -> None:
    edit = both(
        set_value("kegiatan", "nama_bhabin", 0, None),
        set_value("kegiatan", "nrp", 0, None),
        set_value("kegiatan", "pangkat", 1, "Kombes"),
        set_value("kerawanan", "tps", 2, 9),
    )
    result = read(edited(edit))
    assert result.status == "ok"
    assert len(result.warnings) == 3
    assert result.to_dict()["warnings"] == [w.to_dict() for w in result.warnings]


# --------------------------------------------------------------------------- other formats and unreadable files


def _ods(sheets: dict[str, list[list[object]]]) -> bytes:
    out = io.BytesIO()
    with pd.ExcelWriter(out, engine="odf") as writer:
        for name, rows in sheets.items():
            width = max(len(r) for r in rows)
            rows = [list(r) + [None] * (width - len(r)) for r in rows]
            pd.DataFrame(rows).to_excel(writer, sheet_name=name, header=False, index=False)
    return out.getvalue()


def test_ods_recap_imports() -> None:
    title = [["REKAP KEGIATAN BHABINKAMTIBMAS POLSEK INSANA UTARA"], ["BULAN : SEPTEMBER 2024"], []]
    content = _ods(
        {
            "Kegiatan": [*title, headers("kegiatan"), *data_rows(SMALL, "kegiatan")],
            "Kerawanan": [*title, headers("kerawanan"), *data_rows(SMALL, "kerawanan")],
        }
    )
    assert content[:2] == b"PK"
    result = read(content, filename="rekap.ods")
    assert (result.polsek, result.bulan) == (SMALL, BULAN)
    assert_clean(result)
    assert records(result.kerawanan) == expected(SMALL, "kerawanan")


def _biff_record(kind: int, data: bytes = b"") -> bytes:
    return struct.pack("<HH", kind, len(data)) + data


def _biff_cell(row: int, col: int, value: object) -> bytes:
    if isinstance(value, bool):
        return _biff_record(0x0205, struct.pack("<HHHBB", row, col, 15, int(value), 0))  # BOOLERR
    if isinstance(value, (int, float)):
        return _biff_record(0x0203, struct.pack("<HHHd", row, col, 15, float(value)))  # NUMBER
    text = str(value).encode("utf-16-le")
    return _biff_record(0x0204, struct.pack("<HHHHB", row, col, 15, len(text) // 2, 1) + text)  # LABEL


def _xls(sheets: list[tuple[str, list[list[object]], list[tuple[int, int, int, int]], bool]]) -> bytes:
    """A minimal BIFF8 .xls (sheets of name, rows, merges (r0, r1, c0, c1), hidden) in an OLE2 container.

    No .xls writer is installed (xlwt is not a dependency), so the test writes the few records a
    reader needs: BOF, fonts and XFs, BOUNDSHEET, cells, MERGEDCELLS, EOF.
    """
    def bof(kind: int) -> bytes:
        return _biff_record(0x0809, struct.pack("<HHHHII", 0x0600, kind, 0x0DBB, 0x07CC, 0, 6))

    bodies = []
    for _name, rows, merges, _hidden in sheets:
        body = bof(0x0010) + _biff_record(0x0200, struct.pack("<IIHHH", 0, len(rows), 0, max(map(len, rows)), 0))
        for r, row in enumerate(rows):
            body += b"".join(_biff_cell(r, c, v) for c, v in enumerate(row) if v is not None and v != "")
        if merges:
            body += _biff_record(0x00E5, struct.pack("<H", len(merges)) + b"".join(struct.pack("<HHHH", *m) for m in merges))
        bodies.append(body + _biff_record(0x000A))
    font = _biff_record(0x0031, struct.pack("<HHHHHBBBBBB", 200, 0, 0x7FFF, 400, 0, 0, 0, 0, 0, 5, 1) + "Arial".encode("utf-16-le"))
    style_xf = _biff_record(0x00E0, struct.pack("<HHHBBBBIIH", 0, 0, 0xFFF5, 0x20, 0, 0, 0, 0, 0, 0x20C0))
    cell_xf = _biff_record(0x00E0, struct.pack("<HHHBBBBIIH", 0, 0, 0x0001, 0x20, 0, 0, 0, 0, 0, 0x20C0))
    globals_ = bof(0x0005) + _biff_record(0x0042, struct.pack("<H", 1200)) + font * 5 + style_xf * 15 + cell_xf
    names = [name.encode("utf-16-le") for name, *_ in sheets]
    offset = len(globals_) + sum(12 + len(n) for n in names) + 4
    for name, body, (_, _, _, hidden) in zip(names, bodies, sheets, strict=True):
        globals_ += _biff_record(0x0085, struct.pack("<IBBBB", offset, int(hidden), 0, len(name) // 2, 1) + name)
        offset += len(body)
    stream = globals_ + _biff_record(0x000A) + b"".join(bodies)
    stream += b"\0" * max(0, 4096 - len(stream))  # at least 4096 bytes: a normal stream, no mini stream
    sectors = -(-len(stream) // 512)
    stream += b"\0" * (sectors * 512 - len(stream))
    end, free, none = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFF
    fat = [0xFFFFFFFD, end] + [3 + i for i in range(sectors - 1)] + [end]
    fat += [free] * (128 - len(fat))
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\0" * 6
    header += struct.pack("<9I", 0, 1, 1, 0, 4096, end, 0, end, 0) + struct.pack("<I", 0) + struct.pack("<I", free) * 108

    def entry(name: str, kind: int, child: int, start: int, size: int) -> bytes:
        encoded = name.encode("utf-16-le") + b"\0\0" if name else b""
        return (encoded.ljust(64, b"\0") + struct.pack("<HBB", len(encoded), kind, 1 if name else 0)
                + struct.pack("<III", none, none, child) + b"\0" * 36 + struct.pack("<II", start, size) + b"\0" * 4)

    directory = entry("Root Entry", 5, 1, end, 0) + entry("Workbook", 2, none, 2, len(stream)) + entry("", 0, none, 0, 0) * 2
    return header + struct.pack("<128I", *fat) + directory + stream


def test_xls_recap_imports() -> None:
    width = len(headers("kegiatan")) - 1
    kegiatan = [["REKAP KEGIATAN BHABINKAMTIBMAS"], [], headers("kegiatan"), *data_rows(SMALL, "kegiatan")]
    kerawanan = [headers("kerawanan"), *data_rows(SMALL, "kerawanan")]
    meta = [["polsek", SMALL], ["bulan", BULAN]]
    content = _xls([("Kegiatan", kegiatan, [(0, 0, 0, width)], False), ("Kerawanan", kerawanan, [], False), ("_meta", meta, [], True)])
    assert content[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    result = read(content, filename="rekap.xls")
    assert (result.polsek, result.bulan) == (SMALL, BULAN)
    assert_clean(result)
    assert records(result.kerawanan) == expected(SMALL, "kerawanan")
    assert list(result.kegiatan["excel_row"]) == [4, 5, 6, 7, 8]


def test_xls_with_two_row_header_and_merges() -> None:
    header_rows, merges = _two_row_kegiatan(vertical_merges=True)
    biff_merges = []
    for rng in merges:
        min_col, min_row, max_col, max_row = openpyxl.utils.range_boundaries(rng)
        biff_merges.append((min_row - 1, max_row - 1, min_col - 1, max_col - 1))
    content = _xls([("KEGIATAN SEPT", header_rows + data_rows(SMALL, "kegiatan"), biff_merges, False)])
    result = read_small(content, filename="rekap.xls")
    assert_clean(result)
    assert result.kerawanan.empty


@functools.cache
def _bomb() -> bytes:
    """A zip whose single member inflates to 210 MB of zeros (about 200 KB on disk), over the 200 MB limit."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            chunk = b"\0" * (1 << 20)
            for _ in range(210):
                member.write(chunk)
    return out.getvalue()


def _zip(members: dict[str, bytes | str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


UNREADABLE = [
    pytest.param(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n", "bukan lembar kerja Excel", id="pdf"),
    pytest.param(b"No;Desa;Sambang\n1;Oesoko;12\n", "bukan lembar kerja Excel", id="csv-text"),
    pytest.param(b"", "kosong", id="empty"),
    pytest.param(_zip({"foto.jpg": b"\xff\xd8\xff" + b"1" * 100}), "arsip ZIP", id="zip-of-photos"),
    pytest.param(_zip({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document/>"}), "bukan lembar kerja", id="docx"),
    pytest.param(
        _zip({"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "bukan xml", "xl/_rels/workbook.xml.rels": "?"}),
        "rusak", id="broken-xlsx",
    ),
    pytest.param(b"PK\x03\x04" + b"\0" * 60, "rusak", id="truncated-zip"),
    pytest.param(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "rusak", id="ole2-not-a-workbook"),
]


@pytest.mark.parametrize(("content", "fragment"), UNREADABLE)
def test_unreadable_files(content: bytes, fragment: str) -> None:
    result = read(content, filename="Rekap_Insana_2024-09.xlsx")
    assert result.status == "unreadable"
    assert result.unreadable
    error = only(result.errors)
    assert error.value == "Rekap_Insana_2024-09.xlsx"
    assert fragment in error.message
    assert result.kegiatan.empty and result.kerawanan.empty


def test_half_a_real_workbook_is_unreadable() -> None:
    content = _base(SMALL)
    result = read(content[: len(content) // 2])
    assert result.status == "unreadable"
    assert "Simpan ulang" in result.errors[0].message


def test_archive_bomb_is_refused_without_inflating_it() -> None:
    content = _bomb()
    assert len(content) < 2_000_000
    tracemalloc.start()
    try:
        result = read(content, filename="Rekap_Insana_2024-09.xlsx")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.status == "unreadable"
    assert "terlalu besar atau tidak wajar" in result.errors[0].message
    assert peak < 50 * 1024 * 1024


def test_file_above_the_upload_limit_is_refused() -> None:
    result = read(_base(SMALL), max_bytes=10_000)
    assert result.status == "unreadable"
    assert "terlalu besar" in result.errors[0].message and "Hapus gambar" in result.errors[0].message


def test_result_keeps_the_original_bytes_and_their_hash() -> None:
    import hashlib

    content = _base(SMALL)
    result = read(content, filename="Rekap_Insana_Utara_2024-09.xlsx")
    assert result.content == content
    assert result.sha256 == hashlib.sha256(content).hexdigest()
    payload = result.to_dict(version=3)
    assert payload == {
        "file": "Rekap_Insana_Utara_2024-09.xlsx",
        "status": "ok",
        "polsek": SMALL,
        "bulan": BULAN,
        "rows": {"kegiatan": 5, "kerawanan": 5},
        "version": 3,
        "errors": [],
        "warnings": [],
    }
