"""One cell of an uploaded recap read as what its author wrote, or refused with the reason (spec section 5, "Numbers").

A cell is never read as something nobody wrote: `5a` and `1O` are not 5 and 1 (only the column's own unit
word may follow a number: `12 kali`), a count beyond the catalogue's plausible maximum is refused before it
can overflow a database integer, a NaN is no 0, and a formula whose result the file does not hold
(`NoResult`, found by `core.sheetbounds`) is neither 0 nor blank.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from core import config, fmt, reference, schemas
from core.text import fold

#: What a formula without a stored result needs (the clerk's Excel computes and stores it on saving).
FORMULA_PROBLEM = "berisi rumus tanpa hasil tersimpan; buka dan simpan ulang di Excel"
_ZERO_TEXT = {"", "-", "--", "\u2013", "\u2014", "nihil", "nil", "tidak ada", "tdk ada"}
#: A whole number as clerks type it (`12`, `1.234`, `7,0`), then whatever follows it.
_NUMBER_TEXT = re.compile(r"^(-?)\s*(\d{1,3}(?:[.,]\d{3})+|\d+)(?:[.,](\d+))?\s*(.*)$")
#: Letters typed for digits (`1O` for 10, `l2` for 12): only offered as a question, never read.
_DIGIT_LOOKALIKES = str.maketrans({"o": "0", "O": "0", "l": "1", "I": "1"})
_TRUE_TEXT = {"ya", "y", "ada", "v", "\u2713", "\u2714", "\u221a", "x", "1", "true", "yes", "aktif", "benar"}
_FALSE_TEXT = {"tidak", "t", "tidak ada", "tdk", "tdk ada", "0", "false", "no", "n", "-", "tidak aktif", "salah", "belum"}
_NRP_LABEL = re.compile(r"^(nrp|nip)\W*$")


@dataclass(frozen=True)
class NoResult:
    """A formula cell whose result the file does not hold (written by a script, never calculated)."""

    formula: str = ""

    def __str__(self) -> str:
        return f"={self.formula}" if self.formula else "(rumus)"


class ValueProblem(ValueError):
    """A cell value that cannot be read; the message is the Indonesian sentence (without the cell's location)."""


def cell_text(value: object) -> str:
    """A cell as text for matching and messages: `12` for 12.0, "" for empty and for a formula without result."""
    if value is None or isinstance(value, NoResult):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value).strip()


def is_blank(value: object) -> bool:
    """Nothing written: an empty cell (a formula without result is something, only its value is missing)."""
    return not isinstance(value, NoResult) and cell_text(value) == ""


def shown(raw: object) -> str:
    """A cell value inside a message: numbers as they are, text in quotes."""
    if isinstance(raw, NoResult):
        return str(raw)
    text = cell_text(raw)
    return text if re.fullmatch(r"-?\d+(?:[.,]\d+)?", text) else f'"{text}"'


def sentence(problem: object) -> str:
    """A problem's text as the end of a sentence: a full stop unless it already ends with one or a question mark."""
    text = str(problem)
    return text if text.endswith((".", "?", "!")) else f"{text}."


# --------------------------------------------------------------------------- units


_UNIT_VARIANTS = pa.DataFrameSchema(
    {
        "satuan": pa.Column(str, pa.Check.str_length(min_value=1)),
        "varian": pa.Column(str, [pa.Check.str_length(min_value=1), pa.Check.str_matches(r"^[^\d]")]),
    },
    strict=False,
)


def _unit_key(text: str) -> str:
    return fold(text).strip(" .")


@lru_cache(maxsize=4)
def _unit_table(data_dir: Path) -> dict[str, frozenset[str]]:
    """`data/satuan_varian.csv`: unit word -> the words people write for it (`x`, `kl` for kali). Optional file."""
    path = data_dir / "satuan_varian.csv"
    if not path.exists():
        return {}
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8").apply(lambda col: col.str.strip())
    frame = schemas.validate(frame, _UNIT_VARIANTS, "data/satuan_varian.csv")
    owner: dict[str, str] = {}
    problems = []
    for number, (unit, variant) in enumerate(zip(frame["satuan"], frame["varian"], strict=True), start=2):
        key, unit_key = _unit_key(variant), _unit_key(unit)
        if owner.setdefault(key, unit_key) != unit_key:
            problems.append(f'data/satuan_varian.csv baris {number}: "{variant}" sudah menjadi varian satuan {owner[key]}.')
    if problems:
        raise schemas.ReferenceDataError(problems)
    table: dict[str, set[str]] = {}
    for variant, unit in owner.items():
        table.setdefault(unit, set()).add(variant)
    return {unit: frozenset(words) for unit, words in table.items()}


def unit_words(unit: str | None) -> frozenset[str]:
    """The words that may follow a number in a column counted in `unit` (the unit itself and its variants)."""
    if not unit:
        return frozenset()
    key = _unit_key(unit)
    return frozenset({key}) | _unit_table(config.data_dir()).get(key, frozenset())


def _known_units() -> set[str]:
    units = {_unit_key(i.unit) for i in reference.indicators() if i.unit and i.tipe == "angka"}
    for words in _unit_table(config.data_dir()).values():
        units |= words
    return units


# --------------------------------------------------------------------------- counts


def parse_count(value: object, unit: str | None = None, maks: int | None = None) -> int:
    """A whole number >= 0 as written: `12`, `12.0`, ` 12 `, `12 kali` (in a column counted in kali), `-` or empty for 0.

    Refused, with the reason: letters other than the column's unit (`5a`, `1O`: the latter asks "maksudnya 10?"),
    decimals, negatives, dates, Ya/Tidak, NaN, a formula without result, and more than `maks`.
    """
    number = _count(value, unit)
    if maks is not None and number > maks:
        raise ValueProblem(f"melebihi batas wajar {fmt.number(maks)} per desa per bulan. Periksa angkanya")
    return number


def _count(value: object, unit: str | None) -> int:
    if isinstance(value, NoResult):
        raise ValueProblem(FORMULA_PROBLEM)
    if value is None:
        return 0
    if isinstance(value, bool):
        raise ValueProblem("bukan angka (berisi Ya/Tidak); isi dengan bilangan bulat, misalnya 12")
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueProblem("bukan angka yang sah; isi dengan bilangan bulat, misalnya 12")
        if value < 0:
            raise ValueProblem("tidak boleh negatif; isi 0 atau lebih")
        if float(value) != int(value):
            raise ValueProblem("harus bilangan bulat (tanpa desimal)")
        return int(value)
    if isinstance(value, (dt.date, dt.datetime, dt.time, dt.timedelta)):
        raise ValueProblem("berisi tanggal, bukan angka; ubah format sel menjadi Angka")
    text = fold(value).replace("\u00a0", " ")
    if text in _ZERO_TEXT:
        return 0
    match = _NUMBER_TEXT.match(text)
    rest = _unit_key(match.group(4)) if match else ""
    if not match or (rest and rest not in unit_words(unit)):
        raise ValueProblem(_not_a_number(str(value).strip(), rest if match else "", unit))
    sign, whole, decimals, _rest = match.groups()
    if decimals and set(decimals) != {"0"}:
        raise ValueProblem("harus bilangan bulat (tanpa desimal)")
    if sign:
        raise ValueProblem("tidak boleh negatif; isi 0 atau lebih")
    return int(re.sub(r"[.,]", "", whole))


def _not_a_number(written: str, rest: str, unit: str | None) -> str:
    """Why `written` is no count of this column, with the number meant when letters stand for digits (`1O`)."""
    guess = written.translate(_DIGIT_LOOKALIKES)
    if guess != written and re.fullmatch(r"\d+", guess):
        return f"bukan angka; maksudnya {int(guess)}?"
    if rest and rest in _known_units():
        own = f"satuan kolom ini {unit}" if unit else "kolom ini tanpa satuan"
        return f'bukan angka untuk kolom ini ("{rest}"; {own}); tulis angkanya saja, misalnya 12'
    return "bukan angka; isi dengan bilangan bulat, misalnya 12, atau kosongkan/- untuk nol"


def holds_number(value: object, unit: str | None = None) -> bool:
    """True when a cell holds a count (or something meant as one: NaN, a formula without result), not only text.

    Decides whether a row without a desa is data that lost its desa (an error) or a line of text under the table.
    """
    if isinstance(value, NoResult):
        return True
    if isinstance(value, bool) or value is None or isinstance(value, (dt.date, dt.datetime, dt.time, dt.timedelta)):
        return False
    if isinstance(value, (int, float)):
        return True
    if fold(value) in _ZERO_TEXT:
        return False
    try:
        _count(value, unit)
    except ValueProblem:
        return False
    return True


def reads_as_zero(text: str) -> bool:
    """Text written for zero or nothing (`-`, `nihil`, `tidak ada`): in a row without a desa it is no text either."""
    return fold(text).replace("\u00a0", " ") in _ZERO_TEXT


def labels_number(value: object) -> bool:
    """A cell reading `NRP` or `NIP`: the number beside it is an identity (a signature block), not a count."""
    return isinstance(value, str) and bool(_NRP_LABEL.match(fold(value)))


# --------------------------------------------------------------------------- other types


def parse_bool(value: object) -> bool | None:
    """Ya/Tidak in its many spellings; None for an empty cell (the caller decides the default)."""
    if isinstance(value, NoResult):
        raise ValueProblem(FORMULA_PROBLEM)
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        if value in (0, 1):
            return bool(value)
        raise ValueProblem("bukan Ya/Tidak; isi dengan Ya atau Tidak")
    text = fold(value).strip(" .")
    if text == "":
        return None
    if text in _TRUE_TEXT:
        return True
    if text in _FALSE_TEXT:
        return False
    raise ValueProblem("bukan Ya/Tidak; isi dengan Ya atau Tidak")


def parse_nrp(value: object) -> str:
    """An NRP as 8 digits; spaces and dots between digits are tolerated, anything else is refused."""
    if isinstance(value, NoResult):
        raise ValueProblem(FORMULA_PROBLEM)
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    else:
        text = re.sub(r"[\s.]", "", cell_text(value))
    if not re.fullmatch(r"\d{8}", text):
        raise ValueProblem(
            "bukan NRP yang sah: NRP harus 8 angka. "
            "Jika NRP diawali angka 0, ubah format sel menjadi Teks agar angka 0 tidak hilang"
        )
    return text


def parse_rank(value: object) -> str | None:
    """Official rank abbreviation, or None when not recognised."""
    key = fold(value).replace(".", "").strip()
    return reference.ranks().get(key)
