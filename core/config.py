"""Run-time settings read from the environment, so deployments change paths without code edits."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = REPO_ROOT / "data"


def db_url() -> str:
    """The SQLAlchemy URL of the database: `ANEV_DB_URL`, else an SQLite file in `data/`."""
    url = os.environ.get("ANEV_DB_URL", "").strip()
    if url:
        return url
    return f"sqlite:///{DATA_DIR / 'anev.db'}"


def data_dir() -> Path:
    """Folder of the reference data (`ANEV_DATA_DIR` may point at an edited copy)."""
    return Path(os.environ.get("ANEV_DATA_DIR", "") or DATA_DIR)


def wilayah_dir() -> Path | None:
    """Folder of boundary polygons (`ANEV_WILAYAH_DIR`); None when not configured or missing."""
    raw = os.environ.get("ANEV_WILAYAH_DIR", "").strip()
    if not raw:
        return None
    path = Path(raw)
    return path if path.is_dir() else None
