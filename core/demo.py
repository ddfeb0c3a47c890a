"""Synthetic demo data ("DATA CONTOH") that travels the same path as a real upload.

Each demo recap is written as a real workbook, read back by the importer and stored as a version
marked `contoh`, so every screen can show the badge and `delete_demo` removes it in one action.
The numbers are made to look like a real district: counts vary by desa and month, a few desa
trend worse, pos kamling and FKPM recover after the September instruction, incidents cluster in
a few kecamatan, TPS classes follow the 2024 proportions (750 / 19 / 5 of 774), and some
Polsek report late, twice, or not at all.
"""

from __future__ import annotations

import datetime as dt
import io

import numpy as np
import pandas as pd
from openpyxl import Workbook
from sqlalchemy.engine import Engine

from core import arahan, reference, store
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
_POTENSI = ["Sengketa batas tanah ulayat", "Konflik antar pendukung calon", "Miras dan perkelahian pemuda",
            "Pencurian ternak", "Isu politik uang menjelang pencoblosan", "Pelintas batas ilegal RI-RDTL",
            "Hoaks di media sosial", "Akses jalan putus saat hujan"]


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
    """Stable traits of each desa: activity level, pos kamling, TPS, vulnerability factors, trend."""
    n = len(desa)
    prof = desa[["kode", "nama", "kecamatan", "polsek", "perbatasan"]].copy().reset_index(drop=True)
    prof["aktivitas"] = rng.lognormal(0, 0.35, n)
    prof["memburuk"] = rng.random(n) < 0.08
    prof["pos_kamling"] = rng.integers(1, 7, n)
    prof["tps"] = rng.choice([2, 3, 4, 4, 5, 6], n)
    hot = prof["kecamatan"].isin(_HOT_KECAMATAN)
    prof["panas"] = hot
    prof["riwayat_konflik"] = rng.random(n) < np.where(hot, 0.45, 0.1)
    prof["sengketa"] = rng.random(n) < 0.15
    prof["akses_sulit"] = rng.random(n) < 0.2
    # TPS classes in the 2024 proportions: ~2.5% rawan, ~0.6% sangat rawan, concentrated where trouble is
    weight = 1 + 3 * prof["perbatasan"].astype(float) + 2 * prof["riwayat_konflik"].astype(float) + 2 * hot.astype(float)
    total_tps = int(prof["tps"].sum())
    prob = weight / weight.sum()
    prof["tps_rawan"] = 0
    prof["tps_sangat_rawan"] = 0
    for _ in range(max(1, round(total_tps * 19 / 774))):
        prof.loc[rng.choice(n, p=prob), "tps_rawan"] += 1
    for _ in range(max(1, round(total_tps * 5 / 774))):
        prof.loc[rng.choice(n, p=prob), "tps_sangat_rawan"] += 1
    over = prof["tps_rawan"] + prof["tps_sangat_rawan"] > prof["tps"]
    prof.loc[over, "tps"] = prof.loc[over, "tps_rawan"] + prof.loc[over, "tps_sangat_rawan"] + 1
    return prof


def _month_rows(rng: np.random.Generator, prof: pd.DataFrame, roster: dict, step: int, months: int,
                election_near: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Kegiatan and Kerawanan rows of one month for the desa in `prof`."""
    n = len(prof)
    progress = step / max(months - 1, 1)  # 0 at the first month, 1 at the last
    decline = np.where(prof["memburuk"], 1 - 0.5 * progress, 1.0)
    level = prof["aktivitas"].to_numpy() * decline * rng.lognormal(0, 0.2, n)
    kegiatan = pd.DataFrame({"kode": prof["kode"], "nama": prof["nama"], "kecamatan": prof["kecamatan"]})
    names = [roster.get(k, (None, None, None)) for k in prof["kode"]]
    kegiatan["nama_bhabin"] = [x[0] for x in names]
    kegiatan["pangkat"] = [x[1] for x in names]
    kegiatan["nrp"] = [x[2] for x in names]
    kegiatan["sambang_dds"] = rng.poisson(17 * level)
    kegiatan["deteksi_dini"] = rng.poisson(3.5 * level)
    ps = rng.poisson(0.8 * level + 0.4 * prof["riwayat_konflik"])
    kegiatan["ps_ditangani"] = ps
    kegiatan["ps_selesai"] = rng.binomial(ps, 0.75)
    kegiatan["binluh"] = rng.poisson(2.2 * level)
    kegiatan["sosialisasi_pemilihan"] = rng.poisson((0.4 + 2.5 * election_near) * level)
    kegiatan["peserta_sosialisasi"] = kegiatan["sosialisasi_pemilihan"] * rng.integers(15, 60, n)
    kegiatan["koordinasi_penyelenggara"] = rng.poisson((0.3 + 1.8 * election_near) * level)
    incident_rate = np.where(prof["panas"], 1.4, 0.15) * np.where(prof["memburuk"], 1 + 2 * progress, 1.0)
    kegiatan["gangguan_kamtibmas"] = rng.poisson(incident_rate)
    kegiatan["pos_kamling"] = prof["pos_kamling"]
    active_share = np.clip(0.25 + 0.55 * progress + rng.normal(0, 0.12, n), 0, 1) * decline
    kegiatan["pos_kamling_aktif"] = rng.binomial(prof["pos_kamling"], np.clip(active_share, 0, 1))
    kegiatan["fkpm_aktif"] = rng.random(n) < np.clip(0.3 + 0.5 * progress, 0, 0.95) * decline
    kegiatan["pertemuan_fkpm"] = np.where(kegiatan["fkpm_aktif"], rng.integers(1, 4, n), 0)
    kegiatan["linmas"] = rng.binomial(prof["tps"] * 2, np.clip(0.35 + 0.5 * progress, 0, 1))
    kegiatan["keterangan"] = np.where(prof["memburuk"] & (rng.random(n) < 0.5), "Kegiatan menurun, perlu atensi", None)

    kerawanan = pd.DataFrame({"kode": prof["kode"], "nama": prof["nama"], "kecamatan": prof["kecamatan"]})
    kerawanan["tps"] = prof["tps"]
    extra_rawan = (prof["memburuk"] & (progress > 0.6)).astype(int)
    kerawanan["tps_rawan"] = np.minimum(prof["tps_rawan"] + extra_rawan, prof["tps"] - prof["tps_sangat_rawan"])
    kerawanan["tps_sangat_rawan"] = prof["tps_sangat_rawan"]
    unmapped = rng.random(n) < 0.04
    kerawanan["tps_kurang_rawan"] = prof["tps"] - kerawanan["tps_rawan"] - kerawanan["tps_sangat_rawan"] - unmapped.astype(int)
    kerawanan["tps_kurang_rawan"] = kerawanan["tps_kurang_rawan"].clip(lower=0)
    kerawanan["riwayat_konflik"] = prof["riwayat_konflik"]
    kerawanan["politik_uang"] = rng.random(n) < (0.05 + 0.3 * election_near) * (1 + prof["panas"])
    kerawanan["hoaks"] = rng.random(n) < 0.05 + 0.25 * election_near
    kerawanan["netralitas"] = rng.random(n) < 0.03 + 0.12 * election_near
    kerawanan["sengketa"] = prof["sengketa"]
    kerawanan["akses_sulit"] = prof["akses_sulit"]
    kerawanan["perbatasan"] = prof["perbatasan"]
    risky = kerawanan[["riwayat_konflik", "politik_uang", "hoaks", "sengketa"]].any(axis=1) | prof["perbatasan"]
    kerawanan["potensi_gangguan"] = [str(rng.choice(_POTENSI)) if r else None for r in risky]
    return kegiatan, kerawanan


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


DEMO_ACCOUNTS = [("admin-contoh", "admin", None), ("pimpinan-contoh", "pimpinan", None), ("insana-contoh", "polsek", "Polsek Insana")]
DEMO_PASSWORD = "contoh-anev-2024"


def demo_accounts(engine: Engine) -> list[str]:
    """Create the demo-only accounts (documented in the README; never for real use). Returns what was done."""
    from core import auth

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
