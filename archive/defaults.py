"""Defaults shared by every command and the crawl's settings: declared here once.

Kept free of imports so that reading a default never loads SQLite tooling or Scrapy.
"""

from __future__ import annotations

# The archive database every command reads or writes unless told otherwise (--db).
DEFAULT_DB = "archive.db"
# The environment variable that overrides DEFAULT_DB for every command.
DB_ENV = "MOST_ARCHIVE_DB"
