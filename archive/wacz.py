"""WACZ export: the WARC of :mod:`archive.warc` packaged by Webrecorder's ``wacz`` tool.

WACZ 1.1 (https://specs.webrecorder.net/wacz/1.1.1/) is a ZIP holding the WARC
(``archive/``), a CDXJ index of it (``indexes/``), the list of pages a replay tool offers
(``pages/pages.jsonl``) and ``datapackage.json`` with the SHA-256 of every part; ReplayWeb.page
and pywb open it as it is. The format is written by the Webrecorder project's own ``wacz``
command (py-wacz), not by hand.

py-wacz runs as a separate program, never imported: it installs cleanly beside our packages,
but brings ``rich``, and with ``rich`` importable Datasette's error handler fails on every
error page (``rich.get_console().print_exception()`` outside an ``except`` block: a 404 of
``serve`` becomes a ``ValueError``). So it lives in its own environment (``pipx install
wacz``, or the replay virtualenv ``make replay-venv`` makes for the tests), found as
``$MOST_ARCHIVE_WACZ``, else ``wacz`` on ``PATH``.

The pages list holds one entry per exported article: the URL of the raw page its current
version was parsed from, its fetch time and the article's title.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from archive.warc import _selection, warc_date, write_warc

if TYPE_CHECKING:
    from collections.abc import Callable

    import sqlite_utils

    from archive.queries import ArticleFilter

WACZ_ENV = "MOST_ARCHIVE_WACZ"
PAGES_SQL = """
SELECT rp.url, rp.fetched_at, a.title FROM articles a JOIN raw_pages rp ON rp.id = a.page_id
WHERE 1 = 1{filters}
ORDER BY a.published_at, a.id
"""
DESCRIPTION = "Articles of mst.gov.vn and www.most.gov.vn archived by most-archive"
INSTALL_HINT = (
    f"install it apart from most-archive (`pipx install wacz`) or point ${WACZ_ENV} at it"
)


class WaczUnavailable(RuntimeError):
    """No ``wacz`` program was found."""


class WaczFailed(RuntimeError):
    """py-wacz refused to package the export (its own messages are the text)."""


def wacz_program() -> str | None:
    """The ``wacz`` program: ``$MOST_ARCHIVE_WACZ``, else ``wacz`` on ``PATH`` (None: none)."""
    chosen = os.environ.get(WACZ_ENV)
    if chosen:
        try:
            return chosen if Path(chosen).is_file() else None
        except OSError:  # a name too long, a folder one may not enter: no program either
            return None
    return shutil.which("wacz")


def missing_message() -> str:
    """What the export says when :func:`wacz_program` finds none."""
    chosen = os.environ.get(WACZ_ENV)
    named = f"${WACZ_ENV} is {chosen}, which is no program file; " if chosen else ""
    return f"the WACZ format needs Webrecorder's wacz program: {named}{INSTALL_HINT}"


def write_pages(
    db: sqlite_utils.Database, out: IO[str], filters: tuple[str, dict[str, Any]] | None
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
    without a ``wacz`` program and :class:`WaczFailed` when it fails.
    """
    program = wacz_program()
    if program is None:
        raise WaczUnavailable(missing_message())
    with tempfile.TemporaryDirectory(prefix="most-wacz-") as tmp:
        warc = Path(tmp) / "most-archive.warc.gz"
        with warc.open("wb") as fh:
            records = write_warc(
                db,
                fh,
                since=since,
                until=until,
                category=category,
                portal=portal,
                filename=warc.name,
                files_dir=files_dir,
                warn=warn,
                filters=filters,
            )
        pages_file = Path(tmp) / "pages.jsonl"
        with pages_file.open("w", encoding="utf-8") as fh:
            pages = write_pages(db, fh, _selection(db, since, until, category, portal, filters))
        command = [
            program,
            "create",
            "-o",
            str(target),
            str(warc),
            "-p",
            str(pages_file),
            "--title",
            "most-archive export",
            "--desc",
            DESCRIPTION,
        ]
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, errors="replace", timeout=3600
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise WaczFailed(f"{program}: {exc}") from None
        if done.returncode != 0 or not target.is_file():
            said = (done.stderr or done.stdout).strip()[-2000:]
            raise WaczFailed(said or f"{program} create exited {done.returncode}")
    return records, pages
