"""Text normalisation shared by header matching, desa matching and number parsing."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_APOSTROPHES = re.compile(r"['\u2018\u2019`\u00b4]")
_DESA_PREFIX = re.compile(r"^(?:(?:desa|kel|kelurahan|ds)\s+)+")
_HEADER_PREFIX = re.compile(r"^(jml|jumlah|jlh|banyaknya|total)\s+(?=\S)")
#: Units clerks write after a header without brackets (`Sambang DDS kali`, `FKPM Aktif Y/T`).
_HEADER_UNIT = re.compile(r"\s+(kali|laporan|kasus|orang|unit|kejadian|buah|ya tidak|y t|ya t)$")
#: Two or more single letters separated by spaces (after `normalise_header`, dots are spaces too).
_SPACED_LETTERS = re.compile(r"\b[a-z](?: [a-z])+\b")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def fold(value: object) -> str:
    """Lower-case ASCII text with accents removed and whitespace collapsed."""
    text = unicodedata.normalize("NFKD", str(value))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.lower().split())


def normalise_header(value: object) -> str:
    """Header text reduced to words: no case, units in brackets, punctuation or line breaks."""
    text = _BRACKETS.sub(" ", fold(value))
    text = _APOSTROPHES.sub("", text)
    return " ".join(_NON_ALNUM.sub(" ", text).split())


def join_spaced_letters(text: str) -> str:
    """Letters typed apart joined again: `n r p` -> `nrp`, `sambang d d s` -> `sambang dds` (text already normalised)."""
    return _SPACED_LETTERS.sub(lambda m: m.group(0).replace(" ", ""), text)


def header_forms(value: object) -> list[str]:
    """The header as written, with spaced or dotted letters joined, without a counting prefix, then without a unit.

    `Jml Sambang` -> `sambang`; `Sambang DDS kali` -> `sambang dds`; `N R P` and `N.R.P` -> `nrp`.
    """
    return list(_header_forms(str(value)))  # everything below reads the value as text: cache on the text


@lru_cache(maxsize=8192)
def _header_forms(value: str) -> tuple[str, ...]:
    """`header_forms` of a text, remembered: a header search compares every cell of the top rows with every variant."""
    base = normalise_header(value)
    forms = [base]
    joined = join_spaced_letters(base)
    if joined != base:
        forms.append(joined)
    for form in list(forms):
        stripped = _HEADER_PREFIX.sub("", form)
        if stripped != form:
            forms.append(stripped)
    for form in list(forms):
        stripped = _HEADER_UNIT.sub("", form)
        if stripped and stripped != form:
            forms.append(stripped)
    return tuple(forms)


def normalise_name(value: object) -> str:
    """A place name for matching: `Desa Sa'tab`, `SATAB` and `Sa tab` all become `satab`."""
    text = _APOSTROPHES.sub("", fold(value))
    text = " ".join(_NON_ALNUM.sub(" ", text).split())
    text = _DESA_PREFIX.sub("", text)
    return text.replace(" ", "")


def clean_text(value: object) -> str:
    """Free text from a user: control characters removed, outer whitespace trimmed."""
    if value is None:
        return ""
    return _CONTROL.sub("", str(value)).strip()
