"""One number, time and month style for everything people read: screens, charts, slides, deck, workbook, rapor.

Indonesian conventions: decimal comma and thousands dot (`1.234`, `56,7`), months by name (`September 2024`),
times in the configured zone (WITA, UTC+8 in TTU) with the zone written after them. A missing value is a dash.
"""

from __future__ import annotations

import datetime as dt
import math

from core.months import BULAN_ID

DASH = "\u2013"
#: Plotly `layout.separators`: decimal comma, thousands dot, so hover and tick labels match the cards.
PLOTLY_SEPARATORS = ",."
#: Excel number formats (the workbook stores numbers as numbers; Excel shows them in the reader's locale).
EXCEL_INTEGER = "#,##0"
EXCEL_DECIMAL = "#,##0.0"
EXCEL_PERCENT = '0"%"'
EXCEL_SIGNED_PERCENT = '+0"%";-0"%";0"%"'
EXCEL_SIGNED_POINTS = '+0" poin";-0" poin";0" poin"'


def _missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return bool(value != value) or value is _NA  # NaN and pandas.NA
    except TypeError:  # pandas.NA raises on bool()
        return True


try:  # pandas is always installed with the app; the formatter must not import it eagerly for the CLI's sake
    from pandas import NA as _NA
except ImportError:  # pragma: no cover
    _NA = object()


def number(value: float | int | None, decimals: int = 0) -> str:
    """`1.234`, `56,7`; a dash for a missing value. Rounds half away from zero, as people do on paper."""
    if _missing(value):
        return DASH
    value = float(value)
    if math.isinf(value):
        return DASH
    factor = 10 ** decimals
    rounded = math.floor(abs(value) * factor + 0.5) / factor
    if value < 0 and rounded != 0:
        rounded = -rounded  # no "-0" for a value that rounds to zero
    text = f"{rounded:,.{decimals}f}"
    return text.replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")


def percent(value: float | None, decimals: int = 0) -> str:
    """`72%`, `72,5%` (value already in percent)."""
    return DASH if _missing(value) else f"{number(value, decimals)}%"


def signed(value: float | None, decimals: int = 0, unit: str = "") -> str:
    """`+3%`, `-5 poin`, `0 poin`; zero carries no sign.

    The minus is the ASCII hyphen-minus: Streamlit's KPI cards read the sign from it to colour the delta.
    """
    if _missing(value):
        return DASH
    text = number(abs(float(value)), decimals)
    zero = text.strip("0,") == ""
    sign = "" if zero else ("+" if value > 0 else "-")
    return f"{sign}{text}{unit}"


def printed(text: str) -> str:
    """A change as printed (deck, rapor): `-6%` with the typographic minus `−6%`, which no reader takes for a hyphen."""
    return "\u2212" + text[1:] if text[:1] == "-" and text[1:2].isdigit() else text


def fraction(part: int | float | None, whole: int | float | None) -> str:
    """`8/9`: how many of how many, the same on screen, slide, deck and workbook."""
    if _missing(part) or _missing(whole):
        return DASH
    return f"{number(part)}/{number(whole)}"


def n_of_m(shown: int, total: int, noun: str = "") -> str:
    """`12 dari 52 desa`: what a cut list says about itself."""
    noun = f" {noun}" if noun else ""
    return f"{number(shown)} dari {number(total)}{noun}"


def month(bulan: str | None) -> str:
    """`2024-09` -> `September 2024`."""
    if not bulan:
        return DASH
    year, mon = bulan.split("-")
    return f"{BULAN_ID[int(mon) - 1]} {year}"


def month_short(bulan: str) -> str:
    """`Sep 2024` for chart axes (three letters and the year)."""
    return month(bulan)[:3] + " " + bulan[:4]


def zone_hours() -> int:
    """Hours of the configured zone ahead of UTC (`laporan.zona_waktu_jam`, default 8 = WITA)."""
    from core import reference

    return int(reference.settings().get("laporan", {}).get("zona_waktu_jam", 8))


def zone_name() -> str:
    """WIB, WITA or WIT for the configured offset (UTC+7, +8, +9); `UTC+N` otherwise."""
    hours = zone_hours()
    return {7: "WIB", 8: "WITA", 9: "WIT"}.get(hours, f"UTC{hours:+d}")


def local(when: dt.datetime | None) -> dt.datetime | None:
    """A stored UTC time (naive, as the database keeps it) in the configured zone, still naive."""
    if when is None or _missing(when):
        return None
    if hasattr(when, "to_pydatetime"):
        when = when.to_pydatetime()
    if when.tzinfo is not None:
        when = when.astimezone(dt.UTC).replace(tzinfo=None)
    return when + dt.timedelta(hours=zone_hours())


def when(value: dt.datetime | None) -> str:
    """`05-10-2024 09.30 WITA` from a stored UTC time (Indonesian clock style, dots between hours and minutes)."""
    shown = local(value)
    if shown is None:
        return DASH
    return f"{shown:%d-%m-%Y %H.%M} {zone_name()}"


def date(value: dt.date | None) -> str:
    """`27 November 2024`."""
    if value is None or _missing(value):
        return DASH
    return f"{value.day} {BULAN_ID[value.month - 1]} {value.year}"
