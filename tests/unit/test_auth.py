"""Accounts, lockout, authorisation in core, audit trail, backups, concurrent and interrupted uploads."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import threading
import zipfile

import pytest
import sqlalchemy as sa
from conftest import ROOT, TODAY
from workbooks import filled_template

from core import auth, backup, cli, pipeline, reference, store

PASSWORD = "sandi-rahasia-1"


@pytest.fixture
def admin(engine) -> auth.User:
    return auth.create_user(engine, "operator", PASSWORD, "admin")


def _snapshot(engine) -> dict[str, list]:
    with engine.connect() as conn:
        return {t: [tuple(r) for r in conn.execute(sa.select(store.metadata.tables[t]).order_by(*store.metadata.tables[t].primary_key.columns))]
                for t in ("unggahan", "kegiatan", "kerawanan", "bhabin")}


def test_first_account_must_be_admin_and_passwords_are_hashed(engine):
    with pytest.raises(auth.AuthError, match="Akun pertama harus admin"):
        auth.create_user(engine, "kapolres", PASSWORD, "pimpinan")
    auth.create_user(engine, "operator", PASSWORD, "admin")
    with engine.connect() as conn:
        stored = conn.execute(sa.select(auth.pengguna.c.kata_sandi)).scalar()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    with pytest.raises(auth.AuthError, match="Hanya admin"):
        auth.create_user(engine, "kedua", PASSWORD, "admin", by=auth.User("kapolres", "pimpinan"))


@pytest.mark.parametrize(
    ("username", "password", "role", "polsek", "message"),
    [
        ("ab", PASSWORD, "pimpinan", None, "Nama pengguna"),
        ("wakapolres", "pendek", "pimpinan", None, "minimal 8"),
        ("clerk", PASSWORD, "polsek", None, "terikat pada satu Polsek"),
        ("clerk", PASSWORD, "polsek", "Polsek Atlantis", "terikat pada satu Polsek"),
        ("kasat", PASSWORD, "pimpinan", "Polsek Insana", "Hanya akun peran polsek"),
        ("raja", PASSWORD, "raja", None, "Peran tidak dikenal"),
    ],
)
def test_account_rules(engine, admin, username, password, role, polsek, message):
    with pytest.raises(auth.AuthError, match=message):
        auth.create_user(engine, username, password, role, polsek, by=admin)


def test_disabled_account_cannot_log_in_and_last_admin_stays(engine, admin):
    auth.create_user(engine, "clerk", PASSWORD, "polsek", "Polsek Insana", by=admin)
    auth.set_active(engine, "clerk", False, admin)
    with pytest.raises(auth.AuthError):
        auth.authenticate(engine, "clerk", PASSWORD)
    assert auth.active_user(engine, "clerk") is None
    with pytest.raises(auth.AuthError, match="Admin terakhir"):
        auth.set_active(engine, "operator", False, admin)


ROLE_MATRIX = {
    ("admin", None): {"unggah": True, "pengguna": True, "audit": True, "paparan": True, "ringkasan": True},
    ("pimpinan", None): {"unggah": False, "pengguna": False, "audit": False, "paparan": True, "ringkasan": True},
    ("polsek", "Polsek Insana"): {"unggah": True, "pengguna": False, "audit": False, "paparan": False, "ringkasan": True},
}


@pytest.mark.parametrize(("role", "polsek"), list(ROLE_MATRIX))
def test_role_matrix_of_screens(role, polsek):
    user = auth.User("x", role, polsek)
    for screen, allowed in ROLE_MATRIX[(role, polsek)].items():
        assert auth.can_see(user, screen) is allowed, (role, screen)
    assert auth.allowed_polsek(user, "Polsek Noemuti") == (polsek or "Polsek Noemuti")


def test_polsek_clerk_cannot_import_for_another_polsek(engine, admin, db_url):
    clerk = auth.create_user(engine, "insana", PASSWORD, "polsek", "Polsek Insana", by=admin)
    before = _snapshot(engine)
    result, version = pipeline.import_file(engine, filled_template("Polsek Noemuti", "2024-09"), "n.xlsx", clerk, today=TODAY)
    assert version is None and result.status == "invalid"
    assert "hanya boleh mengunggah rekap Polsek Insana, bukan Polsek Noemuti" in result.errors[0].message
    assert _snapshot(engine) == before
    ok, version = pipeline.import_file(engine, filled_template("Polsek Insana", "2024-09"), "i.xlsx", clerk, today=TODAY)
    assert version == 1 and store.uploads(engine).iloc[0]["pengunggah"] == "insana"
    with pytest.raises(auth.AuthError):
        pipeline.save(engine, result, clerk)
    with pytest.raises(auth.AuthError, match="pimpinan"):
        pipeline.save(engine, ok, auth.User("kapolres", "pimpinan"))
    log = auth.audit_log(engine, action="unggah")
    assert set(log["hasil"]) == {"ok", "ditolak"}
    assert log.loc[log["hasil"] == "ok", "rincian"].str.contains("versi 1").any()


def test_audit_text_cannot_forge_lines(engine):
    auth.record(engine, "jahat\nadmin", "masuk\r\nok", "x\x00y", "ok", "baris1\nbaris2")
    row = auth.audit_log(engine).iloc[0]
    assert "\n" not in row["pengguna"] + row["aksi"] + row["objek"] + row["rincian"]
    assert "\x00" not in row["objek"]


def test_nine_uploads_at_once_in_threads_all_succeed(engine):
    errors: list[BaseException] = []

    def upload(polsek: str) -> None:
        try:
            result, version = pipeline.import_file(engine, filled_template(polsek, "2024-09"), f"{polsek}.xlsx", "operator", today=TODAY)
            assert version == 1, [e.message for e in result.errors]
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=upload, args=(p,)) for p in reference.polsek_names()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert len(store.uploads(engine)) == 9
    assert store.rows(engine, "kegiatan", "2024-09")["desa_kode"].nunique() == 193


_IMPORT_SCRIPT = """
import sys, time
sys.path.insert(0, {root!r}); sys.path.insert(0, {tests!r})
from core import pipeline, store
from workbooks import filled_template
engine = store.create_db_engine({url!r})
content = filled_template({polsek!r}, "2024-09")
if {slow!r}:
    original = store._remember_officers
    def slow(conn, result):
        original(conn, result)
        print("DI-DALAM-TRANSAKSI", flush=True)
        time.sleep(60)
    store._remember_officers = slow
result, version = pipeline.import_file(engine, content, "f.xlsx", "operator")
print("VERSI", version, flush=True)
"""


def _script(db_url: str, polsek: str, slow: bool = False) -> list[str]:
    code = _IMPORT_SCRIPT.format(root=str(ROOT), tests=str(ROOT / "tests"), url=db_url, polsek=polsek, slow=slow)
    return [sys.executable, "-c", code]


@pytest.mark.sqlite_only
def test_nine_processes_at_once_on_sqlite(engine, db_url):
    processes = [subprocess.Popen(_script(db_url, p), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for p in reference.polsek_names()]
    outputs = [p.communicate(timeout=180) for p in processes]
    for (out, err), process in zip(outputs, processes, strict=True):
        assert process.returncode == 0, err
        assert "VERSI 1" in out
        assert "database is locked" not in err
    assert len(store.uploads(engine)) == 9


def test_process_killed_inside_the_transaction_leaves_no_partial_data(engine, db_url):
    pipeline.import_file(engine, filled_template("Polsek Noemuti", "2024-08"), "a.xlsx", "operator", today=TODAY)
    before = _snapshot(engine)
    process = subprocess.Popen(_script(db_url, "Polsek Insana", slow=True), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = ""
        while "DI-DALAM-TRANSAKSI" not in line:
            line = process.stdout.readline()
            assert line or process.poll() is None, process.stderr.read()
        process.kill()
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert _snapshot(engine) == before
    _result, version = pipeline.import_file(engine, filled_template("Polsek Insana", "2024-09"), "b.xlsx", "operator", today=TODAY)
    assert version == 1


def test_backup_while_running_restores_to_the_same_numbers(engine, db_url, tmp_path, admin):
    for polsek in ("Polsek Noemuti", "Polsek Insana Utara"):
        pipeline.import_file(engine, filled_template(polsek, "2024-09"), "a.xlsx", admin, today=TODAY)
    target = tmp_path / "cadangan.db"
    counts = backup.backup(engine, target)
    assert counts["unggahan"] == 2 and counts["pengguna"] == 1
    rekap_before = json.dumps(_rekap(engine), sort_keys=True)
    pipeline.import_file(engine, filled_template("Polsek Insana", "2024-09"), "later.xlsx", admin, today=TODAY)
    assert len(store.uploads(engine)) == 3
    restored, safety = backup.restore(engine, target, safety_dir=tmp_path)
    assert restored["unggahan"] == 2
    assert backup.check_backup_file(safety)["unggahan"] == 3  # what the restore replaced is kept
    assert json.dumps(_rekap(engine), sort_keys=True) == rekap_before
    assert auth.authenticate(engine, "operator", PASSWORD).role == "admin"
    _result, version = pipeline.import_file(engine, filled_template("Polsek Insana", "2024-09"), "again.xlsx", admin, today=TODAY)
    assert version == 1  # ids and sequences continue after a restore


def _rekap(engine) -> dict:
    from core import metrics

    return metrics.rekap_json(metrics.build_rekap("2024-09", store.rows(engine, "kegiatan", "2024-09"), store.rows(engine, "kerawanan", "2024-09")))


def test_user_and_backup_commands(engine, db_url, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("ANEV_DB_URL", db_url)
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    assert cli.main(["user", "add", "--username", "operator", "--role", "admin", "--password-stdin"]) == 0
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    assert cli.main(["user", "add", "--username", "insana", "--role", "polsek", "--polsek", "Insana", "--password-stdin"]) == 0
    assert cli.main(["user", "list"]) == 0
    out = capsys.readouterr().out
    assert "insana" in out and "Polsek Insana" in out and PASSWORD not in out
    assert cli.main(["user", "disable", "--username", "insana"]) == 0
    assert auth.active_user(engine, "insana") is None
    monkeypatch.setattr(sys, "stdin", io.StringIO("pendek\n"))
    assert cli.main(["user", "add", "--username", "x1x", "--role", "pimpinan", "--password-stdin"]) == 2
    assert cli.main(["backup", "--out", str(tmp_path / "b.db")]) == 0
    assert cli.main(["restore", "--from", str(tmp_path / "b.db")]) == 2  # needs --ya
    assert cli.main(["restore", "--from", str(tmp_path / "b.db"), "--ya"]) == 0


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("besar.xlsx", b"PK\x03\x04" + b"0" * (11 * 1024 * 1024), "terlalu besar"),
        ("rekap.xlsx", b"%PDF-1.7 bukan excel", "bukan lembar kerja"),
        ("rekap.xlsx", b"<html><script>alert(1)</script></html>", "bukan lembar kerja"),
    ],
)
def test_hostile_files_are_refused_before_parsing(engine, name, content, expected):
    result, version = pipeline.import_file(engine, content, name, "operator", today=TODAY)
    assert result.status == "unreadable" and version is None
    assert expected in result.errors[0].message


def test_archive_bomb_is_refused(engine):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<x/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(220):
                member.write(chunk)
    result, version = pipeline.import_file(engine, buffer.getvalue(), "bom.xlsx", "operator", today=TODAY)
    assert result.status == "unreadable" and version is None


def test_upload_limit_comes_from_the_settings(engine, monkeypatch):
    settings = {**reference.settings(), "impor": {**reference.settings()["impor"], "ukuran_maks_mb": 0.01}}
    monkeypatch.setattr(reference, "settings", lambda: settings)
    result, version = pipeline.import_file(engine, filled_template("Polsek Noemuti", "2024-09"), "a.xlsx", "operator", today=TODAY)
    assert result.status == "unreadable" and version is None
    assert "terlalu besar" in result.errors[0].message
