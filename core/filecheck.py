"""Checks made before any spreadsheet parser sees a file: signature and archive size.

Parsers inflate an xlsx/ods completely; a 500 KB file can expand to gigabytes. The zip
central directory states each member's sizes, so we can refuse a bomb without inflating it.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass

ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: A password-protected .xlsx is an OLE2 container holding these streams (names in UTF-16).
_ENCRYPTED_STREAMS = ("EncryptedPackage".encode("utf-16-le"), "EncryptionInfo".encode("utf-16-le"))

#: Limits for the inflated size of a workbook archive.
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_RATIO = 200.0
MAX_MEMBERS = 2000
DEFAULT_MAX_UPLOAD_BYTES = 10 * 1024 * 1024


def _size(n: float) -> str:
    """A byte count as people read it: `850 KB`, `12,4 MB`."""
    if n < 1024 * 1024:
        return f"{max(n / 1024, 1):.0f} KB"
    return f"{n / (1024 * 1024):.1f} MB".replace(".", ",")


class FileRefused(ValueError):
    """The file is not a spreadsheet we may open; the message is Indonesian and says what to do."""


#: The sentence for a damaged workbook (also when a reader would misread its structure).
BROKEN = "Berkas Excel rusak dan tidak dapat dibuka. Simpan ulang dari Excel lalu unggah kembali."

_INFLATE_CHUNK = 1024 * 1024
_LYING_ARCHIVE = (
    "Berkas ditolak: ukuran isi yang tercatat di dalam berkas tidak sesuai dengan isinya yang sebenarnya. "
    "Simpan ulang rekap dari Excel lalu unggah kembali."
)


def _check_declared_sizes(content: bytes, infos: list[zipfile.ZipInfo]) -> None:
    """Inflate every deflated member in bounded chunks and refuse it if it holds more than its directory says.

    The directory's sizes are what the limits above trust; a crafted archive can understate them,
    and the spreadsheet readers inflate whatever the stream holds. Memory stays at one chunk.
    """
    for info in infos:
        if info.compress_type != zipfile.ZIP_DEFLATED:
            continue
        start = info.header_offset
        if content[start:start + 4] != b"PK\x03\x04":
            raise FileRefused(_LYING_ARCHIVE)
        name_len, extra_len = struct.unpack("<HH", content[start + 26:start + 30])
        data_start = start + 30 + name_len + extra_len
        inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        produced = 0
        pending = content[data_start:data_start + info.compress_size]
        try:
            while pending or not inflater.eof:
                out = inflater.decompress(pending, _INFLATE_CHUNK)
                produced += len(out)
                if produced > info.file_size:
                    raise FileRefused(_LYING_ARCHIVE)
                pending = inflater.unconsumed_tail
                if not out and not pending:
                    break
        except zlib.error as exc:
            raise FileRefused(BROKEN) from exc


@dataclass(frozen=True)
class SpreadsheetKind:
    """What the signature says the file is: `xlsx`, `ods` or `xls`."""

    kind: str


def sniff(content: bytes, max_bytes: int = DEFAULT_MAX_UPLOAD_BYTES) -> SpreadsheetKind:
    """Identify a spreadsheet by its bytes (never by its name) and refuse anything unsafe."""
    if not content:
        raise FileRefused("Berkas kosong (0 byte). Simpan ulang rekap dari Excel lalu unggah kembali.")
    if len(content) > max_bytes:
        raise FileRefused(
            f"Berkas terlalu besar ({_size(len(content))}; batas {_size(max_bytes)}). "
            "Hapus gambar atau lembar lain yang tidak diperlukan, lalu unggah kembali."
        )
    if content.startswith(OLE2_MAGIC):
        if any(name in content for name in _ENCRYPTED_STREAMS):
            raise FileRefused(
                "Berkas dilindungi kata sandi, sehingga tidak dapat dibaca. Buka di Excel, hapus kata sandinya "
                "(File > Info > Lindungi Buku Kerja > Enkripsi dengan Kata Sandi, kosongkan), simpan, lalu unggah kembali."
            )
        return SpreadsheetKind("xls")
    if not content.startswith(ZIP_MAGIC):
        raise FileRefused(
            "Berkas ini bukan lembar kerja Excel (.xlsx/.xls) atau .ods, walaupun namanya mungkin begitu. "
            "Buka rekap di Excel lalu pilih Simpan Sebagai > Buku Kerja Excel (.xlsx)."
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile as exc:
        raise FileRefused(BROKEN) from exc
    with archive:
        infos = archive.infolist()
        names = {info.filename for info in infos}
        if len(infos) > MAX_MEMBERS:
            raise FileRefused("Berkas berisi terlalu banyak bagian untuk sebuah rekap. Simpan ulang sebagai .xlsx biasa.")
        total = sum(info.file_size for info in infos)
        compressed = sum(info.compress_size for info in infos)
        ratio = total / max(compressed, 1)
        if total > MAX_UNCOMPRESSED_BYTES or (total > 1024 * 1024 and ratio > MAX_RATIO):
            raise FileRefused(
                "Berkas ditolak: isinya yang dipadatkan terlalu besar atau tidak wajar untuk sebuah rekap "
                f"({_size(total)} setelah dibuka, rasio {ratio:.0f}:1). Gunakan templat rekap yang asli."
            )
        _check_declared_sizes(content, infos)
        if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names):
            return SpreadsheetKind("xlsx")
        if "mimetype" in names:
            mimetype = archive.read("mimetype")[:100]
            if b"opendocument.spreadsheet" in mimetype:
                return SpreadsheetKind("ods")
    raise FileRefused(
        "Berkas ini arsip ZIP atau dokumen lain, bukan lembar kerja Excel. "
        "Unggah rekap dalam format .xlsx (atau .xls/.ods)."
    )
