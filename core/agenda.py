"""The election agenda (name and polling date): a default in `data/pengaturan.toml`, editable in the database."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.engine import Engine

from core import auth, reference, store

_KEYS = ("pemilihan_nama", "pemilihan_tanggal")


def get_agenda(engine: Engine) -> dict:
    """`{"nama", "tanggal"}`: the operator's saved agenda, else the default of the settings file."""
    default = reference.settings()["pemilihan"]
    nama = store.get_setting(engine, _KEYS[0]) or default["nama"]
    saved = store.get_setting(engine, _KEYS[1])
    tanggal = dt.date.fromisoformat(saved) if saved else default["tanggal"]
    return {"nama": nama, "tanggal": tanggal}


def save_agenda(engine: Engine, nama: str, tanggal: dt.date, by: auth.User | None) -> None:
    """Store the agenda for the next election (admins only; one transaction with its audit entry)."""
    if by is None or by.role != "admin":
        raise auth.AuthError("Hanya admin yang dapat mengubah agenda pemilihan.")
    nama = " ".join(str(nama).split())[:120]
    if not nama:
        raise ValueError("Nama pemilihan tidak boleh kosong.")
    before = get_agenda(engine)
    table = store.pengaturan
    with store.writing(engine) as conn:
        for key, value in zip(_KEYS, (nama, tanggal.isoformat()), strict=True):
            conn.execute(table.delete().where(table.c.kunci == key))
            conn.execute(table.insert().values(kunci=key, nilai=value))
        auth._record(conn, by.username, "agenda.ubah", nama, "ok",
                     f"sebelumnya {before['nama']} {before['tanggal']:%d-%m-%Y}; sekarang {nama} {tanggal:%d-%m-%Y}")


def countdown(tanggal: dt.date, today: dt.date | None = None) -> str:
    """`H-12`, `Hari H` or `H+3` (days after)."""
    days = (tanggal - (today or dt.date.today())).days
    if days > 0:
        return f"H-{days}"
    if days == 0:
        return "Hari H"
    return f"H+{-days}"


