"""Header rows as clerks type them (`core.headers`, spec sections 4-5): spaced and dotted abbreviations, unknown
columns listed once, a missing column reported once with the headers that were found (never once per row)."""

from __future__ import annotations

import pytest

from core import reference
from core.headers import key_for
from tests.unit.test_ingest import SMALL, assert_clean, col_index, data_rows, headers, kegiatan_file, only, read_small

SPACED = [
    ("nrp", "N R P"),
    ("nrp", "N.R.P"),
    ("nrp", "N. R. P."),
    ("nrp", "n r p"),
    ("sambang_dds", "D.D.S"),
    ("sambang_dds", "D D S"),
    ("sambang_dds", "Sambang / D.D.S (kali)"),
    ("sambang_dds", "S A M B A N G"),
    ("fkpm_aktif", "F.K.P.M Aktif"),
    ("ps_ditangani", "P.S. Ditangani"),
]


@pytest.mark.parametrize(("key", "written"), SPACED, ids=[w for _, w in SPACED])
def test_spaced_and_dotted_abbreviations_are_recognised(key: str, written: str) -> None:
    assert key_for(written, "kegiatan") == key


@pytest.mark.parametrize(("key", "written"), SPACED, ids=[w for _, w in SPACED])
def test_a_file_with_a_spaced_header_imports_exactly(key: str, written: str) -> None:
    """Issue: a header "N R P" was dropped, and every row then failed "NRP wajib diisi" although every NRP was there."""
    header = headers("kegiatan")
    header[col_index("kegiatan", key)] = written
    result = read_small(kegiatan_file(header=header))
    assert_clean(result)
    assert result.warnings == [] and result.notes == []


@pytest.mark.parametrize("written", ["Desa A B", "N R P X Y Z", "No. HP", "FOTO KEGIATAN"])
def test_no_key_is_made_up_from_letters_that_name_nothing(written: str) -> None:
    assert key_for(written, "kegiatan") is None


def test_unrecognised_headers_are_listed_in_one_warning() -> None:
    header = [*headers("kegiatan"), "FOTO KEGIATAN", "No. HP"]
    rows = [[*row, "foto.jpg", "0812"] for row in data_rows(SMALL, "kegiatan")]
    result = read_small(kegiatan_file(header=header, rows=rows))
    assert_clean(result)
    warning = only(result.warnings)
    assert (warning.sheet, warning.row, warning.value) == ("Kegiatan", 1, "'FOTO KEGIATAN', 'No. HP'")
    assert warning.message.startswith("Kolom tidak dikenali, diabaikan: 'FOTO KEGIATAN', 'No. HP'.")


def test_unrecognised_nrp_header_is_one_error_naming_it_not_one_per_row() -> None:
    """A typo'd NRP header: the column is unknown (one warning) and NRP missing while names are given (one error)."""
    header = headers("kegiatan")
    header[col_index("kegiatan", "nrp")] = "N-R-B"
    result = read_small(kegiatan_file(header=header))
    assert result.status == "invalid"
    error = only(result.errors)
    assert (error.sheet, error.row, error.column) == ("Kegiatan", 1, "NRP")
    assert 'Kolom "NRP" tidak ditemukan di baris judul (baris 1)' in error.message
    assert "NRP wajib untuk setiap Bhabinkamtibmas" in error.message
    assert 'Judul kolom yang ada: "Kecamatan", "Desa/Kelurahan", "Nama Bhabinkamtibmas", "Pangkat", "N-R-B"' in error.message
    assert [w.message for w in result.warnings] == [only(result.warnings).message]
    assert "'N-R-B'" in result.warnings[0].message
    assert not [e for e in result.errors if "wajib diisi" in e.message]


# without its desa column a sheet has no header at all (test_ingest: "Lembar Kegiatan tidak ditemukan")
@pytest.mark.parametrize("key", [i.key for i in reference.sheet_indicators("kegiatan") if i.wajib and i.key != "desa"])
def test_a_missing_required_column_is_one_error_listing_the_headers_found(key: str) -> None:
    header = headers("kegiatan")
    title = header[col_index("kegiatan", key)]
    header[col_index("kegiatan", key)] = "Kolom Bebas"
    result = read_small(kegiatan_file(header=header))
    error = only(result.errors)
    assert (error.column, error.row) == (title, 1)
    assert f'Kolom "{title}" tidak ditemukan di baris judul' in error.message
    assert '"Kolom Bebas"' in error.message and '"Desa/Kelurahan"' in error.message
    assert "Tambahkan kolom ini" in error.message


def test_missing_officer_name_column_is_one_warning_not_one_per_row() -> None:
    header = headers("kegiatan")
    header[col_index("kegiatan", "nama_bhabin")] = "Petugas Lapangan XYZ"
    result = read_small(kegiatan_file(header=header))
    assert result.errors == []
    missing = only(result.warnings, column="Nama Bhabinkamtibmas")
    assert "semua desa tercatat tanpa Bhabinkamtibmas" in missing.message
    assert not [w for w in result.warnings if "tidak punya Bhabinkamtibmas" in w.message]
