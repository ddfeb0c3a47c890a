"""Sessions that survive a browser reload: a random cookie token, of which only the sha256 is stored.

How a browser gets its cookie (the Streamlit websocket cannot set one):
1. after a correct password the screen calls `start`: a session row with a one-time ticket (valid
   `TICKET_SECONDS`), the ticket itself kept only in that Streamlit session's memory;
2. the page posts the ticket to `/api/sesi` (core/web.py), which calls `redeem`: the ticket is
   consumed and a new random token is made; the row keeps its sha256, the browser gets the token in an
   HttpOnly, SameSite=Lax cookie (Secure over HTTPS);
3. a later connection (reload, new tab) sends the cookie with the websocket handshake; `resume`
   checks it: not revoked, idle and absolute limits of `data/pengaturan.toml` ([sesi]), account active.

Every run of the frame calls `check` with the session id, so a revoked session (Keluar, admin, password
change, disabled account) ends in every open tab at its next interaction. No Streamlit import here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from core import auth, reference, store
from core.auth import User, sesi

COOKIE = "anev_sesi"
TICKET_SECONDS = 120
TOUCH_SECONDS = 60  # last-seen is written at most once a minute per session, not on every rerun


@dataclass(frozen=True)
class Limits:
    """Idle and absolute lifetime of a session (`[sesi]` in data/pengaturan.toml)."""

    idle: dt.timedelta
    absolute: dt.timedelta


@dataclass(frozen=True)
class Check:
    """The state of one session: the user when it is valid, else why it ended (Indonesian, for the login screen)."""

    user: User | None
    reason: str = ""
    waiting_for_cookie: bool = False
    ended: str = ""  # why an open session ended just now (for the table and the audit), "" otherwise


def limits() -> Limits:
    """Read the limits from the settings file (validated: positive numbers)."""
    section = reference.settings().get("sesi", {})
    idle = section.get("menit_tidak_aktif", 30)
    absolute = section.get("jam_maksimal", 12)
    for key, value in (("menit_tidak_aktif", idle), ("jam_maksimal", absolute)):
        if not isinstance(value, int | float) or isinstance(value, bool) or value <= 0:
            raise ValueError(f"pengaturan.toml [sesi] {key} harus angka lebih dari 0 (sekarang {value!r}).")
    return Limits(dt.timedelta(minutes=idle), dt.timedelta(hours=absolute))


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "replace")).hexdigest()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def start(engine: Engine, user: User, device: str = "", address: str = "", now: dt.datetime | None = None) -> tuple[int, str]:
    """A new session for a user who just proved his password; returns its id and the one-time ticket."""
    now = now or _now()
    ticket = secrets.token_urlsafe(32)
    with store.writing(engine) as conn:
        session_id = conn.execute(sesi.insert().values(
            tiket=_hash(ticket), tiket_sampai=now + dt.timedelta(seconds=TICKET_SECONDS), username=user.username, dibuat=now,
            terakhir=now, perangkat=auth.clean(device, 200), alamat=auth.clean(address, 64),
        ).returning(sesi.c.id)).scalar_one()
        _purge(conn, now)
    return session_id, ticket


def redeem(engine: Engine, ticket: str, now: dt.datetime | None = None) -> str | None:
    """Exchange a one-time ticket for the cookie token (once, within `TICKET_SECONDS`); None when not valid."""
    if not isinstance(ticket, str) or not 20 <= len(ticket) <= 100:
        return None
    now = now or _now()
    token = secrets.token_urlsafe(32)
    with store.writing(engine) as conn:
        taken = conn.execute(sesi.update().where(sesi.c.tiket == _hash(ticket), sesi.c.tiket_sampai >= now, sesi.c.hash.is_(None),
                                                 sesi.c.dicabut.is_(None))
                             .values(hash=_hash(token), tiket=None, tiket_sampai=None).returning(sesi.c.id)).first()
    return token if taken else None


def _state(row: sa.RowMapping | None, engine: Engine, now: dt.datetime) -> Check:
    if row is None:
        return Check(None, "Sesi tidak dikenal. Silakan masuk lagi.")
    if row["dicabut"] is not None:
        reason = row["alasan"] or "dicabut"
        return Check(None, f"Sesi berakhir ({reason}). Silakan masuk lagi.")
    lim = limits()
    if now - row["terakhir"] > lim.idle:
        return Check(None, f"Sesi berakhir karena tidak aktif lebih dari {int(lim.idle.total_seconds() // 60)} menit. Silakan masuk lagi.",
                     ended="tidak aktif")
    if now - row["dibuat"] > lim.absolute:
        return Check(None, f"Sesi berakhir karena sudah lebih dari {lim.absolute.total_seconds() / 3600:g} jam. Silakan masuk lagi.",
                     ended="batas umur sesi")
    user = auth.active_user(engine, row["username"])
    if user is None:
        return Check(None, "Akun Anda dinonaktifkan atau dihapus.", ended="akun tidak aktif")
    return Check(user, waiting_for_cookie=row["hash"] is None and row["tiket"] is not None)


def _end(engine: Engine, row: sa.RowMapping, reason: str, now: dt.datetime) -> None:
    """Close a session that expired (audited once: the update finds it open only once)."""
    with store.writing(engine) as conn:
        if conn.execute(sesi.update().where(sesi.c.id == row["id"], sesi.c.dicabut.is_(None))
                        .values(dicabut=now, alasan=reason, tiket=None)).rowcount:
            auth._record(conn, row["username"], "sesi.berakhir", row["username"], "ok", f"sesi #{row['id']}: {reason}")


def _touch(engine: Engine, row: sa.RowMapping, now: dt.datetime) -> None:
    if (now - row["terakhir"]).total_seconds() >= TOUCH_SECONDS:
        with store.writing(engine) as conn:
            conn.execute(sesi.update().where(sesi.c.id == row["id"]).values(terakhir=now))


def check(engine: Engine, session_id: int, now: dt.datetime | None = None) -> Check:
    """The session of an open tab, checked on every run of the frame; an expired one is closed in the table."""
    now = now or _now()
    with engine.connect() as conn:
        row = conn.execute(sa.select(sesi).where(sesi.c.id == session_id)).mappings().first()
    state = _state(row, engine, now)
    if state.user is None:
        if state.ended:
            _end(engine, row, state.ended, now)
        return state
    _touch(engine, row, now)
    return state


def resume(engine: Engine, token: str, device: str = "", address: str = "", now: dt.datetime | None = None) -> tuple[int | None, Check]:
    """A new connection that brings the cookie: the session id and its state (audited when it signs the user in)."""
    now = now or _now()
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        return None, Check(None)
    with engine.connect() as conn:
        row = conn.execute(sa.select(sesi).where(sesi.c.hash == _hash(token))).mappings().first()
    state = _state(row, engine, now)
    if state.user is None:
        if state.ended:
            _end(engine, row, state.ended, now)
        return None, state
    _touch(engine, row, now)
    auth.record(engine, state.user.username, "masuk.sesi", state.user.username, "ok",
                f"sesi #{row['id']}; alamat {auth.clean(address, 64) or 'lokal'}; {device_label(device)}")
    return row["id"], state


def revoke(engine: Engine, session_id: int, by: User, reason: str = "dicabut admin") -> bool:
    """End one session (an admin for anyone's, a user for his own); audited. False when it was already over."""
    with store.writing(engine) as conn:
        owner = conn.execute(sa.select(sesi.c.username).where(sesi.c.id == session_id)).scalar()
        if owner is None:
            return False
        if by.role != "admin" and by.username != owner:
            raise auth.AuthError("Hanya admin yang dapat mencabut sesi orang lain.")
        ended = conn.execute(sesi.update().where(sesi.c.id == session_id, sesi.c.dicabut.is_(None))
                             .values(dicabut=_now(), alasan=auth.clean(reason, 80), tiket=None)).rowcount
        if ended:
            auth._record(conn, by.username, "sesi.cabut" if reason != "keluar" else "keluar", owner, "ok", f"sesi #{session_id}: {reason}")
    return bool(ended)


def revoke_token(engine: Engine, token: str, reason: str = "keluar") -> bool:
    """End the session a cookie names (the sign-out route); no audit of its own (Keluar is audited by the screen)."""
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        return False
    with store.writing(engine) as conn:
        return bool(conn.execute(sesi.update().where(sesi.c.hash == _hash(token), sesi.c.dicabut.is_(None))
                                 .values(dicabut=_now(), alasan=reason, tiket=None)).rowcount)


def active(engine: Engine, now: dt.datetime | None = None) -> pd.DataFrame:
    """Sessions that are still valid (not revoked, within both limits), newest activity first; no hashes."""
    now = now or _now()
    lim = limits()
    query = (sa.select(sesi.c.id, sesi.c.username, sesi.c.dibuat, sesi.c.terakhir, sesi.c.perangkat, sesi.c.alamat)
             .where(sesi.c.dicabut.is_(None), sesi.c.terakhir >= now - lim.idle, sesi.c.dibuat >= now - lim.absolute)
             .order_by(sesi.c.terakhir.desc()))
    with engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(query).mappings().all(), columns=["id", "username", "dibuat", "terakhir", "perangkat", "alamat"])
    frame["perangkat"] = frame["perangkat"].map(device_label)
    return frame


def _purge(conn: sa.Connection, now: dt.datetime) -> None:
    """Forget sessions that ended more than 30 days ago, so the table stays small."""
    cutoff = now - dt.timedelta(days=30)
    conn.execute(sesi.delete().where(sa.or_(sesi.c.dicabut < cutoff, sesi.c.terakhir < cutoff)))


_BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("Chromium/", "Chromium"),
             ("Safari/", "Safari"))
_SYSTEMS = (("iPad", "iPad"), ("iPhone", "iPhone"), ("Android", "Android"), ("Windows", "Windows"), ("Mac OS X", "Mac"),
            ("CrOS", "ChromeOS"), ("Linux", "Linux"))


def device_label(user_agent: str) -> str:
    """`Chrome di Windows` from a User-Agent header (only for people reading the session list; never trusted)."""
    text = str(user_agent or "")
    if "HeadlessChrome" in text:
        return "Chrome tanpa layar (uji)"
    browser = next((name for marker, name in _BROWSERS if marker in text), None)
    system = next((name for marker, name in _SYSTEMS if marker in text), None)
    if browser or system:
        return f"{browser or 'Peramban'} di {system or 'perangkat lain'}"
    return re.sub(r"\s+", " ", text)[:60] or "tidak diketahui"
