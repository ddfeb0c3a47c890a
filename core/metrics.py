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

from core import indices, reference
from core.months import add_months

TINGKAT = ("Kurang Rawan", "Rawan", "Sangat Rawan")
BELUM_DINILAI = "Belum dinilai"
KATEGORI = ("Baik", "Cukup", "Kurang")
TPS_CLASSES = indices.TPS_CLASSES


# --------------------------------------------------------------------------- indices per desa


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
    """Kurang Rawan / Rawan / Sangat Rawan from the score, raised by rawan and sangat rawan TPS; unknown score -> Belum dinilai."""
    limits = reference.settings()["tingkat_kerawanan"]
    skor = pd.to_numeric(skor, errors="coerce").astype(float)
    rawan = pd.to_numeric(tps_rawan, errors="coerce").astype(float).fillna(0)
    sangat = pd.to_numeric(tps_sangat_rawan, errors="coerce").astype(float).fillna(0)
    level = np.where(skor >= limits["sangat_rawan"], 2, np.where(skor >= limits["rawan"], 1, 0))
    level = np.maximum(level, np.where(rawan > 0, 1, 0))
    level = np.maximum(level, np.where(sangat > 0, 2, 0))
    names = [TINGKAT[i] for i in level]
    return pd.Series(names, index=skor.index).where(skor.notna(), BELUM_DINILAI)


# --------------------------------------------------------------------------- per desa


def _with_columns(frame: pd.DataFrame, sheet: str) -> pd.DataFrame:
    """The frame with every column of its sheet, even when nothing was reported."""
    keys = [i.key for i in reference.sheet_indicators(sheet) if i.key not in ("desa", "kecamatan")]
    missing = [c for c in ["desa_kode", *keys] if c not in frame.columns]
    return frame.reindex(columns=[*frame.columns, *missing]) if missing else frame


def desa_month(kegiatan: pd.DataFrame, kerawanan: pd.DataFrame) -> pd.DataFrame:
    """One row per reported desa (per month, when the frames carry `bulan`): every key, the indices and the level.

    A value of a sheet the desa did not send is unknown (NA), never 0: counts are nullable integers, Ya/Tidak nullable
    booleans. Indeks Kinerja and Kesiapan need the Kegiatan sheet; Skor Kerawanan needs the Kerawanan sheet (else
    "Belum dinilai"). Each month is scored with the weights in force then (`core.indices`). Kinerja component points
    are kept as `kinerja_<komponen>` columns for league tables, drill-downs and the scorecard.
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
    for item in reference.indicators():
        if item.key == "perbatasan" or item.tipe not in ("angka", "ya_tidak"):
            continue
        sent = merged["_ada_kegiatan"] if item.sheet == "kegiatan" else merged["_ada_kerawanan"]
        if item.tipe == "angka":
            values = pd.to_numeric(merged.get(item.key), errors="coerce").astype("Float64").round().astype("Int64")
            merged[item.key] = values.fillna(0).where(sent, pd.NA)
        else:
            values = merged[item.key].astype("boolean")
            merged[item.key] = values.fillna(False).where(sent, pd.NA)
    kinerja = indices.scores(merged, "kinerja")
    for component in kinerja.columns.drop("total"):
        merged[f"kinerja_{component}"] = kinerja[component].where(merged["_ada_kegiatan"])
    merged["indeks_kinerja"] = kinerja["total"].where(merged["_ada_kegiatan"])
    merged["indeks_kesiapan"] = indices.scores(merged, "kesiapan")["total"].where(merged["_ada_kegiatan"])
    merged["skor_kerawanan"] = indices.scores(merged, "kerawanan")["total"].where(merged["_ada_kerawanan"])
    merged["tingkat_kerawanan"] = tingkat_kerawanan(merged["skor_kerawanan"], merged["tps_rawan"], merged["tps_sangat_rawan"])
    merged["kategori_kinerja"] = merged["indeks_kinerja"].map(kategori_kinerja)
    merged = merged.rename(columns={"desa_kode": "kode"})
    order = ["bulan", "polsek", "kecamatan", "desa"] if "bulan" in keys else ["polsek", "kecamatan", "desa"]
    return merged.drop(columns=["_perbatasan_lapor"]).sort_values(order).reset_index(drop=True)


# --------------------------------------------------------------------------- guard needs


def guard_needs(tps: pd.DataFrame, scheme: str | None = None, by: str = "polsek") -> pd.DataFrame:
    """Personnel needed to guard TPS per group: Polri and Linmas per class ratio, Polri rounded up per group.

    TPS not yet classified count at the class named by `pengamanan_tps.kelas_tps_belum_dipetakan` (so they are
    guarded, not left at zero); `tps_belum_dipetakan` says how many there are.

    `tps` has the group column and tps, tps_kurang_rawan, tps_rawan, tps_sangat_rawan.
    """
    settings = reference.settings()["pengamanan_tps"]
    scheme = scheme or settings["skema"]
    ratios = reference.guard_ratios()
    ratios = ratios[ratios["skema"] == scheme].set_index("kelas")
    if ratios.empty:
        raise ValueError(f"skema rasio tidak dikenal: {scheme}")
    grouped = tps.groupby(by, as_index=False)[["tps", *TPS_CLASSES.values()]].sum()
    for col in ["tps", *TPS_CLASSES.values()]:
        grouped[col] = pd.to_numeric(grouped[col], errors="coerce").fillna(0).astype("int64")
    classified = sum(grouped[col] for col in TPS_CLASSES.values())
    # TPS not yet classified still need guards: counted at the class `kelas_tps_belum_dipetakan` (default kurang rawan)
    unclassified = (grouped["tps"] - classified).clip(lower=0)
    fallback = settings.get("kelas_tps_belum_dipetakan", "kurang_rawan")
    counts = {kelas: grouped[col] + (unclassified if kelas == fallback else 0) for kelas, col in TPS_CLASSES.items()}
    polri_raw = sum(counts[kelas] * ratios.loc[kelas, "polri"] / ratios.loc[kelas, "tps"] for kelas in TPS_CLASSES)
    linmas_raw = sum(counts[kelas] * ratios.loc[kelas, "linmas"] / ratios.loc[kelas, "tps"] for kelas in TPS_CLASSES)
    grouped["tps_belum_dipetakan"] = unclassified
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
    return rekap_from_desa(bulan, desa_month(kegiatan, kerawanan), scheme)


def rekap_from_desa(bulan: str, desa: pd.DataFrame, scheme: str | None = None) -> Rekap:
    """The month's recap from its desa rows (`desa_month` of one month): totals, every Polsek, every reported desa."""
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
        "polsek_melapor": int(reported["polsek"].nunique()) if not reported.empty else 0,
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
