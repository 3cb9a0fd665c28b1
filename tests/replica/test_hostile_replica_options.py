"""Hostile values given to ``most-archive replica``: a clean error before anything is served,
never a server that takes ``nan`` for "no fault", holds a connection for ever, or builds a
generation for ever (replica.faults.Faults, replica.index.MAX_GENERATION)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from most_archive.cli import main
from replica.faults import Faults


@pytest.mark.parametrize(
    "args",
    [
        ["--error-rate", "nan"],
        ["--soft-not-found-rate", "nan"],
        ["--hang-seconds", "inf"],
        ["--hang-seconds", "nan"],
        ["--drip-seconds", "1e309"],
        ["--latency-ms", "99999999999999999999"],
        ["--retry-after-seconds", "99999999999999999999"],
        ["--oversize-bytes", "99999999999999999999"],
        ["--faults-json", '{"error_rate": 5}'],
        ["--faults-json", '{"throttle_rate": -0.5}'],
        ["--faults-json", '{"hang_seconds": "x"}'],
        ["--faults-json", '{"sticky_requests": 0}'],
        ["--generation", "99999999999999999999"],  # built generations for ever
    ],
)
def test_a_hostile_replica_option_is_refused_before_serving(args: list[str]) -> None:
    result = CliRunner().invoke(main, ["replica", "--port", "0", "--articles", "5", *args])
    assert result.exit_code in (1, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Error" in result.output and "Serving" not in result.output


def test_good_faults_pass() -> None:
    faults = Faults(error_rate=1.0, hang_seconds=0.5, latency_ms=10, sticky_requests=2)
    assert Faults.from_dict(faults.to_dict()) == faults
