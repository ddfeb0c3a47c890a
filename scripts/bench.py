"""Benchmarks of the import path, the Anev screens and the monthly recap; each part writes its own section.

Not part of the test suite. Run from anywhere:

    python scripts/bench.py                    # all parts; writes/updates docs/benchmarks.md
    python scripts/bench.py --bagian layar     # one part (impor, layar, rekap; comma-separated)
    python scripts/bench.py --runs 15 --out hasil_bench.md
    python scripts/bench.py --profile          # also print cProfile statistics (import; screens that miss a target)

Everything runs on fresh temporary SQLite databases, never data/anev.db.

Part `impor` (section "Impor rekap"):
1. one file of the largest Polsek (Polsek Miomaffo Timur, 49 desa): import (validate + store) and
   validate only (dry run), median and range over --runs runs, each run on a fresh database;
   plus the same file re-imported into a database that already holds 11 months of history;
2. 12 months x 9 Polsek (108 files, generated before timing) into a fresh database, --batch-runs times;
3. reading the same 108 files with python-calamine (core.ingest.read_grids) beside openpyxl;
4. peak memory of importing one 49-desa file (tracemalloc, and ru_maxrss of a fresh process).

Part `layar` (section "Layar Anev"): 36 months of demo data (core.demo.generate; the TTU scale of issue 7, 193 desa x
36 months); every screen's script run under streamlit.testing AppTest, cache cold (st.cache_data cleared, fresh
AppTest) and warm (same AppTest, run again), --runs times each; screens that miss a target are profiled with cProfile.

Part `rekap` (section "Rekap skala TTU"): 36 months of demo data; store.rows + metrics.build_rekap for the
latest month, time and tracemalloc peak.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import gc
import io
import json
import logging
import os
import platform
import pstats
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
for _path in (REPO_ROOT / "tests", REPO_ROOT):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

import benchlib  # noqa: E402
import openpyxl  # noqa: E402
from benchlib import code_version, cpu_model, load_average, package_version  # noqa: E402
from workbooks import filled_template  # noqa: E402

from core import demo, metrics, pipeline, reference, store  # noqa: E402
from core.ingest import read_grids  # noqa: E402
from core.months import add_months, current_bulan, format_bulan  # noqa: E402

SECTION_TITLE = "## Impor rekap (issue: template, importer, storage)"
SCREENS_TITLE = "## Layar Anev (AppTest, 36 bulan data contoh)"
REKAP_TITLE = "## Rekap skala TTU (36 bulan data contoh)"
PARTS = ("impor", "layar", "rekap")
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








IMPORT_PACKAGES = ("pandas", "python-calamine", "openpyxl", "SQLAlchemy")
SCREEN_PACKAGES = ("streamlit", "plotly", "pandas", "pyarrow", "SQLAlchemy")
REKAP_PACKAGES = ("pandas", "pyarrow", "numpy", "SQLAlchemy")



def machine(packages: tuple[str, ...] = IMPORT_PACKAGES) -> dict[str, str]:
    return {
        "platform": platform.platform(),
        "cpu": f"{os.cpu_count()} (os.cpu_count), {cpu_model()}",
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "paket": ", ".join(f"{name} {package_version(name)}" for name in packages),
        "kode": code_version(),
    }


def machine_lines(info: dict[str, str]) -> list[str]:
    return [f"- Platform: {info['platform']}", f"- CPU: {info['cpu']}", f"- Python: {info['python']}",
            f"- Paket: {info['paket']}", f"- Kode: {info['kode']}", f"- Beban: {info['beban']}"]


def load_note(before: str) -> str:
    return f"loadavg 1/5/15 menit {before} saat mulai, {load_average()} saat selesai (mesin bersama)"


def now_text() -> str:
    return dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")


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
        *machine_lines(info),
        "",
        table(rows),
        "",
        *[f"- {n}" for n in notes],
    ]
    return "\n".join(parts).rstrip() + "\n"




# --------------------------------------------------------------------------- screens (part `layar`)

TARGET_COLD_S = 0.5
TARGET_WARM_S = 0.1
SCREEN_MONTHS = 36
REKAP_MONTHS = 36
DEMO_SEED = 2024
#: page -> the title it must show (proof that the intended screen ran, not the default one)
SCREENS = {
    "pages/ringkasan.py": "Ringkasan Anev",
    "pages/kelengkapan.py": "Kelengkapan Laporan",
    "pages/kinerja.py": "Kinerja Bhabinkamtibmas",
    "pages/kesiapan.py": "Kesiapan Pemilihan",
    "pages/rekap.py": "Rekap Bulanan",
    "pages/unggah.py": "Unggah Rekap Bulanan",
}
#: measured once the file exists and app.py registers it (title unknown here: any title, no exception)
OPTIONAL_SCREENS = ("pages/peta.py",)


@dataclass
class ScreenTimes:
    """Wall-clock and process CPU seconds of one screen's cold and warm runs."""

    cold: list[float]
    warm: list[float]
    cold_cpu: list[float]
    warm_cpu: list[float]


def screen_pages() -> tuple[dict[str, str | None], list[str]]:
    """The screens to measure (page -> expected title) and notes on optional or other pages that are not."""
    app_text = (REPO_ROOT / "frame" / "main.py").read_text(encoding="utf-8")  # the navigation lives in the frame
    pages: dict[str, str | None] = dict(SCREENS)
    notes = []
    for page in OPTIONAL_SCREENS:
        exists, registered = (REPO_ROOT / page).exists(), f'"{Path(page).name}"' in app_text
        if exists and registered:
            pages[page] = None
        else:
            notes.append(f"`{page}` tidak diukur: {'belum terdaftar di frame/main.py' if exists else 'berkas belum ada'}.")
    others = sorted(p.name for p in (REPO_ROOT / "pages").glob("*.py") if f"pages/{p.name}" not in pages)
    if others:
        notes.append(f"Halaman lain di `pages/` yang tidak termasuk pengukuran ini: {', '.join(others)}.")
    return pages, notes


@contextmanager
def environment(**values: str) -> Iterator[None]:
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def demo_database(path: Path, months: int, today: dt.date) -> tuple[str, list[str], float, int]:
    """A fresh SQLite file with `months` months of demo data up to last month: url, months, seconds, versions."""
    last = add_months(current_bulan(today), -1)
    span_months = [add_months(last, -i) for i in range(months - 1, -1, -1)]
    url = f"sqlite:///{path}"
    engine = store.create_db_engine(url)
    start = time.perf_counter()
    versions = demo.generate(engine, dari=span_months[0], sampai=last, seed=DEMO_SEED, today=today)
    elapsed = time.perf_counter() - start
    engine.dispose()
    return url, span_months, elapsed, versions


def count_rows(url: str) -> int:
    import sqlalchemy as sa

    engine = store.create_db_engine(url)
    with engine.connect() as conn:
        count = conn.execute(sa.select(sa.func.count()).select_from(store.ROW_TABLES["kegiatan"])).scalar_one()
    engine.dispose()
    return int(count)


def check_screen(at, page: str, title: str | None, bulan: str) -> None:
    """A timing of a screen that failed, or showed another screen or no data, would mean nothing: stop loudly."""
    if at.exception:
        raise SystemExit(f"bench: {page} gagal: {at.exception[0].message}")
    titles = [t.value for t in at.title]
    if not titles or (title is not None and title not in titles):
        raise SystemExit(f"bench: {page} menampilkan judul {titles}, bukan {title!r}")
    infos = " ".join(str(i.value) for i in at.info)
    if "Belum ada rekap" in infos:
        raise SystemExit(f"bench: {page} tidak menemukan data {bulan}: {infos}")


def quiet_streamlit() -> None:
    """Outside `streamlit run`, `st.cache_data.clear()` from the main thread logs a warning each time; keep errors only.

    Called again after each AppTest start, since Streamlit resets its loggers when it (re)reads its configuration.
    """
    for name in list(logging.root.manager.loggerDict):
        if name.startswith("streamlit"):
            logging.getLogger(name).setLevel(logging.ERROR)


def screen_user(url: str):
    """An admin account in the benchmark database when the app has a login gate, else None.

    Uses the AppTest helper of the test suite (`tests/app/accounts.py`), so the benchmark signs in
    exactly as the screen tests do; without that helper the app has no login gate to pass.
    """
    if not (REPO_ROOT / "tests" / "app" / "accounts.py").exists():
        return None
    if str(REPO_ROOT / "tests" / "app") not in sys.path:
        sys.path.insert(0, str(REPO_ROOT / "tests" / "app"))
    import accounts

    return accounts.ensure_user(url, "admin-bench", "admin")


def open_app(bulan: str, user=None):
    """A fresh AppTest of the frame (signed in as `user` if given) after its first run (the default screen; not timed)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(REPO_ROOT / "frame" / "main.py"), default_timeout=120)
    if user is not None:
        import accounts

        accounts.sign_in(at, user)
    at.query_params["bulan"] = bulan
    at.run()
    quiet_streamlit()
    if at.exception:
        raise SystemExit(f"bench: frame/main.py gagal: {at.exception[0].message}")
    return at


def bench_screens(pages: dict[str, str | None], bulan: str, runs: int, user=None) -> dict[str, ScreenTimes]:
    """Cold: fresh AppTest, caches cleared, `switch_page` + `run`. Warm: the same AppTest, `run` again."""
    import streamlit as st

    results = {page: ScreenTimes([], [], [], []) for page in pages}
    for i in range(runs):  # screens in turn, so a burst of load on the shared machine hits all of them alike
        for page, title in pages.items():
            at = open_app(bulan, user)
            st.cache_data.clear()
            gc.collect()
            cpu, start = time.process_time(), time.perf_counter()
            at.switch_page("../" + page)  # relative to frame/main.py
            at.run()
            results[page].cold.append(time.perf_counter() - start)
            results[page].cold_cpu.append(time.process_time() - cpu)
            check_screen(at, page, title, bulan)
            gc.collect()
            cpu, start = time.process_time(), time.perf_counter()
            at.run()
            results[page].warm.append(time.perf_counter() - start)
            results[page].warm_cpu.append(time.process_time() - cpu)
            check_screen(at, page, title, bulan)
        print(f"  putaran {i + 1}/{runs}: " + ", ".join(
            f"{Path(p).stem} {r.cold[-1]:.2f}/{r.warm[-1]:.2f}" for p, r in results.items()), flush=True)
    return results


def apptest_floor(runs: int) -> list[float]:
    """The harness alone: a one-line script (`st.title`) run again on the same AppTest."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_string("import streamlit as st\nst.title('Lantai')")
    at.run()
    quiet_streamlit()
    times = []
    for _ in range(runs):
        elapsed, _ = timed(at.run)
        times.append(elapsed)
    return times


def profile_screen(page: str, title: str | None, bulan: str, cold: bool, user=None) -> pstats.Stats:
    """cProfile of one cold or warm run of a screen, taken in the AppTest script thread (where the page runs)."""
    import streamlit as st
    from streamlit.testing.v1.local_script_runner import LocalScriptRunner

    at = open_app(bulan, user)
    at.switch_page("../" + page)  # relative to frame/main.py
    if cold:
        st.cache_data.clear()
    else:
        at.run()
    profiler = cProfile.Profile()
    original = LocalScriptRunner._run_script_thread

    def profiled(self):
        profiler.enable()
        try:
            return original(self)
        finally:
            profiler.disable()

    LocalScriptRunner._run_script_thread = profiled
    try:
        at.run()
    finally:
        LocalScriptRunner._run_script_thread = original
    check_screen(at, page, title, bulan)
    return pstats.Stats(profiler)


def where_time_goes(stats: pstats.Stats, top: int = 7) -> tuple[float, list[tuple[str, float]]]:
    """Script-thread seconds under the profiler, and the functions with the most inclusive time.

    Counted: functions of `core/` and Streamlit's `st.plotly_chart` and `st.dataframe`. The private cache
    wrappers of `core/ui.py` (`ui._history`) are left out: their public caller (`ui.history`) shows the same time.
    """
    total = 0.0
    found: list[tuple[str, float]] = []
    core_dir = str(REPO_ROOT / "core") + os.sep
    for (file, _line, func), (_cc, _nc, _tt, cumulative, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        if func == "_run_script_thread" and file.endswith("local_script_runner.py"):
            total = max(total, cumulative)
        elif file.startswith(core_dir) and not func.startswith("<") and not (file.endswith("ui.py") and func.startswith("_")):
            found.append((f"{Path(file).stem}.{func}", cumulative))
        elif (file.endswith("plotly_chart.py") and func == "plotly_chart") or (file.endswith("arrow.py") and func == "dataframe"):
            found.append((f"st.{func}", cumulative))
    found.sort(key=lambda item: item[1], reverse=True)
    return total, found[:top]


def screen_table(results: dict[str, ScreenTimes], titles: dict[str, str]) -> str:
    lines = ["| Layar | Dingin: median | Dingin: rentang | Hangat: median | Hangat: rentang | Target | Tercapai? |",
             "|---|---|---|---|---|---|---|"]
    for page, r in results.items():
        cold, warm = statistics.median(r.cold), statistics.median(r.warm)
        verdict = f"dingin {met(cold, TARGET_COLD_S)}, hangat {met(warm, TARGET_WARM_S)}"
        lines.append(f"| {titles[page]} (`{page}`, n={len(r.cold)}) | {seconds(cold)} | {span(r.cold, seconds)} | "
                     f"{seconds(warm)} | {span(r.warm, seconds)} | ≤ {TARGET_COLD_S} s dingin, ≤ {TARGET_WARM_S} s hangat | {verdict} |")
    return "\n".join(lines)


def run_layar(args: argparse.Namespace, out: Path) -> None:
    """Part `layar`: every Anev screen on 36 months of demo data; writes the section "Layar Anev"."""
    from streamlit.testing.v1 import AppTest  # noqa: F401  (loads Streamlit's loggers, so they can be quietened)

    quiet_streamlit()
    today = dt.date.today()
    pages, page_notes = screen_pages()
    with tempfile.TemporaryDirectory(prefix="anev-bench-layar-") as tmp_name:
        db = Path(tmp_name) / "layar.db"
        print(f"Data contoh {SCREEN_MONTHS} bulan …", flush=True)
        url, months, gen_seconds, versions = demo_database(db, SCREEN_MONTHS, today)
        bulan = months[-1]
        desa_rows = count_rows(url)
        load_before = load_average()
        user = screen_user(url)
        with environment(ANEV_DB_URL=url, ANEV_DEMO_OTOMATIS="0"):
            print("Pemanasan (satu putaran semua layar, tidak dihitung) …", flush=True)
            shown_titles = {}
            for page, title in pages.items():
                at = open_app(bulan, user)
                at.switch_page("../" + page)  # relative to frame/main.py
                at.run()
                check_screen(at, page, title, bulan)
                shown_titles[page] = at.title[0].value
            print(f"Layar × {args.runs} (dingin/hangat, detik) …", flush=True)
            results = bench_screens(pages, bulan, args.runs, user)
            floor = apptest_floor(args.runs)
            profiles = []
            for page, title in pages.items():
                r = results[page]
                for cold, target, times in ((True, TARGET_COLD_S, r.cold), (False, TARGET_WARM_S, r.warm)):
                    if statistics.median(times) <= target:
                        continue
                    stats = profile_screen(page, title, bulan, cold, user)
                    total, top = where_time_goes(stats)
                    kind = "dingin" if cold else "hangat"
                    parts = ", ".join(f"`{name}` {value / total:.0%}" for name, value in top) if total else "?"
                    profiles.append(f"{Path(page).stem} {kind} (skrip {seconds(total)} di bawah profiler): {parts}")
                    if args.profile:
                        print(f"\n--- cProfile {page} {kind} ---")
                        stats.sort_stats("cumulative").print_stats(30)
        import streamlit as st

        st.cache_resource.clear()  # the engine on the temporary file
        st.cache_data.clear()
    load_after = load_average()

    titles = {page: (title or shown_titles[page]) for page, title in pages.items()}
    info = machine(SCREEN_PACKAGES)
    info["beban"] = f"loadavg 1/5/15 menit {load_before} saat mulai, {load_after} saat selesai (mesin bersama)"
    cpu_text = "; ".join(
        f"{titles[p]} {seconds(statistics.median(r.cold_cpu))} / {seconds(statistics.median(r.warm_cpu))}"
        for p, r in results.items()
    )
    met_cold = [titles[p] for p, r in results.items() if statistics.median(r.cold) <= TARGET_COLD_S]
    met_warm = [titles[p] for p, r in results.items() if statistics.median(r.warm) <= TARGET_WARM_S]
    notes = [
        f"Data: `core.demo.generate` {SCREEN_MONTHS} bulan ({months[0]} … {months[-1]}, seed {DEMO_SEED}): {versions} versi "
        f"unggahan, {desa_rows} baris desa (semua versi), ke berkas SQLite sementara yang baru (dibuat dalam "
        f"{seconds(gen_seconds)}, tidak diukur); `ANEV_DB_URL` menunjuk ke sana, `ANEV_DEMO_OTOMATIS=0`. Setiap layar dibuka "
        f"pada `?bulan={bulan}` ({format_bulan(bulan)}), Semua Polsek; layar Anev membaca 13 bulan (bulan itu dan 12 sebelumnya).",
        "Yang diukur (waktu dinding, `time.perf_counter`): **dingin** = `at.switch_page(layar); at.run()` pada AppTest baru "
        "yang sudah sekali menjalankan `frame/main.py` (layar bawaan Ringkasan, tidak diukur), tepat setelah "
        "`streamlit.cache_data.clear()`; **hangat** = `at.run()` berikutnya pada AppTest yang sama (semua `st.cache_data` "
        "terisi). Satu `at.run()` = seluruh skrip `frame/main.py` (set_page_config, `data_version`, filter bulan/Polsek, navigasi) "
        "ditambah skrip layar di utas skrip AppTest, lalu pesan-pesannya disusun menjadi pohon elemen di utas utama. "
        "Tidak termasuk: peramban, websocket, penggambaran Plotly/tabel di sisi klien.",
        "Tidak dikosongkan sebelum ukuran dingin: `st.cache_resource` (engine SQLAlchemy), `lru_cache` data rujukan, modul "
        "yang sudah diimpor; seperti server yang sudah berjalan ketika data berubah (kunci `data_version()` berganti). "
        "Satu putaran pemanasan semua layar tidak dihitung. Ulangan bergiliran antarlayar (putaran 1 semua layar, putaran 2 "
        "…), agar lonjakan beban mesin bersama mengenai semua layar.",
        f"Waktu CPU proses (`time.process_time`, semua utas; lebih sedikit terpengaruh proses lain di mesin), median dingin / "
        f"hangat: {cpu_text}.",
        f"Lantai AppTest: skrip satu baris (`st.title`) lewat `AppTest.from_string`, dijalankan ulang, median "
        f"{millis(statistics.median(floor))} (rentang {span(floor, millis)}).",
        f"Target per layar (median waktu dinding): ≤ {TARGET_COLD_S} s dingin, ≤ {TARGET_WARM_S} s hangat. Tercapai dingin: "
        f"{', '.join(met_cold) or 'tidak ada'}; hangat: {', '.join(met_warm) or 'tidak ada'}.",
        *page_notes,
    ]
    if user is not None:
        notes.insert(3, "Gerbang login: setiap AppTest masuk sebagai admin dengan `tests/app/accounts.sign_in` (seperti uji layar) "
                        "sebelum run pertama; pemeriksaan sesi di `frame/main.py` ikut terukur pada setiap run.")
    if profiles:
        notes.append("Ke mana waktunya (cProfile satu kali jalan untuk setiap target yang terlewat, di utas skrip; persen dari "
                     "waktu skrip, inklusif: fungsi yang dipanggil fungsi lain di daftar ikut terhitung di keduanya):")
        notes += [f"  {line}" for line in profiles]
    when = now_text()
    text = "\n".join([
        SCREENS_TITLE,
        "",
        f"Diukur {when} dengan `python scripts/bench.py` (bagian `layar`; sendiri: `--bagian layar`), n = {args.runs} per layar "
        "dan keadaan cache.",
        "",
        *machine_lines(info),
        "",
        screen_table(results, titles),
        "",
        *[f"- {n}" if not n.startswith("  ") else f"  - {n.strip()}" for n in notes],
    ]).rstrip() + "\n"
    print()
    print(screen_table(results, titles))
    print(f"\nCPU median dingin/hangat: {cpu_text}")
    for line in profiles:
        print(f"profil: {line}")
    write_section(out, text, SCREENS_TITLE)
    print(f"\nDitulis ke {out}")


# --------------------------------------------------------------------------- recap at TTU scale (part `rekap`)


def run_rekap(args: argparse.Namespace, out: Path) -> None:
    """Part `rekap`: store.rows + metrics.build_rekap for one month with 36 months stored; writes "Rekap skala TTU"."""
    today = dt.date.today()
    with tempfile.TemporaryDirectory(prefix="anev-bench-rekap-") as tmp_name:
        db = Path(tmp_name) / "rekap.db"
        print(f"Data contoh {REKAP_MONTHS} bulan …", flush=True)
        url, months, gen_seconds, versions = demo_database(db, REKAP_MONTHS, today)
        bulan = months[-1]
        desa_rows = count_rows(url)
        db_size = db.stat().st_size
        engine = store.create_db_engine(url)
        load_before = load_average()

        def read() -> tuple:
            return store.rows(engine, "kegiatan", bulan), store.rows(engine, "kerawanan", bulan)

        def whole() -> metrics.Rekap:
            return metrics.build_rekap(bulan, *read())

        first = whole()  # warm-up: reference data, imports; not timed
        if first.kelengkapan["polsek_melapor"] == 0 or first.kelengkapan["desa_melapor"] == 0:
            raise SystemExit(f"bench: rekap {bulan} kosong: {first.kelengkapan}")
        read_t, build_t, total_t = [], [], []
        for _ in range(args.runs):
            gc.collect()
            start = time.perf_counter()
            keg, ker = read()
            middle = time.perf_counter()
            metrics.build_rekap(bulan, keg, ker)
            end = time.perf_counter()
            read_t.append(middle - start)
            build_t.append(end - middle)
            total_t.append(end - start)
        keg, ker = read()
        rows_bytes = int(keg.memory_usage(deep=True).sum() + ker.memory_usage(deep=True).sum())  # incl. pyarrow text
        peaks, build_peaks = [], []
        for _ in range(3):
            gc.collect()
            tracemalloc.start()
            try:
                keg, ker = read()
                peaks_read = tracemalloc.get_traced_memory()[1]
                tracemalloc.reset_peak()
                current = tracemalloc.get_traced_memory()[0]
                metrics.build_rekap(bulan, keg, ker)
                build_peak = tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()
            peaks.append(max(peaks_read, build_peak))
            build_peaks.append(build_peak - current)
        engine.dispose()
    k = first.kelengkapan
    print(f"  store.rows {[round(t, 3) for t in read_t]}, build_rekap {[round(t, 3) for t in build_t]}")
    rows = [
        Row(f"Baca 1 bulan ({bulan}): `store.rows` kegiatan + kerawanan, versi terbaru (n={args.runs})",
            seconds(statistics.median(read_t)), span(read_t, seconds), "–", "–"),
        Row(f"`metrics.build_rekap` 1 bulan dari baris itu (n={args.runs})",
            seconds(statistics.median(build_t)), span(build_t, seconds), "–", "–"),
        Row(f"Rekap 1 bulan, total (`store.rows` + `build_rekap`) (n={args.runs})",
            seconds(statistics.median(total_t)), span(total_t, seconds), "–", "–"),
        Row("Memori puncak tracemalloc, rekap 1 bulan total, proses hangat (n=3)",
            mib(statistics.median(peaks)), span(peaks, mib), "–", "–"),
        Row("Memori puncak tracemalloc di atas baris yang sudah dibaca, `build_rekap` saja (n=3)",
            mib(statistics.median(build_peaks)), span(build_peaks, mib), "–", "–"),
    ]
    info = machine(REKAP_PACKAGES)
    info["beban"] = load_note(load_before)
    notes = [
        f"Data: `core.demo.generate` {REKAP_MONTHS} bulan ({months[0]} … {months[-1]}, seed {DEMO_SEED}) ke berkas SQLite "
        f"sementara yang baru: {versions} versi unggahan, {desa_rows} baris desa Kegiatan (semua versi), berkas "
        f"{mib(db_size)}; dibuat dalam {seconds(gen_seconds)}, tidak diukur.",
        f"Bulan yang direkap: {format_bulan(bulan)}, {k['polsek_melapor']}/{k['polsek_total']} Polsek, "
        f"{k['desa_melapor']}/{k['desa_total']} desa melapor. `store.rows` memilih versi terbaru setiap Polsek/bulan "
        "dari seluruh riwayat 36 bulan (subkueri `_latest_ids`), lalu baris bulan itu.",
        "Satu rekap pemanasan tidak dihitung (data rujukan, impor). Yang diukur sama dengan isi cache `ui.rekap` "
        "(layar Tabel Rekap dan Ringkasan) dan `python -m core rekap` sebelum keluaran JSON.",
        "Tidak ada target angka untuk bagian ini; pembandingnya anggaran layar Tabel Rekap (≤ 0.5 s dingin) di bagian Layar Anev.",
        "tracemalloc hanya melihat alokasi lewat Python/numpy, bukan memori C SQLite atau pyarrow (kolom teks pandas 3 "
        f"tersimpan di buffer pyarrow). Ukuran baris satu bulan yang dibaca, kegiatan + kerawanan: {rows_bytes / 1024:.0f} KiB "
        "(`DataFrame.memory_usage(deep=True)`, termasuk buffer pyarrow).",
    ]
    text = "\n".join([
        REKAP_TITLE,
        "",
        f"Diukur {now_text()} dengan `python scripts/bench.py` (bagian `rekap`; sendiri: `--bagian rekap`).",
        "",
        *machine_lines(info),
        "",
        table(rows),
        "",
        *[f"- {n}" for n in notes],
    ]).rstrip() + "\n"
    print()
    print(table(rows))
    write_section(out, text, REKAP_TITLE)
    print(f"\nDitulis ke {out}")


# --------------------------------------------------------------------------- main


def run_impor(args: argparse.Namespace, out: Path) -> None:
    """Part `impor`: the import path; writes the section "Impor rekap"."""
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
    when = now_text()
    info = machine()
    info["beban"] = load_note(load_before)
    print()
    for key, value in info.items():
        print(f"{key}: {value}")
    print()
    print(table(rows))
    write_section(out, section(rows, info, when, notes))
    print(f"\nDitulis ke {out}")


def parse_parts(text: str) -> list[str]:
    parts = [p.strip() for p in text.split(",") if p.strip()]
    unknown = [p for p in parts if p not in PARTS]
    if unknown or not parts:
        raise argparse.ArgumentTypeError(f"bagian tidak dikenal: {', '.join(unknown) or '(kosong)'}; pilih dari {', '.join(PARTS)}")
    return [p for p in PARTS if p in parts]  # always in the same order


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(REPO_ROOT / "docs" / "benchmarks.md"), help="markdown file to update")
    parser.add_argument("--bagian", type=parse_parts, default=list(PARTS),
                        help=f"parts to run, comma-separated: {','.join(PARTS)} (default: all)")
    parser.add_argument("--runs", type=int, default=7,
                        help="runs of the one-file import measures, of each screen (cold and warm) and of the recap (default 7)")
    parser.add_argument("--batch-runs", type=int, default=3, help="runs of the 108-file import (default 3)")
    parser.add_argument("--profile", action="store_true",
                        help="also print cProfile statistics: one import; each screen that misses a target")
    parser.add_argument("--memory-probe", help=argparse.SUPPRESS)
    parser.add_argument("--today", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.memory_probe:
        memory_probe(args.memory_probe, args.today)
        return 0
    if args.runs < 1 or args.batch_runs < 1:
        parser.error("--runs and --batch-runs must be at least 1")
    if "layar" in args.bagian and args.runs < 5:
        print("bench: catatan: layar diukur dengan --runs < 5; target layar meminta sedikitnya 5 ulangan", file=sys.stderr)

    out = Path(args.out)
    for part in args.bagian:
        print(f"\n=== Bagian {part} ===", flush=True)
        {"impor": run_impor, "layar": run_layar, "rekap": run_rekap}[part](args, out)
    return 0



def write_section(out: Path, text: str, title: str = SECTION_TITLE) -> None:
    """Replace only this script's section of docs/benchmarks.md."""
    benchlib.write_section(out, text, title, INTRO)


if __name__ == "__main__":
    sys.exit(main())
