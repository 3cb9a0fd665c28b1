"""The fault table on the mst.gov.vn replica (issue 11): its zone pages, timeline fragments,
articles and the files of its media host, with the promises of test_faults.py (the scenarios and
checks of ``make reliability``, ``benchmarks.reliability``). `make test` runs the rows not marked
``slow`` in ``rel.MST_SCENARIOS``; ``MOST_ARCHIVE_SLOW=1`` runs them all here too. A file of its
own: ``--dist loadfile`` gives it a worker of its own, beside the other portal's table.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from benchmarks import reliability as rel


@pytest.mark.e2e
@pytest.mark.parametrize(
    "scenario",
    [
        pytest.param(s, id=s.key, marks=[pytest.mark.slow] if s.slow else [])
        for s in rel.MST_SCENARIOS
    ],
)
def test_mst_fault(
    scenario: rel.Scenario,
    mst_fault_replica: Any,
    mst_clean_snapshot: dict[str, Any],
    mst_trap: tuple[str, list[str]],
    tmp_path: Path,
) -> None:
    """The same promises on the mst replica: its zone pages, timeline fragments, articles and
    the files of its media host."""
    outcome = rel.run_scenario(
        mst_fault_replica, scenario, tmp_path, mst_clean_snapshot, mst_trap[1]
    )
    print("\n" + outcome.figure())
    assert outcome.violations == [], "\n".join([*outcome.violations, outcome.log_tail])
    assert outcome.faulted > 0, "the fault never fired: the test proved nothing"
    if scenario.media_faults.get("sticky_requests"):
        # every try of a file fails: the failures must be recorded, to be fetched again
        assert outcome.recorded > 0, "no file failure recorded: the media faults proved nothing"
    elif scenario.media_faults:
        # transient media faults: the retries get every file (the checks above), none recorded
        assert outcome.retries > 0, "no file was retried: the media faults proved nothing"
