"""Rows below the header (`core.rows`, spec section 5): what is read, what is text under the table, what is an error.

Each case comes from an issue: a signature block under the table refused the whole file; `1O` was read as 1 and
`5a` as 5; a count of 1e20 passed validation and crashed the save.
"""

from __future__ import annotations

import datetime as dt

import openpyxl
import pandas as pd
import pytest

from core import reference
from core.template import HEADER_ROW
from tests.unit.test_ingest import (
    BIG,
    SMALL,
    assert_clean,
    both,
    col_index,
    data_rows,
    edited,
    excel_row,
    headers,
    kegiatan_file,
    only,
    read,
    read_small,
    set_value,
)

LAST = len(reference.desa_of(SMALL)) - 1  # the small Polsek's last data row (0-based): Excel row 9


def _below_table(rows: list[dict[str, object]], sheet: str = "Kegiatan", gap: int = 1):
    """Lines written under the template's table, `gap` blank rows after the last desa row; keys name columns."""

    def edit(wb: openpyxl.Workbook) -> None:
        ws = wb[sheet]
        first = excel_row(LAST) + 1 + gap
        for offset, cells in enumerate(rows):
            for key, value in cells.items():
                col = col_index(sheet.lower(), key) + 1 if key in {i.key for i in reference.indicators()} else int(key)
                ws.cell(row=first + offset, column=col, value=value)

    return edit


SIGNATURE = [
    {"sambang_dds": "Noemuti, 30 September 2024"},
    {"sambang_dds": "KAPOLSEK NOEMUTI"},
    {},
    {},
    {"sambang_dds": "IPTU YOHANES TAEK, S.H."},
    {"sambang_dds": "NRP 75030512"},
]


def test_signature_block_under_the_table_is_ignored_and_listed_in_one_warning() -> None:
    """Issue: "KAPOLSEK NOEMUTI / IPTU … / NRP …" under the data gave "nama desa kosong padahal baris berisi angka"."""
    result = read(edited(_below_table(SIGNATURE), SMALL))
    assert_clean(result)
    warning = only(result.warnings)
    first = excel_row(LAST) + 2
    assert (warning.sheet, warning.row) == ("Kegiatan", first)
    rows = f"{first}, {first + 1}, {first + 4} dan {first + 5}"
    assert warning.message.startswith(f"Baris {rows} hanya berisi teks (tanpa desa dan tanpa angka) dan tidak dibaca:")
    for text in ("Noemuti, 30 September 2024", "KAPOLSEK NOEMUTI", "IPTU YOHANES TAEK, S.H.", "NRP 75030512"):
        assert f'"{text}"' in warning.message


@pytest.mark.parametrize(
    "layout",
    [
        pytest.param([{"desa": "Mengetahui,"}, {"desa": "KAPOLSEK NOEMUTI"}, {"desa": "IPTU YOHANES TAEK"}], id="in-desa-column"),
        pytest.param([{"desa": "KAPOLSEK NOEMUTI", "pangkat": "IPTU", "nrp": "NRP 75030512"}], id="desa-rank-nrp-columns"),
        pytest.param([{"sambang_dds": "NRP", "deteksi_dini": 75030512}], id="nrp-label-then-number"),
        pytest.param([{"sambang_dds": "NRP.", "deteksi_dini": "75030512"}], id="nrp-label-then-number-as-text"),
        pytest.param([{"nama_bhabin": dt.datetime(2024, 9, 30), "sambang_dds": "Kefamenanu,"}], id="date-cell"),
        pytest.param([{"keterangan": "Catatan: data sementara"}], id="note"),
    ],
)
def test_text_under_the_table_in_any_column_is_not_data(layout: list[dict[str, object]]) -> None:
    result = read(edited(_below_table(layout, gap=2), SMALL))
    assert_clean(result)
    warning = only(result.warnings)
    assert "hanya berisi teks" in warning.message and warning.row == excel_row(LAST) + 3


@pytest.mark.parametrize(
    ("cells", "value"),
    [
        pytest.param({"sambang_dds": 12}, "", id="number"),
        pytest.param({"sambang_dds": "12 kali"}, "", id="number-with-unit"),
        pytest.param({"nama_bhabin": "KAPOLSEK", "binluh": 75030512}, "", id="number-without-nrp-label"),
    ],
)
def test_a_row_with_numbers_but_no_desa_stays_an_error(cells: dict[str, object], value: str) -> None:
    result = read(edited(_below_table([cells]), SMALL))
    error = only(result.errors)
    row = excel_row(LAST) + 2
    assert (error.sheet, error.row, error.column, error.value) == ("Kegiatan", row, "Desa/Kelurahan", value)
    assert f'Baris {row}, kolom "Desa/Kelurahan": nama desa kosong padahal baris berisi angka' in error.message


def test_unknown_desa_with_text_inside_the_table_is_still_an_error() -> None:
    """Only below the table does a row of text pass as text: inside it, an unknown desa with an officer is an error."""
    result = read(edited(set_value("kegiatan", "desa", 1, "Kampung Baru"), SMALL))
    error = only(result.errors)
    assert error.row == excel_row(1) and "tidak dikenal" in error.message


def test_a_name_alone_in_the_desa_column_that_is_no_desa_is_listed_not_guessed() -> None:
    edit = both(*(set_value("kegiatan", k, 2, None) for k in [i.key for i in reference.sheet_indicators("kegiatan")] if k != "desa"),
                set_value("kegiatan", "desa", 2, "Desa Contoh Lama"))
    result = read(edited(edit, SMALL))
    assert result.errors == []
    listed = only(result.warnings, row=excel_row(2))
    assert '"Desa Contoh Lama"' in listed.message
    missing = only(result.warnings, value=sorted(reference.desa_of(SMALL)["nama"])[2])  # its own desa: not in the file
    assert "tidak ada di lembar Kegiatan" in missing.message


# --------------------------------------------------------------------------- letters after a number


@pytest.mark.parametrize(
    ("key", "written", "message"),
    [
        ("binluh", "1O", 'Baris 9, kolom "Binluh (kali)": "1O" bukan angka; maksudnya 10?'),
        ("binluh", "5a", 'Baris 9, kolom "Binluh (kali)": "5a" bukan angka; isi dengan bilangan bulat, misalnya 12, atau kosongkan/- untuk nol.'),
        ("sambang_dds", "3 orang", 'Baris 9, kolom "Sambang / DDS (kali)": "3 orang" bukan angka untuk kolom ini ("orang"; satuan kolom ini kali)'),
        ("peserta_sosialisasi", "40 kali", 'Baris 9, kolom "Peserta Sosialisasi (orang)": "40 kali" bukan angka untuk kolom ini'),
        ("ps_ditangani", "2 kasus baru", 'Baris 9, kolom "Problem Solving Ditangani (kasus)": "2 kasus baru" bukan angka'),
    ],
)
def test_letters_after_a_number_are_an_error_quoting_the_cell(key: str, written: str, message: str) -> None:
    """Issue: "5a" was read as 5, "1O" as 1."""
    result = read(edited(set_value("kegiatan", key, LAST, written), SMALL))
    error = only(result.errors)
    assert (error.row, error.value) == (9, written)
    assert error.message.startswith(message), error.message
    assert pd.isna(result.kegiatan.set_index("excel_row").loc[9, key])  # never a number nobody wrote


@pytest.mark.parametrize(
    ("key", "written", "number"),
    [("sambang_dds", "12 kali", 12), ("peserta_sosialisasi", "3 orang", 3), ("ps_ditangani", "2 kasus", 2),
     ("pos_kamling", "4 unit", 4), ("deteksi_dini", "1 laporan", 1), ("gangguan_kamtibmas", "2 kejadian", 2),
     ("binluh", "3x", 3)],
)
def test_a_number_with_its_columns_unit_word_is_read(key: str, written: str, number: int) -> None:
    result = read(edited(set_value("kegiatan", key, LAST, written), SMALL))
    assert result.errors == []
    assert result.kegiatan.set_index("excel_row").loc[9, key] == number


# --------------------------------------------------------------------------- plausible maximum per desa and month


@pytest.mark.parametrize(
    ("key", "written", "shown", "limit"),
    [
        ("sambang_dds", 12000, "12000", "600"),
        ("sambang_dds", 1e20, "100000000000000000000", "600"),
        ("sambang_dds", 5e18, "5000000000000000000", "600"),
        ("deteksi_dini", "081234567890", "081234567890", "200"),
        ("peserta_sosialisasi", 25000, "25000", "20.000"),
    ],
)
def test_a_count_beyond_the_plausible_maximum_is_an_error_naming_the_cell(key: str, written: object, shown: str, limit: str) -> None:
    """Hostile-input issue: 1e20 or a phone number passed preview and crashed the save with an English traceback."""
    result = read(edited(set_value("kegiatan", key, LAST, written), SMALL))
    error = only(result.errors)
    title = reference.indicator("kegiatan", key).header
    assert (error.sheet, error.row, error.column) == ("Kegiatan", 9, title)
    assert error.message == f'Baris 9, kolom "{title}": {shown} melebihi batas wajar {limit} per desa per bulan. Periksa angkanya.'


def test_kerawanan_counts_are_bounded_too() -> None:
    result = read(edited(set_value("kerawanan", "tps", 0, 100_000), BIG))
    error = only(result.errors, column="Jumlah TPS")
    assert "melebihi batas wajar 60" in error.message


def test_values_of_a_retyped_file_are_bounded_as_in_the_template() -> None:
    rows = data_rows(SMALL, "kegiatan")
    rows[0][col_index("kegiatan", "linmas")] = "1.000.000"
    result = read_small(kegiatan_file(rows=rows))
    error = only(result.errors)
    assert error.row == HEADER_ROW - 2 and "melebihi batas wajar 1.000" in error.message and error.value == "1.000.000"
    assert headers("kegiatan")[col_index("kegiatan", "linmas")] == error.column


@pytest.mark.parametrize(
    "layout",
    [
        pytest.param([{"1": 6}, {"1": 7}, {"1": "(8)"}], id="numbered-empty-rows"),
        pytest.param([{"1": 6, "sambang_dds": "-", "binluh": "-"}, {"1": 7, "sambang_dds": "nihil"}], id="dashed-empty-rows"),
        pytest.param([{"kecamatan": "KECAMATAN INSANA UTARA"}], id="kecamatan-heading-in-its-column"),
        pytest.param([{"kecamatan": "Insana Utara"}], id="kecamatan-name-alone"),
    ],
)
def test_structure_under_the_table_is_no_text_to_report(layout: list[dict[str, object]]) -> None:
    result = read(edited(_below_table(layout), SMALL))
    assert_clean(result)
    assert result.warnings == []
