"""The pipeline's validation rule: an article needs a title, a date and a body."""

from __future__ import annotations

from crawler.items import Article
from crawler.pipelines import missing_fields, run_counts


def _article(**changes: object) -> Article:
    fields: dict[str, object] = {
        "site_id": 1,
        "url": "https://www.most.gov.vn/vn/tin-tuc/1/a.aspx",
        "title": "Tiêu đề",
        "lead": "",
        "body": ["Một đoạn."],
        "body_html": "<p>Một đoạn.</p>",
        "published_at": "2024-04-26T10:30:00+07:00",
        "category": None,
        "source": None,
    }
    fields.update(changes)
    return Article(**fields)  # type: ignore[arg-type]


def test_a_complete_article_passes() -> None:
    assert missing_fields(_article()) == []


def test_title_date_and_body_are_required() -> None:
    assert missing_fields(_article(title="  ")) == ["title"]
    assert missing_fields(_article(published_at=None)) == ["date"]
    assert missing_fields(_article(body=[])) == ["body"]
    assert missing_fields(_article(body=[" "], title="", published_at="")) == [
        "title",
        "date",
        "body",
    ]


def test_run_counts_fold_304s_into_unchanged() -> None:
    counts = run_counts(
        {
            "downloader/response_count": 12,
            "archive/articles_new": 3,
            "archive/articles_unchanged": 2,
            "archive/not_modified": 5,
            "archive/errors": 1,
            "finish_reason": "finished",
        }
    )
    assert counts["pages_fetched"] == 12
    assert counts["articles_new"] == 3
    assert counts["articles_unchanged"] == 7
    assert counts["errors"] == 1
    assert counts["files"] == 0
