"""Officer-written text reaches the screens as text: no HTML, no Markdown, no formula."""

from __future__ import annotations

import datetime as dt

from accounts import ensure_user, sign_in
from conftest import ROOT
from streamlit.testing.v1 import AppTest
from workbooks import filled_template

from core import pipeline, store, ui

SCRIPT = "<script>alert(1)</script>"
MARKDOWN = "**Tebal** [tautan](http://contoh.invalid)"


def test_script_and_markdown_in_officer_text_stay_literal(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'a.db'}"
    monkeypatch.setenv("ANEV_DB_URL", url)
    monkeypatch.setenv("ANEV_DEMO_OTOMATIS", "0")

    def hostile(wb):
        ws = wb["Kegiatan"]
        ws.cell(row=5, column=4, value=f"{SCRIPT} {MARKDOWN}")
        ws.cell(row=5, column=21, value=MARKDOWN)

    engine = store.create_db_engine(url)
    result, version = pipeline.import_file(engine, filled_template("Polsek Insana Utara", "2024-09", edit=hostile), "h.xlsx", "operator",
                                           today=dt.date(2026, 11, 30))
    assert version == 1, [e.message for e in result.errors]
    user = ensure_user(url)
    at = sign_in(AppTest.from_file(str(ROOT / "frame" / "main.py"), default_timeout=60), user)
    at.query_params["bulan"] = "2024-09"
    at.run()
    at.switch_page("../pages/kinerja.py")
    at.run()
    assert not at.exception
    nrp = store.rows(engine, "kegiatan", "2024-09").set_index("excel_row").loc[5, "nrp"]
    at.selectbox(key="pilih_bhabin").set_value(nrp)
    at.run()
    shown = [m.value for m in at.markdown if "alert" in m.value]
    assert shown, "the officer's name is shown in the drill-down"
    for value in shown:
        assert "<script>" not in value and "\\<script\\>" in value
        assert "**Tebal**" not in value and "\\*\\*Tebal\\*\\*" in value
    assert MARKDOWN in [t.value for t in at.text]  # notes are shown with st.text, never rendered
    assert ui.escape("[a](b)") == "\\[a\\]\\(b\\)"
