"""Crawling: `most-archive crawl --delay 0` against a local replica served by another process.

The replica runs in its own process (`replica.testing.running_replica`); the crawl is the real
console script in a subprocess, so its wall time includes start-up, parsing and storing, and
its peak memory is its own high-water mark
(`VmHWM`, polled from `/proc`; see `benchmarks.procs`). Requests are counted from the replica's
own log (`/__replica__/requests`), not from the crawler's report. The baseline rate is
`scrapy bench` (see `benchmarks.scrapy_bench`). Memory is compared across site sizes against
the smallest site's crawl: flat means a bigger site does not cost more memory. The re-run is
the same command again on the same archive with the replica unchanged (incremental mode, the
default), against the first full crawl's requests and seconds (wall time, start-up included).
The crawl rate is read the way `scrapy bench` reports its own: requests served in each whole
second of the crawl (from the replica's log, which stamps each request), median over the
seconds, the start-up and closing seconds left out.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.procs import console_script, run_measured
from benchmarks.results import BenchmarkError
from benchmarks.stats import median

# Exit codes of `most-archive crawl` that mean "the crawl ran to its end".
OK_EXIT_CODES = (0,)


def request_kind(path: str) -> str:
    low = path.lower()
    if "/__replica__/" in low:
        return "control"
    if "/tin-tuc/" in low or "chitiettin" in low or "/news/" in low:
        return "article"
    if "/chuyen-muc/" in low or "chuyenmuctin" in low or "/category/" in low:
        return "listing"
    if low.startswith("/images/") or any(
        low.split("?")[0].endswith(ext)
        for ext in (
            ".jpg",
            ".jpeg",
            ".png",
            ".gif",
            ".pdf",
            ".doc",
            ".docx",
            ".xls",
            ".xlsx",
            ".ppt",
            ".pptx",
            ".zip",
            ".rar",
        )
    ):
        return "file"
    return "other"


def per_second_rates(times: list[float]) -> list[float]:
    """Requests served in each whole second between the first and the last request.

    The first and last (partial) seconds are left out, as `scrapy bench`'s log leaves out its
    start-up and closing intervals. Empty when the crawl spanned under three seconds.
    """
    if len(times) < 2:
        return []
    start = min(times)
    buckets = Counter(int(t - start) for t in times)
    last = int(max(times) - start)
    return [float(buckets.get(second, 0)) for second in range(1, last)]


@dataclass(frozen=True)
class CrawlRun:
    site_articles: int  # articles the replica serves
    requests: int  # requests the replica served during the crawl (control calls left out)
    by_kind: dict[str, int]
    seconds: float  # wall time of the command, start-up included
    peak_rss_bytes: int
    articles_archived: int  # rows in `articles` after the run
    max_pages: int | None = None  # the --max-pages cap, when one was used
    mode: str = "first"
    files: bool = True  # images and attachments fetched too
    request_times: tuple[float, ...] = ()  # when the replica served each request (epoch s)

    @property
    def serving_seconds(self) -> float:
        """From the first request served to the last (start-up and shut-down left out)."""
        if len(self.request_times) < 2:
            return self.seconds
        return max(self.request_times) - min(self.request_times)

    @property
    def rates(self) -> list[float]:
        return per_second_rates(list(self.request_times))

    @property
    def pages_per_s(self) -> float:
        """Median of the per-second request rates; the mean rate for a crawl too short."""
        rates = self.rates
        if len(rates) >= 3:
            return median(rates)
        return self.requests / self.serving_seconds if self.serving_seconds > 0 else 0.0


@contextlib.contextmanager
def replica(articles: int, *, seed: int = 1, portal: str = "most") -> Iterator[Any]:
    """A replica of `articles` articles served by another process (free port on 127.0.0.1):
    the SharePoint portal's (`portal="most"`) or mst.gov.vn's (`"mst"`, with its media host
    on a second port)."""
    from replica.testing import running_mst_replica, running_replica

    if portal == "mst":
        with running_mst_replica(articles=articles, seed=seed) as mst_handle:
            yield mst_handle
        return
    with running_replica(articles=articles, seed=seed) as handle:
        yield handle


def archived_articles(db_path: Path) -> int:
    from archive.db import open_archive

    db = open_archive(db_path, readonly=True)
    try:
        return int(db["articles"].count)
    finally:
        db.close()


def crawl(
    handle: Any,
    db_path: Path,
    *,
    site_articles: int,
    max_pages: int | None = None,
    mode: str = "first",
    files: bool = True,
    timeout: float = 1800.0,
) -> CrawlRun:
    """Run `most-archive crawl --site <replica> --db <db_path> --delay 0` and measure it.

    `files=False` adds `-s ARCHIVE_FETCH_FILES=false` (articles and listings only).
    """
    argv = [
        console_script("most-archive"),
        "crawl",
        "--site",
        str(handle.base_url),
        "--db",
        str(db_path),
        "--delay",
        "0",
    ]
    if max_pages is not None:
        argv += ["--max-pages", str(max_pages)]
    if not files:
        argv += ["-s", "ARCHIVE_FETCH_FILES=false"]
    handle.reset_requests()
    result = run_measured(argv, timeout=timeout, check=False)
    if result.returncode not in OK_EXIT_CODES:
        tail = "\n".join(result.stderr.strip().splitlines()[-15:])
        raise BenchmarkError(
            f"most-archive crawl exited {result.returncode} after {result.seconds:.1f}s "
            f"({mode} crawl of {site_articles} articles):\n{tail}"
        )
    served = [r for r in handle.requests() if request_kind(str(r["path"])) != "control"]
    if hasattr(handle, "media_requests"):  # mst: images and attachments on the media host
        served += [r for r in handle.media_requests() if request_kind(str(r["path"])) == "file"]
    kinds = Counter(request_kind(str(r["path"])) for r in served)
    run = CrawlRun(
        site_articles=site_articles,
        requests=sum(kinds.values()),
        by_kind=dict(kinds),
        seconds=result.seconds,
        peak_rss_bytes=result.peak_rss_bytes,
        articles_archived=archived_articles(db_path),
        max_pages=max_pages,
        mode=mode,
        files=files,
        request_times=tuple(float(r["time"]) for r in served if "time" in r),
    )
    if run.requests == 0:
        raise BenchmarkError(f"the {mode} crawl made no requests to the replica")
    if files and mode == "first" and run.by_kind.get("file", 0) == 0:
        raise BenchmarkError(f"the {mode} crawl with files on fetched no files")
    if not files and run.by_kind.get("file", 0):
        raise BenchmarkError(f"the crawl with files off fetched {run.by_kind['file']} files")
    if mode == "first" and max_pages is None and run.articles_archived < site_articles:
        raise BenchmarkError(
            f"the crawl archived {run.articles_archived} of the replica's {site_articles} "
            "articles: a partial crawl is not a speed"
        )
    return run
