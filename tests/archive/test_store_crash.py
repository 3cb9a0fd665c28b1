"""archive.store under SIGKILL: a writer killed at random points never leaves a half article."""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Saves articles 1..400 (site_id % 5 images each), then keeps editing them (new revisions),
# printing a line after every commit, until killed.
WRITER = """
import sys
from archive.db import open_archive
from archive import store
from crawler.items import Article, Image
db = open_archive(sys.argv[1])
def art(i, v):
    return Article(site_id=i, url=f"http://h/{i}", title=f"Bài {i} bản {v}", lead="sapo",
                   body=[f"đoạn {v}"] * 20, body_html="", published_at=None, category=None,
                   source=None, parser="t",
                   images=[Image(f"http://h/{i}/{k}.jpg", f"ảnh {k} {v}") for k in range(i % 5)])
v = int(sys.argv[2])  # a fresh version number per process: its first saves are new revisions
while True:
    v += 1
    for i in range(1, 401):
        pid = store.save_page(db, url=f"http://h/{i}", status=200, headers={},
                              body=f"{i} {v}".encode() * 200, fetched_at="t", run_id=None)
        store.save_article(db, art(i, v), page_id=pid, fetched_at=f"2026-01-01T00:{v % 60:02d}",
                           listed_in=[(i % 3, None, None)])
        print(i, flush=True)
"""

CHECKS = {
    "articles without all their images": """
        SELECT count(*) FROM articles a
        WHERE (SELECT count(*) FROM images i WHERE i.site_id = a.site_id) != a.site_id % 5""",
    "revision rows not matching the article's revision": """
        SELECT count(*) FROM articles a
        WHERE (SELECT count(*) FROM revisions r WHERE r.site_id = a.site_id) != a.revision
           OR (SELECT content_hash FROM revisions r WHERE r.site_id = a.site_id
               AND r.revision = a.revision) != a.content_hash""",
    "articles whose FTS row is missing or stale": """
        SELECT count(*) FROM articles a LEFT JOIN temp.title_terms t ON t.doc = a.site_id
        WHERE t.terms IS NOT lower(a.title)""",
    "folded FTS rows not matching articles": """
        SELECT (SELECT count(*) FROM articles_fts_docsize) - (SELECT count(*) FROM articles)""",
    "articles without their listing": """
        SELECT count(*) FROM articles a WHERE NOT EXISTS (SELECT 1 FROM article_categories c
        WHERE c.site_id = a.site_id AND c.category_id = a.site_id % 3)""",
    "orphan images": """
        SELECT count(*) FROM images WHERE site_id NOT IN (SELECT site_id FROM articles)""",
}


def check(db_path: Path) -> int:
    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        # The full-text tables keep no text: read the title's indexed words back from the index.
        conn.execute(
            "CREATE VIRTUAL TABLE temp.terms USING fts5vocab(main, articles_fts_exact, instance)"
        )
        conn.execute(
            "CREATE TEMP TABLE title_terms AS SELECT doc, "
            "group_concat(term, ' ') AS terms FROM (SELECT doc, term FROM temp.terms "
            "WHERE col = 'title' "
            "ORDER BY doc, offset) GROUP BY doc"
        )
        for what, sql in CHECKS.items():
            assert conn.execute(sql).fetchone()[0] == 0, what
        return int(conn.execute("SELECT count(*) FROM revisions").fetchone()[0])
    finally:
        conn.close()


def test_sigkill_at_random_points_leaves_whole_articles(tmp_path: Path) -> None:
    db_path = tmp_path / "archive.db"
    r = random.Random(7)
    revisions = 0
    for run in range(8):
        base = str(run * 1000)
        writer = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(db_path), base],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert writer.stdout is not None
        for _ in range(r.randint(1, 300)):
            assert writer.stdout.readline(), "writer stopped early"
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=60)
        now = check(db_path)
        assert now > revisions  # the runs did write, and nothing was lost
        revisions = now
