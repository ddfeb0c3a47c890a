"""Browser tests: a real `streamlit run` server on a free port, driven by Playwright with Debian's Chromium.

Waits as Streamlit's own tests do: the health endpoint, then `[data-test-script-state=notRunning]`.
Screenshots are written to `tests/e2e/artefak/` (git-ignored) so a person can look at them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.views import paparan_slide

try:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
except ImportError:  # the server fixture skips the browser tests then
    PlaywrightTimeout = TimeoutError

ROOT = Path(__file__).resolve().parents[2]
ARTEFAK = Path(__file__).resolve().parent / "artefak"
#: Mode Paparan's map slide, as a URL path.
PAPARAN_PETA = f"paparan?slide={paparan_slide('Peta Kerawanan')}"
CHROMIUM = os.environ.get("ANEV_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-quic", "--no-first-run"]
USERNAME, PASSWORD = "operator-uji", "sandi-uji-e2e-1"
VIEWPORTS = {"ipad-lanskap": (1024, 768), "ipad-potret": (768, 1024), "proyektor": (1920, 1080)}
# Sizes people open the dashboard at beyond the three above: a common laptop and a 720p projector.
MORE_VIEWPORTS = {"laptop": (1366, 768), "proyektor-720": (1280, 720)}
ALL_VIEWPORTS = {**VIEWPORTS, **MORE_VIEWPORTS}
DEMO_FROM, DEMO_TO = "2024-06", "2024-09"  # months the demo database holds
EMPTY_MONTH = "2024-05"  # no recap in it nor in the twelve months before it

pytestmark = pytest.mark.e2e


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test in this folder needs a browser, a server or LibreOffice: mark it `e2e` (`-m "not e2e"` leaves them out)."""
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.e2e)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(db_url: str, log_path: Path, extra_env: dict[str, str] | None = None) -> tuple[str, subprocess.Popen]:
    """`streamlit run app.py` (st.App: frame, cookie routes, gzip) on a free port; returns its URL once healthy."""
    port = _free_port()
    env = {**os.environ, "ANEV_DB_URL": db_url, "ANEV_DEMO_OTOMATIS": "0", **(extra_env or {})}
    log = open(log_path, "w")  # noqa: SIM115 - the process writes to it until stop_server
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    process.log = log  # type: ignore[attr-defined]
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return base, process
        except OSError:
            time.sleep(0.2)
    stop_server(process)
    pytest.fail(f"server streamlit tidak siap dalam 60 detik (log: {log_path})")


def stop_server(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
    process.log.close()  # type: ignore[attr-defined]


def demo_database(directory: Path) -> str:
    """Demo data (4 months) and the test admin, in a new SQLite file; its URL."""
    sys.path.insert(0, str(ROOT))
    from core import auth, demo, store

    url = f"sqlite:///{directory / 'anev.db'}"
    engine = store.create_db_engine(url)
    demo.generate(engine, dari=DEMO_FROM, sampai=DEMO_TO, seed=21, today=dt.date(2024, 10, 20))
    auth.create_user(engine, USERNAME, PASSWORD, "admin")
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def chromium() -> str:
    """Skip browser tests when Debian's Chromium or Playwright is missing."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium tidak ada di {CHROMIUM} (apt-get install chromium)")
    pytest.importorskip("playwright.sync_api")
    return CHROMIUM


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """URL of a SQLite database with demo data (June to September 2024) and the test account."""
    return demo_database(tmp_path_factory.mktemp("e2e"))


@pytest.fixture(scope="session")
def server_db(demo_db: str) -> str:
    return demo_db


@pytest.fixture(scope="session")
def demo_month() -> str:
    """The latest demo month: every screen has data for it."""
    return DEMO_TO


@pytest.fixture(scope="session")
def server(chromium: str, demo_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A streamlit server on demo data, stopped at the end of the session."""
    base, process = start_server(demo_db, tmp_path_factory.mktemp("log") / "streamlit.log")
    yield base
    stop_server(process)


@pytest.fixture(scope="session")
def browser(chromium: str):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture(scope="session", autouse=True)
def artefak_dir() -> Path:
    if ARTEFAK.exists():
        shutil.rmtree(ARTEFAK)
    ARTEFAK.mkdir(parents=True)
    return ARTEFAK


def wait_idle(page, timeout: float = 60_000) -> None:
    """Until the script run is over and no skeleton is left (no fixed sleeps)."""
    page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=timeout)
    page.wait_for_function("document.querySelectorAll('[data-testid=stSkeleton]').length === 0", timeout=timeout)


def open_page(page, url: str) -> None:
    """Go to a URL and sign in through the real login form when it is shown (each browser context is a new session)."""
    page.goto(url, timeout=60_000)
    wait_idle(page)
    if page.locator(".st-key-login_username input").count():
        page.locator(".st-key-login_username input").fill(USERNAME)
        page.locator(".st-key-login_password input").fill(PASSWORD)
        page.locator(".st-key-login_submit button").click()
        # the sidebar may be hidden (Mode Paparan): wait for the signed-in caption to exist, not to be visible
        page.locator("[data-testid=stSidebar]").get_by_text("Masuk sebagai").wait_for(state="attached", timeout=90_000)
        wait_idle(page)


def nav_links(page) -> list[tuple[str, str]]:
    """(title, href) of every screen in the sidebar navigation, in its order (the links exist while the sidebar is closed)."""
    page.locator("[data-testid=stSidebarNav] a").first.wait_for(state="attached", timeout=30_000)
    links = page.evaluate("""[...document.querySelectorAll('[data-testid=stSidebarNav] a')].map((a) => {
        const icon = a.querySelector('[data-testid=stIconMaterial]');
        const title = (a.innerText || '').replace(icon ? icon.innerText : '', '').trim();
        return [title, a.href];
    })""")
    return [(title, href) for title, href in links]


ON_SCREEN = """(el) => { const r = el.getBoundingClientRect();
    return el.checkVisibility({ visibilityProperty: true, opacityProperty: true }) && r.width > 0 && r.right > 0
        && r.left < window.innerWidth; }"""


def on_screen(locator) -> bool:
    """Shown within the window's width (a closed sidebar keeps its links, moved off the screen)."""
    return locator.count() > 0 and bool(locator.first.evaluate(ON_SCREEN))


def go_to(page, href: str) -> bool:
    """Choose a screen in the sidebar as a person would: open the sidebar when it is closed, click the link, wait.

    Returns False when the sidebar could not be used (Mode Paparan hides it); the link is then clicked by script,
    which keeps the session (a new URL would need a new login).
    """
    link = page.locator(f'[data-testid=stSidebarNav] a[href="{href}"]')
    expand = page.locator("[data-testid=stExpandSidebarButton]")
    if not on_screen(link) and on_screen(expand):
        expand.click()
        link.wait_for(state="visible", timeout=10_000)
        page.wait_for_function(f"(href) => ({ON_SCREEN})([...document.querySelectorAll('[data-testid=stSidebarNav] a')]"
                               ".find((a) => a.href === href))", arg=href, timeout=10_000)
    by_hand = on_screen(link)
    path = urllib.parse.urlsplit(href).path
    same_page = urllib.parse.urlsplit(page.url).path == path
    for attempt in range(2):
        if by_hand:
            link.click()
        else:
            link.dispatch_event("click")
        if same_page:
            # the URL does not change: wait for the rerun the click starts (bounded: Streamlit may skip it)
            with contextlib.suppress(PlaywrightTimeout):
                page.wait_for_selector("[data-testid=stApp][data-test-script-state=running]", timeout=10_000)
        try:
            # a click that lands while the page is still re-rendering can be lost (seen on a loaded 2-core machine):
            # after 30 s a person clicks again, and so does this
            page.wait_for_function("(path) => location.pathname === path", arg=path, timeout=30_000 if attempt == 0 else 60_000)
            break
        except PlaywrightTimeout:
            if attempt == 1:
                raise
            wait_idle(page)
    wait_idle(page)
    return by_hand


class Tabs:
    """One signed-in browser tab per viewport, kept while tests at the same size follow each other.

    A login costs several seconds, so tests move inside the session (sidebar links, slide buttons) instead of opening URLs.
    """

    def __init__(self, browser, base: str, bulan: str) -> None:
        self.browser, self.base, self.bulan = browser, base, bulan
        self.name: str | None = None
        self.context = None
        self.page = None

    def get(self, viewport: str, path: str = "") -> object:
        """The tab for this viewport (signed in, month chosen); opens `path` only when a new tab is made."""
        if self.name != viewport or self.page is None or self.page.is_closed():
            self.close()
            width, height = ALL_VIEWPORTS[viewport]
            self.context = self.browser.new_context(viewport={"width": width, "height": height})
            self.page = self.context.new_page()
            self.name = viewport
            open_page(self.page, f"{self.base}/{path}?bulan={self.bulan}")
        return self.page

    def close(self) -> None:
        if self.context is not None:
            self.context.close()
        self.context = self.page = self.name = None


@pytest.fixture(scope="session")
def tabs(browser, server: str, demo_month: str) -> Iterator[Tabs]:
    keeper = Tabs(browser, server, demo_month)
    yield keeper
    keeper.close()
