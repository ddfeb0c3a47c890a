"""Opening an uploaded workbook: the import door, and the sheets the contract needs as grids of cell values.

python-calamine reads the cells, but only ever the bytes `core.sheetbounds` has measured and rebuilt;
cells holding a formula whose result the file does not store are put in the grid as `cells.NoResult`,
where the reader alone would show them as empty.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import python_calamine

from core import reference, sheetbounds
from core.cells import NoResult
from core.filecheck import DEFAULT_MAX_UPLOAD_BYTES, sniff
from core.sheetbounds import MAX_SHEETS_READ, FormulaBlock, SheetInfo
from core.text import normalise_header


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


def check_upload(content: bytes, max_bytes: int = DEFAULT_MAX_UPLOAD_BYTES) -> None:
    """The import door without reading a cell: `FileRefused` for no spreadsheet, an archive bomb, or a sheet beyond the bounds.

    What may wait as a preview is decided here, so a stored preview can always be read safely.
    """
    sheetbounds.admit(content, sniff(content, max_bytes=max_bytes).kind, sheets_to_read)


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
            _mark_without_result(cells, admitted.no_result.get(info.name, ()))
            width = max((len(r) for r in cells), default=0)
            grids.append(Grid(info.name, cells, sheetbounds.clip_merged(info.name, merged, len(cells), width), info.hidden))
    except BaseException as exc:
        if type(exc).__name__ == "PanicException":  # pyo3's, derived from BaseException: a reader bug, not our caller's
            raise RuntimeError(f"python-calamine: {exc}") from exc
        raise
    return grids


def _mark_without_result(cells: list[list[object]], blocks: tuple[FormulaBlock, ...]) -> None:
    """Put `NoResult` where a formula has no stored result (the reader left "" there, or ended the sheet before it).

    Every block lies within the bounds `sheetbounds` checked, so growing the grid to reach it stays bounded.
    """
    for block in blocks:
        last_row = block.row + block.rows - 1
        last_col = block.col + block.cols - 1
        while len(cells) <= last_row:
            cells.append([])
        marker = NoResult(block.formula)
        for row in range(block.row, last_row + 1):
            line = cells[row]
            if len(line) <= last_col:
                line.extend([""] * (last_col + 1 - len(line)))
            for col in range(block.col, last_col + 1):
                line[col] = marker


# --------------------------------------------------------------------------- which sheets


def names_sheet(sheet: str, name: str) -> bool:
    """A sheet name that names a contract sheet, in another case or with extra words (`KEGIATAN SEPT`)."""
    words = normalise_header(name)
    return sheet in words.split() or words.startswith(sheet)


def is_meta(name: str) -> bool:
    """The hidden `_meta` sheet of the template (month, Polsek, template version)."""
    return normalise_header(name) == "meta"


def is_candidate(name: str, hidden: bool) -> bool:
    """A sheet data may come from (not `_meta`, not the template's hidden lists)."""
    return not is_meta(name) and not (hidden and normalise_header(name) == "daftar")


def sheets_to_read(sheets: list[SheetInfo]) -> list[str]:
    """The sheets worth reading, in workbook order: `_meta`, those named Kegiatan or Kerawanan, then the other candidates.

    The others are where a single sheet holding the Kegiatan columns may be, and hold title cells;
    at most MAX_SHEETS_READ sheets in all, so a workbook of 300 sheets costs what one of 8 does.
    """
    worksheets = [s for s in sheets if s.worksheet]
    meta = [s.name for s in worksheets if is_meta(s.name)][:1]
    named = [s.name for s in worksheets if is_candidate(s.name, s.hidden) and any(names_sheet(k, s.name) for k in reference.SHEETS)]
    others = [s.name for s in worksheets if is_candidate(s.name, s.hidden) and s.name not in named]
    chosen = set((meta + named + others)[:MAX_SHEETS_READ])
    return [s.name for s in worksheets if s.name in chosen]
