"""`scrapy crawl most` given a hostile -a site or -s value: Scrapy's usage error (exit 2, one
line), before the archive is touched; it was a ValueError traceback from inside the spider's
start (crawler/commands/crawl.py, MostSpider.update_settings, crawler.settingtypes). The
in-process checks of `most-archive crawl` are tests/crawler/test_hostile_crawl_options.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from .support import scrapy_crawl

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(
    ("site", "settings", "named"),
    [
        ("ftp://127.0.0.1/", (), "-a site"),
        ("http://[::1", (), "-a site"),
        ("http://127.0.0.1:1", ("ARCHIVE_MAX_PAGES=abc",), "ARCHIVE_MAX_PAGES"),
        ("http://127.0.0.1:1", ("DOWNLOAD_DELAY=1e308",), "DOWNLOAD_DELAY"),
        ("http://127.0.0.1:1", ("ARCHIVE_MAX_PAGE=3",), "did you mean ARCHIVE_MAX_PAGES"),
    ],
)
def test_scrapy_crawl_most_refuses_hostile_values_in_one_line(
    tmp_path: Path, site: str, settings: tuple[str, ...], named: str
) -> None:
    db = tmp_path / "a.db"
    done = scrapy_crawl(db, *settings, site=site, timeout=60)
    assert done.returncode == 2, done.stderr[-2000:]
    assert "Traceback" not in done.stderr and named in done.stderr
    assert not db.exists()


def test_a_run_that_fetched_nothing_is_never_ok(tmp_path: Path) -> None:
    """A setting that drops every request before it is sent (here Scrapy's URLLENGTH_LIMIT, a
    number like any other) left the run 'ok', exit 0, with nothing fetched: an hourly cron job
    reporting success while archiving nothing. A run that finished without a single answer
    from the site (and no other reason to name) is 'failed', exit 1, and says why."""
    import sqlite3

    from replica.testing import running_replica

    from .support import crawl

    with running_replica(articles=5, seed=2) as rep:
        for run, db in (
            (lambda db: crawl(rep.base_url, db, "-s", "URLLENGTH_LIMIT=10"), tmp_path / "a.db"),
            (
                lambda db: scrapy_crawl(db, "URLLENGTH_LIMIT=10", site=rep.base_url),
                tmp_path / "b.db",
            ),
        ):
            done = run(db)
            conn = sqlite3.connect(db)
            (outcome,) = conn.execute("SELECT outcome FROM runs ORDER BY id DESC").fetchone()
            conn.close()
            assert outcome == "failed", done.stderr[-2000:]
            assert "Traceback" not in done.stderr
            if db.name == "a.db":  # most-archive crawl: the outcome's exit code, and why
                assert done.returncode == 1, done.stderr[-2000:]
                assert "nothing was fetched" in done.stdout + done.stderr
        assert rep.requests() == []


def test_scrapy_crawl_most_on_a_held_or_unusable_archive_says_so_in_one_line(
    tmp_path: Path,
) -> None:
    """`scrapy crawl most` (as a cron line may run it) on an archive another crawl holds, or on
    a file that is no archive: a cascade of tracebacks (the pipeline's open failed, then its
    close, then Scrapy's own stats). Now one line and the exit code `most-archive crawl`
    gives: 75 (try again later) for the lock, 1 for the file; nothing left beside it."""
    from archive.db import open_archive
    from archive.lock import crawl_lock, lock_path_for

    held = tmp_path / "held.db"
    open_archive(held).close()
    with crawl_lock(held):
        done = scrapy_crawl(held, site="http://127.0.0.1:1/", timeout=60)
    assert done.returncode == 75, done.stderr[-3000:]
    assert "Traceback" not in done.stderr and "another crawl holds" in done.stderr
    notes = tmp_path / "notes.db"
    notes.write_text("a note, not a database\n")
    done = scrapy_crawl(notes, site="http://127.0.0.1:1/", timeout=60)
    assert done.returncode == 1, done.stderr[-3000:]
    assert "Traceback" not in done.stderr and "is not an SQLite database" in done.stderr
    assert not lock_path_for(notes).exists()
    assert notes.read_text() == "a note, not a database\n"
