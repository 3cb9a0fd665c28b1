"""``mst_replica``: one running 200-article mst.gov.vn replica (with its media host) per session.

Tests that switch its generation or faults must put them back.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from replica.testing import MstReplicaHandle, running_mst_replica


@pytest.fixture(scope="session")
def mst_replica() -> Iterator[MstReplicaHandle]:
    with running_mst_replica(articles=200, seed=1) as handle:
        yield handle
