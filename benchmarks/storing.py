"""Storing speed: articles per second written by `archive.store.save_article`, FTS included.

Ours: `save_article` called once per parsed replica article, as the crawler calls it (one
transaction per article: the article row, its images, attachments, category links, revision 1
and both full-text rows), into a fresh archive. Baseline: the very rows that run wrote, read
back from every table it touched and inserted into another fresh archive (same schema, same
pragmas, same FTS5 tables) by a bare `executemany` per table inside one transaction: the
floor of what SQLite can do with the same data. The baseline's row counts are checked against
ours, so a baseline that writes nothing fails instead of looking fast.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.corpus import Listed
from benchmarks.results import BenchmarkError, Goal, GoalKind, Row
from benchmarks.stats import median, profile_top
from crawler.items import Article

FETCHED_AT = "2026-01-01T00:00:00+00:00"
PROFILE_ARTICLES = 300
ROOT = Path(__file__).resolve().parent.parent


def _tables() -> list[str]:
    from archive.migrations import FTS_EXACT, FTS_FOLDED

    # Parents before children (foreign keys are on).
    return [
        "categories", "articles", "article_categories", "images", "attachments", "revisions",
        FTS_EXACT, FTS_FOLDED,
    ]


TableDump = dict[str, tuple[list[str], list[tuple[Any, ...]]]]


def save_with_store(db_path: Path, items: list[tuple[Article, list[Listed]]]) -> float:
    """Seconds `save_article` takes for every item (the archive opened beforehand)."""
    from archive.db import open_archive
    from archive.store import save_article

    db = open_archive(db_path)
    try:
        start = time.perf_counter()
        for article, listed in items:
            save_article(db, article, page_id=None, listed_in=listed, fetched_at=FETCHED_AT)
        return time.perf_counter() - start
    finally:
        db.close()


def dump_tables(db_path: Path) -> TableDump:
    """Every row of the tables an article write touches, column names first."""
    from archive.db import open_archive
    from archive.migrations import FTS_COLUMNS, FTS_EXACT, FTS_FOLDED

    db = open_archive(db_path)
    try:
        dump: TableDump = {}
        for table in _tables():
            if table in (FTS_EXACT, FTS_FOLDED):
                columns = ["rowid", *FTS_COLUMNS]
            else:
                columns = [c.name for c in db[table].columns]
            select = f"SELECT {', '.join(columns)} FROM {table}"
            dump[table] = (columns, [tuple(r) for r in db.execute(select).fetchall()])
        return dump
    finally:
        db.close()


def bare_executemany(db_path: Path, dump: TableDump) -> float:
    """Seconds a bare `executemany` per table takes for `dump` (one transaction)."""
    from archive.db import open_archive

    db = open_archive(db_path)
    try:
        conn = db.conn
        start = time.perf_counter()
        conn.execute("BEGIN")
        for table, (columns, rows) in dump.items():
            marks = ", ".join("?" * len(columns))
            conn.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows
            )
        conn.execute("COMMIT")
        return time.perf_counter() - start
    finally:
        db.close()


def row_counts(db_path: Path) -> dict[str, int]:
    from archive.db import open_archive

    db = open_archive(db_path)
    try:
        return {t: int(db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in _tables()}
    finally:
        db.close()


@dataclass(frozen=True)
class StoreResult:
    articles: int
    runs: int
    ours_per_s: float
    bare_per_s: float
    rows_written: int  # rows in all touched tables, per run
    profile: str = ""  # where save_article's time goes (untimed cProfile pass)


def measure_storing(
    items: list[tuple[Article, list[Listed]]], *, runs: int, work_dir: Path
) -> StoreResult:
    if not items:
        raise BenchmarkError("no articles to store")
    ours: list[float] = []
    bare: list[float] = []
    rows_written = 0
    work_dir.mkdir(parents=True, exist_ok=True)
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="store-", dir=work_dir) as tmp:
            ours_db, bare_db = Path(tmp) / "ours.db", Path(tmp) / "bare.db"
            seconds = save_with_store(ours_db, items)
            dump = dump_tables(ours_db)
            expected = {table: len(rows) for table, (_cols, rows) in dump.items()}
            if expected["articles"] != len(items):
                raise BenchmarkError(
                    f"save_article stored {expected['articles']} of {len(items)} articles"
                )
            bare_seconds = bare_executemany(bare_db, dump)
            got = row_counts(bare_db)
            if got != expected:
                raise BenchmarkError(f"bare executemany wrote {got}, expected {expected}")
            rows_written = sum(expected.values())
        ours.append(len(items) / seconds)
        bare.append(len(items) / bare_seconds)
    with tempfile.TemporaryDirectory(prefix="store-profile-", dir=work_dir) as tmp:
        sample = items[:PROFILE_ARTICLES]
        profile = profile_top(lambda: save_with_store(Path(tmp) / "p.db", sample), root=str(ROOT))
    return StoreResult(
        profile=profile,
        articles=len(items),
        runs=runs,
        ours_per_s=median(ours),
        bare_per_s=median(bare),
        rows_written=rows_written,
    )


def storing_rows(result: StoreResult) -> list[Row]:
    return [
        Row(
            section="Storing",
            metric=f"articles/s written, full-text index included, {result.articles} articles "
            f"({result.rows_written:,} rows) into a fresh archive",
            unit="articles/s",
            ours=result.ours_per_s,
            ours_name="archive.store.save_article (one transaction per article)",
            baseline=result.bare_per_s,
            baseline_name="bare executemany of the same rows, one transaction",
            goal=Goal(GoalKind.RATIO_AT_LEAST, 0.5, "≥ 50% of the bare rate"),
            runs=result.runs,
            note=f"where save_article's time goes (cProfile, own time): {result.profile}",
            remedy=f"save_article must take at most {2000 / result.bare_per_s:.2f} ms per "
            f"article (now {1000 / result.ours_per_s:.2f} ms; the bare insert of the same rows "
            f"takes {1000 / result.bare_per_s:.2f} ms). The profile in the notes says where the "
            "time goes; beyond it, several articles per transaction (a listing page's worth) "
            "would spread the per-transaction cost the bare baseline pays once",
        )
    ]
