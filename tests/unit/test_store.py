"""Versioned storage: every upload a new version, originals kept, failures leave nothing behind."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import sqlite3
import threading

import pytest
import sqlalchemy as sa
from conftest import TODAY
from workbooks import expected_rows, filled_template

from core import pipeline, store
from core.filecheck import FileRefused
from core.ingest import read_recap


def _contents(db_url: str) -> dict[str, tuple[list, list]]:
    """Every table in the database (reflected, not taken from the code): its columns and all its rows, in order."""
    eng = sa.create_engine(db_url, poolclass=sa.pool.NullPool)
    try:
        found = sa.MetaData()
        found.reflect(eng)
        tables = {}
        with eng.connect() as conn:
            for table in found.sorted_tables:
                order = list(table.primary_key.columns) or list(table.columns)
                rows = [tuple(r) for r in conn.execute(sa.select(table).order_by(*order))]
                tables[table.name] = ([(c.name, str(c.type)) for c in table.columns], rows)
        return tables
    finally:
        eng.dispose()


def _dump(db_url: str) -> tuple[dict, str | None]:
    """What a failed import must leave alone: every table's columns and rows on both backends, and on SQLite the
    whole database byte for byte (iterdump). PostgreSQL sequences are not compared: a rolled-back INSERT still
    uses up an id there, by design."""
    text = None
    if db_url.startswith("sqlite"):
        con = sqlite3.connect(db_url.removeprefix("sqlite:///"))
        try:
            text = "\n".join(con.iterdump())
        finally:
            con.close()
    return _contents(db_url), text


def test_each_upload_is_a_new_version_and_latest_counts(engine):
    first = filled_template("Polsek Noemuti", "2024-09")
    second = filled_template("Polsek Noemuti", "2024-09", edit=lambda wb: wb["Kegiatan"].cell(row=5, column=7, value=99))
    r1, v1 = pipeline.import_file(engine, first, "a.xlsx", "clerk1", today=TODAY)
    r2, v2 = pipeline.import_file(engine, second, "b.xlsx", "clerk2", today=TODAY)
    assert (r1.status, v1, r2.status, v2) == ("ok", 1, "ok", 2)

    history = store.uploads(engine, "2024-09").sort_values("versi")
    assert list(history["versi"]) == [1, 2]
    assert list(history["pengunggah"]) == ["clerk1", "clerk2"]
    name, content = store.upload_file(engine, int(history.iloc[0]["id"]))
    assert (name, content) == ("a.xlsx", first)
    assert history.iloc[0]["sha256"] == hashlib.sha256(first).hexdigest()

    rows = store.rows(engine, "kegiatan", "2024-09")
    assert set(rows["versi"]) == {2}
    assert len(rows) == 16
    assert rows.loc[rows["excel_row"] == 5, "sambang_dds"].item() == 99
    # version 1 is still there, unchanged
    with engine.connect() as conn:
        v1_id = int(history.iloc[0]["id"])
        old = conn.execute(sa.select(store.kegiatan.c.sambang_dds).where(
            store.kegiatan.c.unggahan_id == v1_id, store.kegiatan.c.excel_row == 5)).scalar()
    assert old != 99


def test_template_round_trip_stores_exactly_the_numbers_written(engine):
    result, version = pipeline.import_file(engine, filled_template("Polsek Insana", "2024-09"), "r.xlsx", "x", today=TODAY)
    assert version == 1, [e.message for e in result.errors]
    for sheet in ("kegiatan", "kerawanan"):
        stored = store.rows(engine, sheet, "2024-09").set_index("desa_kode").sort_index()
        expected = expected_rows("Polsek Insana", sheet).set_index("desa_kode").sort_index()
        for column in expected.columns:
            assert list(stored[column].astype(object)) == list(expected[column].astype(object)), column


def test_failed_import_leaves_database_byte_for_byte_unchanged(engine, db_url):
    pipeline.import_file(engine, filled_template("Polsek Noemuti", "2024-08"), "ok.xlsx", "x", today=TODAY)
    before = _dump(db_url)
    assert len(before[0]["kegiatan"][1]) == 16 and len(before[0]["unggahan"][1]) == 1
    bad = filled_template("Polsek Noemuti", "2024-09", edit=lambda wb: wb["Kegiatan"].cell(row=6, column=10, value=50))
    result, version = pipeline.import_file(engine, bad, "bad.xlsx", "x", today=TODAY)
    assert result.status == "invalid" and version is None
    assert _dump(db_url) == before
    with pytest.raises(store.NotStorable):
        store.save_import(engine, result, "x")
    assert _dump(db_url) == before


def test_crash_inside_the_transaction_stores_nothing(engine, db_url, monkeypatch):
    before = _dump(db_url)
    result = read_recap(filled_template("Polsek Noemuti", "2024-09"), "a.xlsx", today=TODAY)

    def boom(*_args, **_kwargs):
        raise RuntimeError("disk penuh")

    monkeypatch.setattr(store, "_remember_officers", boom)
    with pytest.raises(RuntimeError):
        store.save_import(engine, result, "x")
    assert _dump(db_url) == before


@pytest.mark.sqlite_only
def test_sqlite_connection_settings(engine):
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000


def test_new_catalogue_column_is_added_to_an_old_database(db_url):
    eng = store.create_db_engine(db_url)
    with eng.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE kegiatan DROP COLUMN linmas")
    eng.dispose()
    eng = store.create_db_engine(db_url)
    columns = {c["name"] for c in sa.inspect(eng).get_columns("kegiatan")}
    assert "linmas" in columns
    eng.dispose()


def test_officers_are_remembered_and_prefill_next_month(engine):
    pipeline.import_file(engine, filled_template("Polsek Insana Utara", "2024-09"), "a.xlsx", "x", today=TODAY)
    with engine.connect() as conn:
        officers = set(conn.execute(sa.select(store.bhabin.c.nrp)).scalars())
    assert officers == {f"{85010000 + i:08d}" for i in range(5)}
    assigned = store.assignments(engine, "Polsek Insana Utara", "2024-09")
    assert len(assigned) == 5 and assigned["nama_bhabin"].str.startswith("Petugas").all()


def test_preview_survives_and_closes(engine):
    content = filled_template("Polsek Insana", "2024-09")
    token = store.save_preview(engine, "a.xlsx", content, "clerk", "Polsek Insana", None)
    found = store.get_preview(engine, token)
    assert found["nama_berkas"] == "a.xlsx" and found["isi"] == content and found["status"] == "menunggu"
    store.close_preview(engine, token, "dibatalkan")
    assert store.get_preview(engine, token)["status"] == "dibatalkan"
    assert store.get_preview(engine, "nope") is None


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        pytest.param(b"PK\x03\x04xx", "rusak", id="broken-zip"),
        pytest.param(b"%PDF-1.4 rekap", "bukan lembar kerja", id="pdf"),
        pytest.param(b"", "kosong", id="empty"),
    ],
)
def test_preview_is_only_kept_for_a_file_that_passes_the_door(engine, content, fragment):
    with pytest.raises(FileRefused, match=fragment):
        store.save_preview(engine, "a.xlsx", content, "clerk", None, None)
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(store.pratinjau)).scalar() == 0


def test_preview_respects_the_upload_limit(engine):
    content = filled_template("Polsek Insana", "2024-09")
    with pytest.raises(FileRefused, match="terlalu besar"):
        store.save_preview(engine, "a.xlsx", content, "clerk", None, None, max_bytes=len(content) - 1)
    assert store.save_preview(engine, "a.xlsx", content, "clerk", None, None, max_bytes=len(content))


def _age(engine, token: str, age: dt.timedelta) -> None:
    with engine.begin() as conn:
        conn.execute(store.pratinjau.update().where(store.pratinjau.c.token == token)
                     .values(dibuat=store._now() - age))


def test_previews_older_than_a_day_are_gone_and_deleted_on_the_next_upload(engine):
    content = filled_template("Polsek Insana", "2024-09")
    old = store.save_preview(engine, "lama.xlsx", content, "clerk", None, None)
    recent = store.save_preview(engine, "baru.xlsx", content, "clerk", None, None)
    _age(engine, old, store.PREVIEW_MAX_AGE + dt.timedelta(minutes=1))
    _age(engine, recent, store.PREVIEW_MAX_AGE - dt.timedelta(minutes=1))
    assert store.get_preview(engine, old) is None  # never shown again, even before it is deleted
    assert store.get_preview(engine, recent)["nama_berkas"] == "baru.xlsx"
    newest = store.save_preview(engine, "lagi.xlsx", content, "other", None, None)
    with engine.connect() as conn:
        left = set(conn.execute(sa.select(store.pratinjau.c.token)).scalars())
    assert left == {recent, newest}


def test_pipeline_warns_from_database_history(engine):
    pipeline.import_file(engine, filled_template("Polsek Insana Utara", "2024-08"), "a.xlsx", "x", today=TODAY)
    renamed = filled_template("Polsek Insana Utara", "2024-09", edit=lambda wb: wb["Kegiatan"].cell(row=5, column=4, value="Orang Lain"))
    result = pipeline.check_file(engine, renamed, "b.xlsx", today=TODAY)
    assert result.status == "ok"
    assert any("sebelumnya tercatat atas nama Petugas 1" in w.message for w in result.warnings), [w.message for w in result.warnings]


# --------------------------------------------------------------------------- both backends: types, migrations, concurrency


def test_column_types_on_the_server(engine, backend):
    """The file bytes, flags and times get the server's own types (the PostgreSQL counterpart of the PRAGMA check)."""
    types = {c["name"]: str(c["type"]).upper() for c in sa.inspect(engine).get_columns("unggahan")}
    expected = {
        "sqlite": {"isi": "BLOB", "contoh": "BOOLEAN", "waktu": "DATETIME"},
        "postgresql": {"isi": "BYTEA", "contoh": "BOOLEAN", "waktu": "TIMESTAMP"},
    }[backend]
    assert {name: types[name] for name in expected} == expected
    if backend == "postgresql":
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SHOW transaction_isolation").scalar() == "read committed"
    # and the values come back as the same Python types
    pipeline.import_file(engine, filled_template("Polsek Noemuti", "2024-09"), "a.xlsx", "x", today=TODAY)
    row = store.uploads(engine).iloc[0]
    assert isinstance(row["waktu"].to_pydatetime(), dt.datetime) and bool(row["contoh"]) is False
    assert isinstance(store.upload_file(engine, int(row["id"]))[1], bytes)


def test_new_integer_and_yes_no_columns_are_added_to_an_old_database(db_url):
    eng = store.create_db_engine(db_url)
    pipeline.import_file(eng, filled_template("Polsek Noemuti", "2024-08"), "lama.xlsx", "x", today=TODAY)
    with eng.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE kegiatan DROP COLUMN fkpm_aktif")
        conn.exec_driver_sql("ALTER TABLE kerawanan DROP COLUMN politik_uang")
        conn.exec_driver_sql("ALTER TABLE kerawanan DROP COLUMN tps_rawan")
    eng.dispose()

    eng = store.create_db_engine(db_url)
    store.create_db_engine(db_url).dispose()  # a second start changes nothing
    inspector = sa.inspect(eng)
    kegiatan = {c["name"]: c["type"] for c in inspector.get_columns("kegiatan")}
    kerawanan = {c["name"]: c["type"] for c in inspector.get_columns("kerawanan")}
    assert isinstance(kegiatan["fkpm_aktif"], sa.Boolean) or str(kegiatan["fkpm_aktif"]).upper() == "BOOLEAN"
    assert isinstance(kerawanan["politik_uang"], sa.Boolean) or str(kerawanan["politik_uang"]).upper() == "BOOLEAN"
    assert isinstance(kerawanan["tps_rawan"], sa.Integer)
    # old rows read as 0 / False, new uploads store the values
    old = store.rows(eng, "kerawanan", "2024-08")
    assert (old["tps_rawan"] == 0).all() and not old["politik_uang"].any()
    pipeline.import_file(eng, filled_template("Polsek Noemuti", "2024-09"), "baru.xlsx", "x", today=TODAY)
    new = store.rows(eng, "kerawanan", "2024-09")
    assert new["tps_rawan"].sum() > 0 and new["politik_uang"].any()
    assert store.rows(eng, "kegiatan", "2024-09")["fkpm_aktif"].any()
    eng.dispose()


def _in_threads(count: int, work) -> list:
    """Run `work(i)` in `count` threads released together; its results, or the first error raised."""
    barrier = threading.Barrier(count)
    results: list = [None] * count
    errors: list = []

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = work(i)
        except BaseException as exc:  # reported to the test below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a saving thread hung"
    if errors:
        raise errors[0]
    return results


def _stored_versions(engine, polsek: str, bulan: str) -> list[int]:
    with engine.connect() as conn:
        return list(conn.execute(
            sa.select(store.unggahan.c.versi).where(store.unggahan.c.polsek == polsek, store.unggahan.c.bulan == bulan)
            .order_by(store.unggahan.c.versi)).scalars())


def test_concurrent_uploads_of_one_polsek_month_get_versions_1_to_n(engine):
    result = read_recap(filled_template("Polsek Noemuti", "2024-09"), "a.xlsx", today=TODAY)
    count = 8
    versions = _in_threads(count, lambda i: store.save_import(engine, copy.deepcopy(result), f"clerk{i}"))
    assert sorted(versions) == list(range(1, count + 1))
    assert _stored_versions(engine, "Polsek Noemuti", "2024-09") == list(range(1, count + 1))
    uploads = store.uploads(engine, "2024-09")
    assert set(uploads["pengunggah"]) == {f"clerk{i}" for i in range(count)}
    assert (uploads["baris_kegiatan"] == 16).all()
    with engine.connect() as conn:
        per_upload = conn.execute(sa.select(sa.func.count()).select_from(store.kegiatan)).scalar()
    assert per_upload == 16 * count


def test_retry_alone_keeps_numbering_right_under_concurrency(engine, monkeypatch):
    """Without the PostgreSQL advisory lock, the unique constraint and a fresh transaction per attempt still give
    1..N (on SQLite BEGIN IMMEDIATE serialises the writers anyway)."""
    monkeypatch.setattr(store, "_lock", lambda *_args: None)
    result = read_recap(filled_template("Polsek Insana", "2024-09"), "a.xlsx", today=TODAY)
    count = store.SAVE_ATTEMPTS - 1
    versions = _in_threads(count, lambda i: store.save_import(engine, copy.deepcopy(result), f"clerk{i}"))
    assert sorted(versions) == list(range(1, count + 1))
    assert _stored_versions(engine, "Polsek Insana", "2024-09") == list(range(1, count + 1))


def test_concurrent_months_of_one_polsek_share_officers(engine):
    months = ["2024-07", "2024-08", "2024-09", "2024-10"]
    results = [read_recap(filled_template("Polsek Insana Utara", m), f"{m}.xlsx", today=TODAY) for m in months]
    versions = _in_threads(len(months), lambda i: store.save_import(engine, results[i], "clerk"))
    assert versions == [1, 1, 1, 1]
    with engine.connect() as conn:
        last_months = list(conn.execute(sa.select(store.bhabin.c.bulan_terakhir)).scalars())
    assert len(last_months) == 5 and set(last_months) == {"2024-10"}


def test_a_taken_version_number_is_retried_in_a_fresh_transaction(engine, monkeypatch):
    result = read_recap(filled_template("Polsek Noemuti", "2024-09"), "a.xlsx", today=TODAY)
    assert store.save_import(engine, result, "clerk1") == 1
    real = store._next_version
    calls = []

    def stale_then_real(conn, polsek, bulan):
        calls.append(conn)
        return 1 if len(calls) == 1 else real(conn, polsek, bulan)  # first attempt: as if version 1 were still free

    monkeypatch.setattr(store, "_next_version", stale_then_real)
    assert store.save_import(engine, result, "clerk2") == 2
    assert len(calls) == 2 and calls[0] is not calls[1]
    assert _stored_versions(engine, "Polsek Noemuti", "2024-09") == [1, 2]
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(store.kegiatan)).scalar() == 32


def test_a_bad_row_is_not_retried(engine, monkeypatch):
    result = read_recap(filled_template("Polsek Noemuti", "2024-09"), "a.xlsx", today=TODAY)
    calls = []

    def orphan(conn, _result):
        calls.append(1)
        conn.execute(store.kegiatan.insert().values(unggahan_id=None, desa_kode="x"))  # NOT NULL primary key

    monkeypatch.setattr(store, "_remember_officers", orphan)
    with pytest.raises(sa.exc.IntegrityError):
        store.save_import(engine, result, "x")
    assert calls == [1]
    assert store.is_empty(engine)


def test_app_processes_starting_together_create_the_schema_once(db_url):
    engines = _in_threads(4, lambda _i: store.create_db_engine(db_url))
    try:
        with engines[0].connect() as conn:
            assert conn.execute(sa.select(store.schema_info.c.versi)).scalars().all() == [store.SCHEMA_VERSION]
    finally:
        for eng in engines:
            eng.dispose()
