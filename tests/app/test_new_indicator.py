"""Adding an indicator is a change to data/ only: proved end to end in a fresh interpreter (tables are built from the
catalogue at import), with a copy of data/ that has one more indicator. The steps are in `indikator_baru_dalam.py`."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from core import config

ROW = {"key": "patroli_dialogis", "sheet": "kegiatan", "header": "Patroli Dialogis (kali)", "label": "Patroli Dialogis",
       "label_pendek": "Patroli", "label_jumlah": "Patroli dialogis", "unit": "kali", "tipe": "angka", "wajib": "1", "aturan": "",
       "maks": "300", "tampil": "kpi:9|tren:3|rekap:19|dek:11|temuan:9|arahan", "demo": "poisson(5 * aktivitas)", "urutan": "21"}

pytestmark = pytest.mark.slow


def _data_with_new_indicator(target: Path) -> None:
    shutil.copytree(config.DATA_DIR, target, ignore=shutil.ignore_patterns("*.db", "*.db-*"))
    catalogue = pd.read_csv(target / "indikator.csv", dtype=str, keep_default_na=False)
    catalogue = pd.concat([catalogue, pd.DataFrame([ROW])], ignore_index=True)
    catalogue.to_csv(target / "indikator.csv", index=False)
    indices = pd.read_csv(target / "indeks.csv", dtype=str, keep_default_na=False)
    indices.loc[(indices["indeks"] == "kinerja") & (indices["komponen"] == "sambang_dds"), "bobot"] = "20"
    new = {"indeks": "kinerja", "komponen": "patroli_dialogis", "label": "Patroli Dialogis", "rumus": "capaian",
           "kolom": "patroli_dialogis", "target": "8", "bobot": "5", "nilai_kosong": "", "berlaku_sejak": ""}
    pd.concat([indices, pd.DataFrame([new])], ignore_index=True).to_csv(target / "indeks.csv", index=False)


def test_a_new_indicator_reaches_every_part_of_the_house(tmp_path):
    data = tmp_path / "data"
    _data_with_new_indicator(data)
    tests = Path(__file__).resolve().parents[1]
    env = {**os.environ, "ANEV_DATA_DIR": str(data), "ANEV_DB_URL": f"sqlite:///{tmp_path / 'anev.db'}",
           "ANEV_INDIKATOR_BARU": "1", "ANEV_DEMO_OTOMATIS": "0"}
    env.pop("ANEV_TEST_PG_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "addopts=", str(Path(__file__).with_name("indikator_baru_dalam.py"))],
        cwd=tests.parent, env=env, capture_output=True, text=True, timeout=900,
    )
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-3000:]
    assert re.search(r"(?m)^9 passed\b", done.stdout), done.stdout[-2000:]  # every step ran, none skipped
