"""Defaults shared by every command and the crawl's settings: declared here once.

Kept free of imports so that reading a default never loads SQLite tooling or Scrapy.
"""

from __future__ import annotations

# The archive database every command reads or writes unless told otherwise (--db).
DEFAULT_DB = "archive.db"
# The environment variable that overrides DEFAULT_DB for every command.
DB_ENV = "MOST_ARCHIVE_DB"

# How the crawl groups its writes (archive.batch.BatchWriter, also what the storing benchmark
# uses): a transaction is committed after this many writes at most, ...
BATCH_ITEMS = 200
# ... this many seconds after it opened at the latest, ...
BATCH_SECONDS = 0.5
# ... and as soon as no write has come for this long (a slow crawl commits each article
# almost at once; a fast one fills its batches).
BATCH_IDLE_SECONDS = 0.02
