"""Pure Plotly builders for the Anev screens: one colour language, Indonesian labels, legible on a projector.

Each builder takes DataFrames from `core.analysis`/`core.metrics` and returns a `go.Figure`;
tests check traces, values and colours, not pixels.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from core import reference
from core.months import format_bulan

KATEGORI_COLOURS = {"Baik": "#1A7F37", "Cukup": "#D4A106", "Kurang": "#C62828", None: "#9E9E9E"}
TINGKAT_COLOURS = {"Kurang Rawan": "#2E7D32", "Rawan": "#F9A825", "Sangat Rawan": "#C62828"}
SCORE_COLOURS = {"hijau": "#C8E6C9", "kuning": "#FFF3C4", "merah": "#FFCDD2", "abu": "#EEEEEE"}
STATUS_COLOURS = {"tepat waktu": "#1A7F37", "terlambat": "#D4A106", "belum": "#C62828"}
POLSEK_COLOURS = ["#1F3864", "#C55A11", "#2E7D32", "#7B1FA2", "#00838F", "#AD1457", "#5D4037", "#F9A825", "#455A64"]
FONT = {"family": "Source Sans Pro, Segoe UI, sans-serif", "size": 16}


def polsek_colour(polsek: str) -> str:
    """The one colour of a Polsek, everywhere in the app."""
    names = reference.polsek_names()
    return POLSEK_COLOURS[names.index(polsek) % len(POLSEK_COLOURS)] if polsek in names else "#607D8B"


def short_month(bulan: str) -> str:
    """`Sep 2024` for axes."""
    return format_bulan(bulan)[:3] + " " + bulan[:4]


def _layout(title: str | None = None, height: int = 380, **extra: object) -> dict:
    """The shared layout as one dict for `go.Figure(layout=...)`, with a builder's own settings merged in.

    `xaxis={...}` adds to the shared x axis settings instead of replacing them. Passing the layout to the
    constructor costs about 1 ms; the same settings through `update_layout`, `update_xaxes` and `update_yaxes`
    on a built figure cost 6-8 ms (plotly re-parses property paths on every update), which a screen with
    five charts pays on every rerun.
    """
    layout: dict = {
        "title": {"text": title, "font": {"size": 20}, "y": 0.98, "yanchor": "top"} if title else None,
        "font": FONT,
        "height": height,
        "margin": {"l": 10, "r": 10, "t": 90 if title else 40, "b": 10},
        "plot_bgcolor": "white",
        "paper_bgcolor": "white",
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        "hoverlabel": {"font": {"size": 16}},
        "xaxis": {"showgrid": False, "linecolor": "#444"},
        "yaxis": {"gridcolor": "#DDDDDD", "zeroline": False},
    }
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(layout.get(key), dict):
            layout[key] = {**layout[key], **value}
        else:
            layout[key] = value
    return layout


def _percent_axis() -> dict:
    return {"range": [0, 105], "ticksuffix": "%"}


def _none_keys(settings: dict) -> dict:
    """The settings given as None, at any depth (`{"xaxis": {"title": None}}`)."""
    found = {}
    for key, value in settings.items():
        if value is None:
            found[key] = None
        elif isinstance(value, dict) and (inner := _none_keys(value)):
            found[key] = inner
    return found


def _figure(data: object, layout: dict) -> go.Figure:
    """`go.Figure(data, layout=layout)`, with the settings given as None applied as an update afterwards.

    The constructor skips None, while `update_layout` (used before) leaves an empty object (`"title": {}`);
    this keeps the figure sent to the browser exactly as it was.
    """
    fig = go.Figure(data, layout=layout)
    if none := _none_keys(layout):
        fig.update_layout(none)
    return fig


def trend(series: pd.DataFrame, keys: list[str], labels: dict[str, str], title: str | None = None,
          percent: bool = False) -> go.Figure:
    """Lines over months; months without data are gaps, never zeros."""
    x = [short_month(m) for m in series.index]
    traces = [
        go.Scatter(
            x=x, y=series[key].where(series["desa_melapor"] > 0), name=labels.get(key, key), mode="lines+markers",
            connectgaps=False, line={"width": 4, "color": POLSEK_COLOURS[i % len(POLSEK_COLOURS)]}, marker={"size": 9},
            hovertemplate="%{x}: %{y:,.0f}" + ("%" if percent else "") + "<extra>" + labels.get(key, key) + "</extra>",
        )
        for i, key in enumerate(keys)
    ]
    return _figure(traces, _layout(title, yaxis=_percent_axis()) if percent else _layout(title))


def ranking(polsek: pd.DataFrame, value: str = "indeks_kinerja", title: str | None = None) -> go.Figure:
    """Polsek ranked by an index, bars coloured by category (Baik/Cukup/Kurang); non-reporting Polsek listed last."""
    frame = polsek.sort_values(value, ascending=True, na_position="first")
    colours = [KATEGORI_COLOURS.get(k, KATEGORI_COLOURS[None]) for k in frame.get("kategori_kinerja", [None] * len(frame))]
    names = [p.removeprefix("Polsek ") for p in frame["polsek"]]
    text = [f"{v:.1f}" if pd.notna(v) else "belum melapor" for v in frame[value]]
    bar = go.Bar(
        x=frame[value].fillna(0), y=names, orientation="h", marker_color=colours, text=text, textposition="auto",
        textfont={"size": 16}, hovertemplate="%{y}: %{x:.1f}<extra></extra>",
    )
    return _figure(bar, _layout(title, height=max(300, 44 * len(frame) + 60), xaxis={"range": [0, 100], "title": None}))


def grouped_bars(frame: pd.DataFrame, category: str, values: dict[str, str], title: str | None = None,
                 percent: bool = False) -> go.Figure:
    """Side-by-side bars per category (e.g. coverage per Polsek)."""
    names = [str(c).removeprefix("Polsek ") for c in frame[category]]
    traces = [
        go.Bar(x=names, y=frame[key], name=label, marker_color=POLSEK_COLOURS[i % len(POLSEK_COLOURS)],
               hovertemplate="%{x}: %{y:.0f}" + ("%" if percent else "") + f"<extra>{label}</extra>")
        for i, (key, label) in enumerate(values.items())
    ]
    layout = _layout(title, barmode="group", yaxis=_percent_axis()) if percent else _layout(title, barmode="group")
    return _figure(traces, layout)


def completeness_matrix(matrix: pd.DataFrame) -> go.Figure:
    """Polsek x month coloured by report status, with the number of versions written in each cell."""
    codes = {"belum": 0, "terlambat": 1, "tepat waktu": 2}
    pivot = matrix.pivot(index="polsek", columns="bulan", values="status")
    versions = matrix.pivot(index="polsek", columns="bulan", values="versi")
    z = pivot.replace(codes).astype(float).to_numpy()
    text = [[("v" + str(int(v)) if v else "\u2013") for v in row] for row in versions.to_numpy()]
    hover = [[f"{p.removeprefix('Polsek ')} {format_bulan(m)}: {status}" for m, status in zip(pivot.columns, row, strict=True)]
             for p, row in zip(pivot.index, pivot.to_numpy(), strict=True)]
    scale = [[0, STATUS_COLOURS["belum"]], [0.5, STATUS_COLOURS["terlambat"]], [1, STATUS_COLOURS["tepat waktu"]]]
    heat = go.Heatmap(
        z=z, x=[short_month(m) for m in pivot.columns], y=[p.removeprefix("Polsek ") for p in pivot.index],
        colorscale=scale, zmin=0, zmax=2, showscale=False, text=text, texttemplate="%{text}",
        textfont={"size": 14, "color": "white"}, hovertext=hover, hovertemplate="%{hovertext}<extra></extra>", xgap=3, ygap=3,
    )
    return _figure(heat, _layout(height=60 + 42 * len(pivot), yaxis={"autorange": "reversed", "gridcolor": None}))


def instruction_lines(series: pd.DataFrame, ratio_key: str, count_key: str, ratio_label: str, count_label: str,
                      title: str | None = None) -> go.Figure:
    """A tracked instruction: the ratio as a line (left axis, %) and the count as bars (right axis)."""
    x = [short_month(m) for m in series.index]
    has = series["desa_melapor"] > 0
    traces = [go.Bar(x=x, y=series[count_key].where(has), name=count_label, marker_color="#B0BEC5", yaxis="y2",
                     hovertemplate="%{x}: %{y:,.0f}<extra>" + count_label + "</extra>")]
    if ratio_key:
        traces.append(go.Scatter(x=x, y=series[ratio_key].where(has), name=ratio_label, mode="lines+markers",
                                 line={"width": 4, "color": "#1F3864"}, marker={"size": 9},
                                 hovertemplate="%{x}: %{y:.0f}%<extra>" + ratio_label + "</extra>"))
    return _figure(traces, _layout(
        title, yaxis={**_percent_axis(), "title": None},
        yaxis2={"overlaying": "y", "side": "right", "showgrid": False, "title": None, "rangemode": "tozero"},
    ))
