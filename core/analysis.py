"""Month-over-month analysis for the Anev screens: trends, KPI changes, scorecards, league tables, findings.

Everything works on the multi-month desa table of `metrics.desa_month` (one row per desa and month,
latest versions only) and returns plain DataFrames or dicts, so screens, exports and tests share it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from core import metrics, reference
from core.months import add_months, format_bulan

#: KPI cards of Ringkasan: key -> (label, kind). Kinds: sum, pct (0-100), coverage (% of reporting desa >= 1).
KPI_SPECS: dict[str, tuple[str, str]] = {
    "sambang_dds": ("Sambang/DDS", "sum"),
    "deteksi_dini": ("Deteksi Dini", "sum"),
    "ps_rasio": ("Problem Solving selesai", "pct"),
    "pos_kamling_rasio": ("Pos kamling aktif", "pct"),
    "fkpm_aktif": ("Desa FKPM aktif", "sum"),
    "cakupan_sosialisasi": ("Cakupan sosialisasi", "pct"),
    "cakupan_koordinasi": ("Cakupan koordinasi PPK/PPS", "pct"),
    "polsek_melapor": ("Polsek melapor", "count"),
}


def _percent(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """A ratio of sums in percent; NaN where the denominator is zero (nothing to compare)."""
    return numerator / denominator.where(denominator > 0) * 100


def monthly_series(desa: pd.DataFrame, months: list[str]) -> pd.DataFrame:
    """Per month: sums, ratios recomputed from sums, coverage and mean indices; months without data stay NaN."""
    reported = desa[desa["_ada_kegiatan"]] if not desa.empty else desa
    sum_keys = reference.count_keys() + reference.bool_keys()
    if reported.empty:
        # every column a screen may ask for, all empty: a month without data is a gap, never a zero or a KeyError
        columns = [*sum_keys, "indeks_kinerja", "indeks_kesiapan", "cakupan_sosialisasi", "cakupan_koordinasi",
                   "ps_rasio", "pos_kamling_rasio", "linmas_kebutuhan", "linmas_rasio"]
        frame = pd.DataFrame(np.nan, index=pd.Index(months, name="bulan"), columns=columns)
        frame["desa_melapor"] = 0
        frame["polsek_melapor"] = 0
        return frame
    grouped = reported.groupby("bulan")
    frame = grouped[sum_keys].sum()
    frame["desa_melapor"] = grouped.size()
    frame["polsek_melapor"] = grouped["polsek"].nunique()
    frame["indeks_kinerja"] = grouped["indeks_kinerja"].mean()
    frame["indeks_kesiapan"] = grouped["indeks_kesiapan"].mean()
    frame["cakupan_sosialisasi"] = (reported["sosialisasi_pemilihan"] >= 1).groupby(reported["bulan"]).mean() * 100
    frame["cakupan_koordinasi"] = (reported["koordinasi_penyelenggara"] >= 1).groupby(reported["bulan"]).mean() * 100
    frame["ps_rasio"] = _percent(frame["ps_selesai"], frame["ps_ditangani"])
    frame["pos_kamling_rasio"] = _percent(frame["pos_kamling_aktif"], frame["pos_kamling"])
    frame["linmas_kebutuhan"] = frame["tps"] * reference.settings()["pengamanan_tps"]["linmas_per_tps"]
    frame["linmas_rasio"] = _percent(frame["linmas"], frame["linmas_kebutuhan"])
    frame = frame.reindex(months)
    frame.index.name = "bulan"
    frame["desa_melapor"] = frame["desa_melapor"].fillna(0).astype("int64")
    frame["polsek_melapor"] = frame["polsek_melapor"].fillna(0).astype("int64")
    return frame


@dataclass
class Kpi:
    """One KPI card: this month, previous month, same month last year, and % changes."""

    key: str
    label: str
    kind: str
    value: float | None
    previous: float | None
    last_year: float | None

    @staticmethod
    def _change(now: float | None, then: float | None, kind: str) -> float | None:
        if now is None or then is None or pd.isna(now) or pd.isna(then):
            return None
        if kind == "pct":
            return now - then  # percentage points
        if then == 0:
            return None
        return (now - then) / then * 100

    @property
    def vs_previous(self) -> float | None:
        return self._change(self.value, self.previous, self.kind)

    @property
    def vs_last_year(self) -> float | None:
        return self._change(self.value, self.last_year, self.kind)


def _value(series: pd.DataFrame, bulan: str, key: str) -> float | None:
    if bulan not in series.index or key not in series.columns:
        return None
    if series.loc[bulan, "desa_melapor"] == 0:
        return None
    value = series.loc[bulan, key]
    return None if pd.isna(value) else float(value)


def kpis(series: pd.DataFrame, bulan: str) -> list[Kpi]:
    """KPI cards for a month against the previous month and the same month last year."""
    previous, last_year = add_months(bulan, -1), add_months(bulan, -12)
    return [
        Kpi(key, label, kind, _value(series, bulan, key), _value(series, previous, key), _value(series, last_year, key))
        for key, (label, kind) in KPI_SPECS.items()
    ]


# --------------------------------------------------------------------------- scorecard and league tables

SCORE_THRESHOLDS = (1.0, 0.6)  # >= 100% of target green, >= 60% yellow, else red


def scorecard(desa: pd.DataFrame, by: str = "polsek") -> pd.DataFrame:
    """Achievement of each Indeks Kinerja component against its monthly target, per group (1.0 = target met).

    Sum components compare the group's total with target x reporting desa; ratios are recomputed from sums.
    """
    reported = desa[desa["_ada_kegiatan"]]
    components = reference.index_components()
    components = components[components["indeks"] == "kinerja"]
    rows = {}
    for group, frame in reported.groupby(by):
        values = {}
        n = len(frame)
        for comp in components.itertuples(index=False):
            if comp.rumus == "capaian":
                total = sum(frame[c].sum() for c in comp.kolom.split("+"))
                values[comp.komponen] = total / (comp.target * n)
            elif comp.rumus == "rasio":
                num, den = comp.kolom.split("/")
                denominator = frame[den].sum()
                values[comp.komponen] = frame[num].sum() / denominator if denominator else (comp.nilai_kosong if not pd.isna(comp.nilai_kosong) else 0.0)
            elif comp.rumus == "ya":
                values[comp.komponen] = frame[comp.kolom].mean()
        values["indeks_kinerja"] = frame["indeks_kinerja"].mean()
        rows[group] = values
    result = pd.DataFrame.from_dict(rows, orient="index")
    result.index.name = by
    return result


def score_colour(value: float | None) -> str:
    """`hijau`, `kuning` or `merah` against the target (1.0 = met)."""
    if value is None or pd.isna(value):
        return "abu"
    if value >= SCORE_THRESHOLDS[0]:
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


@dataclass
class Finding:
    """One line of "Catatan untuk Anev"."""

    jenis: str  # laporan, penurunan, kerawanan, kinerja, instruksi
    tingkat: str  # tinggi, sedang
    teks: str


INSTRUCTIONS = {
    "pos_kamling_rasio": "Aktifkan kembali pos kamling (Kam Swakarsa)",
    "fkpm_aktif": "Bangun kembali FKPM",
    "cakupan_koordinasi": "Koordinasi dengan penyelenggara (PPK/PPS)",
    "cakupan_sosialisasi": "Sosialisasi partisipasi pemilihan",
}


def findings(
    desa: pd.DataFrame,
    completeness: pd.DataFrame,
    bulan: str,
    polsek: str | None = None,
    stall_months: int = 3,
) -> list[Finding]:
    """Findings computed from the data, worded for the meeting, most serious first."""
    notes: list[Finding] = []
    scope = desa if polsek is None else desa[desa["polsek"] == polsek]
    month_label = format_bulan(bulan)

    status = completeness[completeness["bulan"] == bulan]
    if polsek:
        status = status[status["polsek"] == polsek]
    missing = list(status.loc[status["status"] == "belum", "polsek"])
    late = list(status.loc[status["status"] == "terlambat", "polsek"])
    if missing:
        notes.append(Finding("laporan", "tinggi", f"Belum mengirim rekap {month_label}: {', '.join(missing)}."))
    if late:
        notes.append(Finding("laporan", "sedang", f"Terlambat mengirim rekap {month_label} (lewat tanggal batas): {', '.join(late)}."))

    months = sorted(scope["bulan"].unique()) if not scope.empty else []
    series = monthly_series(scope, months) if months else pd.DataFrame()
    previous = add_months(bulan, -1)
    if not series.empty and bulan in series.index and previous in series.index and series.loc[previous, "desa_melapor"] > 0 \
            and series.loc[bulan, "desa_melapor"] > 0:
        drops = []
        for key, (label, kind) in KPI_SPECS.items():
            if key == "polsek_melapor":
                continue
            now, then = series.loc[bulan, key], series.loc[previous, key]
            if pd.isna(now) or pd.isna(then):
                continue
            if kind == "pct" and then - now >= 10:
                drops.append((then - now, f"{label} turun {then - now:.0f} poin persen ({then:.0f}% \u2192 {now:.0f}%)"))
            elif kind == "sum" and then > 0 and (then - now) / then >= 0.15:
                drops.append(((then - now) / then * 100, f"{label} turun {(then - now) / then * 100:.0f}% ({then:,.0f} \u2192 {now:,.0f})".replace(",", ".")))
        for _, text in sorted(drops, reverse=True)[:3]:
            notes.append(Finding("penurunan", "sedang", f"{text} dibanding {format_bulan(previous)}."))

    now_rows = scope[(scope["bulan"] == bulan) & scope["_ada_kerawanan"]]
    before_rows = scope[(scope["bulan"] == previous) & scope["_ada_kerawanan"]].set_index("kode")["tingkat_kerawanan"]
    newly = now_rows[(now_rows["tingkat_kerawanan"] == "Sangat Rawan") & now_rows["kode"].isin(before_rows.index)
                     & (now_rows["kode"].map(before_rows) != "Sangat Rawan")]
    if not newly.empty:
        names = ", ".join(f"{r.desa} ({r.polsek.removeprefix('Polsek ')})" for r in newly[["desa", "polsek"]].itertuples())
        notes.append(Finding("kerawanan", "tinggi", f"Desa yang menjadi Sangat Rawan bulan ini: {names}."))

    history = officer_history(scope)
    streak = kurang_streak(history, bulan)
    flagged = streak[streak >= 2]
    if not flagged.empty:
        names_by_nrp = scope[["nrp", "pangkat", "nama_bhabin"]].dropna(subset=["nrp"]).drop_duplicates("nrp", keep="last").set_index("nrp")
        people = [f"{names_by_nrp.loc[n, 'pangkat'] or ''} {names_by_nrp.loc[n, 'nama_bhabin']} ({streak[n]} bulan)".strip()
                  for n in flagged.sort_values(ascending=False).index]
        shown = ", ".join(people[:6]) + (f", dan {len(people) - 6} lainnya" if len(people) > 6 else "")
        notes.append(Finding("kinerja", "tinggi", f"{len(people)} Bhabinkamtibmas berkategori Kurang dua bulan berturut-turut atau lebih: {shown}."))

    if not series.empty and bulan in series.index:
        window = [add_months(bulan, -i) for i in range(stall_months, -1, -1)]
        window = [m for m in window if m in series.index and series.loc[m, "desa_melapor"] > 0]
        if len(window) >= 3:
            for key, instruction in INSTRUCTIONS.items():
                values = series.loc[window, key].astype(float)
                if values.isna().any():
                    continue
                start, end = values.iloc[0], values.iloc[-1]
                if KPI_SPECS[key][1] == "pct":
                    moving = end - start >= 5
                    change = f"{start:.0f}% \u2192 {end:.0f}%"
                else:
                    moving = (start == 0 and end > 0) or (start > 0 and (end - start) / start >= 0.1)
                    change = f"{start:.0f} \u2192 {end:.0f} desa"
                if not moving:
                    notes.append(Finding(
                        "instruksi", "sedang",
                        f"Instruksi \u201c{instruction}\u201d belum bergerak: {KPI_SPECS[key][0].lower()} {change} "
                        f"sejak {format_bulan(window[0])}.",
                    ))
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
