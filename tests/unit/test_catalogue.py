"""The catalogue in data/: checked when loaded (Indonesian messages naming file, row, column), weights by month."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from core import config, indices, metrics, reference
from core.schemas import ReferenceDataError, parse_demo, parse_tampil


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A copy of data/ the test may edit, used through ANEV_DATA_DIR; caches cleared before and after."""
    target = tmp_path / "data"
    shutil.copytree(config.DATA_DIR, target, ignore=shutil.ignore_patterns("*.db", "*.db-*"))
    monkeypatch.setenv("ANEV_DATA_DIR", str(target))
    reference.clear_caches()
    yield target
    reference.clear_caches()


def _edit_csv(path: Path, change) -> None:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame = change(frame)
    frame.to_csv(path, index=False)


def test_the_shipped_reference_data_is_valid():
    reference.validate_all()
    assert {m.key for m in reference.shown("kpi")} >= {"sambang_dds", "polsek_melapor"}


def test_weights_that_do_not_sum_to_100_name_the_file_and_rows(data_dir):
    def change(frame):
        frame.loc[frame["komponen"] == "sambang_dds", "bobot"] = "30"
        return frame
    _edit_csv(data_dir / "indeks.csv", change)
    with pytest.raises(ReferenceDataError) as failure:
        reference.validate_all()
    message = "\n".join(failure.value.problems)
    assert "data/indeks.csv" in message and "kinerja" in message and "105" in message and "harus 100" in message


def test_unknown_formula_is_refused_at_load(data_dir):
    _edit_csv(data_dir / "indeks.csv", lambda f: f.assign(rumus=f["rumus"].where(f["komponen"] != "fkpm", "kuadrat")))
    with pytest.raises(ReferenceDataError) as failure:
        reference.validate_all()
    assert any('kolom "rumus"' in p and "kuadrat" in p and "capaian" in p for p in failure.value.problems), failure.value.problems


def test_unknown_column_in_an_index_is_refused_at_load(data_dir):
    _edit_csv(data_dir / "indeks.csv", lambda f: f.assign(kolom=f["kolom"].where(f["komponen"] != "deteksi_dini", "deteksi_lama")))
    with pytest.raises(ReferenceDataError) as failure:
        reference.validate_all()
    assert any("deteksi_lama" in p and "tidak ada di data/indikator.csv" in p for p in failure.value.problems), failure.value.problems


def test_catalogue_rows_are_checked_with_their_line_numbers(data_dir):
    def change(frame):
        frame.loc[frame["key"] == "binluh", "maks"] = ""  # a count without a plausible maximum
        frame.loc[frame["key"] == "deteksi_dini", "tampil"] = "kpi:2|layar"  # an unknown place
        frame.loc[frame["key"] == "linmas", "tipe"] = "bilangan"
        return frame
    _edit_csv(data_dir / "indikator.csv", change)
    with pytest.raises(ReferenceDataError) as failure:
        reference.validate_all()
    problems = failure.value.problems
    line = {key: i + 2 for i, key in enumerate(pd.read_csv(data_dir / "indikator.csv", dtype=str)["key"])}
    assert any(f"baris {line['linmas']}" in p and 'kolom "tipe"' in p and "bilangan" in p for p in problems), problems


def test_a_kecamatan_without_polsek_is_refused(data_dir):
    _edit_csv(data_dir / "polsek_kecamatan.csv", lambda f: f[f["kecamatan"] != "Mutis"])
    with pytest.raises(ReferenceDataError) as failure:
        reference.desa()
    assert any("Mutis" in p and "belum dimasukkan ke Polsek" in p for p in failure.value.problems)


def test_tampil_and_demo_rules_parse():
    assert parse_tampil("kpi:3|rekap|dek:1") == {"kpi": 3, "rekap": None, "dek": 1}
    assert parse_demo("binomial(pos_kamling; 0.5 * kemajuan)") == ("binomial", ["pos_kamling", "0.5 * kemajuan"])
    with pytest.raises(ValueError, match="kpi:3"):
        parse_tampil("layar")
    with pytest.raises(ValueError, match="bukan aturan data contoh"):
        parse_demo("acak(3)")


def _one_desa(bulan: str, sambang: int) -> pd.DataFrame:
    kode = reference.desa_of("Polsek Insana")["kode"].iloc[0]
    row = {key: 0 for key in reference.count_keys("kegiatan")}
    row.update(desa_kode=kode, bulan=bulan, polsek="Polsek Insana", versi=1, fkpm_aktif=False, sambang_dds=sambang,
               nama_bhabin=None, pangkat=None, nrp=None, keterangan=None)
    return pd.DataFrame([row])


def test_a_new_weight_set_leaves_earlier_months_as_they_were(data_dir):
    empty = pd.DataFrame(columns=["desa_kode", "bulan", "polsek", "versi"])
    before = metrics.desa_month(pd.concat([_one_desa("2024-09", 10), _one_desa("2025-02", 10)]), empty)
    old_scores = before.set_index("bulan")["indeks_kinerja"]

    def change(frame):
        new = frame[frame["indeks"] == "kinerja"].copy()
        new["berlaku_sejak"] = "2025-01"
        new.loc[new["komponen"] == "sambang_dds", "bobot"] = "35"  # sambang counts more from January 2025
        new.loc[new["komponen"] == "deteksi_dini", "bobot"] = "10"
        return pd.concat([frame, new], ignore_index=True)
    _edit_csv(data_dir / "indeks.csv", change)
    reference.clear_caches()
    reference.validate_all()
    after = metrics.desa_month(pd.concat([_one_desa("2024-09", 10), _one_desa("2025-02", 10)]), empty).set_index("bulan")
    assert after.loc["2024-09", "indeks_kinerja"] == pytest.approx(old_scores["2024-09"])  # last year's score unchanged
    # half the sambang target: 12.5 of 25 points before, 17.5 of 35 after; deteksi dini 0 either way; problem solving 10
    assert after.loc["2025-02", "indeks_kinerja"] == pytest.approx(old_scores["2025-02"] + 5)
    assert indices.weight_note("kinerja", "2024-09") == "Bobot dan target bawaan (berlaku sejak awal)"
    assert indices.weight_note("kinerja", "2025-02") == "Bobot dan target berlaku sejak Januari 2025"
