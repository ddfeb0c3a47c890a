"""One cell read as what its author wrote, or refused with the reason (`core.cells`, spec section 5 "Numbers")."""

from __future__ import annotations

import datetime as dt
import math
import shutil

import pytest

from core import config, reference
from core.cells import NoResult, ValueProblem, holds_number, parse_bool, parse_count, parse_nrp, unit_words
from core.schemas import ReferenceDataError

# --------------------------------------------------------------------------- a number and its column's own unit

UNIT_OF = {i.key: i.unit for i in reference.indicators() if i.tipe == "angka"}

ACCEPTED = [
    # (written, unit of the column, number)
    ("12 kali", "kali", 12),
    ("12kali", "kali", 12),
    ("12 KALI", "kali", 12),
    ("12 kali.", "kali", 12),
    ("3 orang", "orang", 3),
    ("2 kasus", "kasus", 2),
    ("4 unit", "unit", 4),
    ("1 laporan", "laporan", 1),
    ("2 kejadian", "kejadian", 2),
    ("5 TPS", "TPS", 5),
    # variants in data/satuan_varian.csv
    ("3x", "kali", 3),
    ("3 x", "kali", 3),
    ("3 kl", "kali", 3),
    ("40 org", "orang", 40),
    ("2 buah", "unit", 2),
    # plain numbers in any column
    ("12", None, 12),
    (" 12 ", "kali", 12),
    ("1.234", "orang", 1234),
    ("7,0", "kali", 7),
    (12.0, "kali", 12),
    ("-", "kali", 0),
    ("", "kali", 0),
    (None, "kali", 0),
]


@pytest.mark.parametrize(("written", "unit", "number"), ACCEPTED, ids=[f"{w!r}@{u}" for w, u, _ in ACCEPTED])
def test_a_number_followed_by_its_own_unit_word_is_that_number(written: object, unit: str | None, number: int) -> None:
    assert parse_count(written, unit) == number


REFUSED = [
    # (written, unit, fragment of the reason): letters that are not the column's unit are never dropped
    ("5a", "kali", "bukan angka; isi dengan bilangan bulat"),
    ("1O", "kali", "bukan angka; maksudnya 10?"),
    ("1o", "kali", "maksudnya 10?"),
    ("l2", "kali", "maksudnya 12?"),
    ("2O0", "orang", "maksudnya 200?"),
    ("3 orang", "kali", 'bukan angka untuk kolom ini ("orang"; satuan kolom ini kali)'),
    ("12 kali", "orang", 'bukan angka untuk kolom ini ("kali"; satuan kolom ini orang)'),
    ("12 kali", None, "kolom ini tanpa satuan"),
    ("12 kali kunjungan", "kali", "bukan angka"),
    ("5 desa", "kali", "bukan angka"),
    ("1e20", "kali", "bukan angka"),
    ("12/3", "kali", "bukan angka"),
    ("dua", "kali", "bukan angka"),
    ("2,5", "kali", "bilangan bulat"),
    ("-3", "kali", "tidak boleh negatif"),
    (-3, "kali", "tidak boleh negatif"),
    (2.5, "kali", "bilangan bulat"),
    (True, "kali", "Ya/Tidak"),
    (dt.date(2024, 9, 1), "kali", "tanggal"),
    (dt.timedelta(days=1), "kali", "tanggal"),
    (float("nan"), "kali", "bukan angka yang sah"),
    (float("inf"), "kali", "bukan angka yang sah"),
    (NoResult("SUM(G9:J9)"), "kali", "berisi rumus tanpa hasil tersimpan; buka dan simpan ulang di Excel"),
]


@pytest.mark.parametrize(("written", "unit", "fragment"), REFUSED, ids=[f"{w!r}@{u}" for w, u, _ in REFUSED])
def test_anything_else_is_refused_with_the_reason(written: object, unit: str | None, fragment: str) -> None:
    with pytest.raises(ValueProblem) as refused:
        parse_count(written, unit)
    assert fragment in str(refused.value)


def test_units_of_the_catalogue_are_the_words_accepted() -> None:
    """Every count column's unit word is accepted after a number in that column (the catalogue is the source)."""
    assert set(UNIT_OF.values()) == {"kali", "laporan", "kasus", "orang", "unit", "kejadian", "TPS"}
    for key, unit in UNIT_OF.items():
        assert parse_count(f"7 {unit}", unit) == 7, key
        assert unit.lower() in unit_words(unit)


# --------------------------------------------------------------------------- plausible maximum (hostile input)


@pytest.mark.parametrize("written", [1e20, 5e18, 2**63, 2**31, "081234567890", "12.000", 601])
def test_a_count_above_the_catalogues_maximum_is_refused(written: object) -> None:
    maks = reference.indicator("kegiatan", "sambang_dds").maks
    assert maks == 600
    with pytest.raises(ValueProblem, match=r"melebihi batas wajar 600 per desa per bulan\. Periksa angkanya"):
        parse_count(written, "kali", maks)


def test_the_maximum_itself_is_accepted_and_written_the_indonesian_way() -> None:
    assert parse_count(600, "kali", 600) == 600
    with pytest.raises(ValueProblem, match=r"batas wajar 20\.000 per desa"):
        parse_count(20_001, "orang", 20_000)


def test_every_count_of_the_catalogue_has_a_maximum_below_a_database_integer() -> None:
    for item in reference.indicators():
        if item.tipe == "angka":
            assert item.maks is not None and 0 < item.maks < 2**31, item.key


# --------------------------------------------------------------------------- what holds a number (rows without a desa)


@pytest.mark.parametrize(
    ("value", "number"),
    [(12, True), (0, True), (float("nan"), True), ("12", True), ("12 kali", True), (NoResult(), True),
     ("NRP 75030512", False), ("Noemuti, 30 September 2024", False), ("IPTU", False), ("-", False), ("", False),
     (None, False), (dt.datetime(2024, 9, 30), False), ("5a", False), (True, False)],
)
def test_holds_number(value: object, number: bool) -> None:
    assert holds_number(value, "kali") is number


# --------------------------------------------------------------------------- other types: a formula without result is no value


@pytest.mark.parametrize("parse", [parse_bool, parse_nrp], ids=["bool", "nrp"])
def test_formula_without_result_is_no_boolean_and_no_nrp(parse) -> None:
    with pytest.raises(ValueProblem, match="rumus tanpa hasil tersimpan"):
        parse(NoResult("Daftar!B2"))


def test_nan_is_no_boolean() -> None:
    with pytest.raises(ValueProblem, match="Ya atau Tidak"):
        parse_bool(math.nan)


# --------------------------------------------------------------------------- the unit variants file


def test_unit_variants_file_is_checked(tmp_path, monkeypatch) -> None:
    data = tmp_path / "data"
    shutil.copytree(config.data_dir(), data)
    (data / "satuan_varian.csv").write_text("satuan,varian\nkali,x\norang,x\n", encoding="utf-8")
    monkeypatch.setenv("ANEV_DATA_DIR", str(data))
    with pytest.raises(ReferenceDataError, match='baris 3: "x" sudah menjadi varian satuan kali'):
        parse_count("3x", "kali")


def test_without_the_unit_variants_file_only_the_unit_itself_is_accepted(tmp_path, monkeypatch) -> None:
    data = tmp_path / "data"
    shutil.copytree(config.data_dir(), data)
    (data / "satuan_varian.csv").unlink()
    monkeypatch.setenv("ANEV_DATA_DIR", str(data))
    assert parse_count("3 kali", "kali") == 3
    with pytest.raises(ValueProblem):
        parse_count("3x", "kali")
