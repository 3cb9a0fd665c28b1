"""archive.normalize.index_fold: what the folded full-text index is given. Its tokens must be
exactly those of fold(text), for every character index_fold leaves to the tokenizer, on the
SQLite that runs here (a newer SQLite or Python with other Unicode tables fails this test)."""

from __future__ import annotations

import random
import re
import sqlite3
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from archive.db import open_archive
from archive.migrations import FTS_FOLDED
from archive.normalize import (
    _ALL_INDEX_FOLDED,
    _INDEX_FOLDS_ALIKE,
    fold,
    index_fold,
)


def archive_tokenizer(tmp_path: Path) -> str:
    """The tokenize option of a fresh archive's folded full-text table."""
    db = open_archive(tmp_path / "a.db")
    try:
        (sql,) = db.execute("SELECT sql FROM sqlite_master WHERE name = ?", [FTS_FOLDED]).fetchone()
    finally:
        db.close()
    found = re.search(r"tokenize\s*=\s*('[^']*')", sql)
    assert found, sql
    return found.group(1)


def folded_index(conn: sqlite3.Connection, name: str, tokenizer: str) -> None:
    """A contentless table with the folded index's tokenizer, and its token list."""
    conn.execute(f"CREATE VIRTUAL TABLE {name} USING fts5(x, content = '', tokenize = {tokenizer})")
    conn.execute(f"CREATE VIRTUAL TABLE {name}_v USING fts5vocab({name}, 'instance')")


def tokens(conn: sqlite3.Connection, name: str) -> dict[int, list[tuple[str, int]]]:
    out: dict[int, list[tuple[str, int]]] = {}
    for doc, term, offset in conn.execute(
        f"SELECT doc, term, offset FROM {name}_v ORDER BY doc, offset"
    ):
        out.setdefault(doc, []).append((term, offset))
    return out


def alike_characters() -> list[str]:
    ranges = re.findall(r"(.)-(.)", _INDEX_FOLDS_ALIKE)
    assert ranges and "".join(a + "-" + b for a, b in ranges) == _INDEX_FOLDS_ALIKE
    return [chr(c) for a, b in ranges for c in range(ord(a), ord(b) + 1) if c]


def test_every_character_left_to_the_tokenizer_folds_as_fold_does(tmp_path: Path) -> None:
    tokenizer = archive_tokenizer(tmp_path)
    assert tokenizer == "'unicode61 remove_diacritics 2'"
    conn = sqlite3.connect(":memory:")
    folded_index(conn, "by_fold", tokenizer)
    folded_index(conn, "by_index_fold", tokenizer)
    texts = [f"a{c}b {c}q x{c} {c} {c}{c}" for c in alike_characters()]
    conn.executemany("INSERT INTO by_fold (rowid, x) VALUES (?, ?)", enumerate(map(fold, texts)))
    conn.executemany(
        "INSERT INTO by_index_fold (rowid, x) VALUES (?, ?)", enumerate(map(index_fold, texts))
    )
    by_fold, by_index_fold = tokens(conn, "by_fold"), tokens(conn, "by_index_fold")
    differ = [texts[i] for i in by_fold if by_fold[i] != by_index_fold.get(i)]
    assert differ == [] and len(by_fold) == len(texts)


def test_whole_texts_give_the_same_index_bytes(tmp_path: Path) -> None:
    """Random texts of those characters, and Vietnamese: the two indexes' stored bytes are
    the same (a row indexed from fold() is deleted with index_fold()'s values, and back)."""
    chars = alike_characters()
    rng = random.Random(14)
    vietnamese = "Điện lực ĐÀ NẴNG: “khoa học” – công nghệ… Thủy sản, ỨNG DỤNG; ıi ðÐ"
    texts = [vietnamese] + [
        "".join(rng.choice(chars) if rng.random() < 0.3 else rng.choice(" aeđ") for _ in range(80))
        for _ in range(300)
    ]
    tokenizer = archive_tokenizer(tmp_path)
    conn = sqlite3.connect(":memory:")
    folded_index(conn, "by_fold", tokenizer)
    folded_index(conn, "by_index_fold", tokenizer)
    conn.executemany("INSERT INTO by_fold (rowid, x) VALUES (?, ?)", enumerate(map(fold, texts)))
    conn.executemany(
        "INSERT INTO by_index_fold (rowid, x) VALUES (?, ?)", enumerate(map(index_fold, texts))
    )
    for shadow in ("data", "idx", "docsize"):
        a = conn.execute(f"SELECT * FROM by_fold_{shadow} ORDER BY 1, 2").fetchall()
        b = conn.execute(f"SELECT * FROM by_index_fold_{shadow} ORDER BY 1, 2").fetchall()
        assert a == b, shadow
    # a row indexed from fold() is deleted with index_fold()'s values: nothing is left
    conn.executemany(
        "INSERT INTO by_fold (by_fold, rowid, x) VALUES ('delete', ?, ?)",
        enumerate(map(index_fold, texts)),
    )
    assert conn.execute("SELECT count(*) FROM by_fold_v").fetchone() == (0,)


def test_other_characters_are_folded_in_python() -> None:
    assert index_fold("Ελληνικά Điện") == fold("Ελληνικά Điện") == "ελληνικα dien"
    assert index_fold("e\u0301") == fold("e\u0301") == "e"  # combining accent: not NFC
    assert index_fold("Điện ĐÀ") == "diện dÀ"  # the tokenizer does the rest
    assert index_fold("ASCII Only") == "ASCII Only"


# Characters near the edges of the ranges left to the tokenizer, and anything else.
_EDGES = [
    chr(c + d)
    for a, b in re.findall(r"(.)-(.)", _INDEX_FOLDS_ALIKE)
    for c in (ord(a), ord(b))
    for d in (-1, 0, 1)
    if 0 <= c + d <= 0x10FFFF and not 0xD800 <= c + d <= 0xDFFF
]


_ANY_OTHER = re.compile(f"[^{_INDEX_FOLDS_ALIKE}]")  # how index_fold asked before


@given(st.text(alphabet=st.one_of(st.sampled_from(_EDGES), st.characters())))
def test_the_whole_text_check_agrees_with_the_search_for_an_odd_character(text: str) -> None:
    """index_fold asks "is every character one the tokenizer folds like fold()?" with a
    fullmatch over the text; the answer is the search for any other character's, negated."""
    assert (_ALL_INDEX_FOLDED.fullmatch(text) is not None) == (_ANY_OTHER.search(text) is None)
