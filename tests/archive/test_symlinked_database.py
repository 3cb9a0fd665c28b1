"""Issue 13, point 4: one database, one lock and one files folder, whatever path names it.

``--db a.db`` and ``--db other/a.db`` (a symlink to it, or a path through a symlinked folder)
are the same archive: the crawl lock and the files folder follow the database file itself,
symlinks resolved, so a second crawl through another name is refused (exit 75) instead of
marking the live run as died and downloading every file again into a second folder.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from archive.db import database_file
from archive.files import files_dir_for
from archive.lock import LockHeld, crawl_lock, lock_path_for
from most_archive.cli import main


@pytest.fixture
def names(tmp_path: Path) -> tuple[Path, Path, Path]:
    """The real database, a symlink to it, and a path through a symlinked folder."""
    real_dir = tmp_path / "data"
    real_dir.mkdir()
    real = real_dir / "a.db"
    real.write_bytes(b"")
    other = tmp_path / "other"
    other.mkdir()
    link = other / "a.db"
    link.symlink_to(real)
    via_dir = tmp_path / "data-link" / "a.db"
    (tmp_path / "data-link").symlink_to(real_dir, target_is_directory=True)
    return real, link, via_dir


def test_every_name_of_the_database_takes_the_same_lock(names: tuple[Path, Path, Path]) -> None:
    real, link, via_dir = names
    assert lock_path_for(link) == lock_path_for(via_dir) == lock_path_for(real)
    for first, second in ((real, link), (link, real), (via_dir, link)):
        with crawl_lock(first), pytest.raises(LockHeld):  # noqa: SIM117
            with crawl_lock(second):
                pass


def test_the_files_folder_sits_beside_the_database_file(names: tuple[Path, Path, Path]) -> None:
    real, link, via_dir = names
    assert files_dir_for(link) == files_dir_for(via_dir) == real.parent / "a-files"
    assert database_file(link) == database_file(via_dir) == real


def test_without_symlinks_paths_stay_as_given(tmp_path: Path) -> None:
    assert database_file("x/demo.sqlite") == Path("x/demo.sqlite")
    assert files_dir_for("x/demo.sqlite") == Path("x/demo-files")
    assert lock_path_for(tmp_path / "a.db") == tmp_path / "a.db.lock"


def test_a_crawl_through_a_symlink_waits_for_the_running_one(
    names: tuple[Path, Path, Path],
) -> None:
    real, link, _ = names
    with crawl_lock(real):  # flock is per open file: this process counts as the other crawl
        result = CliRunner().invoke(
            main, ["crawl", "--site", "http://127.0.0.1:9", "--db", str(link)]
        )
    assert result.exit_code == 75, result.output
    assert "another crawl holds" in result.stderr
    assert real.read_bytes() == b""  # nothing written through the second name
