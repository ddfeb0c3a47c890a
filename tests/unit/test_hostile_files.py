"""The import door against hostile files: one far cell used to abort the whole server (SIGABRT in Rust).

Every hostile file is built here (`tests/hostile.py`) and read by `core.ingest.read_recap` in a
child process whose address space is capped at 1 GB: a reader that tried to allocate what such a
file asks for kills the child, never the test run. The child times each read and reports its own
peak RSS (`VmHWM`, see `hostile.peak_rss_mb`), which includes the ~110-160 MB of Python, pandas and the importer.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import json
import os
import resource
import struct
import subprocess
import sys
import time
import zipfile

import hostile
import pytest
import xlrd.compdoc
from conftest import ROOT

from core import sheetbounds, store
from core.filecheck import DEFAULT_MAX_UPLOAD_BYTES, FileRefused
from core.ingest import MAX_ERRORS, check_upload, read_grids, read_recap
from core.sheetbounds import MAX_COLUMNS, MAX_ROWS, MAX_SHEET_CELLS, compound_file

TODAY = dt.date(*hostile.TODAY)
LIMIT_MB = 1024
#: The issue's targets. Time is the reader's CPU time: on a shared machine the wall clock also
#: measures the neighbours (at a load of 20 on two cores a 0.5 s read takes 4 s); WALL_GUARD still
#: catches a read that waits or loops.
MAX_SECONDS = 2.0
WALL_GUARD = 20.0
MAX_RSS_MB = 300


def _cpu(work) -> float:
    start, cpu = time.perf_counter(), time.process_time()
    work()
    assert time.perf_counter() - start < WALL_GUARD
    return time.process_time() - cpu


def _child(args: list[str], timeout: float) -> tuple[subprocess.CompletedProcess, list[dict]]:
    env = {**os.environ, "ANEV_UJI_BATAS_MB": str(LIMIT_MB), "OPENBLAS_NUM_THREADS": "1", "RUST_BACKTRACE": "0"}
    proc = subprocess.run([sys.executable, str(ROOT / "tests" / "hostile.py"), *args], capture_output=True, text=True,
                          timeout=timeout, env=env, cwd=ROOT)
    return proc, [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]


def _far(ref: str, sheet: str = "Kegiatan") -> tuple[bytes, list[str]]:
    return hostile.far_cell(ref, sheet), [f'Lembar "{sheet}"', f"({ref})", "Ctrl+End", "unggah kembali"]


#: name -> (builder, fragments of the refusal; None: the file must be read, quickly)
HOSTILE = {
    "far-XFD1048576.xlsx": lambda: _far("XFD1048576"),
    "far-CV1048576.xlsx": lambda: _far("CV1048576"),
    "far-ZZ100000.xlsx": lambda: _far("ZZ100000"),
    "far-A1048576.xlsx": lambda: _far("A1048576"),
    "far-in-meta.xlsx": lambda: _far("XFD1048576", "_meta"),
    "ods-20000x500.ods": lambda: (hostile.ods_repeated(20_000, 500), ['Lembar "Lembar1"', "(SF20000)"]),
    "ods-20000x500-six-sheets.ods": lambda: (hostile.ods_repeated(20_000, 500, sheets=6), ['Lembar "Lembar1"', "(SF20000)"]),
    "ods-two-billion-spaces.ods": lambda: (hostile.ods_spaces(2_000_000_000), ["teks terlalu banyak"]),
    "xlsx-300-sheets-XFD1.xlsx": lambda: (hostile.many_sheets(300), ["lebih dari 100 lembar"]),
    "xlsx-90-sheets-XFD1.xlsx": lambda: (hostile.many_sheets(90), ['Lembar "Lain0"', "(XFD1)"]),
    "xlsx-shared-string-x4000.xlsx": lambda: (hostile.shared_string_bomb(200_000, 4_000), ["teks terlalu banyak"]),
    "xlsx-100000-rows.xlsx": lambda: (hostile.duplicated_rows(100_000), ['Lembar "Kegiatan" terlalu besar', "95,4 MB"]),
    "xlsx-6000-rows.xlsx": lambda: (hostile.duplicated_rows(6_000), ['Lembar "Kegiatan"', f"(A{MAX_ROWS + 1})"]),
    "xls-far-IV65536.xls": lambda: (hostile.xls_recap([hostile.biff_cell(65535, 255, 1.0)]), ['Lembar "Kegiatan"', "(IV65536)"]),
    "xls-mulrk-far-columns.xls": lambda: (  # one MULRK record: three numbers from column 65000 on, in row 60001
        hostile.xls_recap([hostile.record(0x00BD, struct.pack("<HH", 60000, 65000) + b"\0" * 6 * 3 + struct.pack("<H", 65002))]),
        ['Lembar "Kegiatan"', f"({sheetbounds.cell_name(60000, 65002)})"],
    ),
    "xls-dimensions-wrap.xls": lambda: (hostile.xls_recap([hostile.biff_dimensions(10, 5, 0, 1)]), ["area terpakai yang tidak wajar"]),
    "xls-formula-text-bomb.xls": lambda: (
        hostile.xls_recap([hostile.biff_formula(4 + i, 30, 5.0, hostile.SPACE_BOMB) for i in range(20)]), None,
    ),
}


@functools.cache
def _built() -> dict[str, tuple[bytes, list[str] | None]]:
    return {name: build() for name, build in HOSTILE.items()}


@pytest.fixture(scope="module")
def door(tmp_path_factory) -> tuple[subprocess.CompletedProcess, dict[str, dict]]:
    """All hostile files read one after another by one capped child (as one server process would)."""
    folder = tmp_path_factory.mktemp("hostile")
    paths = []
    for name, (content, _fragments) in _built().items():
        (folder / name).write_bytes(content)
        paths.append(str(folder / name))
    proc, lines = _child(["read", *paths], timeout=300)
    return proc, {line["file"]: line for line in lines}


def test_the_hostile_files_are_small() -> None:
    """They fit any upload limit: the harm is in what a reader makes of them, not in their size."""
    sizes = {name: len(content) for name, (content, _) in _built().items()}
    assert max(sizes.values()) < DEFAULT_MAX_UPLOAD_BYTES, sizes
    assert sizes["ods-20000x500.ods"] < 1_000 and sizes["far-XFD1048576.xlsx"] < 30_000


def test_the_process_survives_every_hostile_file(door) -> None:
    proc, results = door
    assert proc.returncode == 0, (proc.returncode, proc.stderr[-2000:])
    assert set(results) == set(HOSTILE)


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_file_is_refused_quickly_and_cheaply(door, name: str) -> None:
    _proc, results = door
    assert name in results, f"the child died before {name}"
    found = results[name]
    assert "exception" not in found, found
    fragments = _built()[name][1]
    if fragments is None:
        assert found["status"] != "unreadable", found
    else:
        assert found["status"] == "unreadable", found
        for fragment in fragments:
            assert fragment in found["message"], (fragment, found["message"])
    assert found["cpu"] < MAX_SECONDS and found["seconds"] < WALL_GUARD, found
    assert found["rss_mb"] < MAX_RSS_MB, found


@pytest.mark.parametrize("name", ["far-XFD1048576.xlsx", "ods-20000x500.ods", "xls-far-IV65536.xls", "xlsx-shared-string-x4000.xlsx"])
def test_refused_file_is_never_stored_as_a_preview(engine, name: str) -> None:
    content, fragments = _built()[name]
    with pytest.raises(FileRefused) as refused:
        store.save_preview(engine, name, content, "clerk", None, None)
    assert fragments[0] in str(refused.value)
    with engine.connect() as conn:
        assert conn.execute(store.pratinjau.select()).first() is None


def test_cli_import_of_the_far_cell_file_exits_1_with_the_message(tmp_path) -> None:
    """`python -m core import` under the same 1 GB cap: exit 1 and the sentence, never SIGABRT (-6)."""
    path = tmp_path / "Rekap_Insana_2024-09.xlsx"
    path.write_bytes(_built()["far-XFD1048576.xlsx"][0])
    env = {**os.environ, "ANEV_DB_URL": f"sqlite:///{tmp_path / 'cli.db'}", "ANEV_DEMO_OTOMATIS": "0", "OPENBLAS_NUM_THREADS": "1"}

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (LIMIT_MB * 1024 * 1024,) * 2)

    proc = subprocess.run([sys.executable, "-m", "core", "import", str(path)], capture_output=True, text=True, timeout=120,
                          env=env, cwd=ROOT, preexec_fn=cap)
    assert proc.returncode == 1, (proc.returncode, proc.stderr[-2000:])
    assert "DITOLAK" in proc.stdout and "(XFD1048576)" in proc.stdout and "Ctrl+End" in proc.stdout


# --------------------------------------------------------------------------- the bounds themselves


def _sheet_rows(rows_xml: str) -> bytes:
    """The template whose Kegiatan sheet has `rows_xml` appended."""
    return hostile.add_rows(hostile.template(), rows_xml)


@pytest.mark.parametrize(
    ("ref", "refused"),
    [
        ("A5000", None),  # the last row
        ("IV1000", None),  # the last column, 256,000 cells
        (f"A{MAX_ROWS + 1}", "di luar tabel"),
        ("IW1", "di luar tabel"),
        ("IV1200", "terlalu luas"),  # 1,200 x 256 = 307,200 cells
    ],
)
def test_bounds_are_inclusive_and_named(ref: str, refused: str | None) -> None:
    content = hostile.far_cell(ref)
    if refused is None:
        check_upload(content)
        assert not read_recap(content, "Rekap.xlsx", today=TODAY).unreadable
    else:
        with pytest.raises(FileRefused, match=refused):
            check_upload(content)
    assert MAX_COLUMNS == 256 and MAX_SHEET_CELLS == 300_000


def test_cells_without_references_are_counted_one_after_the_other() -> None:
    """A `<c>` without `r` takes the next column (as the reader places it): after IU1000 comes IV1000, which fits."""
    fits = _sheet_rows('<row r="1000"><c r="IU1000"><v>1</v></c><c><v>2</v></c></row><row><c><v>3</v></c></row>')
    grids = {g.name: g for g in read_grids(fits)}
    kegiatan = grids["Kegiatan"].cells
    assert len(kegiatan) == 1001 and kegiatan[999][254:256] == [1, 2] and kegiatan[1000][0] == 3
    beyond = _sheet_rows('<row r="1000"><c r="IU1000"><v>1</v></c><c><v>2</v></c><c/><c><v>4</v></c></row>')
    with pytest.raises(FileRefused, match=r"\(IX1000\)"):
        check_upload(beyond)
    rows_without_r = _sheet_rows("<row><c><v>1</v></c></row>" * (MAX_ROWS + 10))
    with pytest.raises(FileRefused, match=rf"\(A{MAX_ROWS + 1}\)"):
        check_upload(rows_without_r)


def test_only_the_sheets_the_contract_needs_are_read() -> None:
    """A workbook of many sheets: `_meta`, Kegiatan, Kerawanan and the first others, MAX_SHEETS_READ in all."""
    content = hostile.many_sheets(20, "B2")
    content = hostile.add_rows(content, '<row r="1"><c r="XFD1"><v>1</v></c></row>', "Lain19")  # never read
    names = [g.name for g in read_grids(content)]
    assert names == ["Petunjuk", "Kegiatan", "Kerawanan", "_meta", "Lain0", "Lain1", "Lain2", "Lain3"]
    assert len(names) == sheetbounds.MAX_SHEETS_READ
    assert read_recap(content, "x.xlsx", today=TODAY).status == "ok"


def test_a_sheet_named_kegiatan_far_down_the_workbook_is_still_read() -> None:
    members = hostile.parts(hostile.many_sheets(20, "B2"))
    book = members["xl/workbook.xml"].decode().replace('name="Lain17"', 'name="KEGIATAN SEPT"')
    members["xl/workbook.xml"] = book.encode()
    names = [g.name for g in read_grids(hostile.build_zip(members))]
    assert "KEGIATAN SEPT" in names and "Kegiatan" in names and len(names) == sheetbounds.MAX_SHEETS_READ


def test_merged_range_down_to_the_last_row_is_cut_to_the_sheet() -> None:
    members = hostile.parts(hostile.template())
    name = hostile.sheet_part(members, "Kegiatan")
    members[name] = members[name].replace(b'<mergeCells count="2">', b'<mergeCells count="3"><mergeCell ref="D5:D1048576"/>')
    content = hostile.build_zip(members)
    grid = {g.name: g for g in read_grids(content)}["Kegiatan"]
    assert ((4, 3), (len(grid.cells) - 1, 3)) in grid.merged
    assert all(r1 < len(grid.cells) for (_r0, _c0), (r1, _c1) in grid.merged)
    assert _cpu(lambda: read_recap(content, "x.xlsx", today=TODAY)) < MAX_SECONDS
    assert read_recap(content, "x.xlsx", today=TODAY).status == "ok"


def test_the_check_has_a_time_bound(monkeypatch) -> None:
    """The check counts its own CPU time; past MAX_CHECK_SECONDS (here 0) the file is refused, not read on."""
    monkeypatch.setattr(sheetbounds, "MAX_CHECK_SECONDS", 0.0)
    with pytest.raises(FileRefused, match="batas waktu"):
        check_upload(hostile.duplicated_rows(3_000))


# --------------------------------------------------------------------------- real files still read the same


def _direct(content: bytes) -> dict[str, list[list[object]]]:
    import python_calamine

    workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))
    return {name: workbook.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in workbook.sheet_names}


@pytest.mark.parametrize("kind", ["xlsx", "ods", "xls"])
def test_rebuilt_file_reads_exactly_like_the_original(kind: str) -> None:
    """The reader gets only the measured parts: for an ordinary recap the grids are the original's, cell for cell."""
    content = {"xlsx": hostile.template, "ods": hostile.ods_recap, "xls": hostile.xls_recap}[kind]()
    direct = _direct(content)
    grids = read_grids(content)
    assert grids and all(g.cells == direct[g.name] for g in grids)
    assert read_recap(content, "Rekap_Insana_Utara_2024-09." + kind, today=TODAY).status == "ok"


def test_libreoffice_style_trailing_empty_rows_and_cells_cost_nothing() -> None:
    """LibreOffice repeats empty rows and cells to the sheet's end (1,048,000 rows): empty repeats are not cells."""
    content = hostile.ods_recap(trailing=True)
    assert b"1048000" in zipfile.ZipFile(io.BytesIO(content)).read("content.xml")
    assert _cpu(lambda: read_recap(content, "Rekap_Insana_Utara_2024-09.ods", today=TODAY)) < MAX_SECONDS
    result = read_recap(content, "Rekap_Insana_Utara_2024-09.ods", today=TODAY)
    assert result.status == "ok" and result.rows() == {"kegiatan": 5, "kerawanan": 5}


def test_xls_formula_keeps_its_stored_result() -> None:
    """Formula token lists are emptied before the reader sees them; the value Excel stored is what is imported."""
    from tests.unit.test_ingest import col_index

    col = col_index("kegiatan", "sambang_dds")
    formula = hostile.biff_formula(4, col, 17.0, bytes([0x1E, 17, 0]))  # =17 on the first desa row (row 5)
    result = read_recap(hostile.xls_recap([formula]), "Rekap_Insana_Utara_2024-09.xls", today=TODAY)
    assert result.status == "ok"
    assert result.kegiatan.sort_values("excel_row").iloc[0]["sambang_dds"] == 17


def test_compound_file_with_a_large_stream_round_trips() -> None:
    """Streams over 7 MB need DIFAT sectors in the rebuilt container; xlrd reads back the same bytes."""
    stream = os.urandom(8 * 1024 * 1024 + 123)
    document = xlrd.compdoc.CompDoc(compound_file(stream), logfile=io.StringIO())
    mem, base, size = document.locate_named_stream("Workbook")
    assert bytes(mem[base:base + size]) == stream


# --------------------------------------------------------------------------- the error cap


def test_validation_stops_after_max_errors_and_says_more_were_left() -> None:
    """3,000 copies of one desa row: checking stops at MAX_ERRORS, one last issue says where, and it is quick."""
    content = hostile.duplicated_rows(3_000)
    read_recap(hostile.template(), "warm.xlsx", today=TODAY)  # reference data loaded, as in a running server
    found: list = []
    elapsed = _cpu(lambda: found.append(read_recap(content, "Rekap_Insana_Utara_2024-09.xlsx", today=TODAY)))
    result = found[0]
    assert result.status == "invalid"
    assert len(result.errors) == MAX_ERRORS + 1
    assert all("sudah ada di baris 5" in e.message for e in result.errors[:MAX_ERRORS])
    last = result.errors[-1]
    assert last.message.startswith("\u2026 dan masih ada kesalahan lain")
    assert f"berhenti setelah {MAX_ERRORS} kesalahan" in last.message and f"baris {last.row}" in last.message
    assert last.sheet == "Kegiatan" and last.row == 5 + MAX_ERRORS + 1
    assert not any("belum diisi" in e.message for e in result.errors)
    assert elapsed < MAX_SECONDS


def test_fewer_errors_than_the_cap_are_all_listed() -> None:
    result = read_recap(hostile.duplicated_rows(50), "Rekap_Insana_Utara_2024-09.xlsx", today=TODAY)
    assert len(result.errors) == 49 and not any("masih ada kesalahan lain" in e.message for e in result.errors)


# --------------------------------------------------------------------------- fuzz


FUZZ_SEED = 20261130
FUZZ_CASES = 250


def test_fuzz_mutated_workbooks_never_kill_the_importer() -> None:
    """A few hundred mutated workbooks through `read_recap` in one capped child: it survives all, each ends as a result."""
    start = time.perf_counter()
    proc, results = _child(["fuzz", str(FUZZ_SEED), str(FUZZ_CASES)], timeout=240)
    assert proc.returncode == 0, (proc.returncode, results[-1:] if results else None, proc.stderr[-2000:])
    assert len(results) == FUZZ_CASES
    problems = [r for r in results if "exception" in r or r["status"] not in ("ok", "invalid", "unreadable")]
    assert not problems, problems[:5]
    slow = [r for r in results if r["cpu"] > MAX_SECONDS or r["seconds"] > WALL_GUARD]
    assert not slow, slow[:5]
    assert max(r["rss_mb"] for r in results) < MAX_RSS_MB
    statuses = {r["status"] for r in results}
    assert statuses == {"ok", "invalid", "unreadable"}, statuses  # the mutations reach every outcome, not only refusals
    assert time.perf_counter() - start < 120


def test_fuzz_cases_are_reproducible() -> None:
    from fuzz_workbooks import cases

    first = [(name, len(content)) for name, content in cases(7, 12)]
    assert first == [(name, len(content)) for name, content in cases(7, 12)]
    assert len({name.split("-")[1] for name, _ in first}) >= 2
