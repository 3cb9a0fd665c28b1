"""The archive's schema, as ordered migration steps (sqlite-utils' ``Migrations``).

Each step runs once per database, inside a transaction with the record of it having been
applied (table ``_sqlite_migrations``). Steps are only ever appended: a released step is never
edited, a later one alters what it made. Table and column names are a contract with the crawler
and the read side (docs/schema.md): add, never rename.
"""

from __future__ import annotations

import re

import sqlite_utils
from sqlite_utils.migrations import Migrations

MIGRATION_SET = "most-archive"

migrations = Migrations(MIGRATION_SET)

# The FTS tables. Both have rowid = articles.id and the same columns, in this order.
FTS_COLUMNS = ("title", "lead", "body", "captions", "source")
FTS_FOLDED = "articles_fts"  # text passed through archive.normalize.fold (no accents, đ→d, lower)
FTS_EXACT = "articles_fts_exact"  # the NFC text as stored, accents kept

# Run outcomes (crawler/outcome.py decides them). m001 made the CHECK with the first six;
# m005_run_outcomes widens it to the tuple of its day; m011_drift_run_outcomes and
# m019_forbidden_run_outcome add whatever an archive's CHECK still lacks (drift, forbidden).
OUTCOMES = (
    "running",
    "ok",
    "partial",
    "failed",
    "died",
    "interrupted",
    "limited",
    "unreachable",
    "drift",
    "forbidden",
)
_FIRST_OUTCOMES = OUTCOMES[:6]
ERROR_KINDS = ("listing", "article", "file", "discovery")

_INITIAL = f"""
CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    mode TEXT,
    site TEXT,
    pid INTEGER,
    outcome TEXT NOT NULL DEFAULT 'running'
        CHECK (outcome IN ({", ".join(f"'{o}'" for o in _FIRST_OUTCOMES)})),
    pages_fetched INTEGER NOT NULL DEFAULT 0,
    articles_new INTEGER NOT NULL DEFAULT 0,
    articles_updated INTEGER NOT NULL DEFAULT 0,
    articles_unchanged INTEGER NOT NULL DEFAULT 0,
    files INTEGER NOT NULL DEFAULT 0,
    errors INTEGER NOT NULL DEFAULT 0,
    counts_json TEXT,
    hostname TEXT
);
CREATE INDEX idx_runs_outcome ON runs(outcome);

CREATE TABLE categories (
    id INTEGER PRIMARY KEY,
    name TEXT,
    url TEXT
);

CREATE TABLE raw_pages (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL,
    status INTEGER,
    headers_json TEXT,
    body BLOB,
    body_sha256 TEXT,
    content_type TEXT,
    fetched_at TEXT NOT NULL,
    run_id INTEGER REFERENCES runs(id),
    size INTEGER
);
CREATE INDEX idx_raw_pages_url ON raw_pages(url, body_sha256);
CREATE INDEX idx_raw_pages_run ON raw_pages(run_id);

CREATE TABLE articles (
    site_id INTEGER PRIMARY KEY,
    url TEXT NOT NULL,
    title TEXT NOT NULL,
    lead TEXT NOT NULL DEFAULT '',
    body TEXT NOT NULL DEFAULT '',
    body_html TEXT,
    published_at TEXT,
    category TEXT,
    source TEXT,
    parser TEXT,
    content_hash TEXT NOT NULL,
    revision INTEGER NOT NULL DEFAULT 1,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    last_checked TEXT,
    last_changed TEXT NOT NULL,
    page_id INTEGER REFERENCES raw_pages(id),
    etag TEXT,
    last_modified TEXT
);
CREATE INDEX idx_articles_published ON articles(published_at);
CREATE INDEX idx_articles_url ON articles(url);
CREATE INDEX idx_articles_last_checked ON articles(last_checked);
CREATE INDEX idx_articles_parser ON articles(parser);

CREATE TABLE article_categories (
    site_id INTEGER NOT NULL REFERENCES articles(site_id) ON DELETE CASCADE,
    category_id INTEGER NOT NULL REFERENCES categories(id),
    PRIMARY KEY (site_id, category_id)
);
CREATE INDEX idx_article_categories_category ON article_categories(category_id);

CREATE TABLE images (
    site_id INTEGER NOT NULL REFERENCES articles(site_id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    url TEXT NOT NULL,
    caption TEXT,
    alt TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (site_id, position)
);
CREATE INDEX idx_images_url ON images(url);

CREATE TABLE attachments (
    site_id INTEGER NOT NULL REFERENCES articles(site_id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    url TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (site_id, position)
);
CREATE INDEX idx_attachments_url ON attachments(url);

CREATE TABLE files (
    url TEXT PRIMARY KEY,
    sha256 TEXT NOT NULL,
    path TEXT NOT NULL,
    size INTEGER NOT NULL,
    content_type TEXT,
    fetched_at TEXT NOT NULL
);
CREATE INDEX idx_files_sha256 ON files(sha256);

CREATE TABLE revisions (
    id INTEGER PRIMARY KEY,
    site_id INTEGER NOT NULL REFERENCES articles(site_id) ON DELETE CASCADE,
    revision INTEGER NOT NULL,
    content_hash TEXT NOT NULL,
    title TEXT NOT NULL,
    lead TEXT NOT NULL DEFAULT '',
    body TEXT NOT NULL DEFAULT '',
    published_at TEXT,
    category TEXT,
    source TEXT,
    images_json TEXT NOT NULL DEFAULT '[]',
    attachments_json TEXT NOT NULL DEFAULT '[]',
    parser TEXT,
    reason TEXT NOT NULL DEFAULT 'crawl',
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    page_id INTEGER REFERENCES raw_pages(id),
    body_html TEXT,
    url TEXT,
    UNIQUE (site_id, revision)
);

CREATE TABLE fetch_errors (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ({", ".join(f"'{k}'" for k in ERROR_KINDS)})),
    status INTEGER,
    reason TEXT,
    run_id INTEGER REFERENCES runs(id),
    first_failed TEXT NOT NULL,
    last_failed TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 1,
    resolved_at TEXT
);
CREATE INDEX idx_fetch_errors_open ON fetch_errors(resolved_at, kind);
"""

_FTS = f"""
CREATE VIRTUAL TABLE {FTS_FOLDED} USING fts5(
    {", ".join(FTS_COLUMNS)},
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3'
);
CREATE VIRTUAL TABLE {FTS_EXACT} USING fts5(
    {", ".join(FTS_COLUMNS)},
    tokenize = 'unicode61 remove_diacritics 0',
    prefix = '2 3'
);
"""


def _run_script(db: sqlite_utils.Database, script: str) -> None:
    # Statement by statement, so the step stays inside the migration's transaction
    # (sqlite3's executescript would COMMIT first).
    for statement in script.split(";"):
        if statement.strip():
            db.execute(statement)


@migrations()
def m001_initial_schema(db: sqlite_utils.Database) -> None:
    """Every table of the brief, with primary keys, foreign keys and indexes."""
    _run_script(db, _INITIAL)


@migrations()
def m002_full_text(db: sqlite_utils.Database) -> None:
    """Two FTS5 tables: folded text (accent-insensitive) and exact NFC text (rank exact first)."""
    _run_script(db, _FTS)


_SEARCH_INDEXES = """
CREATE INDEX idx_articles_category ON articles(category);
CREATE INDEX idx_articles_source ON articles(source)
"""


@migrations()
def m003_search_indexes(db: sqlite_utils.Database) -> None:
    """Indexes for the search filters (category, source)."""
    _run_script(db, _SEARCH_INDEXES)


# --- two portals: articles are unique by (portal, site_id) --------------------------------

# The portal of every row written before the second portal: www.most.gov.vn. The portals
# themselves are crawler.portals' (a new one needs no step: ``portal`` is plain text).
DEFAULT_PORTAL = "most"

# The rebuilt tables. ``articles.id`` is the row's own number and the FTS rowid: it equals
# ``site_id`` unless another portal's article already holds that number (then SQLite picks
# one), so an archive of one portal keeps its FTS rows and "newest first" as they were.
# ``portal`` comes before the long text columns: a filter reading it by rowid then stops at the
# row's first page instead of walking the body's overflow pages.
# ``key`` ("mst:197250704101929995") is what links and exports use: an 18-digit id does not
# survive a JavaScript number.
_PORTAL_TABLES = """
CREATE TABLE articles_new (
    id INTEGER PRIMARY KEY,
    site_id INTEGER NOT NULL CHECK (typeof(site_id) = 'integer'),
    portal TEXT NOT NULL DEFAULT 'most' CHECK (portal <> ''),
    url TEXT NOT NULL,
    title TEXT NOT NULL,
    lead TEXT NOT NULL DEFAULT '',
    body TEXT NOT NULL DEFAULT '',
    body_html TEXT,
    published_at TEXT,
    category TEXT,
    source TEXT,
    parser TEXT,
    content_hash TEXT NOT NULL,
    revision INTEGER NOT NULL DEFAULT 1,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    last_checked TEXT,
    last_changed TEXT NOT NULL,
    page_id INTEGER REFERENCES raw_pages(id),
    etag TEXT,
    last_modified TEXT,
    author TEXT,
    tags TEXT NOT NULL DEFAULT '[]',
    key TEXT GENERATED ALWAYS AS (portal || ':' || site_id) VIRTUAL,
    UNIQUE (portal, site_id)
);

CREATE TABLE categories_new (
    id INTEGER NOT NULL CHECK (typeof(id) = 'integer'),
    name TEXT,
    url TEXT,
    portal TEXT NOT NULL DEFAULT 'most',
    PRIMARY KEY (portal, id)
);

CREATE TABLE article_categories_new (
    site_id INTEGER NOT NULL,
    category_id INTEGER NOT NULL,
    portal TEXT NOT NULL DEFAULT 'most',
    PRIMARY KEY (portal, site_id, category_id),
    FOREIGN KEY (portal, site_id) REFERENCES articles(portal, site_id) ON DELETE CASCADE,
    FOREIGN KEY (portal, category_id) REFERENCES categories(portal, id)
);

CREATE TABLE images_new (
    site_id INTEGER NOT NULL,
    position INTEGER NOT NULL,
    url TEXT NOT NULL,
    caption TEXT,
    alt TEXT NOT NULL DEFAULT '',
    portal TEXT NOT NULL DEFAULT 'most',
    PRIMARY KEY (portal, site_id, position),
    FOREIGN KEY (portal, site_id) REFERENCES articles(portal, site_id) ON DELETE CASCADE
);

CREATE TABLE attachments_new (
    site_id INTEGER NOT NULL,
    position INTEGER NOT NULL,
    url TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    portal TEXT NOT NULL DEFAULT 'most',
    PRIMARY KEY (portal, site_id, position),
    FOREIGN KEY (portal, site_id) REFERENCES articles(portal, site_id) ON DELETE CASCADE
);

CREATE TABLE revisions_new (
    id INTEGER PRIMARY KEY,
    site_id INTEGER NOT NULL,
    revision INTEGER NOT NULL,
    content_hash TEXT NOT NULL,
    title TEXT NOT NULL,
    lead TEXT NOT NULL DEFAULT '',
    body TEXT NOT NULL DEFAULT '',
    published_at TEXT,
    category TEXT,
    source TEXT,
    images_json TEXT NOT NULL DEFAULT '[]',
    attachments_json TEXT NOT NULL DEFAULT '[]',
    parser TEXT,
    reason TEXT NOT NULL DEFAULT 'crawl',
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    page_id INTEGER REFERENCES raw_pages(id),
    body_html TEXT,
    url TEXT,
    portal TEXT NOT NULL DEFAULT 'most',
    author TEXT,
    tags TEXT NOT NULL DEFAULT '[]',
    UNIQUE (portal, site_id, revision),
    FOREIGN KEY (portal, site_id) REFERENCES articles(portal, site_id) ON DELETE CASCADE
)
"""
# Parents before children, so the copies never point at a missing row.
_REBUILT = ("articles", "categories", "article_categories", "images", "attachments", "revisions")
_PORTAL_INDEXES = """
CREATE INDEX idx_article_categories_portal_category ON article_categories(portal, category_id);
CREATE INDEX idx_articles_site_id ON articles(site_id)
"""


def _columns(db: sqlite_utils.Database, table: str) -> list[tuple[str, str]]:
    """(name, definition) of the stored columns of ``table`` (generated ones left out): the
    declared type, with ``NOT NULL`` and ``DEFAULT`` as declared."""
    columns = []
    for r in db.query(f"PRAGMA table_info([{table}])"):
        definition = str(r["type"])
        if r["dflt_value"] is not None:
            definition += f" DEFAULT {r['dflt_value']}"
        if r["notnull"] and r["dflt_value"] is not None:  # ADD COLUMN needs the default
            definition += " NOT NULL"
        columns.append((str(r["name"]), definition))
    return columns


def _rebuild(db: sqlite_utils.Database, table: str) -> None:
    """Copy ``table`` into ``{table}_new`` (made by _PORTAL_TABLES) and put the copy in its place.

    Every row is copied with every column: one the new table lacks (added by a later step of
    another branch, say) is added to it first. The table's own indexes and triggers are made
    again on the copy. ``articles.id`` takes the old ``site_id``.
    """
    new = f"{table}_new"
    old_cols = _columns(db, table)
    have = {name for name, _ in _columns(db, new)}
    for name, definition in old_cols:
        if name not in have:
            db.execute(f"ALTER TABLE [{new}] ADD COLUMN [{name}] {definition}")
    names = [name for name, _ in old_cols]
    targets = list(names)
    sources = [f"[{n}]" for n in names]
    if table == "articles":
        targets.append("id")
        sources.append("[site_id]")
    db.execute(
        f"INSERT INTO [{new}] ({', '.join(f'[{t}]' for t in targets)}) "
        f"SELECT {', '.join(sources)} FROM [{table}]"
    )
    kept = [
        r["sql"]
        for r in db.query(
            "SELECT sql FROM sqlite_master WHERE tbl_name = ? AND type IN ('index', 'trigger') "
            "AND sql IS NOT NULL",
            [table],
        )
    ]
    db.execute(f"DROP TABLE [{table}]")
    db.execute(f"ALTER TABLE [{new}] RENAME TO [{table}]")
    for sql in kept:
        db.execute(sql)


@migrations()
def m004_two_portals(db: sqlite_utils.Database) -> None:
    """A second portal: ``portal`` on every table keyed by a site id, (portal, site_id) unique.

    ``articles`` (with ``id``, ``author``, ``tags`` and the generated ``key``), ``categories``,
    ``article_categories``, ``images``, ``attachments`` and ``revisions`` are rebuilt (SQLite
    cannot change a primary key in place); every existing row is kept and gets portal 'most'.
    ``runs`` and ``fetch_errors`` get a nullable ``portal`` ('most' on their rows). The FTS
    tables are untouched: their rowids are the old site ids, which ``articles.id`` keeps.
    """
    _run_script(db, _PORTAL_TABLES)
    for table in _REBUILT:
        _rebuild(db, table)
    _run_script(db, _PORTAL_INDEXES)
    for table in ("runs", "fetch_errors"):
        db.execute(f"ALTER TABLE {table} ADD COLUMN portal TEXT")
        db.execute(f"UPDATE {table} SET portal = ?", [DEFAULT_PORTAL])  # all were most's


def _widen_check(db: sqlite_utils.Database, table: str, old: str, new: str) -> None:
    """Replace the text ``old`` by ``new`` in ``table``'s CHECK constraint, rows untouched.

    SQLite cannot alter a constraint; a CHECK that accepts more values than before changes
    nothing on disk, so the table's definition is edited in place, the way SQLite documents
    for such changes (lang_altertable.html, "other kinds of table schema changes"):
    ``writable_schema``, the new text, ``schema_version`` + 1, then an integrity check.
    """
    sql = db.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", [table]
    ).fetchone()[0]
    if old not in sql:
        raise RuntimeError(f"unexpected definition of {table}: {old!r} not found")
    version = int(db.execute("PRAGMA schema_version").fetchone()[0])
    db.execute("PRAGMA writable_schema = ON")
    try:
        db.execute(
            "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?",
            [sql.replace(old, new), table],
        )
        db.execute(f"PRAGMA schema_version = {version + 1}")
    finally:
        db.execute("PRAGMA writable_schema = OFF")
    problems = [r[0] for r in db.execute("PRAGMA quick_check").fetchall()]
    if problems != ["ok"]:
        raise RuntimeError(f"{table} after widening its CHECK: {problems}")


def _quoted(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


@migrations()
def m005_run_outcomes(db: sqlite_utils.Database) -> None:
    """Run outcomes ``limited`` and ``unreachable`` (issue 13): the runs CHECK accepts them."""
    _widen_check(
        db,
        "runs",
        f"outcome IN ({_quoted(_FIRST_OUTCOMES)})",
        f"outcome IN ({_quoted(OUTCOMES)})",
    )


# --- the lean archive (issue 14): raw pages with per-portal dictionaries, contentless
# full-text tables, revisions that do not repeat the article row.

_RAW_PAGE_DICTIONARIES = """
CREATE TABLE raw_page_dictionaries (
    id INTEGER PRIMARY KEY,
    portal TEXT NOT NULL,
    codec TEXT NOT NULL,
    created_at TEXT NOT NULL,
    pages INTEGER NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    content BLOB NOT NULL
);
CREATE INDEX idx_raw_page_dictionaries_portal ON raw_page_dictionaries(portal, id);
ALTER TABLE raw_pages ADD COLUMN codec TEXT NOT NULL DEFAULT 'zlib';
ALTER TABLE raw_pages ADD COLUMN dictionary_id INTEGER REFERENCES raw_page_dictionaries(id);
ALTER TABLE raw_pages ADD COLUMN portal TEXT;
CREATE INDEX idx_raw_pages_undictionaried ON raw_pages(portal) WHERE dictionary_id IS NULL
"""


@migrations()
def m006_raw_page_dictionaries(db: sqlite_utils.Database) -> None:
    """Raw pages name their codec and dictionary; existing pages are re-encoded with one
    dictionary per portal built from the portal's own pages (byte-exact, checked)."""
    from archive import rawpages
    from archive.runlog import now_iso

    _run_script(db, _RAW_PAGE_DICTIONARIES)
    urls = db.execute("SELECT id, url FROM raw_pages").fetchall()
    by_portal: dict[str, list[int]] = {}
    for page_id, url in urls:
        by_portal.setdefault(rawpages.portal_of(url), []).append(int(page_id))
    for portal, ids in by_portal.items():
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            db.execute(
                f"UPDATE raw_pages SET portal = ? WHERE id IN ({', '.join(map(str, chunk))})",
                [portal],
            )
        rawpages.train_dictionary(db, portal, created_at=now_iso(), reencode="all")


# The exact full-text row of an article, rebuilt from what the archive stores: a contentless
# FTS5 table keeps no copy, and deleting a row needs the values it was indexed with.
FTS_SOURCE = """
SELECT a.id, a.title, a.lead, a.body,
       coalesce((SELECT group_concat(caption, char(10)) FROM (
           SELECT caption FROM images i WHERE i.portal = a.portal AND i.site_id = a.site_id
           AND caption IS NOT NULL AND caption != '' ORDER BY position)), '') AS captions,
       coalesce(a.source, '') AS source
FROM articles a
"""

_LEAN_FTS = f"""
DROP TABLE {FTS_FOLDED};
DROP TABLE {FTS_EXACT};
CREATE VIRTUAL TABLE {FTS_FOLDED} USING fts5(
    {", ".join(FTS_COLUMNS)},
    content = '',
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE VIRTUAL TABLE {FTS_EXACT} USING fts5(
    {", ".join(FTS_COLUMNS)},
    content = '',
    tokenize = 'unicode61 remove_diacritics 0'
)
"""


@migrations()
def m007_contentless_full_text(db: sqlite_utils.Database) -> None:
    """Both FTS5 tables become contentless (search reads text from ``articles``, never from
    the index) without prefix indexes (they doubled the index; queries keep working)."""
    from archive.normalize import fold

    _run_script(db, _LEAN_FTS)
    cols = ", ".join(("rowid", *FTS_COLUMNS))
    marks = ", ".join("?" * (len(FTS_COLUMNS) + 1))
    last = -1
    while rows := db.execute(
        FTS_SOURCE + " WHERE a.id > ? ORDER BY a.id LIMIT 2000", [last]
    ).fetchall():
        last = int(rows[-1][0])
        db.conn.executemany(f"INSERT INTO {FTS_EXACT} ({cols}) VALUES ({marks})", rows)
        db.conn.executemany(
            f"INSERT INTO {FTS_FOLDED} ({cols}) VALUES ({marks})",
            ([r[0], *(fold(t or "") for t in r[1:])] for r in rows),
        )


_REVISION_STORAGE = """
ALTER TABLE revisions ADD COLUMN storage TEXT NOT NULL DEFAULT 'plain';
ALTER TABLE revisions ADD COLUMN packed BLOB;
ALTER TABLE articles ADD COLUMN body_html_packed BLOB
"""


@migrations()
def m008_revision_deltas(db: sqlite_utils.Database) -> None:
    """A version's lead, body and body_html are kept once: the current revision's in the
    ``articles`` row (storage ``article``; its HTML zlib-compressed in ``body_html_packed``),
    older ones packed with zlib (storage ``zlib``). See :mod:`archive.revisions`."""
    from archive.revisions import pack, pack_html

    _run_script(db, _REVISION_STORAGE)
    db.execute(
        "UPDATE revisions SET storage = 'article', lead = '', body = '', body_html = NULL "
        "WHERE EXISTS (SELECT 1 FROM articles a WHERE a.portal = revisions.portal "
        "AND a.site_id = revisions.site_id "
        "AND a.revision = revisions.revision AND a.lead = revisions.lead "
        "AND a.body = revisions.body AND a.body_html IS revisions.body_html)"
    )
    older = db.execute(
        "SELECT id, lead, body, body_html FROM revisions WHERE storage = 'plain'"
    ).fetchall()
    db.conn.executemany(
        "UPDATE revisions SET storage = 'zlib', packed = ?, lead = '', body = '', "
        "body_html = NULL WHERE id = ?",
        ((pack(lead, body, html), rid) for rid, lead, body, html in older),
    )
    last = -1
    while rows := db.execute(
        "SELECT id, body_html, lead, body FROM articles WHERE id > ? "
        "AND body_html IS NOT NULL ORDER BY id LIMIT 2000",
        [last],
    ).fetchall():
        last = int(rows[-1][0])
        db.conn.executemany(
            "UPDATE articles SET body_html_packed = ?, body_html = NULL WHERE id = ?",
            ((pack_html(html, lead or "", body or ""), sid) for sid, html, lead, body in rows),
        )


_LEAN_INDEXES = """
DROP INDEX idx_files_sha256;
DROP INDEX idx_raw_pages_url;
CREATE INDEX idx_raw_pages_url ON raw_pages(url)
"""


@migrations()
def m009_lean_indexes(db: sqlite_utils.Database) -> None:
    """Indexes no query uses go: files by sha256 (nothing looks a file up by its digest) and
    the digest in the raw pages' URL index (a URL has a handful of rows; the digest is
    compared on those)."""
    _run_script(db, _LEAN_INDEXES)


_PARSE_SAMPLES = """
CREATE TABLE parse_samples (
    id INTEGER PRIMARY KEY,
    portal TEXT NOT NULL,
    url TEXT NOT NULL,
    site_id INTEGER,
    parser TEXT,
    missing TEXT NOT NULL DEFAULT '',
    degraded INTEGER NOT NULL CHECK (degraded IN (0, 1)),
    run_id INTEGER REFERENCES runs(id),
    parsed_at TEXT NOT NULL
);
CREATE INDEX idx_parse_samples_portal ON parse_samples(portal, id)
"""


@migrations()
def m010_drift_parse_samples(db: sqlite_utils.Database) -> None:
    """One row per article page a crawl parsed: its portal, parser and missing fields, for the
    markup-drift alarm (archive.drift)."""
    _run_script(db, _PARSE_SAMPLES)


def _allow_outcomes(db: sqlite_utils.Database) -> None:
    """Let the runs CHECK accept every value of ``OUTCOMES``, rows untouched.

    SQLite cannot alter a constraint; a CHECK that accepts more than before changes nothing on
    disk, so the table's definition is edited in place as SQLite documents for such changes
    (lang_altertable.html, "other kinds of table schema changes"): ``writable_schema``, the new
    text, ``schema_version`` + 1, then an integrity check. The values missing from the CHECK
    are added as ``OR outcome IN (...)`` after the existing list, which stays as written (so a
    step that rewrites that list still finds it); a no-op when none is missing.
    """
    row = db.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'runs'")
    sql = str(row.fetchone()[0])
    match = re.search(r"outcome IN \(([^)]*)\)", sql)
    if match is None:
        raise RuntimeError("unexpected definition of runs: no CHECK on outcome")
    missing = [o for o in OUTCOMES if f"'{o}'" not in sql]
    if not missing:
        return
    extra = ", ".join(f"'{o}'" for o in missing)
    new_sql = sql[: match.end()] + f" OR outcome IN ({extra})" + sql[match.end() :]
    version = int(db.execute("PRAGMA schema_version").fetchone()[0])
    db.execute("PRAGMA writable_schema = ON")
    try:
        db.execute(
            "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'runs'", [new_sql]
        )
        db.execute(f"PRAGMA schema_version = {version + 1}")
    finally:
        db.execute("PRAGMA writable_schema = OFF")
    problems = [r[0] for r in db.execute("PRAGMA quick_check").fetchall()]
    if problems != ["ok"]:
        raise RuntimeError(f"runs after widening its CHECK: {problems}")


@migrations()
def m011_drift_run_outcomes(db: sqlite_utils.Database) -> None:
    """Run outcome ``drift`` (markup drift, issue 11): the runs CHECK accepts it (and any other
    value of ``OUTCOMES`` an archive's CHECK still lacks)."""
    _allow_outcomes(db)


_WALK_FRONTIER = """
CREATE TABLE walk_frontier (
    id INTEGER PRIMARY KEY,
    site TEXT NOT NULL,
    kind TEXT NOT NULL,
    url TEXT NOT NULL,
    site_id INTEGER,
    request_json TEXT NOT NULL,
    run_id INTEGER REFERENCES runs(id),
    saved_at TEXT NOT NULL
);
CREATE INDEX idx_walk_frontier_site ON walk_frontier(site)
"""


@migrations()
def m012_drift_walk_frontier(db: sqlite_utils.Database) -> None:
    """Where a time-limited run stopped its walk (per site), for the next run to go on from."""
    _run_script(db, _WALK_FRONTIER)


# The folded full-text table names ``articles`` as its content, exactly as sqlite-utils'
# ``enable_fts`` writes it (``content="articles"``): the convention by which sqlite-utils'
# ``detect_fts`` and Datasette find a table's full-text index, so ``sqlite-utils search
# archive.db articles dien`` and ``datasette archive.db`` search it. The archive still writes
# its rows itself (folded text: a row is deleted with the values it was indexed with, as in a
# contentless table); its columns cannot be read back through it (``articles`` holds the text
# unfolded and has no ``captions``), and ``rebuild`` would fail rather than index unfolded text.
_PLAIN_TOOLS_FTS = f"""
DROP TABLE {FTS_FOLDED};
CREATE VIRTUAL TABLE {FTS_FOLDED} USING fts5(
    {", ".join(FTS_COLUMNS)},
    content="articles",
    tokenize = 'unicode61 remove_diacritics 2'
)
"""


@migrations()
def m013_full_text_for_plain_tools(db: sqlite_utils.Database) -> None:
    """The folded full-text table becomes an external-content table of ``articles``
    (``content="articles"``), so sqlite-utils and Datasette find it; its rows, the folded
    text as before, are written again."""
    from archive.normalize import fold

    _run_script(db, _PLAIN_TOOLS_FTS)
    cols = ", ".join(("rowid", *FTS_COLUMNS))
    marks = ", ".join("?" * (len(FTS_COLUMNS) + 1))
    last = -1
    while rows := db.execute(
        FTS_SOURCE + " WHERE a.id > ? ORDER BY a.id LIMIT 2000", [last]
    ).fetchall():
        last = int(rows[-1][0])
        db.conn.executemany(
            f"INSERT INTO {FTS_FOLDED} ({cols}) VALUES ({marks})",
            ([r[0], *(fold(t or "") for t in r[1:])] for r in rows),
        )


# --- archived responses (issue 12): files' status and headers, re-fetches, withdrawn articles

_RESPONSES = """
CREATE TABLE file_responses (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL,
    status INTEGER NOT NULL,
    headers_json TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    path TEXT NOT NULL,
    size INTEGER NOT NULL,
    content_type TEXT,
    fetched_at TEXT NOT NULL,
    run_id INTEGER REFERENCES runs(id)
);
CREATE INDEX idx_file_responses_url ON file_responses(url);
CREATE TABLE revisits (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL,
    fetched_at TEXT NOT NULL,
    status INTEGER,
    page_id INTEGER REFERENCES raw_pages(id),
    file_response_id INTEGER REFERENCES file_responses(id),
    run_id INTEGER REFERENCES runs(id),
    CHECK ((page_id IS NULL) <> (file_response_id IS NULL))
)
"""


@migrations()
def m014_archived_responses(db: sqlite_utils.Database) -> None:
    """Every downloaded file's response as received (``file_responses``: status, headers,
    fetch time, the stored file), and the re-fetches that found identical content
    (``revisits``: a page or file response fetched again unchanged, or a 304). Files stored
    before this step have only their ``files`` row: exports synthesise their headers."""
    _run_script(db, _RESPONSES)


@migrations()
def m015_withdrawn_articles(db: sqlite_utils.Database) -> None:
    """``articles.withdrawn_at``: when a re-check found the article gone from the site (HTTP
    404 or 410, or a redirect to the home page); NULL while it is live."""
    db.execute("ALTER TABLE articles ADD COLUMN withdrawn_at TEXT")


_PACKED_FILE_RESPONSES = """
CREATE TABLE file_responses_new (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL,
    status INTEGER NOT NULL,
    headers_json TEXT,
    sha256 TEXT NOT NULL,
    path TEXT NOT NULL,
    size INTEGER NOT NULL,
    content_type TEXT,
    fetched_at TEXT NOT NULL,
    run_id INTEGER REFERENCES runs(id),
    headers_packed BLOB
)
"""


@migrations()
def m016_packed_headers(db: sqlite_utils.Database) -> None:
    """Response headers are kept compressed: ``headers_packed`` (``raw_pages``,
    ``file_responses``), ``headers_json`` NULL. See :mod:`archive.headers`; the JSON text comes
    back byte for byte."""
    from archive.headers import pack

    db.execute("ALTER TABLE raw_pages ADD COLUMN headers_packed BLOB")
    # file_responses.headers_json was NOT NULL: the table is copied into one where it may be
    # NULL (the same columns otherwise, its index made again).
    _run_script(db, _PACKED_FILE_RESPONSES)
    _rebuild(db, "file_responses")
    for table in ("raw_pages", "file_responses"):
        last = -1
        while rows := db.execute(
            f"SELECT id, headers_json FROM {table} WHERE id > ? AND headers_json IS NOT NULL "
            "ORDER BY id LIMIT 2000",
            [last],
        ).fetchall():
            last = int(rows[-1][0])
            db.conn.executemany(
                f"UPDATE {table} SET headers_packed = ?, headers_json = NULL WHERE id = ?",
                ((pack(str(text)), rid) for rid, text in rows),
            )


@migrations()
def m017_unused_media_indexes(db: sqlite_utils.Database) -> None:
    """The indexes of images and attachments by URL go: no query looks media up by URL (the
    one that lists the URLs still to download, ``crawlstate.missing_files``, reads them all
    once per crawl: measured 0.69 s instead of 0.44 s on a 100,000-article archive), and they
    took 383 bytes per article in the size benchmark's crawl."""
    db.execute("DROP INDEX IF EXISTS idx_images_url")
    db.execute("DROP INDEX IF EXISTS idx_attachments_url")


_LAST_FETCHED = """
ALTER TABLE articles ADD COLUMN last_fetched TEXT;
UPDATE articles SET last_fetched = (SELECT fetched_at FROM raw_pages WHERE id = articles.page_id)
WHERE page_id IS NOT NULL;
CREATE TEMP TABLE m018_whole (page_id INTEGER PRIMARY KEY, fetched_at TEXT NOT NULL);
INSERT INTO m018_whole (page_id, fetched_at)
    SELECT page_id, fetched_at FROM (
        SELECT page_id, fetched_at, max(julianday(fetched_at)) FROM revisits
        WHERE status = 200 AND page_id IS NOT NULL GROUP BY page_id
    );
UPDATE articles SET last_fetched = (
    SELECT w.fetched_at FROM m018_whole w WHERE w.page_id = articles.page_id
)
WHERE page_id IN (SELECT page_id FROM m018_whole)
    AND julianday((SELECT w.fetched_at FROM m018_whole w WHERE w.page_id = articles.page_id))
        > coalesce(julianday(last_fetched), 0);
DROP TABLE m018_whole;
"""


@migrations()
def m018_last_fetched(db: sqlite_utils.Database) -> None:
    """``articles.last_fetched``: when the article's page last came whole (an HTTP 200), not
    answered 304. A re-check is conditional only while it is recent (see
    :mod:`archive.crawlstate`). Filled from what the archive kept: the fetch time of the
    article's current raw page, or of its latest re-fetch (``revisits``, status 200)."""
    _run_script(db, _LAST_FETCHED)


@migrations()
def m019_forbidden_run_outcome(db: sqlite_utils.Database) -> None:
    """Run outcome ``forbidden`` (the site's robots.txt forbids the whole walk): the runs CHECK
    accepts it (and any other value of ``OUTCOMES`` an archive's CHECK still lacks)."""
    _allow_outcomes(db)


# How FTS5 merges the segments of a full-text index (each commit adds one to each table;
# merging rewrites them into one of the next size). ``automerge``: merge this many segments of
# one size at a time, in steps paid by later writes (SQLite's default is 4); ``crisismerge``:
# merge a size's segments all at once, in the commit that brings them to this many (default
# 16). With 4, a crawl's index is rewritten about log4(commits) times over its life, with 16
# about log16(commits); with a crisis limit of 16 as well, every merge became a crisis merge
# (a single-article commit of a cron job rewrote a 100,000-article index, 170 MB, at once).
# Measured on 20,000 articles written 200 per commit (CPU per article of the statements and
# commits):
# 4/16 (the defaults) 277-314 µs, slowest commit 63-80 ms; 16/16 246 µs, 168 ms; 16/64
# 227-251 µs, 45-49 ms; the same file size. Queries pay: they read every segment (the search
# benchmark's archive keeps 20 per table instead of 13: median search 4.4-4.6 ms instead of
# 3.9-4.1, p95 16.9-17.1 ms instead of 16.0-16.3), and up to 63 small ones instead of 15 can
# pile up between two merges in an archive a cron job adds a few articles to every hour (FTS5
# merges in proportion to what is written); docs/schema.md has the figures.
FTS_AUTOMERGE = 16
FTS_CRISISMERGE = 64


@migrations()
def m020_fts_merging(db: sqlite_utils.Database) -> None:
    """Both full-text tables merge their index segments 16 at a time, step by step, and all at
    once only past 64 of one size (FTS5's ``automerge`` and ``crisismerge``, kept in each
    table's ``_config``; SQLite's defaults are 4 and 16): a long crawl rewrites its index less
    often and never in one long commit. A later step that makes a full-text table again must
    set them again."""
    for table in (FTS_FOLDED, FTS_EXACT):
        for option, value in (("automerge", FTS_AUTOMERGE), ("crisismerge", FTS_CRISISMERGE)):
            db.execute(f"INSERT INTO {table} ({table}, rank) VALUES (?, ?)", [option, value])


def migrate(db: sqlite_utils.Database) -> list[str]:
    """Apply every pending step; return the names applied (``[]`` when already current)."""
    if not migrations.pending(db):
        return []
    from archive.db import write_transaction

    # Foreign keys are off while the steps run (SQLite's way of rebuilding a table: dropping
    # the old copy would otherwise cascade into its children); the pragma is a no-op inside a
    # transaction, so it is switched before. Re-checked under the write lock, so two
    # processes opening a fresh file at once do not both try to create the tables.
    enforced = bool(db.execute("PRAGMA foreign_keys").fetchone()[0])
    db.execute("PRAGMA foreign_keys = OFF")
    try:
        with write_transaction(db):
            pending = [m.name for m in migrations.pending(db)]
            migrations.apply(db)
    finally:
        if enforced:
            db.execute("PRAGMA foreign_keys = ON")
    return pending


def pending(db: sqlite_utils.Database) -> list[str]:
    """Names of the steps not yet applied to ``db`` (reads only: safe on a read-only one)."""
    return [m.name for m in migrations.pending(db)]


def applied(db: sqlite_utils.Database) -> list[str]:
    """Names of the steps applied to ``db``, in order."""
    return [m.name for m in migrations.applied(db)]
