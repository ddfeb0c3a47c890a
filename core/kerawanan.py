"""What the Peta Kerawanan shows per desa, and the Rencana Pengamanan TPS, on top of `core.metrics`.

Pure pandas over the desa table of `metrics.desa_month` (one month, or several with `bulan`):
every desa of the filter appears, reported or not, with a position (desa without coordinates are
placed at their kecamatan's centroid and flagged), the factors behind its Skor Kerawanan, the
change against the previous month, its last months, and the TPS guard plan per Polsek or kecamatan.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from core import indices, metrics, reference
from core.months import add_months, format_bulan, month_range

BELUM = "Belum melapor"
#: Tingkat Kerawanan from low to high; a desa that did not report ranks below all.
TINGKAT = metrics.TINGKAT
_RANK = {name: i for i, name in enumerate(TINGKAT)}

MAP_COLUMNS = [
    "kode", "desa", "kecamatan", "kode_kecamatan", "polsek", "lat", "lon", "tanpa_koordinat", "melapor", "ada_kerawanan",
    "tingkat", "skor", "indeks_kesiapan", "pos_kamling", "pos_kamling_aktif", "pos_kamling_rasio", "gangguan",
    "perbatasan", "tps", "tps_kurang_rawan", "tps_rawan", "tps_sangat_rawan", "tps_belum_dipetakan",
    "nama_bhabin", "pangkat", "nrp", "potensi_gangguan", "faktor",
]


def level_rank(tingkat: str | None) -> int:
    """0 Kurang Rawan, 1 Rawan, 2 Sangat Rawan; -1 when the desa did not report."""
    return _RANK.get(tingkat, -1) if isinstance(tingkat, str) else -1


def kecamatan_centroids() -> pd.DataFrame:
    """Centroid of each kecamatan (mean of its desa centroids), indexed by `kode_kecamatan`, columns lat, lon."""
    ref = reference.desa()
    return ref.dropna(subset=["lat", "lon"]).groupby("kode_kecamatan")[["lat", "lon"]].mean()


def factor_labels() -> dict[str, str]:
    """Component key -> Indonesian label of the Skor Kerawanan factors (`data/indeks.csv`)."""
    return {comp.komponen: comp.label for comp in reference.components("kerawanan")}


def factors(desa: pd.DataFrame) -> pd.Series:
    """Per row: the factors that scored, as a tuple of (label, points), largest first."""
    if desa.empty:
        return pd.Series([], dtype=object, index=desa.index)
    scores = indices.scores(desa, "kerawanan").drop(columns="total")
    labels = factor_labels()
    out = []
    for _, row in scores.iterrows():
        items = [(labels.get(key, key), float(value)) for key, value in row.items() if value > 0]
        out.append(tuple(sorted(items, key=lambda item: -item[1])))
    return pd.Series(out, index=desa.index, dtype=object)


def map_frame(desa: pd.DataFrame, polsek: str | None = None) -> pd.DataFrame:
    """Every desa of the filter with position and the values the map layers show.

    `desa` is one month of `metrics.desa_month`. Desa that did not report stay in the frame with
    tingkat "Belum melapor" and empty values; desa without coordinates get their kecamatan's centroid
    and `tanpa_koordinat` True. Nothing is dropped.
    """
    ref = reference.desa()
    if polsek:
        ref = ref[ref["polsek"] == polsek]
    frame = ref.rename(columns={"nama": "desa"}).reset_index(drop=True)
    frame["tanpa_koordinat"] = frame["lat"].isna() | frame["lon"].isna()
    centroids = kecamatan_centroids()
    frame["lat"] = frame["lat"].fillna(frame["kode_kecamatan"].map(centroids["lat"]))
    frame["lon"] = frame["lon"].fillna(frame["kode_kecamatan"].map(centroids["lon"]))

    reported = desa.drop_duplicates("kode").set_index("kode") if not desa.empty else desa.set_index("kode")
    frame["melapor"] = frame["kode"].isin(reported.index)
    pick = frame["kode"]

    def column(name: str) -> pd.Series:
        if name not in reported.columns:
            return pd.Series(np.nan, index=frame.index)
        return pick.map(reported[name])

    frame["ada_kerawanan"] = column("_ada_kerawanan").astype("boolean").fillna(False).astype(bool)
    frame["tingkat"] = column("tingkat_kerawanan").where(frame["melapor"], BELUM)
    frame["skor"] = pd.to_numeric(column("skor_kerawanan"), errors="coerce")
    frame["indeks_kesiapan"] = pd.to_numeric(column("indeks_kesiapan"), errors="coerce")
    kegiatan_ok = column("_ada_kegiatan").astype("boolean").fillna(False).astype(bool)
    for key, target in (("pos_kamling", "pos_kamling"), ("pos_kamling_aktif", "pos_kamling_aktif"), ("gangguan_kamtibmas", "gangguan")):
        frame[target] = pd.to_numeric(column(key), errors="coerce").where(kegiatan_ok).astype("Float64")
    has_pos = frame["pos_kamling"].fillna(0) > 0
    frame["pos_kamling_rasio"] = (frame["pos_kamling_aktif"] / frame["pos_kamling"].where(has_pos)).astype("Float64")
    for key in ("tps", "tps_kurang_rawan", "tps_rawan", "tps_sangat_rawan"):
        frame[key] = pd.to_numeric(column(key), errors="coerce").where(frame["ada_kerawanan"]).astype("Float64")
    classified = frame["tps_kurang_rawan"] + frame["tps_rawan"] + frame["tps_sangat_rawan"]
    frame["tps_belum_dipetakan"] = (frame["tps"] - classified).clip(lower=0)
    reported_border = column("perbatasan")
    frame["perbatasan"] = reported_border.where(frame["melapor"], frame["perbatasan"]).astype(bool)
    for key in ("nama_bhabin", "pangkat", "nrp", "potensi_gangguan"):
        values = column(key).astype(object)
        frame[key] = values.where(values.notna() & (values.astype(str).str.strip() != ""), None)
    desa_factors = factors(reported.reset_index()) if not reported.empty else pd.Series(dtype=object)
    by_code = dict(zip(reported.index, desa_factors.tolist(), strict=True)) if not reported.empty else {}
    frame["faktor"] = [by_code.get(k, ()) for k in frame["kode"]]
    return frame[MAP_COLUMNS].sort_values(["polsek", "kecamatan", "desa"]).reset_index(drop=True)


def compare(frame: pd.DataFrame, previous: pd.DataFrame) -> pd.DataFrame:
    """The map frame with last month's score and level, and `makin_rawan` where the desa got worse.

    `previous` is the previous month of `metrics.desa_month`. A desa is makin rawan when it reported in
    both months and its Tingkat Kerawanan rose or its Skor Kerawanan went up; `naik_tingkat` marks the
    first kind. Desa missing from either month are not compared (`dibandingkan` False).
    """
    before = previous.drop_duplicates("kode").set_index("kode") if not previous.empty else None
    out = frame.copy()
    if before is None:
        out["skor_lalu"] = np.nan
        out["tingkat_lalu"] = None
    else:
        out["skor_lalu"] = out["kode"].map(before["skor_kerawanan"]).astype(float)
        out["tingkat_lalu"] = out["kode"].map(before["tingkat_kerawanan"]).astype(object)
    out["dibandingkan"] = out["melapor"] & out["skor_lalu"].notna()
    rank_now = out["tingkat"].map(level_rank)
    rank_before = out["tingkat_lalu"].map(level_rank)
    out["naik_tingkat"] = out["dibandingkan"] & (rank_now > rank_before)
    out["makin_rawan"] = out["naik_tingkat"] | (out["dibandingkan"] & (out["skor"] > out["skor_lalu"]))
    out["selisih_skor"] = (out["skor"] - out["skor_lalu"]).where(out["dibandingkan"])
    return out


def worse_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The desa that got worse (from `compare`), level rises first, with Indonesian column names."""
    worse = frame[frame["makin_rawan"]].sort_values(["naik_tingkat", "selisih_skor", "desa"], ascending=[False, False, True])
    return pd.DataFrame({
        "Desa/Kelurahan": worse["desa"],
        "Kecamatan": worse["kecamatan"],
        "Polsek": worse["polsek"],
        "Tingkat bulan lalu": worse["tingkat_lalu"],
        "Tingkat bulan ini": worse["tingkat"],
        "Skor bulan lalu": worse["skor_lalu"],
        "Skor bulan ini": worse["skor"],
        "Naik tingkat": worse["naik_tingkat"].map({True: "Ya", False: "Tidak"}),
    }).reset_index(drop=True)


def desa_history(history: pd.DataFrame, kode: str, bulan: str, months: int = 6) -> pd.DataFrame:
    """One desa's last `months` months up to `bulan` (oldest first), months without a report included.

    `history` is the multi-month `metrics.desa_month` table (with `bulan`).
    """
    wanted = month_range(add_months(bulan, -(months - 1)), bulan)
    rows = history[history["kode"] == kode].drop_duplicates("bulan").set_index("bulan") if not history.empty else None
    records = []
    for month in wanted:
        row = rows.loc[month] if rows is not None and month in rows.index else None
        if row is None:
            records.append({"Bulan": format_bulan(month), "Skor Kerawanan": np.nan, "Tingkat": BELUM, "Indeks Kesiapan": np.nan,
                            "Gangguan": pd.NA, "Pos kamling aktif": "\u2013", "TPS rawan": pd.NA, "TPS sangat rawan": pd.NA})
            continue
        kegiatan_ok = bool(row.get("_ada_kegiatan", True))
        kerawanan_ok = bool(row.get("_ada_kerawanan", True))
        pos = int(row["pos_kamling"]) if kegiatan_ok else None
        records.append({
            "Bulan": format_bulan(month),
            "Skor Kerawanan": float(row["skor_kerawanan"]),
            "Tingkat": row["tingkat_kerawanan"],
            "Indeks Kesiapan": float(row["indeks_kesiapan"]) if pd.notna(row["indeks_kesiapan"]) else np.nan,
            "Gangguan": int(row["gangguan_kamtibmas"]) if kegiatan_ok else pd.NA,
            "Pos kamling aktif": f"{int(row['pos_kamling_aktif'])} dari {pos}" if pos else "\u2013",
            "TPS rawan": int(row["tps_rawan"]) if kerawanan_ok else pd.NA,
            "TPS sangat rawan": int(row["tps_sangat_rawan"]) if kerawanan_ok else pd.NA,
        })
    frame = pd.DataFrame(records)
    for col in ("Gangguan", "TPS rawan", "TPS sangat rawan"):
        frame[col] = frame[col].astype("Int64")
    return frame


# --------------------------------------------------------------------------- Rencana Pengamanan TPS

TPS_COLUMNS = ["tps", "tps_kurang_rawan", "tps_rawan", "tps_sangat_rawan"]


def guard_schemes() -> dict[str, str]:
    """Ratio scheme key -> its description, in file order (`data/rasio_pengamanan.csv`)."""
    ratios = reference.guard_ratios()
    return dict(zip(ratios["skema"], ratios["keterangan"], strict=False))


def default_scheme() -> str:
    """The scheme named in `pengaturan.toml` (Polres TTU 2024)."""
    return reference.settings()["pengamanan_tps"]["skema"]


def personnel_available() -> int:
    """Personnel available for TPS security by default (`pengaturan.toml`)."""
    return int(reference.settings()["pengamanan_tps"]["personel_tersedia"])


def ratio_text(scheme: str) -> str:
    """`kurang rawan 1 : 3 : 6 · rawan 1 : 1 : 2 · sangat rawan 2 : 1 : 2` (Polri : TPS : Linmas)."""
    ratios = reference.guard_ratios()
    ratios = ratios[ratios["skema"] == scheme]
    parts = []
    for row in ratios.itertuples(index=False):
        numbers = " : ".join(f"{v:g}" for v in (row.polri, row.tps, row.linmas))
        parts.append(f"{row.kelas.replace('_', ' ')} {numbers}")
    return " \u00b7 ".join(parts)


def guard_plan(desa: pd.DataFrame, scheme: str | None = None, by: str = "polsek", polsek: str | None = None) -> pd.DataFrame:
    """TPS per class and personnel needed (Polri, Linmas) per Polsek or kecamatan, with a total row.

    `desa` is one month of `metrics.desa_month`. Every Polsek (or kecamatan) of the scope is listed, also
    those without a report (zero TPS, `desa_melapor` 0). Polri is rounded up per Polsek (spec section 6): per
    Polsek the rows are whole numbers; per kecamatan they are the need before rounding (one decimal) and the total
    row is the Polsek's rounded figure, the same number as on the Polsek table and the cards.
    """
    ref = reference.desa()
    if polsek:
        ref = ref[ref["polsek"] == polsek]
    groups = ref[["polsek", "kecamatan"]].drop_duplicates() if by == "kecamatan" else ref[["polsek"]].drop_duplicates()
    rows = desa[desa["_ada_kerawanan"]] if not desa.empty else desa
    if polsek and not rows.empty:
        rows = rows[rows["polsek"] == polsek]
    tps = rows[[by, *TPS_COLUMNS]] if not rows.empty else pd.DataFrame(columns=[by, *TPS_COLUMNS])
    tps = pd.concat([tps, groups[[by]].assign(**dict.fromkeys(TPS_COLUMNS, 0))], ignore_index=True)
    tps[TPS_COLUMNS] = tps[TPS_COLUMNS].astype("int64")
    needs = metrics.guard_needs(tps, scheme=scheme or default_scheme(), by=by)
    plan = groups.merge(needs, on=by, how="left")
    reported = rows.groupby(by).size() if not rows.empty else pd.Series(dtype="int64")
    plan["desa_melapor"] = plan[by].map(reported).fillna(0).astype("int64")
    plan["desa_total"] = plan[by].map(ref.groupby(by).size()).astype("int64")
    plan["tps_belum_dipetakan"] = (plan["tps"] - plan["tps_kurang_rawan"] - plan["tps_rawan"] - plan["tps_sangat_rawan"]).clip(lower=0)
    plan = plan.sort_values(["polsek", "kecamatan"] if by == "kecamatan" else ["polsek"]).reset_index(drop=True)
    total = {col: plan[col].sum() for col in [*TPS_COLUMNS, "tps_belum_dipetakan", "personel_polri", "personel_linmas",
                                               "desa_melapor", "desa_total"]}
    total["polsek"] = polsek or "Polres TTU"
    if by == "kecamatan":
        total["kecamatan"] = "Jumlah"
        plan["personel_polri"] = plan["personel_polri_mentah"].round(1)  # before the rounding per Polsek
        per_polsek = metrics.guard_needs(tps.assign(polsek=tps["kecamatan"].map(
            ref.drop_duplicates("kecamatan").set_index("kecamatan")["polsek"])), scheme=scheme or default_scheme(), by="polsek")
        total["personel_polri"] = int(per_polsek["personel_polri"].sum())
    plan = pd.concat([plan, pd.DataFrame([total])], ignore_index=True)
    cols = ["polsek", *(["kecamatan"] if by == "kecamatan" else []), "desa_melapor", "desa_total", *TPS_COLUMNS,
            "tps_belum_dipetakan", "personel_polri", "personel_linmas"]
    out = plan[cols].copy()
    for col in cols[1 if by == "polsek" else 2:]:
        if not (by == "kecamatan" and col == "personel_polri"):
            out[col] = out[col].astype("int64")
    return out


def unclassified_tps(desa: pd.DataFrame, polsek: str | None = None) -> str:
    """`7 TPS belum diberi kelas kerawanan: Oelami (2), Bansone (1), ...`, or "" when every TPS is classified.

    They are guarded at the class `pengamanan_tps.kelas_tps_belum_dipetakan` in the plan; naming them tells the
    Polsek which desa to map.
    """
    rows = desa[desa["_ada_kerawanan"]] if not desa.empty else desa
    if polsek and not rows.empty:
        rows = rows[rows["polsek"] == polsek]
    if rows.empty:
        return ""
    counts = pd.to_numeric(rows["tps"], errors="coerce").fillna(0) - sum(
        pd.to_numeric(rows[c], errors="coerce").fillna(0) for c in TPS_COLUMNS[1:])
    missing = rows.assign(belum=counts.clip(lower=0).astype(int))
    missing = missing[missing["belum"] > 0].sort_values(["belum", "desa"], ascending=[False, True])
    if missing.empty:
        return ""
    kelas = reference.settings()["pengamanan_tps"].get("kelas_tps_belum_dipetakan", "kurang_rawan").replace("_", " ")
    names = ", ".join(f"{r.desa} ({r.belum})" for r in missing.itertuples())
    return (f"{int(missing['belum'].sum())} TPS belum diberi kelas kerawanan dan dihitung sebagai {kelas} dalam rencana "
            f"pengamanan: {names}.")


def balance(needed: int, available: int) -> tuple[int, str]:
    """Surplus (positive) or shortfall (negative) of personnel, with the Indonesian word for it."""
    diff = int(available) - int(needed)
    if diff > 0:
        return diff, "lebih"
    if diff < 0:
        return diff, "kurang"
    return 0, "pas"


def rawan_tps_desa(desa: pd.DataFrame, scheme: str | None = None, polsek: str | None = None) -> pd.DataFrame:
    """Desa with rawan or sangat rawan TPS and the Polri/Linmas those TPS need, for plotting personnel."""
    if desa.empty:
        rows = desa
    else:
        rows = desa[desa["_ada_kerawanan"] & ((desa["tps_rawan"] > 0) | (desa["tps_sangat_rawan"] > 0))]
        if polsek:
            rows = rows[rows["polsek"] == polsek]
    columns = ["kode", "desa", "kecamatan", "polsek", "tps_rawan", "tps_sangat_rawan", "personel_polri", "personel_linmas",
               "tingkat_kerawanan", "nama_bhabin", "potensi_gangguan"]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    tps = rows[["kode", "tps_rawan", "tps_sangat_rawan"]].assign(tps_kurang_rawan=0)
    tps["tps"] = tps["tps_rawan"] + tps["tps_sangat_rawan"]
    needs = metrics.guard_needs(tps, scheme=scheme or default_scheme(), by="kode").set_index("kode")
    out = rows.assign(personel_polri=rows["kode"].map(needs["personel_polri"]), personel_linmas=rows["kode"].map(needs["personel_linmas"]))
    out = out.sort_values(["tps_sangat_rawan", "tps_rawan", "polsek", "desa"], ascending=[False, False, True, True])
    return out[columns].reset_index(drop=True)


