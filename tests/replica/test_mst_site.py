"""The mst.gov.vn replica in-process: its pages carry SITE-mst.md's markup, and its ground truth is
exactly what an independent lxml reading of each page gives (CONTRACT-mst.md field rules)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import lxml.html
import pytest
from mst_oracle import article, listing_ids, norm

from replica.mst.catalog import FAMILY, PARENT, ZONES, time_of_id
from replica.mst.site import MediaSite, MstSite

BASE = "http://127.0.0.1:8765"
MEDIA = "http://127.0.0.1:8766"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture(scope="module")
def site() -> MstSite:
    return MstSite(articles=200, seed=1)


@pytest.fixture(scope="module")
def big() -> MstSite:
    return MstSite(articles=1000, seed=2)


def get(
    site: MstSite, path: str, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    return site.render("GET", path, headers or {})


def local(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def onto_base(href: str) -> str:
    """What a crawler does with a family host: rewrite it onto the site."""
    for host in (*FAMILY, "https://www.mic.gov.vn"):
        if href.startswith(host + "/"):
            return href[len(host) :]
    return href


# -- ground truth ---------------------------------------------------------------------------------
def test_truth_equals_a_strict_reading_of_every_article(site: MstSite) -> None:
    mismatches = []
    for site_id in site.article_ids():
        truth = site.truth(site_id)
        status, headers, body = get(site, local(truth["url"]))
        assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
        truth.pop("categories")
        if article(body, truth["url"]) != truth:
            mismatches.append(site_id)
    assert mismatches == []


def test_truth_has_exactly_the_contract_keys(site: MstSite) -> None:
    truth = site.truth(site.article_ids()[-1])
    assert set(truth) == {
        "site_id",
        "url",
        "title",
        "lead",
        "body",
        "published_at",
        "category",
        "source",
        "images",
        "attachments",
        "author",
        "tags",
        "portal",
        "categories",
    }
    assert truth["portal"] == "mst" and truth["url"].startswith(BASE + "/")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:00\+07:00", truth["published_at"])


def test_images_and_attachments_live_on_the_media_host(site: MstSite) -> None:
    media = MediaSite(MEDIA)
    images = attachments = 0
    for site_id in site.article_ids()[-80:]:
        truth = site.truth(site_id)
        for item in truth["images"] + truth["attachments"]:
            assert item["url"].startswith(MEDIA + "/"), item
            status, headers, body = media.render("GET", local(item["url"]))
            assert status == 200 and body and headers["Content-Type"] != "text/html"
        images += len(truth["images"])
        attachments += len(truth["attachments"])
    assert images > 50 and attachments > 10
    assert media.render("GET", "/nothing/here.html")[0] == 404
    assert media.render("GET", "/thumb_w/730/639352410187198464/2025/1/1/x-1.jpg")[0] == 200


def test_displayed_images_are_thumbnails_and_truth_is_full_size(site: MstSite) -> None:
    seen = 0
    for site_id in site.article_ids()[-60:]:
        truth = site.truth(site_id)
        doc = lxml.html.fromstring(get(site, local(truth["url"]))[2])
        for img in doc.cssselect("figure[type=Photo] img"):
            assert "/thumb_w/730/" in img.get("src")
            full = img.get("data-original") or img.getparent().get("href")
            assert "/thumb_w/" not in full and full in [i["url"] for i in truth["images"]]
            seen += 1
    assert seen > 10


# -- ids and dates --------------------------------------------------------------------------------
def test_ids_carry_the_time_the_page_shows_except_a_few_an_hour_off(big: MstSite) -> None:
    lengths: Counter[int] = Counter()
    shifted = 0
    for site_id in big.article_ids():
        lengths[len(str(site_id))] += 1
        shown = datetime.fromisoformat(big.truth(site_id)["published_at"]).replace(tzinfo=None)
        stamp = time_of_id(site_id)
        if stamp is None:
            continue
        off = stamp.replace(second=0, microsecond=0) - shown
        assert off in (timedelta(0), timedelta(hours=1), timedelta(hours=-1)), site_id
        shifted += off != timedelta(0)
    assert lengths[18] > 900 and lengths[9] >= 2 and lengths[17] >= 2
    assert shifted >= 2
    assert all(str(i).startswith("197") for i in big.article_ids())


def test_articles_are_routed_by_id_whatever_the_slug(site: MstSite) -> None:
    site_id = site.article_ids()[-7]
    want = get(site, local(site.truth(site_id)["url"]))[2]
    for path in (f"/tin-bai-{site_id}.htm", f"/X-Y-{site_id}.htm", f"/a-{site_id}.htm?utm=1"):
        status, _, body = get(site, path)
        assert status == 200 and body == want
    assert get(site, "/khong-co-bai-197001010000000000.htm")[0] == 404


# -- the real articles of SITE-mst.md §8 ----------------------------------------------------------
def test_real_articles_keep_their_urls_titles_and_attachments(site: MstSite) -> None:
    by_id = {i: site.truth(i) for i in site.article_ids()}
    area = by_id[197250704101929995]
    assert area["url"] == BASE + (
        "/thong-cao-bao-chi-ve-viec-thuc-hien-quy-hoach-ma-vung-dien-thoai-co-dinh-mat-dat"
        "-ke-tu-01-7-2025-197250704101929995.htm"
    )
    assert area["title"] == (
        "Thông cáo báo chí về việc thực hiện quy hoạch mã vùng điện thoại cố định mặt đất"
        " kể từ 01/7/2025"
    )
    assert area["published_at"] == "2025-07-04T10:19:00+07:00"
    assert area["attachments"] == [
        {
            "url": MEDIA + "/639352410187198464/2025/7/4/qd-2784-17515990510092008338259.pdf",
            "title": "Văn bản số 2784/BKHCN-CVT",
        }
    ]
    assert "1 | Hà Nội | 24" in area["body"] and area["body"][-1].endswith("./.")
    qcvn = by_id[197240417160723563]
    assert len(qcvn["attachments"]) == 5 and qcvn["published_at"] == "2024-04-17T16:07:00+07:00"
    assert {a["url"].rsplit(".", 1)[1] for a in qcvn["attachments"]} == {"doc", "docx", "pdf"}
    assert by_id[19724042616014143]["attachments"][0]["url"].endswith(
        "sach-trang-2024-tv-bong3-tuyen-comment-26-12-2024-17477057164501311953470.pdf"
    )
    assert by_id[197136077]["url"].endswith(
        "/internet-viet-nam-da-co-nhung-buoc-tien-an-tuong-197136077.htm"
    )
    bodies = " ".join(" ".join(t["body"]) for t in by_id.values())
    for words in (
        "(VKIST) vừa tổ chức nghiệm thu chính thức",
        "nấm Agaricus subrufescens, ứng dụng",
        "dòng chip SoC AI on Edge trên tiến trình 28-32 nm",
    ):
        assert words in bodies


# -- every variant, in at least two articles of a 1,000-article site ------------------------------
MARKERS = {
    "figure-new": 'figure class="VCSortableInPreviewMode',
    "figure-old": '<div class="VCSortableInPreviewMode" type="Photo"',
    "placeholder-caption": 'class="NLPlaceholderShow"',
    "blank-figcaption": "<figcaption> </figcaption>",
    "figure-noCaption": 'figure class="VCSortableInPreviewMode noCaption"',
    "cover": 'img data-role="cover"',
    "video": 'type="VideoStream"',
    "embed": 'type="insertembedcode"',
    "related-type-2": "kbwscwl-relatedbox type-2",
    "related-type-3": "kbwscwl-relatedbox type-3",
    "related-one": 'type="RelatedOneNews"',
    "related-empty": 'id="listNewsInContent"',
    "bonewsrelation": "<!-- bonewsrelation -->",
    "boxed": 'type="content"',
    "ad-inread": 'id="InreadPc"',
    "ad-adsense": "adsbygoogle",
    "ad-admzone": 'class="admzone"',
    "ad-in-figure": 'id="adbro"',
    "table": "<table",
    "msonormal-attachment": 'class="MsoNormal"',
    "byline-tail": 'class="detail-author"',
    "byline-top": 'class="detail-author-top-name"',
    "byline-box": 'class="detail-author oneauthor" data-role="author"',
    "tags-ul": 'ul class="detail-tag-list" data-role="tags"',
    "tags-tab": 'class="item"',
    "no-detail-cate": 'data-role="cate-name"',
    "time-gmt7": " GMT+7</time>",
    "time-paren": " (GMT+7)</p>",
    "time-english": " PM GMT+7<",
    "time-cafef": 'class="pdate" data-role="publishdate"',
    "time-first": 'data-role="publishdate">Cập nhật lúc ',
    "sapo-h2-detail": 'h2 class="detail-sapo"',
    "sapo-h2": 'h2 class="sapo"',
    "sapo-p": 'p class="detail-sapo"',
    "inline-tag": 'class="VCCTagItemInNews"',
    "inline-content": 'class="link-inline-content"',
    "mic-host-link": 'href="https://mic.gov.vn/',
    "www-mst-host-link": 'href="https://www.mst.gov.vn/',
    "upload-media": "/Upload",
    "document-media": "/document/",
    "area-code-table": "Mã vùng cũ",
    "empty-paragraph": "<p>&nbsp;</p>",
    "cms-date-comment": "<!-- ",
    "source-box": 'class="link-source-wrapper',
    "readmore-box": 'class="readmore-body-box',
    "hidden-exclusive-link": 'id="hdExclusive"',
}


def test_every_variant_appears_in_at_least_two_articles(big: MstSite) -> None:
    seen: Counter[str] = Counter()
    for site_id in big.article_ids():
        truth = big.truth(site_id)
        html = get(big, local(truth["url"]))[2].decode("utf-8")
        seen.update(name for name, marker in MARKERS.items() if marker in html)
        seen.update(f"variant:{v}" for v in big.variants(site_id))
        seen["time-plain"] += bool(re.search(r'publishdate">\d\d/\d\d/\d{4} \d\d:\d\d</div>', html))
        seen["bare-byline"] += truth["author"] is not None and "detail-author" not in html
        seen["source-nguon"] += bool(truth["source"]) and not truth["source"].startswith("Theo ")
        seen["source-theo"] += (truth["source"] or "").startswith("Theo ")
        seen["dot-slash"] += any(p.endswith("./.") for p in truth["body"])
        seen["sapo-prefix"] += truth["lead"].startswith("MST - ")
        seen["no-lead"] += truth["lead"] == ""
        seen["no-author"] += truth["author"] is None
        seen["no-tags"] += not truth["tags"]
        seen["caption-none"] += any(i["caption"] is None for i in truth["images"])
        seen["alt-auto"] += any(i["alt"].endswith("- Ảnh 1.") for i in truth["images"])
        seen["two-zones"] += len(truth["categories"]) == 2
        seen["no-canonical"] += 'rel="canonical"' not in html
        seen["no-validators"] += big.validator(site_id) is None
        seen[f"id-{len(str(site_id))}"] += 1
    rare = {
        k: seen[k]
        for k in [
            *MARKERS,
            "time-plain",
            "bare-byline",
            "source-nguon",
            "source-theo",
            "dot-slash",
            "sapo-prefix",
            "no-lead",
            "no-author",
            "no-tags",
            "caption-none",
            "alt-auto",
            "two-zones",
            "no-canonical",
            "no-validators",
            "id-9",
            "id-17",
            "variant:hour-shift",
        ]
        if seen[k] < 2
    }
    assert rare == {}
    assert all(n >= 2 for k, n in seen.items() if k.startswith("variant:"))


def test_meta_tags_of_section_9(site: MstSite) -> None:
    site_id = next(i for i in reversed(site.article_ids()) if site.spec(i).avatar)
    truth = site.truth(site_id)
    doc = lxml.html.fromstring(get(site, local(truth["url"]))[2])
    meta = {m.get("property") or m.get("name"): m.get("content") for m in doc.iter("meta")}
    assert meta["og:title"] == truth["title"] and meta["og:description"] == truth["lead"]
    assert meta["article:published_time"] == truth["published_at"]
    assert urlsplit(meta["og:url"]).path == urlsplit(truth["url"]).path
    assert meta["author"] and meta["keywords"] and meta["og:image"].startswith(MEDIA + "/zoom/")
    assert norm(doc.findtext(".//title")) == truth["title"] + " - Bộ Khoa học và Công nghệ"


# -- zones and paging -----------------------------------------------------------------------------
def test_zone_pages_hold_their_zone_id_and_newest_articles(site: MstSite) -> None:
    for zone in ZONES:
        status, _, body = get(site, zone.path)
        assert status == 200
        doc = lxml.html.fromstring(body)
        assert doc.get_element_by_id("hdZoneId").get("value") == str(zone.id)
        where = "list__news" if zone.layout == "mic" else "list__listing-main"
        assert doc.cssselect(f"div.{where} div.box-category-item")
        if zone.layout == "template":  # the newest articles in a focus block outside the list
            assert doc.cssselect("div.box-top div.box-category-item")
        assert listing_ids(body) == site.listing_ids(zone.slug, 1)


def test_timelinelist_and_trang_pages_walk_every_article_of_a_zone(site: MstSite) -> None:
    for zone in (*ZONES, PARENT):
        want = [
            i
            for i in reversed(site.article_ids())
            if zone is PARENT or zone.name in site.truth(i)["categories"]
        ]
        last = site.last_page(zone.slug)
        by_timeline = listing_ids(get(site, zone.path)[2])
        by_trang = list(by_timeline)
        for n in range(2, last + 1):
            status, _, body = get(site, f"/timelinelist/{zone.id}/{n}.htm")
            assert status == 200 and b"<html" not in body
            by_timeline += listing_ids(body)
            status, _, body = get(site, zone.trang_path(n))
            assert status == 200
            by_trang += listing_ids(body)
        assert by_timeline == by_trang == want


def test_past_the_last_page_each_zone_answers_its_own_way(site: MstSite) -> None:
    for zone in ZONES:
        n = site.last_page(zone.slug) + 1
        status, _, body = get(site, f"/timelinelist/{zone.id}/{n}.htm")
        if zone.timeline_past_end == "404":
            assert status == 404
        else:
            assert status == 200 and body.strip() == b""
        status, _, body = get(site, zone.trang_path(n))
        if zone.trang_past_end == "404":
            assert status == 404
        elif zone.trang_past_end == "last":
            assert listing_ids(body) == site.listing_ids(zone.slug, n - 1)
        else:
            assert status == 200 and listing_ids(body) == []
    assert {z.timeline_past_end for z in ZONES} == {"empty", "404"}
    assert {z.trang_past_end for z in ZONES} == {"empty", "last", "404"}


@pytest.mark.parametrize("paging", ["timelinelist", "trang", "timeline"])
def test_the_paging_switch_serves_one_form_only(paging: str) -> None:
    site = MstSite(120, seed=4, paging=paging)
    zone = ZONES[0]
    page = get(site, zone.path)[2].decode()
    timeline = get(site, f"/timelinelist/{zone.id}/2.htm")[0]
    trang = get(site, zone.trang_path(2))[0]
    tuoitre = get(site, f"/timeline/{zone.id}/trang-2.htm")
    if paging == "trang":
        assert timeline == 404 and trang == 200 and zone.trang_path(2) in page
    else:
        assert timeline == (200 if paging == "timelinelist" else 404)
        assert trang == 404 and "trang-2" not in page and "Xem thêm" in page
    if paging == "timeline":  # the same fragment as /timelinelist/ gives on the other settings
        assert tuoitre[0] == 200 and b"<html" not in tuoitre[2]
        want = get(MstSite(120, seed=4), f"/timelinelist/{zone.id}/2.htm")[2]
        assert listing_ids(tuoitre[2]) == listing_ids(want) == site.listing_ids(zone.slug, 2)
    else:
        assert tuoitre[0] == 404


def test_home_links_every_zone_and_the_newest_articles(site: MstSite) -> None:
    doc = lxml.html.fromstring(get(site, "/")[2])
    hrefs = {onto_base(a.get("href")) for a in doc.iter("a") if a.get("href")}
    assert {z.path for z in ZONES} <= hrefs
    assert listing_ids(get(site, "/")[2])[:5] == list(reversed(site.article_ids()))[:5]


def test_family_host_links_name_existing_articles(site: MstSite) -> None:
    found = 0
    for site_id in site.article_ids()[-40:]:
        html = get(site, local(site.truth(site_id)["url"]))[2].decode()
        for href in re.findall(
            r'href="(https://(?:mic\.gov\.vn|www\.mst\.gov\.vn|mst\.gov\.vn)/[^"]+)"', html
        ):
            m = re.search(r"-(\d{6,})\.htm$", href)
            if m:
                found += 1
                assert get(site, onto_base(href))[0] == 200, href
    assert found > 20


# -- sitemaps, feeds, robots ----------------------------------------------------------------------
def test_sitemap_index_shards_list_every_article_once(site: MstSite) -> None:
    index = ET.fromstring(get(site, "/sitemap.xml")[2])
    assert index.tag == f"{SM}sitemapindex"
    urls: list[str] = []
    for sm in index:
        loc, lastmod = sm.findtext(f"{SM}loc"), sm.findtext(f"{SM}lastmod")
        assert re.fullmatch(BASE + r"/sitemaps/sitemaps-\d{4}-\d{1,2}-\d{1,2}-\d{1,2}\.xml", loc)
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00", lastmod)
        shard = ET.fromstring(get(site, local(loc))[2])
        urls += [u.findtext(f"{SM}loc") for u in shard]
    assert sorted(urls) == sorted(site.truth(i)["url"] for i in site.article_ids())
    assert get(site, "/sitemaps/sitemaps-1999-1-1-5.xml")[0] == 404


@pytest.mark.parametrize("rss_dates", ["both", "rfc822", "dotnet"])
def test_rss_feeds_and_their_pubdate_forms(rss_dates: str) -> None:
    site = MstSite(100, seed=1, rss_dates=rss_dates)
    rfc = re.compile(r"[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d \+0700")
    net = re.compile(r"\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d\d:\d\d [AP]M")
    forms = set()
    for path in ("/rss/home.rss", "/rss/tin-tuc-su-kien.rss", *(z.rss_path for z in ZONES)):
        status, _, body = get(site, path)
        assert status == 200
        items = ET.fromstring(body).findall("./channel/item")
        assert items
        for item in items:
            date = item.findtext("pubDate")
            forms.add(
                "rfc822" if rfc.fullmatch(date) else "dotnet" if net.fullmatch(date) else date
            )
            site_id = int(re.search(r"-(\d+)\.htm$", item.findtext("link")).group(1))  # type: ignore[union-attr]
            assert BASE + urlsplit(item.findtext("link")).path == site.truth(site_id)["url"]
    assert forms == ({"rfc822", "dotnet"} if rss_dates == "both" else {rss_dates})


def test_robots_txt_is_permissive_or_disallows_search() -> None:
    allow = get(MstSite(50), "/robots.txt")[2].decode()
    assert (
        "Allow: /" in allow and f"Sitemap: {BASE}/sitemap.xml" in allow and "Disallow" not in allow
    )
    strict = get(MstSite(50, robots="disallow-search"), "/robots.txt")[2].decode()
    assert "Disallow: /tim-kiem.htm" in strict


# -- noise ----------------------------------------------------------------------------------------
def test_noise_pages_answer_and_are_not_articles(site: MstSite) -> None:
    for path in site.noise_paths():
        status, _, body = get(site, path)
        assert status == 200, path
        assert not lxml.html.fromstring(body).cssselect("h1.detail-title"), path
    search = get(site, "/tim-kiem.htm?keywords=h%E1%BB%99i+th%E1%BA%A3o")[2].decode()
    assert re.search(r'Có <span class="bold">\d+</span> tin tức, video', search)
    newest = site.truth(site.article_ids()[-1])
    day = newest["published_at"][:10].split("-")
    archive = get(site, f"/tin-tuc-su-kien/xem-theo-ngay-{day[2]}-{day[1]}-{day[0]}.htm")[2]
    assert urlsplit(newest["url"]).path.encode() in archive
    assert get(site, "/van-ban-phap-luat/99999.htm")[0] == 404


# -- validators, generations, alias hosts, determinism --------------------------------------------
def test_validators_and_304(site: MstSite) -> None:
    ids = [i for i in site.article_ids()[-20:] if site.validator(i)]
    truth = site.truth(ids[0])
    status, headers, _ = get(site, local(truth["url"]))
    assert status == 200 and headers["ETag"] and headers["Last-Modified"].endswith("GMT")
    assert get(site, local(truth["url"]), {"If-None-Match": headers["ETag"]})[:1] == (304,)
    assert get(site, local(truth["url"]), {"If-Modified-Since": headers["Last-Modified"]})[0] == 304
    assert any(site.validator(i) is None for i in site.article_ids())


def test_generations_add_articles_and_edit_some() -> None:
    g0, g2 = MstSite(200, seed=5), MstSite(200, seed=5, generation=2)
    assert set(g0.article_ids()) < set(g2.article_ids())
    new = sorted(set(g2.article_ids()) - set(g0.article_ids()))
    assert all(time_of_id(i) and time_of_id(i) > time_of_id(max(g0.article_ids())) for i in new)  # type: ignore[operator]
    changed = [i for i in g0.article_ids() if g0.truth(i) != g2.truth(i)]
    assert len(changed) >= 2
    for site_id in changed:
        truth = g2.truth(site_id)
        if g2.validator(site_id) is not None:
            assert g0.validator(site_id) != g2.validator(site_id)
        truth.pop("categories")
        assert article(get(g2, local(truth["url"]))[2], truth["url"]) == truth
    assert listing_ids(get(g2, "/")[2])[0] == new[-1]


def test_alias_hosts_answer_301_to_the_base_when_switched_on() -> None:
    on = MstSite(60, alias_redirect=True, alias_hosts=("localhost",))
    path = local(on.truth(on.article_ids()[-1])["url"]) + "?x=1"
    for host in ("mic.gov.vn", "www.mst.gov.vn", "localhost:8765", "WWW.MIC.GOV.VN"):
        status, headers, _ = on.render("GET", path, {"Host": host})
        assert status == 301 and headers["Location"] == BASE + path
    assert on.render("GET", path, {"Host": "127.0.0.1:8765"})[0] == 200
    off = MstSite(60)
    assert off.render("GET", path, {"Host": "mic.gov.vn"})[0] == 200


def test_same_seed_same_site_other_seed_other_site() -> None:
    a, b, c = MstSite(80, seed=7), MstSite(80, seed=7), MstSite(80, seed=8)
    assert a.article_ids() == b.article_ids()
    for path in ("/", ZONES[0].path, "/sitemap.xml", "/rss/home.rss"):
        assert get(a, path) == get(b, path)
    assert [a.truth(i) for i in a.article_ids()] == [b.truth(i) for i in b.article_ids()]
    assert a.article_ids() != c.article_ids()


def test_no_link_on_the_site_is_dead(site: MstSite) -> None:
    media = MediaSite(MEDIA)
    pages = ["/", "/tin-tuc-su-kien.htm", "/rss.htm", *site.noise_paths()]
    pages += [z.path for z in ZONES] + [ZONES[0].trang_path(2)]
    pages += [local(site.truth(i)["url"]) for i in site.article_ids()[-30:]]
    links: set[str] = set()
    for path in pages:
        doc = lxml.html.fromstring(get(site, path)[2])
        for el in doc.iter("a", "img", "link", "iframe"):
            value = el.get("href") or el.get("src") or ""
            if value and not value.startswith(("javascript:", "mailto:", "http://127.0.0.1:9/")):
                links.add(onto_base(value))
    dead = []
    for link in sorted(links):
        if link.startswith(MEDIA):
            status = media.render("GET", local(link))[0]
        else:
            status = get(site, local(link) if link.startswith(BASE) else link)[0]
        if status != 200:
            dead.append(link)
    assert dead == [] and len(links) > 300


def test_links_with_another_slug_only_reach_pages_naming_their_canonical(site: MstSite) -> None:
    others = 0
    for site_id in site.article_ids()[-60:]:
        html = get(site, local(site.truth(site_id)["url"]))[2].decode()
        for href in set(re.findall(r'href="([^"]*-(\d{6,})\.htm)"', html)):
            if not urlsplit(onto_base(href[0])).path.endswith(f"-{href[1]}.htm"):
                continue  # a share link carrying the article's URL in its query
            if int(href[1]) not in site.index.position:
                continue  # /gioi-thieu-19797875.htm, a static page
            target = site.truth(int(href[1]))
            if urlsplit(onto_base(href[0])).path != urlsplit(target["url"]).path:
                others += 1
                page = get(site, urlsplit(onto_base(href[0])).path)[2].decode()
                canonical = re.search(r'<link rel="canonical" href="([^"]+)"', page)
                assert canonical and canonical.group(1).endswith(urlsplit(target["url"]).path)
    assert others >= 5


def test_timelinelist_can_insist_on_the_zone_page_as_referer() -> None:
    site = MstSite(120, seed=4, timeline_referer=True)
    zone = ZONES[0]
    path = f"/timelinelist/{zone.id}/2.htm"
    assert get(site, path) == (200, get(site, path)[1], b"")
    status, _, body = get(site, path, {"Referer": BASE + zone.path})
    assert status == 200 and listing_ids(body) == site.listing_ids(zone.slug, 2) != []
    assert listing_ids(get(MstSite(120, seed=4), path)[2]) == site.listing_ids(zone.slug, 2)
