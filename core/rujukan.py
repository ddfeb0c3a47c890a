"""Reference data the Sat Binmas admin corrects in the app: which desa are border desa (perbatasan RI-RDTL).

The default list is `data/desa.csv` (column `perbatasan`), derived by `scripts/wilayah.py` with its evidence in
`data/perbatasan.csv`. An admin's correction is stored in the database (table `perbatasan_desa`, one row per desa
that differs from the default) and audited; `reference.desa()` applies it, so the template's pre-filled
Perbatasan column, the importer's default for an empty cell and the Skor Kerawanan all follow it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from core import auth, config, reference, store
from core.tables import perbatasan_desa

BORDER_SOURCE_FILE = "perbatasan.csv"



def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


border_corrections = store.border_corrections
current_corrections = store.current_border_corrections
forget = store.forget_border_corrections


def border_source() -> pd.DataFrame:
    """`data/perbatasan.csv`: the default border desa with their evidence (empty when the file is missing)."""
    path = config.data_dir() / BORDER_SOURCE_FILE
    columns = ["kode", "nama", "kecamatan", "garis_batas_km", "sumber"]
    if not path.is_file():
        return pd.DataFrame(columns=columns)
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


def border_table(engine: Engine) -> pd.DataFrame:
    """Every desa with its border flag now, the default, why, and who changed it when (for the Data Rujukan screen)."""
    ref = reference.desa_default()
    with engine.connect() as conn:
        changed = pd.DataFrame(conn.execute(sa.select(perbatasan_desa)).mappings().all(),
                               columns=["kode", "perbatasan", "diubah", "oleh"]).set_index("kode")
    evidence = border_source()
    source = evidence.set_index("kode")["sumber"] if not evidence.empty else pd.Series(dtype=object)
    table = pd.DataFrame({
        "kode": ref["kode"], "desa": ref["nama"], "kecamatan": ref["kecamatan"], "polsek": ref["polsek"],
        "bawaan": ref["perbatasan"].astype(bool),
    })
    override = table["kode"].map(changed["perbatasan"]) if not changed.empty else pd.Series(pd.NA, index=table.index)
    table["perbatasan"] = override.where(override.notna(), table["bawaan"]).astype(bool)
    table["sumber"] = table["kode"].map(source).fillna("")
    table["diubah"] = table["kode"].map(changed["diubah"]) if not changed.empty else pd.NaT
    table["oleh"] = table["kode"].map(changed["oleh"]).fillna("") if not changed.empty else ""
    return table.sort_values(["polsek", "kecamatan", "desa"]).reset_index(drop=True)


def save_border(engine: Engine, flags: Mapping[str, bool], by: auth.User) -> list[str]:
    """Set border flags (desa code -> flag) for an admin; returns what changed, one Indonesian line per desa.

    A flag equal to the default removes the correction. Unknown codes are refused before anything is stored.
    Every change is in the audit trail; a refusal too.
    """
    try:
        auth.require_admin(by)
    except auth.AuthError as refused:
        auth.record(engine, by.username, "rujukan.perbatasan", f"{len(flags)} desa", "ditolak", str(refused))
        raise
    ref = reference.desa_default().set_index("kode")
    unknown = sorted(set(flags) - set(ref.index))
    if unknown:
        raise ValueError(f"Kode desa tidak dikenal: {', '.join(unknown)}. Tidak ada yang disimpan.")
    now, changes, entries = _now(), [], []
    with store.writing(engine) as conn:
        current = {row.kode: bool(row.perbatasan) for row in conn.execute(sa.select(perbatasan_desa.c.kode, perbatasan_desa.c.perbatasan))}
        for kode in sorted(flags):
            wanted, default = bool(flags[kode]), bool(ref.loc[kode, "perbatasan"])
            before = current.get(kode, default)
            if wanted == before:
                continue
            conn.execute(perbatasan_desa.delete().where(perbatasan_desa.c.kode == kode))
            if wanted != default:
                conn.execute(perbatasan_desa.insert().values(kode=kode, perbatasan=wanted, diubah=now, oleh=auth.clean(by.username, 60)))
            word = {True: "Ya", False: "Tidak"}
            nama, kecamatan = ref.loc[kode, "nama"], ref.loc[kode, "kecamatan"]
            changes.append(f"{nama} (Kec. {kecamatan}): perbatasan {word[before]} \u2192 {word[wanted]}"
                           + (" (kembali ke bawaan)" if wanted == default else ""))
            entries.append((f"{kode} {nama}", f"{word[before]} -> {word[wanted]}; bawaan {word[default]}"))
    for obj, detail in entries:
        auth.record(engine, by.username, "rujukan.perbatasan", obj, "ok", detail)
    forget()
    return changes
