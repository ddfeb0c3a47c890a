"""Backups never harm the live database; restores accept only an Anev backup and keep a safety copy."""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from conftest import TODAY
from workbooks import filled_template

from core import auth, backup, cli, config, pipeline, sesi, store

PASSWORD = "sandi-rahasia-1"


@pytest.fixture(autouse=True)
def cheap_argon2(monkeypatch) -> None:
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def filled(engine) -> auth.User:
    admin = auth.create_user(engine, "operator", PASSWORD, "admin")
    pipeline.import_file(engine, filled_template("Polsek Noemuti", "2024-09"), "n.xlsx", admin, today=TODAY)
    return admin


def _versions(engine) -> int:
    return len(store.uploads(engine))


@pytest.mark.sqlite_only
@pytest.mark.parametrize("suffix", ["", "-wal", "-shm"])
def test_a_backup_onto_the_live_database_is_refused(engine, filled, suffix, capsys, monkeypatch, db_url):
    live = Path(engine.url.database)
    size = live.stat().st_size
    with pytest.raises(backup.BackupError, match="sedang dipakai"):
        backup.backup(engine, Path(str(live) + suffix))
    monkeypatch.setenv("ANEV_DB_URL", db_url)
    relative = Path("..") / live.parent.name / (live.name + suffix)  # another spelling of the same file
    monkeypatch.chdir(live.parent)
    assert cli.main(["backup", "--out", str(relative)]) == 1
    assert "sedang dipakai" in capsys.readouterr().err
    assert live.stat().st_size >= size and _versions(engine) == 1
    assert auth.authenticate(engine, "operator", PASSWORD).username == "operator"


def test_a_full_disk_leaves_the_old_backup_and_no_half_file(engine, filled, tmp_path, monkeypatch):
    target = tmp_path / "cadangan.db"
    backup.backup(engine, target)
    before = target.read_bytes()

    def full(_engine, out: Path) -> dict[str, int]:
        out.write_bytes(b"sebagian")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(backup, "_write", full)
    with pytest.raises(backup.BackupError, match=r"Ruang disk .* tidak cukup"):
        backup.backup(engine, target)
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if "cadangan" in p.name) == ["cadangan.db"]


def test_a_backup_carries_no_sessions_or_sign_in_counters(engine, filled, tmp_path):
    sesi.start(engine, filled)
    with pytest.raises(auth.AuthError):
        auth.authenticate(engine, "operator", "keliru", address="10.0.0.1")
    counts = backup.backup(engine, tmp_path / "b.db")
    assert "sesi" not in counts and "batas_masuk" not in counts
    with sqlite3.connect(tmp_path / "b.db") as conn:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        leftovers = sum(conn.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0] for name in ("sesi", "batas_masuk") if name in tables)
    assert leftovers == 0


def _empty_anev(path: Path, with_admin: bool = False) -> Path:
    engine = store.create_db_engine(f"sqlite:///{path}")
    if with_admin:
        auth.create_user(engine, "lain", PASSWORD, "admin")
    engine.dispose()
    return path


def _bad_files(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    empty = tmp_path / "kosong.db"
    empty.write_bytes(b"")
    text = tmp_path / "catatan.db"
    text.write_text("bukan basis data", encoding="utf-8")
    other = tmp_path / "lain.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE barang (id INTEGER)")
    newer = _empty_anev(tmp_path / "baru.db", with_admin=True)
    with sqlite3.connect(newer) as conn:
        conn.execute("UPDATE schema_info SET versi = ?", (store.SCHEMA_VERSION + 1,))
    broken = tmp_path / "rusak.db"
    good = _empty_anev(tmp_path / "baik.db", with_admin=True).read_bytes()
    broken.write_bytes(good[:4096] + b"\x00" * (len(good) - 4096))
    return {
        "berkas kosong": (empty, "bukan berkas cadangan Anev"),
        "teks": (text, "bukan berkas cadangan Anev"),
        "SQLite lain": (other, "bukan cadangan Anev: tabel"),
        "Anev tanpa akun": (_empty_anev(tmp_path / "tanpa_akun.db"), "tidak memuat akun admin aktif"),
        "skema lebih baru": (newer, "lebih baru dari aplikasi ini"),
        "rusak": (broken, "rusak|tidak dapat dibaca|bukan cadangan"),
    }


def test_restore_refuses_what_is_not_a_usable_anev_backup(engine, filled, tmp_path):
    for label, (path, message) in _bad_files(tmp_path).items():
        with pytest.raises(backup.BackupError, match=message):
            backup.restore(engine, path, safety_dir=tmp_path)
        assert _versions(engine) == 1, label
        assert auth.authenticate(engine, "operator", PASSWORD).username == "operator", label
    assert not list(tmp_path.glob("*sebelum_pulih*"))  # refused before anything was written


def test_restore_keeps_a_safety_copy_and_ends_every_session(engine, filled, tmp_path):
    old = tmp_path / "lama.db"
    backup.backup(engine, old)
    pipeline.import_file(engine, filled_template("Polsek Insana", "2024-09"), "i.xlsx", filled, today=TODAY)
    session_id, _ticket = sesi.start(engine, filled)
    counts, safety = backup.restore(engine, old, by=auth.cli_operator(), safety_dir=tmp_path)
    assert counts["unggahan"] == 1 and _versions(engine) == 1
    assert backup.check_backup_file(safety)["unggahan"] == 2  # what was replaced
    assert sesi.check(engine, session_id).user is None
    last = auth.audit_log(engine, action="pulihkan").iloc[0]
    assert last["pengguna"].startswith("cli:") and last["objek"] == "lama.db"


def test_the_restore_command_explains_a_bad_file_without_a_traceback(engine, filled, db_url, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ANEV_DB_URL", db_url)
    monkeypatch.setattr(config, "DATA_DIR", tmp_path)  # where a PostgreSQL safety copy goes
    bad = tmp_path / "kosong.db"
    bad.write_bytes(b"")
    assert cli.main(["restore", "--from", str(bad), "--ya"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("kesalahan: ") and "Traceback" not in err and "bukan berkas cadangan Anev" in err
    good = tmp_path / "baik.db"
    assert cli.main(["backup", "--out", str(good)]) == 0
    assert cli.main(["restore", "--from", str(good), "--ya"]) == 0
    assert "Isi sebelumnya disimpan di" in capsys.readouterr().out
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(auth.pengguna)).scalar() == 1
