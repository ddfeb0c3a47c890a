"""Run by `test_new_indicator.py` in a fresh interpreter with ANEV_DATA_DIR pointing at a data folder that has one more
indicator, `patroli_dialogis`, defined only there (catalogue row + an Indeks Kinerja component). Not collected on its own.

Each test follows the indicator through one part of the house: template, import, storage, rekap, demo, every screen that
the catalogue says shows it, Mode Paparan, the deck and the workbook. None of them names it in code.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os

import openpyxl
import pytest
from accounts import ensure_user, sign_in
from conftest import ROOT
from pptx import Presentation
from streamlit.testing.v1 import AppTest
from workbooks import filled_template

from core import config, demo, export, metrics, pipeline, reference, store
from core.template import build_template

KEY, HEADER, LABEL, SHORT = "patroli_dialogis", "Patroli Dialogis (kali)", "Patroli dialogis", "Patroli"
BULAN = "2024-09"

pytestmark = pytest.mark.skipif(os.environ.get("ANEV_INDIKATOR_BARU") != "1", reason="dijalankan oleh test_new_indicator.py")


@pytest.fixture(scope="module")
def db_url() -> str:
    url = os.environ["ANEV_DB_URL"]
    engine = store.create_db_engine(url)
    demo.generate(engine, dari="2024-07", sampai=BULAN, seed=4, today=dt.date(2024, 10, 20))
    engine.dispose()
    return url


def test_catalogue_has_it_from_data_only():
    assert str(config.data_dir()) != str(config.DATA_DIR)
    assert KEY in reference.count_keys("kegiatan") and reference.measures()[KEY].shown_in("kpi")


def test_template_has_its_column():
    wb = openpyxl.load_workbook(io.BytesIO(build_template("Polsek Insana", BULAN)))
    assert HEADER in [c.value for c in wb["Kegiatan"][4]]


def test_import_stores_it_and_rekap_sums_it(tmp_path):
    engine = store.create_db_engine(f"sqlite:///{tmp_path / 'impor.db'}")
    result, version = pipeline.import_file(engine, filled_template("Polsek Insana", BULAN), "rekap.xlsx", "uji",
                                           today=dt.date(2024, 10, 20))
    assert version == 1, [e.message for e in result.errors]
    rows = store.rows(engine, "kegiatan", BULAN)
    assert KEY in rows.columns and rows[KEY].sum() > 0
    rekap = metrics.build_rekap(BULAN, rows, store.rows(engine, "kerawanan", BULAN))
    data = metrics.rekap_json(rekap)
    assert data["totals"][KEY] == rows[KEY].sum() and KEY in data["desa"][0] and KEY in data["polsek"][0]


def test_demo_generates_it(db_url):
    rows = store.rows(store.create_db_engine(db_url), "kegiatan", BULAN)
    assert rows[KEY].sum() > 0


def _screen(db_url: str, page: str, **query: str) -> AppTest:
    user = ensure_user(db_url)
    at = sign_in(AppTest.from_file(str(ROOT / "frame" / "main.py"), default_timeout=90), user)
    for key, value in {"bulan": BULAN, **query}.items():
        at.query_params[key] = value
    at.run()
    at.switch_page("../" + page)
    at.run()
    assert not at.exception, at.exception
    return at


def test_ringkasan_shows_its_kpi_card_and_trend(db_url):
    at = _screen(db_url, "pages/ringkasan.py")
    assert SHORT in [m.label for m in at.metric]
    figures = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    assert any(trace.get("name") == LABEL for figure in figures for trace in figure["data"])


def test_kinerja_scores_it(db_url):
    at = _screen(db_url, "pages/kinerja.py")
    assert any("Patroli Dialogis" in str(frame.value.columns.tolist()) for frame in at.dataframe)


def test_tabel_rekap_has_its_column(db_url):
    at = _screen(db_url, "pages/rekap.py")
    assert any(LABEL in list(frame.value.columns) for frame in at.dataframe)


def test_mode_paparan_shows_its_card(db_url):
    at = _screen(db_url, "pages/paparan.py", slide="4")
    assert SHORT in [m.label for m in at.metric]


def test_deck_and_workbook_have_it(db_url):
    engine = store.create_db_engine(db_url)
    deck = Presentation(io.BytesIO(export.export(engine, BULAN, "pptx")))
    texts = [shape.text_frame.text for slide in deck.slides for shape in slide.shapes if shape.has_text_frame]
    texts += [cell.text for slide in deck.slides for shape in slide.shapes if shape.has_table
              for row in shape.table.rows for cell in row.cells]
    assert any(LABEL in text for text in texts)  # a KPI row and a fact on each Polsek page
    book = openpyxl.load_workbook(io.BytesIO(export.export(engine, BULAN, "xlsx")))
    assert LABEL in [c.value for c in book["Polsek"][3]] and "Patroli Dialogis" in [c.value for c in book["Desa"][3]]
