"""Checks before any parser sees the bytes: signature, archive size and compression ratio."""

from __future__ import annotations

import functools
import io
import os
import struct
import tracemalloc
import zipfile

import pandas as pd
import pytest

from core.filecheck import MAX_MEMBERS, MAX_RATIO, MAX_UNCOMPRESSED_BYTES, FileRefused, sniff
from core.template import build_template

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _zip(members: dict[str, bytes | str], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def _zeros_member(size_mb: int, name: str = "xl/worksheets/sheet1.xml") -> bytes:
    """An xlsx-looking zip whose member inflates to `size_mb` MB of zeros, streamed so it never sits in memory."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open(name, "w", force_zip64=True) as member:
            chunk = b"\0" * (1 << 20)
            for _ in range(size_mb):
                member.write(chunk)
    return out.getvalue()


@functools.cache
def _bomb() -> bytes:
    return _zeros_member(210)  # 210 MB inflated: over the 200 MB limit


@functools.cache
def _xlsx() -> bytes:
    return build_template("Polsek Insana Utara", "2024-09")


def _ods() -> bytes:
    out = io.BytesIO()
    with pd.ExcelWriter(out, engine="odf") as writer:
        pd.DataFrame({"Desa": ["Oesoko"], "Sambang": [12]}).to_excel(writer, sheet_name="Kegiatan", index=False)
    return out.getvalue()


# --------------------------------------------------------------------------- accepted


def test_xlsx_template_is_xlsx() -> None:
    assert sniff(_xlsx()).kind == "xlsx"


def test_ods_is_ods() -> None:
    assert sniff(_ods()).kind == "ods"


def test_ole2_is_xls() -> None:
    assert sniff(OLE2 + b"\0" * 1000).kind == "xls"


def test_large_but_ordinary_archive_is_accepted() -> None:
    """2 MB of varied XML compresses about 1.3:1: far from a bomb."""
    noise = os.urandom(1_500_000).hex()[:2_000_000]
    content = _zip({"[Content_Types].xml": "<Types/>", "xl/worksheets/sheet1.xml": noise})
    assert sniff(content).kind == "xlsx"


# --------------------------------------------------------------------------- refused


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        pytest.param(b"", "Berkas kosong", id="empty"),
        pytest.param(b"%PDF-1.7\n" + b"x" * 100, "bukan lembar kerja Excel", id="pdf"),
        pytest.param(b"Desa,Sambang\nOesoko,12\n", "bukan lembar kerja Excel", id="csv"),
        pytest.param(b"<html><body>rekap</body></html>", "bukan lembar kerja Excel", id="html-saved-as-xls"),
        pytest.param(b"\x89PNG\r\n\x1a\n" + b"\0" * 50, "bukan lembar kerja Excel", id="png"),
        pytest.param(b"PK\x03\x04" + b"\0" * 100, "rusak", id="broken-zip"),
        pytest.param(_zip({"foto.jpg": b"\xff\xd8\xff" + b"a" * 50}), "arsip ZIP", id="zip-of-photos"),
        pytest.param(_zip({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w/>"}), "bukan lembar kerja Excel", id="docx"),
        pytest.param(_zip({"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": "<x/>"}), "bukan lembar kerja", id="odt"),
        pytest.param(OLE2 + b"\0" * 100 + "EncryptedPackage".encode("utf-16-le") + b"\0" * 100, "kata sandi", id="password-xlsx"),
    ],
)
def test_refused_with_a_message_saying_what_to_do(content: bytes, fragment: str) -> None:
    with pytest.raises(FileRefused) as refused:
        sniff(content)
    message = str(refused.value)
    assert fragment in message
    assert any(word in message for word in ("Simpan", "Unggah", "unggah", "Gunakan", "Buka")), message


def test_file_over_the_upload_limit() -> None:
    content = _xlsx()
    assert sniff(content, max_bytes=len(content)).kind == "xlsx"
    with pytest.raises(FileRefused, match=r"terlalu besar \(\d+ KB; batas 10 KB\)"):
        sniff(content, max_bytes=10 * 1024)


def test_archive_with_too_many_members() -> None:
    members = {"[Content_Types].xml": "<Types/>", **{f"xl/media/image{i}.png": b"x" for i in range(MAX_MEMBERS + 1)}}
    with pytest.raises(FileRefused, match="terlalu banyak bagian"):
        sniff(_zip(members, compression=zipfile.ZIP_STORED))


def test_small_archive_with_a_bomb_ratio() -> None:
    """5 MB of zeros compress about 1000:1: refused although well under the size limit."""
    content = _zeros_member(5)
    assert len(content) * MAX_RATIO < 5 * 1024 * 1024
    with pytest.raises(FileRefused, match=r"tidak wajar untuk sebuah rekap \(5,0 MB setelah dibuka, rasio \d+:1\)"):
        sniff(content)


def test_archive_bomb_is_refused_from_its_directory_without_inflating() -> None:
    content = _bomb()
    assert len(content) < 2_000_000
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert sum(i.file_size for i in archive.infolist()) > MAX_UNCOMPRESSED_BYTES
    tracemalloc.start()
    try:
        with pytest.raises(FileRefused, match="terlalu besar atau tidak wajar"):
            sniff(content)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 50 * 1024 * 1024


def test_total_size_limit_applies_whatever_the_ratio(monkeypatch: pytest.MonkeyPatch) -> None:
    """The size limit alone refuses an archive (here lowered to 1 MB for a 2 MB archive of ordinary ratio)."""
    import core.filecheck

    noise = os.urandom(1_500_000).hex()[:2_000_000]
    content = _zip({"[Content_Types].xml": "<Types/>", "xl/worksheets/sheet1.xml": noise})
    monkeypatch.setattr(core.filecheck, "MAX_UNCOMPRESSED_BYTES", 1024 * 1024)
    with pytest.raises(FileRefused, match=r"\(1,9 MB setelah dibuka, rasio 2:1\)"):
        sniff(content)


def _understated(content: bytes, name: str, fake_size: int) -> bytes:
    """The archive with `name`'s uncompressed size rewritten (local header and directory) to `fake_size`."""
    data = bytearray(content)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        info = archive.getinfo(name)
    struct.pack_into("<I", data, info.header_offset + 22, fake_size)
    pos = data.find(b"PK\x01\x02")
    while pos != -1:
        name_len = struct.unpack_from("<H", data, pos + 28)[0]
        if bytes(data[pos + 46:pos + 46 + name_len]) == name.encode():
            struct.pack_into("<I", data, pos + 24, fake_size)
        pos = data.find(b"PK\x01\x02", pos + 4)
    return bytes(data)


def test_archive_that_understates_its_sizes_is_refused() -> None:
    """A crafted directory claiming 2 KB for 5 MB of zeros passes the size and ratio checks, not the inflation check."""
    name = "xl/worksheets/sheet1.xml"
    honest = _zip({"[Content_Types].xml": "<Types/>", name: b"\0" * (5 * 1024 * 1024)})
    lying = _understated(honest, name, 2048)
    with zipfile.ZipFile(io.BytesIO(lying)) as archive:
        assert sum(i.file_size for i in archive.infolist()) < 4096  # what the directory claims
    with pytest.raises(FileRefused, match="tidak sesuai dengan isinya yang sebenarnya"):
        sniff(lying)
    with pytest.raises(FileRefused, match="tidak wajar"):
        sniff(honest)  # told the truth, it is a ratio bomb


def test_name_is_never_consulted() -> None:
    """`sniff` takes bytes only: a PDF is refused whatever it is called, a real xlsx accepted."""
    with pytest.raises(FileRefused):
        sniff(b"%PDF-1.4 rekap.xlsx")
    assert sniff(_xlsx()).kind == "xlsx"
