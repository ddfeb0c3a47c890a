"""Builders of recap workbooks as clerks make them: from the template, or hand-made and decorated."""

from __future__ import annotations

import io
from collections.abc import Callable

import openpyxl
import pandas as pd

from core import reference
from core.template import HEADER_ROW, build_template


def fill_value(key: str, index: int) -> object:
    """A deterministic, valid value for a key in data row `index` (0-based)."""
    if key == "nama_bhabin":
        return f"Petugas {index + 1}"
    if key == "pangkat":
        return "Bripka"
    if key == "nrp":
        return f"{85010000 + index:08d}"
    if key == "keterangan":
        return f"catatan {index}"
    if key in ("fkpm_aktif",):
        return "Ya" if index % 2 == 0 else "Tidak"
    if key == "ps_ditangani":
        return index % 4 + 1
    if key == "ps_selesai":
        return index % 4
    if key == "pos_kamling":
        return index % 3 + 2
    if key == "pos_kamling_aktif":
        return index % 3 + 1
    if key == "tps":
        return index % 4 + 2
    if key == "tps_kurang_rawan":
        return index % 4 + 1
    if key == "tps_rawan":
        return 1 if index % 5 else 0
    if key == "tps_sangat_rawan":
        return 0 if index % 5 else 1
    if key in reference.bool_keys():
        return "Ya" if index % 3 == 0 else "Tidak"
    if key == "potensi_gangguan":
        return f"potensi {index}"
    return (index * 7 + len(key)) % 13


def filled_template(
    polsek: str = "Polsek Insana",
    bulan: str = "2024-09",
    edit: Callable[[openpyxl.Workbook], None] | None = None,
) -> bytes:
    """The project's template with every data cell filled by `fill_value`, then `edit` applied."""
    wb = openpyxl.load_workbook(io.BytesIO(build_template(polsek, bulan)))
    for sheet in reference.SHEETS:
        ws = wb[reference.SHEET_TITLES[sheet]]
        items = reference.sheet_indicators(sheet)
        n = len(reference.desa_of(polsek))
        for i in range(n):
            for col, item in enumerate(items, start=2):
                if item.key in ("desa", "kecamatan"):
                    continue
                ws.cell(row=HEADER_ROW + 1 + i, column=col, value=fill_value(item.key, i))
    if edit:
        edit(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def expected_rows(polsek: str, sheet: str) -> pd.DataFrame:
    """What `filled_template` should import as, per desa code, in template row order."""
    desa = reference.desa_of(polsek).sort_values(["kecamatan", "nama"]).reset_index(drop=True)
    records = []
    for i, row in enumerate(desa.itertuples(index=False)):
        record = {"desa_kode": row.kode}
        for item in reference.sheet_indicators(sheet):
            if item.key in ("desa", "kecamatan"):
                continue
            value = fill_value(item.key, i)
            if item.tipe == "ya_tidak":
                value = value == "Ya"
            record[item.key] = value
        records.append(record)
    return pd.DataFrame(records)


def handmade(
    rows: list[list[object]],
    sheet_name: str = "Kegiatan",
    merges: list[str] | None = None,
    extra_sheets: dict[str, list[list[object]]] | None = None,
) -> bytes:
    """A workbook written cell by cell, as a clerk retyping the template would."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet_name
    for r, values in enumerate(rows, start=1):
        for c, value in enumerate(values, start=1):
            if value is not None:
                ws.cell(row=r, column=c, value=value)
    for rng in merges or []:
        ws.merge_cells(rng)
    for name, sheet_rows in (extra_sheets or {}).items():
        other = wb.create_sheet(name)
        for r, values in enumerate(sheet_rows, start=1):
            for c, value in enumerate(values, start=1):
                if value is not None:
                    other.cell(row=r, column=c, value=value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
