"""A reader using `most-archive serve` while another process writes never sees "database is locked".

Real processes: the server (tests/browser/harness.py) and a writer that keeps saving new
articles and new versions of old ones through archive.store (tests/browser/sample_archive.py
--loop), each save one transaction in its own connection, as a crawl does. The reader hits the
JSON API and the article page a few dozen times while the writer runs; every answer must be a
200 with data, and the article count must grow between the first and the last answer (so the
reads really overlapped the writes).
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
BROWSER = ROOT / "tests" / "browser"
READS = 48  # requests made while the writer runs


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"most_{name}", BROWSER / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


harness = _load("harness")
sample = _load("sample_archive")

pytestmark = pytest.mark.slow


def test_reads_during_a_concurrent_write_never_see_locked(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    sample.fill_archive(db)
    with harness.running_serve(db, tmp_path) as served:
        writer = subprocess.Popen(
            [sys.executable, str(BROWSER / "sample_archive.py"), str(db), "--loop", "100000"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert writer.stdout is not None
            assert writer.stdout.readline().strip() == "writing"
            counts: list[int] = []
            failures: list[str] = []
            paths = (
                "/archive/articles.json?_size=5&_shape=objects",
                "/archive/search.json?q=bai+viet+moi&_shape=array",
                "/-/article/101",
                "/archive/raw_pages.json?_size=5",
            )
            for i in range(READS):
                path = paths[i % len(paths)]
                status, body = harness.http_get(served.base_url + path)
                text = body.decode("utf-8", "replace")
                if status != 200 or "locked" in text.lower():
                    failures.append(f"{path}: {status} {text[:300]}")
                elif path.startswith("/archive/articles.json"):
                    counts.append(json.loads(text)["filtered_table_rows_count"])
            assert writer.poll() is None, "the writer stopped before the reads ended"
        finally:
            writer.terminate()
            _, writer_err = writer.communicate(timeout=30)
        assert failures == []
        assert len(counts) == READS // len(paths)
        assert counts[-1] > counts[0], f"no write overlapped the reads: {counts}"
        assert "locked" not in writer_err.lower() and "Traceback" not in writer_err
        assert "locked" not in served.log_text().lower()
