"""Indices, TPS guard needs and completeness on hand-computed cases (spec section 6)."""

from __future__ import annotations

import datetime as dt
import json
import math

import numpy as np
import pandas as pd
import pytest

from core import metrics, reference

INSANA = reference.desa_of("Polsek Insana")
KODE_A, KODE_B = INSANA["kode"].iloc[0], INSANA["kode"].iloc[1]


def _kegiatan(**values) -> dict:
    row = {key: 0 for key in reference.count_keys("kegiatan")}
    row.update({"fkpm_aktif": False, "nama_bhabin": "A", "pangkat": "Bripka", "nrp": "85010001", "keterangan": None})
    row.update(values)
    return row


def _kerawanan(**values) -> dict:
    row = {key: 0 for key in reference.count_keys("kerawanan")}
    row.update({key: False for key in reference.bool_keys("kerawanan")})
    row["potensi_gangguan"] = None
    row.update(values)
    return row


def _frames(keg: list[dict], ker: list[dict]) -> tuple[pd.DataFrame, pd.DataFrame]:
    k = pd.DataFrame(keg).assign(polsek="Polsek Insana", bulan="2024-09", versi=1)
    r = pd.DataFrame(ker).assign(polsek="Polsek Insana", bulan="2024-09", versi=1)
    return k, r


def test_indeks_kinerja_hand_computed():
    # sambang 10/20*25 = 12.5; deteksi 4/4*20 = 20; binluh+sos 1+1=2 -> 2/4*15 = 7.5; koordinasi 3/2 capped -> 10
    # ps 1/2 -> 5; pos kamling 1/4 -> 2.5; fkpm yes -> 10  => 67.5
    keg, ker = _frames(
        [_kegiatan(desa_kode=KODE_A, sambang_dds=10, deteksi_dini=4, binluh=1, sosialisasi_pemilihan=1,
                   koordinasi_penyelenggara=3, ps_ditangani=2, ps_selesai=1, pos_kamling=4, pos_kamling_aktif=1, fkpm_aktif=True)],
        [_kerawanan(desa_kode=KODE_A, tps=4, tps_kurang_rawan=4)],
    )
    desa = metrics.desa_month(keg, ker)
    assert desa.loc[0, "indeks_kinerja"] == pytest.approx(67.5)
    assert desa.loc[0, "kategori_kinerja"] == "Cukup"


def test_indeks_kinerja_empty_ratios():
    # nothing taken up -> problem solving counts as 1 (10); no pos kamling -> 0
    keg, ker = _frames([_kegiatan(desa_kode=KODE_A)], [])
    desa = metrics.desa_month(keg, ker)
    assert desa.loc[0, "indeks_kinerja"] == pytest.approx(10.0)
    assert desa.loc[0, "kategori_kinerja"] == "Kurang"


def test_indeks_kesiapan_hand_computed():
    # koordinasi>=1 20; sosialisasi 0 -> 0; pos kamling 2/4 -> 10; fkpm no -> 0; linmas 3/(2*3)=0.5 -> 7.5; TPS 2 of 3 classified -> 0
    keg, ker = _frames(
        [_kegiatan(desa_kode=KODE_A, koordinasi_penyelenggara=1, pos_kamling=4, pos_kamling_aktif=2, linmas=3)],
        [_kerawanan(desa_kode=KODE_A, tps=3, tps_kurang_rawan=2)],
    )
    assert metrics.desa_month(keg, ker).loc[0, "indeks_kesiapan"] == pytest.approx(37.5)
    # with all TPS classified and no TPS at all, linmas is full and mapping complete: 20 + 10 + 15 + 10
    keg, ker = _frames(
        [_kegiatan(desa_kode=KODE_A, koordinasi_penyelenggara=1, pos_kamling=4, pos_kamling_aktif=2)],
        [_kerawanan(desa_kode=KODE_A, tps=0)],
    )
    assert metrics.desa_month(keg, ker).loc[0, "indeks_kesiapan"] == pytest.approx(55.0)


@pytest.mark.parametrize(
    ("factors", "gangguan", "tps", "skor", "tingkat"),
    [
        ({}, 0, {}, 0, "Kurang Rawan"),
        ({"riwayat_konflik": True, "politik_uang": True}, 0, {}, 35, "Rawan"),
        ({"riwayat_konflik": True, "hoaks": True}, 0, {}, 30, "Kurang Rawan"),
        ({"riwayat_konflik": True, "politik_uang": True, "hoaks": True, "perbatasan": True}, 1, {}, 70, "Sangat Rawan"),
        ({}, 0, {"tps": 2, "tps_kurang_rawan": 1, "tps_rawan": 1}, 0, "Rawan"),
        ({"riwayat_konflik": True}, 0, {"tps": 2, "tps_sangat_rawan": 1}, 20, "Sangat Rawan"),
    ],
)
def test_skor_and_tingkat_kerawanan(factors, gangguan, tps, skor, tingkat):
    keg, ker = _frames([_kegiatan(desa_kode=KODE_A, gangguan_kamtibmas=gangguan)], [_kerawanan(desa_kode=KODE_A, **factors, **tps)])
    desa = metrics.desa_month(keg, ker)
    assert desa.loc[0, "skor_kerawanan"] == pytest.approx(skor)
    assert desa.loc[0, "tingkat_kerawanan"] == tingkat


def test_guard_needs_pemilu_2024_case():
    tps = pd.DataFrame({"polsek": ["Polres"], "tps": [774], "tps_kurang_rawan": [750], "tps_rawan": [19], "tps_sangat_rawan": [5]})
    needs = metrics.guard_needs(tps)
    assert needs.loc[0, "personel_polri_mentah"] == pytest.approx(279)
    assert needs.loc[0, "personel_polri"] == 279
    assert needs.loc[0, "personel_linmas"] == 1548


def test_guard_needs_round_up_per_polsek():
    # 4 kurang rawan -> 4/3 = 1.33 -> 2 per Polsek; two Polsek give 4 (not ceil(8/3) = 3)
    tps = pd.DataFrame({"polsek": ["A", "B"], "tps": [5, 4], "tps_kurang_rawan": [4, 4], "tps_rawan": [0, 0], "tps_sangat_rawan": [0, 0]})
    needs = metrics.guard_needs(tps).set_index("polsek")
    assert needs.loc["A", "personel_polri"] == 2 and needs.loc["B", "personel_polri"] == 2
    # one unclassified TPS in A still needs 2 Linmas
    assert needs.loc["A", "personel_linmas"] == 10 and needs.loc["B", "personel_linmas"] == 8
    manggarai = metrics.guard_needs(tps, scheme="polres_manggarai_2024").set_index("polsek")
    assert manggarai.loc["B", "personel_linmas"] == 3  # 4 x 2/3 = 2.67 -> 3


def test_rekap_sums_and_recomputes_ratios():
    keg, ker = _frames(
        [_kegiatan(desa_kode=KODE_A, sambang_dds=20, pos_kamling=4, pos_kamling_aktif=4, fkpm_aktif=True),
         _kegiatan(desa_kode=KODE_B, sambang_dds=5, pos_kamling=1, pos_kamling_aktif=0, nrp="85010002", nama_bhabin="B")],
        [_kerawanan(desa_kode=KODE_A, tps=3, tps_kurang_rawan=3), _kerawanan(desa_kode=KODE_B, tps=1, tps_rawan=1, riwayat_konflik=True)],
    )
    rekap = metrics.build_rekap("2024-09", keg, ker)
    assert rekap.totals["sambang_dds"] == 25 and rekap.totals["fkpm_aktif"] == 1 and rekap.totals["riwayat_konflik"] == 1
    row = rekap.polsek.set_index("polsek").loc["Polsek Insana"]
    assert row["desa_melapor"] == 2 and row["desa_total"] == len(INSANA)
    assert row["pos_kamling_aktif"] == 4 and row["pos_kamling"] == 5
    assert row["personel_polri"] == 2  # ceil(3/3) + 1
    assert row["indeks_kinerja"] == pytest.approx(rekap.desa["indeks_kinerja"].mean())
    assert rekap.kelengkapan == {"polsek_melapor": 1, "polsek_total": 9, "desa_melapor": 2, "desa_total": 193}
    other = rekap.polsek.set_index("polsek").loc["Polsek Noemuti"]
    assert other["desa_melapor"] == 0 and pd.isna(other["indeks_kinerja"])


def _plain(value: object) -> object:
    """One value as the spec's JSON means it, converted the slow, obvious way (the reference for rekap_json)."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return round(float(value), 2)
    return value


def _reference_json(rekap: metrics.Rekap) -> dict:
    polsek_cols, desa_cols = metrics._json_columns()
    return {
        "bulan": rekap.bulan,
        "totals": {k: _plain(v) for k, v in rekap.totals.items()},
        "polsek": [{k: _plain(v) for k, v in row.items()} for row in rekap.polsek.reindex(columns=polsek_cols).to_dict("records")],
        "desa": [{k: _plain(v) for k, v in row.items()} for row in rekap.desa.reindex(columns=desa_cols).to_dict("records")],
        "kelengkapan": rekap.kelengkapan,
    }


def test_round_like_python_matches_round_on_half_cents_and_random_values():
    rng = np.random.default_rng(7)
    values = np.concatenate([np.arange(0, 20_001) / 1000, np.arange(0, 4_001) / 40, rng.uniform(0, 100, 50_000),
                             [0.015, 13.795, 72.345, -2.675, 1e13 + 0.005, float("nan")]])
    got = metrics.round_like_python(pd.Series(values))
    expected = np.array([round(v, 2) for v in values.tolist()])
    assert np.array_equal(got, expected, equal_nan=True)
    assert not np.array_equal(np.round(values, 2), expected, equal_nan=True)  # numpy alone would not do


def test_rekap_json_rounds_like_python_and_keeps_text_readable():
    # pandas' own two-decimal writer rounds 0.015 and 13.795 up; the stored doubles are just below, Python rounds down
    _polsek_cols, desa_cols = metrics._json_columns()
    desa = pd.DataFrame({col: [None, None, None, None] for col in desa_cols})
    desa["indeks_kinerja"] = [0.015, 13.795, 72.345, float("nan")]
    desa["indeks_kesiapan"] = pd.array([0.125, None, 99.999, 1.0], dtype="Float64")
    desa["keterangan"] = ["Sambang/DDS", "garis miring \\ terbalik", "baris\nbaru", "ü – é"]
    rekap = metrics.Rekap(bulan="2024-09", totals={}, polsek=pd.DataFrame(), desa=desa, kelengkapan={})
    text = metrics.rekap_json_text(rekap)
    rows = json.loads(text)["desa"]
    assert [r["indeks_kinerja"] for r in rows] == [0.01, 13.79, 72.34, None]
    assert [r["indeks_kesiapan"] for r in rows] == [0.12, None, 100.0, 1.0]
    assert [r["keterangan"] for r in rows] == list(desa["keterangan"])
    assert '"Sambang/DDS"' in text  # greppable as written, not "Sambang\\/DDS"
    assert len([line for line in text.splitlines() if line.lstrip().startswith('{"kode"')]) == 4


def test_rekap_json_types_rounding_and_one_row_per_line():
    # desa A: sambang 7/20*25 = 8.75, problem solving empty = 10 -> 18.75; desa C only in Kerawanan: no index (null)
    kode_c = INSANA["kode"].iloc[2]
    keg, ker = _frames(
        [_kegiatan(desa_kode=KODE_A, sambang_dds=7, keterangan="Catatan/lain \"kutip\""),
         _kegiatan(desa_kode=KODE_B, sambang_dds=1, pos_kamling=3, pos_kamling_aktif=1)],
        [_kerawanan(desa_kode=KODE_A, tps=2, tps_rawan=2, riwayat_konflik=True), _kerawanan(desa_kode=kode_c, tps=1)],
    )
    rekap = metrics.build_rekap("2024-09", keg, ker)
    text = metrics.rekap_json_text(rekap)
    data = json.loads(text)
    assert data == _reference_json(rekap) and data == metrics.rekap_json(rekap)
    lines = text.splitlines()
    assert sum(line.lstrip().startswith('{"kode"') for line in lines) == 3  # one line per desa
    assert sum(line.lstrip().startswith('{"polsek"') for line in lines) == 9  # one line per Polsek
    desa = {row["kode"]: row for row in data["desa"]}
    assert desa[KODE_A]["indeks_kinerja"] == 18.75 and desa[KODE_A]["keterangan"] == 'Catatan/lain "kutip"'
    expected_b = rekap.desa.set_index("kode").loc[KODE_B, "indeks_kinerja"]
    assert expected_b != round(expected_b, 2) and desa[KODE_B]["indeks_kinerja"] == round(expected_b, 2)
    # desa C sent no Kegiatan row: its counts are unknown (null), never 0
    assert desa[kode_c]["indeks_kinerja"] is None and desa[kode_c]["sambang_dds"] is None
    # desa B sent no Kerawanan row: its factors and score are unknown, never "Tidak"
    assert desa[KODE_A]["riwayat_konflik"] is True and desa[KODE_B]["riwayat_konflik"] is None
    assert desa[KODE_B]["skor_kerawanan"] is None and desa[KODE_B]["tingkat_kerawanan"] == "Belum dinilai"
    assert desa[KODE_A]["tingkat_kerawanan"] == "Rawan" and isinstance(desa[KODE_A]["tps_rawan"], int)
    insana = next(row for row in data["polsek"] if row["polsek"] == "Polsek Insana")
    assert insana["sambang_dds"] == 8 and insana["riwayat_konflik"] == 1 and insana["desa_melapor"] == 2
    assert data["totals"] == {key: int(value) for key, value in rekap.totals.items()}
    noemuti = next(row for row in data["polsek"] if row["polsek"] == "Polsek Noemuti")
    assert noemuti["indeks_kinerja"] is None and noemuti["desa_melapor"] == 0


def test_completeness_on_time_late_missing():
    # deadline for 2024-09 is 5 October 23:59:59 WITA = 15:59:59 UTC
    uploads = pd.DataFrame([
        {"polsek": "Polsek Insana", "bulan": "2024-09", "versi": 1, "waktu": dt.datetime(2024, 10, 5, 15, 0)},
        {"polsek": "Polsek Insana", "bulan": "2024-09", "versi": 2, "waktu": dt.datetime(2024, 10, 9, 9, 0)},
        {"polsek": "Polsek Noemuti", "bulan": "2024-09", "versi": 1, "waktu": dt.datetime(2024, 10, 5, 16, 30)},
    ])
    matrix = metrics.completeness(uploads, ["2024-09"]).set_index("polsek")
    assert matrix.loc["Polsek Insana", "status"] == "tepat waktu" and matrix.loc["Polsek Insana", "versi"] == 2
    assert matrix.loc["Polsek Noemuti", "status"] == "terlambat"
    assert matrix.loc["Polsek Biboki Anleu", "status"] == "belum"
    assert len(matrix) == 9
