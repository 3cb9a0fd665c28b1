"""``--site`` given more than once (issue 11): one command, one run per site, the worst exit."""

from __future__ import annotations

from pathlib import Path

import pytest

from replica.testing import running_mst_replica, running_replica

from .support import crawl_cmd, export, query

pytestmark = pytest.mark.e2e


def test_two_portals_in_one_command_each_its_own_run(tmp_path: Path) -> None:
    import subprocess

    db = tmp_path / "archive.db"
    with (
        running_replica(articles=30, seed=4) as sharepoint,
        running_mst_replica(articles=30, seed=4) as mst,
    ):
        # the sites are told apart by their pages only: both are on 127.0.0.1
        cmd = crawl_cmd(mst.base_url, db, "--site", sharepoint.base_url,
                        "--site", "http://127.0.0.1:9")  # a site that does not answer
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
        records = export(db)
        mst_ids, sp_ids = set(mst.site.article_ids()), set(sharepoint.site.article_ids())
    assert result.returncode == 1, result.stderr[-3000:]  # the worst of the three
    runs = query(db, "SELECT site, outcome, articles_new FROM runs ORDER BY id")
    assert runs == [
        (mst.base_url, "ok", 30),
        (sharepoint.base_url, "ok", 30),
        ("http://127.0.0.1:9", "partial", 0),
    ], result.stderr[-3000:]
    by_parser = {r["site_id"]: r["parser"] for r in records}
    assert set(by_parser) == mst_ids | sp_ids
    assert {by_parser[i] for i in mst_ids} == {"mst/1"}
    assert {by_parser[i] for i in sp_ids} == {"most/1"}
    for line in (f"({mst.base_url}): ok", f"({sharepoint.base_url}): ok",
                 "(http://127.0.0.1:9): partial"):
        assert line in result.stderr
