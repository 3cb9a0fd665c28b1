"""Whether an answer is a bot challenge: a tiny page whose only content is a script that sets a
cookie and reloads (or redirects), which a firewall in front of a site serves, status 200, to
clients that run no JavaScript, instead of the page asked for.

Seen on a Vietnamese government site (mod.gov.vn, 2026-10-06, byte-exact capture in the tool
library: a "Cloudrity" server answering even robots.txt, 177 bytes, ``text/html;
charset=utf-8,gbk``): ``<html><body><script>document.cookie="D1N=…"+"; expires=…; path=/";
window.location.reload(true);</script></body></html>``. mst.gov.vn may sit behind the same kind
of firewall. Such an answer is no page of the site: read as one it would be an empty home page,
a listing without articles, an article "without a title, date or body", and the run would
report markup drift or a missing menu where the truth is that the site was not reached. The
crawler runs no scripts and does not play the firewall's game: the answer is a failure of
its request, named as what it is (docs/crawling.md).

Pure: bytes in, a short description or None out. A page of the site is never taken for a
challenge: one is small (at most :data:`MAX_BYTES`), has a script that writes
``document.cookie`` and then navigates (``location.reload``/``replace``/``assign``/``href``,
or assigns ``location``), and shows next to no text (at most :data:`MAX_TEXT` characters
outside its scripts and tags, a "please enable JavaScript" line at most).
"""

from __future__ import annotations

import re

MAX_BYTES = 8192  # a real page of either portal is 20 KB or more (docs/replica.md)
MAX_TEXT = 300  # characters of text outside scripts and tags

_SCRIPT = re.compile(rb"<script\b[^>]*>(.*?)(?:</script\s*>|$)", re.IGNORECASE | re.DOTALL)
_COOKIE = re.compile(rb"document\s*\.\s*cookie\s*=(?!=)", re.IGNORECASE)
_NAVIGATES = re.compile(
    rb"location\s*\.\s*(?:reload|replace|assign)\s*\(|location(?:\s*\.\s*href)?\s*=(?!=)",
    re.IGNORECASE,
)
_COOKIE_NAME = re.compile(rb"""document\s*\.\s*cookie\s*=\s*["']\s*([A-Za-z0-9_\-]{1,64})=""")
_TAG = re.compile(rb"<[^>]*>")
_SPACE = re.compile(rb"\s+")


def bot_challenge(body: bytes) -> str | None:
    """A short description of the challenge ``body`` is (naming the cookie it sets when it can
    be read), or None when ``body`` is not one."""
    if len(body) > MAX_BYTES or b"cookie" not in body.lower():
        return None
    scripts = [m.group(1) for m in _SCRIPT.finditer(body)]
    code = b"\n".join(scripts)
    if not _COOKIE.search(code) or not _NAVIGATES.search(code):
        return None
    text = _SPACE.sub(b" ", _TAG.sub(b" ", _SCRIPT.sub(b" ", body))).strip()
    if len(text) > MAX_TEXT:
        return None
    name = _COOKIE_NAME.search(code)
    cookie = f"cookie {name.group(1).decode('ascii')}" if name else "a cookie"
    return f"a bot challenge (a script that sets {cookie} and reloads the page), not the page"
