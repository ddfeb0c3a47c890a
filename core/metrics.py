"""Aggregation and indices of spec section 6, as pure pandas over stored rows.

Counts are summed from desa to Polsek and Polres; ratios are recomputed from the sums, never
averaged. The indices follow `data/indeks.csv` (targets, weights), the thresholds and the guard
ratios follow `data/pengaturan.toml` and `data/rasio_pengamanan.csv`.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from core import reference
from core.months import add_months

TINGKAT = ("Kurang Rawan", "Rawan", "Sangat Rawan")
KATEGORI = ("Baik", "Cukup", "Kurang")
TPS_CLASSES = {"kurang_rawan": "tps_kurang_rawan", "rawan": "tps_rawan", "sangat_rawan": "tps_sangat_rawan"}


# --------------------------------------------------------------------------- indices per desa


def _component(frame: pd.DataFrame, rumus: str, kolom: str, target: float, bobot: float, kosong: float) -> pd.Series:
    """Score of one index component for every row."""
    if rumus == "capaian":
        actual = sum(frame[c].astype(float) for c in kolom.split("+"))
        return np.minimum(actual / target, 1.0) * bobot
    if rumus == "rasio":
        num, den = kolom.split("/")
        numerator, denominator = frame[num].astype(float), frame[den].astype(float)
        ratio = pd.Series(np.where(denominator > 0, numerator / denominator.where(denominator > 0, 1), kosong), index=frame.index)
        return np.minimum(ratio / target, 1.0) * bobot
    if rumus == "ya":
        return frame[kolom].astype(bool).astype(float) * bobot
    if rumus == "minimal":
        return (frame[kolom].astype(float) >= target).astype(float) * bobot
    if rumus == "linmas":
        num, den = kolom.split("/")
        need = frame[den].astype(float) * target
        ratio = pd.Series(np.where(need > 0, frame[num].astype(float) / need.where(need > 0, 1), kosong), index=frame.index)
        return np.minimum(ratio, 1.0) * bobot
    if rumus == "tps_terpetakan":
        classified = sum(frame[c].astype(float) for c in TPS_CLASSES.values())
        mapped = frame.get("_ada_kerawanan", pd.Series(True, index=frame.index)).astype(bool)
        return ((classified == frame[kolom].astype(float)) & mapped).astype(float) * bobot
    raise ValueError(f"rumus tidak dikenal: {rumus}")


def index_scores(frame: pd.DataFrame, indeks: str) -> pd.DataFrame:
    """Component scores and their total (0-100) for every row of `frame`, for one index."""
    components = reference.index_components()
    components = components[components["indeks"] == indeks]
    scores = pd.DataFrame(index=frame.index)
    for comp in components.itertuples(index=False):
        kosong = 0.0 if pd.isna(comp.nilai_kosong) else float(comp.nilai_kosong)
        scores[comp.komponen] = _component(frame, comp.rumus, comp.kolom, comp.target, comp.bobot, kosong)
    scores["total"] = scores.sum(axis=1)
    return scores


def kategori_kinerja(value: float | None) -> str | None:
    """Baik >= 80, Cukup 60-79.99, Kurang < 60 (thresholds in `pengaturan.toml`)."""
    if value is None or pd.isna(value):
        return None
    limits = reference.settings()["kategori_kinerja"]
    if value >= limits["baik"]:
        return "Baik"
    if value >= limits["cukup"]:
        return "Cukup"
    return "Kurang"


def tingkat_kerawanan(skor: pd.Series, tps_rawan: pd.Series, tps_sangat_rawan: pd.Series) -> pd.Series:
    """Kurang Rawan / Rawan / Sangat Rawan from the score, raised by rawan and sangat rawan TPS."""
    limits = reference.settings()["tingkat_kerawanan"]
    level = np.where(skor >= limits["sangat_rawan"], 2, np.where(skor >= limits["rawan"], 1, 0))
    level = np.maximum(level, np.where(tps_rawan > 0, 1, 0))
    level = np.maximum(level, np.where(tps_sangat_rawan > 0, 2, 0))
    return pd.Series([TINGKAT[i] for i in level], index=skor.index)


# --------------------------------------------------------------------------- per desa


def _with_columns(frame: pd.DataFrame, sheet: str) -> pd.DataFrame:
    """The frame with every column of its sheet, even when nothing was reported."""
    keys = [i.key for i in reference.sheet_indicators(sheet) if i.key not in ("desa", "kecamatan")]
    missing = [c for c in ["desa_kode", *keys] if c not in frame.columns]
    return frame.reindex(columns=[*frame.columns, *missing]) if missing else frame


def desa_month(kegiatan: pd.DataFrame, kerawanan: pd.DataFrame) -> pd.DataFrame:
    """One row per reported desa (per month, when the frames carry `bulan`): every key, the indices and the level.

    Kinerja component scores are kept as `kinerja_<komponen>` columns for league tables and drill-downs.
    """
    ref = reference.desa()[["kode", "nama", "kecamatan", "polsek", "perbatasan"]]
    keys = ["desa_kode", "bulan"] if "bulan" in kegiatan.columns and "bulan" in kerawanan.columns else ["desa_kode"]
    drop = [c for c in ("polsek", "bulan", "versi", "excel_row") if c not in keys]
    keg = _with_columns(kegiatan, "kegiatan").drop(columns=drop, errors="ignore").assign(_ada_kegiatan=True)
    ker = _with_columns(kerawanan, "kerawanan").drop(columns=drop, errors="ignore").assign(_ada_kerawanan=True)
    merged = keg.merge(ker.rename(columns={"perbatasan": "_perbatasan_lapor"}), on=keys, how="outer")
    merged = merged.merge(ref.rename(columns={"kode": "desa_kode", "nama": "desa"}), on="desa_kode", how="left")
    merged["perbatasan"] = merged["_perbatasan_lapor"].astype(object).where(
        merged["_perbatasan_lapor"].notna(), merged["perbatasan"]
    ).astype(bool)
    for flag in ("_ada_kegiatan", "_ada_kerawanan"):
        merged[flag] = merged[flag].astype("boolean").fillna(False).astype(bool)
    for key in reference.count_keys():
        merged[key] = pd.to_numeric(merged.get(key), errors="coerce").fillna(0).astype("int64")
    for key in reference.bool_keys():
        if key != "perbatasan":
            merged[key] = merged[key].astype("boolean").fillna(False).astype(bool)
    kinerja = index_scores(merged, "kinerja")
    for component in kinerja.columns.drop("total"):
        merged[f"kinerja_{component}"] = kinerja[component].where(merged["_ada_kegiatan"])
    merged["indeks_kinerja"] = kinerja["total"].where(merged["_ada_kegiatan"])
    merged["indeks_kesiapan"] = index_scores(merged, "kesiapan")["total"].where(merged["_ada_kegiatan"])
    merged["skor_kerawanan"] = index_scores(merged, "kerawanan")["total"]
    merged["tingkat_kerawanan"] = tingkat_kerawanan(merged["skor_kerawanan"], merged["tps_rawan"], merged["tps_sangat_rawan"])
    merged["kategori_kinerja"] = merged["indeks_kinerja"].map(kategori_kinerja)
    merged = merged.rename(columns={"desa_kode": "kode"})
    order = ["bulan", "polsek", "kecamatan", "desa"] if "bulan" in keys else ["polsek", "kecamatan", "desa"]
    return merged.drop(columns=["_perbatasan_lapor"]).sort_values(order).reset_index(drop=True)


# --------------------------------------------------------------------------- guard needs


def guard_needs(tps: pd.DataFrame, scheme: str | None = None, by: str = "polsek") -> pd.DataFrame:
    """Personnel needed to guard TPS per group: Polri per class ratio, rounded up per group; Linmas per TPS.

    `tps` has the group column and tps, tps_kurang_rawan, tps_rawan, tps_sangat_rawan.
    """
    settings = reference.settings()["pengamanan_tps"]
    scheme = scheme or settings["skema"]
    ratios = reference.guard_ratios()
    ratios = ratios[ratios["skema"] == scheme].set_index("kelas")
    if ratios.empty:
        raise ValueError(f"skema rasio tidak dikenal: {scheme}")
    grouped = tps.groupby(by, as_index=False)[["tps", *TPS_CLASSES.values()]].sum()
    polri_raw = sum(grouped[col] * ratios.loc[kelas, "polri"] / ratios.loc[kelas, "tps"] for kelas, col in TPS_CLASSES.items())
    classified = sum(grouped[col] for col in TPS_CLASSES.values())
    linmas_raw = sum(grouped[col] * ratios.loc[kelas, "linmas"] / ratios.loc[kelas, "tps"] for kelas, col in TPS_CLASSES.items())
    linmas_raw = linmas_raw + (grouped["tps"] - classified).clip(lower=0) * settings["linmas_per_tps"]
    grouped["personel_polri_mentah"] = polri_raw
    grouped["personel_polri"] = polri_raw.map(lambda v: math.ceil(round(v, 9))).astype("int64")
    grouped["personel_linmas"] = linmas_raw.map(lambda v: math.ceil(round(v, 9))).astype("int64")
    return grouped


# --------------------------------------------------------------------------- completeness


def deadline(bulan: str) -> dt.datetime:
    """End of the deadline day in the month after `bulan`, in UTC (TTU keeps WITA, UTC+8)."""
    day = int(reference.settings()["laporan"]["tanggal_batas"])
    offset = int(reference.settings()["laporan"].get("zona_waktu_jam", 8))
    year, month = (int(p) for p in add_months(bulan, 1).split("-"))
    local_end = dt.datetime(year, month, day, 23, 59, 59)
    return local_end - dt.timedelta(hours=offset)


def completeness(uploads: pd.DataFrame, months: list[str]) -> pd.DataFrame:
    """Polsek x month: versions, first upload time, and status `tepat waktu`, `terlambat` or `belum`."""
    columns = ["polsek", "bulan", "versi", "pertama", "status"]
    grid = pd.MultiIndex.from_product([months, list(reference.polsek_names())], names=["bulan", "polsek"])
    if uploads.empty:
        frame = pd.DataFrame(index=grid).reset_index().assign(versi=0, pertama=pd.NaT, status="belum")
        return frame[columns]
    mine = uploads[uploads["bulan"].isin(months)].assign(waktu=lambda f: pd.to_datetime(f["waktu"]))
    grouped = mine.groupby(["bulan", "polsek"]).agg(versi=("versi", "max"), pertama=("waktu", "min"))
    frame = grouped.reindex(grid).reset_index()
    limits = frame["bulan"].map({bulan: deadline(bulan) for bulan in months})
    frame["status"] = np.where(frame["pertama"].isna(), "belum", np.where(frame["pertama"] <= limits, "tepat waktu", "terlambat"))
    frame["versi"] = frame["versi"].fillna(0).astype("int64")
    return frame[columns]


# --------------------------------------------------------------------------- the month's recap


@dataclass
class Rekap:
    """Everything `rekap` reports for one month."""

    bulan: str
    totals: dict[str, float]
    polsek: pd.DataFrame
    desa: pd.DataFrame
    kelengkapan: dict[str, int]


def build_rekap(bulan: str, kegiatan: pd.DataFrame, kerawanan: pd.DataFrame, scheme: str | None = None) -> Rekap:
    """Aggregate one month's latest rows into Polres totals, Polsek rows and desa rows."""
    desa = desa_month(kegiatan, kerawanan)
    sum_keys = reference.count_keys() + reference.bool_keys()
    totals = {key: int(desa[key].sum()) if not desa.empty else 0 for key in sum_keys}

    reported = desa[desa["_ada_kegiatan"]] if not desa.empty else desa
    by_polsek = desa.groupby("polsek")[sum_keys].sum() if not desa.empty else pd.DataFrame(columns=sum_keys)
    desa_total = reference.desa().groupby("polsek").size()
    frame = pd.DataFrame({"polsek": list(reference.polsek_names())})
    frame["desa_total"] = frame["polsek"].map(desa_total).astype("int64")
    frame["desa_melapor"] = frame["polsek"].map(reported.groupby("polsek").size()).fillna(0).astype("int64")
    for key in sum_keys:
        frame[key] = frame["polsek"].map(by_polsek.get(key, {})).fillna(0).astype("int64")
    means = reported.groupby("polsek")[["indeks_kinerja", "indeks_kesiapan"]].mean() if not reported.empty else None
    for col in ("indeks_kinerja", "indeks_kesiapan"):
        frame[col] = frame["polsek"].map(means[col]) if means is not None else np.nan
    needs = guard_needs(frame[["polsek", "tps", *TPS_CLASSES.values()]], scheme=scheme)
    frame = frame.merge(needs[["polsek", "personel_polri", "personel_linmas"]], on="polsek", how="left")
    frame["kategori_kinerja"] = frame["indeks_kinerja"].map(kategori_kinerja)
    kelengkapan = {
        "polsek_melapor": int(kegiatan["polsek"].nunique()) if not kegiatan.empty else 0,
        "polsek_total": len(reference.polsek_names()),
        "desa_melapor": len(reported),
        "desa_total": len(reference.desa()),
    }
    return Rekap(bulan=bulan, totals=totals, polsek=frame, desa=desa, kelengkapan=kelengkapan)


def _json_columns() -> tuple[list[str], list[str]]:
    """Columns of the Polsek and desa objects of `rekap --json`, in the order of spec section 7."""
    count_and_bool = reference.count_keys() + reference.bool_keys()
    polsek_cols = ["polsek", "desa_total", "desa_melapor", *count_and_bool, "indeks_kinerja", "indeks_kesiapan",
                   "personel_polri", "personel_linmas"]
    keys_sec2: list[str] = []
    for item in reference.indicators():
        if item.key not in keys_sec2 and item.key not in ("desa", "kecamatan"):
            keys_sec2.append(item.key)
    desa_cols = ["kode", "desa", "kecamatan", "polsek", *keys_sec2, "indeks_kinerja", "indeks_kesiapan",
                 "skor_kerawanan", "tingkat_kerawanan"]
    return polsek_cols, desa_cols


def round_like_python(values: pd.Series) -> np.ndarray:
    """`round(v, 2)` of every value, vectorised: numpy's rint(v * 100) / 100 agrees except next to a half cent.

    There Python rounds the stored double correctly (0.015 is stored just below, so 0.01) and numpy may not; those
    few values, and any too large for the shortcut, go through Python's `round`.
    """
    array = values.to_numpy(dtype=float, na_value=np.nan)
    out = np.round(array, 2)
    scaled = array * 100
    unsure = np.flatnonzero((np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6) | (np.abs(array) >= 1e12))
    out[unsure] = [round(value, 2) for value in array[unsure].tolist()]
    return out


def _json_array(frame: pd.DataFrame) -> list[str]:
    """Pieces of a JSON array with one compact object per row per line, written by pandas' C serializer.

    A Python call per value took about 2 s for 84,000 desa. Floats are rounded as Python would, then written with
    two decimals, which leaves them as they are; NaN becomes null. JSON strings escape newlines, so every raw newline
    of `to_json(lines=True)` separates two rows. pandas escapes every slash; its output has no raw slash and doubles
    every backslash, so each backslash-slash pair is that escape and is written back as a plain slash.
    """
    if frame.empty:
        return ["[]"]
    floats = frame.select_dtypes("floating").columns
    if len(floats):
        frame = frame.assign(**{col: round_like_python(frame[col]) for col in floats})
    text = frame.to_json(orient="records", lines=True, double_precision=2, force_ascii=False).rstrip("\n")
    return ["[\n    ", text.replace("\\/", "/").replace("\n", ",\n    "), "\n  ]"]


def rekap_json_text(rekap: Rekap) -> str:
    """The text of `rekap --json` (spec section 7): one object, one Polsek or desa per line, readable and greppable."""
    polsek_cols, desa_cols = _json_columns()
    totals = {key: int(value) for key, value in rekap.totals.items()}
    kelengkapan = {key: int(value) for key, value in rekap.kelengkapan.items()}
    return "".join([
        '{\n  "bulan": ', json.dumps(rekap.bulan),
        ',\n  "totals": ', json.dumps(totals, ensure_ascii=False),
        ',\n  "polsek": ', *_json_array(rekap.polsek.reindex(columns=polsek_cols)),
        ',\n  "desa": ', *_json_array(rekap.desa.reindex(columns=desa_cols)),
        ',\n  "kelengkapan": ', json.dumps(kelengkapan),
        "\n}",
    ])


def rekap_json(rekap: Rekap) -> dict:
    """The object of `rekap --json` (spec section 7), parsed from the very text the command prints."""
    return json.loads(rekap_json_text(rekap))


def officer_table(desa: pd.DataFrame) -> pd.DataFrame:
    """Indeks Kinerja per officer: the mean of his desa rows, with the number of desa binaan."""
    reported = desa[desa["_ada_kegiatan"] & desa["nrp"].notna()] if not desa.empty else desa
    if reported.empty:
        return pd.DataFrame(columns=["nrp", "nama_bhabin", "pangkat", "polsek", "desa_binaan", "indeks_kinerja", "kategori_kinerja"])
    grouped = reported.groupby("nrp").agg(
        nama_bhabin=("nama_bhabin", "first"),
        pangkat=("pangkat", "first"),
        polsek=("polsek", "first"),
        desa_binaan=("desa", lambda s: ", ".join(sorted(s))),
        jumlah_desa=("desa", "size"),
        indeks_kinerja=("indeks_kinerja", "mean"),
    ).reset_index()
    grouped["kategori_kinerja"] = grouped["indeks_kinerja"].map(kategori_kinerja)
    return grouped.sort_values("indeks_kinerja", ascending=False).reset_index(drop=True)
