"""Several processes on one PostgreSQL database: what a Polda deployment with app replicas relies on.

An import made by another process (`python -m core import`, the same pipeline and store as the screen's
Simpan) shows up in a running app session without clearing any cache, because every cached aggregate is
keyed by `ui.data_version()`; and a real `streamlit run` server boots on PostgreSQL and serves a session.
Skipped without `ANEV_TEST_PG_URL`.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from accounts import ensure_user, sign_in
from conftest import ROOT
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.testing.v1 import AppTest
from websockets.sync.client import connect
from workbooks import filled_template

from core import ui

pytestmark = pytest.mark.pg

APP = str(ROOT / "frame" / "main.py")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _cli_import(env: dict[str, str], path: Path) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "core", "import", str(path), "--json"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(done.stdout)["files"][0]


def _recap_session(query: dict[str, str]) -> AppTest:
    """A new browser session on Rekap Bulanan, the filters given in the URL as a shared link would."""
    at = sign_in(AppTest.from_file(APP, default_timeout=60), ensure_user(os.environ["ANEV_DB_URL"]))
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    at.switch_page("../pages/rekap.py")
    at.run()
    assert not at.exception, at.exception
    return at


def _polsek_melapor(at: AppTest) -> str | None:
    return next((m.value for m in at.metric if m.label == "Polsek melapor"), None)


def _wait_healthy(port: int, server: subprocess.Popen, limit: float = 60) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        assert server.poll() is None, "streamlit run stopped:\n" + server.stdout.read()
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as response:
                if response.status == 200 and response.read() == b"ok":
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    pytest.fail(f"streamlit run did not answer /_stcore/health within {limit:.0f} s")


def _run_session(port: int, query: str) -> tuple[int, list]:
    """Run the app once over the server's websocket as a browser would; its finish status and its elements."""
    elements = []
    with connect(f"ws://127.0.0.1:{port}/_stcore/stream", subprotocols=["streamlit"], max_size=None) as ws:
        message = BackMsg()
        message.rerun_script.query_string = query
        ws.send(message.SerializeToString())
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            forward = ForwardMsg()
            forward.ParseFromString(ws.recv(timeout=60))
            kind = forward.WhichOneof("type")
            if kind == "delta" and forward.delta.WhichOneof("type") == "new_element":
                elements.append(forward.delta.new_element)
            elif kind == "script_finished":
                return forward.script_finished, elements
    pytest.fail("the app session did not finish within 90 s")


def test_imports_from_another_process_show_up_and_a_server_boots_on_postgresql(pg_url, tmp_path, monkeypatch):
    env = {**os.environ, "ANEV_DB_URL": pg_url, "ANEV_DEMO_OTOMATIS": "0"}
    monkeypatch.setenv("ANEV_DB_URL", pg_url)
    monkeypatch.setenv("ANEV_DEMO_OTOMATIS", "0")
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless", "true", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        # This test process stands for a long-running app process: its cached aggregates live as long as it does.
        # Nothing stored yet: no recap for any month.
        at = _recap_session({"bulan": "2024-09"})
        assert _polsek_melapor(at) is None
        assert any("Belum ada rekap" in str(i.value) for i in at.info)

        # Another process imports a recap: the next session shows the new month and 1 report, no cache cleared.
        first = tmp_path / "Rekap_Noemuti_2024-09.xlsx"
        first.write_bytes(filled_template("Polsek Noemuti", "2024-09"))
        assert _cli_import(env, first)["version"] == 1
        assert _polsek_melapor(_recap_session({"bulan": "2024-09"})) == "1/9"

        # A second import for the same month. The recap of 2024-09 is cached in this process; only the data_version()
        # fingerprint in the cache key tells it apart: with the old fingerprint the stale figure would still be shown.
        fingerprint = ui.data_version()
        second = tmp_path / "Rekap_Insana_2024-09.xlsx"
        second.write_bytes(filled_template("Polsek Insana", "2024-09"))
        assert _cli_import(env, second)["version"] == 1
        assert ui.data_version() != fingerprint
        with monkeypatch.context() as frozen:
            frozen.setattr(ui, "data_version", lambda: fingerprint)
            assert _polsek_melapor(_recap_session({"bulan": "2024-09"})) == "1/9"
        assert _polsek_melapor(_recap_session({"bulan": "2024-09"})) == "2/9"

        # The real server: healthy, serves the page, and a session reads the months from PostgreSQL.
        _wait_healthy(port, server)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as response:
            assert response.status == 200
            assert '<div id="root">' in response.read().decode()
        status, elements = _run_session(port, "bulan=2024-09")
        assert status == ForwardMsg.FINISHED_SUCCESSFULLY
        assert not [e for e in elements if e.WhichOneof("type") == "exception"]
        # a new browser session meets the login gate, which read the accounts from PostgreSQL
        labels = [e.text_input.label for e in elements if e.WhichOneof("type") == "text_input"]
        assert labels == ["Nama pengguna", "Kata sandi"]
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
        server.stdout.close()
