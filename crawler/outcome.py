"""A crawl run's outcome and the exit code it gives: decided here and nowhere else.

Both ways of running the crawl use :func:`decide`: ``most-archive crawl`` (``crawler.run``) and
``scrapy crawl most`` (the pipeline records its own run). The outcome is stored in the ``runs``
table (``archive.migrations.OUTCOMES``) and shown by ``most-archive stats``:

======================  =========================================================  ====
outcome                 when                                                        exit
======================  =========================================================  ====
``ok``                  the crawl finished and no listing, article or file failed   0
``partial``             the crawl finished but some of them failed                  1
``interrupted``         stopped by a signal (Ctrl-C, SIGTERM: Scrapy's "shutdown")  1
``failed``              ended any other way (an error, a close Scrapy asked for)    1
``died``                the process vanished; marked by the next run                1
======================  =========================================================  ====

Exit codes of ``most-archive crawl`` besides: 2 bad usage (click), 75 another crawl holds the
database's lock. ``scrapy crawl most`` keeps Scrapy's own exit code (0 once the crawl ran).
Pure: no Scrapy import.
"""

from __future__ import annotations

from collections.abc import Mapping

EXIT_OK = 0
EXIT_PARTIAL = 1
EXIT_USAGE = 2
EXIT_LOCKED = 75  # EX_TEMPFAIL: try again later

# Scrapy's finish reasons (``finish_reason`` stat) that mean "the crawl ran to its end" and
# "stopped by a signal".
FINISHED = "finished"
SHUTDOWN = "shutdown"

EXIT_CODES: Mapping[str, int] = {
    "ok": EXIT_OK,
    "partial": EXIT_PARTIAL,
    "interrupted": EXIT_PARTIAL,
    "failed": EXIT_PARTIAL,
    "died": EXIT_PARTIAL,
}


def decide(finish_reason: str | None, errors: int) -> str:
    """The outcome of a run that ended with Scrapy's ``finish_reason`` and ``errors`` counted.

    ``errors`` counts the failed listings, articles and files (``archive/errors``); optional
    discovery sources and articles gone from the site do not count.
    """
    if finish_reason == SHUTDOWN:
        return "interrupted"
    if finish_reason != FINISHED:
        return "failed"
    return "partial" if errors else "ok"


def decide_from_stats(stats: Mapping[str, object], finish_reason: str | None = None) -> str:
    """:func:`decide` from a crawl's stats (``finish_reason`` given, or the stats' own)."""
    reason = finish_reason if finish_reason is not None else stats.get("finish_reason")
    errors = stats.get("archive/errors", 0)
    count = int(errors) if isinstance(errors, int | float) else 0
    return decide(str(reason) if reason is not None else None, count)


def exit_code(outcome: str) -> int:
    """The exit code of ``most-archive crawl`` for a run's outcome (1 for any unknown one)."""
    return EXIT_CODES.get(outcome, EXIT_PARTIAL)
