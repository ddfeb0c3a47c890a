"""Rapor Anev for WhatsApp: one phone-sized page (PDF and PNG) for the Polres and for each Polsek.

A fourth renderer of `core.views` (beside the screens, Mode Paparan and the deck): the KPI cards with their change,
the Polsek's rank, completeness, rawan desa, open arahan and the verification caveat are taken from the views as
they are, and only laid out here. Made on the server, offline, without a browser:

- reportlab (BSD, maintained since 2000) lays the page out and writes the PDF; it embeds Bitstream Vera, the font it
  ships (the ancestor of DejaVu Sans: Latin-1, `≥`, `≤`, `−`, `–`, `·`, `…`), so the page looks the same on every
  server. Vera has no arrows: `→ ↑ ↓` are set in the PDF standard Symbol font, which every PDF reader provides.
- pypdfium2 (Apache-2.0/BSD, the PDF engine of Chromium) rasterises that same page into the PNG, so both formats
  show the same thing; Pillow reduces the PNG to a palette to keep it small.

The page is 105 mm wide: on a 390 px wide phone the 11 pt body reads at about 14 CSS px and the 20 pt title at 26
px; type never shrinks. It is as tall as its content (at least A6 height): a month of the Polres or a Polsek is
about 380 mm, two screens of scrolling on a phone. Lists show their first three rows and say "N dari M" with where
the rest is, in the views' own order and words.
"""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

import pandas as pd
import pypdfium2 as pdfium
import reportlab
from PIL import Image
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, Indenter, PageTemplate, Paragraph, Spacer, Table, TableStyle
from sqlalchemy.engine import Engine

from core import access, fmt, kerawanan, views
from core.access import Scope

FORMATS = ("pdf", "png")
#: Page size (points): width fixed for the phone; the height is the content's, never less than this.
PAGE_W = 105 * mm
PAGE_H = 148 * mm
MARGIN = 5.5 * mm
#: Width of the PNG (px): a phone's full width at 3x, and what WhatsApp keeps of an image.
PNG_WIDTH = 1080
#: What one file may weigh: WhatsApp previews and slow connections.
MAX_BYTES = 500_000
#: Rows of each list on the phone page (the views' order; the rest is "N dari M" with where to find it).
LIST_ROWS = 3
#: Lines of an arahan's text before it is cut with "…".
ARAHAN_LINES = 2

FONT, FONT_BOLD = "AnevVera", "AnevVera-Bold"
SYMBOL = "Symbol"  # the PDF standard font with the arrows Vera lacks
_SYMBOL_CHARS = frozenset("\u2190\u2191\u2192\u2193\u2194\u21d0\u21d2\u21d4")

NAVY = colors.HexColor("#1F3864")
INK = colors.HexColor("#1B1B1B")
MUTED = colors.HexColor("#4A4A4A")
RULE = colors.HexColor("#C9CED6")
TILE = colors.HexColor("#EDF1F7")
GREEN = colors.HexColor("#1A7F37")
RED = colors.HexColor("#C62828")
AMBER = colors.HexColor("#9A6B00")
GREY = colors.HexColor("#616161")
DEMO_BAND = colors.HexColor("#FFC233")
KATEGORI = {"Baik": GREEN, "Cukup": AMBER, "Kurang": RED}
TINGKAT = {"Sangat Rawan": RED, "Rawan": AMBER, "Kurang Rawan": GREEN}
STATUS = {"terlambat": RED, "tidak bergerak": RED, "belum dinilai": GREY, "bergerak": AMBER, "baru": NAVY, "tercapai": GREEN,
          "ditutup": GREY}
DEMO_TEXT = "DATA CONTOH \u00b7 angka sintetis"


# --------------------------------------------------------------------------- fonts and text


@cache
def _covered() -> frozenset[int]:
    """Register the embedded font once; the characters it has (the rest falls back to Symbol or a plain letter)."""
    folder = Path(reportlab.__file__).parent / "fonts"
    regular = TTFont(FONT, str(folder / "Vera.ttf"))
    pdfmetrics.registerFont(regular)
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(folder / "VeraBd.ttf")))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD)
    return frozenset(regular.face.charToGlyph)


def _plain(text: object) -> str:
    """Text the embedded font can draw: arrows stay (Symbol font), other missing letters lose their accent, never a box."""
    covered = _covered()
    out = []
    for ch in str(text):
        if ord(ch) in covered or ch in _SYMBOL_CHARS or ch == "\n":
            out.append(ch)
            continue
        folded = "".join(c for c in unicodedata.normalize("NFKD", ch) if ord(c) in covered and not unicodedata.combining(c))
        out.append(folded if folded else ("" if unicodedata.category(ch) in ("So", "Cf", "Mn") else "?"))
    return "".join(out)


def _m(text: object) -> str:
    """Paragraph markup for user or view text: escaped, with arrows set in the Symbol font."""
    out = []
    for ch in _plain(text):
        if ch in _SYMBOL_CHARS:
            out.append(f'<font name="{SYMBOL}">{ch}</font>')
        elif ch == "\n":
            out.append("<br/>")
        else:
            out.append(escape(ch))
    return "".join(out)


def _nb(text: object) -> str:
    """Markup that never breaks inside (a change like `-4 poin` stays on one line)."""
    return _m(str(text).replace(" ", "\u00a0"))


def _hex(colour: colors.Color) -> str:
    return "#" + colour.hexval()[2:]


def _clip(text: str, lines: int, width: float, size: float) -> str:
    """The text cut to `lines` lines at this width, ending in "…" when it was longer (arahan are long sentences)."""
    text = " ".join(_plain(text).split())
    wrapped = simpleSplit(text, FONT, size, width)
    if len(wrapped) <= lines:
        return text
    kept = wrapped[:lines]
    last = kept[-1]
    while last and pdfmetrics.stringWidth(last + "\u2026", FONT, size) > width:
        last = last.rsplit(" ", 1)[0] if " " in last else last[:-1]  # whole words go first
    kept[-1] = last.rstrip(" ,.;:") + "\u2026"
    return " ".join(kept)


@dataclass(frozen=True)
class _Styles:
    title: ParagraphStyle
    subtitle: ParagraphStyle
    band: ParagraphStyle
    heading: ParagraphStyle
    body: ParagraphStyle
    strong: ParagraphStyle
    note: ParagraphStyle
    right: ParagraphStyle
    tile_label: ParagraphStyle
    tile_value: ParagraphStyle
    footer: ParagraphStyle


@cache
def _styles() -> _Styles:
    _covered()
    base = ParagraphStyle("body", fontName=FONT, fontSize=11, leading=14, textColor=INK)
    return _Styles(
        title=ParagraphStyle("title", base, fontName=FONT_BOLD, fontSize=20, leading=24, textColor=colors.white),
        subtitle=ParagraphStyle("subtitle", base, fontSize=12, leading=15, textColor=colors.white),
        band=ParagraphStyle("band", base, fontName=FONT_BOLD, fontSize=12, leading=15, alignment=TA_CENTER, textColor=colors.black),
        heading=ParagraphStyle("heading", base, fontName=FONT_BOLD, fontSize=13, leading=16, textColor=NAVY, spaceBefore=9, spaceAfter=3),
        body=base,
        strong=ParagraphStyle("strong", base, fontName=FONT_BOLD),
        note=ParagraphStyle("note", base, textColor=MUTED),
        right=ParagraphStyle("right", base, fontName=FONT_BOLD, alignment=TA_RIGHT),
        tile_label=ParagraphStyle("tile_label", base, leading=13, textColor=MUTED),
        tile_value=ParagraphStyle("tile_value", base, fontName=FONT_BOLD, fontSize=18, leading=21),
        footer=ParagraphStyle("footer", base, textColor=MUTED, alignment=TA_CENTER),
    )


# --------------------------------------------------------------------------- pieces of the page


def _table_style(commands: list) -> TableStyle:
    """A table style in the embedded font (an empty cell would otherwise pull in Helvetica, which is not embedded)."""
    return TableStyle([("FONTNAME", (0, 0), (-1, -1), FONT), *commands])


def _band(paragraphs: list[Paragraph], background: colors.Color, top: float = 8, bottom: float = 8) -> Table:
    """A full-width coloured band (the header, the DATA CONTOH mark)."""
    table = Table([[paragraphs]], colWidths=[PAGE_W])
    table.setStyle(_table_style([("BACKGROUND", (0, 0), (-1, -1), background), ("LEFTPADDING", (0, 0), (-1, -1), MARGIN),
                               ("RIGHTPADDING", (0, 0), (-1, -1), MARGIN), ("TOPPADDING", (0, 0), (-1, -1), top),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), bottom)]))
    return table


def _delta(card: views.KpiCard) -> str:
    """The change as markup: sign and colour (green good, red bad, grey zero), an arrow where the screen has one."""
    if not card.delta:
        return ""
    up = card.delta.startswith("+")
    down = card.delta.startswith("-")
    if card.delta_colour == "off" or not (up or down):
        colour = GREY
    else:
        colour = GREEN if up == (card.delta_colour == "normal") else RED
    arrow = ("\u2191 " if up else "\u2193 ") if card.delta_arrow != "off" and (up or down) else ""
    return f'<font size="11" color="{_hex(colour)}">{_nb(arrow + fmt.printed(card.delta))}</font>'


def _tiles(cards: list[views.KpiCard], width: float) -> Table:
    """KPI tiles two per row: short label, value, change; the like-for-like basis under it when there is one."""
    s = _styles()
    gap = 6
    tile_w = (width - gap) / 2
    cells = []
    for card in cards:
        value = f"{_nb(card.value)} {_delta(card)}" if card.delta else _nb(card.value)
        cell = [Paragraph(_m(card.short), s.tile_label), Paragraph(value, s.tile_value)]
        if card.basis:
            cell.append(Paragraph(_m(card.basis), s.note))
        cells.append(cell)
    if len(cells) % 2:
        cells.append("")
    rows, heights, style = [], [], [("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 6),
                                     ("RIGHTPADDING", (0, 0), (-1, -1), 4), ("TOPPADDING", (0, 0), (-1, -1), 4),
                                     ("BOTTOMPADDING", (0, 0), (-1, -1), 5)]
    for i in range(0, len(cells), 2):
        if rows:
            rows.append(["", "", ""])
            heights.append(gap)
            style += [("TOPPADDING", (0, len(rows) - 1), (-1, len(rows) - 1), 0),
                      ("BOTTOMPADDING", (0, len(rows) - 1), (-1, len(rows) - 1), 0)]
        rows.append([cells[i], "", cells[i + 1]])
        heights.append(None)
        style.append(("BACKGROUND", (0, len(rows) - 1), (0, len(rows) - 1), TILE))
        if cells[i + 1] != "":
            style.append(("BACKGROUND", (2, len(rows) - 1), (2, len(rows) - 1), TILE))
    table = Table(rows, colWidths=[tile_w, gap, tile_w], rowHeights=heights)
    table.setStyle(_table_style(style))
    return table


def _rows(rows: list[list], widths: list[float], header: list[str] | None = None) -> Table:
    """A plain list table with hairlines between rows (ranking, facts, rawan desa)."""
    s = _styles()
    data = [[Paragraph(_m(h), s.note) for h in header]] if header else []
    data += rows
    table = Table(data, colWidths=widths, repeatRows=0)
    table.setStyle(_table_style([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 1),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 1), ("TOPPADDING", (0, 0), (-1, -1), 1),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 2), ("LINEBELOW", (0, 0), (-1, -2), 0.5, RULE)]))
    return table


def _cut(cut: views.CutList) -> views.CutList:
    """The view's list, in its order, cut for the phone page ("3 dari 65 desa; daftar lengkap di ...")."""
    return views.CutList(cut.rows, cut.noun, cut.rest_at, limit=min(cut.limit, LIST_ROWS))


def _count(value: int, colour: colors.Color) -> str:
    """A count in its colour, or plain when it is zero (nothing to warn about)."""
    return _coloured(fmt.number(value), colour) if value else _m(fmt.number(value))


def _coloured(text: str, colour: colors.Color, bold: bool = True) -> str:
    inner = f"<b>{_m(text)}</b>" if bold else _m(text)
    return f'<font color="{_hex(colour)}">{inner}</font>'


#: Facts of `views.polsek_view` the Polsek page shows at the top rather than in its "Sekilas" list.
STANDING = ("Indeks Kinerja", "Indeks Kesiapan")
COVERAGE = "Desa melapor"


def _completeness(data: views.AnevData, page: views.PolsekView | None) -> list[Flowable]:
    """Reporting: the Polres `tepat waktu 8/9 · terlambat 1 · belum 0`; a Polsek its status and desa coverage."""
    s = _styles()
    view = views.kelengkapan_view(data)
    if data.scope.polsek is None:
        text = (f"tepat waktu {_coloured(view.on_time, GREEN)} \u00b7 terlambat {_count(view.late, AMBER)}"
                f" \u00b7 belum {_count(view.missing, RED)}")
    else:
        status = "tepat waktu" if view.on_time.startswith("1/") else ("terlambat" if view.late else "belum melapor")
        text = _coloured(status, {"tepat waktu": GREEN, "terlambat": AMBER}.get(status, RED))
        coverage = dict(page.facts).get(COVERAGE) if page is not None else None
        if coverage:
            text += f" \u00b7 {_m(COVERAGE.lower())} <b>{_m(coverage)}</b>"
    return [Paragraph("Kelengkapan laporan", s.heading), Paragraph(text, s.body)]


def _ranking(view: views.RingkasanView, width: float) -> list[Flowable]:
    """Polres page: every Polsek by Indeks Kinerja, best first, not reporting last (as on Ringkasan)."""
    s = _styles()
    rows = []
    for row in view.ranking.itertuples(index=False):
        reported = pd.notna(row.indeks_kinerja)
        kategori = row.kategori_kinerja if reported and isinstance(row.kategori_kinerja, str) else "Belum melapor"
        rows.append([Paragraph(_m(f"{row.peringkat}." if reported else fmt.DASH), s.body),
                     Paragraph(_m(str(row.polsek).removeprefix("Polsek ")), s.body),
                     Paragraph(_m(fmt.number(row.indeks_kinerja, 1)), s.right),
                     Paragraph(_coloured(kategori, KATEGORI.get(kategori, GREY), bold=False), s.right)])
    return [Paragraph("Peringkat Polsek (Indeks Kinerja)", s.heading),
            _rows(rows, [22, width - 22 - 44 - 94, 44, 94])]


def _standing(page: views.PolsekView, width: float) -> list[Flowable]:
    """Polsek page, at the top: its rank among the Polsek and its two indices, in a box."""
    s = _styles()
    cell: list[Flowable] = []
    if page.rank:
        cell.append(Paragraph(_m(page.rank), ParagraphStyle("rank", s.strong, fontSize=13, leading=16, textColor=NAVY)))
    facts = dict(page.facts)
    indices = [f"{_nb(label)}\u00a0<b>{_nb(facts[label])}</b>" for label in STANDING if label in facts]
    if indices:
        cell.append(Paragraph(" \u00b7 ".join(indices), s.body))
    if not cell:
        return []
    box = Table([[cell]], colWidths=[width])
    box.setStyle(_table_style([("BACKGROUND", (0, 0), (-1, -1), TILE), ("LEFTPADDING", (0, 0), (-1, -1), 6),
                             ("RIGHTPADDING", (0, 0), (-1, -1), 4), ("TOPPADDING", (0, 0), (-1, -1), 5),
                             ("BOTTOMPADDING", (0, 0), (-1, -1), 6)]))
    return [Spacer(0, 8), box]


def _facts(page: views.PolsekView, cards: list[views.KpiCard], width: float) -> list[Flowable]:
    """Polsek page: the deck page's other facts (TPS, Linmas, personnel ...) that the tiles and the top do not show."""
    s = _styles()
    shown = {card.label for card in cards} | set(STANDING) | {COVERAGE}
    rows = [[Paragraph(_m(label), s.body), Paragraph(_m(text), s.right)] for label, text in page.facts if label not in shown]
    return [Paragraph("Sekilas", s.heading), _rows(rows, [width * 0.58, width * 0.42])] if rows else []


def _rawan(data: views.AnevData, width: float) -> list[Flowable]:
    """Rawan and Sangat Rawan desa: the counts and the first rows, worst first, with "N dari M"."""
    s = _styles()
    view = views.desa_rawan_view(data)
    out: list[Flowable] = [Paragraph("Desa rawan", s.heading)]
    summary = (f"Sangat Rawan {_count(view.sangat_rawan, RED)} desa \u00b7 Rawan {_count(view.rawan, AMBER)}"
               f" desa \u00b7 TPS rawan dan sangat rawan {_m(fmt.number(view.tps_rawan))}")
    if view.belum_dinilai:
        summary += f" \u00b7 {_m(fmt.number(view.belum_dinilai))} desa belum dinilai"
    out.append(Paragraph(summary, s.body))
    cut = _cut(view.desa)
    if not cut.total:
        out.append(Paragraph("Tidak ada desa Rawan atau Sangat Rawan bulan ini.", s.note))
        return out
    rows = []
    for row in cut.shown.to_dict("records"):
        where = f' <font color="{_hex(MUTED)}">\u00b7 {_m(row["Polsek"])}</font>' if data.scope.polsek is None else ""
        rows.append([Paragraph(f"{_m(row['Desa'])}{where}", s.body),
                     Paragraph(_coloured(row["Tingkat"], TINGKAT.get(row["Tingkat"], INK)), s.right)])
    out.append(Spacer(0, 3))
    out.append(_rows(rows, [width - 94, 94]))
    if cut.note:
        out.append(Paragraph(_m(cut.note), s.note))
    return out


def _arahan(data: views.AnevData, width: float) -> list[Flowable]:
    """Open arahan from earlier Anev: status, owner, figure then and now, the instruction cut to two lines."""
    s = _styles()
    view = views.tindak_lanjut_view(data)
    out: list[Flowable] = [Paragraph("Tindak lanjut arahan", s.heading)]
    cut = _cut(view.arahan)
    if not cut.total:
        out.append(Paragraph("Belum ada arahan dari Anev sebelumnya yang perlu ditindaklanjuti.", s.note))
        return out
    out.append(Paragraph(" \u00b7 ".join(f"{_coloured(status, STATUS.get(status, INK), bold=False)} {_m(fmt.number(count))}"
                                         for status, count in view.counts), s.body))
    rows = []
    for row in cut.shown.to_dict("records"):
        then, now = row["Saat diberikan"], row["Sekarang"]
        meta = f"{_coloured(row['Status'], STATUS.get(row['Status'], INK))} \u00b7 {_m(row['Pelaksana'])}"
        if (then, now) != (fmt.DASH, fmt.DASH):
            meta += f" \u00b7 {_m(then)} {_m(chr(0x2192))} {_m(now)}"
        rows.append([[Paragraph(meta, s.body), Paragraph(_m(_clip(row["Arahan"], ARAHAN_LINES, width - 4, 11)), s.body)]])
    out.append(Spacer(0, 3))
    out.append(_rows(rows, [width]))
    if cut.note:
        out.append(Paragraph(_m(cut.note), s.note))
    return out


def _header(data: views.AnevData) -> list[Flowable]:
    s = _styles()
    title = data.scope.polsek or "Polres TTU"
    subtitle = f"Rapor Anev \u00b7 {fmt.month(data.bulan)}"
    out: list[Flowable] = [_band([Paragraph(_m(title), s.title), Paragraph(_m(subtitle), s.subtitle)], NAVY, top=9, bottom=10)]
    if data.demo:
        out.append(_band([Paragraph(_m(DEMO_TEXT), s.band)], DEMO_BAND, top=5, bottom=6))
    return out


def _story(data: views.AnevData, polres: views.AnevData | None) -> list[Flowable]:
    """Everything on the page, top to bottom."""
    s = _styles()
    width = PAGE_W - 2 * MARGIN
    story = _header(data)
    story.append(Indenter(MARGIN, MARGIN))
    ringkasan = views.ringkasan_view(data)
    polsek = data.scope.polsek
    page = None
    if polsek and ringkasan.has_data:
        guard = kerawanan.guard_plan(data.month_rows)  # every Polsek once (scoped, the plan repeats the Polsek as its total)
        page = views.polsek_view(polres if polres is not None else data, polsek, guard)
        story += _standing(page, width)
    story += _completeness(data, page)
    if not ringkasan.has_data:
        story.append(Paragraph(_m(f"Belum ada rekap {fmt.month(data.bulan)} yang tersimpan" + (f" dari {polsek}." if polsek else ".")),
                               ParagraphStyle("none", s.strong, spaceBefore=10)))
    else:
        cards = [c for c in ringkasan.cards if not (polsek and c.key == "polsek_melapor")]  # "1/1" says nothing on a Polsek page
        story += [Paragraph("Indikator bulan ini", s.heading), _tiles(cards, width), Spacer(0, 3),
                  Paragraph(_m(ringkasan.comparison_note), s.note)]
        story += _facts(page, cards, width) if page is not None else _ranking(ringkasan, width)
        story += _rawan(data, width)
    story += _arahan(data, width)
    if data.caveat:
        story += [Spacer(0, 8), Paragraph(_m(data.caveat), s.note)]
    story.append(Indenter(-MARGIN, -MARGIN))
    return story


def _footer_lines(data: views.AnevData, now: dt.datetime) -> list[str]:
    return [f"{fmt.month(data.bulan)} \u00b7 {data.scope.label}",
            f"dibuat {fmt.when(now)}" + (" \u00b7 DATA CONTOH" if data.demo else "")]


# --------------------------------------------------------------------------- the page


def _height(story: list[Flowable], footer: float) -> float:
    """The page height: what the content needs (an upper bound of what the frame uses), at least `PAGE_H`."""
    needed = 0.0
    width = PAGE_W
    for flowable in story:
        if isinstance(flowable, Indenter):
            width -= flowable.left + flowable.right
            continue
        _, h = flowable.wrap(width, 10_000)
        needed += h + flowable.getSpaceBefore() + flowable.getSpaceAfter()
    return max(PAGE_H, needed + footer + 6 * mm)


def build_pdf(data: views.AnevData, polres: views.AnevData | None = None, now: dt.datetime | None = None) -> bytes:
    """The one-page PDF of `data.scope` (the Polres, or one Polsek); `polres` ranks that Polsek among all."""
    s = _styles()
    now = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    story = _story(data, polres)
    footer = [Paragraph(_m(line), s.footer) for line in _footer_lines(data, now)]
    footer_h = sum(p.wrap(PAGE_W - 2 * MARGIN, 1000)[1] for p in footer) + 4 * mm
    height = _height(story, footer_h)

    def decorate(canvas, _doc) -> None:
        canvas.saveState()
        if data.demo:  # a light mark across the page too, so a cropped picture still says it
            canvas.setFillColor(colors.Color(0.85, 0.55, 0.0, alpha=0.10))
            canvas.setFont(FONT_BOLD, 44)
            marks = max(1, round(height / 450))
            for y in (footer_h + (height - footer_h) * (k + 0.5) / marks for k in range(marks)):
                canvas.saveState()
                canvas.translate(PAGE_W / 2, y)
                canvas.rotate(58)
                canvas.drawCentredString(0, -15, "DATA CONTOH")
                canvas.restoreState()
        canvas.setStrokeColor(RULE)
        canvas.line(MARGIN, footer_h - 1.5 * mm, PAGE_W - MARGIN, footer_h - 1.5 * mm)
        y = footer_h - 3 * mm
        for paragraph in footer:
            _, h = paragraph.wrap(PAGE_W - 2 * MARGIN, 1000)
            y -= h
            paragraph.drawOn(canvas, MARGIN, y)
        canvas.restoreState()

    buffer = io.BytesIO()
    title = f"Rapor Anev {fmt.month(data.bulan)} \u2013 {data.scope.polsek or 'Polres TTU'}"
    doc = BaseDocTemplate(buffer, pagesize=(PAGE_W, height), leftMargin=0, rightMargin=0, topMargin=0, bottomMargin=0,
                          title=title, author="Polres Timor Tengah Utara", subject="Rapor Anev Bhabinkamtibmas",
                          creator="Anev Bhabinkamtibmas Polres TTU", pageCompression=1, initialFontName=FONT, initialFontSize=11)
    frame = Frame(0, footer_h, PAGE_W, height - footer_h, leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id="isi")
    doc.addPageTemplates([PageTemplate(id="rapor", frames=[frame], onPage=decorate)])
    doc.build(story)
    return buffer.getvalue()


def png_from_pdf(pdf: bytes, width: int = PNG_WIDTH) -> bytes:
    """The PDF's first page as a PNG `width` pixels wide, reduced to a palette (text stays sharp) to stay small."""
    document = pdfium.PdfDocument(pdf)
    try:
        page = document[0]
        image = page.render(scale=width / page.get_width()).to_pil().convert("RGB")
    finally:
        document.close()
    if image.width != width:
        image = image.resize((width, round(image.height * width / image.width)), Image.Resampling.LANCZOS)
    best = b""
    for colours in (128, 64, 32, 16):  # 128 keeps the anti-aliased edges of coloured text; fewer only if a page is huge
        buffer = io.BytesIO()
        image.quantize(colors=colours, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE).save(buffer, "PNG", compress_level=9)
        best = buffer.getvalue()
        if len(best) < MAX_BYTES:
            break
    return best


def build(data: views.AnevData, fmt_name: str = "pdf", polres: views.AnevData | None = None, now: dt.datetime | None = None) -> bytes:
    """The rapor of `data.scope` as `pdf` or `png` bytes: the Polres summary, or that Polsek's page.

    `data` is already scoped (`views.load`). `polres` is the whole Polres's data of the same month, used only for
    the Polsek's rank ("Peringkat 3 dari 9 Polsek"); without it the Polsek page has no rank line.
    """
    if fmt_name not in FORMATS:
        raise ValueError(f"format rapor harus pdf atau png (bukan {fmt_name!r})")
    pdf = build_pdf(data, polres, now)
    return pdf if fmt_name == "pdf" else png_from_pdf(pdf)


def load(engine: Engine, bulan: str, scope: Scope) -> tuple[views.AnevData, views.AnevData | None]:
    """The scope's data and, for a Polsek, the whole Polres's (only its rank line is taken from it).

    Verified recaps only when `[verifikasi] paparan_hanya_terverifikasi` says so, as for the deck: the rapor carries
    the meeting's figures.
    """
    from core import verifikasi

    only = verifikasi.only_verified_in_paparan()
    data = views.load(engine, bulan, scope, verified_only=only)
    polres = views.load(engine, bulan, Scope(), verified_only=only) if scope.polsek is not None else None
    return data, polres


def rapor(engine: Engine, bulan: str, scope: Scope, fmt_name: str = "pdf", now: dt.datetime | None = None) -> bytes:
    """Load and build one page: what the command line and the Ringkasan download call."""
    data, polres = load(engine, bulan, scope)
    return build(data, fmt_name, polres, now)


def file_name(bulan: str, scope: Scope, fmt_name: str) -> str:
    """`Rapor_Anev_Insana_2024-10.png`."""
    return f"Rapor_Anev_{scope.short}_{bulan}.{fmt_name}"


def build_all(engine: Engine, bulan: str, now: dt.datetime | None = None) -> dict[str, bytes]:
    """Every page of a month in both formats (the Polres, then each Polsek), by file name; the Polres data loaded once."""
    from core import verifikasi

    polres, _ = load(engine, bulan, Scope())
    out = {}
    for scope in [Scope(), *(Scope(p) for p in access.polsek_names(Scope()))]:
        data = polres if scope.polsek is None else views.load(engine, bulan, scope, verified_only=verifikasi.only_verified_in_paparan())
        pdf = build_pdf(data, polres, now)
        out[file_name(bulan, scope, "pdf")] = pdf
        out[file_name(bulan, scope, "png")] = png_from_pdf(pdf)
    return out
