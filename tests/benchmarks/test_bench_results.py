"""The row, goal, statistics and rendering rules of the benchmark harness (no measuring)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from benchmarks.machine import describe
from benchmarks.render import Report, number, render
from benchmarks.results import REPORT_ONLY, BenchmarkError, Goal, GoalKind, Row
from benchmarks.scrapy_bench import rates_from_log
from benchmarks.stats import median, percentile


def _row(ours: float = 10.0, baseline: float = 2.0, goal: Goal = REPORT_ONLY) -> Row:
    return Row(
        section="Parsing",
        metric="articles/s",
        unit="articles/s",
        ours=ours,
        ours_name="ours",
        baseline=baseline,
        baseline_name="theirs",
        goal=goal,
        runs=3,
    )


@pytest.mark.parametrize("bad", [0, 0.0, -1.0, math.nan, math.inf, None, "12", True])
def test_a_missing_or_zero_baseline_cannot_make_a_row(bad: object) -> None:
    with pytest.raises(BenchmarkError, match="baseline"):
        _row(baseline=bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [0, -3.0, math.nan, None])
def test_a_missing_or_zero_figure_of_ours_cannot_make_a_row(bad: object) -> None:
    with pytest.raises(BenchmarkError, match="ours"):
        _row(ours=bad)  # type: ignore[arg-type]


def test_goals_judge_the_ratio_or_our_figure() -> None:
    at_least = Goal(GoalKind.RATIO_AT_LEAST, 10.0, "≥ 10×")
    assert _row(50.0, 5.0, at_least).met is True
    missed = _row(20.0, 5.0, at_least)
    assert missed.met is False
    assert "2.50× short of 10" in missed.shortfall
    at_most = Goal(GoalKind.RATIO_AT_MOST, 1.2, "flat")
    assert _row(110.0, 100.0, at_most).met is True
    assert _row(150.0, 100.0, at_most).met is False
    p95 = Goal(GoalKind.OURS_AT_MOST, 20.0, "< 20 ms")
    assert _row(19.0, 1.0, p95).met is True
    assert "2.00× over 20" in _row(40.0, 1.0, p95).shortfall
    assert _row().met is None and _row().shortfall == ""


def test_median_and_percentile() -> None:
    assert median([3.0, 1.0, 2.0]) == 2.0
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == pytest.approx(50.5)
    assert percentile(values, 95) == pytest.approx(95.05)
    assert percentile([7.0], 95) == 7.0
    with pytest.raises(ValueError):
        percentile([], 95)


def test_number_format() -> None:
    assert number(12345.6) == "12,300"
    assert number(987.4) == "987"
    assert number(12.34) == "12.3"
    assert number(1.234) == "1.23"
    assert number(0.04123) == "0.0412"


def test_scrapy_bench_rates_skip_start_up_and_the_closing_interval() -> None:
    log = "\n".join(
        [
            "INFO: Crawled 0 pages (at 0 pages/min), scraped 0 items (at 0 items/min)",
            "INFO: Crawled 163 pages (at 9780 pages/min), scraped 0 items (at 0 items/min)",
            "INFO: Crawled 327 pages (at 9840 pages/min), scraped 0 items (at 0 items/min)",
            "INFO: Closing spider (closespider_timeout)",
            "INFO: Crawled 400 pages (at 4380 pages/min), scraped 0 items (at 0 items/min)",
        ]
    )
    assert rates_from_log(log) == [163.0, 164.0]
    assert rates_from_log("INFO: Crawled 0 pages (at 0 pages/min)") == []


def test_render_shows_every_row_machine_and_missed_goals() -> None:
    rows = [
        _row(50.0, 5.0, Goal(GoalKind.RATIO_AT_LEAST, 10.0, "≥ 10× trafilatura")),
        Row(
            section="Searching",
            metric="p95",
            unit="ms",
            ours=40.0,
            ours_name="search",
            baseline=4.0,
            baseline_name="floor",
            goal=Goal(GoalKind.OURS_AT_MOST, 20.0, "< 20"),
            runs=5,
            note="slowest: x",
            remedy="rank fewer rows",
        ),
    ]
    text = render(
        Report(
            command="python -m benchmarks.run --out x.md",
            machine=describe(Path(".")),
            rows=rows,
            seconds=12.0,
            load_at_end="0.1 0.1 0.1",
            methods=[("Parsing", "how")],
        )
    )
    assert "`python -m benchmarks.run --out x.md`" in text
    assert "10.0×" in text and "**yes**" in text and "**no**" in text
    assert "2.00× over 20" in text and "rank fewer rows" in text and "slowest: x" in text
    assert "nan×" not in text and "nan " not in text
    assert "CPU" in text and "Python / SQLite" in text
