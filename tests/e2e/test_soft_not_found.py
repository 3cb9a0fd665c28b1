"""An error page served with status 200 where an image or attachment should be (issue 13).

SharePoint answers a missing resource with its error page, sometimes with status 200 (SITE.md,
point 20). Stored as the file, that page would be archived as the image, the run would say ok,
and no later run would fetch the file again: the archive wrong for good. A file answered by an
HTML page is a failed fetch instead, retried by the next run.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from replica.testing import running_replica

from .support import crawl, query

pytestmark = pytest.mark.e2e

IMAGES = r"(?i)\.(jpe?g|png|gif)$"


def test_an_error_page_served_as_an_image_is_no_file(tmp_path: Path) -> None:
    db, control = tmp_path / "archive.db", tmp_path / "control.db"
    with running_replica(articles=8, seed=5) as rep:
        assert crawl(rep.base_url, control).returncode == 0
        images_fetched = "SELECT url FROM files WHERE url IN (SELECT url FROM images)"
        on_site = {u for (u,) in query(control, images_fetched)}  # what a clean crawl stores
        rep.set_faults({"soft_not_found_rate": 1.0, "path_pattern": IMAGES})
        soft = crawl(rep.base_url, db)
        assert soft.returncode == 1, soft.stderr[-3000:]
        assert on_site, "the replica's articles have no image: the test proves nothing"
        stored = query(db, images_fetched)
        assert stored == [], f"error pages stored as images: {stored[:3]}"
        soft_errors = (
            "SELECT url FROM fetch_errors WHERE kind = 'file' AND reason LIKE '%HTML page%'"
        )
        failed = {u for (u,) in query(db, soft_errors)}
        assert failed == on_site
        attachments = "SELECT count(*) FROM files WHERE url IN (SELECT url FROM attachments)"
        assert query(db, attachments)[0][0] > 0  # the other files are fetched as before

        rep.set_faults({})  # the images are back: the next run fetches them
        again = crawl(rep.base_url, db)
        assert again.returncode == 0, again.stderr[-3000:]
        assert {u for (u,) in query(db, images_fetched)} == on_site
        open_errors = "SELECT url FROM fetch_errors WHERE resolved_at IS NULL"
        assert {u for (u,) in query(db, open_errors)} & failed == set()
