"""Derive the map's boundary files, the desa points and the default border list into data/ (rerun when the source changes).

    python3 scripts/wilayah.py                     # reads ../shared/data/wilayah, writes data/
    python3 scripts/wilayah.py FOLDER --out DIR    # another copy of the source, another target folder
    python3 scripts/wilayah.py --check             # rebuild in memory; exit 1 when data/ differs

Source: the village polygons, gazetteer and kecamatan/district names of Kabupaten Timor Tengah Utara in FOLDER
(`ttu_desa.geojson`, `ttu_desa.csv`, `ttu_kecamatan.geojson`, `ttu_kabupaten.geojson`), from the public dataset
"wilayah_boundaries" by Cahya DSN (MIT licence, Copyright (c) 2024 Cahya DSN); codes and names after Kepmendagri.
The polygons were simplified one by one at the source, so neighbouring desa overlap or leave slivers between them.

What is written (the app reads these at run time and needs no geometry library):
- `wilayah_desa.geojson`: the desa polygons as one clean coverage (the source's linework noded and polygonised,
  every overlap and sliver given to the neighbour that shares most of its edge), then simplified together with
  `shapely.coverage_simplify` so neighbours keep one shared edge, coordinates on a 0.0001 degree grid (about 11 m).
- `wilayah_kecamatan.geojson`: per kecamatan (= union of its simplified desa) a point inside it where its name goes
  (pole of inaccessibility of the largest part), and its area.
- `wilayah_batas_kecamatan.geojson`: the border between each pair of neighbouring kecamatan, once (on the desa edges).
- `wilayah_kabupaten.geojson`: the district = union of all desa.
- `desa.csv` (columns `lat`, `lon`, `perbatasan` only; the rest is left as it is): a point guaranteed inside each
  desa polygon (pole of inaccessibility), instead of the source's centroid, which falls outside
  concave desa (`shapely.maximum_inscribed_circle`); a desa without polygon keeps no coordinates.
- `perbatasan.csv`: the default border desa with their evidence (see `border_desa`).

The app pins nothing of this: shapely is a development dependency (requirements-dev.txt).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import mapping, shape

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT.parent / "shared" / "data" / "wilayah"
TARGET = ROOT / "data"

DESA_OUT = "wilayah_desa.geojson"
KECAMATAN_OUT = "wilayah_kecamatan.geojson"
LINES_OUT = "wilayah_batas_kecamatan.geojson"
KABUPATEN_OUT = "wilayah_kabupaten.geojson"
BORDER_OUT = "perbatasan.csv"
DESA_CSV = "desa.csv"

#: `coverage_simplify` tolerance in degrees (about the square root of the triangle areas removed): 0.0012 deg is about
#: 130 m, under a pixel at the district zoom (about 300 m per pixel) and about one at a Polsek's zoom.
TOLERANCE = 0.0012
#: Coordinates are written on this grid (degrees; about 11 m); points with 5 decimals.
GRID = 0.0001
#: Half the width (degrees, about 33 m) of the slits between desa, open to the outside, that are closed on the outline.
SLIT = 0.0003
POINT_DECIMALS = 5
#: A desa is a border desa by geometry when it shares at least this much (km) of the district outline facing Oecusse:
#: less is a corner touching it (the only one: Oeolo, Musi, 0.07 km). The stretch itself is 108 km long.
MIN_BORDER_KM = 0.5
CREDIT = ("Poligon dan titik dari dataset publik \"wilayah_boundaries\" (Cahya DSN, lisensi MIT, Copyright (c) 2024 "
          "Cahya DSN), kode dan nama menurut Kepmendagri; dibersihkan dan disederhanakan oleh scripts/wilayah.py.")
#: Border villages named by public reporting (../shared/data/polres_ttu/README.md): all 6 desa of Bikomi Nilulat,
#: 6 of the 9 of Bikomi Utara, and Humusu Wini (Humusu C), where PLBN Wini stands.
REPORTED = {
    "Bikomi Nilulat": ("Inbate", "Sunkaen", "Nainaban", "Haumeni Ana", "Nilulat", "Tubu"),
    "Bikomi Utara": ("Haumeni", "Napan", "Tes", "Banain A", "Banain B", "Banain C"),
    "Insana Utara": ("Humusu Wini",),
}
REPORTED_SOURCE = "pemberitaan publik (../shared/data/polres_ttu/README.md)"
#: Kecamatan the same reporting places on the border: each must get at least one border desa from the geometry.
BORDER_KECAMATAN = ("Bikomi Nilulat", "Bikomi Utara", "Miomaffo Barat", "Mutis", "Naibenu", "Insana Utara")


@dataclass
class Result:
    """Everything the script writes, as file name -> text."""

    files: dict[str, str]
    border: list[dict]


# --------------------------------------------------------------------------- reading


def _read_json(path: Path) -> dict:
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


def _polygonal(geometry: shapely.Geometry) -> shapely.Geometry:
    """The polygon parts of a geometry made valid (one source polygon crosses itself)."""
    fixed = shapely.make_valid(geometry)
    if fixed.geom_type in ("Polygon", "MultiPolygon"):
        return fixed
    return shapely.MultiPolygon([part for part in shapely.get_parts(fixed) if part.geom_type == "Polygon"])


def _km(geometry: shapely.Geometry) -> shapely.Geometry:
    """Degrees to kilometres (equirectangular at 9.4 S, good to well under 1 % across the district)."""
    scale = np.array([111.32 * math.cos(math.radians(9.4)), 110.57])
    return shapely.transform(geometry, lambda xy: xy * scale)


# --------------------------------------------------------------------------- one clean coverage


def clean_coverage(raw: dict[str, shapely.Geometry]) -> dict[str, shapely.Geometry]:
    """The desa as a partition: no overlaps, no slivers, one shared edge between neighbours.

    The source linework is noded and polygonised into faces; a face inside exactly one desa belongs to it, and a
    face inside two (an overlap) or none (a sliver) goes to the candidate sharing the longest edge with it.
    """
    codes = sorted(raw)
    geoms = np.array([raw[k] for k in codes], dtype=object)
    owned = _assign(geoms, shapely.get_parts(shapely.polygonize(shapely.get_parts(shapely.union_all(shapely.boundary(geoms))))))
    parts = [_polygonal(shapely.union_all(owned[i])) if owned[i] else None for i in range(len(codes))]
    missing = [codes[i] for i, part in enumerate(parts) if part is None]
    if missing:
        raise SystemExit(f"desa {', '.join(missing)}: tidak ada bagian poligon yang tersisa setelah dibersihkan")
    # Slivers open to the outside are no faces: close them on the district outline and give them out the same way,
    # else the outline runs into each slit and back (a spike on the map, a false border touch).
    cleaned_geoms = np.array(parts, dtype=object)
    union = shapely.union_all(cleaned_geoms)
    closed = shapely.buffer(shapely.buffer(union, SLIT, join_style="mitre"), -SLIT, join_style="mitre")
    slits = [part for part in shapely.get_parts(shapely.difference(closed, union)) if part.area > 1e-9]
    for i, extra in _assign(cleaned_geoms, slits).items():
        if extra:
            cleaned_geoms[i] = _polygonal(shapely.union_all([cleaned_geoms[i], *extra]))
    return dict(zip(codes, cleaned_geoms, strict=True))


def _assign(geoms: np.ndarray, pieces: list[shapely.Geometry]) -> dict[int, list[shapely.Geometry]]:
    """Each piece to the one desa it lies in, else (overlap or gap) to the desa sharing the longest edge with it."""
    tree = shapely.STRtree(geoms)
    owned: dict[int, list[shapely.Geometry]] = {i: [] for i in range(len(geoms))}
    for piece in pieces:
        inside = sorted(tree.query(piece.representative_point(), predicate="within"))
        if len(inside) == 1:
            owned[int(inside[0])].append(piece)
            continue
        candidates = inside or sorted(tree.query(shapely.buffer(piece, 1e-7), predicate="intersects"))
        if not candidates:
            continue
        edge = piece.boundary

        def shared(i: int, edge: shapely.Geometry = edge) -> float:
            return shapely.intersection(edge, shapely.buffer(geoms[i].boundary, 1e-7)).length

        owned[int(max(candidates, key=lambda i: (shared(i), -i)))].append(piece)
    return owned


def simplify(cleaned: dict[str, shapely.Geometry]) -> dict[str, shapely.Geometry]:
    """Simplified together (shared edges stay shared), then on the output grid; checked to be a valid coverage."""
    codes = sorted(cleaned)
    simple = shapely.coverage_simplify(np.array([cleaned[k] for k in codes], dtype=object), TOLERANCE)
    snapped = shapely.set_precision(simple, GRID)
    out = {k: _polygonal(g) for k, g in zip(codes, snapped, strict=True)}
    arr = np.array(list(out.values()), dtype=object)
    if not all(shapely.is_valid(arr)) or any(shapely.is_empty(arr)) or not shapely.coverage_is_valid(arr):
        raise SystemExit("penyederhanaan menghasilkan poligon yang tidak sah atau saling menindih; ubah TOLERANCE")
    return out


def _largest(geometry: shapely.Geometry) -> shapely.Polygon:
    return max(shapely.get_parts(geometry), key=lambda part: part.area)


def kecamatan_lines(unions: dict[str, shapely.Geometry]) -> list[tuple[str, str, shapely.Geometry]]:
    """The border between each pair of neighbouring kecamatan, once (the outline of the district is drawn apart)."""
    codes = sorted(unions)
    out = []
    for i, a in enumerate(codes):
        for b in codes[i + 1:]:
            if not unions[a].touches(unions[b]):
                continue
            shared = shapely.intersection(unions[a].boundary, unions[b].boundary)
            lines = [part for part in shapely.get_parts(shared) if part.geom_type == "LineString"]
            if lines:
                out.append((a, b, shapely.line_merge(shapely.MultiLineString(lines))))
    return out


def inside_point(geometry: shapely.Geometry) -> tuple[float, float]:
    """A point strictly inside the geometry, rounded: the pole of inaccessibility of its largest part."""
    part = _largest(geometry)
    for candidate in (shapely.get_point(shapely.maximum_inscribed_circle(part, 1e-5), 0), part.representative_point()):
        point = shapely.Point(round(candidate.x, POINT_DECIMALS), round(candidate.y, POINT_DECIMALS))
        if geometry.contains(point):
            return point.x, point.y
    raise SystemExit("tidak ada titik di dalam poligon setelah pembulatan")


# --------------------------------------------------------------------------- border desa


def oecusse_run(district: shapely.Polygon) -> tuple[shapely.Geometry, shapely.Polygon]:
    """The stretch of the district outline that faces the Oecusse enclave, and the pocket it bounds.

    TTU data alone cannot tell which neighbour lies beyond an outline segment. What is known: the only foreign land
    TTU touches is Oecusse (Timor-Leste), an enclave on the north coast that bites into TTU's north-west. The outline
    is otherwise nearly convex, so the largest pocket between the outline and its convex hull is that bite, and the
    outline along the pocket, from hull vertex to hull vertex (the western tip of Mutis to the coast at Humusu Wini),
    is the land border. Uncertain: the exact ends (the tripoint with Kabupaten Kupang near the tip of Mutis, the
    point where the border reaches the sea near Wini) and the accuracy of the source polygons.
    """
    pockets = sorted(shapely.get_parts(district.convex_hull.difference(district)), key=lambda p: -p.area)
    pocket = pockets[0]
    run = shapely.line_merge(shapely.intersection(district.exterior, shapely.buffer(pocket, 1e-9)))
    return run, pocket


def border_desa(cleaned: dict[str, shapely.Geometry], gazetteer: dict[str, dict]) -> list[dict]:
    """Default border desa: sharing >= MIN_BORDER_KM of the outline facing Oecusse, or named by public reporting."""
    district = _largest(shapely.union_all(list(cleaned.values())))
    district = shapely.Polygon(district.exterior)
    run, _pocket = oecusse_run(district)
    run_km = _km(run)
    names = {(g["kecamatan"], g["nama"]): k for k, g in gazetteer.items()}
    reported = {names[(kec, nama)] for kec, desa in REPORTED.items() for nama in desa}
    missing = [f"{nama} ({kec})" for kec, desa in REPORTED.items() for nama in desa if (kec, nama) not in names]
    if missing:
        raise SystemExit(f"desa perbatasan dari pemberitaan tidak ada di daftar desa: {', '.join(missing)}")
    rows = []
    for kode in sorted(gazetteer):
        shared_km = 0.0
        if kode in cleaned:
            shared_km = float(shapely.intersection(run_km, shapely.buffer(_km(cleaned[kode]), 0.01)).length)
        by_geometry = shared_km >= MIN_BORDER_KM
        if not by_geometry and kode not in reported:
            continue
        sources = []
        if by_geometry:
            length = f"{shared_km:.1f}".replace(".", ",")
            sources.append(f"garis batas kabupaten yang menghadap Oecusse (Timor-Leste) {length} km, dari poligon")
        if kode in reported:
            sources.append(REPORTED_SOURCE + ("; PLBN Wini" if gazetteer[kode]["nama"] == "Humusu Wini" else ""))
        rows.append({"kode": kode, "nama": gazetteer[kode]["nama"], "kecamatan": gazetteer[kode]["kecamatan"],
                     "garis_batas_km": f"{shared_km:.1f}", "sumber": "; ".join(sources)})
    by_geometry_kecamatan = {r["kecamatan"] for r in rows if float(r["garis_batas_km"]) >= MIN_BORDER_KM}
    lacking = [k for k in BORDER_KECAMATAN if k not in by_geometry_kecamatan]
    if lacking:
        raise SystemExit(f"kecamatan perbatasan tanpa desa yang menyentuh garis batas: {', '.join(lacking)}; periksa metodenya")
    return rows


# --------------------------------------------------------------------------- writing


def _coords(geometry: shapely.Geometry) -> dict:
    """GeoJSON geometry with coordinates rounded to the grid's decimals (drops float noise like 124.12340000000002)."""
    decimals = round(-math.log10(GRID))

    def rnd(value):
        if isinstance(value, (list, tuple)):
            if value and isinstance(value[0], float | int):
                return [round(float(v), decimals) for v in value]
            return [rnd(v) for v in value]
        return value

    geo = mapping(geometry)
    return {"type": geo["type"], "coordinates": rnd(geo["coordinates"])}


def feature_collection(features: list[dict], note: str) -> str:
    """Compact GeoJSON with one feature per line (readable diffs), and the source as a foreign member."""
    head = json.dumps({"type": "FeatureCollection", "sumber": note}, ensure_ascii=False)[:-1]
    lines = [json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in features]
    return head + ', "features": [\n' + ",\n".join(lines) + "\n]}\n"


def _csv_text(rows: list[dict], columns: list[str]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def build(source: Path, desa_csv: Path) -> Result:
    """Every output file's text from the source folder and the current `desa.csv` (whose other columns are kept)."""
    for name in ("ttu_desa.geojson", "ttu_desa.csv", "ttu_kecamatan.geojson", "ttu_kabupaten.geojson"):
        if not (source / name).is_file():
            raise SystemExit(f"berkas sumber tidak ada: {source / name}")
    with (source / "ttu_desa.csv").open(encoding="utf-8", newline="") as handle:
        gazetteer = {row["kode"]: row for row in csv.DictReader(handle)}
    raw = {}
    for feature in _read_json(source / "ttu_desa.geojson")["features"]:
        kode = str(feature["properties"]["kode"])
        if kode not in gazetteer:
            raise SystemExit(f"poligon desa {kode} tidak ada di ttu_desa.csv")
        raw[kode] = _polygonal(shape(feature["geometry"]))
    kecamatan_names = {f["properties"]["kode"]: f["properties"]["nama"] for f in _read_json(source / "ttu_kecamatan.geojson")["features"]}
    kabupaten = _read_json(source / "ttu_kabupaten.geojson")["features"][0]["properties"]

    cleaned = clean_coverage(raw)
    simple = simplify(cleaned)
    for kode, geometry in simple.items():
        if not geometry.intersects(raw[kode]):
            raise SystemExit(f"desa {kode}: poligon hasil tidak lagi menutupi poligon sumber")

    points = {kode: inside_point(geometry) for kode, geometry in simple.items()}
    desa_features = [
        {"type": "Feature", "properties": {"kode": k, "nama": gazetteer[k]["nama"], "kode_kecamatan": gazetteer[k]["kode_kecamatan"]},
         "geometry": _coords(simple[k])}
        for k in sorted(simple)
    ]
    kecamatan_features, unions = [], {}
    by_kecamatan: dict[str, list[shapely.Geometry]] = {}
    for kode, geometry in simple.items():
        by_kecamatan.setdefault(gazetteer[kode]["kode_kecamatan"], []).append(geometry)
    for kode_kecamatan in sorted(by_kecamatan):
        union = unions[kode_kecamatan] = _polygonal(shapely.union_all(by_kecamatan[kode_kecamatan]))
        lon, lat = inside_point(union)
        kecamatan_features.append({"type": "Feature", "properties": {
            "kode": kode_kecamatan, "nama": kecamatan_names.get(kode_kecamatan, kode_kecamatan),
            "luas_km2": round(float(_km(union).area), 1)}, "geometry": {"type": "Point", "coordinates": [lon, lat]}})
    line_features = [{"type": "Feature", "properties": {"kecamatan": [a, b]}, "geometry": _coords(line)}
                     for a, b, line in kecamatan_lines(unions)]
    district = shapely.set_precision(shapely.union_all(list(simple.values())), GRID)
    district = shapely.Polygon(_largest(district).exterior)
    kabupaten_feature = {"type": "Feature", "properties": {"kode": kabupaten.get("kode"), "nama": kabupaten.get("nama")},
                         "geometry": _coords(district)}

    border = border_desa(cleaned, gazetteer)
    flagged = {row["kode"] for row in border}
    with desa_csv.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        columns = list(reader.fieldnames or [])
        desa_rows = list(reader)
    for row in desa_rows:
        if row["kode"] not in gazetteer:
            continue  # a desa added by hand stays as it is
        point = points.get(row["kode"])
        row["lat"], row["lon"] = (f"{point[1]:.{POINT_DECIMALS}f}", f"{point[0]:.{POINT_DECIMALS}f}") if point else ("", "")
        row["perbatasan"] = "1" if row["kode"] in flagged else "0"

    note_desa = CREDIT + (f" Satu cakupan tanpa tumpang tindih, coverage_simplify {TOLERANCE} derajat, grid {GRID} derajat. "
                          "Titik desa di data/desa.csv: titik di dalam poligon ini (pusat lingkaran terbesar di dalamnya).")
    return Result(files={
        DESA_OUT: feature_collection(desa_features, note_desa),
        KECAMATAN_OUT: feature_collection(kecamatan_features, CREDIT + " Titik: tempat nama kecamatan, di dalam gabungan poligon desanya."),
        LINES_OUT: feature_collection(line_features, CREDIT + " Batas antara dua kecamatan (gabungan poligon desanya), sekali per pasangan."),
        KABUPATEN_OUT: feature_collection([kabupaten_feature], CREDIT + " Kabupaten = gabungan semua poligon desa."),
        BORDER_OUT: _csv_text(border, ["kode", "nama", "kecamatan", "garis_batas_km", "sumber"]),
        DESA_CSV: _csv_text(desa_rows, columns),
    }, border=border)


def stale(result: Result, folder: Path) -> list[str]:
    """Names of the files in `folder` that differ from what the script makes now (or are missing)."""
    return [name for name, text in result.files.items()
            if not (folder / name).is_file() or (folder / name).read_text(encoding="utf-8") != text]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sumber", nargs="?", type=Path, default=SOURCE, help="folder poligon sumber (bawaan: ../shared/data/wilayah)")
    parser.add_argument("--out", type=Path, default=TARGET, help="folder tujuan (bawaan: data/)")
    parser.add_argument("--check", action="store_true", help="bandingkan saja; keluar 1 bila berkas di folder tujuan berbeda")
    args = parser.parse_args(argv)
    result = build(args.sumber, args.out / DESA_CSV)
    if args.check:
        different = stale(result, args.out)
        for name in different:
            print(f"berbeda: {args.out / name} (jalankan python3 scripts/wilayah.py)", file=sys.stderr)
        return 1 if different else 0
    for name, text in result.files.items():
        (args.out / name).write_text(text, encoding="utf-8")
        print(f"{args.out / name}: {len(text.encode('utf-8')):,} B")
    print(f"{len(result.border)} desa perbatasan: " + ", ".join(f"{r['nama']} ({r['kecamatan']})" for r in result.border))
    return 0


if __name__ == "__main__":
    sys.exit(main())
