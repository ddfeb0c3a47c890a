"""Reference data from `data/`: geography, Polsek areas, aliases, header variants, indicators, settings.

Everything here is read from files so the Sat Binmas operator can correct it without code;
each loader is cached because the files change only with a restart.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from core import config
from core.text import fold, normalise_header, normalise_name

SHEETS = ("kegiatan", "kerawanan")
SHEET_TITLES = {"kegiatan": "Kegiatan", "kerawanan": "Kerawanan"}
#: Headers of a numbering column, read and ignored without a note.
NUMBERING_HEADERS = {"no", "nomor", "no urut", "nr", "urut"}


def _path(name: str) -> Path:
    return config.data_dir() / name


def _csv(name: str) -> pd.DataFrame:
    return pd.read_csv(_path(name), dtype=str, keep_default_na=False, encoding="utf-8")


@dataclass(frozen=True)
class Indicator:
    """One column of the recap workbook, as the catalogue in `data/indikator.csv` defines it."""

    key: str
    sheet: str
    header: str
    label: str
    unit: str
    tipe: str  # teks, desa, pangkat, nrp, angka, ya_tidak
    wajib: bool
    aturan: str
    urutan: int

    @property
    def max_of(self) -> str | None:
        """Key of the column this count may not exceed (`maks:ps_ditangani`)."""
        return self.aturan.split(":", 1)[1] if self.aturan.startswith("maks:") else None


@lru_cache(maxsize=1)
def indicators() -> tuple[Indicator, ...]:
    """The indicator catalogue, in sheet and column order."""
    frame = _csv("indikator.csv")
    items = [
        Indicator(
            key=row.key,
            sheet=row.sheet,
            header=row.header,
            label=row.label,
            unit=row.unit,
            tipe=row.tipe,
            wajib=row.wajib == "1",
            aturan=row.aturan,
            urutan=int(row.urutan),
        )
        for row in frame.itertuples(index=False)
    ]
    return tuple(sorted(items, key=lambda i: (SHEETS.index(i.sheet), i.urutan)))


def sheet_indicators(sheet: str) -> list[Indicator]:
    """Columns of one sheet in template order."""
    return [i for i in indicators() if i.sheet == sheet]


def indicator(sheet: str, key: str) -> Indicator:
    """One column of a sheet by key."""
    for item in sheet_indicators(sheet):
        if item.key == key:
            return item
    raise KeyError(f"{sheet}.{key}")


def count_keys(sheet: str | None = None) -> list[str]:
    """Keys that are whole-number counts (summed upwards)."""
    return [i.key for i in indicators() if i.tipe == "angka" and (sheet is None or i.sheet == sheet)]


def bool_keys(sheet: str | None = None) -> list[str]:
    """Keys that are Ya/Tidak (aggregated as counts of Ya)."""
    return [i.key for i in indicators() if i.tipe == "ya_tidak" and (sheet is None or i.sheet == sheet)]


def label(key: str) -> str:
    """The Indonesian label of a key, for screens and messages."""
    for item in indicators():
        if item.key == key:
            return item.label
    return key


@lru_cache(maxsize=1)
def index_components() -> pd.DataFrame:
    """Components of Indeks Kinerja, Indeks Kesiapan and Skor Kerawanan with targets and weights."""
    frame = _csv("indeks.csv")
    frame["target"] = frame["target"].astype(float)
    frame["bobot"] = frame["bobot"].astype(float)
    frame["nilai_kosong"] = pd.to_numeric(frame["nilai_kosong"], errors="coerce")
    return frame


@lru_cache(maxsize=1)
def settings() -> dict:
    """`data/pengaturan.toml`: deadlines, category thresholds, election agenda, matching tolerances."""
    with _path("pengaturan.toml").open("rb") as handle:
        return tomllib.load(handle)


@lru_cache(maxsize=1)
def guard_ratios() -> pd.DataFrame:
    """TPS guard ratio schemes (Polri : TPS : Linmas per class)."""
    frame = _csv("rasio_pengamanan.csv")
    for col in ("polri", "tps", "linmas"):
        frame[col] = frame[col].astype(float)
    return frame


@lru_cache(maxsize=1)
def polsek_kecamatan() -> pd.DataFrame:
    """Which Polsek covers which kecamatan."""
    return _csv("polsek_kecamatan.csv")


@lru_cache(maxsize=1)
def desa_default() -> pd.DataFrame:
    """The desa/kelurahan of `desa.csv`: code, kecamatan, Polsek, a point inside the desa, default border flag."""
    frame = _csv("desa.csv")
    frame["lat"] = pd.to_numeric(frame["lat"], errors="coerce")
    frame["lon"] = pd.to_numeric(frame["lon"], errors="coerce")
    frame["perbatasan"] = frame["perbatasan"] == "1"
    polsek_of = polsek_kecamatan().set_index("kode_kecamatan")["polsek"]
    frame["polsek"] = frame["kode_kecamatan"].map(polsek_of)
    return frame.sort_values(["polsek", "kecamatan", "nama"]).reset_index(drop=True)


def desa() -> pd.DataFrame:
    """The desa as `desa_default`, with the border flags a Sat Binmas admin corrected (stored in the database).

    The template's pre-filled Perbatasan, the importer's default for an empty cell and the Skor Kerawanan
    all read the flag here (`core.rujukan` keeps the corrections).
    """
    from core import rujukan  # lazy: rujukan needs store, which needs this module

    return _with_border_corrections(rujukan.current_corrections())


@lru_cache(maxsize=8)
def _with_border_corrections(corrections: tuple[tuple[str, bool], ...]) -> pd.DataFrame:
    frame = desa_default()
    if not corrections:
        return frame
    frame = frame.copy()
    flags = dict(corrections)
    hit = frame["kode"].isin(flags.keys())
    frame.loc[hit, "perbatasan"] = frame.loc[hit, "kode"].map(flags).astype(bool)
    return frame


@lru_cache(maxsize=1)
def polsek_names() -> tuple[str, ...]:
    """The Polsek of the Polres, in alphabetical order."""
    return tuple(sorted(polsek_kecamatan()["polsek"].unique()))


def desa_of(polsek: str) -> pd.DataFrame:
    """The desa a Polsek covers."""
    frame = desa()
    return frame[frame["polsek"] == polsek].reset_index(drop=True)


def _polsek_key(value: str) -> str:
    text = normalise_header(value)
    for prefix in ("polsek ", "polisi sektor "):
        if text.startswith(prefix):
            text = text[len(prefix):]
    return text.replace("miomafo", "miomaffo").replace(" ", "")


def match_polsek(value: object) -> str | None:
    """The Polsek named in a text (`POLSEK INSANA`, `insana`, `Rekap_Insana_...`); None if none or several.

    Prefers the longest name found so `Insana Utara` wins over `Insana`.
    """
    if value is None:
        return None
    text = " " + normalise_header(value).replace("miomafo", "miomaffo") + " "
    direct = {_polsek_key(p): p for p in polsek_names()}
    whole = text.strip().replace(" ", "")
    if whole in direct:
        return direct[whole]
    found = []
    for name in polsek_names():
        short = " " + normalise_header(name)[len("polsek "):] + " "
        if short in text:
            found.append(name)
    if not found:
        return None
    longest = max(found, key=len)
    # drop names contained in the longest one (Insana inside Insana Utara)
    others = [f for f in found if f != longest and normalise_header(f)[7:] not in normalise_header(longest)]
    return longest if not others else None


@lru_cache(maxsize=1)
def desa_aliases() -> dict[str, str]:
    """Normalised spelling variant -> desa code."""
    frame = _csv("alias_desa.csv")
    return {normalise_name(a): k for a, k in zip(frame["alias"], frame["kode"], strict=True)}


@lru_cache(maxsize=1)
def kecamatan_aliases() -> dict[str, str]:
    """Normalised kecamatan spelling -> official kecamatan name."""
    frame = _csv("alias_kecamatan.csv")
    aliases = {normalise_name(a): k for a, k in zip(frame["alias"], frame["kecamatan"], strict=True)}
    for name in polsek_kecamatan()["kecamatan"]:
        aliases[normalise_name(name)] = name
    return aliases


@lru_cache(maxsize=1)
def header_variants() -> dict[str, dict[str, str]]:
    """Per sheet: normalised header text -> key (template headers, labels and `header_varian.csv`)."""
    variants = _csv("header_varian.csv")
    table: dict[str, dict[str, str]] = {}
    for sheet in SHEETS:
        keys = {i.key for i in sheet_indicators(sheet)}
        mapping: dict[str, str] = {}
        for item in sheet_indicators(sheet):
            mapping[normalise_header(item.header)] = item.key
            mapping[normalise_header(item.label)] = item.key
        for row in variants.itertuples(index=False):
            if row.key in keys:
                mapping.setdefault(normalise_header(row.varian), row.key)
        table[sheet] = mapping
    return table


@lru_cache(maxsize=1)
def ranks() -> dict[str, str]:
    """Normalised rank spelling -> official abbreviation (Bripda ... AKP)."""
    frame = _csv("pangkat.csv")
    table: dict[str, str] = {}
    for row in frame.itertuples(index=False):
        table[fold(row.pangkat).replace(".", "")] = row.pangkat
        for variant in filter(None, row.varian.split("|")):
            table[fold(variant).replace(".", "")] = row.pangkat
    return table


def clear_caches() -> None:
    """Forget loaded reference data (after the operator edits `data/`, and in tests)."""
    for func in (
        indicators, index_components, settings, guard_ratios, polsek_kecamatan, desa_default,
        _with_border_corrections, polsek_names, desa_aliases, kecamatan_aliases, header_variants, ranks,
    ):
        func.cache_clear()
    from core import rujukan  # lazy, as in desa()

    rujukan.forget()
