"""Seconds each test file took in a full run, checked in: the order in which a fresh clone's
``make test`` starts the files (the longest first, ``tests/conftest.py``
``pytest_collection_modifyitems``) before pytest's own cache holds the last run's figures.

Without it a fresh clone ran the files marked ``e2e`` first and the rest in path order, so a
few slow files at the end of the alphabet ran last, alone: 116 s against 102 s with the
cached order (same machine, same tests).

Refresh it after adding or much changing tests: ``make test`` once, then
``.venv/bin/python -m tests.file_seconds`` (copies the cache's figures into
``tests/file_seconds.json``). A file it does not name is ordered as before.
"""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHECKED_IN = Path(__file__).with_suffix(".json")
CACHE = ROOT / ".pytest_cache" / "v" / "most-archive" / "file-seconds"  # conftest.FILE_SECONDS


def checked_in() -> dict[str, float]:
    """The checked-in seconds per file (empty when the file is missing or unreadable)."""
    try:
        found = json.loads(CHECKED_IN.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(found, dict):
        return {}
    return {str(k): float(v) for k, v in found.items() if isinstance(v, int | float)}


def main() -> None:
    seconds = json.loads(CACHE.read_text(encoding="utf-8"))
    present = {f: s for f, s in seconds.items() if (ROOT / f).exists()}
    CHECKED_IN.write_text(
        json.dumps(dict(sorted(present.items())), indent=0) + "\n", encoding="utf-8"
    )
    print(f"wrote {CHECKED_IN.relative_to(ROOT)}: {len(present)} files")


if __name__ == "__main__":
    main()
