"""``python -m benchmarks.reliability``: every fault, the kill loop, the docs page."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from benchmarks.reliability import __doc__ as DOC
from benchmarks.reliability.checks import snapshot
from benchmarks.reliability.crashloop import CrashOutcome, crash_loop
from benchmarks.reliability.faults import QUICK, SCENARIOS, Outcome, run_scenario
from benchmarks.reliability.hostile import Observed, run_hostile
from benchmarks.reliability.hostile import broken as hostile_broken
from benchmarks.reliability.report import report, table
from benchmarks.reliability.running import ROOT, crawl, trap_server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.reliability", description=(DOC or "").split("\n\n")[0]
    )
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "reliability.md")
    parser.add_argument("--kills", type=int, default=20, help="SIGKILLs in the crash loop")
    parser.add_argument("--articles", type=int, default=60, help="articles of the replica")
    parser.add_argument("--seed", type=int, default=7, help="seed of the replica and kill points")
    parser.add_argument("--quick", action="store_true", help="tiny site, 3 faults, 3 kills")
    parser.add_argument("--only", nargs="*", default=None, metavar="KEY", help="fault keys to run")
    parser.add_argument("--no-hostile", action="store_true",
                        help="skip the hostile-server table (also skipped by --quick)")  # fmt: skip
    args_list = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(args_list)
    if args.quick:
        args.articles, args.kills = min(args.articles, 15), min(args.kills, 3)
    chosen = [
        s
        for s in SCENARIOS
        if (args.only is None and not args.quick)
        or s.key in (args.only or ())
        or (args.quick and args.only is None and s.name in QUICK)
    ]
    from replica.testing import running_replica

    outcomes: list[Outcome] = []
    crash: CrashOutcome | None = None
    with (
        tempfile.TemporaryDirectory(prefix="most-reliability-") as tmp,
        trap_server() as trap,
        running_replica(articles=args.articles, seed=args.seed, offsite_base=trap[0]) as rep,
    ):
        work = Path(tmp)
        clean_dir = work / "clean"
        clean_dir.mkdir()
        first = crawl(rep.base_url, clean_dir / "archive.db")
        if first.returncode != 0:
            print(
                f"the clean crawl failed (exit {first.returncode}):\n{first.stderr[-2000:]}",
                file=sys.stderr,
            )
            return 1
        clean = snapshot(clean_dir / "archive.db")
        for i, scenario in enumerate(chosen):
            (work / f"f{i}").mkdir()
            outcome = run_scenario(rep, scenario, work / f"f{i}", clean, trap[1])
            print(outcome.figure(), file=sys.stderr)
            outcomes.append(outcome)
        if args.kills > 0:
            crash = crash_loop(rep, work / "crash", args.kills, args.seed)
            print(
                f"kill -9: {crash.kills} kills, {crash.archived}/{crash.expected} archived, "
                f"{crash.duplicates} duplicates, {crash.lost} lost",
                file=sys.stderr,
            )
    hostile: list[Observed] | None = None
    hostile_seconds = 0.0
    if not (args.quick or args.no_hostile or args.only is not None):
        hostile, hostile_seconds = run_hostile()
        for row in hostile:
            print(f"hostile: {row.attack.name}: {row.text}", file=sys.stderr)
    print(table(outcomes, crash))
    text = report(outcomes, crash, args_list, hostile, hostile_seconds)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    broken = [v for o in outcomes for v in o.violations] + (crash.violations if crash else [])
    broken += hostile_broken(hostile or [])
    for v in broken:
        print(f"BROKEN: {v}", file=sys.stderr)
    print(f"wrote {args.out}", file=sys.stderr)
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
