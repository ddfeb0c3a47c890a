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
    series = analysis.monthly_series(desa, MONTHS)
    cards = {k.key: k for k in analysis.kpis(series, "2024-09")}
    assert cards["sambang_dds"].value == 20 and cards["sambang_dds"].previous == 80
    assert cards["sambang_dds"].vs_previous == pytest.approx(-75.0)
    assert cards["sambang_dds"].last_year is None and cards["sambang_dds"].vs_last_year is None
    assert cards["pos_kamling_rasio"].vs_previous == pytest.approx(0.0)  # percentage points


def test_scorecard_against_targets(desa):
    card = analysis.scorecard(desa[desa["bulan"] == "2024-08"])
    row = card.loc[POLSEK]
    assert row["sambang_dds"] == pytest.approx(80 / (20 * 5))
    assert row["pos_kamling"] == pytest.approx(0.5)
    assert row["fkpm"] == pytest.approx(0.8)
    assert analysis.score_colour(row["sambang_dds"]) == "kuning"
    assert analysis.score_colour(1.2) == "hijau" and analysis.score_colour(0.3) == "merah" and analysis.score_colour(None) == "abu"


def test_league_table_trend_and_kurang_streak(desa):
    league = analysis.officer_league(desa, "2024-09").set_index("nrp")
    lazy = league.loc[f"850100{DESA[0][-2:]}"]
    assert lazy["kategori_kinerja"] == "Kurang" and lazy["bulan_kurang"] == 4
    busy = league.loc[f"850100{DESA[2][-2:]}"]
    assert busy["tren"] == "\u2193"  # sambang fell from 20 to 5
    assert busy["indeks_kinerja"] == pytest.approx(busy["indeks_bulan_lalu"] - 25 * 0.75)
    assert list(league["indeks_kinerja"]) == sorted(league["indeks_kinerja"], reverse=True)


def test_findings_cover_each_kind(desa):
    uploads = pd.DataFrame([
        {"polsek": POLSEK, "bulan": "2024-09", "versi": 1, "waktu": dt.datetime(2024, 10, 8, 9, 0)},
    ])
    completeness = metrics.completeness(uploads, ["2024-09"])
    notes = analysis.findings(desa, completeness, "2024-09")
    text = "\n".join(n.teks for n in notes)
    kinds = {n.jenis for n in notes}
    assert {"laporan", "penurunan", "kerawanan", "kinerja", "instruksi"} <= kinds
    assert "Belum mengirim rekap September 2024: Polsek Biboki Anleu" in text
    assert f"Terlambat mengirim rekap September 2024 (lewat tanggal batas): {POLSEK}" in text
    assert "Sambang/DDS turun 75%" in text
    desa_name = reference.desa().set_index("kode").loc[DESA[1], "nama"]
    assert f"Desa yang menjadi Sangat Rawan bulan ini: {desa_name}" in text
    assert "Kurang dua bulan berturut-turut" in text and "(4 bulan)" in text
    assert "Aktifkan kembali pos kamling" in text and "belum bergerak" in text
    assert [n.tingkat for n in notes] == sorted((n.tingkat for n in notes), key=lambda t: t != "tinggi")


def test_findings_respect_polsek_filter(desa):
    completeness = metrics.completeness(pd.DataFrame(columns=["polsek", "bulan", "versi", "waktu"]), ["2024-09"])
    notes = analysis.findings(desa, completeness, "2024-09", polsek="Polsek Noemuti")
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
