"""Skipping a page's frame: the bytes a portal's pages share between ``<body>`` and the article.

An mst.gov.vn article page is ~67 KB, and about 26 KB of it, from ``<body>`` to the share links
that carry the page's own URL (the header, the menus and most of their inline SVG icons), is
byte for byte the same on every page of the site; building it into a tree costs about a third
of the page's parse, and no field is read from it. :class:`Frames` learns such a *frame* from
two pages parsed in full and, on a later page whose bytes after ``<body ...>`` start with the
same frame, has libxml2 build the page with the frame replaced by the start tags of the elements
it leaves open.

The tree of the shortened page is the tree of the whole page less the frame's closed elements
and text (which nothing reads), because libxml2's HTML reader is a streaming one: what it builds
from the bytes after the frame depends only on its tokenizer state and the names on its stack of
open elements there (docs/parsers.md, "The page frame", gives the argument and its limits).
Both are checked, never assumed:

- on every page, by an empty probe element written right after ``<body ...>``: it becomes the
  first content of ``<body>`` under ``<html>`` only when the page's own head left the reader in
  the data state with just ``html > body`` open, as on the pages the frame was learned from;
  besides, neither of those two (they hold the frame) may be an element the parser reads, the
  frame must be followed by a start tag (text would join the frame's last text), and the page
  must be under :data:`MAX_PAGE` (else the page is parsed whole);
- once per frame, when it is learned: a probe at the frame's end shows the state there and the
  elements left open; the frame must hold no ``<html>``, ``<head>`` or ``<body>`` tag, and none
  of its elements may be one the portal's parser could read (``reads``: a class or role a
  selector asks for, ``<meta>``, ``<link>``, ``<title>``, an id recognition looks up), nor stop
  libxml2 at a limit; the start tags written for the open elements must read back as the same
  elements; and the page it was learned from must parse to the same article either way
  (``same``).

A page of no known frame is parsed whole, exactly as before; so is any page where a check
fails. The frames are a cache, not state: parse results never depend on them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from threading import Lock

from lxml import etree

from crawler.parsers.document import build

PROBE_TAG = "most-archive-frame-probe"
_PROBE_NAME = PROBE_TAG.encode()
_PROBE = b"<%s></%s>" % (_PROBE_NAME, _PROBE_NAME)
_BODY_TAG = b"<body"
# Tags that change the reader's state beyond its stack when misplaced (a second <body>, <head>
# or <html> is dropped and counted, and the count decides what a later </body> or </html>
# does): a frame holding one is not learned.
_OUTER_TAG = re.compile(rb"</?(?:html|head|body)(?![a-zA-Z0-9])", re.IGNORECASE)
# What must follow a frame on every page: a start tag (after text, the page's next text would
# be merged into the frame's last text by the whole page's reader), and not one the reader
# drops (a misplaced <html>, <head> or <body>).
_NEXT_TAG = re.compile(rb"<[a-zA-Z]")
# Names written back into start tags: plain lower-case ones only.
_TAG_NAME = re.compile(r"[a-z][a-z0-9-]*\Z")
_ATTR_NAME = re.compile(r"[a-z_:][a-z0-9_.:-]*\Z")

MIN_FRAME = 4096  # bytes shared by two pages before a frame is worth learning
# Pages read whole whatever their frame: libxml2's 10 MB limits on a text node and on its
# input window fall at places the frame's bytes move (an mst page is ~70 KB).
MAX_PAGE = 2 * 1024 * 1024
MAX_FRAMES = 8  # frames kept, the most recently learned first
PROBE_TRIES = 3  # tag starts tried, from the end of the shared bytes back, when learning
MAX_BACKOFF = 1024  # pages parsed whole without learning after failures, at most
_BLOCK = 4096  # bytes compared at a time when two pages are compared


@dataclass(frozen=True, slots=True)
class Frame:
    shared: bytes  # the frame: the bytes right after the <body ...> start tag
    opened: bytes  # the start tags of the elements the frame leaves open, outermost first


def body_start(data: bytes) -> int:
    """The offset just after the first ``<body ...>`` start tag's ``>``, or -1."""
    at = data.find(_BODY_TAG)
    if at < 0:
        return -1
    end = data.find(b">", at)
    return end + 1 if end >= 0 else -1


def _shortened(data: bytes, at: int, frame: Frame) -> bytes:
    """The page with the frame found at ``at`` replaced by a probe and the frame's open start
    tags."""
    view = memoryview(data)
    return b"".join((view[:at], _PROBE, frame.opened, view[at + len(frame.shared) :]))


def _starts_tag(data: bytes, at: int) -> bool:
    """Whether a start tag the reader keeps begins at ``at``: ``<`` and a letter, not a
    misplaced ``<html>``, ``<head>`` or ``<body>``."""
    return _NEXT_TAG.match(data, at) is not None and _OUTER_TAG.match(data, at) is None


def _probes(root: etree._Element) -> list[etree._Element]:
    """The probes that are children of ``<body>``, itself the only body child of the root
    ``<html>``, the first of them its first content; each empty. Empty when any is not."""
    if root.tag != "html" or root.getparent() is not None:
        return []
    bodies = [child for child in root if child.tag == "body"]
    if len(bodies) != 1:
        return []
    body = bodies[0]
    probes = [child for child in body if child.tag == PROBE_TAG]
    if any(len(probe) or probe.text for probe in probes):
        return []
    if probes and (body.text or body[0] is not probes[0]):
        return []  # content before the first probe: the page's head implied <body> early
    return probes


def _start_tag(el: etree._Element) -> bytes | None:
    tag = el.tag
    if not isinstance(tag, str) or not _TAG_NAME.match(tag):
        return None
    parts = [tag]
    for name, value in el.items():
        if not isinstance(name, str) or not isinstance(value, str) or not _ATTR_NAME.match(name):
            return None
        parts.append(f'{name}="{escape(value, quote=True)}"')
    return f"<{' '.join(parts)}>".encode()


def _common_length(a: bytes, at_a: int, b: bytes, at_b: int) -> int:
    """How many bytes from ``a[at_a:]`` and ``b[at_b:]`` are equal: block by block, then a
    binary search in the first block that differs."""
    most = min(len(a) - at_a, len(b) - at_b)
    done = 0
    while done < most:
        size = min(_BLOCK, most - done)
        if not a.startswith(b[at_b + done : at_b + done + size], at_a + done):
            break
        done += size
    else:
        return most
    low, high = 0, min(_BLOCK, most - done)  # a[..low] equal, a[..high] not
    while low + 1 < high:
        mid = (low + high) // 2
        if a.startswith(b[at_b + done : at_b + done + mid], at_a + done):
            low = mid
        else:
            high = mid
    return done + low


class Frames:
    """The frames of one portal's pages. ``reads(el)``: whether the portal's parser could read
    ``el`` (a frame holding such an element is never learned)."""

    def __init__(self, reads: Callable[[etree._Element], bool]) -> None:
        self._reads = reads
        self._frames: tuple[Frame, ...] = ()
        self._previous: tuple[bytes, int] | None = None
        self._wait = 0  # pages parsed whole before the next attempt to learn
        self._backoff = 1
        self._lock = Lock()
        self.enabled = True  # False: every page is read whole (tests compare the two)
        self.hits = 0  # pages built with a frame skipped (a figure for tests and benchmarks)

    def clear(self) -> None:
        with self._lock:
            self._frames, self._previous, self._wait, self._backoff = (), None, 0, 1

    @property
    def frames(self) -> tuple[Frame, ...]:
        return self._frames

    def unprobe(self, root: etree._Element) -> bool:
        """Whether the tree of a page :meth:`reduce` wrote stands for the whole page's: the
        reader was in the data state with only ``html > body`` open where the probe was written
        (the probe is then taken out of the tree), and neither of those two, which hold the
        frame, is an element the parser could read."""
        probes = _probes(root)
        if len(probes) != 1 or probes[0].tail:  # (the next tag follows it at once)
            return False
        body = probes[0].getparent()
        assert body is not None
        if self._reads(root) or self._reads(body):
            return False
        body.remove(probes[0])
        return True

    def reduce(self, data: bytes) -> bytes | None:
        """The page with its frame replaced by a probe and the frame's open start tags, or
        None when its bytes after ``<body ...>`` start with no known frame."""
        frames = self._frames
        if not frames or not self.enabled or len(data) > MAX_PAGE:
            return None
        at = body_start(data)
        if at < 0:
            return None
        for frame in frames:
            if data.startswith(frame.shared, at):
                return (
                    _shortened(data, at, frame)
                    if _starts_tag(data, at + len(frame.shared))
                    else None
                )
        return None

    def learn(self, data: bytes, same: Callable[[bytes], bool]) -> None:
        """Learn a frame from this page (parsed in full, a page of the portal) and the page
        parsed in full before it. ``same(reduced)``: whether the page shortened by the frame
        (as :meth:`reduce` writes it) parses to the article the whole page gave."""
        if not self.enabled or len(data) > MAX_PAGE:
            return
        at = body_start(data) if _PROBE_NAME not in data else -1
        with self._lock:
            previous, self._previous = self._previous, ((data, at) if at >= 0 else None)
            if previous is None or at < 0:
                return
            if self._wait:
                self._wait -= 1
                return
        common = _common_length(data, at, previous[0], previous[1])
        frame = self._frame_of(data, at, common) if common >= MIN_FRAME else None
        if frame is not None and not same(_shortened(data, at, frame)):
            frame = None
        with self._lock:
            if frame is None:
                if common >= MIN_FRAME:  # shared bytes that are no frame: ask less often
                    self._wait, self._backoff = self._backoff, min(self._backoff * 2, MAX_BACKOFF)
                return
            self._backoff = 1
            kept = tuple(f for f in self._frames if f.shared != frame.shared)
            self._frames = (frame, *kept)[:MAX_FRAMES]

    def _frame_of(self, data: bytes, at: int, common: int) -> Frame | None:
        """A frame ending at one of the last tag starts within the shared bytes."""
        end = at + common + 1  # a tag may start at the first byte that differs
        for _ in range(PROBE_TRIES):
            cut = data.rfind(b"<", at, end)
            if cut < at + MIN_FRAME:
                return None
            frame = self._frame_at(data, at, cut) if _starts_tag(data, cut) else None
            if frame is not None:
                return frame
            end = cut
        return None

    def _frame_at(self, data: bytes, at: int, cut: int) -> Frame | None:
        shared = data[at:cut]
        if _OUTER_TAG.search(shared):
            return None
        root = build(b"".join((data[:at], _PROBE, shared, _PROBE)))
        if root is None:
            return None
        probes = _probes(root)
        if not probes or len(probes) > 2:
            return None
        first = probes[0]
        body = first.getparent()
        assert body is not None
        last = body
        while len(last):  # the last element in document order: the second probe
            last = last[-1]
        if last.tag != PROBE_TAG or last is first or len(last) or last.text:
            return None
        opened = list(last.iterancestors())[::-1]
        opened = opened[opened.index(body) + 1 :]
        if self._reads(root):
            return None
        for el in body.iter():  # the body too: it holds the frame
            if el is not first and el is not last and self._reads(el):
                return None
        tags = [_start_tag(el) for el in opened]
        if any(tag is None for tag in tags):
            return None
        written = b"".join(t for t in tags if t is not None)
        if not self._reads_back(data[:at], written, opened):
            return None
        return Frame(shared=shared, opened=written)

    def _reads_back(self, head: bytes, written: bytes, opened: list[etree._Element]) -> bool:
        """Whether the start tags, after the page's head and a probe, open the same elements
        (names, attributes and their order) with nothing else between them."""
        root = build(b"".join((head, _PROBE, written, _PROBE)))
        probes = _probes(root) if root is not None else []
        if not probes:
            return False
        el = probes[0].getnext()
        if opened and (el is None or el.getnext() is not None):
            return False
        for want in opened:
            if el is None or el.tag != want.tag or el.items() != want.items() or el.text:
                return False
            if len(el) != 1:
                return False
            el = el[0]
        return el is not None and el.tag == PROBE_TAG and el.getnext() is None and not el.tail
