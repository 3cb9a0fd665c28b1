"""WACZ export: the WARC of :mod:`archive.warc` packaged by the ``wacz`` package (py-wacz).

WACZ 1.1 (https://specs.webrecorder.net/wacz/1.1.1/) is a ZIP holding the WARC
(``archive/``), a CDXJ index of it (``indexes/``), the list of pages a replay tool offers
(``pages/pages.jsonl``) and ``datapackage.json`` with the SHA-256 of every part; ReplayWeb.page
and pywb open it as it is. The format is written by the Webrecorder project's own ``wacz``
package, not by hand: it is an optional dependency (``pip install 'most-archive[wacz]'``;
``make venv`` installs it), since it brings frictionless and its dependencies, which nothing
else here needs.

The pages list holds one entry per exported article: the URL of the raw page its current
version was parsed from, its fetch time and the article's title.
"""

from __future__ import annotations

import contextlib
import io
import json
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archive.warc import warc_date, write_warc

if TYPE_CHECKING:
    from collections.abc import Callable

    import sqlite_utils

    from archive.queries import ArticleFilter

PAGES_SQL = """
SELECT rp.url, rp.fetched_at, a.title FROM articles a JOIN raw_pages rp ON rp.id = a.page_id
WHERE 1 = 1{filters}
ORDER BY a.published_at, a.id
"""
DESCRIPTION = "Articles of mst.gov.vn and www.most.gov.vn archived by most-archive"
INSTALL_HINT = "pip install 'most-archive[wacz]'"


class WaczUnavailable(RuntimeError):
    """The ``wacz`` package is not installed."""


class WaczFailed(RuntimeError):
    """py-wacz refused to package the export (its own messages are the text)."""


def available() -> bool:
    try:
        import wacz.main  # noqa: F401
    except ImportError:
        return False
    return True


def write_pages(
    db: sqlite_utils.Database, out: io.TextIOBase | Any, filters: tuple[str, dict[str, Any]] | None
) -> int:
    """The WACZ pages list (``json-pages-1.0``) of the selected articles; return how many."""
    where, params = filters if filters is not None else ("", {})
    out.write(json.dumps({"format": "json-pages-1.0", "id": "pages", "title": "Articles"}) + "\n")
    n = 0
    for row in db.query(PAGES_SQL.format(filters=where), params):
        page = {"url": row["url"], "ts": warc_date(row["fetched_at"]), "title": row["title"]}
        out.write(json.dumps(page, ensure_ascii=False) + "\n")
        n += 1
    return n


def write_wacz(
    db: sqlite_utils.Database,
    target: Path,
    *,
    files_dir: str | Path | None,
    since: str | None = None,
    until: str | None = None,
    category: str | None = None,
    portal: str | None = None,
    warn: Callable[[str], None] | None = None,
    filters: ArticleFilter | None = None,
) -> tuple[int, int]:
    """Write a WACZ file at ``target``; return ``(WARC records, pages listed)``.

    The filters are those of :func:`archive.warc.write_warc`. Raises :class:`WaczUnavailable`
    without the ``wacz`` package and :class:`WaczFailed` when it fails.
    """
    try:
        from wacz.main import main as wacz_main
    except ImportError:
        raise WaczUnavailable(
            f"the WACZ format needs the wacz package: {INSTALL_HINT}"
        ) from None
    from archive.warc import _selection

    with tempfile.TemporaryDirectory(prefix="most-wacz-") as tmp:
        warc = Path(tmp) / "most-archive.warc.gz"
        with warc.open("wb") as fh:
            records = write_warc(db, fh, since=since, until=until, category=category,
                                 portal=portal, filename=warc.name, files_dir=files_dir,
                                 warn=warn, filters=filters)  # fmt: skip
        pages_file = Path(tmp) / "pages.jsonl"
        with pages_file.open("w", encoding="utf-8") as fh:
            pages = write_pages(db, fh, _selection(db, since, until, category, portal, filters))
        said = io.StringIO()
        args = ["create", "-o", str(target), str(warc), "-p", str(pages_file),
                "--title", "most-archive export", "--desc", DESCRIPTION]  # fmt: skip
        try:
            with contextlib.redirect_stdout(said):  # py-wacz reports on stdout
                code = wacz_main(args)
        except (OSError, ValueError, KeyError) as exc:
            raise WaczFailed(f"{exc}\n{said.getvalue()}") from None
        if code not in (0, None):
            raise WaczFailed(said.getvalue().strip() or f"wacz create exited {code}")
    return records, pages
