"""The crash loop: ``python -m benchmarks.reliability --quick`` as a test, and the docs page.

The quick mode crawls a tiny replica, then kills the crawl with SIGKILL three times at seeded
random moments, re-running after each, and compares the final archive with a clean crawl. Run
here with ``--only`` and no fault: the one fault ``--quick`` would add is
``test_fault[500-503-on-articles-every-try]``'s. ``make reliability`` runs the long version
(every fault, at least 20 kills) and writes docs/reliability.md; the last test checks that page
is that command's output.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import reliability as rel
from benchmarks.reliability.__main__ import main as rel_main

from .support import ROOT, clean_env


def table_rows(text: str) -> list[list[str]]:
    header = "| " + " | ".join(rel.HEADER) + " |"
    lines = text.splitlines()
    start = lines.index(header)
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([c.strip() for c in line.strip("|").split("|")])
    return rows


@pytest.mark.e2e
def test_quick_crash_loop(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The command's ``main`` in-process (the crawls it kills are still real processes started
    from scratch; those it runs to their end are forked, tests/forked.py): a fresh interpreter
    would only import the harness again. ``make reliability`` runs the command itself."""
    out = tmp_path / "reliability.md"
    returncode = rel_main(["--quick", "--only", "--out", str(out)])
    done = capsys.readouterr()
    print("\n" + done.out)
    assert returncode == 0, done.err[-3000:]
    text = out.read_text(encoding="utf-8")
    assert done.out.strip() in text  # the page holds the table the command printed
    rows = table_rows(text)
    kill = rows[-1]
    assert kill[0] == "kill -9 at random moments" and kill[1] == "3 kills", kill
    for row in rows:
        assert row[-3:] == ["0", "0", "0"], f"duplicates, lost or broken promises: {row}"
        assert row[2] == row[5], f"not every article archived in the end: {row}"
    assert "## Broken promises\n\nNone." in text


@pytest.mark.e2e
@pytest.mark.slow  # 20 s: the same write path as test_quick_crash_loop; `make reliability` runs 8
def test_quick_mst_crash_loop(tmp_path: Path) -> None:
    """The kill loop on the mst replica (its media host included): nothing lost, nothing
    duplicated, the archive equals a clean crawl's."""
    out = tmp_path / "reliability.md"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.reliability",
            "--quick",
            "--only",
            "--portals",
            "mst",
            "--out",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env=clean_env(),
    )
    print("\n" + done.stdout)
    assert done.returncode == 0, done.stderr[-3000:]
    rows = table_rows(out.read_text(encoding="utf-8"))
    assert [r[:2] for r in rows] == [["mst: kill -9 at random moments", "3 kills"]], rows
    row = rows[0]
    assert row[-3:] == ["0", "0", "0"] and row[2] == row[5], row
    assert int(row[2]) > 0


def test_docs_page_is_the_commands_output() -> None:
    page = ROOT / "docs" / "reliability.md"
    if not page.exists():
        pytest.fail("docs/reliability.md is missing: run `make reliability`")
    text = page.read_text(encoding="utf-8")
    assert "python -m benchmarks.reliability" in text
    rows = table_rows(text)
    names = {r[0] for r in rows}
    assert {s.name for s in rel.SCENARIOS} <= names, "a fault is missing from the docs table"
    assert {s.name for s in rel.MST_SCENARIOS} <= names, "an mst fault is missing from the table"
    by_name = {r[0]: r for r in rows}
    for label, least in (("kill -9 at random moments", 20), ("mst: kill -9 at random moments", 8)):
        assert label in by_name, f"the docs table has no row {label!r}"
        kills = int(re.match(r"(\d+) kills", by_name[label][1]).group(1))  # type: ignore[union-attr]
        assert kills >= least, by_name[label]
    assert all(r[-3:] == ["0", "0", "0"] for r in rows), "the docs table reports broken promises"


@pytest.mark.e2e
def test_a_file_write_killed_half_way_leaves_nothing_behind(
    tmp_path: Path, fault_replica: object
) -> None:
    """SIGKILL between writing a file's temporary copy and renaming it (seen in the long kill
    loop) leaves ``<files>/ab/cd/.tmp-XXXXXXXX``; the next crawl must not leave it there."""
    db = tmp_path / "archive.db"
    base = fault_replica.base_url  # type: ignore[attr-defined]
    assert rel.crawl(base, db).returncode == 0
    files = db.with_name("archive-files")
    leftover = next(p for p in files.rglob("*") if p.is_file()).parent / ".tmp-k1ll3d9x"
    leftover.write_bytes(b"\xff\xd8\xff half a JPEG")
    assert rel.crawl(base, db).returncode == 0
    assert rel.problems(db) == []
