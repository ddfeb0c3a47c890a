"""Anev material for a month: a PowerPoint deck with native, editable charts, and a print-ready Excel workbook.

Both are built from the same `core` functions as the screens, offline, without a browser. Every text cell
that came from a user goes through `safe_text`, so nothing exported can become a formula.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
from pptx.util import Emu, Inches, Pt
from sqlalchemy.engine import Engine

from core import analysis, metrics, reference, store
from core.months import add_months, format_bulan, month_range
from core.template import safe_text

TITLE = "Anev Bhabinkamtibmas Polres TTU"
NAVY = RGBColor(0x1F, 0x38, 0x64)
CATEGORY_RGB = {"Baik": RGBColor(0x1A, 0x7F, 0x37), "Cukup": RGBColor(0xD4, 0xA1, 0x06), "Kurang": RGBColor(0xC6, 0x28, 0x28)}


@dataclass
class AnevBundle:
    """Everything the Anev material shows for one month (and optional Polsek)."""

    bulan: str
    polsek: str | None
    months: list[str]
    rekap: metrics.Rekap
    desa: pd.DataFrame  # multi-month desa rows with indices
    series: pd.DataFrame
    kpis: list[analysis.Kpi]
    findings: list[analysis.Finding]
    completeness: pd.DataFrame
    league: pd.DataFrame
    demo: bool


def collect(engine: Engine, bulan: str, polsek: str | None = None) -> AnevBundle:
    """Gather the month's figures from the database (latest versions only)."""
    months = month_range(add_months(bulan, -12), bulan)
    desa_all = metrics.desa_month(store.rows(engine, "kegiatan", months[0], bulan), store.rows(engine, "kerawanan", months[0], bulan))
    scope = desa_all if polsek is None else desa_all[desa_all["polsek"] == polsek]
    month_rows = (store.rows(engine, "kegiatan", bulan), store.rows(engine, "kerawanan", bulan))
    rekap = metrics.build_rekap(bulan, *month_rows)
    series = analysis.monthly_series(scope, months)
    completeness = metrics.completeness(store.uploads(engine), months[-6:])
    return AnevBundle(
        bulan=bulan, polsek=polsek, months=months, rekap=rekap, desa=scope, series=series,
        kpis=analysis.kpis(series, bulan), findings=analysis.findings(desa_all, completeness, bulan, polsek),
        completeness=completeness, league=analysis.officer_league(scope, bulan), demo=store.has_demo(engine),
    )


def _scope_label(bundle: AnevBundle) -> str:
    return f"{format_bulan(bundle.bulan)} \u00b7 {bundle.polsek or 'Semua Polsek'}" + (" \u00b7 DATA CONTOH" if bundle.demo else "")


def _kpi_text(kpi: analysis.Kpi) -> str:
    if kpi.value is None:
        return "\u2013"
    if kpi.kind == "pct":
        return f"{kpi.value:.0f}%"
    return f"{kpi.value:,.0f}".replace(",", ".")


def _kpi_change(kpi: analysis.Kpi) -> str:
    if kpi.vs_previous is None:
        return ""
    return f"{kpi.vs_previous:+.0f} poin" if kpi.kind == "pct" else f"{kpi.vs_previous:+.0f}%"


# --------------------------------------------------------------------------- Excel


_HEADER_FILL = PatternFill("solid", fgColor="1F3864")


def _write_sheet(wb: Workbook, title: str, frame: pd.DataFrame, heading: str) -> None:
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
        for c, value in enumerate(row, start=1):
            ws.cell(row=r, column=c, value=_cell_value(value))
    ws.freeze_panes = "A4"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "3:3"


def _cell_value(value: object) -> object:
    """Numbers stay numbers; everything else is text that can never be a formula."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return None
    if isinstance(value, bool):
        return "Ya" if value else "Tidak"
    if isinstance(value, (int, float)):
        return round(value, 2) if isinstance(value, float) else value
    if hasattr(value, "item"):
        return _cell_value(value.item())
    if isinstance(value, (dt.date, dt.datetime, pd.Timestamp)):
        return str(value)[:16]
    return safe_text(value)


def build_xlsx(bundle: AnevBundle) -> bytes:
    """The month's tables (Polres, Polsek, desa, officers, completeness, findings), formatted for printing."""
    wb = Workbook()
    wb.remove(wb.active)
    scope = _scope_label(bundle)
    kpi_rows = pd.DataFrame([{"Indikator": k.label, "Bulan ini": k.value, "Bulan lalu": k.previous, "Tahun lalu": k.last_year,
                              "Perubahan": _kpi_change(k)} for k in bundle.kpis])
    _write_sheet(wb, "Polres", kpi_rows, f"{TITLE} \u2013 ringkasan \u2013 {scope}")
    labels = {k: reference.label(k) for k in reference.count_keys() + reference.bool_keys()}
    polsek = bundle.rekap.polsek if bundle.polsek is None else bundle.rekap.polsek[bundle.rekap.polsek["polsek"] == bundle.polsek]
    _write_sheet(wb, "Polsek", polsek.rename(columns={**labels, "polsek": "Polsek", "desa_total": "Jumlah desa",
                                                      "desa_melapor": "Desa melapor", "indeks_kinerja": "Indeks Kinerja",
                                                      "indeks_kesiapan": "Indeks Kesiapan", "personel_polri": "Personel Polri TPS",
                                                      "personel_linmas": "Personel Linmas TPS", "kategori_kinerja": "Kategori"}),
                 f"Rekap per Polsek \u2013 {scope}")
    desa = bundle.desa[bundle.desa["bulan"] == bundle.bulan]
    desa_cols = ["kode", "desa", "kecamatan", "polsek", "nama_bhabin", "pangkat", "nrp", *reference.count_keys(), *reference.bool_keys(),
                 "indeks_kinerja", "indeks_kesiapan", "skor_kerawanan", "tingkat_kerawanan", "potensi_gangguan", "keterangan"]
    _write_sheet(wb, "Desa", desa.reindex(columns=desa_cols).rename(columns={**labels, "kode": "Kode", "desa": "Desa/Kelurahan",
                                                                               "kecamatan": "Kecamatan", "polsek": "Polsek",
                                                                               "nama_bhabin": "Bhabinkamtibmas", "pangkat": "Pangkat",
                                                                               "nrp": "NRP"}),
                 f"Rekap per desa \u2013 {scope}")
    league = bundle.league[["nama_bhabin", "pangkat", "nrp", "polsek", "desa_binaan", "indeks_kinerja", "kategori_kinerja", "tren",
                            "bulan_kurang"]] if not bundle.league.empty else bundle.league
    _write_sheet(wb, "Bhabinkamtibmas", league.rename(columns={"nama_bhabin": "Nama", "pangkat": "Pangkat", "nrp": "NRP", "polsek": "Polsek",
                                                               "desa_binaan": "Desa binaan", "indeks_kinerja": "Indeks Kinerja",
                                                               "kategori_kinerja": "Kategori", "tren": "Tren", "bulan_kurang": "Bulan Kurang"}),
                 f"Peringkat Bhabinkamtibmas \u2013 {scope}")
    matrix = bundle.completeness.pivot(index="polsek", columns="bulan", values="status").reset_index()
    matrix.columns = ["Polsek", *[format_bulan(m) for m in matrix.columns[1:]]]
    _write_sheet(wb, "Kelengkapan", matrix, f"Kelengkapan laporan \u2013 {scope}")
    notes = pd.DataFrame([{"Tingkat": f.tingkat, "Jenis": f.jenis, "Catatan": f.teks} for f in bundle.findings],
                         columns=["Tingkat", "Jenis", "Catatan"])
    _write_sheet(wb, "Catatan Anev", notes, f"Catatan untuk Anev \u2013 {scope}")
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# --------------------------------------------------------------------------- PowerPoint


def _slide(prs: Presentation, title: str, bundle: AnevBundle):
    slide = prs.slides.add_slide(prs.slide_layouts[5])  # title only
    slide.shapes.title.text = title
    slide.shapes.title.text_frame.paragraphs[0].font.size = Pt(34)
    slide.shapes.title.text_frame.paragraphs[0].font.color.rgb = NAVY
    box = slide.shapes.add_textbox(Inches(0.5), Inches(6.95), Inches(12.3), Inches(0.4))
    box.text_frame.text = f"{TITLE} \u00b7 {_scope_label(bundle)}"
    box.text_frame.paragraphs[0].font.size = Pt(14)
    box.text_frame.paragraphs[0].font.color.rgb = RGBColor(0x59, 0x59, 0x59)
    return slide


def _style_chart(chart, legend: bool = True) -> None:
    chart.font.size = Pt(16)
    chart.has_legend = legend
    if legend:
        chart.legend.position = XL_LEGEND_POSITION.BOTTOM
        chart.legend.include_in_layout = False


def _table(slide, frame: pd.DataFrame, left: float, top: float, width: float, font: int = 16) -> None:
    rows, cols = len(frame) + 1, len(frame.columns)
    shape = slide.shapes.add_table(rows, cols, Inches(left), Inches(top), Inches(width), Inches(0.4 * rows))
    table = shape.table
    for c, name in enumerate(frame.columns):
        table.cell(0, c).text = safe_text(name)
    for r, row in enumerate(frame.itertuples(index=False), start=1):
        for c, value in enumerate(row):
            table.cell(r, c).text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else safe_text(value)
    for r in range(rows):
        for c in range(cols):
            for paragraph in table.cell(r, c).text_frame.paragraphs:
                paragraph.font.size = Pt(font)


def _bullets(slide, lines: list[str], left: float = 0.6, top: float = 1.5, width: float = 12.0, size: int = 20) -> None:
    box = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(5.2))
    frame = box.text_frame
    frame.word_wrap = True
    for i, line in enumerate(lines):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        paragraph.text = "\u2022 " + safe_text(line)
        paragraph.font.size = Pt(size)
        paragraph.space_after = Pt(8)


def _line_chart(slide, series: pd.DataFrame, keys: dict[str, str], left, top, width, height, percent: bool = False):
    data = CategoryChartData()
    reported = series[series["desa_melapor"] > 0]
    data.categories = [format_bulan(m)[:3] + " " + m[2:4] for m in reported.index]
    for key, label in keys.items():
        data.add_series(label, [None if pd.isna(v) else round(float(v), 1) for v in reported[key]])
    chart = slide.shapes.add_chart(XL_CHART_TYPE.LINE_MARKERS, left, top, width, height, data).chart
    _style_chart(chart)
    if percent:
        chart.value_axis.maximum_scale = 100
        chart.value_axis.minimum_scale = 0
    return chart


def _bar_chart(slide, categories: list[str], values: list[float], label: str, colours: list[str | None], left, top, width, height):
    data = CategoryChartData()
    data.categories = categories
    data.add_series(label, [None if pd.isna(v) else round(float(v), 1) for v in values])
    chart = slide.shapes.add_chart(XL_CHART_TYPE.BAR_CLUSTERED, left, top, width, height, data).chart
    _style_chart(chart, legend=False)
    chart.category_axis.tick_labels.font.size = Pt(13)  # all nine Polsek names fit, none skipped
    chart.value_axis.maximum_scale = 100
    chart.value_axis.minimum_scale = 0
    plot = chart.plots[0]
    plot.has_data_labels = True
    plot.data_labels.number_format = "0.0"
    plot.data_labels.number_format_is_linked = False
    for point, colour in zip(plot.series[0].points, colours, strict=True):
        if colour in CATEGORY_RGB:
            point.format.fill.solid()
            point.format.fill.fore_color.rgb = CATEGORY_RGB[colour]
    return chart


def build_pptx(bundle: AnevBundle) -> bytes:
    """The Anev deck: title, Kelengkapan, Ringkasan, Kinerja, Kesiapan, one slide per Polsek, Kerawanan, Catatan."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)
    full_w = Emu(prs.slide_width - Inches(1.0))

    title = prs.slides.add_slide(prs.slide_layouts[0])
    title.shapes.title.text = "Analisis dan Evaluasi Bhabinkamtibmas"
    title.placeholders[1].text = f"Polres Timor Tengah Utara \u00b7 {_scope_label(bundle)}"

    slide = _slide(prs, "Kelengkapan laporan", bundle)
    month = bundle.completeness[bundle.completeness["bulan"] == bundle.bulan]
    table = month.assign(Polsek=month["polsek"].str.removeprefix("Polsek "), Status=month["status"], Versi=month["versi"])
    _table(slide, table[["Polsek", "Status", "Versi"]], 0.6, 1.5, 6.0)
    k = bundle.rekap.kelengkapan
    _bullets(slide, [f"Polsek melapor: {k['polsek_melapor']} dari {k['polsek_total']}",
                     f"Desa dilaporkan: {k['desa_melapor']} dari {k['desa_total']}"], left=7.0, width=5.8)

    slide = _slide(prs, "Ringkasan bulan ini", bundle)
    kpi_table = pd.DataFrame([{"Indikator": c.label, "Bulan ini": _kpi_text(c), "vs bulan lalu": _kpi_change(c)} for c in bundle.kpis])
    _table(slide, kpi_table, 0.5, 1.4, 5.6, font=15)
    _line_chart(slide, bundle.series, {"sambang_dds": "Sambang/DDS", "deteksi_dini": "Deteksi Dini"},
                Inches(6.4), Inches(1.4), Inches(6.5), Inches(5.3))

    slide = _slide(prs, "Kinerja Bhabinkamtibmas: Indeks Kinerja per Polsek", bundle)
    ranked = bundle.rekap.polsek.sort_values("indeks_kinerja", na_position="first")
    _bar_chart(slide, [p.removeprefix("Polsek ") for p in ranked["polsek"]], list(ranked["indeks_kinerja"]), "Indeks Kinerja",
               list(ranked["kategori_kinerja"]), Inches(0.5), Inches(1.4), Inches(7.5), Inches(5.4))
    flagged = bundle.league[bundle.league["bulan_kurang"] >= 2] if not bundle.league.empty else bundle.league
    lines = [f"{r.pangkat or ''} {r.nama_bhabin} ({str(r.polsek).removeprefix('Polsek ')}): {r.bulan_kurang} bulan Kurang".strip()
             for r in flagged.head(8).itertuples()]
    _bullets(slide, ["Perlu pembinaan (Kurang \u2265 2 bulan):", *lines] if lines else ["Tidak ada Bhabinkamtibmas Kurang dua bulan berturut-turut."],
             left=8.2, width=4.7, size=16)

    slide = _slide(prs, "Kesiapan pemilihan dan instruksi Anev", bundle)
    _line_chart(slide, bundle.series, {"pos_kamling_rasio": "Pos kamling aktif (%)", "cakupan_koordinasi": "Koordinasi PPK/PPS (%)",
                                       "cakupan_sosialisasi": "Sosialisasi (%)"},
                Inches(0.5), Inches(1.4), Inches(6.3), Inches(5.3), percent=True)
    ranked = bundle.rekap.polsek.sort_values("indeks_kesiapan", na_position="first")
    _bar_chart(slide, [p.removeprefix("Polsek ") for p in ranked["polsek"]], list(ranked["indeks_kesiapan"]), "Indeks Kesiapan",
               [metrics.kategori_kinerja(v) for v in ranked["indeks_kesiapan"]], Inches(7.0), Inches(1.4), Inches(5.9), Inches(5.3))

    for polsek in reference.polsek_names() if bundle.polsek is None else [bundle.polsek]:
        row = bundle.rekap.polsek.set_index("polsek").loc[polsek]
        slide = _slide(prs, polsek, bundle)
        if row["desa_melapor"] == 0:
            _bullets(slide, [f"Belum ada rekap {format_bulan(bundle.bulan)}."])
            continue
        facts = [
            f"Desa melapor: {row['desa_melapor']} dari {row['desa_total']}",
            f"Indeks Kinerja: {row['indeks_kinerja']:.1f} ({row['kategori_kinerja']})",
            f"Indeks Kesiapan: {row['indeks_kesiapan']:.1f}",
            f"Sambang/DDS: {row['sambang_dds']} \u00b7 Deteksi Dini: {row['deteksi_dini']}",
            f"Pos kamling aktif: {row['pos_kamling_aktif']} dari {row['pos_kamling']}",
            f"Desa FKPM aktif: {row['fkpm_aktif']}",
            f"TPS: {row['tps']} (rawan {row['tps_rawan']}, sangat rawan {row['tps_sangat_rawan']})",
            f"Personel pengamanan TPS: Polri {row['personel_polri']}, Linmas {row['personel_linmas']}",
        ]
        _bullets(slide, facts, width=6.0, size=18)
        series = analysis.monthly_series(bundle.desa[bundle.desa["polsek"] == polsek], bundle.months)
        _line_chart(slide, series, {"indeks_kinerja": "Indeks Kinerja", "indeks_kesiapan": "Indeks Kesiapan"},
                    Inches(6.8), Inches(1.4), Inches(6.1), Inches(5.3), percent=True)

    slide = _slide(prs, "Desa rawan dan sangat rawan", bundle)
    month_desa = bundle.desa[(bundle.desa["bulan"] == bundle.bulan) & bundle.desa["tingkat_kerawanan"].isin(["Rawan", "Sangat Rawan"])]
    month_desa = month_desa.sort_values(["tingkat_kerawanan", "skor_kerawanan"], ascending=[False, False]).head(14)
    rawan = pd.DataFrame({"Desa": month_desa["desa"], "Polsek": month_desa["polsek"].str.removeprefix("Polsek "),
                          "Tingkat": month_desa["tingkat_kerawanan"], "Skor": month_desa["skor_kerawanan"].round(0).astype("Int64"),
                          "TPS rawan/sangat": month_desa["tps_rawan"].astype(str) + "/" + month_desa["tps_sangat_rawan"].astype(str)})
    if rawan.empty:
        _bullets(slide, ["Tidak ada desa Rawan atau Sangat Rawan bulan ini."])
    else:
        _table(slide, rawan, 0.5, 1.4, float(full_w) / 914400, font=14)

    slide = _slide(prs, "Catatan untuk Anev", bundle)
    _bullets(slide, [f.teks for f in bundle.findings] or ["Tidak ada catatan khusus bulan ini."], size=18)

    buffer = io.BytesIO()
    prs.save(buffer)
    return buffer.getvalue()


def export(engine: Engine, bulan: str, fmt: str, polsek: str | None = None) -> bytes:
    """The Anev material of a month as `pptx` or `xlsx` bytes."""
    bundle = collect(engine, bulan, polsek)
    if fmt == "pptx":
        return build_pptx(bundle)
    if fmt == "xlsx":
        return build_xlsx(bundle)
    raise ValueError(f"format tidak dikenal: {fmt}")
