"""The one path from uploaded bytes to a stored version, shared by the upload screen and the command line."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.engine import Engine

from core import store
from core.ingest import History, ImportResult, read_recap


def check_file(
    engine: Engine,
    content: bytes,
    filename: str,
    polsek: str | None = None,
    bulan: str | None = None,
    today: dt.date | None = None,
) -> ImportResult:
    """Read and validate a file once, with the warnings that need the database's history."""
    return read_recap(
        content, filename, polsek=polsek, bulan=bulan, today=today,
        history=lambda found_polsek, found_bulan: store.history_for(engine, found_polsek, found_bulan),
    )


def import_file(
    engine: Engine,
    content: bytes,
    filename: str,
    uploaded_by: str,
    polsek: str | None = None,
    bulan: str | None = None,
    dry_run: bool = False,
    today: dt.date | None = None,
) -> tuple[ImportResult, int | None]:
    """Validate and, when valid and not a dry run, store as a new version. Returns the result and version."""
    result = check_file(engine, content, filename, polsek=polsek, bulan=bulan, today=today)
    if result.errors or dry_run:
        return result, None
    return result, store.save_import(engine, result, uploaded_by)


def history_is_empty(history: History) -> bool:
    """True when there is nothing to compare a file against."""
    return history.counts.empty and not history.officers
