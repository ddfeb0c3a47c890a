"""Who may do what, in one table: every role against every screen, the actions that change data, and every export.

The table below is the specification (written out, not read from `core.auth`); each row is checked against the real
frame (AppTest: the screen is or is not in the role's navigation) or against `core` (the same checks the screens and
the command line go through). A Polsek clerk's exports hold only his own Polsek, whatever he asks for.
"""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from accounts import ensure_user, sign_in
from conftest import ROOT
from pptx import Presentation
from streamlit.testing.v1 import AppTest
from workbooks import filled_template

from core import access, agenda, arahan, auth, demo, export, pipeline, rujukan, store, verifikasi

ROLES = {"admin": None, "pimpinan": None, "verifikator": None, "polsek": "Polsek Insana"}
Y, N = True, False

#: screen url -> (admin, pimpinan, verifikator, polsek)
SCREENS = {
    "ringkasan": (Y, Y, Y, Y), "kelengkapan": (Y, Y, Y, Y), "kinerja": (Y, Y, Y, Y), "kesiapan": (Y, Y, Y, Y),
    "peta": (Y, Y, Y, Y), "paparan": (Y, Y, Y, N), "tindak_lanjut": (Y, Y, Y, Y), "rekap": (Y, Y, Y, Y),
    "unggah": (Y, N, N, Y), "verifikasi": (Y, Y, Y, N), "pengguna": (Y, N, N, N), "audit": (Y, N, N, N),
    "rujukan": (Y, N, N, N),
}
#: action -> (admin, pimpinan, verifikator, polsek)
ACTIONS = {
    "unggah rekap Polsek Insana": (Y, N, N, Y),
    "unggah rekap Polsek Noemuti": (Y, N, N, N),
    "verifikasi rekap": (N, Y, Y, N),  # the admin uploads for everyone and does not verify his own uploads
    "catat arahan": (Y, Y, N, N),
    "ubah agenda pemilihan": (Y, N, N, N),
    "tambah akun": (Y, N, N, N),
    "koreksi desa perbatasan": (Y, N, N, N),
}
#: export -> whether it may hold other Polsek than the user's own: (admin, pimpinan, verifikator, polsek)
EXPORTS_SEE_OTHER_POLSEK = (Y, Y, Y, N)
BULAN = "2024-09"


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('peran') / 'anev.db'}"
    engine = store.create_db_engine(url)
    demo.generate(engine, dari="2024-08", sampai=BULAN, seed=5, today=dt.date(2024, 10, 20))
    engine.dispose()
    return url


@pytest.fixture
def env(db: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("ANEV_DB_URL", db)
    monkeypatch.setenv("ANEV_DEMO_OTOMATIS", "0")
    return db


def _user(db: str, role: str) -> auth.User:
    ensure_user(db, "admin-uji")
    return ensure_user(db, f"{role}-peran", role, ROLES[role])


@pytest.mark.parametrize("role", list(ROLES))
def test_screens_per_role(env, role):
    user = _user(env, role)
    for screen, allowed in SCREENS.items():
        at = sign_in(AppTest.from_file(str(ROOT / "frame" / "main.py"), default_timeout=90), user)
        at.query_params["bulan"] = BULAN
        at.run()
        assert not at.exception, at.exception
        expected = allowed[list(ROLES).index(role)]
        if expected:
            at.switch_page(f"../pages/{screen}.py")
            at.run()
            assert not at.exception, (role, screen, at.exception)
        else:
            with pytest.raises(ValueError, match="Could not find a navigation page"):
                at.switch_page(f"../pages/{screen}.py")


def _try(action: str, engine, user: auth.User) -> bool:
    """Do the action as `user`; True when core let it through, False when it refused with AuthError."""
    try:
        if action.startswith("unggah rekap"):
            polsek = action.removeprefix("unggah rekap ")
            _, version = pipeline.import_file(engine, filled_template(polsek, "2024-10"), "rekap.xlsx", user, today=dt.date(2024, 11, 3))
            return version is not None
        if action == "verifikasi rekap":  # a Polsek of its own per role, so each starts from an unverified month
            polsek = {"pimpinan": "Polsek Noemuti", "verifikator": "Polsek Biboki Anleu"}.get(user.role, "Polsek Insana Utara")
            verifikasi.verify(engine, polsek, BULAN, by=user)
        elif action == "catat arahan":
            arahan.add(engine, "Uji peran", BULAN, ["Polsek Insana"], "2024-12", user)
        elif action == "ubah agenda pemilihan":
            agenda.save_agenda(engine, "Pilkada uji", dt.date(2029, 11, 27), by=user)
        elif action == "tambah akun":
            auth.create_user(engine, f"baru-{user.role}", "sandi-uji-123", "pimpinan", by=user)
        elif action == "koreksi desa perbatasan":
            kode = store.rows(engine, "kerawanan", BULAN)["desa_kode"].iloc[0]
            rujukan.save_border(engine, {kode: True}, user)
    except auth.AuthError:
        return False
    return True


@pytest.mark.parametrize("role", list(ROLES))
def test_actions_per_role_are_enforced_in_core(env, role):
    engine = store.create_db_engine(env)
    user = _user(env, role)
    for action, allowed in ACTIONS.items():
        done = _try(action, engine, user)
        assert done is allowed[list(ROLES).index(role)], (role, action)
    refused = auth.audit_log(engine, who=user.username)
    if not all(allowed[list(ROLES).index(role)] for allowed in ACTIONS.values()):
        assert "ditolak" in set(refused["hasil"]), role  # every refusal is in the audit trail


@pytest.mark.parametrize("role", list(ROLES))
def test_exports_are_scoped_like_the_screens(env, role):
    engine = store.create_db_engine(env)
    user = _user(env, role)
    scope = access.scope_for(user, "Polsek Noemuti")  # a clerk asking for another Polsek still gets his own
    book = openpyxl.load_workbook(io.BytesIO(export.export(engine, BULAN, "xlsx", scope=scope)))
    polsek_in_book = {row[0] for row in book["Polsek"].iter_rows(min_row=4, values_only=True)}
    deck = Presentation(io.BytesIO(export.export(engine, BULAN, "pptx", scope=scope)))
    titles = {s.shapes.title.text for s in deck.slides if s.shapes.title is not None}
    sees_other = EXPORTS_SEE_OTHER_POLSEK[list(ROLES).index(role)]
    if sees_other:
        assert polsek_in_book == {"Polsek Noemuti"} and "Polsek Noemuti" in titles  # the Polsek asked for
    else:
        assert polsek_in_book == {"Polsek Insana"} and "Polsek Noemuti" not in titles and "Polsek Insana" in titles
        desa = {row[3] for row in book["Desa"].iter_rows(min_row=4, values_only=True)}
        assert desa <= {"Polsek Insana"}
