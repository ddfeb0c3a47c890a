"""Which desa of the file's Polsek a written name means, and never a guess between two (spec section 4).

Exact after normalising (`Desa Sa'tab` = `SATAB`), then the alias table (`data/alias_desa.csv`), then
fuzzy matching within the Polsek only when one desa is clearly closest. A name of another Polsek's
desa says whose it is.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz, process

from core import reference
from core.text import normalise_name


@dataclass
class DesaMatch:
    """The outcome of resolving one desa name."""

    kode: str | None
    problem: str | None = None  # Indonesian sentence when kode is None
    fuzzy_from: str | None = None  # the name as written when a typo was corrected
    other_polsek: str | None = None  # the Polsek the desa belongs to, when it is not the file's


class DesaResolver:
    """Resolves desa names within one Polsek: normalised exact, alias, then fuzzy only when unambiguous."""

    def __init__(self, polsek: str) -> None:
        self.polsek = polsek
        self.all_desa = reference.desa()
        self.own = reference.desa_of(polsek)
        self.by_name: dict[str, list[str]] = {}
        for kode, nama in zip(self.own["kode"], self.own["nama"], strict=True):
            self.by_name.setdefault(normalise_name(nama), []).append(kode)
        self.everywhere: dict[str, list[str]] = {}
        for kode, nama in zip(self.all_desa["kode"], self.all_desa["nama"], strict=True):
            self.everywhere.setdefault(normalise_name(nama), []).append(kode)
        self.own_codes = set(self.own["kode"])
        settings = reference.settings().get("impor", {})
        self.cutoff = float(settings.get("fuzzy_min", 85))
        self.margin = float(settings.get("fuzzy_selisih", 8))

    def name_of(self, kode: str) -> str:
        row = self.all_desa[self.all_desa["kode"] == kode].iloc[0]
        return str(row["nama"])

    def _polsek_of(self, kode: str) -> str:
        row = self.all_desa[self.all_desa["kode"] == kode].iloc[0]
        return str(row["polsek"])

    def _pick(self, codes: list[str], kecamatan: str | None) -> DesaMatch:
        if len(codes) == 1:
            return DesaMatch(codes[0])
        if kecamatan:
            in_kec = [k for k in codes if self._kecamatan_of(k) == kecamatan]
            if len(in_kec) == 1:
                return DesaMatch(in_kec[0])
        places = ", ".join(f"{self.name_of(k)} (Kec. {self._kecamatan_of(k)})" for k in codes)
        return DesaMatch(None, f"nama desa ada lebih dari satu: {places}. Isi kolom Kecamatan agar jelas")

    def _kecamatan_of(self, kode: str) -> str:
        row = self.all_desa[self.all_desa["kode"] == kode].iloc[0]
        return str(row["kecamatan"])

    def resolve(self, written: str, kecamatan: str | None = None) -> DesaMatch:
        key = normalise_name(written)
        if not key:
            return DesaMatch(None, "nama desa kosong")
        if key in self.by_name:
            return self._pick(self.by_name[key], kecamatan)
        alias = reference.desa_aliases().get(key)
        if alias:
            if alias in self.own_codes:
                return DesaMatch(alias)
            return self._other_polsek(written, alias)
        if key in self.everywhere:
            return self._other_polsek(written, self.everywhere[key][0])
        return self._fuzzy(written, key)

    def _other_polsek(self, written: str, kode: str) -> DesaMatch:
        owner = self._polsek_of(kode)
        return DesaMatch(
            None,
            f"desa {self.name_of(kode)} termasuk wilayah {owner}, bukan {self.polsek}. "
            "Hapus baris ini atau kirim lewat rekap Polsek tersebut",
            other_polsek=owner,
        )

    def _fuzzy(self, written: str, key: str) -> DesaMatch:
        choices = list(self.by_name)
        scored = process.extract(key, choices, scorer=fuzz.ratio, limit=3)
        close = [(name, score) for name, score, _ in scored if score >= self.cutoff - self.margin]
        if close and close[0][1] >= self.cutoff:
            best_name, best_score = close[0]
            runner_up = close[1][1] if len(close) > 1 else 0.0
            codes = self.by_name[best_name]
            if best_score - runner_up >= self.margin and len(codes) == 1:
                return DesaMatch(codes[0], fuzzy_from=written)
        if len(close) >= 2:
            names = " dan ".join(
                f"\"{self.name_of(self.by_name[name][0])}\"" for name, _ in close[:3]
            )
            return DesaMatch(None, f"nama desa tidak jelas: mirip {names}. Tulis nama desa persis seperti di daftar")
        hint = ""
        others = process.extractOne(key, list(self.everywhere), scorer=fuzz.ratio, score_cutoff=self.cutoff)
        if others:
            kode = self.everywhere[others[0]][0]
            if kode not in self.own_codes:
                hint = f" (mirip desa {self.name_of(kode)} di {self._polsek_of(kode)})"
        return DesaMatch(
            None,
            f"desa tidak dikenal di wilayah {self.polsek}{hint}. Periksa ejaannya; daftar desa ada di lembar Petunjuk templat",
        )
