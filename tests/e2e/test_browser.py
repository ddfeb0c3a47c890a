"""The dashboard in a real Chromium: upload, every screen at tablet and projector sizes, Mode Paparan, exports."""

from __future__ import annotations

import io
import sys
import urllib.parse

import openpyxl
import pytest

from core.views import PAPARAN_SLIDES

from .conftest import ARTEFAK, PAPARAN_PETA, ROOT, VIEWPORTS, PlaywrightTimeout, open_page, wait_idle

pytestmark = pytest.mark.e2e
SCREENS = ["", "kelengkapan", "kinerja", "kesiapan", "peta", "paparan", "rekap", "unggah", "pengguna", "audit",
           "tindak_lanjut", "verifikasi", PAPARAN_PETA]
#: What each screen opened by its link must show (the month, for the Anev screens).
HEADINGS = {"pengguna": "Pengguna dan Cadangan", "audit": "Jejak Audit", "unggah": "Unggah Rekap Bulanan",
            "tindak_lanjut": "Tindak Lanjut Arahan", "verifikasi": "Verifikasi Rekap"}


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1024, "height": 768}, accept_downloads=True)
    tab = context.new_page()
    yield tab
    context.close()


@pytest.mark.parametrize("screen", SCREENS)
def test_a_screen_link_opens_that_screen_without_error(server, browser, screen):
    """A shared link opens its screen in a new tab, with no error and no sideways scrolling. Opened at the narrowest
    size, the portrait tablet; `test_readable` measures every screen at all four sizes through the sidebar."""
    width, height = VIEWPORTS["ipad-potret"]
    context = browser.new_context(viewport={"width": width, "height": height})
    tab = context.new_page()
    open_page(tab, f"{server}/{screen}{'&' if '?' in screen else '?'}bulan=2024-09")
    name = screen.replace("?slide=", "-slide") or "ringkasan"
    tab.screenshot(path=str(ARTEFAK / f"{name}-ipad-potret.png"))
    assert tab.locator("[data-testid=stException]").count() == 0
    assert tab.locator("[data-testid=stAlertContentError]").filter(has_text="Traceback").count() == 0
    overflow = tab.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{screen}: halaman melebar {overflow}px"
    text = tab.locator("[data-testid=stMain]").inner_text()
    assert HEADINGS.get(screen, "2024") in text, f"{screen}: halaman yang diminta tidak tampil"
    context.close()


def test_upload_through_the_real_uploader(server, page):
    sys.path.insert(0, str(ROOT / "tests"))
    from workbooks import filled_template

    content = filled_template("Polsek Insana Utara", "2024-09")
    open_page(page, f"{server}/unggah")
    page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(
        files=[{"name": "Rekap_InsanaUtara_2024-09.xlsx", "mimeType": "application/octet-stream", "buffer": content}]
    )
    page.get_by_text("Berkas sah: 5 baris kegiatan").wait_for(timeout=90_000)
    wait_idle(page)
    page.screenshot(path=str(ARTEFAK / "unggah-pratinjau.png"), full_page=True)
    # the demo already holds Insana Utara 2024-09: the new version needs confirming
    page.get_by_text("sudah ada sebagai versi").wait_for(timeout=90_000)
    page.get_by_text("Ya, ganti versi").click()
    wait_idle(page)
    page.get_by_role("button", name="Simpan").click()
    page.get_by_text("Tersimpan sebagai versi").wait_for(timeout=90_000)
    assert "Tersimpan sebagai versi" in page.locator("[data-testid=stMain]").inner_text()


def _press_until(tab, key: str, slide: int) -> None:
    """Press a key and wait for the slide; once more after 30 s without a change (a key pressed while the page is
    still re-rendering can be lost on a loaded machine, and a presenter presses again)."""
    def there(url: str) -> bool:
        return urllib.parse.parse_qs(urllib.parse.urlsplit(url).query).get("slide") == [str(slide)]

    for attempt in range(2):
        tab.keyboard.press(key)
        try:
            tab.wait_for_url(there, timeout=30_000 if attempt == 0 else 60_000)
            wait_idle(tab)
            return
        except PlaywrightTimeout:
            if attempt == 1 or there(tab.url):
                raise
            wait_idle(tab)


def test_mode_paparan_with_the_keyboard(server, browser):
    """Arrows and Page Down/Up (a presenter's clicker) walk every slide in meeting order; the sidebar stays hidden."""
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    tab = context.new_page()
    open_page(tab, f"{server}/paparan?bulan=2024-09")
    total = len(PAPARAN_SLIDES)
    seen = []
    for step in range(total):
        tab.locator(".paparan-kepala .nomor").filter(has_text=f"{step + 1} / {total}").wait_for(timeout=90_000)
        wait_idle(tab)
        heading = tab.locator("[data-testid=stMain] h1")
        seen.append(heading.first.inner_text() if heading.count() else tab.locator(".paparan-judul .besar").inner_text())
        tab.screenshot(path=str(ARTEFAK / f"paparan-{step + 1}.png"))
        if step < total - 1:
            _press_until(tab, "PageDown" if step % 2 else "ArrowRight", step + 2)
    assert [" ".join(text.split()) for text in seen] == ["Analisis dan Evaluasi Bhabinkamtibmas", *PAPARAN_SLIDES[1:]]
    _press_until(tab, "PageUp", total - 1)
    _press_until(tab, "ArrowLeft", total - 2)
    assert tab.locator("[data-testid=stSidebar]").is_hidden()
    body = tab.evaluate("parseFloat(getComputedStyle(document.querySelector('[data-testid=stMain] p')).fontSize)")
    assert body >= 24
    context.close()


def test_both_exports_download_and_open(server, page):
    open_page(page, f"{server}/?bulan=2024-09")
    page.get_by_role("button", name="Siapkan PowerPoint dan Excel").click()
    page.get_by_role("button", name="Unduh PowerPoint").wait_for(timeout=90_000)
    with page.expect_download() as deck_info:
        page.get_by_role("button", name="Unduh PowerPoint").click()
    with page.expect_download() as book_info:
        page.get_by_role("button", name="Unduh Excel").click()
    from pptx import Presentation

    deck = Presentation(deck_info.value.path())
    assert any(shape.has_chart for slide in deck.slides for shape in slide.shapes)
    book = openpyxl.load_workbook(io.BytesIO(open(book_info.value.path(), "rb").read()))  # noqa: SIM115
    assert "Polsek" in book.sheetnames


def test_nothing_is_shown_before_login(server, browser):
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    tab = context.new_page()
    tab.goto(f"{server}/kinerja?bulan=2024-09", timeout=90_000)
    wait_idle(tab)
    text = tab.locator("[data-testid=stMain]").inner_text()
    assert "Masuk" in text and "Peringkat Bhabinkamtibmas" not in text and "NRP" not in text
    context.close()
