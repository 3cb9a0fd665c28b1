"""Revisions everywhere (issue 12, point 5): every revision exported, word-level diffs."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from archive.cli import main
from archive.worddiff import LineChange, line_changes, word_segments
from tests.archive.test_queries_samples import ELECTRIC_V1, ELECTRIC_V2, build_archive


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


@pytest.fixture(scope="module")
def archive_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path: Path = build_archive(tmp_path_factory.mktemp("revisions") / "archive.db")
    return path


def test_export_revisions_writes_every_revision_as_it_was(archive_path: Path) -> None:
    result = run("export", "--revisions", "--db", str(archive_path))
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    articles = run("export", "--db", str(archive_path)).stdout.splitlines()
    assert len(records) == len(articles) + 1  # article 104 has two revisions
    assert "exported 8 revisions (jsonl)" in result.stderr
    assert list(records[0])[:2] == ["revision", "fetched_at"]
    electric = [r for r in records if r["site_id"] == ELECTRIC_V1.site_id]
    assert [r["revision"] for r in electric] == [1, 2]
    assert [r["current"] for r in electric] == [False, True]
    assert electric[0]["title"] == ELECTRIC_V1.title and electric[1]["title"] == ELECTRIC_V2.title
    assert electric[0]["body"] == "\n\n".join(ELECTRIC_V1.body)
    assert electric[1]["body"] == "\n\n".join(ELECTRIC_V2.body)
    assert electric[0]["fetched_at"] == "2026-01-01T08:00:00+00:00"  # its raw page's time
    assert electric[1]["fetched_at"] == electric[1]["first_seen"]  # no raw page: first seen
    assert electric[0]["key"] == f"most:{ELECTRIC_V1.site_id}"
    image = electric[0]["images"][0]
    assert image["url"] == ELECTRIC_V1.images[0].url and image["path"]  # the stored file
    assert image["caption"] == ELECTRIC_V1.images[0].caption


def test_export_revisions_takes_the_filters(archive_path: Path) -> None:
    result = run("export", "--revisions", "--query", "điện", "--db", str(archive_path))
    assert {json.loads(line)["site_id"] for line in result.stdout.splitlines()} == {104}


def test_word_segments_give_back_both_texts() -> None:
    old, new = "phát triển điện hạt nhân.", "phát triển điện gió và mặt trời."
    segments = word_segments(old, new)
    assert "".join(t for op, t in segments if op != "+") == old
    assert "".join(t for op, t in segments if op != "-") == new
    assert segments == [("=", "phát triển điện"), ("-", " hạt nhân."), ("+", " gió và mặt trời.")]


def test_line_changes_pair_changed_paragraphs() -> None:
    changes = line_changes(["a b", "c d", "e"], ["a b", "c x", "e", "f"])
    assert [c.kind for c in changes] == ["=", "~", "=", "+"]
    assert changes[1].segments == [("=", "c"), ("-", " d"), ("+", " x")]


def test_diff_word_shows_the_changed_words_only(archive_path: Path) -> None:
    result = run("diff", "104", "--word", "--db", str(archive_path))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("--- article 104 revision 1")
    assert "~  Đảng ủy Tổng công ty chỉ đạo phát triển điện[- hạt nhân.-]{+ gió.+}" in lines
    assert "~title: Điện lực miền Trung đẩy mạnh chuyển đổi số{+ năm 2025+}" in lines


def test_diff_keeps_the_unified_diff_when_piped(archive_path: Path) -> None:
    lines = run("diff", "104", "--db", str(archive_path)).stdout.splitlines()
    assert lines[2].startswith("@@ -1,")  # not a terminal: the unified diff, as before
    assert "-  Đảng ủy Tổng công ty chỉ đạo phát triển điện hạt nhân." in lines
    assert run("diff", "104", "--line", "--db", str(archive_path)).stdout.splitlines() == lines


def _finishes(work: Callable[[], Any], seconds: float = 60) -> Any:
    """``work()``'s result, or a failure when it has not finished after ``seconds``: a hang
    guard (the hangs it guards against last minutes or more), not a speed goal."""
    import threading

    result: list[Any] = []
    worker = threading.Thread(target=lambda: result.append(work()), daemon=True)
    worker.start()
    worker.join(seconds)
    assert result, "did not finish"
    return result[0]


def test_a_word_changed_in_a_huge_paragraph_is_shown_alone_without_hanging() -> None:
    """A paragraph of 300,000 words with one word edited (a hostile or just enormous page):
    every word was compared with every other for ``diff --word`` and the web view's revision
    diff (33 s at 50,000 words of an eight-word vocabulary; the cost grows with the square of
    the length). Common leading and trailing words are set aside first."""
    words = ["và"] * 300_000
    old = " ".join(words)
    words[150_000] = "XYZ"
    new = " ".join(words)
    segments = _finishes(lambda: word_segments(old, new))
    assert "".join(t for op, t in segments if op != "+") == old
    assert "".join(t for op, t in segments if op != "-") == new
    assert [(op, t) for op, t in segments if op != "="] == [("-", " và"), ("+", " XYZ")]


def test_two_unrelated_huge_paragraphs_are_shown_whole_without_hanging() -> None:
    import random

    pick = random.Random(7).choice
    old = " ".join(pick(["và", "của", "khoa", "học"]) for _ in range(100_000))
    new = " ".join(pick(["và", "của", "khoa", "học"]) for _ in range(100_000))
    segments = _finishes(lambda: word_segments(old, new))
    assert "".join(t for op, t in segments if op != "+") == old
    assert "".join(t for op, t in segments if op != "-") == new


def test_a_line_changed_among_a_huge_number_of_lines_without_hanging() -> None:
    """60,000 paragraphs (one word each), one of them edited, then all of them reversed: every
    paragraph was compared with every other, minutes."""
    lines = ["x", "y", "z"] * 20_000
    edited = [*lines[:30_000], "CHANGED", *lines[30_001:]]
    changes = _finishes(lambda: line_changes(lines, edited))
    assert [c for c in changes if c.kind != "="] == [
        LineChange("~", lines[30_000], "CHANGED", [("-", lines[30_000]), ("+", "CHANGED")])
    ]
    unrelated = _finishes(lambda: line_changes(lines, list(reversed(lines))))
    assert [c.old for c in unrelated if c.kind != "+"] == lines
    assert [c.new for c in unrelated if c.kind != "-"] == list(reversed(lines))
