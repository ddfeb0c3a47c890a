"""Which Polsek and which month a recap file is for (spec section 3).

In this order: the hidden `_meta` sheet, the title cells above the headers (`POLSEK INSANA`,
`BULAN : SEPTEMBER 2024`), the file name (`Rekap_Insana_2024-09.xlsx`); what the user picks on the
upload screen or the command line overrides all.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from pathlib import Path

from core import reference
from core.cells import cell_text
from core.headers import HEADER_SCAN_ROWS, Header
from core.issues import ImportResult, Issue
from core.months import current_bulan, format_bulan, is_bulan, parse_month
from core.text import normalise_header
from core.workbook import Grid, is_meta


def identify(
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


def _title_texts(grids: Iterable[Grid], headers: dict[str, Header | None]) -> list[str]:
    """Texts of the cells above each sheet's header (or the first rows when no header was found)."""
    texts: list[str] = []
    for grid in grids:
        if grid.hidden:
            continue
        header = headers.get(grid.name)
        stop = header.first_row if header else min(HEADER_SCAN_ROWS, len(grid.cells))
        for row in grid.cells[:stop]:
            texts.extend(cell_text(v) for v in row if cell_text(v))
    return texts


def _meta_values(grids: list[Grid]) -> dict[str, str]:
    for grid in grids:
        if is_meta(grid.name):
            values: dict[str, str] = {}
            for row in grid.cells:
                if len(row) >= 2 and cell_text(row[0]):
                    values[normalise_header(row[0]).replace(" ", "_")] = cell_text(row[1])
            return values
    return {}


def _from_texts(texts: list[str], parse) -> tuple[str | None, set[str]]:
    found = {parse(t) for t in texts}
    found.discard(None)
    if len(found) == 1:
        return found.pop(), found
    return None, found
