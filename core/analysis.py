"""Month-over-month analysis for the Anev screens: trends, KPI changes, scorecards, league tables, findings.

Everything works on the multi-month desa table of `metrics.desa_month` (one row per desa and month,
latest versions only) and returns plain DataFrames or dicts, so screens, exports and tests share it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from core import fmt, measures, metrics, reference
from core.months import add_months
from core.reference import Measure


def monthly_series(desa: pd.DataFrame, months: list[str]) -> pd.DataFrame:
    """Every measure of the catalogue per month (`core.measures.series`); months without data stay NaN."""
    return measures.series(desa, months)


@dataclass
class Kpi:
    """One KPI card: this month, the change against last month (like with like) and against the same month last year."""

    key: str
    label: str
    short: str
    measure: Measure
    value: float | None
    previous: measures.Change
    last_year: measures.Change

    @property
    def vs_previous(self) -> float | None:
        return self.previous.change

    @property
    def vs_last_year(self) -> float | None:
        return self.last_year.change


def kpis(desa: pd.DataFrame, bulan: str) -> list[Kpi]:
    """The catalogue's KPI cards (`tampil` kpi) for a month against the previous month and the same month last year."""
    previous, last_year = add_months(bulan, -1), add_months(bulan, -12)
    cards = []
    for measure in reference.shown("kpi"):
        now = measures.compare(desa, measure.key, bulan, previous)
        cards.append(Kpi(measure.key, measure.label, measure.short, measure, now.value, now,
                         measures.compare(desa, measure.key, bulan, last_year)))
    return cards


# --------------------------------------------------------------------------- scorecard and league tables

SCORE_THRESHOLDS = (1.0, 0.6)  # >= 100% of target green, >= 60% yellow, else red


def scorecard(desa: pd.DataFrame, bulan: str, by: str = "polsek") -> pd.DataFrame:
    """Per group: each Indeks Kinerja component's attainment, the per-desa score capped at the target and averaged.

    The same capping as the index (component points / weight), so one desa far above target cannot hide three
    below it. Also `<komponen>__kurang`: how many desa of the group are under target on that component.
    """
    month = desa[(desa["bulan"] == bulan) & desa["_ada_kegiatan"]] if "bulan" in desa.columns else desa[desa["_ada_kegiatan"]]
    comps = reference.components("kinerja", bulan)
    rows = {}
    for group, frame in month.groupby(by):
        values: dict[str, float] = {}
        for comp in comps:
            attained = frame[f"kinerja_{comp.komponen}"].astype(float) / comp.bobot if comp.bobot else pd.Series(np.nan, index=frame.index)
            values[comp.komponen] = float(attained.mean())
            values[f"{comp.komponen}__kurang"] = int((attained < 1 - 1e-9).sum())
        values["indeks_kinerja"] = float(frame["indeks_kinerja"].mean())
        values["desa"] = len(frame)
        rows[group] = values
    result = pd.DataFrame.from_dict(rows, orient="index")
    result.index.name = by
    return result


def score_colour(value: float | None) -> str:
    """`hijau`, `kuning` or `merah` against the target (1.0 = met)."""
    if value is None or pd.isna(value):
        return "abu"
    if value >= SCORE_THRESHOLDS[0] - 1e-9:
        return "hijau"
    if value >= SCORE_THRESHOLDS[1]:
        return "kuning"
    return "merah"


def officer_history(desa: pd.DataFrame) -> pd.DataFrame:
    """Indeks Kinerja per officer (NRP) and month: the mean of his desa rows."""
    reported = desa[desa["_ada_kegiatan"] & desa["nrp"].notna()]
    if reported.empty:
        return pd.DataFrame(columns=["nrp", "bulan", "indeks_kinerja", "kategori_kinerja"])
    history = reported.groupby(["nrp", "bulan"], as_index=False)["indeks_kinerja"].mean()
    history["kategori_kinerja"] = history["indeks_kinerja"].map(metrics.kategori_kinerja)
    return history


def kurang_streak(history: pd.DataFrame, bulan: str) -> pd.Series:
    """Per NRP: how many consecutive months up to `bulan` the officer was in category Kurang."""
    if history.empty:
        return pd.Series(dtype="int64")
    pivot = history.pivot(index="nrp", columns="bulan", values="kategori_kinerja")
    months = [m for m in sorted(pivot.columns, reverse=True) if m <= bulan]  # newest first
    kurang = (pivot[months] == "Kurang").to_numpy(dtype=bool)
    # a run of Kurang counted back from `bulan`: the row's leading Trues (cumprod stops at the first False)
    return pd.Series(np.cumprod(kurang, axis=1).sum(axis=1), index=pivot.index, dtype="int64")


def officer_league(desa: pd.DataFrame, bulan: str) -> pd.DataFrame:
    """Officers of the month ranked by Indeks Kinerja, with components, trend against last month and Kurang streak."""
    month = desa[(desa["bulan"] == bulan) & desa["_ada_kegiatan"] & desa["nrp"].notna()]
    columns = ["nrp", "nama_bhabin", "pangkat", "polsek", "desa_binaan", "jumlah_desa", "indeks_kinerja", "kategori_kinerja",
               "indeks_bulan_lalu", "tren", "bulan_kurang"]
    if month.empty:
        return pd.DataFrame(columns=columns)
    component_cols = [c for c in month.columns if c.startswith("kinerja_")]
    by_nrp = month.groupby("nrp")
    league = by_nrp[["nama_bhabin", "pangkat", "polsek"]].first()
    league["desa_binaan"] = by_nrp["desa"].agg(lambda s: ", ".join(sorted(s)))
    league["jumlah_desa"] = by_nrp.size()
    league = league.join(by_nrp[["indeks_kinerja", *component_cols]].mean())
    history = officer_history(desa)
    previous = history[history["bulan"] == add_months(bulan, -1)].set_index("nrp")["indeks_kinerja"]
    league["indeks_bulan_lalu"] = previous.reindex(league.index)
    delta = league["indeks_kinerja"] - league["indeks_bulan_lalu"]
    league["tren"] = np.select([delta > 2, delta < -2], ["\u2191", "\u2193"], "\u2192")
    league.loc[league["indeks_bulan_lalu"].isna(), "tren"] = "baru"
    league["kategori_kinerja"] = league["indeks_kinerja"].map(metrics.kategori_kinerja)
    league["bulan_kurang"] = kurang_streak(history, bulan).reindex(league.index).fillna(0).astype("int64")
    league = league.reset_index().sort_values("indeks_kinerja", ascending=False).reset_index(drop=True)
    return league[columns[:8] + component_cols + columns[8:]]


# --------------------------------------------------------------------------- findings for the meeting

#: A drop worth a finding: a count falling by at least this share, a percentage or index by at least these points.
DROP_SHARE = 0.15
DROP_POINTS = 10.0
#: Names listed in one finding sentence before "dan N lainnya".
NAMES_IN_FINDING = 6


@dataclass
class Finding:
    """One line of "Catatan untuk Anev", with what an arahan made from it would be about."""

    jenis: str  # laporan, penurunan, kerawanan, kinerja, arahan
    tingkat: str  # tinggi, sedang
    teks: str
    polsek: tuple[str, ...] = ()  # the Polsek it concerns (empty: all)
    ukuran: str | None = None  # the measure it concerns, for an arahan's target


def needs_coaching(league: pd.DataFrame, months: int = 2) -> pd.DataFrame:
    """Officers Kurang `months` months running or more, worst first: longest run, then lowest index."""
    if league.empty:
        return league
    flagged = league[league["bulan_kurang"] >= months]
    return flagged.sort_values(["bulan_kurang", "indeks_kinerja", "nama_bhabin"], ascending=[False, True, True]).reset_index(drop=True)


def officer_name(row: object) -> str:
    """`Bripka Yohanes Taolin` (rank and name as the roll shows them)."""
    rank = getattr(row, "pangkat", None)
    rank = "" if rank is None or pd.isna(rank) else f"{rank} "
    return f"{rank}{row.nama_bhabin}"


def findings(desa: pd.DataFrame, completeness: pd.DataFrame, bulan: str, polsek: str | None = None) -> list[Finding]:
    """Findings computed from the data, worded for the meeting, most serious first. `desa` is already scoped."""
    notes: list[Finding] = []
    month_label = fmt.month(bulan)

    status = completeness[completeness["bulan"] == bulan]
    if polsek:
        status = status[status["polsek"] == polsek]
    missing = list(status.loc[status["status"] == "belum", "polsek"])
    late = list(status.loc[status["status"] == "terlambat", "polsek"])
    if missing:
        notes.append(Finding("laporan", "tinggi", f"Belum mengirim rekap {month_label}: {', '.join(missing)}.", tuple(missing)))
    if late:
        notes.append(Finding("laporan", "sedang", f"Terlambat mengirim rekap {month_label} (lewat tanggal batas): {', '.join(late)}.",
                             tuple(late)))

    previous = add_months(bulan, -1)
    drops = []
    if not desa.empty:
        for measure in reference.shown("temuan"):
            change = measures.compare(desa, measure.key, bulan, previous)
            if change.change is None or change.now_common is None or change.then_common is None:
                continue
            common = "" if change.like_for_like else f", pada {change.polsek_common} Polsek yang melapor di kedua bulan"
            if change.kind == "poin" and -change.change >= DROP_POINTS:
                unit = "poin persen" if measure.is_percent else "poin"
                then, now = (fmt.percent(change.then_common), fmt.percent(change.now_common)) if measure.is_percent else \
                    (fmt.number(change.then_common, 1), fmt.number(change.now_common, 1))
                drops.append((-change.change, measure, f"{measure.label} turun {fmt.number(-change.change)} {unit} ({then} \u2192 {now}){common}"))
            elif change.kind == "persen" and -change.change >= DROP_SHARE * 100:
                drops.append((-change.change, measure, f"{measure.label} turun {fmt.number(-change.change)}% "
                                                       f"({fmt.number(change.then_common)} \u2192 {fmt.number(change.now_common)}){common}"))
    for _, measure, text in sorted(drops, key=lambda d: -d[0])[:3]:
        notes.append(Finding("penurunan", "sedang", f"{text} dibanding {fmt.month(previous)}.", (polsek,) if polsek else (), measure.key))

    if not desa.empty:
        now_rows = desa[(desa["bulan"] == bulan) & desa["_ada_kerawanan"]]
        before_rows = desa[(desa["bulan"] == previous) & desa["_ada_kerawanan"]].set_index("kode")["tingkat_kerawanan"]
        newly = now_rows[(now_rows["tingkat_kerawanan"] == "Sangat Rawan") & now_rows["kode"].isin(before_rows.index)
                         & (now_rows["kode"].map(before_rows) != "Sangat Rawan")]
        if not newly.empty:
            names = ", ".join(f"{r.desa} ({r.polsek.removeprefix('Polsek ')})" for r in newly[["desa", "polsek"]].itertuples())
            notes.append(Finding("kerawanan", "tinggi", f"Desa yang menjadi Sangat Rawan bulan ini: {names}.",
                                 tuple(sorted(set(newly["polsek"])))))

        flagged = needs_coaching(officer_league(desa, bulan))
        if not flagged.empty:
            people = [f"{officer_name(r)} ({r.polsek.removeprefix('Polsek ')}, {r.bulan_kurang} bulan)" for r in flagged.itertuples()]
            shown = ", ".join(people[:NAMES_IN_FINDING])
            rest = f", dan {len(people) - NAMES_IN_FINDING} lainnya (daftar lengkap di layar Kinerja Bhabinkamtibmas)" \
                if len(people) > NAMES_IN_FINDING else ""
            notes.append(Finding("kinerja", "tinggi", f"{len(people)} Bhabinkamtibmas berkategori Kurang dua bulan berturut-turut "
                                                      f"atau lebih: {shown}{rest}.", tuple(sorted(set(flagged["polsek"]))),
                                 "indeks_kinerja"))
    order = {"tinggi": 0, "sedang": 1}
    return sorted(notes, key=lambda f: order[f.tingkat])


def coverage_per_polsek(desa: pd.DataFrame, bulan: str) -> pd.DataFrame:
    """Desa reported per Polsek for a month against the desa of its area."""
    total = reference.desa().groupby("polsek").size()
    month = desa[(desa["bulan"] == bulan) & desa["_ada_kegiatan"]] if not desa.empty else desa
    reported = month.groupby("polsek").size() if not month.empty else pd.Series(dtype="int64")
    frame = pd.DataFrame({"desa_total": total, "desa_melapor": reported.reindex(total.index).fillna(0).astype("int64")})
    frame["persen"] = frame["desa_melapor"] / frame["desa_total"] * 100
    frame.index.name = "polsek"
    return frame.reset_index()
