"""Shared pieces of the benchmark scripts: machine description and rewriting one section of docs/benchmarks.md."""

from __future__ import annotations

import os
import platform
import re
import subprocess
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path


def package_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "tidak terpasang"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def memory_total() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 2**20:.1f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return "RAM ?"


def load_average() -> str:
    try:
        return " / ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


def code_version() -> str:
    """The commit measured, and whether the working tree differed from it (others work in the same tree)."""
    repo = Path(__file__).resolve().parent.parent
    try:
        def git(*cmd: str) -> str:
            return subprocess.run(["git", *cmd], cwd=repo, capture_output=True, text=True, check=True).stdout.strip()

        head, changed = git("rev-parse", "--short", "HEAD"), git("status", "--porcelain", "--untracked-files=all")
    except (OSError, subprocess.CalledProcessError):
        return "?"
    return f"commit {head}" + (" + perubahan belum di-commit di pohon kerja" if changed else "")


def write_section(out: Path, text: str, title: str, intro: str) -> None:
    """Replace only the section `title` (up to the next `## ` heading); keep everything else, other sections too."""
    current = out.read_text(encoding="utf-8") if out.exists() else intro
    pattern = re.compile(rf"^{re.escape(title)}[ \t]*\n.*?(?=^## |\Z)", re.MULTILINE | re.DOTALL)
    if pattern.search(current):
        updated = pattern.sub(lambda _m: text + "\n", current, count=1)
    else:
        updated = current.rstrip() + "\n\n" + text
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(updated.rstrip() + "\n", encoding="utf-8")
