"""The boundary files, desa points and border list in data/: what `scripts/wilayah.py` derives, checked as committed.

The committed files are checked always (points inside their desa, the border desa the issue names, sizes, one clean
coverage); that the script still makes exactly these files is checked when the source folder is present.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import shutil
import sys
from pathlib import Path

import pytest

from core import wilayah

shapely = pytest.importorskip("shapely")
from shapely.geometry import Point, shape  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
SCRIPT = ROOT / "scripts" / "wilayah.py"
SOURCE = ROOT.parent / "shared" / "data" / "wilayah"
needs_source = pytest.mark.skipif(not (SOURCE / "ttu_desa.geojson").is_file(), reason=f"poligon sumber tidak ada di {SOURCE}")
BORONUBAEN_TIMUR = "53.03.06.1015"
#: Issue 16: desa touching the district outline on the Oecusse side that were not flagged, by kecamatan.
TOUCHING = {"Naibenu": {"Manamas", "Benus", "Bakitolas", "Sunsea"}, "Mutis": {"Naekake A", "Naekake B", "Noelelo", "Tasinifu"},
            "Miomaffo Barat": {"Manusasi"}}
#: Flagged before (public reporting): all of Bikomi Nilulat, six of Bikomi Utara, Humusu Wini.
REPORTED = {"Bikomi Nilulat": {"Inbate", "Sunkaen", "Nainaban", "Haumeni Ana", "Nilulat", "Tubu"},
            "Bikomi Utara": {"Haumeni", "Napan", "Tes", "Banain A", "Banain B", "Banain C"}, "Insana Utara": {"Humusu Wini"}}
#: Issue 17: desa whose point was the source's centroid (lon, lat), outside the desa (concave shapes).
CENTROIDS = {"Batnes": (124.33588, -9.50984), "Oenain": (124.5399, -9.34235), "Manunain B": (124.66743, -9.427),
             "Fatumtasa": (124.54568, -9.27729), "Tunbes": (124.68027, -9.29218), "Oepuah": (124.63198, -9.1663)}


def _rows(name: str) -> list[dict]:
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def desa() -> dict[str, dict]:
    return {row["kode"]: row for row in _rows("desa.csv")}


@pytest.fixture(scope="module")
def polygons() -> dict[str, object]:
    data = json.loads((DATA / wilayah.DESA_FILE).read_text(encoding="utf-8"))
    return {f["properties"]["kode"]: shape(f["geometry"]) for f in data["features"]}


def test_every_desa_point_lies_inside_its_own_polygon(desa, polygons):
    assert set(polygons) == set(desa) - {BORONUBAEN_TIMUR}
    outside = [row["nama"] for kode, row in desa.items() if kode in polygons
               and not polygons[kode].contains(Point(float(row["lon"]), float(row["lat"])))]
    assert outside == []
    # the source's centroid of these concave desa falls outside them; the point written now does not
    named = {row["nama"]: kode for kode, row in desa.items() if row["nama"] in CENTROIDS}
    assert set(named) == set(CENTROIDS)
    for nama, kode in named.items():
        assert not polygons[kode].contains(Point(*CENTROIDS[nama])), nama
        assert (float(desa[kode]["lon"]), float(desa[kode]["lat"])) != CENTROIDS[nama]
    # a desa without polygon has no coordinates (the map counts and names it)
    assert desa[BORONUBAEN_TIMUR]["lat"] == "" and desa[BORONUBAEN_TIMUR]["lon"] == ""


def test_desa_polygons_are_one_clean_coverage(polygons):
    geoms = list(polygons.values())
    assert all(g.is_valid and not g.is_empty for g in geoms)
    assert shapely.coverage_is_valid(shapely.GeometryCollection(geoms))  # no overlaps, neighbours share their edges
    union = shapely.union_all(geoms)
    assert union.geom_type == "Polygon" and len(union.interiors) == 0  # no slivers left between desa
    district = shape(json.loads((DATA / wilayah.KABUPATEN_FILE).read_text(encoding="utf-8"))["features"][0]["geometry"])
    assert union.symmetric_difference(district).area < 1e-9


def test_kecamatan_labels_lie_inside_their_kecamatan(polygons, desa):
    features = json.loads((DATA / wilayah.KECAMATAN_FILE).read_text(encoding="utf-8"))["features"]
    assert len(features) == 24
    for feature in features:
        kode = feature["properties"]["kode"]
        union = shapely.union_all([g for k, g in polygons.items() if desa[k]["kode_kecamatan"] == kode])
        assert union.contains(shape(feature["geometry"])), feature["properties"]["nama"]
        assert feature["properties"]["luas_km2"] == pytest.approx(union.area * 111.32 * 110.57 * 0.9866, rel=0.02)


def test_border_desa_the_issue_names_are_flagged(desa):
    flagged = {(row["kecamatan"], row["nama"]) for row in desa.values() if row["perbatasan"] == "1"}
    for kecamatan, names in {**TOUCHING, **REPORTED}.items():
        assert {(kecamatan, n) for n in names} <= flagged, kecamatan
    assert len(flagged) < 40  # the coast and the interior are not border desa
    source = {row["kode"]: row for row in _rows("perbatasan.csv")}
    assert set(source) == {k for k, row in desa.items() if row["perbatasan"] == "1"}  # one list, with its evidence
    assert all(row["sumber"] for row in source.values())
    by_name = {(row["kecamatan"], row["nama"]): row for row in source.values()}
    for kecamatan, names in TOUCHING.items():  # these come from the geometry, not from a list of names
        for nama in names:
            row = by_name[(kecamatan, nama)]
            assert float(row["garis_batas_km"]) >= 0.5 and "Oecusse" in row["sumber"], nama
    assert "PLBN Wini" in by_name[("Insana Utara", "Humusu Wini")]["sumber"]


def test_boundary_files_stay_small():
    sizes = {name: (DATA / name).stat().st_size for name in
             (wilayah.DESA_FILE, wilayah.KECAMATAN_FILE, wilayah.LINES_FILE, wilayah.KABUPATEN_FILE)}
    assert sum(sizes.values()) < 350_000, sizes
    for name in sizes:
        data = json.loads((DATA / name).read_text(encoding="utf-8"))
        assert "wilayah_boundaries" in data["sumber"] and "MIT" in data["sumber"]  # the credit the source asks for


def _script():
    spec = importlib.util.spec_from_file_location("wilayah_script", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass looks itself up there
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
@needs_source
def test_script_reproduces_the_committed_files(tmp_path):
    script = _script()
    result = script.build(SOURCE, DATA / "desa.csv")
    assert script.stale(result, DATA) == [], "data/ berbeda dari hasil scripts/wilayah.py: jalankan skripnya lagi"
    # and it notices a file edited by hand
    for name in result.files:
        shutil.copy(DATA / name, tmp_path / name)
    edited = (tmp_path / "desa.csv").read_text(encoding="utf-8").replace(",Manamas,", ",Manamas Baru,")
    (tmp_path / "desa.csv").write_text(edited, encoding="utf-8")
    assert script.stale(result, tmp_path) == ["desa.csv"]
