"""The command line contract of spec section 7: JSON shapes, exit codes, dry runs."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import ROOT
from workbooks import filled_template

from core import cli, reference, store

FILE_KEYS = {"file", "status", "polsek", "bulan", "rows", "version", "errors", "warnings"}
ISSUE_KEYS = {"sheet", "row", "column", "value", "message"}


@pytest.fixture
def env_db(db_url, monkeypatch):
    monkeypatch.setenv("ANEV_DB_URL", db_url)
    return db_url


def run(capsys, *argv: str) -> tuple[int, str]:
    code = cli.main(list(argv))
    return code, capsys.readouterr().out


def test_import_json_ok_then_new_version(env_db, tmp_path, capsys):
    path = tmp_path / "Rekap_Noemuti_2024-09.xlsx"
    path.write_bytes(filled_template("Polsek Noemuti", "2024-09"))
    code, out = run(capsys, "import", str(path), "--json")
    data = json.loads(out)
    assert code == 0
    assert set(data) == {"files"}
    entry = data["files"][0]
    assert set(entry) == FILE_KEYS
    assert entry["status"] == "ok" and entry["polsek"] == "Polsek Noemuti" and entry["bulan"] == "2024-09"
    assert entry["rows"] == {"kegiatan": 16, "kerawanan": 16} and entry["version"] == 1
    code, out = run(capsys, "import", str(path), "--json")
    assert json.loads(out)["files"][0]["version"] == 2


def test_import_dry_run_stores_nothing(env_db, tmp_path, capsys):
    path = tmp_path / "a.xlsx"
    path.write_bytes(filled_template("Polsek Noemuti", "2024-09"))
    code, out = run(capsys, "import", str(path), "--dry-run", "--json")
    entry = json.loads(out)["files"][0]
    assert code == 0 and entry["status"] == "ok" and entry["version"] is None
    assert store.is_empty(store.get_engine(env_db))


def test_import_invalid_and_unreadable_exit_1(env_db, tmp_path, capsys):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(filled_template("Polsek Noemuti", "2024-09", edit=lambda wb: wb["Kegiatan"].cell(row=6, column=10, value=50)))
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"%PDF-1.4 not a workbook")
    good = tmp_path / "good.xlsx"
    good.write_bytes(filled_template("Polsek Insana Utara", "2024-09"))
    code, out = run(capsys, "import", str(bad), str(junk), str(good), "--json")
    files = json.loads(out)["files"]
    assert code == 1
    assert [f["status"] for f in files] == ["invalid", "unreadable", "ok"]
    error = files[0]["errors"][0]
    assert set(error) == ISSUE_KEYS
    assert error["sheet"] == "Kegiatan" and error["row"] == 6 and error["value"] == "50"
    assert "lebih besar dari Problem Solving Ditangani" in error["message"]
    assert files[0]["version"] is None and files[2]["version"] == 1
    uploads = store.uploads(store.get_engine(env_db))
    assert list(uploads["polsek"]) == ["Polsek Insana Utara"]


def test_overrides_win(env_db, tmp_path, capsys):
    path = tmp_path / "Rekap_Insana_2024-09.xlsx"
    path.write_bytes(filled_template("Polsek Noemuti", "2024-09"))
    code, out = run(capsys, "import", str(path), "--bulan", "2024-08", "--polsek", "noemuti", "--json")
    entry = json.loads(out)["files"][0]
    assert code == 0 and entry["bulan"] == "2024-08" and entry["polsek"] == "Polsek Noemuti"


@pytest.mark.parametrize(
    "argv",
    [
        ["import"],
        ["import", "nope.xlsx"],
        ["import", "x.xlsx", "--bulan", "2024-9"],
        ["import", "x.xlsx", "--polsek", "Polsek Atlantis"],
        ["rekap"],
        ["template", "--polsek", "Insana", "--bulan", "2024-09"],
        ["bogus"],
    ],
)
def test_usage_errors_exit_2(env_db, argv, capsys):
    with pytest.raises(SystemExit) as exc:
        code = cli.main(argv)
        raise SystemExit(code)
    assert exc.value.code == 2


def test_rekap_json_contract(env_db, tmp_path, capsys):
    path = tmp_path / "a.xlsx"
    path.write_bytes(filled_template("Polsek Insana Utara", "2024-09"))
    run(capsys, "import", str(path))
    code, out = run(capsys, "rekap", "--bulan", "2024-09", "--json")
    data = json.loads(out)
    assert code == 0
    assert set(data) == {"bulan", "totals", "polsek", "desa", "kelengkapan", "arahan"}
    count_keys = reference.count_keys()
    assert set(data["totals"]) == set(count_keys) | set(reference.bool_keys())
    assert len(data["polsek"]) == 9
    polsek_keys = {"polsek", "desa_total", "desa_melapor", *count_keys, "indeks_kinerja", "indeks_kesiapan",
                   "personel_polri", "personel_linmas"}
    assert polsek_keys <= set(data["polsek"][0])
    section2 = {i.key for i in reference.indicators()} - {"desa", "kecamatan"}
    desa_keys = {"kode", "desa", "kecamatan", "polsek", *section2, "indeks_kinerja", "indeks_kesiapan", "skor_kerawanan",
                 "tingkat_kerawanan"}
    assert len(data["desa"]) == 5 and set(data["desa"][0]) == desa_keys
    assert data["kelengkapan"] == {"polsek_melapor": 1, "polsek_total": 9, "desa_melapor": 5, "desa_total": 193}
    stored = store.rows(store.get_engine(env_db), "kegiatan", "2024-09")
    assert data["totals"]["sambang_dds"] == int(stored["sambang_dds"].sum())
    assert isinstance(data["totals"]["fkpm_aktif"], int)


def test_template_command_writes_importable_file(env_db, tmp_path, capsys):
    out_file = tmp_path / "t.xlsx"
    code, _ = run(capsys, "template", "--polsek", "Polsek Biboki Selatan", "--bulan", "2024-09", "--out", str(out_file))
    assert code == 0
    code, out = run(capsys, "import", str(out_file), "--dry-run", "--json")
    entry = json.loads(out)["files"][0]
    assert entry["polsek"] == "Polsek Biboki Selatan" and entry["bulan"] == "2024-09"


def test_module_entry_point_help_lists_every_command():
    result = subprocess.run([sys.executable, "-m", "core", "--help"], capture_output=True, text=True, cwd=ROOT, check=False)
    assert result.returncode == 0
    for command in cli.COMMANDS:
        assert command in result.stdout


def test_every_command_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [c for c in cli.COMMANDS if f"python -m core {c}" not in readme and f"`{c} " not in readme]
    assert not missing, f"perintah belum ada di README: {missing}"


def test_import_is_recorded_as_the_command_line_and_cannot_name_an_account(env_db, tmp_path, capsys, monkeypatch):
    import getpass

    from core import auth

    monkeypatch.setattr(getpass, "getuser", lambda: "insana1")  # an OS user named like a Polsek account
    engine = store.get_engine(env_db)
    auth.create_user(engine, "insana1", "sandi-rahasia-1", "admin")
    path = tmp_path / "Rekap_Noemuti_2024-09.xlsx"
    path.write_bytes(filled_template("Polsek Noemuti", "2024-09"))
    with pytest.raises(SystemExit):
        cli.main(["import", str(path), "--pengunggah", "insana1"])  # the option is gone
    capsys.readouterr()
    code, _ = run(capsys, "import", str(path), "--json")
    assert code == 0
    assert list(store.uploads(engine)["pengunggah"]) == ["cli:insana1"]
    log = auth.audit_log(engine, action="unggah")
    assert list(log["pengguna"]) == ["cli:insana1"]


def test_user_delete_and_reset_password_commands(env_db, capsys, monkeypatch):
    import io

    from core import auth, sesi

    engine = store.get_engine(env_db)
    admin = auth.create_user(engine, "operator", "sandi-rahasia-1", "admin")
    clerk = auth.create_user(engine, "clerk", "sandi-rahasia-1", "polsek", "Polsek Insana", by=admin)
    session_id, _ticket = sesi.start(engine, clerk)
    monkeypatch.setattr(sys, "stdin", io.StringIO("sandi-baru-sekali\n"))
    assert cli.main(["user", "reset-password", "--username", "clerk", "--password-stdin"]) == 0
    assert "semua sesinya berakhir" in capsys.readouterr().out
    assert sesi.check(engine, session_id).user is None
    assert auth.authenticate(engine, "clerk", "sandi-baru-sekali").username == "clerk"
    assert cli.main(["user", "delete", "--username", "clerk"]) == 0
    assert auth.active_user(engine, "clerk") is None
    assert cli.main(["user", "delete", "--username", "operator"]) == 2  # the last admin stays
    assert "Admin terakhir" in capsys.readouterr().err
    actors = set(auth.audit_log(engine, action="akun.hapus")["pengguna"]) | set(auth.audit_log(engine, action="akun.sandi")["pengguna"])
    assert actors == {auth.cli_operator().username} and actors.pop().startswith("cli:")


def test_demo_removal_takes_the_demo_accounts_with_it(env_db, capsys):
    import datetime as dt

    from core import auth, demo

    engine = store.get_engine(env_db)
    demo.generate(engine, dari="2024-09", sampai="2024-09", seed=4, today=dt.date(2024, 10, 20))
    demo.demo_accounts(engine)
    assert cli.main(["demo", "--hapus"]) == 2  # admin-contoh is the only admin: refused, nothing removed
    assert "Belum ada akun admin sungguhan" in capsys.readouterr().err
    assert store.has_demo(engine) and auth.active_user(engine, "admin-contoh")
    auth.create_user(engine, "operator", "sandi-rahasia-1", "admin", by=auth.cli_operator())
    assert cli.main(["demo", "--hapus"]) == 0
    out = capsys.readouterr().out
    assert "admin-contoh" in out and not store.has_demo(engine)
    assert set(auth.users(engine)["username"]) == {"operator"}
    with pytest.raises(auth.AuthError):
        auth.authenticate(engine, "admin-contoh", demo.DEMO_PASSWORD)
