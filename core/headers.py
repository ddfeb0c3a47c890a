"""Finding a sheet's header row and which column holds which indicator (spec section 4).

The header may be anywhere in the first 20 rows, over one or two rows (`Problem Solving` over
`Ditangani | Selesai`), in merged cells, in another case, order or spelling (`data/header_varian.csv`),
with spaced or dotted abbreviations (`N R P`, `D.D.S`). Which sheet holds Kegiatan and which Kerawanan
is decided here too: by name first, else by its columns.
"""

from __future__ import annotations

from dataclasses import dataclass

from core import reference
from core.cells import cell_text
from core.text import header_forms, normalise_header
from core.workbook import Grid, is_candidate, names_sheet

HEADER_SCAN_ROWS = 20


@dataclass
class Header:
    """Where a sheet's header is and which column holds which key."""

    first_row: int  # 0-based
    last_row: int  # 0-based, last header row (data starts below)
    columns: dict[str, int]  # key -> column index
    titles: dict[str, str]  # key -> header text as written
    extra: list[tuple[int, str]]  # unknown columns (index, text)
    duplicates: list[tuple[int, str, str]]  # (index, text, key) seen a second time

    def found(self) -> list[str]:
        """Every header text of the row, known or not, in column order (for a message about a missing column)."""
        texts = {col: self.titles[key] for key, col in self.columns.items()}
        texts.update({col: text for col, text in self.extra})
        texts.update({col: text for col, text, _key in self.duplicates})
        return [texts[col] for col in sorted(texts)]


def key_for(text: str, sheet: str) -> str | None:
    """The indicator key a header text names on `sheet`, or None."""
    mapping = reference.header_variants()[sheet]
    for form in header_forms(text):
        if form in mapping:
            return mapping[form]
    return None


def _merged_parent(grid: Grid, row: int) -> dict[int, object]:
    """Values of row `row`, with each horizontally merged cell's value spread over its range."""
    values = {c: grid.value(row, c) for c in range(grid.width)}
    for (r0, c0), (r1, c1) in grid.merged:
        if r0 <= row <= r1:
            top_left = grid.value(r0, c0)
            for c in range(c0, c1 + 1):
                values[c] = top_left if r0 == row or cell_text(values.get(c)) == "" else values[c]
    return values


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
        key = key_for(text, sheet)
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
        single = {c: cell_text(v) for c, v in _merged_parent(grid, row).items()}
        candidates = [(row, row, _map_columns(single, sheet))]
        # a two-row header needs text in its upper row; otherwise it is the lower row's own header
        if row + 1 < len(grid.cells) and any(single.values()):
            lower = {c: cell_text(grid.value(row + 1, c)) for c in range(grid.width)}
            combined: dict[int, str] = {}
            for col in range(grid.width):
                parent, child = single.get(col, ""), lower.get(col, "")
                if parent and child:
                    joined = f"{parent} {child}"
                    # keep the most specific reading that is known: `Problem Solving Selesai` over `Selesai`
                    if key_for(joined, sheet):
                        combined[col] = joined
                    elif key_for(child, sheet):
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


def pick_sheets(grids: list[Grid]) -> dict[str, tuple[Grid, Header] | None]:
    """Map `kegiatan`/`kerawanan` to a sheet and its header: by name first, else by columns."""
    visible = [g for g in grids if is_candidate(g.name, g.hidden)]
    chosen: dict[str, tuple[Grid, Header] | None] = {}
    used: set[str] = set()
    for sheet in reference.SHEETS:
        named = [g for g in visible if names_sheet(sheet, g.name)]
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
