"""`python -m benchmarks.run`: measure everything, print the table, write docs/benchmarks.md.

\b
Example:
    python -m benchmarks.run --out docs/benchmarks.md     # what `make bench` runs
    python -m benchmarks.run --quick --out /tmp/bench.md  # tiny inputs, to test the harness

Any failed measurement (a baseline that raises, returns nothing or counts zero) stops the run
with exit status 1 and writes nothing: a ratio of a missing baseline is never printed.
"""

from __future__ import annotations

import shlex
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import click

from benchmarks import crawl_suite, crawling, parsing, scrapy_bench, searching, size, storing
from benchmarks.corpus import mst_replica_pages, parsed_articles, replica_pages
from benchmarks.machine import describe, load_1min, load_average, usable_cores
from benchmarks.render import Report, render
from benchmarks.results import BenchmarkError, Row

ROOT = Path(__file__).resolve().parent.parent
SECTIONS = ("parsing", "crawling", "storing", "rerun", "searching", "size")
TITLES = {
    "parsing": "Parsing",
    "crawling": "Crawling",
    "storing": "Storing",
    "rerun": "Re-running",
    "searching": "Searching",
    "size": "Size",
}


@dataclass(frozen=True)
class Config:
    parse_pages: int = 1000
    parse_runs: int = 3
    store_articles: int = 1000
    store_runs: int = 5
    crawl_articles: int = 5000
    crawl_runs: int = 1
    files_articles: int = 300  # the crawl with images and attachments (rate and size)
    memory_sizes: tuple[int, ...] = (1000, 5000, 20000)
    total_seconds: float = 600.0  # the whole run's budget: memory crawls are capped to fit it
    after_crawls_seconds: float = 75.0  # kept for what runs after the crawls (size, search)
    scrapy_bench_seconds: int = 8
    scrapy_bench_runs: int = 3
    search_articles: int = 100_000
    search_rounds: int = 10
    search_budget_seconds: float = 45.0  # fewer rounds (at least 3) if the queries are slow
    seed: int = 1


FULL = Config()
QUICK = Config(
    parse_pages=12,
    parse_runs=2,
    store_articles=30,
    store_runs=2,
    crawl_articles=40,
    files_articles=20,
    memory_sizes=(20, 40, 80),
    total_seconds=300.0,
    scrapy_bench_seconds=2,
    scrapy_bench_runs=1,
    search_articles=300,
    search_rounds=2,
)


def methods(sections: tuple[str, ...]) -> list[tuple[str, str]]:
    """How each section is measured: the docstrings of the modules that measure it."""
    docs = {
        "parsing": parsing.__doc__,
        "crawling": f"{crawling.__doc__}\n{crawl_suite.__doc__}",
        "storing": storing.__doc__,
        "rerun": crawl_suite.RERUN_METHOD,
        "searching": searching.__doc__,
        "size": size.__doc__,
    }
    return [(TITLES[s], " ".join((docs[s] or "").split())) for s in sections]


def measure(
    cfg: Config,
    sections: tuple[str, ...],
    work_dir: Path,
    progress: Callable[[str], None],
) -> list[Row]:
    """Run the chosen sections; rows come back in the issue's order."""
    deadline = time.monotonic() + cfg.total_seconds - cfg.after_crawls_seconds
    rows: dict[str, list[Row]] = {}
    cores = usable_cores()
    loads: dict[str, tuple[float | None, float | None]] = {}

    def started(section: str) -> None:
        loads[section] = (load_1min(), None)

    def ended(section: str) -> None:
        loads[section] = (loads[section][0], load_1min())

    pages = None
    if "parsing" in sections:
        progress(f"parsing: rendering {cfg.parse_pages:,} replica pages")
        pages = replica_pages(cfg.parse_pages, seed=cfg.seed)
        progress("parsing: timing parse_article, trafilatura, lxml")
        started("parsing")
        rows["parsing"] = parsing.parsing_rows(parsing.measure_parsing(pages, runs=cfg.parse_runs))
        progress(f"parsing: rendering {cfg.parse_pages:,} mst replica pages")
        mst_pages = mst_replica_pages(cfg.parse_pages, seed=cfg.seed)
        progress("parsing: timing parse_article, trafilatura, lxml on mst pages")
        rows["parsing"] += parsing.parsing_rows(
            parsing.measure_parsing(mst_pages, runs=cfg.parse_runs), portal="mst"
        )
        ended("parsing")
    if "storing" in sections:
        if pages is None or len(pages) < cfg.store_articles:
            pages = replica_pages(cfg.store_articles, seed=cfg.seed)
        items = parsed_articles(pages[: cfg.store_articles])
        progress(f"storing: {len(items):,} articles, save_article vs bare executemany")
        started("storing")
        rows["storing"] = storing.storing_rows(
            storing.measure_storing(items, runs=cfg.store_runs, work_dir=work_dir)
        )
        progress(f"storing: compressing {len(pages):,} raw pages beside parsing them")
        from archive.rawpages import TRAIN_PAGES

        if len(pages) < 2 * TRAIN_PAGES:  # the dictionary's sample, then pages to compress
            pages = replica_pages(2 * TRAIN_PAGES, seed=cfg.seed)
        rows["storing"] += storing.compression_rows(
            storing.measure_compression(pages, rounds=cfg.parse_runs, work_dir=work_dir)
        )
        ended("storing")
    if {"crawling", "rerun", "size"} & set(sections):
        for section in ("crawling", "rerun", "size"):
            started(section)
        progress("crawling: scrapy bench")
        bench = scrapy_bench.measure_scrapy_bench(
            seconds=cfg.scrapy_bench_seconds, runs=cfg.scrapy_bench_runs
        )
        work_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="crawls-", dir=work_dir) as tmp:
            suite = crawl_suite.run_crawls(
                Path(tmp),
                main_articles=cfg.crawl_articles,
                crawl_runs=cfg.crawl_runs,
                files_articles=cfg.files_articles,
                memory_sizes=cfg.memory_sizes if "crawling" in sections else (),
                mst_files_articles=cfg.files_articles if "size" in sections else 0,
                deadline=deadline,
                seed=cfg.seed,
                progress=lambda text: progress(f"crawling: {text}"),
            )
            for section in ("crawling", "rerun"):
                ended(section)
            if "crawling" in sections:
                rows["crawling"] = crawl_suite.crawling_rows(suite, bench)
            if "rerun" in sections:
                rows["rerun"] = crawl_suite.rerun_rows(suite)
            if "size" in sections:
                progress("size: measuring the archive of the crawl with files")
                rows["size"] = size.size_rows(
                    size.measure_size(suite.files_db, articles=cfg.files_articles, seed=cfg.seed)
                )
                if suite.mst_files_db is not None:
                    progress("size: measuring the archive of the mst.gov.vn crawl with files")
                    rows["size"] += size.size_rows(
                        size.measure_size(
                            suite.mst_files_db,
                            articles=cfg.files_articles,
                            seed=cfg.seed,
                            portal="mst",
                        ),
                        portal="mst",
                    )
                ended("size")
    if "searching" in sections:
        progress(f"searching: archive of {cfg.search_articles:,} articles (cached in {work_dir})")
        db_path, built = searching.cached_archive(
            work_dir, articles=cfg.search_articles, seed=cfg.seed
        )
        progress("searching: timing queries")
        started("searching")
        rows["searching"] = searching.searching_rows(
            searching.measure_search(
                db_path,
                rounds=cfg.search_rounds,
                build_seconds=built,
                budget_seconds=cfg.search_budget_seconds,
            )
        )
        ended("searching")
    return [
        replace(row, load_before=loads[s][0], load_after=loads[s][1], cores=cores)
        for s in SECTIONS
        if s in rows
        for row in rows[s]
    ]


@click.command(context_settings={"help_option_names": ["-h", "--help"]}, help=__doc__)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the Markdown report here (e.g. docs/benchmarks.md).",
)
@click.option("--quick", is_flag=True, help="Tiny inputs: tests the harness, measures nothing.")
@click.option(
    "--only",
    "only",
    multiple=True,
    type=click.Choice(SECTIONS),
    help="Run only these sections (repeatable).",
)
@click.option(
    "--work-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=ROOT / "bench-out",
    show_default=True,
    help="Scratch space and the search archive cache.",
)
@click.option(
    "--search-articles",
    type=int,
    default=None,
    help="Size of the search archive (default 100,000; 300 with --quick).",
)
def main(
    out: Path | None,
    quick: bool,
    only: tuple[str, ...],
    work_dir: Path,
    search_articles: int | None,
) -> None:
    cfg = QUICK if quick else FULL
    if search_articles is not None:
        cfg = replace(cfg, search_articles=search_articles)
    sections = tuple(s for s in SECTIONS if not only or s in only)
    started = time.perf_counter()
    machine = describe(ROOT)

    def progress(text: str) -> None:
        click.echo(f"[{time.perf_counter() - started:6.1f}s] {text}", err=True)

    try:
        rows = measure(cfg, sections, work_dir, progress)
    except BenchmarkError as exc:
        raise click.ClickException(f"benchmark failed, nothing written: {exc}") from exc
    command = "python -m benchmarks.run " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    report = Report(
        command=command.strip(),
        machine=machine,
        rows=rows,
        seconds=time.perf_counter() - started,
        load_at_end=load_average(),
        methods=methods(sections),
        quick=quick,
    )
    text = render(report)
    click.echo(text)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
        progress(f"wrote {out}")


if __name__ == "__main__":
    main()
