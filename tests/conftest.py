"""Shared fixtures and how the suite stays fast (under 2 minutes for ``make test``).

Running
    make test                                  # the whole suite, cores + 1 workers (pytest-xdist)
    .venv/bin/python -m pytest tests/e2e -q    # one folder, one process
    .venv/bin/python -m pytest -q -n 2 -k robots
    .venv/bin/python -m pytest -q --durations=15 -n 2   # the slowest tests

Fixtures (session-scoped: built once per xdist worker, on first use)
    ``replica``  one running 200-article replica (seed 1), for tests that read from a server.
    ``crawled``  one running 200-article replica (seed 3) AND the archive that one real
                 ``most-archive crawl`` (a subprocess) made of it. Tests that only READ a crawled
                 archive use ``crawled.db``; tests that write to it (a re-run, a crash) take
                 ``crawled.copy(tmp_path)``, their own copy of the database and files folder.
                 Its users live in tests/e2e/test_incremental.py: ``make test`` runs ``--dist
                 loadfile`` (a file's tests go to one worker), so the crawl is made once; a user
                 in another file works too, at the price of a second crawl in another worker.
    ``replica_archive_1000``  an archive of 1,000 replica articles written through the store
                 (no crawl, a few seconds), READ only: search totals and paging
                 (tests/archive/test_search_totals.py, its users).
    Tests that switch a shared replica's generation or faults must put them back (``try/finally``),
    or start their own with ``replica.testing.running_replica``.

Markers (pyproject.toml)
    ``e2e``          a real crawl in a subprocess; keep one only where the subprocess is the point
                     (the crawl command, SIGKILL, the lock); check a CLI in-process (CliRunner).
                     The files run longest first, so the workers end together: by the seconds
                     of the last run (pytest's cache; ``pytest_collection_modifyitems``), on a
                     fresh clone by those checked in (``tests/file_seconds.json``: refresh it
                     with ``python -m tests.file_seconds`` after adding tests). Mark every long
                     test ``e2e``: a file neither names runs first if so marked.
    ``slow``         in tests/reliability: skipped by ``make test``; ``make reliability`` (which
                     CI runs) runs the same scenarios; ``MOST_ARCHIVE_SLOW=1`` runs them here.
    ``bench``        runs ``scrapy bench`` (its fixed port 8998) or the whole benchmark harness:
                     skipped by ``make test``, run by ``make bench-quick`` (CI runs it) and
                     ``-m bench``.
    (``xdist_group`` marks are not used: ``--dist loadgroup`` silently stopped grouping with
    pytest 9.2, pytest-dev/pytest-xdist#1386. Tests sharing a costly fixture share a file.)

Crawls (tests/forked.py)
    A crawl a test runs to its end (``tests.e2e.support.crawl`` and ``scrapy_crawl``,
    ``tests.reliability.support.crawl`` and ``cli``, ``benchmarks.reliability``'s ``crawl``, set
    in ``pytest_configure`` below) is the real command in a child process of its own, forked
    from a warm interpreter that imported Scrapy and the project once: about 0.4 s less CPU per
    crawl than starting Python afresh. The ``crawled`` fixture and
    ``test_scrapy_crawl_most_from_the_repo_root`` start the console scripts from scratch, and so
    does every crawl a test signals, kills or limits (``subprocess`` directly), and every crawl of
    ``make reliability``. ``MOST_ARCHIVE_TEST_EXEC=1`` makes every crawl start from scratch.

Rules: no fixed ports (bind port 0, or let the server pick and print its URL); never sleep to
wait for something, poll with a deadline; a new test runs well under a second unless a real
crawl in a subprocess is what it proves.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from replica.testing import ReplicaHandle, running_replica
from tests.e2e.support import Crawled, crawl
from tests.file_seconds import checked_in

CRAWLED_ARTICLES = 200
CRAWLED_SEED = 3


@pytest.fixture(scope="session")
def replica() -> Iterator[ReplicaHandle]:
    with running_replica(articles=200, seed=1) as handle:
        yield handle


@pytest.fixture(scope="session")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawled]:
    db = tmp_path_factory.mktemp("crawled") / "archive.db"
    with running_replica(articles=CRAWLED_ARTICLES, seed=CRAWLED_SEED) as rep:
        # the console script started from scratch (most crawls in the suite are forked from a
        # warm interpreter, tests/forked.py): the command a user types, end to end
        result = crawl(rep.base_url, db, fork=False)
        assert result.returncode == 0, result.stderr[-3000:]
        yield Crawled(rep, db, result)


@pytest.fixture(scope="session")
def replica_archive_1000(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An archive of 1,000 replica articles (seed 5), written through ``archive.store`` as the
    search benchmark builds its archive (a few seconds; no crawl). Read it only: copy it to
    write."""
    from benchmarks.searching import build_archive

    path = tmp_path_factory.mktemp("replica1000") / "archive.db"
    build_archive(path, articles=1000, seed=5)
    return path


def pytest_configure(config: pytest.Config) -> None:
    from benchmarks.reliability import running
    from tests import forked

    running.runner = forked.run


FILE_SECONDS = "most-archive/file-seconds"  # pytest's cache: the last run's seconds per file


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The longest files first, so that xdist's workers (``--dist loadfile
    --no-loadscope-reorder``, the Makefile) start them early and finish together: by the seconds
    each file took in the last run (pytest's cache, ``.pytest_cache``; on a fresh clone the
    checked-in figures of ``tests/file_seconds.json``), files never timed by their ``e2e``
    mark, the long ones first. Tests marked ``bench`` run only
    when asked for (``-m bench`` or ``MOST_ARCHIVE_BENCH=1``)."""
    cache = getattr(config, "cache", None)
    known: dict[str, float] = {
        **checked_in(),  # a fresh clone's order (tests/file_seconds.py)
        **((cache.get(FILE_SECONDS, {}) if cache is not None else {}) or {}),
    }

    def weight(item: pytest.Item) -> float:
        seconds = known.get(item.nodeid.split("::", 1)[0])
        if seconds is not None:
            return -float(seconds)
        return -1e9 if item.get_closest_marker("e2e") else 0.0

    items.sort(key=weight)  # stable: a file's tests stay together, in their order
    if os.environ.get("MOST_ARCHIVE_BENCH") or "bench" in (config.getoption("-m") or ""):
        return
    skip = pytest.mark.skip(reason="bench: `make bench-quick` runs it (MOST_ARCHIVE_BENCH=1)")
    for item in items:
        if item.get_closest_marker("bench"):
            item.add_marker(skip)


_file_seconds: dict[str, float] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Add up each file's seconds (setup, call, teardown), for the next run's order."""
    file = report.nodeid.split("::", 1)[0]
    _file_seconds[file] = _file_seconds.get(file, 0.0) + report.duration


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Keep this run's seconds per file in pytest's cache (by the controller of an xdist run,
    which sees every worker's reports, or by a run without xdist)."""
    cache = getattr(session.config, "cache", None)
    if cache is None or hasattr(session.config, "workerinput") or not _file_seconds:
        return
    known = cache.get(FILE_SECONDS, {}) or {}
    known.update({f: round(s, 2) for f, s in _file_seconds.items()})
    cache.set(FILE_SECONDS, known)
