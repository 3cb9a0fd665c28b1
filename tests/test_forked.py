"""tests/forked.py: a command forked from the warm interpreter answers as the command started
from scratch does (exit code, output), in the directory and environment it was given, and is
killed at its timeout."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests import forked
from tests.e2e.support import MOST_ARCHIVE, ROOT


@pytest.fixture(autouse=True)
def forking(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests are about the forked child: even under ``MOST_ARCHIVE_TEST_EXEC=1``."""
    monkeypatch.delenv("MOST_ARCHIVE_TEST_EXEC", raising=False)


@pytest.mark.parametrize(
    "args",
    [
        ["--version"],
        ["stats", "--db", "/nonexistent/most-archive/x.db"],  # a clean error, exit 1
        ["search"],  # a usage error, exit 2
        ["show", "--help"],
    ],
    ids=["version", "missing-db", "usage", "help"],
)
def test_a_forked_command_answers_as_the_one_started_from_scratch(args: list[str]) -> None:
    argv = [MOST_ARCHIVE, *args]
    started = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT, timeout=60)
    child = forked.run(argv, cwd=ROOT, timeout=60)
    assert (child.returncode, child.stdout, child.stderr) == (
        started.returncode,
        started.stdout,
        started.stderr,
    )


def test_the_child_runs_in_the_directory_and_environment_given(tmp_path: Path) -> None:
    # --db from the environment, relative to the working directory; the site refuses at once
    env = {**os.environ, "MOST_ARCHIVE_DB": "from-env.db"}
    argv = [MOST_ARCHIVE, "crawl", "--site", "http://127.0.0.1:9", "-s", "RETRY_TIMES=0"]
    done = forked.run(argv, cwd=tmp_path, env=env, timeout=60)
    assert done.returncode != 0 and "Traceback" not in done.stderr, done.stderr[-2000:]
    assert (tmp_path / "from-env.db").exists()
    assert "unreachable" in done.stdout + done.stderr


def test_a_child_past_its_timeout_is_killed() -> None:
    argv = [MOST_ARCHIVE, "replica", "--port", "0", "--articles", "1"]
    with pytest.raises(subprocess.TimeoutExpired) as stopped:
        forked.run(argv, cwd=ROOT, timeout=2)
    output = stopped.value.output
    assert isinstance(output, str) and "http://127.0.0.1:" in output, output
    port = int(output.split("http://127.0.0.1:", 1)[1].split("/", 1)[0].split()[0])
    with pytest.raises(ConnectionRefusedError):  # the replica it started is gone with it
        socket.create_connection(("127.0.0.1", port), timeout=5).close()


def test_an_environment_the_interpreter_reads_at_start_up_is_started_from_scratch() -> None:
    assert forked._needs_exec({**os.environ, "PYTHONPATH": "/elsewhere"})
    assert forked._needs_exec({**os.environ, "LD_PRELOAD": "/lib/elsewhere.so"})
    assert not forked._needs_exec({**os.environ, "PYTHONWARNINGS": "ignore"})
    assert forked._needs_exec({**os.environ, "MOST_ARCHIVE_TEST_EXEC": "1"})
    assert not forked._needs_exec(dict(os.environ))


def test_preloading_installs_no_reactor() -> None:
    probe = "import sys, tests._forked_preload; print('twisted.internet.reactor' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "False"
