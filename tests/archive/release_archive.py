"""Write a small archive through the write API of whichever ``archive`` package is importable.

Run with the code of an earlier release first on the path, it writes an archive exactly as that
release does (its migrations, its store), which the current code must then migrate in place
(tests/archive/test_migrate_release.py)::

    git archive 0af8c00 archive crawler/__init__.py crawler/items.py | tar -x -C /tmp/release
    PYTHONPATH=/tmp/release python tests/archive/release_archive.py /tmp/release.db

Only API calls the release already had are used, with fixed times, so the content is the same
at every run; ``ARTICLES`` is also read by the test, to store the same articles again with the
current code.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

RELEASE = "0af8c00"  # the last commit before the second portal (issue 11)
BASE = "https://www.most.gov.vn"
T = [f"2026-11-2{d}T06:00:00+00:00" for d in range(1, 8)]  # capture times, in order

ARTICLES: list[dict[str, Any]] = [
    {
        "site_id": 13245,
        "url": f"{BASE}/vn/tin-tuc/13245/hoi-nghi-khoa-hoc.aspx",
        "title": "Hội nghị khoa học về điện hạt nhân",
        "lead": "Sáng 26/4, Bộ KH&CN tổ chức hội nghị.",
        "body": ["Đoạn một về điện.", "Đoạn hai | có bảng"],
        "body_html": "<p>Đoạn một về điện.</p><table><tr><td>Đoạn hai</td></tr></table>",
        "published_at": "2024-04-26T10:30:00+07:00",
        "category": "Tin tổng hợp",
        "source": "Báo Khoa học và Phát triển",
        "images": [
            {"url": f"{BASE}/Images/a%20b.jpg", "caption": "Toàn cảnh Hội nghị", "alt": "x"},
            {"url": f"{BASE}/Images/c.png", "caption": None, "alt": ""},
        ],
        "attachments": [{"url": f"{BASE}/Files/qd1.pdf", "title": "Quyết định số 1"}],
        "parser": "most/1",
    },
    {
        "site_id": 102,
        "url": f"{BASE}/vn/Pages/chitiettin.aspx?IDNews=102",
        "title": "Đảng ủy Bộ họp",
        "lead": "",
        "body": ["Nội dung."],
        "body_html": "<p>Nội dung.</p>",
        "published_at": "2025-01-02T08:00:00+07:00",
        "category": "Tin tức sự kiện",
        "source": None,
        "parser": "most/1",
    },
    {
        "site_id": 7,
        "url": f"{BASE}/vn/tin-tuc/7/x.aspx",
        "title": "Tin không ngày",
        "lead": "Tóm tắt",
        "body": ["Một.", "Hai."],
        "body_html": "<p>Một.</p><p>Hai.</p>",
        "published_at": None,
        "category": None,
        "source": "Theo VnExpress",
        "parser": "fallback-trafilatura/1",
    },
]
# The second version of article 13245 (a corrected body): revision 2.
REVISED = {**ARTICLES[0], "body": ["Đoạn một về điện, đã sửa.", "Đoạn hai | có bảng"]}


def write(path: Path) -> None:
    """Write the archive at ``path`` (its files folder beside it) with the importable code."""
    from archive import store
    from archive.db import open_archive
    from archive.files import files_dir_for
    from crawler.items import Article

    db = open_archive(path)
    files = files_dir_for(path)
    run = store.start_run(db, site=BASE, mode="full")
    listing = store.save_page(
        db,
        url=f"{BASE}/vn/chuyen-muc/493/tin-tong-hop.aspx",
        status=200,
        headers={"Content-Type": "text/html; charset=utf-8"},
        body=b"<html>listing</html>",
        fetched_at=T[0],
        run_id=run,
    )
    assert listing
    store.save_category(db, 570, "Điểm báo về KH&CN", f"{BASE}/vn/chuyen-muc/570/diem-bao.aspx")
    for n, data in enumerate(ARTICLES):
        page = store.save_page(
            db,
            url=data["url"],
            status=200,
            headers=[("Content-Type", "text/html"), ("ETag", f'"e{n}"')],
            body=f"<html>{data['title']}</html>".encode(),
            fetched_at=T[0],
            run_id=run,
        )
        store.save_article(
            db,
            Article.from_dict(data),
            page_id=page,
            fetched_at=T[0],
            run_id=run,
            listed_in=[(493, "Tin tổng hợp", f"{BASE}/vn/chuyen-muc/493/tin-tong-hop.aspx")],
            etag=f'"e{n}"',
        )
    # A second capture: 13245 changed (revision 2), 102 unchanged, 7 re-checked (304).
    page = store.save_page(
        db,
        url=REVISED["url"],
        status=200,
        headers={"Content-Type": "text/html"},
        body=b"<html>revised</html>",
        fetched_at=T[1],
        run_id=run,
    )
    store.save_article(db, Article.from_dict(REVISED), page_id=page, fetched_at=T[1])
    store.save_article(db, Article.from_dict(ARTICLES[1]), page_id=None, fetched_at=T[1])
    store.mark_checked(db, 7, fetched_at=T[2], etag='"e2b"')
    store.add_listing(db, 13245, 570, "Điểm báo về KH&CN", None)
    store.add_listing(
        db, 102, 493, None, None, article_url=f"{BASE}/vn/tin-tuc/102/dang-uy-bo-hop.aspx"
    )
    for url, body, ctype in (
        (ARTICLES[0]["images"][0]["url"], b"\xff\xd8jpeg bytes", "image/jpeg"),
        (ARTICLES[0]["attachments"][0]["url"], b"%PDF-1.4 pdf bytes", "application/pdf"),
    ):
        store.save_file(db, files, url=url, body=body, content_type=ctype, fetched_at=T[2])
    store.record_error(
        db,
        url=f"{BASE}/vn/tin-tuc/999/x.aspx",
        kind="article",
        status=500,
        reason="HTTP 500",
        run_id=run,
        at=T[2],
    )
    store.record_error(
        db,
        url=f"{BASE}/Images/gone.jpg",
        kind="file",
        status=404,
        reason="HTTP 404",
        run_id=run,
        at=T[2],
    )
    store.resolve_error(db, f"{BASE}/Images/gone.jpg", at=T[3])
    store.finish_run(db, run, outcome="partial", counts={"pages_fetched": 5, "errors": 1})
    db.conn.close()


if __name__ == "__main__":
    write(Path(sys.argv[1]))
