"""Checks of the reference files in `data/`, run when they are loaded, with Indonesian messages naming file, row and column.

The operator edits these files by hand (a new indicator, a weight, a Polsek boundary). A mistake must stop the app
with a sentence that says where it is and what to write instead, not surface later as a KeyError on some screen.
Column rules are pandera schemas; rules across rows or files (weights summing to 100 per index, every kecamatan
under one Polsek, keys that exist) are plain checks after them.
"""

from __future__ import annotations

import re

import pandas as pd
import pandera.pandas as pa

SHEETS = ("kegiatan", "kerawanan")
TIPE = ("teks", "desa", "pangkat", "nrp", "angka", "ya_tidak")
#: Where an indicator or measure can appear (`tampil`, optionally with its order: `kpi:3`).
PLACES = ("kpi", "tren", "rekap", "dek", "temuan", "arahan", "peta")
#: Index formulas `core.indices` knows.
RUMUS = ("capaian", "rasio", "ya", "minimal", "linmas", "tps_terpetakan")
INDEKS = ("kinerja", "kesiapan", "kerawanan")
#: Measure kinds `core.measures` knows.
JENIS = ("jumlah", "rasio", "cakupan", "linmas", "rerata", "polsek", "desa")
#: Demo generators `core.demo` knows (`poisson(17 * aktivitas)`).
DEMO = ("poisson", "binomial", "bernoulli", "tetap", "sifat", "teks", "bhabin", "rujukan", "tps_kelas")
TPS_KELAS = ("kurang_rawan", "rawan", "sangat_rawan")

KEY = r"^[a-z][a-z0-9_]*$"
BULAN = r"^(19|20)\d{2}-(0[1-9]|1[0-2])$"
KODE_DESA = r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$"
KODE_KECAMATAN = r"^\d{2}\.\d{2}\.\d{2}$"
_TAMPIL = re.compile(r"^([a-z_]+)(?::(\d+))?$")
_DEMO = re.compile(r"^([a-z_]+)\((.*)\)$", re.DOTALL)


class ReferenceDataError(ValueError):
    """A reference file in `data/` is wrong; `problems` are Indonesian sentences naming file, row and column."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("Data rujukan tidak sah:\n" + "\n".join(f"- {p}" for p in problems))


def _where(file: str, index: object, column: str | None) -> str:
    row = f" baris {int(index) + 2}" if isinstance(index, (int, float)) and not pd.isna(index) else ""
    col = f', kolom "{column}"' if column else ""
    return f"{file}{row}{col}"


_CHECK_WORDS = {
    "str_matches": "tidak sesuai format",
    "isin": "bukan salah satu nilai yang dikenal",
    "field_uniqueness": "ganda (harus unik)",
    "greater_than": "harus lebih besar dari 0",
    "greater_than_or_equal_to": "tidak boleh negatif",
    "not_nullable": "wajib diisi",
    "column_in_dataframe": "kolom tidak ada",
    "dtype": "jenis isian salah",
    "coerce_dtype": "harus berupa angka",
    "multiple_fields_uniqueness": "kombinasi ganda (harus unik)",
}


def validate(frame: pd.DataFrame, schema: pa.DataFrameSchema, file: str) -> pd.DataFrame:
    """The frame coerced by `schema`, or ReferenceDataError with one sentence per failing cell."""
    try:
        return schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as errors:
        problems = []
        for case in errors.failure_cases.itertuples(index=False):
            check = str(case.check)
            name = check.split("(")[0]
            word = next((text for key, text in _CHECK_WORDS.items() if name.startswith(key)), f"gagal pemeriksaan {check}")
            detail = ""
            if name.startswith("isin") and "(" in check:
                detail = f" (pilihan: {check[check.index('(') + 1:-1]})"
            if name.startswith("str_matches") and "(" in check:
                detail = f" (pola {check[check.index('(') + 1:-1]})"
            column = None if pd.isna(case.column) else str(case.column)
            if name.startswith("column_in_dataframe"):
                problems.append(f'{file}: kolom "{case.failure_case}" tidak ada; tambahkan kolom ini di baris judul.')
                continue
            value = "" if pd.isna(case.failure_case) else f' "{case.failure_case}"'
            problems.append(f"{_where(file, case.index, column)}:{value} {word}{detail}.")
        raise ReferenceDataError(sorted(set(problems), key=problems.index)) from None


def _text(**checks: object) -> pa.Column:
    return pa.Column(str, **checks)


def _regex(pattern: str, nullable: bool = False) -> pa.Column:
    check = pa.Check.str_matches(pattern) if not nullable else pa.Check(lambda s: s.eq("") | s.str.match(pattern),
                                                                           name=f"str_matches({pattern})", element_wise=False)
    return pa.Column(str, check)


def _options(values: tuple[str, ...], allow_empty: bool = False) -> pa.Column:
    return pa.Column(str, pa.Check.isin([*values, *([""] if allow_empty else [])]))


INDIKATOR = pa.DataFrameSchema(
    {
        "key": _regex(KEY),
        "sheet": _options(SHEETS),
        "header": _text(checks=pa.Check.str_length(min_value=1)),
        "label": _text(checks=pa.Check.str_length(min_value=1)),
        "label_pendek": _text(),
        "label_jumlah": _text(),
        "unit": _text(),
        "tipe": _options(TIPE),
        "wajib": _options(("0", "1")),
        "aturan": _regex(r"^maks:[a-z][a-z0-9_]*$", nullable=True),
        "maks": _regex(r"^[1-9]\d*$", nullable=True),
        "tampil": _text(),
        "demo": _text(),
        "urutan": _regex(r"^\d+$"),
    },
    unique=["sheet", "key"],
    strict=False,
)

UKURAN = pa.DataFrameSchema(
    {
        "key": _regex(KEY),
        "label": _text(checks=pa.Check.str_length(min_value=1)),
        "label_pendek": _text(),
        "jenis": _options(JENIS),
        "kolom": _text(),
        "satuan": _text(),
        "tampil": _text(),
        "penjelasan": _text(),
    },
    unique=["key"],
    strict=False,
)

INDEKS_SCHEMA = pa.DataFrameSchema(
    {
        "indeks": _options(INDEKS),
        "komponen": _regex(KEY),
        "label": _text(checks=pa.Check.str_length(min_value=1)),
        "rumus": _options(RUMUS),
        "kolom": _text(checks=pa.Check.str_length(min_value=1)),
        "target": pa.Column(float, pa.Check.gt(0), coerce=True),
        "bobot": pa.Column(float, pa.Check.ge(0), coerce=True),
        "nilai_kosong": _regex(r"^\d+(\.\d+)?$", nullable=True),
        "berlaku_sejak": _regex(BULAN, nullable=True),
    },
    unique=["indeks", "komponen", "berlaku_sejak"],
    strict=False,
)

DESA = pa.DataFrameSchema(
    {
        "kode": pa.Column(str, pa.Check.str_matches(KODE_DESA), unique=True),
        "nama": _text(checks=pa.Check.str_length(min_value=1)),
        "jenis": _options(("desa", "kelurahan")),
        "kode_kecamatan": _regex(KODE_KECAMATAN),
        "kecamatan": _text(checks=pa.Check.str_length(min_value=1)),
        "lat": _regex(r"^-?\d+(\.\d+)?$", nullable=True),
        "lon": _regex(r"^-?\d+(\.\d+)?$", nullable=True),
        "perbatasan": _options(("0", "1")),
    },
    strict=False,
)

POLSEK_KECAMATAN = pa.DataFrameSchema(
    {
        "polsek": _regex(r"^Polsek \S.*$"),
        "kode_kecamatan": pa.Column(str, pa.Check.str_matches(KODE_KECAMATAN), unique=True),
        "kecamatan": _text(checks=pa.Check.str_length(min_value=1)),
    },
    strict=False,
)

RASIO = pa.DataFrameSchema(
    {
        "skema": _regex(KEY),
        "keterangan": _text(),
        "kelas": _options(TPS_KELAS),
        "polri": pa.Column(float, pa.Check.ge(0), coerce=True),
        "tps": pa.Column(float, pa.Check.gt(0), coerce=True),
        "linmas": pa.Column(float, pa.Check.ge(0), coerce=True),
    },
    unique=["skema", "kelas"],
    strict=False,
)

ALIAS_DESA = pa.DataFrameSchema({"alias": _text(checks=pa.Check.str_length(min_value=1)), "kode": _regex(KODE_DESA)}, strict=False)
ALIAS_KECAMATAN = pa.DataFrameSchema({"alias": _text(checks=pa.Check.str_length(min_value=1)),
                                      "kecamatan": _text(checks=pa.Check.str_length(min_value=1))}, strict=False)
HEADER_VARIAN = pa.DataFrameSchema({"key": _regex(KEY), "varian": _text(checks=pa.Check.str_length(min_value=1))}, strict=False)
PANGKAT = pa.DataFrameSchema({"pangkat": _text(checks=pa.Check.str_length(min_value=1)), "varian": _text()}, strict=False)


def parse_tampil(text: str) -> dict[str, int | None]:
    """`kpi:1|tren:2|rekap` -> {"kpi": 1, "tren": 2, "rekap": None}; raises ValueError naming the bad token."""
    places: dict[str, int | None] = {}
    for token in filter(None, (t.strip() for t in str(text or "").split("|"))):
        match = _TAMPIL.match(token)
        if not match or match.group(1) not in PLACES:
            raise ValueError(f'"{token}" bukan tempat tampil yang dikenal (pilihan: {", ".join(PLACES)}; urutan ditulis "kpi:3")')
        places[match.group(1)] = int(match.group(2)) if match.group(2) else None
    return places


def parse_demo(text: str) -> tuple[str, list[str]] | None:
    """`binomial(pos_kamling; 0.5 * kemajuan)` -> ("binomial", ["pos_kamling", "0.5 * kemajuan"]); None when empty."""
    text = str(text or "").strip()
    if not text:
        return None
    match = _DEMO.match(text)
    if not match or match.group(1) not in DEMO:
        raise ValueError(f'"{text}" bukan aturan data contoh yang dikenal (bentuk: nama(argumen); nama: {", ".join(DEMO)})')
    return match.group(1), [part.strip() for part in match.group(2).split(";")]


def check_indicators(frame: pd.DataFrame, file: str = "data/indikator.csv") -> None:
    """Rules across the rows of the catalogue that a column schema cannot state."""
    problems: list[str] = []
    keys_by_sheet = {sheet: set(frame.loc[frame["sheet"] == sheet, "key"]) for sheet in SHEETS}
    for sheet in SHEETS:
        if "desa" not in keys_by_sheet[sheet]:
            problems.append(f'{file}: lembar {sheet} tidak punya baris untuk kolom "desa" (tipe desa).')
        orders = frame.loc[frame["sheet"] == sheet, "urutan"]
        for index in orders[orders.duplicated()].index:
            problems.append(f'{_where(file, index, "urutan")}: urutan {orders[index]} sudah dipakai di lembar {sheet}.')
    for index, row in frame.iterrows():
        if row["tipe"] == "angka" and not row["maks"]:
            problems.append(f'{_where(file, index, "maks")}: kolom angka "{row["key"]}" wajib punya batas wajar bulanan per desa '
                            "(bilangan bulat, misalnya 500).")
        if row["aturan"]:
            other = row["aturan"].split(":", 1)[1]
            if other not in keys_by_sheet[row["sheet"]]:
                problems.append(f'{_where(file, index, "aturan")}: "{row["aturan"]}" menunjuk kolom yang tidak ada di lembar {row["sheet"]}.')
        try:
            places = parse_tampil(row["tampil"])
            if places and row["tipe"] not in ("angka", "ya_tidak"):
                problems.append(f'{_where(file, index, "tampil")}: hanya kolom angka atau Ya/Tidak yang dapat ditampilkan sebagai ukuran.')
        except ValueError as exc:
            problems.append(f'{_where(file, index, "tampil")}: {exc}.')
        try:
            parse_demo(row["demo"])
        except ValueError as exc:
            problems.append(f'{_where(file, index, "demo")}: {exc}.')
    counts = frame[frame["tipe"].isin(["angka", "ya_tidak"])]
    clash = counts[counts["key"].duplicated(keep=False)]
    for index in clash.index:
        problems.append(f'{_where(file, index, "key")}: "{frame.loc[index, "key"]}" dipakai di dua lembar; kunci angka harus unik.')
    if problems:
        raise ReferenceDataError(problems)


def check_measures(frame: pd.DataFrame, known: set[str], file: str = "data/ukuran.csv") -> None:
    """Measures name existing columns; keys do not clash with indicator keys."""
    problems: list[str] = []
    for index, row in frame.iterrows():
        if row["key"] in known:
            problems.append(f'{_where(file, index, "key")}: "{row["key"]}" sudah dipakai sebagai kolom di data/indikator.csv.')
        columns = [c for c in re.split(r"[/+]", row["kolom"]) if c]
        needed = {"rasio": 2, "linmas": 2, "cakupan": 1, "jumlah": 1, "rerata": 1, "polsek": 0, "desa": 0}[row["jenis"]]
        parts = len(row["kolom"].split("/")) if row["kolom"] else 0  # a ratio's numerator may be a sum: a+b/c
        if (needed == 2 and parts != 2) or (needed != 2 and len(columns) != needed):
            problems.append(f'{_where(file, index, "kolom")}: jenis {row["jenis"]} memerlukan {needed} kolom '
                            f'({"pembilang/penyebut" if needed == 2 else "satu kolom" if needed else "kosong"}).')
        for column in columns:
            if column not in known | {"indeks_kinerja", "indeks_kesiapan"}:
                problems.append(f'{_where(file, index, "kolom")}: kolom "{column}" tidak ada di data/indikator.csv.')
        try:
            parse_tampil(row["tampil"])
        except ValueError as exc:
            problems.append(f'{_where(file, index, "tampil")}: {exc}.')
    if problems:
        raise ReferenceDataError(problems)


def check_index_components(frame: pd.DataFrame, known: set[str], file: str = "data/indeks.csv") -> None:
    """Weights sum to 100 per index and effective month; every column named exists."""
    problems: list[str] = []
    for (indeks, since), group in frame.groupby(["indeks", "berlaku_sejak"], sort=False):
        total = float(group["bobot"].sum())
        if abs(total - 100) > 1e-6:
            since_text = f"berlaku sejak {since}" if since else "set bawaan"
            problems.append(f"{file}: bobot indeks {indeks} ({since_text}) berjumlah {total:g}, harus 100 "
                            f"(baris {', '.join(str(i + 2) for i in group.index)}).")
    for index, row in frame.iterrows():
        for column in (c for c in re.split(r"[/+]", row["kolom"]) if c):
            if column not in known:
                problems.append(f'{_where(file, index, "kolom")}: kolom "{column}" tidak ada di data/indikator.csv.')
    if problems:
        raise ReferenceDataError(problems)


def check_areas(desa: pd.DataFrame, polsek_kecamatan: pd.DataFrame) -> None:
    """Every kecamatan of `desa.csv` belongs to exactly one Polsek; codes agree with their kecamatan."""
    problems: list[str] = []
    mapped = set(polsek_kecamatan["kode_kecamatan"])
    for kode, group in desa.groupby("kode_kecamatan"):
        if kode not in mapped:
            problems.append(f'data/polsek_kecamatan.csv: kecamatan {group["kecamatan"].iloc[0]} ({kode}) belum dimasukkan ke Polsek mana pun.')
    for index, row in desa.iterrows():
        if not row["kode"].startswith(row["kode_kecamatan"] + "."):
            problems.append(f'{_where("data/desa.csv", index, "kode")}: kode {row["kode"]} tidak diawali kode kecamatannya {row["kode_kecamatan"]}.')
    if problems:
        raise ReferenceDataError(problems)
