"""The markup-drift rule (crawler.drift): over a portal's last parsed articles, across runs."""

from __future__ import annotations

from crawler import drift
from crawler.outcome import with_drift


def run(portal: str, parsed: int, drifted: int, *urls: str) -> dict[str, object]:
    return {f"parsed_{portal}": parsed, f"drifted_{portal}": drifted,
            "drift_examples": {portal: list(urls)}}  # fmt: skip


def test_a_drifting_portal_is_named_with_examples() -> None:
    found = drift.assess("mst", [run("mst", 20, 8, "https://mst.gov.vn/a-197250704101929995.htm")])
    assert found is not None and (found.portal, found.drifted, found.parsed) == ("mst", 8, 20)
    assert "markup drift on portal mst: 8 of the last 20" in found.message()
    assert "a-197250704101929995.htm" in found.message()


def test_no_verdict_on_a_few_articles_and_none_below_the_threshold() -> None:
    assert drift.assess("mst", [run("mst", 3, 3)]) is None  # too few to judge: no flapping
    assert drift.assess("mst", [run("mst", 50, 9)]) is None  # 18% < 20%
    assert drift.assess("most", [run("mst", 50, 50)]) is None  # another portal's drift


def test_small_runs_add_up_across_runs_and_old_runs_fall_out_of_the_window() -> None:
    hourly = [run("mst", 2, 1) for _ in range(10)]  # each run alone proves nothing
    assert drift.assess("mst", hourly) is not None
    healthy_then_old_drift = [run("mst", 25, 0), run("mst", 25, 0), run("mst", 40, 40)]
    assert drift.assess("mst", healthy_then_old_drift) is None  # the window is full before it


def test_what_counts_as_drifted() -> None:
    assert drift.is_drifted("fallback-trafilatura/1", [])
    assert drift.is_drifted(None, [])
    assert drift.is_drifted("mst/1", ["date"])
    assert not drift.is_drifted("mst/1", [])


def test_a_drift_makes_an_ok_run_exit_1() -> None:
    assert with_drift("ok") == "partial"
    assert with_drift("interrupted") == "interrupted"
