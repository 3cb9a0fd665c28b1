"""``scrapy crawl most``: Scrapy's command, with ``-s NAME=VALUE`` and the spider's
``-a site=URL`` checked first.

A site URL that names no usable site (``ftp://x``, ``http://[::1``, a port of 99999) is
Scrapy's usage error (exit 2, one line) before anything is opened, as ``most-archive crawl
--site`` is; it used to end in a ValueError traceback from inside the spider's start. The rule
is ``crawler.urls.normalise_site``'s.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError

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
