"""One parametrized test over the saved pages in tests/fixtures/pages/<case>/.

Each case folder holds ``page.html`` (read as bytes, so encoding bugs show) and ``expected.json``:

- ``kind``: ``article`` (parse_article), ``listing`` (parse_listing) or ``none`` (parse_article
  must return None);
- ``page_url``: the URL the page was fetched at;
- ``expect``: the fields to compare exactly (any subset of the record's fields), plus a few
  derived checks: ``captions`` (the images' captions in order), ``body_html_contains`` /
  ``body_html_excludes`` (substrings), ``body_excludes`` (substrings no body paragraph may hold),
  ``items`` for a listing (a list of ListingItem dicts).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest

from crawler.parsers import parse_article, parse_listing

PAGES = Path(__file__).resolve().parent.parent / "fixtures" / "pages"
CASES = sorted(p.name for p in PAGES.iterdir() if (p / "expected.json").exists())


def _check_article(page: bytes, spec: dict[str, Any]) -> None:
    article = parse_article(page, spec["page_url"])
    if spec["kind"] == "none":
        assert article is None
        return
    assert article is not None, "the page was not recognised as an article"
    record = article.to_dict()
    for key, want in spec["expect"].items():
        if key == "captions":
            assert [i["caption"] for i in record["images"]] == want
        elif key == "body_html_contains":
            for fragment in want:
                assert fragment in record["body_html"], fragment
        elif key == "body_html_excludes":
            for fragment in want:
                assert fragment.lower() not in record["body_html"].lower(), fragment
        elif key == "body_excludes":
            for fragment in want:
                assert not [p for p in record["body"] if fragment in p], fragment
        else:
            assert record[key] == want, key


def _check_listing(page: bytes, spec: dict[str, Any]) -> None:
    listing = parse_listing(page, spec["page_url"])
    assert listing is not None
    record = asdict(listing)
    for key, want in spec["expect"].items():
        assert record[key] == want, key


@pytest.mark.parametrize("case", CASES)
def test_fixture(case: str) -> None:
    folder = PAGES / case
    page = (folder / "page.html").read_bytes()
    spec = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    if spec["kind"] == "listing":
        _check_listing(page, spec)
    else:
        _check_article(page, spec)


def test_every_case_checks_something() -> None:
    assert len(CASES) >= 30
    for case in CASES:
        spec = json.loads((PAGES / case / "expected.json").read_text(encoding="utf-8"))
        assert spec["kind"] == "none" or spec["expect"], case
