"""A hanging URL costs about a minute, a large file arriving steadily is not cut short, a huge
listing is bounded (issue 13, point 9). Timeouts are scaled down (DOWNLOAD_TIMEOUT=1 s) so the
same rules run in seconds."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from replica.testing import running_replica
from tests.reliability.support import (
    HOME,
    LISTING,
    Page,
    PageServer,
    article_page,
    article_path,
    home_page,
    listing_page,
    mini_site,
)

from .support import crawl, query

pytestmark = pytest.mark.e2e

TIMEOUT = 1  # DOWNLOAD_TIMEOUT of these crawls, seconds
FAST = ("-s", f"DOWNLOAD_TIMEOUT={TIMEOUT}", "-s", "ARCHIVE_DISCOVERY=0")


def _hits(requests: list[dict[str, object]], path: str) -> int:
    return sum(1 for r in requests if r["path"] == path)


def test_a_hanging_url_is_tried_twice_then_given_up(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    with running_replica(articles=12, seed=9) as rep:
        victim = rep.site.truth(rep.site.article_ids()[0])["url"].removeprefix(rep.base_url)
        rep.set_faults({"hang_rate": 1.0, "hang_seconds": 60, "path_pattern": f"^{victim}$"})
        started = time.monotonic()
        done = crawl(rep.base_url, db, *FAST, "-s", "ARCHIVE_FETCH_FILES=0")
        seconds = time.monotonic() - started
        tries = _hits(rep.requests(), victim)
    assert done.returncode == 1, done.stderr[-2000:]
    assert tries == 2, f"the hanging URL was tried {tries} times"  # 1 + ARCHIVE_TIMEOUT_RETRIES
    errors = query(db, "SELECT reason FROM fetch_errors WHERE resolved_at IS NULL")
    assert len(errors) == 1 and "Timeout" in errors[0][0], errors
    assert seconds < 30, seconds  # 2 tries x 1 s, not 6 x 1 s plus backoff


def test_a_large_file_arriving_steadily_is_not_cut_short(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    with running_replica(articles=12, seed=9) as rep:
        files = [i["url"] for a in rep.site.article_ids() for i in rep.site.truth(a)["images"]]
        path = files[0].removeprefix(rep.base_url)
        # the file arrives in 20 pieces over 1.5 x the timeout: bytes keep coming all along
        rep.set_faults(
            {"drip_rate": 1.0, "drip_seconds": 1.5 * TIMEOUT, "path_pattern": f"^{path}$"}
        )
        done = crawl(rep.base_url, db, *FAST)
        tries = _hits(rep.requests(), path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert query(db, "SELECT count(*) FROM files WHERE url = ?", (files[0],)) == [(1,)]
    assert tries == 2, tries  # cut once at 1 s while receiving, then given 4 s
    assert "slow transfer of" in done.stderr


def test_a_huge_listing_is_bounded(tmp_path: Path) -> None:
    """A listing of 5,000 article links (a real one lists 10 to 20): only
    ARCHIVE_MAX_LINKS_PER_PAGE are followed; one over the page size limit is refused without
    being parsed."""
    ids = list(range(100_000, 105_000))
    huge = listing_page(ids)
    pages = {HOME: Page(home_page()), LISTING: Page(huge)}
    pages |= {article_path(i): Page(article_page(f"Bài {i}", "<p>Thân bài.</p>")) for i in ids[:5]}
    db = tmp_path / "a.db"
    with PageServer(pages) as site:
        done = crawl(
            site.base_url,
            db,
            *FAST,
            "-s",
            "ARCHIVE_MAX_LINKS_PER_PAGE=5",
            "-s",
            f"ARCHIVE_MAX_PAGE_BYTES={2 * len(huge)}",
        )
        article_hits = [p for p in site.paths() if p.startswith("/vn/tin-tuc/")]
    assert len(article_hits) == 5, len(article_hits)
    assert "only the first 5 are followed" in done.stderr
    assert query(db, "SELECT count(*) FROM articles") == [(5,)]
    db2 = tmp_path / "b.db"
    with PageServer(pages) as site:
        refused = crawl(site.base_url, db2, *FAST, "-s", f"ARCHIVE_MAX_PAGE_BYTES={len(huge) // 4}")
        article_hits = [p for p in site.paths() if p.startswith("/vn/tin-tuc/")]
    assert refused.returncode == 1, refused.stderr[-2000:]
    assert article_hits == []
    reasons = query(db2, "SELECT reason FROM fetch_errors WHERE kind = 'listing'")
    assert reasons and "too large" in reasons[0][0], reasons


def test_an_article_of_thousands_of_images_is_bounded(tmp_path: Path) -> None:
    """An article page holding thousands of images (a broken template, a defaced page: a real
    one holds a few dozen) made the crawl fetch every one of them, from any host, run after run
    until each had a file. At most ARCHIVE_MAX_FILES_PER_ARTICLE images and as many attachments
    of one article are fetched, in document order, the rest left out with a warning, in this
    run and in the later ones; the article itself is archived whole (every image listed)."""
    images = [f"/Images/editor/images/p{n}.jpg" for n in range(40)]
    documents = [f"/Images/editor/files/d{n}.pdf" for n in range(3)]
    body = "".join(f'<p><img src="{src}" alt="Ảnh {n}"></p>' for n, src in enumerate(images))
    body += "".join(f'<p><a href="{href}">Tệp {n}</a></p>' for n, href in enumerate(documents))
    pages = mini_site({704: Page(article_page("Album ảnh", body))})
    pages |= {src: Page(b"\xff\xd8jpeg", headers={"Content-Type": "image/jpeg"}) for src in images}
    pages |= {
        href: Page(b"%PDF-1.4 x", headers={"Content-Type": "application/pdf"}) for href in documents
    }
    db = tmp_path / "a.db"
    cap = ("-s", "ARCHIVE_MAX_FILES_PER_ARTICLE=5")
    with PageServer(pages) as site:
        done = crawl(site.base_url, db, *FAST, *cap)
        first = [p for p in site.paths() if p.startswith("/Images/")]
        again = crawl(site.base_url, db, *FAST, *cap)
        second = [p for p in site.paths() if p.startswith("/Images/")][len(first) :]
    assert done.returncode == 0, done.stderr[-2000:]
    assert sorted(first) == sorted(images[:5] + documents), first
    assert "40 images and 3 attachments: only the first 5 of each are fetched" in done.stderr
    assert query(db, "SELECT count(*) FROM images") == [(40,)]  # the page as it is
    assert query(db, "SELECT count(*) FROM files") == [(8,)]
    assert again.returncode == 0, again.stderr[-2000:]
    assert second == []  # the images left out are not "missing" files of the next run either
