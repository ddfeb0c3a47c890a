"""The measuring functions on pages written here, in the same Chromium: each finds what is wrong and nothing else.

Without this, a measure that silently finds nothing would let every screen pass. No server needed.
"""

from __future__ import annotations

import pytest

from . import measure

pytestmark = pytest.mark.e2e


def page_html(bad: bool) -> str:
    """A Streamlit-shaped page: main container, a Plotly-like chart, a KPI card, text, a table, slide buttons."""
    tick_x, xtick_y = (-25, 170) if bad else (40, 120)
    value = "2.\u2026" if bad else "2.430"
    grid = ('<div data-testid="stDataFrame" style="height:40px;font-size:20px">kisi</div>' if bad else
            '<table style="font-size:20px"><tbody><tr><td>Desa</td></tr></tbody></table>')
    exit_button = "" if bad else '<button style="font-size:20px">Keluar dari Mode Paparan</button>'
    label_style = "width:60px;overflow:hidden;text-overflow:ellipsis;white-space:nowrap" if bad else "white-space:nowrap"
    return f"""<!doctype html><html><body style="margin:0;font-family:sans-serif">
<section data-testid="stSidebar" style="position:fixed;left:0;top:0;width:300px;height:100%;background:#eee;
  transform:translateX({0 if bad else -300}px)">Navigasi</section>
<div data-testid="stMain" style="position:absolute;left:0;top:0;width:500px;height:560px;overflow:auto">
 <div data-testid="stMainBlockContainer" style="padding:0">
  <div data-testid="stVerticalBlock">
   <div class="st-key-tren"><div data-testid="stPlotlyChart" style="width:300px;height:150px">
    <div class="js-plotly-plot" style="width:300px;height:150px"><svg class="main-svg" width="300" height="150">
      <g class="ytick"><text x="{tick_x}" y="50" font-size="20">3.000</text></g>
      <g class="xtick"><text x="100" y="{xtick_y}" font-size="20">Sep 2024</text></g>
      <text class="gtitle" x="150" y="24" text-anchor="middle" font-size="20">Tren</text>
    </svg></div></div></div>
   <div data-testid="stMetric" style="width:{60 if bad else 400}px">
     <label data-testid="stMetricLabel"><p style="{label_style};font-size:20px;margin:0">Cakupan koordinasi PPK/PPS</p></label>
     <div data-testid="stMetricValue"><p style="font-size:30px;margin:0">{value}</p></div>
   </div>
   <p style="font-size:{12 if bad else 20}px">Keterangan sumber data</p>
   <span data-testid="stIconMaterial" style="font-size:10px">science</span>
   <p style="font-size:{16 if bad else 26}px">3 / 8 \u00b7 Ringkasan</p>
   {grid}
   <div style="width:{800 if bad else 300}px;height:{300 if bad else 20}px;font-size:20px">Baris lebar</div>
   <div class="st-key-paparan_berikut"><button style="font-size:20px">Berikutnya</button></div>
   {exit_button}
  </div>
 </div>
</div></body></html>"""


@pytest.fixture(scope="module")
def tab(browser):
    context = browser.new_context(viewport={"width": 1000, "height": 600})
    yield context.new_page()
    context.close()


def test_each_measure_finds_what_is_wrong(tab):
    tab.set_content(page_html(bad=True))
    outside = measure.chart_text_outside(tab)
    assert {(f["kind"], f["text"]) for f in outside} == {("ytick", "3.000"), ("xtick", "Sep 2024")}, outside
    assert "tren" in outside[0]["chart"] and any("kiri" in f["outside"] for f in outside), outside
    cut = measure.text_cut(tab)
    assert {(c["part"], c["text"]) for c in cut} == {("label KPI", "Cakupan koordinasi PPK/PPS"), ("nilai KPI", "2.\u2026")}, cut
    overflow = measure.horizontal_overflow(tab)
    assert [o["container"] for o in overflow] == ["stMain"] and "Baris lebar" in overflow[0]["culprits"][0], overflow
    fit = measure.vertical_fit(tab)
    assert fit["scrollHeight"] > fit["clientHeight"] == 560 and any("Baris lebar" in b for b in fit["below"]), fit
    fonts = measure.font_sizes(tab, 18)
    assert fonts["min"] == 12 and {s["text"] for s in fonts["small"]} == {"Keterangan sumber data", "3 / 8 \u00b7 Ringkasan"}, fonts
    assert [g["where"] for g in measure.canvas_grids(tab)] == ["stDataFrame"]
    assert measure.sidebar_open(tab)["sidebar_px"] == 300
    assert [(c["total"], c["px"]) for c in measure.slide_counters(tab, 3)] == [(8, 16)]
    assert measure.exit_controls(tab) == []


def test_a_page_that_is_fine_has_no_findings(tab):
    tab.set_content(page_html(bad=False))
    assert measure.chart_text_outside(tab) == []
    assert measure.text_cut(tab) == []
    assert measure.horizontal_overflow(tab) == []
    fit = measure.vertical_fit(tab)
    assert fit["scrollHeight"] <= fit["clientHeight"], fit
    assert measure.font_sizes(tab, 18)["small"] == []
    assert measure.canvas_grids(tab) == []
    assert measure.sidebar_open(tab) is None
    assert [(c["total"], c["px"]) for c in measure.slide_counters(tab, 3)] == [(8, 26)]
    assert [c["text"] for c in measure.exit_controls(tab)] == ["Keluar dari Mode Paparan"]
    assert measure.wait_settled(tab)
