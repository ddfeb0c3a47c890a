"""Shared fixtures: a fresh database per test and generators of filled-in recap workbooks.

Storage tests run on SQLite always and, when `ANEV_TEST_PG_URL` names a PostgreSQL server
(e.g. `postgresql+psycopg://postgres@127.0.0.1:5432/test`), once more on PostgreSQL: every such
test gets its own new database, dropped afterwards. Without the variable those variants are skipped.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from core import store  # noqa: E402

TODAY = dt.date(2026, 11, 30)

PG_URL = os.environ.get("ANEV_TEST_PG_URL", "").strip()
PG_SKIP = (
    "ANEV_TEST_PG_URL tidak diset: varian PostgreSQL dilewati "
    "(contoh: ANEV_TEST_PG_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test)"
)
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "pg: runs against PostgreSQL (ANEV_TEST_PG_URL); skipped when it is not set")
    config.addinivalue_line("markers", "sqlite_only: checks something only SQLite has (PRAGMA, iterdump); no PostgreSQL variant")


E2E = ROOT / "tests" / "e2e"


def _is_e2e(item: pytest.Item) -> bool:
    return E2E in Path(str(item.fspath)).resolve().parents


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook, which reads the groups
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Groups for pytest-xdist (`-n 2 --dist loadgroup`, pyproject.toml): a module's tests stay on one worker, so its
    module-scoped demo database is built once; every browser test runs on one worker, one after another (two servers
    and two Chromiums on a 2-core machine starve each other's timeouts). The browser tests come first: they are the
    longest group, and the other worker works through the rest meanwhile."""
    items.sort(key=lambda item: not _is_e2e(item))  # stable: each module keeps its order
    for item in items:
        group = "e2e" if _is_e2e(item) else Path(str(item.fspath)).resolve().relative_to(ROOT).as_posix()
        item.add_marker(pytest.mark.xdist_group(group))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Under xdist, a worker running unit and app tests yields the CPU to the worker driving the browser (and to the
    server and Chromium it started), whose waits are real time: the browser tests get a core's worth of time whatever
    the other worker does. Outside xdist, and where the priority cannot be raised again, nothing changes."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return
    with contextlib.suppress(OSError):  # raising the priority again needs root; then the worker simply stays as it is
        os.setpriority(os.PRIO_PROCESS, 0, 0 if _is_e2e(item) else 10)


@pytest.fixture(scope="session")
def pg_admin() -> Iterator[sa.Engine]:
    """An autocommit engine on the server of `ANEV_TEST_PG_URL`, for CREATE and DROP DATABASE."""
    if not PG_URL:
        pytest.skip(PG_SKIP)
    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    yield admin
    admin.dispose()


@contextmanager
def fresh_pg_database(admin: sa.Engine) -> Iterator[str]:
    """A new, empty database on the test server; its URL. Dropped afterwards, open connections and all."""
    name = f"anev_uji_{uuid.uuid4().hex[:16]}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield sa.make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def pg_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh PostgreSQL database for tests that only make sense there."""
    with fresh_pg_database(request.getfixturevalue("pg_admin")) as url:
        yield url


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: an SQLite file, or (second variant) a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'anev.db'}"
        return
    if request.node.get_closest_marker("sqlite_only"):
        pytest.skip("khusus SQLite; varian PostgreSQL diuji oleh pemeriksaan yang setara")
    with fresh_pg_database(request.getfixturevalue("pg_admin")) as url:
        yield url


@pytest.fixture
def backend(db_url: str) -> str:
    """`sqlite` or `postgresql`: the backend of this test's database."""
    return sa.make_url(db_url).get_backend_name()


@pytest.fixture
def engine(db_url: str):
    eng = store.create_db_engine(db_url)
    yield eng
    eng.dispose()
