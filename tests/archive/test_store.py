"""archive.store: articles, revisions, atomicity, full-text rows, raw pages, listings, errors."""

from __future__ import annotations

import json
import sqlite3
import unicodedata
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils

from archive import revisions, store
from archive.db import open_archive
from archive.headers import headers_json
from archive.normalize import fold
from archive.rawpages import page_body
from crawler.items import Article, Attachment, Image

T1 = "2026-01-01T00:00:00+00:00"
T2 = "2026-01-02T00:00:00+00:00"
T3 = "2026-01-03T00:00:00+00:00"


def make_article(site_id: int = 101, **changes: Any) -> Article:
    article = Article(
        site_id=site_id,
        url=f"http://127.0.0.1:8765/vn/tin-tuc/{site_id}/Dien-luc.aspx",
        title="Điện lực miền Trung tăng cường khoa học",
        lead="Bộ Khoa học và Công nghệ đề nghị",
        body=["Đoạn một về điện.", "Đoạn hai | có bảng"],
        body_html="<p>Đoạn một về điện.</p><p>Đoạn hai</p>",
        published_at="2025-12-30T10:30:00+07:00",
        category="Tin tổng hợp",
        source="Trung tâm Truyền thông",
        images=[
            Image("http://127.0.0.1:8765/Images/editor/images/a%20b.jpg", "Toàn cảnh Hội nghị", ""),
            Image("http://127.0.0.1:8765/Images/editor/images/c.png", None, "alt c"),
        ],
        attachments=[Attachment("http://127.0.0.1:8765/Docs/qd.pdf", "Quyết định số 1")],
        parser="most/1",
    )
    return replace(article, **changes)


@pytest.fixture
def db(tmp_path: Path) -> sqlite_utils.Database:
    return open_archive(tmp_path / "archive.db")


def page(db: sqlite_utils.Database, body: bytes = b"<html>1</html>", url: str = "u") -> int:
    return store.save_page(
        db,
        url=url,
        status=200,
        headers={"Content-Type": "text/html"},
        body=body,
        fetched_at=T1,
        run_id=None,
    )


def rows(db: sqlite_utils.Database, sql: str, params: Any = None) -> list[dict[str, Any]]:
    return list(db.query(sql, params))


def test_new_article_writes_every_table(db: sqlite_utils.Database) -> None:
    pid = page(db)
    outcome = store.save_article(
        db,
        make_article(),
        page_id=pid,
        listed_in=[(493, "Tin tổng hợp", "/c/493")],
        fetched_at=T1,
        etag='"e1"',
        last_modified="Mon, 01 Jan 2026 00:00:00 GMT",
    )
    assert outcome == "new"
    (a,) = rows(db, "SELECT * FROM articles")
    assert a["revision"] == 1 and a["first_seen"] == a["last_seen"] == a["last_changed"] == T1
    assert a["body"] == "Đoạn một về điện.\n\nĐoạn hai | có bảng"
    assert a["etag"] == '"e1"' and a["page_id"] == pid
    imgs = rows(db, "SELECT position, url, caption, alt FROM images ORDER BY position")
    assert [i["caption"] for i in imgs] == ["Toàn cảnh Hội nghị", None]
    assert imgs[0]["url"].endswith("a%20b.jpg")
    assert rows(db, "SELECT title FROM attachments") == [{"title": "Quyết định số 1"}]
    assert rows(db, "SELECT * FROM article_categories") == [
        {"site_id": 101, "category_id": 493, "portal": "most"}
    ]
    assert rows(db, "SELECT name FROM categories") == [{"name": "Tin tổng hợp"}]
    (rev,) = rows(db, "SELECT * FROM revisions")
    assert rev["revision"] == 1 and rev["reason"] == "crawl" and rev["content_hash"]


def test_unchanged_moves_only_last_seen(db: sqlite_utils.Database) -> None:
    store.save_article(db, make_article(), page_id=page(db), fetched_at=T1)
    before = rows(db, "SELECT * FROM articles")[0]
    assert store.save_article(db, make_article(), page_id=None, fetched_at=T2) == "unchanged"
    after = rows(db, "SELECT * FROM articles")[0]
    assert after["last_seen"] == after["last_checked"] == after["last_fetched"] == T2
    changed = {k for k in before if before[k] != after[k]}
    assert changed == {"last_seen", "last_checked", "last_fetched"}
    (rev,) = rows(db, "SELECT first_seen, last_seen FROM revisions")
    assert rev == {"first_seen": T1, "last_seen": T2}


def test_an_unchanged_version_follows_the_page_outside_its_content(
    db: sqlite_utils.Database,
) -> None:
    """A corrected date, a moved category, new markup or alt text is no new revision, but the
    current version (article row and current revision) shows what the page shows now, on a
    crawl and a re-parse alike; a value the page no longer gives is kept, never erased."""
    first = make_article()
    store.save_article(db, first, page_id=page(db), fetched_at=T1)
    fixed = make_article(
        # the same text to the content hash (a double space), not to the stored row
        body=["Đoạn một  về điện.", "Đoạn hai | có bảng"],
        published_at="2025-12-31T08:00:00+07:00",
        category="Khác",
        body_html="<p>Đoạn một về <b>điện</b>.</p><p>Đoạn hai</p>",
        images=[replace(first.images[0], alt="Hội nghị"), first.images[1]],
    )
    assert store.save_article(db, fixed, page_id=None, fetched_at=T2) == "unchanged"

    def current() -> dict[str, Any]:
        (a,) = rows(db, "SELECT revision, body, published_at, category FROM articles")
        (r,) = rows(db, "SELECT published_at, category, images_json FROM revisions")
        alts = [i["alt"] for i in rows(db, "SELECT alt FROM images ORDER BY position")]
        return {
            **a,
            "html": revisions.article_html(db, 101),
            "revision_fields": (r["published_at"], r["category"]),
            "revision_alts": [i["alt"] for i in json.loads(r["images_json"])],
            "alts": alts,
        }

    shown = {
        "revision": 1,
        "body": "Đoạn một về điện.\n\nĐoạn hai | có bảng",  # the stored text stays
        "published_at": "2025-12-31T08:00:00+07:00",
        "category": "Khác",
        "html": fixed.body_html,
        "revision_fields": ("2025-12-31T08:00:00+07:00", "Khác"),
        "revision_alts": ["Hội nghị", "alt c"],
        "alts": ["Hội nghị", "alt c"],
    }
    assert current() == shown
    blank = replace(fixed, published_at=None, category=None, body_html=None)
    assert store.save_article(db, blank, page_id=None, fetched_at=T3) == "unchanged"
    assert current() == shown
    reread = replace(fixed, published_at="2025-12-31T09:15:00+07:00", parser="most/2")
    assert store.reparse_article(db, reread, page_id=None, parsed_at=T3) == "refreshed"
    assert current()["published_at"] == "2025-12-31T09:15:00+07:00"
    assert current()["revision_fields"] == ("2025-12-31T09:15:00+07:00", "Khác")
    assert store.reparse_article(db, reread, page_id=None, parsed_at=T3) == "unchanged"
    assert rows(db, "SELECT count(*) AS n FROM revisions") == [{"n": 1}]


def test_an_unchanged_article_is_not_packed_again(
    db: sqlite_utils.Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only the content hash is computed for an article found unchanged (crawl or re-parse):
    its HTML is packed, its texts folded, only when its row is written."""
    store.save_article(db, make_article(), page_id=page(db), fetched_at=T1)

    def no_packing(*_args: object) -> bytes:
        raise AssertionError("packed an unchanged article's HTML")

    monkeypatch.setattr(store, "pack_html", no_packing)
    assert store.save_article(db, make_article(), page_id=None, fetched_at=T2) == "unchanged"
    assert store.reparse_article(db, make_article(), page_id=None, parsed_at=T2) == "unchanged"
    with pytest.raises(AssertionError, match="packed"):  # a new version is written, and packed
        store.save_article(db, make_article(title="Khác"), page_id=None, fetched_at=T2)
    assert rows(db, "SELECT revision FROM articles") == [{"revision": 1}]  # undone whole


def test_whitespace_and_nfd_do_not_make_a_revision(db: sqlite_utils.Database) -> None:
    store.save_article(db, make_article(), page_id=None, fetched_at=T1)
    nfd_title = unicodedata.normalize("NFD", make_article().title) + "\u00a0 "
    assert store.save_article(db, make_article(title=nfd_title), page_id=None, fetched_at=T2) == (
        "unchanged"
    )


@pytest.mark.parametrize(
    "change",
    [
        {"title": "Tiêu đề đã sửa"},
        {"lead": "Sapo mới"},
        {"body": ["Đoạn một về điện.", "Đoạn hai đã sửa"]},
        {"source": None},
        {"images": [Image("http://127.0.0.1:8765/x.jpg", "Toàn cảnh Hội nghị", "")]},
        {"images": [Image("http://127.0.0.1:8765/Images/editor/images/a%20b.jpg", "Khác", "")]},
        {"attachments": []},
    ],
)
def test_content_change_appends_revision(db: sqlite_utils.Database, change: dict[str, Any]) -> None:
    old = make_article()
    store.save_article(db, old, page_id=None, fetched_at=T1)
    new = make_article(**change)
    assert store.save_article(db, new, page_id=None, fetched_at=T2) == "updated"
    revs = rows(
        db, "SELECT revision, title, lead, first_seen, last_seen FROM revisions ORDER BY id"
    )
    assert [r["revision"] for r in revs] == [1, 2]
    assert revs[0]["title"] == old.title and revs[0]["last_seen"] == T1
    assert revs[1]["first_seen"] == revs[1]["last_seen"] == T2
    (a,) = rows(db, "SELECT * FROM articles")
    assert a["revision"] == 2 and a["first_seen"] == T1 and a["last_changed"] == T2
    assert a["title"] == new.title
    assert len(rows(db, "SELECT * FROM images")) == len(new.images)


def test_revisions_kept_oldest_first_through_flip_flop(db: sqlite_utils.Database) -> None:
    a, b = make_article(), make_article(title="B")
    outcomes = [
        store.save_article(db, x, page_id=None, fetched_at=t)
        for x, t in ((a, T1), (b, T2), (b, T2), (a, T3))
    ]
    assert outcomes == ["new", "updated", "unchanged", "updated"]
    revs = rows(db, "SELECT revision, title FROM revisions WHERE site_id = 101 ORDER BY revision")
    assert [(r["revision"], r["title"]) for r in revs] == [(1, a.title), (2, "B"), (3, a.title)]


def test_failure_mid_write_leaves_nothing(db: sqlite_utils.Database) -> None:
    # The listings are written last, after the article, images, FTS rows and revision:
    # a category id SQLite refuses ("datatype mismatch") fails the write at its very end.
    bad_listing: list[Any] = [(1, "c", None), ("not-a-number", "x", None)]
    bad = make_article()
    with pytest.raises(sqlite3.IntegrityError):
        store.save_article(db, bad, page_id=None, fetched_at=T1, listed_in=bad_listing)
    for table in ("articles", "images", "revisions", "article_categories", "categories"):
        assert rows(db, f"SELECT count(*) AS n FROM {table}") == [{"n": 0}], table
    assert rows(db, "SELECT count(*) AS n FROM articles_fts_docsize") == [{"n": 0}]
    # and a failing update leaves the previous version whole
    store.save_article(db, make_article(), page_id=None, fetched_at=T1)
    with pytest.raises(sqlite3.IntegrityError):
        store.save_article(
            db,
            make_article(title="new", images=[]),
            page_id=None,
            fetched_at=T2,
            listed_in=bad_listing,
        )
    (a,) = rows(db, "SELECT title, revision FROM articles")
    assert a == {"title": make_article().title, "revision": 1}
    assert len(rows(db, "SELECT * FROM images")) == 2
    assert len(rows(db, "SELECT * FROM revisions")) == 1
    assert fts(db, "articles_fts_exact", f'title:"{make_article().title}"') == [101]
    assert fts(db, "articles_fts_exact", "title:new") == []


def fts(db: sqlite_utils.Database, table: str, match: str) -> list[int]:
    return [
        r["rowid"] for r in db.query(f"SELECT rowid FROM {table} WHERE {table} MATCH ?", [match])
    ]


def test_fts_is_folded_exact_and_in_sync(db: sqlite_utils.Database) -> None:
    store.save_article(db, make_article(101), page_id=None, fetched_at=T1)
    store.save_article(
        db, make_article(102, title="Khác hẳn", body=["x"]), page_id=None, fetched_at=T1
    )
    assert fts(db, "articles_fts", "dien") == [101]
    assert fts(db, "articles_fts", fold("ĐIỆN")) == [101]
    assert fts(db, "articles_fts", "captions:toan") == [101, 102]
    assert fts(db, "articles_fts_exact", '"điện"') == [101]
    assert fts(db, "articles_fts_exact", '"diên"') == []
    assert fts(db, "articles_fts", 'title:"dien luc mien trung tang cuong khoa hoc"') == [101]
    store.save_article(
        db, make_article(101, title="Thủy sản", body=["cá"]), page_id=None, fetched_at=T2
    )
    assert fts(db, "articles_fts", "luc") == []
    assert fts(db, "articles_fts", "thuy") == [101]
    assert rows(db, "SELECT count(*) AS n FROM articles_fts_docsize") == [{"n": 2}]
    assert rows(db, "SELECT count(*) AS n FROM articles_fts_exact_docsize") == [{"n": 2}]


def test_save_page_compresses_and_dedupes(db: sqlite_utils.Database) -> None:
    body = "<html>Điện</html>".encode() * 100
    headers = [
        ("Content-Type", "text/html; charset=utf-8"),
        ("Set-Cookie", "a"),
        ("Set-Cookie", "b"),
    ]
    first = store.save_page(
        db, url="u", status=200, headers=headers, body=body, fetched_at=T1, run_id=None
    )
    again = store.save_page(
        db, url="u", status=200, headers=headers, body=body, fetched_at=T2, run_id=None
    )
    other = store.save_page(
        db, url="u", status=200, headers=headers, body=b"x", fetched_at=T2, run_id=None
    )
    assert first == again != other
    (row,) = rows(db, "SELECT * FROM raw_pages WHERE id = ?", [first])
    assert len(row["body"]) < len(body) / 5 and row["codec"] == "zstd"
    assert row["content_type"] == "text/html; charset=utf-8" and row["size"] == len(body)
    assert row["headers_json"] is None  # kept compressed (archive.headers), read back exactly
    assert '["Set-Cookie", "b"]' in headers_json(None, row["headers_packed"])
    assert page_body(db, first) == body


def test_listings_and_checks(db: sqlite_utils.Database) -> None:
    assert store.add_listing(db, 101, 493, "Tin tổng hợp", "/c/493") is False  # not archived yet
    store.save_article(
        db, make_article(), page_id=None, fetched_at=T1, listed_in=[(493, None, None)]
    )
    assert store.add_listing(db, 101, 570, "Điểm báo", "/c/570") is True
    assert store.add_listing(db, 101, 570, "Điểm báo", None) is False
    cats = rows(db, "SELECT category_id FROM article_categories ORDER BY category_id")
    assert [c["category_id"] for c in cats] == [493, 570]
    assert rows(db, "SELECT url FROM categories WHERE id = 570") == [{"url": "/c/570"}]
    store.mark_checked(db, 101, fetched_at=T3, etag='"e2"')
    (a,) = rows(db, "SELECT last_checked, last_seen, last_fetched, etag, revision FROM articles")
    # a 304 is no whole page: last_fetched stays at the 200 of T1
    assert a == {
        "last_checked": T3,
        "last_seen": T3,
        "last_fetched": T1,
        "etag": '"e2"',
        "revision": 1,
    }
    assert rows(db, "SELECT last_seen FROM revisions") == [{"last_seen": T3}]


def test_errors_upsert_and_resolve(db: sqlite_utils.Database) -> None:
    for at in (T1, T2):
        store.record_error(
            db, url="u1", kind="article", status=503, reason="503", run_id=None, at=at
        )
    (e,) = rows(db, "SELECT * FROM fetch_errors")
    assert (e["attempts"], e["first_failed"], e["last_failed"], e["resolved_at"]) == (
        2,
        T1,
        T2,
        None,
    )
    assert store.resolve_error(db, "u1", at=T3) is True
    assert store.resolve_error(db, "u1") is False
    store.record_error(db, url="u1", kind="article", status=500, reason="again", run_id=None, at=T3)
    (e,) = rows(db, "SELECT attempts, resolved_at, status FROM fetch_errors")
    assert e == {"attempts": 3, "resolved_at": None, "status": 500}
    with pytest.raises(ValueError):
        store.record_error(db, url="u2", kind="nope", status=None, reason="", run_id=None)


def test_listing_without_category_id_is_skipped(db: sqlite_utils.Database) -> None:
    listed: list[Any] = [store.Listed(None, "?", None), store.Listed(7, "Bảy", "/c/7")]  # type: ignore[arg-type]
    store.save_article(db, make_article(), page_id=None, fetched_at=T1, listed_in=listed)
    assert rows(db, "SELECT id FROM categories") == [{"id": 7}]
    assert rows(db, "SELECT category_id FROM article_categories") == [{"category_id": 7}]


def test_validators_follow_the_latest_response(db: sqlite_utils.Database) -> None:
    store.save_article(db, make_article(), page_id=None, fetched_at=T1, etag='"a"')
    store.save_article(db, make_article(), page_id=None, fetched_at=T2, last_modified="LM")
    assert rows(db, "SELECT etag, last_modified FROM articles") == [
        {"etag": None, "last_modified": "LM"}
    ]
    store.save_article(db, make_article(title="B"), page_id=None, fetched_at=T3, etag='"b"')
    assert rows(db, "SELECT etag, last_modified FROM articles") == [
        {"etag": '"b"', "last_modified": None}
    ]
    store.reparse_article(db, make_article(title="C"), page_id=None, parsed_at=T3)
    assert rows(db, "SELECT etag, last_checked FROM articles") == [
        {"etag": '"b"', "last_checked": T3}
    ]


def test_a_listing_replaces_a_legacy_url_but_never_a_friendly_one(
    db: sqlite_utils.Database,
) -> None:
    legacy = "http://h/vn/Pages/chitiettin.aspx?IDNews=101"
    friendly = "http://h/vn/tin-tuc/101/bai-viet.aspx"
    store.save_article(db, make_article(url=legacy), page_id=None, fetched_at="2024-01-01")
    store.add_listing(db, 101, 492, "Tin", "http://h/l", article_url=friendly)
    assert rows(db, "SELECT url FROM articles") == [{"url": friendly}]
    store.add_listing(db, 101, 493, "Tin 2", "http://h/l2", article_url=friendly.upper())
    assert rows(db, "SELECT url FROM articles") == [{"url": friendly}]
