"""The lean archive's migrations convert an archive written in the first format, in place.

The first format is written here the way the archive wrote it before (zlib raw pages, full
FTS5 tables with their own copy of the text, revisions and articles each holding the long
texts): the schema is the first three migrations, the rows are the statements the old
``archive.store`` ran. After ``open_archive`` every raw page must come back byte-identical,
every row and revision must be kept, and search and later writes must work.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import sqlite3
import zlib
from pathlib import Path

import sqlite_utils

from archive import migrations, rawpages, store
from archive.db import open_archive, write_transaction
from archive.normalize import fold
from archive.queries import get_revisions, search
from archive.revisions import article_html
from archive.revisions import texts as revision_texts
from crawler.items import Article, Image

T1, T2 = "2026-01-01T00:00:00+00:00", "2026-01-02T00:00:00+00:00"
BASE = "http://www.most.gov.vn/vn/tin-tuc"
TABLES = (
    "articles",
    "revisions",
    "images",
    "attachments",
    "raw_pages",
    "categories",
    "article_categories",
    "runs",
)


POOL = base64.b64encode(random.Random(0).randbytes(24_000)).decode()  # a shared __VIEWSTATE


def page_bytes(i: int, r: random.Random) -> bytes:
    start = r.randrange(len(POOL) - 3000)
    text = " ".join(r.choices(["Điện", "lực", "khoa", "học", "công", "nghệ", str(i)], k=300))
    return (
        '<html><head><meta charset="utf-8"><title>Bài</title></head><body><form>'
        f'<input type="hidden" name="__VIEWSTATE" value="/wEPDwUK{POOL[start : start + 3000]}" />'
        + "<div class='menu'>"
        + "<a href='/vn/Pages/x.aspx'>Mục</a>" * 60
        + "</div>"
        + f"<h1>Bài {i}</h1><p>{text}</p></form></body></html>"
    ).encode()


def old_format(path: Path) -> dict[str, object]:
    """An archive as the first format wrote it; returns what it holds, to compare with."""
    db = sqlite_utils.Database(sqlite3.connect(path))
    migrations.migrations.apply(db, stop_before="m004_two_portals")
    r = random.Random(5)
    bodies: dict[int, bytes] = {}
    db.execute("INSERT INTO runs (id, started_at, outcome) VALUES (1, ?, 'ok')", [T1])
    for i in range(1, 81):  # more pages than a dictionary is built from
        body = page_bytes(i, r)
        url = f"{BASE}/{i}/bai.aspx" if i % 9 else f"https://mst.gov.vn/tin/{i}.htm"
        cur = db.execute(
            "INSERT INTO raw_pages (url, status, headers_json, body, body_sha256, content_type, "
            "fetched_at, run_id, size) VALUES (?, 200, ?, ?, ?, 'text/html', ?, 1, ?)",
            [
                url,
                json.dumps([["Content-Type", "text/html"]]),
                zlib.compress(body, 6),
                hashlib.sha256(body).hexdigest(),
                T1,
                len(body),
            ],
        )
        bodies[int(cur.lastrowid or 0)] = body
    db.execute("INSERT INTO categories (id, name, url) VALUES (7, 'Tin', '/c/7')")
    current: list[tuple[int, str, str, str, str]] = [
        (1, "Điện lực miền Trung", "Sapo một", "Đoạn một.\n\nĐoạn hai.", "<p>Đoạn một.</p>"),
        (2, "Khoa học đã sửa", "Sapo hai", "Thủy sản.", "<p>Thủy sản.</p>"),
    ]
    for sid, title, lead, text, html in current:
        db.execute(
            "INSERT INTO articles (site_id, url, title, lead, body, body_html, published_at, "
            "parser, content_hash, revision, first_seen, last_seen, last_checked, "
            "last_changed, page_id) VALUES (?, ?, ?, ?, ?, ?, '2026-01-01', 'most/1', ?, ?, ?, "
            "?, ?, ?, ?)",
            [
                sid,
                f"{BASE}/{sid}/bai.aspx",
                title,
                lead,
                text,
                html,
                f"h{sid}b",
                sid,
                T1,
                T2,
                T2,
                T2,
                sid,
            ],
        )
        db.execute(
            "INSERT INTO images (site_id, position, url, caption, alt) VALUES "
            "(?, 0, ?, 'Ảnh toàn cảnh', '')",
            [sid, f"http://h/{sid}.jpg"],
        )
        db.execute("INSERT INTO article_categories (site_id, category_id) VALUES (?, 7)", [sid])
        texts = [title, lead, text, "Ảnh toàn cảnh", ""]
        for table, values in (
            ("articles_fts_exact", texts),
            ("articles_fts", [fold(t) for t in texts]),
        ):
            db.execute(
                f"INSERT INTO {table} (rowid, title, lead, body, captions, source) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [sid, *values],
            )
    revisions = [  # site, revision, title, lead, body, html
        (1, 1, "Điện lực miền Trung", "Sapo một", "Đoạn một.\n\nĐoạn hai.", "<p>Đoạn một.</p>"),
        (2, 1, "Khoa học", "Sapo cũ", "Thủy sản cũ.", "<p>Thủy sản cũ.</p>"),
        (2, 2, "Khoa học đã sửa", "Sapo hai", "Thủy sản.", "<p>Thủy sản.</p>"),
    ]
    for sid, rev, title, lead, text, html in revisions:
        db.execute(
            "INSERT INTO revisions (site_id, revision, content_hash, title, lead, body, "
            "images_json, attachments_json, parser, reason, first_seen, last_seen, page_id, "
            "body_html, url) VALUES (?, ?, ?, ?, ?, ?, '[]', '[]', 'most/1', 'crawl', ?, ?, ?, "
            "?, ?)",
            [
                sid,
                rev,
                f"h{sid}{'ab'[rev - 1]}",
                title,
                lead,
                text,
                T1,
                T2,
                sid,
                html,
                f"{BASE}/{sid}/bai.aspx",
            ],
        )
    counts = {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
    db.conn.commit()
    db.close()
    return {"bodies": bodies, "revisions": revisions, "counts": counts}


def test_an_old_archive_is_converted_in_place_and_loses_nothing(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    before = old_format(path)
    db = open_archive(path)  # migrates
    assert "m006_raw_page_dictionaries" in migrations.applied(db)
    counts = {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
    assert counts == before["counts"]
    bodies = before["bodies"]
    assert isinstance(bodies, dict)
    for page_id, body in bodies.items():
        assert rawpages.page_body(db, page_id) == body, page_id
    rows = db.execute("SELECT portal, codec, dictionary_id, length(body) FROM raw_pages").fetchall()
    urls = [u for (u,) in db.execute("SELECT url FROM raw_pages")]
    portals = sorted({rawpages.portal_of(u) for u in urls})  # as crawler.portals knows them
    assert sorted({(p, c) for p, c, _, _ in rows}) == [(p, "zstd-dict") for p in portals]
    zlib_bytes = sum(len(zlib.compress(b, 6)) for b in bodies.values())
    assert sum(n for *_, n in rows) < zlib_bytes / 10  # the pages share most of their bytes
    dictionaries = db.execute("SELECT portal FROM raw_page_dictionaries ORDER BY id").fetchall()
    assert sorted(p for (p,) in dictionaries) == portals  # one per portal
    # Every revision, as the read side gives it, with its HTML.
    revisions = before["revisions"]
    assert isinstance(revisions, list)
    for sid, rev, title, lead, body, html in revisions:
        (got,) = [r for r in get_revisions(db, sid) if r["revision"] == rev]
        assert (got["title"], got["lead"], got["body"]) == (title, lead, body)
        row = db.query("SELECT * FROM revisions WHERE site_id = ? AND revision = ?", [sid, rev])
        assert revision_texts(db, sid, next(row))[2] == html
    assert article_html(db, 1) == "<p>Đoạn một.</p>"
    packed = db.execute("SELECT count(*) FROM articles WHERE body_html IS NULL").fetchone()
    assert packed == (2,)
    # Search works on the rebuilt (contentless) index, accents as typed first.
    assert [h.site_id for h in search(db, "điện lực")] == [1]
    assert [h.site_id for h in search(db, "thuy san")] == [2]
    assert [h.site_id for h in search(db, "toan canh")] == [2, 1]
    # A later change replaces the indexed words (the old ones are deleted from the index).
    changed = Article(
        site_id=1,
        url=f"{BASE}/1/bai.aspx",
        title="Năng lượng",
        lead="Sapo mới",
        body=["Gió."],
        body_html="<p>Gió.</p>",
        published_at="2026-01-03",
        category=None,
        source=None,
        parser="most/1",
        images=[Image("http://h/1.jpg", "Tua bin")],
    )
    assert store.save_article(db, changed, page_id=None, fetched_at=T2) == "updated"
    assert search(db, "điện lực") == [] and search(db, "toan canh")[0].site_id == 2
    assert [h.site_id for h in search(db, "tua bin")] == [1]
    history = get_revisions(db, 1)
    assert [(r["revision"], r["lead"]) for r in history] == [(1, "Sapo một"), (2, "Sapo mới")]
    # New pages of a portal with a dictionary use it.
    new_id = store.save_page(
        db,
        url=f"{BASE}/99/bai.aspx",
        status=200,
        headers={},
        body=page_bytes(99, random.Random(1)),
        fetched_at=T2,
        run_id=None,
    )
    (codec,) = db.execute("SELECT codec FROM raw_pages WHERE id = ?", [new_id]).fetchone()
    assert codec == "zstd-dict"


def test_a_portal_gets_its_dictionary_and_older_rows_stay_readable(tmp_path: Path) -> None:
    db = open_archive(tmp_path / "a.db")
    r = random.Random(3)
    pages: dict[int, bytes] = {}

    def save(i: int, portal: str | None = None) -> int:
        body = page_bytes(i, r)
        page_id = store.save_page(
            db,
            url=f"http://www.most.gov.vn/vn/{i}",
            status=200,
            headers={},
            body=body,
            fetched_at=T1,
            run_id=None,
            portal=portal,
        )
        pages[page_id] = body
        return page_id

    for i in range(rawpages.TRAIN_PAGES - 1):
        save(i)
    assert db.execute("SELECT count(*) FROM raw_page_dictionaries").fetchone()[0] == 0
    save(1000)  # completes the sample: the dictionary is made, earlier pages re-encoded
    assert db.execute("SELECT DISTINCT codec, dictionary_id FROM raw_pages").fetchall() == [
        ("zstd-dict", 1)
    ]
    save(5, portal="mst")  # another portal: no dictionary of its own yet
    (codec,) = db.execute("SELECT codec FROM raw_pages ORDER BY id DESC LIMIT 1").fetchone()
    assert codec == "zstd"
    # A new dictionary for the portal: new pages use it, older rows keep theirs and read back.
    with write_transaction(db):
        second = rawpages.train_dictionary(db, "most", created_at=T2, reencode="none")
    assert second == 2
    newest = save(2000)
    assert db.execute("SELECT dictionary_id FROM raw_pages WHERE id = ?", [newest]).fetchone() == (
        2,
    )
    for page_id, body in pages.items():
        assert rawpages.page_body(db, page_id) == body


def test_pages_re_encoded_with_the_first_dictionary_are_packed_tight(tmp_path: Path) -> None:
    """Pages stored before the portal had a dictionary are big (a leaf page each); once they
    are re-encoded they take a few pages, not one each, and stay exact and referenced."""
    db = open_archive(tmp_path / "a.db")
    r = random.Random(4)
    pages: dict[int, bytes] = {}
    before: dict[int, tuple[object, ...]] = {}
    for i in range(rawpages.TRAIN_PAGES):
        body = page_bytes(i, r) + r.randbytes(6000).hex().encode()  # too big for a dictionary
        with write_transaction(db):
            page_id = store.save_page(
                db,
                url=f"http://www.most.gov.vn/vn/{i}",
                status=200,
                headers={"Server": "IIS"},
                body=body,
                fetched_at=T1,
                run_id=None,
            )
            db.execute(
                "INSERT INTO revisits (url, fetched_at, status, page_id) VALUES (?, ?, 200, ?)",
                [f"http://www.most.gov.vn/vn/{i}", T2, page_id],
            )
        pages[page_id] = body
        before[page_id] = db.execute(
            "SELECT url, status, headers_packed, body_sha256, fetched_at, size, portal "
            "FROM raw_pages WHERE id = ?",
            [page_id],
        ).fetchone()
    assert db.execute("SELECT DISTINCT codec FROM raw_pages").fetchall() == [("zstd-dict",)]
    for page_id, body in pages.items():
        assert rawpages.page_body(db, page_id) == body
        assert (
            db.execute(
                "SELECT url, status, headers_packed, body_sha256, fetched_at, size, portal "
                "FROM raw_pages WHERE id = ?",
                [page_id],
            ).fetchone()
            == before[page_id]
        )
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert db.execute("SELECT count(*) FROM revisits").fetchone()[0] == rawpages.TRAIN_PAGES
    payload, leaves = db.execute(
        "SELECT sum(payload), count(*) FROM dbstat WHERE name = 'raw_pages' AND pagetype = 'leaf'"
    ).fetchone()
    assert leaves <= payload // 4096 + 3, f"{leaves} leaf pages for {payload} bytes of rows"
