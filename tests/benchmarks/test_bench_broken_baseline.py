"""A broken baseline stops the run loudly: exit status 1, a message naming it, nothing written.

Each test breaks one baseline for real (a function that raises, returns nothing, or writes
nothing) and runs the real command on tiny inputs.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from benchmarks import parsing, run, searching, storing
from benchmarks.corpus import Page


def _run(tmp_path: Path, *only: str) -> tuple[int, str, Path]:
    out = tmp_path / "bench.md"
    args = ["--quick", "--out", str(out), "--work-dir", str(tmp_path / "work")]
    for section in only:
        args += ["--only", section]
    result = CliRunner().invoke(run.main, args)
    return result.exit_code, result.output, out


def _raising() -> Callable[[Page], object]:
    def extract(page: Page) -> object:
        raise ValueError("broken on purpose")

    return extract


def _empty() -> Callable[[Page], object]:
    return lambda page: None


@pytest.mark.parametrize("factory", [_raising, _empty], ids=["raises", "returns-nothing"])
def test_a_broken_parsing_baseline_fails_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, factory: Callable[[], Any]
) -> None:
    monkeypatch.setattr(parsing, "trafilatura_extract", factory)
    code, output, out = _run(tmp_path, "parsing")
    assert code == 1
    assert "benchmark failed" in output and "trafilatura.extract" in output
    assert not out.exists()
    assert "×" not in output  # no ratio was printed


def test_the_unbroken_parsing_section_passes(tmp_path: Path) -> None:
    code, output, out = _run(tmp_path, "parsing")
    assert code == 0, output
    text = out.read_text(encoding="utf-8") if out.exists() else ""
    assert "replica pages, vs trafilatura" in text
    assert "mst replica pages, vs trafilatura" in text  # both portals are measured


def test_a_bare_executemany_that_writes_nothing_fails_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def writes_nothing(db_path: Path, dump: storing.TableDump) -> float:
        from archive.db import open_archive

        open_archive(db_path).close()
        return 0.001  # fast, because it did nothing

    monkeypatch.setattr(storing, "bare_executemany", writes_nothing)
    code, output, out = _run(tmp_path, "storing")
    assert code == 1
    assert "bare executemany wrote" in output
    assert not out.exists()


def test_a_search_baseline_that_finds_nothing_fails_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(searching, "baseline_fn", lambda db, query: 0)
    code, output, out = _run(tmp_path, "searching")
    assert code == 1
    assert "bm25 baseline found nothing" in output
    assert not out.exists()


def test_a_scrapy_bench_log_without_rates_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without running `scrapy bench` (its server binds the fixed port 8998: `make bench` only):
    the command it would run answers with a log that has no rate in it."""
    from benchmarks import scrapy_bench
    from benchmarks.procs import ProcessResult
    from benchmarks.results import BenchmarkError

    ran: list[list[str]] = []

    def no_rates(argv: list[str], **kwargs: Any) -> ProcessResult:
        ran.append(argv)
        log = "INFO: Crawled 0 pages (at 0 pages/min)\nINFO: Closing spider (closespider_timeout)"
        return ProcessResult(argv, 0, 1.0, 1, "", log)

    monkeypatch.setattr(scrapy_bench, "run_measured", no_rates)
    with pytest.raises(BenchmarkError, match="no 'pages/min' rates"):
        scrapy_bench.measure_scrapy_bench(seconds=1, runs=1)
    assert ran and ran[0][1:4] == ["-m", "scrapy", "bench"]
