"""The one path from uploaded bytes to a stored version, shared by the upload screen and the command line.

Authorisation is checked here (not only in the screen): a Polsek clerk's file for another Polsek is
refused with an error on the result, nothing is stored, and the refusal is in the audit trail.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.engine import Engine

from core import auth, reference, store, verifikasi
from core.ingest import read_recap
from core.issues import ImportResult, Issue


def check_file(
    engine: Engine,
    content: bytes,
    filename: str,
    polsek: str | None = None,
    bulan: str | None = None,
    today: dt.date | None = None,
    user: auth.User | None = None,
) -> ImportResult:
    """Read and validate a file once, with the warnings that need the database's history and the user's rights."""
    result = read_recap(
        content, filename, polsek=polsek, bulan=bulan, today=today, max_bytes=max_upload_bytes(),
        history=lambda found_polsek, found_bulan: store.history_for(engine, found_polsek, found_bulan),
    )
    refused = _refusal(user, result) if user is not None else None
    if refused:
        result.errors.insert(0, Issue("", None, "Polsek", result.polsek or "", refused))
    locked = None if result.unreadable else verifikasi.lock_message(engine, result.polsek, result.bulan)
    if locked:
        result.errors.insert(0, Issue("", None, "Bulan", result.bulan or "", locked))
    return result


def max_upload_bytes() -> int:
    """The server-side upload limit (`impor.ukuran_maks_mb` in `data/pengaturan.toml`, default 10 MB)."""
    return int(float(reference.settings().get("impor", {}).get("ukuran_maks_mb", 10)) * 1024 * 1024)


def _refusal(user: auth.User, result: ImportResult) -> str | None:
    """Why this user may not store this file, or None."""
    if result.unreadable:
        return None
    try:
        auth.require_upload(user, result.polsek)
    except auth.AuthError as refused:
        return str(refused)
    return None


def save(engine: Engine, result: ImportResult, user: auth.User) -> int:
    """Store a checked result as a new version after checking the user's rights again; audited."""
    try:
        auth.require_upload(user, result.polsek)
    except auth.AuthError as refused:
        auth.record(engine, user.username, "unggah", f"{result.polsek} {result.bulan} {result.file}", "ditolak", str(refused))
        raise
    try:
        version = store.save_import(engine, result, user.username)
    except verifikasi.Locked as locked:  # verified between the preview and Simpan
        auth.record(engine, user.username, "unggah", f"{result.polsek} {result.bulan} {result.file}", "ditolak", str(locked))
        raise
    auth.record(engine, user.username, "unggah", f"{result.polsek} {result.bulan} {result.file}", "ok",
                f"versi {version}, {len(result.warnings)} peringatan, sha256 {result.sha256[:16]}")
    return version


def import_file(
    engine: Engine,
    content: bytes,
    filename: str,
    uploaded_by: str | auth.User,
    polsek: str | None = None,
    bulan: str | None = None,
    dry_run: bool = False,
    today: dt.date | None = None,
) -> tuple[ImportResult, int | None]:
    """Validate and, when valid and not a dry run, store as a new version. Returns the result and version.

    `uploaded_by` is a `User` (checked against his Polsek) or, for the operator's command line, a name.
    """
    user = uploaded_by if isinstance(uploaded_by, auth.User) else auth.User(str(uploaded_by), "admin")
    result = check_file(engine, content, filename, polsek=polsek, bulan=bulan, today=today)
    refused = _refusal(user, result)
    if refused:
        result.errors.insert(0, Issue("", None, "Polsek", result.polsek or "", refused))
        auth.record(engine, user.username, "unggah", f"{result.polsek} {result.bulan} {filename}", "ditolak", refused)
    if result.errors:
        return result, None
    if dry_run:
        return result, None
    return result, save(engine, result, user)
