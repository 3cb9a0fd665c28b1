"""Each fault of the replica, one test each: the crawl finishes, every article the server
delivered is archived exactly once and as a clean crawl stores it, every permanent failure is in
``fetch_errors`` with its reason, the exit code says so, and a re-run without the fault gets
everything. Nothing is ever requested from the trap at the replica's offsite base.

The scenarios and the checks are those of ``make reliability`` (``benchmarks.reliability``);
each test prints its figure (requests, faulted answers, retries, articles, failures). `make test`
runs every scenario not marked ``slow`` in ``rel.SCENARIOS``; ``MOST_ARCHIVE_SLOW=1`` runs them
all here too. Here the faults of the server and the connection; those of the answers themselves
are test_faults_answers.py's, the mst.gov.vn table is test_faults_mst.py.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from benchmarks import reliability as rel
from benchmarks.reliability.running import TIMEOUT

from .support import fault_kinds, is_server_fault

# Kinds of fault that only slow scenarios exercise here, and the test of `make test` that does.
COVERED_ELSEWHERE = {
    "latency_jitter_ms": "tests/e2e/test_slow_server.py (a hanging URL, a slow large file)",
    "challenge_rate": "tests/e2e/test_bot_challenge.py (a site challenged whole; articles "
    "challenged on every try of one run, archived by the next)",
}


def params(scenarios: tuple[rel.Scenario, ...]) -> list[Any]:
    return [
        pytest.param(s, id=s.key, marks=[pytest.mark.slow] if s.slow else []) for s in scenarios
    ]


def in_half_the_time(scenario: rel.Scenario) -> rel.Scenario:
    """A row whose drip outlasts the crawl's timeout, every time in it halved: a drip of 2 s
    against a DOWNLOAD_TIMEOUT of 1 s (and a longest transfer of 1 s where the row sets it to
    the timeout) is what a drip of 4 s against 2 s is, the same rule either side of the same
    ratio, in half the wait. ``make reliability`` runs the rows as written; a row whose drip is
    shorter than the timeout is unchanged."""
    drip = float(scenario.faults.get("drip_seconds", 0))
    if drip <= TIMEOUT:
        return scenario
    settings = {**scenario.settings, "DOWNLOAD_TIMEOUT": TIMEOUT / 2}
    if settings.get("ARCHIVE_MAX_TRANSFER_SECONDS") == TIMEOUT:
        settings["ARCHIVE_MAX_TRANSFER_SECONDS"] = TIMEOUT / 2
    faults = {**scenario.faults, "drip_seconds": drip / 2}
    name = f"{scenario.name}, times halved"  # the figure printed says so
    return dataclasses.replace(scenario, name=name, faults=faults, settings=settings)


def check_fault(
    scenario: rel.Scenario, replica: Any, clean: dict[str, Any], trap_hits: list[str], tmp: Path
) -> None:
    outcome = rel.run_scenario(replica, in_half_the_time(scenario), tmp, clean, trap_hits)
    print("\n" + outcome.figure())
    assert outcome.violations == [], "\n".join([*outcome.violations, outcome.log_tail])
    assert outcome.faulted > 0, "the fault never fired: the test proved nothing"


@pytest.mark.e2e
@pytest.mark.parametrize("scenario", params(tuple(filter(is_server_fault, rel.SCENARIOS))))
def test_fault(
    scenario: rel.Scenario,
    fault_replica: Any,
    clean_snapshot: dict[str, Any],
    trap_site: tuple[str, list[str]],
    tmp_path: Path,
) -> None:
    """The faults of the server and the connection; test_faults_answers.py has the others."""
    check_fault(scenario, fault_replica, clean_snapshot, trap_site[1], tmp_path)


def test_checks_catch_a_broken_archive(
    tmp_path: Path, clean_snapshot: dict[str, Any], fault_replica: Any
) -> None:
    """The checks the fault tests rely on do fail on a damaged archive."""
    import shutil
    import sqlite3

    db = tmp_path / "archive.db"
    run = rel.crawl(fault_replica.base_url, db)
    assert run.returncode == 0
    assert rel.problems(db) == [] and rel.differences(clean_snapshot, rel.snapshot(db)) == []
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA foreign_keys = OFF")
    victim = conn.execute("SELECT site_id FROM images LIMIT 1").fetchone()[0]
    conn.execute("DELETE FROM images WHERE site_id = ?", [victim])
    conn.execute(
        "UPDATE articles SET title = 'x' WHERE site_id = (SELECT max(site_id) FROM articles)"
    )
    conn.execute("INSERT INTO attachments (site_id, position, url) VALUES (-1, 0, 'u')")
    conn.commit()
    conn.close()
    shutil.copy(__file__, db.with_name("archive-files") / "stray.txt")
    found = "\n".join(rel.problems(db) + rel.differences(clean_snapshot, rel.snapshot(db)))
    for expected in (
        f"article {victim} half-written",
        "attachments without article",
        "file without files row",
        "articles: 1 different",
        "images: 1 missing",
    ):
        assert expected in found


def test_make_test_keeps_a_scenario_of_every_kind() -> None:
    """Every kind of fault of both tables is exercised by a scenario `make test` runs (not marked
    ``slow``), or by the test named in ``COVERED_ELSEWHERE``; the two tables' rows are told apart
    by name."""

    scenarios = rel.SCENARIOS + rel.MST_SCENARIOS
    in_make_test = set().union(*(fault_kinds(s) for s in scenarios if not s.slow))
    every = set().union(*(fault_kinds(s) for s in scenarios))
    assert every - in_make_test <= set(COVERED_ELSEWHERE), sorted(every - in_make_test)
    assert not set(COVERED_ELSEWHERE) & in_make_test, "COVERED_ELSEWHERE names a covered kind"
    keys = {s.key for s in rel.SCENARIOS}
    mst_keys = {s.key for s in rel.MST_SCENARIOS}
    assert all(s.portal == "mst" and s.name.startswith("mst: ") for s in rel.MST_SCENARIOS)
    assert not keys & mst_keys, "a row name of both tables: the docs table could not tell them"


@pytest.mark.e2e
def test_a_root_that_redirected_offsite_once_is_resolved_when_it_answers(
    tmp_path: Path, fault_replica: Any
) -> None:
    """The root page redirects offsite in one run (the run says so, nothing archived); the next
    run, the root answering, archives everything and leaves no open error (seen in the
    "offsite redirects" row of `make reliability`: the root's error stayed open, and retrying
    it as a listing recorded the home page as "not a listing page")."""
    db = tmp_path / "archive.db"
    fault_replica.set_faults(
        {"offsite_redirect_rate": 1.0, "sticky_requests": 1000, "path_pattern": r"^/$"}
    )
    try:
        first = rel.crawl(fault_replica.base_url, db)
    finally:
        fault_replica.set_faults(None)
    second = rel.crawl(fault_replica.base_url, db)
    c = rel.counts(db)
    print(f"\nexit {first.returncode} then {second.returncode}; open errors {c['errors']}")
    assert first.returncode == 1
    assert c["errors"] == [] and second.returncode == 0, second.stderr[-2000:]
    assert c["articles"] == set(fault_replica.site.article_ids())
