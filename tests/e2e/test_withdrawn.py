"""Withdrawn articles (issue 12): an archived article the site drops is marked, not an error.

A small replica is crawled; then one article answers 404 (the replica's ``not_found`` fault
on its path) and another redirects to the home page (``home_redirect``). A re-check marks both
withdrawn (``withdrawn_at``) in show, search and export, records no fetch error, and the run
stays ok. When the site serves the first again, the next re-check makes it live again.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from replica.testing import running_replica
from tests import forked

from .support import FAR_FUTURE, MOST_ARCHIVE, NO_BACKOFF, ROOT, crawl, export, query, show

pytestmark = pytest.mark.e2e


def _run(*args: str) -> str:
    out = forked.run([MOST_ARCHIVE, *args], timeout=60, cwd=ROOT)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout


def _path_pattern(url: str) -> str:
    return "^" + re.escape(urlsplit(url).path) + "$"


def _recheck(base_url: str, db: Path) -> None:
    result = crawl(base_url, db, "-s", f"ARCHIVE_RECHECK_AT={FAR_FUTURE}")
    assert result.returncode == 0, result.stderr[-3000:]


def test_an_article_gone_from_the_site_is_withdrawn_then_live_again(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    with running_replica(articles=10, seed=12) as rep:
        first = crawl(rep.base_url, db)
        assert first.returncode == 0, first.stderr[-3000:]
        before = {r["site_id"]: r for r in export(db)}
        assert all(r["withdrawn_at"] is None for r in before.values())
        gone_404, gone_home = sorted(before)[2], sorted(before)[6]

        # 1. one article answers 404: withdrawn; no open fetch error; the run is ok
        rep.set_faults(
            {"not_found_rate": 1.0, "path_pattern": _path_pattern(before[gone_404]["url"])}
        )
        _recheck(rep.base_url, db)
        article = show(db, gone_404)
        assert article["withdrawn_at"], "a 404 on re-check did not mark the article withdrawn"
        assert article["revision"] == 1 and article["title"] == before[gone_404]["title"]
        assert query(db, "SELECT count(*) FROM fetch_errors WHERE resolved_at IS NULL") == [(0,)]
        assert query(db, "SELECT outcome FROM runs ORDER BY id DESC LIMIT 1") == [("ok",)]
        exported = {r["site_id"]: r for r in export(db)}
        assert exported[gone_404]["withdrawn_at"] == article["withdrawn_at"]
        assert [k for k, r in exported.items() if r["withdrawn_at"]] == [gone_404]
        text = _run("show", str(gone_404), "--db", str(db))
        assert "[WITHDRAWN from the site]" in text
        words = before[gone_404]["title"].split()[:3]
        hits = json.loads(_run("search", " ".join(words), "--json", "-n", "50", "--db", str(db)))
        hit = next(h for h in hits if h["site_id"] == gone_404)
        assert hit["withdrawn_at"] == article["withdrawn_at"]
        listing = _run("search", " ".join(words), "-n", "50", "--db", str(db))
        assert "[WITHDRAWN from the site] " + before[gone_404]["title"][:40] in listing

        # 2. the first comes back; another now redirects to the home page
        rep.set_faults(
            {"home_redirect_rate": 1.0, "path_pattern": _path_pattern(before[gone_home]["url"])}
        )
        _recheck(rep.base_url, db)
        back = show(db, gone_404)
        assert back["withdrawn_at"] is None and back["revision"] == 1
        assert show(db, gone_home)["withdrawn_at"], "a redirect home did not withdraw it"
        assert query(db, "SELECT count(*) FROM fetch_errors WHERE resolved_at IS NULL") == [(0,)]


# Every path but robots.txt and the home page ("/" redirects to it)
EVERY_PAGE_BUT_HOME = r"^/(?!robots\.txt$|vn/Pages/Trangchu\.aspx$)."


def test_a_site_that_sends_every_page_home_withdraws_nothing(tmp_path: Path) -> None:
    """Maintenance, a broken deployment: every page but the home page redirects there (or
    answers 404). That says nothing about any one article: a re-check withdraws none of them,
    and the run is not ok. When the site is back, the next re-check finds them all live."""
    db = tmp_path / "archive.db"
    open_errors = "SELECT count(*) FROM fetch_errors WHERE resolved_at IS NULL AND kind = ?"
    with running_replica(articles=10, seed=12) as rep:
        first = crawl(rep.base_url, db)
        assert first.returncode == 0, first.stderr[-3000:]
        for fault in ("home_redirect_rate", "not_found_rate"):
            rep.set_faults({fault: 1.0, "path_pattern": EVERY_PAGE_BUT_HOME})
            down = crawl(rep.base_url, db, "-s", f"ARCHIVE_RECHECK_AT={FAR_FUTURE}", *NO_BACKOFF)
            assert down.returncode == 1, (fault, down.stderr[-3000:])
            assert "the whole site" in down.stdout + down.stderr, fault
            assert query(db, "SELECT count(*) FROM articles WHERE withdrawn_at IS NOT NULL") == [
                (0,)
            ], f"{fault} on every page withdrew archived articles"
            assert query(db, "SELECT outcome FROM runs ORDER BY id DESC LIMIT 1") == [("partial",)]
            assert query(db, open_errors, ("article",)) == [(10,)]  # failed re-checks, kept
        rep.set_faults({})
        _recheck(rep.base_url, db)
        assert query(db, "SELECT count(*) FROM articles WHERE withdrawn_at IS NOT NULL") == [(0,)]
        assert query(db, "SELECT outcome FROM runs ORDER BY id DESC LIMIT 1") == [("ok",)]
        assert query(db, open_errors, ("article",)) == [(0,)]  # the failed re-checks: done
