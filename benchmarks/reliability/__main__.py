"""``python -m benchmarks.reliability``: every fault, the kill loop, the docs page."""

from __future__ import annotations

import argparse
import sys
import tempfile
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from benchmarks.reliability import __doc__ as DOC
from benchmarks.reliability.checks import snapshot
from benchmarks.reliability.crashloop import CrashOutcome, crash_loop
from benchmarks.reliability.faults import (
    MST_SCENARIOS,
    QUICK,
    SCENARIOS,
    Outcome,
    Scenario,
    run_scenario,
)
from benchmarks.reliability.hostile import Observed, run_hostile
from benchmarks.reliability.hostile import broken as hostile_broken
from benchmarks.reliability.report import report, table
from benchmarks.reliability.running import ROOT, crawl, site_settings, trap_server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.reliability", description=(DOC or "").split("\n\n")[0]
    )
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "reliability.md")
    parser.add_argument("--kills", type=int, default=20, help="SIGKILLs in the crash loop")
    parser.add_argument("--articles", type=int, default=60, help="articles of the replica")
    parser.add_argument("--seed", type=int, default=7, help="seed of the replica and kill points")
    parser.add_argument(
        "--mst-kills", type=int, default=8, help="SIGKILLs in the crash loop of the mst replica"
    )
    parser.add_argument("--mst-articles", type=int, default=60, help="articles of the mst replica")
    parser.add_argument(
        "--portals",
        nargs="+",
        choices=("most", "mst"),
        default=None,
        help="replicas to run (default: both; --quick: most)",
    )
    parser.add_argument("--quick", action="store_true", help="tiny site, 3 faults, 3 kills")
    parser.add_argument("--only", nargs="*", default=None, metavar="KEY", help="fault keys to run")
    parser.add_argument(
        "--no-hostile",
        action="store_true",
        help="skip the hostile-server table (also skipped by --quick)",
    )
    args_list = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(args_list)
    if args.quick:
        args.articles, args.kills = min(args.articles, 15), min(args.kills, 3)
        args.mst_articles, args.mst_kills = min(args.mst_articles, 15), min(args.mst_kills, 3)
    portals = args.portals or (["most"] if args.quick else ["most", "mst"])

    def chosen(scenarios: tuple[Scenario, ...]) -> list[Scenario]:
        return [
            s
            for s in scenarios
            if (args.only is None and not args.quick)
            or s.key in (args.only or ())
            or (args.quick and args.only is None and s.name.removeprefix("mst: ") in QUICK)
        ]

    from replica.testing import running_mst_replica, running_replica

    outcomes: list[Outcome] = []
    crashes: list[CrashOutcome] = []
    with tempfile.TemporaryDirectory(prefix="most-reliability-") as tmp:
        for portal in portals:
            work = Path(tmp) / portal
            work.mkdir()
            with trap_server() as trap:
                replica: AbstractContextManager[Any]
                if portal == "most":
                    replica = running_replica(
                        articles=args.articles, seed=args.seed, offsite_base=trap[0]
                    )
                    scenarios, kills = chosen(SCENARIOS), args.kills
                else:
                    replica = running_mst_replica(
                        articles=args.mst_articles, seed=args.seed, offsite_base=trap[0]
                    )
                    scenarios, kills = chosen(MST_SCENARIOS), args.mst_kills
                with replica as rep:
                    done = _portal_rows(rep, scenarios, kills, args.seed, work, trap[1])
            if done is None:
                return 1
            outcomes += done[0]
            crashes += done[1]
    hostile: list[Observed] | None = None
    hostile_seconds = 0.0
    if not (args.quick or args.no_hostile or args.only is not None):
        hostile, hostile_seconds = run_hostile()
        for row in hostile:
            print(f"hostile: {row.attack.name}: {row.text}", file=sys.stderr)
    print(table(outcomes, crashes))
    text = report(outcomes, crashes, args_list, hostile, hostile_seconds)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    broken = [v for o in outcomes for v in o.violations]
    broken += [v for c in crashes for v in c.violations]
    broken += hostile_broken(hostile or [])
    for v in broken:
        print(f"BROKEN: {v}", file=sys.stderr)
    print(f"wrote {args.out}", file=sys.stderr)
    return 1 if broken else 0


def _portal_rows(
    rep: Any, scenarios: list[Scenario], kills: int, seed: int, work: Path, trap_hits: list[str]
) -> tuple[list[Outcome], list[CrashOutcome]] | None:
    """One replica's rows: a clean crawl, each fault scenario, then the kill loop (None if the
    clean crawl failed)."""
    clean_dir = work / "clean"
    clean_dir.mkdir()
    first = crawl(rep.base_url, clean_dir / "archive.db", site_settings(rep))
    if first.returncode != 0:
        print(
            f"the clean crawl of {rep.base_url} failed (exit {first.returncode}):\n"
            f"{first.stderr[-2000:]}",
            file=sys.stderr,
        )
        return None
    clean = snapshot(clean_dir / "archive.db")
    outcomes: list[Outcome] = []
    for i, scenario in enumerate(scenarios):
        (work / f"f{i}").mkdir()
        outcome = run_scenario(rep, scenario, work / f"f{i}", clean, trap_hits)
        print(outcome.figure(), file=sys.stderr)
        outcomes.append(outcome)
    if kills <= 0:
        return outcomes, []
    crash = crash_loop(rep, work / "crash", kills, seed)
    print(
        f"{crash.label}: {crash.kills} kills, {crash.archived}/{crash.expected} archived, "
        f"{crash.duplicates} duplicates, {crash.lost} lost",
        file=sys.stderr,
    )
    return outcomes, [crash]


if __name__ == "__main__":
    sys.exit(main())
