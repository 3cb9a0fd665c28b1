"""One pass over a page that indexes the elements a selector may ask for.

A whole-page XPath such as ``//*[contains(concat(' ', normalize-space(@class), ' '), ' x ')]``
evaluates its predicate on every element: a dozen of them cost more than parsing the page.
:class:`PageIndex` walks the tree once and files every element under its ``data-role``, its
``type``, the class tokens a portal cares about, and its tag for a few tags; a :class:`Sel`
(the selector as data: tag, class token, ``data-role``, ``type``) is then a dict lookup.
Selectors stay named constants tried in a stated order, as with XPath.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

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


class PageIndex:
    """Elements of a page filed by data-role, type, wanted class tokens and wanted tags, plus
    the page's ``<meta>`` contents (by property, name or itemprop), canonical link and title."""

    def __init__(
        self, root: etree._Element, classes: frozenset[str], tags: frozenset[str] = frozenset()
    ) -> None:
        self.roles: dict[str, list[etree._Element]] = {}
        self.types: dict[str, list[etree._Element]] = {}
        self.classes: dict[str, list[etree._Element]] = {}
        self.tags: dict[str, list[etree._Element]] = {}
        self.meta: dict[str, str] = {}
        self.canonical: str | None = None
        self.title: str | None = None
        self.attrs: dict[str, list[etree._Element]] = {}
        # One loop, no calls per element beyond attribute reads: this runs on every element.
        for el in root.iter():
            tag = el.tag
            if not isinstance(tag, str):
                continue
            if tag in tags:
                self.tags.setdefault(tag, []).append(el)
            attrib = el.attrib
            if not attrib:
                if tag == "title" and self.title is None:
                    self.title = el.text or ""
                continue
            cls = attrib.get("class")
            if cls:
                for token in cls.split():
                    if token in classes:
                        self.classes.setdefault(token, []).append(el)
            role = attrib.get("data-role")
            if role:
                self.roles.setdefault(role.strip(), []).append(el)
            kind = attrib.get("type")
            if kind:
                self.types.setdefault(kind.strip(), []).append(el)
            if "data-check-position" in attrib:
                self.attrs.setdefault("data-check-position", []).append(el)
            if tag == "meta":
                key = attrib.get("property") or attrib.get("name") or attrib.get("itemprop")
                content = attrib.get("content")
                if key and content is not None:
                    self.meta.setdefault(key.strip().lower(), content)
            elif (
                tag == "link"
                and self.canonical is None
                and (attrib.get("rel") or "").strip().lower() == "canonical"
            ):
                self.canonical = attrib.get("href")
            elif tag == "title" and self.title is None:
                self.title = el.text or ""

    def find(self, sel: Sel) -> list[etree._Element]:
        """The elements ``sel`` selects, in document order."""
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


def inside(el: etree._Element, container: etree._Element) -> bool:
    """True when ``el`` is ``container`` or one of its descendants."""
    return el is container or any(a is container for a in el.iterancestors())

