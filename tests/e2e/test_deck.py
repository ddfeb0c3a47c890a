"""The exported Anev deck as people open it: `python -m core export` on the demo database, rendered by LibreOffice.

Pictures of every page are kept in `tests/e2e/artefak/` (`dek-<bulan>-NN.png`, with the PDFs). A deliberately
overflowing deck goes through the same check first, so the check is known to fail when a deck runs off its slides.
Skipped, with the packages to install, when LibreOffice or poppler-utils is missing.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from pptx import Presentation
from pptx.util import Inches, Pt

from . import deck
from .conftest import ARTEFAK, EMPTY_MONTH, ROOT

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
NO_REPORT = re.compile(r"(belum|tidak)\s+ada\s+(satu\s+)?(polsek|rekap|laporan)|belum\s+(ada\s+yang\s+)?melapor|melapor:?\s+0\s+dari", re.I)


@dataclass
class Rendered:
    decks: dict[str, Path] = field(default_factory=dict)  # name -> exported .pptx
    errors: dict[str, str] = field(default_factory=dict)  # name -> why the export failed
    pdf: dict[str, Path] = field(default_factory=dict)
    laid_out: dict[str, Path] = field(default_factory=dict)


def overflowing_deck(path: Path) -> Path:
    """Four slides shaped like the Anev deck: a list too long, a table too tall, a table over the footer, one that fits."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)

    def slide(title: str):
        page = prs.slides.add_slide(prs.slide_layouts[5])
        page.shapes.title.text = title
        footer = page.shapes.add_textbox(Inches(0.5), Inches(6.95), Inches(12.3), Inches(0.4))
        footer.text_frame.text = "Kaki slide Anev Polres TTU"
        footer.text_frame.paragraphs[0].font.size = Pt(14)
        return page

    def bullets(page, count: int) -> None:
        frame = page.shapes.add_textbox(Inches(0.6), Inches(1.5), Inches(12.0), Inches(5.2)).text_frame
        frame.word_wrap = True
        for i in range(count):
            paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
            paragraph.text = f"\u2022 Catatan nomor{i} tentang desa dan Bhabinkamtibmas"
            paragraph.font.size = Pt(20)

    def table(page, rows: int) -> None:
        grid = page.shapes.add_table(rows, 3, Inches(0.5), Inches(1.4), Inches(12.3), Inches(0.4 * rows)).table
        for r in range(rows):
            for c in range(3):
                grid.cell(r, c).text = f"sel{r}k{c}"
                grid.cell(r, c).text_frame.paragraphs[0].font.size = Pt(14)

    bullets(slide("Daftar terlalu panjang"), 30)
    table(slide("Tabel terlalu tinggi"), 25)
    table(slide("Tabel menutupi kaki slide"), 15)
    fits = slide("Slide yang muat")
    bullets(fits, 4)
    prs.save(path)
    return path


@pytest.fixture(scope="module")
def rendered(demo_db: str, demo_month: str, tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    missing = deck.missing_tools()
    if missing:
        pytest.skip(f"dek tidak dapat dirender: pasang {' '.join(missing)} (apt-get install --no-install-recommends ...)")
    work = tmp_path_factory.mktemp("dek")
    result = Rendered()
    for name, bulan in [(f"dek-{demo_month}", demo_month), (f"dek-{EMPTY_MONTH}-tanpa-rekap", EMPTY_MONTH)]:
        out = work / f"{name}.pptx"
        run = subprocess.run([sys.executable, "-m", "core", "export", "--bulan", bulan, "--format", "pptx", "--out", str(out)],
                             cwd=ROOT, env={**os.environ, "ANEV_DB_URL": demo_db}, capture_output=True, text=True, timeout=300,
                             check=False)
        if run.returncode == 0 and out.exists():
            result.decks[name] = out
        else:
            output = (run.stderr or run.stdout).strip()
            last = output.splitlines()[-1] if output else "tanpa pesan"
            result.errors[name] = f"keluar {run.returncode}: {last}\n--- akhir keluaran ---\n{output[-1500:]}"
    result.decks["dek-meluap-sengaja"] = overflowing_deck(work / "dek-meluap-sengaja.pptx")
    files = list(result.decks.values())
    profile = work / "profil-libreoffice"
    deck.convert(files, "pdf", work / "pdf", profile)
    deck.convert(files, "pptx", work / "tata-letak", profile)
    for name, path in result.decks.items():
        result.pdf[name] = work / "pdf" / f"{path.stem}.pdf"
        result.laid_out[name] = work / "tata-letak" / path.name
        shutil.copy(result.pdf[name], ARTEFAK / f"{name}.pdf")
        deck.pictures(result.pdf[name], ARTEFAK, name)
    return result


def test_the_check_catches_a_deck_that_runs_off_its_slides(rendered):
    problems = deck.findings(rendered.pdf["dek-meluap-sengaja"], rendered.laid_out["dek-meluap-sengaja"])
    per_slide = {n: [p for p in problems if p.startswith(f"slide {n}:")] for n in range(1, 5)}
    text = "\n  ".join(problems)
    # long list and tall table: words pushed off the page (PDF) and boxes past the edge (layout), each found on its own
    for n in (1, 2):
        assert any("tidak tampil" in p for p in per_slide[n]), f"slide {n}: kata yang hilang tidak terdeteksi:\n  {text}"
        assert any("melewati tepi slide" in p for p in per_slide[n]), f"slide {n}: kotak di luar slide tidak terdeteksi:\n  {text}"
    assert any("saling menutupi" in p and "Kaki slide" in p for p in per_slide[3]), f"tabel di atas kaki slide lolos:\n  {text}"
    assert per_slide[4] == [], f"slide yang muat dilaporkan bermasalah:\n  {text}"


def test_the_exported_deck_stays_on_its_slides(rendered, demo_month):
    name = f"dek-{demo_month}"
    assert name not in rendered.errors, f"ekspor pptx {demo_month} gagal: {rendered.errors.get(name)}"
    problems = deck.findings(rendered.pdf[name], rendered.laid_out[name])
    assert not problems, (f"dek {demo_month} seperti dibuka di LibreOffice (gambar: tests/e2e/artefak/{name}-NN.png):\n  "
                          + "\n  ".join(problems))


def test_a_month_without_recap_gives_a_deck_that_says_so(rendered):
    name = f"dek-{EMPTY_MONTH}-tanpa-rekap"
    assert name not in rendered.errors, f"python -m core export --bulan {EMPTY_MONTH} --format pptx gagal: {rendered.errors.get(name)}"
    text = deck.deck_text(rendered.decks[name])
    assert NO_REPORT.search(text), f"dek {EMPTY_MONTH} tidak mengatakan bahwa belum ada Polsek yang melapor:\n{text[:800]}"
    problems = deck.findings(rendered.pdf[name], rendered.laid_out[name])
    assert not problems, f"dek {EMPTY_MONTH} (tanpa rekap):\n  " + "\n  ".join(problems)
