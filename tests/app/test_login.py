"""The login gate in AppTest: first admin, the form's keys, lockout, expiry, logout, navigation per role."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from accounts import PASSWORD, ensure_user, sign_in
from conftest import ROOT
from streamlit.testing.v1 import AppTest

from core import auth, sesi, store

APP = str(ROOT / "frame" / "main.py")


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


def _age_session(url: str, session_id: int, minutes: int) -> None:
    engine = store.create_db_engine(url)
    with store.writing(engine) as conn:
        last = conn.execute(sa.select(auth.sesi.c.terakhir).where(auth.sesi.c.id == session_id)).scalar_one()
        conn.execute(auth.sesi.update().where(auth.sesi.c.id == session_id).values(terakhir=last - dt.timedelta(minutes=minutes)))


def test_session_expires_after_inactivity(env):
    user = ensure_user(env, "operator")
    at = sign_in(_app(), user)
    _age_session(env, at.session_state["sesi"], sesi.limits().idle.seconds // 60 + 1)
    at.run()
    assert "pengguna" not in at.session_state
    assert any("tidak aktif lebih dari 30 menit" in i.value for i in at.info)
    assert not at.metric
    assert auth.audit_log(store.create_db_engine(env), action="sesi.berakhir")["rincian"].str.contains("tidak aktif").any()


def test_disabled_account_is_logged_out(env):
    admin = ensure_user(env, "operator")
    clerk = ensure_user(env, "clerk", "polsek", "Polsek Insana")
    at = sign_in(_app(), clerk)
    at.run()
    assert at.session_state["pengguna"]["username"] == "clerk"
    auth.set_active(store.create_db_engine(env), "clerk", False, admin)
    at.run()
    assert "pengguna" not in at.session_state
    assert any("dinonaktifkan" in i.value for i in at.info)


def test_keluar_revokes_the_session_in_the_database(env):
    user = ensure_user(env, "operator")
    at = sign_in(_app(), user)
    at.run()
    session_id = at.session_state["sesi"]
    at.button(key="keluar").click()
    at.run()
    assert "pengguna" not in at.session_state
    assert any(s.value == "Masuk" for s in at.subheader)
    engine = store.create_db_engine(env)
    assert sesi.check(engine, session_id).user is None
    assert list(auth.audit_log(engine, action="keluar")["pengguna"]) == ["operator"]


def test_a_session_revoked_by_the_admin_ends_at_the_next_interaction(env):
    admin = ensure_user(env, "operator")
    clerk = ensure_user(env, "clerk", "polsek", "Polsek Insana")
    at = sign_in(_app(), clerk)
    at.run()
    sesi.revoke(store.create_db_engine(env), at.session_state["sesi"], by=admin)
    at.run()
    assert "pengguna" not in at.session_state
    assert any("dicabut admin" in i.value for i in at.info)


def test_a_new_password_ends_the_open_session(env):
    admin = ensure_user(env, "operator")
    clerk = ensure_user(env, "clerk", "polsek", "Polsek Insana")
    at = sign_in(_app(), clerk)
    at.run()
    auth.set_password(store.create_db_engine(env), "clerk", "sandi-baru-panjang", admin)
    at.run()
    assert "pengguna" not in at.session_state
    assert any("kata sandi diganti" in i.value for i in at.info)


def test_login_creates_a_session_waiting_for_its_cookie(env):
    ensure_user(env, "operator")
    at = _app()
    at.run()
    at.text_input(key="login_username").input("operator")
    at.text_input(key="login_password").input(PASSWORD)
    at.button(key="login_submit").click()
    at.run()
    ticket = at.session_state["tiket_sesi"]
    scripts = [h.proto.body for h in at.sidebar.get("html")]
    assert any("/api/sesi" in body and ticket in body for body in scripts)  # the browser is told to fetch its cookie
    engine = store.create_db_engine(env)
    assert sesi.check(engine, at.session_state["sesi"]).waiting_for_cookie
    assert sesi.redeem(engine, ticket) is not None
    at.run()
    assert "tiket_sesi" not in at.session_state  # once taken, the ticket is no longer sent
    assert not any("/api/sesi" in h.proto.body for h in at.sidebar.get("html"))


def test_agenda_form_only_for_admin(env):
    from core import demo

    engine = store.create_db_engine(env)
    demo.generate(engine, dari="2024-09", sampai="2024-09", seed=3, today=dt.date(2024, 10, 20))
    ensure_user(env, "operator")
    for username, role, polsek, shown in (("operator", "admin", None, True), ("kapolres", "pimpinan", None, False),
                                          ("clerk", "polsek", "Polsek Insana", False)):
        at = sign_in(_app(), ensure_user(env, username, role, polsek))
        at.query_params["bulan"] = "2024-09"
        at.run()
        at.switch_page("../pages/kesiapan.py")
        at.run()
        assert not at.exception, at.exception
        assert bool(at.get("form")) is shown, role
        assert any(e.label == "Ubah agenda pemilihan" for e in at.expander) is shown, role


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
            probe.switch_page("../" + page)
            probe.run()
            assert not probe.exception, (role, page)
        else:
            with pytest.raises(ValueError, match="Could not find a navigation page"):
                probe.switch_page("../" + page)
    if role == "polsek":
        assert at.session_state["filters"][1] == "Polsek Insana"
