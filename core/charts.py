"""Pure Plotly builders for the Anev screens and slides: one colour language, Indonesian numbers, nothing cut.

Every figure goes through `_layout`: axes and titles with `automargin` (Plotly grows the margins until tick labels
and titles fit, so no label is cut at any width), Indonesian separators (`1.234,5` in ticks and hover), months by
name, and a small project template instead of Plotly's default (about 6 KB less per chart on the wire).
`size="proyektor"` gives the type sizes of Mode Paparan. Tests check traces and layout; the browser tests check
what is painted (every label inside its chart).
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from core import fmt, reference

KATEGORI_COLOURS = {"Baik": "#1A7F37", "Cukup": "#B08600", "Kurang": "#C62828", None: "#9E9E9E"}
TINGKAT_COLOURS = {"Kurang Rawan": "#2E7D32", "Rawan": "#F9A825", "Sangat Rawan": "#C62828"}
SCORE_COLOURS = {"hijau": "#C8E6C9", "kuning": "#FFF3C4", "merah": "#FFCDD2", "abu": "#EEEEEE"}
STATUS_COLOURS = {"tepat waktu": "#1A7F37", "terlambat": "#B08600", "belum": "#C62828"}
POLSEK_COLOURS = ["#1F3864", "#C55A11", "#2E7D32", "#7B1FA2", "#00838F", "#AD1457", "#5D4037", "#F9A825", "#455A64"]
FONT_FAMILY = "Source Sans Pro, Segoe UI, Arial, sans-serif"
#: Type sizes (px) per place: the Kapolres's tablet and the screens, and the projector (Mode Paparan).
SIZES = {"layar": {"font": 16, "title": 18, "bar": 15, "height": 380},
         "proyektor": {"font": 22, "title": 24, "bar": 22, "height": 430},
         "proyektor_besar": {"font": 26, "title": 28, "bar": 26, "height": 600}}
#: A minimal template: Plotly's default one adds ~6 KB of JSON to every chart sent to the browser.
TEMPLATE = go.layout.Template(layout={"font": {"family": FONT_FAMILY, "color": "#1b1b1b"}, "plot_bgcolor": "white",
                                      "paper_bgcolor": "white", "colorway": POLSEK_COLOURS})
CONFIG = {"displayModeBar": False}


def polsek_colour(polsek: str) -> str:
    """The one colour of a Polsek, everywhere in the app."""
    names = reference.polsek_names()
    return POLSEK_COLOURS[names.index(polsek) % len(POLSEK_COLOURS)] if polsek in names else "#607D8B"


def short_month(bulan: str) -> str:
    """`Sep 2024` for axes."""
    return fmt.month_short(bulan)


def axis_month(bulan: str) -> str:
    """`Sep 2024` on a time axis: where thirteen do not fit flat, Plotly turns them (never overlapping, never cut)."""
    return fmt.month_short(bulan)


def polsek_short(name: str) -> str:
    """A Polsek's name without the shared prefix: `Kota Kefamenanu` (the full name of the sector)."""
    return str(name).removeprefix("Polsek ")


def _layout(size: str = "layar", height: int | None = None, legend: bool = True, **extra: object) -> dict:
    """The shared layout: automargins everywhere, Indonesian separators, the size's fonts; `extra` merges into it.

    Margins start small and `automargin` lets Plotly grow them to fit every tick label and axis title, so a label
    is never cut whatever the width. Passing the layout to the constructor is ~6x cheaper than update_layout.
    """
    s = SIZES[size]
    layout: dict = {
        "template": TEMPLATE,
        "separators": fmt.PLOTLY_SEPARATORS,
        "font": {"size": s["font"], "family": FONT_FAMILY},
        "height": height or s["height"],
        "margin": {"l": 8, "r": 16, "t": 12, "b": 8, "pad": 4},
        "showlegend": legend,
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0, "font": {"size": s["font"]}},
        "hoverlabel": {"font": {"size": s["font"]}},
        "xaxis": {"showgrid": False, "linecolor": "#444", "automargin": True, "tickfont": {"size": s["font"]}},
        "yaxis": {"gridcolor": "#DDDDDD", "zeroline": False, "automargin": True, "tickfont": {"size": s["font"]}},
    }
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(layout.get(key), dict):
            layout[key] = {**layout[key], **value}
        else:
            layout[key] = value
    return layout


def _percent_axis() -> dict:
    return {"range": [0, 105], "ticksuffix": "%", "dtick": 25}


def trend(series: pd.DataFrame, keys: list[str], labels: dict[str, str], percent: bool = False, size: str = "layar",
          height: int | None = None, label_every: int = 1) -> go.Figure:
    """Lines over months (month names on the axis); months without data are gaps, never zeros.

    `label_every` names only every n-th month (counted back from the last) where a narrow chart cannot hold thirteen.
    """
    x = [axis_month(m) for m in series.index]
    has = series["desa_melapor"] > 0 if "desa_melapor" in series.columns else pd.Series(True, index=series.index)
    traces = [
        go.Scatter(
            x=x, y=series[key].where(has), name=labels.get(key, key), mode="lines+markers", connectgaps=False,
            line={"width": 4 if size == "layar" else 5, "color": POLSEK_COLOURS[i % len(POLSEK_COLOURS)]}, marker={"size": 9},
            customdata=[fmt.month(m) for m in series.index],
            hovertemplate="%{customdata}: %{y:,.0f}" + ("%" if percent else "") + "<extra>" + labels.get(key, key) + "</extra>",
        )
        for i, key in enumerate(keys)
    ]
    yaxis = {**_percent_axis(), "title": None} if percent else {"rangemode": "tozero", "tickformat": ",d", "title": None}
    xaxis: dict = {"type": "category", "title": None}
    if label_every > 1:
        shown = x[::-1][::label_every][::-1]
        xaxis.update(tickmode="array", tickvals=shown, ticktext=shown)
    return go.Figure(traces, layout=_layout(size, height, yaxis=yaxis, xaxis=xaxis))


def ranking(frame: pd.DataFrame, value: str = "indeks_kinerja", size: str = "layar", height: int | None = None) -> go.Figure:
    """Polsek ranked by an index, best at the top, bars coloured by category; Polsek without a report at the bottom."""
    ordered = frame.sort_values(value, ascending=True, na_position="first")
    categories = ordered["kategori_kinerja"] if "kategori_kinerja" in ordered.columns else pd.Series([None] * len(ordered))
    colours = [KATEGORI_COLOURS.get(k if isinstance(k, str) else None, KATEGORI_COLOURS[None]) for k in categories]
    # a Polsek without a report says so in its name (a zero-length bar has no room for a label)
    names = [polsek_short(p) + ("" if pd.notna(v) else " (belum melapor)") for p, v in zip(ordered["polsek"], ordered[value], strict=True)]
    text = [fmt.number(v, 1) if pd.notna(v) else "" for v in ordered[value]]
    s = SIZES[size]
    bar = go.Bar(
        x=ordered[value].fillna(0), y=names, orientation="h", marker_color=colours, text=text, textposition="outside",
        cliponaxis=False, textfont={"size": s["bar"]}, hovertemplate="%{y}: %{x:,.1f}<extra></extra>",
    )
    rows = max(len(ordered), 1)
    per_row = 40 if size == "layar" else 50
    # labels stand outside their bars: the right margin holds a four-character label ("89,4") however narrow the plot
    return go.Figure(bar, layout=_layout(size, height or max(220, per_row * rows + 60), legend=False,
                                         margin={"r": int(s["bar"] * 2.8)},
                                         xaxis={"range": [0, 118], "title": None, "tickvals": [0, 20, 40, 60, 80, 100]},
                                         yaxis={"title": None, "gridcolor": None}, bargap=0.25))


def grouped_bars(frame: pd.DataFrame, category: str, values: dict[str, str], percent: bool = False, size: str = "layar",
                 height: int | None = None) -> go.Figure:
    """Side-by-side horizontal bars per category (e.g. coverage per Polsek): long names stay whole on the left."""
    ordered = frame.iloc[::-1]
    names = [polsek_short(c) for c in ordered[category]]
    traces = [
        go.Bar(y=names, x=ordered[key], name=label, orientation="h", marker_color=POLSEK_COLOURS[i % len(POLSEK_COLOURS)],
               hovertemplate="%{y}: %{x:,.0f}" + ("%" if percent else "") + f"<extra>{label}</extra>")
        for i, (key, label) in enumerate(values.items())
    ]
    xaxis = {**_percent_axis(), "title": None} if percent else {"title": None, "rangemode": "tozero"}
    per_row = 22 * len(values) + 14
    return go.Figure(traces, layout=_layout(size, height or max(260, per_row * len(ordered) + 80), barmode="group", xaxis=xaxis,
                                            yaxis={"title": None, "gridcolor": None}))


def completeness_matrix(matrix: pd.DataFrame, size: str = "layar", height: int | None = None) -> go.Figure:
    """Polsek x month coloured by report status, versions written in each cell, Polsek and months labelled."""
    codes = {"belum": 0, "terlambat": 1, "tepat waktu": 2}
    pivot = matrix.pivot(index="polsek", columns="bulan", values="status")
    versions = matrix.pivot(index="polsek", columns="bulan", values="versi")
    z = pivot.apply(lambda col: col.map(codes)).astype(float).to_numpy()
    text = [[("v" + str(int(v)) if v else "\u2013") for v in row] for row in versions.to_numpy()]
    hover = [[f"{polsek_short(p)} {fmt.month(m)}: {status}" for m, status in zip(pivot.columns, row, strict=True)]
             for p, row in zip(pivot.index, pivot.to_numpy(), strict=True)]
    scale = [[0, STATUS_COLOURS["belum"]], [0.5, STATUS_COLOURS["terlambat"]], [1, STATUS_COLOURS["tepat waktu"]]]
    s = SIZES[size]
    heat = go.Heatmap(
        z=z, x=[axis_month(m) for m in pivot.columns], y=[polsek_short(p) for p in pivot.index], colorscale=scale, zmin=0, zmax=2,
        showscale=False, text=text, texttemplate="%{text}", textfont={"size": s["bar"], "color": "white"}, hovertext=hover,
        hovertemplate="%{hovertext}<extra></extra>", xgap=3, ygap=3,
    )
    per_row = 36 if size == "layar" else 48
    return go.Figure(heat, layout=_layout(size, height or 70 + per_row * len(pivot), legend=False,
                                          yaxis={"autorange": "reversed", "gridcolor": None, "title": None},
                                          xaxis={"side": "top", "title": None, "type": "category"}))
