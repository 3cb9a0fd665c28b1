"""An index of a page's elements by ``data-role`` and class token, for selectors as data.

A whole-page XPath such as ``//*[contains(concat(' ', normalize-space(@class), ' '), ' x ')]``
evaluates its predicate on every element: a dozen of them cost more than parsing the page.
:class:`PageIndex` reads the page's ``class`` and ``data-role`` attributes once and files the
elements under the tokens a portal cares about; a :class:`Sel` (the selector as data: tag,
class token or ``data-role``) is then a dict lookup. Selectors stay named constants tried in a
stated order, as with XPath.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import cast

from lxml import etree


@dataclass(frozen=True, slots=True)
class Sel:
    """Elements with all the given properties, in document order (CSS-like, for the docs:
    ``h1.detail-title``, ``[data-role=sapo]``). A selector names a class token or a role."""

    tag: str | None = None
    cls: str | None = None  # one class token
    role: str | None = None  # the data-role value

    def __str__(self) -> str:
        out = self.tag or ""
        if self.cls:
            out += f".{self.cls}"
        if self.role:
            out += f"[data-role={self.role}]"
        return out or "*"


# Class values seen, with the wanted tokens each holds (duplicates kept): pages repeat the same
# few dozen values, and a dict lookup costs less than any scan of the value. Bounded in entries
# and in the length of a value kept (a hostile page's megabyte of class is not).
_TOKENS_SEEN = 4096
CACHED_VALUE_LENGTH = 256


# Every class and data-role value in the subtree, each with its element (``getparent()``), in
# document order: two attribute XPaths read them in C, for about two thirds of what a walk over
# the elements that reads each one's attribute names and class from Python costs (valgrind,
# mst pages; ``python -m benchmarks.parse_steps``). XPath predicates (``[@class]``,
# ``contains(@class, …)``) cost more than the walk: only bare attribute steps are used.
_CLASS_VALUES = etree.XPath("descendant-or-self::*/@class")
_ROLE_VALUES = etree.XPath("descendant-or-self::*/@data-role")


def _values(path: etree.XPath, root: etree._Element) -> list[etree._ElementUnicodeResult]:
    """The attribute values an attribute XPath selects (lxml's "smart" strings, which know their
    element)."""
    return cast("list[etree._ElementUnicodeResult]", path(root))


@lru_cache(maxsize=8)
def _tokens_cache(tokens: frozenset[str]) -> dict[str, tuple[str, ...]]:
    """The cache of class values for one set of wanted tokens."""
    return {}


class PageIndex:
    """Elements of a page filed by ``data-role`` and by the class tokens a portal cares about,
    plus the page's ``<meta>`` contents (by property, name or itemprop), canonical link and
    title.

    Built from the page's class and data-role values, read by two attribute XPaths in C (a dict
    lookup per class value; the element asked for only when its value holds a wanted token).
    Measured on mst pages (valgrind): a walk over the elements reading each one's attribute
    names and class from Python costs about half as much again, an XPath predicate per element
    (``[@class]``, ``contains(…) or …``) several times more. The head's tags are read only when a
    field asks for them (:class:`HeadMeta`, :attr:`canonical`, :attr:`title`): most pages need
    one meta tag (the ``og:url`` of the canonical URL), and reading every meta tag of every
    page cost about 3% of an mst page's parse.
    """

    def __init__(self, root: etree._Element, classes: frozenset[str]) -> None:
        self.roles: dict[str, list[etree._Element]] = {}
        self.classes: dict[str, list[etree._Element]] = {}
        self.meta = HeadMeta(root)
        self._root = root
        seen = _tokens_cache(classes)
        found = self.classes
        # The values in document order, read in C; only an element holding a wanted token is
        # asked for (its proxy exists already while parse_article holds the page's elements).
        for value in _values(_CLASS_VALUES, root):
            tokens = seen.get(value)
            if tokens is None:
                tokens = tuple(t for t in value.split() if t in classes)
                if len(value) <= CACHED_VALUE_LENGTH:
                    if len(seen) >= _TOKENS_SEEN:
                        seen.clear()
                    seen[str(value)] = tokens  # a plain str: the result holds its element
            if tokens:
                el = value.getparent()  # (an attribute's: never None)
                for token in tokens:
                    found.setdefault(token, []).append(el)  # type: ignore[arg-type]
        roles = self.roles
        for value in _values(_ROLE_VALUES, root):
            roles.setdefault(value.strip(), []).append(value.getparent())  # type: ignore[arg-type]

    @cached_property
    def canonical(self) -> str | None:
        """The ``href`` of the first ``<link rel=canonical>`` that has one."""
        for el in self._root.iter("link"):
            if (el.get("rel") or "").strip().lower() == "canonical":
                href = el.get("href")
                if href is not None:
                    return href
        return None

    @cached_property
    def title(self) -> str | None:
        """The text of the page's first ``<title>`` ("" when empty), None without one."""
        for el in self._root.iter("title"):
            return el.text or ""
        return None

    def find(self, sel: Sel) -> list[etree._Element]:
        """The elements ``sel`` selects, in document order (a selector names a class token or a
        data-role; the tag and the other properties filter)."""
        # The elements filed under the token or role hold it: only the tag, and a role asked
        # beside a class token, are left to check.
        if sel.cls is not None:
            found = self.classes.get(sel.cls, [])
            if sel.role is not None:
                found = [el for el in found if (el.get("data-role") or "").strip() == sel.role]
        elif sel.role is not None:
            found = self.roles.get(sel.role, [])
        else:
            return []
        tag = sel.tag
        return [el for el in found if el.tag == tag] if tag is not None else list(found)

    def first(self, sels: Iterable[Sel]) -> etree._Element | None:
        """The first element of the first selector that selects any, trying them in order."""
        for sel in sels:
            found = self.find(sel)
            if found:
                return found[0]
        return None


class HeadMeta:
    """The page's ``<meta>`` contents by key (``property``, else ``name``, else ``itemprop``;
    trimmed, lower case), the first tag of a key winning. The tags are read in document order
    only as far as the keys asked for need: a lookup reads on until its key turns up. Ask before
    changing the tree (a later lookup goes on reading the tree as it is then)."""

    def __init__(self, root: etree._Element) -> None:
        self._found: dict[str, str] = {}
        self._tags: Iterator[etree._Element] | None = root.iter("meta")

    def get(self, key: str) -> str | None:
        found = self._found
        if key in found:
            return found[key]
        tags = self._tags
        if tags is None:
            return None
        for el in tags:
            name = el.get("property") or el.get("name") or el.get("itemprop")
            if name:
                content = el.get("content")
                if content is not None:
                    name = name.strip().lower()
                    if name not in found:
                        found[name] = content
                        if name == key:
                            return content
        self._tags = None  # every tag read
        return None
