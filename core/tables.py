"""Every table of the Anev database, in one module: the schema that `core.store` creates and upgrades.

Recaps (versions, rows, officers, previews, settings), accounts and the audit trail, sessions and login limits, the
arahan and their follow-up, verification, and the admin's border corrections. Kept apart from the modules that use
them, so storage never has to import the logic that sits on top of it (no import cycles). The row tables take their
columns from the indicator catalogue.
"""

from __future__ import annotations

import sqlalchemy as sa

from core import reference

metadata = sa.MetaData()


def _sql_type(tipe: str) -> sa.types.TypeEngine:
    return {"angka": sa.Integer(), "ya_tidak": sa.Boolean()}.get(tipe, sa.Text())


def _row_columns(sheet: str) -> list[sa.Column]:
    return [
        sa.Column(item.key, _sql_type(item.tipe))
        for item in reference.sheet_indicators(sheet)
        if item.key not in ("desa", "kecamatan")
    ]


schema_info = sa.Table("schema_info", metadata, sa.Column("versi", sa.Integer, nullable=False))

unggahan = sa.Table(
    "unggahan",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("polsek", sa.String(80), nullable=False),
    sa.Column("bulan", sa.String(7), nullable=False),
    sa.Column("versi", sa.Integer, nullable=False),
    sa.Column("nama_berkas", sa.Text, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("isi", sa.LargeBinary, nullable=False),
    sa.Column("pengunggah", sa.String(120), nullable=False),
    sa.Column("waktu", sa.DateTime, nullable=False),
    sa.Column("status", sa.String(20), nullable=False, server_default="tersimpan"),
    sa.Column("peringatan", sa.Text, nullable=False, server_default="[]"),
    sa.Column("catatan", sa.Text, nullable=False, server_default="[]"),
    sa.Column("baris_kegiatan", sa.Integer, nullable=False),
    sa.Column("baris_kerawanan", sa.Integer, nullable=False),
    sa.Column("contoh", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.UniqueConstraint("polsek", "bulan", "versi", name="uq_unggahan_versi"),
)
sa.Index("ix_unggahan_bulan", unggahan.c.bulan, unggahan.c.polsek)

kegiatan = sa.Table(
    "kegiatan",
    metadata,
    sa.Column("unggahan_id", sa.Integer, sa.ForeignKey("unggahan.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("desa_kode", sa.String(13), primary_key=True),
    sa.Column("excel_row", sa.Integer),
    *_row_columns("kegiatan"),
)

kerawanan = sa.Table(
    "kerawanan",
    metadata,
    sa.Column("unggahan_id", sa.Integer, sa.ForeignKey("unggahan.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("desa_kode", sa.String(13), primary_key=True),
    sa.Column("excel_row", sa.Integer),
    *_row_columns("kerawanan"),
)

bhabin = sa.Table(
    "bhabin",
    metadata,
    sa.Column("nrp", sa.String(8), primary_key=True),
    sa.Column("nama", sa.Text, nullable=False),
    sa.Column("pangkat", sa.Text),
    sa.Column("bulan_terakhir", sa.String(7), nullable=False),
)

pratinjau = sa.Table(
    "pratinjau",
    metadata,
    sa.Column("token", sa.String(40), primary_key=True),
    sa.Column("dibuat", sa.DateTime, nullable=False),
    sa.Column("pengunggah", sa.String(120), nullable=False),
    sa.Column("nama_berkas", sa.Text, nullable=False),
    sa.Column("isi", sa.LargeBinary, nullable=False),
    sa.Column("polsek_pilihan", sa.String(80)),
    sa.Column("bulan_pilihan", sa.String(7)),
    sa.Column("status", sa.String(20), nullable=False, server_default="menunggu"),
    sa.Column("unggahan_id", sa.Integer, sa.ForeignKey("unggahan.id", ondelete="SET NULL")),
)

pengaturan = sa.Table(
    "pengaturan",
    metadata,
    sa.Column("kunci", sa.String(60), primary_key=True),
    sa.Column("nilai", sa.Text, nullable=False),
)

ROW_TABLES = {"kegiatan": kegiatan, "kerawanan": kerawanan}

pengguna = sa.Table(
    "pengguna",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("username", sa.String(32), nullable=False, unique=True),
    sa.Column("kata_sandi", sa.Text, nullable=False),
    sa.Column("peran", sa.String(20), nullable=False),
    sa.Column("polsek", sa.String(80)),
    sa.Column("aktif", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("dibuat", sa.DateTime, nullable=False),
    # `gagal` and `terkunci_sampai` were the old per-account lock; kept so older databases and backups load,
    # no longer written (the counters are in `batas_masuk`).
    sa.Column("gagal", sa.Integer, nullable=False, server_default="0"),
    sa.Column("terkunci_sampai", sa.DateTime),
    sa.Column("terakhir_masuk", sa.DateTime),
)

audit = sa.Table(
    "audit",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("waktu", sa.DateTime, nullable=False),
    sa.Column("pengguna", sa.String(60), nullable=False),
    sa.Column("aksi", sa.String(40), nullable=False),
    sa.Column("objek", sa.Text, nullable=False, server_default=""),
    sa.Column("hasil", sa.String(20), nullable=False),
    sa.Column("rincian", sa.Text, nullable=False, server_default=""),
)
sa.Index("ix_audit_waktu", audit.c.waktu)

batas_masuk = sa.Table(
    "batas_masuk",
    metadata,
    sa.Column("kunci", sa.String(120), primary_key=True),
    sa.Column("mulai", sa.DateTime, nullable=False),
    sa.Column("jumlah", sa.Integer, nullable=False),
)

# Signed-in browsers (core/sesi.py holds the logic; the table lives here so account changes can end sessions
# in their own transaction). Only sha256 hashes of the cookie token and of the one-time ticket are stored.
sesi = sa.Table(
    "sesi",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("hash", sa.String(64), unique=True),
    sa.Column("tiket", sa.String(64), unique=True),
    sa.Column("tiket_sampai", sa.DateTime),
    sa.Column("username", sa.String(32), nullable=False),
    sa.Column("dibuat", sa.DateTime, nullable=False),
    sa.Column("terakhir", sa.DateTime, nullable=False),
    sa.Column("perangkat", sa.String(200), nullable=False, server_default=""),
    sa.Column("alamat", sa.String(64), nullable=False, server_default=""),
    sa.Column("dicabut", sa.DateTime),
    sa.Column("alasan", sa.String(80)),
)
sa.Index("ix_sesi_username", sesi.c.username)

# Security state that a backup does not carry and a restore does not bring back.
TRANSIENT_TABLES = ("sesi", "batas_masuk")

arahan = sa.Table(
    "arahan",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("teks", sa.Text, nullable=False),
    sa.Column("bulan_diberikan", sa.String(7), nullable=False),
    sa.Column("tenggat", sa.String(7), nullable=False),
    sa.Column("ukuran", sa.String(60)),
    sa.Column("arah", sa.String(2)),
    sa.Column("target", sa.Float),
    sa.Column("lingkup", sa.Text),  # JSON list of Polsek, or null: the owner Polsek / the whole Polres
    sa.Column("sumber", sa.Text),  # the Catatan untuk Anev finding it came from
    sa.Column("dicatat_oleh", sa.String(60), nullable=False),
    sa.Column("dibuat", sa.DateTime, nullable=False),
    sa.Column("ditutup_bulan", sa.String(7)),
    sa.Column("alasan_tutup", sa.Text),
    sa.Column("contoh", sa.Boolean, nullable=False, server_default=sa.false()),
)
sa.Index("ix_arahan_bulan", arahan.c.bulan_diberikan)

arahan_pemilik = sa.Table(
    "arahan_pemilik",
    metadata,
    sa.Column("arahan_id", sa.Integer, sa.ForeignKey("arahan.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("pemilik", sa.String(80), primary_key=True),
)

arahan_catatan = sa.Table(
    "arahan_catatan",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("arahan_id", sa.Integer, sa.ForeignKey("arahan.id", ondelete="CASCADE"), nullable=False),
    sa.Column("bulan", sa.String(7), nullable=False),
    sa.Column("status", sa.String(20)),  # a status set by hand, or null for a progress note
    sa.Column("teks", sa.Text, nullable=False),
    sa.Column("pengguna", sa.String(60), nullable=False),
    sa.Column("peran", sa.String(20), nullable=False),
    sa.Column("polsek", sa.String(80)),
    sa.Column("waktu", sa.DateTime, nullable=False),
)
sa.Index("ix_arahan_catatan", arahan_catatan.c.arahan_id)

arahan_bukti = sa.Table(
    "arahan_bukti",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("catatan_id", sa.Integer, sa.ForeignKey("arahan_catatan.id", ondelete="CASCADE"), nullable=False),
    sa.Column("nama_berkas", sa.Text, nullable=False),
    sa.Column("jenis", sa.String(10), nullable=False),
    sa.Column("ukuran", sa.Integer, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("isi", sa.LargeBinary, nullable=False),
)

arahan_riwayat = sa.Table(
    "arahan_riwayat",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("arahan_id", sa.Integer, sa.ForeignKey("arahan.id", ondelete="CASCADE"), nullable=False),
    sa.Column("waktu", sa.DateTime, nullable=False),
    sa.Column("pengguna", sa.String(60), nullable=False),
    sa.Column("aksi", sa.String(40), nullable=False),
    sa.Column("rincian", sa.Text, nullable=False, server_default="{}"),  # JSON: field -> [before, after]
)
sa.Index("ix_arahan_riwayat", arahan_riwayat.c.arahan_id)

perbatasan_desa = sa.Table(
    "perbatasan_desa",
    metadata,
    sa.Column("kode", sa.String(13), primary_key=True),
    sa.Column("perbatasan", sa.Boolean, nullable=False),
    sa.Column("diubah", sa.DateTime, nullable=False),
    sa.Column("oleh", sa.String(60), nullable=False),
)

verifikasi = sa.Table(
    "verifikasi",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    # the verified version; removing a version (demo data) removes its verification
    sa.Column("unggahan_id", sa.Integer, sa.ForeignKey("unggahan.id", ondelete="CASCADE"), nullable=False),
    sa.Column("polsek", sa.String(80), nullable=False),
    sa.Column("bulan", sa.String(7), nullable=False),
    sa.Column("versi", sa.Integer, nullable=False),
    sa.Column("oleh", sa.String(60), nullable=False),
    sa.Column("waktu", sa.DateTime, nullable=False),
    sa.Column("aktif", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("dibatalkan_oleh", sa.String(60)),
    sa.Column("waktu_batal", sa.DateTime),
    sa.Column("alasan_batal", sa.Text),
)
sa.Index("ix_verifikasi_bulan", verifikasi.c.bulan, verifikasi.c.polsek)
