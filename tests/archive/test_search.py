"""Search: the query parser (safe FTS5, clear errors) and Vietnamese matching and ranking.

Issue 5's Done-when cases: no-diacritic queries find text with diacritics (đ included),
decomposed text is found, exact-diacritic hits rank first, phrase and filter queries return the
right articles, malformed queries are refused with a message.
"""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlite_utils
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_queries_samples import build_archive

from archive.db import open_archive
from archive.migrations import FTS_EXACT, FTS_FOLDED
from archive.normalize import fold, nfc
from archive.queries import ArticleFilter, count_matches, parse_date, search
from archive.search import (
    QueryError,
    Term,
    only_exclusions,
    parse_query,
    quick_fold,
    snippet,
    split_tokens,
    to_fts,
)


@pytest.fixture(scope="module")
def archive_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path: Path = build_archive(tmp_path_factory.mktemp("search") / "archive.db")
    return path


@pytest.fixture
def db(archive_path: Path) -> Iterator[sqlite_utils.Database]:
    ro = open_archive(archive_path, readonly=True)
    yield ro
    ro.conn.close()


def ids(db: sqlite_utils.Database, query: str, **filters: str) -> list[int]:
    flt = ArticleFilter(**filters) if filters else None
    return [h.site_id for h in search(db, query, filters=flt)]


# --- parser ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("khoa học", '("khoa" AND "học")'),
        ('"bộ khoa học"', '"bộ khoa học"'),
        ("“bộ khoa học”", '"bộ khoa học"'),  # typographic quotes, as phones type them
        ("khoa*", '"khoa" *'),
        ('"bộ khoa"*', '"bộ khoa" *'),
        ("a OR b c", '("a" OR ("b" AND "c"))'),
        ("(a OR b) AND c", '(("a" OR "b") AND "c")'),
        ("a NOT b", '("a" NOT "b")'),
        ("a or b", '("a" AND "or" AND "b")'),  # lower-case operators are plain words
        ("KH&CN", '"KH CN"'),  # cut where the index cuts, kept together as a phrase
        ("title:x", '"title x"'),  # no column filters from user input
        ("NEAR(a b)", '("NEAR" AND ("a" AND "b"))'),
        ("^a +c", '("a" AND "c")'),  # FTS5's ^ and + are not syntax here
        ("^a -b +c", '(("a" AND "c") NOT "b")'),  # a leading minus excludes (issue 12)
        ('a -"b c" -(d OR e)', '("a" NOT ("b c" OR ("d" OR "e")))'),
        ("KH-CN a - b", '("KH CN" AND "a" AND "b")'),  # a minus inside or alone is no operator
    ],
)
def test_queries_compile_to_quoted_fts(query: str, expected: str) -> None:
    assert to_fts(parse_query(query), str) == expected


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "empty query"),
        ("   ", "empty query"),
        ('"bộ khoa', "unbalanced quote"),
        ('a "b', "unbalanced quote"),
        ('""', "empty phrase"),
        ("a OR", "OR at the end"),
        ("OR a", "needs a term before it"),
        ("a OR OR b", "put a term between them"),
        ("a AND", "AND at the end"),
        ("NOT a", "needs a term before it"),
        ("a NOT", "NOT at the end"),
        ("(a", "never closed"),
        ("a)", "has no '('"),
        ("OR", "no words"),
        ("& - /", "no words"),
        ("x" * 1001, "too long"),
    ],
)
def test_malformed_queries_say_why(query: str, message: str) -> None:
    with pytest.raises(QueryError, match=re.escape(message)):
        parse_query(query)


def test_query_is_nfc_normalised() -> None:
    decomposed = unicodedata.normalize("NFD", "điện")
    assert decomposed != "điện"
    term = parse_query(decomposed)
    assert isinstance(term, Term) and term.tokens == ("điện",)


def test_tokens_split_like_the_index() -> None:
    assert split_tokens("KH,CN&ĐMST 25-26/4/2024") == ["KH", "CN", "ĐMST", "25", "26", "4", "2024"]


QUERY_PIECES = [
    *"abđĐáà \"“”()*^:+-.,;'\\{}[]%_\x00ệ\u0301",
    "OR",
    "AND",
    "NOT",
    "NEAR",
    " OR ",
    " NOT ",
    "-- ",
    "title:",
    "';DROP TABLE articles;--",
]
QUERY_TEXT = st.lists(st.sampled_from(QUERY_PIECES), max_size=20).map("".join)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(query=QUERY_TEXT)
def test_any_input_is_refused_cleanly_or_runs(db: sqlite_utils.Database, query: str) -> None:
    """Whatever is typed, the parser either refuses it with QueryError or yields an expression
    both FTS tables accept: no FTS5 syntax error, no SQL error, ever."""
    try:
        node = parse_query(query)
    except QueryError:
        return
    searched = only_exclusions(node) or node  # "-a -b": the exclusions are what is matched
    for table, transform in ((FTS_EXACT, nfc), (FTS_FOLDED, fold)):
        try:
            list(
                db.query(
                    f"SELECT rowid FROM {table} WHERE {table} MATCH ?",
                    [to_fts(searched, transform)],
                )
            )
        except sqlite3.Error as exc:  # pragma: no cover - the failure being tested for
            pytest.fail(f"{query!r} -> {to_fts(searched, transform)!r}: {exc}")
    search(db, node, limit=3)
    count_matches(db, node)


# --- matching --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "site_id"),
    [
        ("dien", 104),  # đ + ệ folded: "điện"
        ("DIEN", 104),
        ("Dang", 104),  # Đ folded: "Đảng"
        ("dang uy", 104),
        ("điện", 104),
        ("chuyen doi so", 104),
        ("toan canh hoi nghi", 104),  # in an image caption only
        ("truyen thong", 104),  # in the source line only
        ("nghien cuu", 105),  # stored decomposed (NFD) by the parser
        ("nghiên cứu", 105),
        ("lua chiu man", 105),
    ],
)
def test_diacritics_optional(db: sqlite_utils.Database, query: str, site_id: int) -> None:
    assert site_id in ids(db, query)


def test_decomposed_text_and_query_match_exactly(db: sqlite_utils.Database) -> None:
    """Text handed over in NFD is found by an NFC query and vice versa, as an exact match."""
    hits = search(db, "công nghệ sinh học")
    assert [h.site_id for h in hits] == [105] and hits[0].exact
    hits = search(db, unicodedata.normalize("NFD", "Điện lực"))
    assert [h.site_id for h in hits] == [104] and hits[0].exact


@pytest.mark.parametrize(("query", "first"), [("má", 101), ("ma", 102), ("mà", 103)])
def test_exact_diacritics_rank_first(db: sqlite_utils.Database, query: str, first: int) -> None:
    """ma / má / mà fold to the same word: all three are found, the typed one first."""
    hits = search(db, query)
    assert hits[0].site_id == first
    assert {h.site_id for h in hits} == {101, 102, 103}
    assert [h.exact for h in hits] == [True, False, False]


def test_exact_tier_beats_a_much_better_folded_score(tmp_path: Path) -> None:
    """One "má" deep in a long body outranks "ma" in the title and everywhere else."""
    from test_queries_samples import article

    from archive import store

    db = open_archive(tmp_path / "archive.db")
    filler = " ".join(f"từ{i}" for i in range(300))
    store.save_article(
        db,
        article(1, "Ma ma ma", ["ma ma ma ma ma"], lead="ma ma"),
        page_id=None,
        fetched_at="2026-01-01T00:00:00+00:00",
    )
    store.save_article(
        db,
        article(2, "Chuyện làng", [filler + " má"]),
        page_id=None,
        fetched_at="2026-01-01T00:00:00+00:00",
    )
    assert [h.site_id for h in search(db, "ma")] == [1, 2]  # 1 holds "ma" as typed
    hits = search(db, "má")
    assert [(h.site_id, h.exact) for h in hits] == [(2, True), (1, False)]


def test_rank_title_then_lead_then_text_newest_first(tmp_path: Path) -> None:
    from test_queries_samples import article

    from archive import store

    db = open_archive(tmp_path / "archive.db")
    for a in [
        article(301, "Gió mùa về", ["Trời lạnh."]),
        article(302, "Thời tiết", ["Trời lạnh."], lead="Gió mạnh cấp 6."),
        article(303, "Tin sáng", ["Có gió nhẹ."]),
        article(304, "Giờ làm việc", ["Từ 8 giờ."]),  # "giờ" folds to "gio" as well
        article(305, "Tin chiều", ["Không có gió."]),
        article(306, "Tin tối", ["Giỏ hàng."], lead="Lúc 9 giờ."),
    ]:
        store.save_article(db, a, page_id=None, fetched_at="2026-01-01T00:00:00+00:00")
    hits = search(db, "gió")
    assert [h.site_id for h in hits] == [301, 302, 305, 303, 304, 306]
    assert [(h.score, h.exact, h.where) for h in hits] == [
        (6, True, "title"),
        (5, True, "lead"),
        (4, True, "text"),
        (4, True, "text"),
        (3, False, "title"),
        (2, False, "lead"),
    ]
    # typed without diacritics: no exact hit, the same steps on the folded text
    assert [h.site_id for h in search(db, "gio")] == [304, 301, 306, 302, 305, 303]


def test_phrase(db: sqlite_utils.Database) -> None:
    assert ids(db, '"bộ khoa học"') == [106]
    assert ids(db, '"bo khoa hoc"') == [106]
    assert sorted(ids(db, "bộ khoa học")) == [106, 107]  # all words, anywhere
    assert ids(db, '"khoa học bộ"') == []


def test_prefix_and_boolean(db: sqlite_utils.Database) -> None:
    assert sorted(ids(db, "chuyen*")) == [101, 104]  # chuyện, chuyển
    assert sorted(ids(db, "nhà OR lúa")) == [102, 104, 105]
    assert ids(db, "nhà NOT ma") == [104]
    assert sorted(ids(db, "(ma OR dien) AND nha")) == [102, 104]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, [101, 105, 106, 107]),
        ({"since": parse_date("2024-02", end=False)}, [101, 105, 107]),
        ({"until": parse_date("2024-02", end=True)}, [106, 107]),
        (
            {
                "since": parse_date("2024-02-20", end=False),
                "until": parse_date("2024-03-05", end=True),
            },
            [101, 107],
        ),
        ({"category": "Điểm báo KHCN"}, [105, 107]),
        ({"category": "diem bao khcn"}, [105, 107]),
        ({"category": "570"}, [107]),  # a listing id: only what that listing lists
        ({"category": "Tin tức sự kiện"}, []),
        ({"category": "diem bao"}, [105, 107]),  # part of the name is enough
        ({"source": "khoa hoc"}, [101]),
        ({"source": "Báo Khoa"}, [101]),
    ],
)
def test_filters(db: sqlite_utils.Database, filters: dict[str, str], expected: list[int]) -> None:
    assert sorted(ids(db, "học", **filters)) == expected


def test_category_filter_counts_every_listing(db: sqlite_utils.Database) -> None:
    # 104's breadcrumb says "Tin tức sự kiện", but it is also listed in "Tin tổng hợp".
    assert ids(db, "dien", category="Tin tổng hợp") == [104]


def test_limit_and_snippet(db: sqlite_utils.Database) -> None:
    assert len(search(db, "học", limit=2)) == 2
    hit = search(db, "dien")[0]
    assert hit.site_id == 104
    assert hit.snippet.startswith("Tổng công ty [Điện] lực")
    assert search(db, "gio")[0].snippet.endswith("[gió].")


def test_search_covers_the_current_revision(db: sqlite_utils.Database) -> None:
    # 104's first revision said "điện hạt nhân", the current one "điện gió".
    assert ids(db, "dien gio") == [104]
    assert ids(db, "hat nhan") == []


def test_snippet_marks_letters_only() -> None:
    node = parse_query("ma")
    assert snippet(["Ngôi nhà có ma."], node, quick_fold) == "Ngôi nhà có [ma]."


def test_snippet_prefers_the_window_with_most_terms_and_phrases_whole() -> None:
    text = "bộ trưởng nói " + "x " * 80 + "Bộ Khoa học và Công nghệ họp"
    shown = snippet([text], parse_query('"bo khoa hoc"'), quick_fold)
    assert shown.startswith("… x x") and shown.endswith("[Bộ Khoa học] và Công nghệ họp")
    lone = "Khoa toán " + "y " * 40 + "bộ môn"
    assert "[" not in snippet([lone], parse_query('"bộ khoa học"'), quick_fold)
    both = snippet(["điện ở đây", "Điện và gió"], parse_query("dien gio"), quick_fold)
    assert both == "[Điện] và [gió]"  # the text showing every term wins


def test_snippet_of_an_exact_hit_marks_exact_words_only() -> None:
    node = parse_query("má")
    assert snippet(["ma mà má"], node, str.lower, quick_fold) == "ma mà [má]"
    assert snippet(["ma mà"], node, str.lower, quick_fold) == "[ma] [mà]"  # fallback


def test_quick_fold_is_fold() -> None:
    letters = "".join(chr(c) for c in (*range(0x20, 0x250), *range(0x1E00, 0x1F00)))
    assert quick_fold(letters) == fold(letters)
    assert len(quick_fold(letters)) == len(letters)


@pytest.mark.parametrize(
    ("value", "end", "bound"),
    [
        ("2024", False, "2024-01-01"),
        ("2024", True, "2025-01-01"),
        ("2024-12", True, "2025-01-01"),
        ("2024-02-29", True, "2024-03-01"),
        ("2024-3-5", False, "2024-03-05"),
    ],
)
def test_parse_date(value: str, end: bool, bound: str) -> None:
    assert parse_date(value, end=end) == bound


@pytest.mark.parametrize("value", ["yesterday", "2024-13", "2023-02-29", "24-01-01"])
def test_parse_date_refuses(value: str) -> None:
    with pytest.raises(ValueError, match="date"):
        parse_date(value, end=False)


def _reference_snippet(texts: list[str], node: object, *keys: object) -> str:
    """The snippet rule as first written (every match against every match): the oracle for
    the windowed one (same window, same marks)."""
    from archive import search as s

    terms = s.query_words(node)  # type: ignore[arg-type]
    texts = [unicodedata.normalize("NFC", t) for t in texts if t and t.strip()]
    for key in keys:
        patterns = s._term_patterns(terms, key)  # type: ignore[arg-type]
        best = None
        for ti, text in enumerate(texts):
            folded = key(text)  # type: ignore[operator]
            if len(folded) != len(text):
                continue
            found = [
                (m.start(), m.end(), k) for k, p in enumerate(patterns) for m in p.finditer(folded)
            ]
            for anchor, anchor_end, _ in found:
                start = max(0, anchor - s.SNIPPET_BEFORE)
                end = min(len(text), max(start + s.SNIPPET_CHARS, anchor_end))
                inside = [(a, b, k) for a, b, k in found if a >= start and b <= end]
                score = (len({k for _, _, k in inside}), -ti, -anchor)
                if best is None or score > best[0]:
                    best = (score, text, start, end, [(a, b) for a, b, _ in inside])
            if best is not None and best[0][0] == len(patterns):
                break
        if best is not None:
            _, text, start, end, spans = best
            return s._cut(text, start, end, spans)
    words = texts[0].split() if texts else []
    return " ".join(words[:30]) + (" …" if len(words) > 30 else "")


_WORDS = ["và", "va", "khoa", "học", "hoc", "Khoa", "công", "nghệ", "x", "bộ", "ma", "má"]


@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    st.lists(st.lists(st.sampled_from(_WORDS), max_size=120).map(" ".join), min_size=1, max_size=3),
    st.sampled_from(["va", "và khoa", '"khoa hoc"', "kh*", "x bộ", "ma má", "hoc -x", "cong nghe"]),
)
def test_snippet_is_the_same_as_every_match_against_every_match(
    texts: list[str], query: str
) -> None:
    node = parse_query(query)
    assert snippet(texts, node, str.lower, quick_fold) == _reference_snippet(
        texts, node, str.lower, quick_fold
    )


def test_a_word_repeated_all_over_a_page_does_not_hang_its_snippet() -> None:
    """A page holding one word 300,000 times, searched for with a word it lacks (found in the
    title): every match was compared with every other (5 s at 20,000 matches, so about 20
    minutes at 300,000: the square law), and ``search`` or the web view's search hung on it.
    Each window now looks only at the matches inside it.
    The bound is a hang guard, not a speed goal: the hang is about 20 minutes, the windowed rule
    a second or two."""
    import threading

    text = "và " * 300_000
    result: list[str] = []
    worker = threading.Thread(
        target=lambda: result.append(snippet([text], parse_query("và zzz"), quick_fold)),
        daemon=True,
    )
    worker.start()
    worker.join(60)
    assert result, "the snippet of a page of one repeated word did not finish"
    assert result[0].startswith("[và] [và]")
