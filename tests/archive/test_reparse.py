"""archive.reparse: a changed parser over the stored raw pages records revisions, loses nothing."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import sqlite_utils

from archive import store
from archive.db import open_archive
from archive.queries import get_revisions
from archive.reparse import reparse
from crawler.items import Article
from crawler.parsers import parse_article

BASE = "http://127.0.0.1:8765"
PAGE = """<html><head><meta charset="utf-8"><title>x</title></head><body>
<div id="divArticleDescription3"><h1 class="News_Detail_Title">{title} </h1></div>
<span class="News_Time_Post">Thứ hai, 27/04/2026 10:30</span>
<div id="divArticleDescription1">Sapo về điện.</div>
<div id="divArticleDescription2"><div class="ExternalClass1"><p>Đoạn một.</p>
<p>{para}</p></div></div></body></html>"""


def crawl(db: sqlite_utils.Database, site_id: int, title: str, para: str, at: str) -> None:
    url = f"{BASE}/vn/tin-tuc/{site_id}/Bai-viet.aspx"
    body = PAGE.format(title=title, para=para).encode()
    page_id = store.save_page(
        db, url=url, status=200, headers={}, body=body, fetched_at=at, run_id=None
    )
    article = parse_article(body, url)
    assert article is not None and article.parser == "most/1"
    store.save_article(db, article, page_id=page_id, fetched_at=at)


@pytest.fixture
def db(tmp_path: Path) -> sqlite_utils.Database:
    db = open_archive(tmp_path / "archive.db")
    crawl(db, 1, "Điện lực miền Trung", "Đoạn hai.", "2026-01-01T00:00:00+00:00")
    crawl(db, 2, "Khoa học", "Đoạn B.", "2026-01-01T00:00:00+00:00")
    crawl(db, 2, "Khoa học đã sửa", "Đoạn B.", "2026-01-02T00:00:00+00:00")  # revision 2
    return db


def snapshot(db: sqlite_utils.Database, table: str) -> list[dict[str, object]]:
    return list(db.query(f"SELECT * FROM {table} ORDER BY rowid"))


def history(db: sqlite_utils.Database) -> list[dict[str, object]]:
    """Every revision as the read side gives it (texts unpacked), oldest first per article."""
    ids = [r["site_id"] for r in db.query("SELECT site_id FROM articles ORDER BY site_id")]
    return [{"site_id": sid, **rev} for sid in ids for rev in get_revisions(db, sid)]


def fixed_parser(body: bytes, url: str) -> Article | None:
    """'most/2': the old parser, but it now also finds one more paragraph."""
    article = parse_article(body, url)
    if article is None:
        return None
    return replace(article, body=[*article.body, "Chú thích mới."], parser="most/2")


def test_same_parser_changes_nothing(db: sqlite_utils.Database) -> None:
    before = {t: snapshot(db, t) for t in ("articles", "revisions", "raw_pages", "images")}
    counts = reparse(db)
    assert counts["articles"] == 2 and counts["unchanged"] == 2 and counts["updated"] == 0
    assert {t: snapshot(db, t) for t in before} == before


def test_changed_parser_records_revisions_and_loses_nothing(db: sqlite_utils.Database) -> None:
    old_revisions = history(db)
    pages = snapshot(db, "raw_pages")
    counts = reparse(db, parser_version="most/1", parse=fixed_parser)
    assert (counts["articles"], counts["updated"], counts["unchanged"]) == (2, 2, 0)
    revisions = history(db)
    old_keys = {(r["site_id"], r["revision"]) for r in old_revisions}
    assert [r for r in revisions if (r["site_id"], r["revision"]) in old_keys] == old_revisions
    new = [r for r in revisions if (r["site_id"], r["revision"]) not in old_keys]
    assert [(r["site_id"], r["revision"], r["reason"]) for r in new] == [
        (1, 2, "reparse:most/2"),
        (2, 3, "reparse:most/2"),
    ]
    assert all(str(r["body"]).endswith("Chú thích mới.") for r in new)
    arts = {r["site_id"]: r for r in snapshot(db, "articles")}
    assert arts[2]["title"] == "Khoa học đã sửa" and arts[2]["parser"] == "most/2"
    assert arts[1]["last_checked"] == "2026-01-01T00:00:00+00:00"  # a re-parse is no re-check
    assert snapshot(db, "raw_pages") == pages
    hits = db.query("SELECT rowid FROM articles_fts WHERE articles_fts MATCH 'chu thich moi'")
    assert sorted(r["rowid"] for r in hits) == [1, 2]
    # Nothing left with the old parser; a second run is a no-op.
    assert reparse(db, parser_version="most/1", parse=fixed_parser)["articles"] == 0
    assert reparse(db, parse=fixed_parser)["unchanged"] == 2


def date_fixed_parser(body: bytes, url: str) -> Article | None:
    """'most/2': the old parser, but it now reads the time as the site's 10:45 (a fixed date
    reader): the same content, another publish time."""
    article = parse_article(body, url)
    if article is None:
        return None
    return replace(article, published_at="2026-04-27T10:45:00+07:00", parser="most/2")


def test_a_fixed_date_reader_corrects_the_dates_without_new_revisions(
    db: sqlite_utils.Database,
) -> None:
    old_revisions = len(history(db))
    counts = reparse(db, parse=date_fixed_parser)
    assert (counts["updated"], counts["refreshed"], counts["unchanged"]) == (0, 2, 0)
    dates = {r["site_id"]: r["published_at"] for r in snapshot(db, "articles")}
    assert dates == {1: "2026-04-27T10:45:00+07:00", 2: "2026-04-27T10:45:00+07:00"}
    revisions = history(db)
    assert len(revisions) == old_revisions
    current = [r for r in revisions if (r["site_id"], r["revision"]) in {(1, 1), (2, 2)}]
    assert [r["published_at"] for r in current] == ["2026-04-27T10:45:00+07:00"] * 2
    older = [r for r in revisions if (r["site_id"], r["revision"]) == (2, 1)]
    assert [r["published_at"] for r in older] == ["2026-04-27T10:30:00+07:00"]  # history kept
    assert reparse(db, parse=date_fixed_parser)["unchanged"] == 2  # nothing more to correct


def test_rejecting_parser_loses_nothing(db: sqlite_utils.Database) -> None:
    before = {
        t: snapshot(db, t) for t in ("articles", "revisions", "images", "articles_fts_docsize")
    }  # the index's rows
    counts = reparse(db, parse=lambda body, url: None)
    assert counts["failed"] == 2
    assert {t: snapshot(db, t) for t in before} == before


def test_a_parser_that_now_leaves_pages_to_the_fallback_loses_nothing(
    db: sqlite_utils.Database,
) -> None:
    """A parser change that no longer recognises the portal's markup leaves the pages to the
    generic fallback: its coarser reading replaced every version the portal's parser had read.
    Such pages are counted and left as they were, like pages the parser rejects."""
    before = {t: snapshot(db, t) for t in ("articles", "revisions", "articles_fts_docsize")}

    def regressed(body: bytes, url: str) -> Article | None:
        article = parse_article(body, url)
        assert article is not None
        return replace(article, body=["Đoạn một. Đoạn hai."], parser="fallback-trafilatura/1")

    counts = reparse(db, parse=regressed)
    assert (counts["fallback_only"], counts["updated"], counts["unchanged"]) == (2, 0, 0)
    assert {t: snapshot(db, t) for t in before} == before


def test_since_filters_by_page_fetch_time(db: sqlite_utils.Database) -> None:
    counts = reparse(db, since="2026-01-02T00:00:00+00:00", parse=fixed_parser)
    assert (counts["articles"], counts["updated"]) == (1, 1)


def test_reparse_keeps_the_friendly_url_of_a_page_fetched_through_the_legacy_form(
    tmp_path: Path,
) -> None:
    """Issue 13, point 11: the friendly URL failed with 500, the legacy form answered (§10.3);
    the article is recorded under the friendly URL. A re-parse with a changed result must not
    put the legacy URL (the raw page's) in its place."""
    db = open_archive(tmp_path / "archive.db")
    friendly = f"{BASE}/vn/tin-tuc/7/Bai-viet.aspx"
    legacy = f"{BASE}/vn/Pages/chitiettin.aspx?IDNews=7"
    body = PAGE.format(title="Tiêu đề", para="Đoạn hai.").encode()
    at = "2026-01-01T00:00:00+00:00"
    page_id = store.save_page(
        db, url=legacy, status=200, headers={}, body=body, fetched_at=at, run_id=None
    )
    article = parse_article(body, legacy)
    assert article is not None and article.site_id == 7
    article.url = friendly  # what the crawl records (the listing's form)
    store.save_article(db, article, page_id=page_id, fetched_at=at)
    counts = reparse(db, parse=fixed_parser)
    assert counts["updated"] == 1
    row = next(db.query("SELECT url, revision FROM articles WHERE site_id = 7"))
    assert row == {"url": friendly, "revision": 2}
    urls = [r["url"] for r in db.query("SELECT url FROM revisions WHERE site_id = 7")]
    assert urls == [friendly, friendly]
    # and an unchanged re-parse leaves it too; a crawl that only reaches the legacy form as well
    assert reparse(db, parse=fixed_parser)["unchanged"] == 1
    again = parse_article(body, legacy)
    assert again is not None
    store.save_article(db, fixed_parser(body, legacy) or again, page_id=page_id, fetched_at=at)
    assert next(db.query("SELECT url FROM articles WHERE site_id = 7"))["url"] == friendly
