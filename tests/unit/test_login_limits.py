"""Sign-in limits per account and address, atomic under parallel guesses; one answer for every refusal; the audit."""

from __future__ import annotations

import datetime as dt
import statistics
import threading
import time

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher

from core import auth, demo, store

PASSWORD = "sandi-rahasia-1"
NOW = dt.datetime(2026, 11, 30, 8, 0)


@pytest.fixture
def cheap_argon2(monkeypatch) -> None:
    """Argon2id with the smallest cost: these tests count checks and hundreds of them would take minutes."""
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    auth._dummy_hash.cache_clear()
    yield
    auth._dummy_hash.cache_clear()


@pytest.fixture
def admin(engine) -> auth.User:
    return auth.create_user(engine, "operator", PASSWORD, "admin")


@pytest.fixture
def checks(monkeypatch) -> list[str]:
    """Every Argon2 password check made, in order (the stored hash it was checked against)."""
    made: list[str] = []
    original = auth._password_matches
    lock = threading.Lock()

    def counting(stored: str, password: str) -> bool:
        with lock:
            made.append(stored)
        return original(stored, password)

    monkeypatch.setattr(auth, "_password_matches", counting)
    return made


def _refused(engine, username: str, password: str, address: str, now: dt.datetime = NOW) -> str:
    with pytest.raises(auth.AuthError) as caught:
        auth.authenticate(engine, username, password, now=now, address=address)
    return str(caught.value)


def test_five_tries_per_account_and_address_then_no_password_check(engine, cheap_argon2, admin, checks):
    for _ in range(5):
        assert _refused(engine, "operator", "keliru", "10.0.0.9") == auth.WRONG
    assert len(checks) == 5
    message = _refused(engine, "operator", PASSWORD, "10.0.0.9", NOW + dt.timedelta(minutes=14))
    assert message.startswith("Terlalu banyak percobaan masuk") and "1 menit" in message
    assert len(checks) == 5  # refused before Argon2: the correct password does not help inside the window
    # the owner at his own desk is not locked out by the attacker's address
    assert auth.authenticate(engine, "operator", PASSWORD, now=NOW + dt.timedelta(minutes=1), address="10.0.0.2").role == "admin"
    # and the attacker's window ends
    assert auth.authenticate(engine, "operator", PASSWORD, now=NOW + dt.timedelta(minutes=16), address="10.0.0.9").role == "admin"


def test_one_address_can_never_lock_the_owner_out(engine, cheap_argon2, admin):
    for minute in range(0, 4 * 60, 15):  # hours of guessing from one machine, every window used up
        for _ in range(8):
            with pytest.raises(auth.AuthError):
                auth.authenticate(engine, "operator", "keliru", now=NOW + dt.timedelta(minutes=minute), address="10.6.6.6")
        user = auth.authenticate(engine, "operator", PASSWORD, now=NOW + dt.timedelta(minutes=minute, seconds=30), address="10.0.0.2")
        assert user.username == "operator"


def test_many_addresses_against_one_account_hit_the_account_limit(engine, cheap_argon2, admin, checks):
    for i in range(auth.LIMITS[-1].attempts):
        assert _refused(engine, "operator", "keliru", f"10.1.0.{i}") == auth.WRONG
    assert _refused(engine, "operator", PASSWORD, "10.1.1.1").startswith("Terlalu banyak")
    assert len(checks) == 20
    assert auth.authenticate(engine, "operator", PASSWORD, now=NOW + dt.timedelta(minutes=16), address="10.1.1.1").username == "operator"


def test_one_address_guessing_across_accounts_is_limited(engine, cheap_argon2, admin, checks):
    for i in range(20):
        _refused(engine, f"tebakan{i:02d}", "keliru", "10.2.0.1")
    assert _refused(engine, "operator", PASSWORD, "10.2.0.1").startswith("Terlalu banyak")
    assert len(checks) == 20
    assert auth.authenticate(engine, "operator", PASSWORD, now=NOW, address="10.2.0.2").username == "operator"


def test_slow_guessing_from_one_address_meets_the_daily_limit(engine, cheap_argon2, admin, checks):
    for i in range(100):  # 10 per 15 minutes stays under the short limit
        _refused(engine, f"nama{i:03d}", "keliru", "10.3.0.1", NOW + dt.timedelta(minutes=15 * (i // 10)))
    message = _refused(engine, "operator", PASSWORD, "10.3.0.1", NOW + dt.timedelta(minutes=151))
    assert message.startswith("Terlalu banyak") and "jam" in message
    assert len(checks) == 100


def test_successful_sign_ins_from_a_shared_office_address_do_not_use_up_its_allowance(engine, cheap_argon2, admin):
    for i in range(25):
        auth.create_user(engine, f"petugas{i:02d}", PASSWORD, "pimpinan", by=admin)
    for i in range(25):
        assert auth.authenticate(engine, f"petugas{i:02d}", PASSWORD, now=NOW, address="10.4.0.1").username == f"petugas{i:02d}"


def _parallel(engine, attempts: list[tuple[str, str]]) -> list[str]:
    start = threading.Barrier(len(attempts))
    answers: list[str] = []
    errors: list[BaseException] = []

    def attempt(username: str, address: str) -> None:
        start.wait()
        try:
            auth.authenticate(engine, username, "keliru", address=address)
        except auth.AuthError as exc:
            answers.append(str(exc))
        except BaseException as exc:  # a database error would be a failure of the test
            errors.append(exc)

    threads = [threading.Thread(target=attempt, args=pair) for pair in attempts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not errors, errors
    return answers


def test_twenty_parallel_guesses_from_one_address_make_at_most_five_password_checks(engine, admin, checks):
    answers = _parallel(engine, [("operator", "10.5.0.1")] * 20)
    assert len(answers) == 20
    assert len(checks) == 5
    assert answers.count(auth.WRONG) == 5
    with engine.connect() as conn:
        count = conn.execute(sa.select(auth.batas_masuk.c.jumlah).where(auth.batas_masuk.c.kunci == "pasangan:operator@10.5.0.1")).scalar()
    assert count == 20  # every attempt was counted, none lost to a race


def test_thirty_parallel_guesses_from_thirty_addresses_meet_the_account_limit(engine, admin, checks):
    _parallel(engine, [("operator", f"10.6.0.{i}") for i in range(30)])
    assert len(checks) == auth.LIMITS[-1].attempts


def test_unknown_name_wrong_password_and_disabled_account_answer_alike(engine, admin, checks):
    auth.create_user(engine, "clerk", PASSWORD, "polsek", "Polsek Insana", by=admin)
    auth.set_active(engine, "clerk", False, admin)
    answers = {
        "unknown": _refused(engine, "tidak-ada", PASSWORD, "10.7.0.1"),
        "wrong": _refused(engine, "operator", "keliru", "10.7.0.2"),
        "disabled": _refused(engine, "clerk", PASSWORD, "10.7.0.3"),
    }
    assert set(answers.values()) == {auth.WRONG}
    assert len(checks) == 3  # an unknown name is checked too, against the dummy hash
    assert checks[0] == auth._dummy_hash() and checks[0].startswith("$argon2id$")


def test_unknown_name_costs_as_much_time_as_a_wrong_password(engine):
    auth.create_user(engine, "operator", PASSWORD, "admin")  # the real hash parameters

    def timed(username: str, i: int) -> float:
        start = time.perf_counter()
        with pytest.raises(auth.AuthError):
            auth.authenticate(engine, username, "keliru", now=NOW, address=f"10.8.{i}.1")
        return time.perf_counter() - start

    timed("tidak-ada", 100)  # the dummy hash is made once
    unknown = statistics.median(timed("tidak-ada", i) for i in range(5))
    wrong = statistics.median(timed("operator", 10 + i) for i in range(5))
    assert unknown > 0.5 * wrong, (unknown, wrong)  # before: 0.3 ms against 262 ms


def test_the_audit_names_only_accounts_that_exist(engine, admin):
    typed = "rahasiaku2024"  # a password typed into the name field (it even looks like a name)
    _refused(engine, typed, "", "10.9.0.1")
    _refused(engine, "Kata Sandi Saya!", "", "10.9.0.1")
    _refused(engine, "operator", "keliru", "10.9.0.2")
    log = auth.audit_log(engine, action="masuk")
    text = " ".join(log[["pengguna", "objek", "rincian"]].to_numpy().ravel())
    assert typed not in text and "Kata Sandi" not in text and "keliru" not in text
    assert list(log["pengguna"]) == ["operator", auth.UNKNOWN_NAME, auth.UNKNOWN_NAME]
    assert log["rincian"].str.contains("alamat 10.9.0.").all()


def test_the_limit_is_audited_once_and_an_admin_can_lift_it(engine, cheap_argon2, admin):
    for _ in range(7):
        with pytest.raises(auth.AuthError):
            auth.authenticate(engine, "operator", "keliru", now=NOW, address="10.10.0.1")
    limited = auth.audit_log(engine, action="masuk.batas")
    assert len(limited) == 1 and "10.10.0.1" in limited.iloc[0]["rincian"]
    assert len(auth.audit_log(engine, action="masuk")) == 5  # the two refused without a password check are not written each time
    in_force = auth.limits_in_force(engine, now=NOW)
    assert list(in_force["kunci"]) == ["pasangan:operator@10.10.0.1"]
    with pytest.raises(auth.AuthError):
        auth.lift_limit(engine, in_force.iloc[0]["kunci"], auth.User("kapolres", "pimpinan"))
    auth.lift_limit(engine, in_force.iloc[0]["kunci"], admin)
    assert auth.authenticate(engine, "operator", PASSWORD, now=NOW, address="10.10.0.1").username == "operator"
    assert auth.limits_in_force(engine, now=NOW).empty
    assert len(auth.audit_log(engine, action="masuk.buka")) == 1


def test_a_new_password_lifts_the_limits_of_that_account(engine, cheap_argon2, admin):
    for _ in range(6):
        with pytest.raises(auth.AuthError):
            auth.authenticate(engine, "operator", "keliru", now=NOW, address="10.11.0.1")
    auth.set_password(engine, "operator", "sandi-baru-sekali", admin)
    assert auth.authenticate(engine, "operator", "sandi-baru-sekali", now=NOW, address="10.11.0.1").username == "operator"


def test_demo_accounts_sign_in_only_while_demo_data_is_stored(engine, cheap_argon2):
    demo.generate(engine, dari="2024-09", sampai="2024-09", seed=5, today=dt.date(2024, 10, 20))
    demo.demo_accounts(engine)
    assert auth.authenticate(engine, "admin-contoh", demo.DEMO_PASSWORD).role == "admin"
    store.delete_demo(engine)  # the data alone removed (an older `demo --hapus`): the accounts stay but are refused
    assert _refused(engine, "admin-contoh", demo.DEMO_PASSWORD, "10.12.0.1") == auth.WRONG
    assert auth.active_user(engine, "admin-contoh") is None
    assert auth.demo_accounts_left(engine) == ["admin-contoh", "insana-contoh", "pimpinan-contoh"]
