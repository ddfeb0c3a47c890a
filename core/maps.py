"""Pure pydeck builders for the Peta Kerawanan: works offline, tested by its layers, not its pixels.

`build_deck` takes the frame of `core.kerawanan.map_frame` and returns a `pydeck.Deck` with no basemap
(`map_provider=None`): the district is drawn from the boundary files in `data/` (`core.wilayah`, prepared once by
`scripts/wilayah.py`) as a choropleth of desa coloured by the chosen layer, with kecamatan and district outlines and
kecamatan names that do not overlap. A desa without polygon is drawn as a point (sized by TPS), and a desa without
any coordinates as a point marked `?` at its kecamatan's centre. Without boundary files every desa is a point. The
basemap is an option for users who are online. No Streamlit here.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

import pandas as pd
import pydeck as pdk
from pydeck.bindings.json_tools import default_serialize

from core import wilayah
from core.charts import KATEGORI_COLOURS, TINGKAT_COLOURS
from core.kerawanan import BELUM
from core.wilayah import Boundaries

RGB = tuple[int, int, int]
#: One desa of the map frame: a pandas row, or the same as a dict (quicker when building hundreds of records).
Row = pd.Series | dict

#: Map height in pixels on the Peta screen, and the map width the view is fitted for when the screen has not said
#: how wide the map is: a 1024 x 768 tablet in landscape with the sidebar open leaves about 560-600 px.
MAP_HEIGHT = 560
FIT_WIDTH = 600
#: Kecamatan names in pixels: on the screen, and on the projector.
LABEL_PX = 12
PAPARAN_LABEL_PX = 16
#: Credit line of the boundary data under a map (its licence asks for it).
BOUNDARY_CREDIT = ("Batas wilayah: dataset \"wilayah_boundaries\" (Cahya DSN, lisensi MIT), kode dan nama menurut Kepmendagri; "
                   "disederhanakan.")
#: pydeck's placeholder map style: Streamlit removes it and draws no basemap (no tiles, no internet).
NO_BASEMAP = "__MAP_STYLE__"
#: Label font. pydeck turns every plain string argument into a JavaScript expression ("@@=..."), so literal
#: strings (font names, units, anchors) must be quoted like this one.
FONT = "'Source Sans Pro, Arial, sans-serif'"
#: Smallest and largest point radius on screen, whatever the zoom.
RADIUS_PIXELS = (4, 22)


def _rgb(hex_colour: str) -> RGB:
    text = hex_colour.lstrip("#")
    return int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)


# --------------------------------------------------------------------------- colours and layers (one language)

#: Tingkat Kerawanan colours shared with the charts (green / amber / red); grey for desa without report.
TINGKAT_RGB: dict[str, RGB] = {name: _rgb(colour) for name, colour in TINGKAT_COLOURS.items()}
BELUM_RGB: RGB = _rgb(KATEGORI_COLOURS[None])
#: Outline of desa that got worse than last month, and of the desa picked in the panel.
MAKIN_RAWAN_RGB: RGB = (17, 17, 17)
PILIHAN_RGB: RGB = (21, 101, 192)


@dataclass(frozen=True)
class Kelas:
    """One legend entry: a colour and its Indonesian label."""

    label: str
    warna: RGB


@dataclass(frozen=True)
class Lapisan:
    """A map layer the meeting switches to: its title, legend classes and the note under the legend."""

    key: str
    judul: str
    pendek: str
    kelas: tuple[Kelas, ...]
    catatan: str = ""
    labels: dict[str, str] = field(default_factory=dict)

    def colour(self, label: str) -> RGB:
        for item in self.kelas:
            if item.label == label:
                return item.warna
        return BELUM_RGB


_BELUM = Kelas(BELUM, BELUM_RGB)

LAPISAN: dict[str, Lapisan] = {
    "kerawanan": Lapisan(
        "kerawanan", "Tingkat Kerawanan", "Kerawanan",
        (*(Kelas(name, TINGKAT_RGB[name]) for name in ("Kurang Rawan", "Rawan", "Sangat Rawan")), _BELUM),
        "Skor Kerawanan: Kurang Rawan < 35, Rawan 35\u201359, Sangat Rawan \u2265 60; desa dengan TPS rawan "
        "minimal Rawan, dengan TPS sangat rawan minimal Sangat Rawan.",
    ),
    "kesiapan": Lapisan(
        "kesiapan", "Indeks Kesiapan", "Kesiapan",
        (Kelas("< 40", (189, 215, 231)), Kelas("40\u201359", (107, 174, 214)), Kelas("60\u201379", (49, 130, 189)),
         Kelas("\u2265 80", (8, 69, 148)), _BELUM),
        "Indeks Kesiapan Pemilihan 0\u2013100: makin gelap makin siap.",
    ),
    "pos_kamling": Lapisan(
        "pos_kamling", "Pos Kamling Aktif", "Pos kamling",
        (Kelas("0\u201324%", (203, 201, 226)), Kelas("25\u201349%", (158, 154, 200)), Kelas("50\u201374%", (117, 107, 177)),
         Kelas("75\u2013100%", (63, 0, 125)), Kelas("Tidak ada pos kamling", (255, 255, 255)), _BELUM),
        "Pos kamling aktif (ronda berjalan) dibagi jumlah pos kamling desa.",
    ),
    "gangguan": Lapisan(
        "gangguan", "Gangguan Kamtibmas", "Gangguan",
        (Kelas("Tidak ada", (230, 230, 230)), Kelas("1 kejadian", (250, 159, 181)), Kelas("2\u20133 kejadian", (221, 52, 151)),
         Kelas("\u2265 4 kejadian", (122, 1, 119)), _BELUM),
        "Kejadian gangguan kamtibmas di desa pada bulan ini.",
    ),
    "perbatasan": Lapisan(
        "perbatasan", "Desa Perbatasan", "Perbatasan",
        (Kelas("Desa perbatasan RI\u2013RDTL", (0, 90, 160)), Kelas("Bukan desa perbatasan", (225, 225, 225))),
        "Berbatasan dengan Oecusse (Timor-Leste), menurut data rujukan atau laporan Polsek.",
    ),
}


def _class_kerawanan(row: pd.Series) -> str:
    return row["tingkat"]


def _class_kesiapan(row: pd.Series) -> str:
    value = row["indeks_kesiapan"]
    if not row["melapor"] or pd.isna(value):
        return BELUM
    if value >= 80:
        return "\u2265 80"
    if value >= 60:
        return "60\u201379"
    if value >= 40:
        return "40\u201359"
    return "< 40"


def _class_pos_kamling(row: pd.Series) -> str:
    if pd.isna(row["pos_kamling"]):
        return BELUM
    ratio = row["pos_kamling_rasio"]
    if pd.isna(ratio):
        return "Tidak ada pos kamling"
    if ratio >= 0.75:
        return "75\u2013100%"
    if ratio >= 0.5:
        return "50\u201374%"
    if ratio >= 0.25:
        return "25\u201349%"
    return "0\u201324%"


def _class_gangguan(row: pd.Series) -> str:
    value = row["gangguan"]
    if pd.isna(value):
        return BELUM
    if value >= 4:
        return "\u2265 4 kejadian"
    if value >= 2:
        return "2\u20133 kejadian"
    if value >= 1:
        return "1 kejadian"
    return "Tidak ada"


def _class_perbatasan(row: pd.Series) -> str:
    return "Desa perbatasan RI\u2013RDTL" if bool(row["perbatasan"]) else "Bukan desa perbatasan"


_CLASSIFY = {
    "kerawanan": _class_kerawanan, "kesiapan": _class_kesiapan, "pos_kamling": _class_pos_kamling,
    "gangguan": _class_gangguan, "perbatasan": _class_perbatasan,
}


def classify(frame: pd.DataFrame, lapisan: str) -> pd.Series:
    """The legend class of every desa for one layer."""
    if frame.empty:
        return pd.Series([], dtype=object)
    return frame.apply(_CLASSIFY[lapisan], axis=1)


def legend(lapisan: str, frame: pd.DataFrame | None = None) -> list[Kelas]:
    """Legend entries of a layer; with a frame, only the classes that occur plus the main scale."""
    spec = LAPISAN[lapisan]
    if frame is None or frame.empty:
        return list(spec.kelas)
    present = set(classify(frame, lapisan))
    return [k for k in spec.kelas if k.label != BELUM or BELUM in present]


def tps_radius(tps: float | None) -> float:
    """Point radius in metres: grows with the square root of the number of TPS (area ~ TPS).

    About 6-9 pixels at the district zoom; the layer clamps it to RADIUS_PIXELS on screen.
    """
    value = 0.0 if tps is None or pd.isna(tps) else max(float(tps), 0.0)
    return round(400.0 + 300.0 * math.sqrt(value))


# --------------------------------------------------------------------------- text for tooltips and the panel


def angka(value: float | int | None, decimals: int = 0) -> str:
    """Indonesian number text (`1.234`, `56,7`), `–` for missing (the same rule as `ui.format_number`)."""
    if value is None or value is pd.NA or pd.isna(value):
        return "\u2013"
    text = f"{float(value):,.{decimals}f}"
    return text.replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")


def officer_text(row: Row) -> str:
    """`Bripka Yohanes Taolin (NRP 85010001)` or `belum ada`."""
    if not row["nama_bhabin"]:
        return "belum ada" if row["melapor"] else "\u2013"
    rank = f"{row['pangkat']} " if row["pangkat"] else ""
    nrp = f" (NRP {row['nrp']})" if row["nrp"] else ""
    return f"{rank}{row['nama_bhabin']}{nrp}"


def tps_text(row: Row) -> str:
    """`6 (4 kurang rawan, 1 rawan, 1 sangat rawan)`."""
    if not row["ada_kerawanan"] or pd.isna(row["tps"]):
        return "belum dilaporkan"
    parts = [f"{int(row['tps_kurang_rawan'])} kurang rawan", f"{int(row['tps_rawan'])} rawan",
             f"{int(row['tps_sangat_rawan'])} sangat rawan"]
    if row["tps_belum_dipetakan"] and row["tps_belum_dipetakan"] > 0:
        parts.append(f"{int(row['tps_belum_dipetakan'])} belum dipetakan")
    return f"{int(row['tps'])} ({', '.join(parts)})"


def factor_text(row: Row) -> str:
    """`Riwayat Konflik (20), Politik Uang (15)` or `tidak ada`."""
    if not row["melapor"]:
        return "\u2013"
    if not row["faktor"]:
        return "tidak ada"
    return ", ".join(f"{label} ({points:g})" for label, points in row["faktor"])


def layer_text(row: Row, lapisan: str) -> str:
    """The value the active layer shows, in words."""
    if lapisan == "kesiapan":
        return f"Indeks Kesiapan: {angka(row['indeks_kesiapan'], 1)}"
    if lapisan == "pos_kamling":
        if pd.isna(row["pos_kamling"]):
            return f"Pos kamling aktif: {BELUM.lower()}"
        if not row["pos_kamling"]:
            return "Pos kamling aktif: tidak ada pos kamling"
        return (f"Pos kamling aktif: {int(row['pos_kamling_aktif'])} dari {int(row['pos_kamling'])} "
                f"({angka(row['pos_kamling_rasio'] * 100)}%)")
    if lapisan == "gangguan":
        return f"Gangguan kamtibmas: {angka(row['gangguan'])} kejadian" if not pd.isna(row["gangguan"]) \
            else f"Gangguan kamtibmas: {BELUM.lower()}"
    if lapisan == "perbatasan":
        return "Desa perbatasan RI\u2013RDTL" if row["perbatasan"] else "Bukan desa perbatasan"
    return kerawanan_text(row)


def kerawanan_text(row: Row) -> str:
    """`Skor 45 · Rawan` or `Belum melapor`."""
    if not row["melapor"]:
        return BELUM
    return f"Skor {angka(row['skor'])} \u00b7 {row['tingkat']}"


def note_text(row: Row, banding: bool = False) -> str:
    """Remarks for the tooltip: approximate position; with the comparison on, the change against last month."""
    notes = []
    if row["tanpa_koordinat"]:
        notes.append("Lokasi perkiraan: titik tengah kecamatan (desa tanpa koordinat)")
    if banding and bool(row.get("makin_rawan", False)):
        notes.append(f"Makin rawan: bulan lalu {row.get('tingkat_lalu')}, skor {angka(row.get('skor_lalu'))}")
    return " \u00b7 ".join(notes)


TOOLTIP_FIELDS = ("desa", "kecamatan", "polsek", "bhabin", "lapisan_teks", "kerawanan_teks", "faktor_teks", "tps_teks",
                  "potensi", "catatan")
_TOOLTIP_STYLE = {"backgroundColor": "#1b1b1b", "color": "white", "padding": "8px 10px"}


def tooltip(lapisan: str = "kerawanan") -> dict:
    """The hover tooltip (also shown on a tablet while a finger rests on a desa); the layer's value comes first."""
    value = "" if lapisan == "kerawanan" else "<b>{lapisan_teks}</b><br/>"
    html = (
        "<div style='font-size:15px;line-height:1.35;max-width:340px'>"
        "<b style='font-size:17px'>{desa}</b><br/>Kec. {kecamatan} \u00b7 {polsek}<br/>"
        "Bhabinkamtibmas: {bhabin}<br/>" + value + "<b>Kerawanan: {kerawanan_teks}</b><br/>"
        "Faktor: {faktor_teks}<br/>TPS: {tps_teks}<br/>Potensi gangguan: {potensi}<br/><i>{catatan}</i></div>"
    )
    return {"html": html, "style": dict(_TOOLTIP_STYLE)}


def _properties(row: Row, lapisan: str, warna: list[int], banding: bool = False) -> dict:
    """Tooltip fields as plain text: Streamlit 1.67 escapes every value it puts into a tooltip's HTML (officers write some).

    Escaping here as well showed `Fatu&#x27;Ana` on the map; `tests/unit/test_maps.py` checks Streamlit still escapes.
    """
    fields = {
        "kode": row["kode"],
        "desa": row["desa"],
        "kecamatan": row["kecamatan"],
        "polsek": row["polsek"],
        "bhabin": officer_text(row),
        "lapisan_teks": layer_text(row, lapisan),
        "kerawanan_teks": kerawanan_text(row),
        "faktor_teks": factor_text(row),
        "tps_teks": tps_text(row),
        "potensi": row["potensi_gangguan"] or "\u2013",
        "catatan": note_text(row, banding),
    }
    return {**{key: str(value) for key, value in fields.items()}, "warna": warna}


# --------------------------------------------------------------------------- the deck


class OfflineDeck(pdk.Deck):
    """A Deck whose JSON is compact: the browser receives the same spec without pydeck's indentation."""

    def to_json(self) -> str:
        return json.dumps(self, sort_keys=True, default=default_serialize, separators=(",", ":"), ensure_ascii=False)


def payload_bytes(deck: pdk.Deck) -> int:
    """Bytes of the spec and tooltip Streamlit sends to the browser for this deck (UTF-8)."""
    tip = getattr(deck, "_tooltip", None)
    return len(deck.to_json().encode("utf-8")) + (len(json.dumps(tip).encode("utf-8")) if isinstance(tip, dict) else 0)


def _rgba(rgb: RGB, alpha: int) -> list[int]:
    return [rgb[0], rgb[1], rgb[2], alpha]


def map_size(measured: dict | None, height: int = MAP_HEIGHT, default_width: int = FIT_WIDTH) -> tuple[int, int]:
    """Width and height (pixels) of the Peta screen's map: the width the browser reported, else `default_width`."""
    width = int((measured or {}).get("lebar") or 0)
    return (width if width >= 200 else default_width), height


def _label_candidates(frame: pd.DataFrame, boundaries: Boundaries | None) -> list[tuple[str, str, float, float, float]]:
    """(kode, nama, lon, lat, priority) per kecamatan of the frame.

    Position and priority: the file's label point inside the kecamatan and its area; without boundary files, the
    mean of its desa points and their number.
    """
    out = []
    for (kode, nama), rows in frame.groupby(["kode_kecamatan", "kecamatan"], sort=True):
        known = boundaries.kecamatan.get(kode) if boundaries is not None else None
        if known is not None:
            out.append((kode, nama, known.label[0], known.label[1], known.luas_km2))
        elif rows["lon"].notna().any():
            out.append((kode, nama, float(rows["lon"].mean()), float(rows["lat"].mean()), float(len(rows))))
    return out


def build_deck(
    frame: pd.DataFrame,
    lapisan: str = "kerawanan",
    boundaries: Boundaries | None = None,
    *,
    polsek: str | None = None,
    view: pdk.ViewState | None = None,
    size: tuple[int, int] = (FIT_WIDTH, MAP_HEIGHT),
    label_px: float = LABEL_PX,
    banding: bool = False,
    pilihan: str | None = None,
    peta_dasar: bool = False,
) -> pdk.Deck:
    """The Peta Kerawanan deck.

    frame: `kerawanan.map_frame` (with `kerawanan.compare` columns when `banding`). lapisan: a key of LAPISAN.
    boundaries: `wilayah.load_boundaries()`, or None for points only. polsek: the view fits that Polsek's desa, else
    the whole district. size: the map's width and height in pixels, for which the view is fitted (unless `view` is
    given) and the kecamatan names are placed. banding: outline desa that got worse and fade the others. pilihan:
    code of the desa picked in the panel (outlined). peta_dasar: a Carto basemap (needs internet); default none.
    """
    if lapisan not in LAPISAN:
        raise ValueError(f"lapisan tidak dikenal: {lapisan}")
    spec = LAPISAN[lapisan]
    frame = frame.reset_index(drop=True)
    classes = classify(frame, lapisan)
    worse = frame["makin_rawan"].astype(bool) if banding and "makin_rawan" in frame.columns else pd.Series(False, index=frame.index)
    rows = frame.to_dict("records")  # row access by position: much quicker than frame.loc per desa
    width, height = size
    if view is None:
        view = wilayah.fit_view(wilayah.frame_bounds(frame, boundaries, whole_district=polsek is None), width, height)
    layers: list[pdk.Layer] = []

    with_polygon = pd.Series(False, index=frame.index)
    if boundaries is not None:
        with_polygon = frame["kode"].isin(boundaries.desa.keys())
        # One PolygonLayer both draws and is tapped: one record per polygon part, carrying the tooltip fields.
        # (Streamlit reports a click on a GeoJsonLayer under its sub-layer's id and drops it.) The polygons are
        # simplified ahead of time, few enough vertices for picking to stay quick on weak graphics.
        shapes = []
        for i in frame.index[with_polygon]:
            row = rows[i]
            alpha = 90 if banding and not worse[i] else 235
            props = _properties(row, lapisan, _rgba(spec.colour(classes[i]), alpha), banding)
            shapes.extend({**props, "poligon": rings} for rings in wilayah.polygons(boundaries.desa[row["kode"]]))
        layers.append(pdk.Layer(
            "PolygonLayer", id="desa-poligon", data=shapes, get_polygon="poligon", filled=True, stroked=True,
            get_fill_color="warna", get_line_color=[255, 255, 255, 255], line_width_min_pixels=1, pickable=True,
            auto_highlight=True, highlight_color=[255, 255, 255, 110],
        ))
        outlines = boundaries.lines_of(set(frame["kode_kecamatan"]))
        if outlines:
            layers.append(pdk.Layer(
                "GeoJsonLayer", id="kecamatan-batas", data={"type": "FeatureCollection", "features": outlines},
                filled=False, stroked=True, get_line_color=[45, 45, 45, 255], line_width_min_pixels=1.5, pickable=False,
            ))
        if boundaries.kabupaten:
            layers.append(pdk.Layer(
                "GeoJsonLayer", id="kabupaten-batas", data={"type": "Feature", "properties": {}, "geometry": boundaries.kabupaten},
                filled=False, stroked=True, get_line_color=[0, 0, 0, 255], line_width_min_pixels=3, pickable=False,
            ))
        if banding and worse.any():
            outlined = [{"type": "Feature", "geometry": boundaries.desa[k], "properties": {"kode": k}}
                        for k in frame.loc[worse & with_polygon, "kode"]]
            layers.append(pdk.Layer(
                "GeoJsonLayer", id="perubahan", data={"type": "FeatureCollection", "features": outlined},
                filled=False, stroked=True, get_line_color=_rgba(MAKIN_RAWAN_RGB, 255), line_width_min_pixels=4, pickable=False,
            ))

    points = frame[~with_polygon]
    records = []
    for i in points.index:
        row = rows[i]
        alpha = 90 if banding and not worse[i] else 240
        props = _properties(row, lapisan, _rgba(spec.colour(classes[i]), alpha), banding)
        props["posisi"] = [round(float(row["lon"]), 5), round(float(row["lat"]), 5)]
        props["radius"] = tps_radius(row["tps"])
        records.append(props)
    if records:
        layers.append(pdk.Layer(
            "ScatterplotLayer", id="desa-titik", data=records, get_position="posisi", get_radius="radius",
            radius_min_pixels=RADIUS_PIXELS[0], radius_max_pixels=RADIUS_PIXELS[1], get_fill_color="warna", stroked=True,
            get_line_color=[255, 255, 255, 255], line_width_min_pixels=1.5, pickable=True, auto_highlight=True,
        ))
    if banding and worse.any():
        rings = [{"kode": r["kode"], "posisi": r["posisi"], "radius": r["radius"] * 1.6}
                 for r, i in zip(records, points.index, strict=True) if worse[i]]
        if rings:
            layers.append(pdk.Layer(
                "ScatterplotLayer", id="perubahan-titik", data=rings, get_position="posisi", get_radius="radius",
                radius_min_pixels=RADIUS_PIXELS[0] + 4, radius_max_pixels=RADIUS_PIXELS[1] + 8, filled=False, stroked=True,
                get_line_color=_rgba(MAKIN_RAWAN_RGB, 255), line_width_min_pixels=3, pickable=False,
            ))

    approximate = frame[frame["tanpa_koordinat"]]
    if not approximate.empty:
        layers.append(pdk.Layer(
            "TextLayer", id="tanpa-koordinat",
            data=[{"kode": r.kode, "posisi": [round(float(r.lon), 5), round(float(r.lat), 5)], "teks": "?"} for r in approximate.itertuples()],
            get_position="posisi", get_text="teks", get_size=18, get_color=[0, 0, 0, 255], font_weight=700,
            font_family=FONT, get_text_anchor="'middle'", get_alignment_baseline="'center'", font_settings={"sdf": True},
            outline_width=4, outline_color=[255, 255, 255, 255], pickable=False,
        ))

    if pilihan and pilihan in set(frame["kode"]):
        row = frame[frame["kode"] == pilihan].iloc[0]
        if boundaries is not None and pilihan in boundaries.desa:
            layers.append(pdk.Layer(
                "GeoJsonLayer", id="pilihan", data={"type": "Feature", "properties": {"kode": pilihan}, "geometry": boundaries.desa[pilihan]},
                filled=False, stroked=True, get_line_color=_rgba(PILIHAN_RGB, 255), line_width_min_pixels=5, pickable=False,
            ))
        else:
            layers.append(pdk.Layer(
                "ScatterplotLayer", id="pilihan", data=[{"kode": pilihan, "posisi": [float(row["lon"]), float(row["lat"])],
                                                          "radius": tps_radius(row["tps"]) * 1.9}],
                get_position="posisi", get_radius="radius", radius_min_pixels=RADIUS_PIXELS[0] + 6,
                radius_max_pixels=RADIUS_PIXELS[1] + 10, filled=False, stroked=True, get_line_color=_rgba(PILIHAN_RGB, 255),
                line_width_min_pixels=4, pickable=False,
            ))

    avoid = [(float(r.lon), float(r.lat)) for r in approximate.itertuples()]
    labels = wilayah.place_labels(_label_candidates(frame, boundaries), view, width, height, label_px, avoid=avoid)
    if labels:
        layers.append(pdk.Layer(
            "TextLayer", id="kecamatan-label",
            data=[{"kode": label.kode, "nama": label.teks, "posisi": [round(label.lon, 4), round(label.lat, 4)]} for label in labels],
            get_position="posisi", get_text="nama", get_size=label_px, get_color=[30, 30, 30, 255], font_family=FONT,
            font_weight=700, get_text_anchor="'middle'", get_alignment_baseline="'center'", line_height=1.1,
            font_settings={"sdf": True}, outline_width=4, outline_color=[255, 255, 255, 255], pickable=False,
        ))

    # Offline the style must stay pydeck's "__MAP_STYLE__" placeholder: Streamlit drops it and draws no
    # basemap, whereas an empty style makes Streamlit fall back to Carto tiles from the internet.
    basemap = {"map_provider": "carto", "map_style": "light"} if peta_dasar else {"map_provider": None, "map_style": NO_BASEMAP}
    return OfflineDeck(layers=layers, initial_view_state=view, tooltip=tooltip(lapisan), height=height, **basemap)


def layer_ids(deck: pdk.Deck) -> list[str]:
    """Ids of the deck's layers, bottom first (for tests and the payload report)."""
    return [layer.id for layer in deck.layers]


def selected_code(state: object) -> str | None:
    """The desa code in a `st.pydeck_chart` selection state (points carry `kode`, polygons `properties.kode`)."""
    try:
        objects = state["selection"]["objects"]  # type: ignore[index]
    except (KeyError, TypeError):
        return None
    for layer_id in ("desa-poligon", "desa-titik"):
        for item in objects.get(layer_id, []) or []:  # PolygonLayer and ScatterplotLayer records carry `kode`
            if isinstance(item, dict):
                kode = item.get("kode") or (item.get("properties") or {}).get("kode")
                if kode:
                    return str(kode)
    return None


def legend_html(lapisan: str, frame: pd.DataFrame | None = None) -> str:
    """The legend of a layer as one line of small HTML swatches with Indonesian labels (no data text inside)."""
    chips = []
    for item in legend(lapisan, frame):
        r, g, b = item.warna
        chips.append(
            "<span style='display:inline-flex;align-items:center;margin:2px 16px 2px 0;white-space:nowrap'>"
            f"<span style='display:inline-block;width:18px;height:18px;border-radius:4px;background:rgb({r},{g},{b});"
            f"border:1px solid #555;margin-right:6px'></span>{item.label}</span>"
        )
    return f"<div aria-label='Legenda {LAPISAN[lapisan].judul}'>" + "".join(chips) + "</div>"


def legend_note(lapisan: str, frame: pd.DataFrame | None = None, *, banding: bool = False, points: bool = True) -> str:
    """What the colours, sizes and marks of the map mean, in one Indonesian sentence list."""
    parts = [LAPISAN[lapisan].catatan]
    if points:
        parts.append("Ukuran lingkaran: jumlah TPS.")
    if frame is not None and not frame.empty and frame["tanpa_koordinat"].any():
        parts.append("Tanda ? : lokasi perkiraan (desa tanpa koordinat).")
    if banding:
        parts.append("Garis tebal hitam: makin rawan dibanding bulan lalu; desa lain dipudarkan.")
    return " ".join(parts)
