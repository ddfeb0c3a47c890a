"""What each Anev screen shows, computed once: the page, its Mode Paparan slide, its deck page and the rapor render it.

`load` gathers a month's data for a scope (already limited to what the user may see). Each `*_view` builds a
plain object holding the figures, the lists with their order and cut-off ("8 dari 12 ..."), the comparisons and
the captions, with numbers already written in the Indonesian style. Renderers (pages/, `core.slides`,
`core.export`, `core.rapor`) only lay them out, so a list cannot be ordered one way on the wall and another in
the deck. No Streamlit here.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy.engine import Engine

from core import access, analysis, fmt, indices, measures, metrics, reference, store
from core.access import Scope
from core.months import add_months, month_range

#: Months of history every Anev view covers (the month and the twelve before it: trends and last year).
HISTORY_MONTHS = 12
#: Months of the reporting matrix (Kelengkapan), the same on screen, slide and deck.
MATRIX_MONTHS = 6
#: Longest list a slide or deck page shows; longer lists say "N dari M" and where the rest is.
LIST_LIMIT = 6
#: Mode Paparan's slides in meeting order (the URL's `slide=N` is the N-th, counted from 1).
PAPARAN_SLIDES = ("Judul", "Tindak Lanjut Arahan", "Kelengkapan Laporan", "Ringkasan", "Tren Kegiatan", "Kinerja Bhabinkamtibmas",
                  "Kesiapan Pemilihan", "Peta Kerawanan", "Desa Rawan", "Catatan untuk Anev")


def paparan_slide(title: str) -> int:
    """The `slide=` number of a Mode Paparan slide, for links and tests that open one slide."""
    return PAPARAN_SLIDES.index(title) + 1


# --------------------------------------------------------------------------- data


@dataclass
class AnevData:
    """One month's data for one scope: desa rows with indices for the month and the twelve before, and uploads."""

    bulan: str
    scope: Scope
    months: list[str]
    desa: pd.DataFrame
    uploads: pd.DataFrame
    demo: bool
    follow_up: pd.DataFrame = field(default_factory=pd.DataFrame)  # arahan reviewed at this Anev (`core.arahan`)
    caveat: str = ""  # "Termasuk rekap yang belum diverifikasi (...)": shown under every figure it concerns
    verified_only: bool = False

    @property
    def month_rows(self) -> pd.DataFrame:
        """The desa rows of the month itself."""
        return self.desa[self.desa["bulan"] == self.bulan] if not self.desa.empty else self.desa

    @property
    def has_data(self) -> bool:
        """True when at least one desa of the scope reported the Kegiatan sheet this month."""
        rows = self.month_rows
        return bool(not rows.empty and rows["_ada_kegiatan"].any())

    @property
    def completeness(self) -> pd.DataFrame:
        """Polsek x month reporting status for the matrix months, limited to the scope."""
        months = month_range(add_months(self.bulan, -(MATRIX_MONTHS - 1)), self.bulan)
        return access.limit(metrics.completeness(self.uploads, months), self.scope)


def build(bulan: str, scope: Scope, kegiatan: pd.DataFrame, kerawanan: pd.DataFrame, uploads: pd.DataFrame,
          demo: bool = False) -> AnevData:
    """AnevData from stored rows (any month range covering the history); rows outside the scope are dropped here."""
    months = month_range(add_months(bulan, -HISTORY_MONTHS), bulan)
    kegiatan = access.limit(kegiatan, scope)
    kerawanan = access.limit(kerawanan, scope)
    desa = metrics.desa_month(kegiatan, kerawanan)
    if not desa.empty:
        desa = desa[desa["bulan"].isin(months)].reset_index(drop=True)
    return AnevData(bulan, scope, months, desa, access.limit(uploads, scope), demo)


def load(engine: Engine, bulan: str, scope: Scope, verified_only: bool = False) -> AnevData:
    """Read the month's data for a scope from the database: the latest versions, or only verified ones.

    With the arahan under review at this Anev and the caveat naming recaps not yet verified.
    """
    from core import arahan, verifikasi

    first = add_months(bulan, -HISTORY_MONTHS)
    data = build(bulan, scope, store.rows(engine, "kegiatan", first, bulan, verified_only=verified_only),
                 store.rows(engine, "kerawanan", first, bulan, verified_only=verified_only), store.uploads(engine),
                 store.has_demo(engine))
    data.follow_up = arahan.follow_up(engine, bulan, scope.polsek, view="rapat", verified_only=verified_only)
    if verified_only:
        data.caveat = "Hanya rekap yang sudah diverifikasi yang ditampilkan."
    else:
        data.caveat = verifikasi.caveat(engine, [bulan], scope.polsek) or ""
    data.verified_only = verified_only
    return data


# --------------------------------------------------------------------------- shared pieces


@dataclass
class CutList:
    """A list in display order with the cut-off every renderer uses, and the sentence saying what was left out."""

    rows: pd.DataFrame
    noun: str
    rest_at: str
    limit: int = LIST_LIMIT

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def shown(self) -> pd.DataFrame:
        return self.rows.head(self.limit)

    @property
    def note(self) -> str:
        """`8 dari 12 Bhabinkamtibmas; daftar lengkap di ...` when cut; empty when everything is shown."""
        if self.total <= self.limit:
            return ""
        return f"{fmt.n_of_m(self.limit, self.total, self.noun)}; {self.rest_at}."


@dataclass
class Trend:
    """A line chart over months: the series, which measures, their labels, and whether they are percentages."""

    series: pd.DataFrame
    keys: list[str]
    labels: dict[str, str]
    percent: bool
    title: str = ""


def _trend(series: pd.DataFrame, measures_: list[reference.Measure], title: str = "") -> Trend:
    return Trend(series, [m.key for m in measures_], {m.key: m.label for m in measures_}, all(m.is_percent for m in measures_), title)


def measure_text(measure: reference.Measure, value: float | None) -> str:
    """A measure's value as people read it: `3.298`, `72%`, `66,0`, `8/9` is built by the caller."""
    if value is None or pd.isna(value):
        return fmt.DASH
    if measure.is_percent:
        return fmt.percent(value)
    if measure.jenis == "rerata":
        return fmt.number(value, 1)
    return fmt.number(value)


# --------------------------------------------------------------------------- Ringkasan


@dataclass
class KpiCard:
    """One KPI card, ready to draw: texts, the delta's colour and arrow, and the basis of the comparison."""

    key: str
    label: str
    short: str
    value: str
    delta: str | None
    delta_colour: str  # normal, inverse, off (st.metric's words)
    delta_arrow: str  # auto, off
    basis: str  # what the delta compares, when not all the same Polsek
    last_year: str | None
    help: str


def _card(kpi: analysis.Kpi, bulan: str, polsek_total: int) -> KpiCard:
    measure = kpi.measure
    previous = fmt.month(add_months(bulan, -1))
    if measure.jenis == "polsek":
        return KpiCard(kpi.key, kpi.label, kpi.short, fmt.fraction(kpi.value or 0, polsek_total), None, "off", "off", "",
                       None, f"{measure.penjelasan} Bulan lalu ({previous}): {fmt.fraction(kpi.previous.other or 0, polsek_total)}.")
    unit = " poin" if kpi.previous.kind == "poin" else "%"
    change = kpi.vs_previous
    delta, colour, arrow = None, "off", "off"
    if change is not None:
        delta = fmt.signed(change, 0, unit)
        zero = delta.lstrip("+-\u2212").startswith("0") and fmt.number(abs(change)) == "0"
        colour, arrow = ("off", "off") if zero else ("normal", "auto")
    basis = ""
    if change is not None and not kpi.previous.like_for_like:
        basis = f"pada {kpi.previous.polsek_common} Polsek yang sama"
    elif change is None and kpi.value is not None:
        basis = f"{previous}: belum ada data pembanding"
    last_year = None
    if kpi.vs_last_year is not None:
        last_year = f"{fmt.signed(kpi.vs_last_year, 0, ' poin' if kpi.last_year.kind == 'poin' else '%')} vs {fmt.month(add_months(bulan, -12))}"
    previous_value = measure_text(measure, kpi.previous.other)
    help_text = f"{measure.penjelasan} Bulan lalu ({previous}): {previous_value}.".strip()
    if basis.startswith("pada"):
        help_text += (f" Perubahan dihitung hanya pada {kpi.previous.polsek_common} Polsek yang melapor di kedua bulan "
                      f"({measure_text(measure, kpi.previous.then_common)} \u2192 {measure_text(measure, kpi.previous.now_common)}).")
    return KpiCard(kpi.key, kpi.label, kpi.short, measure_text(measure, kpi.value), delta, colour, arrow, basis, last_year, help_text)


@dataclass
class RingkasanView:
    bulan: str
    scope: Scope
    has_data: bool
    cards: list[KpiCard]
    trends: list[Trend]
    ranking: pd.DataFrame  # polsek, indeks_kinerja, kategori_kinerja (every Polsek of the scope; non-reporting last)
    findings: list[analysis.Finding]
    period: str  # `September 2023 – September 2024`
    comparison_note: str
    kpis: list[analysis.Kpi] = field(default_factory=list)  # the numbers behind the cards (workbook, rapor)


def ringkasan_view(data: AnevData) -> RingkasanView:
    """KPI cards against last month (like with like) and last year, trends, the Polsek ranking and the findings."""
    series = measures.series(data.desa, data.months)
    polsek_total = len(access.polsek_names(data.scope))
    kpis = analysis.kpis(data.desa, data.bulan) if data.has_data else []
    cards = [_card(kpi, data.bulan, polsek_total) for kpi in kpis]
    trend_measures = reference.shown("tren")
    counts = [m for m in trend_measures if not m.is_percent]
    percents = [m for m in trend_measures if m.is_percent]
    trends = [t for t in (_trend(series, counts, "Kegiatan per bulan"), _trend(series, percents, "Rasio dan cakupan per bulan"))
              if t.keys]
    previous = fmt.month(add_months(data.bulan, -1))
    note = f"Panah: perubahan dibanding {previous} (persen; poin persen untuk rasio dan cakupan)."
    if any(card.basis.startswith("pada") for card in cards):
        note += (" Ada Polsek yang belum melapor di salah satu bulan: perubahan dihitung hanya pada Polsek yang melapor "
                 "di kedua bulan (Polsek yang sama).")
    return RingkasanView(
        data.bulan, data.scope, data.has_data, cards, trends, polsek_ranking(data, "indeks_kinerja"),
        findings(data),
        f"{fmt.month(data.months[0])} \u2013 {fmt.month(data.bulan)}", note, kpis,
    )


def findings(data: AnevData) -> list[analysis.Finding]:
    """Catatan untuk Anev: the data's findings and the arahan that are overdue or not moving, most serious first."""
    from core import arahan

    notes = analysis.findings(data.desa, data.completeness, data.bulan, data.scope.polsek)
    if not data.follow_up.empty:
        notes += arahan.findings(None, data.bulan, data.scope.polsek, rows=data.follow_up)
    return sorted(notes, key=lambda f: {"tinggi": 0, "sedang": 1}[f.tingkat])


def polsek_ranking(data: AnevData, value: str) -> pd.DataFrame:
    """Every Polsek of the scope with its mean index for the month and its category; not reporting = NaN, listed last."""
    rows = data.month_rows
    reported = rows[rows["_ada_kegiatan"]] if not rows.empty else rows
    means = reported.groupby("polsek")[value].mean() if not reported.empty else pd.Series(dtype=float)
    frame = pd.DataFrame({"polsek": access.polsek_names(data.scope)})
    frame[value] = frame["polsek"].map(means).astype(float)
    frame["kategori_kinerja"] = frame[value].map(metrics.kategori_kinerja)
    frame["peringkat"] = frame[value].rank(ascending=False, method="min").astype("Int64")
    return frame.sort_values(value, ascending=False, na_position="last").reset_index(drop=True)


# --------------------------------------------------------------------------- Kelengkapan


@dataclass
class KelengkapanView:
    bulan: str
    scope: Scope
    on_time: str  # `6/9`
    late: int
    missing: int
    deadline: str
    matrix: pd.DataFrame  # polsek, bulan, versi, pertama, status
    coverage: pd.DataFrame  # polsek, desa_melapor, desa_total, persen
    uploads: pd.DataFrame  # display-ready history of the month
    upload_ids: list[int]
    legend: str = "Hijau tepat waktu \u00b7 kuning terlambat \u00b7 merah belum melapor \u00b7 v2 = dua versi diunggah"


def kelengkapan_view(data: AnevData) -> KelengkapanView:
    """Who reported on time, late or not at all; desa coverage; the month's uploads with times in the local zone."""
    matrix = data.completeness
    now = matrix[matrix["bulan"] == data.bulan]
    deadline = metrics.deadline(data.bulan)
    coverage = analysis.coverage_per_polsek(data.desa, data.bulan)
    coverage = access.limit(coverage, data.scope).reset_index(drop=True)
    history = data.uploads[data.uploads["bulan"] == data.bulan] if not data.uploads.empty else data.uploads
    shown = pd.DataFrame({
        "Polsek": history.get("polsek", pd.Series(dtype=str)),
        "Versi": history.get("versi", pd.Series(dtype="int64")),
        "Berkas": history.get("nama_berkas", pd.Series(dtype=str)),
        "Pengunggah": history.get("pengunggah", pd.Series(dtype=str)),
        f"Waktu ({fmt.zone_name()})": [fmt.when(w) for w in history.get("waktu", [])],
        "Peringatan": [len(json.loads(t)) if isinstance(t, str) else 0 for t in history.get("peringatan", [])],
        "Data contoh": history.get("contoh", pd.Series(dtype=bool)).map({True: "Ya", False: "Tidak"}),
    }).reset_index(drop=True)
    return KelengkapanView(
        data.bulan, data.scope, fmt.fraction(int((now["status"] == "tepat waktu").sum()), len(now)),
        int((now["status"] == "terlambat").sum()), int((now["status"] == "belum").sum()),
        f"Batas waktu {fmt.month(data.bulan)}: {fmt.when(deadline)}", matrix, coverage, shown,
        [int(i) for i in history.get("id", [])],
    )


# --------------------------------------------------------------------------- Kinerja


@dataclass
class KinerjaView:
    bulan: str
    scope: Scope
    has_data: bool
    by: str  # polsek or desa
    scorecard: pd.DataFrame  # index = group; columns: component keys (0..1), `<key>__kurang`, indeks_kinerja, desa
    components: list[tuple[str, str]]  # (key, label)
    weights: str
    league: pd.DataFrame
    pembinaan: CutList
    ranking: pd.DataFrame


def kinerja_view(data: AnevData) -> KinerjaView:
    """Scorecard of capped per-desa attainment, the officer league, and who needs coaching (worst first)."""
    by = "polsek" if data.scope.polsek is None else "desa"
    league = analysis.officer_league(data.desa, data.bulan) if data.has_data else analysis.officer_league(data.desa.iloc[0:0], data.bulan)
    flagged = analysis.needs_coaching(league)
    comps = reference.components("kinerja", data.bulan)
    return KinerjaView(
        data.bulan, data.scope, data.has_data, by,
        analysis.scorecard(data.desa, data.bulan, by=by) if data.has_data else pd.DataFrame(),
        [(c.komponen, c.label) for c in comps], indices.weight_note("kinerja", data.bulan), league,
        CutList(pembinaan_rows(flagged), "Bhabinkamtibmas", "daftar lengkap di layar Kinerja Bhabinkamtibmas", limit=LIST_LIMIT),
        polsek_ranking(data, "indeks_kinerja"),
    )


def pembinaan_rows(flagged: pd.DataFrame) -> pd.DataFrame:
    """Officers who need coaching as the list reads on every renderer: name with rank, Polsek, months Kurang, index."""
    return pd.DataFrame({
        "Nama": [analysis.officer_name(r) for r in flagged.itertuples()],
        "Polsek": [str(p).removeprefix("Polsek ") for p in flagged.get("polsek", [])],
        "Kurang": [f"{n} bulan" for n in flagged.get("bulan_kurang", [])],
        "Indeks": [fmt.number(v, 1) for v in flagged.get("indeks_kinerja", [])],
    })


# --------------------------------------------------------------------------- Kesiapan


@dataclass
class KesiapanView:
    bulan: str
    scope: Scope
    has_data: bool
    ranking: pd.DataFrame  # polsek, indeks_kesiapan, kategori_kinerja
    coverage: pd.DataFrame  # polsek, cakupan_koordinasi, cakupan_sosialisasi (percent)
    coverage_labels: dict[str, str]
    trend: Trend
    linmas: pd.DataFrame  # Polsek, Linmas dilibatkan, TPS, Kebutuhan, Terpenuhi (percent)
    linmas_note: str
    per_desa: pd.DataFrame
    weights: str


def kesiapan_view(data: AnevData) -> KesiapanView:
    """Readiness per Polsek and desa, coordination and socialisation coverage, Linmas against its need."""
    coverage_keys = [m for m in reference.shown("tren") if m.jenis == "cakupan"]
    series = measures.series(data.desa, data.months, [m.key for m in coverage_keys] + ["desa_melapor"])
    rows = data.month_rows
    by_polsek = measures.table(rows, "polsek", [m.key for m in coverage_keys] + ["linmas_rasio", "linmas", "tps"]) \
        if not rows.empty else pd.DataFrame()
    names = access.polsek_names(data.scope)
    coverage = pd.DataFrame({"polsek": names})
    for m in coverage_keys:
        coverage[m.key] = coverage["polsek"].map(by_polsek[m.key]) if not by_polsek.empty else float("nan")
    need_per_tps = measures.linmas_per_tps()
    linmas = pd.DataFrame({"Polsek": names})
    if not by_polsek.empty:
        linmas["Linmas dilibatkan"] = linmas["Polsek"].map(by_polsek["linmas"]).astype("Int64")
        linmas["TPS"] = linmas["Polsek"].map(by_polsek["tps"]).astype("Int64")
        linmas["Kebutuhan"] = (linmas["TPS"] * int(need_per_tps)).astype("Int64")
        linmas["Terpenuhi"] = linmas["Polsek"].map(by_polsek["linmas_rasio"]).astype(float)
    per_desa = rows[rows["_ada_kegiatan"]] if not rows.empty else rows
    per_desa = per_desa.sort_values("indeks_kesiapan") if not per_desa.empty else per_desa
    return KesiapanView(
        data.bulan, data.scope, data.has_data, polsek_ranking(data, "indeks_kesiapan"), coverage,
        {m.key: m.label for m in coverage_keys}, _trend(series, coverage_keys, "Cakupan koordinasi dan sosialisasi per bulan"),
        linmas,
        f"Kebutuhan = {fmt.number(need_per_tps)} Linmas per TPS. Linmas dari lembar Kegiatan; TPS dari lembar Kerawanan "
        "(semua desa yang mengirim lembar itu). Desa tanpa lembar Kerawanan tidak menambah kebutuhan.",
        per_desa, indices.weight_note("kesiapan", data.bulan),
    )


# --------------------------------------------------------------------------- Desa rawan


@dataclass
class DesaRawanView:
    bulan: str
    scope: Scope
    sangat_rawan: int
    rawan: int
    tps_rawan: int
    belum_dinilai: int
    desa: CutList  # columns: Desa, Kecamatan, Polsek, Tingkat, Skor, TPS rawan/sangat, Potensi gangguan


def desa_rawan_view(data: AnevData) -> DesaRawanView:
    """Rawan and Sangat Rawan desa of the month, worst first (level, then score, then sangat rawan TPS)."""
    rows = data.month_rows
    assessed = rows[rows["_ada_kerawanan"]] if not rows.empty else rows
    chosen = assessed[assessed["tingkat_kerawanan"].isin(["Rawan", "Sangat Rawan"])] if not assessed.empty else assessed
    level = chosen["tingkat_kerawanan"].map({"Sangat Rawan": 2, "Rawan": 1}) if not chosen.empty else pd.Series(dtype=int)
    ordered = chosen.assign(_level=level).sort_values(["_level", "skor_kerawanan", "tps_sangat_rawan", "desa"],
                                                      ascending=[False, False, False, True]) if not chosen.empty else chosen
    table = pd.DataFrame({
        "Desa": ordered.get("desa", pd.Series(dtype=str)),
        "Kecamatan": ordered.get("kecamatan", pd.Series(dtype=str)),
        "Polsek": ordered.get("polsek", pd.Series(dtype=str)).str.removeprefix("Polsek "),
        "Tingkat": ordered.get("tingkat_kerawanan", pd.Series(dtype=str)),
        "Skor": [fmt.number(v) for v in ordered.get("skor_kerawanan", [])],
        "TPS rawan / sangat rawan": [f"{fmt.number(r)} / {fmt.number(s)}" for r, s in
                                     zip(ordered.get("tps_rawan", []), ordered.get("tps_sangat_rawan", []), strict=True)],
        "Potensi gangguan": [p if isinstance(p, str) and p.strip() else fmt.DASH for p in ordered.get("potensi_gangguan", [])],
    }).reset_index(drop=True)
    counts = chosen["tingkat_kerawanan"].value_counts() if not chosen.empty else pd.Series(dtype=int)
    tps = int(pd.to_numeric(chosen.get("tps_rawan", pd.Series(dtype=float)), errors="coerce").fillna(0).sum()
              + pd.to_numeric(chosen.get("tps_sangat_rawan", pd.Series(dtype=float)), errors="coerce").fillna(0).sum())
    not_assessed = int((rows["_ada_kegiatan"] & ~rows["_ada_kerawanan"]).sum()) if not rows.empty else 0
    return DesaRawanView(data.bulan, data.scope, int(counts.get("Sangat Rawan", 0)), int(counts.get("Rawan", 0)), tps, not_assessed,
                         CutList(table, "desa", "daftar lengkap di layar Peta Kerawanan", limit=LIST_LIMIT))


# --------------------------------------------------------------------------- one Polsek (deck page, rapor)


@dataclass
class PolsekView:
    polsek: str
    bulan: str
    reported: bool
    facts: list[tuple[str, str]] = field(default_factory=list)
    rank: str = ""
    trend: Trend | None = None


def polsek_view(data: AnevData, polsek: str, guard: pd.DataFrame | None = None) -> PolsekView:
    """The facts of one Polsek for its deck page and rapor, from the catalogue's `dek` measures."""
    rows = data.desa[data.desa["polsek"] == polsek] if not data.desa.empty else data.desa
    month = rows[rows["bulan"] == data.bulan] if not rows.empty else rows
    if month.empty or not month["_ada_kegiatan"].any():
        return PolsekView(polsek, data.bulan, False)
    total_desa = int((reference.desa()["polsek"] == polsek).sum())
    reported = int(month["_ada_kegiatan"].sum())
    facts = [("Desa melapor", fmt.fraction(reported, total_desa))]
    kinerja = month.loc[month["_ada_kegiatan"], "indeks_kinerja"].mean()
    facts.append(("Indeks Kinerja", f"{fmt.number(kinerja, 1)} ({metrics.kategori_kinerja(kinerja)})"))
    facts.append(("Indeks Kesiapan", fmt.number(month.loc[month["_ada_kegiatan"], "indeks_kesiapan"].mean(), 1)))
    values = measures.table(month, None, [m.key for m in reference.shown("dek")]).iloc[0]
    sums = measures.table(month, None, None).iloc[0]
    for measure in reference.shown("dek"):
        text = measure_text(measure, values[measure.key])
        if measure.jenis == "rasio":
            above = sum(sums.get(c, 0) for c in measure.numerator)
            text += f" ({fmt.number(above)} dari {fmt.number(sums.get(measure.denominator))})"
        facts.append((measure.label, text))
    if guard is not None and polsek in set(guard["polsek"]):
        row = guard.set_index("polsek").loc[polsek]
        facts.append(("Personel pengamanan TPS", f"Polri {fmt.number(row['personel_polri'])}, Linmas {fmt.number(row['personel_linmas'])}"))
    ranking = polsek_ranking(AnevData(data.bulan, Scope(), data.months, data.desa, data.uploads, data.demo), "indeks_kinerja") \
        if data.scope.polsek is None else None
    rank = ""
    if ranking is not None:
        found = ranking.set_index("polsek")["peringkat"].get(polsek)
        rank = f"Peringkat {found} dari {ranking['peringkat'].notna().sum()} Polsek (Indeks Kinerja)" if pd.notna(found) else ""
    trend_measures = [reference.measures()["indeks_kinerja"], reference.measures()["indeks_kesiapan"]]
    series = measures.series(rows, data.months, ["indeks_kinerja", "indeks_kesiapan", "desa_melapor"])
    return PolsekView(polsek, data.bulan, True, facts, rank, Trend(series, [m.key for m in trend_measures],
                                                                    {m.key: m.label for m in trend_measures}, False, "Indeks per bulan"))


def today_wita() -> dt.date:
    """Today's date in the configured zone (the meeting's date on the notulen and slides)."""
    return (dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(hours=fmt.zone_hours())).date()


# --------------------------------------------------------------------------- drill-downs (Kinerja)


@dataclass
class OfficerDetail:
    nrp: str
    name: str
    polsek: str
    desa: str
    notes: list[str]
    trend: Trend


def officer_detail(data: AnevData, nrp: str) -> OfficerDetail:
    """One officer: his desa this month, the remarks he wrote, and his Indeks Kinerja over the months."""
    rows = data.desa[data.desa["nrp"] == nrp]
    history = analysis.officer_history(rows)
    series = history.set_index("bulan").reindex(data.months)
    series["desa_melapor"] = series["indeks_kinerja"].notna().astype(int)
    current = rows[rows["bulan"] == data.bulan]
    latest = rows.sort_values("bulan").iloc[-1]
    notes = [str(n) for n in current["keterangan"].dropna() if str(n).strip()] if "keterangan" in current else []
    return OfficerDetail(nrp, analysis.officer_name(latest), str(latest["polsek"]), ", ".join(current["desa"]) or fmt.DASH, notes,
                         Trend(series, ["indeks_kinerja"], {"indeks_kinerja": "Indeks Kinerja"}, False, "Indeks Kinerja per bulan"))


@dataclass
class PolsekDetail:
    polsek: str
    trend: Trend
    desa: pd.DataFrame


def polsek_detail(data: AnevData, polsek: str) -> PolsekDetail:
    """One Polsek: its indices over the months and its desa this month."""
    rows = data.desa[data.desa["polsek"] == polsek] if not data.desa.empty else data.desa
    series = measures.series(rows, data.months, ["indeks_kinerja", "indeks_kesiapan", "desa_melapor"])
    month = rows[(rows["bulan"] == data.bulan) & rows["_ada_kegiatan"]] if not rows.empty else rows
    keys = [m.key for m in reference.shown("rekap") if m.jenis == "jumlah"][:6]
    table = pd.DataFrame({
        "Desa": month.get("desa", pd.Series(dtype=str)),
        "Kecamatan": month.get("kecamatan", pd.Series(dtype=str)),
        "Bhabinkamtibmas": month.get("nama_bhabin", pd.Series(dtype=str)),
        "Indeks Kinerja": month.get("indeks_kinerja", pd.Series(dtype=float)),
        "Kategori": month.get("kategori_kinerja", pd.Series(dtype=str)),
        **{reference.measures()[k].short: month.get(k, pd.Series(dtype="Int64")) for k in keys},
    }).reset_index(drop=True)
    labels = {m: reference.measures()[m].label for m in ("indeks_kinerja", "indeks_kesiapan")}
    return PolsekDetail(polsek, Trend(series, list(labels), labels, False, f"{polsek}: indeks per bulan"), table)


def league_table(view: KinerjaView) -> pd.DataFrame:
    """The officer league as people read it: Indonesian headers, component labels, Polsek without its prefix."""
    league = view.league
    labels = dict(view.components)
    component_cols = [c for c in league.columns if c.startswith("kinerja_")]
    table = league[["nama_bhabin", "pangkat", "nrp", "polsek", "desa_binaan", "indeks_kinerja", "tren", "kategori_kinerja",
                    "bulan_kurang", *component_cols]].copy()
    table["polsek"] = table["polsek"].str.removeprefix("Polsek ")
    return table.rename(columns={
        "nama_bhabin": "Nama", "pangkat": "Pangkat", "nrp": "NRP", "polsek": "Polsek", "desa_binaan": "Desa binaan",
        "indeks_kinerja": "Indeks", "tren": "Tren", "kategori_kinerja": "Kategori", "bulan_kurang": "Bulan Kurang",
        **{c: labels.get(c.removeprefix("kinerja_"), c) for c in component_cols},
    })


def scorecard_table(view: KinerjaView) -> pd.DataFrame:
    """The scorecard with labelled columns (attainment 0..1 per component, then the index), groups as the index."""
    card = view.scorecard
    if card.empty:
        return card
    keys = [key for key, _ in view.components]
    shown = card[[*keys, "indeks_kinerja"]].rename(columns={**dict(view.components), "indeks_kinerja": "Indeks Kinerja"})
    shown.index = [polsek_name for polsek_name in (str(i).removeprefix("Polsek ") for i in shown.index)]
    shown.index.name = "Polsek" if view.by == "polsek" else "Desa"
    return shown


def under_target_table(view: KinerjaView) -> pd.DataFrame:
    """Per group and component: how many desa are under target (what a group's average can hide)."""
    card = view.scorecard
    if card.empty:
        return card
    table = pd.DataFrame({label: card[f"{key}__kurang"].astype(int).astype(str) + " dari " + card["desa"].astype(int).astype(str)
                          for key, label in view.components})
    table.index = [str(i).removeprefix("Polsek ") for i in card.index]
    table.index.name = "Polsek" if view.by == "polsek" else "Desa"
    return table


def kesiapan_desa_table(view: KesiapanView) -> pd.DataFrame:
    """Indeks Kesiapan per desa with what makes it, lowest first, Indonesian headers."""
    rows = view.per_desa
    columns = {"desa": "Desa", "kecamatan": "Kecamatan", "polsek": "Polsek", "indeks_kesiapan": "Indeks Kesiapan",
               "koordinasi_penyelenggara": "Koordinasi", "sosialisasi_pemilihan": "Sosialisasi", "pos_kamling_aktif": "Pos kamling aktif",
               "pos_kamling": "Pos kamling", "fkpm_aktif": "FKPM aktif", "linmas": "Linmas", "tps": "TPS"}
    table = rows.reindex(columns=list(columns)).rename(columns=columns).reset_index(drop=True)
    table["Polsek"] = table["Polsek"].astype(str).str.removeprefix("Polsek ")
    table["FKPM aktif"] = table["FKPM aktif"].map({True: "Ya", False: "Tidak"})
    return table


# --------------------------------------------------------------------------- Tabel Rekap


@dataclass
class RekapView:
    bulan: str
    scope: Scope
    rekap: metrics.Rekap
    cards: list[tuple[str, str]]
    polsek: pd.DataFrame  # display-ready
    desa: pd.DataFrame  # display-ready


def rekap_view(data: AnevData) -> RekapView:
    """The month's recap as tables: per Polsek (the catalogue's `rekap` columns) and per desa; non-reporting Polsek blank."""
    rekap = metrics.rekap_from_desa(data.bulan, data.month_rows)
    polsek = access.limit(rekap.polsek, data.scope).reset_index(drop=True)
    reported = polsek["desa_melapor"] > 0
    columns = [m for m in reference.shown("rekap") if m.jenis == "jumlah"]
    table = pd.DataFrame({
        "Polsek": polsek["polsek"].str.removeprefix("Polsek "),
        "Desa melapor": [fmt.fraction(a, b) for a, b in zip(polsek["desa_melapor"], polsek["desa_total"], strict=True)],
        "Indeks Kinerja": polsek["indeks_kinerja"],
        "Kategori": polsek["kategori_kinerja"].fillna("Belum melapor"),
        "Indeks Kesiapan": polsek["indeks_kesiapan"],
        **{m.label: polsek[m.key].astype("Int64").where(reported) for m in columns},
        "Personel Polri TPS": polsek["personel_polri"].astype("Int64").where(reported),
        "Personel Linmas TPS": polsek["personel_linmas"].astype("Int64").where(reported),
    })
    desa = rekap.desa
    desa_table = pd.DataFrame({
        "Desa/Kelurahan": desa.get("desa", pd.Series(dtype=str)), "Kecamatan": desa.get("kecamatan", pd.Series(dtype=str)),
        "Polsek": desa.get("polsek", pd.Series(dtype=str)).str.removeprefix("Polsek "),
        "Bhabinkamtibmas": desa.get("nama_bhabin", pd.Series(dtype=str)),
        "Indeks Kinerja": desa.get("indeks_kinerja", pd.Series(dtype=float)),
        "Indeks Kesiapan": desa.get("indeks_kesiapan", pd.Series(dtype=float)),
        "Skor Kerawanan": desa.get("skor_kerawanan", pd.Series(dtype=float)),
        "Tingkat Kerawanan": desa.get("tingkat_kerawanan", pd.Series(dtype=str)),
        "TPS": desa.get("tps", pd.Series(dtype="Int64")), "TPS rawan": desa.get("tps_rawan", pd.Series(dtype="Int64")),
        "TPS sangat rawan": desa.get("tps_sangat_rawan", pd.Series(dtype="Int64")),
    }).reset_index(drop=True)
    k = rekap.kelengkapan
    in_scope = polsek["desa_total"].sum()
    cards = [
        ("Polsek melapor", fmt.fraction(int(reported.sum()), len(polsek))),
        ("Desa melapor", fmt.fraction(int(polsek["desa_melapor"].sum()), int(in_scope))),
        (reference.measures()["sambang_dds"].label if "sambang_dds" in reference.measures() else "Sambang/DDS",
         fmt.number(polsek["sambang_dds"].sum()) if "sambang_dds" in polsek else fmt.DASH),
        ("Personel Polri untuk TPS", fmt.number(polsek["personel_polri"].sum())),
    ] if k["polsek_melapor"] else []
    return RekapView(data.bulan, data.scope, rekap, cards, table, desa_table)


#: Findings a slide or deck page shows before saying "N dari M".
FINDINGS_LIMIT = 5
#: Arahan a slide or deck page shows (their text is long) before saying "N dari M".
FOLLOW_UP_LIMIT = 4


def findings_rows(findings: list[analysis.Finding]) -> pd.DataFrame:
    """Findings as rows (tingkat, jenis, teks) in their order, for cut lists and tables."""
    return pd.DataFrame([{"tingkat": f.tingkat, "jenis": f.jenis, "teks": f.teks} for f in findings], columns=["tingkat", "jenis", "teks"])


# --------------------------------------------------------------------------- Tindak Lanjut Arahan (the next Anev)


@dataclass
class TindakLanjutView:
    bulan: str
    scope: Scope
    counts: list[tuple[str, int]]  # status -> number of arahan
    arahan: CutList  # columns: Arahan, Pelaksana, Tenggat, Status, Saat diberikan, Sekarang


def tindak_lanjut_view(data: AnevData) -> TindakLanjutView:
    """The arahan given at earlier Anev and still open: owner, due month, status, figure then and now; most urgent first."""
    from core import arahan

    rows = data.follow_up
    if rows.empty:
        table = pd.DataFrame(columns=["Arahan", "Pelaksana", "Tenggat", "Status", "Saat diberikan", "Sekarang"])
        return TindakLanjutView(data.bulan, data.scope, [], CutList(table, "arahan", "semua arahan di layar Tindak Lanjut"))
    shown = arahan.display_frame(rows)
    table = shown[["Arahan", "Pelaksana", "Tenggat", "Status", "Saat diberikan", "Sekarang"]].reset_index(drop=True)
    table["Tenggat"] = [fmt.month_short(m) for m in rows["tenggat"]]
    counts = [(status, int((rows["status"] == status).sum())) for status in arahan.STATUSES if (rows["status"] == status).any()]
    return TindakLanjutView(data.bulan, data.scope, counts,
                            CutList(table, "arahan", "semua arahan di layar Tindak Lanjut", limit=FOLLOW_UP_LIMIT))
