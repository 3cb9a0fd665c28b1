"""The archive checks: integrity, orphans, half-written articles, and snapshots to compare.

Used by the fault scenarios, the kill loop and ``tests/reliability``. Read-only: every check
opens the database ``mode=ro``, so it may run while a crawl writes (``live=True``); only a hot
rollback journal (a crawl killed before its archive switched to WAL) is rolled back first, as
the next crawl would (:func:`connect`).
"""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path
from typing import Any

COUNTED_KINDS = ("listing", "article", "file")
# SharePoint: /vn/tin-tuc/{id}/… or …?IDNews={id}; mst.gov.vn: /{slug}-{id}.htm (a path or a URL)
_ARTICLE_ID = re.compile(
    r"/tin-tuc/(\d+)/|[?&]IDNews=(\d+)|(?:^|//[^/]+)/[^/?]*-(\d{6,})\.htm(?:[?#]|$)",
    re.IGNORECASE,
)


def connect(db: Path) -> sqlite3.Connection:
    """A read-only connection to the archive as the next run will find it."""
    _roll_back_hot_journal(db)
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    conn.row_factory = sqlite3.Row
    return conn


def _roll_back_hot_journal(db: Path) -> None:
    """A crawl killed while it created its archive, before the switch to WAL, leaves a rollback
    journal: the next crawl's connection rolls it back on open, a read-only one cannot ("attempt
    to write a readonly database"). Roll it back as that next run would: a read through a
    writable connection (SQLite rolls back only a journal no live writer holds)."""
    journal = db.with_name(db.name + "-journal")
    if not journal.exists() or journal.stat().st_size == 0:
        return
    conn = sqlite3.connect(db, timeout=30)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    finally:
        conn.close()


# An article is (portal, site_id); the FTS rowid is articles.id.
_NO_ARTICLE = (
    "SELECT count(*) FROM {} c WHERE NOT EXISTS (SELECT 1 FROM articles a "
    "WHERE a.portal = c.portal AND a.site_id = c.site_id)"
)
# The rows a full-text index holds are its docsize table's (one per indexed article, ``id`` =
# rowid): a scan of the FTS table itself would read its content table instead.
_NO_ARTICLE_ROW = "SELECT count(*) FROM {}_docsize WHERE id NOT IN (SELECT id FROM articles)"
ORPHANS = {
    "images without article": _NO_ARTICLE.format("images"),
    "attachments without article": _NO_ARTICLE.format("attachments"),
    "category links without article": _NO_ARTICLE.format("article_categories"),
    "revisions without article": _NO_ARTICLE.format("revisions"),
    "folded FTS rows without article": _NO_ARTICLE_ROW.format("articles_fts"),
    "exact FTS rows without article": _NO_ARTICLE_ROW.format("articles_fts_exact"),
    "category links without category": (
        "SELECT count(*) FROM article_categories ac WHERE NOT EXISTS (SELECT 1 FROM categories "
        "c WHERE c.portal = ac.portal AND c.id = ac.category_id)"
    ),
    "articles without current revision": (
        "SELECT count(*) FROM articles a WHERE NOT EXISTS (SELECT 1 FROM revisions r WHERE "
        "r.portal = a.portal AND r.site_id = a.site_id AND r.revision = a.revision "
        "AND r.content_hash = a.content_hash)"
    ),
    "articles without FTS row": (
        "SELECT count(*) FROM articles WHERE id NOT IN (SELECT id FROM articles_fts_docsize) "
        "OR id NOT IN (SELECT id FROM articles_fts_exact_docsize)"
    ),
    "runs left running": "SELECT count(*) FROM runs WHERE outcome = 'running'",
}
HALF_WRITTEN = (
    "SELECT a.site_id, r.images_json, r.attachments_json, "
    "(SELECT count(*) FROM images i WHERE i.portal = a.portal AND i.site_id = a.site_id) "
    "AS n_images, (SELECT count(*) FROM attachments t WHERE t.portal = a.portal "
    "AND t.site_id = a.site_id) AS n_attachments "
    "FROM articles a JOIN revisions r ON r.portal = a.portal AND r.site_id = a.site_id "
    "AND r.revision = a.revision"
)


def problems(db: Path, *, files: bool = True, live: bool = False) -> list[str]:
    """Everything wrong with an archive: integrity, foreign keys, orphan rows, half-written
    articles, and (``files=True``) files rows without their file or files without a row.
    ``live=True`` (a crawl may be running) skips the checks of runs and files."""
    found: list[str] = []
    conn = connect(db)
    try:
        check = [r[0] for r in conn.execute("PRAGMA integrity_check")]
        if check != ["ok"]:
            found.append(f"integrity_check: {check[:3]}")
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not {"articles", "fetch_errors", "runs"} <= tables:
            return found + ([] if live else [f"schema incomplete: {sorted(tables)}"])
        fk = conn.execute("PRAGMA foreign_key_check").fetchall()
        if fk:
            found.append(f"foreign_key_check: {len(fk)} rows, e.g. {tuple(fk[0])}")
        for what, sql in ORPHANS.items():
            if live and what == "runs left running":
                continue
            n = conn.execute(sql).fetchone()[0]
            if n:
                found.append(f"{n} {what}")
        for row in conn.execute(HALF_WRITTEN):
            if (len(json.loads(row["images_json"])), len(json.loads(row["attachments_json"]))) != (
                row["n_images"],
                row["n_attachments"],
            ):
                found.append(
                    f"article {row['site_id']} half-written: {row['n_images']} images, "
                    f"{row['n_attachments']} attachments rows"
                )
        if files and not live:
            found += _file_problems(db, conn)
    finally:
        conn.close()
    return found


def _file_problems(db: Path, conn: sqlite3.Connection) -> list[str]:
    folder = db.with_name(f"{db.stem}-files")
    rows = {r["path"]: r["url"] for r in conn.execute("SELECT url, path FROM files")}
    found = [
        f"files row without file: {u} -> {p}" for p, u in rows.items() if not (folder / p).is_file()
    ]
    on_disk = (
        {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
        if folder.is_dir()
        else set()
    )
    found += [f"file without files row: {p}" for p in sorted(on_disk - set(rows))]
    return found


ARTICLE_COLUMNS = (
    "url",
    "title",
    "lead",
    "body",
    "body_html",
    "published_at",
    "category",
    "source",
    "parser",
    "content_hash",
)


def snapshot(db: Path) -> dict[str, dict[Any, Any]]:
    """What two archives of the same site must agree on, keyed for comparison."""
    conn = connect(db)
    try:

        def rows(sql: str) -> list[sqlite3.Row]:
            return conn.execute(sql).fetchall()

        shot: dict[str, dict[Any, Any]] = {
            "articles": {
                r[0]: tuple(r)[1:]
                for r in rows(f"SELECT site_id, {', '.join(ARTICLE_COLUMNS)} FROM articles")
            },
            "images": {},
            "attachments": {},
            "categories": {},
            "files": {r[0]: r[1] for r in rows("SELECT url, sha256 FROM files")},
        }
        for r in rows("SELECT site_id, position, url, caption, alt FROM images ORDER BY 1, 2"):
            shot["images"].setdefault(r[0], []).append(tuple(r)[1:])
        for r in rows("SELECT site_id, position, url, title FROM attachments ORDER BY 1, 2"):
            shot["attachments"].setdefault(r[0], []).append(tuple(r)[1:])
        for r in rows("SELECT site_id, category_id FROM article_categories ORDER BY 1, 2"):
            shot["categories"].setdefault(r[0], []).append(r[1])
    finally:
        conn.close()
    return shot


def differences(
    clean: dict[str, dict[Any, Any]], other: dict[str, dict[Any, Any]], only: set[int] | None = None
) -> list[str]:
    """How ``other`` differs from ``clean`` (restricted to article ids ``only`` if given)."""
    found: list[str] = []
    for part in ("articles", "images", "attachments", "categories", "files"):
        a, b = clean[part], other[part]
        if only is not None and part != "files":
            a = {k: v for k, v in a.items() if k in only}
            b = {k: v for k, v in b.items() if k in only}
        if only is not None and part == "files":
            continue
        missing, extra = sorted(set(a) - set(b), key=str), sorted(set(b) - set(a), key=str)
        changed = sorted((k for k in set(a) & set(b) if a[k] != b[k]), key=str)
        for label, keys in (("missing", missing), ("extra", extra), ("different", changed)):
            if keys:
                found.append(f"{part}: {len(keys)} {label}, e.g. {keys[:3]}")
        if changed and part == "articles":
            k = changed[0]
            cols = [c for c, x, y in zip(ARTICLE_COLUMNS, a[k], b[k], strict=True) if x != y]
            found.append(
                f"articles: {k} differs in {cols}: "
                + "; ".join(
                    f"{c}: {x!r:.80} vs {y!r:.80}"
                    for c, x, y in zip(ARTICLE_COLUMNS, a[k], b[k], strict=True)
                    if x != y
                )
            )
    return found


def counts(db: Path) -> dict[str, Any]:
    """Articles, duplicates (extra revisions of one content, which a single-generation site
    never has), open errors by kind, and the last run's outcome."""
    conn = connect(db)
    try:
        errors = conn.execute(
            "SELECT kind, url, reason FROM fetch_errors WHERE resolved_at IS NULL"
        ).fetchall()
        return {
            "articles": {r[0] for r in conn.execute("SELECT site_id FROM articles")},
            "duplicates": conn.execute(
                "SELECT count(*) - count(DISTINCT site_id) FROM revisions"
            ).fetchone()[0],
            "errors": [dict(e) for e in errors],
            "outcome": conn.execute("SELECT outcome FROM runs ORDER BY id DESC LIMIT 1").fetchone()[
                0
            ],
        }
    finally:
        conn.close()


def article_id(path: str) -> int | None:
    m = _ARTICLE_ID.search(path)
    return int(m.group(1) or m.group(2) or m.group(3)) if m else None
