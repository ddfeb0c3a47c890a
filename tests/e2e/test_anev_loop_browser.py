"""The Anev loop in a real Chromium: an arahan added on a portrait tablet in a few taps (the screens themselves are
opened by link in `test_browser` and measured at every size in `test_readable`)."""

from __future__ import annotations

import time

import pytest

from .conftest import ARTEFAK, open_page, wait_idle

pytestmark = pytest.mark.e2e


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
