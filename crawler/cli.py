"""The ``most-archive crawl`` command. Scrapy is imported only when the command runs."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from archive.defaults import DB_ENV, DEFAULT_DB
from crawler.portals import default_sites


class DurationType(click.ParamType):  # type: ignore[type-arg]
    """A duration: ``90m``, ``2h``, ``1h30m``, ``45s`` or seconds (crawler.durations)."""

    name = "duration"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from crawler.durations import MIN_DURATION, parse_duration

        try:
            seconds = parse_duration(value)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)
        if seconds <= 0:
            self.fail(f"{value!r} is no time at all", param, ctx)
        if seconds < MIN_DURATION:
            self.fail(f"{value!r} is shorter than a second: the run could do nothing", param, ctx)
        return seconds


DURATION = DurationType()


class DelayType(click.ParamType):  # type: ignore[type-arg]
    """Seconds between requests: a finite number from 0 to a day (crawler.settingtypes)."""

    name = "seconds"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from crawler.settingtypes import seconds

        wrong = seconds()(value)
        if wrong:
            self.fail(f"{value!r}: {wrong}", param, ctx)
        return float(value)


DELAY = DelayType()

# Settings an option of the command sets: -s may not give another value beside the option.
BOTH = {
    "--max-pages": "ARCHIVE_MAX_PAGES",
    "--max-duration": "ARCHIVE_MAX_DURATION",
    "--delay": "DOWNLOAD_DELAY",
    "--full": "ARCHIVE_INCREMENTAL",
}

# Settings the command sets from its own options (and its run's row): -s may not override them.
OWNED_SETTINGS = {
    "ARCHIVE_DB": "--db",
    "ARCHIVE_SITE": "--site",
    "ARCHIVE_SITES": "--site (repeatable)",
    "ARCHIVE_RUN_ID": "nothing: the command records its own run",
}


@click.command("crawl")
@click.option(
    "--site",
    "sites",
    multiple=True,
    metavar="URL",
    help="Base URL of a site (scheme + host[:port]); its pages come only from its "
    "portal's hosts. Repeatable: the sites are crawled one after the other, each "
    "recorded as its own run. [default: every portal's site: " + ", ".join(default_sites()) + "]",
)
@click.option(
    "--db",
    "db_path",
    default=DEFAULT_DB,
    envvar=DB_ENV,
    show_default=True,
    show_envvar=True,
    metavar="PATH",
    type=click.Path(dir_okay=False),
    help="The SQLite archive to write (created if missing).",
)
@click.option(
    "--delay",
    type=DELAY,
    default=None,
    metavar="SECONDS",
    help="Seconds between requests to the site, 0 to 86400 [default: 1, AutoThrottle on; "
    "0 turns AutoThrottle off]. A robots.txt Crawl-delay wins if longer.",
)
@click.option(
    "--max-pages",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="Walk at most N listing pages per category (the run is 'limited'; the "
    "next run walks everything) [default: a safety bound of 5000].",
)
@click.option(
    "--max-duration",
    type=DURATION,
    default=None,
    metavar="DURATION",
    help="End the run cleanly after DURATION (90m, 2h, 1h30m, or seconds); the next "
    "run goes on with the walk where it stopped. Outcome 'limited', exit 0.",
)
@click.option(
    "--full",
    is_flag=True,
    help="Walk every listing page and re-fetch every article (default: incremental).",
)
@click.option(
    "--log-file",
    type=click.Path(dir_okay=False),
    default=None,
    metavar="FILE",
    help="Append the crawl's log to FILE instead of stderr (for cron).",
)
@click.option("-v", "--verbose", is_flag=True, help="Also show Scrapy's own log lines.")
@click.option(
    "-s",
    "--set",
    "extra",
    multiple=True,
    metavar="NAME=VALUE",
    help="Override a Scrapy or ARCHIVE_* setting (docs/settings.md); repeatable.",
)
def crawl_command(
    sites: tuple[str, ...],
    db_path: str,
    delay: float | None,
    max_pages: int | None,
    max_duration: float | None,
    full: bool,
    log_file: str | None,
    verbose: bool,
    extra: tuple[str, ...],
) -> None:
    """Crawl the sites into the archive (incremental unless --full).

    Without --site, both portals of the ministry: mst.gov.vn and the SharePoint portal
    www.most.gov.vn. A site's portal is recognised from its pages, never from its host.
    Takes this database's crawl lock; prints progress on stderr and a summary per site at the
    end. Exit codes (the worst of the sites'): 0 the run is ok, or limited by --max-pages or
    --max-duration (then the next run goes on with the walk where it stopped); 1 any other
    outcome (partial: some pages failed, see `most-archive stats`; drift: a portal's markup
    drifted; interrupted;
    unreachable; failed: the archive could not store; limited by the safety bound); 2 bad
    usage; 75 another crawl holds this database's lock. Outcomes: docs/cli.md.

    \b
    Example:
        most-archive crawl --db archive.db
        most-archive crawl --site http://127.0.0.1:8765 --db demo.db --delay 0
        most-archive crawl --site https://mst.gov.vn --site https://www.most.gov.vn
        most-archive crawl --full --log-file crawl.log
        most-archive crawl --max-duration 50m   # a long backfill, over several cron runs
    """
    from crawler.urls import site_bases

    try:  # one run per site however it is spelled (http://h/, HTTP://h/x)
        targets = site_bases(sites or default_sites())
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--site") from None
    settings: dict[str, str] = {}
    for pair in extra:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"expected NAME=VALUE, got {pair!r}", param_hint="--set")
        if name.strip() in OWNED_SETTINGS:
            raise click.BadParameter(
                f"{name.strip()} is the command's own: use {OWNED_SETTINGS[name.strip()]}",
                param_hint="--set",
            )
        settings[name.strip()] = value
    given = {"--max-pages": max_pages, "--max-duration": max_duration, "--delay": delay}
    for option, setting in BOTH.items():
        if setting in settings and (given.get(option) is not None or (option == "--full" and full)):
            raise click.BadParameter(
                f"{option} and -s {setting} set the same thing: give one of them",
                param_hint="--set",
            )

    import sqlite3

    from archive.db import ArchiveUnusable, unusable_message
    from archive.lock import LockHeld
    from crawler.outcome import EXIT_LOCKED
    from crawler.run import CrawlOptions, build_settings, exit_code_of, run_crawls
    from crawler.settingtypes import problems

    opts = CrawlOptions(
        site=targets[0],
        db=Path(db_path),
        delay=delay,
        max_pages=max_pages,
        max_duration=max_duration,
        full=full,
        log_file=Path(log_file) if log_file else None,
        verbose=verbose,
        settings=settings,
        default_sites=not sites,
    )
    # the -s values as typed (Scrapy cannot even hold some: ITEM_PIPELINES=abc), then all
    wrong = problems(settings, settings) or problems(build_settings(opts, 0))
    if wrong:  # before the lock, the archive or the network
        raise click.BadParameter("; ".join(wrong), param_hint="--set")
    try:
        summaries = run_crawls(opts, targets)
    except LockHeld as exc:
        click.echo(f"most-archive crawl: {exc}; not starting", err=True)
        sys.exit(EXIT_LOCKED)
    except ArchiveUnusable as exc:  # not SQLite, damaged, read-only, another application's
        raise click.ClickException(str(exc)) from None
    except sqlite3.DatabaseError as exc:  # met after opening, e.g. a damaged page
        raise click.ClickException(unusable_message(db_path, exc)) from None
    except OSError as exc:  # the lock file or the log file cannot be created
        where = f": {exc.filename}" if exc.filename else ""
        raise click.ClickException(f"{exc.strerror or exc}{where}") from None
    lines = [line for summary in summaries for line in summary.lines()]
    if log_file:
        import logging

        for line in lines:
            logging.getLogger("crawler.run").info(line)
    for line in lines:
        click.echo(line, err=True)
    code = exit_code_of(summaries)
    if any(summary.forced for summary in summaries):
        _exit_now(code)
    sys.exit(code)


def _exit_now(code: int) -> None:
    """After a second signal, with the outcome recorded and the summary printed: end now,
    whatever thread is still running (a library's non-daemon worker must not hang cron)."""
    import logging
    import os
    import threading

    if any(
        t.is_alive() and not t.daemon
        for t in threading.enumerate()
        if t is not threading.main_thread()
    ):
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
