"""Command line `python -m core`: a thin layer over the same functions the screens use (spec section 7)."""

from __future__ import annotations

import argparse
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

    rek = sub.add_parser("rekap", help="rekapitulasi satu bulan")
    rek.add_argument("--bulan", required=True, type=_bulan, help="bulan TTTT-BB")
    rek.add_argument("--json", action="store_true", help="keluaran JSON")

    exp = sub.add_parser("export", help="bahan Anev satu bulan: PowerPoint (grafik dapat diedit) atau Excel siap cetak")
    exp.add_argument("--bulan", required=True, type=_bulan, help="bulan TTTT-BB")
    exp.add_argument("--format", required=True, choices=["pptx", "xlsx"], help="pptx atau xlsx")
    exp.add_argument("--out", required=True, type=Path, help="berkas yang ditulis")
    exp.add_argument("--polsek", type=_polsek, help="hanya satu Polsek (bawaan: semua)")

    usr = sub.add_parser("user", help="akun pengguna: add, list, disable, delete, reset-password")
    usr_sub = usr.add_subparsers(dest="user_command", required=True, metavar="AKSI")
    add = usr_sub.add_parser("add", help="tambah akun (kata sandi dibaca dari stdin)")
    add.add_argument("--username", required=True, help="nama pengguna")
    add.add_argument("--role", required=True, choices=["admin", "pimpinan", "polsek"], help="peran")
    add.add_argument("--polsek", type=_polsek, help="Polsek untuk peran polsek")
    add.add_argument("--password-stdin", action="store_true", required=True, help="baca kata sandi dari stdin (satu baris)")
    usr_sub.add_parser("list", help="daftar akun")
    dis = usr_sub.add_parser("disable", help="nonaktifkan akun (semua sesinya berakhir)")
    dis.add_argument("--username", required=True, help="nama pengguna")
    dele = usr_sub.add_parser("delete", help="hapus akun (semua sesinya berakhir; jejak audit tetap)")
    dele.add_argument("--username", required=True, help="nama pengguna")
    rst = usr_sub.add_parser("reset-password", help="ganti kata sandi akun (dibaca dari stdin; semua sesinya berakhir)")
    rst.add_argument("--username", required=True, help="nama pengguna")
    rst.add_argument("--password-stdin", action="store_true", required=True, help="baca kata sandi baru dari stdin (satu baris)")

    bak = sub.add_parser("backup", help="salinan basis data yang konsisten (boleh saat dasbor berjalan)")
    bak.add_argument("--out", required=True, type=Path, help="berkas cadangan (.db, SQLite)")
    res = sub.add_parser("restore", help="pulihkan basis data dari berkas cadangan (menggantikan isi sekarang)")
    res.add_argument("--from", dest="source", required=True, type=Path, help="berkas cadangan")
    res.add_argument("--ya", action="store_true", help="konfirmasi: isi basis data sekarang diganti")

    dem = sub.add_parser("demo", help="isi basis data dengan DATA CONTOH (sintetis)")
    dem.add_argument("--dari", type=_bulan, help="bulan pertama TTTT-BB (bawaan: 11 bulan sebelum --sampai)")
    dem.add_argument("--sampai", type=_bulan, help="bulan terakhir TTTT-BB (bawaan: bulan ini)")
    dem.add_argument("--seed", type=int, default=2024, help="benih acak agar hasil dapat diulang")
    dem.add_argument("--hapus", action="store_true", help="hapus semua DATA CONTOH dan akun contoh (data asli tetap)")
    dem.add_argument("--akun-contoh", action="store_true",
                     help="juga buat akun contoh (hanya untuk mencoba: admin-contoh, pimpinan-contoh, insana-contoh)")
    _add_loop_commands(sub)
    _add_rapor_command(sub)
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
    from core import auth

    engine = store.get_engine()
    user = auth.cli_operator()  # the server's shell, recorded as such; it cannot pass for an account
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
        from core import arahan

        print(arahan.json_into(metrics.rekap_json_text(rekap), engine, args.bulan))
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
        from core import auth

        try:
            removed, accounts = auth.remove_demo(engine, by=auth.cli_operator())
        except auth.AuthError as exc:
            raise UsageError(str(exc)) from exc
        print(f"{removed} versi DATA CONTOH dihapus; data asli tidak berubah.")
        print(f"Akun contoh dihapus: {', '.join(accounts)}." if accounts else "Tidak ada akun contoh.")
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
    operator = auth.cli_operator()  # the server's shell is the operator's own: `cli:<OS user>` in the audit trail
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
            print(f"Akun {args.username} dinonaktifkan; sesinya berakhir.")
        elif args.user_command == "delete":
            auth.delete_user(engine, args.username, operator)
            print(f"Akun {args.username} dihapus; sesinya berakhir.")
        elif args.user_command == "reset-password":
            password = sys.stdin.readline().rstrip("\n")
            auth.set_password(engine, args.username, password, operator)
            print(f"Kata sandi {args.username} diganti; semua sesinya berakhir.")
    except auth.AuthError as exc:
        raise UsageError(str(exc)) from exc
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from core import auth, backup

    engine = store.get_engine()
    try:
        counts = backup.backup(engine, args.out)
    except backup.BackupError as exc:
        print(f"kesalahan: {exc}", file=sys.stderr)
        return 1
    auth.record(engine, auth.cli_operator().username, "cadangan", str(args.out.name), "ok", f"{counts.get('unggahan', 0)} versi")
    print(f"Cadangan ditulis ke {args.out}: {counts.get('unggahan', 0)} versi rekap, {counts.get('pengguna', 0)} akun.")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from core import auth, backup

    if not args.source.is_file():
        raise UsageError(f"berkas cadangan tidak ditemukan: {args.source}")
    if not args.ya:
        raise UsageError("pemulihan mengganti seluruh isi basis data; ulangi dengan --ya untuk mengonfirmasi")
    engine = store.get_engine()
    try:
        counts, safety = backup.restore(engine, args.source, by=auth.cli_operator())
    except backup.BackupError as exc:
        print(f"kesalahan: {exc}", file=sys.stderr)
        return 1
    print(f"Dipulihkan dari {args.source}: {counts.get('unggahan', 0)} versi rekap, {counts.get('pengguna', 0)} akun. "
          f"Isi sebelumnya disimpan di {safety}. Semua pengguna perlu masuk lagi.")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from core import export

    engine = store.get_engine()
    args.out.write_bytes(export.export(engine, args.bulan, args.format, args.polsek))
    print(f"Bahan Anev {format_bulan(args.bulan)} ({args.format}) ditulis ke {args.out}")
    return 0


COMMANDS = {"template": cmd_template, "import": cmd_import, "rekap": cmd_rekap, "demo": cmd_demo, "export": cmd_export,
            "user": cmd_user, "backup": cmd_backup, "restore": cmd_restore}


# --------------------------------------------------------------------------- the Anev loop: arahan, verifikasi, notulen


def _tanggal(value: str):
    import datetime as dt

    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"tanggal harus TTTT-BB-HH, misalnya 2024-10-09 (bukan {value!r})") from exc


def _add_loop_commands(sub) -> None:
    """`arahan list|add|status`, `verifikasi`, `notulen` (choices are checked by `core.arahan`, which the parser does not load)."""
    ara = sub.add_parser("arahan", help="arahan Anev dan tindak lanjutnya: list, add, status")
    ara_sub = ara.add_subparsers(dest="arahan_command", required=True, metavar="AKSI")
    lst = ara_sub.add_parser("list", help="arahan dengan statusnya pada satu bulan Anev")
    lst.add_argument("--bulan", type=_bulan, help="bulan Anev TTTT-BB (bawaan: bulan ini)")
    lst.add_argument("--polsek", type=_polsek, help="hanya arahan untuk Polsek ini, diukur pada desanya")
    lst.add_argument("--status", help="hanya status ini: terlambat, tidak bergerak, belum dinilai, bergerak, baru, tercapai, ditutup")
    lst.add_argument("--semua", action="store_true",
                     help="semua arahan sampai bulan itu (bawaan: yang dibahas di rapat, yaitu arahan bulan-bulan sebelumnya yang masih terbuka)")
    lst.add_argument("--json", action="store_true", help="keluaran JSON (bentuk yang sama dengan \"arahan\" di rekap --json)")
    add = ara_sub.add_parser("add", help="catat arahan yang diberikan pada Anev")
    add.add_argument("--teks", required=True, help="isi arahan")
    add.add_argument("--bulan", required=True, type=_bulan, help="bulan Anev saat arahan diberikan TTTT-BB")
    add.add_argument("--pemilik", required=True, action="append",
                     help="pelaksana: nama Polsek, \"Semua Polsek\" atau satuan (Sat Binmas ...); boleh diulang")
    add.add_argument("--tenggat", required=True, type=_bulan, help="bulan tenggat TTTT-BB")
    add.add_argument("--ukuran", help="ukuran target terukur (opsional), misalnya pos_kamling_rasio, cakupan_koordinasi")
    add.add_argument("--target", type=float, help="angka target (persen untuk rasio dan cakupan)")
    add.add_argument("--arah", choices=[">=", "<="], default=">=", help="'>=' paling sedikit (bawaan) atau '<=' paling banyak")
    add.add_argument("--lingkup", action="append", type=_polsek, help="Polsek tempat target diukur (bawaan: Polsek pelaksana)")
    add.add_argument("--sumber", help="asal arahan, misalnya catatan Anev yang membahasnya")
    sta = ara_sub.add_parser("status", help="catatan perkembangan, atau status yang ditetapkan untuk arahan tanpa target terukur")
    sta.add_argument("--id", required=True, type=int, help="nomor arahan (lihat arahan list)")
    sta.add_argument("--bulan", required=True, type=_bulan, help="bulan catatan TTTT-BB")
    sta.add_argument("--catatan", required=True, help="apa yang sudah dilakukan")
    sta.add_argument("--status", help="status yang ditetapkan: bergerak, tidak bergerak atau tercapai (hanya arahan tanpa target terukur)")
    sta.add_argument("--bukti", type=Path, help="foto (JPG/PNG) atau PDF bukti dukung")

    ver = sub.add_parser("verifikasi", help="rekap yang sudah dan belum diverifikasi per Polsek untuk satu bulan")
    ver.add_argument("--bulan", required=True, type=_bulan, help="bulan TTTT-BB")
    ver.add_argument("--json", action="store_true", help="keluaran JSON")

    nt = sub.add_parser("notulen", help="notulen Anev sebagai dokumen Word (.docx)")
    nt.add_argument("--bulan", required=True, type=_bulan, help="bulan yang dievaluasi TTTT-BB")
    nt.add_argument("--out", required=True, type=Path, help="berkas .docx yang ditulis")
    nt.add_argument("--tanggal", type=_tanggal, help="tanggal rapat TTTT-BB-HH (bawaan: hari ini, WITA)")
    nt.add_argument("--polsek", type=_polsek, help="hanya satu Polsek (bawaan: seluruh Polres)")


def _operator(args: argparse.Namespace):
    """The command line acts as the server operator (`cli:<OS user>`), never as an account (it cannot impersonate one)."""
    from core import auth

    return auth.cli_operator()


def cmd_arahan(args: argparse.Namespace) -> int:
    from core import arahan, auth
    from core.months import current_bulan

    engine = store.get_engine()
    try:
        if args.arahan_command == "list":
            bulan = args.bulan or current_bulan()
            if args.status and args.status not in arahan.STATUSES:
                raise UsageError(f"status tidak dikenal: {args.status!r}. Pilihan: {', '.join(arahan.STATUSES)}")
            if args.json:
                items = arahan.to_json(engine, bulan, args.polsek)
                if not args.semua:
                    shown = set(arahan.follow_up(engine, bulan, args.polsek, view="rapat")["id"])
                    items = [i for i in items if i["id"] in shown]
                if args.status:
                    items = [i for i in items if i["status"] == args.status]
                print(json.dumps({"bulan": bulan, "arahan": items}, ensure_ascii=False, indent=2))
                return 0
            rows = arahan.follow_up(engine, bulan, args.polsek, view="semua" if args.semua else "rapat")
            rows = arahan.filter_rows(rows, status=args.status)
            print(f"Tindak lanjut arahan, Anev {format_bulan(bulan)} ({args.polsek or 'Polres'}): {len(rows)} arahan")
            for row in rows.itertuples(index=False):
                print(f"#{row.id} [{row.status}] {row.teks}")
                print(f"    pelaksana {row.pemilik}; Anev {format_bulan(row.bulan_diberikan)}; tenggat {format_bulan(row.tenggat)}; "
                      f"target {row.target_teks}; saat diberikan {row.angka_awal_teks}, sekarang {row.angka_sekarang_teks}")
                print(f"    {row.penjelasan}")
            return 0
        if args.arahan_command == "add":
            new_id = arahan.add(engine, args.teks, args.bulan, args.pemilik, args.tenggat, _operator(args), ukuran=args.ukuran,
                                arah=args.arah, target=args.target, lingkup=args.lingkup, sumber=args.sumber)
            print(f"Arahan #{new_id} dicatat (Anev {format_bulan(args.bulan)}, tenggat {format_bulan(args.tenggat)}).")
            return 0
        evidence = None
        if args.bukti is not None:
            if not args.bukti.is_file():
                raise UsageError(f"berkas bukti tidak ditemukan: {args.bukti}")
            evidence = (args.bukti.name, args.bukti.read_bytes())
        arahan.add_note(engine, args.id, args.bulan, args.catatan, _operator(args), status=args.status, evidence=evidence)
        print(f"Arahan #{args.id}: {'status ' + args.status if args.status else 'catatan'} {format_bulan(args.bulan)} dicatat.")
        return 0
    except (arahan.ArahanError, auth.AuthError) as exc:
        raise UsageError(str(exc)) from exc


def cmd_verifikasi(args: argparse.Namespace) -> int:
    import pandas as pd

    from core import verifikasi

    engine = store.get_engine()
    frame = verifikasi.status(engine, [args.bulan])
    if args.json:
        records = [{"polsek": r.polsek, "bulan": r.bulan, "versi_terbaru": int(r.versi_terbaru),
                    "versi_terverifikasi": None if pd.isna(r.versi_terverifikasi) else int(r.versi_terverifikasi),
                    "terverifikasi": bool(r.terverifikasi), "oleh": r.oleh if isinstance(r.oleh, str) else None}
                   for r in frame.itertuples(index=False)]
        print(json.dumps({"bulan": args.bulan, "verifikasi": records}, ensure_ascii=False, indent=2))
        return 0
    done = int(frame["terverifikasi"].sum())
    uploaded = int((frame["versi_terbaru"] > 0).sum())
    print(f"Verifikasi {format_bulan(args.bulan)}: {done} dari {uploaded} rekap yang masuk sudah diverifikasi ({len(frame)} Polsek).")
    for r in frame.itertuples(index=False):
        if r.versi_terbaru == 0:
            state = "belum mengunggah"
        elif r.terverifikasi:
            state = f"terverifikasi versi {r.versi_terverifikasi} oleh {r.oleh}"
        else:
            state = f"versi {r.versi_terbaru} belum diverifikasi"
        print(f"  {r.polsek}: {state}")
    return 0


def cmd_notulen(args: argparse.Namespace) -> int:
    from core import notulen

    engine = store.get_engine()
    args.out.write_bytes(notulen.build(engine, args.bulan, tanggal=args.tanggal, polsek=args.polsek))
    print(f"Notulen Anev {format_bulan(args.bulan)} ditulis ke {args.out}")
    return 0


COMMANDS.update({"arahan": cmd_arahan, "verifikasi": cmd_verifikasi, "notulen": cmd_notulen})


# --------------------------------------------------------------------------- rapor Anev for WhatsApp (PDF, PNG)


def _rapor_format(value: str) -> str:
    if value not in ("pdf", "png"):
        raise argparse.ArgumentTypeError(f"format rapor harus pdf atau png (bukan {value!r})")
    return value


def _add_rapor_command(sub) -> None:
    """`rapor`: the one-page Rapor Anev of the Polres or one Polsek, for WhatsApp."""
    rap = sub.add_parser("rapor", help="rapor Anev satu halaman untuk WhatsApp (PDF atau PNG): Polres atau satu Polsek")
    rap.add_argument("--bulan", required=True, type=_bulan, help="bulan TTTT-BB")
    rap.add_argument("--polsek", type=_polsek, help="rapor satu Polsek (bawaan: ringkasan Polres)")
    rap.add_argument("--format", required=True, type=_rapor_format, metavar="pdf|png", help="pdf atau png")
    rap.add_argument("--out", required=True, type=Path, help="berkas yang ditulis")


def cmd_rapor(args: argparse.Namespace) -> int:
    from core import rapor
    from core.access import Scope

    suffix = args.out.suffix.lower().lstrip(".")
    if suffix in ("pdf", "png") and suffix != args.format:
        raise UsageError(f"berkas {args.out.name} berakhiran .{suffix}, tetapi --format {args.format}: samakan keduanya")
    if not args.out.parent.is_dir():
        raise UsageError(f"folder untuk --out tidak ada: {args.out.parent}")
    content = rapor.rapor(store.get_engine(), args.bulan, Scope(args.polsek), args.format)
    args.out.write_bytes(content)
    print(f"Rapor Anev {format_bulan(args.bulan)} {args.polsek or 'Polres'} ({args.format}, {len(content) // 1024} KB) ditulis ke {args.out}")
    return 0


COMMANDS["rapor"] = cmd_rapor


def main(argv: list[str] | None = None) -> int:
    """Run one command; returns the exit code (0 ok, 1 invalid files, 2 usage)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except UsageError as exc:
        print(f"kesalahan: {exc}", file=sys.stderr)
        return 2
