"""Sessions in a real Chromium: reload keeps you in, Keluar and revocation end the cookie, the cookie's flags,
no figure without a session, a fresh server's deep link runs the frame, gzip on the static bundles."""

from __future__ import annotations

import gzip
import re
import sys
import time
import urllib.request

import pytest

from .conftest import ARTEFAK, PAPARAN_PETA, PASSWORD, ROOT, USERNAME, demo_database, open_page, start_server, stop_server, wait_idle

pytestmark = pytest.mark.e2e
COOKIE = "anev_sesi"
LOGIN = ".st-key-login_username input"
FIGURES = "[data-testid=stPlotlyChart], [data-testid=stDeckGlJsonChart], [data-testid=stDataFrame], [data-testid=stMetric]"


def _cookie(context) -> dict | None:
    return next((c for c in context.cookies() if c["name"] == COOKIE), None)


def _wait_for_cookie(context, present: bool = True, timeout: float = 30) -> dict | None:
    """The cookie arrives (or goes) through a fetch after the script run: poll the browser's cookie jar."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        cookie = _cookie(context)
        if (cookie is not None) is present:
            return cookie
        time.sleep(0.1)
    raise AssertionError(f"cookie {COOKIE} {'tidak datang' if present else 'tidak hilang'} dalam {timeout} detik")


def _signed_in(tab) -> bool:
    wait_idle(tab)
    return tab.locator("[data-testid=stSidebar]").get_by_text("Masuk sebagai").count() > 0 and tab.locator(LOGIN).count() == 0


def _shows_login(tab) -> bool:
    wait_idle(tab)
    return tab.locator(LOGIN).count() == 1 and tab.locator(FIGURES).count() == 0


@pytest.fixture
def context(browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    yield ctx
    ctx.close()


def test_reload_keeps_you_signed_in_with_an_httponly_lax_cookie(server, context):
    tab = context.new_page()
    open_page(tab, f"{server}/kinerja?bulan=2024-09")
    cookie = _wait_for_cookie(context)
    assert cookie["httpOnly"] is True and cookie["sameSite"] == "Lax" and cookie["path"] == "/"
    assert cookie["secure"] is False  # plain http here; behind the HTTPS proxy it is Secure (tests/unit/test_sesi.py)
    assert COOKIE not in tab.evaluate("document.cookie")  # page scripts cannot read it
    tab.reload()
    assert _signed_in(tab)
    assert "Kinerja Bhabinkamtibmas" in tab.locator("[data-testid=stMain]").inner_text()
    second = context.new_page()  # a new tab of the same browser
    second.goto(f"{server}/", timeout=60_000)
    assert _signed_in(second)
    tab.screenshot(path=str(ARTEFAK / "sesi-setelah-muat-ulang.png"))


def test_after_keluar_a_reload_shows_the_login_form(server, context):
    tab = context.new_page()
    open_page(tab, f"{server}/?bulan=2024-09")
    _wait_for_cookie(context)
    tab.reload()  # this connection now carries the cookie
    assert _signed_in(tab)
    tab.locator(".st-key-keluar button").click()
    tab.locator(LOGIN).wait_for(timeout=60_000)
    _wait_for_cookie(context, present=False)
    wait_idle(tab)
    assert "Sesi berakhir" not in tab.locator("[data-testid=stMain]").inner_text()  # a plain sign-out, no alarm
    tab.reload()
    assert _shows_login(tab)
    open_page(tab, f"{server}/kinerja?bulan=2024-09")  # and signing in again works in the same browser
    assert _wait_for_cookie(context)["value"]


def test_a_copied_cookie_stops_working_after_revocation(server, server_db, browser, context):
    tab = context.new_page()
    open_page(tab, f"{server}/?bulan=2024-09")
    stolen = _wait_for_cookie(context)
    thief = browser.new_context()
    try:
        thief.add_cookies([stolen])
        other = thief.new_page()
        other.goto(f"{server}/kinerja?bulan=2024-09", timeout=60_000)
        assert _signed_in(other)  # a copied cookie works while its session lives (it is a bearer token) ...
        sys.path.insert(0, str(ROOT))
        from core import auth, sesi, store

        engine = store.create_db_engine(server_db)
        session_id, _state = sesi.resume(engine, stolen["value"])
        sesi.revoke(engine, session_id, by=auth.User(USERNAME, "admin"))  # what "Cabut sesi" on Pengguna dan Cadangan does
        engine.dispose()
        other.reload()
        assert _shows_login(other)  # ... and not after the admin revoked it
        assert "dicabut admin" in other.locator("[data-testid=stMain]").inner_text()
        tab.reload()
        assert _shows_login(tab)  # the owner's browser is signed out too
    finally:
        thief.close()


def test_a_screen_url_without_a_session_shows_the_login_form_and_no_figure(server, context):
    tab = context.new_page()
    for screen in ("kinerja", "peta", "pengguna", PAPARAN_PETA):
        tab.goto(f"{server}/{screen}", timeout=60_000)
        assert _shows_login(tab), screen
        assert tab.locator("[data-testid=stSidebarNav]").count() == 0
    tab.locator(LOGIN).fill(USERNAME)
    tab.locator(".st-key-login_password input").fill(PASSWORD)
    tab.locator(".st-key-login_submit button").click()
    tab.locator("[data-testid=stSidebar]").get_by_text("Masuk sebagai").wait_for(state="attached", timeout=90_000)
    wait_idle(tab)
    assert "Peta Kerawanan" in tab.locator("[data-testid=stMain]").inner_text()  # the requested slide opens after sign-in


RAW_NAMES = ["app", "main", "audit", "kelengkapan", "kesiapan", "kinerja", "paparan", "pengguna", "peta", "rekap", "ringkasan", "unggah"]
# Records, from the very first paint, every sidebar navigation link that ever appears (legacy mode lists file names).
WATCH_NAV = r"""
window.__navTexts = [];
new MutationObserver(() => {
  for (const link of document.querySelectorAll('[data-testid=stSidebarNav] a, [data-testid=stSidebarNavLink]')) {
    window.__navTexts.push(link.innerText.trim().split('\n').pop().trim());  // the label, without the icon's name
  }
}).observe(document, {subtree: true, childList: true, characterData: true});
"""


@pytest.fixture
def fresh_server(chromium, tmp_path):
    """A server that has not served anyone yet (the legacy mode was decided at the first session)."""
    base, process = start_server(demo_database(tmp_path), tmp_path / "segar.log")
    yield base
    stop_server(process)


def test_a_fresh_servers_first_request_for_a_screen_runs_the_frame(fresh_server, browser):
    context = browser.new_context()
    try:
        context.add_init_script(WATCH_NAV)
        tab = context.new_page()
        tab.goto(f"{fresh_server}/kinerja?bulan=2024-09", timeout=60_000)
        assert _shows_login(tab)  # the frame ran: its login gate, not the page on its own
        assert tab.evaluate("window.__navTexts") == []  # no raw file names, not even for a moment
        tab.locator(LOGIN).fill(USERNAME)
        tab.locator(".st-key-login_password input").fill(PASSWORD)
        tab.locator(".st-key-login_submit button").click()
        tab.locator("[data-testid=stSidebar]").get_by_text("Masuk sebagai").wait_for(state="attached", timeout=90_000)
        wait_idle(tab)
        assert "Kinerja Bhabinkamtibmas" in tab.locator("[data-testid=stMain]").inner_text()  # the shared link opens after sign-in
        seen = set(tab.evaluate("window.__navTexts"))
        assert not seen & set(RAW_NAMES), seen
        assert "Kinerja Bhabinkamtibmas" in seen  # the frame's own navigation
    finally:
        context.close()


def test_static_bundles_are_sent_gzipped(server):
    with urllib.request.urlopen(f"{server}/", timeout=30) as response:
        html = response.read().decode()
    bundle = re.search(r'src="\.?/?(static/js/index\.[^"]+\.js)"', html).group(1)
    request = urllib.request.Request(f"{server}/{bundle}", headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.headers["Content-Encoding"] == "gzip"
        body = response.read()
    with urllib.request.urlopen(f"{server}/{bundle}", timeout=30) as plain:
        original = plain.read()
    assert gzip.decompress(body) == original and len(body) < len(original) / 2


def test_an_error_shows_an_indonesian_message_and_no_traceback(chromium, browser, tmp_path):
    # a database that cannot be reached: every run of the frame fails
    base, process = start_server("postgresql+psycopg://anev@127.0.0.1:9/tidak_ada", tmp_path / "galat.log")
    context = browser.new_context()
    try:
        tab = context.new_page()
        tab.goto(f"{base}/kinerja", timeout=60_000)
        wait_idle(tab)
        text = tab.locator("[data-testid=stMain]").inner_text()
        assert "Basis data tidak dapat dihubungi" in text and "Kode kesalahan" in text
        assert tab.locator("[data-testid=stException]").count() == 0
        assert "Traceback" not in text and "OperationalError" not in text and "psycopg" not in text
        code = re.search(r"Kode kesalahan: ([0-9A-F]{6})", text).group(1)
    finally:
        context.close()
        stop_server(process)
    assert code in (tmp_path / "galat.log").read_text()  # the details are in the server log, under that code
