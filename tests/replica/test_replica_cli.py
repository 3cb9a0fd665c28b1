"""``most-archive replica``: help, bad usage, and a 50,000-article site answering its first page."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(sys.executable).parent / "most-archive"


def command() -> list[str]:
    return [str(SCRIPT), "replica"] if SCRIPT.exists() else [sys.executable, "-m", "replica"]


def test_help_has_an_example_and_the_fault_flags() -> None:
    out = subprocess.run(
        [*command(), "--help"], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert (
        "Example:" in out.stdout and "most-archive replica --port 8765 --articles 200" in out.stdout
    )
    for flag in (
        "--error-rate",
        "--latency-ms",
        "--truncate-rate",
        "--reset-rate",
        "--no-retry-after",
        "--generation",
        "--seed",
        "--friendly-500-rate",
    ):
        assert flag in out.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["--error-rate", "2"],
        ["--articles", "0"],
        ["--faults-json", '{"nope": 1}'],
        ["--faults-json", "[1]"],
    ],
)
def test_bad_usage_is_a_clean_error(args: list[str]) -> None:
    out = subprocess.run(
        [*command(), "--port", "0", *args], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert out.returncode in (1, 2) and "Traceback" not in out.stderr
    assert "Error" in out.stderr


def test_port_in_use_is_a_clean_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        out = subprocess.run(
            [*command(), "--port", str(port), "--articles", "50"],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=60,
        )
    assert out.returncode == 1 and "cannot listen" in out.stderr and "Traceback" not in out.stderr


@pytest.mark.slow
def test_fifty_thousand_articles_answer_the_first_page() -> None:
    proc = subprocess.Popen(
        [*command(), "--port", "0", "--articles", "50000"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=ROOT,
    )
    lines: list[str] = []
    found = threading.Event()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line)
            if "http://127.0.0.1:" in line:
                found.set()

    threading.Thread(target=pump, daemon=True).start()
    try:
        assert found.wait(120), "".join(lines)
        base = re.search(r"http://127\.0\.0\.1:\d+", "".join(lines)).group(0)  # type: ignore[union-attr]
        with urllib.request.urlopen(base + "/vn/Pages/Trangchu.aspx", timeout=120) as resp:
            assert resp.status == 200 and b"listnews" not in resp.read()[:10]
        with urllib.request.urlopen(
            base + "/vn/chuyen-muc/492/Tin-tuc-su-kien.aspx?page=1", timeout=120
        ) as resp:
            assert resp.read().count(b'class="listnews_item"') == 20
        with urllib.request.urlopen(base + "/__replica__/health", timeout=60) as resp:
            assert json.loads(resp.read())["articles"] == 50000
    finally:
        proc.terminate()
        proc.wait(timeout=10)


ORPHAN = """
import os
from replica.testing import running_replica
handle = running_replica(articles=50).__enter__()
print(handle.process.pid, flush=True)
os._exit(0)  # the test process dies without cleaning up
"""


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


def test_a_replica_does_not_outlive_the_test_process() -> None:
    out = subprocess.run(
        [sys.executable, "-c", ORPHAN],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=True,
    )
    pid = int(out.stdout.strip())
    for _ in range(100):
        if not _running(pid):
            break
        time.sleep(0.1)
    assert not _running(pid)
