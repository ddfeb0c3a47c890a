"""The Anev deck as people open it: LibreOffice lays it out, and what it shows is checked against the slide.

python-pptx only writes boxes; how tall a table or a bulleted list becomes is decided by the program that opens the
file (rows grow to fit their text, a text box grows with its text). So the deck is opened with LibreOffice headless
twice: once printed to PDF (what people see; `pdftotext -bbox` gives every painted word's box, and poppler drops the
words that lie wholly outside the page), once saved again as .pptx (the boxes as laid out: grown tables and text boxes).

A deck fails when
- the PDF has another number of pages than the deck has slides;
- a painted word sticks out of its page, or a word of a text box or table is missing from its page (ran off it);
- a laid-out text box or table ends past the slide's edge;
- a table lies over another shape's text, or two shapes' texts overlap (e.g. a long table hiding the footer).
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from pptx import Presentation

EMU_PER_PT = 12_700
TOLERANCE_PT = 1.0  # painted glyph boxes may touch the edge
OVERLAP_PT = 2.0  # two boxes overlap when they share more than this in both directions


def soffice() -> str | None:
    return shutil.which("libreoffice") or shutil.which("soffice")


def missing_tools() -> list[str]:
    """Debian packages still needed to render decks here (empty when all are installed)."""
    missing = []
    if soffice() is None:
        missing.append("libreoffice-impress")
    if not (shutil.which("pdftotext") and shutil.which("pdftoppm")):
        missing.append("poppler-utils")
    return missing


def convert(files: list[Path], fmt: str, outdir: Path, profile: Path) -> None:
    """LibreOffice headless, with its own profile folder (a user's running LibreOffice or a parallel run is left alone)."""
    outdir.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [soffice(), f"-env:UserInstallation={profile.resolve().as_uri()}", "--headless", "--norestore",
         "--convert-to", fmt, "--outdir", str(outdir), *map(str, files)],
        capture_output=True, text=True, timeout=300, check=False,
    )
    produced = [outdir / f"{f.stem}.{fmt}" for f in files]
    if result.returncode != 0 or not all(p.exists() for p in produced):
        raise RuntimeError(f"LibreOffice gagal mengubah ke {fmt} (kode {result.returncode}): {result.stderr[-800:]}")


def pictures(pdf: Path, outdir: Path, prefix: str, dpi: int = 50) -> list[Path]:
    """One PNG per page (`<prefix>-NN.png`), for a person to look at."""
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), str(pdf), str(outdir / prefix)], check=True, timeout=120)
    return sorted(outdir.glob(f"{prefix}-*.png"))


@dataclass
class Word:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass
class Page:
    width: float
    height: float
    words: list[Word]


def pdf_pages(pdf: Path) -> list[Page]:
    """Every page with every painted word and its box in points, in drawing order (`-raw`); poppler has already dropped
    the words that lie wholly off the page."""
    out = subprocess.run(["pdftotext", "-raw", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True, timeout=120).stdout
    pages = []
    for match in re.finditer(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', out, re.S):
        words = [Word(html.unescape(w[4]), *map(float, w[:4])) for w in re.findall(
            r'<word xMin="([-\d.]+)" yMin="([-\d.]+)" xMax="([-\d.]+)" yMax="([-\d.]+)">(.*?)</word>', match.group(3))]
        pages.append(Page(float(match.group(1)), float(match.group(2)), words))
    return pages


@dataclass
class Shape:
    name: str  # what a developer recognises: the kind and the start of its text
    table: bool
    words: list[str]
    box: tuple[float, float, float, float]  # laid out, in points: left, top, right, bottom


def _shape_words(shape) -> list[str]:
    if shape.has_table:
        return [w for row in shape.table.rows for cell in row.cells for w in cell.text.split()]
    if shape.has_text_frame:
        return shape.text_frame.text.split()
    return []


def laid_out_shapes(pptx: Path) -> tuple[float, float, list[list[Shape]]]:
    """Slide size and, per slide, every shape that holds text (text boxes, placeholders, tables) with its laid-out box."""
    deck = Presentation(str(pptx))
    width, height = deck.slide_width / EMU_PER_PT, deck.slide_height / EMU_PER_PT
    slides = []
    for slide in deck.slides:
        shapes = []
        for shape in slide.shapes:
            words = _shape_words(shape)
            if not words or shape.left is None:
                continue
            left, top = shape.left / EMU_PER_PT, shape.top / EMU_PER_PT
            kind = "tabel" if shape.has_table else "kotak teks"
            shapes.append(Shape(f"{kind} \"{' '.join(words)[:50]}\"", shape.has_table, words,
                                (left, top, left + shape.width / EMU_PER_PT, top + shape.height / EMU_PER_PT)))
        slides.append(shapes)
    return width, height, slides


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return min(a[2], b[2]) - max(a[0], b[0]) > OVERLAP_PT and min(a[3], b[3]) - max(a[1], b[1]) > OVERLAP_PT


def _text_extent(shape: Shape, words: list[Word]) -> tuple[float, float, float, float] | None:
    """The box of this shape's painted words: the longest run of the page's words (in drawing order) that spells its text.

    Drawing order keeps each shape's words together, so a word that two shapes share ("ini" in a title and in a table
    header) is taken from the right one.
    """
    best: list[Word] = []
    for start, word in enumerate(words):
        if word.text != shape.words[0]:
            continue
        run = 0
        while run < len(shape.words) and start + run < len(words) and words[start + run].text == shape.words[run]:
            run += 1
        if run > len(best):
            best = words[start:start + run]
    if not best:
        return None
    return min(w.x0 for w in best), min(w.y0 for w in best), max(w.x1 for w in best), max(w.y1 for w in best)


def findings(pdf: Path, laid_out: Path) -> list[str]:
    """Everything that runs past its slide or lies over other text, one line each, naming the slide and the shape."""
    pages = pdf_pages(pdf)
    width, height, slides = laid_out_shapes(laid_out)
    problems = []
    if len(pages) != len(slides):
        problems.append(f"PDF punya {len(pages)} halaman, dek punya {len(slides)} slide")
    cm = 2.54 / 72
    for number, (page, shapes) in enumerate(zip(pages, slides, strict=False), start=1):
        where = f"slide {number}"
        for w in page.words:
            out = []
            if w.x0 < -TOLERANCE_PT:
                out.append("kiri")
            if w.y0 < -TOLERANCE_PT:
                out.append("atas")
            if w.x1 > page.width + TOLERANCE_PT:
                out.append("kanan")
            if w.y1 > page.height + TOLERANCE_PT:
                out.append(f"bawah +{(w.y1 - page.height) * cm:.1f} cm")
            if out:
                problems.append(f"{where}: kata {w.text!r} keluar dari slide ({', '.join(out)})")
        painted = Counter(w.text for w in page.words)
        joined = "".join(w.text for w in page.words)
        for shape in shapes:
            lost = [word for word, count in (Counter(shape.words) - painted).items() if joined.count(word) < count]
            if lost:
                problems.append(f"{where}: {shape.name}: {len(lost)} kata tidak tampil di slide (terdorong keluar): "
                                + ", ".join(repr(x) for x in lost[:8]) + (" ..." if len(lost) > 8 else ""))
            left, top, right, bottom = shape.box
            if right > width + TOLERANCE_PT or bottom > height + TOLERANCE_PT or left < -TOLERANCE_PT or top < -TOLERANCE_PT:
                problems.append(f"{where}: {shape.name} melewati tepi slide: kotak {left * cm:.1f}-{right * cm:.1f} cm × "
                                f"{top * cm:.1f}-{bottom * cm:.1f} cm, slide {width * cm:.1f} × {height * cm:.1f} cm")
        extents = {id(s): (s.box if s.table else _text_extent(s, page.words)) for s in shapes}
        for i, a in enumerate(shapes):
            for b in shapes[i + 1:]:
                box_a, box_b = extents[id(a)], extents[id(b)]
                if box_a and box_b and _overlap(box_a, box_b):
                    problems.append(f"{where}: {a.name} dan {b.name} saling menutupi "
                                    f"({max(box_a[1], box_b[1]) * cm:.1f}-{min(box_a[3], box_b[3]) * cm:.1f} cm dari atas)")
    return problems


def deck_text(pptx: Path) -> str:
    """All text of a deck (text boxes, placeholders, tables), for content checks."""
    deck = Presentation(str(pptx))
    return "\n".join(" ".join(_shape_words(shape)) for slide in deck.slides for shape in slide.shapes)
