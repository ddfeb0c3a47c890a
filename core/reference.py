"""Reference data from `data/`: geography, Polsek areas, aliases, header variants, indicators, settings.

Everything here is read from files so the Sat Binmas operator can correct it without code;
each loader is cached because the files change only with a restart.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from core import config, schemas
from core.schemas import ReferenceDataError
from core.text import fold, normalise_header, normalise_name

__all__ = ["ReferenceDataError"]

SHEETS = schemas.SHEETS
SHEET_TITLES = {"kegiatan": "Kegiatan", "kerawanan": "Kerawanan"}
#: Headers of a numbering column, read and ignored without a note.
NUMBERING_HEADERS = {"no", "nomor", "no urut", "nr", "urut"}


def _path(name: str) -> Path:
    return config.data_dir() / name


def _csv(name: str, schema=None) -> pd.DataFrame:
    """A reference CSV as text columns, checked by its schema (Indonesian messages naming file, row and column)."""
    try:
        frame = pd.read_csv(_path(name), dtype=str, keep_default_na=False, encoding="utf-8")
    except FileNotFoundError as exc:
        raise ReferenceDataError([f"data/{name} tidak ditemukan di {config.data_dir().name}/."]) from exc
    except (UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise ReferenceDataError([f"data/{name} tidak dapat dibaca sebagai CSV UTF-8: {exc}"]) from exc
    frame = frame.apply(lambda col: col.str.strip())
    return schemas.validate(frame, schema, f"data/{name}") if schema is not None else frame


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
    label_pendek: str = ""
    label_jumlah: str = ""
    maks: int | None = None  # plausible monthly maximum per desa (counts)
    tampil: tuple[tuple[str, int | None], ...] = ()  # where it appears, with its order there
    demo: str = ""  # how `core.demo` generates it

    @property
    def max_of(self) -> str | None:
        """Key of the column this count may not exceed (`maks:ps_ditangani`)."""
        return self.aturan.split(":", 1)[1] if self.aturan.startswith("maks:") else None

    @property
    def short(self) -> str:
        """The label for narrow places (KPI cards, axes)."""
        return self.label_pendek or self.label


@dataclass(frozen=True)
class Measure:
    """A figure shown for a group of desa: a sum, a ratio of sums, a coverage, a mean or a reporting count.

    Every count and Ya/Tidak column of the catalogue is a `jumlah` measure of itself; `data/ukuran.csv` adds the
    derived ones. `core.measures` computes them; screens, slides, deck, workbook, rapor and arahan read them here.
    """

    key: str
    label: str
    label_pendek: str
    jenis: str  # jumlah, rasio, cakupan, linmas, rerata, polsek, desa
    kolom: str
    satuan: str
    tampil: tuple[tuple[str, int | None], ...]
    penjelasan: str = ""

    @property
    def short(self) -> str:
        return self.label_pendek or self.label

    @property
    def is_percent(self) -> bool:
        return self.satuan == "%"

    @property
    def columns(self) -> list[str]:
        return [c for c in self.kolom.replace("+", "/").split("/") if c]

    @property
    def numerator(self) -> list[str]:
        """Columns summed above the line of a ratio (`a+b/c` -> [a, b])."""
        return [c for c in self.kolom.split("/")[0].split("+") if c]

    @property
    def denominator(self) -> str:
        return self.kolom.split("/")[-1]

    def order(self, place: str) -> int | None:
        return dict(self.tampil).get(place)

    def shown_in(self, place: str) -> bool:
        return place in dict(self.tampil)


@dataclass(frozen=True)
class Component:
    """One component of an index (`data/indeks.csv`) in the weight set that applies from `berlaku_sejak`."""

    indeks: str
    komponen: str
    label: str
    rumus: str
    kolom: str
    target: float
    bobot: float
    nilai_kosong: float | None
    berlaku_sejak: str  # "" = from the start


def _tampil(text: str) -> tuple[tuple[str, int | None], ...]:
    return tuple(schemas.parse_tampil(text).items())


@lru_cache(maxsize=1)
def indicators() -> tuple[Indicator, ...]:
    """The indicator catalogue, in sheet and column order (checked when loaded)."""
    frame = _csv("indikator.csv", schemas.INDIKATOR)
    schemas.check_indicators(frame)
    items = [
        Indicator(
            key=row.key, sheet=row.sheet, header=row.header, label=row.label, unit=row.unit, tipe=row.tipe,
            wajib=row.wajib == "1", aturan=row.aturan, urutan=int(row.urutan), label_pendek=row.label_pendek,
            label_jumlah=row.label_jumlah, maks=int(row.maks) if row.maks else None, tampil=_tampil(row.tampil),
            demo=row.demo,
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
    """The Indonesian label of a column or measure key, for screens and messages."""
    for item in indicators():
        if item.key == key:
            return item.label
    found = measures().get(key)
    return found.label if found else key


@lru_cache(maxsize=1)
def measures() -> dict[str, Measure]:
    """Every measure by key: a `jumlah` per count and Ya/Tidak column, then `data/ukuran.csv` (checked when loaded)."""
    found: dict[str, Measure] = {}
    for item in indicators():
        if item.tipe in ("angka", "ya_tidak") and item.key not in found:
            found[item.key] = Measure(item.key, item.label_jumlah or item.label, item.label_pendek or item.label, "jumlah", item.key,
                                      item.unit, item.tampil, "")
    frame = _csv("ukuran.csv", schemas.UKURAN)
    schemas.check_measures(frame, set(found))
    for row in frame.itertuples(index=False):
        found[row.key] = Measure(row.key, row.label, row.label_pendek, row.jenis, row.kolom, row.satuan, _tampil(row.tampil),
                                 row.penjelasan)
    return found


def shown(place: str) -> list[Measure]:
    """The measures shown in a place (`kpi`, `tren`, `dek`, `temuan`, `arahan`, `rekap`), in their order there."""
    chosen = [m for m in measures().values() if m.shown_in(place)]
    return sorted(chosen, key=lambda m: (m.order(place) is None, m.order(place) or 0))


@lru_cache(maxsize=1)
def _components() -> tuple[Component, ...]:
    frame = _csv("indeks.csv", schemas.INDEKS_SCHEMA)
    schemas.check_index_components(frame, {i.key for i in indicators()})
    return tuple(
        Component(row.indeks, row.komponen, row.label, row.rumus, row.kolom, float(row.target), float(row.bobot),
                  float(row.nilai_kosong) if row.nilai_kosong else None, row.berlaku_sejak)
        for row in frame.itertuples(index=False)
    )


def weight_sets(indeks: str) -> list[str]:
    """The months from which a new weight set of an index applies, oldest first ("" = the set from the start)."""
    return sorted({c.berlaku_sejak for c in _components() if c.indeks == indeks})


def weight_set_for(indeks: str, bulan: str) -> str:
    """The `berlaku_sejak` of the weight set in force in `bulan`: the latest not after it (the first set before any)."""
    sets = weight_sets(indeks)
    applicable = [s for s in sets if s <= bulan]
    return applicable[-1] if applicable else sets[0]


def components(indeks: str, bulan: str | None = None) -> list[Component]:
    """Components of an index in the weight set in force in `bulan` (the newest set when no month is given)."""
    return component_set(indeks, weight_set_for(indeks, bulan) if bulan else weight_sets(indeks)[-1])


def component_set(indeks: str, since: str) -> list[Component]:
    """The components of one weight set, named by its `berlaku_sejak` ("" = the set from the start)."""
    return [c for c in _components() if c.indeks == indeks and c.berlaku_sejak == since]


@lru_cache(maxsize=1)
def settings() -> dict:
    """`data/pengaturan.toml`: deadlines, category thresholds, election agenda, matching tolerances."""
    with _path("pengaturan.toml").open("rb") as handle:
        return tomllib.load(handle)


@lru_cache(maxsize=1)
def guard_ratios() -> pd.DataFrame:
    """TPS guard ratio schemes (Polri : TPS : Linmas per class)."""
    return _csv("rasio_pengamanan.csv", schemas.RASIO)


@lru_cache(maxsize=1)
def polsek_kecamatan() -> pd.DataFrame:
    """Which Polsek covers which kecamatan."""
    return _csv("polsek_kecamatan.csv", schemas.POLSEK_KECAMATAN)


@lru_cache(maxsize=1)
def desa_default() -> pd.DataFrame:
    """The desa/kelurahan of `desa.csv`: code, kecamatan, Polsek, a point inside the desa, default border flag."""
    frame = _csv("desa.csv", schemas.DESA)
    schemas.check_areas(frame, polsek_kecamatan())
    frame["lat"] = pd.to_numeric(frame["lat"], errors="coerce")
    frame["lon"] = pd.to_numeric(frame["lon"], errors="coerce")
    frame["perbatasan"] = frame["perbatasan"] == "1"
    polsek_of = polsek_kecamatan().set_index("kode_kecamatan")["polsek"]
    frame["polsek"] = frame["kode_kecamatan"].map(polsek_of)
    return frame.sort_values(["polsek", "kecamatan", "nama"]).reset_index(drop=True)


#: Where the admin's border corrections come from: set by `core.store` (which reads them from the database) when it
#: is imported; without a database, `desa()` is the file's default. This module never imports storage.
_border_corrections: Callable[[], tuple[tuple[str, bool], ...]] | None = None


def use_border_corrections(reader: Callable[[], tuple[tuple[str, bool], ...]] | None) -> None:
    """Set the reader of the border corrections (`core.store` does, for the configured database)."""
    global _border_corrections
    _border_corrections = reader


def desa() -> pd.DataFrame:
    """The desa as `desa_default`, with the border flags a Sat Binmas admin corrected (stored in the database).

    The template's pre-filled Perbatasan, the importer's default for an empty cell and the Skor Kerawanan
    all read the flag here (`core.rujukan` saves the corrections, `core.store` reads them).
    """
    return _with_border_corrections(_border_corrections() if _border_corrections else ())


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
    frame = _csv("alias_desa.csv", schemas.ALIAS_DESA)
    return {normalise_name(a): k for a, k in zip(frame["alias"], frame["kode"], strict=True)}


@lru_cache(maxsize=1)
def kecamatan_aliases() -> dict[str, str]:
    """Normalised kecamatan spelling -> official kecamatan name."""
    frame = _csv("alias_kecamatan.csv", schemas.ALIAS_KECAMATAN)
    aliases = {normalise_name(a): k for a, k in zip(frame["alias"], frame["kecamatan"], strict=True)}
    for name in polsek_kecamatan()["kecamatan"]:
        aliases[normalise_name(name)] = name
    return aliases


@lru_cache(maxsize=1)
def header_variants() -> dict[str, dict[str, str]]:
    """Per sheet: normalised header text -> key (template headers, labels and `header_varian.csv`)."""
    variants = _csv("header_varian.csv", schemas.HEADER_VARIAN)
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
    frame = _csv("pangkat.csv", schemas.PANGKAT)
    table: dict[str, str] = {}
    for row in frame.itertuples(index=False):
        table[fold(row.pangkat).replace(".", "")] = row.pangkat
        for variant in filter(None, row.varian.split("|")):
            table[fold(variant).replace(".", "")] = row.pangkat
    return table


def clear_caches() -> None:
    """Forget loaded reference data (after the operator edits `data/`, and in tests)."""
    for func in (
        indicators, measures, _components, settings, guard_ratios, polsek_kecamatan, desa_default,
        _with_border_corrections, polsek_names, desa_aliases, kecamatan_aliases, header_variants, ranks,
    ):
        func.cache_clear()
    if _border_corrections is not None and hasattr(_border_corrections, "forget"):
        _border_corrections.forget()


def validate_all() -> None:
    """Load and check every reference file now (at start-up), so a mistake is reported before any screen runs."""
    indicators()
    measures()
    for indeks in schemas.INDEKS:
        if weight_sets(indeks):
            components(indeks)
    settings()
    guard_ratios()
    desa()
    desa_aliases()
    kecamatan_aliases()
    header_variants()
    ranks()
    unknown_alias = set(desa_aliases().values()) - set(desa()["kode"])
    if unknown_alias:
        raise ReferenceDataError([f"data/alias_desa.csv: kode {k} tidak ada di data/desa.csv." for k in sorted(unknown_alias)])
    unknown_header = {k for k in _csv("header_varian.csv")["key"]} - {i.key for i in indicators()}
    if unknown_header:
        raise ReferenceDataError([f'data/header_varian.csv: kunci "{k}" tidak ada di data/indikator.csv.' for k in sorted(unknown_header)])
