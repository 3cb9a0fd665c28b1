"""The whole harness on tiny inputs (`--quick`), as `make bench` runs it, in a subprocess.

It measures nothing worth reading; it proves every row is produced with finite positive
figures on both sides, and that the file written is the command's own output.

The whole run includes `scrapy bench`, whose server binds the fixed port 8998: it is marked
``bench`` and run by `make bench-quick` (CI runs it), not by `make test`. `make test` runs the
sections that need no `scrapy bench` (storing, searching) in-process.
"""

from __future__ import annotations

import math
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from benchmarks import run

ROOT = Path(__file__).resolve().parents[2]

# (section, start of the measure) of every row `--quick` must produce.
EXPECTED_ROWS = [
    ("Parsing", "articles/s on one core", "vs trafilatura"),
    ("Parsing", "articles/s on one core", "vs the lxml floor"),
    ("Parsing", "articles/s on one core", "mst replica pages, vs trafilatura"),
    ("Parsing", "articles/s on one core", "mst replica pages, vs the lxml floor"),
    ("Crawling", "pages/s, full crawl of a 40-article replica, pages only", ""),
    ("Crawling", "pages/s, full crawl of a 20-article replica, images", ""),
    ("Crawling", "peak memory, 40-article site vs 20-article site", ""),
    ("Crawling", "peak memory, 80-article site vs 20-article site", ""),
    ("Storing", "articles/s written", ""),
    ("Storing", "raw pages compressed per second", "beside parsing them"),
    ("Re-running", "requests", ""),
    ("Re-running", "seconds", ""),
    ("Searching", "median latency", ""),
    ("Searching", "95th-percentile latency", ""),
    ("Searching", "95th-percentile latency of the exact total", ""),
    ("Size", "database, 20 crawled articles", ""),
    ("Size", "files folder, 20 crawled articles", ""),
    ("Size", "database, 20 crawled mst.gov.vn articles", ""),
    ("Size", "files folder, 20 crawled mst.gov.vn articles", ""),
]


def _figure(cell: str) -> float:
    match = re.match(r"\s*([0-9][0-9,]*(?:\.[0-9]+)?(?:e[-+]?\d+)?)", cell)
    assert match, f"no number in {cell!r}"
    return float(match.group(1).replace(",", ""))


def result_rows(markdown: str) -> list[list[str]]:
    section = markdown.split("## Results", 1)[1].split("\n## ", 1)[0]
    lines = [ln for ln in section.splitlines() if ln.startswith("| ") and "---" not in ln]
    return [[c.strip() for c in ln.strip().strip("|").split(" | ")] for ln in lines[1:]]


def _check_rows(rows: list[list[str]], expected: list[tuple[str, str, str]]) -> None:
    assert len(rows) == len(expected), [r[:2] for r in rows]
    for (section, start, end), row in zip(expected, rows, strict=True):
        assert row[0] == section and row[1].startswith(start) and row[1].endswith(end), row
        ours, baseline, ratio = _figure(row[2]), _figure(row[3]), _figure(row[4])
        for value in (ours, baseline, ratio):
            assert math.isfinite(value) and value > 0, row
        assert row[6] in ("**yes**", "**no**", "**inconclusive**", "—"), row
        if row[7] != "1" and not row[7].startswith(("1 ", "9 s")) and "crawl" not in row[7]:
            assert re.search(r"\(([0-9.,]+)–([0-9.,]+)\)", row[4]), f"no spread: {row}"
        assert re.fullmatch(r"(⚠ )?[0-9.]+ → [0-9.]+", row[8]), f"no load: {row}"


def test_quick_storing_and_searching_rows_in_process(tmp_path: Path) -> None:
    """The sections that need no crawl and no `scrapy bench`, through the command in-process."""
    out = tmp_path / "bench.md"
    args = ["--quick", "--out", str(out), "--work-dir", str(tmp_path / "work")]
    result = CliRunner().invoke(run.main, [*args, "--only", "storing", "--only", "searching"])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert text.strip() in result.stdout
    _check_rows(result_rows(text), [r for r in EXPECTED_ROWS if r[0] in ("Storing", "Searching")])
    assert list((tmp_path / "work").glob("search-300-seed1-*.db"))


@pytest.mark.bench
@pytest.mark.slow
def test_quick_run_writes_every_row_with_finite_positive_figures(tmp_path: Path) -> None:
    out = tmp_path / "bench.md"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.run",
            "--quick",
            "--out",
            str(out),
            "--work-dir",
            str(tmp_path / "work"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    text = out.read_text(encoding="utf-8")
    assert text.strip() == proc.stdout.strip(), "the file must be the command's own output"
    assert "python -m benchmarks.run --quick" in text
    assert "Quick mode" in text
    _check_rows(result_rows(text), EXPECTED_ROWS)
    # The search archive is cached: a second run reuses it.
    assert list((tmp_path / "work").glob("search-300-seed1-*.db"))
