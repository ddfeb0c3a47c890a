"""Computing the catalogue's measures over desa rows: sums, ratios of sums, coverage, means, reporting counts.

One definition per measure, used by every screen, slide, deck page, rapor and arahan:
- a sum counts the desa that reported the column's sheet (a missing sheet is unknown, never 0);
- a ratio is recomputed from sums, never averaged;
- a coverage is the share of desa that reported the column's sheet with at least 1;
- `desa` (desa melapor) counts desa present on the Kegiatan sheet; `polsek` counts Polsek with such desa.
Changes against another month compare like with like: only the Polsek that reported in both months.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from core import reference
from core.reference import Measure


def _sheet_flag(frame: pd.DataFrame, column: str) -> pd.Series:
    """True for rows that reported the sheet holding `column` (a desa may send only one of the two sheets)."""
    sheet = next((i.sheet for i in reference.indicators() if i.key == column), "kegiatan")
    flag = "_ada_kerawanan" if sheet == "kerawanan" else "_ada_kegiatan"
    if flag not in frame.columns:
        return pd.Series(True, index=frame.index)
    return frame[flag].astype(bool)


def _numbers(frame: pd.DataFrame, column: str) -> pd.Series:
    """A column as floats, NaN where the desa did not report its sheet."""
    values = pd.to_numeric(frame[column].astype(object).where(frame[column].notna(), np.nan), errors="coerce").astype(float)
    return values.where(_sheet_flag(frame, column))


def linmas_per_tps() -> float:
    """Linmas needed per TPS (`pengamanan_tps.linmas_per_tps`)."""
    return float(reference.settings()["pengamanan_tps"]["linmas_per_tps"])


def table(desa: pd.DataFrame, by: str | list[str] | None = "bulan", keys: list[str] | None = None) -> pd.DataFrame:
    """Every measure (or `keys`) per group of desa rows; a group where a measure cannot be computed is NaN.

    `desa` is `metrics.desa_month` output. `by=None` gives one row for all of `desa` (index 0).
    """
    wanted = [reference.measures()[k] for k in keys] if keys else list(reference.measures().values())
    frame = desa if by is not None else desa.assign(_alle=0)
    group_cols = [by] if isinstance(by, str) else (list(by) if by is not None else ["_alle"])
    if frame.empty:
        return pd.DataFrame(columns=[m.key for m in wanted], index=pd.Index([], name=group_cols[0]))
    kegiatan_rows = frame["_ada_kegiatan"].astype(bool) if "_ada_kegiatan" in frame.columns else pd.Series(True, index=frame.index)
    work = frame[group_cols].copy()
    needed = {c for m in wanted for c in m.columns if m.jenis != "rerata"}
    for column in needed:
        work[column] = _numbers(frame, column)
    for m in wanted:
        if m.jenis == "cakupan":
            values = work[m.kolom]
            work[f"_c_{m.key}"] = (values >= 1).astype(float).where(values.notna())
        if m.jenis == "rerata":
            work[m.kolom] = pd.to_numeric(frame[m.kolom], errors="coerce").astype(float)
    work["_desa"] = kegiatan_rows.astype(float)
    work["_polsek"] = frame["polsek"].where(kegiatan_rows)
    grouped = work.groupby(group_cols, sort=True)
    sums = grouped[[c for c in work.columns if c not in group_cols and not c.startswith("_")]].sum(min_count=1)
    out = pd.DataFrame(index=sums.index)
    for m in wanted:
        if m.jenis == "jumlah":
            out[m.key] = sums[m.kolom]
        elif m.jenis == "rasio":
            above = sum(sums[c] for c in m.numerator)
            out[m.key] = above / sums[m.denominator].where(sums[m.denominator] > 0) * 100
        elif m.jenis == "linmas":
            need = sums[m.denominator] * linmas_per_tps()
            out[m.key] = sums[m.numerator[0]] / need.where(need > 0) * 100
        elif m.jenis == "cakupan":
            out[m.key] = grouped[f"_c_{m.key}"].mean() * 100
        elif m.jenis == "rerata":
            out[m.key] = grouped[m.kolom].mean()
        elif m.jenis == "desa":
            out[m.key] = grouped["_desa"].sum()
        elif m.jenis == "polsek":
            out[m.key] = grouped["_polsek"].nunique()
    if by is None:
        out.index = pd.RangeIndex(len(out))
    return out


def series(desa: pd.DataFrame, months: list[str], keys: list[str] | None = None) -> pd.DataFrame:
    """Measures per month for `months` (index `bulan`); a month without any report is all NaN, with 0 desa and Polsek."""
    frame = table(desa, "bulan", keys).reindex(months)
    frame.index.name = "bulan"
    for key in ("desa_melapor", "polsek_melapor"):
        if key in frame.columns:
            frame[key] = frame[key].fillna(0).astype("int64")
    return frame


def value(desa: pd.DataFrame, key: str) -> float | None:
    """One measure over all of `desa` (for one month), or None when it cannot be computed."""
    if desa.empty:
        return None
    found = table(desa, None, [key]).iloc[0, 0]
    return None if pd.isna(found) else float(found)


def change_kind(measure: Measure) -> str:
    """`poin` for percentages and index points (difference), `persen` for counts (relative change), `` for none."""
    if measure.jenis in ("polsek", "desa"):
        return ""
    if measure.is_percent or measure.jenis == "rerata":
        return "poin"
    return "persen"


@dataclass
class Change:
    """A measure this month against another month, compared on the Polsek that reported in both."""

    key: str
    value: float | None  # this month, all reporting Polsek
    other: float | None  # the other month, all Polsek that reported then
    now_common: float | None  # this month, common Polsek only
    then_common: float | None  # the other month, common Polsek only
    change: float | None  # points or percent (see `kind`); None when not comparable
    kind: str  # poin, persen or ""
    polsek_now: int
    polsek_then: int
    polsek_common: int

    @property
    def like_for_like(self) -> bool:
        """True when both months had the same Polsek reporting (the plain totals are comparable)."""
        return self.polsek_common == self.polsek_now == self.polsek_then


def compare(desa: pd.DataFrame, key: str, bulan: str, other: str) -> Change:
    """`key` in `bulan` against `other`, like with like: the change uses only the Polsek that reported in both."""
    measure = reference.measures()[key]
    kind = change_kind(measure)
    reported = desa[desa["_ada_kegiatan"].astype(bool)] if not desa.empty else desa
    now_rows, then_rows = desa[desa["bulan"] == bulan], desa[desa["bulan"] == other]
    now_polsek = set(reported.loc[reported["bulan"] == bulan, "polsek"])
    then_polsek = set(reported.loc[reported["bulan"] == other, "polsek"])
    common = now_polsek & then_polsek
    now_common = value(now_rows[now_rows["polsek"].isin(common)], key) if common else None
    then_common = value(then_rows[then_rows["polsek"].isin(common)], key) if common else None
    change = None
    if kind and now_common is not None and then_common is not None:
        if kind == "poin":
            change = now_common - then_common
        elif then_common != 0:
            change = (now_common - then_common) / then_common * 100
    return Change(key, value(now_rows, key) if now_polsek else None, value(then_rows, key) if then_polsek else None,
                  now_common, then_common, change, kind, len(now_polsek), len(then_polsek), len(common))
