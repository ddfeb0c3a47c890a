"""The rows of one sheet below its header, read as typed values per indicator key, with every row's errors (spec sections 4-5).

Skipped without a word: blank rows, the totals row, the row of column numbers, kecamatan headings and
prefilled desa rows nobody filled in. Rows holding only text (a signature block, place and date,
notes) are not read and are listed in one warning; a row with numbers but no desa is an error.
Every value comes from `core.cells`, which never reads a cell as something its author did not write.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

import pandas as pd

from core import fmt, reference
from core.cells import (
    FORMULA_PROBLEM,
    NoResult,
    ValueProblem,
    cell_text,
    holds_number,
    is_blank,
    labels_number,
    parse_bool,
    parse_count,
    parse_nrp,
    parse_rank,
    reads_as_zero,
    sentence,
    shown,
)
from core.desa_match import DesaMatch, DesaResolver
from core.headers import Header
from core.issues import ImportResult, Issue
from core.sheetbounds import cell_name
from core.text import clean_text, normalise_header, normalise_name
from core.workbook import Grid

#: Errors after which a file is not checked further: 100,000 copies of one desa row would otherwise be
#: checked (36 s) and listed on every view of their preview. One more issue says that more were left.
MAX_ERRORS = 200
#: Rows and texts quoted in the warning about rows of text under the table.
_TEXT_ROWS_LISTED = 10
_TEXTS_QUOTED = 6
#: Labels of a totals row, also spelt with spaced letters (`J U M L A H`).
_TOTAL_WORDS = re.compile(
    r"^\s*(j\s?u\s?m\s?l\s?a\s?h|t\s?o\s?t\s?a\s?l|jml|jlh|sub\s*total|grand\s*total|rekapitulasi)\b", re.IGNORECASE
)
#: Free-text columns: a remark starting with `Jumlah ...` does not make a totals row.
_FREE_TEXT_KEYS = ("keterangan", "potensi_gangguan")
#: Columns that name who and where: a cell merged down over several desa rows applies to each of them.
_SPREAD_DOWN_KEYS = ("kecamatan", "nama_bhabin", "pangkat", "nrp")
_COLUMN_NUMBER = re.compile(r"^\(?(\d{1,2})\)?\.?$")
_ROW_NUMBER = re.compile(r"^\(?\d{1,4}\)?\.?$")
_KECAMATAN_HEADING = re.compile(r"^(kecamatan|kec)\s+")


@dataclass
class _Line:
    """A row below the header that is not blank, a totals row or the row of column numbers."""

    index: int  # 0-based row
    values: dict[str, object]  # key -> cell value (merged officer and kecamatan cells spread down)
    desa_text: str
    data: bool  # holds a count, or a formula without result, anywhere the sheet is read
    only_desa: bool  # nothing written in the columns read but the desa (and kecamatan, perbatasan)
    texts: list[str]  # every non-empty cell of the row, for the warning about rows of text


@dataclass
class SheetRows:
    """One sheet read: its rows, and what the file-level checks need to know about them."""

    frame: pd.DataFrame
    #: Errors about desa of another Polsek, with that Polsek (a file for another Polsek gets one message instead).
    foreign: list[tuple[Issue, str]] = field(default_factory=list)
    own_rows: int = 0  # rows naming a desa of the file's Polsek
    text_rows: list[tuple[int, list[str]]] = field(default_factory=list)  # (Excel row, texts) not read


def read_sheet(result: ImportResult, sheet: str, grid: Grid, header: Header, resolver: DesaResolver) -> SheetRows:
    """Rows of one sheet as typed values keyed by indicator key, with errors and warnings collected on `result`."""
    title = reference.SHEET_TITLES[sheet]
    items = reference.sheet_indicators(sheet)
    by_key = {i.key: i for i in items}
    _column_issues(result, title, header, items)
    matches: dict[int, DesaMatch] = {}

    def match_of(line: _Line) -> DesaMatch:
        if line.index not in matches:
            written = clean_text(cell_text(line.values.get("kecamatan")))
            kecamatan = reference.kecamatan_aliases().get(normalise_name(written)) if written else None
            matches[line.index] = resolver.resolve(line.desa_text, kecamatan)
        return matches[line.index]

    lines = [line for line in _lines(grid, header, by_key, resolver) if not _unfilled(line, match_of)]
    end = _table_end(lines, match_of)
    read = SheetRows(pd.DataFrame())
    desa_column = header.titles["desa"]
    records = []
    seen: dict[str, int] = {}
    for line in lines:
        if len(result.errors) >= MAX_ERRORS:
            result.stopped_at = result.stopped_at or (title, line.index + 1)
            break
        excel_row = line.index + 1
        if not line.data and (not line.desa_text or (match_of(line).kode is None and (line.only_desa or line.index > end))):
            read.text_rows.append((excel_row, line.texts))  # a signature, a date, a note: text, not data
            continue
        if not line.desa_text:
            desa_raw = line.values.get("desa")
            if isinstance(desa_raw, NoResult):
                message = f'Baris {excel_row}, kolom "{desa_column}": {_formula_problem(line.index, header, "desa", desa_raw)}'
            else:
                message = (f'Baris {excel_row}, kolom "{desa_column}": nama desa kosong padahal baris berisi angka. '
                           "Isi nama desa atau hapus baris ini.")
            result.errors.append(Issue(title, excel_row, desa_column, cell_text(desa_raw) or str(desa_raw or ""), message))
            continue
        record: dict[str, object] = {"excel_row": excel_row}
        match = match_of(line)
        if match.kode is None:
            issue = Issue(title, excel_row, desa_column, line.desa_text, f"Baris {excel_row}: {match.problem}.")
            result.errors.append(issue)
            if match.other_polsek:
                read.foreign.append((issue, match.other_polsek))
        else:
            read.own_rows += 1
            if match.kode in seen:
                result.errors.append(
                    Issue(title, excel_row, desa_column, line.desa_text,
                          f"Baris {excel_row}: desa {resolver.name_of(match.kode)} sudah ada di baris {seen[match.kode]}. "
                          "Gabungkan menjadi satu baris.")
                )
            else:
                seen[match.kode] = excel_row
            if match.fuzzy_from:
                result.warnings.append(
                    Issue(title, excel_row, desa_column, line.desa_text,
                          f'Baris {excel_row}: "{line.desa_text}" dibaca sebagai desa {resolver.name_of(match.kode)}. '
                          "Perbaiki ejaannya bila keliru.")
                )
        record["desa_kode"] = match.kode
        failed: set[str] = set()
        for key, item in by_key.items():
            if key not in header.columns:
                if key not in ("desa", "kecamatan"):
                    record[key] = None  # a missing column is reported once above, never read as zeros
                continue
            raw = line.values[key]
            column = header.titles[key]
            try:
                value = _convert(item, raw)
            except ValueProblem as problem:
                if isinstance(raw, NoResult):
                    message = f'Baris {excel_row}, kolom "{column}": {_formula_problem(line.index, header, key, raw)}'
                else:
                    message = f'Baris {excel_row}, kolom "{column}": {shown(raw)} {sentence(problem)}'
                result.errors.append(Issue(title, excel_row, column, cell_text(raw) or str(raw or ""), message))
                value = None
                failed.add(key)
            if key not in ("desa", "kecamatan"):
                record[key] = value
        _row_rules(result, title, excel_row, record, header, by_key, sheet, failed)
        records.append(record)
    if read.text_rows:
        result.warnings.append(_text_rows_warning(title, read.text_rows))
    if sheet == "kegiatan" and "nrp" not in header.columns and any(r.get("nama_bhabin") for r in records):
        result.errors.append(_missing_column(title, header, by_key["nrp"], "NRP wajib untuk setiap Bhabinkamtibmas yang ditulis namanya"))
    if sheet == "kegiatan" and "nama_bhabin" not in header.columns and records:
        issue = _missing_column(title, header, by_key["nama_bhabin"])
        issue.message = issue.message.replace("Tambahkan kolom ini", "Tanpa kolom ini semua desa tercatat tanpa Bhabinkamtibmas. Tambahkan kolom ini")
        result.warnings.append(issue)
    columns = ["excel_row", "desa_kode"] + [k for k in by_key if k not in ("desa", "kecamatan")]
    if not records and result.stopped_at is None and not any(e.sheet == title for e in result.errors):
        result.errors.append(
            Issue(title, header.last_row + 2, desa_column, "",
                  f"Lembar {title} belum diisi: tidak ada baris desa yang berisi data. Isi angka kegiatan lalu unggah kembali.")
        )
    read.frame = pd.DataFrame.from_records(records, columns=columns)
    return read


def _formula_problem(index: int, header: Header, key: str, raw: NoResult) -> str:
    """The cell named, the formula quoted: `sel K9 berisi rumus tanpa hasil tersimpan (=SUM(G9:J9)); buka ...`."""
    formula = f" ({raw})" if raw.formula else ""
    return f"sel {cell_name(index, header.columns[key])} {FORMULA_PROBLEM.replace(';', formula + ';', 1)}."


def _column_issues(result: ImportResult, title: str, header: Header, items: list[reference.Indicator]) -> None:
    """A missing required column is one error naming it; unknown columns are one warning; a column twice is a note."""
    by_key = {i.key: i for i in items}
    for item in items:
        if item.wajib and item.key not in header.columns:
            result.errors.append(_missing_column(title, header, item))
    if header.extra:
        names = ", ".join(f"'{text}'" for _col, text in header.extra)
        result.warnings.append(
            Issue(title, header.last_row + 1, "", names,
                  f"Kolom tidak dikenali, diabaikan: {names}. Bila salah satunya kolom rekap, tulis judulnya seperti di templat.")
        )
    for _col, text, key in header.duplicates:
        result.notes.append(
            Issue(title, header.last_row + 1, text, "", f'Kolom "{text}" ganda untuk {by_key[key].header}; yang dipakai kolom pertama.')
        )


def _missing_column(title: str, header: Header, item: reference.Indicator, why: str = "") -> Issue:
    found = ", ".join(f'"{text}"' for text in header.found())
    reason = f" ({why})" if why else ""
    return Issue(
        title, header.last_row + 1, item.header, "",
        f'Kolom "{item.header}" tidak ditemukan di baris judul (baris {header.last_row + 1}){reason}. '
        f"Judul kolom yang ada: {found}. Tambahkan kolom ini atau perbaiki judulnya (lihat templat).",
    )


def _lines(grid: Grid, header: Header, by_key: dict[str, reference.Indicator], resolver: DesaResolver) -> list[_Line]:
    """The rows below the header worth a look, with what each holds."""
    spread = _spread_down(grid, header)
    count_cols = {header.columns[k]: by_key[k].unit for k in header.columns if by_key[k].tipe == "angka"}
    read_cols = set(header.columns.values())
    lines = []
    for index in range(header.last_row + 1, len(grid.cells)):
        row = grid.cells[index]
        values = {k: (row[c] if c < len(row) else "") for k, c in header.columns.items()}
        for key, col in header.columns.items():
            if (index, col) in spread and is_blank(values[key]):
                values[key] = spread[(index, col)]
        desa_text = clean_text(cell_text(values.get("desa")))
        if _is_total_row(row, header, desa_text) or _is_column_numbering(row, header):
            continue
        data = _holds_data(row, count_cols, read_cols) or isinstance(values.get("desa"), NoResult)
        # a bare row number (`43`, `(43)`) or a dash is no text of anyone's: numbered or dashed empty rows are blank rows
        texts = [text for text in (clean_text(cell_text(v)) for v in row) if text and not _ROW_NUMBER.match(text) and not reads_as_zero(text)]
        if not desa_text and not data and (not texts or all(_names_kecamatan(t) for t in texts)):
            continue  # blank row, or a kecamatan heading in its own column (a formula without result elsewhere is not read)
        if desa_text and not data and _is_kecamatan_heading(desa_text, resolver):
            continue
        only_desa = all(is_blank(values[k]) for k in header.columns if k not in ("desa", "kecamatan", "perbatasan"))
        lines.append(_Line(index, values, desa_text, data, only_desa, texts))
    return lines


def _unfilled(line: _Line, match_of) -> bool:
    """A prefilled desa row nobody filled in (the desa counts as not reported), also a desa of another Polsek."""
    if line.data or not line.desa_text or not line.only_desa:
        return False
    match = match_of(line)
    return match.kode is not None or match.other_polsek is not None


def _holds_data(row: list[object], count_cols: dict[int, str], read_cols: set[int]) -> bool:
    """A count in a count column (not the number after an `NRP` label), or a formula without result in a read column."""
    previous: object = None
    for col, value in enumerate(row):
        if is_blank(value):
            continue
        if isinstance(value, NoResult) and col in read_cols:
            return True
        if col in count_cols and holds_number(value, count_cols[col]) and not labels_number(previous):
            return True
        previous = value
    return False


def _table_end(lines: list[_Line], match_of) -> int:
    """0-based row of the table's last data row: the last row holding data or naming a desa (of any Polsek)."""
    for line in reversed(lines):
        if line.data:
            return line.index
        if line.desa_text:
            match = match_of(line)
            if match.kode is not None or match.other_polsek:
                return line.index
    return -1


def _text_rows_warning(title: str, rows: list[tuple[int, list[str]]]) -> Issue:
    numbers = [str(r) for r, _ in rows[:_TEXT_ROWS_LISTED]]
    more = len(rows) - len(numbers)
    if more:
        listed = ", ".join(numbers) + f" dan {fmt.number(more)} baris lain"
    elif len(numbers) == 1:
        listed = numbers[0]
    else:
        listed = ", ".join(numbers[:-1]) + f" dan {numbers[-1]}"
    texts = [t for _, row_texts in rows for t in row_texts]
    quoted = ", ".join(f'"{_cut(t)}"' for t in texts[:_TEXTS_QUOTED]) + (", \u2026" if len(texts) > _TEXTS_QUOTED else "")
    return Issue(
        title, rows[0][0], "", quoted,
        f"Baris {listed} hanya berisi teks (tanpa desa dan tanpa angka) dan tidak dibaca: {quoted}. "
        "Bila salah satunya data desa, isi nama desa dan angkanya.",
    )


def _cut(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def _convert(item: reference.Indicator, raw: object) -> object:
    if item.tipe == "angka":
        return parse_count(raw, item.unit, item.maks)
    if item.tipe == "ya_tidak":
        return parse_bool(raw)
    if isinstance(raw, NoResult):
        raise ValueProblem(FORMULA_PROBLEM)
    if item.tipe == "nrp":
        return parse_nrp(raw) if cell_text(raw) else None
    if item.tipe == "pangkat":
        text = clean_text(cell_text(raw))
        return (parse_rank(text) or text) if text else None
    return clean_text(cell_text(raw)) or None


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
        if name and not record.get("nrp") and "nrp" not in failed and "nrp" in header.columns:
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
        if not name and "nama_bhabin" not in failed and "nama_bhabin" in header.columns:
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
        text = cell_text(value)
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
        and cell_text(row[desa_col]) != ""
        and all(b == a + 1 for a, b in itertools.pairwise(numbers))
    )


def _names_kecamatan(text: str) -> bool:
    """`KECAMATAN INSANA UTARA`, `Kec. Insana`, `Insana Utara`: a kecamatan's name, with or without the word."""
    return normalise_name(_KECAMATAN_HEADING.sub("", normalise_header(text))) in reference.kecamatan_aliases()


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
