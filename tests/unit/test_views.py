"""One view per screen: what the screen, its Mode Paparan slide and its deck page show is computed once and agrees."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from pptx import Presentation

from core import access, export, fmt, measures, metrics, reference, store, views

BULAN = "2024-09"


@pytest.fixture(scope="module")
def demo_engine(tmp_path_factory: pytest.TempPathFactory):
    from core import demo

    url = f"sqlite:///{Path(tmp_path_factory.mktemp('views')) / 'demo.db'}"
    engine = store.create_db_engine(url)
    demo.generate(engine, dari="2024-05", sampai=BULAN, seed=21, today=dt.date(2024, 10, 20))
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def data(demo_engine) -> views.AnevData:
    return views.load(demo_engine, BULAN, access.Scope())


def _deck_text(content: bytes) -> list[str]:
    deck = Presentation(io.BytesIO(content))
    texts = []
    for slide in deck.slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                texts.append(shape.text_frame.text)
            if shape.has_table:
                texts.extend(cell.text for row in shape.table.rows for cell in row.cells)
    return texts


def test_cut_lists_say_how_many_and_where_the_rest_is():
    rows = pd.DataFrame({"Nama": [f"Petugas {i}" for i in range(11)]})
    cut = views.CutList(rows, "Bhabinkamtibmas", "daftar lengkap di layar Kinerja Bhabinkamtibmas", limit=6)
    assert len(cut.shown) == 6 and cut.total == 11
    assert cut.note == "6 dari 11 Bhabinkamtibmas; daftar lengkap di layar Kinerja Bhabinkamtibmas."
    assert views.CutList(rows.head(3), "desa", "x").note == ""


def test_screen_slide_and_deck_show_the_same_coaching_list(demo_engine, data, monkeypatch):
    monkeypatch.setattr(views, "LIST_LIMIT", 4)  # a short slide, so the demo month surely has more to coach than it holds
    view = views.kinerja_view(data)
    flagged = view.pembinaan
    assert flagged.total > views.LIST_LIMIT  # the demo month has more officers to coach than a slide holds
    # worst first: the longest Kurang run leads, then the lower index
    league = view.league.set_index("nrp")
    runs = [int(text.split()[0]) for text in flagged.rows["Kurang"]]
    assert runs == sorted(runs, reverse=True)
    assert max(league["bulan_kurang"]) == runs[0]
    deck = _deck_text(export.export(demo_engine, BULAN, "pptx"))
    assert len(flagged.shown) == 4
    for name in flagged.shown["Nama"]:
        assert name in deck
    assert flagged.note in deck  # "6 dari N Bhabinkamtibmas; ..."
    for name in flagged.rows["Nama"].iloc[views.LIST_LIMIT:]:
        assert name not in deck  # the deck cuts where the slide cuts, and says so


def test_screen_slide_and_deck_show_the_same_rawan_list(demo_engine, data):
    view = views.desa_rawan_view(data)
    month = data.month_rows
    expected = month[month["_ada_kerawanan"] & month["tingkat_kerawanan"].isin(["Rawan", "Sangat Rawan"])]
    assert view.desa.total == len(expected) and view.sangat_rawan + view.rawan == len(expected)
    levels = list(view.desa.rows["Tingkat"])
    assert levels == sorted(levels, key=lambda t: t != "Sangat Rawan")  # Sangat Rawan first
    deck = _deck_text(export.export(demo_engine, BULAN, "pptx"))
    assert view.desa.note in deck and all(d in deck for d in view.desa.shown["Desa"])


def test_kpi_cards_deck_and_workbook_agree(demo_engine, data):
    view = views.ringkasan_view(data)
    deck = _deck_text(export.export(demo_engine, BULAN, "pptx"))
    for card in view.cards:
        assert card.value in deck and card.label in deck
    book = openpyxl.load_workbook(io.BytesIO(export.export(demo_engine, BULAN, "xlsx")))
    ws = book["Polres"]
    header = [c.value for c in ws[3]]
    by_label = {row[0]: dict(zip(header, row, strict=True)) for row in ws.iter_rows(min_row=4, values_only=True)}
    for kpi in view.kpis:
        row = by_label[kpi.label]
        assert row["Bulan ini"] == pytest.approx(kpi.value)
        change = row["Perubahan (persen)"] if kpi.previous.kind == "persen" else row["Perubahan (poin)"]
        assert change == (pytest.approx(kpi.vs_previous) if kpi.vs_previous is not None else None)
    polsek = views.rekap_view(data).rekap.polsek
    assert next(c for c in view.cards if c.key == "polsek_melapor").value == fmt.fraction(int((polsek["desa_melapor"] > 0).sum()), 9)


def test_a_zero_change_is_grey_without_arrow_and_a_fall_is_red(data):
    kpi = next(k for k in views.ringkasan_view(data).kpis if k.key == "sambang_dds")
    flat = views._card(_with_change(kpi, 0.2), BULAN, 9)
    assert flat.delta == "0%" and flat.delta_colour == "off" and flat.delta_arrow == "off"
    fall = views._card(_with_change(kpi, -3.4), BULAN, 9)
    assert fall.delta == "-3%" and fall.delta_colour == "normal" and fall.delta_arrow == "auto"


def _with_change(kpi, change: float):
    from dataclasses import replace

    return replace(kpi, previous=replace(kpi.previous, change=change))


def test_linmas_need_counts_every_desa_with_a_kerawanan_sheet():
    insana = reference.desa_of("Polsek Insana")["kode"]
    base = {key: 0 for key in reference.count_keys("kegiatan")}
    kegiatan = pd.DataFrame([{**base, "desa_kode": insana[0], "polsek": "Polsek Insana", "linmas": 4, "fkpm_aktif": False}])
    kerawanan = pd.DataFrame([{"desa_kode": k, "polsek": "Polsek Insana", "tps": 2, "tps_kurang_rawan": 2, "tps_rawan": 0,
                               "tps_sangat_rawan": 0} for k in insana[:2]])
    desa = metrics.desa_month(kegiatan, kerawanan)
    # the second desa sent only its Kerawanan sheet: its 2 TPS still need 4 Linmas (one definition everywhere)
    assert measures.value(desa, "linmas_rasio") == pytest.approx(4 / (4 * 2) * 100)
    assert measures.value(desa, "desa_melapor") == 1


def test_unclassified_tps_are_guarded_and_counted():
    tps = pd.DataFrame({"polsek": ["Polsek Insana"], "tps": [10], "tps_kurang_rawan": [3], "tps_rawan": [0], "tps_sangat_rawan": [0]})
    needs = metrics.guard_needs(tps).iloc[0]
    assert needs["tps_belum_dipetakan"] == 7
    assert needs["personel_polri"] == 4  # ceil(10 / 3): the 7 unclassified TPS counted as kurang rawan, not left unguarded
