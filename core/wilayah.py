"""The district's boundaries as the map reads them, and the view that frames them: no geometry library at run time.

`scripts/wilayah.py` prepares the files once, ahead of time (cleaned, simplified, with points inside every desa and
a label point inside every kecamatan); this module only reads them from `data/` (or `ANEV_WILAYAH_DIR`), computes
bounds, fits a view to a map of a given size in pixels, and places kecamatan labels so that they do not overlap.
No Streamlit here.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd
import pydeck as pdk

from core import config

DESA_FILE = "wilayah_desa.geojson"
KECAMATAN_FILE = "wilayah_kecamatan.geojson"
LINES_FILE = "wilayah_batas_kecamatan.geojson"
KABUPATEN_FILE = "wilayah_kabupaten.geojson"
#: Kabupaten TTU, for a frame without any position.
TTU_BOUNDS = (124.09, -9.67, 124.86, -9.01)
#: deck.gl's world is 512 pixels wide at zoom 0.
TILE = 512


# --------------------------------------------------------------------------- the files


@dataclass(frozen=True)
class Kecamatan:
    """A kecamatan: where its name goes (a point inside it) and its area."""

    kode: str
    nama: str
    label: tuple[float, float]
    luas_km2: float


@dataclass(frozen=True)
class Boundaries:
    """Desa polygons by code, kecamatan by code, the borders between kecamatan, the district outline, their source."""

    desa: dict[str, dict]
    kecamatan: dict[str, Kecamatan]
    kecamatan_lines: tuple[tuple[tuple[str, ...], dict], ...]
    kabupaten: dict | None
    folder: str
    sumber: str = ""

    def lines_of(self, kecamatan: set[str]) -> list[dict]:
        """Borders between kecamatan with at least one side among `kecamatan`, as GeoJSON features."""
        return [{"type": "Feature", "properties": {"kecamatan": list(sides)}, "geometry": geometry}
                for sides, geometry in self.kecamatan_lines if kecamatan.intersection(sides)]


def _read(path: Path) -> dict | None:
    if not path.is_file():
        return None
    try:
        with path.open(encoding="utf-8") as handle:
            data = json.load(handle)
        if not isinstance(data.get("features"), list):
            raise ValueError("tidak ada daftar features")
    except (ValueError, AttributeError) as exc:
        raise ValueError(f"Berkas batas wilayah {path.name} rusak ({exc}). Buat ulang dengan: python3 scripts/wilayah.py") from exc
    return data


@lru_cache(maxsize=4)
def _load(folder: str, stamp: tuple[float, ...]) -> Boundaries | None:
    base = Path(folder)
    desa = _read(base / DESA_FILE)
    if not desa:
        return None
    by_code = {str(f["properties"]["kode"]): f["geometry"] for f in desa["features"] if f.get("geometry")}
    kecamatan = {}
    for feature in (_read(base / KECAMATAN_FILE) or {}).get("features", []):
        props, point = feature["properties"], feature["geometry"]["coordinates"]
        kecamatan[str(props["kode"])] = Kecamatan(str(props["kode"]), str(props.get("nama", props["kode"])),
                                                  (float(point[0]), float(point[1])), float(props.get("luas_km2") or 0.0))
    lines = tuple((tuple(str(k) for k in f["properties"]["kecamatan"]), f["geometry"])
                  for f in (_read(base / LINES_FILE) or {}).get("features", []))
    kabupaten_features = (_read(base / KABUPATEN_FILE) or {}).get("features", [])
    kabupaten = kabupaten_features[0]["geometry"] if kabupaten_features else None
    return Boundaries(desa=by_code, kecamatan=kecamatan, kecamatan_lines=lines, kabupaten=kabupaten, folder=folder,
                      sumber=str(desa.get("sumber", "")))


def boundaries_folder() -> Path:
    """Where the boundary files are read: `ANEV_WILAYAH_DIR` when set, else the reference data folder (`data/`)."""
    return config.wilayah_dir() or config.data_dir()


def load_boundaries(folder: Path | str | None = None) -> Boundaries | None:
    """The boundary files of `folder` (default `boundaries_folder()`), read once per modification time.

    None when the folder has no desa polygons: the map then draws every desa as a point. A damaged file raises
    ValueError with an Indonesian message saying how to make it again.
    """
    base = Path(folder) if folder is not None else boundaries_folder()
    if not (base / DESA_FILE).is_file():
        return None
    names = (DESA_FILE, KECAMATAN_FILE, LINES_FILE, KABUPATEN_FILE)
    stamp = tuple((base / name).stat().st_mtime if (base / name).is_file() else 0.0 for name in names)
    return _load(str(base), stamp)


# --------------------------------------------------------------------------- coordinates


def polygons(geometry: dict) -> list[list[list[list[float]]]]:
    """The polygons (each a list of rings) of a Polygon or MultiPolygon."""
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    if geometry["type"] == "MultiPolygon":
        return list(geometry["coordinates"])
    return []


def points_of(geometry: dict) -> list[list[float]]:
    """Every vertex of a Polygon or MultiPolygon."""
    return [p for poly in polygons(geometry) for ring in poly for p in ring]


def geometry_bounds(geometries: list[dict]) -> tuple[float, float, float, float] | None:
    """(west, south, east, north) of some geometries, None when there are none."""
    points = [p for g in geometries for p in points_of(g)]
    if not points:
        return None
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    return min(lons), min(lats), max(lons), max(lats)


def frame_bounds(frame: pd.DataFrame, boundaries: Boundaries | None = None, whole_district: bool = False) -> tuple[float, float, float, float]:
    """Bounds of the desa in the frame (their polygons when available); the district outline when asked."""
    if boundaries is not None and whole_district and boundaries.kabupaten:
        found = geometry_bounds([boundaries.kabupaten])
        if found:
            return found
    geometries = [boundaries.desa[k] for k in frame["kode"] if k in boundaries.desa] if boundaries is not None else []
    poly = geometry_bounds(geometries)
    lons, lats = list(frame["lon"].dropna()), list(frame["lat"].dropna())
    if poly:
        lons += [poly[0], poly[2]]
        lats += [poly[1], poly[3]]
    if not lons:
        return TTU_BOUNDS
    return min(lons), min(lats), max(lons), max(lats)


# --------------------------------------------------------------------------- views in pixels


def _mercator_y(lat: float) -> float:
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def _lat_of(y: float) -> float:
    return math.degrees(2 * math.atan(math.exp(y)) - math.pi / 2)


def fit_view(bounds: tuple[float, float, float, float], width: int, height: int, padding: float = 0.04,
             max_zoom: float = 12.5) -> pdk.ViewState:
    """The view that shows `bounds` whole, as large as it fits, in a map of `width` x `height` pixels."""
    west, south, east, north = bounds
    lon_span = max(east - west, 0.005)
    y_north, y_south = _mercator_y(north), _mercator_y(south)
    y_span = max(abs(y_north - y_south), 0.0001)
    usable_w, usable_h = width * (1 - 2 * padding), height * (1 - 2 * padding)
    zoom_x = math.log2(usable_w * 360 / (lon_span * TILE))
    zoom_y = math.log2(usable_h * 2 * math.pi / (y_span * TILE))
    # rounded down, so the rounding never pushes the district past the edge
    zoom = math.floor(min(zoom_x, zoom_y, max_zoom) * 100) / 100
    centre_lat = _lat_of((y_north + y_south) / 2)
    return pdk.ViewState(latitude=round(centre_lat, 5), longitude=round((west + east) / 2, 5), zoom=zoom,
                         min_zoom=6, max_zoom=16, pitch=0, bearing=0)


def to_pixels(view: pdk.ViewState, width: int, height: int, lon: float, lat: float) -> tuple[float, float]:
    """Where a position is drawn in a map of `width` x `height` pixels showing `view` (0, 0 = top left)."""
    scale = TILE * 2 ** view.zoom
    x = width / 2 + (lon - view.longitude) / 360 * scale
    y = height / 2 - (_mercator_y(lat) - _mercator_y(view.latitude)) / (2 * math.pi) * scale
    return x, y


def visible_bounds(view: pdk.ViewState, width: int, height: int) -> tuple[float, float, float, float]:
    """(west, south, east, north) that a map of `width` x `height` pixels shows for `view`."""
    scale = TILE * 2 ** view.zoom
    half_lon = width / 2 / scale * 360
    y = _mercator_y(view.latitude)
    half_y = height / 2 / scale * 2 * math.pi
    return view.longitude - half_lon, _lat_of(y - half_y), view.longitude + half_lon, _lat_of(y + half_y)


# --------------------------------------------------------------------------- kecamatan labels

#: Width of one character and height of one line, in ems, of the bold capitals as deck.gl draws them (measured in
#: Chromium's screenshots: about 0.63 em per capital, e.g. MIOMAFFO TIMUR at 12 px is 106 px wide; kept a little
#: wider), plus the white halo.
CHAR_EM = 0.68
LINE_EM = 1.25
HALO = 3


@dataclass(frozen=True)
class Label:
    """A kecamatan name placed on the map, its box in pixels (left, top, right, bottom) for the view it was placed in."""

    kode: str
    teks: str
    lon: float
    lat: float
    box: tuple[float, float, float, float]


def label_text(nama: str, max_line: int = 11) -> str:
    """The name in capitals, on two lines when it is long and has a space (`MIOMAFFO` / `TIMUR`)."""
    text = nama.upper()
    if len(text) <= max_line or " " not in text:
        return text
    spaces = [i for i, ch in enumerate(text) if ch == " "]
    cut = min(spaces, key=lambda i: abs(i - len(text) / 2))
    return text[:cut] + "\n" + text[cut + 1:]


def label_box(x: float, y: float, teks: str, size: float) -> tuple[float, float, float, float]:
    """Pixel box of a label centred on (x, y)."""
    lines = teks.split("\n")
    half_w = max(len(line) for line in lines) * size * CHAR_EM / 2 + HALO
    half_h = len(lines) * size * LINE_EM / 2 + HALO
    return x - half_w, y - half_h, x + half_w, y + half_h


def _overlap(a: tuple[float, ...], b: tuple[float, ...], gap: float) -> bool:
    return not (a[2] + gap <= b[0] or b[2] + gap <= a[0] or a[3] + gap <= b[1] or b[3] + gap <= a[1])


def place_labels(candidates: list[tuple[str, str, float, float, float]], view: pdk.ViewState, width: int, height: int,
                 size: float, gap: float = 4.0, avoid: list[tuple[float, float]] = ()) -> list[Label]:
    """Labels that fit without overlapping, largest kecamatan first; the others are left out.

    candidates: (kode, nama, lon, lat, priority). A label is kept when its box lies inside the map and clear of
    every label kept before it and of the `avoid` positions (marks drawn on top, such as the `?` of a desa without
    coordinates). Text sizes are in pixels, so zooming in only moves labels apart: none overlap later either.
    """
    kept: list[Label] = []
    marks = [(x - 10, y - 10, x + 10, y + 10) for x, y in (to_pixels(view, width, height, lon, lat) for lon, lat in avoid)]
    for kode, nama, lon, lat, _priority in sorted(candidates, key=lambda c: (-c[4], c[1])):
        x, y = to_pixels(view, width, height, lon, lat)
        for teks in dict.fromkeys((label_text(nama), nama.upper())):
            box = label_box(x, y, teks, size)
            inside = box[0] >= 0 and box[1] >= 0 and box[2] <= width and box[3] <= height
            if inside and not any(_overlap(box, other.box, gap) for other in kept) and not any(_overlap(box, m, 0) for m in marks):
                kept.append(Label(kode, teks, lon, lat, box))
                break
    return kept
