"""Data Rujukan in a real Chromium: the border desa table on a tablet and a projector, without errors or overflow."""

from __future__ import annotations

import pytest

from .conftest import ARTEFAK, VIEWPORTS, open_page

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_data_rujukan_screen(server, browser, viewport):
    width, height = VIEWPORTS[viewport]
    context = browser.new_context(viewport={"width": width, "height": height})
    tab = context.new_page()
    open_page(tab, f"{server}/rujukan")
    tab.screenshot(path=str(ARTEFAK / f"rujukan-{viewport}.png"))
    assert tab.locator("[data-testid=stException]").count() == 0
    overflow = tab.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"rujukan {viewport}: halaman melebar {overflow}px"
    text = tab.locator("[data-testid=stMain]").inner_text()
    assert "Data Rujukan" in text and "Desa perbatasan RI\u2013RDTL" in text
    assert tab.locator("[data-testid=stDataFrame]").count() == 1 and tab.get_by_role("button", name="Simpan").count() == 1
    context.close()
