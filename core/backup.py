"""Backups: a consistent copy of the whole database while the app runs, and restoring it safely.

A backup is always an SQLite file, whatever the backend: on SQLite it is made with SQLite's online
backup API (pages copied inside one read snapshot); on PostgreSQL every table is copied inside one
REPEATABLE READ transaction. It is written to a temporary file in the target's folder and renamed
into place, so a full disk or an interrupted copy never leaves a half file under the target's name,
and a target that is the live database (or its -wal/-shm/-journal file) is refused.

Restoring checks the file first (an SQLite file, the tables of an Anev backup, a schema version this
code knows, at least one active admin), keeps a safety copy of what it replaces, then replaces the
content of every table in one transaction. Sessions and sign-in counters are not carried: after a
restore everyone signs in again.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import sqlite3
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from core import config, store, tables

if TYPE_CHECKING:
    from core.auth import User

_ORDER = ["schema_info", "pengaturan", "unggahan", "kegiatan", "kerawanan", "bhabin", "pratinjau", "pengguna", "audit"]
REQUIRED_TABLES = {"schema_info", "unggahan", "kegiatan", "kerawanan", "pengguna", "audit"}
_SQLITE_MAGIC = b"SQLite format 3\x00"


class BackupError(Exception):
    """Refused or failed; the message is Indonesian, says what to do, and nothing stored was changed."""


def _tables(with_transient: bool = False) -> list[sa.Table]:
    by_name = {t.name: t for t in tables.metadata.sorted_tables}
    ordered = [by_name[name] for name in _ORDER if name in by_name]
    everything = ordered + [t for name, t in by_name.items() if name not in _ORDER]
    return everything if with_transient else [t for t in everything if t.name not in tables.TRANSIENT_TABLES]


def _live_files(engine: Engine) -> set[Path]:
    if engine.dialect.name != "sqlite" or not engine.url.database or engine.url.database == ":memory:":
        return set()
    main = Path(engine.url.database).resolve()
    return {main, *(main.with_name(main.name + suffix) for suffix in ("-wal", "-shm", "-journal"))}


def _disk_full(exc: BaseException) -> bool:
    text = str(exc).lower()
    return (isinstance(exc, OSError) and exc.errno == errno.ENOSPC) or "disk is full" in text or "no space left" in text


def backup(engine: Engine, out: Path) -> dict[str, int]:
    """Write a consistent copy to `out` (an SQLite file); returns the row count per table."""
    out = Path(out)
    target = out.resolve()
    if target in _live_files(engine):
        raise BackupError(f"Berkas cadangan {out} adalah basis data yang sedang dipakai. Pilih nama atau folder lain; "
                          "tidak ada yang diubah.")
    if target.is_dir():
        raise BackupError(f"{out} adalah folder. Sebutkan nama berkas, misalnya {out / 'cadangan.db'}.")
    if not target.parent.is_dir():
        raise BackupError(f"Folder {target.parent} tidak ada. Buat dulu foldernya, atau pilih folder lain.")
    temp: Path | None = None
    try:
        handle, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".sementara", dir=target.parent)
        os.close(handle)
        temp = Path(temp_name)
        counts = _write(engine, temp)
        os.replace(temp, target)
    except (OSError, sqlite3.Error, sa.exc.OperationalError) as exc:
        if temp is not None:
            temp.unlink(missing_ok=True)
        if _disk_full(exc):
            raise BackupError(f"Ruang disk di {target.parent} tidak cukup untuk cadangan. Kosongkan ruang atau pilih folder lain; "
                              "basis data tidak berubah.") from exc
        raise BackupError(f"Cadangan tidak dapat ditulis ke {out}: {exc.strerror if isinstance(exc, OSError) else exc}. "
                          "Basis data tidak berubah.") from exc
    except BaseException:
        if temp is not None:
            temp.unlink(missing_ok=True)
        raise
    return counts


def _write(engine: Engine, out: Path) -> dict[str, int]:
    transient = [t.name for t in _tables(with_transient=True) if t not in _tables()]
    if engine.dialect.name == "sqlite":
        source = sqlite3.connect(engine.url.database)
        target = sqlite3.connect(out)
        try:
            source.backup(target)
            for name in transient:  # sessions and sign-in counters stay with the live database
                target.execute(f'DELETE FROM "{name}"')  # names from the schema, not from input
            target.commit()
        finally:
            target.close()
            source.close()
        counted = sa.create_engine(f"sqlite:///{out}", poolclass=sa.pool.NullPool)
        try:
            return _counts(counted)
        finally:
            counted.dispose()
    target_engine = store.create_db_engine(f"sqlite:///{out}")
    counts: dict[str, int] = {}
    try:
        with engine.connect().execution_options(isolation_level="REPEATABLE READ") as source, source.begin(), \
                target_engine.connect().execution_options(write=True) as target, target.begin():
            for table in _tables():
                target.execute(table.delete())
                rows = [dict(r) for r in source.execute(sa.select(table)).mappings()]
                if rows:
                    target.execute(table.insert(), rows)
                counts[table.name] = len(rows)
    finally:
        target_engine.dispose()
    return counts


def check_backup_file(path: Path) -> dict[str, int]:
    """Refuse anything but an intact Anev backup this code can read, with at least one active admin; returns its counts."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            magic = handle.read(len(_SQLITE_MAGIC))
    except OSError as exc:
        raise BackupError(f"Berkas cadangan {path} tidak dapat dibaca: {exc.strerror}.") from exc
    if magic != _SQLITE_MAGIC:
        raise BackupError(f"{path.name} bukan berkas cadangan Anev (bukan basis data SQLite). Tidak ada yang diubah.")
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError(f"Berkas cadangan {path.name} rusak (pemeriksaan integritas gagal). Tidak ada yang diubah.")
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            missing = sorted(REQUIRED_TABLES - tables)
            if missing:
                raise BackupError(f"{path.name} bukan cadangan Anev: tabel {', '.join(missing)} tidak ada. Tidak ada yang diubah.")
            version = conn.execute("SELECT MAX(versi) FROM schema_info").fetchone()[0]
            if version is None or version > store.SCHEMA_VERSION:
                raise BackupError(f"Cadangan {path.name} berasal dari versi skema {version}, lebih baru dari aplikasi ini "
                                  f"(versi {store.SCHEMA_VERSION}). Perbarui aplikasi dulu. Tidak ada yang diubah.")
            admins = conn.execute("SELECT COUNT(*) FROM pengguna WHERE peran = 'admin' AND aktif").fetchone()[0]
            if not admins:
                raise BackupError(f"Cadangan {path.name} tidak memuat akun admin aktif: setelah dipulihkan siapa pun dapat membuat "
                                  "admin pertama. Pakai cadangan lain. Tidak ada yang diubah.")
            return {name: conn.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0]  # names from sqlite_master
                    for name in sorted(tables & {t.name for t in _tables()})}
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path.name} tidak dapat dibaca sebagai cadangan Anev ({exc}). Tidak ada yang diubah.") from exc


def safety_copy_path(engine: Engine, folder: Path | None = None, now: dt.datetime | None = None) -> Path:
    """Where a restore keeps what it replaces: beside the SQLite file, or in data/ for PostgreSQL (or in `folder`)."""
    stamp = f"{(now or dt.datetime.now()):%Y%m%d_%H%M%S}"
    if engine.dialect.name == "sqlite" and engine.url.database:
        live = Path(engine.url.database).resolve()
        return (Path(folder) if folder else live.parent) / f"{live.stem}_sebelum_pulih_{stamp}.db"
    return (Path(folder) if folder else config.DATA_DIR) / f"anev_sebelum_pulih_{stamp}.db"


def restore(engine: Engine, backup_file: Path, by: User | None = None, safety_dir: Path | None = None) -> tuple[dict[str, int], Path]:
    """Replace the database content with a checked backup's, in one transaction (audited in the restored trail).

    Returns the row counts restored and the safety copy of the content it replaced.
    """
    backup_file = Path(backup_file)
    if backup_file.resolve() in _live_files(engine):
        raise BackupError("Berkas yang dipulihkan adalah basis data yang sedang dipakai. Tidak ada yang diubah.")
    check_backup_file(backup_file)
    safety = safety_copy_path(engine, safety_dir)
    backup(engine, safety)
    try:
        counts = _replace(engine, backup_file, by)
    except (OSError, sqlite3.Error, sa.exc.OperationalError) as exc:
        if _disk_full(exc):
            raise BackupError(f"Ruang disk penuh saat memulihkan; basis data tidak berubah (salinan pengaman: {safety}). "
                              "Kosongkan ruang disk lalu ulangi.") from exc
        raise
    return counts, safety


def _replace(engine: Engine, backup_file: Path, by: User | None) -> dict[str, int]:
    from core import auth

    with tempfile.TemporaryDirectory() as work:
        copy = Path(work) / "cadangan.db"
        with sqlite3.connect(backup_file) as source, sqlite3.connect(copy) as target:
            source.backup(target)
        source_engine = store.create_db_engine(f"sqlite:///{copy}")  # upgrades an older backup's schema first
        counts: dict[str, int] = {}
        tables = _tables()
        try:
            with source_engine.connect() as source, store.writing(engine) as target:
                for table in reversed(_tables(with_transient=True)):
                    target.execute(table.delete())
                for table in tables:
                    rows = [dict(r) for r in source.execute(sa.select(table)).mappings()]
                    if rows:
                        target.execute(table.insert(), rows)
                    counts[table.name] = len(rows)
                if engine.dialect.name == "postgresql":
                    _reset_sequences(target, tables)
                auth._record(target, (by or auth.cli_operator()).username, "pulihkan", backup_file.name, "ok",
                             f"{counts.get('unggahan', 0)} versi, {counts.get('pengguna', 0)} akun; semua sesi berakhir")
        finally:
            source_engine.dispose()
    return counts


def _reset_sequences(target: sa.Connection, tables: list[sa.Table]) -> None:
    for table in tables:
        for column in table.primary_key.columns:
            if column.autoincrement is True or (column.autoincrement == "auto" and isinstance(column.type, sa.Integer)
                                                and len(table.primary_key.columns) == 1):
                target.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', '{column.name}'), "
                    f"COALESCE((SELECT MAX({column.name}) FROM {table.name}), 0) + 1, false)"
                )


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        existing = set(sa.inspect(conn).get_table_names())
        return {t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar() for t in _tables() if t.name in existing}
