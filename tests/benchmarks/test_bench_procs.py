"""Peak memory of a subprocess is its own, not its parent's (fork carries ru_maxrss over)."""

from __future__ import annotations

import sys

import pytest

from benchmarks.procs import run_measured
from benchmarks.results import BenchmarkError

MIB = 1024 * 1024


def test_peak_memory_is_the_childs_own_even_when_the_parent_is_big() -> None:
    ballast = bytearray(b"x" * (400 * MIB))  # the benchmark process grown large
    small = run_measured([sys.executable, "-c", "import time; time.sleep(0.3)"])
    big = run_measured(
        [sys.executable, "-c", "import time; x = b'y' * (120 * 1024 * 1024); time.sleep(0.3)"]
    )
    assert len(ballast) == 400 * MIB
    assert small.peak_rss_bytes < 100 * MIB
    assert big.peak_rss_bytes > 120 * MIB
    assert big.peak_rss_bytes < 400 * MIB


def test_a_failing_command_fails_loudly() -> None:
    with pytest.raises(BenchmarkError, match="exit 3"):
        run_measured([sys.executable, "-c", "import sys; sys.exit(3)"])
