"""Peta Kerawanan: the deck builder (layers, colours, sizes, tooltips, polygons or points, framing) and the
map-specific figures (Skor and Tingkat with their factors, change against last month, TPS guard plan)."""

from __future__ import annotations

import json
import re
import shutil

import pandas as pd
import pydeck as pdk
import pytest

from core import charts, kerawanan, maps, metrics, reference, wilayah

INSANA = reference.desa_of("Polsek Insana")
#: two desa of kecamatan Insana and one of Insana Barat, all of Polsek Insana, none on the border
KODE_A, KODE_B = INSANA[INSANA["kecamatan"] == "Insana"]["kode"].iloc[:2]
KODE_C = INSANA[INSANA["kecamatan"] == "Insana Barat"]["kode"].iloc[0]
BORONUBAEN_TIMUR = "53.03.06.1015"
BORDER = "53.03.16.2001"  # Inbate, Bikomi Nilulat: a border village in the reference data


def _kegiatan(kode: str, **values) -> dict:
    row = {key: 0 for key in reference.count_keys("kegiatan")}
    row.update({"desa_kode": kode, "fkpm_aktif": False, "nama_bhabin": "Yohanes Taolin", "pangkat": "Bripka",
                "nrp": "85010001", "keterangan": None})
    row.update(values)
    return row


def _kerawanan(kode: str, **values) -> dict:
    row = {key: 0 for key in reference.count_keys("kerawanan")}
    row.update({key: False for key in reference.bool_keys("kerawanan")})
    row.update({"desa_kode": kode, "potensi_gangguan": None})
    row.update(values)
    return row


def _month(keg: list[dict], ker: list[dict], bulan: str = "2024-09") -> pd.DataFrame:
    """`metrics.desa_month` of hand-made rows for one month (with `bulan`, as the screens get it)."""
    columns_keg = ["desa_kode", *[i.key for i in reference.sheet_indicators("kegiatan") if i.key not in ("desa", "kecamatan")]]
    columns_ker = ["desa_kode", *[i.key for i in reference.sheet_indicators("kerawanan") if i.key not in ("desa", "kecamatan")]]
    k = pd.DataFrame(keg, columns=columns_keg).assign(bulan=bulan)
    r = pd.DataFrame(ker, columns=columns_ker).assign(bulan=bulan)
    for frame in (k, r):
        frame["polsek"] = frame["desa_kode"].map(reference.desa().set_index("kode")["polsek"])
    return metrics.desa_month(k, r)


@pytest.fixture(scope="module")
def september() -> pd.DataFrame:
    """Polsek Insana, September 2024, worked by hand (weights from data/indeks.csv):

    A: riwayat_konflik 20 + politik_uang 15 + 1 gangguan 15 = 50 -> Rawan; 4 TPS kurang rawan.
    B: nothing -> 0, but 1 rawan and 1 sangat rawan TPS -> Sangat Rawan; 3 TPS (1/1/1).
    C: riwayat_konflik 20 + sengketa 10 = 30 -> Kurang Rawan; 2 TPS, 1 classified; pos kamling 1 of 4.
    Every other desa of TTU did not report.
    """
    return _month(
        [_kegiatan(KODE_A, gangguan_kamtibmas=1, pos_kamling=2, pos_kamling_aktif=2),
         _kegiatan(KODE_B, koordinasi_penyelenggara=1, sosialisasi_pemilihan=1, pos_kamling=4, pos_kamling_aktif=4, fkpm_aktif=True,
                   linmas=6),
         _kegiatan(KODE_C, gangguan_kamtibmas=4, pos_kamling=4, pos_kamling_aktif=1)],
        [_kerawanan(KODE_A, tps=4, tps_kurang_rawan=4, riwayat_konflik=True, politik_uang=True, potensi_gangguan="Konflik pendukung"),
         _kerawanan(KODE_B, tps=3, tps_kurang_rawan=1, tps_rawan=1, tps_sangat_rawan=1),
         _kerawanan(KODE_C, tps=2, tps_kurang_rawan=1, riwayat_konflik=True, sengketa=True)],
    )


@pytest.fixture(scope="module")
def frame(september) -> pd.DataFrame:
    return kerawanan.map_frame(september)


def _row(frame: pd.DataFrame, kode: str) -> pd.Series:
    return frame[frame["kode"] == kode].iloc[0]


def _layer(deck, layer_id: str) -> dict:
    spec = json.loads(deck.to_json())
    found = [layer for layer in spec["layers"] if layer["id"] == layer_id]
    assert found, f"no layer {layer_id} in {maps.layer_ids(deck)}"
    return found[0]


def _records(deck, layer_id: str) -> dict[str, dict]:
    return {r["kode"]: r for r in _layer(deck, layer_id)["data"]}


# --------------------------------------------------------------------------- the figures behind the map


def test_skor_tingkat_and_factors_hand_computed(frame):
    a, b, c = _row(frame, KODE_A), _row(frame, KODE_B), _row(frame, KODE_C)
    assert (a["skor"], a["tingkat"]) == (50, "Rawan")
    assert a["faktor"] == (("Riwayat Konflik", 20.0), ("Politik Uang", 15.0), ("Ada Gangguan Kamtibmas", 15.0))
    assert (b["skor"], b["tingkat"]) == (0, "Sangat Rawan")  # raised by its sangat rawan TPS
    assert b["faktor"] == ()
    assert (c["skor"], c["tingkat"]) == (45, "Rawan")  # 20 + 10 + gangguan 15
    assert maps.factor_text(a) == "Riwayat Konflik (20), Politik Uang (15), Ada Gangguan Kamtibmas (15)"
    assert maps.factor_text(b) == "tidak ada"


def test_map_frame_keeps_every_desa_of_the_filter(frame, september):
    assert len(frame) == 193 and frame["kode"].is_unique
    assert int(frame["melapor"].sum()) == 3
    silent = frame[~frame["melapor"]]
    assert set(silent["tingkat"]) == {kerawanan.BELUM} and silent["skor"].isna().all()
    insana = kerawanan.map_frame(september, "Polsek Insana")
    assert len(insana) == len(INSANA) and set(insana["polsek"]) == {"Polsek Insana"}


def test_layer_values_pos_kamling_tps_and_border(frame):
    a, b, c = _row(frame, KODE_A), _row(frame, KODE_B), _row(frame, KODE_C)
    assert c["pos_kamling_rasio"] == pytest.approx(0.25) and a["pos_kamling_rasio"] == 1
    assert c["tps_belum_dipetakan"] == 1
    assert maps.tps_text(b) == "3 (1 kurang rawan, 1 rawan, 1 sangat rawan)"
    assert maps.tps_text(c) == "2 (1 kurang rawan, 0 rawan, 0 sangat rawan, 1 belum dipetakan)"
    assert maps.layer_text(c, "pos_kamling") == "Pos kamling aktif: 1 dari 4 (25%)"
    assert maps.layer_text(b, "kesiapan") == "Indeks Kesiapan: 100,0"
    assert bool(_row(frame, BORDER)["perbatasan"]) and not bool(a["perbatasan"])


@pytest.mark.parametrize(
    ("lapisan", "kode", "kelas"),
    [
        ("kerawanan", KODE_A, "Rawan"),
        ("kerawanan", KODE_B, "Sangat Rawan"),
        ("kerawanan", BORDER, kerawanan.BELUM),
        ("kesiapan", KODE_B, "\u2265 80"),
        ("kesiapan", KODE_A, "< 40"),
        ("pos_kamling", KODE_C, "25\u201349%"),
        ("pos_kamling", KODE_A, "75\u2013100%"),
        ("gangguan", KODE_A, "1 kejadian"),
        ("gangguan", KODE_C, "\u2265 4 kejadian"),
        ("gangguan", KODE_B, "Tidak ada"),
        ("perbatasan", BORDER, "Desa perbatasan RI\u2013RDTL"),
        ("perbatasan", KODE_A, "Bukan desa perbatasan"),
    ],
)
def test_classes_per_layer(frame, lapisan, kode, kelas):
    classes = maps.classify(frame, lapisan)
    assert classes[frame.index[frame["kode"] == kode][0]] == kelas


def test_guard_plan_per_polsek_and_kecamatan_hand_computed(september):
    # Polres TTU 2024 (Polri:TPS:Linmas): kurang rawan 1:3:6, rawan 1:1:2, sangat rawan 2:1:2.
    # Polsek Insana: kurang rawan 4+1+1 = 6, plus 1 unclassified TPS guarded as kurang rawan = 7 -> 7/3, rawan 1 -> 1,
    # sangat rawan 1 -> 2 => ceil(5.33) = 6 Polri; Linmas 7x2 + 1x2 + 1x2 = 18.
    plan = kerawanan.guard_plan(september, by="polsek").set_index("polsek")
    assert plan.loc["Polsek Insana", "personel_polri"] == 6 and plan.loc["Polsek Insana", "personel_linmas"] == 18
    assert plan.loc["Polsek Insana", "tps"] == 9 and plan.loc["Polsek Insana", "tps_belum_dipetakan"] == 1
    assert plan.loc["Polsek Insana", "desa_melapor"] == 3 and plan.loc["Polsek Insana", "desa_total"] == len(INSANA)
    assert plan.loc["Polsek Noemuti", "personel_polri"] == 0 and plan.loc["Polsek Noemuti", "desa_melapor"] == 0
    assert plan.loc["Polres TTU", "personel_polri"] == 6 and len(plan) == 10  # 9 Polsek + total
    # per kecamatan the need before rounding, and a total equal to the Polsek's rounded figure (the card's number)
    per_kecamatan = kerawanan.guard_plan(september, by="kecamatan", polsek="Polsek Insana").set_index("kecamatan")
    assert per_kecamatan.loc["Insana Barat", "personel_polri"] == pytest.approx(0.7)  # 2 TPS (1 unclassified) at 1:3
    assert per_kecamatan.loc["Jumlah", "personel_polri"] == plan.loc["Polsek Insana", "personel_polri"] == 6
    assert len(per_kecamatan) == 5
    # Polres Manggarai 2024: kurang rawan 1:3:2 -> Linmas 7 x 2/3 = 4.7, rawan 1, sangat rawan 2 => ceil(7.7) = 8
    manggarai = kerawanan.guard_plan(september, "polres_manggarai_2024").set_index("polsek")
    assert manggarai.loc["Polsek Insana", "personel_linmas"] == 8 and manggarai.loc["Polsek Insana", "personel_polri"] == 6
    assert "1 TPS belum diberi kelas kerawanan" in kerawanan.unclassified_tps(september, "Polsek Insana")


def test_guard_plan_pemilu_2024_balance():
    # 750 / 19 / 5 TPS of Pemilu 2024 in one desa: 250 + 19 + 10 = 279 Polri; 360 available -> 81 left over
    month = _month([_kegiatan(KODE_A)], [_kerawanan(KODE_A, tps=774, tps_kurang_rawan=750, tps_rawan=19, tps_sangat_rawan=5)])
    needed = int(kerawanan.guard_plan(month)["personel_polri"].iloc[-1])
    assert needed == 279
    assert kerawanan.balance(needed, kerawanan.personnel_available()) == (81, "lebih")
    assert kerawanan.balance(400, 360) == (-40, "kurang") and kerawanan.balance(5, 5) == (0, "pas")


def test_schemes_are_the_sourced_ones():
    assert set(kerawanan.guard_schemes()) == {"polres_ttu_2024", "polres_manggarai_2024"}
    assert kerawanan.default_scheme() == "polres_ttu_2024"
    assert kerawanan.ratio_text("polres_ttu_2024") == "kurang rawan 1 : 3 : 6 \u00b7 rawan 1 : 1 : 2 \u00b7 sangat rawan 2 : 1 : 2"


def test_rawan_tps_desa_for_plotting_personnel(september):
    rawan = kerawanan.rawan_tps_desa(september)
    assert list(rawan["kode"]) == [KODE_B]
    assert rawan.iloc[0]["personel_polri"] == 3 and rawan.iloc[0]["personel_linmas"] == 4  # 1x1 + 1x2; 2 + 2
    assert kerawanan.rawan_tps_desa(september, polsek="Polsek Noemuti").empty


def test_compare_marks_desa_that_got_worse(september):
    august = _month(
        [_kegiatan(KODE_A), _kegiatan(KODE_B), _kegiatan(KODE_C, gangguan_kamtibmas=4, pos_kamling=4)],
        [_kerawanan(KODE_A, tps=4, tps_kurang_rawan=4, riwayat_konflik=True),  # 20 Kurang Rawan -> 50 Rawan
         _kerawanan(KODE_B, tps=3, tps_kurang_rawan=3),  # 0 Kurang Rawan -> 0 Sangat Rawan (TPS)
         _kerawanan(KODE_C, tps=2, tps_kurang_rawan=1, riwayat_konflik=True, sengketa=True)],  # 45 -> 45
        bulan="2024-08",
    )
    frame = kerawanan.compare(kerawanan.map_frame(september), august)
    a, b, c = _row(frame, KODE_A), _row(frame, KODE_B), _row(frame, KODE_C)
    assert a["makin_rawan"] and a["naik_tingkat"] and a["selisih_skor"] == 30
    assert b["makin_rawan"] and b["naik_tingkat"] and b["selisih_skor"] == 0
    assert not c["makin_rawan"] and c["dibandingkan"]
    assert int(frame["dibandingkan"].sum()) == 3
    table = kerawanan.worse_table(frame)
    assert list(table.columns)[:2] == ["Desa/Kelurahan", "Kecamatan"] and len(table) == 2
    assert list(table["Naik tingkat"]) == ["Ya", "Ya"] and table.iloc[0]["Skor bulan ini"] == 50
    nothing_before = kerawanan.compare(kerawanan.map_frame(september), august.iloc[0:0])
    assert not nothing_before["makin_rawan"].any() and not nothing_before["dibandingkan"].any()


def test_desa_history_six_months_with_gaps(september):
    july = _month([_kegiatan(KODE_A)], [_kerawanan(KODE_A, tps=4, tps_kurang_rawan=4)], bulan="2024-07")
    history = pd.concat([july, september], ignore_index=True)
    table = kerawanan.desa_history(history, KODE_A, "2024-09")
    assert list(table["Bulan"]) == ["April 2024", "Mei 2024", "Juni 2024", "Juli 2024", "Agustus 2024", "September 2024"]
    assert list(table["Tingkat"]) == [kerawanan.BELUM] * 3 + ["Kurang Rawan", kerawanan.BELUM, "Rawan"]
    assert table.iloc[-1]["Skor Kerawanan"] == 50 and table.iloc[-1]["Gangguan"] == 1


# --------------------------------------------------------------------------- the deck


@pytest.mark.parametrize("lapisan", list(maps.LAPISAN))
def test_points_deck_per_layer_offline(frame, lapisan):
    deck = maps.build_deck(frame, lapisan)
    ids = maps.layer_ids(deck)
    assert ids[0] == "desa-titik" and "kecamatan-label" in ids and "desa-poligon" not in ids
    spec = json.loads(deck.to_json())
    assert spec["mapStyle"] == maps.NO_BASEMAP and "mapProvider" not in spec  # Streamlit draws no basemap
    assert "cartocdn" not in deck.to_json() and "mapbox" not in deck.to_json()
    points = _records(deck, "desa-titik")
    assert len(points) == 193
    expected = maps.classify(frame, lapisan)
    for i, row in frame.iterrows():
        assert tuple(points[row["kode"]]["warna"][:3]) == maps.LAPISAN[lapisan].colour(expected[i])


def test_colour_per_level_is_the_app_colour_language(frame):
    deck = maps.build_deck(frame, "kerawanan")
    points = _records(deck, "desa-titik")
    hex_of = {name: "#{:02X}{:02X}{:02X}".format(*points[k]["warna"][:3]) for name, k in
              (("Rawan", KODE_A), ("Sangat Rawan", KODE_B))}
    assert hex_of == {"Rawan": charts.TINGKAT_COLOURS["Rawan"], "Sangat Rawan": charts.TINGKAT_COLOURS["Sangat Rawan"]}
    assert tuple(points[BORDER]["warna"][:3]) == maps.BELUM_RGB
    green = maps.TINGKAT_RGB["Kurang Rawan"]
    assert green[1] > green[0] and green[1] > green[2]  # green-ish
    red, amber = maps.TINGKAT_RGB["Sangat Rawan"], maps.TINGKAT_RGB["Rawan"]
    assert red[0] > 150 and red[1] < 80 and amber[0] > 200 and amber[1] > 120


def test_point_size_grows_with_tps(frame):
    points = _records(maps.build_deck(frame, "kerawanan"), "desa-titik")
    assert points[KODE_C]["radius"] < points[KODE_B]["radius"] < points[KODE_A]["radius"]  # 2 < 3 < 4 TPS
    assert points[BORDER]["radius"] == maps.tps_radius(0)
    assert maps.tps_radius(9) - maps.tps_radius(4) == pytest.approx(maps.tps_radius(4) - maps.tps_radius(1))  # sqrt scale
    layer = _layer(maps.build_deck(frame, "kerawanan"), "desa-titik")
    assert (layer["radiusMinPixels"], layer["radiusMaxPixels"]) == maps.RADIUS_PIXELS


def test_tooltip_fields_exist_in_every_pickable_object(frame):
    for lapisan in maps.LAPISAN:
        deck = maps.build_deck(frame, lapisan)
        html = deck._tooltip["html"]
        fields = set(re.findall(r"{(\w+)}", html))
        assert {"desa", "kecamatan", "polsek", "bhabin", "kerawanan_teks", "faktor_teks", "tps_teks", "potensi"} <= fields
        assert ("lapisan_teks" in fields) == (lapisan != "kerawanan")
        for record in _layer(deck, "desa-titik")["data"]:
            assert fields <= set(record)
    a = _records(maps.build_deck(frame, "gangguan"), "desa-titik")[KODE_A]
    assert a["desa"] == _row(frame, KODE_A)["desa"] and a["kecamatan"] == "Insana" and a["polsek"] == "Polsek Insana"
    assert a["bhabin"] == "Bripka Yohanes Taolin (NRP 85010001)" and a["kerawanan_teks"] == "Skor 50 \u00b7 Rawan"
    assert a["lapisan_teks"] == "Gangguan kamtibmas: 1 kejadian" and a["potensi"] == "Konflik pendukung"
    silent = _records(maps.build_deck(frame, "kerawanan"), "desa-titik")[BORDER]
    assert silent["kerawanan_teks"] == kerawanan.BELUM and silent["tps_teks"] == "belum dilaporkan"


def test_literal_strings_are_not_sent_as_expressions(frame):
    # pydeck turns plain strings into "@@=" JavaScript; units, fonts and anchors must stay literal
    accessors = {"getPosition", "getRadius", "getFillColor", "getText", "getPolygon"}
    for deck in (maps.build_deck(frame, "kerawanan", pilihan=KODE_A), maps.build_deck(frame, "kerawanan", banding=True)):
        for layer in json.loads(deck.to_json())["layers"]:
            for key, value in layer.items():
                if isinstance(value, str) and value.startswith("@@="):
                    assert key in accessors, (layer["id"], key, value)


def test_desa_without_coordinates_is_placed_and_marked(frame):
    row = _row(frame, BORONUBAEN_TIMUR)
    assert row["tanpa_koordinat"] and row["kecamatan"] == "Biboki Utara"
    others = reference.desa()
    others = others[(others["kecamatan"] == "Biboki Utara") & others["lat"].notna()]
    assert row["lat"] == pytest.approx(others["lat"].mean()) and row["lon"] == pytest.approx(others["lon"].mean())
    deck = maps.build_deck(frame, "kerawanan")
    assert BORONUBAEN_TIMUR in _records(deck, "desa-titik")
    marks = _layer(deck, "tanpa-koordinat")["data"]
    assert [m["kode"] for m in marks] == [BORONUBAEN_TIMUR] and marks[0]["teks"] == "?"
    assert "Lokasi perkiraan" in _records(deck, "desa-titik")[BORONUBAEN_TIMUR]["catatan"]
    assert "tanpa koordinat" in maps.legend_note("kerawanan", frame)
    insana = kerawanan.map_frame(pd.DataFrame(columns=["kode"]), "Polsek Insana")
    assert "tanpa-koordinat" not in maps.layer_ids(maps.build_deck(insana))


def _visible(view, width=maps.FIT_WIDTH, height=maps.MAP_HEIGHT):
    """(west, south, east, north) shown by a view in a map of width x height pixels."""
    return wilayah.visible_bounds(view, width, height)


def test_whole_district_fits_the_tablet_and_the_projector(frame):
    deck = maps.build_deck(frame, "kerawanan")
    west, south, east, north = _visible(deck.initial_view_state)
    assert frame["lon"].between(west, east).all() and frame["lat"].between(south, north).all()
    assert 8.5 < deck.initial_view_state.zoom < 9.6
    # a 1024 x 768 tablet in landscape with the sidebar open leaves ~564 px: still the whole district
    west, _, east, _ = _visible(deck.initial_view_state, width=564)
    assert frame["lon"].between(west, east).all()


def test_view_fits_the_selected_polsek(september):
    insana = kerawanan.map_frame(september, "Polsek Insana")
    deck = maps.build_deck(insana, "kerawanan", polsek="Polsek Insana")
    view = deck.initial_view_state
    west, south, east, north = _visible(view)
    assert insana["lon"].between(west, east).all() and insana["lat"].between(south, north).all()
    whole = maps.build_deck(kerawanan.map_frame(september), "kerawanan").initial_view_state
    assert view.zoom > whole.zoom + 0.5
    assert insana["lon"].min() < view.longitude < insana["lon"].max()
    assert len(_layer(deck, "desa-titik")["data"]) == len(INSANA)


def test_banding_outlines_worse_desa_and_fades_the_rest(frame):
    worse = frame.assign(makin_rawan=frame["kode"] == KODE_A, tingkat_lalu="Kurang Rawan", skor_lalu=20.0)
    deck = maps.build_deck(worse, "kerawanan", banding=True)
    rings = _layer(deck, "perubahan-titik")["data"]
    assert [r["kode"] for r in rings] == [KODE_A]
    points = _records(deck, "desa-titik")
    assert points[KODE_A]["warna"][3] > 200 and points[KODE_B]["warna"][3] < 120
    assert "Makin rawan: bulan lalu Kurang Rawan, skor 20" in points[KODE_A]["catatan"]
    assert "perubahan-titik" not in maps.layer_ids(maps.build_deck(worse, "kerawanan"))
    assert "Makin rawan" not in _records(maps.build_deck(worse, "kerawanan"), "desa-titik")[KODE_A]["catatan"]


def test_picked_desa_is_outlined(frame):
    deck = maps.build_deck(frame, "kerawanan", pilihan=KODE_B)
    assert [r["kode"] for r in _layer(deck, "pilihan")["data"]] == [KODE_B]
    assert "pilihan" not in maps.layer_ids(maps.build_deck(frame, "kerawanan", pilihan="99.99"))


def test_basemap_only_when_asked(frame):
    online = json.loads(maps.build_deck(frame, peta_dasar=True).to_json())
    assert online["mapProvider"] == "carto" and "cartocdn" in online["mapStyle"]


def test_selection_state_gives_the_desa_code():
    point = {"selection": {"indices": {"desa-titik": [3]}, "objects": {"desa-titik": [{"kode": KODE_A, "desa": "x"}]}}}
    polygon = {"selection": {"indices": {"desa-poligon": [0]}, "objects": {"desa-poligon": [{"kode": KODE_B, "poligon": []}]}}}
    feature = {"selection": {"objects": {"desa-poligon": [{"properties": {"kode": KODE_C}}]}}}
    assert maps.selected_code(point) == KODE_A and maps.selected_code(polygon) == KODE_B and maps.selected_code(feature) == KODE_C
    assert maps.selected_code({"selection": {"indices": {}, "objects": {}}}) is None
    assert maps.selected_code(None) is None


def test_legends_in_indonesian(frame):
    for key, spec in maps.LAPISAN.items():
        html = maps.legend_html(key, frame)
        for item in maps.legend(key, frame):
            assert item.label in html
        assert spec.catatan and spec.judul and spec.pendek
    labels = [k.label for k in maps.legend("kerawanan")]
    assert labels == ["Kurang Rawan", "Rawan", "Sangat Rawan", kerawanan.BELUM]
    assert "Ukuran lingkaran: jumlah TPS" in maps.legend_note("kerawanan", frame, points=True)
    assert "Ukuran lingkaran" not in maps.legend_note("kerawanan", frame, points=False)
    assert "Garis tebal hitam" in maps.legend_note("kerawanan", frame, banding=True)
    reported_only = frame[frame["melapor"]]
    assert kerawanan.BELUM not in [k.label for k in maps.legend("kerawanan", reported_only)]


def test_compact_json_is_what_the_browser_gets(frame):
    deck = maps.build_deck(frame)
    text = deck.to_json()
    assert "\n" not in text and '":' in text and '": ' not in text
    assert json.loads(text) == json.loads(pdk.Deck.to_json(deck))  # the same spec as pydeck's, only without indentation
    assert len(pdk.Deck.to_json(deck)) > 1.5 * len(text)
    assert maps.payload_bytes(deck) > len(text.encode())  # spec plus tooltip


# --------------------------------------------------------------------------- polygons (the default map) and labels


@pytest.fixture(scope="module")
def batas() -> wilayah.Boundaries:
    found = wilayah.load_boundaries()
    assert found is not None, "data/ harus memuat berkas batas wilayah (python3 scripts/wilayah.py)"
    return found


def test_boundary_files_ship_in_data_and_load_by_default(batas, monkeypatch, tmp_path):
    assert len(batas.desa) == 192 and len(batas.kecamatan) == 24 and batas.kabupaten
    assert BORONUBAEN_TIMUR not in batas.desa  # the source has no polygon for it
    assert "wilayah_boundaries" in batas.sumber and "Cahya DSN" in batas.sumber
    assert len(batas.kecamatan_lines) >= 23  # 24 kecamatan in one piece of land share at least 23 borders
    # ANEV_WILAYAH_DIR points elsewhere: that folder is used, and without files there the map falls back to points
    monkeypatch.setenv("ANEV_WILAYAH_DIR", str(tmp_path))
    assert wilayah.load_boundaries() is None
    for name in (wilayah.DESA_FILE, wilayah.KABUPATEN_FILE):
        shutil.copy(batas.folder + "/" + name, tmp_path / name)
    other = wilayah.load_boundaries()
    assert other is not None and other.folder == str(tmp_path) and len(other.desa) == 192 and not other.kecamatan
    (tmp_path / wilayah.DESA_FILE).write_text("{rusak", encoding="utf-8")
    with pytest.raises(ValueError, match=r"rusak.*scripts/wilayah\.py"):
        wilayah.load_boundaries()
    assert wilayah.load_boundaries(tmp_path / "tidak-ada") is None


def test_default_map_is_a_choropleth_of_desa(frame, batas):
    deck = maps.build_deck(frame, "kerawanan", batas)
    ids = maps.layer_ids(deck)
    assert ids[:3] == ["desa-poligon", "kecamatan-batas", "kabupaten-batas"] and ids[-1] == "kecamatan-label"
    shapes = _layer(deck, "desa-poligon")
    assert shapes["pickable"] and shapes["filled"] and shapes["stroked"]
    assert {s["kode"] for s in shapes["data"]} == set(frame["kode"]) - {BORONUBAEN_TIMUR}
    colour = {s["kode"]: s["warna"] for s in shapes["data"]}
    assert tuple(colour[KODE_A][:3]) == maps.TINGKAT_RGB["Rawan"] and tuple(colour[KODE_B][:3]) == maps.TINGKAT_RGB["Sangat Rawan"]
    assert tuple(colour[BORDER][:3]) == maps.BELUM_RGB
    fields = set(re.findall(r"{(\w+)}", deck._tooltip["html"]))
    assert all(fields <= set(s) for s in shapes["data"])  # every tapped polygon carries its tooltip
    # the desa without a polygon (and without coordinates) stays on the map as a point marked ?
    assert list(_records(deck, "desa-titik")) == [BORONUBAEN_TIMUR]
    assert [m["kode"] for m in _layer(deck, "tanpa-koordinat")["data"]] == [BORONUBAEN_TIMUR]
    # kecamatan borders once per pair of neighbours, the district outline as one polygon
    assert len(_layer(deck, "kecamatan-batas")["data"]["features"]) == len(batas.kecamatan_lines)
    assert _layer(deck, "kabupaten-batas")["data"]["geometry"]["type"] == "Polygon"
    assert "cartocdn" not in deck.to_json()


@pytest.mark.parametrize("lapisan", list(maps.LAPISAN))
def test_polygon_colours_per_layer(frame, batas, lapisan):
    deck = maps.build_deck(frame, lapisan, batas)
    expected = maps.classify(frame, lapisan)
    colours = {s["kode"]: s["warna"] for s in _layer(deck, "desa-poligon")["data"]}
    for i, row in frame.iterrows():
        if row["kode"] in colours:
            assert tuple(colours[row["kode"]][:3]) == maps.LAPISAN[lapisan].colour(expected[i])


def test_a_desa_without_polygon_falls_back_to_a_point(frame, batas):
    # the same frame, with a boundary file that lacks KODE_C: it is drawn as a point at its own coordinates
    partial = wilayah.Boundaries({k: g for k, g in batas.desa.items() if k != KODE_C}, batas.kecamatan, batas.kecamatan_lines,
                                 batas.kabupaten, batas.folder)
    deck = maps.build_deck(frame, "kerawanan", partial)
    points = _records(deck, "desa-titik")
    assert set(points) == {KODE_C, BORONUBAEN_TIMUR}
    c = _row(frame, KODE_C)
    assert points[KODE_C]["posisi"] == [round(c["lon"], 5), round(c["lat"], 5)] and not c["tanpa_koordinat"]
    assert KODE_C not in {s["kode"] for s in _layer(deck, "desa-poligon")["data"]}


def test_polygons_fit_a_polsek(september, batas):
    insana = kerawanan.map_frame(september, "Polsek Insana")
    deck = maps.build_deck(insana, "kerawanan", batas, polsek="Polsek Insana")
    west, south, east, north = _visible(deck.initial_view_state)
    bounds = wilayah.geometry_bounds([batas.desa[k] for k in insana["kode"]])
    assert west <= bounds[0] and east >= bounds[2] and south <= bounds[1] and north >= bounds[3]
    assert {s["kode"] for s in _layer(deck, "desa-poligon")["data"]} == set(insana["kode"])
    # only the borders that touch the Polsek's kecamatan, only the Polsek's kecamatan named
    own = set(insana["kode_kecamatan"])
    lines = _layer(deck, "kecamatan-batas")["data"]["features"]
    assert lines and all(own & set(f["properties"]["kecamatan"]) for f in lines) and len(lines) < len(batas.kecamatan_lines)
    assert {label["kode"] for label in _layer(deck, "kecamatan-label")["data"]} <= own
    whole = maps.build_deck(kerawanan.map_frame(september), "kerawanan", batas)
    assert deck.initial_view_state.zoom > whole.initial_view_state.zoom + 0.5


def test_banding_and_picking_outline_polygons(frame, batas):
    worse = frame.assign(makin_rawan=frame["kode"] == KODE_A, tingkat_lalu="Kurang Rawan", skor_lalu=20.0)
    deck = maps.build_deck(worse, "kerawanan", batas, banding=True, pilihan=KODE_B)
    assert [f["properties"]["kode"] for f in _layer(deck, "perubahan")["data"]["features"]] == [KODE_A]
    colours = {s["kode"]: s["warna"] for s in _layer(deck, "desa-poligon")["data"]}
    assert colours[KODE_A][3] > 200 and colours[KODE_B][3] < 120
    assert _layer(deck, "pilihan")["data"]["properties"]["kode"] == KODE_B


def test_whole_district_payload(frame, batas):
    # measured in docs/benchmarks.md ("Peta: ukuran muatan"); the points-only map was about 86 KB, polygons read and
    # simplified at run time about 412 KB
    deck = maps.build_deck(frame, "kerawanan", batas)
    assert 150_000 < maps.payload_bytes(deck) < 320_000
    coordinates = sum(len(wilayah.points_of(g)) for g in batas.desa.values())
    assert coordinates < 9_000


SIZES = {"tablet": (600, 560), "layar-1920": (1460, 560), "paparan-1366": (1206, 357), "paparan-1920": (1760, 669)}


@pytest.mark.parametrize("size", list(SIZES))
def test_district_fills_the_map_it_is_fitted_for(frame, batas, size):
    width, height = SIZES[size]
    view = maps.build_deck(frame, "kerawanan", batas, size=(width, height)).initial_view_state
    west, south, east, north = wilayah.frame_bounds(frame, batas, whole_district=True)
    x0, y0 = wilayah.to_pixels(view, width, height, west, north)
    x1, y1 = wilayah.to_pixels(view, width, height, east, south)
    assert 0 <= x0 < x1 <= width and 0 <= y0 < y1 <= height  # whole
    assert (x1 - x0) / width > 0.9 or (y1 - y0) / height > 0.9  # and as large as it fits


@pytest.mark.parametrize("size", list(SIZES))
def test_kecamatan_labels_do_not_overlap(frame, batas, size):
    width, height = SIZES[size]
    label_px = maps.PAPARAN_LABEL_PX if size.startswith("paparan") else maps.LABEL_PX
    deck = maps.build_deck(frame, "kerawanan", batas, size=(width, height), label_px=label_px)
    labels = _layer(deck, "kecamatan-label")
    assert labels["getSize"] == label_px
    placed = wilayah.place_labels(maps._label_candidates(frame, batas), deck.initial_view_state, width, height, label_px,
                                  avoid=[(r.lon, r.lat) for r in frame[frame["tanpa_koordinat"]].itertuples()])
    assert [p.kode for p in placed] == [d["kode"] for d in labels["data"]]
    assert 8 <= len(placed) <= 24  # fewer labels than kecamatan where they would collide, but a readable number
    for i, a in enumerate(placed):
        assert a.box[0] >= 0 and a.box[2] <= width and a.box[1] >= 0 and a.box[3] <= height
        for b in placed[i + 1:]:
            assert a.box[2] <= b.box[0] or b.box[2] <= a.box[0] or a.box[3] <= b.box[1] or b.box[3] <= a.box[1], (a, b)
    # the largest kecamatan always gets its name
    largest = max(batas.kecamatan.values(), key=lambda k: k.luas_km2)
    assert largest.kode in {p.kode for p in placed}


def test_label_placement_rules():
    view = pdk.ViewState(latitude=-9.3, longitude=124.5, zoom=10)
    big = ("1", "Miomaffo Timur", 124.5, -9.3, 100.0)
    near = ("2", "Noemuti", 124.5005, -9.3005, 50.0)  # a few pixels away: collides, smaller, left out
    far = ("3", "Insana", 124.6, -9.3, 10.0)
    edge = ("4", "Mutis", 124.5 + 0.35, -9.3, 500.0)  # beyond the right edge of a 400 px map
    placed = wilayah.place_labels([near, far, big, edge], view, 400, 300, 12)
    assert [p.kode for p in placed] == ["1", "3"]
    assert placed[0].teks == "MIOMAFFO\nTIMUR" and wilayah.label_text("Insana") == "INSANA"
    assert wilayah.label_text("Kota Kefamenanu") == "KOTA\nKEFAMENANU"
    # a mark drawn on top (the ? of a desa without coordinates) keeps a label off it
    assert [p.kode for p in wilayah.place_labels([far], view, 400, 300, 12, avoid=[(124.6, -9.3)])] == []


def test_peta_map_size_from_what_the_browser_reports():
    assert maps.map_size(None) == (maps.FIT_WIDTH, maps.MAP_HEIGHT)
    assert maps.map_size({"lebar": 1460, "atas": 456, "tinggi": 1080}) == (1460, maps.MAP_HEIGHT)


def test_tooltip_text_is_escaped_once_by_streamlit():
    from pathlib import Path

    import pandas as pd
    import streamlit

    from core import maps

    row = pd.Series({"kode": "53.03.08.2018", "desa": "Fatu'Ana", "kecamatan": "Insana", "polsek": "Polsek Insana",
                     "nama_bhabin": "<img src=x onerror=alert(1)>", "pangkat": "Bripka", "nrp": "85010001", "melapor": True,
                     "potensi_gangguan": "<script>alert(2)</script>", "ada_kerawanan": False, "tps": None, "faktor": [],
                     "skor": 10, "tingkat": "Kurang Rawan", "tanpa_koordinat": False, "perbatasan": False})
    props = maps._properties(row, "kerawanan", [0, 0, 0])
    assert props["desa"] == "Fatu'Ana" and props["potensi"] == "<script>alert(2)</script>"  # not escaped twice
    # ... because Streamlit's deck.gl tooltip escapes each value it puts into the html template (1.67: `t.html=…(e,t.html,!0)`
    # with an &, <, >, ", ' map). If an upgrade drops that, this fails and _properties must escape again.
    bundle = next((Path(streamlit.__file__).parent / "static" / "static" / "js").glob("DeckGlJsonChart*.js")).read_text()
    assert "`&#x27;`" in bundle and "`&lt;`" in bundle and ".html,!0)" in bundle
