"""A pager that never ends (issue 13, point 1): with the same items, the category ends at the
first page that repeats; with new items on every page, the safety bound ends it. The replica's
``endless_pager`` fault links a next page from every listing page."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from replica.testing import running_replica

from .support import crawl, query

pytestmark = pytest.mark.e2e

QUIET = ("-s", "ARCHIVE_FETCH_FILES=0", "-s", "ARCHIVE_DISCOVERY=0")
_CATEGORY = re.compile(r"^/vn/chuyen-muc/(\d+)/")


def _listing_requests(log: list[dict[str, object]]) -> Counter[int]:
    found = (_CATEGORY.match(str(e["path"])) for e in log)
    return Counter(int(m.group(1)) for m in found if m)


def test_a_pager_repeating_its_items_ends(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    with running_replica(articles=30, seed=8, faults={"endless_pager_rate": 1.0}) as rep:
        done = crawl(rep.base_url, db, *QUIET, timeout=90)  # walked forever before the fix
        pages = _listing_requests(rep.requests())
        total = len(rep.site.article_ids())
        depth = {c: rep.site.listing_truth(c)["last_page"] for c in pages}
        again = crawl(rep.base_url, db, *QUIET, timeout=90)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "lists only articles already seen" in done.stderr
    # each category: its real pages, then one that repeats the last
    assert all(n <= depth[c] + 1 for c, n in pages.items()), (pages, depth)
    assert query(db, "SELECT count(*) FROM articles") == [(total,)]
    assert again.returncode == 0, again.stderr[-2000:]
    assert [r[0] for r in query(db, "SELECT outcome FROM runs ORDER BY id")] == ["ok", "ok"]


def test_a_pager_inventing_items_stops_at_the_bound(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    faults = {"endless_pager_rate": 1.0, "endless_pager_invent": True}
    with running_replica(articles=30, seed=8, faults=faults) as rep:
        done = crawl(rep.base_url, db, *QUIET, "-s", "ARCHIVE_MAX_PAGES_BOUND=4", timeout=90)
        pages = _listing_requests(rep.requests())
    assert done.returncode == 1, done.stderr[-2000:]
    assert "safety bound of 4 listing pages reached" in done.stderr
    assert pages and max(pages.values()) <= 4, pages
    (counts,) = query(db, "SELECT counts_json FROM runs")[0]
    assert json.loads(counts)["categories_bounded"] == len(pages)


def test_the_mst_walk_has_the_same_safety_bound(tmp_path: Path) -> None:
    """One mechanism for both portals: mst.gov.vn's zone paging stops at the same bound."""
    from replica.testing import running_mst_replica

    db = tmp_path / "a.db"
    with running_mst_replica(articles=60, seed=5, paging="trang") as rep:
        done = crawl(rep.base_url, db, *QUIET, "-s", "ARCHIVE_MAX_PAGES_BOUND=1", timeout=90)
    assert done.returncode == 1, done.stderr[-2000:]
    assert "safety bound of 1 listing pages reached" in done.stderr
    (outcome, counts) = query(db, "SELECT outcome, counts_json FROM runs")[0]
    assert outcome == "limited" and json.loads(counts)["categories_bounded"] > 0
