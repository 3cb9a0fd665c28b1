"""Two bugs the fault table found, each with a replica of its own: an article that failed keeps
every listing it was seen in, and an article first found through the feed gets the listing's URL.
Apart from test_faults.py so that ``--dist loadfile`` can run them beside it."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import reliability as rel

# the first runs have an article fail on purpose; files are no part of what is proved
NO_FILES = {"ARCHIVE_FETCH_FILES": False}


@pytest.mark.e2e
def test_an_article_that_failed_keeps_every_listing_it_was_seen_in(tmp_path: Path) -> None:
    """An article on page 2 of a category fails (404) in the first run; the next run (fault
    off, incremental) archives it. Its categories must still include the one whose page 2
    listed it, although an incremental run stops paging that category after page 1."""
    import re
    import sqlite3
    from urllib.parse import urlsplit

    from replica.testing import running_replica

    with running_replica(articles=60, seed=7) as rep:
        site = rep.site
        category, victim = next(
            (c, item["site_id"])
            for c in site.categories()
            for item in site.listing_truth(c["id"], 2)["items"]
            if item["site_id"]
            not in {i["site_id"] for i in site.listing_truth(c["id"], 1)["items"]}
        )
        path = urlsplit(site.truth(victim)["url"]).path
        rep.set_faults(
            {
                "not_found_rate": 1.0,
                "sticky_requests": 1000,
                "path_pattern": "^" + re.escape(path) + "$",
            }
        )
        db = tmp_path / "archive.db"
        first = rel.crawl(rep.base_url, db, NO_FILES)
        rep.set_faults(None)
        second = rel.crawl(rep.base_url, db, NO_FILES)
        expected = set(site.truth(victim)["categories"])
    conn = sqlite3.connect(db)
    got = {
        r[0]
        for r in conn.execute(
            "SELECT c.name FROM article_categories ac JOIN categories c ON c.id = ac.category_id "
            "WHERE ac.site_id = ?",
            [victim],
        )
    }
    print(
        f"\narticle {victim} (page 2 of {category['name']}): exit {first.returncode} then "
        f"{second.returncode}; categories {sorted(got)}, expected {sorted(expected)}"
    )
    assert (first.returncode, second.returncode) == (1, 0)
    assert got == expected


@pytest.mark.e2e
def test_an_article_first_found_by_the_feed_gets_the_listings_url(tmp_path: Path) -> None:
    """While its listing and the web service fail, an article is reachable only through the
    RSS feed's legacy link (``chitiettin.aspx?IDNews=``) and is archived under that URL. Once the
    listing answers again, the record must carry the URL the listing writes (the brief's
    canonical URL), as a clean crawl stores it; otherwise two archives of one site differ."""
    import sqlite3

    from replica.testing import running_replica

    with running_replica(articles=60, seed=7) as rep:
        site = rep.site
        victim = 10125  # listed in "Tin tức sự kiện" (492) only; the feed links it legacy-style
        assert site.truth(victim)["categories"] == ["Tin tức sự kiện"]
        rep.set_faults(
            {
                "not_found_rate": 1.0,
                "sticky_requests": 1000,
                "path_pattern": r"^/vn/chuyen-muc/492/|/GetListposts",
            }
        )
        db = tmp_path / "archive.db"
        first = rel.crawl(rep.base_url, db, NO_FILES)
        rep.set_faults(None)
        second = rel.crawl(rep.base_url, db, NO_FILES)
        expected = site.truth(victim)["url"]
    conn = sqlite3.connect(db)
    row = conn.execute("SELECT url FROM articles WHERE site_id = ?", [victim]).fetchone()
    print(f"\narticle {victim}: exit {first.returncode} then {second.returncode}; url {row}")
    assert row is not None, "the article was not archived at all"
    assert row[0] == expected
