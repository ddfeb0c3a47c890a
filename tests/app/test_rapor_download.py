"""Ringkasan: the Rapor Anev for WhatsApp is built when asked, for the scope shown; a Polsek clerk gets only his own."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from accounts import ensure_user, sign_in
from conftest import ROOT
from streamlit.testing.v1 import AppTest

from core import auth, demo, rapor, store

APP = str(ROOT / "frame" / "main.py")


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{Path(tmp_path_factory.mktemp('rapor_layar')) / 'demo.db'}"
    engine = store.create_db_engine(url)
    demo.generate(engine, dari="2024-09", sampai="2024-10", seed=3, today=dt.date(2024, 11, 20))
    engine.dispose()
    return url


def _ringkasan(url: str, user: auth.User, **query: str) -> AppTest:
    at = sign_in(AppTest.from_file(APP, default_timeout=120), user)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    at.switch_page("../pages/ringkasan.py")
    at.run()
    assert not at.exception, at.exception
    return at


def _downloads(at: AppTest) -> dict[str, str]:
    return {b.label: b.proto.url for b in at.get("download_button") if b.label.startswith("Rapor")}


@pytest.mark.parametrize(("role", "polsek", "asked", "expected"), [
    ("pimpinan", None, "Polsek Noemuti", "Noemuti"),  # the Polsek chosen in the filter
    ("polsek", "Polsek Insana", "Polsek Noemuti", "Insana"),  # a clerk: his own Polsek whatever the URL asks
])
def test_rapor_download_for_the_scope_shown(demo_db, monkeypatch, role, polsek, asked, expected):
    monkeypatch.setenv("ANEV_DB_URL", demo_db)
    monkeypatch.setenv("ANEV_DEMO_OTOMATIS", "0")
    built = []
    original = rapor.rapor

    def recording(engine, bulan, scope, fmt_name="pdf", now=None):
        content = original(engine, bulan, scope, fmt_name, now)
        built.append((bulan, scope.polsek, fmt_name, content))
        return content

    monkeypatch.setattr(rapor, "rapor", recording)
    user = ensure_user(demo_db, f"{role}-rapor", role, polsek)
    at = _ringkasan(demo_db, user, bulan="2024-10", polsek=asked)
    assert _downloads(at) == {} and built == []  # nothing is built until asked
    at.button(key="siapkan_rapor").click().run()
    assert not at.exception, at.exception
    links = _downloads(at)
    assert set(links) == {"Rapor PDF", "Rapor PNG"}
    assert links["Rapor PDF"].endswith(".pdf") and links["Rapor PNG"].endswith(".png")
    assert [(b, p, f) for b, p, f, _ in built] == [("2024-10", f"Polsek {expected}", "pdf")]  # the PNG is made from that PDF
    document = pdfium.PdfDocument(built[0][3])
    try:
        text = " ".join(document[0].get_textpage().get_text_range().split())
    finally:
        document.close()
    assert f"Polsek {expected}" in text and ("Noemuti" in text) == (expected == "Noemuti")
    engine = store.create_db_engine(demo_db)
    try:
        log = auth.audit_log(engine, who=user.username)
    finally:
        engine.dispose()
    assert (log["objek"] == f"2024-10 Polsek {expected}").any()
