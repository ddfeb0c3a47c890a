"""Outlier warnings a clerk can act on (`core.outliers`, spec section 5, DHIS2's practice).

Issue: with a 6-month median of 0 every positive count was flagged (16 of 18 warnings on a normal file), and
numbers were printed as "29.0". Now: the contract's rule, a minimum history, integers as integers, at most
five warnings ranked by how far out, and one line for the rest.
"""

from __future__ import annotations

import pandas as pd
import pytest

from core import outliers, reference
from core.issues import History
from tests.unit.test_ingest import BIG, SMALL, both, edited, excel_row, index_of, kode_of, ordered_desa, read, set_value

MONTHS = ["2024-03", "2024-04", "2024-05", "2024-06", "2024-07", "2024-08"]


def history(rows: list[tuple[str, str, list[float]]], months: list[str] = MONTHS) -> History:
    """(desa_kode, key, values of the last months, oldest first) -> History as `store.history_for` gives it."""
    records = [
        {"desa_kode": kode, "bulan": month, "key": key, "value": value}
        for kode, key, values in rows
        for month, value in zip(months[-len(values):], values, strict=True)
    ]
    return History(counts=pd.DataFrame(records), officers={})


def outlier_warnings(result) -> list:
    return [w for w in result.warnings if "jauh di atas biasanya" in w.message or "di luar kebiasaan" in w.message]


@pytest.mark.parametrize(
    ("months", "warned"),
    [(1, False), (2, False), (outliers.MIN_MONTHS, True), (6, True)],
)
def test_a_median_needs_enough_history(months: int, warned: bool) -> None:
    kode, index = kode_of("Oesoko"), index_of(SMALL, "Oesoko")
    result = read(edited(set_value("kegiatan", "sambang_dds", index, 40), SMALL), history=history([(kode, "sambang_dds", [5] * months)]))
    assert bool(outlier_warnings(result)) is warned


def test_integers_are_printed_as_integers_and_a_half_the_indonesian_way() -> None:
    oesoko, fatumtasa = kode_of("Oesoko"), kode_of("Fatumtasa")
    edit = both(set_value("kegiatan", "peserta_sosialisasi", index_of(SMALL, "Oesoko"), 1200),
                set_value("kegiatan", "sambang_dds", index_of(SMALL, "Fatumtasa"), 40))
    past = history([(oesoko, "peserta_sosialisasi", [29.0, 29.0, 29.0, 30.0, 28.0, 29.0]),
                    (fatumtasa, "sambang_dds", [2.0, 3.0, 2.0, 3.0, 2.0, 3.0])])
    messages = [w.message for w in outlier_warnings(read(edited(edit, SMALL), history=past))]
    assert any("Peserta Sosialisasi (orang) Oesoko = 1.200, jauh di atas biasanya (median 6 bulan terakhir 29)." in m for m in messages), messages
    assert any("Sambang / DDS (kali) Fatumtasa = 40, jauh di atas biasanya (median 6 bulan terakhir 2,5)." in m for m in messages), messages
    assert not any(".0" in m for m in messages)


def _many_outliers(count: int) -> tuple[bytes, History, list[int]]:
    """`count` desa of the big Polsek with sambang far above a quiet history; the i-th the i-th farthest out."""
    names = list(ordered_desa(BIG)["nama"])[:count]
    edits, rows, values = [], [], []
    for i, nama in enumerate(names):
        value = 400 - 10 * i
        edits.append(set_value("kegiatan", "sambang_dds", index_of(BIG, nama), value))
        rows.append((kode_of(nama), "sambang_dds", [0, 0, 0, 0, 0, 0]))
        values.append(value)
    return edited(both(*edits), BIG), history(rows), values


def test_at_most_five_warnings_farthest_out_first_then_one_line() -> None:
    content, past, values = _many_outliers(16)
    found = outlier_warnings(read(content, history=past))
    assert len(found) == outliers.MAX_SHOWN + 1 == 6
    assert [int(w.value) for w in found[:5]] == values[:5]  # ranked by distance, not by row
    rest = found[-1]
    assert rest.message.startswith("\u2026 dan 11 nilai lain di luar kebiasaan desanya (baris ")
    assert all(f"{excel_row(i)}" in rest.message for i in range(5, 15)) and rest.message.endswith("Periksa juga angka-angka itu.")


def test_no_summary_line_when_everything_fits() -> None:
    content, past, _values = _many_outliers(outliers.MAX_SHOWN)
    found = outlier_warnings(read(content, history=past))
    assert len(found) == outliers.MAX_SHOWN and not any("di luar kebiasaan" in w.message for w in found)


def test_ranking_compares_indicators_by_their_plausible_maximum() -> None:
    """40 people above a quiet median is less far out than 40 visits: people are counted in thousands (maks 20.000)."""
    oesoko, fatumtasa = kode_of("Oesoko"), kode_of("Fatumtasa")
    edit = both(set_value("kegiatan", "peserta_sosialisasi", index_of(SMALL, "Oesoko"), 200),
                set_value("kegiatan", "sambang_dds", index_of(SMALL, "Fatumtasa"), 60))
    past = history([(oesoko, "peserta_sosialisasi", [0] * 6), (fatumtasa, "sambang_dds", [5] * 6)])
    found = outlier_warnings(read(edited(edit, SMALL), history=past))
    assert [w.column for w in found] == ["Sambang / DDS (kali)", "Peserta Sosialisasi (orang)"]
    assert reference.indicator("kegiatan", "peserta_sosialisasi").maks > reference.indicator("kegiatan", "sambang_dds").maks


def test_the_contract_rule_is_kept() -> None:
    """More than 3 x the median and at least 10 above it; a zero median flags 10, not 9."""
    kode = kode_of("Oesoko")
    index = index_of(SMALL, "Oesoko")
    for value, warned in [(9, False), (10, True), (16, True)]:
        result = read(edited(set_value("kegiatan", "binluh", index, value), SMALL), history=history([(kode, "binluh", [0] * 6)]))
        assert bool(outlier_warnings(result)) is warned, value
