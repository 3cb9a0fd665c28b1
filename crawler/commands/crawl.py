"""``scrapy crawl most``: Scrapy's command, with ``-s NAME=VALUE`` and the spider's
``-a site=URL`` checked first.

A site URL that names no usable site (``ftp://x``, ``http://[::1``, a port of 99999) is
Scrapy's usage error (exit 2, one line) before anything is opened, as ``most-archive crawl
--site`` is; it used to end in a ValueError traceback from inside the spider's start. The rule
is ``crawler.urls.normalise_site``'s.

The archive (``ARCHIVE_DB``) is looked at too before the crawl starts, as ``most-archive crawl``
does: one another crawl holds (exit 75, try again later: an hourly cron line that overlaps),
or a file that is no archive (exit 1, nothing written beside it), is one line on standard
error, where the pipeline's failed open used to end in a cascade of tracebacks.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError

from archive.db import ArchiveUnusable
from archive.lock import LockHeld, crawl_lock
from crawler.outcome import EXIT_LOCKED, EXIT_PARTIAL
from crawler.settingtypes import problems
from crawler.urls import normalise_site

if TYPE_CHECKING:
    import argparse


class Command(ScrapyCrawl):
    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        pairs = dict(p.split("=", 1) for p in opts.set if "=" in p)
        wrong = problems(pairs, pairs)  # as typed, before Scrapy reads them (crawler.settingtypes)
        if wrong:
            raise UsageError("; ".join(wrong), print_help=False)
        super().process_options(args, opts)
        site = opts.spargs.get("site")
        if site is not None:
            try:
                normalise_site(site)
            except ValueError as exc:
                raise UsageError(f"-a site: {exc}", print_help=False) from None

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if self.settings is not None and not self.settings.get("ARCHIVE_RUN_ID"):
            problem = archive_problem(Path(self.settings.get("ARCHIVE_DB")))
            if problem is not None:
                message, self.exitcode = problem
                sys.stderr.write(f"Error: {message}\n")
                return
        super().run(args, opts)


def archive_problem(db_path: Path) -> tuple[str, int] | None:
    """Why a crawl cannot write ``db_path``, and the exit code ``most-archive crawl`` gives for
    it, or None: its lock taken and let go at once (the crawl's pipeline takes it again)."""
    try:
        with crawl_lock(db_path):
            return None
    except LockHeld as exc:
        return str(exc), EXIT_LOCKED
    except ArchiveUnusable as exc:
        return str(exc), EXIT_PARTIAL
    except OSError as exc:
        return f"cannot use {db_path} as the archive: {exc.strerror or exc}", EXIT_PARTIAL
