"""Demo data: realistic, labelled as synthetic, removable in one action without touching real data."""

from __future__ import annotations

import datetime as dt

from conftest import TODAY
from workbooks import filled_template

from core import demo, metrics, pipeline, reference, store


def test_demo_is_marked_realistic_and_removable(engine):
    _, version = pipeline.import_file(engine, filled_template("Polsek Noemuti", "2024-01"), "asli.xlsx", "clerk", today=TODAY)
    assert version == 1
    stored = demo.generate(engine, dari="2024-05", sampai="2024-10", seed=7, today=dt.date(2024, 11, 20))
    uploads = store.uploads(engine)
    assert stored == int(uploads["contoh"].sum()) and stored >= 6 * 9 * 0.85
    assert store.has_demo(engine)
    assert set(uploads.loc[uploads["contoh"], "pengunggah"]) == {demo.DEMO_USER}

    rows = store.rows(engine, "kegiatan", "2024-05", "2024-10")
    demo_rows = rows[rows["bulan"] >= "2024-05"]
    # counts vary by desa and by month
    assert demo_rows.groupby("desa_kode")["sambang_dds"].mean().std() > 1
    assert demo_rows.groupby("bulan")["sambang_dds"].sum().nunique() > 3
    # pos kamling activity recovers after the instruction
    by_month = demo_rows.groupby("bulan")[["pos_kamling_aktif", "pos_kamling"]].sum()
    ratio = by_month["pos_kamling_aktif"] / by_month["pos_kamling"]
    assert ratio.iloc[-1] > ratio.iloc[0]
    # TPS classes mostly kurang rawan, as in 2024 (750/19/5)
    ker = store.rows(engine, "kerawanan", "2024-10")
    share = ker["tps_kurang_rawan"].sum() / ker["tps"].sum()
    assert 0.85 < share < 0.99
    assert ker["tps_sangat_rawan"].sum() >= 1
    # some reports late
    matrix = metrics.completeness(uploads, ["2024-05", "2024-06", "2024-07", "2024-08", "2024-09", "2024-10"])
    assert {"tepat waktu", "terlambat"} <= set(matrix["status"])

    removed = store.delete_demo(engine)
    assert removed == stored
    left = store.uploads(engine)
    assert list(left["nama_berkas"]) == ["asli.xlsx"]
    assert not store.has_demo(engine)
    assert len(store.rows(engine, "kegiatan", "2024-01")) == len(reference.desa_of("Polsek Noemuti"))
    # removed on purpose: the app must not load it again on the next start
    assert demo.ensure_demo(engine) is False


def test_ensure_demo_only_on_empty_database(engine):
    assert demo.ensure_demo(engine, today=dt.date(2024, 11, 20)) is True
    assert store.has_demo(engine)
    assert demo.ensure_demo(engine, today=dt.date(2024, 11, 20)) is False
