"""Attacks that already held before issue 13, kept in the hostile-server table
(``make reliability``) so they keep holding: here, a decompression bomb."""

from __future__ import annotations

import gzip
import sqlite3
from pathlib import Path

import pytest

from .support import Page, PageServer, article_page, crawl, mini_site

pytestmark = [pytest.mark.e2e, pytest.mark.slow]  # the hostile table runs it


def test_a_gzip_bomb_is_cut_off(tmp_path: Path) -> None:
    """64 KiB on the wire that inflate to 64 MiB: cut off at the page size limit, recorded as
    too large; the page next to it is archived."""
    bomb = gzip.compress(b"<html><body>" + b"\0" * (64 << 20), compresslevel=9)
    assert len(bomb) < 128 * 1024
    headers = {"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip"}
    pages = mini_site(
        {701: Page(bomb, headers=headers), 702: Page(article_page("Bình thường", "<p>Ổn.</p>"))}
    )
    db = tmp_path / "archive.db"
    with PageServer(pages) as site:
        result = crawl(site.base_url, db)
    conn = sqlite3.connect(db)
    try:
        stored = [r[0] for r in conn.execute("SELECT site_id FROM articles")]
        sql = "SELECT reason FROM fetch_errors WHERE kind = 'article'"
        reasons = [r[0] for r in conn.execute(sql)]
    finally:
        conn.close()
    assert result.returncode == 1, result
    assert stored == [702]
    assert len(reasons) == 1 and "too large" in reasons[0], reasons
