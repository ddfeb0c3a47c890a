"""The one interpreter of `data/indeks.csv`: component points of Indeks Kinerja, Indeks Kesiapan and Skor Kerawanan.

Each month is scored with the weight set in force then (`berlaku_sejak`), so a new set never rewrites the past.
The same component points feed the indices, the league table's components and the scorecard's capped attainment
(points / weight), so the screens can never disagree with the index. Pure pandas; no Streamlit, no database.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from core import reference
from core.reference import Component

TPS_CLASSES = {"kurang_rawan": "tps_kurang_rawan", "rawan": "tps_rawan", "sangat_rawan": "tps_sangat_rawan"}


def _values(frame: pd.DataFrame, column: str) -> pd.Series:
    """A column as floats (missing = NaN); a column the frame lacks is all NaN."""
    if column not in frame.columns:
        return pd.Series(np.nan, index=frame.index)
    return pd.to_numeric(frame[column].astype(object).where(frame[column].notna(), np.nan), errors="coerce").astype(float)


def _flag(frame: pd.DataFrame, column: str) -> pd.Series:
    return _values(frame, column).fillna(0) > 0


def component_points(frame: pd.DataFrame, comp: Component) -> pd.Series:
    """Points (0..weight) of one component for every row. Missing counts score as zero."""
    kosong = 0.0 if comp.nilai_kosong is None else comp.nilai_kosong
    if comp.rumus == "capaian":
        actual = sum(_values(frame, c).fillna(0) for c in comp.kolom.split("+"))
        return np.minimum(actual / comp.target, 1.0) * comp.bobot
    if comp.rumus == "rasio":
        num, den = comp.kolom.split("/")
        numerator, denominator = _values(frame, num).fillna(0), _values(frame, den).fillna(0)
        ratio = pd.Series(np.where(denominator > 0, numerator / denominator.where(denominator > 0, 1), kosong), index=frame.index)
        return np.minimum(ratio / comp.target, 1.0) * comp.bobot
    if comp.rumus == "ya":
        return _flag(frame, comp.kolom).astype(float) * comp.bobot
    if comp.rumus == "minimal":
        return (_values(frame, comp.kolom).fillna(0) >= comp.target).astype(float) * comp.bobot
    if comp.rumus == "linmas":
        num, den = comp.kolom.split("/")
        tps = _values(frame, den)
        need = tps.fillna(0) * comp.target
        ratio = pd.Series(np.where(need > 0, _values(frame, num).fillna(0) / need.where(need > 0, 1), kosong), index=frame.index)
        # TPS unknown (no Kerawanan row): readiness not shown is not readiness
        return (np.minimum(ratio, 1.0) * comp.bobot).where(tps.notna(), 0.0)
    if comp.rumus == "tps_terpetakan":
        tps = _values(frame, comp.kolom)
        classified = sum(_values(frame, c).fillna(0) for c in TPS_CLASSES.values())
        return ((classified == tps) & tps.notna()).astype(float) * comp.bobot
    raise ValueError(f"rumus tidak dikenal: {comp.rumus}")  # unreachable: schemas.RUMUS is checked at load


def _score_set(frame: pd.DataFrame, comps: list[Component]) -> pd.DataFrame:
    points = pd.DataFrame({comp.komponen: component_points(frame, comp) for comp in comps}, index=frame.index)
    points["total"] = points.sum(axis=1)
    return points


def scores(frame: pd.DataFrame, indeks: str, bulan: str | None = None) -> pd.DataFrame:
    """Component points and their total (0-100) for every row, for one index.

    Rows carrying a `bulan` column are scored month by month with the weight set in force in their month;
    otherwise `bulan` (or the newest set) applies. Components that a month's set lacks stay NaN for that month.
    """
    if "bulan" in frame.columns and bulan is None and not frame.empty:
        in_force = frame["bulan"].map(lambda m: reference.weight_set_for(indeks, m))
        parts = [_score_set(rows, reference.component_set(indeks, since)) for since, rows in frame.groupby(in_force, sort=False)]
        return pd.concat(parts).reindex(frame.index)
    return _score_set(frame, reference.components(indeks, bulan))


def weight_note(indeks: str, bulan: str) -> str:
    """Which weight set scored `bulan`, for a caption: `Bobot dan target berlaku sejak Januari 2025`."""
    from core import fmt

    since = reference.weight_set_for(indeks, bulan)
    return "Bobot dan target bawaan (berlaku sejak awal)" if not since else f"Bobot dan target berlaku sejak {fmt.month(since)}"
