"""One pass over a page that indexes the elements a selector may ask for.

A whole-page XPath such as ``//*[contains(concat(' ', normalize-space(@class), ' '), ' x ')]``
evaluates its predicate on every element: a dozen of them cost more than parsing the page.
:class:`PageIndex` walks the tree once and files every element under its ``data-role``, its
``type``, the class tokens a portal cares about, and its tag for a few tags; a :class:`Sel`
(the selector as data: tag, class token, ``data-role``, ``type``) is then a dict lookup.
Selectors stay named constants tried in a stated order, as with XPath.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from lxml import etree


@dataclass(frozen=True, slots=True)
class Sel:
    """Elements with all the given properties, in document order (CSS-like, for the docs:
    ``h1.detail-title``, ``[data-role=sapo]``, ``div[type=Photo]``)."""

    tag: str | None = None
    cls: str | None = None  # one class token
    role: str | None = None  # the data-role value
    type: str | None = None  # the type attribute value (the CMS marks its blocks with it)

    def __str__(self) -> str:
        out = self.tag or ""
        if self.cls:
            out += f".{self.cls}"
        if self.role:
            out += f"[data-role={self.role}]"
        if self.type:
            out += f"[type={self.type}]"
        return out or "*"


_NAMES = etree.XPath(".//@id | .//@class")


_ROLES = etree.XPath("//@data-role")
_CLASSES = etree.XPath("//@class")
_TYPES = etree.XPath("//@type")
_CHECK_POSITION = etree.XPath("//@data-check-position")


@lru_cache(maxsize=8)
def _any_of(tokens: frozenset[str]) -> re.Pattern[str]:
    """A pattern that finds any of ``tokens`` as a substring (the cheap first test)."""
    return re.compile("|".join(re.escape(t) for t in sorted(tokens, key=len, reverse=True)))


class PageIndex:
    """Elements of a page filed by data-role, type, wanted class tokens and wanted tags, plus
    the page's ``<meta>`` contents (by property, name or itemprop), canonical link and title.

    Given the page's ``body`` (its content container), it also notes which filed elements lie
    inside it, and collects the body's elements whose ``id`` or ``class``, lower-cased, matches
    ``names`` (a pattern for ad slots).
    """

    def __init__(
        self,
        root: etree._Element,
        classes: frozenset[str],
        types: frozenset[str] = frozenset(),
        tags: frozenset[str] = frozenset(),
        body: etree._Element | None = None,
        names: re.Pattern[str] | None = None,
    ) -> None:
        self.roles: dict[str, list[etree._Element]] = {}
        self.types: dict[str, list[etree._Element]] = {}
        self.classes: dict[str, list[etree._Element]] = {}
        self.tags: dict[str, list[etree._Element]] = {}
        self.attrs: dict[str, list[etree._Element]] = {}
        self.in_body: set[etree._Element] = set(body.iter()) if body is not None else set()
        self.named: list[etree._Element] = []  # body elements whose id/class matches `names`
        # Attribute steps run in C (a few microseconds each); Python sees each value once and
        # looks further only at those that hold a wanted token. An XPath predicate per value
        # (contains(…) or …) or a Python loop over every element would cost more than the parse.
        interesting = _any_of(classes).search
        for value in _strings(_CLASSES, root):
            if interesting(value):
                el = value.getparent()  # type: ignore[attr-defined]
                for token in value.split():
                    if token in classes:
                        self.classes.setdefault(token, []).append(el)
        for value in _strings(_ROLES, root):
            self.roles.setdefault(value.strip(), []).append(value.getparent())  # type: ignore[attr-defined]
        for value in _strings(_TYPES, root):
            kind = value.strip()
            if kind in types or "Album" in kind:
                self.types.setdefault(kind, []).append(value.getparent())  # type: ignore[attr-defined]
        self.attrs["data-check-position"] = [
            v.getparent() for v in _strings(_CHECK_POSITION, root)  # type: ignore[attr-defined]
        ]
        if tags:
            for el in root.iter(*tags):
                self.tags.setdefault(str(el.tag), []).append(el)
        # The head: iter() with tag names filters in C, cheaper than an XPath per item.
        self.meta: dict[str, str] = {}
        self.canonical: str | None = None
        self.title: str | None = None
        for el in root.iter("meta", "link", "title"):
            if el.tag == "meta":
                key = el.get("property") or el.get("name") or el.get("itemprop")
                content = el.get("content")
                if key and content is not None:
                    self.meta.setdefault(key.strip().lower(), content)
            elif el.tag == "link":
                rel = (el.get("rel") or "").strip().lower()
                if rel == "canonical" and self.canonical is None:
                    self.canonical = el.get("href")
            elif self.title is None:
                self.title = el.text or ""
        if body is not None and names is not None:
            search = names.search
            self.named = [v.getparent() for v in _strings(_NAMES, body)  # type: ignore[attr-defined]
                          if search(v.lower())]

    def find(self, sel: Sel, in_body: bool | None = None) -> list[etree._Element]:
        """The elements ``sel`` selects, in document order; with ``in_body``, only those inside
        (True) or outside (False) the body."""
        if sel.cls is not None:
            found = self.classes.get(sel.cls, [])
        elif sel.role is not None:
            found = self.roles.get(sel.role, [])
        elif sel.type is not None:
            found = self.types.get(sel.type, [])
        elif sel.tag is not None:
            found = self.tags.get(sel.tag, [])
        else:
            return []
        if in_body is not None:
            found = [el for el in found if (el in self.in_body) is in_body]
        return [el for el in found if _matches(el, sel)]

    def first(self, sels: Iterable[Sel]) -> etree._Element | None:
        """The first element of the first selector that selects any, trying them in order."""
        for sel in sels:
            found = self.find(sel)
            if found:
                return found[0]
        return None


def _matches(el: etree._Element, sel: Sel) -> bool:
    if sel.tag is not None and el.tag != sel.tag:
        return False
    if sel.role is not None and (el.get("data-role") or "").strip() != sel.role:
        return False
    if sel.type is not None and (el.get("type") or "").strip() != sel.type:
        return False
    return sel.cls is None or sel.cls in (el.get("class") or "").split()



def _strings(selector: etree.XPath, node: etree._Element) -> list[str]:
    """The attribute values an attribute-axis XPath selects (smart strings: getparent())."""
    found = selector(node)
    return found if isinstance(found, list) else []  # type: ignore[return-value]
