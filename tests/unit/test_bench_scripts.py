"""The benchmark scripts still run: they are not in the timed suite, so a broken one would go unnoticed."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"


@pytest.mark.parametrize("name", ["bench.py", "bench_network.py", "bench_skala.py"])
def test_main_block_comes_last(name):
    # a function defined after `if __name__ == "__main__": sys.exit(main())` does not exist yet when main() runs
    tree = ast.parse((SCRIPTS / name).read_text(encoding="utf-8"))
    last = tree.body[-1]
    assert isinstance(last, ast.If) and "__main__" in ast.unparse(last.test)
    assert not any(isinstance(node, ast.If) and "__main__" in ast.unparse(node.test) for node in tree.body[:-1])


def test_bench_skala_small_run_writes_only_its_section(tmp_path):
    out = tmp_path / "benchmarks.md"
    out.write_text("# Benchmark\n\n## Lain\n\nisi lain tetap\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANEV_")}
    done = subprocess.run(
        [sys.executable, str(SCRIPTS / "bench_skala.py"), "--skala", "ttu", "--backend", "sqlite", "--runs", "3",
         "--tanpa-prototipe", "--out", str(out)],
        capture_output=True, text=True, env=env, timeout=300, check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    text = out.read_text(encoding="utf-8")
    assert "## Lain\n\nisi lain tetap" in text
    section = text[text.index("## Skala nasional (rekap satu bulan)"):]
    rows = [line for line in section.splitlines() if line.startswith("| ttu | sqlite |")]
    assert len(rows) == 2  # before/after table and command-line table
    assert rows[0].rstrip().endswith("| sama |")  # rows and JSON identical before and after the speed-ups
    assert "193/193 desa melapor" in section
