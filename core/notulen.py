"""Notulen Anev: the minutes of the monthly meeting as a Word document (Polri offices write their notulen in Word).

Date of the meeting, the month reviewed, the findings (Catatan untuk Anev, passed in by the screen so the minutes
say what the meeting saw), the follow-up of earlier arahan (status, figure then and now) and the arahan given at
this meeting with owner and due month. Built with python-docx, offline; every user text is stripped of characters
XML cannot hold.
"""

from __future__ import annotations

import datetime as dt
import io
import re

import pandas as pd
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt
from sqlalchemy.engine import Engine

from core import analysis, arahan, metrics, reference, store
from core.months import add_months, format_bulan, month_range

HARI = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"]
BULAN = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November", "Desember"]
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def _safe(text: object) -> str:
    return _NOT_XML.sub("", "" if text is None or (isinstance(text, float) and pd.isna(text)) else str(text))


def tanggal_panjang(day: dt.date) -> str:
    """`Rabu, 9 Oktober 2024`."""
    return f"{HARI[day.weekday()]}, {day.day} {BULAN[day.month - 1]} {day.year}"


def today_wita() -> dt.date:
    """Today's date in TTU (WITA), whatever the server's clock zone."""
    offset = int(reference.settings()["laporan"].get("zona_waktu_jam", 8))
    return (dt.datetime.now(dt.UTC) + dt.timedelta(hours=offset)).date()


def default_findings(engine: Engine, bulan: str, polsek: str | None = None, verified_only: bool = False) -> list[str]:
    """Catatan untuk Anev as the screens compute it (findings of the data, then overdue and not-moving arahan)."""
    months = month_range(add_months(bulan, -12), bulan)
    desa = metrics.desa_month(store.rows(engine, "kegiatan", months[0], bulan, verified_only=verified_only),
                              store.rows(engine, "kerawanan", months[0], bulan, verified_only=verified_only))
    notes = analysis.findings(desa, metrics.completeness(store.uploads(engine), months), bulan, polsek)
    notes += arahan.findings(engine, bulan, polsek, desa=desa)
    order = {"tinggi": 0, "sedang": 1}
    return [n.teks for n in sorted(notes, key=lambda n: order[n.tingkat])]


def _table(doc: Document, header: list[str], rows: list[list[str]], widths: list[float]) -> None:
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = ""
        run = cell.paragraphs[0].add_run(text)
        run.bold = True
    for values in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            cell.text = _safe(text)
    _widths(table, widths)
    for row in table.rows:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(10)


def _widths(table, widths: list[float]) -> None:
    """Fixed column widths (Word reads the cells', LibreOffice the grid's; set both)."""
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Cm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = Cm(width)


def build(engine: Engine, bulan: str, *, findings: list[str] | None = None, tanggal: dt.date | None = None,
          polsek: str | None = None, tempat: str | None = None, pimpinan: str | None = None, notulis: str | None = None,
          verified_only: bool = False) -> bytes:
    """The notulen of the Anev reviewing `bulan` as .docx bytes.

    `findings`: the Catatan untuk Anev sentences as shown in the meeting (default: computed as the screens do).
    `tanggal`: the meeting date (default today in WITA).
    """
    tanggal = tanggal or today_wita()
    if findings is None:
        findings = default_findings(engine, bulan, polsek, verified_only)
    follow = arahan.follow_up(engine, bulan, polsek, view="rapat", verified_only=verified_only)
    given = arahan.given_at(engine, bulan, polsek)

    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2.0))
    normal = doc.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(11)

    for line in ("KEPOLISIAN NEGARA REPUBLIK INDONESIA", "DAERAH NUSA TENGGARA TIMUR", "RESOR TIMOR TENGAH UTARA"):
        para = doc.add_paragraph()
        para.paragraph_format.space_after = Pt(0)
        para.add_run(line).bold = True
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.space_before = Pt(12)
    title.add_run("NOTULEN\nANALISIS DAN EVALUASI (ANEV) BHABINKAMTIBMAS").bold = True
    sub = doc.add_paragraph()
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    sub.add_run(f"BULAN {format_bulan(bulan).upper()}").bold = True
    if store.has_demo(engine):
        warn = doc.add_paragraph()
        warn.alignment = WD_ALIGN_PARAGRAPH.CENTER
        warn.add_run("DATA CONTOH \u2013 angka sintetis, bukan laporan Polsek").bold = True

    meta = [("Hari/tanggal", tanggal_panjang(tanggal)), ("Bulan yang dievaluasi", format_bulan(bulan)),
            ("Lingkup", polsek or "Polres Timor Tengah Utara (seluruh Polsek)")]
    meta += [(label, value) for label, value in (("Tempat", tempat), ("Pimpinan rapat", pimpinan)) if value]
    info = doc.add_table(rows=0, cols=3)
    for label, value in meta:
        cells = info.add_row().cells
        cells[0].text, cells[1].text, cells[2].text = label, ":", _safe(value)
    _widths(info, [5.0, 0.5, 19.0])

    doc.add_heading("I. Catatan untuk Anev", level=2)
    if findings:
        for text in findings:
            doc.add_paragraph(_safe(text), style="List Number")
    else:
        doc.add_paragraph("Tidak ada catatan khusus bulan ini.")

    doc.add_heading("II. Tindak lanjut arahan Anev sebelumnya", level=2)
    if follow.empty:
        doc.add_paragraph("Tidak ada arahan dari Anev sebelumnya yang perlu ditindaklanjuti.")
    else:
        doc.add_paragraph(f"Status per {format_bulan(bulan)}, dihitung dari rekap yang tersimpan bila arahan memiliki target terukur; "
                          f"bergerak = mendekati target paling sedikit {arahan.threshold():.0f}% dari jarak ke target sejak arahan diberikan.")
        rows = [[str(i), f"{r.teks} (Anev {format_bulan(r.bulan_diberikan)})", r.pemilik, format_bulan(r.tenggat), r.target_teks,
                 r.status, r.angka_awal_teks, r.angka_sekarang_teks, r.catatan_terakhir or r.penjelasan]
                for i, r in enumerate(follow.itertuples(index=False), start=1)]
        _table(doc, ["No", "Arahan", "Pelaksana", "Tenggat", "Target", "Status", "Saat diberikan", "Sekarang", "Keterangan"], rows,
               [0.9, 5.8, 2.5, 2.1, 3.3, 2.0, 2.3, 2.3, 4.5])

    doc.add_heading("III. Arahan pimpinan", level=2)
    if given.empty:
        doc.add_paragraph("Tidak ada arahan baru yang dicatat pada Anev ini.")
    else:
        rows = [[str(i), r.teks, r.pemilik, format_bulan(r.tenggat), r.target_teks]
                for i, r in enumerate(given.itertuples(index=False), start=1)]
        _table(doc, ["No", "Arahan", "Pelaksana", "Tenggat", "Target"], rows, [0.9, 12.5, 4.0, 2.6, 5.7])

    doc.add_heading("IV. Penutup", level=2)
    doc.add_paragraph("Arahan di atas ditindaklanjuti oleh pelaksana masing-masing dan dilaporkan pada Anev berikutnya. "
                      "Angka berasal dari rekap bulanan Polsek yang tersimpan di dasbor Anev Bhabinkamtibmas.")
    sign = doc.add_paragraph()
    sign.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    sign.paragraph_format.space_before = Pt(18)
    signer = _safe(notulis) or "(................................)"
    sign.add_run(f"Kefamenanu, {tanggal.day} {BULAN[tanggal.month - 1]} {tanggal.year}\nNotulis,\n\n\n\n{signer}")

    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
