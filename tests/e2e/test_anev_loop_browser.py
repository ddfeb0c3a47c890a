"""The Anev loop in a real Chromium: Tindak Lanjut and Verifikasi at tablet and projector sizes, an arahan added on a tablet."""

from __future__ import annotations

import time

import pytest

from .conftest import ARTEFAK, VIEWPORTS, open_page, wait_idle

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("screen", ["tindak_lanjut", "verifikasi"])
def test_loop_screens_have_no_error_and_no_horizontal_overflow(server, browser, screen, viewport):
    width, height = VIEWPORTS[viewport]
    context = browser.new_context(viewport={"width": width, "height": height})
    tab = context.new_page()
    open_page(tab, f"{server}/{screen}?bulan=2024-09")
    tab.screenshot(path=str(ARTEFAK / f"{screen}-{viewport}.png"), full_page=True)
    assert tab.locator("[data-testid=stException]").count() == 0
    overflow = tab.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{screen} {viewport}: halaman melebar {overflow}px"
    text = tab.locator("[data-testid=stMain]").inner_text()
    assert {"tindak_lanjut": "Tindak Lanjut Arahan", "verifikasi": "Verifikasi Rekap"}[screen] in text
    context.close()


def _metric(tab, label: str) -> int:
    card = tab.locator("[data-testid=stMetric]").filter(has_text=label)
    return int(card.locator("[data-testid=stMetricValue]").inner_text().strip())


def test_an_arahan_is_added_on_a_portrait_tablet_in_a_few_taps(server, browser):
    context = browser.new_context(viewport={"width": 768, "height": 1024}, has_touch=True, is_mobile=True)
    tab = context.new_page()
    open_page(tab, f"{server}/tindak_lanjut?bulan=2024-09")
    before = _metric(tab, "Belum dinilai / baru")
    started = time.monotonic()
    tab.get_by_role("button", name="Catat arahan baru").click()
    dialog = tab.locator("[data-testid=stDialog]")
    dialog.locator("textarea").wait_for(timeout=30_000)
    text_box = dialog.locator("textarea").bounding_box()
    save = dialog.get_by_role("button", name="Simpan arahan")
    save_box = save.bounding_box()
    assert save_box["height"] >= 48 and text_box["height"] >= 80, "sasaran sentuh terlalu kecil untuk tablet"
    assert text_box["x"] >= 0 and text_box["x"] + text_box["width"] <= 768, "dialog melebihi lebar layar tablet"
    tab.screenshot(path=str(ARTEFAK / "arahan-dialog-ipad-potret.png"))
    dialog.locator("textarea").fill("Koordinasi dengan PPS di setiap desa sebelum pencoblosan")
    save.click()
    dialog.wait_for(state="detached", timeout=60_000)
    tab.locator("[data-testid=stToast]").filter(has_text="dicatat").wait_for(timeout=60_000)
    wait_idle(tab)
    elapsed = time.monotonic() - started
    assert _metric(tab, "Belum dinilai / baru") == before + 1  # given this month: "baru"
    assert elapsed < 60, f"mencatat arahan makan {elapsed:.0f} detik"
    (ARTEFAK / "arahan-tablet-waktu.txt").write_text(f"{elapsed:.1f} detik dari ketukan 'Catat arahan baru' sampai tersimpan\n")
    context.close()
