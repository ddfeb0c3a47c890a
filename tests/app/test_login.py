"""The login gate in AppTest: first admin, the form's keys, lockout, expiry, logout, navigation per role."""

from __future__ import annotations

import time

import pytest
from accounts import PASSWORD, ensure_user, sign_in
from conftest import ROOT
from streamlit.testing.v1 import AppTest

from core import auth, store

APP = str(ROOT / "app.py")


@pytest.fixture
def env(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'a.db'}"
    monkeypatch.setenv("ANEV_DB_URL", url)
    monkeypatch.setenv("ANEV_DEMO_OTOMATIS", "0")
    return url


def _app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=60)


def test_no_data_without_login_and_first_admin_flow(env):
    at = _app()
    at.run()
    assert not at.exception
    assert any("Buat akun admin pertama" in s.value for s in at.subheader)
    assert not at.metric and not at.dataframe
    at.text_input(key="pertama_username").input("operator")
    at.text_input(key="pertama_password").input(PASSWORD)
    at.text_input(key="pertama_ulang").input(PASSWORD)
    at.button(key="pertama_submit").click()
    at.run()
    assert at.session_state["pengguna"]["role"] == "admin"
    assert auth.authenticate(store.create_db_engine(env), "operator", PASSWORD).username == "operator"


def test_login_form_keys_and_wrong_password(env):
    ensure_user(env, "operator")
    at = _app()
    at.run()
    at.text_input(key="login_username").input("operator")
    at.text_input(key="login_password").input("salah-sekali")
    at.button(key="login_submit").click()
    at.run()
    assert "Nama pengguna atau kata sandi salah." in [e.value for e in at.error]
    assert "pengguna" not in at.session_state
    at.text_input(key="login_password").input(PASSWORD)
    at.button(key="login_submit").click()
    at.run()
    assert at.session_state["pengguna"]["username"] == "operator"
    log = auth.audit_log(store.create_db_engine(env), action="masuk")
    assert list(log["hasil"])[:2] == ["ok", "gagal"]


def test_session_expires_after_inactivity(env):
    user = ensure_user(env, "operator")
    at = sign_in(_app(), user)
    at.session_state["aktivitas"] = time.time() - (auth.SESSION_MINUTES * 60 + 5)
    at.run()
    assert "pengguna" not in at.session_state
    assert any("Sesi berakhir" in i.value for i in at.info)
    assert not at.metric


def test_disabled_account_is_logged_out(env):
    admin = ensure_user(env, "operator")
    clerk = ensure_user(env, "clerk", "polsek", "Polsek Insana")
    auth.set_active(store.create_db_engine(env), "clerk", False, admin)
    at = sign_in(_app(), clerk)
    at.run()
    assert "pengguna" not in at.session_state
    assert any("dinonaktifkan" in i.value for i in at.info)


@pytest.mark.parametrize(
    ("role", "polsek", "can_upload", "can_admin"),
    [("admin", None, True, True), ("pimpinan", None, False, False), ("polsek", "Polsek Insana", True, False)],
)
def test_each_role_sees_only_its_screens(env, role, polsek, can_upload, can_admin):
    ensure_user(env, "operator")
    user = ensure_user(env, f"{role}-x", role, polsek)
    at = sign_in(_app(), user)
    at.run()
    assert not at.exception
    for page, allowed in (("pages/unggah.py", can_upload), ("pages/pengguna.py", can_admin), ("pages/audit.py", can_admin)):
        probe = sign_in(_app(), user)
        probe.run()
        if allowed:
            probe.switch_page(page)
            probe.run()
            assert not probe.exception, (role, page)
        else:
            with pytest.raises(ValueError, match="Could not find a navigation page"):
                probe.switch_page(page)
    if role == "polsek":
        assert at.session_state["filters"][1] == "Polsek Insana"
