"""The notulen as a Word file (read back with python-docx), and the command line of the Anev loop."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from conftest import TODAY
from docx import Document
from workbooks import filled_template

from core import arahan, auth, cli, notulen, pipeline, store

PIMPINAN = auth.User("kapolres", "pimpinan")


@pytest.fixture
def loop_db(db_url, monkeypatch):
    """Two months of Polsek Insana, an arahan of September with a note, and one given at the October Anev."""
    monkeypatch.setenv("ANEV_DB_URL", db_url)
    engine = store.get_engine(db_url)
    for bulan in ("2024-09", "2024-10"):
        pipeline.import_file(engine, filled_template("Polsek Insana", bulan), "r.xlsx", "x", today=TODAY)
    old = arahan.add(engine, "Aktifkan kembali pos kamling di desa binaan", "2024-09", ["Polsek Insana"], "2024-12", PIMPINAN,
                     ukuran="pos_kamling_rasio", target=90.0, today=TODAY)
    arahan.add_note(engine, old, "2024-10", "Jadwal ronda ditempel di kantor desa", auth.User("c", "polsek", "Polsek Insana"))
    new = arahan.add(engine, "Petakan TPS sangat rawan bersama Linmas", "2024-10", ["Semua Polsek", "Sat Binmas"], "2024-11", PIMPINAN,
                     today=TODAY)
    return engine, old, new


def _text(doc: Document) -> str:
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def test_notulen_holds_date_month_findings_follow_up_and_new_arahan(loop_db):
    engine, old, _ = loop_db
    findings = ["Belum mengirim rekap Oktober 2024: Polsek Noemuti.", "Pos kamling aktif turun 12 poin persen."]
    doc = Document(io.BytesIO(notulen.build(engine, "2024-10", findings=findings, tanggal=dt.date(2024, 11, 8), pimpinan="Kapolres TTU")))
    text = _text(doc)
    assert "BULAN OKTOBER 2024" in text and "Jumat, 8 November 2024" in text and "Kapolres TTU" in text
    numbered = [p.text for p in doc.paragraphs if p.style.name == "List Number"]
    assert numbered == findings

    follow = arahan.follow_up(engine, "2024-10").set_index("id")
    tables = {t.rows[0].cells[1].text + "|" + t.rows[0].cells[-1].text: t for t in doc.tables if len(t.rows[0].cells) > 3}
    follow_table = next(t for k, t in tables.items() if k.endswith("Keterangan"))
    header = [c.text for c in follow_table.rows[0].cells]
    assert header == ["No", "Arahan", "Pelaksana", "Tenggat", "Target", "Status", "Saat diberikan", "Sekarang", "Keterangan"]
    row = [c.text for c in follow_table.rows[1].cells]
    assert row[1].startswith("Aktifkan kembali pos kamling") and "Anev September 2024" in row[1]
    assert row[2:6] == ["Polsek Insana", "Desember 2024", "Pos kamling aktif \u2265 90%", follow.loc[old, "status"]]
    assert row[6:8] == [follow.loc[old, "angka_awal_teks"], follow.loc[old, "angka_sekarang_teks"]]
    assert row[8] == "Jadwal ronda ditempel di kantor desa"
    assert len(follow_table.rows) == 2  # the arahan given at this meeting is not its own follow-up

    given_table = next(t for k, t in tables.items() if k.endswith("Target"))
    assert [c.text for c in given_table.rows[1].cells] == ["1", "Petakan TPS sangat rawan bersama Linmas", "Sat Binmas, Semua Polsek",
                                                           "November 2024", "\u2013"]


def test_notulen_without_arahan_or_findings_says_so(engine):
    doc = Document(io.BytesIO(notulen.build(engine, "2024-10", findings=[], tanggal=dt.date(2024, 11, 8))))
    text = _text(doc)
    assert "Tidak ada catatan khusus" in text and "Tidak ada arahan dari Anev sebelumnya" in text and "Tidak ada arahan baru" in text


def test_notulen_default_findings_include_the_arahan_that_stall(loop_db):
    engine, old, _ = loop_db
    arahan.update(engine, old, PIMPINAN, tenggat="2024-09")  # now overdue in October
    findings = notulen.default_findings(engine, "2024-10")
    assert any("Aktifkan kembali pos kamling" in f and "terlambat" in f for f in findings)
    assert any("Belum mengirim rekap Oktober 2024" in f for f in findings)


def test_notulen_command_writes_a_word_file(loop_db, tmp_path, capsys):
    out = tmp_path / "notulen.docx"
    assert cli.main(["notulen", "--bulan", "2024-10", "--out", str(out), "--tanggal", "2024-11-08"]) == 0
    assert "ditulis" in capsys.readouterr().out
    text = _text(Document(str(out)))
    assert "Jumat, 8 November 2024" in text and "Aktifkan kembali pos kamling" in text and "Petakan TPS sangat rawan" in text
    with pytest.raises(SystemExit) as refused:
        cli.main(["notulen", "--bulan", "2024-10", "--out", str(out), "--tanggal", "8/11/2024"])
    assert refused.value.code == 2 and "TTTT-BB-HH" in capsys.readouterr().err


def test_arahan_commands(loop_db, tmp_path, capsys):
    engine, old, new = loop_db
    code = cli.main(["arahan", "add", "--teks", "Koordinasi dengan PPS di setiap desa", "--bulan", "2024-10", "--pemilik", "Insana",
                     "--pemilik", "Noemuti", "--tenggat", "2024-11", "--ukuran", "cakupan_koordinasi", "--target", "100"])
    assert code == 0
    out = capsys.readouterr().out
    added = int(out.split("#")[1].split()[0])
    record = arahan.get(engine, added)
    # the command line is the server operator, recorded as such (it cannot name an account)
    operator = auth.cli_operator().username
    assert record["pemilik"] == ["Polsek Insana", "Polsek Noemuti"] and record["target"] == 100.0 and record["dicatat_oleh"] == operator
    assert operator.startswith("cli:") and auth.audit_log(engine, action="arahan.tambah")["pengguna"].iloc[0] == operator

    evidence = tmp_path / "foto.jpg"
    evidence.write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 64)
    assert cli.main(["arahan", "status", "--id", str(new), "--bulan", "2024-10", "--catatan", "Rencana pengamanan disusun",
                     "--status", "bergerak", "--bukti", str(evidence)]) == 0
    assert "status bergerak" in capsys.readouterr().out
    note = arahan.notes(engine, new).iloc[0]
    assert note["status"] == "bergerak" and note["nama_berkas"] == "foto.jpg"

    assert cli.main(["arahan", "list", "--bulan", "2024-10", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed["bulan"] == "2024-10" and [i["id"] for i in listed["arahan"]] == [old]  # the meeting's list: earlier arahan only
    assert cli.main(["arahan", "list", "--bulan", "2024-10", "--semua", "--json"]) == 0
    everything = {i["id"]: i for i in json.loads(capsys.readouterr().out)["arahan"]}
    assert set(everything) == {old, new, added} and everything[new]["status"] == "bergerak"
    assert cli.main(["arahan", "list", "--bulan", "2024-10", "--semua", "--status", "bergerak"]) == 0
    text = capsys.readouterr().out
    assert f"#{new} [bergerak]" in text and f"#{old} " not in text

    # bad input: exit 2 with the Indonesian sentence, nothing stored
    assert cli.main(["arahan", "add", "--teks", "Koordinasi", "--bulan", "2024-10", "--pemilik", "Atlantis", "--tenggat", "2024-11"]) == 2
    assert "Pelaksana tidak dikenal" in capsys.readouterr().err
    assert cli.main(["arahan", "status", "--id", str(old), "--bulan", "2024-10", "--catatan", "sudah", "--status", "tercapai"]) == 2
    assert "dihitung dari rekap" in capsys.readouterr().err
    assert cli.main(["arahan", "list", "--status", "selesai"]) == 2
    bad = tmp_path / "foto.png"
    bad.write_text("bukan gambar")
    assert cli.main(["arahan", "status", "--id", str(new), "--bulan", "2024-10", "--catatan", "foto", "--bukti", str(bad)]) == 2
    assert "JPG atau PNG" in capsys.readouterr().err
    assert len(arahan.list_frame(engine)) == 3 and len(arahan.notes(engine, new)) == 1


def test_rekap_json_carries_the_arahan(loop_db, capsys):
    engine, old, new = loop_db
    assert cli.main(["rekap", "--bulan", "2024-10", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert list(data) == ["bulan", "totals", "polsek", "desa", "kelengkapan", "arahan"]
    assert data["arahan"] == arahan.to_json(engine, "2024-10")
    assert [i["id"] for i in data["arahan"]] == [old, new]
    assert data["arahan"][0]["target"]["ukuran"] == "pos_kamling_rasio"
    assert cli.main(["rekap", "--bulan", "2024-08", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["arahan"] == []
