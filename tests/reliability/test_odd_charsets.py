"""A page that declares a codec no page is written in (rot13, base64, zlib: no text encodings;
punycode, idna: raise on any other byte) made the parser raise inside the crawl: the article
was neither archived nor recorded as failed, and the run said ok. It is read as UTF-8."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from .support import Page, PageServer, article_page, crawl, mini_site


def test_an_odd_declared_charset_is_read_as_utf8(tmp_path: Path) -> None:
    pages = {}
    for site_id, charset in enumerate(("rot13", "base64", "punycode"), start=801):
        html = article_page(f"Bài {charset}", "<p>Khoa học và công nghệ.</p><p>STRAY</p>")
        html = html.replace(b"charset=utf-8", f"charset={charset}".encode())
        # one byte that is no UTF-8 (the page is then decoded as it declares)
        pages[site_id] = Page(html.replace(b"STRAY", b"\xe1"))
    db = tmp_path / "a.db"
    with PageServer(mini_site(pages)) as site:
        result = crawl(site.base_url, db)
    conn = sqlite3.connect(db)
    try:
        titles = sorted(r[0] for r in conn.execute("SELECT title FROM articles"))
    finally:
        conn.close()
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    assert titles == ["Bài base64", "Bài punycode", "Bài rot13"]
    assert result.returncode == 0, result.stderr[-2000:]
