"""AppTest of Tindak Lanjut Arahan (filters, a Polsek sees its own, adding in the meeting) and Verifikasi Rekap."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from accounts import ensure_user, sign_in
from conftest import ROOT, TODAY
from docx import Document
from streamlit.testing.v1 import AppTest
from workbooks import filled_template

from core import arahan, auth, pipeline, store, verifikasi

APP = str(ROOT / "frame" / "main.py")
PIMPINAN = auth.User("kapolres", "pimpinan")


@pytest.fixture(scope="module")
def loop_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, int]]]:
    url = f"sqlite:///{Path(tmp_path_factory.mktemp('tindak')) / 'a.db'}"
    engine = store.create_db_engine(url)
    for polsek in ("Polsek Insana", "Polsek Noemuti"):
        for bulan in ("2024-09", "2024-10"):
            pipeline.import_file(engine, filled_template(polsek, bulan), "r.xlsx", "x", today=TODAY)
    ids = {
        "insana": arahan.add(engine, "Aktifkan kembali pos kamling Insana", "2024-09", ["Polsek Insana"], "2024-12", PIMPINAN,
                             ukuran="pos_kamling_rasio", target=95.0),
        "noemuti": arahan.add(engine, "Mediasi sengketa batas di Noemuti", "2024-09", ["Polsek Noemuti"], "2024-11", PIMPINAN),
        "semua": arahan.add(engine, "Bangun kembali FKPM di semua desa", "2024-09", [arahan.SEMUA], "2024-09", PIMPINAN,
                            ukuran="cakupan_fkpm", target=100.0),
        "sat": arahan.add(engine, "Evaluasi setiap Bhabinkamtibmas setiap bulan", "2024-09", ["Sat Binmas"], "2024-12", PIMPINAN),
    }
    engine.dispose()
    yield url, ids


def open_page(url: str, monkeypatch: pytest.MonkeyPatch, role: str, page: str, polsek: str | None = None) -> AppTest:
    monkeypatch.setenv("ANEV_DB_URL", url)
    monkeypatch.setenv("ANEV_DEMO_OTOMATIS", "0")
    user = ensure_user(url, f"{role}-tl", role, polsek)
    at = sign_in(AppTest.from_file(APP, default_timeout=60), user)
    at.query_params["bulan"] = "2024-10"
    at.run()
    at.switch_page("../" + page)
    at.run()
    assert not at.exception, at.exception
    return at


def table(at: AppTest):
    return next(d.value for d in at.dataframe if "Saat diberikan" in d.value.columns)


def test_filters_narrow_the_table(loop_db, monkeypatch):
    url, _ = loop_db
    at = open_page(url, monkeypatch, "admin", "pages/tindak_lanjut.py")
    assert len(table(at)) == 4
    assert {m.label: m.value for m in at.metric}["Terlambat"] == "1"  # FKPM, due September
    at.selectbox(key="tl_status").set_value("terlambat").run()
    assert list(table(at)["Arahan"]) == ["Bangun kembali FKPM di semua desa"]
    at.selectbox(key="tl_status").set_value("").run()
    at.selectbox(key="tl_pemilik").set_value("Polsek Noemuti").run()
    assert set(table(at)["Arahan"]) == {"Mediasi sengketa batas di Noemuti", "Bangun kembali FKPM di semua desa"}
    at.selectbox(key="tl_pemilik").set_value("Sat Binmas").run()
    assert list(table(at)["Arahan"]) == ["Evaluasi setiap Bhabinkamtibmas setiap bulan"]
    at.selectbox(key="tl_bulan").set_value("2024-09").run()
    assert len(table(at)) == 1
    assert not at.exception


def test_a_polsek_clerk_sees_only_his_own_and_adds_a_progress_note(loop_db, monkeypatch):
    url, ids = loop_db
    at = open_page(url, monkeypatch, "polsek", "pages/tindak_lanjut.py", "Polsek Insana")
    shown = table(at)
    assert set(shown["Pelaksana"]) <= {"Polsek Insana", "Semua Polsek"}
    assert set(shown["Arahan"]) == {"Aktifkan kembali pos kamling Insana", "Bangun kembali FKPM di semua desa"}
    assert "Polsek Noemuti" not in at.selectbox(key="tl_pemilik").options
    at.selectbox(key="tl_pilih").set_value(ids["insana"]).run()
    at.text_area(key="tl_catatan_teks").input("Ronda malam kembali berjalan di dua desa")
    next(b for b in at.button if b.label == "Simpan catatan").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    engine = store.create_db_engine(url)
    note = arahan.notes(engine, ids["insana"]).iloc[0]
    assert note["teks"] == "Ronda malam kembali berjalan di dua desa" and note["polsek"] == "Polsek Insana" and note["peran"] == "polsek"
    engine.dispose()


def _form_script(bulan: str, username: str, role: str) -> None:
    from core import auth, ui_arahan

    ui_arahan.arahan_form(bulan, auth.User(username, role), teks="Koordinasi dengan PPS di setiap desa sebelum pencoblosan",
                          pemilik=["Polsek Insana"], ukuran="cakupan_koordinasi", key="rapat")


def test_the_arahan_form_prefilled_from_a_finding_saves_in_one_tap(loop_db, monkeypatch):
    url, _ = loop_db
    monkeypatch.setenv("ANEV_DB_URL", url)
    at = AppTest.from_function(_form_script, args=("2024-10", "kapolres-rapat", "pimpinan"), default_timeout=60)
    at.run()
    assert at.selectbox(key="rapat_bulan").value == "2024-10"  # the month shown
    assert at.selectbox(key="rapat_tenggat").value == "2024-11"  # due next month
    assert at.multiselect(key="rapat_pemilik").value == ["Polsek Insana"]
    assert at.selectbox(key="rapat_ukuran").value == "cakupan_koordinasi"
    at.number_input(key="rapat_target").set_value(100.0)
    next(b for b in at.button if b.label == "Simpan arahan").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any("dicatat" in s.value for s in at.success)
    engine = store.create_db_engine(url)
    records = arahan.list_frame(engine)
    added = records[records["dicatat_oleh"] == "kapolres-rapat"].iloc[0]
    assert (added["teks"], added["bulan_diberikan"], added["tenggat"], added["pemilik"], added["ukuran"], added["target"]) == \
        ("Koordinasi dengan PPS di setiap desa sebelum pencoblosan", "2024-10", "2024-11", ["Polsek Insana"], "cakupan_koordinasi", 100.0)
    engine.dispose()


def test_the_arahan_form_is_not_offered_to_a_polsek_clerk(loop_db, monkeypatch):
    url, _ = loop_db
    monkeypatch.setenv("ANEV_DB_URL", url)
    at = AppTest.from_function(_form_script, args=("2024-10", "clerk", "polsek"), default_timeout=60)
    at.run()
    assert not at.text_area and not [b for b in at.button if b.label == "Simpan arahan"]
    at = open_page(url, monkeypatch, "polsek", "pages/tindak_lanjut.py", "Polsek Insana")
    assert not [b for b in at.button if b.label == "Catat arahan baru"]
    at = open_page(url, monkeypatch, "pimpinan", "pages/tindak_lanjut.py")
    assert [b for b in at.button if b.label == "Catat arahan baru"]


def test_notulen_is_built_from_the_screen(loop_db, monkeypatch):
    url, _ = loop_db
    at = open_page(url, monkeypatch, "pimpinan", "pages/tindak_lanjut.py")
    at.text_input(key="tl_notulen_pimpinan").input("AKBP Moh. Mukhson")
    at.button(key="tl_notulen_siapkan").click().run()
    assert not at.exception
    bulan, polsek, content = at.session_state["tl_notulen_isi"]
    assert (bulan, polsek) == ("2024-10", None)
    doc = Document(io.BytesIO(content))
    assert "BULAN OKTOBER 2024" in "\n".join(p.text for p in doc.paragraphs)
    assert "AKBP Moh. Mukhson" in [c.text for t in doc.tables for r in t.rows for c in r.cells]
    engine = store.create_db_engine(url)
    assert auth.audit_log(engine, action="notulen")["pengguna"].iloc[0] == "pimpinan-tl"
    engine.dispose()


def test_verification_screen_for_a_verifier_and_for_an_admin(loop_db, monkeypatch):
    url, _ = loop_db
    at = open_page(url, monkeypatch, "admin", "pages/verifikasi.py")
    assert not [b for b in at.button if b.label == "Verifikasi"], "the admin who uploads does not verify"
    at = open_page(url, monkeypatch, "verifikator", "pages/verifikasi.py")
    buttons = [b for b in at.button if b.label == "Verifikasi"]
    assert len(buttons) == 2  # Insana and Noemuti uploaded October
    buttons[0].click().run()
    assert not at.exception and not at.error
    engine = store.create_db_engine(url)
    state = verifikasi.status(engine, ["2024-10"]).set_index("polsek")
    assert state.loc["Polsek Insana", "terverifikasi"] and state.loc["Polsek Insana", "oleh"] == "verifikator-tl"
    assert len([b for b in at.button if b.label == "Verifikasi"]) == 1
    engine.dispose()
