"""``most-archive crawl``: help, usage errors and the lock, on exit codes (no crawl needed)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from archive.lock import crawl_lock
from most_archive.cli import main

ROOT = Path(__file__).resolve().parents[2]


def test_help_has_an_example_and_the_exit_codes() -> None:
    result = CliRunner().invoke(main, ["crawl", "-h"])
    assert result.exit_code == 0
    assert "Example:" in result.output
    assert "75" in result.output and "--full" in result.output and "--log-file" in result.output


def test_bad_usage_exits_2(tmp_path: Path) -> None:
    runner = CliRunner()
    db = str(tmp_path / "a.db")
    for args in (
        ["crawl", "--site", "ftp://example.org", "--db", db],
        ["crawl", "--site", "not a url", "--db", db],
        ["crawl", "--delay", "-1", "--db", db],
        ["crawl", "--max-pages", "0", "--db", db],
        ["crawl", "--max-duration", "soon", "--db", db],
        ["crawl", "--max-duration", "0", "--db", db],
        ["crawl", "--max-duration", "-5m", "--db", db],
        ["crawl", "--set", "NOEQUALS", "--db", db],
        ["crawl", "--no-such-option"],
    ):
        result = runner.invoke(main, args)
        assert result.exit_code == 2, (args, result.output)
    assert not (tmp_path / "a.db").exists(), "a usage error must not touch the archive"


def test_lock_held_exits_75_without_touching_the_archive(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    with crawl_lock(db):
        # a separate process: flock is per open file, this process already holds it
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "most_archive",
                "crawl",
                "--site",
                "http://127.0.0.1:9",
                "--db",
                str(db),
            ],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=ROOT,
        )
    assert result.returncode == 75, result.stderr
    assert "lock" in result.stderr
    assert "Traceback" not in result.stderr
    assert not db.exists()


def test_importing_the_command_leaves_scrapy_unloaded() -> None:
    code = "import sys, crawler.cli; print('scrapy' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == "False"
