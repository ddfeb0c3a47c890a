"""AppTest of the Anev meeting screens on demo data, on an empty database, and under the month/Polsek filters."""

from __future__ import annotations

import ast
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from accounts import ensure_user, sign_in
from conftest import ROOT
from streamlit.testing.v1 import AppTest

from core import access, agenda, demo, maps, store, ui, views
from core.months import format_bulan

APP = str(ROOT / "frame" / "main.py")
SCREENS = ["pages/ringkasan.py", "pages/kelengkapan.py", "pages/kinerja.py", "pages/kesiapan.py", "pages/rekap.py"]


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = f"sqlite:///{Path(tmp_path_factory.mktemp('layar')) / 'demo.db'}"
    engine = store.create_db_engine(url)
    demo.generate(engine, dari="2023-10", sampai="2024-09", seed=11, today=dt.date(2024, 10, 20))
    engine.dispose()
    yield url


CURRENT: dict[str, object] = {}


@pytest.fixture
def use_db(monkeypatch: pytest.MonkeyPatch):
    def _use(url: str, role: str = "admin", polsek: str | None = None) -> None:
        monkeypatch.setenv("ANEV_DB_URL", url)
        monkeypatch.setenv("ANEV_DEMO_OTOMATIS", "0")
        name = {"admin": "admin-uji", "pimpinan": "pimpinan-uji", "polsek": "polsek-uji"}[role]
        CURRENT["user"] = ensure_user(url, name, role, polsek)
    return _use


def open_screen(page: str, **query: str) -> AppTest:
    at = sign_in(AppTest.from_file(APP, default_timeout=60), CURRENT["user"])
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    at.switch_page("../" + page)
    at.run()
    assert not at.exception, f"{page}: {at.exception}"
    return at


def metrics_of(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


@pytest.mark.parametrize("page", SCREENS)
def test_every_screen_runs_on_demo_data(demo_db, use_db, page):
    use_db(demo_db)
    at = open_screen(page, bulan="2024-09")
    assert any("DATA CONTOH" in str(m.value) for m in at.markdown)
    assert at.caption[0].value.startswith("September 2024")
    # a missing value shows as a dash, not Streamlit's default "None"
    assert all(table.proto.placeholder == ui.KOSONG for table in at.dataframe)


@pytest.mark.parametrize("page", SCREENS)
def test_every_screen_says_plainly_when_empty(tmp_path, use_db, page):
    use_db(f"sqlite:///{tmp_path / 'kosong.db'}")
    at = open_screen(page)
    infos = " ".join(str(i.value) for i in at.info)
    if page == "pages/kelengkapan.py":
        assert metrics_of(at)["Belum melapor"] == "9"
    else:
        assert "Belum ada" in infos
    assert not any("DATA CONTOH" in str(m.value) for m in at.markdown)


def test_ringkasan_follows_month_and_polsek(demo_db, use_db):
    use_db(demo_db)
    engine = store.create_db_engine(demo_db)
    september = metrics_of(open_screen("pages/ringkasan.py", bulan="2024-09"))
    august = metrics_of(open_screen("pages/ringkasan.py", bulan="2024-08"))
    insana = metrics_of(open_screen("pages/ringkasan.py", bulan="2024-09", polsek="Polsek Insana"))
    rows = store.rows(engine, "kegiatan", "2024-08", "2024-09")

    def total(bulan, polsek=None):
        frame = rows[rows["bulan"] == bulan]
        if polsek:
            frame = frame[frame["polsek"] == polsek]
        return f"{int(frame['sambang_dds'].sum()):,}".replace(",", ".")

    assert september["Sambang/DDS"] == total("2024-09")
    assert august["Sambang/DDS"] == total("2024-08")
    assert insana["Sambang/DDS"] == total("2024-09", "Polsek Insana")
    assert september["Sambang/DDS"] != insana["Sambang/DDS"]
    assert insana["Polsek melapor"] == "1/1"


def test_ringkasan_lists_missing_polsek_in_catatan(tmp_path, use_db):
    from workbooks import filled_template

    from core import pipeline

    url = f"sqlite:///{tmp_path / 'a.db'}"
    engine = store.create_db_engine(url)
    for polsek in ("Polsek Noemuti", "Polsek Insana Utara"):
        pipeline.import_file(engine, filled_template(polsek, "2024-08"), "a.xlsx", "x", today=dt.date(2026, 11, 30))
    pipeline.import_file(engine, filled_template("Polsek Noemuti", "2024-09"), "b.xlsx", "x", today=dt.date(2026, 11, 30))
    use_db(url)
    at = open_screen("pages/ringkasan.py", bulan="2024-09")
    errors = " ".join(str(e.value) for e in at.error)
    assert "Belum mengirim rekap September 2024" in errors and "Polsek Insana Utara" in errors
    assert "Polsek Noemuti" not in errors.split("Belum mengirim rekap September 2024")[1].split(".")[0]


def test_kinerja_league_follows_polsek(demo_db, use_db):
    use_db(demo_db)
    engine = store.create_db_engine(demo_db)
    at = open_screen("pages/kinerja.py", bulan="2024-09", polsek="Polsek Noemuti")
    league = next(df.value for df in at.dataframe if "NRP" in df.value.columns)
    rows = store.rows(engine, "kegiatan", "2024-09")
    expected = rows[(rows["polsek"] == "Polsek Noemuti")]["nrp"].dropna().nunique()
    assert len(league) == expected > 0
    assert set(league["Polsek"]) == {"Noemuti"}
    assert list(league["Indeks"]) == sorted(league["Indeks"], reverse=True)


def test_kesiapan_countdown_follows_saved_agenda(demo_db, use_db):
    use_db(demo_db)
    engine = store.create_db_engine(demo_db)
    target = dt.date.today() + dt.timedelta(days=40)
    agenda.save_agenda(engine, "Pilkada Ulang", target, by=CURRENT["user"])
    try:
        at = open_screen("pages/kesiapan.py", bulan="2024-09")
        assert metrics_of(at)["Hitung mundur"] == "H-40"
        assert any("Pilkada Ulang" in str(m.value) for m in at.markdown)
    finally:
        agenda.save_agenda(engine, "Pilkada Serentak 2024", dt.date(2024, 11, 27), by=CURRENT["user"])


def test_kelengkapan_counts_match_completeness(demo_db, use_db):
    from core import metrics

    use_db(demo_db)
    engine = store.create_db_engine(demo_db)
    at = open_screen("pages/kelengkapan.py", bulan="2024-09")
    matrix = metrics.completeness(store.uploads(engine), ["2024-09"])
    on_time = int((matrix["status"] == "tepat waktu").sum())
    assert metrics_of(at)["Tepat waktu"] == f"{on_time}/9"
    assert metrics_of(at)["Terlambat"] == str(int((matrix["status"] == "terlambat").sum()))
    assert any(b.label == "Unduh berkas asli" for b in at.get("download_button"))
    assert format_bulan("2024-09") in at.caption[0].value



def test_every_rerun_runs_the_frame_first(demo_db, use_db):
    """No legacy pages/ mode: a page never runs without the frame, also on AppTest's second and later runs."""
    use_db(demo_db)
    at = open_screen("pages/kinerja.py", bulan="2024-08", polsek="Polsek Noemuti")
    for _ in range(2):
        assert at.caption[0].value == "Agustus 2024 \u00b7 Polsek Noemuti"
        assert at.session_state["filters"] == ("2024-08", "Polsek Noemuti")
        assert any("Masuk sebagai" in c.value for c in at.sidebar.caption)  # the frame's sidebar
        at.run()
        assert not at.exception, at.exception


def test_mode_paparan_steps_through_slides_in_meeting_order(demo_db, use_db):
    use_db(demo_db)
    titles = []
    for number in range(1, 11):
        at = open_screen("pages/paparan.py", bulan="2024-09", slide=str(number))
        titles.append(at.title[0].value if at.title else "")
        if number == 1:
            assert at.button(key="paparan_sebelum").disabled
        if number == 10:
            assert at.button(key="paparan_berikut").disabled
        assert not at.dataframe  # large HTML tables on a slide, never the small canvas grid
    assert titles[1:] == ["Tindak Lanjut Arahan", "Kelengkapan Laporan", "Ringkasan", "Tren Kegiatan", "Kinerja Bhabinkamtibmas",
                          "Kesiapan Pemilihan", "Peta Kerawanan", "Desa Rawan", "Catatan untuk Anev"]
    at = open_screen("pages/paparan.py", bulan="2024-09", slide="3")
    at.button(key="paparan_berikut").click()
    at.run()
    assert at.query_params["slide"] in ("4", ["4"])


def _html(at) -> str:
    return "\n".join(str(e.proto.body) for e in at.get("html"))


def test_mode_paparan_lists_say_how_many_they_leave_out(demo_db, use_db):
    use_db(demo_db)
    data = views.load(store.create_db_engine(demo_db), "2024-09", access.Scope())
    rawan = views.desa_rawan_view(data).desa
    assert rawan.total > rawan.limit
    at = open_screen("pages/paparan.py", bulan="2024-09", slide="9")
    body = _html(at)
    assert rawan.note in body and body.count("<tr>") == rawan.limit + 1  # the top rows, then "6 dari 60 desa; ..."
    for name in rawan.rows["Desa"].iloc[rawan.limit:]:
        assert f"<td>{name}</td>" not in body


def test_mode_paparan_map_slide_fills_the_projector(demo_db, use_db, monkeypatch):
    use_db(demo_db)
    screen = open_screen("pages/peta.py", bulan="2024-09")
    first = open_screen("pages/paparan.py", bulan="2024-09", slide="8")  # before the browser has reported its size
    monkeypatch.setattr(ui, "viewport", lambda: (1920, 1080))  # a 1920 x 1080 projector
    slide = open_screen("pages/paparan.py", bulan="2024-09", slide="8")
    decks = [json.loads(at.get("deck_gl_json_chart")[0].proto.json) for at in (slide, first, screen)]
    assert decks[0]["initialViewState"]["zoom"] > decks[1]["initialViewState"]["zoom"]
    assert decks[0]["initialViewState"]["zoom"] > decks[2]["initialViewState"]["zoom"]  # the projector gets a bigger map
    layers = {layer["id"]: layer for layer in decks[0]["layers"]}
    shown = {r["kode"] for key in ("desa-poligon", "desa-titik") if key in layers for r in layers[key]["data"]}
    month = store.rows(store.create_db_engine(demo_db), "kerawanan", "2024-09")
    assert set(month["desa_kode"]) <= shown  # every reported desa is on the slide
    assert layers["kecamatan-label"]["getSize"] == maps.PAPARAN_LABEL_PX
    assert "Sangat Rawan" in _html(slide)  # the legend


def test_every_table_in_pages_shows_a_dash_for_missing_values():
    # the screens above are checked live; this covers every other page (peta, unggah, paparan, admin screens)
    for path in sorted((ROOT / "pages").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and ast.unparse(node.func) == "st.dataframe":
                keywords = {k.arg: ast.unparse(k.value) for k in node.keywords}
                assert keywords.get("placeholder") == "ui.KOSONG", f"{path.name}:{node.lineno}"
