"""archive.queries: one article with files and revisions, URL forms, export rows, stats."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlite_utils
from test_queries_samples import (
    ARTICLES,
    BASE,
    ELECTRIC_V1,
    ELECTRIC_V2,
    IMAGE_BYTES,
    T1,
    T2,
    build_archive,
)

from archive.db import open_archive
from archive.files import files_dir_for, resolve
from archive.normalize import join_body
from archive.queries import (
    ArticleFilter,
    get_article,
    iter_articles,
    parse_date,
    resolve_article_id,
    stats,
)


@pytest.fixture(scope="module")
def archive_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path: Path = build_archive(tmp_path_factory.mktemp("queries") / "archive.db")
    return path


@pytest.fixture
def db(archive_path: Path) -> Iterator[sqlite_utils.Database]:
    ro = open_archive(archive_path, readonly=True)
    yield ro
    ro.conn.close()


@pytest.mark.parametrize(
    "form",
    [
        "104",
        " 104 ",
        f"{BASE}/vn/tin-tuc/104/bai-viet-104.aspx",
        f"{BASE}/VN/TIN-TUC/104/BAI-VIET-104.ASPX",
        "https://www.most.gov.vn/vn/tin-tuc/104/another-slug.aspx?utm_source=x#top",
        "http://most.gov.vn/vn/tin-tuc/104/",
        "/vn/tin-tuc/104/bai-viet-104.aspx",
        "https://www.most.gov.vn/vn/Pages/chitiettin.aspx?ChuyenmucID=492&IDNews=104&tieude=x.aspx",
    ],
)
def test_any_form_of_the_url_finds_the_article(db: sqlite_utils.Database, form: str) -> None:
    assert resolve_article_id(db, form) == 104


@pytest.mark.parametrize(
    "form",
    [
        "999",
        "https://www.most.gov.vn/vn/tin-tuc/999/x.aspx",
        "https://www.most.gov.vn/vn/Pages/Trangchu.aspx",
        "abc",
        "",
    ],
)
def test_unknown_forms_find_nothing(db: sqlite_utils.Database, form: str) -> None:
    assert resolve_article_id(db, form) is None


def test_article_in_full(db: sqlite_utils.Database, archive_path: Path) -> None:
    a = get_article(db, 104)
    assert a is not None
    assert a["title"] == ELECTRIC_V2.title
    assert a["body"] == join_body(ELECTRIC_V2.body)
    assert a["lead"] == ELECTRIC_V2.lead and a["source"] == ELECTRIC_V2.source
    assert [c["id"] for c in a["categories"]] == [492, 493]
    assert [(i["url"], i["caption"], i["alt"]) for i in a["images"]] == [
        (i.url, i.caption, i.alt) for i in ELECTRIC_V2.images
    ]
    downloaded, missing = a["images"]
    assert resolve(files_dir_for(archive_path), downloaded["path"]).read_bytes() == IMAGE_BYTES
    assert missing["path"] is None
    assert [(t["url"], t["title"], t["path"]) for t in a["attachments"]] == [
        (ELECTRIC_V2.attachments[0].url, "Quyết định số 01", None)
    ]
    assert a["revision"] == 2 and a["first_seen"] == T1 and a["last_changed"] == T2


def test_revisions_oldest_first_with_their_own_fields(db: sqlite_utils.Database) -> None:
    a = get_article(db, 104)
    assert a is not None
    first, second = a["revisions"]
    assert (first["revision"], second["revision"]) == (1, 2)
    assert first["title"] == ELECTRIC_V1.title and second["title"] == ELECTRIC_V2.title
    assert first["body"] == join_body(ELECTRIC_V1.body)
    assert (first["first_seen"], first["last_seen"]) == (T1, T1)
    assert second["first_seen"] == T2
    assert first["images"][0] == {
        "url": ELECTRIC_V1.images[0].url,
        "caption": "Toàn cảnh Hội nghị tập huấn.",
        "alt": "",
    }
    assert first["attachments"] == [
        {"url": f"{BASE}/Documents/qd-01.pdf", "title": "Quyết định số 01"}
    ]
    assert first["content_hash"] != second["content_hash"]


def test_unknown_article_is_none(db: sqlite_utils.Database) -> None:
    assert get_article(db, 999) is None


def test_iter_articles_all_and_filtered(db: sqlite_utils.Database) -> None:
    rows = list(iter_articles(db))
    assert [r["site_id"] for r in rows] == sorted(a.site_id for a in ARTICLES)
    by_id = {r["site_id"]: r for r in rows}
    assert by_id[104]["categories"] == ["Tin tức sự kiện", "Tin tổng hợp"]
    assert [i["caption"] for i in by_id[104]["images"]] == ["Toàn cảnh Hội nghị tập huấn.", None]
    flt = ArticleFilter(
        since=parse_date("2024", end=False),
        until=parse_date("2024", end=True),
        category="Tin tổng hợp",
    )
    assert [r["site_id"] for r in iter_articles(db, flt)] == [101, 106]


def test_stats(db: sqlite_utils.Database) -> None:
    s = stats(db)
    assert (s["articles"], s["revisions"], s["images"], s["attachments"]) == (7, 8, 2, 1)
    assert (s["files"], s["file_bytes"]) == (1, len(IMAGE_BYTES))
    assert {r["category"]: r["articles"] for r in s["by_category"]} == {
        "Tin tổng hợp": 3,
        "Điểm báo KHCN": 3,
        "Tin tức sự kiện": 1,
    }
    assert {r["year"]: r["articles"] for r in s["by_year"]} == {
        "2022": 1,
        "2023": 1,
        "2024": 4,
        "2025": 1,
    }
    assert [(r["mode"], r["outcome"]) for r in s["runs"]] == [
        ("incremental", "ok"),
        ("full", "partial"),
    ]
    assert s["open_errors"]["count"] == 1
    assert s["open_errors"]["by_kind"] == {"file": 1}
    assert s["open_errors"]["recent"][0]["status"] == 404
