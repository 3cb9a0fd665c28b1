"""Small statistics and timing helpers: medians, percentiles, a one-core pin."""

from __future__ import annotations

import math
import os
import statistics
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager


def median(values: Sequence[float]) -> float:
    if not values:
        raise ValueError("median of nothing")
    return float(statistics.median(values))


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (0..100), linear between closest ranks (numpy's default)."""
    if not values:
        raise ValueError("percentile of nothing")
    ordered = sorted(values)
    if len(ordered) == 1:
        return float(ordered[0])
    rank = (len(ordered) - 1) * p / 100.0
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return float(ordered[low] + (ordered[high] - ordered[low]) * (rank - low))


def timed(fn: Callable[[], object]) -> float:
    """Seconds one call of `fn` takes (perf_counter)."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


@contextmanager
def one_core() -> Iterator[int | None]:
    """Pin this process to one CPU for the block (Linux); yields the CPU or None if unpinned."""
    if not hasattr(os, "sched_setaffinity"):
        yield None
        return
    before = os.sched_getaffinity(0)
    cpu = max(before)
    os.sched_setaffinity(0, {cpu})
    try:
        yield cpu
    finally:
        os.sched_setaffinity(0, before)


def profile_top(fn: Callable[[], object], *, top: int = 4, root: str = "") -> str:
    """Where `fn`'s time goes: the `top` functions by own time, as shares of the total.

    Run once under cProfile, outside any timed pass (cProfile slows Python code more than C
    code, so shares are indicative). Paths are shown relative to `root` when under it.
    """
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.runcall(fn)
    stats = pstats.Stats(profiler)
    entries = stats.stats  # type: ignore[attr-defined]
    total = sum(row[2] for row in entries.values()) or 1.0
    ranked = sorted(entries.items(), key=lambda item: item[1][2], reverse=True)[:top]
    parts = []
    for (filename, line, name), row in ranked:
        where = filename
        if root and filename.startswith(root):
            where = filename[len(root) :].lstrip("/")
        label = name if filename == "~" else f"{where}:{line} {name}"
        parts.append(f"{label} {100 * row[2] / total:.0f}%")
    return ", ".join(parts)
