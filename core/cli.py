"""Command line `python -m core`: a thin layer over the same functions the screens use (spec section 7)."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from pathlib import Path

from core import metrics, reference, store
from core.months import add_months, format_bulan, is_bulan


class UsageError(Exception):
    """Wrong arguments: exit code 2."""


def _bulan(value: str) -> str:
    if not is_bulan(value):
        raise argparse.ArgumentTypeError(f"bulan harus TTTT-BB, misalnya 2024-09 (bukan {value!r})")
    return value


def _polsek(value: str) -> str:
    found = reference.match_polsek(value)
    if not found:
        raise argparse.ArgumentTypeError(f"Polsek tidak dikenal: {value!r}. Pilihan: {', '.join(reference.polsek_names())}")
    return found


def build_parser() -> argparse.ArgumentParser:
    """Every command and option, with help in Indonesian."""
    parser = argparse.ArgumentParser(
        prog="python -m core",
        description="Anev Bhabinkamtibmas Polres TTU: templat, impor, rekap, ekspor bahan Anev dan data contoh.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="PERINTAH")

    tpl = sub.add_parser("template", help="tulis templat Excel untuk satu Polsek dan bulan")
    tpl.add_argument("--polsek", required=True, type=_polsek, help="nama Polsek, misalnya \"Polsek Insana\" atau Insana")
    tpl.add_argument("--bulan", required=True, type=_bulan, help="bulan laporan TTTT-BB")
    tpl.add_argument("--out", required=True, type=Path, help="berkas .xlsx yang ditulis")

    imp = sub.add_parser("import", help="periksa dan simpan rekap Excel")
    imp.add_argument("files", nargs="+", type=Path, metavar="FILE", help="berkas rekap (.xlsx, .xls, .ods)")
    imp.add_argument("--polsek", type=_polsek, help="Polsek semua berkas (mengalahkan isi berkas)")
    imp.add_argument("--bulan", type=_bulan, help="bulan semua berkas TTTT-BB (mengalahkan isi berkas)")
    imp.add_argument("--dry-run", action="store_true", help="hanya periksa, tidak menyimpan")
    imp.add_argument("--json", action="store_true", help="keluaran JSON")
    imp.add_argument("--pengunggah", default=None, help="nama pengunggah yang dicatat (bawaan: pengguna sistem)")

    rek = sub.add_parser("rekap", help="rekapitulasi satu bulan")
    rek.add_argument("--bulan", required=True, type=_bulan, help="bulan TTTT-BB")
    rek.add_argument("--json", action="store_true", help="keluaran JSON")

    exp = sub.add_parser("export", help="bahan Anev satu bulan: PowerPoint (grafik dapat diedit) atau Excel siap cetak")
    exp.add_argument("--bulan", required=True, type=_bulan, help="bulan TTTT-BB")
    exp.add_argument("--format", required=True, choices=["pptx", "xlsx"], help="pptx atau xlsx")
    exp.add_argument("--out", required=True, type=Path, help="berkas yang ditulis")
    exp.add_argument("--polsek", type=_polsek, help="hanya satu Polsek (bawaan: semua)")

    usr = sub.add_parser("user", help="akun pengguna: add, list, disable")
    usr_sub = usr.add_subparsers(dest="user_command", required=True, metavar="AKSI")
    add = usr_sub.add_parser("add", help="tambah akun (kata sandi dibaca dari stdin)")
    add.add_argument("--username", required=True, help="nama pengguna")
    add.add_argument("--role", required=True, choices=["admin", "pimpinan", "polsek"], help="peran")
    add.add_argument("--polsek", type=_polsek, help="Polsek untuk peran polsek")
    add.add_argument("--password-stdin", action="store_true", required=True, help="baca kata sandi dari stdin (satu baris)")
    usr_sub.add_parser("list", help="daftar akun")
    dis = usr_sub.add_parser("disable", help="nonaktifkan akun")
    dis.add_argument("--username", required=True, help="nama pengguna")

    bak = sub.add_parser("backup", help="salinan basis data yang konsisten (boleh saat dasbor berjalan)")
    bak.add_argument("--out", required=True, type=Path, help="berkas cadangan (.db, SQLite)")
    res = sub.add_parser("restore", help="pulihkan basis data dari berkas cadangan (menggantikan isi sekarang)")
    res.add_argument("--from", dest="source", required=True, type=Path, help="berkas cadangan")
    res.add_argument("--ya", action="store_true", help="konfirmasi: isi basis data sekarang diganti")

    dem = sub.add_parser("demo", help="isi basis data dengan DATA CONTOH (sintetis)")
    dem.add_argument("--dari", type=_bulan, help="bulan pertama TTTT-BB (bawaan: 11 bulan sebelum --sampai)")
    dem.add_argument("--sampai", type=_bulan, help="bulan terakhir TTTT-BB (bawaan: bulan ini)")
    dem.add_argument("--seed", type=int, default=2024, help="benih acak agar hasil dapat diulang")
    dem.add_argument("--hapus", action="store_true", help="hapus semua DATA CONTOH (data asli tetap)")
    dem.add_argument("--akun-contoh", action="store_true",
                     help="juga buat akun contoh (hanya untuk mencoba: admin-contoh, pimpinan-contoh, insana-contoh)")
    return parser


def cmd_template(args: argparse.Namespace) -> int:
    from core.template import build_template  # imported here: `rekap` does not load what only this command uses

    engine = store.get_engine()
    officers = store.assignments(engine, args.polsek, add_months(args.bulan, -1))
    args.out.write_bytes(build_template(args.polsek, args.bulan, officers if not officers.empty else None))
    print(f"Templat {args.polsek} {format_bulan(args.bulan)} ditulis ke {args.out}")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from core import pipeline  # imported here: `rekap` does not load what only this command uses

    missing = [str(f) for f in args.files if not f.is_file()]
    if missing:
        raise UsageError(f"berkas tidak ditemukan: {', '.join(missing)}")
    engine = store.get_engine()
    user = args.pengunggah or getpass.getuser()
    results = []
    any_errors = False
    for path in args.files:
        result, version = pipeline.import_file(
            engine, path.read_bytes(), path.name, user, polsek=args.polsek, bulan=args.bulan, dry_run=args.dry_run
        )
        any_errors = any_errors or bool(result.errors)
        results.append(result.to_dict(version))
        if not args.json:
            _print_result(result, version, args.dry_run)
    if args.json:
        print(json.dumps({"files": results}, ensure_ascii=False, indent=2))
    return 1 if any_errors else 0


def _print_result(result, version: int | None, dry_run: bool) -> None:
    where = f"{result.polsek or '?'} {format_bulan(result.bulan) if result.bulan else '?'}"
    if result.errors:
        print(f"DITOLAK  {result.file} ({where}): {result.errors_summary()}, tidak ada yang disimpan")
    elif dry_run:
        print(f"SAH      {result.file} ({where}): {result.rows()['kegiatan']} baris kegiatan, "
              f"{result.rows()['kerawanan']} baris kerawanan (uji, tidak disimpan)")
    else:
        print(f"DISIMPAN {result.file} ({where}) sebagai versi {version}")
    for issue in result.errors:
        print(f"  kesalahan: [{issue.sheet or '-'}] {issue.message}")
    for issue in result.warnings:
        print(f"  peringatan: [{issue.sheet or '-'}] {issue.message}")
    for issue in result.notes:
        print(f"  catatan: [{issue.sheet or '-'}] {issue.message}")


def cmd_rekap(args: argparse.Namespace) -> int:
    engine = store.get_engine()
    rekap = metrics.build_rekap(args.bulan, store.rows(engine, "kegiatan", args.bulan), store.rows(engine, "kerawanan", args.bulan))
    if args.json:
        print(metrics.rekap_json_text(rekap))
        return 0
    k = rekap.kelengkapan
    print(f"Rekap {format_bulan(args.bulan)}: {k['polsek_melapor']}/{k['polsek_total']} Polsek, "
          f"{k['desa_melapor']}/{k['desa_total']} desa melapor")
    if store.has_demo(engine):
        print("(berisi DATA CONTOH)")
    table = rekap.polsek[["polsek", "desa_melapor", "sambang_dds", "deteksi_dini", "indeks_kinerja", "indeks_kesiapan",
                          "personel_polri", "personel_linmas"]]
    print(table.to_string(index=False, float_format=lambda v: f"{v:.1f}"))
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from core import demo  # imported here: `rekap` does not load what only this command uses

    engine = store.get_engine()
    if args.hapus:
        removed = store.delete_demo(engine)
        print(f"{removed} versi DATA CONTOH dihapus; data asli tidak berubah.")
        return 0
    count = demo.generate(engine, dari=args.dari, sampai=args.sampai, seed=args.seed)
    print(f"{count} rekap DATA CONTOH disimpan (bertanda contoh; hapus dengan: python -m core demo --hapus).")
    if args.akun_contoh:
        for line in demo.demo_accounts(engine):
            print(line)
    return 0


def cmd_user(args: argparse.Namespace) -> int:
    from core import auth

    engine = store.get_engine()
    operator = auth.User(getpass.getuser(), "admin")  # the server's shell is the operator's own
    try:
        if args.user_command == "add":
            password = sys.stdin.readline().rstrip("\n")
            user = auth.create_user(engine, args.username, password, args.role, args.polsek, by=operator)
            print(f"Akun {user.label} dibuat.")
        elif args.user_command == "list":
            table = auth.users(engine)
            print(table[["username", "peran", "polsek", "aktif", "terakhir_masuk"]].to_string(index=False) if not table.empty else "Belum ada akun.")
        elif args.user_command == "disable":
            auth.set_active(engine, args.username, False, operator)
            print(f"Akun {args.username} dinonaktifkan.")
    except auth.AuthError as exc:
        raise UsageError(str(exc)) from exc
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from core import auth, backup

    engine = store.get_engine()
    counts = backup.backup(engine, args.out)
    auth.record(engine, getpass.getuser(), "cadangan", str(args.out.name), "ok", f"{counts.get('unggahan', 0)} versi")
    print(f"Cadangan ditulis ke {args.out}: {counts.get('unggahan', 0)} versi rekap, {counts.get('pengguna', 0)} akun.")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from core import auth, backup

    if not args.source.is_file():
        raise UsageError(f"berkas cadangan tidak ditemukan: {args.source}")
    if not args.ya:
        raise UsageError("pemulihan mengganti seluruh isi basis data; ulangi dengan --ya untuk mengonfirmasi")
    engine = store.get_engine()
    counts = backup.restore(engine, args.source)
    auth.record(engine, getpass.getuser(), "pulihkan", str(args.source.name), "ok", f"{counts.get('unggahan', 0)} versi")
    print(f"Dipulihkan dari {args.source}: {counts.get('unggahan', 0)} versi rekap, {counts.get('pengguna', 0)} akun.")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from core import export

    engine = store.get_engine()
    args.out.write_bytes(export.export(engine, args.bulan, args.format, args.polsek))
    print(f"Bahan Anev {format_bulan(args.bulan)} ({args.format}) ditulis ke {args.out}")
    return 0


COMMANDS = {"template": cmd_template, "import": cmd_import, "rekap": cmd_rekap, "demo": cmd_demo, "export": cmd_export,
            "user": cmd_user, "backup": cmd_backup, "restore": cmd_restore}


def main(argv: list[str] | None = None) -> int:
    """Run one command; returns the exit code (0 ok, 1 invalid files, 2 usage)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except UsageError as exc:
        print(f"kesalahan: {exc}", file=sys.stderr)
        return 2
