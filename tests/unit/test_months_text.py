"""Months as clerks write them, and the text normalisation behind header and desa matching."""

from __future__ import annotations

import datetime as dt

import pytest

from core.months import add_months, current_bulan, format_bulan, is_bulan, month_range, parse_month
from core.text import clean_text, fold, header_forms, normalise_header, normalise_name

MONTHS = [
    ("BULAN : SEPTEMBER 2024", "2024-09"),
    ("Bulan September 2024", "2024-09"),
    ("Sept 2024", "2024-09"),
    ("Sep. 2024", "2024-09"),
    ("SEPT-2024", "2024-09"),
    ("September, 2024", "2024-09"),
    ("BULAN SEPTEMBER TAHUN 2024", "2024-09"),
    ("Bulan Sept. Thn 2024", "2024-09"),
    ("09/2024", "2024-09"),
    ("9/2024", "2024-09"),
    ("09-2024", "2024-09"),
    ("2024-09", "2024-09"),
    ("2024/9", "2024-09"),
    ("202409", "2024-09"),
    ("30/09/2024", "2024-09"),
    ("30.09.2024", "2024-09"),
    ("Rekap_Insana_2024-09", "2024-09"),
    ("rekap_insana_sept_2024", "2024-09"),
    ("Januari 2025", "2025-01"),
    ("Pebruari 2025", "2025-02"),
    ("Februari 2025", "2025-02"),
    ("February 2025", "2025-02"),
    ("Maret 2025", "2025-03"),
    ("March 2025", "2025-03"),
    ("Mei 2024", "2024-05"),
    ("May 2024", "2024-05"),
    ("Juni 2024", "2024-06"),
    ("July 2024", "2024-07"),
    ("Agustus 2024", "2024-08"),
    ("Agt 2024", "2024-08"),
    ("Ags 2024", "2024-08"),
    ("August 2024", "2024-08"),
    ("Oktober 2024", "2024-10"),
    ("Okt 2024", "2024-10"),
    ("October 2024", "2024-10"),
    ("Nopember 2024", "2024-11"),
    ("Nov 2024", "2024-11"),
    ("Desember 2024", "2024-12"),
    ("Des 2024", "2024-12"),
    ("December 2024", "2024-12"),
    ("Periode 1 s/d 30 September 2024", "2024-09"),
    (dt.date(2024, 9, 1), "2024-09"),
    (dt.datetime(2024, 12, 31, 10, 0), "2024-12"),
]


@pytest.mark.parametrize(("text", "bulan"), MONTHS, ids=[str(t) for t, _ in MONTHS])
def test_parse_month(text: object, bulan: str) -> None:
    assert parse_month(text) == bulan


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "2024",
        "REKAP KEGIATAN BHABINKAMTIBMAS",
        "13/2024",
        "Agustus 2024 dan September 2024",  # two months: never guess
        "53.03.08.2015",  # a Kemendagri desa code, not August 2015
        "53.03.08",
        "Tahun Anggaran 2024",
        "NRP 85010000",
    ],
)
def test_parse_month_finds_nothing(text: object) -> None:
    assert parse_month(text) is None


@pytest.mark.parametrize(("bulan", "text"), [("2024-09", "September 2024"), ("2025-01", "Januari 2025"), ("2024-12", "Desember 2024")])
def test_format_bulan(bulan: str, text: str) -> None:
    assert format_bulan(bulan) == text


@pytest.mark.parametrize(
    ("bulan", "delta", "result"),
    [("2024-09", 1, "2024-10"), ("2024-12", 1, "2025-01"), ("2024-01", -1, "2023-12"), ("2024-09", -6, "2024-03"), ("2024-09", 0, "2024-09"),
     ("2024-09", 27, "2026-12")],
)
def test_add_months(bulan: str, delta: int, result: str) -> None:
    assert add_months(bulan, delta) == result


def test_month_range() -> None:
    assert month_range("2024-11", "2025-02") == ["2024-11", "2024-12", "2025-01", "2025-02"]
    assert month_range("2024-09", "2024-09") == ["2024-09"]
    assert month_range("2024-10", "2024-09") == []


@pytest.mark.parametrize(("value", "ok"), [("2024-09", True), ("2024-9", False), ("2024-13", False), ("2024-00", False), ("24-09", False),
                                           ("", False), (None, False), ("2024-09-01", False)])
def test_is_bulan(value: str | None, ok: bool) -> None:
    assert is_bulan(value) is ok


def test_current_bulan() -> None:
    assert current_bulan(dt.date(2026, 11, 30)) == "2026-11"
    assert current_bulan(dt.date(2027, 1, 1)) == "2027-01"
    assert is_bulan(current_bulan())


# --------------------------------------------------------------------------- text


@pytest.mark.parametrize(("value", "folded"), [("  Sa'TAB  ", "sa'tab"), ("Désa\tBaru\n", "desa baru"), (12, "12"), ("ÀÉÎ", "aei")])
def test_fold(value: object, folded: str) -> None:
    assert fold(value) == folded


@pytest.mark.parametrize(
    ("header", "normal"),
    [
        ("Sambang / DDS (kali)", "sambang dds"),
        ("SAMBANG/DDS", "sambang dds"),
        ("Sambang\nDDS\n(kali)", "sambang dds"),
        ("Peserta [orang]", "peserta"),
        ("Hoaks/Ujaran Kebencian (Ya/Tidak)", "hoaks ujaran kebencian"),
        ("Desa/Kel.", "desa kel"),
        ("  NRP  ", "nrp"),
        ("Sa'tab", "satab"),
    ],
)
def test_normalise_header(header: str, normal: str) -> None:
    assert normalise_header(header) == normal


@pytest.mark.parametrize(
    ("header", "forms"),
    [
        ("Sambang DDS", ["sambang dds"]),
        ("Jml Sambang", ["jml sambang", "sambang"]),
        ("Jumlah TPS", ["jumlah tps", "tps"]),
        ("Sambang DDS kali", ["sambang dds kali", "sambang dds"]),
        ("Jml Linmas orang", ["jml linmas orang", "linmas orang", "jml linmas", "linmas"]),
        ("FKPM Aktif Y/T", ["fkpm aktif y t", "fkpm aktif yt", "fkpm aktif"]),
        ("N.R.P", ["n r p", "nrp"]),
        ("Jumlah", ["jumlah"]),
        ("Kali", ["kali"]),
    ],
)
def test_header_forms(header: str, forms: list[str]) -> None:
    assert header_forms(header) == forms


@pytest.mark.parametrize(
    ("name", "normal"),
    [
        ("Sa'tab", "satab"),
        ("SATAB", "satab"),
        ("Sa tab", "satab"),
        ("Sa\u2019tab", "satab"),
        ("Desa Sa'tab", "satab"),
        ("Kel. Maubeli", "maubeli"),
        ("Kelurahan Maubeli", "maubeli"),
        ("DESA/KEL. MAUBELI", "maubeli"),
        ("Ds. Sasi", "sasi"),
        ("N i a n", "nian"),
        ("Manunain A", "manunaina"),
        ("Humusu-A", "humusua"),
        ("Fatu'Ana", "fatuana"),
        ("Desa", "desa"),  # a bare word is not a prefix
    ],
)
def test_normalise_name(name: str, normal: str) -> None:
    assert normalise_name(name) == normal


@pytest.mark.parametrize(
    ("value", "clean"),
    [("  Yohanes \x00Taek\x07 ", "Yohanes Taek"), (None, ""), ("baris\nkedua", "baris\nkedua"), ("tab\tdi tengah", "tab\tdi tengah"), (12, "12")],
)
def test_clean_text(value: object, clean: str) -> None:
    assert clean_text(value) == clean
