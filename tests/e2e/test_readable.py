"""What people could not read, measured in Chromium: every screen at tablet, laptop and projector sizes, every slide of
Mode Paparan at projector sizes.

Fails on what a new user saw on demo data: chart ticks and titles cut at the chart's edge, KPI labels and values cut
with "…", sideways scrolling, the sidebar left open on a portrait tablet, slides taller than the screen, text too small
for a projector, the canvas grid on a slide, a tiny slide counter, no way out of Mode Paparan but the browser's Back.

One signed-in tab per viewport (`tabs`); each screen or slide is a subtest, so one run lists every problem. Screenshots
go to `tests/e2e/artefak/`: `layar-<screen>-<WxH>.png` (whole scrolled content) and `paparan-<WxH>-<nn>-<slide>.png`
(what the projector shows).
"""

from __future__ import annotations

import re
import urllib.parse

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from . import measure
from .conftest import ALL_VIEWPORTS, ARTEFAK, go_to, nav_links, wait_idle

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

# Tablet portrait first: a new tab per size, and the laptop tab is reused by the first Paparan test.
SCREEN_VIEWPORTS = ["ipad-potret", "ipad-lanskap", "proyektor", "laptop"]
PAPARAN_VIEWPORTS = ["laptop", "proyektor-720", "proyektor"]
PAPARAN = "paparan"  # the route of Mode Paparan
# Smallest text on a slide: 18 px up to 1366 px wide, 20 px on a 1920 px projector (the same slide is seen from the
# same seats, and there is room for larger type). The slide counter is read from the back of the room: 24 px.
FONT_FLOOR = {1280: 18.0, 1366: 18.0, 1920: 20.0}
COUNTER_PX = 24.0
MAX_SLIDES = 30
SLIDE_SIGNATURE = "() => location.href + '|' + ((document.querySelector('[data-testid=stMain] h1') || {}).textContent || '')"


def size_of(viewport: str) -> str:
    width, height = ALL_VIEWPORTS[viewport]
    return f"{width}x{height}"


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "layar"


def full_screenshot(page, name: str) -> None:
    """The whole scrolled content of the main container: the window is made as tall as the content, then put back."""
    size = dict(page.viewport_size)
    height = page.evaluate("""() => { const m = document.querySelector('[data-testid=stMain]');
                                      return m ? Math.ceil(m.getBoundingClientRect().top + m.scrollHeight) : 0; }""")
    taller = height > size["height"]
    if taller:
        page.set_viewport_size({"width": size["width"], "height": min(height, 12_000)})
        measure.wait_settled(page)
    page.screenshot(path=str(ARTEFAK / name))
    if taller:
        page.set_viewport_size(size)  # the next navigation waits for the page to settle


def errors_shown(page) -> list[str]:
    """Exceptions the app showed instead of the screen."""
    return [f"kesalahan tampil: {text[:120]!r}" for text in page.locator("[data-testid=stException]").all_inner_texts()]


def readable_findings(page) -> list[str]:
    """(a) chart text outside its chart, (b) text cut by an ellipsis, (c) sideways scrolling: one line each."""
    lines = [f"(a) {line}" for line in measure.summarise_chart_text(measure.chart_text_outside(page))]
    lines += [f"(b) {cut['part']} {cut['text']!r}" + (f" (KPI {cut['kpi']!r})" if cut.get("kpi") else "")
              + f" {cut['how']} di {cut['where']}" for cut in measure.text_cut(page)]
    lines += [f"(c) {o['container']} bergulir ke samping: scrollWidth {o['scrollWidth']} > clientWidth {o['clientWidth']}; "
              f"yang menonjol: {'; '.join(o['culprits']) or '?'}" for o in measure.horizontal_overflow(page)]
    return lines


@pytest.mark.parametrize("viewport", SCREEN_VIEWPORTS)
def test_every_screen_is_readable(tabs, subtests, viewport):
    """Every screen in the sidebar: chart texts inside their charts, no KPI or heading cut, no sideways scrolling;
    on a portrait tablet the sidebar closes after a screen is chosen."""
    page = tabs.get(viewport)
    links = nav_links(page)
    assert len(links) >= 6, f"navigasi samping hanya berisi {links}"
    width, height = ALL_VIEWPORTS[viewport]
    size = size_of(viewport)
    for title, href in links:
        name = slug(urllib.parse.urlsplit(href).path.strip("/") or "ringkasan")
        with subtests.test(msg=f"{title} {size}"):
            by_hand = go_to(page, href)
            problems = errors_shown(page)
            if width < height and by_hand:
                opened = measure.sidebar_open(page)
                if opened:
                    page.screenshot(path=str(ARTEFAK / f"layar-{name}-{size}-sidebar-terbuka.png"))
                    problems.append(f"(e) sidebar tetap terbuka setelah memilih layar: memakai {opened['sidebar_px']} dari "
                                    f"{opened['viewport_px']} px lebar layar, isi tinggal {opened['content_px']} px"
                                    + (f", menutupi {opened['over_content_px']} px isi" if opened["over_content_px"] else ""))
                    page.locator("[data-testid=stSidebarCollapseButton] button").click()  # close it, as a person would
                    page.wait_for_function("() => { const s = document.querySelector('[data-testid=stSidebar]');"
                                           " return !s || s.getBoundingClientRect().right <= 1; }", timeout=10_000)
            measure.wait_settled(page)
            measure.scroll_to_top(page)
            problems += readable_findings(page)
            full_screenshot(page, f"layar-{name}-{size}.png")
            assert not problems, f"{title} pada {size} ({page.url}):\n  " + "\n  ".join(problems)


def paparan_href(page) -> str:
    hrefs = [href for _, href in nav_links(page) if urllib.parse.urlsplit(href).path.rstrip("/").endswith("/" + PAPARAN)]
    assert hrefs, "Mode Paparan tidak ada di navigasi samping"
    return hrefs[0]


def open_paparan(tabs, viewport: str):
    """A tab at this size showing Mode Paparan (the first slide when the tab is new)."""
    page = tabs.get(viewport, PAPARAN)
    if not in_paparan(page):
        go_to(page, paparan_href(page))
    return page


def next_slide(page) -> bool:
    """Forward one slide with the big button (or ArrowRight when there is none); False at the last slide."""
    button = page.locator(".st-key-paparan_berikut button")
    before = page.evaluate(SLIDE_SIGNATURE)
    if button.count() and button.first.is_visible():
        if button.first.is_disabled():
            return False
        button.first.click()
        page.wait_for_function(f"(before) => ({SLIDE_SIGNATURE})() !== before", arg=before, timeout=60_000)
    else:
        page.keyboard.press("ArrowRight")
        try:
            page.wait_for_function(f"(before) => ({SLIDE_SIGNATURE})() !== before", arg=before, timeout=15_000)
        except PlaywrightTimeout:
            return False
    wait_idle(page)
    return True


def rawan_total(demo_db: str, bulan: str) -> int:
    """How many desa are Rawan or Sangat Rawan this month, from the database (what a full list would hold)."""
    from core import metrics, store

    engine = store.create_db_engine(demo_db)
    try:
        desa = metrics.desa_month(store.rows(engine, "kegiatan", bulan, bulan), store.rows(engine, "kerawanan", bulan, bulan))
    finally:
        engine.dispose()
    return int(desa["tingkat_kerawanan"].isin(["Rawan", "Sangat Rawan"]).sum())


def slide_findings(page, floor: float, rawan: int) -> list[str]:
    """(a)-(c) as on the screens, and (d): fits the screen, no text below `floor` px, no canvas grid, long lists say N dari M."""
    problems = errors_shown(page) + readable_findings(page)
    fit = measure.vertical_fit(page)
    if fit["scrollHeight"] > fit["clientHeight"]:
        where = "; ".join(fit["below"]) or (f"isi berakhir di {fit['content_bottom']} px, sisanya padding bawah "
                                             f"stMainBlockContainer {fit['padding_bottom']:g} px")
        problems.append(f"(d) slide lebih tinggi dari layar: stMain scrollHeight {fit['scrollHeight']} > clientHeight "
                        f"{fit['clientHeight']} (+{fit['scrollHeight'] - fit['clientHeight']} px); di bawah layar: {where}")
    fonts = measure.font_sizes(page, floor)
    if fonts["small"]:
        problems.append(f"(d) {len(fonts['small'])} teks di bawah {floor:g} px (terkecil {fonts['min']} px): "
                        + "; ".join(f"{s['kind']} {s['text']!r} {s['px']} px di {s['where']}" for s in fonts["small"][:12])
                        + (" ..." if len(fonts["small"]) > 12 else ""))
    problems += [f"(d) tabel kanvas st.dataframe di slide ({grid['where']}): teks ~14 px, pakai tabel HTML besar"
                 for grid in measure.canvas_grids(page)]
    heading = page.locator("[data-testid=stMain] h1").first.inner_text() if page.locator("[data-testid=stMain] h1").count() else ""
    if re.search(r"rawan", heading, re.I) and not re.search(r"peta", heading, re.I):
        rows = page.locator("[data-testid=stMain] table:not([data-testid=stDataFrame] table) tbody tr").count()
        text = page.locator("[data-testid=stMain]").inner_text()
        if rows == 0:
            problems.append(f"(d) daftar desa rawan bukan tabel HTML (tidak ada <table>), {rawan} desa rawan bulan ini")
        elif rows < rawan and not re.search(rf"\b{rows}\s+dari\s+{rawan}\b", text):
            problems.append(f"(d) tabel menampilkan {rows} dari {rawan} desa rawan tetapi tidak menulis \"{rows} dari {rawan}\"")
    return problems


@pytest.mark.parametrize("viewport", PAPARAN_VIEWPORTS)
def test_every_paparan_slide_fits_and_is_readable(tabs, subtests, viewport, demo_db, demo_month):
    """Every slide, walked with the big button: fits the screen without scrolling, text at least 18 px (20 px at 1920),
    chart text inside its chart, no canvas grid, and a slide counter of at least 24 px on each."""
    page = open_paparan(tabs, viewport)
    width, _ = ALL_VIEWPORTS[viewport]
    floor = FONT_FLOOR[width]
    size = size_of(viewport)
    rawan = rawan_total(demo_db, demo_month)
    counters: list[list[dict]] = []
    number = 1
    while True:
        measure.wait_settled(page)
        measure.scroll_to_top(page)
        heading = page.locator("[data-testid=stMain] h1")
        title = heading.first.inner_text() if heading.count() else f"slide {number}"
        with subtests.test(msg=f"slide {number} {title} {size}"):
            page.screenshot(path=str(ARTEFAK / f"paparan-{size}-{number:02d}-{slug(title)}.png"))
            problems = slide_findings(page, floor, rawan)
            assert not problems, f"Mode Paparan slide {number} ({title}) pada {size} ({page.url}):\n  " + "\n  ".join(problems)
        counters.append(measure.slide_counters(page, number))
        if not next_slide(page):
            break
        number += 1
        assert number <= MAX_SLIDES, f"lebih dari {MAX_SLIDES} slide: tombol Berikutnya tidak pernah nonaktif"
    total = number
    assert total >= 6, f"Mode Paparan hanya punya {total} slide"
    missing = []
    for slide, found in enumerate(counters, start=1):
        ours = [c for c in found if c["total"] == total]
        if not ours:
            missing.append(f"slide {slide}: tidak ada teks \"{slide} / {total}\"" + (f" (ada: {found})" if found else ""))
        elif max(c["px"] for c in ours) < COUNTER_PX:
            best = max(ours, key=lambda c: c["px"])
            missing.append(f"slide {slide}: penghitung {best['text']!r} hanya {best['px']:g} px di {best['where']}")
    assert not missing, f"penghitung slide pada {size} harus terbaca (>= {COUNTER_PX:g} px):\n  " + "\n  ".join(missing)


def in_paparan(page) -> bool:
    return urllib.parse.urlsplit(page.url).path.rstrip("/").endswith("/" + PAPARAN)


def left_paparan(page, timeout: float) -> bool:
    try:
        page.wait_for_function(f"() => !location.pathname.replace(/\\/$/, '').endsWith('/{PAPARAN}')", timeout=timeout)
    except PlaywrightTimeout:
        return False
    wait_idle(page)
    return True


def on_dashboard(page) -> list[str]:
    """Still signed in, on a dashboard screen with the sidebar navigation usable."""
    problems = []
    if page.locator(".st-key-login_username").count():
        problems.append("keluar dari Mode Paparan malah keluar dari akun (formulir masuk tampil)")
    nav = page.locator("[data-testid=stSidebarNav], [data-testid=stExpandSidebarButton]")
    if not any(nav.nth(i).is_visible() for i in range(nav.count())):
        problems.append("navigasi samping tidak dapat dipakai setelah keluar dari Mode Paparan")
    return problems


def test_paparan_can_be_left_with_a_button_and_escape(tabs, subtests):
    """Mode Paparan hides the sidebar: a visible exit control and the Esc key lead back to the dashboard."""
    page = open_paparan(tabs, "proyektor")
    with subtests.test(msg="Esc"):
        page.locator("[data-testid=stMain]").click(position={"x": 5, "y": 5})  # the slide has the keyboard focus
        page.keyboard.press("Escape")
        assert left_paparan(page, 10_000), "tombol Esc tidak keluar dari Mode Paparan"
        assert not on_dashboard(page), on_dashboard(page)
    if not in_paparan(page):
        go_to(page, paparan_href(page))
    with subtests.test(msg="tombol keluar"):
        controls = measure.exit_controls(page)
        page.screenshot(path=str(ARTEFAK / "paparan-keluar.png"))
        assert controls, ("tidak ada tombol/tautan keluar di slide (teks atau label yang cocok dengan "
                          f"/{measure.EXIT_WORDS}/): hanya tombol Kembali peramban yang membawa ke dasbor")
        page.locator('[data-e2e-keluar="0"]').click()
        assert left_paparan(page, 30_000), f"tombol {controls[0]} tidak keluar dari Mode Paparan"
        assert not on_dashboard(page), on_dashboard(page)
