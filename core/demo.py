"""Synthetic demo data ("DATA CONTOH") that travels the same path as a real upload.

Each demo recap is written as a real workbook, read back by the importer and stored as a version
marked `contoh`, so every screen can show the badge and `delete_demo` removes it in one action.
The numbers are made to look like a real district: counts vary by desa and month, a few desa
trend worse, pos kamling and FKPM recover after the September instruction, incidents cluster in
a few kecamatan, TPS classes follow the 2024 proportions (750 / 19 / 5 of 774), and some
Polsek report late, twice, or not at all. How each column is drawn is the catalogue's `demo` rule
(`data/indikator.csv`), so a new indicator gets demo data without code.
"""

from __future__ import annotations

import datetime as dt
import io
import re

import numpy as np
import pandas as pd
from openpyxl import Workbook
from sqlalchemy.engine import Engine

from core import arahan, auth, reference, schemas, store
from core.ingest import read_recap
from core.metrics import deadline
from core.months import add_months, current_bulan, month_range

DEMO_USER = "data-contoh"
_FIRST = ["Yohanes", "Agustinus", "Fransiskus", "Petrus", "Yosef", "Marselinus", "Kornelis", "Aloysius",
          "Benediktus", "Dominikus", "Stefanus", "Gregorius", "Emanuel", "Rofinus", "Yakobus", "Siprianus",
          "Hendrikus", "Wilhelmus", "Fidelis", "Laurensius", "Markus", "Paulus", "Silvester", "Arnoldus"]
_LAST = ["Taolin", "Kefi", "Sanak", "Nahak", "Bria", "Ulu", "Tefa", "Naben", "Kolo", "Seran", "Manek", "Atok",
         "Kase", "Oematan", "Funan", "Tnesi", "Lake", "Abi", "Nino", "Bana", "Nitsae", "Salu", "Usboko", "Bani"]
_RANKS = ["Bripda", "Briptu", "Brigpol", "Brigpol", "Bripka", "Bripka", "Aipda", "Aiptu"]
_HOT_KECAMATAN = {"Kota Kefamenanu", "Bikomi Nilulat", "Insana Utara", "Biboki Anleu"}


def _officers(rng: np.random.Generator, desa: pd.DataFrame) -> dict[str, tuple[str, str, str]]:
    """A roster: each officer covers one to three desa of one kecamatan; about 5% of desa have none."""
    roster: dict[str, tuple[str, str, str]] = {}
    used_nrp: set[str] = set()
    for _, group in desa.groupby("kode_kecamatan"):
        codes = list(group["kode"])
        i = 0
        while i < len(codes):
            size = int(rng.choice([1, 1, 2, 2, 3]))
            while True:
                nrp = f"{rng.integers(70, 99):02d}{rng.integers(1, 13):02d}{rng.integers(0, 9999):04d}"
                if nrp not in used_nrp:
                    used_nrp.add(nrp)
                    break
            name = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
            rank = str(rng.choice(_RANKS))
            for kode in codes[i:i + size]:
                if rng.random() > 0.05:
                    roster[kode] = (name, rank, nrp)
            i += size
    return roster


def _profile(rng: np.random.Generator, desa: pd.DataFrame) -> pd.DataFrame:
    """Stable traits of each desa (activity level, trouble, decline) and the catalogue's stable values (`tetap`, `sifat`)."""
    n = len(desa)
    prof = desa[["kode", "nama", "kecamatan", "polsek", "perbatasan"]].copy().reset_index(drop=True)
    prof["aktivitas"] = rng.lognormal(0, 0.35, n)
    prof["memburuk"] = (rng.random(n) < 0.08).astype(float)
    prof["panas"] = prof["kecamatan"].isin(_HOT_KECAMATAN).astype(float)
    prof["perbatasan"] = prof["perbatasan"].astype(float)
    stable = {"tetap", "sifat"}
    for item in reference.indicators():
        rule = schemas.parse_demo(item.demo)
        if rule and rule[0] in stable and item.key not in prof:
            prof[item.key] = _draw(rng, rule, prof)
    prof["konflik"] = prof["riwayat_konflik"].astype(float) if "riwayat_konflik" in prof else 0.0
    _tps_classes(rng, prof)
    return prof


def _tps_classes(rng: np.random.Generator, prof: pd.DataFrame) -> None:
    """Rawan and sangat rawan TPS per desa in the catalogue's shares (`tps_kelas(rawan; 0.0245)`, the 2024 facts).

    They are concentrated where there is trouble: the border, a conflict history, a hot kecamatan.
    """
    n = len(prof)
    if "tps" not in prof:
        return
    weight = 1 + 3 * prof["perbatasan"] + 2 * prof["konflik"] + 2 * prof["panas"]
    prob = weight / weight.sum()
    total_tps = int(prof["tps"].sum())
    for item in reference.indicators():
        rule = schemas.parse_demo(item.demo)
        if not rule or rule[0] != "tps_kelas" or rule[1][0] == "kurang_rawan":
            continue
        prof[f"_{item.key}"] = 0
        for _ in range(max(1, round(total_tps * float(rule[1][1])))):
            prof.loc[rng.choice(n, p=prob), f"_{item.key}"] += 1
    classed = [c for c in prof.columns if c.startswith("_tps_")]
    over = prof[classed].sum(axis=1) > prof["tps"]
    prof.loc[over, "tps"] = prof.loc[over, classed].sum(axis=1) + 1


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _value(expr: str, frame: pd.DataFrame) -> pd.Series:
    """A catalogue expression (`(0.4 + 2.5 * pemilihan) * aktivitas`) over the month's factors and generated columns."""
    # only the columns the expression names: DataFrame.eval would prepare every column of the frame on each call
    names = {name: frame[name] for name in _NAME.findall(expr) if name in frame.columns}
    result = pd.eval(expr.strip(), engine="python", resolvers=(names,))
    if np.isscalar(result):
        return pd.Series(float(result), index=frame.index)
    return pd.Series(result, index=frame.index).astype(float)


def _draw(rng: np.random.Generator, rule: tuple[str, list[str]], frame: pd.DataFrame) -> pd.Series | list:
    """One column drawn by a catalogue demo rule (see `core.schemas.DEMO`)."""
    kind, args = rule
    n = len(frame)
    if kind == "poisson":
        return rng.poisson(np.clip(_value(args[0], frame), 0, None))
    if kind == "binomial":
        trials = np.clip(_value(args[0], frame).round(), 0, None).astype(int)
        return rng.binomial(trials, np.clip(_value(args[1], frame), 0, 1))
    if kind in ("bernoulli", "sifat"):
        return rng.random(n) < np.clip(_value(args[0], frame), 0, 1)
    if kind == "tetap":
        return rng.integers(int(args[0]), int(args[1]) + 1, n)
    if kind == "teks":
        chance = np.clip(_value(args[0], frame), 0, 1)
        choices = args[1].split("|")
        return [str(rng.choice(choices)) if hit else None for hit in rng.random(n) < chance]
    raise ValueError(f"aturan data contoh tidak dikenal: {kind}")  # unreachable: schemas.parse_demo checked it


def _month_rows(rng: np.random.Generator, prof: pd.DataFrame, roster: dict, step: int, months: int,
                election_near: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Kegiatan and Kerawanan rows of one month for the desa in `prof`, column by column as the catalogue says.

    Factors the rules may use: aktivitas (the desa's level this month), pemilihan (0..1, election nearness), kemajuan
    (0..1 across the months: the instructions taking hold), turun (the decline of a worsening desa), memburuk, panas,
    konflik, perbatasan, galat (fresh noise per column), and any column generated before it (sheet order).
    """
    n = len(prof)
    progress = step / max(months - 1, 1)
    factors = prof.copy()
    factors["turun"] = np.where(prof["memburuk"] > 0, 1 - 0.5 * progress, 1.0)
    factors["aktivitas"] = prof["aktivitas"].to_numpy() * factors["turun"] * rng.lognormal(0, 0.2, n)
    factors["pemilihan"] = election_near
    factors["kemajuan"] = progress
    frames = {}
    for sheet in reference.SHEETS:
        frame = pd.DataFrame({"kode": prof["kode"], "nama": prof["nama"], "kecamatan": prof["kecamatan"]})
        for item in reference.sheet_indicators(sheet):
            if item.key in ("desa", "kecamatan"):
                continue
            rule = schemas.parse_demo(item.demo)
            factors["galat"] = rng.normal(0, 0.12, n)
            frame[item.key] = _column(rng, item, rule, factors, roster, progress)
            if item.tipe in ("angka", "ya_tidak"):
                factors[item.key] = pd.Series(frame[item.key]).astype(float).to_numpy()
        frames[sheet] = frame
    _finish_tps(rng, frames.get("kerawanan"), prof, progress)
    return frames["kegiatan"], frames["kerawanan"]


def _column(rng: np.random.Generator, item: reference.Indicator, rule: tuple[str, list[str]] | None, factors: pd.DataFrame,
            roster: dict, progress: float) -> object:
    """The values of one catalogue column for one month."""
    n = len(factors)
    if rule is None:  # no rule: counts around 2 per desa, Ya/Tidak half the time, text empty
        if item.tipe == "angka":
            return rng.poisson(2 * factors["aktivitas"])
        if item.tipe == "ya_tidak":
            return rng.random(n) < 0.5
        return [None] * n
    kind, args = rule
    if kind == "bhabin":
        index = {"nama": 0, "pangkat": 1, "nrp": 2}[args[0]]
        return [roster.get(k, (None, None, None))[index] for k in factors["kode"]]
    if kind == "rujukan":
        return factors[args[0]].astype(bool).to_numpy()
    if kind in ("tetap", "sifat"):
        return factors[item.key].to_numpy()
    if kind == "tps_kelas":
        return np.zeros(n, dtype=int)  # filled by _finish_tps once every class is known
    return _draw(rng, rule, factors)


def _finish_tps(rng: np.random.Generator, kerawanan: pd.DataFrame | None, prof: pd.DataFrame, progress: float) -> None:
    """TPS classes: the profile's rawan and sangat rawan (a worsening desa gains one late on), the rest kurang rawan.

    Some TPS stay unclassified (the `kurang_rawan` rule's share); classes never add up to more than the desa's TPS.
    """
    if kerawanan is None or "tps" not in kerawanan:
        return
    classes = {}
    for item in reference.sheet_indicators("kerawanan"):
        rule = schemas.parse_demo(item.demo)
        if rule and rule[0] == "tps_kelas":
            classes[rule[1][0]] = (item.key, float(rule[1][1]))
    if not classes:
        return
    tps = kerawanan["tps"].astype(int)
    assigned = pd.Series(0, index=kerawanan.index)
    for kelas in ("sangat_rawan", "rawan"):
        if kelas in classes:
            key = classes[kelas][0]
            extra = ((prof["memburuk"] > 0) & (progress > 0.6)).astype(int) if kelas == "rawan" else 0
            values = np.minimum(prof.get(f"_{key}", 0) + extra, tps - assigned)
            kerawanan[key] = values
            assigned = assigned + values
    if "kurang_rawan" in classes:
        key, unmapped_share = classes["kurang_rawan"]
        unmapped = (rng.random(len(kerawanan)) < unmapped_share).astype(int)
        kerawanan[key] = (tps - assigned - unmapped).clip(lower=0)


def _workbook(polsek: str, bulan: str, kegiatan: pd.DataFrame, kerawanan: pd.DataFrame) -> bytes:
    """A plain recap workbook (as a clerk would send) for the demo rows."""
    wb = Workbook(write_only=True)
    for sheet, frame in (("kegiatan", kegiatan), ("kerawanan", kerawanan)):
        ws = wb.create_sheet(reference.SHEET_TITLES[sheet])
        items = reference.sheet_indicators(sheet)
        ws.append([f"DATA CONTOH \u2013 {polsek.upper()}"])
        ws.append(["No", *[i.header for i in items]])
        for number, row in enumerate(frame.itertuples(index=False), start=1):
            values = []
            for item in items:
                if item.key == "desa":
                    value = row.nama
                elif item.key == "kecamatan":
                    value = row.kecamatan
                else:
                    value = getattr(row, item.key)
                if item.tipe == "ya_tidak":
                    value = "Ya" if bool(value) else "Tidak"
                elif value is None or (isinstance(value, float) and np.isnan(value)):
                    value = None
                elif hasattr(value, "item"):
                    value = value.item()
                values.append(value)
            ws.append([number, *values])
    meta = wb.create_sheet("_meta")
    meta.append(["polsek", polsek])
    meta.append(["bulan", bulan])
    meta.append(["versi_template", "contoh"])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def generate(
    engine: Engine,
    dari: str | None = None,
    sampai: str | None = None,
    seed: int = 2024,
    today: dt.date | None = None,
) -> int:
    """Fill the database with demo recaps for every Polsek and month; returns the number of versions stored."""
    today = today or dt.date.today()
    sampai = sampai or current_bulan(today)
    dari = dari or add_months(sampai, -11)
    months = month_range(dari, sampai)
    rng = np.random.default_rng(seed)
    all_desa = reference.desa()
    roster = _officers(rng, all_desa)
    profile = _profile(rng, all_desa)
    election = pd.Timestamp(reference.settings()["pemilihan"]["tanggal"])
    stored = 0
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    for step, bulan in enumerate(months):
        month_start = pd.Timestamp(f"{bulan}-01")
        gap = abs((election - month_start).days) / 30.0
        election_near = float(np.clip(1 - gap / 6, 0, 1))
        limit = deadline(bulan)
        is_current = bulan == current_bulan(today)
        for polsek in reference.polsek_names():
            # realistic gaps: one Polsek sometimes misses a month; in the running month only some have sent
            if is_current and rng.random() < 0.5:
                continue
            if not is_current and rng.random() < 0.03:
                continue
            prof = profile[profile["polsek"] == polsek].reset_index(drop=True)
            kegiatan, kerawanan = _month_rows(rng, prof, roster, step, len(months), election_near)
            late = rng.random() < 0.15
            when = limit - dt.timedelta(days=float(rng.uniform(0.5, 6))) if not late else limit + dt.timedelta(days=float(rng.uniform(1, 9)))
            if is_current:
                when = min(now, dt.datetime(today.year, today.month, max(1, today.day - 1), 9, 0))
            versions = 2 if rng.random() < 0.1 else 1
            for version in range(versions):
                if version == 1:  # a corrected re-upload a day later
                    kegiatan = kegiatan.assign(sambang_dds=kegiatan["sambang_dds"] + 1)
                    when = when + dt.timedelta(days=1)
                content = _workbook(polsek, bulan, kegiatan, kerawanan)
                name = f"Rekap_{polsek.removeprefix('Polsek ').replace(' ', '_')}_{bulan}.xlsx"
                result = read_recap(content, name, today=today)
                if result.errors:
                    raise RuntimeError(f"data contoh tidak sah ({polsek} {bulan}): {result.errors[0].message}")
                store.save_import(engine, result, DEMO_USER, demo=True, uploaded_at=min(when, now))
                stored += 1
    arahan.seed_demo(engine, months)  # the Anev loop: arahan with follow-up, verified months
    return stored


def ensure_demo(engine: Engine, today: dt.date | None = None) -> bool:
    """Load demo data when the database is empty on first start; never again once it was removed."""
    if not store.is_empty(engine) or store.get_setting(engine, "demo_dihapus") == "1":
        return False
    generate(engine, today=today)
    return True


DEMO_ACCOUNTS = auth.DEMO_ACCOUNTS
DEMO_PASSWORD = auth.DEMO_PASSWORD


def demo_accounts(engine: Engine) -> list[str]:
    """Create the demo-only accounts (documented in the README; never for real use). Returns what was done."""
    done = []
    by = auth.User("data-contoh", "admin")
    existing = set(auth.users(engine)["username"]) if auth.has_users(engine) else set()
    for username, role, polsek in DEMO_ACCOUNTS:
        if username in existing:
            done.append(f"Akun contoh {username} sudah ada.")
            continue
        creator = None if not auth.has_users(engine) else by
        auth.create_user(engine, username, DEMO_PASSWORD, role, polsek, by=creator)
        done.append(f"Akun contoh {username} ({role}) dibuat, kata sandi {DEMO_PASSWORD} (HANYA UNTUK DEMO).")
    return done
