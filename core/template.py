"""The Excel template a Polsek clerk downloads (spec section 2).

Columns, headers and rules come from the indicator catalogue, so the template and the importer
can never disagree. Dropdowns and protection only help the clerk: the importer checks everything again.
"""

from __future__ import annotations

import io

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from core import reference
from core.months import format_bulan
from core.text import clean_text

TEMPLATE_VERSION = "1"
HEADER_ROW = 4  # rows 1-3 carry the title, the header is row 4, data from row 5
_HEADER_FILL = PatternFill("solid", fgColor="1F3864")
_INPUT_FILL = PatternFill("solid", fgColor="FFFFFF")
_LOCKED_FILL = PatternFill("solid", fgColor="E7E6E6")
_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_text(value: object) -> str:
    """User text for a cell: never a formula (OWASP CSV/formula injection), no control characters."""
    text = clean_text(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


def _column_width(item: reference.Indicator) -> float:
    if item.key in ("desa", "nama_bhabin", "potensi_gangguan", "keterangan"):
        return 28 if item.key != "potensi_gangguan" else 40
    if item.key == "kecamatan":
        return 18
    return max(10.0, min(16.0, len(item.header) * 0.75))


def _title(ws: Worksheet, text: str, polsek: str, bulan: str, width: int) -> None:
    ws["A1"] = f"{text} \u2013 {polsek.upper()}"
    ws["A2"] = f"BULAN : {format_bulan(bulan).upper()}"
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"].font = Font(bold=True, size=12)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)


def _data_sheet(
    wb: Workbook,
    sheet: str,
    polsek: str,
    bulan: str,
    desa: pd.DataFrame,
    prefill: pd.DataFrame | None,
) -> Worksheet:
    items = reference.sheet_indicators(sheet)
    ws = wb.create_sheet(reference.SHEET_TITLES[sheet])
    headers = ["No"] + [i.header for i in items]
    title = "REKAP KEGIATAN BHABINKAMTIBMAS" if sheet == "kegiatan" else "PEMETAAN KERAWANAN DESA DAN TPS"
    _title(ws, title, polsek, bulan, len(headers))
    ws["A3"] = "Isi sel putih. Sel abu-abu dan baris judul terkunci. Kosong pada kolom angka dibaca 0."
    ws["A3"].font = Font(italic=True, size=9, color="595959")
    for col, text in enumerate(headers, start=1):
        cell = ws.cell(row=HEADER_ROW, column=col, value=text)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        cell.border = _BORDER
    ws.row_dimensions[HEADER_ROW].height = 45
    ws.column_dimensions["A"].width = 5
    for col, item in enumerate(items, start=2):
        ws.column_dimensions[get_column_letter(col)].width = _column_width(item)

    officers = {}
    if prefill is not None and not prefill.empty:
        latest = prefill.drop_duplicates("desa_kode", keep="last")  # one officer per desa: the latest row
        officers = latest.set_index("desa_kode")[["nama_bhabin", "pangkat", "nrp"]].to_dict("index")
    first, last = HEADER_ROW + 1, HEADER_ROW + len(desa)
    for offset, row in enumerate(desa.itertuples(index=False)):
        r = first + offset
        ws.cell(row=r, column=1, value=offset + 1)
        for col, item in enumerate(items, start=2):
            cell = ws.cell(row=r, column=col)
            cell.border = _BORDER
            cell.protection = Protection(locked=item.key in ("kecamatan", "desa"))
            cell.fill = _LOCKED_FILL if item.key in ("kecamatan", "desa") else _INPUT_FILL
            if item.key == "kecamatan":
                cell.value = row.kecamatan
            elif item.key == "desa":
                cell.value = row.nama
            elif item.key in ("nama_bhabin", "pangkat", "nrp") and row.kode in officers:
                value = officers[row.kode].get(item.key)
                if value is not None and not pd.isna(value):
                    cell.value = safe_text(value)
            elif item.key == "perbatasan":
                cell.value = "Ya" if row.perbatasan else "Tidak"
            if item.key == "nrp":
                cell.number_format = "@"  # keep a leading zero
            if item.tipe in ("angka",):
                cell.number_format = "0"
        ws.cell(row=r, column=1).border = _BORDER
        ws.cell(row=r, column=1).fill = _LOCKED_FILL
    _validations(ws, items, first, max(last, first), len(desa))
    ws.freeze_panes = ws.cell(row=first, column=4)
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.protection.autoFilter = False
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.print_options.gridLines = False
    return ws


def _validations(ws: Worksheet, items: list[reference.Indicator], first: int, last: int, n_desa: int) -> None:
    ya_tidak = DataValidation(type="list", formula1='"Ya,Tidak"', allow_blank=True, showErrorMessage=True,
                              errorTitle="Isi Ya atau Tidak", error="Pilih Ya atau Tidak dari daftar.")
    whole = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                           showErrorMessage=True, errorTitle="Angka tidak sah",
                           error="Isi bilangan bulat 0 atau lebih, tanpa desimal.")
    nrp = DataValidation(type="textLength", operator="equal", formula1="8", allow_blank=True,
                         showErrorMessage=True, errorTitle="NRP tidak sah", error="NRP terdiri dari 8 angka.")
    # list sources on the hidden `Daftar` sheet, exactly as long as the lists (OOXML formulas carry no `=`)
    pangkat = DataValidation(type="list", formula1=f"Daftar!$B$2:$B${len(_ranks()) + 1}", allow_blank=True,
                             showErrorMessage=False)
    desa = DataValidation(type="list", formula1=f"Daftar!$A$2:$A${n_desa + 1}", allow_blank=True, showErrorMessage=True,
                          errorTitle="Desa tidak dikenal", error="Pilih desa dari daftar Polsek ini.")
    for dv in (ya_tidak, whole, nrp, pangkat, desa):
        ws.add_data_validation(dv)
    for col, item in enumerate(items, start=2):
        ref = f"{get_column_letter(col)}{first}:{get_column_letter(col)}{last + 50}"
        target = {"ya_tidak": ya_tidak, "angka": whole, "nrp": nrp, "pangkat": pangkat, "desa": desa}.get(item.tipe)
        if target is not None:
            target.add(ref)
        if item.tipe not in ("desa",) and item.key != "kecamatan":
            for r in range(last + 1, last + 51):
                ws.cell(row=r, column=col).protection = Protection(locked=False)
    for r in range(last + 1, last + 51):
        for col in (1, 2, 3):
            ws.cell(row=r, column=col).protection = Protection(locked=False)


def _instructions(wb: Workbook, polsek: str, bulan: str, desa: pd.DataFrame) -> None:
    ws = wb.active
    ws.title = "Petunjuk"
    lines = [
        ("PETUNJUK PENGISIAN REKAP BULANAN BHABINKAMTIBMAS", True),
        (f"Polsek: {polsek}", True),
        (f"Bulan: {format_bulan(bulan)}", True),
        ("", False),
        ("1. Lembar Kegiatan: satu baris untuk setiap desa/kelurahan binaan. Isi nama, pangkat dan NRP "
         "Bhabinkamtibmas (NRP 8 angka) serta jumlah kegiatan bulan ini.", False),
        ("2. Kolom angka diisi bilangan bulat 0 atau lebih. Sel kosong atau tanda - dibaca 0.", False),
        ("3. Problem Solving Selesai tidak boleh lebih dari Problem Solving Ditangani; "
         "Pos Kamling Aktif tidak boleh lebih dari Pos Kamling.", False),
        ("4. Kolom Ya/Tidak: pilih Ya atau Tidak dari daftar.", False),
        ("5. Lembar Kerawanan: jumlah TPS dan kelasnya (Kurang Rawan + Rawan + Sangat Rawan = Jumlah TPS), "
         "serta faktor kerawanan desa.", False),
        ("6. Jangan mengubah nama desa. Jangan menambah baris JUMLAH; dasbor menjumlahkan sendiri.", False),
        (f"7. Kirim paling lambat tanggal {reference.settings()['laporan']['tanggal_batas']} bulan berikutnya "
         "melalui menu Unggah Rekap.", False),
        ("", False),
        ("Daftar desa/kelurahan Polsek ini:", True),
    ]
    for r, (text, bold) in enumerate(lines, start=1):
        ws.cell(row=r, column=1, value=text).font = Font(bold=bold, size=12 if bold else 11)
    start = len(lines) + 1
    ws.cell(row=start, column=1, value="Kecamatan").font = Font(bold=True)
    ws.cell(row=start, column=2, value="Desa/Kelurahan").font = Font(bold=True)
    ws.cell(row=start, column=3, value="Kode Kemendagri").font = Font(bold=True)
    for offset, row in enumerate(desa.itertuples(index=False), start=1):
        ws.cell(row=start + offset, column=1, value=row.kecamatan)
        ws.cell(row=start + offset, column=2, value=row.nama)
        ws.cell(row=start + offset, column=3, value=row.kode)
    ws.column_dimensions["A"].width = 110
    ws.column_dimensions["B"].width = 24
    ws.column_dimensions["C"].width = 18
    for r in range(5, 12):
        ws.cell(row=r, column=1).alignment = Alignment(wrap_text=True, vertical="top")
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4


def build_template(polsek: str, bulan: str, officers: pd.DataFrame | None = None) -> bytes:
    """The template workbook for one Polsek and month, prefilled with last month's officers if given.

    `officers` has columns desa_kode, nama_bhabin, pangkat, nrp (e.g. from `store.assignments`).
    """
    if polsek not in reference.polsek_names():
        raise ValueError(f"Polsek tidak dikenal: {polsek}")
    desa = reference.desa_of(polsek).sort_values(["kecamatan", "nama"]).reset_index(drop=True)
    wb = Workbook()
    _instructions(wb, polsek, bulan, desa)
    _data_sheet(wb, "kegiatan", polsek, bulan, desa, officers)
    _data_sheet(wb, "kerawanan", polsek, bulan, desa, None)
    lists = wb.create_sheet("Daftar")
    lists["A1"], lists["B1"] = "Desa", "Pangkat"
    for r, nama in enumerate(desa["nama"], start=2):
        lists.cell(row=r, column=1, value=nama)
    for r, rank in enumerate(_ranks(), start=2):
        lists.cell(row=r, column=2, value=rank)
    lists.sheet_state = "hidden"
    meta = wb.create_sheet("_meta")
    for r, (key, value) in enumerate(
        [("polsek", polsek), ("bulan", bulan), ("versi_template", TEMPLATE_VERSION)], start=1
    ):
        meta.cell(row=r, column=1, value=key)
        meta.cell(row=r, column=2, value=value)
    meta.sheet_state = "hidden"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


_RANK_ORDER = ["Bripda", "Briptu", "Brigpol", "Bripka", "Aipda", "Aiptu", "Ipda", "Iptu", "AKP"]


def _rank_order(rank: str) -> int:
    return _RANK_ORDER.index(rank) if rank in _RANK_ORDER else len(_RANK_ORDER)


def _ranks() -> list[str]:
    """The ranks of `data/pangkat.csv`, lowest first (the dropdown of the Pangkat column)."""
    return sorted(set(reference.ranks().values()), key=_rank_order)


def template_filename(polsek: str, bulan: str) -> str:
    """`Rekap_Insana_2024-09.xlsx`: the file name the importer can also read month and Polsek from."""
    short = polsek.removeprefix("Polsek ").replace(" ", "_")
    return f"Rekap_{short}_{bulan}.xlsx"
