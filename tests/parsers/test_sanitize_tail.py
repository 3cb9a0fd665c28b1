"""``body_html`` never writes the body's tail back (lxml refuses control characters)."""

from __future__ import annotations


def test_body_html_survives_a_control_character_after_the_body() -> None:
    """Found by the hypothesis fuzzing of test_bad_input: the body's tail held U+0001."""
    from crawler.parsers import parse_article

    url = "http://127.0.0.1:8765/vn/tin-tuc/13245/bai-viet.aspx"
    article = parse_article(b"<div id=divArticleDescription2></div>\x01", url)
    assert article is not None
    assert article.body_html == ""
