"""Accounts for AppTests: screens sit behind the login gate, so tests sign in as a real stored user."""

from __future__ import annotations

import os

from streamlit.testing.v1 import AppTest

from core import auth, sesi, store

PASSWORD = "sandi-uji-123"


def ensure_user(db_url: str, username: str = "admin-uji", role: str = "admin", polsek: str | None = None) -> auth.User:
    """The account in that database (created if missing; the first one is an admin)."""
    engine = store.create_db_engine(db_url)
    try:
        existing = auth.active_user(engine, username)
        if existing:
            return existing
        creator = None if not auth.has_users(engine) else auth.User("uji", "admin")
        if creator is None and role != "admin":
            auth.create_user(engine, "admin-uji", PASSWORD, "admin")
            creator = auth.User("admin-uji", "admin")
        return auth.create_user(engine, username, PASSWORD, role, polsek, by=creator)
    finally:
        engine.dispose()


def sign_in(at: AppTest, user: auth.User, db_url: str | None = None) -> AppTest:
    """Start a real session in the database (`ANEV_DB_URL` unless given) and hold it, as the login form does."""
    engine = store.create_db_engine(db_url or os.environ["ANEV_DB_URL"])
    try:
        session_id, _ticket = sesi.start(engine, user, "AppTest", "uji")
    finally:
        engine.dispose()
    at.session_state["pengguna"] = {"username": user.username, "role": user.role, "polsek": user.polsek}
    at.session_state["sesi"] = session_id
    return at
