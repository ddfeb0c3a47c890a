"""Rapor Anev for WhatsApp: one page per scope, PDF and PNG under 500 KB, the views' own texts, real glyphs, scope."""

from __future__ import annotations

import ctypes
import dataclasses
import datetime as dt
import io

import pandas as pd
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from PIL import Image

from core import access, cli, demo, fmt, rapor, reference, store, views
from core.access import Scope

BULAN = "2024-10"
NOW = dt.datetime(2024, 11, 9, 1, 30)  # stored as UTC: 09.30 WITA
POLSEK = "Polsek Insana"


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('rapor') / 'demo.db'}"
    engine = store.create_db_engine(url)
    # arahan are given at the September Anev; October shows their follow-up
    demo.generate(engine, dari="2024-09", sampai=BULAN, seed=3, today=dt.date(2024, 11, 20))
    engine.dispose()
    return url


@pytest.fixture(scope="module")
def engine(demo_url):
    eng = store.create_db_engine(demo_url)
    yield eng
    eng.dispose()


@pytest.fixture(scope="module")
def pages(engine) -> dict[str, bytes]:
    """Every page of the month, both formats (the Polres, then each Polsek)."""
    return rapor.build_all(engine, BULAN, now=NOW)


@pytest.fixture(scope="module")
def polres(engine) -> views.AnevData:
    return views.load(engine, BULAN, Scope())


@pytest.fixture(scope="module")
def insana(engine) -> views.AnevData:
    return views.load(engine, BULAN, Scope(POLSEK))


def _open(pdf: bytes) -> tuple[int, float, float, str]:
    """Pages, width and height (pt) and the text of the first page."""
    document = pdfium.PdfDocument(pdf)
    try:
        page = document[0]
        textpage = page.get_textpage()
        return len(document), page.get_width(), page.get_height(), textpage.get_text_range()
    finally:
        document.close()


def _flat(text: str) -> str:
    """Text with every run of white space (line breaks, non-breaking spaces) as one space."""
    return " ".join(text.split())


def _name(scope: Scope, fmt_name: str) -> str:
    return rapor.file_name(BULAN, scope, fmt_name)


def test_every_page_is_one_phone_page_under_500_kb(pages):
    scopes = [Scope(), *(Scope(p) for p in reference.polsek_names())]
    assert set(pages) == {_name(s, f) for s in scopes for f in rapor.FORMATS}
    for scope in scopes:
        pdf, png = pages[_name(scope, "pdf")], pages[_name(scope, "png")]
        count, width, height, _ = _open(pdf)
        assert count == 1, scope
        assert len(pdf) < rapor.MAX_BYTES and len(png) < rapor.MAX_BYTES, (scope, len(pdf), len(png))
        assert width == pytest.approx(105 / 25.4 * 72, abs=0.5) and height >= 148 / 25.4 * 72 - 0.5
        image = Image.open(io.BytesIO(png))
        assert image.format == "PNG" and image.width == rapor.PNG_WIDTH
        assert image.height == pytest.approx(rapor.PNG_WIDTH * height / width, abs=2)  # the same page, not another layout


def test_type_reads_on_a_390_px_phone(pages):
    """Every character is at least 11 pt on a 105 mm page: about 14 CSS px when the page fills a 390 px screen."""
    document = pdfium.PdfDocument(pages[_name(Scope(POLSEK), "pdf")])
    try:
        page = document[0]
        textpage = page.get_textpage()
        text = textpage.get_text_range()
        sizes = [pdfium_c.FPDFText_GetFontSize(textpage.raw, i) for i, ch in enumerate(text) if not ch.isspace()]
        smallest_css_px = min(sizes) / page.get_width() * 390
    finally:
        document.close()
    assert min(sizes) >= 11
    assert smallest_css_px >= 14


def test_polres_page_carries_the_views_texts(pages, polres):
    _, _, _, raw_text = _open(pages[_name(Scope(), "pdf")])
    text = _flat(raw_text)
    ringkasan = views.ringkasan_view(polres)
    assert len(ringkasan.cards) >= 6
    for card in ringkasan.cards:  # label, value and change exactly as the screen's cards write them
        assert _flat(card.short) in text, card.short
        expected = f"{card.value} {'↑ ' if card.delta.startswith('+') else '↓ ' if card.delta.startswith('-') else ''}{fmt.printed(card.delta)}" \
            if card.delta else card.value
        assert _flat(expected) in text, expected
    assert _flat(ringkasan.comparison_note) in text
    assert f"tepat waktu {views.kelengkapan_view(polres).on_time}" in text
    ranking = views.ringkasan_view(polres).ranking
    positions = [text.index(f"{row.peringkat}. {row.polsek.removeprefix('Polsek ')} {fmt.number(row.indeks_kinerja, 1)}")
                 for row in ranking.itertuples() if pd.notna(row.indeks_kinerja)]
    assert positions == sorted(positions) and len(positions) >= 7

    rawan = views.desa_rawan_view(polres).desa
    assert rawan.total > rapor.LIST_ROWS  # the demo has more rawan desa than the phone page lists
    assert f"{fmt.n_of_m(rapor.LIST_ROWS, rawan.total, 'desa')}; {rawan.rest_at}." in text
    shown = list(rawan.rows["Desa"].head(rapor.LIST_ROWS))
    assert [text.index(f"{d} · ") for d in shown] == sorted(text.index(f"{d} · ") for d in shown)  # worst first, as everywhere
    assert list(rawan.rows["Desa"])[rapor.LIST_ROWS] + " · " not in text

    arahan = views.tindak_lanjut_view(polres).arahan
    assert arahan.total > rapor.LIST_ROWS
    assert f"{fmt.n_of_m(rapor.LIST_ROWS, arahan.total, 'arahan')}; {arahan.rest_at}." in text
    assert all(status in text for status in arahan.rows["Status"].head(rapor.LIST_ROWS))
    assert "DATA CONTOH" in text
    assert polres.caveat and _flat(polres.caveat) in text
    assert f"{fmt.month(BULAN)} · Semua Polsek" in text and f"dibuat {fmt.when(NOW)}" in text and "09.30 WITA" in text


def test_polsek_page_holds_its_rank_and_only_its_own_lists(pages, polres, insana):
    _, _, _, raw_text = _open(pages[_name(Scope(POLSEK), "pdf")])
    text = _flat(raw_text)
    rank = views.polsek_view(polres, POLSEK).rank
    assert rank.startswith("Peringkat ") and _flat(rank) in text
    for card in views.ringkasan_view(insana).cards:
        if card.key == "polsek_melapor":
            assert card.value not in text.split()  # "1/1" says nothing on a Polsek page
            continue
        assert _flat(card.short) in text and card.value in text and (card.delta is None or fmt.printed(card.delta) in text), card
    rawan = views.desa_rawan_view(insana).desa
    for desa in rawan.rows["Desa"].head(rapor.LIST_ROWS):
        assert desa in text
    if rawan.note:
        assert f"{fmt.n_of_m(rapor.LIST_ROWS, rawan.total, 'desa')}" in text
    others = [p.removeprefix("Polsek ") for p in reference.polsek_names() if p != POLSEK]
    assert [p for p in others if p in text] == []  # no other Polsek's name (its desa, arahan, caveat) on this page
    assert "Polres TTU" not in text.replace(rank, "")  # nothing Polres-wide beyond the rank sentence
    assert "DATA CONTOH" in text and f"{fmt.month(BULAN)} · {POLSEK}" in text


def test_a_clerk_gets_the_same_page_as_the_polres_makes_for_him(engine, pages):
    """`rapor.rapor` with the clerk's scope: his page only, with his rank (the only thing taken from the whole Polres)."""
    mine = rapor.rapor(engine, BULAN, access.scope_for(type("U", (), {"role": "polsek", "polsek": POLSEK})(), "Polsek Noemuti"),
                       "pdf", now=NOW)
    assert _flat(_open(mine)[3]) == _flat(_open(pages[_name(Scope(POLSEK), "pdf")])[3])


def _font_of(pdf: bytes, wanted: str) -> list[tuple[str, bytes]]:
    document = pdfium.PdfDocument(pdf)
    try:
        textpage = document[0].get_textpage()
        text = textpage.get_text_range()
        found = []
        buffer, flags = ctypes.create_string_buffer(128), ctypes.c_int()
        for i, ch in enumerate(text):
            if ch in wanted:
                pdfium_c.FPDFText_GetFontInfo(textpage.raw, i, buffer, len(buffer), ctypes.byref(flags))
                found.append((ch, buffer.value))
        return found
    finally:
        document.close()


def test_signs_are_drawn_with_fonts_that_have_them(insana, polres):
    """`≥ → − ’` come out as themselves from a font that has their glyphs; a letter no font has is plain, never a box."""
    follow = insana.follow_up.copy()
    follow.loc[follow.index[0], "teks"] = "Capai ≥ 80% pos kamling → ronda tiap malam; “Kam Swakarsa” −2 desa’s Gődő🙂"
    changed = dataclasses.replace(insana, follow_up=follow)
    pdf = rapor.build(changed, "pdf", polres, now=NOW)
    text = _flat(_open(pdf)[3])
    assert "Capai ≥ 80% pos kamling → ronda tiap malam; “Kam Swakarsa” −2 desa’s Godo" in text
    assert "?" not in text and "\ufffd" not in text
    fonts = dict(_font_of(pdf, "≥→−’“"))
    assert fonts["→"] == b"Symbol"  # the PDF standard font every reader has; the embedded Vera has no arrows
    assert all(fonts[ch].startswith(b"BitstreamVeraSans") for ch in "≥−’“")
    assert all(ord(ch) in rapor._covered() for ch in "≥−’“")  # and Vera really has those glyphs


def test_demo_mark_only_on_demo_data(pages, insana, polres):
    assert _open(pages[_name(Scope(POLSEK), "pdf")])[3].count("DATA CONTOH") >= 2  # the band and the footer (and a light mark)
    real = dataclasses.replace(insana, demo=False)
    assert "DATA CONTOH" not in _open(rapor.build(real, "pdf", polres, now=NOW))[3]


def test_change_colour_and_arrow():
    def card(delta: str | None, colour: str, arrow: str = "auto") -> views.KpiCard:
        return views.KpiCard("k", "Label", "Label", "10", delta, colour, arrow, "", None, "")

    hexes = {name: "#" + c.hexval()[2:] for name, c in (("green", rapor.GREEN), ("red", rapor.RED), ("grey", rapor.GREY))}
    assert hexes["green"] in rapor._delta(card("+3%", "normal")) and "\u2191" in rapor._delta(card("+3%", "normal"))
    assert hexes["red"] in rapor._delta(card("-4 poin", "normal")) and "\u2193" in rapor._delta(card("-4 poin", "normal"))
    assert hexes["green"] in rapor._delta(card("-2", "inverse"))  # fewer disturbances is good news
    assert "\u22124\u00a0poin" in rapor._delta(card("-4 poin", "normal"))  # printed with the typographic minus, as on the deck
    zero = rapor._delta(card("0 poin", "off", "off"))
    assert hexes["grey"] in zero and "\u2191" not in zero and "\u2193" not in zero
    assert rapor._delta(card(None, "off", "off")) == ""


def test_a_month_without_recaps_still_gives_one_plain_page(engine):
    pdf = rapor.rapor(engine, "2024-05", Scope(), "pdf", now=NOW)
    count, _, _, text = _open(pdf)
    assert count == 1 and "Belum ada rekap Mei 2024 yang tersimpan" in _flat(text)


def test_cli_writes_both_formats_and_refuses_bad_usage(demo_url, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("ANEV_DB_URL", demo_url)
    out_pdf, out_png = tmp_path / "rapor.pdf", tmp_path / "insana.png"
    assert cli.main(["rapor", "--bulan", BULAN, "--format", "pdf", "--out", str(out_pdf)]) == 0
    assert cli.main(["rapor", "--bulan", BULAN, "--polsek", "insana", "--format", "png", "--out", str(out_png)]) == 0
    assert out_pdf.read_bytes().startswith(b"%PDF") and _open(out_pdf.read_bytes())[0] == 1
    assert "Semua Polsek" in _open(out_pdf.read_bytes())[3]
    assert Image.open(out_png).width == rapor.PNG_WIDTH and out_png.stat().st_size < rapor.MAX_BYTES
    with pytest.raises(SystemExit) as exc:
        cli.main(["rapor", "--bulan", BULAN, "--format", "jpg", "--out", str(tmp_path / "x.jpg")])
    assert exc.value.code == 2 and "format rapor harus pdf atau png" in capsys.readouterr().err
    assert cli.main(["rapor", "--bulan", BULAN, "--format", "pdf", "--out", str(tmp_path / "x.png")]) == 2
    assert "samakan keduanya" in capsys.readouterr().err and not (tmp_path / "x.png").exists()
    with pytest.raises(SystemExit) as exc:
        cli.main(["rapor", "--bulan", "Oktober", "--format", "pdf", "--out", str(out_pdf)])
    assert exc.value.code == 2
