"""Hostile workbooks for the import door, built on the fly, and a child process that reads them under a memory cap.

A reader that aborts in Rust kills the process it runs in, so these files are read in a child:

- `python tests/hostile.py read FILE...` reads each file with `core.ingest.read_recap` and prints
  one JSON line per file (status, first error, wall and CPU seconds, peak RSS so far);
- `python tests/hostile.py fuzz SEED COUNT` does the same for COUNT mutated workbooks (cells moved
  far, rows and cells without references, sheets multiplied, parts truncated, huge numbers and
  repeat counts, shared strings repeated, bytes flipped) of the three formats.

The address space of the child is capped (`ANEV_UJI_BATAS_MB`, default 1024), so an allocation
the bounds missed ends the child, and the test that started it fails. Nothing here is committed as
a binary: every file comes from the project's template or is written record by record.
"""

from __future__ import annotations

import functools
import io
import json
import os
import random
import re
import resource
import string
import struct
import sys
import time
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "tests"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

SMALL = "Polsek Insana Utara"
BULAN = "2024-09"
TODAY = (2026, 11, 30)


# --------------------------------------------------------------------------- xlsx


@functools.cache
def template(polsek: str = SMALL, bulan: str = BULAN) -> bytes:
    """The project's template with every data cell filled (openpyxl writes every `r` attribute)."""
    from workbooks import filled_template

    return filled_template(polsek, bulan)


def parts(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def build_zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def sheet_part(members: dict[str, bytes], sheet: str) -> str:
    """The worksheet part of a sheet name, through workbook.xml and its relationships."""
    book = members["xl/workbook.xml"].decode()
    rel = re.search(rf'<sheet [^>]*name="{re.escape(sheet)}"[^>]*r:id="([^"]+)"', book).group(1)
    rels = members["xl/_rels/workbook.xml.rels"].decode()
    target = re.search(rf'<Relationship [^>]*Target="([^"]+)"[^>]*Id="{rel}"', rels).group(1)
    return target.lstrip("/")


def add_rows(content: bytes, rows_xml: str, sheet: str = "Kegiatan") -> bytes:
    """`rows_xml` appended to the end of a sheet's `sheetData`."""
    members = parts(content)
    name = sheet_part(members, sheet)
    members[name] = members[name].replace(b"</sheetData>", rows_xml.encode() + b"</sheetData>")
    return build_zip(members)


def far_cell(ref: str = "XFD1048576", sheet: str = "Kegiatan", content: bytes | None = None) -> bytes:
    """The template with one more filled cell at `ref` (the issue's 12.5 KB workbook that killed the server)."""
    row = int(re.sub(r"[A-Z]", "", ref))
    return add_rows(content or template(), f'<row r="{row}"><c r="{ref}" t="inlineStr"><is><t>x</t></is></c></row>', sheet)


def many_sheets(count: int, ref: str = "XFD1", content: bytes | None = None) -> bytes:
    """`count` more sheets, each with a filled cell at `ref` (the issue's 300 sheets at XFD1)."""
    members = parts(content or template())
    book = members.get("xl/workbook.xml", b"").decode("utf-8", "replace")
    rels = members.get("xl/_rels/workbook.xml.rels", b"").decode("utf-8", "replace")
    types = members.get("[Content_Types].xml", b"").decode("utf-8", "replace")
    sheet_xml = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        f'<row r="{re.sub(r"[A-Z]", "", ref)}"><c r="{ref}"><v>1</v></c></row></sheetData></worksheet>'
    ).encode()
    new_sheets, new_rels, new_types = [], [], []
    for i in range(count):
        new_sheets.append(f'<sheet xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
                          f'name="Lain{i}" sheetId="{100 + i}" state="visible" r:id="rLain{i}"/>')
        new_rels.append('<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
                        f'Target="/xl/worksheets/lain{i}.xml" Id="rLain{i}"/>')
        new_types.append(f'<Override PartName="/xl/worksheets/lain{i}.xml" '
                         'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>')
        members[f"xl/worksheets/lain{i}.xml"] = sheet_xml
    members["xl/workbook.xml"] = book.replace("</sheets>", "".join(new_sheets) + "</sheets>").encode()
    members["xl/_rels/workbook.xml.rels"] = rels.replace("</Relationships>", "".join(new_rels) + "</Relationships>").encode()
    members["[Content_Types].xml"] = types.replace("</Types>", "".join(new_types) + "</Types>").encode()
    return build_zip(members)


def duplicated_rows(copies: int, polsek: str = SMALL) -> bytes:
    """Kegiatan holding its first desa row `copies` times (rows 5, 6, ...), nothing below."""
    members = parts(template(polsek))
    name = sheet_part(members, "Kegiatan")
    xml = members[name].decode()
    first = re.search(r'<row r="5".*?</row>', xml).group(0)
    body = xml[xml.index("<sheetData>") + len("<sheetData>"):xml.index("</sheetData>")]
    head = "".join(re.findall(r'<row r="[1-4]".*?</row>', body))
    pieces = []
    for i in range(copies):
        row = 5 + i
        pieces.append(re.sub(r'(<c r="[A-Z]+)5"', rf'\g<1>{row}"', first.replace('<row r="5"', f'<row r="{row}"', 1)))
    members[name] = (xml[:xml.index("<sheetData>")] + "<sheetData>" + head + "".join(pieces) + xml[xml.index("</sheetData>"):]).encode()
    return build_zip(members)


def shared_string_bomb(length: int = 200_000, cells: int = 4_000, seed: int = 1) -> bytes:
    """One long shared string (random letters: it does not compress away) shown by `cells` cells below the table."""
    members = parts(template())
    text = "".join(random.Random(seed).choices(string.ascii_lowercase, k=length))
    shared = members.get("xl/sharedStrings.xml")
    if shared is None:
        members["xl/sharedStrings.xml"] = (
            '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f"<si><t>{text}</t></si></sst>"
        ).encode()
        rels = members["xl/_rels/workbook.xml.rels"].decode()
        members["xl/_rels/workbook.xml.rels"] = rels.replace("</Relationships>", (
            '<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
            'Target="sharedStrings.xml" Id="rIdSst"/></Relationships>')).encode()
        index = 0
    else:
        xml = shared.decode()
        index = xml.count("<si>")
        members["xl/sharedStrings.xml"] = xml.replace("</sst>", f"<si><t>{text}</t></si></sst>").encode()
    name = sheet_part(members, "Kegiatan")
    rows = []
    for i in range(-(-cells // 4)):
        row = 100 + i
        rows.append(f'<row r="{row}">' + "".join(f'<c r="{col}{row}" t="s"><v>{index}</v></c>' for col in "WXYZ") + "</row>")
    members[name] = members[name].replace(b"</sheetData>", "".join(rows).encode() + b"</sheetData>")
    return build_zip(members)


# --------------------------------------------------------------------------- ods

_ODS_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)
ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"


def ods_cell(value: object, repeat: int = 1) -> str:
    rep = f' table:number-columns-repeated="{repeat}"' if repeat != 1 else ""
    if value is None or value == "":
        return f"<table:table-cell{rep}/>"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f'<table:table-cell office:value-type="float" office:value="{value}"{rep}><text:p>{value}</text:p></table:table-cell>'
    return f'<table:table-cell office:value-type="string"{rep}><text:p>{escape(str(value))}</text:p></table:table-cell>'


def ods_row(cells: str, repeat: int = 1) -> str:
    rep = f' table:number-rows-repeated="{repeat}"' if repeat != 1 else ""
    return f"<table:table-row{rep}>{cells}</table:table-row>"


def ods(tables: list[tuple[str, str]]) -> bytes:
    """A minimal .ods (mimetype first and stored, as the format wants) of (name, rows XML) tables."""
    body = "".join(f'<table:table table:name="{escape(name)}">{rows}</table:table>' for name, rows in tables)
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODS_NS} office:version="1.2">'
               f"<office:body><office:spreadsheet>{body}</office:spreadsheet></office:body></office:document-content>")
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", ODS_MIME, zipfile.ZIP_STORED)
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def recap_rows(sheet: str, polsek: str = SMALL) -> list[list[object]]:
    """Title, header and one row per desa, as a clerk retyping the template would write them."""
    from tests.unit.test_ingest import data_rows, headers

    return [["REKAP BHABINKAMTIBMAS " + polsek.upper()], ["BULAN : SEPTEMBER 2024"], [], headers(sheet), *data_rows(polsek, sheet)]


def ods_recap(trailing: bool = True) -> bytes:
    """A recap as LibreOffice saves one: the rows, then empty rows and cells repeated to the sheet's end."""
    tables = []
    for sheet, title in (("kegiatan", "Kegiatan"), ("kerawanan", "Kerawanan")):
        rows = "".join(ods_row("".join(ods_cell(v) for v in row) + (ods_cell(None, 1000) if trailing else "")) for row in recap_rows(sheet))
        if trailing:
            rows += ods_row(ods_cell(None, 1024), 1_048_000)
        tables.append((title, rows))
    return ods(tables)


def ods_repeated(rows: int = 20_000, cols: int = 500, sheets: int = 1) -> bytes:
    """The issue's 860-byte .ods: one filled cell repeated `cols` times in a row repeated `rows` times, per sheet."""
    return ods([(f"Lembar{i + 1}", ods_row(ods_cell(1, cols), rows)) for i in range(sheets)])


def ods_spaces(count: int = 2_000_000_000) -> bytes:
    """One text cell holding `<text:s text:c="count"/>`: the reader writes that many spaces."""
    cell = f'<table:table-cell office:value-type="string"><text:p>a<text:s text:c="{count}"/>b</text:p></table:table-cell>'
    return ods([("Kegiatan", ods_row(cell))])


# --------------------------------------------------------------------------- xls (BIFF8, written record by record)


def record(kind: int, data: bytes = b"") -> bytes:
    return struct.pack("<HH", kind, len(data)) + data


def biff_cell(row: int, col: int, value: object) -> bytes:
    if isinstance(value, bool):
        return record(0x0205, struct.pack("<HHHBB", row, col, 15, int(value), 0))
    if isinstance(value, (int, float)):
        return record(0x0203, struct.pack("<HHHd", row, col, 15, float(value)))
    text = str(value).encode("utf-16-le")
    return record(0x0204, struct.pack("<HHHHB", row, col, 15, len(text) // 2, 1) + text)


def biff_formula(row: int, col: int, value: float, tokens: bytes) -> bytes:
    """A FORMULA record with its stored result and its token list (rgce)."""
    return record(0x0006, struct.pack("<HHHdHI", row, col, 15, value, 0, 0) + struct.pack("<H", len(tokens)) + tokens)


def biff_dimensions(first_row: int, last_row: int, first_col: int, last_col: int) -> bytes:
    return record(0x0200, struct.pack("<IIHHH", first_row, last_row, first_col, last_col, 0))


def biff_stream(sheets: list[tuple[str, list[bytes], bool]]) -> bytes:
    """A Workbook stream: globals (BOF, fonts, XFs, BOUNDSHEETs, EOF), then each sheet's records between BOF and EOF."""
    def bof(kind: int) -> bytes:
        return record(0x0809, struct.pack("<HHHHII", 0x0600, kind, 0x0DBB, 0x07CC, 0, 6))

    bodies = [bof(0x0010) + b"".join(records) + record(0x000A) for _name, records, _hidden in sheets]
    font = record(0x0031, struct.pack("<HHHHHBBBBBB", 200, 0, 0x7FFF, 400, 0, 0, 0, 0, 0, 5, 1) + "Arial".encode("utf-16-le"))
    style_xf = record(0x00E0, struct.pack("<HHHBBBBIIH", 0, 0, 0xFFF5, 0x20, 0, 0, 0, 0, 0, 0x20C0))
    cell_xf = record(0x00E0, struct.pack("<HHHBBBBIIH", 0, 0, 0x0001, 0x20, 0, 0, 0, 0, 0, 0x20C0))
    globals_ = bof(0x0005) + record(0x0042, struct.pack("<H", 1200)) + font * 5 + style_xf * 15 + cell_xf
    names = [name.encode("utf-16-le") for name, _records, _hidden in sheets]
    offset = len(globals_) + sum(12 + len(n) for n in names) + 4
    for name, body, (_, _, hidden) in zip(names, bodies, sheets, strict=True):
        globals_ += record(0x0085, struct.pack("<IBBBB", offset, int(hidden), 0, len(name) // 2, 1) + name)
        offset += len(body)
    return globals_ + record(0x000A) + b"".join(bodies)


def xls(sheets: list[tuple[str, list[bytes], bool]]) -> bytes:
    from core.sheetbounds import compound_file

    return compound_file(biff_stream(sheets))


def grid_records(rows: list[list[object]]) -> list[bytes]:
    width = max(map(len, rows))
    out = [biff_dimensions(0, len(rows), 0, width)]
    for r, row in enumerate(rows):
        out += [biff_cell(r, c, v) for c, v in enumerate(row) if v is not None and v != ""]
    return out


def xls_recap(extra: list[bytes] | None = None, polsek: str = SMALL) -> bytes:
    """A recap .xls: Kegiatan (with `extra` records), Kerawanan and a hidden _meta."""
    meta = [["polsek", polsek], ["bulan", BULAN]]
    return xls([("Kegiatan", grid_records(recap_rows("kegiatan", polsek)) + (extra or []), False),
                ("Kerawanan", grid_records(recap_rows("kerawanan", polsek)), False),
                ("_meta", grid_records(meta), True)])


#: Formula tokens that make calamine's formula text quadratic: a number, then 2,000 "insert 255 spaces before it".
SPACE_BOMB = bytes([0x1E, 5, 0]) + bytes([0x19, 0x40, 0x00, 0xFF]) * 2000


# --------------------------------------------------------------------------- the child


def _limit_memory() -> None:
    mb = int(os.environ.get("ANEV_UJI_BATAS_MB", "1024"))
    resource.setrlimit(resource.RLIMIT_AS, (mb * 1024 * 1024, mb * 1024 * 1024))


def _read(content: bytes, name: str) -> dict:
    import datetime as dt

    from core.ingest import read_recap

    start, cpu = time.perf_counter(), time.process_time()
    try:
        result = read_recap(content, name, today=dt.date(*TODAY))
    except Exception as exc:  # a bug: the importer must turn every file into a result
        return {"file": name, "exception": repr(exc)[:500], "seconds": time.perf_counter() - start, "cpu": time.process_time() - cpu}
    return {
        "file": name,
        "status": result.status,
        "message": result.errors[0].message if result.errors else "",
        "errors": len(result.errors),
        "seconds": round(time.perf_counter() - start, 4),
        "cpu": round(time.process_time() - cpu, 4),
        "rss_mb": peak_rss_mb(),
    }


def peak_rss_mb() -> int:
    """This process's peak resident memory in MB.

    `VmHWM` of the process's own memory map: `getrusage(RUSAGE_SELF).ru_maxrss` also counts the
    parent's memory at fork time (Linux keeps the old map's high-water mark across exec), so a
    child of a test run that had built a 100 MB workbook would report those 100 MB as its own.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) // 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def main(argv: list[str]) -> int:
    _limit_memory()
    import core.ingest  # noqa: F401  (imported before the first measurement, like a running server)

    if argv[0] == "read":
        for path in argv[1:]:
            print(json.dumps(_read(Path(path).read_bytes(), Path(path).name)), flush=True)
        return 0
    if argv[0] == "fuzz":
        from fuzz_workbooks import cases

        for name, content in cases(int(argv[1]), int(argv[2])):
            print(json.dumps(_read(content, name)), flush=True)
        return 0
    raise SystemExit(f"unknown command {argv[0]!r}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
