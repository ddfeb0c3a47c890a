"""Accounts, roles, authorisation and the audit trail, in the project's own database.

Passwords are hashed with Argon2id (argon2-cffi) and never stored or logged in clear. Roles:
`admin` (Sat Binmas operator: everything), `pimpinan` (Kapolres, Wakapolres, Kasat: every screen and
export, no uploads), `polsek` (a clerk tied to one Polsek: uploads for that Polsek only, sees that
Polsek's data). Authorisation lives here, not only in the screens, so the command line and tests
go through the same checks.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.engine import Engine

from core import reference, store

ROLES = {"admin": "Admin (Sat Binmas)", "pimpinan": "Pimpinan", "polsek": "Operator Polsek",
         "verifikator": "Verifikator (Kasat Binmas)"}
MAX_FAILURES = 5
LOCK_MINUTES = 15
SESSION_MINUTES = 30
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,31}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
_hasher = PasswordHasher()

pengguna = sa.Table(
    "pengguna",
    store.metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("username", sa.String(32), nullable=False, unique=True),
    sa.Column("kata_sandi", sa.Text, nullable=False),
    sa.Column("peran", sa.String(20), nullable=False),
    sa.Column("polsek", sa.String(80)),
    sa.Column("aktif", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("dibuat", sa.DateTime, nullable=False),
    sa.Column("gagal", sa.Integer, nullable=False, server_default="0"),
    sa.Column("terkunci_sampai", sa.DateTime),
    sa.Column("terakhir_masuk", sa.DateTime),
)

audit = sa.Table(
    "audit",
    store.metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("waktu", sa.DateTime, nullable=False),
    sa.Column("pengguna", sa.String(60), nullable=False),
    sa.Column("aksi", sa.String(40), nullable=False),
    sa.Column("objek", sa.Text, nullable=False, server_default=""),
    sa.Column("hasil", sa.String(20), nullable=False),
    sa.Column("rincian", sa.Text, nullable=False, server_default=""),
)
sa.Index("ix_audit_waktu", audit.c.waktu)


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
        return f"{self.username} ({ROLES.get(self.role, self.role)}{', ' + self.polsek if self.polsek else ''})"


SYSTEM = User("sistem", "admin")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def clean(text: object, limit: int = 500) -> str:
    """One line of user text for the audit trail: no control characters or line breaks, bounded length."""
    return _CONTROL.sub(" ", str(text or "")).strip()[:limit]


def record(engine: Engine, who: str, action: str, obj: str = "", result: str = "ok", detail: str = "") -> None:
    """Append one audit entry (its own transaction)."""
    with store.writing(engine) as conn:
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
    if len(password or "") < 8:
        raise AuthError("Kata sandi minimal 8 karakter.")
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


def set_active(engine: Engine, username: str, active: bool, by: User) -> None:
    """Disable (or re-enable) an account; admins only, and never the last active admin."""
    if by.role != "admin":
        raise AuthError("Hanya admin yang dapat mengubah akun.")
    with store.writing(engine) as conn:
        row = conn.execute(sa.select(pengguna).where(pengguna.c.username == username)).mappings().first()
        if row is None:
            raise AuthError(f"Akun {username} tidak ada.")
        if not active and row["peran"] == "admin":
            admins = conn.execute(sa.select(sa.func.count()).where(pengguna.c.peran == "admin", pengguna.c.aktif.is_(True))).scalar()
            if admins <= 1:
                raise AuthError("Admin terakhir tidak dapat dinonaktifkan.")
        conn.execute(pengguna.update().where(pengguna.c.username == username).values(aktif=active, gagal=0, terkunci_sampai=None))
    record(engine, by.username, "akun.aktif" if active else "akun.nonaktif", username)


def set_password(engine: Engine, username: str, password: str, by: User) -> None:
    """A new password (admins for anyone, a user for himself)."""
    if by.role != "admin" and by.username != username:
        raise AuthError("Anda hanya dapat mengganti kata sandi sendiri.")
    if len(password or "") < 8:
        raise AuthError("Kata sandi minimal 8 karakter.")
    with store.writing(engine) as conn:
        updated = conn.execute(pengguna.update().where(pengguna.c.username == username)
                               .values(kata_sandi=_hasher.hash(password), gagal=0, terkunci_sampai=None)).rowcount
    if not updated:
        raise AuthError(f"Akun {username} tidak ada.")
    record(engine, by.username, "akun.sandi", username)


def users(engine: Engine) -> pd.DataFrame:
    """Every account, without password hashes."""
    cols = [c for c in pengguna.columns if c.name != "kata_sandi"]
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(sa.select(*cols).order_by(pengguna.c.username)).mappings().all(), columns=[c.name for c in cols])


def authenticate(engine: Engine, username: str, password: str, now: dt.datetime | None = None) -> User:
    """Check a password; 5 failures lock the account for 15 minutes. Every attempt is audited (never the password)."""
    now = now or _now()
    username = (username or "").strip().lower()
    with store.writing(engine) as conn:
        row = conn.execute(sa.select(pengguna).where(pengguna.c.username == username)).mappings().first()
        refused = None
        if row is None or not row["aktif"]:
            refused = "Nama pengguna atau kata sandi salah."
        elif row["terkunci_sampai"] and row["terkunci_sampai"] > now:
            minutes = max(1, int((row["terkunci_sampai"] - now).total_seconds() // 60) + 1)
            refused = f"Akun terkunci karena {MAX_FAILURES} kali gagal masuk. Coba lagi dalam {minutes} menit atau hubungi admin."
        else:
            try:
                _hasher.verify(row["kata_sandi"], password or "")
            except (VerificationError, InvalidHashError):
                failures = (row["gagal"] or 0) + 1
                locked = now + dt.timedelta(minutes=LOCK_MINUTES) if failures >= MAX_FAILURES else None
                conn.execute(pengguna.update().where(pengguna.c.id == row["id"])
                             .values(gagal=0 if locked else failures, terkunci_sampai=locked))
                refused = ("Nama pengguna atau kata sandi salah." if not locked else
                           f"Akun terkunci {LOCK_MINUTES} menit karena {MAX_FAILURES} kali gagal masuk.")
            else:
                values = {"gagal": 0, "terkunci_sampai": None, "terakhir_masuk": now}
                if _hasher.check_needs_rehash(row["kata_sandi"]):
                    values["kata_sandi"] = _hasher.hash(password)
                conn.execute(pengguna.update().where(pengguna.c.id == row["id"]).values(**values))
    if refused:
        record(engine, username or "?", "masuk", username, "gagal", refused)
        raise AuthError(refused)
    record(engine, username, "masuk", username, "ok")
    return User(username, row["peran"], row["polsek"])


def active_user(engine: Engine, username: str) -> User | None:
    """The account as it is now (a disabled account ends its sessions)."""
    with engine.connect() as conn:
        row = conn.execute(sa.select(pengguna).where(pengguna.c.username == username)).mappings().first()
    if row is None or not row["aktif"]:
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


def require_export(user: User) -> None:
    """Exports are for pimpinan and admin (and a Polsek for its own data, through its filter)."""
    if user.role not in ROLES:
        raise AuthError("Peran tidak dikenal.")


def require_admin(user: User) -> None:
    """Account management, audit trail, backups and reference data are for admins."""
    if user.role != "admin":
        raise AuthError("Hanya admin yang dapat melakukan ini.")


def allowed_polsek(user: User, wanted: str | None) -> str | None:
    """The Polsek filter a user may use: a Polsek clerk always sees his own Polsek."""
    return user.polsek if user.role == "polsek" else wanted


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
