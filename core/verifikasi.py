"""Verification of a Polsek's monthly recap before it counts (DHIS2's data approval, in one step).

The Kasat Binmas or his staff (`verifikator`, or `pimpinan`) marks a Polsek-month terverifikasi: the
version that was the latest at that moment, by whom and when, is recorded. A verified month is locked:
`store._insert_version` refuses a new version for it (the check runs under the same Polsek-month lock
as the version number, so a verification and an upload cannot pass each other), and the upload screen
and `import` refuse it earlier with a sentence saying who verified and how to unverify. Unverifying
needs a reason and is audited; the row stays, with who unverified, when and why.

Readers: `status` (uploaded / verified per Polsek and month), `unverified` and `caveat` (which figures
include unverified recaps), and `store.rows(..., verified_only=True)`, which reads the verified version
of each Polsek-month and leaves out Polsek-months that are not verified.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from core import auth, reference, store
from core.months import format_bulan
from core.tables import verifikasi

#: A reason for unverifying must say something.
MIN_REASON = 10



class VerifikasiError(ValueError):
    """A verification that cannot be made or undone; the message is Indonesian and says why."""


#: A new version for a verified Polsek-month is refused by storage itself (`store.refuse_if_locked`, under the lock of the
#: version number); the exception and the sentence live there so storage needs nothing from this module.
Locked = store.Locked


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def _wita(moment: dt.datetime) -> str:
    offset = int(reference.settings()["laporan"].get("zona_waktu_jam", 8))
    return f"{moment + dt.timedelta(hours=offset):%d-%m-%Y %H.%M} WITA"


def only_verified_in_paparan() -> bool:
    """`[verifikasi] paparan_hanya_terverifikasi` in `data/pengaturan.toml`: Mode Paparan and the deck read verified data only."""
    return bool(reference.settings().get("verifikasi", {}).get("paparan_hanya_terverifikasi", False))


_active = store.active_verification


def current(engine: Engine, polsek: str, bulan: str) -> dict | None:
    """The active verification of a Polsek-month (who, when, which version), or None."""
    with engine.connect() as conn:
        row = _active(conn, polsek, bulan)
    return dict(row) if row else None


_lock_text = store.lock_text


def lock_message(engine: Engine, polsek: str | None, bulan: str | None) -> str | None:
    """Why a new upload for this Polsek-month is refused (it is verified), or None when it may be stored."""
    if not polsek or not bulan:
        return None
    row = current(engine, polsek, bulan)
    return _lock_text(row) if row else None


refuse_if_locked = store.refuse_if_locked


def verify(engine: Engine, polsek: str, bulan: str, by: auth.User, version: int | None = None) -> int:
    """Mark the latest version of a Polsek-month terverifikasi; returns that version. Audited.

    `version` is the version the verifier looked at: when a newer one arrived meanwhile, the verification is
    refused so he checks the new one first.
    """
    try:
        auth.require_verify(by)
    except auth.AuthError as refused:
        auth.record(engine, by.username, "verifikasi", f"{polsek} {bulan}", "ditolak", str(refused))
        raise
    with store.writing(engine) as conn:
        store._lock(conn, "unggahan", polsek, bulan)
        latest = conn.execute(
            sa.select(store.unggahan.c.id, store.unggahan.c.versi).where(store.unggahan.c.polsek == polsek, store.unggahan.c.bulan == bulan)
            .order_by(store.unggahan.c.versi.desc())
        ).first()
        if latest is None:
            raise VerifikasiError(f"Belum ada rekap {polsek} {format_bulan(bulan)} yang dapat diverifikasi.")
        if version is not None and version != latest.versi:
            raise VerifikasiError(f"Rekap {polsek} {format_bulan(bulan)} sudah berganti ke versi {latest.versi} (Anda memeriksa versi "
                                  f"{version}). Periksa versi terbaru lalu verifikasi lagi.")
        active = _active(conn, polsek, bulan)
        if active is not None:
            raise VerifikasiError(f"Rekap {polsek} {format_bulan(bulan)} sudah diverifikasi oleh {active['oleh']} pada {_wita(active['waktu'])}.")
        conn.execute(verifikasi.insert().values(unggahan_id=latest.id, polsek=polsek, bulan=bulan, versi=latest.versi,
                                                oleh=auth.clean(by.username, 60), waktu=_now(), aktif=True))
    auth.record(engine, by.username, "verifikasi", f"{polsek} {bulan}", "ok", f"versi {latest.versi} terverifikasi")
    return int(latest.versi)


def unverify(engine: Engine, polsek: str, bulan: str, reason: str, by: auth.User) -> None:
    """Withdraw the verification of a Polsek-month, with a reason; the month can then take a new upload. Audited."""
    reason = auth.clean(reason, 1000)
    try:
        auth.require_verify(by)
    except auth.AuthError as refused:
        auth.record(engine, by.username, "verifikasi.batal", f"{polsek} {bulan}", "ditolak", str(refused))
        raise
    if len(reason) < MIN_REASON:
        raise VerifikasiError(f"Tulis alasan pembatalan verifikasi (minimal {MIN_REASON} karakter), misalnya kesalahan apa yang akan diperbaiki.")
    with store.writing(engine) as conn:
        store._lock(conn, "unggahan", polsek, bulan)
        active = _active(conn, polsek, bulan)
        if active is None:
            raise VerifikasiError(f"Rekap {polsek} {format_bulan(bulan)} belum diverifikasi; tidak ada yang dibatalkan.")
        conn.execute(verifikasi.update().where(verifikasi.c.id == active["id"]).values(
            aktif=False, dibatalkan_oleh=auth.clean(by.username, 60), waktu_batal=_now(), alasan_batal=reason))
    auth.record(engine, by.username, "verifikasi.batal", f"{polsek} {bulan}", "ok", f"versi {active['versi']}; alasan: {reason}")


# --------------------------------------------------------------------------- reading


verified_ids = store.verified_ids


STATUS_COLUMNS = ["polsek", "bulan", "versi_terbaru", "versi_terverifikasi", "terverifikasi", "oleh", "waktu"]


def status(engine: Engine, months: list[str], polsek: str | None = None) -> pd.DataFrame:
    """Polsek x month: latest version (0 = nothing uploaded), verified version (NA), `terverifikasi`, by whom and when (UTC).

    `terverifikasi` is True only when the latest version is the verified one.
    """
    if not months:
        return pd.DataFrame(columns=STATUS_COLUMNS)
    with engine.connect() as conn:
        latest = conn.execute(
            sa.select(store.unggahan.c.polsek, store.unggahan.c.bulan, sa.func.max(store.unggahan.c.versi).label("versi_terbaru"))
            .where(store.unggahan.c.bulan >= min(months), store.unggahan.c.bulan <= max(months))
            .group_by(store.unggahan.c.polsek, store.unggahan.c.bulan)
        ).all()
        verified = conn.execute(
            sa.select(verifikasi.c.polsek, verifikasi.c.bulan, verifikasi.c.versi.label("versi_terverifikasi"), verifikasi.c.oleh,
                      verifikasi.c.waktu)
            .where(verifikasi.c.aktif.is_(True), verifikasi.c.bulan >= min(months), verifikasi.c.bulan <= max(months))
        ).all()
    names = [polsek] if polsek else list(reference.polsek_names())
    grid = pd.DataFrame([(p, m) for m in months for p in names], columns=["polsek", "bulan"])
    latest_frame = pd.DataFrame(latest, columns=["polsek", "bulan", "versi_terbaru"])
    verified_frame = pd.DataFrame(verified, columns=["polsek", "bulan", "versi_terverifikasi", "oleh", "waktu"])
    frame = grid.merge(latest_frame, on=["polsek", "bulan"], how="left").merge(verified_frame, on=["polsek", "bulan"], how="left")
    frame["versi_terbaru"] = frame["versi_terbaru"].fillna(0).astype("int64")
    frame["versi_terverifikasi"] = frame["versi_terverifikasi"].astype("Int64")
    frame["terverifikasi"] = (frame["versi_terverifikasi"] == frame["versi_terbaru"]).fillna(False).astype(bool)
    return frame[STATUS_COLUMNS]


def unverified(engine: Engine, months: list[str], polsek: str | None = None) -> pd.DataFrame:
    """Polsek-months that have an upload whose latest version is not verified (these make a figure provisional)."""
    frame = status(engine, months, polsek)
    return frame[(frame["versi_terbaru"] > 0) & ~frame["terverifikasi"]][["polsek", "bulan"]].reset_index(drop=True)


def caveat(engine: Engine, months: list[str], polsek: str | None = None) -> str | None:
    """One sentence to put under a figure that includes unverified recaps, or None when everything shown is verified."""
    missing = unverified(engine, months, polsek)
    if missing.empty:
        return None
    parts = []
    for bulan, group in missing.groupby("bulan", sort=True):
        names = [p.removeprefix("Polsek ") for p in group["polsek"]]
        parts.append(f"{format_bulan(bulan)}: {', '.join(names)}")
    return "Termasuk rekap yang belum diverifikasi (" + "; ".join(parts) + ")."


def log(engine: Engine, polsek: str | None = None, bulan: str | None = None) -> pd.DataFrame:
    """Every verification ever made, newest first, with unverifications and their reasons."""
    query = sa.select(verifikasi).order_by(verifikasi.c.id.desc())
    if polsek:
        query = query.where(verifikasi.c.polsek == polsek)
    if bulan:
        query = query.where(verifikasi.c.bulan == bulan)
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).mappings().all(), columns=[c.name for c in verifikasi.columns])


def seed_demo(engine: Engine, months: list[str]) -> int:
    """Demo: the Kasat Binmas has verified every month but the last two, and most Polsek of the second-to-last.

    Written directly (no audit entries: nobody acted). Removing demo data removes these with their versions.
    """
    if len(months) < 2:
        return 0
    done = 0
    with store.writing(engine) as conn:
        latest = conn.execute(
            sa.select(store.unggahan.c.id, store.unggahan.c.polsek, store.unggahan.c.bulan, store.unggahan.c.versi, store.unggahan.c.waktu)
            .where(store.unggahan.c.contoh.is_(True), store.unggahan.c.bulan.in_(months[:-1]))
            .order_by(store.unggahan.c.bulan, store.unggahan.c.polsek, store.unggahan.c.versi)
        ).all()
        newest = {(r.polsek, r.bulan): r for r in latest}  # ordered by version: the last one wins
        polsek_order = list(reference.polsek_names())
        for (polsek, bulan), row in sorted(newest.items()):
            if bulan == months[-2] and polsek_order.index(polsek) % 3 == 2:
                continue  # a third of the Polsek still waiting for the Kasat
            if _active(conn, polsek, bulan) is not None:
                continue
            conn.execute(verifikasi.insert().values(unggahan_id=row.id, polsek=polsek, bulan=bulan, versi=row.versi,
                                                    oleh="kasat-binmas-contoh", waktu=min(row.waktu + dt.timedelta(days=2), _now()), aktif=True))
            done += 1
    return done


def grid(engine: Engine, months: list[str], polsek: str | None = None) -> pd.DataFrame:
    """Polsek x month as the Kelengkapan and Verifikasi screens show it: `✓ v1` verified, `v2` uploaded not verified, `–` none."""
    frame = status(engine, months, polsek)
    labels = [("\u2713 v" if ok else "v") + str(latest) if latest else "\u2013"
              for latest, ok in zip(frame["versi_terbaru"], frame["terverifikasi"], strict=True)]
    table = frame.assign(label=labels).pivot(index="polsek", columns="bulan", values="label")
    table = table.reindex(columns=months)
    table.columns.name = None
    return table


def version(engine: Engine) -> tuple[int, int, int]:
    """A cheap fingerprint of the verifications (verifying and unverifying both change it), for caches."""
    with engine.connect() as conn:
        row = conn.execute(sa.select(sa.func.count(verifikasi.c.id), sa.func.max(verifikasi.c.id),
                                     sa.func.count(verifikasi.c.waktu_batal))).one()
    return int(row[0] or 0), int(row[1] or 0), int(row[2] or 0)


def wita(moment: dt.datetime | pd.Timestamp | None) -> str:
    """A stored UTC time as people in TTU read it (`09-10-2024 09.00 WITA`)."""
    if moment is None or pd.isna(moment):
        return "\u2013"
    return _wita(pd.Timestamp(moment).to_pydatetime())
