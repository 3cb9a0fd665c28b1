"""The replica's pages carry what SITE.md describes, and its ground truth matches them.

In-process (``Site.render``), so these are fast; test_replica_server.py repeats the key points
over real HTTP.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from pathlib import Path

import lxml.html
import pytest
from replica_oracle import article, norm

from replica.catalog import ARTICLE_PART, LISTING_PART
from replica.site import Site
from replica.slugs import slugify

SEED_JSON = Path(__file__).resolve().parents[2] / "replica" / "data" / "seed-article.json"
# ../shared/site beside the checkout (as on developer machines and in CI), when present.
SHARED_SEED = Path(__file__).resolve().parents[3] / "shared" / "site" / "seed-article.expected.json"


@pytest.fixture(scope="module")
def site() -> Site:
    return Site(articles=200, seed=1)


def get(site: Site, path: str) -> tuple[int, dict[str, str], bytes]:
    return site.render("GET", path, {})


def local(site: Site, url: str) -> str:
    assert url.startswith(site.base_url)
    return url[len(site.base_url) :]


# -- ground truth ----------------------------------------------------------------------------
def test_truth_equals_a_strict_reading_of_every_article(site: Site) -> None:
    mismatches = []
    for site_id in site.article_ids():
        truth = site.truth(site_id)
        status, _, body = get(site, local(site, truth["url"]))
        assert status == 200
        truth.pop("categories")
        if article(body, truth["url"]) != truth:
            mismatches.append(site_id)
    assert mismatches == []


def test_truth_text_is_present_in_every_served_page(site: Site) -> None:
    for site_id in site.article_ids():
        truth = site.truth(site_id)
        _, _, body = get(site, local(site, truth["url"]))
        page = norm(lxml.html.fromstring(body).text_content())
        cells = [c for row in truth["body"] for c in row.split(" | ")]  # table rows: each cell
        wanted = [truth["title"], truth["lead"], *cells, truth["source"] or ""]
        wanted += [i["caption"] for i in truth["images"] if i["caption"]]
        y, m, d = truth["published_at"][:10].split("-")
        wanted.append(f"{d}/{m}/{y}")
        missing = [w for w in wanted if w not in page]
        assert missing == [], f"article {site_id}"
        assert truth["title"] == norm(truth["title"]) and truth["lead"] == norm(truth["lead"])


def test_truth_has_exactly_the_article_fields(site: Site) -> None:
    truth = site.truth(site.article_ids()[0])
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
        "categories",
    }
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:00\+07:00", truth["published_at"])


def test_seed_article_is_served_with_its_expected_fields(site: Site) -> None:
    expected = json.loads(SEED_JSON.read_text(encoding="utf-8"))
    if SHARED_SEED.exists():
        assert json.loads(SHARED_SEED.read_text(encoding="utf-8")) == expected
    matches = [i for i in site.article_ids() if site.truth(i)["title"] == expected["title"]]
    assert len(matches) == 1
    truth = site.truth(matches[0])
    assert truth["lead"] == expected["lead"]
    assert truth["body"] == expected["body_paragraphs"]
    assert [i["caption"] for i in truth["images"]] == expected["captions"]
    assert truth["source"] == expected["source"]
    assert truth["category"] == expected["category"] == "Tin tức sự kiện"


def test_same_seed_same_site_other_seed_other_site() -> None:
    a, b, c = Site(60, seed=5), Site(60, seed=5), Site(60, seed=6)
    path = "/vn/chuyen-muc/492/Tin-tuc-su-kien.aspx"
    assert get(a, path) == get(b, path)
    assert a.article_ids() == b.article_ids()
    assert [a.truth(i) for i in a.article_ids()] == [b.truth(i) for i in b.article_ids()]
    assert [c.truth(i)["title"] for i in c.article_ids()] != [
        a.truth(i)["title"] for i in a.article_ids()
    ]


# -- edge-case coverage ----------------------------------------------------------------------
@pytest.mark.parametrize("articles", [50, 200])
def test_every_variant_appears_in_more_than_one_article(articles: int) -> None:
    site = Site(articles, seed=3)
    seen: Counter[str] = Counter()
    for site_id in site.article_ids():
        spec = site.spec(site_id)
        truth = site.truth(site_id)
        _, _, raw = get(site, local(site, truth["url"]))
        html = raw.decode("utf-8")
        seen[f"lead:{spec.lead_form}"] += 1
        seen[f"time:{spec.time_form}"] += 1
        seen[f"source:{spec.source_form}"] += 1
        seen[f"spans:{spec.span_depth}"] += 1
        for block in spec.blocks:
            if type(block).__name__ == "Figure":
                seen[f"figure:{block.form}"] += 1  # type: ignore[union-attr]
            if type(block).__name__ == "Table":
                seen["data-table"] += 1
        seen["entities"] += "&agrave;" in html or "&ocirc;" in html or "&aacute;" in html
        seen["nfd"] += unicodedata.normalize("NFC", html) != html
        seen["zwsp"] += "\u200b" in html
        seen["attachments"] += bool(truth["attachments"])
        seen["no-images"] += not truth["images"]
        seen["offsite-image"] += any(
            i["url"].startswith("http://127.0.0.1:9") for i in truth["images"]
        )
        seen["caption-anh"] += any((i["caption"] or "").startswith("Ảnh:") for i in truth["images"])
        seen["no-caption"] += any(i["caption"] is None for i in truth["images"])
        seen["two-categories"] += len(truth["categories"]) == 2
        seen["trailing-space-title"] += spec.title_raw.endswith(" ")
        seen["trailing-hyphen-slug"] += spec.slug.endswith("-")
        seen["double-hyphen-slug"] += "--" in spec.slug
        seen["upper-case-path"] += spec.path != spec.path.lower()
        seen["curly-quotes"] += "“" in truth["title"]
        seen["straight-quotes"] += '"' in truth["title"]
        seen["no-validators"] += site.validator(site_id) is None
        seen["breadcrumb-3"] += 'class="Lv_2"' in html
        seen["huge-viewstate"] += len(html) > 120_000
    expected = (
        [f"lead:{f}" for f in ("text", "p", "empty")]
        + [f"time:{t}" for t in range(5)]
        + [
            f"source:{f}"
            for f in ("pn_label", "missing", "body_label", "pn_author", "body_author", "pn_empty")
        ]
        + [f"spans:{d}" for d in (0, 2, 8)]
        + [f"figure:{f}" for f in ("p_em", "table2", "p_anh", "row_table", "p_multi", "p_nocap")]
        + [
            "data-table",
            "entities",
            "nfd",
            "zwsp",
            "attachments",
            "offsite-image",
            "caption-anh",
            "no-caption",
            "two-categories",
            "trailing-space-title",
            "trailing-hyphen-slug",
            "double-hyphen-slug",
            "upper-case-path",
            "curly-quotes",
            "straight-quotes",
            "no-validators",
            "breadcrumb-3",
            "huge-viewstate",
        ]
    )
    rare = {k: seen[k] for k in expected if seen[k] < 2}
    assert rare == {}


def test_slug_rules_of_the_real_site() -> None:
    assert slugify("Bảo vệ, phát triển tài sản trí tuệ trong thời đại công nghiệp 4.0") == (
        "bao-ve--phat-trien-tai-san-tri-tue-trong-thoi-dai-cong-nghiep-4-0"
    )
    assert slugify("Hà Nội điều chỉnh cơ quan nhà nước ") == "ha-noi-dieu-chinh-co-quan-nha-nuoc-"
    assert slugify("“Đổi mới” - Đà Nẵng") == "doi-moi---da-nang"


# -- listing pages -----------------------------------------------------------------------------
def listing(site: Site, path: str) -> lxml.html.HtmlElement:
    status, headers, body = get(site, path)
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    return lxml.html.fromstring(body)


def test_listing_has_the_evidenced_selectors(site: Site) -> None:
    _status, _, raw = get(site, "/vn/chuyen-muc/493/Tin-tong-hop.aspx?page=2")
    doc = lxml.html.fromstring(raw)
    items = doc.xpath(f'//*[@id="{LISTING_PART}_ctl00_pnListNews"]/div[@class="listnews_item"]')
    assert len(items) == 10
    assert doc.xpath(f'//*[@id="{LISTING_PART}_ctl00_pnListNews"]/div/div/a/@href')
    assert doc.xpath(f'//*[@id="{LISTING_PART}_ctl00_pnListNews"]/div/div/a/img/@src')
    for item in items:
        assert item.cssselect(".listnews_item_title a")
        assert item.cssselect(".listnews_item_des")
        assert item.cssselect(".listnews_item_date span")
    text = raw.decode()
    assert re.search(r"<div class=\"listnews_item_title\"><a href='[^']+'>", text)  # single quotes
    assert re.search(r"<img src='/Images/Tintuc/m[0-9a-f-]{36}\.(jpg|png|JPG)' alt='' />", text)
    assert re.search(r"<span>Ngày \d\d/\d\d/\d{4}&nbsp;&nbsp;</span>", text)
    assert doc.cssselect("div.Paging select option")
    last = -(-len(site.index.by_category[493]) // 10)
    assert doc.xpath('//*[@class="Paging"]/select/option/@value')[-1] == str(last)


def test_listing_items_agree_with_listing_truth(site: Site) -> None:
    for cat in site.categories():
        expect = site.listing_truth(cat["id"], 1)
        doc = listing(site, f"/vn/chuyen-muc/{cat['id']}/{cat['slug']}.aspx")
        items = doc.cssselect("div.listnews_item")
        assert [norm(i.cssselect(".listnews_item_title a")[0].text_content()) for i in items] == [
            e["title"] for e in expect["items"]
        ]
        assert [i.cssselect(".listnews_item_title a")[0].get("href") for i in items] == [
            e["href"] for e in expect["items"]
        ]
        for _item, exp in zip(items, expect["items"], strict=True):
            truth = site.truth(exp["site_id"])
            assert exp["url"] == truth["url"]  # every listing links the truth URL's path
            assert cat["name"] in truth["categories"]


def test_listing_link_forms_vary(site: Site) -> None:
    hrefs = []
    for cat in site.categories():
        for page in (1, 2):
            hrefs += [i["href"] for i in site.listing_truth(cat["id"], page)["items"]]
    kinds = Counter(re.match(r"(https?://(www\.)?|/)", h).group(1) for h in hrefs)  # type: ignore[union-attr]
    assert set(kinds) == {"https://www.", "http://www.", "https://", "http://", "/"}
    assert all(v >= 2 for v in kinds.values())
    assert any(re.search(r"/vn/tin-tuc/\d+/[A-Z]", h) for h in hrefs)
    items = [i for c in site.categories() for i in site.listing_truth(c["id"], 1)["items"]]
    assert sum(i["thumbnail"] is None for i in items) >= 2
    assert sum(i["date"] is None for i in items) >= 2
    empty_dates, no_image = [], []
    for cat in site.categories():
        doc = listing(site, f"/vn/chuyen-muc/{cat['id']}/{cat['slug']}.aspx")
        spans = doc.cssselect(".listnews_item_date span")
        empty_dates += [s for s in spans if not s.text_content()]
        items = doc.cssselect("div.listnews_item")
        no_image += [i for i in items if not i.cssselect(".listnews_item_img")]
    assert empty_dates and no_image


def pager(doc: lxml.html.HtmlElement) -> dict[str, object]:
    spans = doc.xpath('//div[@class="Paging"]/*')
    links = {}
    for n in (2, 3, 5, 6):
        a = spans[n - 1].find("a")
        links[n] = None if a is None else a.get("href")
    options = doc.xpath('//div[@class="Paging"]/select/option')
    selected = [o.get("value") for o in options if o.get("selected")]
    return {
        "info": spans[0].text_content(),
        "links": links,
        "last": options[-1].get("value"),
        "selected": selected,
        "tags": [s.tag for s in spans],
    }


def test_pager_arithmetic_on_first_middle_and_last_pages(site: Site) -> None:
    base = "/vn/chuyen-muc/493/Tin-tong-hop.aspx"
    total = sum(493 in (site.index.primary[p], site.index.secondary[p]) for p in range(200))
    last = -(-total // 10)
    assert last >= 3
    first = pager(listing(site, base))
    assert first["tags"] == ["span", "span", "span", "select", "span", "span"]
    assert first["info"] == f"Trang 1/{last}"
    assert first["links"] == {2: None, 3: None, 5: f"{base}?page=2", 6: f"{base}?page={last}"}
    assert first["last"] == str(last) and first["selected"] == ["1"]
    middle = pager(listing(site, f"{base}?page=2"))
    assert middle["links"] == {
        2: f"{base}?page=1",
        3: f"{base}?page=1",
        5: f"{base}?page=3",
        6: f"{base}?page={last}",
    }
    end = listing(site, f"{base}?page={last}")
    assert pager(end)["links"] == {
        2: f"{base}?page=1",
        3: f"{base}?page={last - 1}",
        5: None,
        6: None,
    }
    assert 1 <= len(end.cssselect("div.listnews_item")) <= 10
    assert end.xpath('//*[@class="Paging"]/span[4]/a') == []
    assert end.get_element_by_id(f"{LISTING_PART}_ctl00_pnListNews") is not None
    # every article of the category once over all pages, newest first
    seen = []
    for page in range(1, last + 1):
        seen += [i["site_id"] for i in site.listing_truth(493, page)["items"]]
    assert len(seen) == len(set(seen)) == total
    dates = [site.spec(i).sort_time for i in seen]
    assert dates == sorted(dates, reverse=True)


def test_page_zero_missing_and_past_the_end(site: Site) -> None:
    for cat_id, slug in ((492, "Tin-tuc-su-kien"), (493, "Tin-tong-hop")):
        base = f"/vn/chuyen-muc/{cat_id}/{slug}.aspx"
        one = [i.get("href") for i in listing(site, base).cssselect(".listnews_item_title a")]
        for q in ("?page=0", "?page=1", "?page=abc", "?page=-3", ""):
            doc = listing(site, base + q)
            assert [i.get("href") for i in doc.cssselect(".listnews_item_title a")] == one
        last = int(pager(listing(site, base))["last"])  # type: ignore[arg-type]
        past = listing(site, f"{base}?page={last + 7}")
        items = past.cssselect("div.listnews_item")
        if (
            site.categories()[[c["id"] for c in site.categories()].index(cat_id)]["past_end"]
            == "last"
        ):
            assert items and pager(past)["info"] == f"Trang {last}/{last}"
        else:
            assert items == [] and pager(past)["links"][5] is None


def test_page_sizes_differ_between_categories(site: Site) -> None:
    sizes = {
        c["id"]: len(
            listing(site, f"/vn/chuyen-muc/{c['id']}/{c['slug']}.aspx").cssselect(
                "div.listnews_item"
            )
        )
        for c in site.categories()
    }
    assert sizes[492] == 20 and sizes[493] == 10 and sizes[570] == 10


def test_category_570_answers_under_both_slugs(site: Site) -> None:
    a = get(site, "/vn/chuyen-muc/570/Diem-bao-KHCN.aspx?page=1")[2]
    b = get(site, "/vn/chuyen-muc/570/diem-bao-ve-khcn.aspx?page=1")[2]
    ids_a = re.findall(rb"/tin-tuc/(\d+)/", a)
    assert ids_a and ids_a == re.findall(rb"/tin-tuc/(\d+)/", b)
    legacy = get(site, "/vn/Pages/chuyenmuctin.aspx?ChuyenmucID=570&page=1")[2]
    assert re.findall(rb"/tin-tuc/(\d+)/", legacy) == ids_a


# -- article pages ---------------------------------------------------------------------------
def test_article_has_the_evidenced_selectors(site: Site) -> None:
    for site_id in site.article_ids()[-12:]:
        _, _, raw = get(site, local(site, site.truth(site_id)["url"]))
        doc = lxml.html.fromstring(raw)
        assert doc.xpath('//*[@id="divArticleDescription3"]/h1')
        assert doc.cssselect("h1.News_Detail_Title")
        assert doc.xpath('//*[@id="divArticleDescription1"]')
        assert doc.cssselect('#divArticleDescription2 > div[class^="ExternalClass"]')
        assert doc.xpath(
            f'//*[@id="{ARTICLE_PART}_ctl00_pnHide"]/div[1]/span[@class="News_Time_Post"]'
        )
        assert doc.cssselect("div.Around_News_Content")
        assert doc.cssselect("ul.UL_Link_Menu li.Lv_3 span.Arrow_Link_Menu + a")
        assert doc.cssselect("span.date_today")
        assert len(doc.get_element_by_id("__VIEWSTATE").get("value")) > 5000
        assert doc.xpath('//form[@id="aspnetForm"]//h1')
        time_text = doc.cssselect("span.News_Time_Post")[0].text_content()
        assert re.match(r"Thứ \w+|Chủ Nhật", time_text) and "," in time_text


def test_header_today_is_not_the_article_date(site: Site) -> None:
    truth = site.truth(site.article_ids()[-1])
    doc = lxml.html.fromstring(get(site, local(site, truth["url"]))[2])
    today = doc.cssselect("span.date_today")[0].text_content()
    y, m, d = truth["published_at"][:10].split("-")
    assert f"{d}/{m}/{y}" not in today
    assert doc.text_content().index(today) < doc.text_content().index(f"{d}/{m}/{y}")


def test_slug_case_and_legacy_forms_serve_the_same_article(site: Site) -> None:
    for site_id in site.article_ids()[-8:]:
        spec = site.spec(site_id)
        canonical = get(site, spec.path)[2]
        title = norm(lxml.html.fromstring(canonical).cssselect("h1")[0].text_content())
        forms = [
            spec.path.upper(),
            spec.path.lower(),
            f"/vn/tin-tuc/{site_id}/x.aspx",
            f"/vn/tin-tuc/{site_id}/{spec.slug}-.aspx",
            f"/vn/tin-tuc/{site_id}/{spec.slug}--.aspx",
            f"/VN/Tin-Tuc/{site_id}/{spec.slug.upper()}.ASPX",
            f"/vn/Pages/chitiettin.aspx?ChuyenmucID={spec.category_id}&IDNews={site_id}",
            f"/vn/pages/ChiTietTin.aspx?chuyenmucid=1&idnews={site_id}&tieude={spec.slug}.aspx",
        ]
        for path in forms:
            status, _, body = get(site, path)
            assert status == 200, path
            assert norm(lxml.html.fromstring(body).cssselect("h1")[0].text_content()) == title


def test_unknown_pages_are_sharepoint_404s(site: Site) -> None:
    for path in (
        "/vn/tin-tuc/1/x.aspx",
        "/vn/chuyen-muc/1/x.aspx",
        "/nope",
        "/vn/Pages/chitiettin.aspx?IDNews=abc",
    ):
        status, _headers, body = get(site, path)
        assert status == 404 and b"ms-error" in body, path


def test_home_has_menu_and_noise(site: Site) -> None:
    status, headers, _ = get(site, "/")
    assert status == 302 and headers["Location"] == "/vn/Pages/Trangchu.aspx"
    doc = listing(site, "/vn/Pages/Trangchu.aspx")
    hrefs = doc.xpath("//a/@href")
    assert any(h.startswith("javascript:") for h in hrefs)
    assert any(h.startswith("mailto:") for h in hrefs)
    assert any(h.startswith("http://127.0.0.1:9/") for h in hrefs)
    assert any("/en/Pages/home.aspx" in h for h in hrefs)
    assert any("Vanbanphapluat.aspx" in h for h in hrefs)
    assert any("VBPQ.aspx" in h for h in hrefs)
    for cat in site.categories():
        assert any(f"/vn/chuyen-muc/{cat['id']}/" in h for h in hrefs)
    assert any(h.startswith("https://www.127.0.0.1:8765/") for h in hrefs)
    assert any(re.search(r"/vn/tin-tuc/\d+/", h) for h in hrefs)
    for path in (
        "/en/Pages/home.aspx",
        "/vn/Pages/Vanbanphapluat.aspx",
        "/vn/pages/VBPQ.aspx",
        "/vn/Pages/vanbanphapquy.aspx",
        "/vn/Pages/DanhSachLanhDao.aspx",
    ):
        assert get(site, path)[0] == 200, path


@pytest.mark.parametrize("robots,status", [("404", 404), ("200", 200)])
def test_robots_txt_is_a_sharepoint_error_page(robots: str, status: int) -> None:
    code, headers, body = Site(50, robots=robots).render("GET", "/robots.txt", {})
    assert code == status
    assert headers["Content-Type"].startswith("text/html") and b"ms-error" in body


def test_generated_text_is_vietnamese_with_full_diacritics(site: Site) -> None:
    text = " ".join(
        " ".join([t["title"], t["lead"], *t["body"]])
        for t in (site.truth(i) for i in site.article_ids()[:60])
    )
    assert "đ" in text and "Đ" in text
    for letter in "ăâêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ":
        if letter in text:
            break
    else:
        pytest.fail("no Vietnamese letters")
    assert sum(c in "ạảấầẩẫậắằẳẵặẹẻẽếềểễệịọỏốồổỗộớờởỡợụủứừửữự" for c in text) > 500
    assert unicodedata.is_normalized("NFC", text)
