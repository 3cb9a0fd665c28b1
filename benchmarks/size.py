"""Size: bytes the archive takes per article, the database and the files folder apart.

Measured on the archive written by the crawl made exactly as a user would (files
included). The database figure
is the SQLite file plus its WAL (if any is left); the files folder is `<db stem>-files/`
(downloaded images and attachments). The baseline is the raw HTML of the same articles' pages
as the replica serves them (rendered in-process, so it does not depend on what the archive
chose to keep). The per-table split comes from SQLite's `dbstat`. The database's goal
(issue 14): at most half the raw HTML of the pages it archives, raw pages and every revision
included, files apart. Both portals are measured, each on its own replica crawled the same way
(an mst.gov.vn replica article page weighs about 67 KB, most of it the CMS family's frame as an
exact capture of a sibling site's page shows it: docs/replica.md; a SharePoint one 38 KB). One
crawl, one figure (a size does not depend on the machine's
load): no spread.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.corpus import REPLICA_BASE, path_of
from benchmarks.results import REPORT_ONLY, BenchmarkError, Goal, GoalKind, Row

TABLE_BYTES_SQL = "SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC"


@dataclass(frozen=True)
class SizeResult:
    articles: int
    db_bytes: int
    files_bytes: int
    files_count: int
    raw_html_bytes: int
    table_bytes: dict[str, int] = field(default_factory=dict)  # largest first


REMEDY = (
    "see the largest tables in the notes: raw pages are compressed with a dictionary per "
    "portal (archive.rawpages), the full-text tables keep no text, the current version's HTML "
    "is packed against its own text (archive.revisions), response headers are packed "
    "(archive.headers)"
)
MST_REMEDY = (
    REMEDY + ". The frame of an mst page (about 60 of its 67 KB: head, bars, icons, footer) is "
    "almost free once compressed with the portal's dictionary; what weighs is the article's "
    "text, kept plain in `articles` (search, snippets, plain SQL read it), and its two "
    "full-text indexes (accents kept, accents folded), whose postings carry the 17-18-digit mst "
    "site ids as rowids (5-6 bytes a delta)"
)


def raw_html_bytes(articles: int, *, seed: int, portal: str = "most") -> int:
    """Bytes of every article page of an `articles`-article replica of `portal`, as served."""
    from replica.mst.site import MstSite
    from replica.site import Site

    site: Site | MstSite
    if portal == "mst":
        site = MstSite(articles=articles, seed=seed, base_url=REPLICA_BASE)
    else:
        site = Site(articles=articles, seed=seed, base_url=REPLICA_BASE)
    total = 0
    for site_id in site.article_ids():
        status, _headers, body = site.render("GET", path_of(str(site.truth(site_id)["url"])), {})
        if status != 200:
            raise BenchmarkError(f"replica answered {status} for article {site_id}")
        total += len(body)
    return total


def table_bytes(db_path: Path) -> dict[str, int]:
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        return {str(name): int(size) for name, size in conn.execute(TABLE_BYTES_SQL)}
    except sqlite3.OperationalError:  # SQLite built without dbstat: no split, still a size
        return {}
    finally:
        conn.close()


def measure_size(db_path: Path, *, articles: int, seed: int, portal: str = "most") -> SizeResult:
    from archive.files import files_dir_for

    if not db_path.exists():
        raise BenchmarkError(f"no archive at {db_path}")
    db_bytes = sum(p.stat().st_size for p in (db_path, Path(f"{db_path}-wal")) if p.exists())
    files_dir = files_dir_for(db_path)
    files = [p for p in files_dir.rglob("*") if p.is_file()] if files_dir.exists() else []
    return SizeResult(
        articles=articles,
        db_bytes=db_bytes,
        files_bytes=sum(p.stat().st_size for p in files),
        files_count=len(files),
        raw_html_bytes=raw_html_bytes(articles, seed=seed, portal=portal),
        table_bytes=table_bytes(db_path),
    )


def size_rows(result: SizeResult, portal: str = "most") -> list[Row]:
    per = result.articles
    of = f"{per:,} crawled mst.gov.vn articles" if portal == "mst" else f"{per:,} crawled articles"
    html = result.raw_html_bytes / per
    top = list(result.table_bytes.items())[:6]
    split = ", ".join(f"{name} {size / per / 1024:.1f}" for name, size in top)
    common = {
        "section": "Size",
        "unit": "bytes/article",
        "baseline": html,
        "baseline_name": "raw HTML of the article page",
        "goal": REPORT_ONLY,
        "runs": 1,
    }
    db_row = {**common, "goal": Goal(GoalKind.RATIO_AT_MOST, 0.5, "≤ 0.5× raw HTML")}
    return [
        Row(
            metric=f"database, {of} (raw pages and every revision included)",
            ours=result.db_bytes / per,
            ours_name="SQLite file (+ WAL)",
            note=f"largest tables, KiB per article: {split}" if split else "",
            remedy=MST_REMEDY if portal == "mst" else REMEDY,
            **db_row,  # type: ignore[arg-type]
        ),
        Row(
            metric=f"files folder, {of} ({result.files_count:,} files)",
            ours=result.files_bytes / per,
            ours_name="<db stem>-files/ (images, attachments)",
            **common,  # type: ignore[arg-type]
        ),
    ]
