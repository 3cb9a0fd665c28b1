"""ARCHIVE_FETCH_DISPLAYED_IMAGES (issue 12): mst pages display /thumb_w/730/… forms of the images
the archive keeps at full size; with the setting on, a crawl fetches those too (so a replay of
the archived page shows its images), and without it only the full-size files."""

from __future__ import annotations

from pathlib import Path

import pytest

from replica.testing import running_mst_replica

from .support import crawl, query

pytestmark = pytest.mark.e2e


def test_the_displayed_forms_are_fetched_only_when_asked(tmp_path: Path) -> None:
    with running_mst_replica(articles=8, seed=11) as rep:
        plain, shown = tmp_path / "plain.db", tmp_path / "shown.db"
        first = crawl(rep.base_url, plain)
        assert first.returncode == 0, first.stderr[-3000:]
        second = crawl(rep.base_url, shown, "-s", "ARCHIVE_FETCH_DISPLAYED_IMAGES=True")
        assert second.returncode == 0, second.stderr[-3000:]
    full = {u for (u,) in query(plain, "SELECT url FROM images")}
    assert full and not [u for u in full if "/thumb_w/" in u]
    plain_files = {u for (u,) in query(plain, "SELECT url FROM files")}
    assert not [u for u in plain_files if "/thumb_w/" in u], "fetched without being asked"
    shown_files = {u for (u,) in query(shown, "SELECT url FROM files")}
    thumbs = {u for u in shown_files if "/thumb_w/" in u}
    assert thumbs, "no displayed form was fetched"
    # each displayed form is a full-size image's /thumb_w/{w}/ form, both kept
    for thumb in thumbs:
        head, rest = thumb.split("/thumb_w/", 1)
        assert head + "/" + rest.split("/", 1)[1] in shown_files
