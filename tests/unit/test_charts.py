"""Chart builders: traces, values and the colour language."""

from __future__ import annotations

import numpy as np
import pandas as pd

from core import charts, reference


def _series() -> pd.DataFrame:
    return pd.DataFrame(
        {"sambang_dds": [10, np.nan, 30], "pos_kamling_rasio": [40.0, np.nan, 60.0], "pos_kamling_aktif": [4, np.nan, 6],
         "desa_melapor": [5, 0, 5]},
        index=pd.Index(["2024-07", "2024-08", "2024-09"], name="bulan"),
    )


def test_trend_leaves_months_without_data_as_gaps():
    fig = charts.trend(_series(), ["sambang_dds"], {"sambang_dds": "Sambang/DDS"})
    trace = fig.data[0]
    assert trace.name == "Sambang/DDS"
    assert list(trace.x) == ["Jul 2024", "Agu 2024", "Sep 2024"]  # month names
    assert list(trace.customdata) == ["Juli 2024", "Agustus 2024", "September 2024"]  # hover spells them out
    assert trace.y[0] == 10 and np.isnan(trace.y[1]) and trace.y[2] == 30
    assert trace.connectgaps is False


def test_trend_percent_axis():
    fig = charts.trend(_series(), ["pos_kamling_rasio"], {}, percent=True)
    assert fig.layout.yaxis.ticksuffix == "%" and tuple(fig.layout.yaxis.range) == (0, 105)


def test_ranking_sorted_and_coloured_by_category():
    polsek = pd.DataFrame({"polsek": ["Polsek A", "Polsek B", "Polsek C", "Polsek D"], "indeks_kinerja": [85.0, 55.0, 70.0, np.nan],
                           "kategori_kinerja": ["Baik", "Kurang", "Cukup", None]})
    bar = charts.ranking(polsek).data[0]
    # ascending, best at the top of a horizontal bar chart; a Polsek without a report says so in its name
    assert list(bar.y) == ["D (belum melapor)", "B", "C", "A"]
    assert list(bar.marker.color) == [charts.KATEGORI_COLOURS[None], charts.KATEGORI_COLOURS["Kurang"],
                                      charts.KATEGORI_COLOURS["Cukup"], charts.KATEGORI_COLOURS["Baik"]]
    assert list(bar.text) == ["", "55,0", "70,0", "85,0"]  # the Indonesian decimal comma


def test_completeness_matrix_codes_and_versions():
    matrix = pd.DataFrame([
        {"polsek": "Polsek A", "bulan": "2024-08", "versi": 2, "status": "tepat waktu"},
        {"polsek": "Polsek A", "bulan": "2024-09", "versi": 1, "status": "terlambat"},
        {"polsek": "Polsek B", "bulan": "2024-08", "versi": 0, "status": "belum"},
        {"polsek": "Polsek B", "bulan": "2024-09", "versi": 1, "status": "tepat waktu"},
    ])
    heat = charts.completeness_matrix(matrix).data[0]
    assert heat.z.tolist() == [[2.0, 1.0], [0.0, 2.0]]
    assert heat.text == [["v2", "v1"], ["\u2013", "v1"]] or list(map(list, heat.text)) == [["v2", "v1"], ["\u2013", "v1"]]
    assert list(heat.y) == ["A", "B"]


def test_each_polsek_has_its_own_stable_colour():
    colours = [charts.polsek_colour(p) for p in reference.polsek_names()]
    assert len(set(colours)) == len(colours) == 9
    assert charts.polsek_colour("Polsek Insana") == colours[list(reference.polsek_names()).index("Polsek Insana")]


def test_every_chart_grows_its_margins_to_fit_labels_and_writes_numbers_the_indonesian_way():
    figures = [charts.trend(_series(), ["sambang_dds"], {}), charts.ranking(pd.DataFrame({"polsek": ["Polsek A"], "indeks_kinerja": [72.15]})),
               charts.grouped_bars(pd.DataFrame({"polsek": ["Polsek A"], "x": [10.0]}), "polsek", {"x": "X"}, percent=True)]
    for fig in figures:
        assert fig.layout.xaxis.automargin and fig.layout.yaxis.automargin  # labels are never cut at the chart's edge
        assert fig.layout.separators == ",."
        assert len(fig.to_json()) < 3000  # the small project template, not Plotly's 6 KB default


def test_completeness_matrix_labels_polsek_and_months():
    matrix = pd.DataFrame([{"polsek": "Polsek A", "bulan": "2024-09", "versi": 1, "status": "tepat waktu"}])
    fig = charts.completeness_matrix(matrix)
    assert fig.layout.yaxis.automargin and list(fig.data[0].y) == ["A"] and list(fig.data[0].x) == ["Sep 2024"]
