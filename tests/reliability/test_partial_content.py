"""A ``206 Partial Content`` answer to a request for the whole resource (no ``Range`` sent) is a
part of it, never the page or the file: a cut article or a cut image archived as whole would be
a cron run that says ok while the archive is wrong. It is retried like a body cut short, then
recorded as a failure; the next run fetches it again."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from .support import Page, PageServer, article_page, crawl, mini_site

HTML = {"Content-Type": "text/html; charset=utf-8"}
IMAGE = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 40 + b"\xff\xd9"


def test_a_206_answer_is_never_archived_as_the_whole(tmp_path: Path) -> None:
    whole = article_page("Bài bị cắt", "<p>Đoạn một.</p>" + "<p>Đoạn sau, dài hơn.</p>" * 40)
    part = whole[: len(whole) * 2 // 3]  # a part: title, date and lead in, the end cut off
    with_image = article_page("Có ảnh", '<p>Ảnh dưới.</p><p><img src="/img/anh.jpg"></p>')
    half = {"Content-Type": "image/jpeg", "Content-Range": f"bytes 0-999/{len(IMAGE)}"}
    pages = mini_site(
        {
            801: Page(part, status=206, headers={**HTML, "Content-Range": "bytes 0-99/9999"}),
            802: Page(with_image),
            803: Page(article_page("Bình thường", "<p>Ổn.</p>")),
        }
    )
    pages["/img/anh.jpg"] = Page(IMAGE[:1000], status=206, headers=half)
    db = tmp_path / "archive.db"
    with PageServer(pages) as site:
        result = crawl(site.base_url, db, "-s", "RETRY_TIMES=1")
    conn = sqlite3.connect(db)
    try:
        stored = sorted(r[0] for r in conn.execute("SELECT site_id FROM articles"))
        files = conn.execute("SELECT url, size FROM files").fetchall()
        errors = conn.execute(
            "SELECT url, reason FROM fetch_errors WHERE resolved_at IS NULL AND kind != 'discovery'"
        ).fetchall()
        outcome = conn.execute("SELECT outcome FROM runs").fetchall()
    finally:
        conn.close()
    assert 801 not in stored, "a part of the page was archived as the article"
    assert stored == [802, 803]
    assert not [f for f in files if f[0].endswith("/img/anh.jpg")], files  # no cut image
    failed = {url.rsplit("/", 1)[-1]: reason for url, reason in errors}
    assert "206" in failed.get("bai-viet-801.aspx", ""), failed
    assert "206" in failed.get("anh.jpg", ""), failed
    assert outcome == [("partial",)] and result.returncode == 1, result.stderr[-2000:]
