"""Fixtures of the reliability suite: one replica (with a trap at its offsite base) shared by the
fault scenarios, and the snapshot of a clean crawl of it to compare every faulty crawl with."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = str(Path(__file__).resolve().parents[2])
if ROOT not in sys.path:  # `benchmarks` is not an installed package
    sys.path.insert(0, ROOT)

from benchmarks import reliability as rel  # noqa: E402

ARTICLES = 20
SEED = 3


@pytest.fixture(scope="session")
def trap_site() -> Iterator[tuple[str, list[str]]]:
    with rel.trap_server() as trap:
        yield trap


@pytest.fixture(scope="session")
def fault_replica(trap_site: tuple[str, list[str]]) -> Iterator[Any]:
    from replica.testing import running_replica

    with running_replica(articles=ARTICLES, seed=SEED, offsite_base=trap_site[0]) as replica:
        yield replica


@pytest.fixture(scope="session")
def clean_snapshot(fault_replica: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A crawl of the replica with no fault: what every faulty crawl must end up equal to."""
    db = tmp_path_factory.mktemp("clean") / "archive.db"
    fault_replica.set_faults(None)
    run = rel.crawl(fault_replica.base_url, db)
    assert run.returncode == 0, run.stderr[-2000:]
    assert rel.problems(db) == []
    shot = rel.snapshot(db)
    assert set(shot["articles"]) == set(fault_replica.site.article_ids())
    return shot


MST_ARTICLES = 20


@pytest.fixture(scope="session")
def mst_trap() -> Iterator[tuple[str, list[str]]]:
    with rel.trap_server() as trap:
        yield trap


@pytest.fixture(scope="session")
def mst_fault_replica(mst_trap: tuple[str, list[str]]) -> Iterator[Any]:
    """An mst.gov.vn replica (site and media host) for the mst rows of the fault table."""
    from replica.testing import running_mst_replica

    with running_mst_replica(articles=MST_ARTICLES, seed=SEED, offsite_base=mst_trap[0]) as rep:
        yield rep


@pytest.fixture(scope="session")
def mst_clean_snapshot(
    mst_fault_replica: Any, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    """A clean crawl of the mst replica: what every faulty mst crawl must end up equal to."""
    db = tmp_path_factory.mktemp("mst-clean") / "archive.db"
    run = rel.crawl(mst_fault_replica.base_url, db, rel.site_settings(mst_fault_replica))
    assert run.returncode == 0, run.stderr[-2000:]
    assert rel.problems(db) == []
    shot = rel.snapshot(db)
    assert set(shot["articles"]) == set(mst_fault_replica.site.article_ids())
    assert shot["files"], "the clean mst crawl fetched no file from the media host"
    return shot


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``slow`` here are skipped unless asked for (``-m slow`` or
    ``MOST_ARCHIVE_SLOW=1``): ``make reliability`` runs the same scenarios."""
    if os.environ.get("MOST_ARCHIVE_SLOW") or "slow" in (config.getoption("-m") or ""):
        return
    here = Path(__file__).resolve().parent
    skip = pytest.mark.skip(reason="slow: `make reliability` runs it (MOST_ARCHIVE_SLOW=1 to run)")
    for item in items:
        if "slow" in item.keywords and here in Path(str(item.fspath)).resolve().parents:
            item.add_marker(skip)
