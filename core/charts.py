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


def _layout(fig: go.Figure, title: str | None = None, height: int = 380) -> go.Figure:
    fig.update_layout(
        title={"text": title, "font": {"size": 20}, "y": 0.98, "yanchor": "top"} if title else None,
        font=FONT,
        height=height,
        margin={"l": 10, "r": 10, "t": 90 if title else 40, "b": 10},
        plot_bgcolor="white",
        paper_bgcolor="white",
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        hoverlabel={"font_size": 16},
    )
    fig.update_xaxes(showgrid=False, linecolor="#444")
    fig.update_yaxes(gridcolor="#DDDDDD", zeroline=False)
    return fig


def trend(series: pd.DataFrame, keys: list[str], labels: dict[str, str], title: str | None = None,
          percent: bool = False) -> go.Figure:
    """Lines over months; months without data are gaps, never zeros."""
    fig = go.Figure()
    x = [short_month(m) for m in series.index]
    for i, key in enumerate(keys):
        values = series[key].where(series["desa_melapor"] > 0)
        fig.add_trace(go.Scatter(
            x=x, y=values, name=labels.get(key, key), mode="lines+markers", connectgaps=False,
            line={"width": 4, "color": POLSEK_COLOURS[i % len(POLSEK_COLOURS)]}, marker={"size": 9},
            hovertemplate="%{x}: %{y:,.0f}" + ("%" if percent else "") + "<extra>" + labels.get(key, key) + "</extra>",
        ))
    fig = _layout(fig, title)
    if percent:
        fig.update_yaxes(range=[0, 105], ticksuffix="%")
    return fig


def ranking(polsek: pd.DataFrame, value: str = "indeks_kinerja", title: str | None = None) -> go.Figure:
    """Polsek ranked by an index, bars coloured by category (Baik/Cukup/Kurang); non-reporting Polsek listed last."""
    frame = polsek.sort_values(value, ascending=True, na_position="first")
    colours = [KATEGORI_COLOURS.get(k, KATEGORI_COLOURS[None]) for k in frame.get("kategori_kinerja", [None] * len(frame))]
    names = [p.removeprefix("Polsek ") for p in frame["polsek"]]
    text = [f"{v:.1f}" if pd.notna(v) else "belum melapor" for v in frame[value]]
    fig = go.Figure(go.Bar(
        x=frame[value].fillna(0), y=names, orientation="h", marker_color=colours, text=text, textposition="auto",
        textfont={"size": 16}, hovertemplate="%{y}: %{x:.1f}<extra></extra>",
    ))
    fig = _layout(fig, title, height=max(300, 44 * len(frame) + 60))
    fig.update_xaxes(range=[0, 100], title=None)
    return fig


def grouped_bars(frame: pd.DataFrame, category: str, values: dict[str, str], title: str | None = None,
                 percent: bool = False) -> go.Figure:
    """Side-by-side bars per category (e.g. coverage per Polsek)."""
    fig = go.Figure()
    names = [str(c).removeprefix("Polsek ") for c in frame[category]]
    for i, (key, label) in enumerate(values.items()):
        fig.add_trace(go.Bar(x=names, y=frame[key], name=label, marker_color=POLSEK_COLOURS[i % len(POLSEK_COLOURS)],
                             hovertemplate="%{x}: %{y:.0f}" + ("%" if percent else "") + f"<extra>{label}</extra>"))
    fig = _layout(fig, title)
    fig.update_layout(barmode="group")
    if percent:
        fig.update_yaxes(range=[0, 105], ticksuffix="%")
    return fig


def completeness_matrix(matrix: pd.DataFrame) -> go.Figure:
    """Polsek x month coloured by report status, with the number of versions written in each cell."""
    codes = {"belum": 0, "terlambat": 1, "tepat waktu": 2}
    pivot = matrix.pivot(index="polsek", columns="bulan", values="status")
    versions = matrix.pivot(index="polsek", columns="bulan", values="versi")
    z = pivot.replace(codes).astype(float).to_numpy()
    text = [[("v" + str(int(v)) if v else "\u2013") for v in row] for row in versions.to_numpy()]
    hover = [[f"{p.removeprefix('Polsek ')} {format_bulan(m)}: {pivot.loc[p, m]}" for m in pivot.columns] for p in pivot.index]
    scale = [[0, STATUS_COLOURS["belum"]], [0.5, STATUS_COLOURS["terlambat"]], [1, STATUS_COLOURS["tepat waktu"]]]
    fig = go.Figure(go.Heatmap(
        z=z, x=[short_month(m) for m in pivot.columns], y=[p.removeprefix("Polsek ") for p in pivot.index],
        colorscale=scale, zmin=0, zmax=2, showscale=False, text=text, texttemplate="%{text}",
        textfont={"size": 14, "color": "white"}, hovertext=hover, hovertemplate="%{hovertext}<extra></extra>", xgap=3, ygap=3,
    ))
    fig = _layout(fig, height=60 + 42 * len(pivot))
    fig.update_yaxes(autorange="reversed", gridcolor=None)
    return fig


def instruction_lines(series: pd.DataFrame, ratio_key: str, count_key: str, ratio_label: str, count_label: str,
                      title: str | None = None) -> go.Figure:
    """A tracked instruction: the ratio as a line (left axis, %) and the count as bars (right axis)."""
    x = [short_month(m) for m in series.index]
    has = series["desa_melapor"] > 0
    fig = go.Figure()
    fig.add_trace(go.Bar(x=x, y=series[count_key].where(has), name=count_label, marker_color="#B0BEC5", yaxis="y2",
                         hovertemplate="%{x}: %{y:,.0f}<extra>" + count_label + "</extra>"))
    if ratio_key:
        fig.add_trace(go.Scatter(x=x, y=series[ratio_key].where(has), name=ratio_label, mode="lines+markers",
                                 line={"width": 4, "color": "#1F3864"}, marker={"size": 9},
                                 hovertemplate="%{x}: %{y:.0f}%<extra>" + ratio_label + "</extra>"))
    fig = _layout(fig, title)
    fig.update_layout(yaxis={"range": [0, 105], "ticksuffix": "%", "title": None},
                      yaxis2={"overlaying": "y", "side": "right", "showgrid": False, "title": None, "rangemode": "tozero"})
    return fig
