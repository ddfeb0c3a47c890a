"""Reading a Polsek's monthly recap the way clerks really make it, and validating it (spec sections 3-5).

The flow, one module per step: check and open the bytes (`core.workbook`, bounded by
`core.sheetbounds`), find each sheet's header (`core.headers`), find the month and Polsek
(`core.identify`), read the rows (`core.rows`, each cell by `core.cells`, each desa by
`core.desa_match`), then the checks that need the whole file or the database's history (here and
`core.outliers`). Every error and warning is collected at once on an `ImportResult` (`core.issues`).
Nothing here touches the database: history needed for warnings is passed in.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable

import pandas as pd

from core import outliers, reference
from core.desa_match import DesaResolver
from core.filecheck import DEFAULT_MAX_UPLOAD_BYTES, FileRefused, sniff
from core.headers import Header, pick_sheets
from core.identify import identify
from core.issues import History, ImportResult, Issue
from core.rows import MAX_ERRORS, SheetRows, read_sheet
from core.text import fold, normalise_name
from core.workbook import Grid, check_upload, read_grids

__all__ = ["MAX_ERRORS", "History", "ImportResult", "Issue", "check_upload", "read_grids", "read_recap"]


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

    sheets = pick_sheets(grids)
    headers = {pair[0].name: pair[1] for pair in sheets.values() if pair}
    identify(result, grids, headers, polsek, bulan, today)
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
    if result.polsek is None:
        return result

    resolver = DesaResolver(result.polsek)
    read: dict[str, SheetRows] = {}
    for sheet, pair in sheets.items():
        if pair is not None:
            read[sheet] = read_sheet(result, sheet, *pair, resolver)
    result.kegiatan = read["kegiatan"].frame if "kegiatan" in read else pd.DataFrame()
    result.kerawanan = read["kerawanan"].frame if "kerawanan" in read else pd.DataFrame()
    if not result.kerawanan.empty:
        _default_border(result)
    if _for_another_polsek(result, read):
        return result  # the rows were checked against the wrong Polsek: their warnings would mislead
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


def _for_another_polsek(result: ImportResult, read: dict[str, SheetRows]) -> bool:
    """A file whose desa are mostly another Polsek's is that Polsek's: one error instead of one per row.

    Happens when the wrong Polsek is picked on upload, or a clerk sends a neighbour's file. A few
    stray desa of another Polsek in a file of one's own stay row errors.
    """
    owners = Counter(owner for rows in read.values() for _issue, owner in rows.foreign)
    own = sum(rows.own_rows for rows in read.values())
    if not owners:
        return False
    owner, rows_of_owner = owners.most_common(1)[0]
    if rows_of_owner <= own:
        return False
    foreign = {id(issue) for rows in read.values() for issue, _owner in rows.foreign}
    result.errors[:] = [e for e in result.errors if id(e) not in foreign]
    result.warnings.clear()
    result.stopped_at = None
    named = sorted({normalise_name(i.value): i.value for rows in read.values() for i, who in rows.foreign if who == owner}.values())
    examples = ", ".join(named[:3]) + (", \u2026" if len(named) > 3 else "")
    result.errors.insert(0, Issue(
        "", None, "Polsek", owner,
        f"Berkas ini untuk {owner}, bukan {result.polsek}: {len(named)} desa di dalamnya termasuk wilayah {owner} "
        f"({examples}). Bila ini memang rekap {owner}, pilih {owner} saat mengunggah; bila bukan, unggah rekap {result.polsek}.",
    ))
    return True


def _default_border(result: ImportResult) -> None:
    """`perbatasan` left empty takes the desa's border flag from the reference data."""
    border = reference.desa().set_index("kode")["perbatasan"]
    frame = result.kerawanan
    from_reference = frame["desa_kode"].map(border).astype(object)
    frame["perbatasan"] = frame["perbatasan"].astype(object).where(frame["perbatasan"].notna(), from_reference)
    for key in reference.bool_keys("kerawanan"):
        frame[key] = frame[key].astype("boolean").fillna(False)


def _file_warnings(result: ImportResult, resolver: DesaResolver, history: History, sheets: dict[str, tuple[Grid, Header] | None]) -> None:
    """Warnings that need the whole file or the database's history."""
    _missing_desa(result, resolver, sheets)
    kegiatan = result.kegiatan
    if kegiatan.empty:
        return
    if "fkpm_aktif" in kegiatan:
        kegiatan["fkpm_aktif"] = kegiatan["fkpm_aktif"].astype("boolean").fillna(False)
    titles = sheets["kegiatan"][1].titles if sheets.get("kegiatan") else {}
    outliers.warn(result, history, titles)
    nrp_column = titles.get("nrp", "NRP")
    names_in_file: dict[str, tuple[str, int]] = {}
    for row in kegiatan.itertuples(index=False):
        nrp, name = row.nrp, row.nama_bhabin
        if not nrp or not name or pd.isna(nrp) or pd.isna(name):
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


def _missing_desa(result: ImportResult, resolver: DesaResolver, sheets: dict[str, tuple[Grid, Header] | None]) -> None:
    """Each desa of the Polsek missing from a sheet: a warning. Without a Kerawanan row its Kerawanan is unknown, never 0."""
    if sheets.get("kegiatan") is None:
        return
    if sheets.get("kerawanan") is None:
        result.warnings.append(
            Issue("Kerawanan", None, "", "",
                  f"Lembar Kerawanan tidak ada: kerawanan {len(resolver.own)} desa {result.polsek} belum dinilai bulan ini. "
                  "Tambahkan lembar Kerawanan (lihat templat) bila datanya ada.")
        )
    why = {
        "kegiatan": "Tambahkan barisnya bila ada kegiatan.",
        "kerawanan": "Tambahkan barisnya; tanpa baris itu kerawanan desa ini belum dinilai.",
    }
    for sheet in reference.SHEETS:
        if sheets.get(sheet) is None:
            continue
        frame = getattr(result, sheet)
        present = set(frame["desa_kode"].dropna()) if not frame.empty else set()
        title = reference.SHEET_TITLES[sheet]
        column = sheets[sheet][1].titles.get("desa", "Desa/Kelurahan")
        for kode, nama in zip(resolver.own["kode"], resolver.own["nama"], strict=True):
            if kode not in present:
                result.warnings.append(Issue(title, None, column, nama, f"Desa {nama} tidak ada di lembar {title}. {why[sheet]}"))
