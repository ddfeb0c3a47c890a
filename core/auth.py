"""Accounts, roles, sign-in limits, authorisation and the audit trail, in the project's own database.

Passwords are hashed with Argon2id (argon2-cffi) and never stored or logged in clear. Roles:
`admin` (Sat Binmas operator: everything), `pimpinan` (Kapolres, Wakapolres, Kasat: every screen and
export, no uploads), `polsek` (a clerk tied to one Polsek: uploads for that Polsek only, sees that
Polsek's data). Authorisation lives here, not only in the screens, so the command line and tests
go through the same checks.

Sign-in attempts are counted *before* the password is checked, in one atomic `UPDATE ... RETURNING`
per counter (see `authenticate`), so parallel guesses cannot slip past the limit on either backend.
The counters are per account and client address, per address, and per account; one address alone
can never lock an account for its owner elsewhere (docs/security.md).
"""

from __future__ import annotations

import datetime as dt
import getpass
import re
import secrets
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd
import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.engine import Connection, Engine

from core import reference, store
from core.tables import audit, batas_masuk, pengguna, sesi

ROLES = {"admin": "Admin (Sat Binmas)", "pimpinan": "Pimpinan", "polsek": "Operator Polsek",
         "verifikator": "Verifikator (Kasat Binmas)"}
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,31}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
_hasher = PasswordHasher()

WRONG = "Nama pengguna atau kata sandi salah."
LIMITED = ("Terlalu banyak percobaan masuk. Tunggu {wait} lalu coba lagi, "
           "atau minta admin membuka batasnya di layar Pengguna dan Cadangan.")
UNKNOWN_NAME = "(tidak dikenal)"


@dataclass(frozen=True)
class Limit:
    """At most `attempts` sign-in attempts per `minutes` for one counter (a fixed window)."""

    scope: str
    attempts: int
    minutes: int
    label: str


# Checked in this order; the first that is used up refuses the attempt, and the later ones are not counted.
LIMITS = (
    Limit("pasangan", 5, 15, "satu akun dari satu alamat"),
    Limit("alamat", 20, 15, "semua akun dari satu alamat"),
    Limit("alamat-hari", 100, 24 * 60, "semua akun dari satu alamat, sehari"),
    Limit("akun", 20, 15, "satu akun dari semua alamat"),
)



#: Demo-only accounts (`python -m core demo --akun-contoh`; the password is in the README): they sign in only while
#: demo data is stored, and removing demo data removes them.
DEMO_ACCOUNTS = [("admin-contoh", "admin", None), ("pimpinan-contoh", "pimpinan", None), ("insana-contoh", "polsek", "Polsek Insana")]
DEMO_PASSWORD = "contoh-anev-2024"


class AuthError(Exception):
    """Refused: the message is Indonesian and safe to show."""


@dataclass(frozen=True)
class User:
    """Who is acting, and for which Polsek when the role is `polsek`."""

    username: str
    role: str
    polsek: str | None = None

    @property
    def label(self) -> str:
        """`binmas · Admin Sat Binmas` or `insana1 · Operator Polsek Insana`: who is signed in, in words."""
        role = ROLES.get(self.role, self.role).replace("(", "").replace(")", "")
        if self.polsek:
            role = f"{role} {self.polsek.removeprefix('Polsek ')}"
        return f"{self.username} \u00b7 {role}"


def cli_operator() -> User:
    """The server operator at the command line: `cli:<OS user>`, an admin that no account name can equal.

    Account names cannot contain `:`, so the audit trail never reads as if an account did what the shell did.
    """
    try:
        who = getpass.getuser()
    except (OSError, KeyError):
        who = "?"
    return User(f"cli:{clean(who, 50)}", "admin")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def clean(text: object, limit: int = 500) -> str:
    """One line of user text for the audit trail: no control characters or line breaks, bounded length."""
    return _CONTROL.sub(" ", str(text or "")).strip()[:limit]


def record(engine: Engine, who: str, action: str, obj: str = "", result: str = "ok", detail: str = "") -> None:
    """Append one audit entry (its own transaction)."""
    with store.writing(engine) as conn:
        _record(conn, who, action, obj, result, detail)


def _record(conn: Connection, who: str, action: str, obj: str = "", result: str = "ok", detail: str = "") -> None:
    conn.execute(audit.insert().values(waktu=_now(), pengguna=clean(who, 60), aksi=clean(action, 40), objek=clean(obj),
                                       hasil=clean(result, 20), rincian=clean(detail, 2000)))


def audit_log(engine: Engine, limit: int = 1000, who: str | None = None, action: str | None = None) -> pd.DataFrame:
    """The newest audit entries, optionally filtered by user and action."""
    query = sa.select(audit).order_by(audit.c.id.desc()).limit(limit)
    if who:
        query = query.where(audit.c.pengguna == who)
    if action:
        query = query.where(audit.c.aksi == action)
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).mappings().all(), columns=[c.name for c in audit.columns])


def has_users(engine: Engine) -> bool:
    """True once any account exists (before that the app asks for the first admin)."""
    with engine.connect() as conn:
        return conn.execute(sa.select(pengguna.c.id).limit(1)).first() is not None


def _check_new(username: str, password: str, role: str, polsek: str | None) -> tuple[str, str | None]:
    if not _USERNAME.match(username or ""):
        raise AuthError("Nama pengguna 3-32 karakter: huruf kecil, angka, titik, garis bawah atau tanda hubung.")
    _check_password_rules(password)
    if role not in ROLES:
        raise AuthError(f"Peran tidak dikenal: {role}. Pilih admin, pimpinan atau polsek.")
    if role == "polsek":
        found = reference.match_polsek(polsek) if polsek else None
        if not found:
            raise AuthError("Akun operator Polsek harus terikat pada satu Polsek yang dikenal.")
        return username, found
    if polsek:
        raise AuthError("Hanya akun peran polsek yang terikat pada Polsek.")
    return username, None


def _check_password_rules(password: str) -> None:
    if len(password or "") < 8:
        raise AuthError("Kata sandi minimal 8 karakter.")


def create_user(engine: Engine, username: str, password: str, role: str, polsek: str | None = None,
                by: User | None = None) -> User:
    """Create an account (the first one must be an admin)."""
    username = (username or "").strip().lower()
    username, polsek = _check_new(username, password, role, polsek)
    first = not has_users(engine)
    if first and role != "admin":
        raise AuthError("Akun pertama harus admin.")
    if not first and (by is None or by.role != "admin"):
        raise AuthError("Hanya admin yang dapat menambah akun.")
    try:
        with store.writing(engine) as conn:
            conn.execute(pengguna.insert().values(username=username, kata_sandi=_hasher.hash(password), peran=role, polsek=polsek,
                                                  aktif=True, dibuat=_now(), gagal=0))
    except sa.exc.IntegrityError as exc:
        raise AuthError(f"Nama pengguna {username} sudah dipakai.") from exc
    record(engine, (by or User(username, role)).username, "akun.tambah", username, "ok", f"peran={role} polsek={polsek or '-'}")
    return User(username, role, polsek)


def _account(conn: Connection, username: str) -> sa.RowMapping | None:
    return conn.execute(sa.select(pengguna).where(pengguna.c.username == username)).mappings().first()


def _other_active_admins(conn: Connection, username: str) -> int:
    return conn.execute(sa.select(sa.func.count()).where(pengguna.c.peran == "admin", pengguna.c.aktif.is_(True),
                                                         pengguna.c.username != username)).scalar()


def revoke_sessions(conn: Connection, username: str, reason: str, now: dt.datetime | None = None) -> int:
    """End every live session of an account inside the caller's transaction; returns how many."""
    return conn.execute(sesi.update().where(sesi.c.username == username, sesi.c.dicabut.is_(None))
                        .values(dicabut=now or _now(), alasan=clean(reason, 80), tiket=None)).rowcount


def _clear_limits(conn: Connection, username: str) -> None:
    name = _name_key(username)
    conn.execute(batas_masuk.delete().where(sa.or_(batas_masuk.c.kunci == f"akun:{name}",
                                                   batas_masuk.c.kunci.startswith(f"pasangan:{name}@", autoescape=True))))


def set_active(engine: Engine, username: str, active: bool, by: User) -> None:
    """Disable (or re-enable) an account; admins only, and never the last active admin. Disabling ends its sessions."""
    if by.role != "admin":
        raise AuthError("Hanya admin yang dapat mengubah akun.")
    with store.writing(engine) as conn:
        row = _account(conn, username)
        if row is None:
            raise AuthError(f"Akun {username} tidak ada.")
        if not active and row["peran"] == "admin" and _other_active_admins(conn, username) == 0:
            raise AuthError("Admin terakhir tidak dapat dinonaktifkan.")
        conn.execute(pengguna.update().where(pengguna.c.username == username).values(aktif=active))
        _clear_limits(conn, username)
        ended = 0 if active else revoke_sessions(conn, username, "akun dinonaktifkan")
        _record(conn, by.username, "akun.aktif" if active else "akun.nonaktif", username, "ok", f"{ended} sesi dicabut" if ended else "")


def set_password(engine: Engine, username: str, password: str, by: User) -> None:
    """A new password (admins for anyone, a user for himself). Every session of that account ends."""
    if by.role != "admin" and by.username != username:
        raise AuthError("Anda hanya dapat mengganti kata sandi sendiri.")
    _check_password_rules(password)
    hashed = _hasher.hash(password)
    with store.writing(engine) as conn:
        if _account(conn, username) is None:
            raise AuthError(f"Akun {username} tidak ada.")
        conn.execute(pengguna.update().where(pengguna.c.username == username).values(kata_sandi=hashed))
        _clear_limits(conn, username)
        ended = revoke_sessions(conn, username, "kata sandi diganti")
        _record(conn, by.username, "akun.sandi", username, "ok", f"{ended} sesi dicabut")


def delete_user(engine: Engine, username: str, by: User) -> None:
    """Remove an account (admins only; not oneself, not the last active admin). Its sessions end; audit rows stay."""
    require_admin(by)
    if username == by.username:
        raise AuthError("Akun sendiri tidak dapat dihapus. Minta admin lain, atau nonaktifkan dari baris perintah.")
    with store.writing(engine) as conn:
        _delete_account(conn, username, by)


def _delete_account(conn: Connection, username: str, by: User) -> None:
    row = _account(conn, username)
    if row is None:
        raise AuthError(f"Akun {username} tidak ada.")
    if row["peran"] == "admin" and row["aktif"] and _other_active_admins(conn, username) == 0:
        raise AuthError("Admin terakhir tidak dapat dihapus. Tambahkan admin lain dulu.")
    conn.execute(sesi.delete().where(sesi.c.username == username))
    _clear_limits(conn, username)
    conn.execute(pengguna.delete().where(pengguna.c.username == username))
    _record(conn, by.username, "akun.hapus", username, "ok", f"peran={row['peran']}")


def users(engine: Engine) -> pd.DataFrame:
    """Every account, without password hashes (nor the old lock columns)."""
    cols = [c for c in pengguna.columns if c.name not in ("kata_sandi", "gagal", "terkunci_sampai")]
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(sa.select(*cols).order_by(pengguna.c.username)).mappings().all(), columns=[c.name for c in cols])


# --------------------------------------------------------------------------- demo accounts


def _demo_usernames() -> tuple[str, ...]:
    return tuple(name for name, _role, _polsek in DEMO_ACCOUNTS)


def _demo_refused(engine: Engine, username: str) -> bool:
    """A demo account (its password is in the README) works only while DATA CONTOH is stored."""
    return username in _demo_usernames() and not store.has_demo(engine)


def demo_accounts_left(engine: Engine) -> list[str]:
    """Demo accounts that still exist although DATA CONTOH is gone (they cannot sign in, but should be removed)."""
    if store.has_demo(engine):
        return []
    with engine.connect() as conn:
        return list(conn.execute(sa.select(pengguna.c.username).where(pengguna.c.username.in_(_demo_usernames()))
                                 .order_by(pengguna.c.username)).scalars())


def remove_demo(engine: Engine, by: User) -> tuple[int, list[str]]:
    """Remove DATA CONTOH and the demo accounts together; returns (versions removed, accounts removed).

    Refused, with nothing changed, when a demo account is the only active admin: removing it would leave the
    app offering "Buat akun admin pertama" to the next visitor.
    """
    require_admin(by)
    names = set(_demo_usernames())
    with store.writing(engine) as conn:
        existing = list(conn.execute(sa.select(pengguna.c.username).where(pengguna.c.username.in_(names))
                                     .order_by(pengguna.c.username)).scalars())
        real_admins = conn.execute(sa.select(sa.func.count()).where(pengguna.c.peran == "admin", pengguna.c.aktif.is_(True),
                                                                    pengguna.c.username.not_in(names))).scalar()
        if existing and real_admins == 0:
            raise AuthError("Belum ada akun admin sungguhan: buat dulu akun admin sendiri (layar Pengguna dan Cadangan atau "
                            "python -m core user add --role admin ...), lalu hapus DATA CONTOH lagi. Tidak ada yang dihapus.")
        for name in existing:
            conn.execute(sesi.delete().where(sesi.c.username == name))
            _clear_limits(conn, name)
            conn.execute(pengguna.delete().where(pengguna.c.username == name))
            _record(conn, by.username, "akun.hapus", name, "ok", "akun contoh, bersama DATA CONTOH")
    removed = store.delete_demo(engine)
    record(engine, by.username, "demo.hapus", "DATA CONTOH", "ok", f"{removed} versi, akun contoh: {', '.join(existing) or '-'}")
    return removed, existing


# --------------------------------------------------------------------------- sign-in


def _name_key(username: str) -> str:
    """The counter key of a typed name: the name itself when it could be an account, else a short hash."""
    import hashlib

    if _USERNAME.match(username):
        return username
    return "#" + hashlib.sha256(username.encode("utf-8", "replace")).hexdigest()[:16]


def _address(address: str | None) -> str:
    return clean(address or "lokal", 64) or "lokal"


def _limit_keys(username: str, address: str) -> list[tuple[Limit, str]]:
    name = _name_key(username)
    keys = {"pasangan": f"pasangan:{name}@{address}", "alamat": f"alamat:{address}", "alamat-hari": f"alamat-hari:{address}",
            "akun": f"akun:{name}"}
    return [(limit, keys[limit.scope][:120]) for limit in LIMITS]


def _insert_missing(conn: Connection, key: str, now: dt.datetime) -> None:
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    conn.execute(insert(batas_masuk).values(kunci=key, mulai=now, jumlah=0).on_conflict_do_nothing())


def _take(conn: Connection, key: str, limit: Limit, now: dt.datetime) -> tuple[int, dt.datetime]:
    """Count one attempt on a counter; returns the count in the current window and when that window began.

    One `UPDATE ... RETURNING` both restarts an expired window and adds one, so two parallel attempts never
    read the same count (PostgreSQL locks the row for the update; SQLite writes one transaction at a time).
    """
    expired = batas_masuk.c.mulai <= now - dt.timedelta(minutes=limit.minutes)
    bump = (batas_masuk.update().where(batas_masuk.c.kunci == key)
            .values(jumlah=sa.case((expired, 1), else_=batas_masuk.c.jumlah + 1), mulai=sa.case((expired, now), else_=batas_masuk.c.mulai))
            .returning(batas_masuk.c.jumlah, batas_masuk.c.mulai))
    row = conn.execute(bump).first()
    if row is None:
        _insert_missing(conn, key, now)
        row = conn.execute(bump).first()
    return int(row[0]), row[1]


def _purge_limits(conn: Connection, now: dt.datetime) -> None:
    longest = max(limit.minutes for limit in LIMITS)
    conn.execute(batas_masuk.delete().where(batas_masuk.c.mulai < now - dt.timedelta(minutes=longest)))


def _wait_text(left: dt.timedelta) -> str:
    minutes = max(1, -(-int(left.total_seconds()) // 60))
    return f"{minutes} menit" if minutes <= 90 else f"{-(-minutes // 60)} jam"


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """A hash with the same parameters as real ones: an unknown name costs the same time as a wrong password."""
    return _hasher.hash(secrets.token_urlsafe(24))


def _password_matches(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def authenticate(engine: Engine, username: str, password: str, now: dt.datetime | None = None, address: str | None = None) -> User:
    """Check a password within the sign-in limits; every outcome is audited (never the password).

    The answer is the same for an unknown name, a wrong password and a disabled account, and takes the same
    time (an unknown name is checked against a dummy Argon2 hash). The audit names the account only when it
    exists, so a password typed into the name field is never written down.
    """
    now = now or _now()
    username = (username or "").strip().lower()[:200]
    address = _address(address)
    counts: dict[str, int] = {}
    refused_until: dt.datetime | None = None
    with store.writing(engine) as conn:
        row = _account(conn, username) if _USERNAME.match(username) else None
        for limit, key in _limit_keys(username, address):
            counts[limit.scope], began = _take(conn, key, limit, now)
            if counts[limit.scope] > limit.attempts:
                refused_until = began + dt.timedelta(minutes=limit.minutes)
                break
        if counts.get("pasangan") == 1:
            _purge_limits(conn, now)
    who = row["username"] if row is not None else UNKNOWN_NAME
    if refused_until is not None:
        # No password check: the allowance of this window is used up. Audited once, when the limit was reached.
        raise AuthError(LIMITED.format(wait=_wait_text(refused_until - now)))
    matches = _password_matches(row["kata_sandi"] if row is not None else _dummy_hash(), password or "")
    refusal = None
    if row is None or not matches:
        refusal = "kata sandi salah" if row is not None else "nama tidak dikenal"
    elif not row["aktif"]:
        refusal = "akun nonaktif"
    elif _demo_refused(engine, row["username"]):
        refusal = "akun contoh ditolak: DATA CONTOH sudah dihapus"
    if refusal:
        with store.writing(engine) as conn:
            _record(conn, who, "masuk", who, "gagal", f"{refusal}; alamat {address}")
            for limit in LIMITS:
                if counts.get(limit.scope) == limit.attempts:
                    _record(conn, who, "masuk.batas", who, "dibatasi",
                            f"{limit.attempts} percobaan ({limit.label}) dalam {limit.minutes} menit; alamat {address}")
        raise AuthError(WRONG)
    keys = dict((limit.scope, key) for limit, key in _limit_keys(username, address))
    with store.writing(engine) as conn:
        conn.execute(batas_masuk.delete().where(batas_masuk.c.kunci == keys["pasangan"]))
        for scope in ("alamat", "alamat-hari"):  # a success does not use up the allowance of a shared office address
            conn.execute(batas_masuk.update().where(batas_masuk.c.kunci == keys[scope], batas_masuk.c.jumlah > 0)
                         .values(jumlah=batas_masuk.c.jumlah - 1))
        conn.execute(batas_masuk.delete().where(batas_masuk.c.kunci == keys["akun"]))
        values: dict[str, object] = {"terakhir_masuk": now}
        if _hasher.check_needs_rehash(row["kata_sandi"]):
            values["kata_sandi"] = _hasher.hash(password)
        conn.execute(pengguna.update().where(pengguna.c.id == row["id"]).values(**values))
        _record(conn, row["username"], "masuk", row["username"], "ok", f"alamat {address}")
    return User(row["username"], row["peran"], row["polsek"])


def limits_in_force(engine: Engine, now: dt.datetime | None = None) -> pd.DataFrame:
    """Counters whose allowance is used up right now: what is refused, and until when (UTC)."""
    now = now or _now()
    by_scope = {limit.scope: limit for limit in LIMITS}
    rows = []
    with engine.connect() as conn:
        for kunci, mulai, jumlah in conn.execute(sa.select(batas_masuk.c.kunci, batas_masuk.c.mulai, batas_masuk.c.jumlah)):
            scope, _, rest = kunci.partition(":")
            limit = by_scope.get(scope)
            until = mulai + dt.timedelta(minutes=limit.minutes) if limit else None
            if limit and jumlah >= limit.attempts and until > now:
                rows.append({"kunci": kunci, "batas": limit.label, "untuk": rest, "percobaan": jumlah, "sampai": until})
    return pd.DataFrame(rows, columns=["kunci", "batas", "untuk", "percobaan", "sampai"])


def lift_limit(engine: Engine, key: str, by: User) -> None:
    """An admin lifts one sign-in limit (e.g. the owner locked out by a colleague's typing)."""
    require_admin(by)
    with store.writing(engine) as conn:
        conn.execute(batas_masuk.delete().where(batas_masuk.c.kunci == key))
        _record(conn, by.username, "masuk.buka", clean(key, 120), "ok")


def active_user(engine: Engine, username: str) -> User | None:
    """The account as it is now (a disabled account, or a demo account without demo data, ends its sessions)."""
    with engine.connect() as conn:
        row = _account(conn, username)
    if row is None or not row["aktif"] or _demo_refused(engine, row["username"]):
        return None
    return User(row["username"], row["peran"], row["polsek"])


# --------------------------------------------------------------------------- authorisation

SCREENS_BY_ROLE = {
    "admin": {"ringkasan", "kelengkapan", "kinerja", "kesiapan", "peta", "paparan", "tindak_lanjut", "rekap", "unggah", "verifikasi",
              "pengguna", "audit", "rujukan"},
    "pimpinan": {"ringkasan", "kelengkapan", "kinerja", "kesiapan", "peta", "paparan", "tindak_lanjut", "rekap", "verifikasi"},
    "polsek": {"ringkasan", "kelengkapan", "kinerja", "kesiapan", "peta", "tindak_lanjut", "rekap", "unggah"},
    "verifikator": {"ringkasan", "kelengkapan", "kinerja", "kesiapan", "peta", "paparan", "tindak_lanjut", "rekap", "verifikasi"},
}


def can_see(user: User, screen: str) -> bool:
    """Whether a role's navigation includes a screen."""
    return screen in SCREENS_BY_ROLE.get(user.role, set())


def require_upload(user: User, polsek: str | None) -> None:
    """Refuse an upload the user may not make; the message says why."""
    if user.role in ("pimpinan", "verifikator"):
        raise AuthError(f"Akun {user.role} tidak dapat mengunggah rekap.")
    if user.role == "polsek":
        if polsek is None:
            raise AuthError("Polsek berkas tidak diketahui; unggahan ditolak.")
        if polsek != user.polsek:
            raise AuthError(f"Akun {user.username} hanya boleh mengunggah rekap {user.polsek}, bukan {polsek}. Tidak ada yang disimpan.")
    elif user.role != "admin":
        raise AuthError("Peran tidak dikenal.")


def require_admin(user: User) -> None:
    """Account management, audit trail, backups and reference data are for admins."""
    if user.role != "admin":
        raise AuthError("Hanya admin yang dapat melakukan ini.")


def allowed_polsek(user: User, wanted: str | None) -> str | None:
    """The Polsek filter a user may use: a Polsek clerk always sees his own Polsek."""
    return user.polsek if user.role == "polsek" else wanted


def wita(values: pd.Series) -> pd.Series:
    """Stored UTC times as `31-12-2024 23.59` in WITA (the offset of data/pengaturan.toml), for the admin screens."""
    hours = reference.settings()["laporan"]["zona_waktu_jam"]
    shifted = pd.to_datetime(values, errors="coerce") + pd.Timedelta(hours=hours)
    return shifted.dt.strftime("%d-%m-%Y %H.%M").astype(object).where(shifted.notna(), None)


# --------------------------------------------------------------------------- the Anev loop: verification and arahan

#: Who verifies a Polsek-month recap (the Kasat Binmas himself is `pimpinan`, his staff `verifikator`). The admin, who
#: uploads for every Polsek, does not verify his own uploads.
VERIFY_ROLES = ("pimpinan", "verifikator")
#: Who gives, edits, closes arahan and sets their status by hand.
ARAHAN_EDIT_ROLES = ("admin", "pimpinan")
#: Owner value meaning every Polsek (a Polsek clerk sees and reports on these too).
SEMUA_POLSEK = "Semua Polsek"


def require_verify(user: User) -> None:
    """Verifying and unverifying a recap is for the Kasat Binmas (pimpinan) and his staff (verifikator)."""
    if user.role not in VERIFY_ROLES:
        raise AuthError("Hanya verifikator (Kasat Binmas) atau pimpinan yang dapat memverifikasi atau membatalkan verifikasi rekap.")


def require_arahan_edit(user: User) -> None:
    """Giving, changing, closing an arahan and setting its status are for admin and pimpinan."""
    if user.role not in ARAHAN_EDIT_ROLES:
        raise AuthError("Hanya admin atau pimpinan yang dapat mencatat, mengubah atau menetapkan status arahan.")


def can_see_arahan(user: User, owners: list[str]) -> bool:
    """A Polsek clerk sees the arahan his Polsek owns (alone, with others, or as one of all Polsek); other roles see all."""
    if user.role == "polsek":
        return user.polsek in owners or SEMUA_POLSEK in owners
    return user.role in ROLES


def require_arahan_note(user: User, owners: list[str]) -> None:
    """Progress notes: admin and pimpinan on any arahan, a Polsek clerk on his own Polsek's."""
    if user.role in ARAHAN_EDIT_ROLES:
        return
    if user.role == "polsek":
        if can_see_arahan(user, owners):
            return
        raise AuthError(f"Akun {user.username} hanya dapat menambah catatan untuk arahan {user.polsek}.")
    raise AuthError("Akun ini hanya dapat membaca arahan; catatan perkembangan ditambah oleh Polsek pelaksana, admin atau pimpinan.")
