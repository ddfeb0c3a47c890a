"""Browser tests: a real `streamlit run` server on a free port, driven by Playwright with Debian's Chromium.

Waits as Streamlit's own tests do: the health endpoint, then `[data-test-script-state=notRunning]`.
Screenshots are written to `tests/e2e/artefak/` (git-ignored) so a person can look at them.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTEFAK = Path(__file__).resolve().parent / "artefak"
CHROMIUM = os.environ.get("ANEV_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-quic", "--no-first-run"]
USERNAME, PASSWORD = "operator-uji", "sandi-uji-e2e-1"
VIEWPORTS = {"ipad-lanskap": (1024, 768), "ipad-potret": (768, 1024), "proyektor": (1920, 1080)}

pytestmark = pytest.mark.e2e


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
    demo.generate(engine, dari="2024-06", sampai="2024-09", seed=21, today=dt.date(2024, 10, 20))
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
def server_db(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    return demo_database(tmp_path_factory.mktemp("e2e"))


@pytest.fixture(scope="session")
def server(server_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A streamlit server on demo data, stopped at the end of the session."""
    base, process = start_server(server_db, tmp_path_factory.mktemp("log") / "streamlit.log")
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
