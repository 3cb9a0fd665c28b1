"""Parse what an archivist types into a safe SQLite FTS5 expression.

User input never reaches ``MATCH`` as written. The query is tokenised and parsed here into a
small tree (words, phrases, prefixes, AND / OR / NOT, parentheses); the tree is then written
back out as an FTS5 expression in which every word is a double-quoted string made only of
letters and digits, so no user text can be read as FTS5 syntax (column filters, ``NEAR``,
``^``...) and nothing can reach SQL.

Syntax (a superset of what people type into search boxes):

- ``khoa học`` — both words (AND is implied between terms);
- ``"bộ khoa học"`` — the words next to each other, in that order;
- ``khoa*`` — any word starting with "khoa" (also ``"bộ khoa"*``: last word as a prefix);
- ``a OR b``, ``a AND b``, ``a NOT b``, and parentheses ``(a OR b) c``; the operators are
  upper-case, as in FTS5, so the lower-case words "or"/"and"/"not" are searched for as words;
- ``-b`` (a minus right before a word, phrase or parenthesis) excludes, as in web search
  engines: ``a -b`` is ``a NOT b``; a query of exclusions only (``-điện``) means every article
  but those (:class:`Everything` ``NOT`` …).

A word is cut where the FTS tokenizer cuts it (at anything that is not a letter or a digit),
so ``KH&CN`` becomes the phrase ``"kh cn"``, exactly as the text was indexed.

Malformed queries (empty, unbalanced quote or parenthesis, an operator with nothing on one
side, parentheses nested more than :data:`MAX_NESTING` deep) raise :class:`QueryError` with a
message meant for the user.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

from archive.normalize import fold_in_place

__all__ = [
    "And",
    "Everything",
    "Node",
    "Not",
    "Or",
    "QueryError",
    "Term",
    "check_nesting",
    "only_exclusions",
    "parse_query",
    "query_words",
    "quick_fold",
    "snippet",
    "to_fts",
]

OPERATORS = ("AND", "OR", "NOT")
MAX_QUERY_LENGTH = 1000  # characters; longer input is refused, not truncated
MAX_TERMS = 64  # words + phrases; more is not a search, it is a paste
# Parentheses inside parentheses, at most. Bounds the parser's recursion (Python's stack) and
# the FTS5 expression written out (FTS5's own parser overflows at about 100 levels).
MAX_NESTING = 20
QUOTES = '"“”'  # straight and typographic quotes open and close a phrase


class QueryError(ValueError):
    """The query cannot be parsed; the message says why, in words for the user."""


@dataclass(frozen=True)
class Term:
    """One or more tokens that must appear next to each other, in order."""

    tokens: tuple[str, ...]  # NFC, as typed (case kept); never empty
    prefix: bool = False  # the last token is a prefix


@dataclass(frozen=True)
class And:
    parts: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    parts: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    keep: Node
    drop: Node


@dataclass(frozen=True)
class Everything:
    """Every article: what a query made only of exclusions (``-b``) keeps. Only ever the
    ``keep`` side of the root :class:`Not`; it has no FTS5 form."""


Node = Term | And | Or | Not | Everything


@dataclass(frozen=True)
class _Excluded:
    """A part of an AND group written ``-part``: the group keeps the rest NOT this."""

    node: Node


# --- tokenising ---------------------------------------------------------------------------


def _is_token_char(ch: str) -> bool:
    """True for characters the FTS5 unicode61 tokenizer keeps inside a token."""
    cat = unicodedata.category(ch)
    # Letters, numbers, private use; combining marks stay with their letter (decomposed text).
    return cat[0] in ("L", "N", "M") or cat == "Co"


def split_tokens(text: str) -> list[str]:
    """Cut ``text`` into tokens the way the FTS index does (runs of letters/digits)."""
    tokens: list[str] = []
    current: list[str] = []
    for ch in unicodedata.normalize("NFC", text):
        if _is_token_char(ch):
            current.append(ch)
        elif current:
            tokens.append("".join(current))
            current = []
    if current:
        tokens.append("".join(current))
    return tokens


@dataclass(frozen=True)
class _Lexeme:
    kind: str  # "term", "op", "(", ")", "-" (the next part is excluded)
    value: str = ""
    term: Term | None = None
    position: int = 0  # 1-based character position, for messages


def check_nesting(query: str, quotes: str = QUOTES) -> None:
    """Raise :class:`QueryError` if ``query`` nests parentheses more than :data:`MAX_NESTING` deep.

    Parentheses inside a phrase (between ``quotes``) do not count. Also used on FTS5 syntax
    typed as is (``quotes='"'``), e.g. Datasette's ``_searchmode=raw``.
    """
    depth, quoted = 0, False
    for i, ch in enumerate(query):
        if ch in quotes:
            quoted = not quoted
        elif quoted:
            continue
        elif ch == "(":
            depth += 1
            if depth > MAX_NESTING:
                raise QueryError(
                    f"parentheses nested too deeply at character {i + 1} "
                    f"(at most {MAX_NESTING} levels)"
                )
        elif ch == ")":
            depth = max(0, depth - 1)


def _lex(query: str) -> list[_Lexeme]:
    out: list[_Lexeme] = []
    i, n = 0, len(query)
    while i < n:
        ch = query[i]
        if ch.isspace():
            i += 1
        elif ch in "()":
            out.append(_Lexeme(ch, position=i + 1))
            i += 1
        elif ch in QUOTES:
            end = _closing_quote(query, i + 1)
            if end < 0:
                raise QueryError(
                    f"unbalanced quote: the phrase opened at character {i + 1} is never closed"
                )
            inner = query[i + 1 : end]
            i = end + 1
            prefix = i < n and query[i] == "*"
            if prefix:
                i += 1
            tokens = split_tokens(inner)
            if not tokens:
                raise QueryError(
                    f"empty phrase at character {end - len(inner)}: put words between the quotes"
                )
            out.append(_Lexeme("term", term=Term(tuple(tokens), prefix), position=end + 1))
        elif ch == "-" and _starts_exclusion(query, i):
            out.append(_Lexeme("-", position=i + 1))
            while i < n and query[i] == "-":
                i += 1
        else:
            start = i
            while i < n and not query[i].isspace() and query[i] not in "()" + QUOTES:
                i += 1
            word = query[start:i]
            if word in OPERATORS:
                out.append(_Lexeme("op", value=word, position=start + 1))
                continue
            prefix = word.endswith("*")
            tokens = split_tokens(word.rstrip("*"))
            if tokens:
                out.append(_Lexeme("term", term=Term(tuple(tokens), prefix), position=start + 1))
            # A "word" made only of punctuation (e.g. "-" or "&") matches nothing: drop it.
    return out


def _starts_exclusion(query: str, i: int) -> bool:
    """A ``-`` at the start of a word, right before a word, a phrase or a parenthesis."""
    if i > 0 and not (query[i - 1].isspace() or query[i - 1] == "("):
        return False
    j = i
    while j < len(query) and query[j] == "-":
        j += 1
    return j < len(query) and (query[j] in "(" + QUOTES or _is_token_char(query[j]))


def _closing_quote(query: str, start: int) -> int:
    for j in range(start, len(query)):
        if query[j] in QUOTES:
            return j
    return -1


# --- parsing ------------------------------------------------------------------------------


class _Parser:
    """Recursive descent; precedence NOT > AND > OR, as in FTS5."""

    def __init__(self, lexemes: list[_Lexeme]) -> None:
        self.lex = lexemes
        self.i = 0

    def peek(self) -> _Lexeme | None:
        return self.lex[self.i] if self.i < len(self.lex) else None

    def take(self) -> _Lexeme:
        lx = self.lex[self.i]
        self.i += 1
        return lx

    def parse(self) -> Node:
        node = self.or_expr()
        inner = node.drop if isinstance(node, Not) and isinstance(node.keep, Everything) else node
        if _has_everything(inner):
            raise QueryError(
                "a group of exclusions only (-word) excludes from nothing: put a "
                "word to search for beside it, or exclude at the top level only"
            )
        extra = self.peek()
        if extra is not None:
            if extra.kind == ")":
                raise QueryError(
                    f"unbalanced parenthesis: ')' at character {extra.position} has no '('"
                )
            raise QueryError(
                f"unexpected {extra.value or extra.kind!r} at character {extra.position}"
            )
        return node

    def or_expr(self) -> Node:
        parts = [self.and_expr()]
        while (lx := self.peek()) is not None and lx.kind == "op" and lx.value == "OR":
            self.take()
            parts.append(self.and_expr(after="OR"))
        return parts[0] if len(parts) == 1 else Or(tuple(parts))

    def and_expr(self, after: str | None = None) -> Node:
        parts = [self.not_expr(after)]
        while (lx := self.peek()) is not None:
            if lx.kind == "op" and lx.value == "AND":
                self.take()
                parts.append(self.not_expr("AND"))
            elif lx.kind in ("term", "(", "-"):
                parts.append(self.not_expr())
            else:
                break
        keep = [p for p in parts if not isinstance(p, _Excluded)]
        drop = [p.node for p in parts if isinstance(p, _Excluded)]
        kept: Node = keep[0] if len(keep) == 1 else And(tuple(keep)) if keep else Everything()
        if not drop:
            return kept
        return Not(kept, drop[0] if len(drop) == 1 else Or(tuple(drop)))

    def not_expr(self, after: str | None = None) -> Node:
        if (lx := self.peek()) is not None and lx.kind == "-":
            self.take()
            return cast(Node, _Excluded(self.primary("-")))
        node = self.primary(after)
        while (lx := self.peek()) is not None and lx.kind == "op" and lx.value == "NOT":
            self.take()
            node = Not(node, self.primary("NOT"))
        return node

    def primary(self, after: str | None) -> Node:
        lx = self.peek()
        if lx is None:
            if after:
                raise QueryError(f"{after} at the end of the query needs a term after it")
            raise QueryError("empty query: type at least one word")
        if lx.kind == "term":
            self.take()
            assert lx.term is not None
            return lx.term
        if lx.kind == "(":
            self.take()
            if (nxt := self.peek()) is None:  # "x (": not an empty query, an open parenthesis
                raise QueryError(
                    f"unbalanced parenthesis: '(' at character {lx.position} is never closed"
                )
            if nxt.kind == ")":
                raise QueryError(f"empty parentheses at character {lx.position}")
            node = self.or_expr()
            close = self.peek()
            if close is None or close.kind != ")":
                raise QueryError(
                    f"unbalanced parenthesis: '(' at character {lx.position} is never closed"
                )
            self.take()
            return node
        if lx.kind == "op":
            if after:
                raise QueryError(
                    f"{after} followed by {lx.value} at character {lx.position}: "
                    "put a term between them"
                )
            raise QueryError(f"{lx.value} at character {lx.position} needs a term before it")
        raise QueryError(f"unbalanced parenthesis: ')' at character {lx.position} has no '('")


def _has_everything(node: Node) -> bool:
    if isinstance(node, Everything):
        return True
    if isinstance(node, And | Or):
        return any(_has_everything(p) for p in node.parts)
    if isinstance(node, Not):
        return _has_everything(node.keep) or _has_everything(node.drop)
    return False


def only_exclusions(node: Node) -> Node | None:
    """What a query of exclusions only (``-a -b``) drops, or None for any other query."""
    if isinstance(node, Not) and isinstance(node.keep, Everything):
        return node.drop
    return None


def parse_query(query: str) -> Node:
    """Parse ``query`` into a tree; raise :class:`QueryError` when it is malformed."""
    if len(query) > MAX_QUERY_LENGTH:
        raise QueryError(f"query too long ({len(query)} characters, at most {MAX_QUERY_LENGTH})")
    text = unicodedata.normalize("NFC", query)
    if not text.strip():
        raise QueryError("empty query: type at least one word")
    check_nesting(text)
    lexemes = _lex(text)
    if not any(lx.kind == "term" for lx in lexemes):
        if any(lx.kind == "op" for lx in lexemes):
            raise QueryError("the query has operators but no words to search for")
        raise QueryError("the query has no words to search for (only punctuation)")
    if sum(lx.kind == "term" for lx in lexemes) > MAX_TERMS:
        raise QueryError(f"too many terms (at most {MAX_TERMS})")
    return _Parser(lexemes).parse()


# --- writing FTS5 -------------------------------------------------------------------------


def to_fts(node: Node, transform: Callable[[str], str]) -> str:
    """Write ``node`` as an FTS5 expression, each token passed through ``transform`` first.

    ``transform`` maps a typed token onto the form the index holds (e.g. diacritics folded).
    Tokens are re-split after the transform and quoted; only letters and digits survive, so
    the result is safe whatever the user typed.
    """
    if isinstance(node, Everything):
        raise ValueError("Everything has no FTS5 form: search the exclusions and subtract")
    if isinstance(node, Term):
        tokens = [t for tok in node.tokens for t in split_tokens(transform(tok))]
        if not tokens:  # a transform that erased everything: keep the tokens as typed
            tokens = list(node.tokens)
        phrase = '"' + " ".join(t.replace('"', '""') for t in tokens) + '"'
        return phrase + " *" if node.prefix else phrase
    if isinstance(node, And):
        return "(" + " AND ".join(to_fts(p, transform) for p in node.parts) + ")"
    if isinstance(node, Or):
        return "(" + " OR ".join(to_fts(p, transform) for p in node.parts) + ")"
    return "(" + to_fts(node.keep, transform) + " NOT " + to_fts(node.drop, transform) + ")"


def query_words(node: Node) -> list[Term]:
    """The terms a result should show (everything but what NOT excludes), for snippets."""
    if isinstance(node, Term):
        return [node]
    if isinstance(node, Everything):
        return []
    if isinstance(node, And | Or):
        return [t for p in node.parts for t in query_words(p)]
    return query_words(node.keep)


# --- snippets -----------------------------------------------------------------------------

SNIPPET_CHARS = 200  # about this many characters shown
SNIPPET_BEFORE = 60  # of which before the first match in the window
MARK_OPEN, MARK_CLOSE = "[", "]"


quick_fold = fold_in_place  # the offset-keeping fold (archive.normalize), under its old name


def _term_patterns(terms: list[Term], key: Callable[[str], str]) -> list[re.Pattern[str]]:
    patterns = []
    for term in terms:
        toks = [re.escape(t) for tok in term.tokens for t in split_tokens(key(tok))]
        if toks:
            tail = r"\w*" if term.prefix else r"(?!\w)"
            patterns.append(re.compile(r"(?<!\w)" + r"\W+".join(toks) + tail))
    return patterns


def _cut(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> str:
    """``text[start:end]`` on word boundaries, the spans wrapped in brackets."""
    first = min((s for s, _ in spans), default=start)
    last = max((e for _, e in spans), default=start)
    if start > 0 and not text[start - 1].isspace():  # start inside a word: skip or widen
        space = text.find(" ", start, first)
        start = space + 1 if space >= 0 else text.rfind(" ", 0, start) + 1
    if end < len(text) and not text[end].isspace():  # end inside a word: shorten or widen
        space = text.rfind(" ", last, end)
        if space < 0:
            space = text.find(" ", end)
        end = space if space >= 0 else len(text)
    out, pos = [], start
    for s, e in sorted(spans):
        if s < pos or e > end:
            continue
        out += [text[pos:s], MARK_OPEN, text[s:e], MARK_CLOSE]
        pos = e
    out.append(text[pos:end])
    return ("… " if start > 0 else "") + "".join(out).strip() + (" …" if end < len(text) else "")


def snippet(texts: list[str], node: Node, *keys: Callable[[str], str]) -> str:
    """A short extract of ``texts`` where the query's words are, each match in ``[ ]``.

    Each text is compared through ``key`` (``str.lower`` for exact matches, :func:`quick_fold`
    for accent-insensitive ones; it must keep every character's offset); the keys are tried in
    order until one finds something. The window showing most of the query's terms wins (then
    the earliest text and place); the search stops at the first window showing all of them.
    Without any match (e.g. a hit in the title only), the start of the first non-empty text.
    """
    terms = query_words(node)
    texts = [unicodedata.normalize("NFC", t) for t in texts if t and t.strip()]
    for key in keys:
        patterns = _term_patterns(terms, key)
        best: tuple[tuple[int, int, int], str, int, int, list[tuple[int, int]]] | None = None
        for ti, text in enumerate(texts):
            folded = key(text)
            if len(folded) != len(text):
                continue  # a character changed length: offsets unusable, try the next text
            # Anchors in document order (a tie at one place: the earlier term first), and for
            # each window only the matches starting inside it (bisect): a word repeated all
            # over a page no longer costs every match against every other (the square of the
            # matches: 20,000 took 5 s, so 300,000 about 20 minutes). In this order the first
            # window showing every term is the best of the text.
            found = sorted(
                (m.start(), k, m.end()) for k, p in enumerate(patterns) for m in p.finditer(folded)
            )
            starts = [s for s, _, _ in found]
            for anchor, _, anchor_end in found:
                start = max(0, anchor - SNIPPET_BEFORE)
                end = min(len(text), max(start + SNIPPET_CHARS, anchor_end))
                low, high = bisect_left(starts, start), bisect_right(starts, end)
                inside = [(s, e, k) for s, k, e in found[low:high] if e <= end]
                score = (len({k for _, _, k in inside}), -ti, -anchor)
                if best is None or score > best[0]:
                    best = (score, text, start, end, [(s, e) for s, e, _ in inside])
                    if score[0] == len(patterns):
                        break  # every term shown: no later window of this text does better
            if best is not None and best[0][0] == len(patterns):
                break
        if best is not None:
            _, text, start, end, spans = best
            return _cut(text, start, end, spans)
    words = texts[0].split() if texts else []
    lead = " ".join(words[:30])
    return lead + (" …" if len(words) > 30 else "")
