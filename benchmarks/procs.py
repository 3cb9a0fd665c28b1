"""Run a command in a subprocess and measure its wall time and peak resident memory.

Peak memory is the child's own high-water mark of resident memory, `VmHWM` in
`/proc/<pid>/status`, polled until it exits: it belongs to the program the child runs, so other
processes on the (shared) machine never count. (`ru_maxrss` from `wait4` would not do: a child
made by fork/vfork carries the parent's peak over into its own, so a benchmark process grown
large by earlier measurements would show as the crawl's peak.)
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.results import BenchmarkError


@dataclass(frozen=True)
class ProcessResult:
    argv: list[str]
    returncode: int
    seconds: float
    peak_rss_bytes: int
    stdout: str
    stderr: str


def console_script(name: str) -> str:
    """The path of a console script installed beside this interpreter (else on PATH)."""
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return str(beside)
    found = shutil.which(name)
    if found is None:
        raise BenchmarkError(f"{name!r} is not installed beside {sys.executable} nor on PATH")
    return found


POLL_SECONDS = 0.05


def _vm_hwm_bytes(pid: int) -> int:
    """The process's peak resident memory so far (0 once it is gone or unreadable)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


class _PeakWatcher(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            self.peak = max(self.peak, _vm_hwm_bytes(self.pid))
            self.done.wait(POLL_SECONDS)


def run_measured(
    argv: list[str],
    *,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 900.0,
    check: bool = True,
) -> ProcessResult:
    """Run `argv` to completion; raise BenchmarkError on a non-zero exit when `check`."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=out, stderr=err)
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        watcher = _PeakWatcher(proc.pid)
        watcher.start()
        try:
            # Until it has exited but is not yet reaped, /proc still shows its last VmHWM.
            os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOWAIT)
            watcher.peak = max(watcher.peak, _vm_hwm_bytes(proc.pid))
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
            watcher.done.set()
            watcher.join()
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        result = ProcessResult(
            argv=list(argv),
            returncode=proc.returncode,
            seconds=seconds,
            peak_rss_bytes=watcher.peak or int(usage.ru_maxrss) * 1024,  # ru_maxrss: KiB
            stdout=out.read().decode("utf-8", "replace"),
            stderr=err.read().decode("utf-8", "replace"),
        )
    if check and result.returncode != 0:
        tail = "\n".join(result.stderr.strip().splitlines()[-15:])
        raise BenchmarkError(
            f"command failed with exit {result.returncode} after {seconds:.1f}s: "
            f"{' '.join(argv)}\n{tail}"
        )
    return result
