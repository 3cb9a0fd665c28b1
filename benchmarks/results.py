"""What a benchmark row is: our figure, the baseline measured beside it, the ratio, the goal.

A row refuses to exist with a missing, zero, negative or non-finite figure on either side:
a broken baseline must stop the run, never print a ratio of nothing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum


class BenchmarkError(RuntimeError):
    """A measurement could not be made honestly (a baseline failed, a count does not add up)."""


class GoalKind(Enum):
    RATIO_AT_LEAST = "ratio ≥"  # ours / baseline must be at least `value`
    RATIO_AT_MOST = "ratio ≤"  # ours / baseline must be at most `value`
    OURS_AT_MOST = "ours ≤"  # our figure itself must be at most `value` (in the row's unit)
    REPORT = "report"  # the issue asks only for the figure


@dataclass(frozen=True)
class Goal:
    kind: GoalKind
    value: float = 0.0
    text: str = ""  # how the issue words it, e.g. "≥ 10× trafilatura"

    def met(self, ours: float, ratio: float) -> bool | None:
        """True/False against the goal; None when the issue sets no goal for the row."""
        if self.kind is GoalKind.RATIO_AT_LEAST:
            return ratio >= self.value
        if self.kind is GoalKind.RATIO_AT_MOST:
            return ratio <= self.value
        if self.kind is GoalKind.OURS_AT_MOST:
            return ours <= self.value
        return None

    def verdict(
        self,
        ours: float,
        ratio: float,
        ratio_spread: tuple[float, float] | None = None,
        ours_spread: tuple[float, float] | None = None,
    ) -> str | None:
        """ "yes", "no", "inconclusive" (the per-round spread straddles the goal) or None.

        The median decides only when every round agrees with it: a row whose rounds fall on
        both sides of the goal cannot say yes or no on a noisy machine.
        """
        met = self.met(ours, ratio)
        if met is None:
            return None
        spread = ours_spread if self.kind is GoalKind.OURS_AT_MOST else ratio_spread
        if spread is not None:
            low, high = spread
            ends = {self.met(low, low), self.met(high, high)}
            if len(ends) > 1:
                return "inconclusive"
        return "yes" if met else "no"

    def shortfall(self, ours: float, ratio: float) -> str:
        """By how much a missed goal is missed, in words; "" when met or not applicable."""
        if self.met(ours, ratio) is not False:
            return ""
        if self.kind is GoalKind.RATIO_AT_LEAST:
            return f"ratio {ratio:.3g} is {self.value / ratio:.2f}× short of {self.value:.3g}"
        if self.kind is GoalKind.RATIO_AT_MOST:
            return f"ratio {ratio:.3g} is {ratio / self.value:.2f}× over {self.value:.3g}"
        return f"{ours:.3g} is {ours / self.value:.2f}× over {self.value:.3g}"


REPORT_ONLY = Goal(GoalKind.REPORT, text="report (no goal set)")


def _check_figure(label: str, value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise BenchmarkError(f"{label} is not a number: {value!r}")
    if not math.isfinite(value) or value <= 0:
        raise BenchmarkError(f"{label} must be a finite positive number, got {value!r}")


def spread_of(values: list[float]) -> tuple[float, float] | None:
    """(min, max) of per-round values; None for a single round (nothing to spread)."""
    return (min(values), max(values)) if len(values) > 1 else None


@dataclass(frozen=True)
class Row:
    """One line of the table."""

    section: str  # "Parsing", "Crawling", ...
    metric: str  # what is measured, e.g. "articles/s, one core"
    unit: str  # unit of `ours` and `baseline`
    ours: float
    ours_name: str  # e.g. "crawler.parsers.parse_article"
    baseline: float
    baseline_name: str  # e.g. "trafilatura.extract"
    goal: Goal
    runs: int  # how many runs the medians are taken over
    note: str = ""  # a caveat printed under the table (e.g. a capped crawl)
    remedy: str = ""  # what would close the gap, printed only when the goal is missed
    runs_label: str = ""  # how `runs` reads in the table when it is not plain runs
    spread: tuple[float, float] | None = None  # min and max of the per-round ratios
    ours_spread: tuple[float, float] | None = None  # min and max of our per-round figure
    load_before: float | None = None  # 1-minute load average when the row's section started
    load_after: float | None = None  # … and when it ended
    cores: int = 0  # usable cores: a load above this means the rows waited for a CPU

    def __post_init__(self) -> None:
        _check_figure(f"{self.section} / {self.metric}: ours ({self.ours_name})", self.ours)
        _check_figure(
            f"{self.section} / {self.metric}: baseline ({self.baseline_name})", self.baseline
        )
        if self.runs < 1:
            raise BenchmarkError(f"{self.section} / {self.metric}: no runs")

    @property
    def ratio(self) -> float:
        return self.ours / self.baseline

    @property
    def met(self) -> bool | None:
        """False only when the goal is missed without doubt (see :attr:`verdict`)."""
        verdict = self.verdict
        return None if verdict in (None, "inconclusive") else verdict == "yes"

    @property
    def verdict(self) -> str | None:
        return self.goal.verdict(self.ours, self.ratio, self.spread, self.ours_spread)

    @property
    def loaded(self) -> bool:
        """Measured while the load average exceeded the usable cores."""
        loads = [x for x in (self.load_before, self.load_after) if x is not None]
        return bool(self.cores) and any(x > self.cores for x in loads)

    @property
    def shortfall(self) -> str:
        return self.goal.shortfall(self.ours, self.ratio)
