"""Scale benchmark: one month's rekap with national-scale data (about 84,000 desa, 1 million rows per sheet).

Not part of the test suite. Run from anywhere:

    python scripts/bench_skala.py                                  # both scales, both backends; updates docs/benchmarks.md
    python scripts/bench_skala.py --skala nasional --backend sqlite
    python scripts/bench_skala.py --runs 7 --out skala.md
    python scripts/bench_skala.py --pg-url postgresql+psycopg://postgres@127.0.0.1:5432/test

What it does, per scale (`ttu`, `nasional`) and backend (`sqlite`, `postgresql`):
1. reference data: `ttu` uses the real data/ (193 desa); `nasional` builds a synthetic copy of data/ in a temporary
   folder whose desa.csv holds --desa desa (default 84,000; codes 99.xx.yy.zzzz) in 38 Polda x 12 Polres x 4-8 Polsek
   (Polsek names such as "Polsek D07-081-03"), each Polsek covering 1-5 synthetic kecamatan (polsek_kecamatan.csv);
   ANEV_DATA_DIR points at it and reference.clear_caches() is called;
2. a fresh database (an SQLite file in a temporary folder; on PostgreSQL a new database created on the server of
   --pg-url and dropped at the end) filled with every Polsek x month as version 1: one `unggahan` row each with a few
   placeholder bytes, and one `kegiatan` and one `kerawanan` row per desa with random but plausible counts. The rows go
   straight into the tables (SQLAlchemy Core executemany in chunks on SQLite, COPY on PostgreSQL), not through the
   importer: 12 months x 84,000 desa = about 1 million rows per sheet in a few minutes;
3. in a fresh Python process (so ru_maxrss is the high-water mark of the measurement alone): the reference data is
   loaded, then the rekap of the latest month = store.rows(kegiatan) + store.rows(kerawanan) + metrics.build_rekap,
   once cold (first in the process, ru_maxrss before/after), --runs times timed (fetch, aggregation and the
   `rekap --json` text split), once under tracemalloc, once under cProfile; then, alternated in the same process,
   the path before issue 7's speed-ups (rows_before, rekap_json_before + json.dumps(indent=2)) against today's, with
   the results compared; and, unless --tanpa-prototipe, an SQL GROUP BY alternative for the Polsek table;
   then `python -m core rekap --bulan B` and `... --json` as new processes, --runs times each (wall time, peak memory);
4. the section "## Skala nasional (rekap satu bulan)" of docs/benchmarks.md is written (other sections stay).

Targets: rekap of one month at national scale <= 2 s (median) and <= 2 GB peak memory of the process.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import gc
import hashlib
import json
import os
import platform
import pstats
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

import benchlib  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from benchlib import code_version, cpu_model, load_average, memory_total, package_version  # noqa: E402

from core import config, metrics, reference, store, tables  # noqa: E402
from core.months import add_months, current_bulan, month_range  # noqa: E402

TITLE = "## Skala nasional (rekap satu bulan)"
INTRO = (
    "# Benchmark\n\n"
    "Angka kinerja yang diukur di mesin nyata; jalankan ulang dengan `python scripts/bench.py` "
    "(menulis ulang bagian masing-masing di berkas ini).\n"
)
SCALES = ("ttu", "nasional")
BACKENDS = ("sqlite", "postgresql")
PACKAGES = ("pandas", "pyarrow", "numpy", "SQLAlchemy", "psycopg")
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"

TARGET_S = 2.0
TARGET_BYTES = 2 * 2**30
NATIONAL_DESA = 84_000
NATIONAL_POLDA = 38
NATIONAL_POLRES_PER_POLDA = 12
NATIONAL_MONTHS = 12
TTU_MONTHS = 36
CHUNK = 20_000
LAUNCHER = "import subprocess, sys; sys.exit(subprocess.call(sys.argv[1:]))"
PLACEHOLDER = b"bench-skala: bukan berkas Excel, pengganti isi unggahan"
UPLOADER = "bench-skala"

_FIRST = ["Yohanes", "Agus", "Made", "Budi", "Slamet", "Rizky", "Andi", "Hendra", "Dedi", "Wayan", "Yosef", "Fajar",
          "Rahmat", "Imam", "Eko", "Teguh", "Arif", "Putu", "Ketut", "Bayu", "Doni", "Surya", "Markus", "Petrus"]
_LAST = ["Saputra", "Siregar", "Nasution", "Wijaya", "Pratama", "Hidayat", "Simanjuntak", "Lubis", "Harahap", "Taolin",
         "Kefi", "Santoso", "Gunawan", "Setiawan", "Kurniawan", "Manek", "Sitompul", "Rangkuti", "Pane", "Bria"]
_RANKS = ["Bripda", "Briptu", "Brigpol", "Brigpol", "Bripka", "Bripka", "Aipda", "Aiptu"]
_SYLLABLES = ["ba", "ka", "ma", "na", "sa", "ta", "oe", "lu", "ri", "to", "wa", "ja", "go", "ne", "si", "ku", "de", "pa",
              "ra", "bi", "mu", "so", "te", "la", "ngi", "kam", "pung", "sari", "jaya", "tani"]
_POTENSI = ["Sengketa batas tanah", "Konflik antar pendukung calon", "Miras dan perkelahian pemuda", "Pencurian ternak",
            "Isu politik uang", "Hoaks di media sosial", "Akses jalan putus saat hujan"]


# --------------------------------------------------------------------------- small helpers


def num(value: int) -> str:
    """Indonesian thousands separator: 84.000."""
    return f"{value:,}".replace(",", ".")


def seconds(value: float) -> str:
    return f"{value * 1000:.0f} ms" if value < 0.1 else (f"{value:.3f} s" if value < 1 else f"{value:.2f} s")


def span(values: list[float], fmt: Callable[[float], str] = seconds) -> str:
    return f"{fmt(min(values))} – {fmt(max(values))}"


def mib(n_bytes: float) -> str:
    return f"{n_bytes / 2**20:.0f} MiB" if n_bytes >= 10 * 2**20 else f"{n_bytes / 2**20:.1f} MiB"



def now_text() -> str:
    return dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")


def maxrss_bytes() -> int:
    unit = 1 if sys.platform == "darwin" else 1024  # ru_maxrss is KiB on Linux, bytes on macOS
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * unit


def vm_hwm() -> int | None:
    """VmHWM of /proc/self/status (peak RSS of this process image since exec), bytes; None when not on Linux."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


@contextmanager
def data_dir(path: Path | None) -> Iterator[None]:
    """ANEV_DATA_DIR = path (None: the real data/) while inside; reference caches cleared on entry and exit."""
    old = os.environ.get("ANEV_DATA_DIR")
    if path is None:
        os.environ.pop("ANEV_DATA_DIR", None)
    else:
        os.environ["ANEV_DATA_DIR"] = str(path)
    reference.clear_caches()
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("ANEV_DATA_DIR", None)
        else:
            os.environ["ANEV_DATA_DIR"] = old
        reference.clear_caches()


# --------------------------------------------------------------------------- 1. synthetic national reference data


def build_national_reference(dest: Path, n_desa: int, seed: int) -> dict[str, int]:
    """A copy of data/ whose desa.csv and polsek_kecamatan.csv describe a synthetic country; returns the counts."""
    dest.mkdir(parents=True)
    for path in config.DATA_DIR.iterdir():
        if path.is_file() and path.suffix in (".csv", ".toml"):
            shutil.copy2(path, dest / path.name)
    rng = np.random.default_rng(seed)
    polsek_rows: list[tuple[str, str, str]] = []
    kec_centre: list[tuple[float, float]] = []
    polres_total = 0
    for polda in range(1, NATIONAL_POLDA + 1):
        lat0, lon0 = rng.uniform(-10.5, 5.0), rng.uniform(95.5, 140.5)
        for _ in range(NATIONAL_POLRES_PER_POLDA):
            polres_total += 1
            lat1, lon1 = lat0 + rng.normal(0, 0.8), lon0 + rng.normal(0, 0.8)
            for sektor in range(1, int(rng.integers(4, 9)) + 1):  # 4..8 Polsek per Polres, mean 6
                polsek = f"Polsek D{polda:02d}-{polres_total:03d}-{sektor:02d}"
                for _ in range(1 + min(int(rng.poisson(1.6)), 4)):  # 1..5 kecamatan per Polsek, mean about 2.6
                    k = len(kec_centre)
                    code = f"99.{1 + k // 99:02d}.{1 + k % 99:02d}"
                    polsek_rows.append((polsek, code, f"Kecamatan {k + 1:04d}"))
                    kec_centre.append((lat1 + rng.normal(0, 0.2), lon1 + rng.normal(0, 0.2)))
    n_kec = len(polsek_rows)
    if n_kec > 99 * 99 or n_kec > n_desa:
        raise SystemExit(f"bench_skala: {n_kec} kecamatan do not fit the code scheme or the {n_desa} desa")
    weights = rng.lognormal(0, 0.5, n_kec)
    per_kec = 1 + rng.multinomial(n_desa - n_kec, weights / weights.sum())
    kec_index = np.repeat(np.arange(n_kec), per_kec)
    within = np.concatenate([np.arange(c) for c in per_kec])
    kelurahan = rng.random(n_desa) < 0.1
    kec_codes = np.array([r[1] for r in polsek_rows], dtype=object)[kec_index]
    codes = [f"{kc}.{(1001 if kel else 2001) + w:04d}" for kc, kel, w in zip(kec_codes, kelurahan, within, strict=True)]
    syllables = np.array(_SYLLABLES, dtype=object)
    names = (pd.Series(syllables[rng.integers(0, len(syllables), n_desa)]).str.capitalize()
             + syllables[rng.integers(0, len(syllables), n_desa)] + syllables[rng.integers(0, len(syllables), n_desa)])
    centre = np.array(kec_centre)[kec_index]
    frame = pd.DataFrame({
        "kode": codes,
        "nama": names.to_numpy(),
        "jenis": np.where(kelurahan, "kelurahan", "desa"),
        "kode_kecamatan": kec_codes,
        "kecamatan": np.array([r[2] for r in polsek_rows], dtype=object)[kec_index],
        "lat": np.round(centre[:, 0] + rng.normal(0, 0.05, n_desa), 5),
        "lon": np.round(centre[:, 1] + rng.normal(0, 0.05, n_desa), 5),
        "perbatasan": np.where(rng.random(n_desa) < 0.03, "1", "0"),
    })
    if frame["kode"].duplicated().any() or frame["kode"].str.len().max() > 13:
        raise SystemExit("bench_skala: synthetic desa codes are not unique or longer than 13 characters")
    frame.to_csv(dest / "desa.csv", index=False)
    pd.DataFrame(polsek_rows, columns=["polsek", "kode_kecamatan", "kecamatan"]).to_csv(dest / "polsek_kecamatan.csv", index=False)
    return {"polda": NATIONAL_POLDA, "polres": polres_total, "polsek": len({r[0] for r in polsek_rows}),
            "kecamatan": n_kec, "desa": n_desa}


# --------------------------------------------------------------------------- 2. filling a database fast


@dataclass
class Profile:
    """Stable traits of every desa (in reference.desa() order) and the upload each desa belongs to."""

    desa: pd.DataFrame
    polseks: tuple[str, ...]
    polsek_index: np.ndarray
    excel_row: np.ndarray
    traits: dict[str, np.ndarray] = field(default_factory=dict)
    officer: dict[str, list] = field(default_factory=dict)


def make_profile(rng: np.random.Generator) -> Profile:
    desa = reference.desa()
    polseks = reference.polsek_names()
    n = len(desa)
    polsek_index = desa["polsek"].map({p: i for i, p in enumerate(polseks)}).to_numpy()
    excel_row = desa.groupby("polsek").cumcount().to_numpy() + 3  # title row, header row, then one row per desa
    tps = rng.choice([2, 3, 4, 4, 5, 6], n)
    konflik = rng.random(n) < 0.12
    perbatasan = desa["perbatasan"].to_numpy(dtype=bool)
    weight = 1 + 3 * perbatasan + 2 * konflik
    prob = weight / weight.sum()
    rawan = rng.multinomial(max(1, round(tps.sum() * 19 / 774)), prob)  # 2024 proportions: 750 / 19 / 5 of 774
    sangat = rng.multinomial(max(1, round(tps.sum() * 5 / 774)), prob)
    tps = np.maximum(tps, rawan + sangat + 1)
    traits = {
        "aktivitas": rng.lognormal(0, 0.35, n), "memburuk": rng.random(n) < 0.08, "pos_kamling": rng.integers(1, 7, n),
        "tps": tps, "tps_rawan": rawan, "tps_sangat_rawan": sangat, "riwayat_konflik": konflik,
        "sengketa": rng.random(n) < 0.15, "akses_sulit": rng.random(n) < 0.2, "perbatasan": perbatasan,
    }
    # officers: each covers 1-3 neighbouring desa; about 5% of desa have none
    sizes = rng.choice([1, 1, 2, 2, 3], n)
    officer_of = np.repeat(np.arange(n), sizes)[:n]
    n_officers = int(officer_of.max()) + 1
    first = np.array(_FIRST, dtype=object)[rng.integers(0, len(_FIRST), n_officers)]
    last = np.array(_LAST, dtype=object)[rng.integers(0, len(_LAST), n_officers)]
    ranks = np.array(_RANKS, dtype=object)[rng.integers(0, len(_RANKS), n_officers)]
    none = rng.random(n) < 0.05
    officer = {
        "nama_bhabin": [None if x else f"{first[o]} {last[o]}" for o, x in zip(officer_of, none, strict=True)],
        "pangkat": [None if x else ranks[o] for o, x in zip(officer_of, none, strict=True)],
        "nrp": [None if x else f"{60_000_000 + int(o) * 331:08d}" for o, x in zip(officer_of, none, strict=True)],
    }
    return Profile(desa=desa, polseks=polseks, polsek_index=polsek_index, excel_row=excel_row, traits=traits, officer=officer)


def month_columns(rng: np.random.Generator, prof: Profile, step: int, months: int) -> tuple[dict, dict]:
    """Column values of one month's kegiatan and kerawanan rows, every desa (as core.demo, vectorised)."""
    t = prof.traits
    n = len(prof.desa)
    progress = step / max(months - 1, 1)
    election_near = float(np.clip(1 - abs(step - (months - 2)) / 6, 0, 1))  # the election falls near the end
    decline = np.where(t["memburuk"], 1 - 0.5 * progress, 1.0)
    level = t["aktivitas"] * decline * rng.lognormal(0, 0.2, n)
    ps = rng.poisson(0.8 * level + 0.4 * t["riwayat_konflik"])
    sosialisasi = rng.poisson((0.4 + 2.5 * election_near) * level)
    fkpm = rng.random(n) < np.clip(0.3 + 0.5 * progress, 0, 0.95) * decline
    active_share = np.clip((0.25 + 0.55 * progress + rng.normal(0, 0.12, n)) * decline, 0, 1)
    kegiatan = {
        "desa_kode": prof.desa["kode"].to_numpy(), "excel_row": prof.excel_row, **prof.officer,
        "sambang_dds": rng.poisson(17 * level), "deteksi_dini": rng.poisson(3.5 * level),
        "ps_ditangani": ps, "ps_selesai": rng.binomial(ps, 0.75), "binluh": rng.poisson(2.2 * level),
        "sosialisasi_pemilihan": sosialisasi, "peserta_sosialisasi": sosialisasi * rng.integers(15, 60, n),
        "koordinasi_penyelenggara": rng.poisson((0.3 + 1.8 * election_near) * level),
        "gangguan_kamtibmas": rng.poisson(np.where(t["riwayat_konflik"], 1.0, 0.15) * np.where(t["memburuk"], 1 + 2 * progress, 1.0)),
        "pos_kamling": t["pos_kamling"], "pos_kamling_aktif": rng.binomial(t["pos_kamling"], active_share),
        "fkpm_aktif": fkpm, "pertemuan_fkpm": np.where(fkpm, rng.integers(1, 4, n), 0),
        "linmas": rng.binomial(t["tps"] * 2, np.clip(0.35 + 0.5 * progress, 0, 1)),
        "keterangan": np.where(t["memburuk"] & (rng.random(n) < 0.5), "Kegiatan menurun, perlu atensi", None),
    }
    unmapped = rng.random(n) < 0.04
    rawan = np.minimum(t["tps_rawan"] + (t["memburuk"] & (progress > 0.6)), t["tps"] - t["tps_sangat_rawan"])
    politik_uang = rng.random(n) < (0.05 + 0.3 * election_near) * (1 + t["riwayat_konflik"])
    hoaks = rng.random(n) < 0.05 + 0.25 * election_near
    risky = t["riwayat_konflik"] | politik_uang | hoaks | t["sengketa"] | t["perbatasan"]
    kerawanan = {
        "desa_kode": prof.desa["kode"].to_numpy(), "excel_row": prof.excel_row, "tps": t["tps"],
        "tps_kurang_rawan": np.clip(t["tps"] - rawan - t["tps_sangat_rawan"] - unmapped, 0, None),
        "tps_rawan": rawan, "tps_sangat_rawan": t["tps_sangat_rawan"], "riwayat_konflik": t["riwayat_konflik"],
        "politik_uang": politik_uang, "hoaks": hoaks, "netralitas": rng.random(n) < 0.03 + 0.12 * election_near,
        "sengketa": t["sengketa"], "akses_sulit": t["akses_sulit"], "perbatasan": t["perbatasan"],
        "potensi_gangguan": np.where(risky, np.array(_POTENSI, dtype=object)[rng.integers(0, len(_POTENSI), n)], None),
    }
    return kegiatan, kerawanan


def month_frame(columns: dict, table: sa.Table, upload_ids: np.ndarray) -> pd.DataFrame:
    """The rows of one table in column order, sorted by primary key; catalogue columns unknown here stay NULL."""
    names = [c.name for c in table.columns]
    unknown = [c for c in names if c not in columns and c != "unggahan_id"]
    if unknown:
        print(f"bench_skala: catatan: {table.name}: kolom tanpa nilai sintetis (NULL): {', '.join(unknown)}", file=sys.stderr)
    data = {"unggahan_id": upload_ids, **{c: columns.get(c) for c in names if c != "unggahan_id"}}
    frame = pd.DataFrame({c: data[c] if data[c] is not None else None for c in names})
    for col in table.columns:
        if isinstance(col.type, sa.Text | sa.String):
            frame[col.name] = frame[col.name].astype(object)
    return frame.sort_values(["unggahan_id", "desa_kode"], kind="stable").reset_index(drop=True)


def sqlite_insert(conn: sa.Connection, frame: pd.DataFrame, table: sa.Table) -> None:
    """SQLAlchemy Core executemany (driver level, positional parameters) in chunks of CHUNK rows."""
    cols = list(frame.columns)
    sql = f"INSERT INTO {table.name} ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})"
    values = [frame[c].astype(object).where(frame[c].notna(), None).tolist() for c in cols]
    rows = list(zip(*values, strict=True))
    for start in range(0, len(rows), CHUNK):
        conn.exec_driver_sql(sql, rows[start:start + CHUNK])


def pg_copy(raw, frame: pd.DataFrame, table: sa.Table) -> None:
    """COPY ... FROM STDIN (CSV) through psycopg 3, in chunks of CHUNK rows."""
    cols = ", ".join(frame.columns)
    with raw.cursor() as cursor, cursor.copy(f"COPY {table.name} ({cols}) FROM STDIN (FORMAT csv)") as copy:
        for start in range(0, len(frame), CHUNK):
            copy.write(frame.iloc[start:start + CHUNK].to_csv(header=False, index=False))


def fill_database(engine: sa.Engine, months: list[str], seed: int) -> dict[str, int]:
    """Every Polsek x month as version 1 with all its desa; returns counts."""
    rng = np.random.default_rng(seed)
    prof = make_profile(rng)
    polseks = prof.polseks
    per_polsek = np.bincount(prof.polsek_index, minlength=len(polseks))
    is_pg = engine.dialect.name == "postgresql"
    sha = hashlib.sha256(PLACEHOLDER).hexdigest()
    uploads = []
    for step, bulan in enumerate(months):
        limit = metrics.deadline(bulan)
        late = rng.random(len(polseks)) < 0.15
        offset = np.where(late, rng.uniform(1, 9, len(polseks)), -rng.uniform(0.5, 6, len(polseks)))
        for i, polsek in enumerate(polseks):
            uploads.append({
                "id": step * len(polseks) + i + 1, "polsek": polsek, "bulan": bulan, "versi": 1,
                "nama_berkas": f"Rekap_{polsek.removeprefix('Polsek ').replace(' ', '_')}_{bulan}.xlsx",
                "sha256": sha, "isi": PLACEHOLDER, "pengunggah": UPLOADER,
                "waktu": (limit + dt.timedelta(days=float(offset[i]))).replace(microsecond=0),
                "peringatan": "[]", "catatan": "[]", "status": "tersimpan",
                "baris_kegiatan": int(per_polsek[i]), "baris_kerawanan": int(per_polsek[i]), "contoh": False,
            })
    with store.writing(engine) as conn:
        for start in range(0, len(uploads), CHUNK):
            conn.execute(store.unggahan.insert(), uploads[start:start + CHUNK])
        if is_pg:
            conn.exec_driver_sql("SELECT setval(pg_get_serial_sequence('unggahan', 'id'), (SELECT max(id) FROM unggahan))")
    rows = 0
    for step, bulan in enumerate(months):
        ids = step * len(polseks) + prof.polsek_index + 1
        keg, ker = month_columns(rng, prof, step, len(months))
        frames = [(month_frame(keg, tables.kegiatan, ids), tables.kegiatan), (month_frame(ker, tables.kerawanan, ids), tables.kerawanan)]
        if is_pg:
            raw = engine.raw_connection()
            try:
                for frame, table in frames:
                    pg_copy(raw.driver_connection, frame, table)
                raw.commit()
            finally:
                raw.close()
        else:
            with store.writing(engine) as conn:
                for frame, table in frames:
                    sqlite_insert(conn, frame, table)
        rows += len(frames[0][0])
        print(f"    {bulan}: {len(frames[0][0])} baris per lembar", flush=True)
    if is_pg:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    return {"unggahan": len(uploads), "rows_per_sheet": rows, "polsek": len(polseks), "desa": len(prof.desa)}


def pg_server(admin_url: str) -> str | None:
    """None when the PostgreSQL server of `admin_url` answers, else why not."""
    try:
        engine = sa.create_engine(admin_url, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
        engine.dispose()
    except Exception as error:  # any failure means: skip PostgreSQL
        return f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
    return None


@contextmanager
def fresh_database(backend: str, tmp: Path, admin_url: str) -> Iterator[tuple[str, Callable[[], int]]]:
    """A URL of a new, empty database and a function giving its size in bytes; dropped/removed afterwards."""
    if backend == "sqlite":
        path = tmp / f"skala-{uuid.uuid4().hex[:8]}.db"

        def size() -> int:
            return sum(p.stat().st_size for p in tmp.glob(path.name + "*"))

        try:
            yield f"sqlite:///{path}", size
        finally:
            for p in tmp.glob(path.name + "*"):
                p.unlink()
        return
    name = f"anev_bench_skala_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = admin.url.set(database=name).render_as_string(hide_password=False)

    def pg_size() -> int:
        with admin.connect() as conn:
            return int(conn.exec_driver_sql(f"SELECT pg_database_size('{name}')").scalar())

    try:
        yield url, pg_size
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


# --------------------------------------------------------------------------- 3. the measurement (fresh process)


def sql_value(expr: str, table: str) -> str:
    return f"COALESCE({table}.{expr}, 0)"


def component_sql(comp, k: str = "k", r: str = "r") -> str:
    """One index component as an SQL expression over one desa row (kegiatan k LEFT JOIN kerawanan r).

    The same rules as metrics._component: capaian, rasio, ya, minimal, linmas, tps_terpetakan.
    """
    def col(name: str) -> str:
        alias = k if name in {c.name for c in tables.kegiatan.columns} else r
        if name in reference.bool_keys():
            return f"(CASE WHEN {alias}.{name} THEN 1.0 ELSE 0.0 END)"
        return f"CAST(COALESCE({alias}.{name}, 0) AS FLOAT)"

    kosong = 0.0 if pd.isna(comp.nilai_kosong) else float(comp.nilai_kosong)
    target, bobot = float(comp.target), float(comp.bobot)
    if comp.rumus == "capaian":
        actual = " + ".join(col(c) for c in comp.kolom.split("+"))
        return f"(CASE WHEN ({actual}) / {target} < 1.0 THEN ({actual}) / {target} ELSE 1.0 END) * {bobot}"
    if comp.rumus == "rasio":
        num, den = comp.kolom.split("/")
        ratio = f"(CASE WHEN {col(den)} > 0 THEN {col(num)} / {col(den)} ELSE {kosong} END)"
        return f"(CASE WHEN {ratio} / {target} < 1.0 THEN {ratio} / {target} ELSE 1.0 END) * {bobot}"
    if comp.rumus == "ya":
        return f"{col(comp.kolom)} * {bobot}"
    if comp.rumus == "minimal":
        return f"(CASE WHEN {col(comp.kolom)} >= {target} THEN 1.0 ELSE 0.0 END) * {bobot}"
    if comp.rumus == "linmas":
        num, den = comp.kolom.split("/")
        need = f"({col(den)} * {target})"
        ratio = f"(CASE WHEN {need} > 0 THEN {col(num)} / {need} ELSE {kosong} END)"
        return f"(CASE WHEN {ratio} < 1.0 THEN {ratio} ELSE 1.0 END) * {bobot}"
    if comp.rumus == "tps_terpetakan":
        classified = " + ".join(col(c) for c in metrics.TPS_CLASSES.values())
        return f"(CASE WHEN {r}.desa_kode IS NOT NULL AND ({classified}) = {col(comp.kolom)} THEN 1.0 ELSE 0.0 END) * {bobot}"
    raise ValueError(comp.rumus)


def polsek_sql() -> str:
    """Prototype query: the rekap's Polsek table (sums, desa melapor, mean indices) for one month, in one GROUP BY.

    Reads only the latest version of every Polsek of the month (the same rule as store._latest_ids) and joins
    kerawanan to kegiatan row by row (same upload, same desa), as metrics.desa_month merges them per desa.
    """
    comps = reference.index_components()
    index = {name: " + ".join(f"({component_sql(c)})" for c in comps[comps["indeks"] == name].itertuples(index=False))
             for name in ("kinerja", "kesiapan")}
    sums = []
    for key in reference.count_keys():
        alias = "k" if key in tables.kegiatan.c else "r"
        sums.append(f"SUM(COALESCE({alias}.{key}, 0)) AS {key}")
    for key in reference.bool_keys():
        alias = "k" if key in tables.kegiatan.c else "r"
        sums.append(f"SUM(CASE WHEN {alias}.{key} THEN 1 ELSE 0 END) AS {key}")
    return f"""
WITH latest AS (
    SELECT u.id, u.polsek FROM unggahan u
    JOIN (SELECT polsek, bulan, MAX(versi) AS versi FROM unggahan WHERE bulan = :bulan GROUP BY polsek, bulan) m
      ON u.polsek = m.polsek AND u.bulan = m.bulan AND u.versi = m.versi
)
SELECT latest.polsek AS polsek, COUNT(*) AS desa_melapor,
       {', '.join(sums)},
       AVG({index['kinerja']}) AS indeks_kinerja,
       AVG({index['kesiapan']}) AS indeks_kesiapan
FROM kegiatan k
JOIN latest ON latest.id = k.unggahan_id
LEFT JOIN kerawanan r ON r.unggahan_id = k.unggahan_id AND r.desa_kode = k.desa_kode
GROUP BY latest.polsek
"""


def rekap_polsek_sql(engine: sa.Engine, bulan: str, query: str) -> tuple[pd.DataFrame, float]:
    """Prototype: the rekap's Polsek table from the SQL GROUP BY, completed in pandas (all Polsek, personnel)."""
    start = time.perf_counter()
    with engine.connect() as conn:
        result = conn.execute(sa.text(query), {"bulan": bulan})
        grouped = pd.DataFrame(result.fetchall(), columns=list(result.keys()))
    fetched = time.perf_counter() - start
    sum_keys = reference.count_keys() + reference.bool_keys()
    frame = pd.DataFrame({"polsek": list(reference.polsek_names())})
    frame["desa_total"] = frame["polsek"].map(reference.desa().groupby("polsek").size()).astype("int64")
    grouped = grouped.set_index("polsek")
    for key in ["desa_melapor", *sum_keys]:
        frame[key] = frame["polsek"].map(grouped[key]).fillna(0).astype("int64")
    for col in ("indeks_kinerja", "indeks_kesiapan"):
        frame[col] = frame["polsek"].map(grouped[col].astype(float))
    needs = metrics.guard_needs(frame[["polsek", "tps", *metrics.TPS_CLASSES.values()]])
    frame = frame.merge(needs[["polsek", "personel_polri", "personel_linmas"]], on="polsek", how="left")
    frame["kategori_kinerja"] = frame["indeks_kinerja"].map(metrics.kategori_kinerja)
    return frame, fetched


def pandas_polsek(engine: sa.Engine, bulan: str) -> pd.DataFrame:
    return metrics.build_rekap(bulan, store.rows(engine, "kegiatan", bulan), store.rows(engine, "kerawanan", bulan)).polsek


def compare_polsek(sql_frame: pd.DataFrame, pandas_frame: pd.DataFrame) -> str:
    """'sama' when the prototype gives the Polsek table of build_rekap (indices to 1e-6), else what differs."""
    cols = [c for c in sql_frame.columns if c in pandas_frame.columns]
    a = sql_frame[cols].set_index("polsek").sort_index()
    b = pandas_frame[cols].set_index("polsek").sort_index()
    diffs = []
    for col in a.columns:
        if a[col].dtype.kind in "fi" and b[col].dtype.kind in "fi":
            if not np.allclose(a[col].astype(float), b[col].astype(float), atol=1e-6, equal_nan=True):
                diffs.append(col)
        elif not a[col].astype(object).equals(b[col].astype(object)):
            diffs.append(col)
    return "sama" if not diffs else "BERBEDA: " + ", ".join(diffs)


def rows_before(engine: sa.Engine, sheet: str, bulan: str) -> pd.DataFrame:
    """store.rows as measured on 2026-11-30 04:40 (before issue 7's changes): pandas given SQLAlchemy Row objects.

    pd.DataFrame(result.fetchall(), columns=...) makes pandas inspect every Row (hasattr through Row.__getattr__,
    _key_fallback and an AttributeError); store.rows now takes the driver's tuples and builds column by column.
    """
    table = store.ROW_TABLES[sheet]
    cols = [c for c in table.columns if c.name != "unggahan_id"]
    query = (
        sa.select(store.unggahan.c.polsek, store.unggahan.c.bulan, store.unggahan.c.versi, *cols)
        .join(store.unggahan, store.unggahan.c.id == table.c.unggahan_id)
        .where(table.c.unggahan_id.in_(store._latest_ids(bulan, bulan)))
    )
    names = ["polsek", "bulan", "versi", *[c.name for c in cols]]
    with engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(query).fetchall(), columns=names)
    for key in reference.count_keys(sheet):
        frame[key] = pd.to_numeric(frame[key]).fillna(0).astype("int64")
    for key in reference.bool_keys(sheet):
        frame[key] = frame[key].astype("boolean").fillna(False).astype(bool)
    return frame


def _jsonable_before(value: object) -> object:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float | np.floating):
        return None if np.isnan(value) else round(float(value), 2)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def rekap_json_before(rekap: metrics.Rekap) -> dict:
    """metrics.rekap_json as it was before issue 7's changes: every value through a Python function."""
    polsek_cols, desa_cols = metrics._json_columns()
    return {
        "bulan": rekap.bulan,
        "totals": {k: _jsonable_before(v) for k, v in rekap.totals.items()},
        "polsek": [{k: _jsonable_before(v) for k, v in row.items()} for row in rekap.polsek[polsek_cols].to_dict("records")],
        "desa": [{k: _jsonable_before(v) for k, v in row.items()} for row in rekap.desa.reindex(columns=desa_cols).to_dict("records")],
        "kelengkapan": rekap.kelengkapan,
    }


def before_after(engine: sa.Engine, bulan: str, runs: int) -> dict:
    """The rekap and `rekap --json` before issue 7's changes and now, alternated in this process (same n).

    Before: rows_before x2 + build_rekap; JSON = rekap_json_before + json.dumps(indent=2), as `rekap --json` printed it.
    Now: store.rows x2 + build_rekap; JSON = metrics.rekap_json_text.
    """
    found: dict[str, list[float]] = {k: [] for k in ("before_fetch", "before_rekap", "before_json", "after_fetch",
                                                     "after_rekap", "after_json")}
    paths = [
        ("before", rows_before, lambda r: json.dumps(rekap_json_before(r), ensure_ascii=False, indent=2)),
        ("after", store.rows, metrics.rekap_json_text),
    ]
    for step in range(runs):
        for label, fetch, to_text in paths if step % 2 == 0 else paths[::-1]:  # each path goes first every other round
            gc.collect()
            t0 = time.perf_counter()
            keg, ker = fetch(engine, "kegiatan", bulan), fetch(engine, "kerawanan", bulan)
            t1 = time.perf_counter()
            rekap = metrics.build_rekap(bulan, keg, ker)
            t2 = time.perf_counter()
            to_text(rekap)
            t3 = time.perf_counter()
            found[f"{label}_fetch"].append(t1 - t0)
            found[f"{label}_rekap"].append(t2 - t0)
            found[f"{label}_json"].append(t3 - t2)
            del keg, ker, rekap
    differences = []
    for sheet in store.ROW_TABLES:
        try:
            pd.testing.assert_frame_equal(rows_before(engine, sheet, bulan), store.rows(engine, sheet, bulan))
        except AssertionError as error:
            differences.append(f"{sheet}: {str(error).splitlines()[0]}")
    rekap = metrics.build_rekap(bulan, store.rows(engine, "kegiatan", bulan), store.rows(engine, "kerawanan", bulan))
    # compared as canonical text: Python's == would take True for 1 and 2.0 for 2
    canonical = [json.dumps(obj, sort_keys=True, ensure_ascii=False)
                 for obj in (json.loads(metrics.rekap_json_text(rekap)), rekap_json_before(rekap))]
    if canonical[0] != canonical[1]:
        differences.append("objek JSON berbeda")
    found["equal"] = "sama" if not differences else "BERBEDA: " + "; ".join(differences)  # type: ignore[assignment]
    return found


def sql_prototype(engine: sa.Engine, bulan: str, runs: int) -> dict:
    """The Polsek table from one SQL GROUP BY against store.rows x2 + build_rekap (alternated)."""
    query = polsek_sql()
    sql_t, sql_fetch, pandas_t, sql_cpu, pandas_cpu = [], [], [], [], []
    for _ in range(runs):
        gc.collect()
        c0, t0 = time.process_time(), time.perf_counter()
        sql_frame, fetched = rekap_polsek_sql(engine, bulan, query)
        sql_t.append(time.perf_counter() - t0)
        sql_cpu.append(time.process_time() - c0)
        sql_fetch.append(fetched)
        gc.collect()
        c0, t0 = time.process_time(), time.perf_counter()
        pandas_frame = pandas_polsek(engine, bulan)
        pandas_t.append(time.perf_counter() - t0)
        pandas_cpu.append(time.process_time() - c0)
    found = {"sql": sql_t, "sql_query": sql_fetch, "pandas": pandas_t, "sql_cpu": sql_cpu, "pandas_cpu": pandas_cpu,
             "equal": compare_polsek(sql_frame, pandas_frame), "polsek_rows": len(sql_frame)}
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            plan = conn.execute(sa.text("EXPLAIN (ANALYZE, FORMAT JSON) " + query), {"bulan": bulan}).scalar()
        found["server_ms"] = float(plan[0]["Execution Time"])
    return found


def where_time_goes(stats: pstats.Stats) -> dict:
    """Inclusive seconds of the rekap's steps, and the functions with the most exclusive time."""
    core_dir = str(REPO_ROOT / "core") + os.sep
    inclusive: dict[str, float] = {}
    exclusive: list[tuple[str, float]] = []
    for (file, _line, func), (_cc, _nc, tottime, cumulative, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        short = f"{Path(file).stem}.{func}" if file.startswith(core_dir) else f"{Path(file).name}:{func}" if file != "~" else func
        if file.startswith(core_dir) and not func.startswith("<"):
            inclusive[short] = inclusive.get(short, 0.0) + cumulative
        elif ((file.endswith("result.py") and func in ("fetchall", "_allrows")) or (file.endswith("frame.py") and func == "__init__")
              or (func in ("execute", "<method 'execute' of 'sqlite3.Cursor' objects>") and file in ("~", "cursor.py"))):
            inclusive[short] = max(inclusive.get(short, 0.0), cumulative)
        exclusive.append((short, tottime))
    exclusive.sort(key=lambda item: item[1], reverse=True)
    return {"total": max(stats.total_tt, 1e-9), "inclusive": sorted(inclusive.items(), key=lambda i: i[1], reverse=True)[:14],
            "exclusive": exclusive[:10]}


def probe(spec: dict) -> dict:
    """Child process: measure one month's rekap on `spec['url']` (reference data from ANEV_DATA_DIR)."""
    out: dict = {"maxrss_start": maxrss_bytes()}
    start = time.perf_counter()
    for loader in (reference.desa, reference.polsek_names, reference.indicators, reference._components,
                   reference.settings, reference.guard_ratios):
        loader()
    out["reference_s"] = time.perf_counter() - start
    engine = store.create_db_engine(spec["url"])
    bulan = spec["bulan"]
    gc.collect()
    out["maxrss_before"] = maxrss_bytes()

    def fetch() -> tuple[pd.DataFrame, pd.DataFrame]:
        return store.rows(engine, "kegiatan", bulan), store.rows(engine, "kerawanan", bulan)

    def one() -> tuple[float, float, metrics.Rekap, float]:
        c0, t0 = time.process_time(), time.perf_counter()
        keg, ker = fetch()
        t1 = time.perf_counter()
        rekap = metrics.build_rekap(bulan, keg, ker)
        return t1 - t0, time.perf_counter() - t1, rekap, time.process_time() - c0

    def text_of(rekap: metrics.Rekap) -> float:
        t0 = time.perf_counter()
        text = metrics.rekap_json_text(rekap)
        out["json_bytes"] = len(text.encode("utf-8"))
        return time.perf_counter() - t0

    first_fetch, first_build, rekap, _cpu = one()  # first rekap in the process: not in the median
    out["maxrss_after_first"] = maxrss_bytes()
    out["first"] = [first_fetch, first_build]
    out["kelengkapan"] = rekap.kelengkapan
    out["desa_rows"] = len(rekap.desa)
    del rekap
    fetch_t, build_t, cpu_t, json_t = [], [], [], []
    for _ in range(spec["runs"]):
        gc.collect()
        f, b, _rekap, cpu = one()
        fetch_t.append(f)
        build_t.append(b)
        cpu_t.append(cpu)
        json_t.append(text_of(_rekap))
        del _rekap
    out["fetch"], out["build"], out["cpu"], out["json"] = fetch_t, build_t, cpu_t, json_t
    out["maxrss_after_runs"] = maxrss_bytes()

    gc.collect()
    keg, ker = fetch()
    out["rows_bytes"] = int(keg.memory_usage(deep=True).sum() + ker.memory_usage(deep=True).sum())
    out["rows"] = [len(keg), len(ker)]
    del keg, ker
    gc.collect()
    tracemalloc.start()
    try:
        keg, ker = fetch()
        fetch_current, fetch_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        rekap = metrics.build_rekap(bulan, keg, ker)
        build_peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    out["tracemalloc"] = {"fetch_peak": fetch_peak, "fetch_kept": fetch_current, "build_peak": build_peak,
                          "peak": max(fetch_peak, build_peak)}
    del keg, ker, rekap
    gc.collect()

    profiler = cProfile.Profile()
    profiler.enable()
    one()
    profiler.disable()
    out["profile"] = where_time_goes(pstats.Stats(profiler))

    out["before_after"] = before_after(engine, bulan, spec["runs"])
    if spec.get("prototype"):
        out["prototype"] = sql_prototype(engine, bulan, spec["runs"])
    out["maxrss_end"] = maxrss_bytes()
    out["vmhwm_end"] = vm_hwm()
    engine.dispose()
    return out


def run_probe(spec: dict, data: Path | None) -> dict:
    env = dict(os.environ)
    env.pop("ANEV_DATA_DIR", None)
    if data is not None:
        env["ANEV_DATA_DIR"] = str(data)
    # On Linux ru_maxrss survives execve: a child started straight from this (large) process would report this
    # process's RSS as its own peak. A tiny launcher in between forks the probe from a small process instead.
    done = subprocess.run([sys.executable, "-c", LAUNCHER, sys.executable, str(Path(__file__).resolve()), "--probe", json.dumps(spec)],
                          capture_output=True, text=True, cwd=REPO_ROOT, env=env, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"bench_skala: probe failed ({done.returncode})")
    return json.loads(done.stdout.strip().splitlines()[-1])


CLI_LAUNCHER = (
    "import resource, subprocess, sys, time; t = time.perf_counter(); "
    "code = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL); wall = time.perf_counter() - t; "
    "print(wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, code)"
)
CLI_COMMANDS = ("rekap", "json", "impor")


def cli_runs(url: str, data: Path | None, bulan: str, runs: int) -> dict[str, list[float]]:
    """`python -m core rekap --bulan B` and `... --json` as a user runs them, output to /dev/null; n runs alternated.

    Each is a new interpreter: imports, reference data, engine, rekap, printing. A small launcher times the command
    and reads its peak memory (RUSAGE_CHILDREN of the launcher holds only that command; see run_probe on execve).
    `impor` = `python -c "import core.cli"`, the floor every command pays.
    """
    env = dict(os.environ, ANEV_DB_URL=url)
    env.pop("ANEV_DATA_DIR", None)
    if data is not None:
        env["ANEV_DATA_DIR"] = str(data)
    base = [sys.executable, "-m", "core", "rekap", "--bulan", bulan]
    commands = {"rekap": base, "json": [*base, "--json"], "impor": [sys.executable, "-c", "import core.cli"]}
    found: dict[str, list[float]] = {}
    for _ in range(runs):
        for name, command in commands.items():
            done = subprocess.run([sys.executable, "-c", CLI_LAUNCHER, *command], capture_output=True, text=True,
                                  cwd=REPO_ROOT, env=env, check=False)
            wall, rss_kib, code = done.stdout.split()[-3:]
            if int(code) != 0:
                raise SystemExit(f"bench_skala: {' '.join(command[1:])} gagal ({code}): {done.stderr[-500:]}")
            found.setdefault(name, []).append(float(wall))
            found.setdefault(f"{name}_rss", []).append(int(rss_kib) * 1024.0)
    return found


# --------------------------------------------------------------------------- 5. the report


@dataclass
class Result:
    """One scale on one backend."""

    scale: str
    backend: str
    bulan: str
    months: list[str]
    counts: dict
    fill_s: float
    db_bytes: int
    probe: dict
    geo: dict | None = None
    cli: dict | None = None


def median(values: list[float]) -> float:
    return statistics.median(values)


def verdict(ok: bool) -> str:
    return "ya" if ok else "**TIDAK**"


def totals(r: Result) -> list[float]:
    return [f + b for f, b in zip(r.probe["fetch"], r.probe["build"], strict=True)]


def peak_process(r: Result) -> int:
    return max(r.probe["maxrss_after_first"], r.probe["maxrss_after_runs"])


def scale_text(r: Result) -> str:
    c = r.counts
    label = "TTU (data/ asli)" if r.scale == "ttu" else "nasional (sintetis)"
    return f"{label}: {num(c['desa'])} desa, {num(c['polsek'])} Polsek, {len(r.months)} bulan, {num(c['rows_per_sheet'])} baris/lembar"


def results_table(results: list[Result]) -> str:
    lines = [
        "| Skala | Backend | Rekap 1 bulan: median (rentang) | CPU proses: median | Ambil baris `store.rows` ×2 | "
        "Agregasi `build_rekap` | Teks `--json` (`rekap_json_text`, di luar rekap) | Rekap pertama di proses | Memori puncak "
        "proses (ru_maxrss) | Kenaikan ru_maxrss oleh rekap | tracemalloc puncak | Target | Tercapai? |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        p = r.probe
        tot = totals(r)
        peak = peak_process(r)
        grow = peak - p["maxrss_before"]
        first = sum(p["first"])
        national = r.scale == "nasional"
        target = f"≤ {TARGET_S:g} s, ≤ 2 GB" if national else "– (pembanding)"
        ok = verdict(median(tot) <= TARGET_S) + " / " + verdict(peak <= TARGET_BYTES) if national else "–"
        lines.append(
            f"| {scale_text(r)} | {r.backend} | {seconds(median(tot))} ({span(tot)}) | {seconds(median(p['cpu']))} | "
            f"{seconds(median(p['fetch']))} "
            f"({span(p['fetch'])}) | {seconds(median(p['build']))} ({span(p['build'])}) | {seconds(median(p['json']))} "
            f"({span(p['json'])}) | {seconds(first)} | {mib(peak)} | "
            f"+{mib(grow)} | {mib(p['tracemalloc']['peak'])} | {target} | {ok} |"
        )
    return "\n".join(lines)


def profile_line(r: Result) -> str:
    prof = r.probe["profile"]
    total = prof["total"]
    inc = ", ".join(f"`{name}` {100 * t / total:.0f}%" for name, t in prof["inclusive"][:10] if t / total >= 0.02)
    exc = ", ".join(f"`{name}` {100 * t / total:.0f}%" for name, t in prof["exclusive"][:6])
    return (f"{r.scale}/{r.backend} (rekap {seconds(total)} di bawah cProfile): inklusif {inc}; "
            f"eksklusif terbesar {exc}")


def ratio_text(before: list[float], after: list[float]) -> str:
    b, a = median(before), median(after)
    return f"{seconds(b)} → {seconds(a)} ({b / a:.1f}×)"


def table_head(*columns: str) -> list[str]:
    """The header row and separator row of a markdown table."""
    return ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]


def before_after_table(results: list[Result]) -> str:
    lines = table_head("Skala", "Backend", "Ambil baris ×2: sebelum → sesudah (rasio)", "Rekap (ambil + `build_rekap`)",
                       "Teks `--json`", "Rekap + teks `--json`", "Hasil sama?")
    for r in results:
        ba = r.probe["before_after"]
        both_b = [x + y for x, y in zip(ba["before_rekap"], ba["before_json"], strict=True)]
        both_a = [x + y for x, y in zip(ba["after_rekap"], ba["after_json"], strict=True)]
        lines.append(
            f"| {r.scale} | {r.backend} | {ratio_text(ba['before_fetch'], ba['after_fetch'])} | "
            f"{ratio_text(ba['before_rekap'], ba['after_rekap'])} | {ratio_text(ba['before_json'], ba['after_json'])} | "
            f"{ratio_text(both_b, both_a)} | {ba['equal']} |"
        )
    return "\n".join(lines)


def cli_table(results: list[Result]) -> str:
    lines = table_head("Skala", "Backend", "`python -m core rekap --bulan …`: median (rentang)",
                       "`… --json` ke /dev/null: median (rentang)", "Ukuran teks JSON (UTF-8)", "`python -c \"import core.cli\"` saja",
                       "Memori puncak `rekap` / `--json`", "Target ≤ 2 s: `rekap` / `--json`")
    for r in results:
        c = r.cli or {}
        if not c:
            continue
        national = r.scale == "nasional"
        ok = (verdict(median(c["rekap"]) <= TARGET_S) + " / " + verdict(median(c["json"]) <= TARGET_S)) if national else "– (pembanding)"
        lines.append(
            f"| {r.scale} | {r.backend} | {seconds(median(c['rekap']))} ({span(c['rekap'])}) | {seconds(median(c['json']))} "
            f"({span(c['json'])}) | {mib(r.probe.get('json_bytes', 0))} | {seconds(median(c['impor']))} | "
            f"{mib(max(c['rekap_rss']))} / {mib(max(c['json_rss']))} | {ok} |"
        )
    return "\n".join(lines)


def prototype_lines(r: Result) -> list[str]:
    lines = []
    proto = r.probe.get("prototype")
    if proto:
        sql_m, pandas_m = median(proto["sql"]), median(proto["pandas"])
        ratios = [p / s for p, s in zip(proto["pandas"], proto["sql"], strict=True)]
        server = f"; eksekusi di server menurut EXPLAIN ANALYZE {proto['server_ms']:.0f} ms" if "server_ms" in proto else ""
        lines.append(
            f"{r.scale}/{r.backend}, tabel Polsek lewat SQL GROUP BY (`polsek_sql` + `rekap_polsek_sql`): median "
            f"{seconds(sql_m)} ({span(proto['sql'])}; kueri + fetch saja {seconds(median(proto['sql_query']))}{server}) vs "
            f"`store.rows` ×2 + `build_rekap` {seconds(pandas_m)} ({span(proto['pandas'])}), rasio jalur sekarang ÷ SQL "
            f"{pandas_m / sql_m:.1f}× (per ulangan {min(ratios):.1f}×–{max(ratios):.1f}×, n={len(ratios)}; CPU proses "
            f"{seconds(median(proto['pandas_cpu']))} ÷ {seconds(median(proto['sql_cpu']))}); {proto['polsek_rows']} "
            f"baris Polsek dibanding `build_rekap(...).polsek`: {proto['equal']}"
        )
    return lines


def dominant(r: Result) -> str:
    p = r.probe
    f, b = median(p["fetch"]), median(p["build"])
    share = 100 * f / (f + b)
    prof = dict(p["profile"]["inclusive"])
    total = p["profile"]["total"]
    frame = prof.get("frame.py:__init__", 0.0) / total
    driver = prof.get("store._driver_rows", 0.0) / total
    return (f"{r.scale}/{r.backend}: ambil baris {share:.0f}% / agregasi {100 - share:.0f}% (di bawah cProfile: "
            f"`store._driver_rows` (koneksi, execute, fetchall) {100 * driver:.0f}%, `pd.DataFrame(...)` {100 * frame:.0f}%)")


def suggestion(national: list[Result]) -> list[str]:
    """What would reach the target, from the prototypes measured in the same runs."""
    lines = ["**Saran (target terlewat; skrip ini tidak mengubah `core/`, prototipenya ada di `scripts/bench_skala.py`; "
             "angka untuk semua backend skala nasional):**"]
    sql = [r for r in national if r.probe.get("prototype")]
    if sql:
        figures = "; ".join(
            f"{r.backend}: {seconds(median(r.probe['prototype']['sql']))} vs {seconds(median(r.probe['prototype']['pandas']))} "
            f"({median(r.probe['prototype']['pandas']) / median(r.probe['prototype']['sql']):.1f}×; CPU proses "
            f"{seconds(median(r.probe['prototype']['sql_cpu']))} vs {seconds(median(r.probe['prototype']['pandas_cpu']))})"
            for r in sql
        )
        lines.append(
            "  1. Untuk layar tingkat Polda/Mabes, agregasi di SQL: fungsi baru `store.polsek_rekap(engine, bulan) -> "
            "DataFrame` yang menjalankan kueri `polsek_sql()` skrip ini (versi terbaru Polsek/bulan seperti "
            "`_latest_ids`; `kegiatan JOIN latest LEFT JOIN kerawanan ON (unggahan_id, desa_kode)`; `GROUP BY polsek`; "
            "`COUNT(*)` desa melapor, `SUM` setiap indikator angka dan Ya/Tidak, `AVG` rumus Indeks Kinerja dan Kesiapan "
            "yang dibangkitkan dari `data/indeks.csv` dengan aturan `metrics._component`), dan di `core/metrics.py` "
            "`build_rekap_polsek(bulan, grup)` yang melengkapi ~2.700 baris itu di pandas seperti `rekap_polsek_sql` "
            "(semua Polsek dari data rujukan, desa_total, `guard_needs`, kategori) untuk `Rekap.polsek`, `totals` dan "
            "`kelengkapan`. `Rekap.desa` (84 ribu baris) dibaca hanya untuk Polsek yang dibuka (`store.rows` dengan "
            "filter `unggahan.polsek`, memakai indeks `ix_unggahan_bulan` yang sudah ada). Tidak perlu indeks baru "
            "(kunci primer `(unggahan_id, desa_kode)` dipakai untuk join). Diukur, tabel Polsek SQL vs jalur sekarang: "
            + figures + ". Batas prototipe: mengelompokkan menurut Polsek pengunggah (bukan Polsek desa di desa.csv; sama "
            "bila pengimpor menolak desa Polsek lain), desa yang hanya ada di lembar Kerawanan tidak ikut dijumlah, dan "
            "`perbatasan` desa tanpa baris Kerawanan tidak jatuh ke nilai desa.csv (FULL JOIN dan tabel desa di basis data "
            "akan menutup ketiganya)."
        )
    return lines


def section(results: list[Result], skipped: list[str], info: dict[str, str], when: str, args: argparse.Namespace) -> str:
    national = [r for r in results if r.scale == "nasional"]
    geo = next((r.geo for r in national if r.geo), None)
    missed = [r for r in national if median(totals(r)) > TARGET_S or peak_process(r) > TARGET_BYTES]
    notes = []
    if geo:
        notes.append(
            f"Data rujukan nasional (sintetis, folder sementara lewat `ANEV_DATA_DIR`, lalu `reference.clear_caches()`): salinan "
            f"data/ dengan desa.csv {num(geo['desa'])} desa (kode 99.xx.yy.zzzz, nama, kecamatan, lat/lon, 3% perbatasan) di "
            f"{num(geo['kecamatan'])} kecamatan; {geo['polda']} Polda × {geo['polres'] // geo['polda']} Polres × 4–8 Polsek = "
            f"{num(geo['polsek'])} Polsek (nama unik seperti `Polsek D07-081-03`); polsek_kecamatan.csv memetakan setiap "
            "kecamatan ke satu Polsek. Skala TTU memakai data/ asli (`ANEV_DATA_DIR` tidak diisi)."
        )
    for r in results:
        c, k = r.counts, r.probe["kelengkapan"]
        notes.append(
            f"Isi {r.scale}/{r.backend}: {num(c['unggahan'])} unggahan (versi 1, {len(PLACEHOLDER)} byte pengganti berkas), "
            f"{num(c['rows_per_sheet'])} baris `kegiatan` dan {num(c['rows_per_sheet'])} baris `kerawanan` ({r.months[0]} … "
            f"{r.months[-1]}), diisi dalam {seconds(r.fill_s)} (tidak diukur); ukuran basis data {mib(r.db_bytes)}. Bulan "
            f"yang direkap {r.bulan}: {num(r.probe['rows'][0])} + {num(r.probe['rows'][1])} baris dibaca, "
            f"{num(k['polsek_melapor'])}/{num(k['polsek_total'])} Polsek, {num(k['desa_melapor'])}/{num(k['desa_total'])} desa "
            f"melapor; baris satu bulan di memori {mib(r.probe['rows_bytes'])} (`memory_usage(deep=True)`)."
        )
    notes += [
        f"Pengisian: langsung ke tabel, bukan lewat pengimpor (SQLite: SQLAlchemy Core `exec_driver_sql` executemany per "
        f"{num(CHUNK)} baris, satu transaksi per bulan; PostgreSQL: `COPY … FROM STDIN (FORMAT csv)` lewat psycopg, lalu "
        "`VACUUM ANALYZE`, seperti yang akan dilakukan autovacuum). SQLite tidak di-`ANALYZE` (aplikasi juga tidak). Angka "
        "acak mengikuti `core.demo` (sambang ~17/bulan, TPS 2–6 per desa dengan proporsi 2024, petugas 1–3 desa, 5% desa "
        "tanpa petugas). Semua Polsek dan semua desa melapor setiap bulan dengan satu versi: jumlah baris terbesar untuk "
        "satu bulan.",
        "Yang diukur, di proses Python baru per skala/backend (setelah impor pustaka, `create_db_engine` dan memuat data "
        "rujukan): rekap bulan terakhir = `store.rows(engine, \"kegiatan\", bulan)` + `store.rows(engine, \"kerawanan\", bulan)` "
        f"(kolom \"ambil baris\") + `metrics.build_rekap(bulan, kegiatan, kerawanan)` (kolom \"agregasi\"), n={args.runs}, "
        "setelah satu rekap pertama di proses (kolom tersendiri, tidak masuk median). Waktu dinding `time.perf_counter`; "
        "target dinilai dengan median waktu dinding. \"CPU proses\" = `time.process_time` proses pengukuran (kurang "
        "terpengaruh proses lain di mesin bersama; pada PostgreSQL tidak termasuk kerja server). Cache halaman OS hangat "
        "(basis data baru saja diisi).",
        "Memori: ru_maxrss = RSS puncak proses pengukuran sampai rekap terakhir yang diukur waktunya (pustaka, data "
        "rujukan, rekap pertama, lalu n rekap masing-masing dengan teks `--json`-nya; sebelum tracemalloc, cProfile dan "
        "pembanding); target 2 GB dibandingkan dengan angka ini. Di Linux ru_maxrss terbawa melewati execve, jadi proses pengukuran dijalankan "
        "lewat peluncur Python kecil (kalau langsung dari proses induk yang besar, angkanya = RSS induk). \"Kenaikan\" = "
        "ru_maxrss sesudah rekap dikurangi ru_maxrss sesudah data rujukan dimuat. Di akhir proses (termasuk prototipe), "
        "ru_maxrss / VmHWM dari /proc: "
        + "; ".join(f"{r.scale}/{r.backend} {mib(r.probe['maxrss_end'])} / {mib(r.probe.get('vmhwm_end') or 0)}" for r in results)
        + ". tracemalloc (satu rekap tersendiri, di luar pengukuran waktu) hanya melihat alokasi lewat Python/numpy, "
        "bukan buffer pyarrow, libpq atau SQLite.",
        "Memuat data rujukan di proses baru (sekali per proses, lalu di-cache; tidak termasuk rekap): "
        + "; ".join(f"{r.scale}/{r.backend} {seconds(r.probe['reference_s'])}" for r in results) + ".",
    ]
    if skipped:
        notes.append("Tidak diukur: " + "; ".join(skipped) + ".")
    notes.append("Yang dominan (median): " + "; ".join(dominant(r) for r in results) + ".")
    notes.append("Ke mana waktunya (cProfile satu rekap; persen dari waktu rekap di bawah profiler; inklusif = termasuk "
                 "fungsi yang dipanggil, jadi bertumpuk):")
    notes += [f"  - {profile_line(r)}" for r in results]
    notes.append(
        "Sebelum → sesudah, diukur bergantian di proses pengukuran yang sama (n sama): **sebelum** = jalur yang diukur "
        "2026-11-30 04:40 (`store.rows` memberi pandas daftar objek `Row` SQLAlchemy; `rekap --json` = `rekap_json` "
        "per nilai lewat fungsi Python lalu `json.dumps(indent=2)`), salinannya `rows_before` dan `rekap_json_before` "
        "di skrip ini; **sesudah** = `core` sekarang (`store.rows` mengambil tuple driver lewat `store._driver_rows` dan "
        "membangun DataFrame per kolom; `metrics.rekap_json_text` menulis JSON dengan `DataFrame.to_json`, satu Polsek/desa "
        "per baris). \"Hasil sama\" = `assert_frame_equal` kedua lembar dan objek JSON yang sama persis."
    )
    notes.append("TABLE:before_after")
    notes.append(
        "Perintah seperti dijalankan pengguna, proses Python baru per ulangan (impor pustaka, data rujukan, engine, rekap, "
        "cetak ke /dev/null), n sama, bergiliran; memori puncak = ru_maxrss perintah itu saja (lewat peluncur kecil):"
    )
    notes.append("TABLE:cli")
    protos = [line for r in results for line in prototype_lines(r)]
    if protos:
        notes.append("Alternatif yang diukur, tidak dipakai: tabel Polsek rekap dari satu kueri `WITH latest AS (versi "
                     "terbaru bulan itu) SELECT polsek, COUNT(*), SUM(...) per indikator, AVG(rumus Indeks Kinerja), "
                     "AVG(rumus Indeks Kesiapan) FROM kegiatan JOIN latest LEFT JOIN kerawanan USING (unggahan_id, "
                     "desa_kode) GROUP BY polsek`, dilengkapi di pandas (semua Polsek, desa_total, `guard_needs`, kategori), "
                     "dibanding jalur sekarang `store.rows` ×2 + `build_rekap` (bergantian, n sama):")
        notes += [f"  - {line}" for line in protos]
        notes.append(
            "Mengapa tidak dipakai: `rekap` dan `rekap --json` tetap memerlukan semua baris desa (spec bagian 7: objek "
            "`desa` berisi setiap desa dengan indeksnya), jadi baris tetap diambil; rumus indeks di SQL akan menjadi "
            "penafsir kedua `data/indeks.csv` di samping `metrics._component`, dan dua penafsir bisa berbeda diam-diam. "
            "Kueri ini (`polsek_sql`) menjadi langkah berikut bila layar tingkat Polda/Mabes hanya perlu tabel Polsek."
        )
    if national:
        if missed:
            notes.append("Target TERLEWAT (skala nasional): " + "; ".join(
                f"{r.backend} {seconds(median(totals(r)))} > {TARGET_S:g} s" if median(totals(r)) > TARGET_S
                else f"{r.backend} memori {mib(peak_process(r))} > 2 GB" for r in missed) + ".")
        tight = [r for r in national if r not in missed and median(totals(r)) > 0.8 * TARGET_S]
        if tight:
            notes.append("Tercapai tipis: " + "; ".join(
                f"{r.backend} median {seconds(median(totals(r)))} (rentang sampai {seconds(max(totals(r)))}, CPU proses "
                f"{seconds(median(r.probe['cpu']))})" for r in tight)
                + "; di mesin bersama ini beban proses lain saja dapat menggesernya melewati 2 s.")
        if missed:
            notes += suggestion(national)
        else:
            notes.append("Target skala nasional (rekap di proses) tercapai untuk semua backend yang diukur.")
        slow_cli = [r for r in national if r.cli and median(r.cli["json"]) > TARGET_S]
        if slow_cli:
            notes.append("Perintah `rekap --json` skala nasional melewati 2 s: " + "; ".join(
                f"{r.backend} {seconds(median(r.cli['json']))} (impor saja {seconds(median(r.cli['impor']))})" for r in slow_cli)
                + "; selisihnya di atas rekap di proses = memulai Python dan mengimpor pustaka, memuat data rujukan dan "
                "mencetak teks JSON.")
    parts = [
        TITLE,
        "",
        f"Diukur {when} dengan `python scripts/bench_skala.py --skala {','.join(args.skala)} --backend "
        f"{','.join(args.backend)} --runs {args.runs}` (issue 7). Target: rekap satu bulan skala nasional "
        f"≤ {TARGET_S:g} s (median) dan ≤ 2 GB memori puncak proses; skala TTU sebagai pembanding.",
        "",
        f"- Platform: {info['platform']}",
        f"- CPU: {info['cpu']}",
        f"- Python: {info['python']}",
        f"- Paket: {info['paket']}",
        f"- Basis data: {info['db']}",
        f"- Kode: {info['kode']}",
        f"- Beban: {info['beban']}",
        "",
        results_table(results),
        "",
        *[n if n.startswith("  ") else f"- {n}" for n in notes],
    ]
    tables = {"TABLE:before_after": before_after_table(results), "TABLE:cli": cli_table(results)}
    parts = [f"\n{tables[p[2:]]}\n" if p[2:] in tables else p for p in parts]
    return "\n".join(parts).rstrip() + "\n"




# --------------------------------------------------------------------------- main


def parse_list(allowed: tuple[str, ...]) -> Callable[[str], list[str]]:
    def parse(text: str) -> list[str]:
        items = [p.strip() for p in text.split(",") if p.strip()]
        unknown = [p for p in items if p not in allowed]
        if unknown or not items:
            raise argparse.ArgumentTypeError(f"tidak dikenal: {', '.join(unknown) or '(kosong)'}; pilih dari {', '.join(allowed)}")
        return [p for p in allowed if p in items]

    return parse


def measure(scale: str, backend: str, tmp: Path, data: Path | None, months: list[str], args: argparse.Namespace,
            geo: dict | None) -> Result:
    with data_dir(data), fresh_database(backend, tmp, args.pg_url) as (url, size):
        print(f"  [{scale}/{backend}] mengisi {len(months)} bulan …", flush=True)
        start = time.perf_counter()
        engine = store.create_db_engine(url)
        counts = fill_database(engine, months, args.seed)
        fill_s = time.perf_counter() - start
        engine.dispose()
        db_bytes = size()
        print(f"  [{scale}/{backend}] diisi dalam {fill_s:.1f} s, {db_bytes / 2**20:.0f} MiB; mengukur di proses baru …", flush=True)
        spec = {"url": url, "bulan": months[-1], "runs": args.runs, "prototype": not args.tanpa_prototipe}
        result = run_probe(spec, data)
        print(f"  [{scale}/{backend}] perintah rekap (proses baru) × {args.runs} …", flush=True)
        cli = cli_runs(url, data, months[-1], args.runs)
    r = Result(scale, backend, months[-1], months, counts, fill_s, db_bytes, result, geo, cli)
    p = result
    print(f"  [{scale}/{backend}] rekap median {median(totals(r)):.3f} s (ambil {median(p['fetch']):.3f} s, agregasi "
          f"{median(p['build']):.3f} s), ru_maxrss {peak_process(r) / 2**20:.0f} MiB", flush=True)
    for line in prototype_lines(r):
        print(f"  {line}", flush=True)
    return r


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skala", type=parse_list(SCALES), default=list(SCALES), help="ttu,nasional (default both)")
    parser.add_argument("--backend", type=parse_list(BACKENDS), default=list(BACKENDS),
                        help="sqlite,postgresql (default both; postgresql is skipped when the server does not answer)")
    parser.add_argument("--runs", type=int, default=5, help="timed rekap runs per scale and backend (default 5, at least 3)")
    parser.add_argument("--desa", type=int, default=NATIONAL_DESA, help=f"desa at national scale (default {NATIONAL_DESA})")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--pg-url", default=os.environ.get("ANEV_BENCH_PG_URL", DEFAULT_PG_URL),
                        help="PostgreSQL server and a database to connect to for CREATE/DROP DATABASE")
    parser.add_argument("--tanpa-prototipe", action="store_true", help="skip the SQL GROUP BY prototype")
    parser.add_argument("--out", default=str(REPO_ROOT / "docs" / "benchmarks.md"), help="markdown file to update")
    parser.add_argument("--tidak-tulis", action="store_true", help="print only, do not write the markdown file")
    parser.add_argument("--probe", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.probe:
        print(json.dumps(probe(json.loads(args.probe))))
        return 0
    if args.runs < 3:
        parser.error("--runs must be at least 3")

    started = time.perf_counter()
    load_before = load_average()
    last = add_months(current_bulan(), -1)
    skipped: list[str] = []
    backends = list(args.backend)
    if "postgresql" in backends:
        why = pg_server(args.pg_url)
        if why:
            backends.remove("postgresql")
            skipped.append(f"PostgreSQL ({sa.make_url(args.pg_url).render_as_string()} tidak menjawab: {why})")
            print(f"bench_skala: PostgreSQL dilewati: {why}", file=sys.stderr)
    if not backends:
        raise SystemExit("bench_skala: no backend to measure")
    pg_version = ""
    if "postgresql" in backends:
        engine = sa.create_engine(args.pg_url)
        with engine.connect() as conn:
            pg_version = conn.exec_driver_sql("SHOW server_version").scalar()
        engine.dispose()

    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="anev-bench-skala-") as tmp_name:
        tmp = Path(tmp_name)
        for scale in args.skala:
            print(f"\n=== Skala {scale} ===", flush=True)
            if scale == "ttu":
                data, geo = None, None
                months = month_range(add_months(last, -(TTU_MONTHS - 1)), last)
            else:
                data = tmp / "data-nasional"
                geo = build_national_reference(data, args.desa, args.seed)
                print(f"  data rujukan sintetis: {geo}", flush=True)
                months = month_range(add_months(last, -(NATIONAL_MONTHS - 1)), last)
            for backend in backends:
                results.append(measure(scale, backend, tmp, data, months, args, geo))

    db = []
    if "sqlite" in backends:
        import sqlite3

        db.append(f"SQLite {sqlite3.sqlite_version} (berkas sementara, WAL, synchronous=NORMAL)")
    if "postgresql" in backends:
        db.append(f"PostgreSQL {pg_version} di 127.0.0.1 (mesin yang sama, pengaturan bawaan Debian), basis data baru per pengukuran")
    info = {
        "platform": platform.platform(),
        "cpu": f"{os.cpu_count()} (os.cpu_count), {cpu_model()}, {memory_total()}",
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "paket": ", ".join(f"{name} {package_version(name)}" for name in PACKAGES),
        "db": "; ".join(db),
        "kode": code_version(),
        "beban": f"loadavg 1/5/15 menit {load_before} saat mulai, {load_average()} saat selesai (mesin bersama); "
                 f"seluruh skrip {time.perf_counter() - started:.0f} s",
    }
    text = section(results, skipped, info, now_text(), args)
    print()
    print(text)
    if not args.tidak_tulis:
        write_section(Path(args.out), text)
        print(f"Ditulis ke {args.out}")
    return 0



def write_section(out: Path, text: str, title: str = TITLE) -> None:
    """Replace only this script's section of docs/benchmarks.md."""
    benchlib.write_section(out, text, title, INTRO)


if __name__ == "__main__":
    sys.exit(main())
