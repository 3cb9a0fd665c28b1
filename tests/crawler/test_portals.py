"""The portal registry (crawler.portals) and the SharePoint portal's rules (portals.most)."""

from __future__ import annotations

import pytest

from crawler import portals
from crawler.portals import EntryPoint, Portal, most
from crawler.urls import SiteScope

BASE = "https://www.most.gov.vn"


def test_every_portal_satisfies_the_protocol_and_is_named_once() -> None:
    names = portals.portal_names()
    assert "most" in names and len(set(names)) == len(names)
    for portal in portals.PORTALS:
        assert isinstance(portal, Portal)
        assert portals.portal_named(portal.name) is portal
        assert portal.entry_points[0] == EntryPoint("home", portal.home_path, optional=False)
        assert portal.default_sites and all(s.startswith("https://") for s in portal.default_sites)
        assert all(h == h.lower() for h in portal.host_family | portal.media_hosts)
        assert portal.parser_versions


def test_unknown_portal_names_the_known_ones() -> None:
    with pytest.raises(LookupError, match="most"):
        portals.portal_named("nope")


def test_most_portal_hosts_in_order() -> None:
    assert most.PORTAL.default_sites == ("https://www.most.gov.vn", "https://most.mst.gov.vn")
    assert most.PORTAL.host_family == {"www.most.gov.vn", "most.gov.vn", "most.mst.gov.vn"}
    for host in ("most.mst.gov.vn", "http://MOST.gov.vn/vn/x", "https://www.most.gov.vn:443/"):
        assert portals.portal_of_host(host) is most.PORTAL
    for host in ("127.0.0.1", "evil.most.gov.vn.example.com", "", "chinhphu.vn"):
        assert portals.portal_of_host(host) is None


@pytest.mark.parametrize(
    ("url", "site_id"),
    [
        (f"{BASE}/vn/tin-tuc/13245/ha-noi.aspx", 13245),
        ("http://127.0.0.1:9/VN/TIN-TUC/7/X.ASPX?utm=1#top", 7),
        ("/en/news/42/english-title.aspx", 42),
        (f"{BASE}/vn/Pages/chitiettin.aspx?ChuyenmucID=492&IDNews=104&tieude=x.aspx", 104),
        (f"{BASE}/vn/Pages/Trangchu.aspx", None),
        (f"{BASE}/vn/Pages/chuyenmuctin.aspx?IDNews=5", None),  # IDNews only on chitiettin
        (f"{BASE}/vn/chuyen-muc/492/tin-tuc.aspx", None),
        ("http://[::1/bad", None),
    ],
)
def test_article_id_whatever_the_host(url: str, site_id: int | None) -> None:
    assert most.PORTAL.article_id(url) == site_id
    found = portals.portal_for_article_url(url)
    assert (found[1] if found else None) == site_id


def test_canonical_and_legacy_article_urls() -> None:
    p = most.PORTAL
    assert p.canonical_article_url(f"{BASE}/vn/tin-tuc/1/Slug.aspx?x=1#f") == (
        f"{BASE}/vn/tin-tuc/1/Slug.aspx"
    )
    legacy = "http://most.gov.vn/vn/Pages/chitiettin.aspx?ChuyenmucID=4&IDNews=9&tieude=t"
    assert p.canonical_article_url(legacy) == "http://most.gov.vn/vn/Pages/chitiettin.aspx?IDNews=9"
    assert p.canonical_article_url(legacy, "http://127.0.0.1:8") == (
        "http://127.0.0.1:8/vn/Pages/chitiettin.aspx?IDNews=9"
    )
    assert p.legacy_article_url("http://127.0.0.1:8", 9) == (
        "http://127.0.0.1:8/vn/Pages/chitiettin.aspx?IDNews=9"
    )
    assert p.is_legacy_article_url(legacy) and portals.is_legacy_article_url(legacy)
    assert not p.is_legacy_article_url(f"{BASE}/vn/tin-tuc/9/x.aspx")
    assert p.article_id(p.legacy_article_url(BASE, 9) or "") == 9


def test_scope_asks_its_portal_for_entry_points() -> None:
    scope = SiteScope.of("http://127.0.0.1:8765/x")
    assert scope.portal is most.PORTAL
    assert scope.home_url == "http://127.0.0.1:8765/vn/Pages/Trangchu.aspx"
    assert scope.entry_urls("rss") == ["http://127.0.0.1:8765/rss/492/tin_tuc_su_kien.rss"]
    assert scope.entry_urls("webservice") == [
        "http://127.0.0.1:8765/_layouts/15/WebService/Getdataportal.asmx/GetListposts"
    ]
    assert scope.entry_urls("sitemap") == []


def test_parser_versions_are_the_parsers_names() -> None:
    from crawler.parsers.most import PARSER_NAME

    assert PARSER_NAME in most.PORTAL.parser_versions


def test_settings_and_commands_take_their_defaults_from_one_place() -> None:
    from archive import cli as archive_cli
    from archive import serve
    from archive.defaults import DEFAULT_DB
    from crawler import cli as crawler_cli
    from crawler import settings

    assert settings.ARCHIVE_SITE == most.DEFAULT_SITE == most.PORTAL.default_sites[0]
    assert settings.ARCHIVE_DB == DEFAULT_DB
    params = {p.name: p for p in crawler_cli.crawl_command.params}
    # --site is repeatable; without it every portal's first default site is crawled
    assert params["sites"].multiple and params["sites"].show_default in (False, None)
    assert portals.default_sites() == [p.default_sites[0] for p in portals.PORTALS]
    assert most.DEFAULT_SITE in portals.default_sites()
    assert all(site in (params["sites"].help or "") for site in portals.default_sites())
    assert params["db_path"].default == DEFAULT_DB
    assert archive_cli.DEFAULT_DB is DEFAULT_DB
    served = {p.name: p for p in serve.serve_command.params}
    assert served["db_path"].default == DEFAULT_DB  # serve takes archive.cli's --db option
