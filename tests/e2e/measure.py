"""What a person can read, measured in the browser: each function runs one `page.evaluate` and returns findings.

A finding is a dict that names the element (where it is, what kind, its text) and the numbers, so that a failed
assertion tells a developer what to fix without opening the screenshot. The checks look at painted boxes
(`getBoundingClientRect`) and computed styles, never at the figure objects: Plotly with small fixed margins
passes every trace-level test and still cuts its own labels in the browser.

Streamlit scrolls `[data-testid=stMain]`, not the document, so "fits" and "scrolls sideways" are measured there.
"""

from __future__ import annotations

from typing import Any

Finding = dict[str, Any]

# Shared JS helpers: where an element is (Streamlit key or test id of the nearest container) and its text, short.
_JS_COMMON = r"""
const NOISE = ['stMarkdownContainer', 'stVerticalBlock', 'stElementContainer', 'stLayoutWrapper', 'stFullScreenFrame',
               'stMainBlockContainer', 'stMain', 'stAppViewContainer', 'stApp', 'stScreencast'];
const where = (el) => {
  // the nearest Streamlit key (st-key-...) and the test ids on the way to it: "p_tren [stPlotlyChart]"
  const ids = [];
  for (let node = el; node && node !== document.body; node = node.parentElement) {
    const key = [...(node.classList || [])].find((c) => c.startsWith('st-key-'));
    if (key) return `${key.slice(7)}${ids.length ? ` [${ids.slice(-2).reverse().join(' > ')}]` : ''}`;
    const id = node.dataset && node.dataset.testid;
    if (id && !NOISE.includes(id) && !ids.includes(id)) ids.push(id);
  }
  return ids.length ? ids.slice(0, 3).reverse().join(' > ') : el.tagName.toLowerCase();
};
const iconFont = (el) => /material/i.test(getComputedStyle(el).fontFamily);
const short = (text, n = 60) => {
  const t = (text || '').replace(/\s+/g, ' ').trim();
  return t.length > n ? t.slice(0, n - 1) + '\u2026' : t;
};
const visible = (el) => {
  if (!el.checkVisibility({ opacityProperty: true, visibilityProperty: true })) return false;
  const r = el.getBoundingClientRect();
  return r.width > 0 && r.height > 0;
};
const round = (x) => Math.round(x * 10) / 10;
"""

_CHART_TEXT_OUTSIDE = _JS_COMMON + r"""
(tolerance) => {
  const findings = [];
  const charts = [...document.querySelectorAll('.js-plotly-plot')];
  charts.forEach((plot, index) => {
    let box = plot.getBoundingClientRect();
    const container = plot.closest('[data-testid=stPlotlyChart]');
    if (container) {  // the chart is only as large as what its container shows
      const c = container.getBoundingClientRect();
      box = { left: Math.max(box.left, c.left), top: Math.max(box.top, c.top),
              right: Math.min(box.right, c.right), bottom: Math.min(box.bottom, c.bottom) };
    }
    const titleNode = plot.querySelector('.gtitle');
    const chart = `grafik ${where(plot)}${titleNode ? ` "${short(titleNode.textContent, 40)}"` : ''} (#${index + 1})`;
    for (const text of plot.querySelectorAll('svg text')) {
      if (text.closest('.hoverlayer')) continue;
      const content = (text.textContent || '').trim();
      if (!content || !visible(text)) continue;
      const r = text.getBoundingClientRect();
      const out = [];
      if (r.left < box.left - tolerance) out.push(`kiri ${round(box.left - r.left)}px`);
      if (r.right > box.right + tolerance) out.push(`kanan ${round(r.right - box.right)}px`);
      if (r.top < box.top - tolerance) out.push(`atas ${round(box.top - r.top)}px`);
      if (r.bottom > box.bottom + tolerance) out.push(`bawah ${round(r.bottom - box.bottom)}px`);
      if (!out.length) continue;
      const tick = text.closest('g[class$="tick"]');
      const kind = tick ? tick.getAttribute('class')
        : text.classList.contains('gtitle') ? 'gtitle' : text.classList.contains('xtitle') ? 'g-xtitle'
        : text.classList.contains('ytitle') ? 'g-ytitle' : text.classList.contains('legendtext') ? 'legendtext'
        : text.classList.contains('bartext') ? 'bartext' : text.closest('.annotation') ? 'annotation'
        : text.closest('.colorbar') ? 'colorbar' : (text.getAttribute('class') || 'text');
      findings.push({ chart, kind, text: short(content), outside: out.join(', '),
                      rect: [round(r.left), round(r.top), round(r.right), round(r.bottom)],
                      box: [round(box.left), round(box.top), round(box.right), round(box.bottom)] });
    }
  });
  return findings;
}
"""

_TEXT_CUT = _JS_COMMON + r"""
(rootSelector) => {
  const findings = [];
  const root = document.querySelector(rootSelector);
  if (!root) return findings;
  const seen = new Set();
  const report = (el, how) => {
    if (seen.has(el)) return;
    seen.add(el);
    const metric = el.closest('[data-testid=stMetric]');
    const part = el.closest('[data-testid=stMetricLabel]') ? 'label KPI' : el.closest('[data-testid=stMetricValue]') ? 'nilai KPI'
      : el.closest('[data-testid=stMetricDelta]') ? 'perubahan KPI' : /^H[1-6]$/.test(el.tagName) || el.closest('h1,h2,h3,h4,h5,h6') ? 'judul'
      : el.closest('[data-testid=stCaptionContainer]') ? 'keterangan' : el.closest('[data-testid=stWidgetLabel]') ? 'label isian' : 'teks';
    const label = metric && part !== 'label KPI' ? metric.querySelector('[data-testid=stMetricLabel]') : null;
    findings.push({ where: where(el), part, text: short(el.textContent), how,
                    kpi: label ? short(label.textContent, 40) : null });
  };
  for (const el of root.querySelectorAll('*')) {
    if (el.closest('[data-testid=stDataFrame], [data-testid=stPlotlyChart], [data-testid=stDeckGlJsonChart], svg, canvas, input, textarea')) continue;
    if (!visible(el) || iconFont(el)) continue;
    const style = getComputedStyle(el);
    const clips = ['hidden', 'clip'].includes(style.overflowX) || style.textOverflow === 'ellipsis';
    const hasText = [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim());
    if (style.textOverflow === 'ellipsis' && el.scrollWidth > el.clientWidth + 1) {
      report(el, `terpotong "\u2026" (scrollWidth ${el.scrollWidth} > clientWidth ${el.clientWidth})`);
    } else if (clips && hasText && style.whiteSpace.startsWith('nowrap') && el.scrollWidth > el.clientWidth + 1) {
      report(el, `terpotong (scrollWidth ${el.scrollWidth} > clientWidth ${el.clientWidth})`);
    } else if (hasText && style.webkitLineClamp && style.webkitLineClamp !== 'none' && el.scrollHeight > el.clientHeight + 1) {
      report(el, `terpotong baris (scrollHeight ${el.scrollHeight} > clientHeight ${el.clientHeight})`);
    }
  }
  // a literal ellipsis in a KPI is a cut made by the app (or by a formatter) all the same
  for (const part of root.querySelectorAll('[data-testid=stMetricLabel], [data-testid=stMetricValue]')) {
    if (!visible(part)) continue;
    if (/\u2026|\.\.\./.test(part.textContent)) report(part, 'berisi "\u2026"');
  }
  return findings;
}
"""

_HORIZONTAL_OVERFLOW = _JS_COMMON + r"""
() => {
  const findings = [];
  const doc = document.documentElement;
  const main = document.querySelector('[data-testid=stMain]');
  const culprits = (limit) => {
    // outermost elements that stick out to the right and are not inside their own scroll box
    const found = [];
    for (const el of (main || document.body).querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.right <= limit + 1 || r.width === 0) continue;
      let scrolled = false;
      for (let p = el.parentElement; p && p !== main; p = p.parentElement) {
        const o = getComputedStyle(p).overflowX;
        if (['auto', 'scroll', 'hidden', 'clip'].includes(o)) { scrolled = true; break; }
        if (p.getBoundingClientRect().right > limit + 1) { scrolled = true; break; }  // its parent is reported instead
      }
      if (!scrolled) found.push(`${where(el)} <${el.tagName.toLowerCase()}> "${short(el.textContent, 40)}" right=${Math.round(r.right)}`);
      if (found.length >= 5) break;
    }
    return found;
  };
  if (doc.scrollWidth > doc.clientWidth) {
    findings.push({ container: 'document', scrollWidth: doc.scrollWidth, clientWidth: doc.clientWidth,
                    culprits: culprits(doc.clientWidth) });
  }
  if (main && main.scrollWidth > main.clientWidth) {
    findings.push({ container: 'stMain', scrollWidth: main.scrollWidth, clientWidth: main.clientWidth,
                    culprits: culprits(main.getBoundingClientRect().left + main.clientWidth) });
  }
  return findings;
}
"""

_VERTICAL_FIT = _JS_COMMON + r"""
() => {
  const main = document.querySelector('[data-testid=stMain]');
  if (!main) return { scrollHeight: 0, clientHeight: 0, below: [], padding: 0 };
  // content coordinates (as if scrolled to the top): a click on a slide button may have scrolled the container
  const offset = main.getBoundingClientRect().top - main.scrollTop;
  const block = main.querySelector('[data-testid=stMainBlockContainer]') || main;
  const below = [];
  let last = 0;
  const top = block.querySelector('[data-testid=stVerticalBlock]') || block;
  for (const child of top.children) {
    const r = child.getBoundingClientRect();
    if (r.height === 0) continue;
    const bottom = r.bottom - offset;
    last = Math.max(last, bottom);
    if (bottom > main.clientHeight + 1) {
      below.push(`${where(child.querySelector('[data-testid]') || child)} "${short(child.textContent, 40)}" `
                 + `ends at ${Math.round(bottom)} px`);
    }
  }
  return { scrollHeight: main.scrollHeight, clientHeight: main.clientHeight, below, content_bottom: Math.round(last),
           padding_bottom: parseFloat(getComputedStyle(block).paddingBottom) };
}
"""

_FONT_SIZES = _JS_COMMON + r"""
(floor) => {
  const main = document.querySelector('[data-testid=stMain]');
  const small = [];
  let min = Infinity;
  if (!main) return { min: null, small };
  const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    const text = node.textContent.trim();
    if (!text || !el || ['STYLE', 'SCRIPT', 'NOSCRIPT', 'TITLE'].includes(el.tagName)) continue;
    if (el.closest('[data-testid=stIconMaterial], .hoverlayer, .modebar-container') || iconFont(el)) continue;
    if (!visible(el)) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    min = Math.min(min, size);
    if (size < floor) {
      const kind = el.closest('svg') ? 'teks grafik' : el.closest('table') ? 'sel tabel' : 'teks';
      small.push({ where: where(el), kind, text: short(text, 40), px: round(size) });
    }
  }
  return { min: min === Infinity ? null : round(min), small };
}
"""

_CANVAS_GRIDS = _JS_COMMON + r"""
() => [...document.querySelectorAll('[data-testid=stMain] [data-testid=stDataFrame]')].filter(visible).map(
  (grid) => ({ where: where(grid), text: short(grid.getAttribute('aria-label') || grid.textContent, 40) }))
"""

_SIDEBAR_OPEN = _JS_COMMON + r"""
() => {
  // on a portrait tablet an open sidebar takes the screen from the content, whether it lies over it or pushes it aside
  const sidebar = document.querySelector('[data-testid=stSidebar]');
  const content = document.querySelector('[data-testid=stMainBlockContainer]');
  if (!sidebar || !visible(sidebar)) return null;
  const s = sidebar.getBoundingClientRect();
  const width = Math.min(s.right, window.innerWidth) - Math.max(s.left, 0);
  if (width <= 1) return null;
  const c = content ? content.getBoundingClientRect() : null;
  const over = c ? Math.max(0, Math.min(s.right, c.right) - Math.max(s.left, c.left)) : 0;
  return { sidebar_px: Math.round(width), viewport_px: window.innerWidth,
           content_px: c ? Math.round(c.width) : null, over_content_px: Math.round(over) };
}
"""

_SLIDE_COUNTERS = _JS_COMMON + r"""
(current) => {
  // every visible text that says "<current> / M" or "<current> dari M": the caller keeps the one whose M is the slide count
  const main = document.querySelector('[data-testid=stMain]');
  const pattern = new RegExp(`(?:^|[^\\d])${current}\\s*(?:/|dari)\\s*(\\d+)`);
  const found = [];
  const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    const match = pattern.exec(node.textContent);
    if (!el || !match || !visible(el)) continue;
    found.push({ total: Number(match[1]), text: short(node.textContent), px: parseFloat(getComputedStyle(el).fontSize), where: where(el) });
  }
  return found;
}
"""

_EXIT_CONTROLS = _JS_COMMON + r"""
(pattern) => {
  // buttons and links on the slide that say they leave Mode Paparan (not the slide buttons themselves);
  // each is marked data-e2e-keluar so the test can click it
  const words = new RegExp(pattern, 'i');
  const found = [];
  for (const el of document.querySelectorAll('[data-testid=stMain] button, [data-testid=stMain] a[href]')) {
    if (!visible(el) || el.closest('.st-key-paparan_sebelum, .st-key-paparan_berikut')) continue;
    const text = short(el.textContent || ''), label = el.getAttribute('aria-label') || el.getAttribute('title') || '';
    if (!words.test(`${text} ${label}`)) continue;
    el.dataset.e2eKeluar = String(found.length);
    found.push({ text, label, where: where(el), tag: el.tagName.toLowerCase() });
  }
  return found;
}
"""

_SETTLED = r"""
async () => {
  // Plotly draws after the script run and redraws once more for automargin: wait until the painted boxes stop moving
  await document.fonts.ready;
  const signature = () => {
    const main = document.querySelector('[data-testid=stMain]');
    const parts = [main ? main.scrollHeight : 0, main ? main.scrollWidth : 0];
    for (const chart of document.querySelectorAll('[data-testid=stPlotlyChart]')) {
      const svg = chart.querySelector('svg.main-svg');
      if (!svg) return null;  // not drawn yet
      const r = chart.getBoundingClientRect();
      parts.push(Math.round(r.width), Math.round(r.height), chart.querySelectorAll('svg text').length);
      for (const t of chart.querySelectorAll('.xtick text, .ytick text, .gtitle, .legendtext')) {
        const b = t.getBoundingClientRect();
        parts.push(Math.round(b.left), Math.round(b.right));
      }
    }
    return parts.join(',');
  };
  const frame = () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 50)));
  let last = null, stable = 0;
  for (let i = 0; i < 200 && stable < 4; i++) {
    await frame();
    const now = signature();
    stable = now !== null && now === last ? stable + 1 : 0;
    last = now;
  }
  return stable >= 4;
}
"""


def wait_settled(page) -> bool:
    """Until fonts are loaded and every Plotly chart is drawn and has stopped moving (about 10 s at most)."""
    return bool(page.evaluate(_SETTLED))


def scroll_to_top(page) -> None:
    """The main container back at its top (clicking a button at the bottom of a slide scrolls it)."""
    page.evaluate("() => { const m = document.querySelector('[data-testid=stMain]'); if (m) m.scrollTo(0, 0); }")


def chart_text_outside(page, tolerance: float = 1.0) -> list[Finding]:
    """Every painted text of every Plotly chart (ticks, titles, legend, annotations, bar texts) outside its chart's box."""
    return page.evaluate(_CHART_TEXT_OUTSIDE, tolerance)


def text_cut(page, root: str = "[data-testid=stMain]") -> list[Finding]:
    """Text cut by an ellipsis or by overflow: KPI labels and values (also a literal "…"), headings, captions, labels."""
    return page.evaluate(_TEXT_CUT, root)


def horizontal_overflow(page) -> list[Finding]:
    """The document or the main container scrolls sideways; names the outermost elements that stick out."""
    return page.evaluate(_HORIZONTAL_OVERFLOW)


def vertical_fit(page) -> dict[str, Any]:
    """The main container's scrollHeight and clientHeight, and the blocks that end below the screen."""
    return page.evaluate(_VERTICAL_FIT)


def font_sizes(page, floor: float) -> dict[str, Any]:
    """The smallest computed font size of visible text in the main container (HTML, tables and SVG chart text alike),
    and every text below `floor` px."""
    return page.evaluate(_FONT_SIZES, floor)


def canvas_grids(page) -> list[Finding]:
    """Visible `st.dataframe` canvas grids in the main container (their ~14 px text is not in the DOM)."""
    return page.evaluate(_CANVAS_GRIDS)


def sidebar_open(page) -> dict[str, Any] | None:
    """How much of the screen the sidebar takes (and how much of the content it lies over), or None when it is closed."""
    return page.evaluate(_SIDEBAR_OPEN)


def slide_counters(page, current: int) -> list[Finding]:
    """Every visible text that says "current / M" or "current dari M", with M and its font size."""
    return page.evaluate(_SLIDE_COUNTERS, current)


EXIT_WORDS = r"keluar|kembali|tutup|selesai|akhiri|dasbor|\u2715|\u00d7"


def exit_controls(page) -> list[Finding]:
    """Visible buttons and links in the main area whose text or label says they leave Mode Paparan."""
    return page.evaluate(_EXIT_CONTROLS, EXIT_WORDS)


def describe(findings: list[Finding], limit: int = 25) -> str:
    """One line per finding, for an assertion message."""
    lines = [", ".join(f"{k}={v}" for k, v in f.items() if v not in (None, [], "")) for f in findings[:limit]]
    if len(findings) > limit:
        lines.append(f"... dan {len(findings) - limit} lagi")
    return "\n    ".join(lines)


def summarise_chart_text(findings: list[Finding]) -> list[str]:
    """Chart findings grouped per chart and kind of text: how many, how far out, a few of the texts."""
    groups: dict[tuple[str, str], list[Finding]] = {}
    for finding in findings:
        groups.setdefault((finding["chart"], finding["kind"]), []).append(finding)
    lines = []
    for (chart, kind), items in groups.items():
        sides: dict[str, float] = {}
        for item in items:
            for part in item["outside"].split(", "):
                side, amount = part.split(" ")
                sides[side] = max(sides.get(side, 0.0), float(amount.removesuffix("px")))
        far = ", ".join(f"{side} s/d {amount:g}px" for side, amount in sides.items())
        sample = ", ".join(repr(item["text"]) for item in items[:4]) + (", ..." if len(items) > 4 else "")
        lines.append(f"{chart}: {len(items)} teks {kind} di luar kotak grafik ({far}): {sample}")
    return lines
