"""Verification of a Polsek-month: who may, the lock on new uploads, audited unverification, verified-only reading."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import TODAY
from workbooks import filled_template

from core import auth, cli, pipeline, store, verifikasi
from core.ingest import read_recap

ADMIN = auth.User("operator", "admin")
PIMPINAN = auth.User("kasat", "pimpinan")
VERIFIKATOR = auth.User("staf-kasat", "verifikator")
INSANA = auth.User("clerk-insana", "polsek", "Polsek Insana")


def _upload(engine, polsek="Polsek Insana", bulan="2024-09", user: auth.User | str = "clerk"):
    return pipeline.import_file(engine, filled_template(polsek, bulan), "r.xlsx", user, today=TODAY)


@pytest.mark.parametrize(("user", "allowed"), [(ADMIN, False), (PIMPINAN, True), (VERIFIKATOR, True), (INSANA, False)])
def test_who_may_verify_and_unverify(engine, user, allowed):
    _upload(engine)
    if allowed:
        assert verifikasi.verify(engine, "Polsek Insana", "2024-09", user) == 1
        verifikasi.unverify(engine, "Polsek Insana", "2024-09", "jumlah TPS salah ketik", user)
        assert verifikasi.current(engine, "Polsek Insana", "2024-09") is None
    else:
        with pytest.raises(auth.AuthError, match="verifikator"):
            verifikasi.verify(engine, "Polsek Insana", "2024-09", user)
        assert verifikasi.current(engine, "Polsek Insana", "2024-09") is None
        verifikasi.verify(engine, "Polsek Insana", "2024-09", PIMPINAN)
        with pytest.raises(auth.AuthError):
            verifikasi.unverify(engine, "Polsek Insana", "2024-09", "jumlah TPS salah ketik", user)
        assert verifikasi.current(engine, "Polsek Insana", "2024-09")["oleh"] == "kasat"
        assert "ditolak" in set(auth.audit_log(engine, who=user.username)["hasil"])


@pytest.mark.parametrize("role", ["verifikator", "pimpinan"])
def test_verifier_roles_cannot_upload(role):
    with pytest.raises(auth.AuthError, match="tidak dapat mengunggah"):
        auth.require_upload(auth.User("x", role), "Polsek Insana")


def test_screens_per_role():
    assert auth.can_see(VERIFIKATOR, "verifikasi") and auth.can_see(VERIFIKATOR, "tindak_lanjut") and not auth.can_see(VERIFIKATOR, "unggah")
    assert auth.can_see(PIMPINAN, "verifikasi") and auth.can_see(ADMIN, "verifikasi")
    assert auth.can_see(INSANA, "tindak_lanjut") and not auth.can_see(INSANA, "verifikasi")
    assert not auth.can_see(VERIFIKATOR, "pengguna") and not auth.can_see(VERIFIKATOR, "audit")


def test_verified_month_refuses_an_upload_until_unverified_with_a_reason(engine):
    _upload(engine)
    before = store.uploads(engine)
    verifikasi.verify(engine, "Polsek Insana", "2024-09", VERIFIKATOR)

    # the upload screen's preview and the command line both refuse, saying who verified and how to unverify
    preview = pipeline.check_file(engine, filled_template("Polsek Insana", "2024-09"), "r2.xlsx", today=TODAY, user=INSANA)
    assert preview.errors and "diverifikasi oleh staf-kasat" in preview.errors[0].message
    assert "membatalkan verifikasi" in preview.errors[0].message
    result, version = _upload(engine, user=INSANA)
    assert version is None and "sudah diverifikasi" in result.errors[0].message
    # and storage itself refuses, under the Polsek-month lock (a verification made after the preview)
    valid = read_recap(filled_template("Polsek Insana", "2024-09"), "r3.xlsx", today=TODAY)
    with pytest.raises(verifikasi.Locked):
        pipeline.save(engine, valid, INSANA)
    with pytest.raises(verifikasi.Locked):
        store.save_import(engine, valid, "clerk")
    assert len(store.uploads(engine)) == len(before)
    assert "ditolak" in set(auth.audit_log(engine, action="unggah")["hasil"])
    # other months and Polsek are not locked
    assert _upload(engine, bulan="2024-10")[1] == 1

    with pytest.raises(verifikasi.VerifikasiError, match="alasan"):
        verifikasi.unverify(engine, "Polsek Insana", "2024-09", "salah", VERIFIKATOR)
    verifikasi.unverify(engine, "Polsek Insana", "2024-09", "Jumlah TPS Desa Oelami salah ketik", VERIFIKATOR)
    entry = auth.audit_log(engine, action="verifikasi.batal").iloc[0]
    assert entry["hasil"] == "ok" and "Jumlah TPS Desa Oelami salah ketik" in entry["rincian"] and entry["pengguna"] == "staf-kasat"
    log = verifikasi.log(engine, "Polsek Insana", "2024-09").iloc[0]
    assert not log["aktif"] and log["alasan_batal"] == "Jumlah TPS Desa Oelami salah ketik" and log["dibatalkan_oleh"] == "staf-kasat"

    assert _upload(engine, user=INSANA)[1] == 2
    state = verifikasi.status(engine, ["2024-09"], "Polsek Insana").iloc[0]
    assert state["versi_terbaru"] == 2 and pd.isna(state["versi_terverifikasi"]) and not state["terverifikasi"]


def test_verify_refuses_a_version_that_is_no_longer_the_latest_and_a_second_verification(engine):
    _upload(engine)
    _upload(engine)
    with pytest.raises(verifikasi.VerifikasiError, match="versi 2"):
        verifikasi.verify(engine, "Polsek Insana", "2024-09", PIMPINAN, version=1)
    assert verifikasi.verify(engine, "Polsek Insana", "2024-09", PIMPINAN, version=2) == 2
    with pytest.raises(verifikasi.VerifikasiError, match="sudah diverifikasi"):
        verifikasi.verify(engine, "Polsek Insana", "2024-09", VERIFIKATOR)
    with pytest.raises(verifikasi.VerifikasiError, match="Belum ada rekap"):
        verifikasi.verify(engine, "Polsek Noemuti", "2024-09", PIMPINAN)


def test_status_grid_caveat_and_verified_only_rows(engine):
    _upload(engine, "Polsek Insana")
    _upload(engine, "Polsek Noemuti")
    verifikasi.verify(engine, "Polsek Insana", "2024-09", PIMPINAN)
    state = verifikasi.status(engine, ["2024-09", "2024-10"]).set_index(["polsek", "bulan"])
    assert len(state) == 18
    assert state.loc[("Polsek Insana", "2024-09"), "terverifikasi"]
    assert state.loc[("Polsek Noemuti", "2024-09"), "versi_terbaru"] == 1 and not state.loc[("Polsek Noemuti", "2024-09"), "terverifikasi"]
    assert state.loc[("Polsek Biboki Anleu", "2024-09"), "versi_terbaru"] == 0
    grid = verifikasi.grid(engine, ["2024-09"])
    assert grid.loc["Polsek Insana", "2024-09"] == "\u2713 v1" and grid.loc["Polsek Noemuti", "2024-09"] == "v1"
    assert grid.loc["Polsek Biboki Anleu", "2024-09"] == "\u2013"
    assert verifikasi.caveat(engine, ["2024-09"]) == "Termasuk rekap yang belum diverifikasi (September 2024: Noemuti)."
    assert verifikasi.caveat(engine, ["2024-09"], "Polsek Insana") is None

    everything = store.rows(engine, "kegiatan", "2024-09")
    verified = store.rows(engine, "kegiatan", "2024-09", verified_only=True)
    assert set(everything["polsek"]) == {"Polsek Insana", "Polsek Noemuti"}
    assert set(verified["polsek"]) == {"Polsek Insana"}
    assert verified.reset_index(drop=True).equals(everything[everything["polsek"] == "Polsek Insana"].reset_index(drop=True))
    # unverified again: out of the verified reading, whatever its version
    verifikasi.unverify(engine, "Polsek Insana", "2024-09", "dibuka untuk koreksi desa", PIMPINAN)
    assert store.rows(engine, "kegiatan", "2024-09", verified_only=True).empty


def test_only_verified_in_paparan_setting(monkeypatch):
    from core import reference

    assert verifikasi.only_verified_in_paparan() is False  # the shipped default
    settings = dict(reference.settings())
    monkeypatch.setattr(reference, "settings", lambda: {**settings, "verifikasi": {"paparan_hanya_terverifikasi": True}})
    assert verifikasi.only_verified_in_paparan() is True


def test_cli_verifikasi_status(db_url, monkeypatch, capsys):
    import json

    monkeypatch.setenv("ANEV_DB_URL", db_url)
    engine = store.get_engine(db_url)
    _upload(engine)
    verifikasi.verify(engine, "Polsek Insana", "2024-09", PIMPINAN)
    assert cli.main(["verifikasi", "--bulan", "2024-09", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    rows = {r["polsek"]: r for r in data["verifikasi"]}
    assert rows["Polsek Insana"] == {"polsek": "Polsek Insana", "bulan": "2024-09", "versi_terbaru": 1, "versi_terverifikasi": 1,
                                     "terverifikasi": True, "oleh": "kasat"}
    assert rows["Polsek Noemuti"]["versi_terbaru"] == 0 and rows["Polsek Noemuti"]["versi_terverifikasi"] is None
    assert cli.main(["verifikasi", "--bulan", "2024-09"]) == 0
    assert "1 dari 1 rekap" in capsys.readouterr().out
