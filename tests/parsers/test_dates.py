"""The site's date lines (SITE.md §10.15) as ISO 8601 with +07:00."""

from __future__ import annotations

import pytest

from crawler.parsers.dates import parse_day_first, parse_day_first_date


@pytest.mark.parametrize(
    ("line", "want"),
    [
        ("Thứ Năm, 07/12/2017\xa010:21", "2017-12-07T10:21:00+07:00"),
        ("Thứ Năm,\xa007/12/2017 10:21", "2017-12-07T10:21:00+07:00"),
        ("Thứ Năm,\xa007/12/2017\xa010:21|", "2017-12-07T10:21:00+07:00"),
        ("Thứ Năm, 07/12/2017\xa010:21 |", "2017-12-07T10:21:00+07:00"),
        ("Thứ Năm, 07/12/2017", "2017-12-07T00:00:00+07:00"),
        ("Thứ Hai, 3/1/2022 8:05", "2022-01-03T08:05:00+07:00"),
        ("07/12/2017 lúc 9h05", "2017-12-07T09:05:00+07:00"),
        ("Thứ Hai, 3/1/2022 25:99", "2022-01-03T00:00:00+07:00"),
        ("31/02/2020 10:00", None),
        ("Ngày 01/01/1900", None),
        ("", None),
        ("Lượt xem: 1234", None),
    ],
)
def test_article_date_line(line: str, want: str | None) -> None:
    assert parse_day_first(line) == want


def test_listing_date() -> None:
    assert parse_day_first_date("Ngày 07/12/2017\xa0\xa0") == "2017-12-07"
    assert parse_day_first_date("") is None
