"""The map as painted in Chromium: the Peta screen and Mode Paparan's map slide at 1366 x 768 and 1920 x 1080.

Screenshots go to tests/e2e/artefak/ (peta-*.png, paparan-peta-*.png) for a person to look at the kecamatan names;
the test checks what a screenshot can prove: the map and the slide's buttons are on screen without scrolling, and
the district fills the map it is drawn in.
"""

from __future__ import annotations

import io

import pytest

from .conftest import ARTEFAK, PAPARAN_PETA, open_page

pytestmark = pytest.mark.e2e
SIZES = {"1366x768": (1366, 768), "1920x1080": (1920, 1080)}
#: The map is re-fitted once the browser has reported its size (one more run of the script): wait for that run.
SETTLED = """([key, below, least]) => {
  const app = document.querySelector('[data-testid=stApp]');
  const mark = document.querySelector('.st-key-' + key);
  const deck = document.querySelector('[data-testid=stDeckGlJsonChart]');
  if (!app || app.dataset.testScriptState !== 'notRunning' || !mark || !deck) return false;
  if (below === null) return deck.getBoundingClientRect().width > 0;
  const want = Math.max(window.innerHeight - Math.round(mark.getBoundingClientRect().top) - below, least);
  return Math.abs(deck.getBoundingClientRect().height - want) <= 2;
}"""


def _painted(tab, selector: str) -> tuple[tuple[int, int], tuple[int, int, int, int]]:
    """Size of an element's screenshot and the box of what is drawn in it (not white), once the drawing is large.

    The first visit draws for a default width; the browser then reports the map's real size and the screen refits
    the view. So poll (no fixed wait) until the district spans 85 % of the map's height or width, and return the
    last drawing either way: the assertions say whether it ever got there.
    """
    from PIL import Image, ImageChops

    element = tab.locator(selector).first
    found = None
    for _ in range(120):  # deck.gl paints after the page is idle: poll the pixels
        image = Image.open(io.BytesIO(element.screenshot())).convert("RGB")
        box = ImageChops.difference(image, Image.new("RGB", image.size, (255, 255, 255))).point(lambda v: 255 if v > 24 else 0).getbbox()
        if box:
            found = image.size, box
            (w, h), (left, top, right, bottom) = found
            if (bottom - top) / h > 0.85 or (right - left) / w > 0.85:
                return found
        tab.wait_for_timeout(250)
    if found is None:
        raise AssertionError("peta tidak tergambar")
    return found


#: The map slide has settled at the window's size: the script is idle, the map spans the slide's width, and the
#: buttons under it are on screen (the first run draws for 1366 x 768 until the browser has said its size).
SLIDE_SETTLED = """() => {
  const app = document.querySelector('[data-testid=stApp]');
  const deck = document.querySelector('[data-testid=stDeckGlJsonChart]');
  const button = document.querySelector('.st-key-paparan_berikut button');
  if (!app || app.dataset.testScriptState !== 'notRunning' || !deck || !button) return false;
  const d = deck.getBoundingClientRect(), b = button.getBoundingClientRect();
  return d.width >= window.innerWidth * 0.85 && d.bottom <= b.top && b.bottom <= window.innerHeight;
}"""


@pytest.mark.parametrize("size", list(SIZES))
def test_paparan_map_slide_fills_the_screen(server, browser, size):
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height})
    tab = context.new_page()
    open_page(tab, f"{server}/{PAPARAN_PETA}&bulan=2024-09")
    try:
        tab.wait_for_function(SLIDE_SETTLED, timeout=60_000)
    finally:
        tab.screenshot(path=str(ARTEFAK / f"paparan-peta-{size}.png"))
    (map_w, map_h), (left, top, right, bottom) = _painted(tab, "[data-testid=stDeckGlJsonChart]")
    tab.screenshot(path=str(ARTEFAK / f"paparan-peta-{size}.png"))
    deck = tab.locator("[data-testid=stDeckGlJsonChart]").first.bounding_box()
    button = tab.locator(".st-key-paparan_berikut button").bounding_box()
    assert deck["y"] + deck["height"] <= button["y"] <= height - button["height"]  # map, then the buttons, all on screen
    assert deck["width"] >= width * 0.85 and deck["height"] >= height * 0.45
    # the district is drawn as large as the map allows: it spans (almost) the map's height or its width
    assert (bottom - top) / map_h > 0.85 or (right - left) / map_w > 0.85, ((left, top, right, bottom), (map_w, map_h))
    context.close()


@pytest.mark.parametrize("size", list(SIZES))
def test_peta_screen_draws_the_whole_district(server, browser, size):
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height})
    tab = context.new_page()
    open_page(tab, f"{server}/peta?bulan=2024-09")
    tab.wait_for_function(SETTLED, arg=["peta_ukuran", None, 0], timeout=90_000)
    tab.locator("[data-testid=stDeckGlJsonChart]").first.scroll_into_view_if_needed()
    (map_w, map_h), (left, top, right, bottom) = _painted(tab, "[data-testid=stDeckGlJsonChart]")
    tab.screenshot(path=str(ARTEFAK / f"peta-{size}.png"), full_page=False)
    tab.locator("[data-testid=stDeckGlJsonChart]").first.screenshot(path=str(ARTEFAK / f"peta-peta-{size}.png"))
    assert left > 0 and top > 0 and right < map_w and bottom < map_h  # nothing cut at the edges
    assert (bottom - top) / map_h > 0.85 or (right - left) / map_w > 0.85
    assert tab.locator("[data-testid=stException]").count() == 0
    context.close()
