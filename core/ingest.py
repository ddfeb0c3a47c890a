"""Reading a Polsek's monthly recap the way clerks really make it, and validating it (spec sections 3-5).

The flow: check the bytes (`core.filecheck`), read every sheet with python-calamine, find the
month and Polsek, find each sheet's header (one or two rows, merged cells, variants), read the
rows, resolve desa names within the Polsek, then collect every error and warning at once.
Nothing here touches the database: history needed for warnings is passed in.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import itertools
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import python_calamine
from rapidfuzz import fuzz, process

from core import reference, sheetbounds
from core.filecheck import DEFAULT_MAX_UPLOAD_BYTES, FileRefused, sniff
from core.months import current_bulan, format_bulan, is_bulan, parse_month
from core.sheetbounds import MAX_SHEETS_READ, SheetInfo
from core.text import clean_text, fold, header_forms, normalise_header, normalise_name

HEADER_SCAN_ROWS = 20
#: Errors after which a file is not checked further: 100,000 copies of one desa row would otherwise be
#: checked (36 s) and listed on every view of their preview. One more issue says that more were left.
MAX_ERRORS = 200
#: Labels of a totals row, also spelt with spaced letters (`J U M L A H`).
_TOTAL_WORDS = re.compile(
    r"^\s*(j\s?u\s?m\s?l\s?a\s?h|t\s?o\s?t\s?a\s?l|jml|jlh|sub\s*total|grand\s*total|rekapitulasi)\b", re.IGNORECASE
)
#: Free-text columns: a remark starting with `Jumlah ...` does not make a totals row.
_FREE_TEXT_KEYS = ("keterangan", "potensi_gangguan")
#: Columns that name who and where: a cell merged down over several desa rows applies to each of them.
_SPREAD_DOWN_KEYS = ("kecamatan", "nama_bhabin", "pangkat", "nrp")
_COLUMN_NUMBER = re.compile(r"^\(?(\d{1,2})\)?\.?$")
_KECAMATAN_HEADING = re.compile(r"^(kecamatan|kec)\s+")
_ZERO_TEXT = {"", "-", "--", "\u2013", "\u2014", "nihil", "nil", "tidak ada", "tdk ada"}
_NUMBER_TEXT = re.compile(r"^(-?)\s*(\d{1,3}(?:[.,]\d{3})+|\d+)(?:[.,](\d+))?\s*([a-z][a-z .]*)?$")
_TRUE_TEXT = {"ya", "y", "ada", "v", "\u2713", "\u2714", "\u221a", "x", "1", "true", "yes", "aktif", "benar"}
_FALSE_TEXT = {"tidak", "t", "tidak ada", "tdk", "tdk ada", "0", "false", "no", "n", "-", "tidak aktif", "salah", "belum"}


@dataclass
class Issue:
    """One error or warning, located so the clerk can find it in Excel."""

    sheet: str
    row: int | None
    column: str
    value: str
    message: str

    def to_dict(self) -> dict:
        """The JSON shape of spec section 7."""
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "value": self.value, "message": self.message}


@dataclass
class ImportResult:
    """What one file would store, and what is wrong with it."""

    file: str
    content: bytes
    polsek: str | None = None
    bulan: str | None = None
    kegiatan: pd.DataFrame = field(default_factory=pd.DataFrame)
    kerawanan: pd.DataFrame = field(default_factory=pd.DataFrame)
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    notes: list[Issue] = field(default_factory=list)
    unreadable: bool = False
    stopped_at: tuple[str, int] | None = None  # (sheet, Excel row) where checking stopped after MAX_ERRORS

    @property
    def status(self) -> str:
        """`ok`, `invalid` or `unreadable`, as the JSON contract names them."""
        if self.unreadable:
            return "unreadable"
        return "invalid" if self.errors else "ok"

    @property
    def sha256(self) -> str:
        """Hash of the original bytes, stored with every version."""
        return hashlib.sha256(self.content).hexdigest()

    def rows(self) -> dict[str, int]:
        """Number of data rows per sheet."""
        return {"kegiatan": len(self.kegiatan), "kerawanan": len(self.kerawanan)}

    def to_dict(self, version: int | None = None) -> dict:
        """The per-file object of `import --json`."""
        return {
            "file": self.file,
            "status": self.status,
            "polsek": self.polsek,
            "bulan": self.bulan,
            "rows": self.rows(),
            "version": version,
            "errors": [e.to_dict() for e in self.errors],
            "warnings": [w.to_dict() for w in self.warnings],
        }


@dataclass
class History:
    """What the database already knows, for warnings: past counts per desa and officer names by NRP."""

    counts: pd.DataFrame = field(default_factory=pd.DataFrame)  # desa_kode, bulan, key, value
    officers: dict[str, str] = field(default_factory=dict)  # nrp -> nama


# --------------------------------------------------------------------------- grid reading


@dataclass
class Grid:
    """One sheet as a rectangle of cell values, with 0-based coordinates as in Excel."""

    name: str
    cells: list[list[object]]
    merged: list[tuple[tuple[int, int], tuple[int, int]]]
    hidden: bool = False

    def value(self, row: int, col: int) -> object:
        if row < len(self.cells) and col < len(self.cells[row]):
            return self.cells[row][col]
        return ""

    @property
    def width(self) -> int:
        return max((len(r) for r in self.cells), default=0)


def read_grids(content: bytes, kind: str | None = None) -> list[Grid]:
    """The sheets the contract needs as grids, read by python-calamine once `core.sheetbounds` has measured them.

    python-calamine allocates each sheet whole and aborts the process (not an exception) when that
    is too much, so it only ever opens the rebuilt bytes `sheetbounds.admit` returns. Raises
    `FileRefused` for a file that is no spreadsheet (`kind` from `sniff`, found here when not given)
    or reaches beyond the bounds.
    """
    admitted = sheetbounds.admit(content, kind or sniff(content).kind, sheets_to_read)
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(admitted.content))
        metas = list(workbook.sheets_metadata)
        infos = [
            SheetInfo(m.name, m.visible != python_calamine.SheetVisibleEnum.Visible, m.typ == python_calamine.SheetTypeEnum.WorkSheet)
            for m in metas
        ]
        wanted = set(sheets_to_read(infos))
        if admitted.sheets is not None:
            wanted &= admitted.sheets  # an .xlsx sheet that was not measured is not in the rebuilt file either
        grids = []
        for info in infos:
            if info.name not in wanted:
                continue
            sheet = workbook.get_sheet_by_name(info.name)
            cells = sheet.to_python(skip_empty_area=False)
            try:
                merged = list(sheet.merged_cell_ranges or [])
            except Exception:
                merged = []
            width = max((len(r) for r in cells), default=0)
            grids.append(Grid(info.name, cells, sheetbounds.clip_merged(info.name, merged, len(cells), width), info.hidden))
    except BaseException as exc:
        if type(exc).__name__ == "PanicException":  # pyo3's, derived from BaseException: a reader bug, not our caller's
            raise RuntimeError(f"python-calamine: {exc}") from exc
        raise
    return grids


def check_upload(content: bytes, max_bytes: int = DEFAULT_MAX_UPLOAD_BYTES) -> None:
    """The import door without reading a cell: `FileRefused` for no spreadsheet, an archive bomb, or a sheet beyond the bounds.

    What may wait as a preview is decided here, so a stored preview can always be read safely.
    """
    sheetbounds.admit(content, sniff(content, max_bytes=max_bytes).kind, sheets_to_read)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value).strip()


# --------------------------------------------------------------------------- value parsing


class ValueProblem(ValueError):
    """A cell value that cannot be read; the message is the Indonesian sentence."""


def parse_count(value: object) -> int:
    """A whole number >= 0 from what clerks type: `12`, `12.0`, ` 12 `, `12 kali`, `-`, empty, `1.234`."""
    if value is None or isinstance(value, bool):
        if isinstance(value, bool):
            raise ValueProblem("bukan angka (berisi Ya/Tidak); isi dengan bilangan bulat, misalnya 12")
        return 0
    if isinstance(value, (int, float)):
        if isinstance(value, float) and math.isnan(value):
            return 0
        if isinstance(value, float) and math.isinf(value):
            raise ValueProblem("bukan angka yang sah; isi dengan bilangan bulat, misalnya 12")
        if value < 0:
            raise ValueProblem("tidak boleh negatif; isi 0 atau lebih")
        if float(value) != int(value):
            raise ValueProblem("harus bilangan bulat (tanpa desimal)")
        return int(value)
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        raise ValueProblem("berisi tanggal, bukan angka; ubah format sel menjadi Angka")
    text = fold(value).replace("\u00a0", " ")
    if text in _ZERO_TEXT:
        return 0
    match = _NUMBER_TEXT.match(text)
    if not match:
        raise ValueProblem("bukan angka; isi dengan bilangan bulat, misalnya 12, atau kosongkan/- untuk nol")
    sign, whole, decimals, _unit = match.groups()
    if decimals and set(decimals) != {"0"}:
        raise ValueProblem("harus bilangan bulat (tanpa desimal)")
    number = int(re.sub(r"[.,]", "", whole))
    if sign:
        raise ValueProblem("tidak boleh negatif; isi 0 atau lebih")
    return number


def parse_bool(value: object) -> bool | None:
    """Ya/Tidak in its many spellings; None for an empty cell (the caller decides the default)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        if value in (0, 1):
            return bool(value)
        raise ValueProblem("bukan Ya/Tidak; isi dengan Ya atau Tidak")
    text = fold(value).strip(" .")
    if text == "":
        return None
    if text in _TRUE_TEXT:
        return True
    if text in _FALSE_TEXT:
        return False
    raise ValueProblem("bukan Ya/Tidak; isi dengan Ya atau Tidak")


def parse_nrp(value: object) -> str:
    """An NRP as 8 digits; spaces and dots between digits are tolerated, anything else is refused."""
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    else:
        text = re.sub(r"[\s.]", "", _text(value))
    if not re.fullmatch(r"\d{8}", text):
        raise ValueProblem(
            "bukan NRP yang sah: NRP harus 8 angka. "
            "Jika NRP diawali angka 0, ubah format sel menjadi Teks agar angka 0 tidak hilang"
        )
    return text


def parse_rank(value: object) -> str | None:
    """Official rank abbreviation, or None when not recognised."""
    key = fold(value).replace(".", "").strip()
    return reference.ranks().get(key)


# --------------------------------------------------------------------------- header finding


@dataclass
class Header:
    """Where a sheet's header is and which column holds which key."""

    first_row: int  # 0-based
    last_row: int  # 0-based, last header row (data starts below)
    columns: dict[str, int]  # key -> column index
    titles: dict[str, str]  # key -> header text as written
    extra: list[tuple[int, str]]  # unknown columns (index, text)
    duplicates: list[tuple[int, str, str]]  # (index, text, key) seen a second time


def _merged_parent(grid: Grid, row: int) -> dict[int, object]:
    """Values of row `row`, with each horizontally merged cell's value spread over its range."""
    values = {c: grid.value(row, c) for c in range(grid.width)}
    for (r0, c0), (r1, c1) in grid.merged:
        if r0 <= row <= r1:
            top_left = grid.value(r0, c0)
            for c in range(c0, c1 + 1):
                values[c] = top_left if r0 == row or _text(values.get(c)) == "" else values[c]
    return values


def _key_for(text: str, sheet: str) -> str | None:
    mapping = reference.header_variants()[sheet]
    for form in header_forms(text):
        if form in mapping:
            return mapping[form]
    return None


def _map_columns(labels: dict[int, str], sheet: str) -> Header:
    columns: dict[str, int] = {}
    titles: dict[str, str] = {}
    extra: list[tuple[int, str]] = []
    duplicates: list[tuple[int, str, str]] = []
    for col in sorted(labels):
        text = labels[col]
        if not text:
            continue
        if normalise_header(text) in reference.NUMBERING_HEADERS:
            continue
        key = _key_for(text, sheet)
        if key is None:
            extra.append((col, text))
        elif key in columns:
            duplicates.append((col, text, key))
        else:
            columns[key] = col
            titles[key] = text
    return Header(0, 0, columns, titles, extra, duplicates)


def find_header(grid: Grid, sheet: str) -> Header | None:
    """The best header in the first 20 rows: one row, or two rows (`Problem Solving` over `Ditangani`)."""
    best: Header | None = None
    best_score: tuple[int, int, int] | None = None
    limit = min(HEADER_SCAN_ROWS, len(grid.cells))
    for row in range(limit):
        single = {c: _text(v) for c, v in _merged_parent(grid, row).items()}
        candidates = [(row, row, _map_columns(single, sheet))]
        # a two-row header needs text in its upper row; otherwise it is the lower row's own header
        if row + 1 < len(grid.cells) and any(single.values()):
            lower = {c: _text(grid.value(row + 1, c)) for c in range(grid.width)}
            combined: dict[int, str] = {}
            for col in range(grid.width):
                parent, child = single.get(col, ""), lower.get(col, "")
                if parent and child:
                    joined = f"{parent} {child}"
                    # keep the most specific reading that is known: `Problem Solving Selesai` over `Selesai`
                    if _key_for(joined, sheet):
                        combined[col] = joined
                    elif _key_for(child, sheet):
                        combined[col] = child
                    else:
                        combined[col] = joined
                else:
                    combined[col] = parent or child
            candidates.append((row, row + 1, _map_columns(combined, sheet)))
        for first, last, header in candidates:
            if "desa" not in header.columns or len(header.columns) < 3:
                continue
            # more known columns wins; then fewer unknown ones (a note line above a one-row header);
            # then one row over two, so a title line right above the header stays a title
            score = (len(header.columns), -len(header.extra) - len(header.duplicates), first - last)
            if best_score is None or score > best_score:
                header.first_row, header.last_row = first, last
                best, best_score = header, score
    return best


# --------------------------------------------------------------------------- desa matching


@dataclass
class DesaMatch:
    """The outcome of resolving one desa name."""

    kode: str | None
    problem: str | None = None  # Indonesian sentence when kode is None
    fuzzy_from: str | None = None  # the name as written when a typo was corrected


class DesaResolver:
    """Resolves desa names within one Polsek: normalised exact, alias, then fuzzy only when unambiguous."""

    def __init__(self, polsek: str) -> None:
        self.polsek = polsek
        self.all_desa = reference.desa()
        self.own = reference.desa_of(polsek)
        self.by_name: dict[str, list[str]] = {}
        for kode, nama in zip(self.own["kode"], self.own["nama"], strict=True):
            self.by_name.setdefault(normalise_name(nama), []).append(kode)
        self.everywhere: dict[str, list[str]] = {}
        for kode, nama in zip(self.all_desa["kode"], self.all_desa["nama"], strict=True):
            self.everywhere.setdefault(normalise_name(nama), []).append(kode)
        self.own_codes = set(self.own["kode"])
        settings = reference.settings().get("impor", {})
        self.cutoff = float(settings.get("fuzzy_min", 85))
        self.margin = float(settings.get("fuzzy_selisih", 8))

    def name_of(self, kode: str) -> str:
        row = self.all_desa[self.all_desa["kode"] == kode].iloc[0]
        return str(row["nama"])

    def _polsek_of(self, kode: str) -> str:
        row = self.all_desa[self.all_desa["kode"] == kode].iloc[0]
        return str(row["polsek"])

    def _pick(self, codes: list[str], kecamatan: str | None) -> DesaMatch:
        if len(codes) == 1:
            return DesaMatch(codes[0])
        if kecamatan:
            in_kec = [k for k in codes if self._kecamatan_of(k) == kecamatan]
            if len(in_kec) == 1:
                return DesaMatch(in_kec[0])
        places = ", ".join(f"{self.name_of(k)} (Kec. {self._kecamatan_of(k)})" for k in codes)
        return DesaMatch(None, f"nama desa ada lebih dari satu: {places}. Isi kolom Kecamatan agar jelas")

    def _kecamatan_of(self, kode: str) -> str:
        row = self.all_desa[self.all_desa["kode"] == kode].iloc[0]
        return str(row["kecamatan"])

    def resolve(self, written: str, kecamatan: str | None = None) -> DesaMatch:
        key = normalise_name(written)
        if not key:
            return DesaMatch(None, "nama desa kosong")
        if key in self.by_name:
            return self._pick(self.by_name[key], kecamatan)
        alias = reference.desa_aliases().get(key)
        if alias:
            if alias in self.own_codes:
                return DesaMatch(alias)
            return self._other_polsek(written, alias)
        if key in self.everywhere:
            return self._other_polsek(written, self.everywhere[key][0])
        return self._fuzzy(written, key)

    def _other_polsek(self, written: str, kode: str) -> DesaMatch:
        return DesaMatch(
            None,
            f"desa {self.name_of(kode)} termasuk wilayah {self._polsek_of(kode)}, bukan {self.polsek}. "
            "Hapus baris ini atau kirim lewat rekap Polsek tersebut",
        )

    def _fuzzy(self, written: str, key: str) -> DesaMatch:
        choices = list(self.by_name)
        scored = process.extract(key, choices, scorer=fuzz.ratio, limit=3)
        close = [(name, score) for name, score, _ in scored if score >= self.cutoff - self.margin]
        if close and close[0][1] >= self.cutoff:
            best_name, best_score = close[0]
            runner_up = close[1][1] if len(close) > 1 else 0.0
            codes = self.by_name[best_name]
            if best_score - runner_up >= self.margin and len(codes) == 1:
                return DesaMatch(codes[0], fuzzy_from=written)
        if len(close) >= 2:
            names = " dan ".join(
                f"\"{self.name_of(self.by_name[name][0])}\"" for name, _ in close[:3]
            )
            return DesaMatch(None, f"nama desa tidak jelas: mirip {names}. Tulis nama desa persis seperti di daftar")
        hint = ""
        others = process.extractOne(key, list(self.everywhere), scorer=fuzz.ratio, score_cutoff=self.cutoff)
        if others:
            kode = self.everywhere[others[0]][0]
            if kode not in self.own_codes:
                hint = f" (mirip desa {self.name_of(kode)} di {self._polsek_of(kode)})"
        return DesaMatch(
            None,
            f"desa tidak dikenal di wilayah {self.polsek}{hint}. Periksa ejaannya; daftar desa ada di lembar Petunjuk templat",
        )


# --------------------------------------------------------------------------- month and Polsek


def _title_texts(grids: Iterable[Grid], headers: dict[str, Header | None]) -> list[str]:
    """Texts of the cells above each sheet's header (or the first rows when no header was found)."""
    texts: list[str] = []
    for grid in grids:
        if grid.hidden:
            continue
        header = headers.get(grid.name)
        stop = header.first_row if header else min(HEADER_SCAN_ROWS, len(grid.cells))
        for row in grid.cells[:stop]:
            texts.extend(_text(v) for v in row if _text(v))
    return texts


def _meta_values(grids: list[Grid]) -> dict[str, str]:
    for grid in grids:
        if normalise_header(grid.name) == "meta":
            values: dict[str, str] = {}
            for row in grid.cells:
                if len(row) >= 2 and _text(row[0]):
                    values[normalise_header(row[0]).replace(" ", "_")] = _text(row[1])
            return values
    return {}


def _from_texts(texts: list[str], parse) -> tuple[str | None, set[str]]:
    found = {parse(t) for t in texts}
    found.discard(None)
    if len(found) == 1:
        return found.pop(), found
    return None, found


# --------------------------------------------------------------------------- sheet selection


def _names(sheet: str, name: str) -> bool:
    """A sheet name that names a contract sheet, in another case or with extra words (`KEGIATAN SEPT`)."""
    words = normalise_header(name)
    return sheet in words.split() or words.startswith(sheet)


def _candidate(name: str, hidden: bool) -> bool:
    """A sheet `_pick_sheets` may take data from (not `_meta`, not the template's hidden lists)."""
    return normalise_header(name) != "meta" and not (hidden and normalise_header(name) == "daftar")


def sheets_to_read(sheets: list[SheetInfo]) -> list[str]:
    """The sheets worth reading, in workbook order: `_meta`, those named Kegiatan or Kerawanan, then the other candidates.

    The others are where a single sheet holding the Kegiatan columns may be, and hold title cells;
    at most MAX_SHEETS_READ sheets in all, so a workbook of 300 sheets costs what one of 8 does.
    """
    worksheets = [s for s in sheets if s.worksheet]
    meta = [s.name for s in worksheets if normalise_header(s.name) == "meta"][:1]
    named = [s.name for s in worksheets if _candidate(s.name, s.hidden) and any(_names(k, s.name) for k in reference.SHEETS)]
    others = [s.name for s in worksheets if _candidate(s.name, s.hidden) and s.name not in named]
    chosen = set((meta + named + others)[:MAX_SHEETS_READ])
    return [s.name for s in worksheets if s.name in chosen]


def _pick_sheets(grids: list[Grid]) -> dict[str, tuple[Grid, Header] | None]:
    """Map `kegiatan`/`kerawanan` to a sheet and its header: by name first, else by columns."""
    visible = [g for g in grids if _candidate(g.name, g.hidden)]
    chosen: dict[str, tuple[Grid, Header] | None] = {}
    used: set[str] = set()
    for sheet in reference.SHEETS:
        named = [g for g in visible if _names(sheet, g.name)]
        pick = None
        for grid in named:
            header = find_header(grid, sheet)
            if header:
                pick = (grid, header)
                break
        if pick is None:
            scored = []
            for grid in visible:
                if grid.name in used or any(s in normalise_header(grid.name) for s in reference.SHEETS if s != sheet):
                    continue
                header = find_header(grid, sheet)
                if header:
                    required = {i.key for i in reference.sheet_indicators(sheet) if i.wajib}
                    scored.append((len(required & set(header.columns)), len(header.columns), grid, header))
            if scored:
                scored.sort(key=lambda item: (item[0], item[1]), reverse=True)
                _, _, grid, header = scored[0]
                # a Kerawanan guess must carry its own columns, not just Kegiatan's desa column
                own = {i.key for i in reference.sheet_indicators(sheet)} - {"desa", "kecamatan"}
                if own & set(header.columns):
                    pick = (grid, header)
        if pick:
            used.add(pick[0].name)
        chosen[sheet] = pick
    return chosen


# --------------------------------------------------------------------------- the importer


def read_recap(
    content: bytes,
    filename: str,
    polsek: str | None = None,
    bulan: str | None = None,
    history: History | Callable[[str, str], History] | None = None,
    today: dt.date | None = None,
    max_bytes: int = DEFAULT_MAX_UPLOAD_BYTES,
) -> ImportResult:
    """Read and validate one recap file; `polsek`/`bulan` given by the user override what the file says."""
    result = ImportResult(file=filename, content=content)
    loader = history if callable(history) else None
    history = History() if loader or history is None else history
    try:
        grids = read_grids(content, sniff(content, max_bytes=max_bytes).kind)
    except FileRefused as exc:
        result.unreadable = True
        result.errors.append(Issue("", None, "", filename, str(exc)))
        return result
    except Exception:
        result.unreadable = True
        result.errors.append(
            Issue("", None, "", filename, "Berkas tidak dapat dibaca sebagai lembar kerja. Simpan ulang dari Excel sebagai .xlsx lalu unggah kembali.")
        )
        return result

    sheets = _pick_sheets(grids)
    headers = {pair[0].name: pair[1] for pair in sheets.values() if pair}
    _identify(result, grids, headers, polsek, bulan, today)
    if loader and result.polsek and result.bulan:
        history = loader(result.polsek, result.bulan)  # the database's history, fetched once the file says whose it is

    if sheets["kegiatan"] is None:
        result.errors.append(
            Issue(
                "Kegiatan", None, "Desa/Kelurahan", "",
                "Lembar Kegiatan tidak ditemukan: tidak ada lembar dengan baris judul kolom yang memuat "
                "\"Desa/Kelurahan\" dan kolom kegiatan. Gunakan templat atau salin baris judulnya.",
            )
        )
    if sheets["kerawanan"] is None and sheets["kegiatan"] is not None:
        result.notes.append(
            Issue("Kerawanan", None, "", "", "Lembar Kerawanan tidak ada; hanya data kegiatan yang dibaca.")
        )
    if result.polsek is None:
        return result

    resolver = DesaResolver(result.polsek)
    frames = {}
    for sheet, pair in sheets.items():
        if pair is None:
            continue
        grid, header = pair
        frames[sheet] = _read_sheet(result, sheet, grid, header, resolver)
    result.kegiatan = frames.get("kegiatan", pd.DataFrame())
    result.kerawanan = frames.get("kerawanan", pd.DataFrame())
    if not result.kerawanan.empty:
        _default_border(result)
    if result.stopped_at:
        sheet, row = result.stopped_at
        result.errors.append(
            Issue(sheet, row, "", "",
                  f"\u2026 dan masih ada kesalahan lain yang tidak ditampilkan: pemeriksaan berhenti setelah {MAX_ERRORS} kesalahan, "
                  f"di lembar {sheet} baris {row}. Perbaiki kesalahan di atas, lalu unggah kembali untuk memeriksa sisanya.")
        )
        return result  # warnings about a half-checked file (desa "missing" below the stop) would mislead
    _file_warnings(result, resolver, history, sheets)
    return result


def _identify(
    result: ImportResult,
    grids: list[Grid],
    headers: dict[str, Header],
    polsek: str | None,
    bulan: str | None,
    today: dt.date | None,
) -> None:
    """Month and Polsek: `_meta`, then title cells, then the file name; the user's choice overrides all."""
    meta = _meta_values(grids)
    titles = _title_texts(grids, headers)
    stem = _file_stem(result.file)

    found_polsek = reference.match_polsek(polsek) if polsek else None
    if polsek and not found_polsek:
        result.errors.append(
            Issue("", None, "Polsek", polsek, f"Polsek \"{polsek}\" tidak dikenal. Pilih salah satu: {', '.join(reference.polsek_names())}.")
        )
        return
    if not found_polsek:
        found_polsek = reference.match_polsek(meta.get("polsek"))
    if not found_polsek:
        found_polsek, _ = _from_texts(titles, reference.match_polsek)
    if not found_polsek:
        # `Rekap_InsanaUtara_2024-09`: split the words a clerk ran together
        found_polsek = reference.match_polsek(stem) or reference.match_polsek(re.sub(r"(?<=[a-z])(?=[A-Z])", " ", stem))

    found_bulan = None
    if bulan:
        if not is_bulan(bulan):
            result.errors.append(Issue("", None, "Bulan", bulan, "Bulan harus ditulis TTTT-BB, misalnya 2024-09."))
            return
        found_bulan = bulan
    if not found_bulan:
        found_bulan = parse_month(meta.get("bulan"))
    conflicts: set[str] = set()
    if not found_bulan:
        found_bulan, conflicts = _from_texts(titles, parse_month)
    if not found_bulan:
        found_bulan = parse_month(stem)

    if not found_polsek:
        result.errors.append(
            Issue(
                "", None, "Polsek", "",
                "Polsek tidak ditemukan di berkas. Tulis misalnya \"POLSEK INSANA\" di baris judul, "
                "beri nama berkas seperti Rekap_Insana_2024-09.xlsx, atau pilih Polsek saat mengunggah.",
            )
        )
    if not found_bulan:
        named = ", ".join(format_bulan(b) for b in sorted(conflicts))
        extra = f" (judul berkas menyebut beberapa bulan: {named})" if len(conflicts) > 1 else ""
        result.errors.append(
            Issue(
                "", None, "Bulan", "",
                f"Bulan laporan tidak ditemukan{extra}. Tulis misalnya \"BULAN : SEPTEMBER 2024\" di baris judul, "
                "beri nama berkas seperti Rekap_Insana_2024-09.xlsx, atau pilih bulan saat mengunggah.",
            )
        )
    elif found_bulan > current_bulan(today):
        result.errors.append(
            Issue("", None, "Bulan", found_bulan, f"Bulan {format_bulan(found_bulan)} belum berjalan. Periksa bulan laporan.")
        )
    result.polsek = found_polsek
    result.bulan = found_bulan


def _file_stem(filename: str) -> str:
    """The file name without folders (also Windows ones) and without its extension."""
    name = re.split(r"[\\/]", filename)[-1]
    return Path(name).stem


def _is_total_row(row: list[object], header: Header, desa_text: str) -> bool:
    """`JUMLAH`/`TOTAL` in a label cell of a row that names no desa (remarks do not count)."""
    if desa_text and not _TOTAL_WORDS.match(desa_text):
        return False
    free_text = {header.columns[k] for k in _FREE_TEXT_KEYS if k in header.columns}
    return any(
        isinstance(value, str) and col not in free_text and _TOTAL_WORDS.match(value)
        for col, value in enumerate(row)
    )


def _is_column_numbering(row: list[object], header: Header) -> bool:
    """The row of column numbers (1, 2, 3 ... or (1), (2) ...) that government tables put under the header."""
    numbers = []
    for value in row:
        text = _text(value)
        if not text:
            continue
        match = _COLUMN_NUMBER.match(text)
        if not match:
            return False
        numbers.append(int(match.group(1)))
    desa_col = header.columns["desa"]
    return (
        len(numbers) >= 3
        and desa_col < len(row)
        and _text(row[desa_col]) != ""
        and all(b == a + 1 for a, b in itertools.pairwise(numbers))
    )


def _is_kecamatan_heading(desa_text: str, resolver: DesaResolver) -> bool:
    """A row such as `KECAMATAN INSANA UTARA` grouping the desa below it (never a desa's own name)."""
    text = normalise_header(desa_text)
    rest = _KECAMATAN_HEADING.sub("", text)
    if normalise_name(rest) not in reference.kecamatan_aliases():
        return False
    return rest != text or normalise_name(desa_text) not in resolver.by_name


def _spread_down(grid: Grid, header: Header) -> dict[tuple[int, int], object]:
    """Values of cells merged down over data rows, for the officer and kecamatan columns."""
    columns = {header.columns[k] for k in _SPREAD_DOWN_KEYS if k in header.columns}
    spread: dict[tuple[int, int], object] = {}
    for (r0, c0), (r1, c1) in grid.merged:
        if r1 <= r0 or r0 <= header.last_row:
            continue
        value = grid.value(r0, c0)
        for col in range(c0, c1 + 1):
            if col in columns:
                for row in range(r0 + 1, r1 + 1):
                    spread[(row, col)] = value
    return spread


def _shown(raw: object) -> str:
    """A cell value inside a message: numbers as they are, text in quotes."""
    text = _text(raw)
    return text if re.fullmatch(r"-?\d+(?:[.,]\d+)?", text) else f'"{text}"'


def _read_sheet(result: ImportResult, sheet: str, grid: Grid, header: Header, resolver: DesaResolver) -> pd.DataFrame:
    """Rows of one sheet as typed values keyed by indicator key, with errors collected on `result`."""
    title = reference.SHEET_TITLES[sheet]
    items = reference.sheet_indicators(sheet)
    by_key = {i.key: i for i in items}
    for item in items:
        if item.wajib and item.key not in header.columns:
            result.errors.append(
                Issue(title, header.last_row + 1, item.header, "",
                      f'Kolom "{item.header}" tidak ditemukan di baris judul. Tambahkan kolom ini (lihat templat).')
            )
    for _col, text in header.extra:
        result.notes.append(Issue(title, header.last_row + 1, text, "", f'Kolom "{text}" tidak dikenal dan diabaikan.'))
    for _col, text, key in header.duplicates:
        result.notes.append(
            Issue(title, header.last_row + 1, text, "", f'Kolom "{text}" ganda untuk {by_key[key].header}; yang dipakai kolom pertama.')
        )
    desa_column = header.titles["desa"]
    count_cols = [k for k in header.columns if by_key[k].tipe == "angka"]
    spread = _spread_down(grid, header)
    records = []
    seen: dict[str, int] = {}
    for index in range(header.last_row + 1, len(grid.cells)):
        if len(result.errors) >= MAX_ERRORS:
            result.stopped_at = result.stopped_at or (title, index + 1)
            break
        row = grid.cells[index]
        excel_row = index + 1
        values = {k: (row[c] if c < len(row) else "") for k, c in header.columns.items()}
        for key, col in header.columns.items():
            if (index, col) in spread and _text(values[key]) == "":
                values[key] = spread[(index, col)]
        desa_text = clean_text(_text(values.get("desa")))
        has_counts = any(_text(values[k]) not in ("", "-") for k in count_cols)
        if not desa_text and not has_counts:
            continue  # blank row, signature block, notes under the table
        if _is_total_row(row, header, desa_text) or _is_column_numbering(row, header):
            continue
        if not desa_text:
            result.errors.append(
                Issue(title, excel_row, desa_column, "",
                      f'Baris {excel_row}, kolom "{desa_column}": nama desa kosong padahal baris berisi angka. '
                      "Isi nama desa atau hapus baris ini.")
            )
            continue
        if not has_counts and _is_kecamatan_heading(desa_text, resolver):
            continue
        if all(_text(values[k]) == "" for k in header.columns if k not in ("desa", "kecamatan", "perbatasan")):
            continue  # a prefilled desa row nobody filled in: the desa counts as not reported
        record: dict[str, object] = {"excel_row": excel_row}
        kecamatan_written = clean_text(_text(values.get("kecamatan")))
        kecamatan = reference.kecamatan_aliases().get(normalise_name(kecamatan_written)) if kecamatan_written else None
        match = resolver.resolve(desa_text, kecamatan)
        if match.kode is None:
            result.errors.append(Issue(title, excel_row, desa_column, desa_text, f"Baris {excel_row}: {match.problem}."))
        else:
            if match.kode in seen:
                result.errors.append(
                    Issue(title, excel_row, desa_column, desa_text,
                          f"Baris {excel_row}: desa {resolver.name_of(match.kode)} sudah ada di baris {seen[match.kode]}. "
                          "Gabungkan menjadi satu baris.")
                )
            else:
                seen[match.kode] = excel_row
            if match.fuzzy_from:
                result.warnings.append(
                    Issue(title, excel_row, desa_column, desa_text,
                          f'Baris {excel_row}: "{desa_text}" dibaca sebagai desa {resolver.name_of(match.kode)}. '
                          "Perbaiki ejaannya bila keliru.")
                )
        record["desa_kode"] = match.kode
        failed: set[str] = set()
        for key, item in by_key.items():
            if key in ("desa", "kecamatan"):
                continue
            if key not in header.columns:
                record[key] = None  # a missing column is reported once above, never read as zeros
                continue
            raw = values[key]
            column = header.titles[key]
            try:
                record[key] = _convert(item, raw)
            except ValueProblem as problem:
                result.errors.append(
                    Issue(title, excel_row, column, _text(raw), f'Baris {excel_row}, kolom "{column}": {_shown(raw)} {problem}.')
                )
                record[key] = None
                failed.add(key)
        _row_rules(result, title, excel_row, record, header, by_key, sheet, failed)
        records.append(record)
    columns = ["excel_row", "desa_kode"] + [k for k in by_key if k not in ("desa", "kecamatan")]
    if not records and result.stopped_at is None and not any(e.sheet == title for e in result.errors):
        result.errors.append(
            Issue(title, header.last_row + 2, desa_column, "",
                  f"Lembar {title} belum diisi: tidak ada baris desa yang berisi data. Isi angka kegiatan lalu unggah kembali.")
        )
    return pd.DataFrame.from_records(records, columns=columns)


def _convert(item: reference.Indicator, raw: object) -> object:
    if item.tipe == "angka":
        return parse_count(raw)
    if item.tipe == "ya_tidak":
        return parse_bool(raw)
    if item.tipe == "nrp":
        return parse_nrp(raw) if _text(raw) else None
    if item.tipe == "pangkat":
        text = clean_text(_text(raw))
        return (parse_rank(text) or text) if text else None
    return clean_text(_text(raw)) or None


def _row_rules(
    result: ImportResult,
    title: str,
    excel_row: int,
    record: dict,
    header: Header,
    by_key: dict,
    sheet: str,
    failed: set[str],
) -> None:
    """Cross-column rules of spec section 5 for one row (`failed`: keys whose cell could not be read)."""
    def column(key: str) -> str:
        return header.titles.get(key, by_key[key].header)

    for key, item in by_key.items():
        limit_key = item.max_of
        value, limit = record.get(key), record.get(limit_key) if limit_key else None
        if isinstance(value, int) and isinstance(limit, int) and value > limit:
            result.errors.append(
                Issue(title, excel_row, column(key), str(value),
                      f'Baris {excel_row}, kolom "{column(key)}": {value} lebih besar dari '
                      f"{by_key[limit_key].label} ({limit}).")
            )
    if sheet == "kegiatan":
        name = record.get("nama_bhabin")
        if name and not record.get("nrp") and "nrp" not in failed:
            result.errors.append(
                Issue(title, excel_row, column("nrp"), "",
                      f'Baris {excel_row}, kolom "{column("nrp")}": NRP wajib diisi (8 angka) untuk {name}.')
            )
        if name and record.get("pangkat") and record["pangkat"] not in reference.ranks().values():
            result.warnings.append(
                Issue(title, excel_row, column("pangkat"), str(record["pangkat"]),
                      f'Baris {excel_row}: pangkat "{record["pangkat"]}" tidak dikenal '
                      "(Bripda, Briptu, Brigpol, Bripka, Aipda, Aiptu, Ipda, Iptu, AKP). Periksa ejaannya.")
            )
        if not name:
            result.warnings.append(
                Issue(title, excel_row, column("nama_bhabin"), "",
                      f"Baris {excel_row}: desa ini tidak punya Bhabinkamtibmas bulan ini. "
                      "Isi nama, pangkat dan NRP bila ada petugasnya.")
            )
    if sheet == "kerawanan":
        class_keys = ("tps_kurang_rawan", "tps_rawan", "tps_sangat_rawan")
        classes = [record.get(k) for k in class_keys]
        tps = record.get("tps")
        if all(isinstance(v, int) for v in classes) and isinstance(tps, int):
            total = sum(classes)
            named = " + ".join(by_key[k].label for k in class_keys)
            if total > tps:
                result.errors.append(
                    Issue(title, excel_row, column("tps"), str(tps),
                          f'Baris {excel_row}, kolom "{column("tps")}": {named} ({total}) lebih besar dari '
                          f"{by_key['tps'].label} ({tps}). Perbaiki jumlah TPS atau kelasnya.")
                )
            elif total < tps:
                result.warnings.append(
                    Issue(title, excel_row, column("tps"), str(tps),
                          f"Baris {excel_row}: TPS belum dipetakan: baru {total} dari {tps} TPS diberi kelas kerawanan.")
                )


def _default_border(result: ImportResult) -> None:
    """`perbatasan` left empty takes the desa's border flag from the reference data."""
    border = reference.desa().set_index("kode")["perbatasan"]
    frame = result.kerawanan
    from_reference = frame["desa_kode"].map(border).astype(object)
    frame["perbatasan"] = frame["perbatasan"].astype(object).where(frame["perbatasan"].notna(), from_reference)
    for key in reference.bool_keys("kerawanan"):
        frame[key] = frame[key].astype("boolean").fillna(False)


def _file_warnings(result: ImportResult, resolver: DesaResolver, history: History, sheets: dict) -> None:
    """Warnings that need the whole file or the database's history."""
    kegiatan = result.kegiatan
    if sheets.get("kegiatan"):
        present = set(kegiatan["desa_kode"].dropna()) if not kegiatan.empty else set()
        for kode, nama in zip(resolver.own["kode"], resolver.own["nama"], strict=True):
            if kode not in present:
                result.warnings.append(
                    Issue("Kegiatan", None, "Desa/Kelurahan", nama, f"Desa {nama} tidak ada di lembar Kegiatan. Tambahkan barisnya bila ada kegiatan.")
                )
    if kegiatan.empty:
        return
    if "fkpm_aktif" in kegiatan:
        kegiatan["fkpm_aktif"] = kegiatan["fkpm_aktif"].astype("boolean").fillna(False)
    titles = sheets["kegiatan"][1].titles if sheets.get("kegiatan") else {}
    _outliers(result, history, titles)
    nrp_column = titles.get("nrp", "NRP")
    names_in_file: dict[str, tuple[str, int]] = {}
    for row in kegiatan.itertuples(index=False):
        nrp, name = row.nrp, row.nama_bhabin
        if not nrp or not name:
            continue
        earlier = history.officers.get(nrp)
        if earlier and fold(earlier) != fold(name):
            result.warnings.append(
                Issue("Kegiatan", row.excel_row, nrp_column, nrp,
                      f"Baris {row.excel_row}: NRP {nrp} sebelumnya tercatat atas nama {earlier}, kini {name}. Periksa NRP.")
            )
        elif nrp in names_in_file and fold(names_in_file[nrp][0]) != fold(name):
            result.warnings.append(
                Issue("Kegiatan", row.excel_row, nrp_column, nrp,
                      f"Baris {row.excel_row}: NRP {nrp} juga dipakai {names_in_file[nrp][0]} di baris {names_in_file[nrp][1]}. Periksa NRP.")
            )
        names_in_file.setdefault(nrp, (name, row.excel_row))


def _outliers(result: ImportResult, history: History, titles: dict[str, str]) -> None:
    """DHIS2-style outliers: more than 3 x the median of the desa's last 6 months and at least 10 above it."""
    if history.counts.empty or result.bulan is None:
        return
    past = history.counts[history.counts["bulan"] < result.bulan]
    if past.empty:
        return
    recent_months = sorted(past["bulan"].unique())[-6:]
    past = past[past["bulan"].isin(recent_months)]
    medians = past.groupby(["desa_kode", "key"])["value"].median()
    names = reference.desa().set_index("kode")["nama"]
    for key in reference.count_keys("kegiatan"):
        if key not in result.kegiatan:
            continue
        for row in result.kegiatan[["excel_row", "desa_kode", key]].itertuples(index=False):
            value = row[2]
            median = medians.get((row.desa_kode, key))
            if median is None or not isinstance(value, (int, float)) or pd.isna(value):
                continue
            if value > 3 * median and value - median >= 10:
                label = titles.get(key) or reference.indicator("kegiatan", key).header
                result.warnings.append(
                    Issue("Kegiatan", row.excel_row, label, str(value),
                          f"Baris {row.excel_row}: {label} {names.get(row.desa_kode, '')} = {value}, jauh di atas biasanya "
                          f"(median 6 bulan terakhir {median:g}). Periksa apakah angka ini benar.")
                )
