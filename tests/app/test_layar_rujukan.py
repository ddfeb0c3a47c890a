"""AppTest of Data Rujukan: the admin's border desa list (perbatasan RI-RDTL), and that only an admin reaches it."""

from __future__ import annotations

import pytest
from accounts import ensure_user, sign_in
from conftest import ROOT
from streamlit.testing.v1 import AppTest

from core import auth, reference, rujukan, store

APP = str(ROOT / "frame" / "main.py")
PAGE = "../pages/rujukan.py"


@pytest.fixture
def env(tmp_path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'anev.db'}"
    monkeypatch.setenv("ANEV_DB_URL", url)
    monkeypatch.setenv("ANEV_DEMO_OTOMATIS", "0")
    rujukan.forget()
    yield url
    rujukan.forget()


def open_page(user: auth.User) -> AppTest:
    at = sign_in(AppTest.from_file(APP, default_timeout=60), user)
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, at.exception
    return at


def test_admin_sees_every_desa_with_its_flag_and_its_evidence(env):
    admin = ensure_user(env, "operator")
    at = open_page(admin)
    assert at.title[0].value == "Data Rujukan"
    default = int(reference.desa_default()["perbatasan"].sum())
    assert {m.label: m.value for m in at.metric} == {"Desa perbatasan": str(default), "Menurut bawaan": str(default),
                                                      "Dikoreksi admin": "0"}
    table = at.dataframe[0].value
    assert len(table) == 193 and int(table["Perbatasan"].sum()) == default
    manamas = table[table["Desa/Kelurahan"] == "Manamas"].iloc[0]
    assert manamas["Perbatasan"] and "Oecusse" in manamas["Dasar bawaan"]
    # saving an unedited table stores nothing
    at.button(key="rujukan_simpan").click()
    at.run()
    assert any("Tidak ada perubahan" in i.value for i in at.info)
    assert rujukan.border_corrections(store.create_db_engine(env)) == {}


def test_a_correction_shows_who_made_it(env):
    admin = ensure_user(env, "operator")
    ref = reference.desa_default()
    oesoko = ref.loc[ref["nama"] == "Oesoko", "kode"].iloc[0]
    rujukan.save_border(store.create_db_engine(env), {oesoko: True}, admin)
    at = open_page(admin)
    assert {m.label: m.value for m in at.metric}["Dikoreksi admin"] == "1"
    at.selectbox(key="rujukan_polsek").set_value("Polsek Insana Utara")
    at.toggle(key="rujukan_hanya").set_value(True)
    at.run()
    table = at.dataframe[0].value.set_index("Desa/Kelurahan")
    assert list(table.index) == ["Humusu Wini", "Oesoko"]  # the Polsek's border desa, now and by default
    assert table.loc["Oesoko", "Perbatasan"] and table.loc["Oesoko", "Bawaan"] == "Tidak"
    assert table.loc["Oesoko", "Dikoreksi"].startswith("operator, ")


@pytest.mark.parametrize(("role", "polsek"), [("pimpinan", None), ("polsek", "Polsek Insana")])
def test_other_roles_do_not_reach_it(env, role, polsek):
    ensure_user(env, "operator")
    user = ensure_user(env, f"{role}-x", role, polsek)
    at = sign_in(AppTest.from_file(APP, default_timeout=60), user)
    at.run()
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(PAGE)
    assert not auth.can_see(user, "rujukan")
