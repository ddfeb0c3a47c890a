"""What the spreadsheet reader will allocate, measured from a file's bytes before the reader opens it.

python-calamine builds every sheet it loads as one dense rectangle from A1 to the last filled
cell, and copies a shared string into every cell that uses it: one filled cell at XFD1048576
asks for hundreds of GB and aborts the whole process in Rust, which no `except` can catch. An
.ods or .xls is parsed completely, every sheet, the moment it is opened.

So before the reader sees a file, this module streams the parts the reader would parse (the
worksheet XML of an .xlsx, the content.xml of an .ods, the BIFF records of an .xls) without
building anything, places each cell by the reader's own rules (cells without a reference follow
the previous one, repeated cells and rows count as often as they repeat), and refuses, with an
Indonesian message that names the sheet and the cell, anything beyond the bounds below. The
reader then gets a rebuilt container holding only the measured parts (for an .xls, with the
formulas' token lists emptied: the importer reads only their stored results, and calamine would
otherwise render every formula as text at open), so it can parse nothing that was not measured.

The same pass notes the formula cells whose result the file does not hold (`Admitted.no_result`),
which the reader would show as empty: files written by scripts that never calculate. The importer
refuses those cells instead of reading them as blank or 0.
"""

from __future__ import annotations

import io
import re
import struct
import time
import zipfile
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from xml.parsers import expat

import xlrd.book
import xlrd.compdoc

from core.filecheck import BROKEN, OLE2_MAGIC, FileRefused

#: Last row and column that may hold a filled cell (a Polsek has at most about 60 desa rows; titles, notes,
#: a signature block and extra columns fit many times over). Columns up to IV, the old Excel limit.
MAX_ROWS = 5_000
MAX_COLUMNS = 256
#: Cells of one sheet as the reader allocates them: A1 to the last filled row and column.
MAX_SHEET_CELLS = 300_000
#: Cells of all sheets read from one file.
MAX_TOTAL_CELLS = 600_000
#: Characters of text in the cells read (a shared string counts once for every cell that shows it).
MAX_TEXT_CHARS = 8_000_000
#: Merged ranges in one sheet.
MAX_MERGED_RANGES = 5_000
#: Sheets in a workbook, and sheets of an .xlsx that are read at all (the contract needs Kegiatan,
#: Kerawanan and _meta; the others are candidates for a single sheet holding the Kegiatan columns).
MAX_SHEETS = 100
MAX_SHEETS_READ = 8
#: Inflated size of the XML parts handed to the reader (worksheets, shared strings, styles, content.xml).
MAX_XML_BYTES = 24 * 1024 * 1024
#: CPU time of this whole check (the checking thread's own: a busy server or neighbours do not count).
MAX_CHECK_SECONDS = 10.0
#: Formula cells without a stored result remembered for one file (each becomes an error if read); more is no recap
#: anyone calculated, and the file is refused as a whole.
MAX_FORMULAS_WITHOUT_RESULT = 5_000
#: Characters of a formula kept to quote it in a message.
FORMULA_TEXT_CHARS = 120

_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class SheetInfo:
    """A sheet as the workbook lists it, before any of its cells is read."""

    name: str
    hidden: bool = False
    worksheet: bool = True


@dataclass(frozen=True)
class FormulaBlock:
    """Cells from 0-based (`row`, `col`), `rows` by `cols` of them, holding a formula whose result the file does not store."""

    row: int
    col: int
    formula: str = ""  # as written without its `=`, cut to FORMULA_TEXT_CHARS; "" when the file does not say
    rows: int = 1
    cols: int = 1


@dataclass(frozen=True)
class Admitted:
    """Bytes the reader may open (only measured parts), the sheets whose cells were measured, and formulas without result.

    `sheets` is None when every sheet was measured (.ods and .xls: the reader parses them all).
    `no_result` maps a sheet name to its formula cells whose result the file does not hold.
    """

    content: bytes
    sheets: frozenset[str] | None
    no_result: dict[str, tuple[FormulaBlock, ...]] = field(default_factory=dict)


# --------------------------------------------------------------------------- messages


def column_name(col: int) -> str:
    """Excel's letters for a 0-based column (also beyond XFD, where an .xls record can point)."""
    letters = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def cell_name(row: int, col: int) -> str:
    """`XFD1048576` for 0-based (row, col)."""
    return f"{column_name(col)}{row + 1}"


def _number(n: int) -> str:
    return f"{n:,}".replace(",", ".")


_CTRL_END = "(di Excel: Ctrl+End menunjukkan sel terakhir)"


def _far(sheet: str, row: int, col: int) -> str:
    return (
        f'Lembar "{sheet}" berisi sel terisi jauh di luar tabel ({cell_name(row, col)}). '
        f"Rekap paling banyak {_number(MAX_ROWS)} baris dan {MAX_COLUMNS} kolom (sampai kolom {column_name(MAX_COLUMNS - 1)}). "
        f"Hapus isi sel itu dan sel lain di luar tabel {_CTRL_END}, simpan, lalu unggah kembali."
    )


def _wide(sheet: str, row: int, col: int, cells: int) -> str:
    return (
        f'Lembar "{sheet}" terlalu luas untuk sebuah rekap: sel terisi membentang dari A1 sampai {cell_name(row, col)} '
        f"({_number(cells)} sel; batas {_number(MAX_SHEET_CELLS)}). "
        f"Hapus baris dan kolom di luar tabel rekap {_CTRL_END}, simpan, lalu unggah kembali."
    )


def _declared(sheet: str, cells: int) -> str:
    return (
        f'Lembar "{sheet}" mencatat area terpakai yang tidak wajar untuk sebuah rekap ({_number(cells)} sel; '
        f"batas {_number(MAX_SHEET_CELLS)}). Buka berkas di Excel, simpan sebagai Buku Kerja Excel (.xlsx), lalu unggah kembali."
    )


def _too_many_cells(sheet: str) -> str:
    return (
        f'Lembar "{sheet}" berisi lebih dari {_number(MAX_SHEET_CELLS)} sel terisi, terlalu banyak untuk sebuah rekap. '
        f"Hapus isi sel di luar tabel rekap {_CTRL_END}, simpan, lalu unggah kembali."
    )


_TOTAL = (
    f"Berkas terlalu besar untuk sebuah rekap: lembar-lembarnya berisi lebih dari {_number(MAX_TOTAL_CELLS)} sel. "
    "Hapus lembar yang tidak diperlukan (rekap cukup berisi lembar Kegiatan dan Kerawanan), simpan, lalu unggah kembali."
)
_TEXT = (
    f"Berkas berisi teks terlalu banyak untuk sebuah rekap (lebih dari {_number(MAX_TEXT_CHARS)} huruf di sel-selnya). "
    "Hapus teks panjang atau sel berisi teks yang diulang-ulang, simpan, lalu unggah kembali."
)
_SLOW = (
    f"Pemeriksaan berkas ini melebihi batas waktu ({MAX_CHECK_SECONDS:.0f} detik), terlalu rumit untuk sebuah rekap. "
    "Salin lembar Kegiatan dan Kerawanan ke buku kerja baru, simpan sebagai .xlsx, lalu unggah kembali."
)
_XLSB = (
    "Berkas ini Buku Kerja Biner Excel (.xlsb), yang tidak dapat dibaca. "
    "Buka di Excel lalu pilih Simpan Sebagai > Buku Kerja Excel (.xlsx), lalu unggah kembali."
)
_PASSWORD = (
    "Berkas dilindungi kata sandi, sehingga tidak dapat dibaca. Buka di Excel, hapus kata sandinya, simpan, lalu unggah kembali."
)


_SHEETS = (
    f"Berkas berisi lebih dari {MAX_SHEETS} lembar. Rekap cukup berisi lembar Petunjuk, Kegiatan dan "
    "Kerawanan: hapus lembar lain, simpan, lalu unggah kembali."
)


def _merges_message(sheet: str) -> str:
    return (
        f'Lembar "{sheet}" berisi lebih dari {_number(MAX_MERGED_RANGES)} sel gabungan (merge). '
        "Pisahkan sel gabungan di luar tabel rekap, simpan, lalu unggah kembali."
    )


def _xml_size_message(part: str, size: int) -> str:
    """`part` is `Lembar "Kegiatan"` for a worksheet, else the part's name inside the file."""
    return (
        f"{part} terlalu besar untuk sebuah rekap ({_mb(size)} setelah dibuka; "
        f"batas {_mb(MAX_XML_BYTES)} untuk semua lembar yang dibaca). "
        "Hapus baris, kolom dan lembar di luar tabel rekap, simpan, lalu unggah kembali."
    )


def _formulas_message(sheet: str, block: FormulaBlock) -> str:
    return (
        f"Berkas berisi lebih dari {_number(MAX_FORMULAS_WITHOUT_RESULT)} sel rumus tanpa hasil tersimpan "
        f'(misalnya lembar "{sheet}" sel {cell_name(block.row, block.col)}), sehingga isinya tidak dapat dibaca. '
        "Berkas seperti ini dibuat program yang tidak menghitung rumus: buka di Excel, simpan ulang, lalu unggah kembali."
    )


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB".replace(".0 MB", " MB").replace(".", ",")


# --------------------------------------------------------------------------- the tally


class _Budget:
    """Limits shared by all sheets of one file: total cells, text, XML bytes and time."""

    def __init__(self) -> None:
        self.deadline = time.thread_time() + MAX_CHECK_SECONDS
        self.cells = 0
        self.text = 0
        self.xml = 0
        self.formulas = 0

    def tick(self) -> None:
        if time.thread_time() > self.deadline:
            raise FileRefused(_SLOW)

    def add_text(self, chars: int) -> None:
        self.text += chars
        if self.text > MAX_TEXT_CHARS:
            raise FileRefused(_TEXT)

    def add_xml(self, part: str, size: int) -> None:
        self.xml += size
        if self.xml > MAX_XML_BYTES:
            raise FileRefused(_xml_size_message(part, size))


class _Sheet:
    """Where one sheet's filled cells reach, as the reader will place them."""

    def __init__(self, budget: _Budget, name: str) -> None:
        self.budget = budget
        self.name = name
        self.rows = 0  # 1 + last filled row (0-based)
        self.cols = 0
        self.cells = 0  # cells the reader pushes one by one before building the rectangle
        self.merges = 0
        self.no_result: list[FormulaBlock] = []

    def filled(self, row: int, col: int, cells: int = 1, text: int = 0) -> None:
        """A filled cell, or the last cell of a block of them, at 0-based (row, col)."""
        if row >= MAX_ROWS or col >= MAX_COLUMNS:
            raise FileRefused(_far(self.name, row, col))
        if row >= self.rows or col >= self.cols:
            self.rows = max(self.rows, row + 1)
            self.cols = max(self.cols, col + 1)
            if self.rows * self.cols > MAX_SHEET_CELLS:
                raise FileRefused(_wide(self.name, self.rows - 1, self.cols - 1, self.rows * self.cols))
        self.pushed(cells)
        if text:
            self.budget.add_text(text)

    def pushed(self, cells: int) -> None:
        self.cells += cells
        if self.cells > MAX_SHEET_CELLS:
            raise FileRefused(_too_many_cells(self.name))

    def reserve(self, rows: int, cols: int) -> None:
        """Room the reader sets aside from a declared size (.xls DIMENSIONS) before reading any cell."""
        if rows * cols > MAX_SHEET_CELLS:
            raise FileRefused(_declared(self.name, rows * cols))

    def without_result(self, block: FormulaBlock) -> None:
        """A formula cell (or a repeated block of them) whose result the file does not hold."""
        self.budget.formulas += block.rows * block.cols
        if self.budget.formulas > MAX_FORMULAS_WITHOUT_RESULT:
            raise FileRefused(_formulas_message(self.name, block))
        self.no_result.append(block)

    def merged(self, count: int = 1) -> None:
        self.merges += count
        if self.merges > MAX_MERGED_RANGES:
            raise FileRefused(_merges_message(self.name))

    def done(self) -> None:
        self.budget.cells += max(self.rows * self.cols, self.cells)
        if self.budget.cells > MAX_TOTAL_CELLS:
            raise FileRefused(_TOTAL)


# --------------------------------------------------------------------------- entry point


def admit(content: bytes, kind: str, choose: Callable[[list[SheetInfo]], list[str]]) -> Admitted:
    """Measure what the reader would allocate for `content` (of `kind` from `filecheck.sniff`) and refuse beyond the bounds.

    `choose` picks, from the workbook's sheets, those an .xlsx should have read (an .ods or .xls
    is measured whole, because the reader parses every sheet when it opens one).
    """
    measure = {"xlsx": lambda: _xlsx(content, choose, budget), "ods": lambda: _ods(content, budget), "xls": lambda: _xls(content, budget)}
    if kind not in measure:
        raise ValueError(f"unknown spreadsheet kind {kind!r}")
    budget = _Budget()
    try:
        return measure[kind]()
    except FileRefused:
        raise
    except Exception as exc:  # XML, zip, compound-file or BIFF structure this check cannot follow: so would the reader not
        raise FileRefused(BROKEN) from exc


# --------------------------------------------------------------------------- XML helpers


def _no_dtd(*_args: object) -> None:
    raise FileRefused(BROKEN)


def _parser() -> expat.XMLParserType:
    """A streaming parser without namespace processing (names as written, as the reader matches them) and without DTDs."""
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.StartDoctypeDeclHandler = _no_dtd
    parser.EntityDeclHandler = _no_dtd
    return parser


def _local(name: str) -> str:
    return name.rpartition(":")[2]


def _read(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: _Budget, parser: expat.XMLParserType | None = None,
          label: str = "") -> bytes:
    """A part's inflated bytes, streamed through `parser` when given; its size counts towards MAX_XML_BYTES."""
    budget.add_xml(label or f'Bagian "{info.filename}" di dalam berkas', info.file_size)
    chunks = []
    size = 0
    with archive.open(info) as stream:
        while chunk := stream.read(_CHUNK):
            size += len(chunk)
            if size > info.file_size:
                raise FileRefused(BROKEN)  # more than the directory says (filecheck refuses this too)
            chunks.append(chunk)
            if parser is not None:
                parser.Parse(chunk, False)
            budget.tick()
    if parser is not None:
        parser.Parse(b"", True)
    return b"".join(chunks)


_COUNT = re.compile(r"^\+?[0-9]{1,18}$")


def _count(text: str | None, default: int = 1) -> int:
    """A repeat count as the reader parses it (an unsigned integer); anything else is a damaged file."""
    if text is None:
        return default
    if not _COUNT.match(text):
        raise FileRefused(BROKEN)
    return int(text)


_COLUMNS: dict[str, int] = {}  # letters -> 0-based column, filled as references are met


def _column(letters: str) -> int:
    col = _COLUMNS.get(letters)
    if col is None:
        if not (1 <= len(letters) <= 3 and letters.isascii() and letters.isalpha()):
            raise FileRefused(BROKEN)
        col = 0
        for letter in letters.upper():
            col = col * 26 + ord(letter) - 64
        col = _COLUMNS[letters] = col - 1
    return col


def _cell_ref(text: str) -> tuple[int, int]:
    """0-based (row, col) of `B7`; references the reader would read differently (or not at all) are refused."""
    letters = text.rstrip("0123456789")
    return _row_ref(text[len(letters):]), _column(letters)


def _row_ref(digits: str) -> int:
    if not (digits.isascii() and digits.isdigit() and len(digits) <= 7) or int(digits) < 1:
        raise FileRefused(BROKEN)
    return int(digits) - 1


# --------------------------------------------------------------------------- xlsx


class _XlsxRels:
    """`Relationship` elements: Id -> (Target, Type)."""

    def __init__(self) -> None:
        self.found: dict[str, tuple[str, str]] = {}

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if _local(name) == "Relationship" and "Id" in attrs:
            self.found[attrs["Id"]] = (attrs.get("Target", ""), attrs.get("Type", ""))


class _XlsxWorkbook:
    """`sheet` elements of workbook.xml: name, state, relationship id."""

    def __init__(self) -> None:
        self.sheets: list[tuple[str, str, str]] = []
        self.recalculate = False  # `calcPr fullCalcOnLoad`: the writer asks Excel to calculate, its stored results are placeholders

    def start(self, name: str, attrs: dict[str, str]) -> None:
        local = _local(name)
        if local == "sheet":
            rel = next((v for k, v in attrs.items() if _local(k) == "id"), "")
            self.sheets.append((attrs.get("name", ""), attrs.get("state", "visible"), rel))
            if len(self.sheets) > MAX_SHEETS:
                raise FileRefused(_SHEETS)
        elif local == "calcPr":
            self.recalculate = attrs.get("fullCalcOnLoad", "").lower() in ("1", "true")


class _SharedStrings:
    """Length of each shared string, indexed as the reader indexes them (each `si` between `<sst>` and `</sst>`)."""

    def __init__(self) -> None:
        self.lengths = array("q")
        self.state = 0  # 0 before <sst>, 1 inside, 2 after
        self.current: int | None = None

    def start(self, name: str, _attrs: dict[str, str]) -> None:
        local = _local(name)
        if self.state == 0 and local == "sst":
            self.state = 1
        elif self.state == 1 and local == "si":
            if self.current is not None:
                raise FileRefused(BROKEN)
            self.current = 0

    def end(self, name: str) -> None:
        local = _local(name)
        if self.state == 1 and local == "si" and self.current is not None:
            self.lengths.append(self.current)
            self.current = None
        elif self.state == 1 and local == "sst" and self.current is None:
            self.state = 2

    def chars(self, data: str) -> None:
        if self.current is not None:
            self.current += len(data)


class _XlsxSheet:
    """One worksheet's cells, placed as calamine's cell reader places them.

    The reader's XML events are the parser's events (it expands `<c/>` into start and end), and its
    rules are flat: `<row r>` sets the row, `</row>` moves to the next row and column A, `<c r>`
    sets the position and a `<c>` without `r` takes the next column. A cell is filled when it has a
    child element (`v`, `f`, `is`); a shared string counts its length.

    A formula cell (`<f>`) has no stored result when it has no `<v>`, or an empty one that is not an
    empty text result (`t="str"`), or, in a workbook its writer marked for calculation on opening
    (`recalculate`), a placeholder 0 (XlsxWriter writes `<v>0</v>` for every formula it cannot compute).
    """

    def __init__(self, sheet: _Sheet, shared: array, budget: _Budget, recalculate: bool = False) -> None:
        self.sheet = sheet
        self.shared = shared
        self.longest = max(shared, default=0)
        self.budget = budget
        self.recalculate = recalculate
        self.cell_type: str | None = None
        self.formula: list[str] | None = None  # text of the cell's `<f>`, when it has one
        self.stored: list[str] | None = None  # text of a formula cell's `<v>`, when it has one
        self.reading: list[str] | None = None  # where characters go: `formula`, `stored` or nowhere
        self.state = 0  # 0 before <sheetData>, 1 inside, 2 after
        self.row = 0
        self.col = 0
        self.cell: tuple[int, int] | None = None
        self.cell_filled = False
        self.cell_shared = False
        self.value: list[str] | None = None
        self.text = 0
        self.events = 0
        self.names: dict[str, str] = {}  # element name as written -> local name

    def start(self, name: str, attrs: dict[str, str]) -> None:
        local = self.names.get(name) or self.names.setdefault(name, _local(name))
        if local == "mergeCell":
            self.sheet.merged()
        if self.state == 0:
            if local == "sheetData":
                self.state = 1
            return
        if self.state != 1:
            return
        if self.cell is not None:
            if local in ("c", "row", "sheetData"):
                raise FileRefused(BROKEN)
            self.cell_filled = True
            if local == "v":
                if self.cell_shared:
                    self.value = []
                if self.formula is not None:
                    self.stored = self.reading = []
            elif local == "f":
                self.formula = self.reading = []
            return
        if local == "row":
            ref = attrs.get("r")
            if ref is not None:
                self.row = _row_ref(ref)
        elif local == "c":
            ref = attrs.get("r")
            if ref is not None:
                row, self.col = _cell_ref(ref)
            else:
                row = self.row
            self.cell = (row, self.col)
            self.cell_filled = False
            self.cell_type = attrs.get("t")
            self.cell_shared = self.cell_type == "s"
            self.formula = self.stored = None
            self.events += 1
            if self.events % 65536 == 0:
                self.budget.tick()

    def end(self, name: str) -> None:
        if self.state != 1:
            return
        local = self.names.get(name) or self.names.setdefault(name, _local(name))
        if self.cell is not None:
            if local == "v":
                self.value_done()
                self.reading = None
            elif local == "f":
                self.reading = None
            elif local == "c":
                row, col = self.cell
                if self.cell_filled:
                    self.sheet.filled(row, col, 1, self.text)
                if self.formula is not None and self.without_result():
                    self.sheet.without_result(FormulaBlock(row, col, "".join(self.formula)[:FORMULA_TEXT_CHARS]))
                self.col = col + 1
                self.cell = None
                self.text = 0
            return
        if local == "row":
            self.row += 1
            self.col = 0
        elif local == "sheetData":
            self.state = 2

    def without_result(self) -> bool:
        """The formula cell just closed holds no result the importer may read."""
        if self.stored is None:
            return True
        stored = "".join(self.stored).strip()
        if stored == "":
            return self.cell_type not in ("str", "inlineStr")
        return self.recalculate and self.cell_type in (None, "n") and stored in ("0", "0.0")

    def value_done(self) -> None:
        if self.value is None:
            return
        written = "".join(self.value)
        self.value = None
        if written.isascii() and written.isdigit():
            index = int(written)
            self.text += self.shared[index] if index < len(self.shared) else 0
        else:
            self.text += self.longest  # the reader reads an odd index its own way: count the longest string

    def chars(self, data: str) -> None:
        if self.value is not None:
            self.value.append(data)
        if self.reading is not None and len(self.reading) < 64:  # a formula is quoted, not kept whole
            self.reading.append(data[:FORMULA_TEXT_CHARS])


def _stream(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: _Budget, handler: object, label: str = "") -> bytes:
    parser = _parser()
    parser.StartElementHandler = handler.start  # type: ignore[attr-defined]
    if hasattr(handler, "end"):
        parser.EndElementHandler = handler.end  # type: ignore[attr-defined]
    if hasattr(handler, "chars"):
        parser.CharacterDataHandler = handler.chars  # type: ignore[attr-defined]
    return _read(archive, info, budget, parser, label)


def _xlsx(content: bytes, choose: Callable[[list[SheetInfo]], list[str]], budget: _Budget) -> Admitted:
    """Mirror calamine's way to its parts (package rels, workbook rels, workbook.xml), measure the chosen sheets, rebuild."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        by_path: dict[str, zipfile.ZipInfo] = {}
        for info in archive.infolist():
            by_path[info.filename.replace("\\", "/").lower()] = info  # the reader's lookup: any case, the last one wins

        def find(path: str) -> zipfile.ZipInfo | None:
            return by_path.get(path.lower()) or archive.NameToInfo.get(path)

        parts: dict[str, tuple[zipfile.ZipInfo, bytes]] = {}

        def keep(info: zipfile.ZipInfo | None, handler: object | None = None, label: str = "") -> None:
            if info is None or info.filename in parts:
                return
            data = _stream(archive, info, budget, handler, label) if handler else _read(archive, info, budget)
            parts[info.filename] = (info, data)

        package = find("_rels/.rels")
        if package is None:
            raise FileRefused(BROKEN)
        package_rels = _XlsxRels()
        keep(package, package_rels)
        document = next((target for target, typ in package_rels.found.values() if typ.endswith("/relationships/officeDocument")), None)
        if document is None:
            raise FileRefused(BROKEN)
        if document.lower().endswith(".bin"):
            raise FileRefused(_XLSB)
        cut = document.rfind("/")
        base = document[: cut + 1] if cut >= 0 else ""
        base = base.removeprefix("/")

        rels = _XlsxRels()
        rels_info = find(f"{base}_rels/workbook.xml.rels")
        if rels_info is None:
            raise FileRefused(BROKEN)
        keep(rels_info, rels)
        book = _XlsxWorkbook()
        keep(find(f"{base}workbook.xml"), book)
        keep(find("[Content_Types].xml"))
        keep(find(f"{base}styles.xml"))
        shared = _SharedStrings()
        keep(find(f"{base}sharedStrings.xml"), shared)

        infos: list[SheetInfo] = []
        paths: dict[str, str] = {}
        for name, state, rel in book.sheets:
            if rel not in rels.found or state not in ("visible", "hidden", "veryHidden"):
                raise FileRefused(BROKEN)  # the reader refuses these workbooks too
            target, typ = rels.found[rel]
            paths.setdefault(name, target[1:] if target.startswith("/") else f"{base}{target}")  # the reader takes the first
            infos.append(SheetInfo(name, hidden=state != "visible", worksheet=typ.rsplit("/", 1)[-1] == "worksheet"))

        chosen = choose(infos)
        no_result: dict[str, tuple[FormulaBlock, ...]] = {}
        for name in chosen:
            info = find(paths[name])
            if info is None or info.filename in parts:
                continue  # missing: the reader reports it; already measured: the same part
            sheet = _Sheet(budget, name)
            keep(info, _XlsxSheet(sheet, shared.lengths, budget, book.recalculate), f'Lembar "{name}"')
            sheet.done()
            if sheet.no_result:
                no_result[name] = tuple(sheet.no_result)

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as rebuilt:
        for info, data in parts.values():
            rebuilt.writestr(info.filename, data)
    return Admitted(out.getvalue(), frozenset(chosen), no_result)


# --------------------------------------------------------------------------- ods

_ODS_CELLS = ("table:table-cell", "table:covered-table-cell")
#: Attributes of a cell that hold no value: a cell with only these and no content is empty to the reader.
_ODS_LAYOUT = frozenset({
    "table:style-name", "table:number-columns-repeated", "table:number-columns-spanned", "table:number-rows-spanned",
    "table:content-validation-name", "table:number-matrix-columns-spanned", "table:number-matrix-rows-spanned",
    "table:protect", "table:protected", "xml:id",
})


class _OdsContent:
    """Every table of content.xml, placed as calamine's ODS reader places it.

    Rows and cells count as often as they repeat (`number-rows-repeated`, `number-columns-repeated`);
    an empty cell costs nothing unless a filled one follows it in the row, and empty rows cost
    nothing after the last filled one. Nested tables, tables inside cells and text between cells
    (which the reader refuses or misreads) make the file count as damaged. A cell with a
    `table:formula` but no value type, or a numeric type without its `office:value`, is a formula
    without a stored result.
    """

    def __init__(self, budget: _Budget) -> None:
        self.budget = budget
        self.sheet: _Sheet | None = None
        self.sheets = 0
        self.state = 0  # 0 outside tables, 1 in a table, 2 in a row, 3 in a cell
        self.row = 0
        self.row_repeat = 1
        self.col = 0
        self.row_pushed = 0
        self.cell_repeat = 1
        self.cell_filled = False
        self.cell_text = 0
        self.depth = 0
        self.events = 0
        self.no_result: dict[str, tuple[FormulaBlock, ...]] = {}

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if self.state == 0:
            if name == "table:table" and "table:name" in attrs:
                self.sheets += 1
                if self.sheets > MAX_SHEETS:
                    raise FileRefused(_SHEETS)
                self.sheet = _Sheet(self.budget, attrs["table:name"])
                self.row = 0
                self.state = 1
            return
        if self.state == 1:
            if name == "table:table":
                raise FileRefused(BROKEN)
            if name == "table:table-row":
                self.row_repeat = max(_count(attrs.get("table:number-rows-repeated")), 1)
                self.col = 0
                self.row_pushed = 0
                self.state = 2
            return
        if self.state == 2:
            if name not in _ODS_CELLS:
                raise FileRefused(BROKEN)
            self.cell_repeat = max(_count(attrs.get("table:number-columns-repeated")), 1)
            values = [len(v) for k, v in attrs.items() if k not in _ODS_LAYOUT]
            self.cell_filled = bool(values)
            self.cell_text = sum(values)
            self.depth = 1
            self.state = 3
            if "table:formula" in attrs and _ods_without_result(attrs):
                assert self.sheet is not None
                formula = attrs["table:formula"].partition("=")[2][:FORMULA_TEXT_CHARS]
                self.sheet.without_result(FormulaBlock(self.row, self.col, formula, self.row_repeat, self.cell_repeat))
            self.events += 1
            if self.events % 65536 == 0:
                self.budget.tick()
            return
        if name in _ODS_CELLS or name in ("table:table", "table:table-row"):
            raise FileRefused(BROKEN)
        self.cell_filled = True
        self.depth += 1
        if name == "text:s":
            self.cell_text += _count(attrs.get("text:c"))
        elif name == "text:p":
            self.cell_text += 1
        if self.cell_text > MAX_TEXT_CHARS:
            raise FileRefused(_TEXT)

    def end(self, name: str) -> None:
        if self.state == 3:
            self.depth -= 1
            if self.depth:
                return
            last_col = self.col + self.cell_repeat - 1
            if self.cell_filled:
                assert self.sheet is not None
                copies = self.cell_repeat * self.row_repeat
                self.sheet.filled(self.row + self.row_repeat - 1, last_col, 0, self.cell_text * copies)
                self.row_pushed = last_col + 1
            self.col = last_col + 1
            self.state = 2
        elif self.state == 2:
            assert self.sheet is not None
            self.sheet.pushed(self.row_pushed)
            self.row += self.row_repeat
            self.state = 1
        elif self.state == 1 and name == "table:table":
            assert self.sheet is not None
            self.sheet.done()
            if self.sheet.no_result:
                self.no_result[self.sheet.name] = tuple(self.sheet.no_result)
            self.state = 0

    def chars(self, data: str) -> None:
        if self.state == 3:
            self.cell_filled = True
            self.cell_text += len(data)
        elif self.state == 2:
            raise FileRefused(BROKEN)


_ODS_NUMERIC = ("float", "percentage", "currency")


def _ods_without_result(attrs: dict[str, str]) -> bool:
    kind = attrs.get("office:value-type")
    return kind is None or (kind in _ODS_NUMERIC and "office:value" not in attrs)


def _ods(content: bytes, budget: _Budget) -> Admitted:
    """Measure every table of content.xml and rebuild the package with only what the reader opens."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        names = archive.NameToInfo  # the reader looks these up by their exact names
        if "content.xml" not in names or "mimetype" not in names:
            raise FileRefused(BROKEN)
        with archive.open(names["mimetype"]) as stream:
            mimetype = stream.read(100)
        tables = _OdsContent(budget)
        data = _stream(archive, names["content.xml"], budget, tables)
        manifest = _read(archive, names["META-INF/manifest.xml"], budget) if "META-INF/manifest.xml" in names else None
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as rebuilt:
        rebuilt.writestr("mimetype", mimetype, zipfile.ZIP_STORED)
        if manifest is not None:
            rebuilt.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED, compresslevel=1)
        rebuilt.writestr("content.xml", data, zipfile.ZIP_DEFLATED, compresslevel=1)
    return Admitted(out.getvalue(), None, tables.no_result)


# --------------------------------------------------------------------------- xls

_BIFF_CELLS = (0x0203, 0x0204, 0x00D6, 0x0205, 0x027E, 0x00FD, 0x0006)  # NUMBER LABEL RSTRING BOOLERR RK LABELSST FORMULA
_BIFF_TEXT = (0x0204, 0x00D6)
#: Records that may stand between a FORMULA with a text result and the STRING record holding it (SHRFMLA, ARRAY, TABLE).
_BIFF_BEFORE_STRING = (0x04BC, 0x0221, 0x0236)


def _records(stream: bytes, pos: int) -> Iterator[tuple[int, int, int, list[tuple[int, int]]]]:
    """BIFF records from `pos` as calamine iterates them: (type, data start, length, CONTINUE parts)."""
    end = len(stream)
    while True:
        if end - pos < 4:
            if pos == end:
                return
            raise FileRefused(BROKEN)
        typ, length = struct.unpack_from("<HH", stream, pos)
        if end - pos < length + 4:
            raise FileRefused(BROKEN)
        start = pos + 4
        pos = start + length
        parts = []
        while end - pos > 4 and stream[pos:pos + 2] == b"\x3c\x00":
            part = struct.unpack_from("<H", stream, pos + 2)[0]
            if end - pos < part + 4:
                raise FileRefused(BROKEN)
            parts.append((pos + 4, part))
            pos += part + 4
        yield typ, start, length, parts


def _sheet_name(data: bytes, biff8: bool, index: int) -> str:
    """A BOUNDSHEET name for messages (best effort: the reader decodes the names it shows)."""
    try:
        count = data[6]
        if biff8:
            wide = data[7] & 1
            raw = data[8:8 + count * (2 if wide else 1)]
            return raw.decode("utf-16-le" if wide else "latin-1")
        return data[7:7 + count].decode("cp1252", "replace")
    except (IndexError, UnicodeDecodeError):
        return f"ke-{index + 1}"


def _xls(content: bytes, budget: _Budget) -> Admitted:
    """Measure every sheet of the Workbook stream as calamine parses it at open, and rebuild the compound file."""
    document = xlrd.compdoc.CompDoc(content, logfile=io.StringIO())
    for name in ("Workbook", "Book"):
        mem, base, size = document.locate_named_stream(name)
        if mem is not None:
            stream = bytearray(mem[base:base + size])
            break
    else:
        raise FileRefused(BROKEN)
    data = bytes(stream)

    sheets: list[tuple[int, str]] = []
    strings = array("q")
    biff8 = True
    for count, (typ, start, length, parts) in enumerate(_records(data, 0)):
        if count % 4096 == 4095:
            budget.tick()
        record = data[start:start + length]
        if typ == 0x002F and record[:2] != b"\0\0":
            raise FileRefused(_PASSWORD)
        if typ == 0x0809 and length >= 2:
            biff8 = struct.unpack_from("<H", record)[0] == 0x0600
        elif typ == 0x0085:
            if length < 8 or record[4] & 0x3F > 2 or record[5] not in (0, 1, 2, 6):
                raise FileRefused(BROKEN)
            sheets.append((struct.unpack_from("<I", record)[0], _sheet_name(record, biff8, len(sheets))))
            if len(sheets) > MAX_SHEETS:
                raise FileRefused(_SHEETS)
        elif typ == 0x00FC:
            if length < 8:
                raise FileRefused(BROKEN)
            table = [record] + [data[s:s + n] for s, n in parts]
            found, _runs = xlrd.book.unpack_SST_table(table, struct.unpack_from("<i", record, 4)[0])
            strings = array("q", (len(s) for s in found))
        elif typ == 0x000A:
            break
    longest = max(strings, default=0)

    no_result: dict[str, tuple[FormulaBlock, ...]] = {}
    for pos, name in sheets:
        if pos > len(data):
            raise FileRefused(BROKEN)
        sheet = _Sheet(budget, name)
        seen_bof = False
        depth = 0
        formula = (0, 0)
        awaiting: tuple[int, int] | None = None  # a formula whose text result must follow in a STRING record
        for count, (typ, start, length, _parts) in enumerate(_records(data, pos)):
            if count % 4096 == 4095:
                budget.tick()
            if depth:
                depth += 1 if typ == 0x0809 else -1 if typ == 0x000A else 0
                continue
            if awaiting is not None and typ not in _BIFF_BEFORE_STRING:
                if typ != 0x0207:
                    sheet.without_result(FormulaBlock(*awaiting))
                awaiting = None
            if typ == 0x0809:
                if seen_bof:
                    depth = 1  # an embedded chart: the reader skips it
                seen_bof = True
            elif typ == 0x000A:
                break
            elif typ in _BIFF_CELLS:
                if length < 4:
                    raise FileRefused(BROKEN)
                row, col = struct.unpack_from("<HH", data, start)
                text = length if typ in _BIFF_TEXT else 0
                if typ == 0x00FD:
                    index = struct.unpack_from("<I", data, start + 6)[0] if length >= 10 else -1
                    text = strings[index] if 0 <= index < len(strings) else longest
                sheet.filled(row, col, 1, text)
                if typ == 0x0006:
                    formula = (row, col)
                    if length >= 22:
                        stream[start + 20:start + 22] = b"\0\0"  # no tokens: the reader keeps the stored result only
                    if length >= 14 and data[start + 6] == 0 and data[start + 12:start + 14] == b"\xff\xff":
                        awaiting = formula
            elif typ == 0x0207:
                sheet.filled(*formula, 1, length)
            elif typ == 0x00BD:
                if length < 6:
                    raise FileRefused(BROKEN)
                row, first = struct.unpack_from("<HH", data, start)
                cells = -(-(length - 6) // 6)
                if cells:
                    sheet.filled(row, first + cells - 1, cells)
            elif typ == 0x00E5:
                if length >= 2:
                    sheet.merged(struct.unpack_from("<H", data, start)[0])
            elif typ == 0x0200:
                _dimensions(sheet, data[start:start + length])
        if awaiting is not None:
            sheet.without_result(FormulaBlock(*awaiting))
        sheet.done()
        if sheet.no_result:
            no_result[name] = tuple(sheet.no_result)
    return Admitted(compound_file(bytes(stream)), None, no_result)


def _dimensions(sheet: _Sheet, record: bytes) -> None:
    """The room calamine reserves from a DIMENSIONS record, with its unsigned 32-bit arithmetic."""
    if len(record) == 10:
        first_row, last_row, first_col, last_col = struct.unpack_from("<HHHH", record)
    elif len(record) == 14:
        first_row, last_row = struct.unpack_from("<II", record)
        first_col, last_col = struct.unpack_from("<HH", record, 8)
    else:
        raise FileRefused(BROKEN)
    if first_col > 0xFF or last_col < first_col:
        first_col = 0
    end_row, end_col = (last_row - 1, last_col - 1) if last_row >= 1 and last_col >= 1 else (first_row, first_col)
    rows = (end_row - first_row + 1) & 0xFFFFFFFF
    cols = (end_col - first_col + 1) & 0xFFFFFFFF
    sheet.reserve(rows, cols)


def compound_file(stream: bytes) -> bytes:
    """A compound file (OLE2, 512-byte sectors) holding `stream` as its only stream, `Workbook`."""
    free, end, fat_mark, difat_mark = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFC
    size = max(len(stream), 4096)  # 4096 bytes or more: a regular stream, never the mini stream
    data = stream.ljust(-(-size // 512) * 512, b"\0")
    n_data = len(data) // 512
    n_fat = n_difat = 0
    while True:
        fat_needed = -(-(n_fat + n_difat + 1 + n_data) // 128)
        difat_needed = 0 if fat_needed <= 109 else -(-(fat_needed - 109) // 127)
        if (fat_needed, difat_needed) == (n_fat, n_difat):
            break
        n_fat, n_difat = fat_needed, difat_needed
    directory_at = n_fat + n_difat
    data_at = directory_at + 1
    fat = [fat_mark] * n_fat + [difat_mark] * n_difat + [end]
    fat += [data_at + i + 1 for i in range(n_data - 1)] + [end]
    fat += [free] * (n_fat * 128 - len(fat))
    fat_sectors = list(range(n_fat))
    difat = b""
    for i in range(n_difat):
        chunk = fat_sectors[109 + i * 127:109 + (i + 1) * 127]
        following = n_fat + i + 1 if i + 1 < n_difat else end
        difat += struct.pack("<128I", *chunk, *[free] * (127 - len(chunk)), following)
    header = OLE2_MAGIC + b"\0" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\0" * 6
    header += struct.pack("<9I", 0, n_fat, directory_at, 0, 4096, end, 0, n_fat if n_difat else end, n_difat)
    header += struct.pack("<109I", *fat_sectors[:109], *[free] * (109 - min(n_fat, 109)))

    def entry(name: str, kind: int, child: int, start: int, length: int) -> bytes:
        encoded = name.encode("utf-16-le") + b"\0\0" if name else b""
        return (encoded.ljust(64, b"\0") + struct.pack("<HBB", len(encoded), kind, 1 if name else 0)
                + struct.pack("<III", free, free, child) + b"\0" * 36 + struct.pack("<II", start, length) + b"\0" * 4)

    directory = entry("Root Entry", 5, 1, end, 0) + entry("Workbook", 2, free, data_at, size) + entry("", 0, free, 0, 0) * 2
    return header + struct.pack(f"<{len(fat)}I", *fat) + difat + directory + data


def clip_merged(
    sheet: str, ranges: list[tuple[tuple[int, int], tuple[int, int]]], height: int, width: int
) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Merged ranges cut to the sheet's filled rectangle (the importer walks their cells: a merge down to row 1048576 would be a million steps).

    Merges never overlap in Excel, so together they cover at most the rectangle; a file whose
    merges cover more than MAX_SHEET_CELLS is refused.
    """
    if len(ranges) > MAX_MERGED_RANGES:
        raise FileRefused(_merges_message(sheet))
    clipped = []
    area = 0
    for (r0, c0), (r1, c1) in ranges:
        if r0 >= height or c0 >= width or r1 < r0 or c1 < c0:
            continue
        r1, c1 = min(r1, height - 1), min(c1, width - 1)
        area += (r1 - r0 + 1) * (c1 - c0 + 1)
        if area > MAX_SHEET_CELLS:
            raise FileRefused(_merges_message(sheet))
        clipped.append(((r0, c0), (r1, c1)))
    return clipped
