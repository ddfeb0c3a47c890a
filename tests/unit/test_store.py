"""Versioned storage: every upload a new version, originals kept, failures leave nothing behind."""

from __future__ import annotations

import hashlib
import sqlite3

import pytest
import sqlalchemy as sa
from conftest import TODAY
from workbooks import expected_rows, filled_template

from core import pipeline, store
from core.ingest import read_recap


def _dump(db_url: str) -> str:
    path = db_url.removeprefix("sqlite:///")
    con = sqlite3.connect(path)
    try:
        return "\n".join(con.iterdump())
    finally:
        con.close()


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
    officers = store.officers(engine)
    assert set(officers["nrp"]) == {f"{85010000 + i:08d}" for i in range(5)}
    assigned = store.assignments(engine, "Polsek Insana Utara", "2024-09")
    assert len(assigned) == 5 and assigned["nama_bhabin"].str.startswith("Petugas").all()


def test_preview_survives_and_closes(engine):
    token = store.save_preview(engine, "a.xlsx", b"PK\x03\x04xx", "clerk", "Polsek Insana", None)
    found = store.get_preview(engine, token)
    assert found["nama_berkas"] == "a.xlsx" and found["isi"] == b"PK\x03\x04xx" and found["status"] == "menunggu"
    assert list(store.pending_previews(engine, "clerk")["token"]) == [token]
    store.close_preview(engine, token, "dibatalkan")
    assert store.pending_previews(engine, "clerk").empty
    assert store.get_preview(engine, "nope") is None


def test_pipeline_warns_from_database_history(engine):
    pipeline.import_file(engine, filled_template("Polsek Insana Utara", "2024-08"), "a.xlsx", "x", today=TODAY)
    renamed = filled_template("Polsek Insana Utara", "2024-09", edit=lambda wb: wb["Kegiatan"].cell(row=5, column=4, value="Orang Lain"))
    result = pipeline.check_file(engine, renamed, "b.xlsx", today=TODAY)
    assert result.status == "ok"
    assert any("sebelumnya tercatat atas nama Petugas 1" in w.message for w in result.warnings), [w.message for w in result.warnings]
