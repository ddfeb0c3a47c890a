"""The admin screen: open sessions and their revocation, password reset, account removal, the demo-account warning."""

from __future__ import annotations

import datetime as dt

import pytest
from accounts import ensure_user, sign_in
from conftest import ROOT
from streamlit.testing.v1 import AppTest

from core import auth, demo, store

APP = str(ROOT / "frame" / "main.py")


@pytest.fixture
def env(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'p.db'}"
    monkeypatch.setenv("ANEV_DB_URL", url)
    monkeypatch.setenv("ANEV_DEMO_OTOMATIS", "0")
    return url


def _admin_screen(user: auth.User) -> AppTest:
    at = sign_in(AppTest.from_file(APP, default_timeout=60), user)
    at.run()
    at.switch_page("../pages/pengguna.py")
    at.run()
    assert not at.exception, at.exception
    return at


def _table(at: AppTest, column: str):
    return next(df.value for df in at.dataframe if column in df.value.columns)


def test_the_admin_revokes_another_browsers_session(env):
    admin = ensure_user(env, "operator")
    clerk = ensure_user(env, "clerk", "polsek", "Polsek Insana")
    other = sign_in(AppTest.from_file(APP, default_timeout=60), clerk)
    other.run()
    at = _admin_screen(admin)
    table = _table(at, "Masuk (WITA)")
    assert set(table["Nama pengguna"]) == {"operator", "clerk"}
    assert table["Masuk (WITA)"].str.match(r"\d\d-\d\d-\d{4} \d\d\.\d\d").all()
    at.selectbox(key="sesi_pilih").set_value(other.session_state["sesi"])
    at.button(key="sesi_cabut").click()
    at.run()
    assert list(_table(at, "Masuk (WITA)")["Nama pengguna"]) == ["operator"]
    other.run()
    assert "pengguna" not in other.session_state  # that browser is signed out at its next step
    assert auth.audit_log(store.create_db_engine(env), action="sesi.cabut").iloc[0]["objek"] == "clerk"


def test_reset_password_and_delete_from_the_screen(env):
    admin = ensure_user(env, "operator")
    ensure_user(env, "clerk", "polsek", "Polsek Insana")
    at = _admin_screen(admin)
    at.selectbox(key="akun_pilih").set_value("clerk")
    at.text_input(key="akun_sandi_baru").input("sandi-baru-sekali")
    at.button(key="akun_ganti_sandi").click()
    at.run()
    engine = store.create_db_engine(env)
    assert auth.authenticate(engine, "clerk", "sandi-baru-sekali").username == "clerk"
    assert at.button(key="akun_hapus").disabled  # needs the confirmation first
    at.checkbox(key="akun_hapus_yakin").check()
    at.run()
    at.button(key="akun_hapus").click()
    at.run()
    assert auth.active_user(engine, "clerk") is None
    assert "clerk" not in list(_table(at, "Dibuat (WITA)")["Nama pengguna"])


def test_a_demo_account_without_demo_data_is_shown_loudly_and_removed(env):
    engine = store.create_db_engine(env)
    demo.generate(engine, dari="2024-09", sampai="2024-09", seed=2, today=dt.date(2024, 10, 20))
    demo.demo_accounts(engine)
    admin = ensure_user(env, "operator", "admin")
    store.delete_demo(engine)  # data gone, accounts left (as the old `demo --hapus` did)
    at = _admin_screen(admin)
    assert any("admin-contoh" in e.value and "masih ada" in e.value for e in at.error)
    at.button(key="hapus_akun_contoh").click()
    at.run()
    assert auth.demo_accounts_left(engine) == []
    assert not any("masih ada" in e.value for e in at.error)


def test_only_the_admin_may_remove_demo_data_on_the_upload_screen(env):
    engine = store.create_db_engine(env)
    demo.generate(engine, dari="2024-09", sampai="2024-09", seed=2, today=dt.date(2024, 10, 20))
    demo.demo_accounts(engine)
    admin = ensure_user(env, "operator", "admin")
    clerk = ensure_user(env, "clerk", "polsek", "Polsek Insana")
    for user, allowed in ((clerk, False), (admin, True)):
        at = sign_in(AppTest.from_file(APP, default_timeout=60), user)
        at.run()
        at.switch_page("../pages/unggah.py")
        at.run()
        assert not at.exception, at.exception
        assert any(b.key == "hapus_contoh" for b in at.button) is allowed
    at.button(key="hapus_contoh").click()
    at.run()
    assert not store.has_demo(engine)
    assert set(auth.users(engine)["username"]) == {"operator", "clerk"}
