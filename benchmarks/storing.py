"""Storing speed: articles per second written by `archive.store.save_article`, FTS included.

Ours: every parsed replica article handed to `archive.batch.BatchWriter`, the writer thread
the crawl's pipeline stores every item through (`crawler.pipelines.WriterThread`), with the
crawl's own limits from `archive.defaults` (a transaction commits after `BATCH_ITEMS` writes,
`BATCH_SECONDS` after it opened, or when no write has come for `BATCH_IDLE_SECONDS`; the row
names the figures; each write in a savepoint), calling
`save_article` as the pipeline does for an article page: the article row, its images,
attachments, category links, revision 1, its parse sample and both full-text rows, into a
fresh archive. The articles are all handed over at once, as in a crawl that fetches faster
than it stores, so the batches are full; a crawl slower than its writer commits sooner, and
storing is then not what limits it. The raw page the pipeline stores before each article is
not part of this row: compressing it is measured in its own row below. The clock stops when
the writer has committed the last batch. Baseline: the very rows that run wrote, read back
from every table it touched and inserted into another fresh archive (same schema, same
pragmas, same FTS5 tables) by a bare `executemany` per table inside one transaction: the
floor of what SQLite can do with the same data. The baseline's row counts are checked
against ours, so a baseline that writes nothing fails instead of looking fast. Before the timed
rounds, both sides store the articles once, untimed (imports, first use of SQLite and of
memory at this size), as the parsing rows warm their extractors up.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archive.defaults import BATCH_ITEMS
from benchmarks.corpus import Listed
from benchmarks.results import REPORT_ONLY, BenchmarkError, Goal, GoalKind, Row, spread_of
from benchmarks.stats import median, profile_top
from crawler.items import Article

FETCHED_AT = "2026-01-01T00:00:00+00:00"
PROFILE_ARTICLES = 300
ROOT = Path(__file__).resolve().parent.parent


def _tables() -> list[str]:
    from archive.migrations import FTS_EXACT, FTS_FOLDED

    # Parents before children (foreign keys are on).
    return [
        "categories",
        "articles",
        "article_categories",
        "images",
        "attachments",
        "revisions",
        "parse_samples",
        FTS_EXACT,
        FTS_FOLDED,
    ]


TableDump = dict[str, tuple[list[str], list[tuple[Any, ...]]]]


def save_with_store(db_path: Path, items: list[tuple[Article, list[Listed]]]) -> float:
    """Seconds the crawl's writer (`archive.batch.BatchWriter`, its default limits) takes to
    store and commit every item through `save_article` (the archive opened beforehand)."""
    from archive.batch import BatchWriter
    from archive.db import open_archive
    from archive.store import save_article

    db = open_archive(db_path)
    failures: list[BaseException] = []

    def done(_result: object, exc: BaseException | None) -> None:
        if exc is not None:
            failures.append(exc)

    try:
        start = time.perf_counter()
        writer = BatchWriter(db, lost=lambda exc, _writes: failures.append(exc))
        for article, listed in items:
            writer.submit(_save, save_article, db, article, listed, done=done)
        writer.close()
        seconds = time.perf_counter() - start
    finally:
        db.close()
    if failures:
        raise BenchmarkError(f"save_article failed: {failures[0]!r}")
    return seconds


def _profiled_writes(db_path: Path, items: list[tuple[Article, list[Listed]]]) -> None:
    """The writer thread's work (the same batches, the same calls) on the calling thread:
    cProfile sees only the thread it runs in."""
    from archive.batch import WriteBatch
    from archive.db import open_archive
    from archive.store import save_article

    db = open_archive(db_path)
    try:
        batch = WriteBatch(db)
        for article, listed in items:
            batch.run(_save, save_article, db, article, listed)
        batch.close()
    finally:
        db.close()


def _save(save_article: Any, db: Any, article: Article, listed: list[Listed]) -> object:
    # the arguments the pipeline gives it (crawler.pipelines.ArchivePipeline._on_ArticlePage)
    return save_article(db, article, page_id=None, listed_in=listed, fetched_at=FETCHED_AT)


def dump_tables(db_path: Path) -> TableDump:
    """Every row of the tables an article write touches, column names first."""
    from archive.db import open_archive
    from archive.migrations import FTS_COLUMNS, FTS_EXACT, FTS_FOLDED, FTS_SOURCE
    from archive.normalize import index_fold

    db = open_archive(db_path)
    try:
        dump: TableDump = {}
        # The full-text tables keep no text (contentless): their rows are rebuilt from the
        # article rows the way the archive indexes them (archive.migrations.FTS_SOURCE; the
        # folded index is given archive.normalize.index_fold's text, as archive.store gives
        # it, so that both sides hand the tokenizer the very same values).
        exact = [tuple(r) for r in db.execute(FTS_SOURCE).fetchall()]
        folded = [(r[0], *(index_fold(t or "") for t in r[1:])) for r in exact]
        for table in _tables():
            if table in (FTS_EXACT, FTS_FOLDED):
                rows = exact if table == FTS_EXACT else folded
                dump[table] = (["rowid", *FTS_COLUMNS], rows)
                continue
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
            conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)
        conn.execute("COMMIT")
        return time.perf_counter() - start
    finally:
        db.close()


def row_counts(db_path: Path) -> dict[str, int]:
    """Rows per table; a full-text table's are the rows of its ``_docsize`` table (one per
    indexed article): scanning the table itself would read its content table (articles)."""
    from archive.db import open_archive
    from archive.migrations import FTS_EXACT, FTS_FOLDED

    db = open_archive(db_path)
    try:
        return {
            t: int(
                db.execute(
                    f"SELECT count(*) FROM {t}{'_docsize' if t in (FTS_EXACT, FTS_FOLDED) else ''}"
                ).fetchone()[0]
            )
            for t in _tables()
        }
    finally:
        db.close()


@dataclass(frozen=True)
class StoreResult:
    articles: int
    runs: int
    ours_per_s: float
    bare_per_s: float
    rows_written: int  # rows in all touched tables, per run
    ratios: tuple[float, ...] = ()  # ours / bare, per run
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
    # An untimed round of both sides first: a process's first round paid alone for importing
    # the archive's modules (save_article's side imports them lazily) and for the first use of
    # SQLite and of memory at this size (measured: its ratio 0.46-0.49 against 0.51-0.54 for
    # the rounds after it; a warm-up of 50 articles left it at 0.48), as the parsing rows warm
    # their extractors up.
    with tempfile.TemporaryDirectory(prefix="store-warm-", dir=work_dir) as tmp:
        save_with_store(Path(tmp) / "ours.db", items)
        bare_executemany(Path(tmp) / "bare.db", dump_tables(Path(tmp) / "ours.db"))
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
        profile = profile_top(lambda: _profiled_writes(Path(tmp) / "p.db", sample), root=str(ROOT))
    return StoreResult(
        profile=profile,
        articles=len(items),
        runs=runs,
        ours_per_s=median(ours),
        bare_per_s=median(bare),
        rows_written=rows_written,
        ratios=tuple(o / b for o, b in zip(ours, bare, strict=True)),
    )


def storing_rows(result: StoreResult) -> list[Row]:
    return [
        Row(
            section="Storing",
            metric=f"articles/s written, full-text index included, {result.articles} articles "
            f"({result.rows_written:,} rows) into a fresh archive",
            unit="articles/s",
            ours=result.ours_per_s,
            ours_name="archive.store.save_article through the crawl's writer "
            f"(archive.batch.BatchWriter: {BATCH_ITEMS} per transaction at most)",
            baseline=result.bare_per_s,
            baseline_name="bare executemany of the same rows, one transaction",
            goal=Goal(GoalKind.RATIO_AT_LEAST, 0.5, "≥ 50% of the bare rate"),
            runs=result.runs,
            spread=spread_of(list(result.ratios)),
            note=f"where save_article's time goes (cProfile, own time): {result.profile}",
            remedy=f"save_article must take at most {2000 / result.bare_per_s:.2f} ms per "
            f"article (now {1000 / result.ours_per_s:.2f} ms; the bare insert of the same rows "
            f"takes {1000 / result.bare_per_s:.2f} ms). The profile in the notes says where the "
            "time goes (content hash, accent folding, HTML packing are the Python side; "
            "the statements are the SQLite side)",
        )
    ]


# --------------------------------------------------------------------------- raw pages

COMPRESS_ROUNDS = 3


@dataclass(frozen=True)
class CompressResult:
    pages: int
    rounds: int
    compress_per_s: float  # pages/s: archive.rawpages.encode with the portal's dictionary
    parse_per_s: float  # pages/s: crawler.parsers.parse_article over the same pages
    raw_bytes: float  # mean page size
    stored_bytes: float  # mean stored (compressed) size
    dictionary_bytes: int  # the dictionary as stored
    ratios: tuple[float, ...]


def measure_compression(pages: list[Any], *, rounds: int, work_dir: Path) -> CompressResult:
    """Compress every page as `store.save_page` does (the portal's dictionary, trained from
    the first pages the way the archive trains it), interleaved with parsing the same pages."""
    from archive import rawpages, store
    from archive.db import open_archive
    from crawler.parsers import parse_article

    if len(pages) <= rawpages.TRAIN_PAGES:
        raise BenchmarkError(f"need more than {rawpages.TRAIN_PAGES} pages to compress")
    work_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="compress-", dir=work_dir) as tmp:
        db = open_archive(Path(tmp) / "pages.db")
        try:
            for page in pages[: rawpages.TRAIN_PAGES]:  # what the archive trains on
                store.save_page(
                    db,
                    url=page.url,
                    status=200,
                    headers={},
                    body=page.html,
                    fetched_at=FETCHED_AT,
                    run_id=None,
                )
            (dictionary_bytes,) = db.execute(
                "SELECT length(content) FROM raw_page_dictionaries"
            ).fetchone()
            portal = rawpages.portal_of(pages[0].url)
            compress: list[float] = []
            parse: list[float] = []
            stored = 0
            for _ in range(rounds):
                start = time.perf_counter()
                encoded = [rawpages.encode(db, page.html, portal) for page in pages]
                compress.append(len(pages) / (time.perf_counter() - start))
                start = time.perf_counter()
                parsed = [parse_article(page.html, page.url) for page in pages]
                parse.append(len(pages) / (time.perf_counter() - start))
                if any(e.codec != "zstd-dict" for e in encoded) or not all(parsed):
                    raise BenchmarkError("a page was not compressed with the dictionary")
                stored = sum(len(e.body) for e in encoded)
            back = rawpages.decode(
                db, encoded[-1].body, encoded[-1].codec, encoded[-1].dictionary_id
            )
            if back != pages[-1].html:
                raise BenchmarkError("a compressed page did not come back byte-exact")
        finally:
            db.close()
    return CompressResult(
        pages=len(pages),
        rounds=rounds,
        compress_per_s=median(compress),
        parse_per_s=median(parse),
        raw_bytes=sum(len(p.html) for p in pages) / len(pages),
        stored_bytes=stored / len(pages),
        dictionary_bytes=int(dictionary_bytes),
        ratios=tuple(c / p for c, p in zip(compress, parse, strict=True)),
    )


def compression_rows(result: CompressResult) -> list[Row]:
    return [
        Row(
            section="Storing",
            metric=f"raw pages compressed per second, {result.pages} replica pages, beside "
            "parsing them",
            unit="pages/s",
            ours=result.compress_per_s,
            ours_name="archive.rawpages.encode (Zstandard, the portal's dictionary)",
            baseline=result.parse_per_s,
            baseline_name="crawler.parsers.parse_article on the same pages",
            goal=REPORT_ONLY,
            runs=result.rounds,
            spread=spread_of(list(result.ratios)),
            note=f"{1000 / result.compress_per_s:.3f} ms per page; a page of "
            f"{result.raw_bytes:,.0f} bytes is stored in {result.stored_bytes:,.0f} "
            f"({result.stored_bytes / result.raw_bytes:.3f}×), beside a dictionary of "
            f"{result.dictionary_bytes:,} bytes (stored once per portal)",
        )
    ]
