"""A file the site no longer has: failed for a week, then given up, asked again monthly.

An image the site answers 404 (or an error page in its place) made every later run ``partial``
(exit 1) and asked for it again every hour: on a portal with years of articles some images are
always gone, so an hourly cron job exited 1 for good and its exit code told nothing. For its
first week a file that answers "not there" is a failure like any other; after that it is given
up: not asked for by every run, its failure no longer makes a run partial, and once a month it
is asked for again, in case the site put it back.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from archive.crawlstate import FILE_GONE_AFTER, FILE_GONE_RETRY
from replica.testing import ReplicaHandle, running_replica

from .support import crawl, query

pytestmark = pytest.mark.e2e

IMAGES = r"(?i)\.(jpe?g|png|gif)$"


def _at(offset: dt.timedelta) -> str:
    """An ARCHIVE_RECHECK_AT: the run's 'now' for its schedules, ``offset`` from now."""
    return (dt.datetime.now(dt.UTC) + offset).isoformat(timespec="seconds")


def _image_requests(rep: ReplicaHandle) -> int:
    """Requests for the site's images in the replica's log since its last reset."""
    images = (".jpg", ".png", ".gif", ".jpeg")
    return sum(1 for r in rep.requests() if str(r.get("path", "")).lower().endswith(images))


def test_a_file_gone_for_a_week_is_given_up_then_asked_again_monthly(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    open_files = "SELECT count(*) FROM fetch_errors WHERE kind = 'file' AND resolved_at IS NULL"
    with running_replica(articles=8, seed=5) as rep:
        for fault in ("not_found_rate", "soft_not_found_rate"):
            rep.set_faults({fault: 1.0, "path_pattern": IMAGES})
            db.unlink(missing_ok=True)
            first = crawl(rep.base_url, db)
            assert first.returncode == 1, first.stderr[-3000:]  # a new failure: partial
            gone = query(db, open_files)[0][0]
            assert gone > 0, "no image failed: the test proves nothing"

            # within the week: still a failure, asked for again
            rep.reset_requests()
            soon = crawl(rep.base_url, db, "-s", f"ARCHIVE_RECHECK_AT={_at(dt.timedelta(days=1))}")
            assert soon.returncode == 1, (fault, soon.stderr[-3000:])
            assert _image_requests(rep) >= gone

            # after the week: given up, not asked for, the run ok
            rep.reset_requests()
            week = FILE_GONE_AFTER + dt.timedelta(days=1)
            later = crawl(rep.base_url, db, "-s", f"ARCHIVE_RECHECK_AT={_at(week)}")
            assert later.returncode == 0, (fault, later.stderr[-3000:])
            assert _image_requests(rep) == 0
            assert query(db, open_files) == [(gone,)]  # still open: the archive lacks them

            # a month after the last try: asked again; failing still, the run stays ok
            rep.reset_requests()
            month = FILE_GONE_RETRY + dt.timedelta(days=2)
            retry = crawl(rep.base_url, db, "-s", f"ARCHIVE_RECHECK_AT={_at(month)}")
            assert retry.returncode == 0, (fault, retry.stderr[-3000:])
            assert _image_requests(rep) >= gone

        # the site puts them back: the next monthly retry fetches them
        rep.set_faults({})
        back = crawl(rep.base_url, db, "-s", f"ARCHIVE_RECHECK_AT={_at(2 * FILE_GONE_RETRY)}")
        assert back.returncode == 0, back.stderr[-3000:]
        assert query(db, open_files) == [(0,)]
