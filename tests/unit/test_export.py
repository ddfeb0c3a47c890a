"""Anev deck and workbook: native editable charts, one slide per Polsek, no formula in any exported cell."""

from __future__ import annotations

import datetime as dt
import io
import re

import openpyxl
import pytest
from pptx import Presentation
from workbooks import filled_template

from core import cli, demo, export, fmt, pipeline, reference, store, views
from core.access import Scope

HOSTILE = ["=HYPERLINK(\"http://x\",\"klik\")", "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "\rCR"]


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('ekspor') / 'demo.db'}"
    engine = store.create_db_engine(url)
    demo.generate(engine, dari="2024-06", sampai="2024-09", seed=5, today=dt.date(2024, 10, 20))
    engine.dispose()
    return url


@pytest.fixture
def demo_engine(demo_url):
    engine = store.create_db_engine(demo_url)
    yield engine
    engine.dispose()


def test_pptx_has_native_charts_and_a_slide_per_polsek(demo_engine):
    deck = Presentation(io.BytesIO(export.export(demo_engine, "2024-09", "pptx")))
    titles = [s.shapes.title.text for s in deck.slides if s.shapes.title is not None]
    assert titles[0] == "Analisis dan Evaluasi Bhabinkamtibmas"
    for expected in ("Tindak lanjut arahan Anev sebelumnya", "Kelengkapan laporan", "Ringkasan bulan ini", "Catatan untuk Anev",
                     "Desa rawan dan sangat rawan"):
        assert expected in titles
    assert [t for t in titles if t.startswith("Polsek ")] == list(reference.polsek_names())
    charts = [shape.chart for slide in deck.slides for shape in slide.shapes if shape.has_chart]
    data = views.load(demo_engine, "2024-09", Scope())
    ranking = views.kinerja_view(data).ranking
    reporting = int(ranking["indeks_kinerja"].notna().sum())
    assert reporting >= 7
    assert len(charts) == 4 + reporting  # 4 topic charts, one per reporting Polsek
    # the Kinerja chart holds the indices computed from the database, editable as chart data, labels written 72,1
    kinerja = next(c for c in charts if c.plots[0].series[0].name == "Indeks Kinerja")
    ranked = ranking.sort_values("indeks_kinerja", na_position="first")
    assert list(kinerja.plots[0].categories) == [p.removeprefix("Polsek ") for p in ranked["polsek"]]
    expected = [None if v != v else round(v, 1) for v in ranked["indeks_kinerja"]]
    assert list(kinerja.plots[0].series[0].values) == expected
    labels = [point.data_label.text_frame.text for point in kinerja.plots[0].series[0].points]
    assert labels[-1] == fmt.number(ranked["indeks_kinerja"].iloc[-1], 1) and "," in labels[-1]
    assert not any(shape.shape_type == 13 for slide in deck.slides for shape in slide.shapes)  # no pictures of charts


def test_a_month_without_recaps_gives_a_deck_that_says_so(demo_engine):
    deck = Presentation(io.BytesIO(export.export(demo_engine, "2023-01", "pptx")))
    texts = [shape.text_frame.text for slide in deck.slides for shape in slide.shapes if shape.has_text_frame]
    assert any("belum ada Polsek yang melapor" in t for t in texts)


def test_xlsx_tables_match_the_database_and_store_numbers_as_numbers(demo_engine):
    wb = openpyxl.load_workbook(io.BytesIO(export.export(demo_engine, "2024-09", "xlsx")))
    assert wb.sheetnames == ["Polres", "Polsek", "Desa", "Bhabinkamtibmas", "Kelengkapan", "Desa Rawan", "Catatan Anev"]
    ws = wb["Polsek"]
    header = [c.value for c in ws[3]]
    assert "indeks_kinerja" not in header and "Indeks Kinerja" in header and "Desa FKPM aktif" in header  # no raw keys
    sambang_col = header.index("Sambang/DDS") + 1
    values = {ws.cell(row=r, column=1).value: ws.cell(row=r, column=sambang_col).value for r in range(4, ws.max_row + 1)}
    rows = store.rows(demo_engine, "kegiatan", "2024-09")
    assert values == {p: int(rows.loc[rows["polsek"] == p, "sambang_dds"].sum()) for p in reference.polsek_names()}
    assert ws.page_setup.orientation == "landscape" and ws.freeze_panes == "A4"
    polres = wb["Polres"]
    change = [c for c in polres[4] if isinstance(c.value, (int, float))]
    assert change and all(not isinstance(c.value, str) for c in change)
    percent_col = [c.value for c in polres[3]].index("Perubahan (persen)") + 1
    cell = polres.cell(row=4, column=percent_col)
    assert cell.value is None or (isinstance(cell.value, float) and cell.number_format == fmt.EXCEL_SIGNED_PERCENT)  # no "'-31%" text


def test_no_exported_cell_is_a_formula(engine):
    def hostile(wb):
        ws = wb["Kegiatan"]
        for i, text in enumerate(HOSTILE):
            # stored as text, as a clerk's `'=HYPERLINK(...)` is (openpyxl would write a formula without result, which the
            # importer refuses rather than reading it as blank)
            ws.cell(row=5 + i, column=4, value=f"{text} nama").data_type = "s"
            ws.cell(row=5 + i, column=21, value=text).data_type = "s"
    result, version = pipeline.import_file(engine, filled_template("Polsek Insana", "2024-09", edit=hostile), "h.xlsx", "x",
                                           today=dt.date(2026, 11, 30))
    assert version == 1, [e.message for e in result.errors]
    wb = openpyxl.load_workbook(io.BytesIO(export.export(engine, "2024-09", "xlsx")))
    seen_hostile = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate} = {cell.value!r}"
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(("=", "+", "-", "@", "\t", "\r")), cell.value
                    seen_hostile += cell.value.startswith("'")
    assert seen_hostile >= len(HOSTILE)
    deck = Presentation(io.BytesIO(export.export(engine, "2024-09", "pptx")))
    assert deck.slides  # officer text went through the same guard


def test_export_command_writes_both_formats(demo_url, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("ANEV_DB_URL", demo_url)
    for kind in ("pptx", "xlsx"):
        out = tmp_path / f"anev.{kind}"
        assert cli.main(["export", "--bulan", "2024-09", "--format", kind, "--out", str(out)]) == 0
        assert out.stat().st_size > 10_000
    Presentation(str(tmp_path / "anev.pptx"))
    openpyxl.load_workbook(tmp_path / "anev.xlsx")
    with pytest.raises(SystemExit) as exc:
        cli.main(["export", "--bulan", "2024-09", "--format", "pdf", "--out", str(tmp_path / "x")])
    assert exc.value.code == 2


def test_slide_tables_show_changes_without_a_formula_guard(demo_engine):
    """The deck's tables show "−6%", not the workbook's formula guard "'-6%" (seen in LibreOffice)."""
    deck = Presentation(io.BytesIO(export.export(demo_engine, "2024-09", "pptx")))
    cells = [cell.text for slide in deck.slides for shape in slide.shapes if shape.has_table
             for row in shape.table.rows for cell in row.cells]
    assert cells and not [text for text in cells if text.startswith("'")]
    assert [text for text in cells if re.fullmatch(r"[+\u2212]\d+(%| poin)", text)]  # the changes are there
    assert not [text for text in cells if re.match(r"-\d", text)]  # with the typographic minus
    assert fmt.printed("-6%") == "\u22126%" and fmt.printed("+3 poin") == "+3 poin" and fmt.printed("-") == "-"
