"""Storage behind one module (SQLAlchemy Core): versioned uploads, their rows, officers, previews.

Nothing is ever overwritten: every upload of a Polsek/month is a new version with its original
bytes, and readers take the latest version. SQLite (WAL, busy timeout, foreign keys) is the
default; the same code runs on PostgreSQL when `ANEV_DB_URL` names one. The row tables take
their columns from the indicator catalogue, and missing columns are added on start-up.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from core import config, reference
from core.filecheck import DEFAULT_MAX_UPLOAD_BYTES
from core.issues import History, ImportResult, Issue
from core.tables import ROW_TABLES, bhabin, kegiatan, metadata, pengaturan, perbatasan_desa, pratinjau, schema_info, unggahan, verifikasi
from core.workbook import check_upload

SCHEMA_VERSION = 1


# --------------------------------------------------------------------------- engine


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None  # let SQLAlchemy's begin event choose BEGIN IMMEDIATE
    cursor = dbapi_connection.cursor()
    # busy_timeout first: switching to WAL needs a lock, and two processes opening a new file at once would
    # otherwise fail at once with "database is locked" instead of waiting.
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    # A writer takes the write lock at BEGIN, so two uploads queue instead of failing with "database is locked".
    if conn.get_execution_options().get("write"):
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        conn.exec_driver_sql("BEGIN")


def create_db_engine(url: str | None = None) -> Engine:
    """An engine for `url` (default `ANEV_DB_URL`) with the schema created or upgraded.

    SQLite (`sqlite:///data/anev.db`) is the default; PostgreSQL is chosen with a URL such as
    `postgresql+psycopg://anev:sandi@127.0.0.1:5432/anev` (driver psycopg 3).
    """
    url = url or config.db_url()
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        sa.event.listen(engine, "begin", _sqlite_begin)
    else:
        engine = sa.create_engine(url, pool_pre_ping=True)
    migrate(engine)
    return engine


def _is_postgresql(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql"


def _advisory_key(*parts: str) -> int:
    """A stable signed 64-bit key for `pg_advisory_xact_lock`, the same in every process."""
    digest = hashlib.sha256("\x1f".join(("anev", *parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _lock(conn: Connection, *parts: str) -> None:
    """Serialise writers of one thing until the transaction ends (PostgreSQL; SQLite's BEGIN IMMEDIATE already does)."""
    if _is_postgresql(conn):
        conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_advisory_key(*parts))))


@lru_cache(maxsize=4)
def _engine_for(url: str) -> Engine:
    return create_db_engine(url)


def get_engine(url: str | None = None) -> Engine:
    """One engine per URL for the process (the command line; the app caches its own)."""
    return _engine_for(url or config.db_url())


def migrate(engine: Engine) -> None:
    """Create missing tables, add catalogue columns that are new since the database was made.

    One transaction; two processes starting at once on PostgreSQL take turns (advisory lock), on SQLite
    BEGIN IMMEDIATE does the same.
    """
    with engine.connect().execution_options(write=True) as conn, conn.begin():
        _lock(conn, "migrate")
        metadata.create_all(conn)
        inspector = sa.inspect(conn)
        for table in ROW_TABLES.values():
            existing = {c["name"] for c in inspector.get_columns(table.name)}
            for column in table.columns:
                if column.name not in existing:
                    type_sql = column.type.compile(dialect=conn.dialect)
                    conn.exec_driver_sql(f'ALTER TABLE {table.name} ADD COLUMN "{column.name}" {type_sql}')
        current = conn.execute(sa.select(schema_info.c.versi)).scalar()
        if current is None:
            conn.execute(schema_info.insert().values(versi=SCHEMA_VERSION))
        elif current < SCHEMA_VERSION:
            conn.execute(schema_info.update().values(versi=SCHEMA_VERSION))


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """One write transaction (BEGIN IMMEDIATE on SQLite)."""
    with engine.connect().execution_options(write=True) as conn, conn.begin():
        yield conn


# --------------------------------------------------------------------------- saving


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def _issues_json(issues: list[Issue]) -> str:
    return json.dumps([i.to_dict() for i in issues], ensure_ascii=False)


def _records(frame: pd.DataFrame, table: sa.Table, upload_id: int) -> list[dict]:
    if frame.empty:
        return []
    names = [c.name for c in table.columns if c.name != "unggahan_id"]
    clean = frame.reindex(columns=names).astype(object)
    clean = clean.where(pd.notna(clean), None)
    records = clean.to_dict("records")
    for record in records:
        record["unggahan_id"] = upload_id
        for key, value in record.items():
            if hasattr(value, "item"):  # numpy scalar -> Python
                record[key] = value.item()
    return records


class NotStorable(ValueError):
    """Raised when asked to store a result that still has errors."""


SAVE_ATTEMPTS = 5
# PostgreSQL: unique violation, serialization failure, deadlock detected.
_RETRY_SQLSTATES = {"23505", "40001", "40P01"}
_RETRY_SQLITE = {"SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY"}


def _retryable(error: sa.exc.DBAPIError) -> bool:
    """A clash with a concurrent writer (a taken version number, a just-inserted officer, a deadlock), not a bad row."""
    orig = error.orig
    return getattr(orig, "sqlstate", None) in _RETRY_SQLSTATES or getattr(orig, "sqlite_errorname", None) in _RETRY_SQLITE


def save_import(
    engine: Engine,
    result: ImportResult,
    uploaded_by: str,
    *,
    demo: bool = False,
    uploaded_at: dt.datetime | None = None,
) -> int:
    """Store a valid result as the next version of its Polsek/month, in one transaction. Returns the version.

    The version is max(versi)+1, made safe against concurrent uploads three ways: SQLite's BEGIN IMMEDIATE and a
    PostgreSQL advisory lock per Polsek/month serialise writers; the unique (polsek, bulan, versi) constraint refuses
    a duplicate should anything slip past; and a refused attempt is retried in a fresh transaction.
    """
    if result.errors or not result.polsek or not result.bulan:
        raise NotStorable("Rekap masih memiliki kesalahan; tidak ada yang disimpan.")
    for attempt in range(SAVE_ATTEMPTS):
        try:
            with writing(engine) as conn:
                return _insert_version(conn, result, uploaded_by, demo, uploaded_at or _now())
        except sa.exc.DBAPIError as error:
            if attempt == SAVE_ATTEMPTS - 1 or not _retryable(error):
                raise
    raise AssertionError("unreachable")


def _next_version(conn: Connection, polsek: str, bulan: str) -> int:
    latest = conn.execute(
        sa.select(sa.func.max(unggahan.c.versi)).where(unggahan.c.polsek == polsek, unggahan.c.bulan == bulan)
    ).scalar()
    return (latest or 0) + 1


def _insert_version(
    conn: Connection, result: ImportResult, uploaded_by: str, demo: bool, uploaded_at: dt.datetime
) -> int:
    _lock(conn, "unggahan", result.polsek, result.bulan)
    refuse_if_locked(conn, result.polsek, result.bulan, demo=demo)  # under the same lock as the version number
    version = _next_version(conn, result.polsek, result.bulan)
    upload_id = conn.execute(
        unggahan.insert().values(
            polsek=result.polsek,
            bulan=result.bulan,
            versi=version,
            nama_berkas=result.file,
            sha256=result.sha256,
            isi=result.content,
            pengunggah=uploaded_by,
            waktu=uploaded_at,
            peringatan=_issues_json(result.warnings),
            catatan=_issues_json(result.notes),
            baris_kegiatan=len(result.kegiatan),
            baris_kerawanan=len(result.kerawanan),
            contoh=demo,
        )
    ).inserted_primary_key[0]
    for sheet, table in ROW_TABLES.items():
        records = _records(getattr(result, sheet), table, upload_id)
        if records:
            conn.execute(table.insert(), records)
    _remember_officers(conn, result)
    return version


def _remember_officers(conn: Connection, result: ImportResult) -> None:
    frame = result.kegiatan
    if frame.empty:
        return
    # NRP order: concurrent uploads touch shared officer rows in the same order, so they cannot deadlock.
    officers = frame.dropna(subset=["nrp", "nama_bhabin"]).drop_duplicates("nrp").sort_values("nrp")
    for row in officers.itertuples(index=False):
        existing = conn.execute(sa.select(bhabin.c.bulan_terakhir).where(bhabin.c.nrp == row.nrp)).scalar()
        values = {"nama": row.nama_bhabin, "pangkat": row.pangkat, "bulan_terakhir": result.bulan}
        if existing is None:
            conn.execute(bhabin.insert().values(nrp=row.nrp, **values))
        elif existing <= result.bulan:
            # The month check is repeated in the UPDATE: PostgreSQL re-reads a row a concurrent upload just changed.
            conn.execute(bhabin.update().where(bhabin.c.nrp == row.nrp, bhabin.c.bulan_terakhir <= result.bulan).values(**values))


# --------------------------------------------------------------------------- the verification lock (core.verifikasi)


class Locked(NotStorable):
    """A new version for a verified Polsek-month: refused, nothing stored. Screens show it like a refused upload."""


def active_verification(conn: Connection, polsek: str, bulan: str):
    """The verification in force for a Polsek-month (a row mapping), or None."""
    return conn.execute(
        sa.select(verifikasi).where(verifikasi.c.polsek == polsek, verifikasi.c.bulan == bulan, verifikasi.c.aktif.is_(True))
        .order_by(verifikasi.c.id.desc())
    ).mappings().first()


def lock_text(row) -> str:
    """Why a verified Polsek-month takes no new upload, and how to unverify it (Indonesian)."""
    from core import fmt

    return (f"Rekap {row['polsek']} {fmt.month(row['bulan'])} sudah diverifikasi oleh {row['oleh']} pada {fmt.when(row['waktu'])} "
            f"(versi {row['versi']}); unggahan baru untuk bulan itu ditolak dan tidak ada yang disimpan. "
            "Bila rekap memang perlu diperbaiki, minta verifikator atau pimpinan membatalkan verifikasi dengan alasan "
            "di layar Verifikasi Rekap, lalu unggah kembali.")


def refuse_if_locked(conn: Connection, polsek: str, bulan: str, demo: bool = False) -> None:
    """Inside the version-number transaction: raise `Locked` when the Polsek-month is verified.

    Synthetic data regenerated over synthetic data is the one exception: a demo verification of a demo version is
    withdrawn (recorded as such) so `demo` can run again; real uploads are always refused.
    """
    row = active_verification(conn, polsek, bulan)
    if row is None:
        return
    if demo:
        verified_is_demo = conn.execute(sa.select(unggahan.c.contoh).where(unggahan.c.id == row["unggahan_id"])).scalar()
        if verified_is_demo:
            conn.execute(verifikasi.update().where(verifikasi.c.id == row["id"]).values(
                aktif=False, dibatalkan_oleh="data-contoh", waktu_batal=_now(), alasan_batal="DATA CONTOH dibuat ulang"))
            return
    raise Locked(lock_text(row))


def verified_ids(bulan_from: str | None = None, bulan_to: str | None = None) -> sa.Select:
    """Ids of the verified version of every verified Polsek-month in a month range (`rows(..., verified_only=True)`)."""
    query = sa.select(verifikasi.c.unggahan_id).where(verifikasi.c.aktif.is_(True))
    if bulan_from:
        query = query.where(verifikasi.c.bulan >= bulan_from)
    if bulan_to:
        query = query.where(verifikasi.c.bulan <= bulan_to)
    return query


# --------------------------------------------------------------------------- reading


def _latest_ids(bulan_from: str | None = None, bulan_to: str | None = None, verified_only: bool = False) -> sa.Select:
    """Ids of the latest version of every Polsek/month in a month range (`verified_only`: the verified version, if any)."""
    if verified_only:
        return verified_ids(bulan_from, bulan_to)
    inner = sa.select(
        unggahan.c.polsek, unggahan.c.bulan, sa.func.max(unggahan.c.versi).label("versi")
    ).group_by(unggahan.c.polsek, unggahan.c.bulan)
    if bulan_from:
        inner = inner.where(unggahan.c.bulan >= bulan_from)
    if bulan_to:
        inner = inner.where(unggahan.c.bulan <= bulan_to)
    latest = inner.subquery()
    return sa.select(unggahan.c.id).join(
        latest,
        sa.and_(
            unggahan.c.polsek == latest.c.polsek,
            unggahan.c.bulan == latest.c.bulan,
            unggahan.c.versi == latest.c.versi,
        ),
    )


def uploads(engine: Engine, bulan: str | None = None, latest_only: bool = False) -> pd.DataFrame:
    """Upload history without the file bytes, newest first."""
    cols = [c for c in unggahan.columns if c.name != "isi"]
    query = sa.select(*cols).order_by(unggahan.c.waktu.desc(), unggahan.c.id.desc())
    if bulan:
        query = query.where(unggahan.c.bulan == bulan)
    if latest_only:
        query = query.where(unggahan.c.id.in_(_latest_ids(bulan, bulan)))
    with engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(query).mappings().all(), columns=[c.name for c in cols])
    return frame


def upload_file(engine: Engine, upload_id: int) -> tuple[str, bytes]:
    """The original file name and bytes of one stored version."""
    with engine.connect() as conn:
        row = conn.execute(sa.select(unggahan.c.nama_berkas, unggahan.c.isi).where(unggahan.c.id == upload_id)).one()
    return row.nama_berkas, bytes(row.isi)


def _driver_rows(engine: Engine, query: sa.Select) -> list[tuple]:
    """All rows of `query` as the driver's plain tuples, read from the DBAPI cursor behind SQLAlchemy's result.

    For a national month (84,000 desa per sheet) building SQLAlchemy Row objects took a third of the fetch; the row
    tables hold only integers, text and booleans, which the callers convert column by column anyway. Compilation,
    parameter types, error wrapping and the transaction stay SQLAlchemy's.
    """
    with engine.connect() as conn:
        result = conn.execute(query)
        try:
            return result.cursor.fetchall()
        finally:
            result.close()


def rows(engine: Engine, sheet: str, bulan_from: str, bulan_to: str | None = None, verified_only: bool = False) -> pd.DataFrame:
    """Rows of the latest versions for a month range, with `polsek`, `bulan` and `versi` added.

    `verified_only`: the verified version of each Polsek-month instead, and nothing of a Polsek-month not verified.
    """
    table = ROW_TABLES[sheet]
    bulan_to = bulan_to or bulan_from
    ids = _latest_ids(bulan_from, bulan_to, verified_only)
    query = (
        sa.select(unggahan.c.polsek, unggahan.c.bulan, unggahan.c.versi, *[c for c in table.columns if c.name != "unggahan_id"])
        .join(unggahan, unggahan.c.id == table.c.unggahan_id)
        .where(table.c.unggahan_id.in_(ids))
    )
    names = ["polsek", "bulan", "versi"] + [c.name for c in table.columns if c.name != "unggahan_id"]
    fetched = _driver_rows(engine, query)
    # column by column: pandas inspects every row object when given a list of rows (~65% of a national rekap)
    frame = pd.DataFrame(dict(zip(names, zip(*fetched, strict=True), strict=True))) if fetched else pd.DataFrame(columns=names)
    for key in reference.count_keys(sheet):
        frame[key] = pd.to_numeric(frame[key]).fillna(0).astype("int64")
    for key in reference.bool_keys(sheet):
        frame[key] = frame[key].astype("boolean").fillna(False).astype(bool)
    return frame


def months_with_data(engine: Engine) -> list[str]:
    """Months that have at least one stored upload, oldest first."""
    with engine.connect() as conn:
        return [r[0] for r in conn.execute(sa.select(unggahan.c.bulan).distinct().order_by(unggahan.c.bulan))]


def history_for(engine: Engine, polsek: str, bulan: str) -> History:
    """Counts of this Polsek's desa in the 6 months before `bulan`, and every officer's last known name."""
    from core.months import add_months

    frame = rows(engine, "kegiatan", add_months(bulan, -6), add_months(bulan, -1))
    frame = frame[frame["polsek"] == polsek]
    keys = reference.count_keys("kegiatan")
    long = frame.melt(id_vars=["desa_kode", "bulan"], value_vars=keys, var_name="key", value_name="value")
    with engine.connect() as conn:
        officers = {r.nrp: r.nama for r in conn.execute(sa.select(bhabin.c.nrp, bhabin.c.nama))}
    return History(counts=long, officers=officers)


def assignments(engine: Engine, polsek: str, bulan: str) -> pd.DataFrame:
    """Officer per desa in a Polsek's latest version for a month (for prefilling next month's template)."""
    frame = rows(engine, "kegiatan", bulan)
    frame = frame[frame["polsek"] == polsek]
    return frame[["desa_kode", "nama_bhabin", "pangkat", "nrp"]].reset_index(drop=True)


def has_demo(engine: Engine) -> bool:
    """True when any stored upload is synthetic demo data."""
    with engine.connect() as conn:
        return conn.execute(sa.select(unggahan.c.id).where(unggahan.c.contoh.is_(True)).limit(1)).first() is not None


def is_empty(engine: Engine) -> bool:
    """True when nothing at all is stored."""
    with engine.connect() as conn:
        return conn.execute(sa.select(unggahan.c.id).limit(1)).first() is None


def delete_demo(engine: Engine) -> int:
    """Remove every synthetic upload (and its rows); real uploads stay. Returns how many were removed."""
    with writing(engine) as conn:
        ids = sa.select(unggahan.c.id).where(unggahan.c.contoh.is_(True))
        for table in reversed(metadata.sorted_tables):  # other modules' demo records (arahan); their children cascade
            if table is not unggahan and "contoh" in table.c:
                conn.execute(table.delete().where(table.c.contoh.is_(True)))
        for table in ROW_TABLES.values():
            conn.execute(table.delete().where(table.c.unggahan_id.in_(ids)))
        conn.execute(pratinjau.update().where(pratinjau.c.unggahan_id.in_(ids)).values(unggahan_id=None))
        count = conn.execute(unggahan.delete().where(unggahan.c.contoh.is_(True))).rowcount
        real = sa.select(kegiatan.c.nrp).where(kegiatan.c.nrp.is_not(None))
        conn.execute(bhabin.delete().where(bhabin.c.nrp.not_in(real)))
        _set_setting(conn, "demo_dihapus", "1")
    return count


def _set_setting(conn: Connection, key: str, value: str) -> None:
    conn.execute(pengaturan.delete().where(pengaturan.c.kunci == key))
    conn.execute(pengaturan.insert().values(kunci=key, nilai=value))


def get_setting(engine: Engine, key: str) -> str | None:
    """A value the app remembers in the database (e.g. that demo data was removed on purpose)."""
    with engine.connect() as conn:
        return conn.execute(sa.select(pengaturan.c.nilai).where(pengaturan.c.kunci == key)).scalar()


# --------------------------------------------------------------------------- previews


#: How long an uploaded file waits as a preview: older ones are never shown again and are deleted on the next upload.
PREVIEW_MAX_AGE = dt.timedelta(days=1)


def save_preview(engine: Engine, filename: str, content: bytes, uploaded_by: str,
                 polsek: str | None, bulan: str | None, max_bytes: int = DEFAULT_MAX_UPLOAD_BYTES) -> str:
    """Keep an uploaded file awaiting confirmation, so a browser refresh does not lose it.

    Only a file that passes the import door is kept (`workbook.check_upload`: a spreadsheet, no
    archive bomb, every sheet within `core.sheetbounds`); any other raises `FileRefused` and
    nothing is stored, so no later view of the preview can feed it to the reader. Previews older
    than PREVIEW_MAX_AGE are deleted in the same transaction.
    """
    check_upload(content, max_bytes)
    token = secrets.token_urlsafe(16)
    with writing(engine) as conn:
        conn.execute(pratinjau.delete().where(pratinjau.c.dibuat < _now() - PREVIEW_MAX_AGE))
        conn.execute(
            pratinjau.insert().values(
                token=token, dibuat=_now(), pengunggah=uploaded_by, nama_berkas=filename, isi=content,
                polsek_pilihan=polsek, bulan_pilihan=bulan,
            )
        )
    return token


def get_preview(engine: Engine, token: str) -> dict | None:
    """A preview by token, or None when unknown or older than PREVIEW_MAX_AGE."""
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(pratinjau).where(pratinjau.c.token == token, pratinjau.c.dibuat >= _now() - PREVIEW_MAX_AGE)
        ).mappings().first()
    if row is None:
        return None
    found = dict(row)
    found["isi"] = bytes(found["isi"])
    return found


def close_preview(engine: Engine, token: str, status: str, upload_id: int | None = None) -> None:
    """Mark a preview as stored (`disimpan`) or cancelled (`dibatalkan`)."""
    with writing(engine) as conn:
        conn.execute(pratinjau.update().where(pratinjau.c.token == token).values(status=status, unggahan_id=upload_id))


def upload_id_of(engine: Engine, polsek: str, bulan: str, version: int) -> int:
    """The id of one stored version."""
    with engine.connect() as conn:
        return conn.execute(
            sa.select(unggahan.c.id).where(unggahan.c.polsek == polsek, unggahan.c.bulan == bulan, unggahan.c.versi == version)
        ).scalar_one()


def latest_version(engine: Engine, polsek: str, bulan: str) -> int | None:
    """The newest stored version number of a Polsek/month, or None."""
    with engine.connect() as conn:
        return conn.execute(
            sa.select(sa.func.max(unggahan.c.versi)).where(unggahan.c.polsek == polsek, unggahan.c.bulan == bulan)
        ).scalar()


# --------------------------------------------------------------------------- border corrections (core.rujukan saves them)

#: Corrections are read again after this many seconds, so another process's change (a second server) shows up.
BORDER_REFRESH_SECONDS = 2.0
_recent_corrections: dict[str, tuple[float, tuple[tuple[str, bool], ...]]] = {}


def border_corrections(engine: Engine) -> dict[str, bool]:
    """Desa code -> border flag, for the desa whose flag an admin changed from the default."""
    with engine.connect() as conn:
        return {row.kode: bool(row.perbatasan) for row in conn.execute(sa.select(perbatasan_desa.c.kode, perbatasan_desa.c.perbatasan))}


def _database_exists(url: str) -> bool:
    parsed = sa.make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return True
    return bool(parsed.database) and parsed.database != ":memory:" and Path(parsed.database).is_file()


def current_border_corrections(url: str | None = None) -> tuple[tuple[str, bool], ...]:
    """The corrections in the configured database (`ANEV_DB_URL`), sorted; none while that database does not exist.

    Read at most every BORDER_REFRESH_SECONDS per database; a save in this process is seen at once (it forgets).
    """
    url = url or config.db_url()
    cached = _recent_corrections.get(url)
    if cached and time.monotonic() - cached[0] < BORDER_REFRESH_SECONDS:
        return cached[1]
    found: tuple[tuple[str, bool], ...] = ()
    if _database_exists(url):
        found = tuple(sorted(border_corrections(get_engine(url)).items()))
    _recent_corrections[url] = (time.monotonic(), found)
    return found


def forget_border_corrections() -> None:
    """Read the corrections again on the next use (after a save, and in tests)."""
    _recent_corrections.clear()


current_border_corrections.forget = forget_border_corrections  # type: ignore[attr-defined] - reference.clear_caches calls it
reference.use_border_corrections(current_border_corrections)
