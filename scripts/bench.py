"""Benchmark of the recap import path: template-filled workbook -> validation -> SQLite storage.

Not part of the test suite. Run from anywhere:

    python scripts/bench.py                    # writes/updates docs/benchmarks.md
    python scripts/bench.py --runs 15 --out hasil_bench.md
    python scripts/bench.py --profile          # also print a cProfile of one import

Measures (each on fresh temporary SQLite databases, never data/anev.db):
1. one file of the largest Polsek (Polsek Miomaffo Timur, 49 desa): import (validate + store) and
   validate only (dry run), median and range over --runs runs, each run on a fresh database;
   plus the same file re-imported into a database that already holds 11 months of history;
2. 12 months x 9 Polsek (108 files, generated before timing) into a fresh database, --batch-runs times;
3. reading the same 108 files with python-calamine (core.ingest.read_grids) beside openpyxl;
4. peak memory of importing one 49-desa file (tracemalloc, and ru_maxrss of a fresh process).
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import gc
import io
import json
import os
import platform
import pstats
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
for _path in (REPO_ROOT / "tests", REPO_ROOT):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

import openpyxl  # noqa: E402
from workbooks import filled_template  # noqa: E402

from core import pipeline, reference, store  # noqa: E402
from core.ingest import read_grids  # noqa: E402
from core.months import add_months, current_bulan  # noqa: E402

SECTION_TITLE = "## Impor rekap (issue: template, importer, storage)"
INTRO = (
    "# Benchmark\n\n"
    "Angka kinerja yang diukur di mesin nyata; jalankan ulang dengan `python scripts/bench.py` "
    "(menulis ulang bagian masing-masing di berkas ini).\n"
)
BIG_POLSEK = "Polsek Miomaffo Timur"
TARGET_ONE_FILE_S = 0.3
TARGET_BATCH_S = 30.0
MONTHS = 12


@dataclass
class Row:
    """One line of the results table."""

    measure: str
    median: str
    range: str
    target: str
    met: str


# --------------------------------------------------------------------------- helpers


def file_name(polsek: str, bulan: str) -> str:
    return f"Rekap_{polsek.removeprefix('Polsek ').replace(' ', '_')}_{bulan}.xlsx"


def fresh_engine(tmp: Path, name: str):
    return store.create_db_engine(f"sqlite:///{tmp / name}")


def timed(func: Callable[[], object]) -> tuple[float, object]:
    gc.collect()
    start = time.perf_counter()
    value = func()
    return time.perf_counter() - start, value


def seconds(value: float) -> str:
    return f"{value:.3f} s" if value < 1 else f"{value:.2f} s"


def millis(value: float) -> str:
    return f"{value * 1000:.1f} ms"


def span(values: list[float], fmt: Callable[[float], str]) -> str:
    return f"{fmt(min(values))} – {fmt(max(values))}"


def mib(n_bytes: float) -> str:
    return f"{n_bytes / 2**20:.1f} MiB"


def met(value: float, target: float) -> str:
    return "ya" if value <= target else "**TIDAK**"


def check_stored(result, stored_version, expected_version: int | None = 1) -> None:
    """A benchmark of a failing import would measure the wrong thing: stop loudly instead."""
    if result.errors or stored_version is None or (expected_version and stored_version != expected_version):
        messages = "; ".join(e.message for e in result.errors[:3])
        raise SystemExit(f"bench: {result.file} was not stored as expected (version {stored_version}): {messages}")


def openpyxl_read(content: bytes) -> int:
    """Every cell value of every sheet with openpyxl, the comparison for python-calamine."""
    wb = openpyxl.load_workbook(io.BytesIO(content), data_only=True)
    count = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            count += len(row)
    wb.close()
    return count


def calamine_read(content: bytes) -> int:
    return sum(len(row) for grid in read_grids(content) for row in grid.cells)


# --------------------------------------------------------------------------- machine


def package_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "tidak terpasang"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def load_average() -> str:
    try:
        return " / ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


def machine() -> dict[str, str]:
    return {
        "platform": platform.platform(),
        "cpu": f"{os.cpu_count()} (os.cpu_count), {cpu_model()}",
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "paket": ", ".join(
            f"{name} {package_version(name)}" for name in ("pandas", "python-calamine", "openpyxl", "SQLAlchemy")
        ),
    }


# --------------------------------------------------------------------------- measures


def bench_one_file(tmp: Path, content: bytes, name: str, runs: int, today: dt.date) -> list[Row]:
    """Measure 1: one 49-desa file, import and dry run, each run on a fresh database."""
    warm = fresh_engine(tmp, "warm.db")  # first call loads reference data and imports lazily; not timed
    check_stored(*pipeline.import_file(warm, content, name, "bench", today=today))
    warm.dispose()

    stored, dry = [], []
    for i in range(runs):
        engine = fresh_engine(tmp, f"one-{i}.db")
        # dry run first: it stores nothing, so both see an empty database (once officers are stored,
        # check_file reads the file a second time, which is measured separately below)
        elapsed, (result, stored_version) = timed(
            lambda engine=engine: pipeline.import_file(engine, content, name, "bench", dry_run=True, today=today)
        )
        if result.errors or stored_version is not None:
            raise SystemExit(f"bench: dry run of {name} failed: {result.errors[:3]}")
        dry.append(elapsed)
        elapsed, (result, stored_version) = timed(
            lambda engine=engine: pipeline.import_file(engine, content, name, "bench", today=today)
        )
        check_stored(result, stored_version)
        stored.append(elapsed)
        engine.dispose()
    one, check = statistics.median(stored), statistics.median(dry)
    print(f"  import 1 berkas: {[round(t, 3) for t in stored]}")
    print(f"  dry run:         {[round(t, 3) for t in dry]}")
    return [
        Row(f"Impor 1 berkas {BIG_POLSEK} (49 desa), DB kosong, validasi + simpan (n={runs})",
            seconds(one), span(stored, seconds), f"≤ {TARGET_ONE_FILE_S} s", met(one, TARGET_ONE_FILE_S)),
        Row(f"Validasi saja (dry_run=True), berkas yang sama, DB kosong (n={runs})",
            seconds(check), span(dry, seconds), f"≤ {TARGET_ONE_FILE_S} s", met(check, TARGET_ONE_FILE_S)),
    ]


def bench_batch(tmp: Path, files: list[tuple[str, str, str, bytes]], runs: int, today: dt.date):
    """Measure 2: all files into a fresh database, month by month (so later months see history)."""
    totals = []
    keep = None
    for i in range(runs):
        start = time.perf_counter()
        engine = fresh_engine(tmp, f"batch-{i}.db")
        for _polsek, _bulan, name, content in files:
            check_stored(*pipeline.import_file(engine, content, name, "bench", today=today))
        totals.append(time.perf_counter() - start)
        if keep is None:
            keep = engine  # reused for the "with history" measure
        else:
            engine.dispose()
    median = statistics.median(totals)
    print(f"  108 berkas: {[round(t, 2) for t in totals]}")
    row = Row(f"Impor {len(files)} berkas (12 bulan × 9 Polsek) ke DB baru, total waktu (n={runs})",
              seconds(median), span(totals, seconds), f"≤ {TARGET_BATCH_S:g} s", met(median, TARGET_BATCH_S))
    return row, keep


def bench_with_history(engine, content: bytes, name: str, runs: int, today: dt.date) -> Row:
    """The usual monthly case: the Polsek's file re-imported with 11 earlier months already stored."""
    times = []
    for _ in range(runs):
        elapsed, (result, stored_version) = timed(lambda: pipeline.import_file(engine, content, name, "bench", today=today))
        check_stored(result, stored_version, expected_version=None)
        times.append(elapsed)
    median = statistics.median(times)
    print(f"  import 1 berkas dengan riwayat: {[round(t, 3) for t in times]}")
    return Row(f"Impor 1 berkas {BIG_POLSEK}, DB berisi riwayat 11 bulan × 9 Polsek (n={runs})",
               seconds(median), span(times, seconds), f"≤ {TARGET_ONE_FILE_S} s", met(median, TARGET_ONE_FILE_S))


def bench_readers(files: list[tuple[str, str, str, bytes]]) -> list[Row]:
    """Measure 3: read every file with both libraries, interleaved so both see the same machine state."""
    calamine, pyxl = [], []
    for _polsek, _bulan, _name, content in files:
        t_cal, cells_cal = timed(lambda content=content: calamine_read(content))
        t_pyxl, cells_pyxl = timed(lambda content=content: openpyxl_read(content))
        if not cells_cal or not cells_pyxl:
            raise SystemExit("bench: a reader returned no cells")
        calamine.append(t_cal)
        pyxl.append(t_pyxl)
    med_cal, med_pyxl = statistics.median(calamine), statistics.median(pyxl)
    ratios = [p / c for p, c in zip(pyxl, calamine, strict=True)]
    print(f"  calamine median {med_cal * 1000:.1f} ms, openpyxl median {med_pyxl * 1000:.1f} ms")
    return [
        Row(f"Baca 1 berkas, python-calamine (`read_grids`), per berkas (n={len(files)})",
            millis(med_cal), span(calamine, millis), "–", "–"),
        Row(f"Baca 1 berkas, openpyxl (`load_workbook` + `iter_rows`), per berkas (n={len(files)})",
            millis(med_pyxl), span(pyxl, millis), "–", "–"),
        Row("Rasio openpyxl / calamine (median openpyxl ÷ median calamine; rentang = rasio per berkas)",
            f"{med_pyxl / med_cal:.1f}×", f"{min(ratios):.1f}× – {max(ratios):.1f}×", "–", "–"),
    ]


def bench_memory_warm(tmp: Path, content: bytes, name: str, today: dt.date, runs: int = 3) -> Row:
    """Measure 4a: tracemalloc peak of one import in this (already warm) process, fresh database each."""
    peaks = []
    for i in range(runs):
        engine = fresh_engine(tmp, f"mem-{i}.db")
        gc.collect()
        tracemalloc.start()
        try:
            check_stored(*pipeline.import_file(engine, content, name, "bench", today=today))
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
        engine.dispose()
    return Row(f"Memori puncak tracemalloc, impor 1 berkas 49 desa, proses hangat (n={runs})",
               mib(statistics.median(peaks)), span(peaks, mib), "–", "–")


def memory_probe(path: str, today: str) -> None:
    """Child process: import one file cold and print JSON (ru_maxrss is a high-water mark of the whole process)."""
    content = Path(path).read_bytes()
    with tempfile.TemporaryDirectory(prefix="anev-bench-mem-") as tmp:
        engine = fresh_engine(Path(tmp), "probe.db")
        gc.collect()
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        tracemalloc.start()
        result, stored_version = pipeline.import_file(
            engine, content, Path(path).name, "bench", today=dt.date.fromisoformat(today)
        )
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        check_stored(result, stored_version)
        engine.dispose()
    # ru_maxrss is KiB on Linux, bytes on macOS
    unit = 1 if sys.platform == "darwin" else 1024
    print(json.dumps({"tracemalloc_peak": peak, "maxrss_before": before * unit, "maxrss_after": after * unit}))


def bench_memory_cold(tmp: Path, content: bytes, name: str, today: dt.date) -> list[Row]:
    """Measure 4b: a fresh Python process that loads the project and imports one file."""
    path = tmp / name
    path.write_bytes(content)
    out = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--memory-probe", str(path), "--today", today.isoformat()],
        check=True, capture_output=True, text=True, cwd=REPO_ROOT,
    )
    data = json.loads(out.stdout.strip().splitlines()[-1])
    return [
        Row("Memori puncak tracemalloc, impor 1 berkas 49 desa, proses baru (termasuk memuat data referensi)",
            mib(data["tracemalloc_peak"]), "1 kali", "–", "–"),
        Row("ru_maxrss proses baru setelah impor 1 berkas 49 desa (rentang: sebelum impor → kenaikan selama impor)",
            mib(data["maxrss_after"]),
            f"{mib(data['maxrss_before'])} → +{mib(data['maxrss_after'] - data['maxrss_before'])}", "–", "–"),
    ]


def profile_one(tmp: Path, content: bytes, name: str, today: dt.date) -> None:
    engine = fresh_engine(tmp, "profile.db")
    profiler = cProfile.Profile()
    profiler.enable()
    pipeline.import_file(engine, content, name, "bench", today=today)
    profiler.disable()
    engine.dispose()
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(25)


# --------------------------------------------------------------------------- report


def table(rows: list[Row]) -> str:
    lines = ["| Ukuran | Median | Rentang (min – maks) | Target | Tercapai? |", "|---|---|---|---|---|"]
    lines += [f"| {r.measure} | {r.median} | {r.range} | {r.target} | {r.met} |" for r in rows]
    return "\n".join(lines)


def section(rows: list[Row], info: dict[str, str], when: str, notes: list[str]) -> str:
    parts = [
        SECTION_TITLE,
        "",
        f"Diukur {when} dengan `python scripts/bench.py`. Setiap pengukuran memakai basis data SQLite sementara yang baru "
        "(`store.create_db_engine`), bukan `data/anev.db`; berkas dibuat lebih dulu dengan `tests/workbooks.filled_template` "
        "dan tidak ikut diukur.",
        "",
        f"- Platform: {info['platform']}",
        f"- CPU: {info['cpu']}",
        f"- Python: {info['python']}",
        f"- Paket: {info['paket']}",
        f"- Beban: {info['beban']}",
        "",
        table(rows),
        "",
        *[f"- {n}" for n in notes],
    ]
    return "\n".join(parts).rstrip() + "\n"


def write_section(out: Path, text: str) -> None:
    """Replace only our section (up to the next `## ` heading); keep everything else."""
    if out.exists():
        current = out.read_text(encoding="utf-8")
    else:
        current = INTRO
    pattern = re.compile(rf"^{re.escape(SECTION_TITLE)}[ \t]*\n.*?(?=^## |\Z)", re.MULTILINE | re.DOTALL)
    if pattern.search(current):
        updated = pattern.sub(lambda _m: text + "\n", current, count=1)
    else:
        updated = current.rstrip() + "\n\n" + text
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(updated.rstrip() + "\n", encoding="utf-8")


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(REPO_ROOT / "docs" / "benchmarks.md"), help="markdown file to update")
    parser.add_argument("--runs", type=int, default=7, help="runs of the one-file measures (default 7)")
    parser.add_argument("--batch-runs", type=int, default=3, help="runs of the 108-file import (default 3)")
    parser.add_argument("--profile", action="store_true", help="also print a cProfile of one import")
    parser.add_argument("--memory-probe", help=argparse.SUPPRESS)
    parser.add_argument("--today", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.memory_probe:
        memory_probe(args.memory_probe, args.today)
        return 0
    if args.runs < 1 or args.batch_runs < 1:
        parser.error("--runs and --batch-runs must be at least 1")

    today = dt.date.today()
    last_month = add_months(current_bulan(today), -1)
    months = [add_months(last_month, -i) for i in range(MONTHS - 1, -1, -1)]
    polseks = reference.polsek_names()
    if BIG_POLSEK not in polseks or len(reference.desa_of(BIG_POLSEK)) != 49:
        print(f"bench: catatan: {BIG_POLSEK} has {len(reference.desa_of(BIG_POLSEK))} desa, not 49", file=sys.stderr)

    print(f"Membuat {len(months) * len(polseks)} berkas ({months[0]} … {months[-1]}) …", flush=True)
    files = [(p, b, file_name(p, b), filled_template(p, b)) for b in months for p in polseks]
    big = next(f for f in files if f[0] == BIG_POLSEK and f[1] == last_month)
    _, _, big_name, big_content = big

    load_before = load_average()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="anev-bench-") as tmp_name:
        tmp = Path(tmp_name)
        print("1. Satu berkas 49 desa …", flush=True)
        rows += bench_one_file(tmp, big_content, big_name, args.runs, today)
        print("2. 108 berkas …", flush=True)
        batch_row, history_engine = bench_batch(tmp, files, args.batch_runs, today)
        rows.append(batch_row)
        rows.append(bench_with_history(history_engine, big_content, big_name, args.runs, today))
        history_engine.dispose()
        print("3. calamine vs openpyxl …", flush=True)
        rows += bench_readers(files)
        print("4. Memori …", flush=True)
        rows.append(bench_memory_warm(tmp, big_content, big_name, today))
        rows += bench_memory_cold(tmp, big_content, big_name, today)
        if args.profile:
            profile_one(tmp, big_content, big_name, today)

    sizes = [len(f[3]) for f in files]
    notes = [
        f"Berkas: {len(files)} rekap dari templat terisi, bulan {months[0]} … {months[-1]}, "
        f"{min(sizes) / 1024:.0f}–{max(sizes) / 1024:.0f} KiB; berkas 49 desa = {len(big_content) / 1024:.0f} KiB.",
        "Ukuran 1: `pipeline.import_file(engine, isi, nama, \"bench\", today=...)`, setiap ulangan di DB baru "
        "(pembuatan DB tidak diukur); satu impor pemanasan tidak dihitung. Validasi saja = `dry_run=True`, "
        "dijalankan lebih dulu di DB baru yang sama.",
        "Ukuran 2: waktu dinding dari `create_db_engine` sampai berkas ke-108, urut bulan demi bulan "
        "(bulan berikutnya melihat riwayat, seperti di lapangan).",
        "Impor dengan riwayat: berkas bulan terakhir diimpor lagi (versi baru) ke DB hasil ukuran 2. Begitu DB berisi "
        "riwayat 6 bulan Polsek itu atau satu petugas saja (tabel `bhabin`), `pipeline.check_file` membaca dan memvalidasi "
        "berkas dua kali, jadi baris ini mewakili unggahan bulanan biasa; baris DB kosong adalah kasus termurah.",
        "Ukuran 3: kedua pustaka membaca setiap sel setiap lembar dari bytes yang sama, bergantian per berkas.",
        "Ukuran 4: tracemalloc hanya melihat alokasi lewat Python/numpy, bukan memori Rust python-calamine atau C SQLite; "
        "ru_maxrss = RSS puncak seluruh proses baru (impor pustaka sudah termasuk), diukur sebelum dan sesudah impor.",
    ]
    when = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    info = machine()
    info["beban"] = f"loadavg 1/5/15 menit {load_before} saat mulai, {load_average()} saat selesai (mesin bersama)"
    print()
    for key, value in info.items():
        print(f"{key}: {value}")
    print()
    print(table(rows))
    out = Path(args.out)
    write_section(out, section(rows, info, when, notes))
    print(f"\nDitulis ke {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
