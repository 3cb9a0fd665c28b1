"""The whole harness on tiny inputs (`--quick`), as `make bench` runs it, in a subprocess.

It measures nothing worth reading; it proves every row is produced with finite positive
figures on both sides, and that the file written is the command's own output.
"""

from __future__ import annotations

import math
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# (section, start of the measure) of every row `--quick` must produce.
EXPECTED_ROWS = [
    ("Parsing", "articles/s on one core", "vs trafilatura"),
    ("Parsing", "articles/s on one core", "vs the lxml floor"),
    ("Crawling", "pages/s, full crawl of a 40-article replica, pages only", ""),
    ("Crawling", "pages/s, full crawl of a 20-article replica, images", ""),
    ("Crawling", "peak memory, 40-article site vs 20-article site", ""),
    ("Crawling", "peak memory, 80-article site vs 20-article site", ""),
    ("Storing", "articles/s written", ""),
    ("Re-running", "requests", ""),
    ("Re-running", "seconds", ""),
    ("Searching", "median latency", ""),
    ("Searching", "95th-percentile latency", ""),
    ("Size", "database", ""),
    ("Size", "files folder", ""),
]


def _figure(cell: str) -> float:
    match = re.match(r"\s*([0-9][0-9,]*(?:\.[0-9]+)?(?:e[-+]?\d+)?)", cell)
    assert match, f"no number in {cell!r}"
    return float(match.group(1).replace(",", ""))


def result_rows(markdown: str) -> list[list[str]]:
    section = markdown.split("## Results", 1)[1].split("\n## ", 1)[0]
    lines = [ln for ln in section.splitlines() if ln.startswith("| ") and "---" not in ln]
    return [[c.strip() for c in ln.strip().strip("|").split(" | ")] for ln in lines[1:]]


@pytest.mark.slow
def test_quick_run_writes_every_row_with_finite_positive_figures(tmp_path: Path) -> None:
    out = tmp_path / "bench.md"
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--quick", "--out", str(out),
         "--work-dir", str(tmp_path / "work")],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    text = out.read_text(encoding="utf-8")
    assert text.strip() == proc.stdout.strip(), "the file must be the command's own output"
    assert "python -m benchmarks.run --quick" in text
    assert "Quick mode" in text
    rows = result_rows(text)
    assert len(rows) == len(EXPECTED_ROWS), [r[:2] for r in rows]
    for (section, start, end), row in zip(EXPECTED_ROWS, rows, strict=True):
        assert row[0] == section and row[1].startswith(start) and row[1].endswith(end), row
        ours, baseline, ratio = _figure(row[2]), _figure(row[3]), _figure(row[4])
        for value in (ours, baseline, ratio):
            assert math.isfinite(value) and value > 0, row
        assert row[6] in ("**yes**", "**no**", "—"), row
    # The search archive is cached: a second run reuses it.
    assert list((tmp_path / "work").glob("search-300-seed1-*.db"))
