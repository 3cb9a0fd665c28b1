"""The evaluation itself is tested: it prints every row, scores our parser perfectly on replica
pages, and scores a deliberately broken parser lower (so it cannot pass silently)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from benchmarks.eval_parser import (
    ROWS,
    Prediction,
    System,
    evaluate,
    leaks,
    main,
    ours,
    replica_pages,
    rows,
    token_f1,
)

PAGES = replica_pages(20)


def broken(html: bytes, url: str) -> Prediction | None:
    """Our parser with the classic mistakes: captions and source left in the body, the header's
    date, the title with its trailing space, no lead."""
    pred = ours(html, url)
    assert pred is not None
    body = [*pred.body, *(pred.captions or []), *([pred.source] if pred.source else [])]
    return replace(
        pred,
        body=body,
        captions=[],
        lead="",
        published_at="2025-11-26T00:00:00+07:00",
        title=pred.title + " " if pred.title else pred.title,
        source=None,
    )


EVERY = frozenset(
    {"title", "lead", "published_at", "date", "category", "source", "author", "tags", "captions"}
)


def _systems() -> list[System]:
    return [System("ours", ours, EVERY), System("broken", broken, EVERY)]


def test_broken_parser_scores_lower() -> None:
    results = evaluate(PAGES, _systems())
    good, bad = results["ours"], results["broken"]
    assert good.pages == bad.pages == 20
    for name in ("title", "lead", "published_at", "date", "category", "source", "author", "tags"):
        assert good.exact[name] == 20, name
    assert bad.exact["title"] < 20 and bad.exact["published_at"] == 0 and bad.exact["lead"] < 20
    assert min(good.f1) == 1.0 and sum(bad.f1) < sum(good.f1)
    assert good.caption_hits == good.caption_truth > 0 and bad.caption_hits == 0
    assert good.leaked == 0 and bad.leaked > 0
    table_good = rows(_systems()[0], good)
    assert table_good["caption F1"] == "1.0000" and table_good["pages with leaks"] == "0"


def test_mst_pages_are_scored_against_the_mst_truth() -> None:
    """The mst replica's pages: ours exact on every field (bylines and tags included), and the
    broken parser still caught."""
    pages = replica_pages(20, portal="mst")
    assert all(page.truth["portal"] == "mst" for page in pages)
    results = evaluate(pages, _systems())
    good, bad = results["ours"], results["broken"]
    for name in ("title", "lead", "published_at", "date", "category", "source", "author", "tags"):
        assert good.exact[name] == 20, name
    assert sum(1 for page in pages if page.truth["author"]) > 0
    assert sum(1 for page in pages if page.truth["tags"]) > 0
    assert min(good.f1) == 1.0 and good.leaked == 0 and good.fallback == 0
    assert bad.exact["published_at"] == 0 and bad.leaked > 0


def test_metrics() -> None:
    assert token_f1(["a b c"], ["a b c"]) == 1.0
    assert token_f1([], []) == 1.0
    assert token_f1(["x"], ["a"]) == 0.0
    assert 0 < token_f1(["a b"], ["a b c d"]) < 1
    truth = {
        "images": [{"caption": "Toàn cảnh hội nghị."}],
        "source": "Báo KH&PT",
        "body": ["Đoạn một."],
    }
    assert leaks(["Đoạn một.", "Toàn cảnh hội nghị."], truth) == 1
    assert leaks(["Đoạn một. Báo KH&PT"], truth) == 1
    assert leaks(["Đoạn một."], truth) == 0


def test_command_prints_every_row(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``python -m benchmarks.eval_parser``'s ``main``, in-process: starting Python afresh and
    importing the extractors again would prove nothing more (the ``__main__`` guard only calls
    it)."""
    out = tmp_path / "eval.md"
    assert main(["--pages", "20", "--out", str(out)]) == 0
    stdout = capsys.readouterr().out
    text = out.read_text(encoding="utf-8")
    assert text.strip() in stdout
    for row in ROWS:
        assert f"| {row} |" in text, row
    headers = [line for line in text.splitlines() if line.startswith("| metric |")]
    assert len(headers) == 2  # one table per portal
    assert "most/1 (ours)" in headers[0] and "trafilatura" in headers[0]
    assert "mst/1 (ours)" in headers[1] and "trafilatura" in headers[1]
    assert "## mst.gov.vn" in text and "## www.most.gov.vn" in text
    assert "| title exact | 100.0% |" in text and "| leaked captions/sources | 0 |" in text
    assert "command: `python -m benchmarks.eval_parser --pages 20" in text


def test_parse_cost_reads_the_mst_fixtures_and_prints_parses() -> None:
    from benchmarks.parse_cost import fixture_pages, lines

    pages = fixture_pages()
    assert len(pages) >= 20
    rates = {
        "parse_article": 2000.0,
        "core (tree + flatten + nh3)": 4000.0,
        "lxml.html.fromstring": 10000.0,
        "trafilatura.extract": 200.0,
    }
    text = "\n".join(lines("x", rates))
    assert "10x trafilatura leaves 5.0 parses" in text
    assert "10.0x trafilatura" in text and "5.0 parses" in text


def test_parse_steps_take_the_mst_parsers_steps() -> None:
    """``benchmarks.parse_steps`` counts the steps of the parse: run to the end on mst pages, they
    write the very ``body_html`` ``parse_article`` writes."""
    from benchmarks.parse_cost import fixture_pages
    from benchmarks.parse_steps import STEPS, run_steps
    from crawler.parsers import parse_article

    compared = 0
    for html, url in fixture_pages():
        article = parse_article(html, url)
        if article is None or article.parser != "mst/1":
            continue
        for step in STEPS[:-1]:
            assert run_steps(html, url, step) is None
        assert run_steps(html, url, STEPS[-1]) == article.body_html, url
        compared += 1
    assert compared >= 20
