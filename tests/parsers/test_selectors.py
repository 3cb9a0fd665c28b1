"""``ClassScan``: the first-match walk reads a class token exactly as ``has_class`` XPath does."""

from __future__ import annotations

import pytest
from lxml import etree

from crawler.parsers.document import ClassScan, has_class, load

CLASS_VALUES = [
    "detail-content",
    "  detail-content  ",
    "a\tdetail-content\nb",
    "x\rdetail-content",
    "detail-content-x",  # a longer token: no match
    "xdetail-content",
    "detail-content\xa0x",  # no-break space is no XPath space: one token, no match
    "DETAIL-CONTENT",  # class tokens are case-sensitive
    "",
]


@pytest.mark.parametrize("value", CLASS_VALUES)
def test_class_scan_matches_the_xpath(value: str) -> None:
    page = (
        '<html><body><div class="other"><p class="detail-content">not a div</p></div>'
        f'<div class="{value}"><div class="detail-content">inner</div></div>'
        "</body></html>"
    )
    root = load(page)
    assert root is not None
    by_xpath = etree.XPath(f"//div[{has_class('detail-content')}]")(root)
    assert isinstance(by_xpath, list)
    assert ClassScan("div", "detail-content")(root) == by_xpath[:1]


def test_class_scan_finds_nothing_without_the_token() -> None:
    root = load("<html><body><div class='detail'><span class='detail-content'/></div></body>")
    assert root is not None
    assert ClassScan("div", "detail-content")(root) == []
