"""Each fault of the replica, one test each: the crawl finishes, every article the server
delivered is archived exactly once and as a clean crawl stores it, every permanent failure is in
``fetch_errors`` with its reason, the exit code says so, and a re-run without the fault gets
everything. Nothing is ever requested from the trap at the replica's offsite base.

The scenarios and the checks are those of ``make reliability`` (``benchmarks.reliability``);
each test prints its figure (requests, faulted answers, retries, articles, failures). `make test`
runs the scenarios in ``IN_MAKE_TEST``; ``MOST_ARCHIVE_SLOW=1`` runs them all here too.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from benchmarks import reliability as rel

# `make test` runs one scenario of each kind of failure, the "every try" one where there are
# two (a retry that fails again, then a recorded failure); transient errors that a retry cures
# are tests/e2e/test_crawl.py's too. The others, the ones that mostly wait (Retry-After, drips,
# timeouts), are marked slow: `make reliability`, which CI runs, runs every scenario.
IN_MAKE_TEST = {
    "500-503-on-articles-every-try",
    "500-on-friendly-article-urls-legacy-url-works",
    "resets-on-articles-every-try",
    "truncated-articles-every-try",
    "wrong-charset-content-type",
    "pdf-instead-of-an-article",
    "redirect-loops",
    "offsite-redirects",
    "404-pages",
    "oversized-limit",
}


@pytest.mark.e2e
@pytest.mark.parametrize(
    "scenario",
    [
        pytest.param(
            s, id=s.key, marks=[pytest.mark.slow] if s.slow or s.key not in IN_MAKE_TEST else []
        )
        for s in rel.SCENARIOS
    ],
)
def test_fault(
    scenario: rel.Scenario,
    fault_replica: Any,
    clean_snapshot: dict[str, Any],
    trap_site: tuple[str, list[str]],
    tmp_path: Path,
) -> None:
    outcome = rel.run_scenario(fault_replica, scenario, tmp_path, clean_snapshot, trap_site[1])
    print("\n" + outcome.figure())
    assert outcome.violations == [], "\n".join([*outcome.violations, outcome.log_tail])
    assert outcome.faulted > 0, "the fault never fired: the test proved nothing"


def test_checks_catch_a_broken_archive(
    tmp_path: Path, clean_snapshot: dict[str, Any], fault_replica: Any
) -> None:
    """The checks the fault tests rely on do fail on a damaged archive."""
    import shutil
    import sqlite3

    db = tmp_path / "archive.db"
    run = rel.crawl(fault_replica.base_url, db)
    assert run.returncode == 0
    assert rel.problems(db) == [] and rel.differences(clean_snapshot, rel.snapshot(db)) == []
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA foreign_keys = OFF")
    victim = conn.execute("SELECT site_id FROM images LIMIT 1").fetchone()[0]
    conn.execute("DELETE FROM images WHERE site_id = ?", [victim])
    conn.execute(
        "UPDATE articles SET title = 'x' WHERE site_id = (SELECT max(site_id) FROM articles)"
    )
    conn.execute("INSERT INTO attachments (site_id, position, url) VALUES (-1, 0, 'u')")
    conn.commit()
    conn.close()
    shutil.copy(__file__, db.with_name("archive-files") / "stray.txt")
    found = "\n".join(rel.problems(db) + rel.differences(clean_snapshot, rel.snapshot(db)))
    for expected in (
        f"article {victim} half-written",
        "attachments without article",
        "file without files row",
        "articles: 1 different",
        "images: 1 missing",
    ):
        assert expected in found


# mst.gov.vn (issue 11): one row of the site and one of its media host in `make test`
MST_IN_MAKE_TEST = {"mst-500-503-on-articles-every-try", "mst-500-503-on-media-files-every-try"}


@pytest.mark.e2e
@pytest.mark.parametrize(
    "scenario",
    [
        pytest.param(s, id=s.key, marks=[] if s.key in MST_IN_MAKE_TEST else [pytest.mark.slow])
        for s in rel.MST_SCENARIOS
    ],
)
def test_mst_fault(
    scenario: rel.Scenario,
    mst_fault_replica: Any,
    mst_clean_snapshot: dict[str, Any],
    mst_trap: tuple[str, list[str]],
    tmp_path: Path,
) -> None:
    """The same promises on the mst replica: its zone pages, timeline fragments, articles and
    the files of its media host."""
    outcome = rel.run_scenario(
        mst_fault_replica, scenario, tmp_path, mst_clean_snapshot, mst_trap[1]
    )
    print("\n" + outcome.figure())
    assert outcome.violations == [], "\n".join([*outcome.violations, outcome.log_tail])
    assert outcome.faulted > 0, "the fault never fired: the test proved nothing"
    if scenario.media_faults and "every try" in scenario.name:
        assert outcome.recorded > 0, "no file failure recorded: the media faults proved nothing"
    elif scenario.media_faults:  # faults on some tries: the files were asked again and stored
        assert outcome.retries > 0, "no file was asked again: the media faults proved nothing"


@pytest.mark.e2e
def test_an_article_that_failed_keeps_every_listing_it_was_seen_in(tmp_path: Path) -> None:
    """An article on page 2 of a category fails (404) in the first run; the next run (fault
    off, incremental) archives it. Its categories must still include the one whose page 2
    listed it, although an incremental run stops paging that category after page 1."""
    import re
    import sqlite3
    from urllib.parse import urlsplit

    from replica.testing import running_replica

    with (
        rel.trap_server() as (trap, _),
        running_replica(articles=60, seed=7, offsite_base=trap) as rep,
    ):
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
        first = rel.crawl(rep.base_url, db)
        rep.set_faults(None)
        second = rel.crawl(rep.base_url, db)
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

    with (
        rel.trap_server() as (trap, _),
        running_replica(articles=60, seed=7, offsite_base=trap) as rep,
    ):
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
        first = rel.crawl(rep.base_url, db)
        rep.set_faults(None)
        second = rel.crawl(rep.base_url, db)
        expected = site.truth(victim)["url"]
    conn = sqlite3.connect(db)
    row = conn.execute("SELECT url FROM articles WHERE site_id = ?", [victim]).fetchone()
    print(f"\narticle {victim}: exit {first.returncode} then {second.returncode}; url {row}")
    assert row is not None, "the article was not archived at all"
    assert row[0] == expected


def test_make_test_keeps_a_scenario_of_every_kind() -> None:
    """``IN_MAKE_TEST`` names real scenarios (a renamed one would silently leave `make test`)."""
    keys = {s.key for s in rel.SCENARIOS}
    assert keys >= IN_MAKE_TEST, sorted(IN_MAKE_TEST - keys)
    mst_keys = {s.key for s in rel.MST_SCENARIOS}
    assert mst_keys >= MST_IN_MAKE_TEST, sorted(MST_IN_MAKE_TEST - mst_keys)
    assert all(s.portal == "mst" and s.name.startswith("mst: ") for s in rel.MST_SCENARIOS)
    assert not keys & mst_keys, "a row name of both tables: the docs table could not tell them"


@pytest.mark.e2e
def test_a_root_that_redirected_offsite_once_is_resolved_when_it_answers(
    tmp_path: Path, fault_replica: Any
) -> None:
    """The root page redirects offsite in one run (the run says so, nothing archived); the next
    run, the root answering, archives everything and leaves no open error (seen in the
    "offsite redirects" row of `make reliability`: the root's error stayed open, and retrying
    it as a listing recorded the home page as "not a listing page")."""
    db = tmp_path / "archive.db"
    fault_replica.set_faults(
        {"offsite_redirect_rate": 1.0, "sticky_requests": 1000, "path_pattern": r"^/$"}
    )
    try:
        first = rel.crawl(fault_replica.base_url, db)
    finally:
        fault_replica.set_faults(None)
    second = rel.crawl(fault_replica.base_url, db)
    c = rel.counts(db)
    print(f"\nexit {first.returncode} then {second.returncode}; open errors {c['errors']}")
    assert first.returncode == 1
    assert c["errors"] == [] and second.returncode == 0, second.stderr[-2000:]
    assert c["articles"] == set(fault_replica.site.article_ids())
