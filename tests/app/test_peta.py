"""AppTest of Peta Kerawanan: the desa choropleth by default, points when no boundary files are found, on demo data
and an empty database; picking a desa opens its panel; layers, comparison, Polsek framing and the Rencana Pengamanan TPS.

AppTest cannot tap a pydeck chart, so the panel is opened through "Pilih desa", the same path a tap takes
(a tap puts the desa code in that list). The map itself is checked through the deck spec sent to the browser.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from accounts import ensure_user, sign_in
from conftest import ROOT
from streamlit.testing.v1 import AppTest

from core import demo, kerawanan, maps, metrics, reference, store, ui, wilayah

APP = str(ROOT / "frame" / "main.py")
PAGE = "../pages/peta.py"
BORONUBAEN_TIMUR = "53.03.06.1015"


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = f"sqlite:///{Path(tmp_path_factory.mktemp('peta')) / 'demo.db'}"
    engine = store.create_db_engine(url)
    demo.generate(engine, dari="2024-04", sampai="2024-09", seed=5, today=dt.date(2024, 10, 20))
    engine.dispose()
    yield url


USER: dict[str, object] = {}


@pytest.fixture
def use_db(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    def _use(url: str, polygons: bool = True, role: str = "admin", polsek: str | None = None) -> None:
        monkeypatch.setenv("ANEV_DB_URL", url)
        monkeypatch.setenv("ANEV_DEMO_OTOMATIS", "0")
        if polygons:  # the boundary files in data/
            monkeypatch.delenv("ANEV_WILAYAH_DIR", raising=False)
        else:  # a boundary folder without files: every desa a point
            monkeypatch.setenv("ANEV_WILAYAH_DIR", str(tmp_path))
        name = {"admin": "admin-uji", "polsek": "polsek-uji"}[role]
        USER["user"] = ensure_user(url, name, role, polsek)
    return _use


def open_peta(**query: str) -> AppTest:
    # A fresh AppTest per view: the filters come from the URL, as a shared link would give them.
    at = sign_in(AppTest.from_file(APP, default_timeout=90), USER["user"])
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, at.exception
    return at


def deck_of(at: AppTest) -> dict:
    charts = at.get("deck_gl_json_chart")
    assert len(charts) == 1
    return json.loads(charts[0].proto.json)


def layer(spec: dict, layer_id: str) -> dict:
    found = [entry for entry in spec["layers"] if entry["id"] == layer_id]
    assert found, [entry["id"] for entry in spec["layers"]]
    return found[0]


def texts(at: AppTest) -> str:
    parts = [*at.info, *at.success, *at.warning, *at.error, *at.caption, *at.markdown]
    return "\n".join(str(p.value) for p in parts)


def shown_codes(spec: dict) -> set[str]:
    """Desa on the map: polygons and points."""
    ids = {entry["id"] for entry in spec["layers"]}
    return {r["kode"] for key in ("desa-poligon", "desa-titik") if key in ids for r in layer(spec, key)["data"]}


def test_map_runs_on_demo_data_as_a_choropleth(demo_db, use_db):
    use_db(demo_db)
    at = open_peta(bulan="2024-09")
    assert at.title[0].value == "Peta Kerawanan"
    assert at.caption[0].value == "September 2024 \u00b7 Semua Polsek"
    spec = deck_of(at)
    ids = [entry["id"] for entry in spec["layers"]]
    assert ids[:3] == ["desa-poligon", "kecamatan-batas", "kabupaten-batas"] and "kecamatan-label" in ids
    assert spec["mapStyle"] == maps.NO_BASEMAP and "mapProvider" not in spec
    assert len({r["kode"] for r in layer(spec, "desa-poligon")["data"]}) == 192
    assert [r["kode"] for r in layer(spec, "desa-titik")["data"]] == [BORONUBAEN_TIMUR]  # no polygon, no coordinates
    assert shown_codes(spec) == set(reference.desa()["kode"])
    assert "Tanpa koordinat: 1 desa \u2013 Boronubaen Timur (Kec. Biboki Utara)" in texts(at)
    assert "Kurang Rawan" in texts(at) and "Sangat Rawan" in texts(at)  # legend
    assert "Ukuran lingkaran" not in texts(at) and "wilayah_boundaries" in texts(at)  # the source credited


def test_points_when_no_boundary_files_are_found(demo_db, use_db):
    use_db(demo_db, polygons=False)
    at = open_peta(bulan="2024-09")
    spec = deck_of(at)
    ids = [entry["id"] for entry in spec["layers"]]
    assert "desa-titik" in ids and "desa-poligon" not in ids
    assert len(layer(spec, "desa-titik")["data"]) == 193
    assert "Ukuran lingkaran: jumlah TPS" in texts(at)


@pytest.mark.parametrize("polygons", [True, False])
def test_map_on_an_empty_database(tmp_path, use_db, polygons):
    use_db(f"sqlite:///{tmp_path / 'kosong.db'}", polygons=polygons)
    at = open_peta()
    assert "Belum ada rekap yang tersimpan" in texts(at)
    spec = deck_of(at)
    records = layer(spec, "desa-poligon" if polygons else "desa-titik")["data"]
    assert {r["kerawanan_teks"] for r in records} == {kerawanan.BELUM}
    metrics_shown = {m.label: m.value for m in at.metric}
    assert metrics_shown["Polri dibutuhkan"] == "0"
    assert "193 desa belum mengisi lembar Kerawanan" in texts(at)
    assert not any("DATA CONTOH" in str(m.value) for m in at.markdown)


def test_map_is_fitted_to_the_width_the_browser_reports(demo_db, use_db, monkeypatch):
    use_db(demo_db)
    narrow = deck_of(open_peta(bulan="2024-09"))  # before the browser has said anything: a tablet's width
    monkeypatch.setattr(ui, "measure", lambda key: {"lebar": 1460, "atas": 456, "tinggi": 1080})
    wide = deck_of(open_peta(bulan="2024-09"))
    assert wide["initialViewState"]["zoom"] > narrow["initialViewState"]["zoom"]
    district = wilayah.frame_bounds(pd.DataFrame({"kode": [], "lon": [], "lat": []}), wilayah.load_boundaries(), whole_district=True)
    assert wide["initialViewState"]["zoom"] == wilayah.fit_view(district, 1460, maps.MAP_HEIGHT).zoom


def test_a_damaged_boundary_file_shows_points_and_says_why(demo_db, use_db, tmp_path, monkeypatch):
    use_db(demo_db)
    (tmp_path / "wilayah").mkdir()
    (tmp_path / "wilayah" / "wilayah_desa.geojson").write_text("bukan json", encoding="utf-8")
    monkeypatch.setenv("ANEV_WILAYAH_DIR", str(tmp_path / "wilayah"))
    at = open_peta(bulan="2024-09")
    assert any("wilayah_desa.geojson rusak" in w.value and "scripts/wilayah.py" in w.value for w in at.warning)
    assert len(layer(deck_of(at), "desa-titik")["data"]) == 193


def test_picking_a_desa_opens_its_panel(demo_db, use_db):
    use_db(demo_db)
    engine = store.create_db_engine(demo_db)
    september = metrics.desa_month(store.rows(engine, "kegiatan", "2024-09"), store.rows(engine, "kerawanan", "2024-09"))
    with_officer = september[september["nama_bhabin"].notna()]  # the demo leaves some desa without an officer
    row = with_officer.sort_values("skor_kerawanan", ascending=False).iloc[0]
    at = open_peta(bulan="2024-09")
    assert not any(m.value.startswith("### ") for m in at.markdown)
    at.selectbox(key="pilih_desa").set_value(row["kode"])
    at.run()
    assert not at.exception, at.exception
    markdown = [m.value for m in at.markdown]
    assert f"### {row['desa']}" in markdown
    shown = {m.label: m.value for m in at.metric}
    assert shown["Skor Kerawanan"] == maps.angka(row["skor_kerawanan"])
    assert any(row["tingkat_kerawanan"] in m for m in markdown)  # the badge
    officer = f"{row['pangkat']} {row['nama_bhabin']}"
    assert any(officer in m.replace("\\", "") for m in markdown)
    factors = kerawanan.factors(september[september["kode"] == row["kode"]]).iloc[0]
    for label, points in factors:
        assert f"- {label}: {points:g}" in "\n".join(markdown)
    tps = next(df.value for df in at.dataframe if "Kelas" in df.value.columns).set_index("Kelas")["TPS"]
    assert tps["Jumlah"] == row["tps"] and tps["Rawan"] == row["tps_rawan"] and tps["Sangat rawan"] == row["tps_sangat_rawan"]
    history = next(df.value for df in at.dataframe if "Bulan" in df.value.columns)
    assert list(history["Bulan"]) == ["April 2024", "Mei 2024", "Juni 2024", "Juli 2024", "Agustus 2024", "September 2024"]
    assert layer(deck_of(at), "pilihan")["data"]["properties"]["kode"] == row["kode"]  # its polygon outlined on the map


def test_desa_without_coordinates_has_a_panel_too(demo_db, use_db):
    use_db(demo_db)
    at = open_peta(bulan="2024-09")
    at.selectbox(key="pilih_desa").set_value(BORONUBAEN_TIMUR)
    at.run()
    assert "### Boronubaen Timur" in [m.value for m in at.markdown]
    assert any("tanpa koordinat" in c.value for c in at.caption)


def test_layers_switch_and_their_legends(demo_db, use_db):
    use_db(demo_db)
    at = open_peta(bulan="2024-09")
    for key, spec in maps.LAPISAN.items():
        at.button_group(key="peta_lapisan").set_value(key)
        at.run()
        assert not at.exception, at.exception
        legend = next(m.value for m in at.markdown if "Legenda" in m.value)
        assert f"Legenda {spec.judul}" in legend and spec.kelas[0].label in legend
        records = layer(deck_of(at), "desa-poligon")["data"]
        if key != "kerawanan":
            assert all(r["lapisan_teks"] for r in records)
    assert "Desa perbatasan RI\u2013RDTL" in legend


def test_comparison_with_last_month(demo_db, use_db):
    use_db(demo_db)
    at = open_peta(bulan="2024-09")
    at.toggle(key="peta_banding").set_value(True)
    at.run()
    assert not at.exception, at.exception
    assert "Makin rawan dibanding Agustus 2024" in [s.value for s in at.subheader]
    frame = kerawanan.compare(*_month_frames(demo_db))
    worse = int(frame["makin_rawan"].sum())
    ids = [entry["id"] for entry in deck_of(at)["layers"]]
    if worse:
        table = next(df.value for df in at.dataframe if "Tingkat bulan lalu" in df.value.columns)
        assert len(table) == worse
        assert "perubahan" in ids


def _month_rows(url: str, bulan: str):
    engine = store.create_db_engine(url)
    return metrics.desa_month(store.rows(engine, "kegiatan", bulan), store.rows(engine, "kerawanan", bulan))


def _month_frames(url: str):
    engine = store.create_db_engine(url)
    rows = metrics.desa_month(store.rows(engine, "kegiatan", "2024-08", "2024-09"), store.rows(engine, "kerawanan", "2024-08", "2024-09"))
    return kerawanan.map_frame(rows[rows["bulan"] == "2024-09"]), rows[rows["bulan"] == "2024-08"]


def test_step_to_the_previous_month(demo_db, use_db):
    use_db(demo_db)
    at = open_peta(bulan="2024-09")
    assert at.button(key="peta_maju").disabled
    at.button(key="peta_mundur").click()
    at.run()
    assert not at.exception, at.exception
    # The button moves the month filter of the sidebar and the URL. AppTest drops sidebar widgets on a second
    # run under st.navigation, so the new month is checked in the URL and in a fresh view of that URL.
    month = at.query_params["bulan"]
    assert month in ("2024-08", ["2024-08"])
    august = open_peta(bulan="2024-08")
    assert august.caption[0].value.startswith("Agustus 2024")
    assert not august.button(key="peta_maju").disabled and not august.button(key="peta_mundur").disabled


def test_polsek_filter_frames_its_desa(demo_db, use_db):
    use_db(demo_db)
    whole = deck_of(open_peta(bulan="2024-09"))
    at = open_peta(bulan="2024-09", polsek="Polsek Insana")
    spec = deck_of(at)
    assert shown_codes(spec) == set(reference.desa_of("Polsek Insana")["kode"])
    assert spec["initialViewState"]["zoom"] > whole["initialViewState"]["zoom"] + 0.5
    assert at.caption[0].value == "September 2024 \u00b7 Polsek Insana"


def test_rencana_pengamanan_tps(demo_db, use_db):
    use_db(demo_db)
    engine = store.create_db_engine(demo_db)
    september = metrics.desa_month(store.rows(engine, "kegiatan", "2024-09"), store.rows(engine, "kerawanan", "2024-09"))
    needed = int(kerawanan.guard_plan(september)["personel_polri"].iloc[-1])
    at = open_peta(bulan="2024-09")
    shown = {m.label: m.value for m in at.metric}
    assert shown["Polri dibutuhkan"] == f"{needed:,}".replace(",", ".")
    assert "Kebutuhan seluruh Polres TTU \u00b7 September 2024" in texts(at)
    assert at.number_input(key="personel_tersedia").value == 360
    assert "tersedia 360" in texts(at)
    at.number_input(key="personel_tersedia").set_value(needed - 7)
    at.run()
    assert f"Kurang 7 personel Polri: dibutuhkan {needed}" in " ".join(e.value for e in at.error)
    plan = next(df.value for df in at.dataframe if "Polri" in df.value.columns and "Polsek" in df.value.columns)
    assert len(plan) == 10 and plan.iloc[-1]["Polsek"] == "Polres TTU" and plan.iloc[-1]["Polri"] == needed
    rawan = kerawanan.rawan_tps_desa(september)
    listed = next(df.value for df in at.dataframe if "TPS sangat rawan" in df.value.columns)
    assert len(listed) == len(rawan)
    # the other sourced ratio; a per-kecamatan breakdown
    at.selectbox(key="rasio_skema").set_value("polres_manggarai_2024")
    at.radio(key="rencana_per").set_value("Kecamatan")
    at.run()
    manggarai = kerawanan.guard_plan(september, "polres_manggarai_2024", by="kecamatan")
    table = next(df.value for df in at.dataframe if "Kecamatan" in df.value.columns and "Linmas" in df.value.columns)
    assert len(table) == 25 and int(table.iloc[-1]["Linmas"]) == int(manggarai["personel_linmas"].iloc[-1])


def test_polsek_account_sees_only_its_polsek(demo_db, use_db):
    use_db(demo_db, role="polsek", polsek="Polsek Noemuti")
    at = open_peta(bulan="2024-09")
    assert shown_codes(deck_of(at)) == set(reference.desa_of("Polsek Noemuti")["kode"])
    assert "Kebutuhan Polsek Noemuti \u00b7 September 2024" in texts(at)
    plan = kerawanan.guard_plan(_month_rows(demo_db, "2024-09"), polsek="Polsek Noemuti")
    assert {m.label: m.value for m in at.metric}["Polri dibutuhkan"] == str(int(plan["personel_polri"].iloc[-1]))
    assert not at.number_input  # the Polres balance is not shown to a Polsek account
