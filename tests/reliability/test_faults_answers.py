"""The SharePoint fault table, second half: faults of the answers themselves (bodies cut or
truncated, wrong types, a PDF, redirect loops, offsite redirects, 404s, oversized answers), with
the promises and fixtures of test_faults.py (its first half, the faults of the server and the
connection). `make test` runs the rows not marked ``slow``; ``MOST_ARCHIVE_SLOW=1`` runs them all.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from benchmarks import reliability as rel

from .support import is_server_fault
from .test_faults import check_fault, params


@pytest.mark.e2e
@pytest.mark.parametrize(
    "scenario", params(tuple(s for s in rel.SCENARIOS if not is_server_fault(s)))
)
def test_answer_fault(
    scenario: rel.Scenario,
    fault_replica: Any,
    clean_snapshot: dict[str, Any],
    trap_site: tuple[str, list[str]],
    tmp_path: Path,
) -> None:
    check_fault(scenario, fault_replica, clean_snapshot, trap_site[1], tmp_path)
