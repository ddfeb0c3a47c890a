"""Anev material for a month: a PowerPoint deck with native, editable charts, and a print-ready Excel workbook.

Both render the same view objects as the screens and Mode Paparan (`core.views`), so a list is cut at the same row
and says "N dari M" the same way everywhere. Numbers are written in the Indonesian style on slides; the workbook
stores numbers as numbers with Excel number formats. Every text cell of the workbook goes through `safe_text`, so
nothing exported can become a formula; slide text is not a spreadsheet cell and is only cleaned of control characters
(a guard's apostrophe would show on the slide). Offline, no browser.
"""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
from pptx.enum.text import MSO_AUTO_SIZE
from pptx.util import Inches, Pt
from sqlalchemy.engine import Engine

from core import access, fmt, kerawanan, reference, views
from core.access import Scope
from core.template import safe_text
from core.text import clean_text

TITLE = "Anev Bhabinkamtibmas Polres TTU"
NAVY = RGBColor(0x1F, 0x38, 0x64)
GREY = RGBColor(0x59, 0x59, 0x59)
CATEGORY_RGB = {"Baik": RGBColor(0x1A, 0x7F, 0x37), "Cukup": RGBColor(0xB0, 0x86, 0x00), "Kurang": RGBColor(0xC6, 0x28, 0x28)}
SLIDE_W, SLIDE_H = Inches(13.333), Inches(7.5)
#: Content area under the title and above the footer.
TOP, BOTTOM = Inches(1.35), Inches(6.85)


def _scope_label(data: views.AnevData) -> str:
    label = f"{fmt.month(data.bulan)} \u00b7 {data.scope.label}" + (" \u00b7 DATA CONTOH" if data.demo else "")
    if data.caveat:
        label += " \u00b7 " + ("hanya rekap terverifikasi" if data.verified_only else "ada rekap belum diverifikasi")
    return label


def _guard(data: views.AnevData) -> pd.DataFrame:
    """The guard plan per Polsek of the scope (its last row is the total: left out here)."""
    return kerawanan.guard_plan(data.month_rows, polsek=data.scope.polsek).iloc[:-1]


# --------------------------------------------------------------------------- Excel


_HEADER_FILL = PatternFill("solid", fgColor="1F3864")


def _write_sheet(wb: Workbook, title: str, frame: pd.DataFrame, heading: str, formats: dict[str, str] | None = None) -> None:
    """One printable sheet: heading, Indonesian column names, numbers as numbers with their Excel formats."""
    formats = formats or {}
    ws = wb.create_sheet(title)
    ws["A1"] = safe_text(heading)
    ws["A1"].font = Font(bold=True, size=13)
    for col, name in enumerate(frame.columns, start=1):
        cell = ws.cell(row=3, column=col, value=safe_text(name))
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        width = max([len(str(name))] + [len(str(v)) for v in frame.iloc[:, col - 1].head(200)]) + 2
        ws.column_dimensions[get_column_letter(col)].width = min(max(width, 8), 45)
    for r, row in enumerate(frame.itertuples(index=False), start=4):
        for c, (name, value) in enumerate(zip(frame.columns, row, strict=True), start=1):
            cell = ws.cell(row=r, column=c, value=_cell_value(value))
            if isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool):
                cell.number_format = formats.get(name, fmt.EXCEL_INTEGER if isinstance(cell.value, int) else fmt.EXCEL_DECIMAL)
    ws.freeze_panes = "A4"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "3:3"


def _cell_value(value: object) -> object:
    """Numbers stay numbers; everything else is text that can never be a formula."""
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, bool):
        return "Ya" if value else "Tidak"
    if hasattr(value, "item"):
        return _cell_value(value.item())
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, (dt.date, dt.datetime, pd.Timestamp)):
        return fmt.when(value) if isinstance(value, (dt.datetime, pd.Timestamp)) else fmt.date(value)
    return safe_text(value)


def build_xlsx(data: views.AnevData) -> bytes:
    """The month's tables (Polres, Polsek, desa, officers, completeness, findings), formatted for printing."""
    wb = Workbook()
    wb.remove(wb.active)
    scope = _scope_label(data)
    ringkasan = views.ringkasan_view(data)
    rows = []
    for card, kpi in zip(ringkasan.cards, ringkasan.kpis, strict=True):
        rows.append({"Indikator": card.label, "Bulan ini": kpi.value, "Bulan lalu": kpi.previous.other,
                     "Tahun lalu": kpi.last_year.other,
                     "Perubahan (persen)": kpi.vs_previous if kpi.previous.kind == "persen" else None,
                     "Perubahan (poin)": kpi.vs_previous if kpi.previous.kind == "poin" else None,
                     "Dasar perbandingan": card.basis or "semua Polsek yang melapor"})
    kpi_frame = pd.DataFrame(rows, columns=["Indikator", "Bulan ini", "Bulan lalu", "Tahun lalu", "Perubahan (persen)",
                                            "Perubahan (poin)", "Dasar perbandingan"])
    _write_sheet(wb, "Polres", kpi_frame, f"{TITLE} \u2013 ringkasan \u2013 {scope}",
                 {"Perubahan (persen)": fmt.EXCEL_SIGNED_PERCENT, "Perubahan (poin)": fmt.EXCEL_SIGNED_POINTS})

    rekap = views.rekap_view(data)
    polsek = access.limit(rekap.rekap.polsek, data.scope)
    measure_cols = [m for m in reference.measures().values() if m.jenis == "jumlah"]
    polsek_table = pd.DataFrame({
        "Polsek": polsek["polsek"], "Jumlah desa": polsek["desa_total"], "Desa melapor": polsek["desa_melapor"],
        "Indeks Kinerja": polsek["indeks_kinerja"], "Kategori": polsek["kategori_kinerja"].fillna("Belum melapor"),
        "Indeks Kesiapan": polsek["indeks_kesiapan"],
        **{m.label: polsek[m.key] for m in measure_cols},
        "Personel Polri TPS": polsek["personel_polri"], "Personel Linmas TPS": polsek["personel_linmas"],
    })
    _write_sheet(wb, "Polsek", polsek_table, f"Rekap per Polsek \u2013 {scope}")

    desa = data.month_rows
    desa_keys = [i for i in reference.indicators() if i.key not in ("desa", "kecamatan")]
    desa_table = pd.DataFrame({
        "Kode": desa.get("kode", pd.Series(dtype=str)), "Desa/Kelurahan": desa.get("desa", pd.Series(dtype=str)),
        "Kecamatan": desa.get("kecamatan", pd.Series(dtype=str)), "Polsek": desa.get("polsek", pd.Series(dtype=str)),
        **{item.label: desa.get(item.key, pd.Series(dtype=object)) for item in desa_keys},
        "Indeks Kinerja": desa.get("indeks_kinerja", pd.Series(dtype=float)),
        "Indeks Kesiapan": desa.get("indeks_kesiapan", pd.Series(dtype=float)),
        "Skor Kerawanan": desa.get("skor_kerawanan", pd.Series(dtype=float)),
        "Tingkat Kerawanan": desa.get("tingkat_kerawanan", pd.Series(dtype=str)),
    })
    _write_sheet(wb, "Desa", desa_table, f"Rekap per desa \u2013 {scope}", {"Skor Kerawanan": fmt.EXCEL_INTEGER})

    kinerja = views.kinerja_view(data)
    league = kinerja.league
    league_table = pd.DataFrame({
        "Nama": league.get("nama_bhabin", pd.Series(dtype=str)), "Pangkat": league.get("pangkat", pd.Series(dtype=str)),
        "NRP": league.get("nrp", pd.Series(dtype=str)), "Polsek": league.get("polsek", pd.Series(dtype=str)),
        "Desa binaan": league.get("desa_binaan", pd.Series(dtype=str)),
        "Indeks Kinerja": league.get("indeks_kinerja", pd.Series(dtype=float)),
        "Kategori": league.get("kategori_kinerja", pd.Series(dtype=str)), "Tren": league.get("tren", pd.Series(dtype=str)),
        "Bulan Kurang berturut-turut": league.get("bulan_kurang", pd.Series(dtype="int64")),
    })
    _write_sheet(wb, "Bhabinkamtibmas", league_table, f"Peringkat Bhabinkamtibmas \u2013 {scope}")

    kelengkapan = views.kelengkapan_view(data)
    matrix = kelengkapan.matrix.pivot(index="polsek", columns="bulan", values="status").reset_index()
    matrix.columns = ["Polsek", *[fmt.month(m) for m in matrix.columns[1:]]]
    _write_sheet(wb, "Kelengkapan", matrix, f"Kelengkapan laporan \u2013 {scope} \u2013 {kelengkapan.deadline}")

    rawan = views.desa_rawan_view(data)
    _write_sheet(wb, "Desa Rawan", rawan.desa.rows, f"Desa Rawan dan Sangat Rawan \u2013 {scope}")

    notes = views.findings_rows(ringkasan.findings).rename(columns={"tingkat": "Tingkat", "jenis": "Jenis", "teks": "Catatan"})
    _write_sheet(wb, "Catatan Anev", notes, f"Catatan untuk Anev \u2013 {scope}")
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# --------------------------------------------------------------------------- PowerPoint


def _slide(prs: Presentation, title: str, data: views.AnevData):
    slide = prs.slides.add_slide(prs.slide_layouts[5])  # title only
    title_shape = slide.shapes.title
    title_shape.left, title_shape.top, title_shape.width, title_shape.height = Inches(0.5), Inches(0.3), Inches(12.3), Inches(0.9)
    title_shape.text = title
    paragraph = title_shape.text_frame.paragraphs[0]
    paragraph.font.size = Pt(32)
    paragraph.font.color.rgb = NAVY
    box = slide.shapes.add_textbox(Inches(0.5), Inches(6.95), Inches(12.3), Inches(0.4))
    box.text_frame.text = f"{TITLE} \u00b7 {_scope_label(data)}"
    box.text_frame.paragraphs[0].font.size = Pt(14)
    box.text_frame.paragraphs[0].font.color.rgb = GREY
    return slide


def _style_chart(chart, legend: bool = True, size: int = 16) -> None:
    chart.font.size = Pt(size)
    chart.has_legend = legend
    if legend:
        chart.legend.position = XL_LEGEND_POSITION.BOTTOM
        chart.legend.include_in_layout = False


def _table(slide, frame: pd.DataFrame, left: float, top: float, width: float, font: int = 16, row_in: float = 0.42,
           widths: list[float] | None = None) -> None:
    """A native table; rows sized for one line at `font`, columns by `widths` (shares) so text stays on one line."""
    rows, cols = len(frame) + 1, len(frame.columns)
    shape = slide.shapes.add_table(rows, cols, Inches(left), Inches(top), Inches(width), Inches(row_in * rows))
    table = shape.table
    if widths:
        total = sum(widths)
        for c, share in enumerate(widths):
            table.columns[c].width = Inches(width * share / total)
    # a slide's table is not a spreadsheet: no formula guard here (its apostrophe would show as "'-6%")
    for c, name in enumerate(frame.columns):
        table.cell(0, c).text = clean_text(name)
    for r, row in enumerate(frame.itertuples(index=False), start=1):
        for c, value in enumerate(row):
            text = fmt.DASH if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
            table.cell(r, c).text = fmt.printed(clean_text(text))
    for r in range(rows):
        table.rows[r].height = Inches(row_in)
        for c in range(cols):
            for paragraph in table.cell(r, c).text_frame.paragraphs:
                paragraph.font.size = Pt(font)


def _fitting_size(lines: list[str], width_in: float, height_in: float, largest: int, smallest: int = 12) -> int:
    """The largest type size (pt) at which `lines` wrap into the box: ~0.5 em per character, 1.2 line height."""
    for size in range(largest, smallest - 1, -1):
        per_line = max(int(width_in * 72 / (size * 0.5)), 10)
        rows = sum(max(1, -(-len(line) // per_line)) for line in lines)
        needed = rows * size * 1.2 + len(lines) * 6  # points, with the space after each paragraph
        if needed <= height_in * 72 * 0.92:
            return size
    return smallest


def _lines(slide, lines: list[str], left: float = 0.6, top: float = 1.45, width: float = 12.0, height: float = 5.3,
           size: int = 20, bullet: bool = True) -> None:
    """A text box of lines whose type size is chosen so they fit the box: nothing runs past it or past the slide."""
    texts = [("\u2022 " if bullet else "") + clean_text(line) for line in lines]
    size = _fitting_size(texts, width - 0.2, height - 0.1, size)
    box = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
    frame = box.text_frame
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.NONE
    for i, text in enumerate(texts):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        paragraph.text = text
        paragraph.font.size = Pt(size)
        paragraph.space_after = Pt(6)


def _line_chart(slide, trend: views.Trend, left, top, width, height):
    data = CategoryChartData()
    series = trend.series
    reported = series[series["desa_melapor"] > 0] if "desa_melapor" in series.columns else series
    if reported.empty:
        return None
    data.categories = [fmt.month_short(m) for m in reported.index]
    for key in trend.keys:
        data.add_series(trend.labels[key], [None if pd.isna(v) else round(float(v), 1) for v in reported[key]])
    chart = slide.shapes.add_chart(XL_CHART_TYPE.LINE_MARKERS, left, top, width, height, data).chart
    _style_chart(chart)
    chart.category_axis.tick_labels.font.size = Pt(13)
    if trend.percent:
        chart.value_axis.maximum_scale = 100
        chart.value_axis.minimum_scale = 0
    return chart


def _bar_chart(slide, ranking: pd.DataFrame, value: str, label: str, left, top, width, height):
    """Polsek ranked by an index as a native bar chart; the value labels are written the Indonesian way (72,1)."""
    ordered = ranking.sort_values(value, ascending=True, na_position="first")
    data = CategoryChartData()
    data.categories = [p.removeprefix("Polsek ") for p in ordered["polsek"]]
    data.add_series(label, [None if pd.isna(v) else round(float(v), 1) for v in ordered[value]])
    chart = slide.shapes.add_chart(XL_CHART_TYPE.BAR_CLUSTERED, left, top, width, height, data).chart
    _style_chart(chart, legend=False)
    chart.has_title = False  # the slide title says what it is
    chart.category_axis.tick_labels.font.size = Pt(14)  # all nine Polsek names fit, none skipped
    chart.value_axis.maximum_scale = 110
    chart.value_axis.minimum_scale = 0
    chart.value_axis.major_unit = 20
    plot = chart.plots[0]
    for point, (kategori, number) in zip(plot.series[0].points, zip(ordered["kategori_kinerja"], ordered[value], strict=True),
                                         strict=True):
        if kategori in CATEGORY_RGB:
            point.format.fill.solid()
            point.format.fill.fore_color.rgb = CATEGORY_RGB[kategori]
        point.data_label.text_frame.text = fmt.number(number, 1) if pd.notna(number) else "belum melapor"
        point.data_label.text_frame.paragraphs[0].font.size = Pt(14)
    return chart


def _no_data(slide, data: views.AnevData) -> None:
    _lines(slide, [f"Belum ada rekap {fmt.month(data.bulan)} yang tersimpan: belum ada Polsek yang melapor untuk bulan ini."],
           size=24, bullet=False)


def build_pptx(data: views.AnevData) -> bytes:
    """The Anev deck, page for page the views of the screens and Mode Paparan, plus one page per Polsek."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = SLIDE_W, SLIDE_H

    title = prs.slides.add_slide(prs.slide_layouts[0])
    heading, subtitle = title.shapes.title, title.placeholders[1]
    heading.left, heading.top, heading.width, heading.height = Inches(0.8), Inches(2.0), Inches(11.7), Inches(1.6)
    subtitle.left, subtitle.top, subtitle.width, subtitle.height = Inches(0.8), Inches(3.9), Inches(11.7), Inches(1.4)
    heading.text = "Analisis dan Evaluasi Bhabinkamtibmas"
    heading.text_frame.paragraphs[0].font.size = Pt(40)
    heading.text_frame.paragraphs[0].font.color.rgb = NAVY
    subtitle.text = f"Polres Timor Tengah Utara \u00b7 {_scope_label(data)}"
    subtitle.text_frame.paragraphs[0].font.size = Pt(24)

    follow = views.tindak_lanjut_view(data)
    slide = _slide(prs, "Tindak lanjut arahan Anev sebelumnya", data)
    if follow.arahan.total:
        _lines(slide, [" \u00b7 ".join(f"{status.capitalize()}: {count}" for status, count in follow.counts)], top=1.3, height=0.5,
               size=16, bullet=False)
        _table(slide, follow.arahan.shown, 0.5, 1.85, 12.3, font=12, row_in=0.78, widths=[4.2, 1.9, 1.3, 1.3, 1.8, 1.8])
        if follow.arahan.note:
            _lines(slide, [follow.arahan.note], top=1.85 + 0.78 * (len(follow.arahan.shown) + 1) + 0.05, height=0.5, size=13,
                   bullet=False)
    else:
        _lines(slide, ["Belum ada arahan dari Anev sebelumnya yang perlu ditindaklanjuti."], size=22, bullet=False)
    if data.caveat:
        _lines(slide, [data.caveat], top=6.45, height=0.45, size=12, bullet=False)

    kelengkapan = views.kelengkapan_view(data)
    slide = _slide(prs, "Kelengkapan laporan", data)
    month = kelengkapan.matrix[kelengkapan.matrix["bulan"] == data.bulan]
    status = pd.DataFrame({"Polsek": month["polsek"].str.removeprefix("Polsek "), "Status": month["status"],
                           "Versi": [str(v) if v else fmt.DASH for v in month["versi"]]})
    _table(slide, status, 0.6, 1.45, 6.2, font=16, row_in=0.45)
    rekap = views.rekap_view(data)
    facts = [f"Tepat waktu: {kelengkapan.on_time}", f"Terlambat: {fmt.number(kelengkapan.late)}",
             f"Belum melapor: {fmt.number(kelengkapan.missing)}", kelengkapan.deadline]
    facts += [f"{label}: {value}" for label, value in rekap.cards[:2]]
    _lines(slide, facts, left=7.2, width=5.6, size=20)

    if not data.has_data:
        slide = _slide(prs, "Ringkasan bulan ini", data)
        _no_data(slide, data)
    else:
        ringkasan = views.ringkasan_view(data)
        slide = _slide(prs, "Ringkasan bulan ini", data)
        cards = pd.DataFrame([{"Indikator": c.label, "Bulan ini": c.value, "Dibanding bulan lalu": c.delta or fmt.DASH}
                              for c in ringkasan.cards])
        _table(slide, cards, 0.6, 1.45, 7.4, font=16, row_in=0.46)
        _lines(slide, [ringkasan.comparison_note], left=8.3, width=4.5, height=4.0, size=16, bullet=False)
        if ringkasan.trends:
            slide = _slide(prs, ringkasan.trends[0].title, data)
            _line_chart(slide, ringkasan.trends[0], Inches(0.6), TOP, Inches(12.1), Inches(5.4))

        kinerja = views.kinerja_view(data)
        slide = _slide(prs, "Kinerja Bhabinkamtibmas: Indeks Kinerja per Polsek", data)
        _bar_chart(slide, kinerja.ranking, "indeks_kinerja", "Indeks Kinerja", Inches(0.5), TOP, Inches(6.6), Inches(5.4))
        _lines(slide, [f"Perlu pembinaan: {fmt.number(kinerja.pembinaan.total)} Bhabinkamtibmas (Kurang \u2265 2 bulan, "
                       "terlama dan terendah lebih dulu)"], left=7.4, top=1.4, width=5.5, height=0.9, size=16, bullet=False)
        if kinerja.pembinaan.total:
            _table(slide, kinerja.pembinaan.shown[["Nama", "Polsek", "Kurang"]], 7.4, 2.35, 5.5, font=14, row_in=0.44,
                   widths=[2.9, 1.7, 1.0])
            if kinerja.pembinaan.note:
                _lines(slide, [kinerja.pembinaan.note], left=7.4, top=2.35 + 0.44 * (len(kinerja.pembinaan.shown) + 1) + 0.1,
                       width=5.5, height=0.8, size=13, bullet=False)

        kesiapan = views.kesiapan_view(data)
        slide = _slide(prs, "Kesiapan pemilihan", data)
        _line_chart(slide, kesiapan.trend, Inches(0.5), TOP, Inches(6.3), Inches(5.4))
        _bar_chart(slide, kesiapan.ranking, "indeks_kesiapan", "Indeks Kesiapan", Inches(7.0), TOP, Inches(5.9), Inches(5.4))

        guard = _guard(data)
        for polsek in access.polsek_names(data.scope):
            page = views.polsek_view(data, polsek, guard)
            slide = _slide(prs, polsek, data)
            if not page.reported:
                _lines(slide, [f"Belum ada rekap {fmt.month(data.bulan)}."], size=22, bullet=False)
                continue
            lines = [f"{label}: {value}" for label, value in page.facts]
            if page.rank:
                lines.insert(0, page.rank)
            _lines(slide, lines, width=6.3, size=17)
            _line_chart(slide, page.trend, Inches(7.0), TOP, Inches(5.9), Inches(5.4))

        rawan = views.desa_rawan_view(data)
        slide = _slide(prs, "Desa rawan dan sangat rawan", data)
        summary = (f"Sangat Rawan {fmt.number(rawan.sangat_rawan)} desa \u00b7 Rawan {fmt.number(rawan.rawan)} desa \u00b7 "
                   f"TPS rawan dan sangat rawan {fmt.number(rawan.tps_rawan)}")
        _lines(slide, [summary], top=1.35, height=0.6, size=18, bullet=False)
        if rawan.desa.total:
            _table(slide, rawan.desa.shown[["Desa", "Kecamatan", "Tingkat", "Skor", "Potensi gangguan"]], 0.6, 2.05, 12.1, font=15,
                   row_in=0.48, widths=[2.3, 2.2, 1.6, 0.7, 5.3])
            if rawan.desa.note:
                _lines(slide, [rawan.desa.note], top=2.05 + 0.48 * (len(rawan.desa.shown) + 1) + 0.1, height=0.6, size=14, bullet=False)
        else:
            _lines(slide, ["Tidak ada desa Rawan atau Sangat Rawan bulan ini."], top=2.1, size=20, bullet=False)

    slide = _slide(prs, "Catatan untuk Anev", data)
    findings = views.ringkasan_view(data).findings
    notes = views.CutList(views.findings_rows(findings), "catatan", "semua catatan di layar Ringkasan dan lembar Catatan Anev di Excel",
                          limit=views.FINDINGS_LIMIT)
    lines = list(notes.shown["teks"]) or ["Tidak ada catatan khusus bulan ini."]
    _lines(slide, lines + ([notes.note] if notes.note else []), size=18)

    buffer = io.BytesIO()
    prs.save(buffer)
    return buffer.getvalue()


def export(engine: Engine, bulan: str, fmt_name: str, polsek: str | None = None, scope: Scope | None = None) -> bytes:
    """The Anev material of a month as `pptx` or `xlsx` bytes, for a scope (a Polsek account's own Polsek only).

    Verified recaps only when `[verifikasi] paparan_hanya_terverifikasi` says so (the deck is shown in the meeting too).
    """
    from core import verifikasi

    data = views.load(engine, bulan, scope or Scope(polsek), verified_only=verifikasi.only_verified_in_paparan())
    if fmt_name == "pptx":
        return build_pptx(data)
    if fmt_name == "xlsx":
        return build_xlsx(data)
    raise ValueError(f"format tidak dikenal: {fmt_name}")

