"""Issue 13, point 11 (the usage part): ``reparse --parser-version`` with a version no parser
writes and no article carries is a usage error (exit 2) naming the known versions, not
"re-parsed 0 articles" with exit 0."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from test_queries_samples import build_archive

from archive.cli import main


@pytest.fixture(scope="module")
def db_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path: Path = build_archive(tmp_path_factory.mktemp("reparse-usage") / "archive.db")
    return path


def _reparse(db_path: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["reparse", *args, "--db", str(db_path)])


@pytest.mark.parametrize("version", ["nonsense", "most/9", "MOST/1", ""])
def test_unknown_parser_version_is_a_usage_error(db_path: Path, version: str) -> None:
    result = _reparse(db_path, "--parser-version", version)
    assert result.exit_code == 2, result.output
    assert "--parser-version" in result.stderr and "most/1" in result.stderr
    assert "fallback-trafilatura/1" in result.stderr  # the code's versions are named too
    assert "Traceback" not in result.output and "re-parsed" not in result.stdout


def test_a_known_version_still_runs(db_path: Path) -> None:
    result = _reparse(db_path, "--parser-version", "most/1")
    assert result.exit_code in (0, 1), result.output  # 1: some stored pages did not parse
    assert result.stdout.startswith("re-parsed 7 articles")


def test_a_version_of_the_code_with_no_article_is_not_an_error(db_path: Path) -> None:
    result = _reparse(db_path, "--parser-version", "fallback-trafilatura/1")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("re-parsed 0 articles")


def test_progress_goes_to_stderr_and_quiet_silences_it(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A re-parse of a large archive takes minutes: it says how far it is, on standard error,
    now and then (every 2 s; here as if every article took long); -q says nothing."""
    from archive import reparse

    monkeypatch.setattr(reparse, "PROGRESS_SECONDS", 0.0)
    result = _reparse(db_path)
    assert result.exit_code in (0, 1), result.output
    assert "re-parsed 3 of 7 articles" in result.stderr
    assert result.stdout.startswith("re-parsed 7 articles")  # the summary stays on stdout
    quiet = _reparse(db_path, "-q")
    assert "of 7 articles" not in quiet.stderr
