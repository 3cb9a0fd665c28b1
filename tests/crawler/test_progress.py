"""The crawl's progress line: done so far, known to remain, and an estimate once measurable."""

from __future__ import annotations

from crawler.middlewares import progress_line

DONE = {
    "downloader/response_count": 40,
    "archive/articles_new": 30,
    "archive/articles_updated": 1,
    "archive/articles_unchanged": 2,
    "archive/not_modified": 3,
    "archive/files": 7,
    "archive/errors": 1,
}


def test_nothing_left_says_only_what_was_done() -> None:
    stats = {**DONE, "scheduler/enqueued": 50, "scheduler/dequeued": 50}
    line = progress_line(stats, 10.0)
    assert line == (
        "progress: 40 pages, articles 30 new / 1 updated / 5 unchanged, 7 files, 1 errors"
    )


def test_what_remains_and_how_long_at_this_pace() -> None:
    stats = {**DONE, "scheduler/enqueued": 160, "scheduler/dequeued": 40}
    # 40 answers in 20 s: 2 a second, so 120 remaining take about 60 s
    assert progress_line(stats, 20.0).endswith(
        "; 120 requests known to remain, about 60 s left at this pace"
    )
    assert "about 10 min left" in progress_line(stats, 200.0)
    assert "about 1.7 h left" in progress_line(stats, 2000.0)


def test_no_estimate_before_a_pace_can_be_measured() -> None:
    stats = {"downloader/response_count": 3, "scheduler/enqueued": 30, "scheduler/dequeued": 3}
    assert progress_line(stats, 1.0).endswith("; 27 requests known to remain")
