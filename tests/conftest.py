"""Shared fixtures: a fresh database per test and generators of filled-in recap workbooks."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from core import store  # noqa: E402

TODAY = dt.date(2026, 11, 30)


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'anev.db'}"


@pytest.fixture
def engine(db_url: str):
    eng = store.create_db_engine(db_url)
    yield eng
    eng.dispose()
