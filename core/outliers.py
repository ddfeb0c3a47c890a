"""Counts far outside a desa's own history, as warnings a clerk can act on (spec section 5; DHIS2's practice).

The rule is the contract's: more than 3 x the median of the desa's last 6 months and at least 10 above
it. Following DHIS2's outlier detection, a median needs enough history to mean anything (`MIN_MONTHS`
reported months), the absolute floor keeps small counts quiet, and a file gets at most `MAX_SHOWN`
warnings, the farthest out first (distance from the median measured against the indicator's plausible
maximum, so people and visits compare), then one line counting the rest.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from core import fmt, reference
from core.issues import History, ImportResult, Issue

FACTOR = 3
MIN_ABOVE = 10
MONTHS = 6
MIN_MONTHS = 3
MAX_SHOWN = 5


@dataclass(frozen=True)
class Outlier:
    excel_row: int
    desa_kode: str
    key: str
    value: int
    median: float
    months: int

    @property
    def distance(self) -> float:
        """How far out: the step above the median as a share of the plausible maximum (then as a multiple of the median)."""
        maks = reference.indicator("kegiatan", self.key).maks or 1
        return (self.value - self.median) / maks


def find(kegiatan: pd.DataFrame, history: History, bulan: str | None) -> list[Outlier]:
    """Every count of the file beyond the rule, farthest out first."""
    if history.counts.empty or bulan is None or kegiatan.empty:
        return []
    past = history.counts[history.counts["bulan"] < bulan]
    recent = sorted(past["bulan"].unique())[-MONTHS:]
    past = past[past["bulan"].isin(recent)].dropna(subset=["value"])
    grouped = past.groupby(["desa_kode", "key"])["value"]
    medians, months = grouped.median(), grouped.count()
    found = []
    for key in reference.count_keys("kegiatan"):
        if key not in kegiatan:
            continue
        for row in kegiatan[["excel_row", "desa_kode", key]].itertuples(index=False):
            value = row[2]
            median = medians.get((row.desa_kode, key))
            if median is None or value is None or pd.isna(value) or months.get((row.desa_kode, key), 0) < MIN_MONTHS:
                continue
            value = int(value)
            if value > FACTOR * median and value - median >= MIN_ABOVE:
                found.append(Outlier(int(row.excel_row), row.desa_kode, key, value, float(median), int(months[(row.desa_kode, key)])))
    return sorted(found, key=lambda o: (-o.distance, -(o.value / max(o.median, 1)), o.excel_row))


def warn(result: ImportResult, history: History, titles: dict[str, str]) -> None:
    """Add the outlier warnings of `result.kegiatan` (at most MAX_SHOWN, then one line for the rest)."""
    found = find(result.kegiatan, history, result.bulan)
    names = reference.desa().set_index("kode")["nama"]
    for outlier in found[:MAX_SHOWN]:
        label = titles.get(outlier.key) or reference.indicator("kegiatan", outlier.key).header
        median = fmt.number(outlier.median, 0 if float(outlier.median).is_integer() else 1)
        result.warnings.append(
            Issue("Kegiatan", outlier.excel_row, label, str(outlier.value),
                  f"Baris {outlier.excel_row}: {label} {names.get(outlier.desa_kode, '')} = {fmt.number(outlier.value)}, "
                  f"jauh di atas biasanya (median {outlier.months} bulan terakhir {median}). Periksa apakah angka ini benar.")
        )
    rest = found[MAX_SHOWN:]
    if rest:
        rows = sorted({o.excel_row for o in rest})
        listed = ", ".join(str(r) for r in rows[:10]) + (", \u2026" if len(rows) > 10 else "")
        result.warnings.append(
            Issue("Kegiatan", rows[0], "", "",
                  f"\u2026 dan {fmt.number(len(rest))} nilai lain di luar kebiasaan desanya (baris {listed}). "
                  "Periksa juga angka-angka itu.")
        )
