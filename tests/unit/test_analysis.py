"""Month-over-month analysis: series, KPI changes, scorecard, league table, findings for the meeting."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from core import analysis, metrics, reference

POLSEK = "Polsek Insana Utara"
DESA = list(reference.desa_of(POLSEK)["kode"])
MONTHS = ["2024-06", "2024-07", "2024-08", "2024-09"]


def _keg(kode: str, bulan: str, **values) -> dict:
    row = {key: 0 for key in reference.count_keys("kegiatan")}
    row.update(desa_kode=kode, bulan=bulan, polsek=POLSEK, versi=1, fkpm_aktif=False, nama_bhabin=f"Petugas {kode[-2:]}",
               pangkat="Bripka", nrp=f"850100{kode[-2:]}", keterangan=None)
    row.update(values)
    return row


def _ker(kode: str, bulan: str, **values) -> dict:
    row = {key: 0 for key in reference.count_keys("kerawanan")}
    row.update({key: False for key in reference.bool_keys("kerawanan")})
    row.update(desa_kode=kode, bulan=bulan, polsek=POLSEK, versi=1, potensi_gangguan=None)
    row.update(values)
    return row


def _good(kode: str, bulan: str, **values) -> dict:
    base = dict(sambang_dds=20, deteksi_dini=4, binluh=2, sosialisasi_pemilihan=2, koordinasi_penyelenggara=2,
                ps_ditangani=1, ps_selesai=1, pos_kamling=4, pos_kamling_aktif=2, fkpm_aktif=True)
    base.update(values)
    return _keg(kode, bulan, **base)


@pytest.fixture
def desa() -> pd.DataFrame:
    keg, ker = [], []
    for month in MONTHS:
        late = month == "2024-09"
        for kode in DESA[1:]:
            keg.append(_good(kode, month, sambang_dds=5 if late else 20))
            ker.append(_ker(kode, month, tps=2, tps_kurang_rawan=2))
        # desa 0: an officer doing nothing, month after month
        keg.append(_keg(DESA[0], month))
        ker.append(_ker(DESA[0], month, tps=1, tps_kurang_rawan=1))
    # desa 1 becomes Sangat Rawan in September
    ker = [r for r in ker if not (r["desa_kode"] == DESA[1] and r["bulan"] == "2024-09")]
    ker.append(_ker(DESA[1], "2024-09", tps=2, tps_kurang_rawan=1, tps_sangat_rawan=1, riwayat_konflik=True))
    return metrics.desa_month(pd.DataFrame(keg), pd.DataFrame(ker))


def test_monthly_series_sums_ratios_and_gaps(desa):
    series = analysis.monthly_series(desa, ["2024-05", *MONTHS])
    assert pd.isna(series.loc["2024-05", "sambang_dds"]) and series.loc["2024-05", "desa_melapor"] == 0
    assert series.loc["2024-08", "sambang_dds"] == 20 * 4
    assert series.loc["2024-09", "sambang_dds"] == 5 * 4
    # pos kamling: 4 desa x 2 of 4 active, desa 0 has none -> 8 / 16
    assert series.loc["2024-08", "pos_kamling_rasio"] == pytest.approx(50.0)
    assert series.loc["2024-08", "cakupan_koordinasi"] == pytest.approx(80.0)
    assert series.loc["2024-08", "polsek_melapor"] == 1


def test_kpis_compare_previous_month_and_last_year(desa):
    cards = {k.key: k for k in analysis.kpis(desa, "2024-09")}
    sambang = cards["sambang_dds"]
    assert sambang.value == 20 and sambang.previous.other == 80
    assert sambang.vs_previous == pytest.approx(-75.0) and sambang.previous.like_for_like
    assert sambang.last_year.other is None and sambang.vs_last_year is None
    assert cards["pos_kamling_rasio"].vs_previous == pytest.approx(0.0)  # percentage points
    assert cards["polsek_melapor"].value == 1


def _other_polsek_rows(bulan: str, sambang: int) -> tuple[list[dict], list[dict]]:
    other = reference.desa_of("Polsek Noemuti")["kode"][:3]
    keg = [dict(_good(k, bulan, sambang_dds=sambang), polsek="Polsek Noemuti") for k in other]
    ker = [dict(_ker(k, bulan, tps=1, tps_kurang_rawan=1), polsek="Polsek Noemuti") for k in other]
    return keg, ker


def test_a_change_compares_like_with_like_when_a_polsek_is_missing():
    # August: Insana Utara and Noemuti report; September: Noemuti is missing. Insana Utara itself rose 10%.
    keg, ker = [], []
    for bulan, sambang in (("2024-08", 20), ("2024-09", 22)):
        for kode in DESA:
            keg.append(_good(kode, bulan, sambang_dds=sambang))
            ker.append(_ker(kode, bulan, tps=1, tps_kurang_rawan=1))
    more_keg, more_ker = _other_polsek_rows("2024-08", 30)
    desa = metrics.desa_month(pd.DataFrame(keg + more_keg), pd.DataFrame(ker + more_ker))
    card = next(k for k in analysis.kpis(desa, "2024-09") if k.key == "sambang_dds")
    assert card.value == 22 * len(DESA) and card.previous.other == 20 * len(DESA) + 90  # the raw totals fell
    assert card.vs_previous == pytest.approx(10.0)  # ... but the same Polsek rose 10%
    assert not card.previous.like_for_like and card.previous.polsek_common == 1


def test_scorecard_caps_each_desa_at_its_target_like_the_index():
    # one desa at 4x the sambang target hides three desa at a quarter of it on an uncapped average (106% green);
    # capped per desa: (1 + 0.25 * 3) / 4 = 44%, three desa under target
    keg = [_good(DESA[0], "2024-09", sambang_dds=80)] + [_good(k, "2024-09", sambang_dds=5) for k in DESA[1:4]]
    desa = metrics.desa_month(pd.DataFrame(keg), pd.DataFrame([_ker(k, "2024-09") for k in DESA[:4]]))
    row = analysis.scorecard(desa, "2024-09").loc[POLSEK]
    assert row["sambang_dds"] == pytest.approx(0.4375)
    assert row["sambang_dds__kurang"] == 3
    assert analysis.score_colour(row["sambang_dds"]) == "merah"
    assert analysis.score_colour(1.2) == "hijau" and analysis.score_colour(0.6) == "kuning" and analysis.score_colour(None) == "abu"


def test_league_table_trend_and_kurang_streak(desa):
    league = analysis.officer_league(desa, "2024-09").set_index("nrp")
    lazy = league.loc[f"850100{DESA[0][-2:]}"]
    assert lazy["kategori_kinerja"] == "Kurang" and lazy["bulan_kurang"] == 4
    busy = league.loc[f"850100{DESA[2][-2:]}"]
    assert busy["tren"] == "\u2193"  # sambang fell from 20 to 5
    assert busy["indeks_kinerja"] == pytest.approx(busy["indeks_bulan_lalu"] - 25 * 0.75)
    assert list(league["indeks_kinerja"]) == sorted(league["indeks_kinerja"], reverse=True)


def test_officers_needing_coaching_are_listed_worst_first():
    league = pd.DataFrame({
        "nrp": list("abcdef"), "nama_bhabin": list("ABCDEF"), "pangkat": ["Bripka"] * 6, "polsek": [POLSEK] * 6,
        "indeks_kinerja": [59.0, 37.5, 55.0, 50.0, 45.0, 70.0], "bulan_kurang": [2, 12, 2, 10, 3, 0],
    })
    flagged = analysis.needs_coaching(league)
    # longest run of Kurang first, then the lower index; the officer who is not Kurang is not listed
    assert list(flagged["nrp"]) == ["b", "d", "e", "c", "a"]


def test_findings_cover_each_kind(desa):
    uploads = pd.DataFrame([
        {"polsek": POLSEK, "bulan": "2024-09", "versi": 1, "waktu": dt.datetime(2024, 10, 8, 9, 0)},
    ])
    completeness = metrics.completeness(uploads, ["2024-09"])
    notes = analysis.findings(desa, completeness, "2024-09")
    text = "\n".join(n.teks for n in notes)
    kinds = {n.jenis for n in notes}
    assert {"laporan", "penurunan", "kerawanan", "kinerja"} <= kinds
    assert "Belum mengirim rekap September 2024: Polsek Biboki Anleu" in text
    assert f"Terlambat mengirim rekap September 2024 (lewat tanggal batas): {POLSEK}" in text
    assert "Sambang/DDS turun 75% (80 \u2192 20) dibanding Agustus 2024." in text
    desa_name = reference.desa().set_index("kode").loc[DESA[1], "nama"]
    assert f"Desa yang menjadi Sangat Rawan bulan ini: {desa_name}" in text
    assert "Kurang dua bulan berturut-turut" in text and "4 bulan)" in text
    assert [n.tingkat for n in notes] == sorted((n.tingkat for n in notes), key=lambda t: t != "tinggi")
    drop = next(n for n in notes if n.jenis == "penurunan")
    assert drop.ukuran == "sambang_dds"  # an arahan made from it is about this measure
    assert not any(label.islower() and label.upper() in text for label in ("fkpm", "ppk/pps"))  # acronyms keep their case


def test_findings_respect_the_scope(desa):
    completeness = metrics.completeness(pd.DataFrame(columns=["polsek", "bulan", "versi", "waktu"]), ["2024-09"])
    noemuti = desa[desa["polsek"] == "Polsek Noemuti"]
    notes = analysis.findings(noemuti, completeness, "2024-09", polsek="Polsek Noemuti")
    assert [n.teks for n in notes if n.jenis == "laporan"] == ["Belum mengirim rekap September 2024: Polsek Noemuti."]
    assert not [n for n in notes if n.jenis in ("kinerja", "kerawanan")]


def test_coverage_per_polsek(desa):
    coverage = analysis.coverage_per_polsek(desa, "2024-09").set_index("polsek")
    assert coverage.loc[POLSEK, "desa_melapor"] == 5 and coverage.loc[POLSEK, "persen"] == pytest.approx(100.0)
    assert coverage.loc["Polsek Insana", "desa_melapor"] == 0


def test_monthly_series_of_nothing_has_every_column_empty():
    empty = metrics.desa_month(pd.DataFrame(), pd.DataFrame()).assign(bulan=pd.Series(dtype=str))
    series = analysis.monthly_series(empty, MONTHS)
    assert (series["desa_melapor"] == 0).all()
    for column in ("indeks_kinerja", "pos_kamling_rasio", "sambang_dds", "cakupan_koordinasi"):
        assert series[column].isna().all()
