"""Two portals in one archive: identity (portal, site_id), keys, author/tags, --portal, Datasette.

One archive, written through archive.store, holds:
- most:102 and mst:102 (one number, two portals: a bare "102" is ambiguous);
- mst:197250704101929995, an 18-digit id above 2^53 (a float would make it ...930000);
- most:13245 (legacy portal only).
Category 1 exists on both portals with different names.
"""

from __future__ import annotations

import asyncio
import csv
import html
import io
import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from archive import crawlstate, store
from archive.cli import main
from archive.db import open_archive
from archive.normalize import content_hash, content_hash_fields
from archive.queries import (
    AmbiguousArticle,
    ArticleFilter,
    get_article,
    iter_articles,
    resolve_article,
    search,
    stats,
)
from crawler.items import Article, Image
from crawler.portals import portal_names

BIG = 197250704101929995
ROUNDED = str(int(float(BIG)))  # what JavaScript or a spreadsheet would show: ...930000
MST = "https://mst.gov.vn"
MOST = "https://www.most.gov.vn"
T1 = "2026-01-01T00:00:00+00:00"
T2 = "2026-01-02T00:00:00+00:00"


def mst_article(site_id: int, **changes: Any) -> Article:
    article = Article(
        site_id=site_id,
        url=f"{MST}/bo-truong-lam-viec-{site_id}.htm",
        title="Bộ trưởng làm việc về chuyển đổi số",
        lead="VGP - Chuyển đổi số quốc gia.",
        body=["Chuyển đổi số là nhiệm vụ trọng tâm.", "Hai"],
        body_html="<p>x</p>",
        published_at="2025-07-04T10:19:00+07:00",
        category="Chuyển đổi số",
        source=None,
        parser="mst/1",
        author="Minh Anh",
        tags=["chuyển đổi số", "khoa học"],
        portal="mst",
    )
    return replace(article, **changes)


def most_article(site_id: int, **changes: Any) -> Article:
    article = Article(
        site_id=site_id,
        url=f"{MOST}/vn/tin-tuc/{site_id}/x.aspx",
        title="Hội nghị khoa học về điện",
        lead="",
        body=["Đoạn về chuyển đổi số."],
        body_html="<p>x</p>",
        published_at="2024-04-26T10:30:00+07:00",
        category="Tin tổng hợp",
        source="Báo KH&PT",
        parser="most/1",
    )
    return replace(article, **changes)


@pytest.fixture(scope="module")
def archive_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path: Path = tmp_path_factory.mktemp("portals") / "archive.db"
    db = open_archive(path)
    store.save_article(
        db, most_article(102), page_id=None, fetched_at=T1, listed_in=[(1, "Tin tổng hợp", None)]
    )
    store.save_article(db, most_article(13245), page_id=None, fetched_at=T1)
    store.save_article(
        db,
        mst_article(102, title="Tin mst trùng số"),
        page_id=None,
        fetched_at=T1,
        listed_in=[(1, "Chuyển đổi số", None)],
    )
    store.save_article(db, mst_article(BIG), page_id=None, fetched_at=T1)
    # A second version of the big one: new author and tags -> revision 2.
    store.save_article(
        db, mst_article(BIG, author="Hà Vy", tags=["khoa học"]), page_id=None, fetched_at=T2
    )
    store.add_listing(db, BIG, 1, None, None, portal="mst")
    store.start_run(db, site=MST, mode="full", portal="mst")
    store.record_error(
        db,
        url=f"{MST}/x-197.htm",
        kind="article",
        status=500,
        reason="HTTP 500",
        run_id=None,
        portal="mst",
    )
    db.conn.close()
    return path


@pytest.fixture
def db(archive_path: Path) -> Any:
    db = open_archive(archive_path, readonly=True)
    yield db
    db.conn.close()


def cli(archive_path: Path, *args: str) -> Any:
    return CliRunner().invoke(main, [*args, "--db", str(archive_path)])


# --- identity ------------------------------------------------------------------------------


def test_one_number_on_two_portals_is_two_articles(db: Any) -> None:
    rows = list(
        db.query(
            "SELECT id, portal, site_id, key FROM articles WHERE site_id = 102 ORDER BY portal"
        )
    )
    assert [r["key"] for r in rows] == ["most:102", "mst:102"]
    assert rows[0]["id"] == 102 and rows[1]["id"] != 102  # the FTS rowid is the row's own
    big = next(
        db.query("SELECT id, site_id FROM articles WHERE portal = 'mst' AND site_id = ?", [BIG])
    )
    assert big["id"] == big["site_id"] == BIG
    assert {h.key for h in search(db, "trung so")} == {"mst:102"}  # found through its own row
    assert {h.key for h in search(db, "chuyen doi so")} == {
        "most:102",
        "most:13245",
        "mst:102",
        f"mst:{BIG}",
    }


def test_resolving_keys_urls_and_bare_ids(db: Any) -> None:
    assert resolve_article(db, f"mst:{BIG}") == ("mst", BIG)
    assert resolve_article(db, str(BIG)) == ("mst", BIG)  # unique: a bare id is enough
    assert resolve_article(db, "13245") == ("most", 13245)
    assert resolve_article(db, f"{MST}/bo-truong-lam-viec-{BIG}.htm") == ("mst", BIG)  # as stored
    assert resolve_article(db, "http://most.gov.vn/vn/tin-tuc/13245/y.aspx") == ("most", 13245)
    assert resolve_article(db, "mst:13245") is None and resolve_article(db, "99") is None
    with pytest.raises(AmbiguousArticle) as caught:
        resolve_article(db, "102")
    assert caught.value.keys == ["most:102", "mst:102"]


def test_show_and_diff_take_a_key_and_refuse_an_ambiguous_id(archive_path: Path) -> None:
    result = cli(archive_path, "show", "102")
    assert result.exit_code == 2
    assert "most:102" in result.output and "mst:102" in result.output
    result = cli(archive_path, "diff", "102")
    assert result.exit_code == 2 and "mst:102" in result.output
    result = cli(archive_path, "show", "mst:102", "--json")
    assert result.exit_code == 0, result.output
    shown = json.loads(result.output)
    assert shown["key"] == "mst:102" and shown["title"] == "Tin mst trùng số"
    assert shown["tags"] == ["chuyển đổi số", "khoa học"] and "id" not in shown
    assert cli(archive_path, "show", "mst:4").exit_code == 1
    text = cli(archive_path, "show", f"{MST}/bo-truong-lam-viec-{BIG}.htm").output
    assert f"key:          mst:{BIG}" in text and "author:       Hà Vy" in text
    assert ROUNDED not in text


needs_mst_portal = pytest.mark.skipif(
    "mst" not in portal_names(), reason="the mst portal is not registered in crawler.portals yet"
)


@needs_mst_portal
def test_mst_urls_and_filter_through_the_portal_registry(db: Any, archive_path: Path) -> None:
    """Any host, slug or query of an mst article URL names it (the portal's URL rule)."""
    assert resolve_article(db, f"https://www.mst.gov.vn/other-slug-{BIG}.htm?x=1") == ("mst", BIG)
    assert resolve_article(db, f"http://mic.gov.vn/x-{BIG}.htm") == ("mst", BIG)
    assert f"mst:{BIG}" in cli(archive_path, "show", f"{MST}/x-{BIG}.htm").output
    result = cli(archive_path, "search", "chuyen doi so", "--portal", "mst", "--json")
    assert result.exit_code == 0, result.output
    assert {h["key"] for h in json.loads(result.output)} == {"mst:102", f"mst:{BIG}"}
    result = cli(archive_path, "export", "--format", "csv", "--portal", "mst")
    assert [r["key"] for r in csv.DictReader(io.StringIO(result.stdout))] == [
        "mst:102",
        f"mst:{BIG}",
    ]
    assert (
        json.loads(cli(archive_path, "stats", "--portal", "mst", "--json").output)["articles"] == 2
    )


# --- author and tags in revisions ----------------------------------------------------------


def test_revisions_keep_author_and_tags(db: Any, archive_path: Path) -> None:
    article = get_article(db, BIG, portal="mst")
    assert article is not None
    assert [(r["author"], r["tags"]) for r in article["revisions"]] == [
        ("Minh Anh", ["chuyển đổi số", "khoa học"]),
        ("Hà Vy", ["khoa học"]),
    ]
    assert article["author"] == "Hà Vy" and article["tags"] == ["khoa học"]
    out = cli(archive_path, "diff", f"mst:{BIG}").output
    assert "-author: Minh Anh" in out and "+author: Hà Vy" in out and "-tags: chuyển đổi số" in out
    assert f"article mst:{BIG} revision 1" in out


def test_author_and_tags_count_only_where_present() -> None:
    plain = most_article(5)
    fields: dict[str, Any] = {
        "title": plain.title,
        "lead": plain.lead,
        "body": plain.body,
        "source": plain.source,
        "images": [],
        "attachments": [],
    }
    # Without author and tags the hash is the one computed before these fields existed.
    assert content_hash(plain) == content_hash_fields(**fields)
    assert content_hash(replace(plain, author="", tags=["", " "])) == content_hash(plain)
    with_author = content_hash(replace(plain, author="Minh Anh"))
    assert with_author != content_hash(plain)
    ab, ba = (content_hash(replace(plain, tags=t)) for t in (["a", "b"], ["b", "a"]))
    assert ab != ba  # the order of the tags is content
    assert content_hash(replace(plain, portal="mst")) == content_hash(plain)


# --- filters, export, stats ----------------------------------------------------------------


def test_portal_and_category_filters(db: Any) -> None:
    def keys(**kw: Any) -> set[str]:
        return {h.key for h in search(db, "chuyen doi so", filters=ArticleFilter(**kw))}

    assert keys(portal="mst") == {"mst:102", f"mst:{BIG}"}
    assert keys(portal="most") == {"most:102", "most:13245"}
    assert keys(category="mst:1") == {"mst:102", f"mst:{BIG}"}
    assert keys(category="most:1") == {"most:102"}
    assert keys(category="1") == {"most:102", "mst:102", f"mst:{BIG}"}
    assert keys(category="chuyen doi") == {"mst:102", f"mst:{BIG}"}  # name, either portal
    exported = {a["key"] for a in iter_articles(db, ArticleFilter(portal="mst", category="1"))}
    assert exported == {"mst:102", f"mst:{BIG}"}


def test_search_json_has_portal_and_key(archive_path: Path) -> None:
    result = cli(archive_path, "search", "trung so", "--json")
    assert result.exit_code == 0, result.output
    hits = json.loads(result.output)
    assert [(h["site_id"], h["portal"], h["key"]) for h in hits] == [(102, "mst", "mst:102")]
    result = cli(archive_path, "search", "chuyen doi so", "--portal", "most", "--json")
    assert {h["key"] for h in json.loads(result.output)} == {"most:102", "most:13245"}
    table = cli(archive_path, "search", "chuyen doi so").output
    assert f"mst:{BIG}" in table and " 13245 " in table  # legacy articles keep their bare id


def test_export_jsonl_keeps_site_id_a_number_and_adds_keys(archive_path: Path) -> None:
    result = cli(archive_path, "export")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    records = [json.loads(line) for line in lines]
    assert [r["key"] for r in records] == ["most:102", "mst:102", "most:13245", f"mst:{BIG}"]
    big = records[-1]
    assert big["site_id"] == BIG and isinstance(big["site_id"], int)
    assert f'"site_id": {BIG},' in lines[-1] and ROUNDED not in lines[-1]
    assert (big["portal"], big["author"], big["tags"]) == ("mst", "Hà Vy", ["khoa học"])
    assert list(records[0])[-5:-1] == ["portal", "author", "tags", "key"]  # added at the end
    assert list(records[0])[-1] == "withdrawn_at"  # issue 12, after them
    assert records[0]["author"] is None and records[0]["tags"] == []
    only_most = cli(archive_path, "export", "--portal", "most").stdout.splitlines()
    assert [json.loads(line)["key"] for line in only_most] == ["most:102", "most:13245"]


def test_export_csv_has_the_key_column(archive_path: Path) -> None:
    result = cli(archive_path, "export", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["key"] for r in rows] == ["most:102", "mst:102", "most:13245", f"mst:{BIG}"]
    assert rows[3]["site_id"] == str(BIG) and rows[3]["tags"] == "khoa học"
    assert ROUNDED not in result.stdout


def test_stats_by_portal(db: Any, archive_path: Path) -> None:
    whole = stats(db)
    assert {r["portal"]: r["articles"] for r in whole["by_portal"]} == {"most": 2, "mst": 2}
    mst = stats(db, portal="mst")
    assert (mst["articles"], mst["revisions"]) == (2, 3)
    assert [r["portal"] for r in mst["runs"]] == ["mst"] and mst["open_errors"]["count"] == 1
    most = stats(db, portal="most")
    assert (most["articles"], most["runs"], most["open_errors"]["count"]) == (2, [], 0)
    result = cli(archive_path, "stats", "--portal", "most", "--json")
    assert result.exit_code == 0 and json.loads(result.output)["revisions"] == 2
    assert "By portal:" in cli(archive_path, "stats").output


def test_crawl_state_per_portal(archive_path: Path) -> None:
    db = open_archive(archive_path, readonly=True)
    assert crawlstate.known_article_ids(db, "mst") == {102, BIG}
    assert crawlstate.known_article_ids(db) == {102, 13245, BIG}
    assert set(crawlstate.validators(db, "mst")) == {102, BIG}
    assert set(crawlstate.validators(db)) == {102, 13245, BIG}
    due = crawlstate.due_for_recheck(db, now="2026-03-01T00:00:00+00:00", portal="mst")
    assert {(r.portal, r.site_id) for r in due} == {("mst", 102), ("mst", BIG)}
    db.conn.close()


def test_the_recheck_limit_is_each_portal_s_own(archive_path: Path) -> None:
    """ARCHIVE_RECHECK_LIMIT re-checks per site's run: one portal's overdue articles (a site
    down for days, or crawled less often) must not take the other portal's share. (They did:
    the limit took the most overdue of both portals, and a site's run re-checks only its own
    portal's, so the SharePoint portal's hourly run re-checked nothing while mst.gov.vn had
    that many articles more overdue.)"""
    every = crawlstate.read_snapshot(archive_path, recheck_limit=10, recheck_at="2026-03-01")
    assert {r.portal for r in every.rechecks} == {"most", "mst"}  # all four are due
    snapshot = crawlstate.read_snapshot(archive_path, recheck_limit=1, recheck_at="2026-03-01")
    assert sorted(r.portal for r in snapshot.rechecks) == ["most", "mst"]
    most_first = next(r for r in every.rechecks if r.portal == "most")
    assert most_first in snapshot.rechecks  # each portal's most overdue


# --- Datasette -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ds(archive_path: Path) -> Any:
    from archive.serve import build_datasette

    datasette = build_datasette(archive_path)
    asyncio.run(datasette.invoke_startup())
    return datasette


def get(ds: Any, path: str) -> Any:
    return asyncio.run(ds.client.get(path))


def test_article_page_by_key_url_and_bare_id(ds: Any) -> None:
    page = get(ds, f"/-/article/mst:{BIG}")
    assert page.status_code == 200
    assert f'data-key="mst:{BIG}"' in page.text and "Hà Vy" in page.text
    assert ROUNDED not in page.text
    assert get(ds, f"/-/article/{BIG}").status_code == 200
    assert get(ds, f"/-/article?url={MST}/bo-truong-lam-viec-{BIG}.htm").status_code == 200
    assert get(ds, "/-/article/13245").status_code == 200
    ambiguous = get(ds, "/-/article/102")
    assert ambiguous.status_code == 400
    assert 'href="/-/article/most:102"' in ambiguous.text
    assert 'href="/-/article/mst:102"' in ambiguous.text
    assert get(ds, "/-/article/mst:13245").status_code == 404


def test_article_page_links_its_own_portals_category(ds: Any) -> None:
    page = get(ds, "/-/article/mst:102").text
    (link,) = re.findall(r'href="(/archive/articles\?[^"]*_where[^"]*)"', page)
    listed = get(ds, html.unescape(link).replace("?", ".json?_shape=array&", 1)).json()
    assert {r["key"] for r in listed} == {"mst:102", f"mst:{BIG}"}  # not most:102 (category 1)


def test_datasette_links_by_key_and_facets_by_portal(ds: Any) -> None:
    html = get(ds, "/archive/articles").text
    assert f'href="/-/article/mst:{BIG}"' in html and ROUNDED not in html
    data = get(ds, "/archive/articles.json?_shape=objects").json()
    assert {r["value"]: r["count"] for r in data["facet_results"]["portal"]["results"]} == {
        "most": 2,
        "mst": 2,
    }
    assert f"mst:{BIG}" in {r["key"] for r in data["rows"]}
    latest = get(ds, "/archive/latest.json?_shape=array").json()
    assert f"mst:{BIG}" in {r["key"] for r in latest}
    found = get(ds, "/archive/search.json?q=trung+so&_shape=array").json()
    assert [r["key"] for r in found] == ["mst:102"]
    row_page = get(ds, f"/archive/articles/{BIG}").text
    assert f'href="/-/article/mst:{BIG}"' in row_page


def test_writes_touch_only_their_own_portals_article(tmp_path: Path) -> None:
    db = open_archive(tmp_path / "a.db")
    pictures = {
        p: [Image(f"https://{p}.example/{n}.jpg", f"{p} {n}") for n in range(2)]
        for p in ("most", "mst")
    }
    for article in (
        most_article(102, images=pictures["most"]),
        mst_article(102, images=pictures["mst"]),
    ):
        store.save_article(db, article, page_id=None, fetched_at=T1)
    store.mark_checked(db, 102, fetched_at=T2, etag='"m"', portal="mst")
    store.save_category(db, 1, "Chuyển đổi số", None, portal="mst")
    store.save_category(db, 1, "Tin tổng hợp", None)
    assert store.add_listing(db, 102, 1, None, None, portal="mst")
    store.save_article(
        db, most_article(102, title="Sửa", images=pictures["most"]), page_id=None, fetched_at=T2
    )
    rows = {r["key"]: r for r in db.query("SELECT key, last_checked, etag, revision FROM articles")}
    assert (rows["mst:102"]["last_checked"], rows["mst:102"]["etag"]) == (T2, '"m"')
    assert rows["most:102"]["etag"] is None and rows["most:102"]["revision"] == 2
    assert rows["mst:102"]["revision"] == 1
    links = list(db.query("SELECT portal, site_id, category_id FROM article_categories"))
    assert links == [{"portal": "mst", "site_id": 102, "category_id": 1}]
    names = dict(db.execute("SELECT portal, name FROM categories ORDER BY portal").fetchall())
    assert names == {"most": "Tin tổng hợp", "mst": "Chuyển đổi số"}
    assert len(list(db.query("SELECT 1 FROM revisions WHERE portal = 'most'"))) == 2
    for portal in ("most", "mst"):  # same site id and positions, each its own images
        shown = get_article(db, 102, portal=portal)
        assert shown is not None
        assert [i["caption"] for i in shown["images"]] == [f"{portal} 0", f"{portal} 1"]
    db.conn.close()


def test_stats_portal_names_only_its_own_unfinished_walks(tmp_path: Path) -> None:
    """``stats --portal`` gives that portal's figures: a time-limited run of mst.gov.vn left a
    walk for the next run, and ``stats --portal most`` named it too (unfinished_walks ignored
    the portal, unlike the runs and errors beside it)."""
    path = tmp_path / "a.db"
    db = open_archive(path)
    run = store.start_run(db, site=MST, mode="full", portal="mst")
    entry = store.FrontierEntry("listing", f"{MST}/timelinelist/1/2.htm", "{}")
    store.save_frontier(db, MST, [entry], run_id=run)
    db.conn.close()
    walks = {
        p: json.loads(cli(path, "stats", "--portal", p, "--json").output)["unfinished_walks"]
        for p in ("most", "mst")
    }
    assert walks["most"] == [] and [w["site"] for w in walks["mst"]] == [MST]
    assert [
        w["site"] for w in json.loads(cli(path, "stats", "--json").output)["unfinished_walks"]
    ] == [MST]
    assert f"Unfinished walk of {MST}" not in cli(path, "stats", "--portal", "most").output


def test_revision_page_shows_that_revisions_author_and_tags(ds: Any) -> None:
    """Author and tags are part of an article's content: the web view of an old revision shows
    them as they were (it showed neither: revision 1 of the big one, by Minh Anh with two
    tags, read as if it had no byline and no tags)."""
    first = get(ds, f"/-/article/mst:{BIG}/revision/1").text
    assert '<span class="author">Minh Anh</span>' in first and "Hà Vy" not in first
    assert re.findall(r'<span class="tag">([^<]*)</span>', first) == ["chuyển đổi số", "khoa học"]
    second = get(ds, f"/-/article/mst:{BIG}/revision/2").text
    assert '<span class="author">Hà Vy</span>' in second
    assert re.findall(r'<span class="tag">([^<]*)</span>', second) == ["khoa học"]
    plain = get(ds, "/-/article/most:102/revision/1").text  # none: no empty lines for them
    assert 'class="author"' not in plain and 'class="tags"' not in plain


def test_web_search_takes_a_portal(ds: Any) -> None:
    """``/-/search`` is the search of ``most-archive search``, whose --portal it lacked: a
    ``portal`` argument was ignored and both portals' hits came back."""

    def keys(path: str) -> list[str]:
        return re.findall(r'<li data-key="([^"]+)"', get(ds, path).text)

    assert sorted(keys("/-/search?q=chuyen+doi+so")) == sorted(
        ["most:102", "most:13245", "mst:102", f"mst:{BIG}"]
    )
    assert sorted(keys("/-/search?q=chuyen+doi+so&portal=mst")) == ["mst:102", f"mst:{BIG}"]
    assert sorted(keys("/-/search?q=chuyen+doi+so&portal=most")) == ["most:102", "most:13245"]
    paged = get(ds, "/-/search?q=chuyen+doi+so&portal=mst&size=1").text
    assert 'href="/-/search?q=chuyen+doi+so&amp;page=2&amp;size=1&amp;portal=mst"' in paged
    assert '<option value="mst" selected>' in paged  # the form keeps the choice
    unknown = get(ds, "/-/search?q=chuyen&portal=nope")
    assert unknown.status_code == 200 and "unknown portal" in unknown.text
    assert keys("/-/search?q=chuyen&portal=nope") == []


def test_tables_keyed_by_a_portals_ids_facet_by_portal(ds: Any) -> None:
    """Category 1 and article 102 exist on both portals: the category_id facet of
    article_categories counted most's "Tin tổng hợp" and mst's "Chuyển đổi số" as one
    category, with no portal facet to tell them apart (images' site_id facet likewise)."""
    for table, counts in (
        ("article_categories", {"most": 1, "mst": 2}),
        ("revisions", {"most": 2, "mst": 3}),
        ("fetch_errors", {"mst": 1}),
    ):
        facets = get(ds, f"/archive/{table}.json")
        assert facets.status_code == 200, table
        results = facets.json()["facet_results"]["portal"]["results"]
        assert {r["value"]: r["count"] for r in results} == counts, table
    rows = get(ds, "/archive/article_categories.json?_shape=array&portal=mst&category_id=1").json()
    assert sorted(r["site_id"] for r in rows) == [102, BIG]
    assert "portal" in get(ds, "/archive/images.json").json()["facet_results"]
