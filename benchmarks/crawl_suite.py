"""The crawls the benchmark makes, in order, and the rows drawn from them.

1. The main replica (5,000 articles), pages only (`-s ARCHIVE_FETCH_FILES=false`: articles
   and listings, no images or attachments): `crawl_runs` full crawls into fresh archives (the
   rate and the first-crawl figures), then a no-change incremental re-run (the default mode) of
   the same command on the first archive.
2. A smaller replica crawled exactly as a user would, files included: its rate, and the
   archive whose size is measured (database and files folder); then a replica of mst.gov.vn
   of the same size, crawled the same way, for the second portal's size.
3. The other site sizes (1,000 and 20,000 articles), pages only, for peak memory. A size whose
   crawl would not end before the run's deadline (ten minutes in all, less a reserve for the
   sections after the crawls) at the measured rate is capped with `--max-pages` (listing pages
   walked per category), and the table says so.
Files are left out of the big crawls only to fit the ten-minute budget: each article brings
about four images and attachments, and the files-included rate is measured in (2).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from benchmarks.crawling import CrawlRun, crawl, replica
from benchmarks.results import REPORT_ONLY, BenchmarkError, Goal, GoalKind, Row
from benchmarks.scrapy_bench import ScrapyBench
from benchmarks.stats import median

MIB = 1024 * 1024
MIN_BUDGET_SECONDS = 60.0  # a capped crawl still gets this long
FLAT_MEMORY = 1.2  # "flat": a bigger site may cost at most this much more peak memory
RERUN_METHOD = (
    "The no-change re-run is `most-archive crawl` again, in its default incremental mode, on "
    "the archive the first full crawl of the main replica wrote, with the replica unchanged. "
    "Requests are counted from the replica's log and seconds are wall time, start-up included, "
    "for both runs."
)


@dataclass(frozen=True)
class CrawlSuite:
    main: list[CrawlRun]  # full crawls of the main replica, pages only, each in a fresh archive
    rerun: CrawlRun  # no-change incremental re-run on the first of them
    with_files: CrawlRun  # the smaller crawl with images and attachments
    by_size: dict[int, CrawlRun]  # site size -> the crawl whose peak memory counts
    main_articles: int
    files_db: Path  # the archive of the crawl with files (for the size figures)
    mst_files_db: Path | None = None  # the same for the mst.gov.vn replica


# A bigger site is crawled more slowly than the reference (a bigger archive to look up and
# write into): measured about 0.7× the 5,000-article rate for 20,000 articles.
BIGGER_SITE_SLOWDOWN = 0.7


def _cap(
    site_articles: int, reference: CrawlRun, budget_seconds: float, categories: int
) -> int | None:
    """A --max-pages cap (listing pages per category) keeping a crawl of `site_articles`
    within the budget at the reference crawl's rate, or None when no cap is needed."""
    scale = site_articles / reference.site_articles
    rate = reference.pages_per_s * (BIGGER_SITE_SLOWDOWN if scale > 1 else 1.0)
    expected_seconds = reference.requests * scale / rate
    if expected_seconds <= budget_seconds:
        return None
    listing_pages = reference.by_kind.get("listing", 0) * scale / max(1, categories)
    return max(1, int(listing_pages * budget_seconds / expected_seconds))


def _categories(articles: int, seed: int) -> int:
    from replica.site import Site

    return len(Site(articles=articles, seed=seed).categories())


def run_crawls(
    work_dir: Path,
    *,
    main_articles: int,
    crawl_runs: int,
    files_articles: int,
    memory_sizes: tuple[int, ...],
    mst_files_articles: int = 0,
    deadline: float,
    seed: int = 1,
    progress: Callable[[str], None] = lambda _: None,
) -> CrawlSuite:
    main: list[CrawlRun] = []
    with replica(main_articles, seed=seed) as handle:
        for i in range(crawl_runs):
            progress(f"crawl {i + 1}/{crawl_runs} of a {main_articles:,}-article replica")
            main.append(
                crawl(handle, work_dir / f"main-{i}.db", site_articles=main_articles, files=False)
            )
        progress("no-change incremental re-run")
        rerun = crawl(
            handle,
            work_dir / "main-0.db",
            site_articles=main_articles,
            mode="rerun",
            files=False,
        )
    if rerun.articles_archived != main[0].articles_archived:
        raise BenchmarkError(
            f"the no-change re-run changed the article count: {main[0].articles_archived} → "
            f"{rerun.articles_archived}"
        )
    progress(f"crawl of a {files_articles:,}-article replica, files included")
    files_db = work_dir / "with-files.db"
    with replica(files_articles, seed=seed) as handle:
        with_files = crawl(handle, files_db, site_articles=files_articles, files=True)
    mst_files_db = None
    if mst_files_articles:
        progress(f"crawl of a {mst_files_articles:,}-article mst.gov.vn replica, files included")
        mst_files_db = work_dir / "mst-with-files.db"
        with replica(mst_files_articles, seed=seed, portal="mst") as handle:
            crawl(handle, mst_files_db, site_articles=mst_files_articles, files=True)
    by_size: dict[int, CrawlRun] = {}
    reference = main[0]
    for size in memory_sizes:
        if size == main_articles:
            by_size[size] = min(main, key=lambda run: run.peak_rss_bytes)
            continue
        budget = max(MIN_BUDGET_SECONDS, deadline - time.monotonic())
        cap = _cap(size, reference, budget, _categories(size, seed))
        capped = f", capped at {cap:,} listing pages per category" if cap else ""
        progress(f"crawl of a {size:,}-article replica{capped}")
        with replica(size, seed=seed) as handle:
            by_size[size] = crawl(
                handle,
                work_dir / f"size-{size}.db",
                site_articles=size,
                max_pages=cap,
                files=False,
            )
    return CrawlSuite(
        main=main,
        rerun=rerun,
        with_files=with_files,
        by_size=by_size,
        main_articles=main_articles,
        files_db=files_db,
        mst_files_db=mst_files_db,
    )


def _kinds(run: CrawlRun) -> str:
    return ", ".join(f"{n:,} {kind}" for kind, n in sorted(run.by_kind.items()))


def _rate_remedy(rate: float, bench: ScrapyBench) -> str:
    from crawler import settings

    per_host = getattr(settings, "CONCURRENT_REQUESTS_PER_DOMAIN", "?")
    return (
        f"the crawl must make at least {bench.pages_per_s / 2:.0f} pages/s (half of scrapy "
        f"bench's {bench.pages_per_s:.0f}); it makes {rate:.0f}. With "
        f"CONCURRENT_REQUESTS_PER_DOMAIN = {per_host} (crawler/settings.py, polite for the "
        "real site) each request waits for the previous one to be parsed and stored; at "
        "--delay 0 against a local server a few concurrent requests would overlap them, and "
        "a cheaper store (see Storing) shortens each wait"
    )


def _rate_row(metric: str, runs: list[CrawlRun], bench: ScrapyBench, name: str, note: str) -> Row:
    seconds = sum(len(run.rates) for run in runs)
    rate = median([run.pages_per_s for run in runs])
    return Row(
        section="Crawling",
        metric=metric,
        unit="pages/s",
        ours=rate,
        ours_name=name,
        baseline=bench.pages_per_s,
        baseline_name="scrapy bench (no parsing, no storing)",
        goal=Goal(GoalKind.RATIO_AT_LEAST, 0.5, "≥ 50% of scrapy bench"),
        runs=max(1, seconds),
        runs_label=f"{seconds} s of {len(runs)} crawl(s); bench "
        f"{len(bench.per_run)}×{bench.seconds_per_run} s",
        note=note,
        remedy=_rate_remedy(rate, bench),
    )


def crawling_rows(suite: CrawlSuite, bench: ScrapyBench) -> list[Row]:
    n = suite.main_articles
    first, files = suite.main[0], suite.with_files
    rows = [
        _rate_row(
            f"pages/s, full crawl of a {n:,}-article replica, pages only, parsing and "
            "storing included",
            suite.main,
            bench,
            "most-archive crawl --delay 0 -s ARCHIVE_FETCH_FILES=false",
            f"requests: {_kinds(first)}, served in {first.serving_seconds:.0f} s "
            f"({first.seconds:.0f} s wall time with start-up); both rates are medians of "
            "per-second rates",
        ),
        _rate_row(
            f"pages/s, full crawl of a {files.site_articles:,}-article replica, images and "
            "attachments included",
            [files],
            bench,
            "most-archive crawl --delay 0",
            f"requests: {_kinds(files)}, served in {files.serving_seconds:.0f} s "
            f"({files.seconds:.0f} s wall time with start-up)",
        ),
    ]
    sizes = sorted(suite.by_size)
    smallest = suite.by_size[sizes[0]] if sizes else None
    for size in sizes[1:]:
        assert smallest is not None
        rows.append(_memory_row(size, suite.by_size[size], sizes[0], smallest, sizes[-1]))
    return rows


def _growth_note(run: CrawlRun, smallest: CrawlRun, largest_site: int) -> str:
    """MiB per 1,000 more articles archived, and what that makes of the largest site."""
    extra = run.articles_archived - smallest.articles_archived
    if extra <= 0:
        return ""
    per_k = (run.peak_rss_bytes - smallest.peak_rss_bytes) / MIB / extra * 1000
    slope = f"{per_k:+.2f} MiB per 1,000 more articles archived"
    if run.articles_archived >= largest_site:
        return slope
    base = smallest.peak_rss_bytes / MIB
    at_largest = base + per_k * (largest_site - smallest.articles_archived) / 1000
    return (
        f"{slope}; at that slope a {largest_site:,}-article crawl would peak near "
        f"{at_largest:.0f} MiB ({at_largest / base:.2f}× the smallest)"
    )


def _memory_remedy(run: CrawlRun, smallest: CrawlRun) -> str:
    from crawler.spiders import most

    extra = max(1, run.articles_archived - smallest.articles_archived)
    per_article = (run.peak_rss_bytes - smallest.peak_rss_bytes) / 1024 / extra
    text = (
        f"memory grows by about {per_article:.1f} KiB per article of the site, more than the "
        "spider's own per-article sets hold (ids in a few sets: well under 1 KiB). "
    )
    listing, article = getattr(most, "PRIO_LISTING", None), getattr(most, "PRIO_ARTICLE", None)
    if isinstance(listing, int) and isinstance(article, int) and listing > article:
        text += (
            f"The spider gives listing pages a higher priority ({listing}) than article pages "
            f"({article}) (crawler/spiders/most.py), so every listing is walked first and "
            "every article request waits in Scrapy's in-memory scheduler until then. Article "
            "pages first (the queue then holds about one listing page's worth), or a disk "
            "queue (JOBDIR), would keep the peak flat"
        )
    else:
        text += (
            "Find what else grows with the site (the scheduler queue, the duplicate filter's "
            "fingerprints) and bound it, or move it to disk (JOBDIR)"
        )
    return text


def _memory_row(
    size: int, run: CrawlRun, smallest_size: int, smallest: CrawlRun, largest_site: int
) -> Row:
    goal = Goal(GoalKind.RATIO_AT_MOST, FLAT_MEMORY, f"flat (≤ {FLAT_MEMORY}× the smallest site's)")
    note = ""
    if run.max_pages is not None:
        # A capped crawl archives fewer articles than the site holds: its peak says little
        # about the full site, so it is shown but not judged.
        goal = Goal(GoalKind.REPORT, text="flat (not judged: crawl capped)")
        note = (
            f"capped with --max-pages {run.max_pages:,} (listing pages per category) to keep "
            f"`make bench` under ten minutes: {run.requests:,} requests, "
            f"{run.articles_archived:,} of {size:,} articles archived"
        )
    growth = _growth_note(run, smallest, largest_site)
    note = "; ".join(part for part in (note, growth) if part)
    return Row(
        section="Crawling",
        metric=f"peak memory, {size:,}-article site vs {smallest_size:,}-article site (pages only)",
        unit="MiB",
        ours=run.peak_rss_bytes / MIB,
        ours_name=f"crawl of {size:,} articles (max RSS)",
        baseline=smallest.peak_rss_bytes / MIB,
        baseline_name=f"crawl of {smallest_size:,} articles (max RSS)",
        goal=goal,
        runs=1,
        runs_label="1 crawl each",
        note=note,
        remedy=_memory_remedy(run, smallest),
    )


def rerun_rows(suite: CrawlSuite) -> list[Row]:
    n = suite.main_articles
    first, rerun = suite.main[0], suite.rerun
    common = {
        "section": "Re-running",
        "ours_name": "no-change incremental re-run",
        "baseline_name": "first full crawl",
        "goal": REPORT_ONLY,
        "runs": 1,
    }
    return [
        Row(
            metric=f"requests, {n:,}-article archive (pages only)",
            unit="requests",
            ours=float(rerun.requests),
            baseline=float(first.requests),
            note=f"re-run requests: {_kinds(rerun)}",
            **common,  # type: ignore[arg-type]
        ),
        Row(
            metric=f"seconds, {n:,}-article archive (pages only)",
            unit="s",
            ours=rerun.seconds,
            baseline=first.seconds,
            **common,  # type: ignore[arg-type]
        ),
    ]
