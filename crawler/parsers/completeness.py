"""Whether a response body arrived whole, judged by its own form (issue 13, point 8).

HTTP framing alone cannot tell: a close-delimited answer (no ``Content-Length``) that the
connection cut short looks complete, and a server may send a correct ``Content-Length`` for a
page its backend cut off. So each kind of body is judged by its own end:

- an HTML document (it starts with ``<!DOCTYPE`` or ``<html``): it has its ``</html>``;
- an HTML fragment (an AJAX page of a listing: no ``<html>`` start): it ends after a closing
  tag (or a comment), not inside a tag or text;
- XML (feeds, sitemaps, the web service's post list): it ends with its root element's closing
  tag (or the root is empty, ``<root/>``);
- anything else (images, attachments): HTTP's framing only (Scrapy fails a body shorter than
  its ``Content-Length``).

Pure: bytes and a content type in, a reason (or None when whole) out.
"""

from __future__ import annotations

import re

# How far from the end a document's closing tag may be (trailing scripts, comments, padding).
TAIL_BYTES = 64 * 1024
_BOM = b"\xef\xbb\xbf"
# Each comment (and processing instruction) ends at its first "-->" ("?>"), as in HTML and XML:
# an atomic group "(?>…)" per comment. Without it a pattern could end each comment at any later
# "-->" and tried every way when the rest failed: 2^n steps for n comments.
_COMMENTS = rb"(?>\s*<!--.*?-->)*"
_DOCUMENT_START = re.compile(rb"^" + _COMMENTS + rb"\s*<(?:!doctype\s+html|html[\s>])", re.I | re.S)
_FRAGMENT_END = re.compile(rb"(?:</[a-zA-Z][\w:.-]*\s*>|-->|/>)\s*$")
_XML_ROOT = re.compile(
    rb"^\s*(?:<\?xml[^>]*\?>\s*)?(?>(?:<!--.*?-->|<\?.*?\?>|<!DOCTYPE[^>]*>)\s*)*"
    rb"<([A-Za-z_][\w:.-]*)",
    re.S,
)


def kind_of(body: bytes, content_type: str | None) -> str:
    """``html``, ``fragment``, ``xml`` or ``other``: how a body's completeness is judged."""
    ctype = (content_type or "").lower()
    head = body[:4096].removeprefix(_BOM)
    if "xml" in ctype and "html" not in ctype:
        return "xml"
    if "html" in ctype or (not ctype and head.lstrip()[:1] == b"<"):
        if _DOCUMENT_START.match(head):
            return "html"
        if head.lstrip().startswith(b"<?xml"):
            return "xml"
        if head.lstrip().startswith(b"<"):
            return "fragment"
    return "other"


def incomplete(body: bytes, content_type: str | None) -> str | None:
    """Why ``body`` is not whole (``"HTML document cut before </html>"``...), or None."""
    kind = kind_of(body, content_type)
    if kind == "other" or not body.strip():
        return None  # an empty answer is judged by the page's parser, not as a cut one
    tail = body[-TAIL_BYTES:]
    if kind == "html":
        if b"</html" not in tail.lower():
            return "HTML document cut before </html> (truncated)"
        return None
    if kind == "fragment":
        if not _FRAGMENT_END.search(tail[-1024:]):
            return "HTML fragment cut inside its last element (truncated)"
        return None
    head = body[:65536].removeprefix(_BOM)
    root = _XML_ROOT.match(head)
    if root is None:
        return None  # not XML after all: its parser says what it is
    name = root.group(1)
    stripped = tail.rstrip()
    if stripped.endswith(b"</" + name + b">") or re.search(
        rb"</" + re.escape(name) + rb"\s*>" + _COMMENTS + rb"\s*$", stripped[-1024:], re.S
    ):
        return None
    if re.match(rb"\s*<" + re.escape(name) + rb"\b[^>]*/>\s*$", head[root.start(1) - 1 :]):
        return None  # an empty root: <urlset/>
    return f"XML cut before </{name.decode('ascii', 'replace')}> (truncated)"
