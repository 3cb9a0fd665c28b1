"""The kill -9 loop: SIGKILL the crawl at seeded random moments, re-run, compare."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.reliability.checks import connect, counts, differences, problems, snapshot
from benchmarks.reliability.running import crawl, crawl_args, env, site_settings


@dataclass
class CrashOutcome:
    portal: str = "most"  # the replica's portal: "most" (SharePoint) or "mst" (mst.gov.vn)
    kills: int = 0
    completed: int = 0  # runs that finished before their kill time came
    expected: int = 0
    archived: int = 0
    duplicates: int = 0
    lost: int = 0
    died_runs: int = 0  # runs the next run marked "died"
    clean_seconds: float = 0.0
    points: list[float] = field(default_factory=list)  # seconds after start of each kill
    violations: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        """The row's name in the table: the SharePoint one keeps its name of before issue 11."""
        name = "kill -9 at random moments"
        return name if self.portal == "most" else f"{self.portal}: {name}"


def _last_run_id(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        conn = connect(db)
        try:
            row = conn.execute("SELECT max(id) FROM runs").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:  # not created yet, or mid-migration
        return 0
    return int(row[0] or 0)


def _start_crawl(
    site: str, db: Path, settings: dict[str, Any], *extra: str
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        crawl_args(site, db, settings, *extra),
        cwd=db.parent,
        env=env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _until_running(db: Path, before: int, proc: subprocess.Popen[bytes]) -> float | None:
    """Wait until the crawl has recorded its run (it may write from then on); the seconds
    waited, or None if it exited first."""
    started = time.monotonic()
    while proc.poll() is None and time.monotonic() - started < 60:
        if _last_run_id(db) > before:
            return time.monotonic() - started
        time.sleep(0.02)
    return None


def crash_loop(replica: Any, workdir: Path, kills: int, seed: int) -> CrashOutcome:
    """SIGKILL the crawl at seeded random moments, re-running after each, until ``kills`` kills;
    then let it finish and compare the archive with a clean crawl of the same replica.

    One kill in four lands at a random time from the start (start-up, migrations); the others at
    a random time after the run is recorded, within the time a clean run spends crawling. Runs
    alternate between incremental and ``--full``, so every run has articles to write."""
    ids = set(replica.site.article_ids())
    out = CrashOutcome(getattr(replica.site, "portal", "most"), expected=len(ids))
    (workdir / "clean").mkdir(parents=True, exist_ok=True)
    (workdir / "killed").mkdir(parents=True, exist_ok=True)
    clean_db, db = workdir / "clean" / "archive.db", workdir / "killed" / "archive.db"
    started = time.monotonic()
    settings = site_settings(replica)
    proc = _start_crawl(replica.base_url, clean_db, settings)
    startup = _until_running(clean_db, 0, proc) or 0.0
    returncode = proc.wait()
    out.clean_seconds = time.monotonic() - started
    working = max(0.5, out.clean_seconds - startup)
    if returncode != 0:
        out.violations.append(f"clean crawl exit {returncode}")
        return out
    clean = snapshot(clean_db)
    rng = random.Random(seed)
    attempt = 0
    while out.kills < kills and attempt < 4 * kills:
        extra = ("--full",) if attempt % 2 else ()
        early = attempt % 4 == 0
        attempt += 1
        delay = rng.uniform(0.1, startup + 0.5) if early else rng.uniform(0.0, working)
        before = _last_run_id(db)
        proc = _start_crawl(replica.base_url, db, settings, *extra)
        waited = 0.0 if early else _until_running(db, before, proc)
        if waited is None:  # it finished (or died) before recording its run
            proc.wait()
            out.completed += 1
            continue
        try:
            proc.wait(timeout=delay)
            out.completed += 1
            continue
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
        out.kills += 1
        out.points.append(round(waited + delay, 2))
        if db.exists():
            out.violations += [
                f"after kill {out.kills} at {waited + delay:.2f} s: {p}"
                for p in problems(db, live=True)
            ]
    for label in ("final run", "idle run"):
        run = crawl(replica.base_url, db, settings)
        if run.returncode != 0:
            out.violations.append(f"{label} exit {run.returncode}: {run.stderr[-800:]}")
    c = counts(db)
    out.archived, out.duplicates = len(c["articles"]), c["duplicates"]
    out.lost = len(ids - c["articles"])
    conn = connect(db)
    try:
        died = conn.execute("SELECT count(*) FROM runs WHERE outcome = 'died'").fetchone()
        out.died_runs = int(died[0])
    finally:
        conn.close()
    out.violations += [f"final archive: {p}" for p in problems(db)]
    out.violations += [f"differs from a clean crawl: {d}" for d in differences(clean, snapshot(db))]
    if out.kills < kills:
        out.violations.append(f"only {out.kills} kills landed in {attempt} runs")
    return out
