"""`scrapy crawl most` from the repository root works too (STYLE.md), and writes the same archive.

The pipeline takes the crawl lock and records the run itself when Scrapy is driven directly.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from replica.testing import running_replica

from .support import ROOT, compare_with_truth, export, query


def test_scrapy_crawl_most_from_the_repo_root(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    scrapy = Path(sys.executable).parent / "scrapy"
    with running_replica(articles=50, seed=11) as rep:
        done = subprocess.run(
            [str(scrapy), "crawl", "most", "-a", f"site={rep.base_url}",
             "-s", f"ARCHIVE_DB={db}", "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0",
             "-s", "LOG_LEVEL=WARNING"],
            capture_output=True, text=True, timeout=300, cwd=ROOT,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr[-2000:]
        assert compare_with_truth(export(db), rep.site, rep.base_url) == {}
    assert query(db, "SELECT outcome FROM runs") == [("ok",)]
