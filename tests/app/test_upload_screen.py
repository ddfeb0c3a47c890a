"""AppTest of the app shell and the Unggah Rekap screen: upload, preview, errors, Simpan, versions."""

from __future__ import annotations

import datetime as dt

import pytest
from accounts import ensure_user, sign_in
from conftest import ROOT
from streamlit.testing.v1 import AppTest
from workbooks import filled_template

from core import demo, store

APP = str(ROOT / "frame" / "main.py")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


USER: dict[str, object] = {}


@pytest.fixture
def app_env(db_url, monkeypatch):
    monkeypatch.setenv("ANEV_DB_URL", db_url)
    monkeypatch.setenv("ANEV_DEMO_OTOMATIS", "0")
    USER["user"] = ensure_user(db_url)
    return db_url


def _app(timeout: int = 60) -> AppTest:
    return sign_in(AppTest.from_file(APP, default_timeout=timeout), USER["user"])


def _unggah(at: AppTest | None = None) -> AppTest:
    at = at or _app()
    at.run()
    at.switch_page("../pages/unggah.py")
    at.run()
    assert not at.exception, at.exception
    return at


def _texts(at: AppTest) -> str:
    parts = [e.value for e in at.success] + [e.value for e in at.error] + [e.value for e in at.warning] + [e.value for e in at.info]
    return "\n".join(str(p) for p in parts)


def _has_badge(at: AppTest) -> bool:
    return any("DATA CONTOH" in str(m.value) for m in at.markdown)


def test_empty_database_shows_plain_message(app_env):
    at = _app()
    at.run()
    assert not at.exception
    assert "Belum ada rekap" in _texts(at)
    assert not _has_badge(at)


@pytest.mark.sqlite_only  # the demo itself is stored and read back on PostgreSQL in tests/unit/test_demo.py
def test_first_start_loads_labelled_demo_data(db_url, monkeypatch):
    monkeypatch.setenv("ANEV_DB_URL", db_url)
    monkeypatch.setenv("ANEV_DEMO_OTOMATIS", "1")
    USER["user"] = ensure_user(db_url)
    at = _app(120)
    at.run()
    assert not at.exception
    assert _has_badge(at)
    engine = store.create_db_engine(db_url)
    assert store.has_demo(engine)
    melapor = next(m for m in at.metric if m.label == "Polsek melapor")
    assert melapor.value.endswith("/9") and int(melapor.value.split("/")[0]) >= 1


def test_upload_preview_then_save_creates_versions(app_env):
    content = filled_template("Polsek Noemuti", "2024-09")
    at = _unggah()
    at.file_uploader(key="unggah_berkas").set_value(("Rekap_Noemuti_2024-09.xlsx", content, XLSX))
    at.run()
    assert not at.exception
    assert "Berkas sah: 16 baris kegiatan dan 16 baris kerawanan" in _texts(at)
    engine = store.create_db_engine(app_env)
    assert store.is_empty(engine), "nothing is stored before Simpan"
    token = at.query_params["pratinjau"]
    token = token[0] if isinstance(token, list) else token
    at.button(key=f"simpan_{token}").click()
    at.run()
    assert not at.exception
    assert "Tersimpan sebagai versi 1." in _texts(at)
    assert store.latest_version(engine, "Polsek Noemuti", "2024-09") == 1

    # the same Polsek/month again asks for confirmation and names the version it replaces
    at2 = _unggah()
    at2.file_uploader(key="unggah_berkas").set_value(("lagi.xlsx", content, XLSX))
    at2.run()
    assert "sudah ada sebagai versi 1" in _texts(at2)
    token2 = [t for t in at2.query_params["pratinjau"] if t != token][-1] if isinstance(at2.query_params["pratinjau"], list) \
        else at2.query_params["pratinjau"]
    assert at2.button(key=f"simpan_{token2}").disabled
    at2.checkbox(key=f"konfirmasi_{token2}").check()
    at2.run()
    at2.button(key=f"simpan_{token2}").click()
    at2.run()
    assert "Tersimpan sebagai versi 2." in _texts(at2)
    assert store.latest_version(engine, "Polsek Noemuti", "2024-09") == 2


def test_bad_cell_is_explained_and_nothing_stored(app_env):
    bad = filled_template("Polsek Noemuti", "2024-09", edit=lambda wb: wb["Kegiatan"].cell(row=6, column=17, value=9))
    at = _unggah()
    at.file_uploader(key="unggah_berkas").set_value(("bad.xlsx", bad, XLSX))
    at.run()
    assert not at.exception
    assert "kesalahan. Tidak ada yang disimpan" in _texts(at)
    table = next(df.value for df in at.dataframe if "Keterangan" in df.value.columns)
    assert "Pos Kamling Aktif" in table.iloc[0]["Kolom"] and table.iloc[0]["Baris"] == 6
    assert "lebih besar dari Pos Kamling" in table.iloc[0]["Keterangan"]
    assert any("Baris 6" in m.value and "lebih besar dari Pos Kamling" in m.value for m in at.markdown)
    token = at.query_params["pratinjau"]
    token = token[0] if isinstance(token, list) else token
    assert not any(b.key == f"simpan_{token}" for b in at.button)
    assert store.is_empty(store.create_db_engine(app_env))


def test_error_count_on_the_screen_does_not_count_the_line_saying_checking_stopped(app_env):
    """250 copies of one desa row: checking stops after 200 errors; the screen said "201 kesalahan"."""
    from hostile import duplicated_rows

    at = _unggah()
    at.file_uploader(key="unggah_berkas").set_value(("Rekap_Insana_Utara_2024-09.xlsx", duplicated_rows(250), XLSX))
    at.run()
    assert not at.exception
    assert "Sedikitnya 200 kesalahan. Tidak ada yang disimpan" in _texts(at)
    assert "201" not in _texts(at)


def test_file_beyond_the_bounds_is_refused_on_the_screen_and_never_stored(app_env):
    """A filled cell at A6001 (beyond 5,000 rows): the screen says why; no preview waits in the database."""
    from hostile import far_cell

    at = _unggah()
    at.file_uploader(key="unggah_berkas").set_value(("jauh.xlsx", far_cell("A6001", content=filled_template("Polsek Noemuti", "2024-09")), XLSX))
    at.run()
    assert not at.exception
    refusal = next(e.value for e in at.error if "tidak diterima" in e.value).replace("\\", "")  # Markdown escapes of the file's text
    assert "jauh.xlsx" in refusal and "(A6001)" in refusal and "Ctrl+End" in refusal
    assert not at.query_params.get("pratinjau")
    engine = store.create_db_engine(app_env)
    with engine.connect() as conn:
        assert conn.execute(store.pratinjau.select()).first() is None
    at.run()  # the refusal stays while the file is in the uploader
    assert any("A6001" in e.value for e in at.error)


def test_preview_survives_a_browser_refresh(app_env):
    engine = store.create_db_engine(app_env)
    token = store.save_preview(engine, "Rekap_Noemuti_2024-09.xlsx", filled_template("Polsek Noemuti", "2024-09"), USER["user"].username, None, None)
    at = _app()
    at.query_params["pratinjau"] = token
    at.run()
    at.switch_page("../pages/unggah.py")
    at.query_params["pratinjau"] = token
    at.run()
    assert not at.exception
    assert "Berkas sah: 16 baris kegiatan" in _texts(at)
    assert any(b.key == f"simpan_{token}" for b in at.button)


def _recap(query: dict[str, str]) -> AppTest:
    # A fresh AppTest per view: AppTest drops sidebar widgets on a second run under st.navigation,
    # so the filters are driven through the URL, as a shared link would.
    at = _app()
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    at.switch_page("../pages/rekap.py")
    at.run()
    assert not at.exception, at.exception
    return at


def test_recap_screen_follows_month_and_polsek_filters(app_env):
    engine = store.create_db_engine(app_env)
    demo.generate(engine, dari="2024-08", sampai="2024-09", seed=3, today=dt.date(2024, 11, 20))
    september = _recap({})
    assert september.caption[0].value.startswith("September 2024")
    first = {m.label: m.value for m in september.metric}
    august = {m.label: m.value for m in _recap({"bulan": "2024-08"}).metric}
    assert first["Sambang/DDS"] != august["Sambang/DDS"]
    stored = store.rows(engine, "kegiatan", "2024-08")
    assert august["Sambang/DDS"] == f"{int(stored['sambang_dds'].sum()):,}".replace(",", ".")
    one = _recap({"bulan": "2024-08", "polsek": "Polsek Insana Utara"})
    assert {m.label: m.value for m in one.metric}["Desa melapor"].endswith("/5")
    assert "Agustus 2024 \u00b7 Polsek Insana Utara" in one.caption[0].value
