"""Body paragraphs in awkward markup: players, scripts, nested tables, inline breaks."""

from __future__ import annotations

from crawler.items import Article
from crawler.parsers import parse_article

URL = "https://www.most.gov.vn/vn/tin-tuc/13245/bai-viet.aspx"


def _article(body: str) -> Article:
    page = (
        '<html><head><meta charset="utf-8"></head><body><div id="divArticleDescription3">'
        '<h1 class="News_Detail_Title">Tiêu đề</h1></div>'
        f'<div id="divArticleDescription2"><div class="ExternalClass0">{body}</div></div>'
        "</body></html>"
    )
    article = parse_article(page.encode(), URL)
    assert article is not None
    return article


def test_a_bare_embed_does_not_swallow_what_follows() -> None:
    article = _article(
        '<p>Đoạn một.</p><embed src="/Images/video/clip.swf" width="400"><p>Đoạn hai.</p>'
        "<p>Đoạn ba.</p>"
    )
    assert article.body == ["Đoạn một.", "Đoạn hai.", "Đoạn ba."]
    assert "Đoạn ba." in article.body_html


def test_scripts_iframes_and_objects_leave_no_text() -> None:
    article = _article(
        "<p>Trước <script>var x = 'mã';</script>sau.</p><iframe src='https://x/'>khung</iframe>"
        "<object data='a.swf'><param name='a' value='b'>dự phòng</object><p>Cuối.</p>"
    )
    assert article.body == ["Trước sau.", "Cuối."]


def test_breaks_nested_tables_and_lists() -> None:
    article = _article(
        "<p>Dòng một<br>dòng hai</p>"
        "<table><tr><td>Ô <table><tr><td>trong</td><td>bảng</td></tr></table></td>"
        "<td>ngoài</td></tr></table>"
        "<ul><li>Mục một</li><li>Mục <strong>hai</strong></li></ul>"
    )
    assert article.body == [
        "Dòng một dòng hai",
        "Ô trong | bảng | ngoài",
        "Mục một",
        "Mục hai",
    ]


def test_text_directly_in_the_body_div() -> None:
    article = _article("Văn bản trần <b>không</b> có thẻ p.<div>Khối sau.</div>Đuôi.")
    assert article.body == ["Văn bản trần không có thẻ p.", "Khối sau.", "Đuôi."]


def test_body_found_by_its_externalclass_wrapper_when_the_id_is_missing() -> None:
    page = (
        '<html><body><div class="Around_News_Content"><div id="divArticleDescription3">'
        '<h1 class="News_Detail_Title">Tiêu đề</h1></div>'
        '<div><div class="ExternalClass1266C6959DE64C4392453217BAB75984"><p>Thân bài.</p>'
        "</div></div></div></body></html>"
    )
    article = parse_article(page.encode(), URL)
    assert article is not None
    assert (article.parser, article.body) == ("most/1", ["Thân bài."])
