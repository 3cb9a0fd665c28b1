"""The machine and software a run was measured on, read from the system (never typed in)."""

from __future__ import annotations

import os
import platform
import sqlite3
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

PACKAGES = ("most-archive", "scrapy", "twisted", "lxml", "trafilatura", "sqlite-utils")


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_gib() -> float:
    try:
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return 0.0


def _git_commit(root: Path) -> str:
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{head} (uncommitted changes)" if dirty else head


def load_average() -> str:
    try:
        one, five, fifteen = os.getloadavg()
    except OSError:
        return "unknown"
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def load_1min() -> float | None:
    """The 1-minute load average (None where the system does not tell)."""
    try:
        return os.getloadavg()[0]
    except OSError:
        return None


def usable_cores() -> int:
    """The cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or (os.cpu_count() or 0)
    return os.cpu_count() or 0


@dataclass(frozen=True)
class Machine:
    cores: int
    cores_usable: int
    memory_gib: float
    cpu_model: str
    system: str
    python: str
    sqlite: str
    packages: dict[str, str] = field(default_factory=dict)
    commit: str = "unknown"
    date: str = ""
    load_at_start: str = ""


def describe(root: Path) -> Machine:
    versions: dict[str, str] = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 0
    return Machine(
        cores=os.cpu_count() or 0,
        cores_usable=usable or (os.cpu_count() or 0),
        memory_gib=_memory_gib(),
        cpu_model=_cpu_model(),
        system=f"{platform.system()} {platform.release()} {platform.machine()}",
        python=f"{platform.python_implementation()} {sys.version.split()[0]}",
        sqlite=sqlite3.sqlite_version,
        packages=versions,
        commit=_git_commit(root),
        date=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        load_at_start=load_average(),
    )
