"""Backups: a consistent copy of the whole database while the app runs, and restoring it.

A backup is always an SQLite file, whatever the backend: on SQLite it is made with SQLite's online
backup API (pages copied inside one read snapshot); on PostgreSQL every table is copied inside one
REPEATABLE READ transaction. Restoring replaces the content of every table in one transaction.
"""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from core import store

_ORDER = ["schema_info", "pengaturan", "unggahan", "kegiatan", "kerawanan", "bhabin", "pratinjau", "pengguna", "audit"]


def _tables() -> list[sa.Table]:
    import core.auth  # noqa: F401 - registers the accounts and audit tables

    tables = {t.name: t for t in store.metadata.sorted_tables}
    ordered = [tables[name] for name in _ORDER if name in tables]
    return ordered + [t for name, t in tables.items() if name not in _ORDER]


def backup(engine: Engine, out: Path) -> dict[str, int]:
    """Write a consistent copy to `out` (an SQLite file); returns the row count per table."""
    out = Path(out)
    if out.exists():
        out.unlink()
    if engine.dialect.name == "sqlite":
        source_path = engine.url.database
        source = sqlite3.connect(source_path)
        target = sqlite3.connect(out)
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
        return _counts(sa.create_engine(f"sqlite:///{out}"))
    target_engine = store.create_db_engine(f"sqlite:///{out}")
    counts: dict[str, int] = {}
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as source, source.begin(), \
            target_engine.connect().execution_options(write=True) as target, target.begin():
        for table in _tables():
            target.execute(table.delete())
            rows = [dict(r) for r in source.execute(sa.select(table)).mappings()]
            if rows:
                target.execute(table.insert(), rows)
            counts[table.name] = len(rows)
    target_engine.dispose()
    return counts


def restore(engine: Engine, backup_file: Path) -> dict[str, int]:
    """Replace the database content with a backup's, in one transaction; returns the row counts restored."""
    backup_file = Path(backup_file)
    with sqlite3.connect(backup_file) as check:
        if check.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise ValueError("Berkas cadangan rusak (integrity_check gagal).")
    with tempfile.TemporaryDirectory() as work:
        copy = Path(work) / "cadangan.db"
        with sqlite3.connect(backup_file) as source, sqlite3.connect(copy) as target:
            source.backup(target)
        source_engine = store.create_db_engine(f"sqlite:///{copy}")  # upgrades an older backup's schema first
        counts: dict[str, int] = {}
        tables = _tables()
        with source_engine.connect() as source, store.writing(engine) as target:
            for table in reversed(tables):
                target.execute(table.delete())
            for table in tables:
                rows = [dict(r) for r in source.execute(sa.select(table)).mappings()]
                if rows:
                    target.execute(table.insert(), rows)
                counts[table.name] = len(rows)
            if engine.dialect.name == "postgresql":
                for table in tables:
                    for column in table.primary_key.columns:
                        if column.autoincrement is True or (column.autoincrement == "auto" and isinstance(column.type, sa.Integer)
                                                            and len(table.primary_key.columns) == 1):
                            target.exec_driver_sql(
                                f"SELECT setval(pg_get_serial_sequence('{table.name}', '{column.name}'), "
                                f"COALESCE((SELECT MAX({column.name}) FROM {table.name}), 0) + 1, false)"
                            )
        source_engine.dispose()
    return counts


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        existing = set(sa.inspect(conn).get_table_names())
        return {t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar() for t in _tables() if t.name in existing}
