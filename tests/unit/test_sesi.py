"""Sessions that survive a reload: one-time ticket, hashed cookie token, limits, revocation; the cookie routes."""

from __future__ import annotations

import datetime as dt
import hashlib
from http.cookies import SimpleCookie

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from starlette.applications import Starlette
from starlette.testclient import TestClient

from core import auth, reference, sesi, web

PASSWORD = "sandi-rahasia-1"
NOW = dt.datetime(2026, 11, 30, 8, 0)


@pytest.fixture(autouse=True)
def cheap_argon2(monkeypatch) -> None:
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def admin(engine) -> auth.User:
    return auth.create_user(engine, "operator", PASSWORD, "admin")


@pytest.fixture
def clerk(engine, admin) -> auth.User:
    return auth.create_user(engine, "clerk", PASSWORD, "polsek", "Polsek Insana", by=admin)


def _signed_in(engine, user: auth.User, now: dt.datetime = NOW) -> tuple[int, str]:
    session_id, ticket = sesi.start(engine, user, "Mozilla/5.0 (Windows NT 10.0) Chrome/140.0", "10.0.0.5", now=now)
    token = sesi.redeem(engine, ticket, now=now)
    assert token
    return session_id, token


def test_the_ticket_is_one_time_and_short_lived(engine, clerk):
    _id, ticket = sesi.start(engine, clerk, now=NOW)
    assert sesi.redeem(engine, ticket, now=NOW + dt.timedelta(seconds=sesi.TICKET_SECONDS + 1)) is None
    _id, ticket = sesi.start(engine, clerk, now=NOW)
    token = sesi.redeem(engine, ticket, now=NOW)
    assert token and sesi.redeem(engine, ticket, now=NOW) is None
    assert sesi.redeem(engine, "x" * 43, now=NOW) is None


def test_only_hashes_are_stored(engine, clerk):
    session_id, ticket = sesi.start(engine, clerk, now=NOW)
    token = sesi.redeem(engine, ticket, now=NOW)
    with engine.connect() as conn:
        row = conn.execute(sa.select(auth.sesi).where(auth.sesi.c.id == session_id)).mappings().one()
    assert row["hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(dict(row)) and ticket not in str(dict(row))


def test_the_cookie_signs_in_a_new_connection_until_a_limit(engine, clerk):
    session_id, token = _signed_in(engine, clerk)
    found, state = sesi.resume(engine, token, "Firefox", "10.0.0.6", now=NOW + dt.timedelta(minutes=10))
    assert found == session_id and state.user == clerk
    assert auth.audit_log(engine, action="masuk.sesi").iloc[0]["pengguna"] == "clerk"
    idle = sesi.limits().idle
    # used 10 minutes after sign-in: idle counts from then
    assert sesi.resume(engine, token, now=NOW + dt.timedelta(minutes=10) + idle - dt.timedelta(seconds=1))[1].user == clerk
    later = NOW + dt.timedelta(minutes=10) + idle * 2 + dt.timedelta(seconds=2)
    found, state = sesi.resume(engine, token, now=later)
    assert found is None and "tidak aktif" in state.reason
    assert auth.audit_log(engine, action="sesi.berakhir")["rincian"].str.contains("tidak aktif").all()
    assert sesi.resume(engine, token, now=later)[0] is None  # ended for good


def test_the_absolute_lifetime_ends_even_a_busy_session(engine, clerk):
    session_id, _token = _signed_in(engine, clerk)
    absolute = sesi.limits().absolute
    moment = NOW
    while moment < NOW + absolute - dt.timedelta(minutes=20):
        moment += dt.timedelta(minutes=20)
        assert sesi.check(engine, session_id, now=moment).user == clerk
    state = sesi.check(engine, session_id, now=NOW + absolute + dt.timedelta(minutes=1))
    assert state.user is None and "jam" in state.reason


def test_limits_come_from_the_settings_file(monkeypatch):
    settings = {**reference.settings(), "sesi": {"menit_tidak_aktif": 5, "jam_maksimal": 2}}
    monkeypatch.setattr(reference, "settings", lambda: settings)
    assert sesi.limits() == sesi.Limits(dt.timedelta(minutes=5), dt.timedelta(hours=2))
    settings["sesi"] = {"menit_tidak_aktif": 0, "jam_maksimal": 2}
    with pytest.raises(ValueError, match="menit_tidak_aktif"):
        sesi.limits()


@pytest.mark.parametrize("change", ["keluar", "admin", "password", "disable", "delete"])
def test_every_way_of_ending_a_session_stops_its_cookie(engine, admin, clerk, change):
    session_id, token = _signed_in(engine, clerk)
    other_id, _other = _signed_in(engine, clerk)
    if change == "keluar":
        assert sesi.revoke(engine, session_id, by=clerk, reason="keluar")
    elif change == "admin":
        assert sesi.revoke(engine, session_id, by=admin)
    elif change == "password":
        auth.set_password(engine, "clerk", "sandi-baru-sekali", admin)
    elif change == "disable":
        auth.set_active(engine, "clerk", False, admin)
    else:
        auth.delete_user(engine, "clerk", admin)
    assert sesi.resume(engine, token, now=NOW)[0] is None
    assert sesi.check(engine, session_id, now=NOW).user is None
    if change in ("password", "disable", "delete"):
        assert sesi.check(engine, other_id, now=NOW).user is None  # every session of the account
    else:
        assert sesi.check(engine, other_id, now=NOW).user == clerk  # only that one
    action = {"keluar": "keluar", "admin": "sesi.cabut", "password": "akun.sandi", "disable": "akun.nonaktif", "delete": "akun.hapus"}
    assert not auth.audit_log(engine, action=action[change]).empty


def test_a_user_cannot_revoke_another_users_session(engine, admin, clerk):
    session_id, _token = _signed_in(engine, admin)
    with pytest.raises(auth.AuthError):
        sesi.revoke(engine, session_id, by=clerk)
    assert sesi.check(engine, session_id, now=NOW).user == admin


def test_the_admin_sees_active_sessions_without_secrets(engine, admin, clerk):
    keep, _ = _signed_in(engine, clerk, now=dt.datetime.now(dt.UTC).replace(tzinfo=None))
    gone, _ = _signed_in(engine, admin, now=dt.datetime.now(dt.UTC).replace(tzinfo=None))
    sesi.revoke(engine, gone, by=admin)
    table = sesi.active(engine)
    assert list(table["id"]) == [keep]
    assert table.iloc[0]["perangkat"] == "Chrome di Windows" and table.iloc[0]["alamat"] == "10.0.0.5"
    assert set(table.columns) == {"id", "username", "dibuat", "terakhir", "perangkat", "alamat"}


@pytest.fixture
def client(engine, db_url, monkeypatch) -> TestClient:
    monkeypatch.setenv("ANEV_DB_URL", db_url)
    return TestClient(Starlette(routes=web.routes()), base_url="http://anev.local")


def _post(client: TestClient, path: str, **kwargs):
    headers = {"X-Anev": "1", "Sec-Fetch-Site": "same-origin", "Origin": "http://anev.local", **kwargs.pop("headers", {})}
    return client.post(path, headers=headers, **kwargs)


def test_the_route_sets_an_httponly_lax_cookie_once(engine, client, clerk):
    _id, ticket = sesi.start(engine, clerk)
    response = _post(client, "/api/sesi", json={"tiket": ticket})
    assert response.status_code == 200
    header = response.headers["set-cookie"]
    cookie = SimpleCookie(header)[sesi.COOKIE]
    assert cookie["httponly"] and cookie["samesite"].lower() == "lax" and cookie["path"] == "/"
    assert not cookie["secure"]  # plain http (one PC); over https it is Secure, see below
    assert int(cookie["max-age"]) == int(sesi.limits().absolute.total_seconds())
    assert sesi.resume(engine, cookie.value)[1].user == clerk
    assert _post(client, "/api/sesi", json={"tiket": ticket}).status_code == 400  # one time only


def test_over_https_the_cookie_is_secure(engine, db_url, monkeypatch, clerk):
    monkeypatch.setenv("ANEV_DB_URL", db_url)
    secure_client = TestClient(Starlette(routes=web.routes()), base_url="https://anev.local")
    _id, ticket = sesi.start(engine, clerk)
    response = secure_client.post("/api/sesi", json={"tiket": ticket},
                                  headers={"X-Anev": "1", "Sec-Fetch-Site": "same-origin", "Origin": "https://anev.local"})
    assert SimpleCookie(response.headers["set-cookie"])[sesi.COOKIE]["secure"]


@pytest.mark.parametrize("headers", [{"X-Anev": ""}, {"Sec-Fetch-Site": "cross-site"}, {"Origin": "https://jahat.example"}])
def test_the_route_refuses_other_sites(engine, client, clerk, headers):
    _id, ticket = sesi.start(engine, clerk)
    response = _post(client, "/api/sesi", json={"tiket": ticket}, headers=headers)
    assert response.status_code == 403 and "set-cookie" not in response.headers
    assert _post(client, "/api/sesi", json={"tiket": ticket}).status_code == 200  # the ticket was not used up


def test_the_sign_out_route_ends_the_session_and_clears_the_cookie(engine, client, clerk):
    session_id, token = _signed_in(engine, clerk)
    client.cookies.set(sesi.COOKIE, token)
    response = _post(client, "/api/sesi/keluar")
    assert response.status_code == 200
    cookie = SimpleCookie(response.headers["set-cookie"])[sesi.COOKIE]
    assert cookie.value == "" and int(cookie["max-age"]) == 0
    assert sesi.check(engine, session_id).user is None
