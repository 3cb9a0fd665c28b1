"""Shared fixtures. ``replica``: one running 200-article replica for the whole session.

The replica runs in a subprocess on a free 127.0.0.1 port (``replica.testing``). Tests that
switch its generation or faults must put them back (or use their own ``running_replica``).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from replica.testing import ReplicaHandle, running_replica


@pytest.fixture(scope="session")
def replica() -> Iterator[ReplicaHandle]:
    with running_replica(articles=200, seed=1) as handle:
        yield handle
