"""The re-check schedule when the machine's clock was wrong, or a page's date is in the future.

A crawl stamps what it does with the machine's clock. A clock set years ahead for one run (a VM
restored from a snapshot, an RTC battery gone, NTP not yet synced at boot) left the articles of
that run checked "in 2030": once the clock was right again, none of them was due for a re-check
until 2030, and every hourly run said ``ok`` while their edits went unseen for years. A time
still to come is no evidence of anything: such an article is due at once, and its validators are
not trusted. Likewise a page whose date lies in the future (a typo: 2205) gives the article no
age: its age is counted from when the archive first saw it, as for an undated page.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlite_utils

from archive import crawlstate, store
from archive.db import open_archive
from tests.archive.test_store_runs import NOW, article, iso

YEARS_AHEAD = dt.timedelta(days=4 * 365)


@pytest.fixture
def db(tmp_path: Path) -> sqlite_utils.Database:
    return open_archive(tmp_path / "archive.db")


def test_articles_checked_under_a_clock_set_ahead_are_due_once_it_is_right(
    db: sqlite_utils.Database,
) -> None:
    old = NOW - dt.timedelta(days=400)  # re-check interval: 30 days
    # a run under a clock four years ahead stored article 1 and re-checked article 2 (a 304)
    store.save_article(
        db, article(1, old), page_id=None, fetched_at=iso(NOW + YEARS_AHEAD), etag='"1"'
    )
    store.save_article(db, article(2, old), page_id=None, fetched_at=iso(NOW), etag='"2"')
    store.mark_checked(db, 2, fetched_at=iso(NOW + YEARS_AHEAD))
    # article 3 was checked a day ago, by a right clock: not due
    store.save_article(
        db, article(3, old), page_id=None, fetched_at=iso(NOW - dt.timedelta(days=1))
    )
    due = crawlstate.due_for_recheck(db, now=iso(NOW + dt.timedelta(hours=1)))
    assert [d.site_id for d in due] == [2, 1]  # the most recently stored first, as unchecked
    # a page whose last whole copy is dated in the future proves nothing: no validators
    assert (due[1].etag, due[1].last_modified) == (None, None)
    assert crawlstate.validators(db, now=iso(NOW))[1] == (None, None)
    # a right clock's check puts the article back on the normal schedule
    store.save_article(db, article(1, old), page_id=None, fetched_at=iso(NOW), etag='"1"')
    due = crawlstate.due_for_recheck(db, now=iso(NOW + dt.timedelta(hours=1)))
    assert [d.site_id for d in due] == [2]
    assert crawlstate.validators(db, now=iso(NOW + dt.timedelta(hours=1)))[1] == ('"1"', None)


def test_a_date_in_the_future_gives_no_age(db: sqlite_utils.Database) -> None:
    typo = NOW.replace(year=2205)  # the page says 2205
    # first seen 400 days ago: re-checked every 30 days, like an undated page of that age
    store.save_article(
        db, article(1, typo), page_id=None, fetched_at=iso(NOW - dt.timedelta(days=400))
    )
    store.save_article(
        db, article(2, None), page_id=None, fetched_at=iso(NOW - dt.timedelta(days=400))
    )
    for sid in (1, 2):
        store.mark_checked(db, sid, fetched_at=iso(NOW - dt.timedelta(days=2)))
    assert crawlstate.due_for_recheck(db, now=iso(NOW)) == []  # not every hour
    due = crawlstate.due_for_recheck(db, now=iso(NOW + dt.timedelta(days=29)))
    assert sorted(d.site_id for d in due) == [1, 2]
