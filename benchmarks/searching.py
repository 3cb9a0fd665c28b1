"""Search latency: typical queries through `archive.queries.search` on a large archive.

The archive is built directly, not crawled: articles generated deterministically by the
replica (`Site.truth`, the same Vietnamese text the replica's pages carry) are written through
`archive.store.save_article`, a few thousand per transaction through `archive.batch.WriteBatch`
(the way a crawl groups its writes; each `save_article` becomes a savepoint in it). The built file
is cached under `bench-out/`, keyed by its size, its seed, its full-text columns, its text
folding and how FTS5 merges its index segments, so reruns skip the build (a cached archive is
migrated forward on reuse, like any user's archive). The queries mix accented and unaccented
words, phrases, a prefix and filters (date range, category, source). Each is run once to
warm the cache, then timed several rounds, interleaved with the baseline: full-text search
the usual SQLite way, one FTS5 `MATCH` of the same words (folded) against the folded
full-text table ranked by bm25 (`ORDER BY rank LIMIT 20`, the order sqlite-utils'
`Table.search` uses), with no join, no filter and no snippet.
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from benchmarks.corpus import REPLICA_BASE
from benchmarks.results import REPORT_ONLY, BenchmarkError, Goal, GoalKind, Row, spread_of
from benchmarks.stats import median, percentile
from crawler.items import Article

if TYPE_CHECKING:
    import sqlite_utils

    from archive.queries import ArticleFilter

BUILD_BATCH = 2000
SEARCH_LIMIT = 20
GOAL_P95_MS = 20.0
GOAL_COUNT_P95_MS = 100.0  # the exact total of a search (`search --count`), issue 12
BUILD_VERSION = 2  # bump when the way this module builds the archive changes
FOLD_PROBE = "Điện Biên Phủ, KH&CN: “Đổi mới sáng tạo” — Thừa Thiên Huế\u00a0NĂNG LƯỢNG"
SEARCH_REMEDY = (
    "look at the slowest queries named in the notes: a filter checked row by row (category "
    "by name) makes a step walk many matching rows before LIMIT stops it; resolving the "
    "filter to a set of ids first (an indexed lookup) bounds that walk"
)
BM25_SQL = "SELECT rowid FROM {fts} WHERE {fts} MATCH :match ORDER BY rank LIMIT :limit"
COUNT_SQL = "SELECT count(*) FROM {fts} WHERE {fts} MATCH :match"
COUNT_REMEDY = (
    "the count walks every matching row of the folded index with the filters: a filter "
    "checked row by row (category by name) costs per matching article; resolving it to a set "
    "of ids first, or counting the unfiltered match once and the filter's complement, bounds it"
)


@dataclass(frozen=True)
class Query:
    label: str
    text: str
    since: str | None = None  # YYYY / YYYY-MM / YYYY-MM-DD, as a user types it
    until: str | None = None
    category: str | None = None  # "" = the replica's first category, filled in at run time
    source: str | None = None


QUERIES = (
    Query("two words, accents", "khoa học"),
    Query("two words, no accents", "khoa hoc"),
    Query("three words, accents", "chuyển đổi số"),
    Query("three words, no accents", "chuyen doi so"),
    Query("phrase, accents", '"trí tuệ nhân tạo"'),
    Query("phrase, no accents", '"tri tue nhan tao"'),
    Query("place name, đ folded", "da nang"),
    Query("rare word", "NAFOSTED"),
    Query("prefix", "khởi*"),
    Query("words + date range", "năng lượng", since="2025-06", until="2025-11"),
    Query("words + category", "sở hữu trí tuệ", category=""),
    Query("phrase + source", '"đổi mới sáng tạo"', source="KH&CN"),
)


def _article_from_truth(truth: dict[str, object]) -> Article:
    fields = {k: v for k, v in truth.items() if k != "categories"}
    paragraphs = [str(p) for p in fields.get("body", [])]  # type: ignore[attr-defined]
    fields["body_html"] = "".join(f"<p>{p}</p>" for p in paragraphs)
    fields["parser"] = "most/1"
    return Article.from_dict(fields)


def cache_key(articles: int, seed: int) -> str:
    """What the built archive's content depends on: its size and seed, the FTS columns, the
    folding of text (`archive.normalize.fold`) and how FTS5 merges the index's segments as it
    is written (`archive.migrations.FTS_AUTOMERGE` and `FTS_CRISISMERGE`: the segments a query
    reads). Schema steps added later are not in the key: a cached archive is brought up to
    date by `open_archive`'s migrations when it is reused, as a user's archive is."""
    from archive.migrations import FTS_AUTOMERGE, FTS_COLUMNS, FTS_CRISISMERGE
    from archive.normalize import fold

    parts = [
        f"v{BUILD_VERSION}",
        str(articles),
        str(seed),
        ",".join(FTS_COLUMNS),
        fold(FOLD_PROBE),
        f"automerge={FTS_AUTOMERGE},crisismerge={FTS_CRISISMERGE}",
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:12]


def migrate_cached(path: Path) -> list[str]:
    """Apply the archive's pending migrations to a cached archive; their names."""
    from archive.db import open_archive
    from archive.migrations import applied

    db = open_archive(path)  # the writer's open applies every pending step
    try:
        return applied(db)
    finally:
        db.close()


def build_archive(path: Path, *, articles: int, seed: int) -> float:
    """Write `articles` replica articles into a new archive at `path`; return seconds taken."""
    from archive.batch import WriteBatch
    from archive.db import open_archive
    from archive.store import save_article
    from replica.site import Site

    site = Site(articles=articles, seed=seed, base_url=REPLICA_BASE)
    by_name = {str(c["name"]): c for c in site.categories()}
    ids = site.article_ids()
    if len(ids) < articles:
        raise BenchmarkError(f"the replica generated {len(ids)} articles, not {articles}")
    tmp = path.with_name(path.name + f".building-{os.getpid()}")
    for stale in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        stale.unlink(missing_ok=True)
    start = time.perf_counter()
    db = open_archive(tmp)
    try:
        batch = WriteBatch(db, max_items=BUILD_BATCH, max_seconds=float("inf"))
        for site_id in ids:
            truth = site.truth(site_id)
            listed = [
                (int(by_name[n]["id"]), n, str(by_name[n]["url"]))
                for n in truth.get("categories", [])
                if n in by_name
            ]
            batch.run(
                save_article,
                db,
                _article_from_truth(truth),
                page_id=None,
                listed_in=listed,
                fetched_at="2026-01-01T00:00:00+00:00",
            )
        batch.close()
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        db.close()
    seconds = time.perf_counter() - start
    tmp.replace(path)
    for leftover in (Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        leftover.unlink(missing_ok=True)
    return seconds


def cached_archive(work_dir: Path, *, articles: int, seed: int) -> tuple[Path, float]:
    """The built archive (built now if missing) and the seconds building took (0 if cached)."""
    work_dir.mkdir(parents=True, exist_ok=True)
    path = work_dir / f"search-{articles}-seed{seed}-{cache_key(articles, seed)}.db"
    if path.exists():
        migrate_cached(path)
        return path, 0.0
    return path, build_archive(path, articles=articles, seed=seed)


Spread = tuple[float, float] | None


@dataclass(frozen=True)
class SearchResult:
    articles: int
    rounds: int
    queries: int
    build_seconds: float  # 0 when the archive came from the cache
    ours_ms: list[float]
    baseline_ms: list[float]
    per_query_p95: dict[str, float] = field(default_factory=dict)
    count_ms: list[float] = field(default_factory=list)  # archive.queries.count_matches
    count_baseline_ms: list[float] = field(default_factory=list)  # plain FTS5 count(*)
    count_per_query_p95: dict[str, float] = field(default_factory=dict)

    def _per_round(self, values: list[float], p: float) -> list[float]:
        size = self.queries
        return [percentile(values[i : i + size], p) for i in range(0, len(values), size)]

    def round_spreads(self, p: float, *, count: bool = False) -> tuple[Spread, Spread]:
        """(ratio spread, our spread) of the rounds' p-th percentiles (50: medians), of the
        search or (``count``) of its exact total."""
        ours = self._per_round(self.count_ms if count else self.ours_ms, p)
        base = self._per_round(self.count_baseline_ms if count else self.baseline_ms, p)
        return spread_of([o / b for o, b in zip(ours, base, strict=True)]), spread_of(ours)

    @property
    def ours_median(self) -> float:
        return median(self.ours_ms)

    @property
    def ours_p95(self) -> float:
        return percentile(self.ours_ms, 95)

    @property
    def baseline_median(self) -> float:
        return median(self.baseline_ms)

    @property
    def baseline_p95(self) -> float:
        return percentile(self.baseline_ms, 95)


def _filters(query: Query, category: str) -> ArticleFilter:
    from archive.queries import ArticleFilter, parse_date

    return ArticleFilter(
        since=parse_date(query.since, end=False) if query.since else None,
        until=parse_date(query.until, end=True) if query.until else None,
        category=category if query.category == "" else query.category,
        source=query.source,
    )


def _ours(db: sqlite_utils.Database, query: Query, category: str) -> int:
    from archive.queries import search

    return len(search(db, query.text, filters=_filters(query, category), limit=SEARCH_LIMIT))


def _our_count(db: sqlite_utils.Database, query: Query, category: str) -> int:
    from archive.queries import count_matches

    return count_matches(db, query.text, filters=_filters(query, category))


def fts_count(db: sqlite_utils.Database, query: Query) -> int:
    """The count baseline: one FTS5 ``count(*)`` of the folded words, no filter."""
    from archive.migrations import FTS_FOLDED
    from archive.normalize import fold
    from archive.search import parse_query, to_fts

    match = to_fts(parse_query(query.text), fold)
    return int(db.execute(COUNT_SQL.format(fts=FTS_FOLDED), {"match": match}).fetchone()[0])


def fts_bm25(db: sqlite_utils.Database, query: Query) -> int:
    from archive.migrations import FTS_FOLDED
    from archive.normalize import fold
    from archive.search import parse_query, to_fts

    match = to_fts(parse_query(query.text), fold)
    sql = BM25_SQL.format(fts=FTS_FOLDED)
    return len(db.execute(sql, {"match": match, "limit": SEARCH_LIMIT}).fetchall())


def measure_search(
    db_path: Path, *, rounds: int, build_seconds: float, budget_seconds: float = 90.0
) -> SearchResult:
    """Time every query `rounds` times (fewer, but at least 3, if `budget_seconds` runs out)."""
    from archive.db import open_archive
    from replica.site import Site

    category = str(Site(articles=10, seed=1).categories()[0]["name"])
    db = open_archive(db_path, readonly=True)
    ours: list[float] = []
    baseline: list[float] = []
    per_query: dict[str, list[float]] = {q.label: [] for q in QUERIES}
    counts: list[float] = []
    count_baseline: list[float] = []
    count_per_query: dict[str, list[float]] = {q.label: [] for q in QUERIES}
    try:
        for query in QUERIES:  # warm-up, and every query must find something
            if _ours(db, query, category) == 0:
                raise BenchmarkError(f"search found nothing for {query.label}: {query.text!r}")
            if baseline_fn(db, query) == 0:
                raise BenchmarkError(f"the bm25 baseline found nothing for {query.text!r}")
            total = _our_count(db, query, category)
            if total < _ours(db, query, category) or (
                query.label.startswith(("two", "three")) and total <= SEARCH_LIMIT
            ):
                raise BenchmarkError(f"the count of {query.text!r} ({total}) is not the total")
            fts_count(db, query)
        articles = db["articles"].count
        started = time.perf_counter()
        done = 0
        while done < rounds:
            if done >= 3 and time.perf_counter() - started > budget_seconds:
                break
            done += 1
            for query in QUERIES:
                start = time.perf_counter()
                _ours(db, query, category)
                elapsed = (time.perf_counter() - start) * 1000
                ours.append(elapsed)
                per_query[query.label].append(elapsed)
                start = time.perf_counter()
                baseline_fn(db, query)
                baseline.append((time.perf_counter() - start) * 1000)
                start = time.perf_counter()
                _our_count(db, query, category)
                elapsed = (time.perf_counter() - start) * 1000
                counts.append(elapsed)
                count_per_query[query.label].append(elapsed)
                start = time.perf_counter()
                fts_count(db, query)
                count_baseline.append((time.perf_counter() - start) * 1000)
    finally:
        db.close()
    return SearchResult(
        articles=articles,
        rounds=done,
        queries=len(QUERIES),
        build_seconds=build_seconds,
        ours_ms=ours,
        baseline_ms=baseline,
        per_query_p95={label: percentile(v, 95) for label, v in per_query.items()},
        count_ms=counts,
        count_baseline_ms=count_baseline,
        count_per_query_p95={label: percentile(v, 95) for label, v in count_per_query.items()},
    )


def baseline_fn(db: sqlite_utils.Database, query: Query) -> int:
    """The baseline, looked up at call time so a test can break it."""
    return fts_bm25(db, query)


def searching_rows(result: SearchResult) -> list[Row]:
    slowest = sorted(result.per_query_p95.items(), key=lambda kv: kv[1], reverse=True)[:3]
    slow_text = ", ".join(f"{label} {ms:.1f} ms" for label, ms in slowest)
    slow_counts = sorted(result.count_per_query_p95.items(), key=lambda kv: kv[1], reverse=True)
    count_slow = ", ".join(f"{label} {ms:.1f} ms" for label, ms in slow_counts[:3])
    built = (
        f"archive built in {result.build_seconds:.0f} s this run"
        if result.build_seconds
        else "archive reused from the bench-out/ cache"
    )
    common = {
        "section": "Searching",
        "unit": "ms",
        "ours_name": "archive.queries.search (2 tiers, filters, snippets, limit 20)",
        "baseline_name": "FTS5 MATCH ORDER BY rank (bm25), limit 20",
        "runs": result.rounds,
    }
    what = f"{result.queries} queries × {result.rounds} rounds on {result.articles:,} articles"
    return [
        Row(
            metric=f"median latency, {what}",
            ours=result.ours_median,
            baseline=result.baseline_median,
            spread=result.round_spreads(50)[0],
            goal=REPORT_ONLY,
            note=built,
            **common,  # type: ignore[arg-type]
        ),
        Row(
            metric=f"95th-percentile latency, {what}",
            ours=result.ours_p95,
            baseline=result.baseline_p95,
            spread=result.round_spreads(95)[0],
            ours_spread=result.round_spreads(95)[1],
            goal=Goal(GoalKind.OURS_AT_MOST, GOAL_P95_MS, f"p95 < {GOAL_P95_MS:.0f} ms"),
            note=f"slowest queries by p95: {slow_text}",
            remedy=SEARCH_REMEDY,
            **common,  # type: ignore[arg-type]
        ),
        Row(
            metric=f"95th-percentile latency of the exact total, {what}",
            ours=percentile(result.count_ms, 95),
            baseline=percentile(result.count_baseline_ms, 95),
            spread=result.round_spreads(95, count=True)[0],
            ours_spread=result.round_spreads(95, count=True)[1],
            goal=Goal(
                GoalKind.OURS_AT_MOST, GOAL_COUNT_P95_MS, f"p95 < {GOAL_COUNT_P95_MS:.0f} ms"
            ),
            note=f"median {median(result.count_ms):.1f} ms; slowest counts by p95: {count_slow}",
            remedy=COUNT_REMEDY,
            **{
                **common,  # type: ignore[arg-type]
                "ours_name": "archive.queries.count_matches (search --count: filters, folded "
                "index)",
                "baseline_name": "FTS5 SELECT count(*) … MATCH (folded words, no filter)",
            },
        ),
    ]
