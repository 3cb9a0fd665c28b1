"""The baselines a ratio is measured against do the same work as ours, no less.

- Storing: the bare `executemany` gets the very values `archive.store` writes, the folded
  full-text rows included (they reach the tokenizer as `archive.normalize.index_fold` gives
  them, not folded further: a fully folded text is cheaper to tokenize, which made the bare
  side look faster than the rows it was meant to mirror).
- Parsing: the lxml floor frees each tree inside its own timed pass, as `parse_article` does
  (a floor that kept its trees left their freeing, and a heap full of freed trees, to the
  pass timed after it).
"""

from __future__ import annotations

from pathlib import Path

from archive.migrations import FTS_EXACT, FTS_FOLDED
from archive.store import _Stored
from benchmarks import parsing, storing
from benchmarks.corpus import mst_replica_pages, parsed_articles, replica_pages


def test_the_bare_executemany_gets_the_full_text_values_the_store_writes(tmp_path: Path) -> None:
    pages = replica_pages(6, seed=3) + mst_replica_pages(6, seed=3)
    items = parsed_articles(pages)
    db = tmp_path / "ours.db"
    storing.save_with_store(db, items)
    dump = storing.dump_tables(db)
    _cols, exact_rows = dump[FTS_EXACT]
    _cols, folded_rows = dump[FTS_FOLDED]
    written = {}
    for article, _listed in items:
        stored = _Stored(article).rows()
        written[(article.portal, article.site_id)] = (stored.exact, stored.folded)
    # rowid -> (portal, site_id), read from the article rows the dump holds
    columns, rows = dump["articles"]
    at = {name: columns.index(name) for name in ("id", "portal", "site_id")}
    key_of = {r[at["id"]]: (r[at["portal"]], r[at["site_id"]]) for r in rows}
    assert len(exact_rows) == len(folded_rows) == len(items)
    for exact, folded in zip(exact_rows, folded_rows, strict=True):
        want_exact, want_folded = written[key_of[exact[0]]]
        assert list(exact[1:]) == want_exact
        assert list(folded[1:]) == want_folded
    # Vietnamese text keeps its accents for the tokenizer to strip: a full fold would not
    assert any(not t.isascii() for row in folded_rows for t in row[1:])


def test_the_lxml_floor_keeps_no_tree_after_its_page() -> None:
    page = replica_pages(1, seed=3)[0]
    out = parsing.lxml_floor()(page)
    assert out  # counted as filled by the run's output check
    assert not hasattr(out, "getroottree")  # a tree kept alive would be freed in the next pass
