"""Durations for --max-duration and ARCHIVE_MAX_DURATION."""

from __future__ import annotations

import pytest

from crawler.durations import format_duration, parse_duration


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("90m", 5400),
        ("2h", 7200),
        ("1h30m", 5400),
        ("45s", 45),
        ("3600", 3600),
        ("1.5", 1.5),
        ("2H 5M", 7500),
        ("1d", 86400),
        ("", 0),
        (None, 0),
        (0, 0),
        (30, 30),
    ],
)
def test_durations(text: str | int | None, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["soon", "5 minutes", "-5", "m", "1h-5m", "nan"])
def test_not_durations(text: str) -> None:
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration(text)


def test_format() -> None:
    assert [format_duration(s) for s in (2, 1.9997, 0.5, 5400, 7260)] == [
        "2s",
        "2s",
        "0.5s",
        "1h30m",
        "2h1m",
    ]
