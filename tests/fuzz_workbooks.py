"""Seeded mutations of recap workbooks (xlsx, ods, xls) for the import door's fuzz test.

Each case starts from a valid recap and applies one to three mutations aimed at what the bounds
measure: cells moved far or stripped of their references, rows and cells repeated, sheets
multiplied, parts truncated or missing, huge numbers and counts, long shared strings, merged
ranges, formula token lists, and random bytes flipped in a part or in the container.
"""

from __future__ import annotations

import random
import re
import struct
from collections.abc import Callable, Iterator

import hostile
from hostile import biff_cell, biff_dimensions, biff_formula, biff_stream, grid_records, ods_cell, ods_row, recap_rows, record

from core.sheetbounds import compound_file

Members = dict[str, bytes]


def _ref(rng: random.Random) -> str:
    """A cell reference: near the bounds, far, extreme, or not a reference at all."""
    kind = rng.random()
    if kind < 0.1:
        return rng.choice(["A0", "ZZZZ1", "1A", "", "A-1", "a5", "XFD1048577", "A99999999", "$A$1", "B2 "])
    if kind < 0.5:
        col, row = rng.randint(240, 270), rng.randint(4990, 5010)
    else:
        col, row = rng.randint(0, 16383), rng.randint(1, 1_048_576)
    from core.sheetbounds import cell_name

    return cell_name(row - 1, col)


def _sheets(members: Members) -> list[str]:
    return sorted(n for n in members if n.startswith("xl/worksheets/") and n.endswith(".xml")) or ["xl/worksheets/sheet1.xml"]


def _text(members: Members, name: str) -> str:
    return members.get(name, b"").decode("utf-8", "surrogateescape")


def _xml_parts(members: Members) -> list[str]:
    return sorted(n for n in members if n.endswith((".xml", ".rels")))


def x_far(rng: random.Random, m: Members) -> None:
    name = rng.choice(_sheets(m))
    xml = _text(m, name)
    refs = list(re.finditer(r'<c r="([A-Z]+[0-9]+)"', xml))
    if refs:
        hit = rng.choice(refs)
        xml = xml[:hit.start(1)] + _ref(rng) + xml[hit.end(1):]
    m[name] = xml.encode("utf-8", "surrogateescape")


def x_row_ref(rng: random.Random, m: Members) -> None:
    name = rng.choice(_sheets(m))
    xml = _text(m, name)
    rows = list(re.finditer(r'<row r="([0-9]+)"', xml))
    if rows:
        hit = rng.choice(rows)
        value = rng.choice(["0", "-1", "x", "4999", "5001", "99999999", str(rng.randint(1, 1_048_576)), ""])
        xml = xml[:hit.start(1)] + value + xml[hit.end(1):]
    m[name] = xml.encode("utf-8", "surrogateescape")


def x_strip_refs(rng: random.Random, m: Members) -> None:
    """Rows and cells without `r`: the reader counts them one after the other."""
    name = rng.choice(_sheets(m))
    xml = _text(m, name)
    if rng.random() < 0.7:
        xml = re.sub(r'(<c) r="[A-Z]+[0-9]+"', r"\1", xml)
    if rng.random() < 0.5:
        xml = re.sub(r'(<row) r="[0-9]+"', r"\1", xml)
    m[name] = xml.encode("utf-8", "surrogateescape")


def x_empty_cells(rng: random.Random, m: Members) -> None:
    """Many empty `<c/>` (no `r`) before a filled one: they push it to the right."""
    name = rng.choice(_sheets(m))
    n = rng.choice([100, 255, 256, 300, 2000, 20000])
    m[name] = m.get(name, b"").replace(b"</sheetData>", b"<row>" + b"<c/>" * n + b"<c><v>1</v></c></row></sheetData>", 1)


def x_many_rows(rng: random.Random, m: Members) -> None:
    """Rows without references after the table, each with a number."""
    name = rng.choice(_sheets(m))
    n = rng.choice([1000, 4990, 6000])
    m[name] = m.get(name, b"").replace(b"</sheetData>", b"<row><c><v>7</v></c></row>" * n + b"</sheetData>", 1)


def x_sheets(rng: random.Random, m: Members) -> None:
    content = hostile.many_sheets(rng.choice([10, 60, 99, 101, 150]), rng.choice(["XFD1", "A1", "IV5000", _ref(rng) or "B2"]),
                                  hostile.build_zip(m))
    m.clear()
    m.update(hostile.parts(content))


def x_truncate(rng: random.Random, m: Members) -> None:
    name = rng.choice(_xml_parts(m))
    m[name] = m.get(name, b"")[:rng.randint(0, max(len(m.get(name, b"")) - 1, 0))]


def x_numbers(rng: random.Random, m: Members) -> None:
    name = rng.choice(_sheets(m))
    odd = ["1e308", "1.8e308", "-1e400", "99999999999999999999999999", "NaN", "inf", "-0", "", " ", "1,5", "0x10", "9" * 400]

    def swap(match: re.Match) -> str:
        return f"<v>{rng.choice(odd)}</v>" if rng.random() < 0.3 else match.group(0)

    m[name] = re.sub(r"<v>[^<]*</v>", swap, _text(m, name)).encode("utf-8", "surrogateescape")


def x_flip(rng: random.Random, m: Members) -> None:
    name = rng.choice(_xml_parts(m))
    data = bytearray(m.get(name, b""))
    for _ in range(rng.randint(1, 20)):
        if data:
            data[rng.randrange(len(data))] = rng.randrange(256)
    m[name] = bytes(data)


def x_merges(rng: random.Random, m: Members) -> None:
    name = rng.choice(_sheets(m))
    refs = [f"{_ref(rng) or 'A1'}:{_ref(rng) or 'B2'}" for _ in range(rng.choice([1, 10, 5001]))]
    refs += rng.choice([["A1:XFD1048576"], ["C6:C1048576"], ["A5:U5000"] * 200, []])
    merges = "".join(f'<mergeCell ref="{r}"/>' for r in refs)
    xml = _text(m, name)
    if "<mergeCells" in xml:
        xml = re.sub(r"<mergeCells[^>]*>", lambda g: g.group(0) + merges, xml, count=1)
    else:
        xml = xml.replace("</sheetData>", f"</sheetData><mergeCells>{merges}</mergeCells>", 1)
    m[name] = xml.encode("utf-8", "surrogateescape")


def x_shared(rng: random.Random, m: Members) -> None:
    content = hostile.shared_string_bomb(rng.choice([1_000, 50_000, 200_000]), rng.choice([10, 400, 4000]), rng.randint(0, 99))
    m.clear()
    m.update(hostile.parts(content))


def x_dimension(rng: random.Random, m: Members) -> None:
    name = rng.choice(_sheets(m))
    ref = rng.choice(["A1:XFD1048576", "A1", "XFD1048576", "garbage", "", "A1:A0"])
    m[name] = re.sub(rb'<dimension ref="[^"]*"', f'<dimension ref="{ref}"'.encode(), m.get(name, b""), count=1)


def x_drop(rng: random.Random, m: Members) -> None:
    m.pop(rng.choice(sorted(m)), None)


def x_case_twin(rng: random.Random, m: Members) -> None:
    """A second copy of a sheet under the same name in another case, with a far cell: which one does the reader take?"""
    name = rng.choice(_sheets(m))
    twin = m.get(name, b"").replace(b"</sheetData>", b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>', 1)
    m[name.upper() if rng.random() < 0.5 else name.replace("/", "\\")] = twin


XLSX_MUTATIONS: list[Callable[[random.Random, Members], None]] = [
    x_far, x_far, x_row_ref, x_strip_refs, x_empty_cells, x_many_rows, x_sheets, x_truncate, x_numbers, x_flip,
    x_merges, x_shared, x_dimension, x_drop, x_case_twin,
]


# --------------------------------------------------------------------------- ods


def o_repeat(rng: random.Random, xml: str) -> str:
    """A row or cell, filled or empty, repeated a huge number of times (or a repeat count that is no number)."""
    count = rng.choice(["0", "2", "5000", "20000", "1048576", "4294967296", "99999999999999999999", "-1", "x", "1e3"])
    attr = rng.choice(["table:number-rows-repeated", "table:number-columns-repeated"])
    tag = "<table:table-row" if attr.endswith("rows-repeated") else "<table:table-cell"
    spots = [i.start() for i in re.finditer(re.escape(tag), xml)]
    if not spots:
        return xml
    at = rng.choice(spots) + len(tag)
    return xml[:at] + f' {attr}="{count}"' + re.sub(rf'^ {attr}="[^"]*"', "", xml[at:])


def o_far(rng: random.Random, xml: str) -> str:
    gap = rng.choice([200, 255, 256, 10_000, 16_000])
    rows = rng.choice([1, 4990, 5001, 100_000, 1_048_000])
    extra = ods_row(ods_cell(None, rng.choice([1, 1024])), rows) + ods_row(ods_cell(None, gap) + ods_cell(rng.choice([1, "x"])), rng.choice([1, 3]))
    return xml.replace("</table:table>", extra + "</table:table>", 1)


def o_spaces(rng: random.Random, xml: str) -> str:
    count = rng.choice([1, 1000, 10_000_000, 2_000_000_000, 18446744073709551615])
    cell = f'<table:table-cell office:value-type="string"><text:p>a<text:s text:c="{count}"/></text:p></table:table-cell>'
    return xml.replace("</table:table-row>", cell + "</table:table-row>", 1)


def o_nested(rng: random.Random, xml: str) -> str:
    piece = rng.choice([
        '<table:table table:name="Dalam"><table:table-row>' + ods_cell(1) + "</table:table-row></table:table>",
        " ", "<text:p>teks</text:p>", "<!-- catatan -->",
    ])
    spots = [i.end() for i in re.finditer(r"</table:table-cell>", xml)]
    if not spots:
        return xml
    at = rng.choice(spots)
    return xml[:at] + piece + xml[at:]


def o_many_tables(rng: random.Random, xml: str) -> str:
    tables = "".join(f'<table:table table:name="L{i}">' + ods_row(ods_cell(None, 255) + ods_cell(i)) + "</table:table>"
                     for i in range(rng.choice([20, 99, 101, 300])))
    return xml.replace("</office:spreadsheet>", tables + "</office:spreadsheet>", 1)


def o_truncate(rng: random.Random, xml: str) -> str:
    return xml[:rng.randint(0, len(xml))]


def o_flip(rng: random.Random, xml: str) -> str:
    data = list(xml)
    for _ in range(rng.randint(1, 20)):
        data[rng.randrange(len(data))] = chr(rng.randrange(32, 127))
    return "".join(data)


ODS_MUTATIONS: list[Callable[[random.Random, str], str]] = [o_repeat, o_repeat, o_far, o_spaces, o_nested, o_many_tables, o_truncate, o_flip]


# --------------------------------------------------------------------------- xls


def _xls_sheets(rng: random.Random) -> list[tuple[str, list[bytes], bool]]:
    kegiatan = grid_records(recap_rows("kegiatan"))
    extra: list[bytes] = []
    for _ in range(rng.randint(1, 3)):
        kind = rng.random()
        row, col = rng.choice([(4999, 255), (5000, 0), (0, 256), (65535, 255), (rng.randrange(65536), rng.randrange(65536))])
        if kind < 0.3:
            extra.append(biff_cell(row, col, rng.choice([1.5, "x", True])))
        elif kind < 0.45:
            n = rng.choice([1, 200, 1000])
            extra.append(record(0x00BD, struct.pack("<HH", row, col) + b"\0\0\0\0\0\0" * n + struct.pack("<H", (col + n - 1) & 0xFFFF)))
        elif kind < 0.6:
            extra.append(biff_dimensions(rng.choice([0, 10, 2**32 - 1]), rng.choice([0, 5, 65536, 2**32 - 1]), rng.randrange(300), rng.randrange(65536)))
        elif kind < 0.75:
            extra += [biff_formula(row % 5000, col % 256, 5.0, hostile.SPACE_BOMB)] * rng.choice([1, 50])
        elif kind < 0.85:
            extra.append(record(0x00E5, struct.pack("<H", 3) + struct.pack("<HHHH", 0, 65535, 0, 255) * 3))
        else:
            extra.append(record(rng.choice([0x0203, 0x0006, 0x00FD, 0x0207, 0x00BD, 0x0200]), bytes(rng.randrange(256) for _ in range(rng.randrange(12)))))
    kegiatan += extra
    meta = grid_records([["polsek", hostile.SMALL], ["bulan", hostile.BULAN]])
    sheets = [("Kegiatan", kegiatan, False), ("Kerawanan", grid_records(recap_rows("kerawanan")), False), ("_meta", meta, True)]
    if rng.random() < 0.15:
        sheets += [(f"L{i}", [biff_cell(0, 255, 1)], False) for i in range(rng.choice([20, 101]))]
    return sheets


def _xls_stream_mutation(rng: random.Random, stream: bytes) -> bytes:
    data = bytearray(stream)
    kind = rng.random()
    if kind < 0.3:
        at = data.find(struct.pack("<H", 0x0085))
        if at >= 0:
            struct.pack_into("<I", data, at + 4, rng.choice([0, len(data), len(data) + 1, 2**31, rng.randrange(len(data))]))
    elif kind < 0.5:
        at = rng.randrange(max(len(data) - 4, 1))
        struct.pack_into("<H", data, at, rng.randrange(65536))
    elif kind < 0.7:
        del data[rng.randrange(len(data)):]
    else:
        for _ in range(rng.randint(1, 30)):
            data[rng.randrange(len(data))] = rng.randrange(256)
    return bytes(data)


# --------------------------------------------------------------------------- cases


def _flip_container(rng: random.Random, content: bytes) -> bytes:
    data = bytearray(content)
    for _ in range(rng.randint(1, 10)):
        data[rng.randrange(len(data))] = rng.randrange(256)
    return bytes(data)


def cases(seed: int, count: int) -> Iterator[tuple[str, bytes]]:
    """`count` mutated workbooks, the same ones for the same seed."""
    rng = random.Random(seed)
    base_xlsx = hostile.parts(hostile.template())
    base_ods = hostile.parts(hostile.ods_recap())
    for i in range(count):
        fmt = rng.choices(["xlsx", "ods", "xls"], weights=[5, 2, 3])[0]
        steps = []
        if fmt == "xlsx":
            members = dict(base_xlsx)
            for mutation in rng.sample(XLSX_MUTATIONS, rng.randint(1, 3)):
                steps.append(mutation.__name__)
                mutation(rng, members)
            content = hostile.build_zip(members)
        elif fmt == "ods":
            members = dict(base_ods)
            xml = members["content.xml"].decode()
            for mutation in rng.sample(ODS_MUTATIONS, rng.randint(1, 3)):
                steps.append(mutation.__name__)
                xml = mutation(rng, xml)
            members["content.xml"] = xml.encode("utf-8", "replace")
            content = hostile.build_zip(members)
        else:
            stream = biff_stream(_xls_sheets(rng))
            steps.append("xls_records")
            if rng.random() < 0.4:
                stream = _xls_stream_mutation(rng, stream)
                steps.append("xls_stream")
            content = compound_file(stream)
        if rng.random() < 0.1:
            content = _flip_container(rng, content)
            steps.append("flip_container")
        yield f"{i:03d}-{fmt}-{'+'.join(steps)}", content
