"""Months as `YYYY-MM`: parsing what clerks write and formatting for Indonesian readers."""

from __future__ import annotations

import datetime as dt
import re

from core.text import fold

BULAN_ID = [
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
]

_MONTH_WORDS: dict[str, int] = {}
for _i, _names in enumerate(
    [
        ["januari", "january", "jan"],
        ["februari", "pebruari", "february", "feb", "peb"],
        ["maret", "march", "mar"],
        ["april", "apr"],
        ["mei", "may"],
        ["juni", "june", "jun"],
        ["juli", "july", "jul"],
        ["agustus", "august", "agus", "agt", "aug", "ags"],
        ["september", "sept", "sep"],
        ["oktober", "october", "okt", "oct"],
        ["november", "nopember", "nov", "nop"],
        ["desember", "december", "des", "dec"],
    ],
    start=1,
):
    for _name in _names:
        _MONTH_WORDS[_name] = _i

_WORD_YEAR = re.compile(r"\b([a-z]{3,9})\.?\s*[-',/ ]?\s*(?:tahun\s+|thn\.?\s*|th\.?\s*)?((?:19|20)\d{2})\b")
_ISO = re.compile(r"\b((?:19|20)\d{2})\s*[-_/.]\s*(0?[1-9]|1[0-2])\b")
_NUMERIC = re.compile(r"\b(0?[1-9]|1[0-2])\s*[-_/.]\s*((?:19|20)\d{2})\b")
_COMPACT = re.compile(r"(?<!\d)((?:19|20)\d{2})(0[1-9]|1[0-2])(?!\d)")
#: Kemendagri codes (`53.03.08`, `53.03.08.2015`) look like `08.2015`: never read them as months.
_REGION_CODE = re.compile(r"\b\d{2}\.\d{2}\.\d{2}(?:\.\d{4})?\b")


def is_bulan(value: str) -> bool:
    """True for a well-formed `YYYY-MM`."""
    return bool(re.fullmatch(r"(19|20)\d{2}-(0[1-9]|1[0-2])", value or ""))


def parse_month(value: object) -> str | None:
    """Find one month in free text (`BULAN : SEPTEMBER 2024`, `Sept 2024`, `09/2024`, `2024-09`).

    Returns `YYYY-MM`, or None when no month or more than one different month is written.
    """
    if value is None:
        return None
    if isinstance(value, (dt.date, dt.datetime)):
        return f"{value.year:04d}-{value.month:02d}"
    text = _REGION_CODE.sub(" ", fold(value).replace("_", " "))
    found: set[str] = set()
    for match in _WORD_YEAR.finditer(text):
        month = _MONTH_WORDS.get(match.group(1))
        if month:
            found.add(f"{int(match.group(2)):04d}-{month:02d}")
    for match in _ISO.finditer(text):
        found.add(f"{int(match.group(1)):04d}-{int(match.group(2)):02d}")
    for match in _NUMERIC.finditer(text):
        found.add(f"{int(match.group(2)):04d}-{int(match.group(1)):02d}")
    if not found:
        for match in _COMPACT.finditer(text):
            found.add(f"{match.group(1)}-{match.group(2)}")
    return found.pop() if len(found) == 1 else None


def format_bulan(bulan: str) -> str:
    """`2024-09` -> `September 2024`."""
    year, month = bulan.split("-")
    return f"{BULAN_ID[int(month) - 1]} {year}"


def add_months(bulan: str, delta: int) -> str:
    """Shift a `YYYY-MM` by whole months."""
    year, month = (int(p) for p in bulan.split("-"))
    index = year * 12 + (month - 1) + delta
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def month_range(start: str, end: str) -> list[str]:
    """Every month from start to end inclusive."""
    months = []
    current = start
    while current <= end:
        months.append(current)
        current = add_months(current, 1)
    return months


def current_bulan(today: dt.date | None = None) -> str:
    """The month of today (or of the date given)."""
    today = today or dt.date.today()
    return f"{today.year:04d}-{today.month:02d}"
