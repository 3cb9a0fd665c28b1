"""The crawling baseline: `scrapy bench` on this machine, rate read from its log lines.

`scrapy bench` runs its own link-following spider against its own local server (both in
subprocesses) and logs "Crawled N pages (at R pages/min)" every second. It is run from an
empty directory so no project settings (our polite delays) leak into it.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from benchmarks.procs import run_measured
from benchmarks.results import BenchmarkError
from benchmarks.stats import median

LOGSTATS = re.compile(r"Crawled (\d+) pages \(at (\d+) pages/min\)")


@dataclass(frozen=True)
class ScrapyBench:
    pages_per_s: float  # median over runs of each run's median per-second rate
    per_run: list[float]
    seconds_per_run: float


def rates_from_log(log: str) -> list[float]:
    """Per-interval rates (pages/s) from a `scrapy bench` log.

    Left out: intervals before the first page was crawled (start-up) and the partial interval
    logged after "Closing spider".
    """
    rates: list[float] = []
    for line in log.splitlines():
        if "Closing spider" in line:
            break
        match = LOGSTATS.search(line)
        if match and int(match.group(1)) > 0 and int(match.group(2)) > 0:
            rates.append(int(match.group(2)) / 60.0)
    return rates


def _clean_env() -> dict[str, str]:
    env = dict(os.environ)
    for key in ("SCRAPY_SETTINGS_MODULE", "SCRAPY_PROJECT", "PYTHONPATH"):
        env.pop(key, None)
    return env


def measure_scrapy_bench(*, seconds: int, runs: int) -> ScrapyBench:
    per_run: list[float] = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="scrapy-bench-") as tmp:
            result = run_measured(
                [
                    sys.executable,
                    "-m",
                    "scrapy",
                    "bench",
                    "-s",
                    f"CLOSESPIDER_TIMEOUT={seconds}",
                    "-s",
                    "LOGSTATS_INTERVAL=1",
                ],
                cwd=Path(tmp),
                env=_clean_env(),
                timeout=seconds + 120,
            )
        rates = rates_from_log(result.stderr + result.stdout)
        if not rates:
            raise BenchmarkError(
                "scrapy bench logged no 'pages/min' rates; its log ends with:\n"
                + "\n".join(result.stderr.strip().splitlines()[-10:])
            )
        per_run.append(median(rates))
    return ScrapyBench(pages_per_s=median(per_run), per_run=per_run, seconds_per_run=seconds)
