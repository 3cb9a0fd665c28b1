"""An independent, strict reading of replica pages with lxml, for the replica's own tests.

It applies the brief's field rules to the served HTML, so ``oracle(page) == site.truth(id)``
proves the ground truth is exactly what a careful parser can get from the page. It is not the
project's parser (that lives in crawler/parsers) and knows the replica's markup on purpose.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any
from urllib.parse import urlsplit

import lxml.html
from lxml.html import HtmlElement

DOC_EXTS = {"pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "zip", "rar"}
DATE = re.compile(r"(\d{2})/(\d{2})/(\d{4})(?:\s+(\d{1,2}):(\d{2}))?")


def norm(text: str | None) -> str:
    text = unicodedata.normalize("NFC", text or "")
    text = text.replace("\u200b", "").replace("\xa0", " ")
    return " ".join(text.split())


def text_of(el: HtmlElement) -> str:
    return norm(el.text_content())


def _style(el: HtmlElement) -> str:
    return (el.get("style") or "").replace(" ", "").lower()


def absolute(url: str, base: str) -> str:
    if url.startswith("/"):
        return base + url
    parts = urlsplit(url)
    host = parts.netloc.lower().removeprefix("www.")
    if parts.scheme in ("http", "https") and host == urlsplit(base).netloc.lower().removeprefix(
        "www."
    ):
        return base + parts.path + (f"?{parts.query}" if parts.query else "")
    return url


def _images(el: HtmlElement, base: str) -> list[dict[str, Any]]:
    return [
        {"url": absolute(i.get("src"), base), "caption": None, "alt": i.get("alt") or ""}
        for i in el.iter("img")
    ]


def body_parts(container: HtmlElement, base: str) -> dict[str, Any]:
    blocks = [c for c in container if isinstance(c.tag, str)]
    body: list[str] = []
    images: list[dict[str, Any]] = []
    attachments: list[dict[str, str]] = []
    source: str | None = None
    last_image_para: list[dict[str, Any]] | None = None
    for i, el in enumerate(blocks):
        pending, last_image_para = last_image_para, None
        if el.tag == "table":
            rows = el.findall(".//tr")
            if el.find(".//img") is not None:
                found = _images(rows[0], base)
                captions = [text_of(td) for td in rows[1].findall("td")] if len(rows) > 1 else []
                for img, cap in zip(found, captions, strict=False):
                    img["caption"] = cap or None
                images.extend(found)
            else:
                body.extend(" | ".join(text_of(td) for td in tr.findall("td")) for tr in rows)
            continue
        centered = "text-align:center" in _style(el)
        if el.find(".//img") is not None:
            found = _images(el, base)
            images.extend(found)
            last_image_para = found if len(found) == 1 else None
            continue
        text = text_of(el)
        if pending is not None and centered and text:
            pending[0]["caption"] = text
            continue
        if not text:
            continue
        rest = [b for b in blocks[i + 1 :] if text_of(b) or b.find(".//img") is not None]
        if "text-align:right" in _style(el) and el.find(".//strong") is not None and not rest:
            source = strip_label(text)
            continue
        body.append(text)
        for a in el.iter("a"):
            href = a.get("href") or ""
            if href.rsplit(".", 1)[-1].lower() in DOC_EXTS:
                attachments.append({"url": absolute(href, base), "title": text_of(a)})
    return {"body": body, "images": images, "attachments": attachments, "source": source}


def strip_label(line: str) -> str | None:
    line = norm(line)
    if line.lower().startswith("nguồn:"):
        line = line[len("nguồn:") :].strip()
    return line or None


def article(html: bytes, url: str) -> dict[str, Any]:
    """The brief's Article fields (without body_html/parser) read off one article page."""
    doc = lxml.html.fromstring(html)
    parts = urlsplit(url)
    base = f"{parts.scheme}://{parts.netloc}"
    site_id = int(re.search(r"/tin-tuc/(\d+)/", url, re.I).group(1))  # type: ignore[union-attr]
    time_text = text_of(doc.cssselect("span.News_Time_Post")[0])
    d, m, y, hh, mm = DATE.search(time_text).groups()  # type: ignore[union-attr]
    published = f"{y}-{m}-{d}T{int(hh or 0):02d}:{mm or '00'}:00+07:00"
    ext = doc.xpath(
        '//div[@id="divArticleDescription2"]/div[starts-with(@class, "ExternalClass")]'
    )[0]
    parts_ = body_parts(ext, base)
    pn = doc.xpath('//div[contains(@id, "_ctl00_pnNguontin")]')
    source = parts_["source"]
    if pn:
        source = strip_label(text_of(pn[0]))
    crumbs = doc.cssselect("ul.UL_Link_Menu li a")
    return {
        "site_id": site_id,
        "url": base + parts.path,
        "title": text_of(doc.cssselect("#divArticleDescription3 h1.News_Detail_Title")[0]),
        "lead": text_of(doc.get_element_by_id("divArticleDescription1")),
        "body": parts_["body"],
        "published_at": published,
        "category": text_of(crumbs[-1]),
        "source": source,
        "images": parts_["images"],
        "attachments": parts_["attachments"],
    }
