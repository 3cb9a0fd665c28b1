"""Plain-text output of the archivists' commands: result tables, one article, diffs, stats.

Pure functions from the dicts/dataclasses of :mod:`archive.queries` to text; the CLI prints
them. No SQL, no I/O, no colour (the CLI adds colour to diff lines when writing to a terminal).
"""

from __future__ import annotations

import difflib
import re
import textwrap
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archive.normalize import split_body
from archive.worddiff import Segment, line_changes

if TYPE_CHECKING:
    from archive.queries import SearchHit

WIDTH = 100  # wrap width of running text

# What a terminal may act on rather than show: C0 controls but tab and newline (ESC starts
# colour, title and clipboard sequences; BEL, CR, backspace move or beep), DEL, the C1 controls
# (8-bit CSI and OSC) and the bidi embeddings, overrides and isolates, which reorder the text.
_TERMINAL_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def escape_controls(text: str) -> str:
    """``text`` safe to print on a terminal: each control character shown as ``\\uXXXX``.

    Tab and newline are kept. The escape is JSON's own, so a JSON document passed through
    stays valid and means the same (its strings are the only place such characters can be).
    Every command printing archived text (``show``, ``search``, ``diff``, ``stats``) uses it.
    """
    return _TERMINAL_UNSAFE.sub(_escape, text) if _TERMINAL_UNSAFE.search(text) else text


def _width(text: str) -> int:
    """Display width in a terminal: East Asian wide characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _cut(text: str, width: int) -> str:
    if _width(text) <= width:
        return text
    out, used = [], 0
    for ch in text:
        w = _width(ch)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…"


def _pad(text: str, width: int) -> str:
    text = _cut(text, width)
    return text + " " * (width - _width(text))


def table(headers: Sequence[str], rows: Iterable[Sequence[object]], max_width: int = 60) -> str:
    """A left-aligned text table, each column as wide as its widest cell (capped)."""
    cells = [[("" if v is None else str(v)) for v in row] for row in rows]
    widths = [
        min(max_width, max([_width(h)] + [_width(r[i]) for r in cells]))
        for i, h in enumerate(headers)
    ]
    lines = [
        "  ".join(_pad(h, w) for h, w in zip(headers, widths, strict=True)).rstrip(),
        "  ".join("-" * w for w in widths),
    ]
    lines += ["  ".join(_pad(c, w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    return "\n".join(lines)


# --- search ---------------------------------------------------------------------------------

LEGACY_PORTAL = "most"  # its articles are named by their bare id, as before there were two


def article_label(portal: str, site_id: int) -> str:
    """How text output names an article: the bare id on the legacy portal (as it always did),
    the key (``mst:197…``) on the others. Either is accepted by show and diff."""
    return str(site_id) if portal == LEGACY_PORTAL else f"{portal}:{site_id}"


WITHDRAWN_MARK = "[WITHDRAWN from the site]"


def matches_line(total: int, query: str) -> str:
    """``"1 article matches 'q'"`` / ``"N articles match 'q'"`` (N with thousands separators)."""
    if total == 1:
        return f"1 article matches {query!r}"
    return f"{total:,} articles match {query!r}"


def search_results(
    hits: Sequence[SearchHit], query: str, *, total: int | None = None, offset: int = 0
) -> str:
    """Hits as a numbered table (id or key, date, category, title), each followed by its snippet.

    ``total`` is the number of matching articles in all (default: ``len(hits)``) and
    ``offset`` the number of hits before these; the first line says both ("N articles match
    'q', showing A–B").
    """
    total = len(hits) if total is None else total
    if total == 0:
        return f"No articles match {query!r}.\n"
    if not hits:
        return f"{matches_line(total, query)}; none after the first {offset:,}.\n"
    first, last = offset + 1, offset + len(hits)
    lines = [
        f"{matches_line(total, query)}, showing {first:,}–{last:,} (exact-diacritic "
        "matches first; * = matched only without diacritics)",
        "",
    ]
    id_w = max(len(article_label(h.portal, h.site_id)) for h in hits)
    num_w = max(3, len(str(last)))
    for n, h in enumerate(hits, first):
        date = (h.published_at or "")[:10] or "----------"
        mark = " " if h.exact else "*"
        label = article_label(h.portal, h.site_id)
        head = f"{n:>{num_w}}{mark} {label:>{id_w}}  {date}  {_cut(h.category or '-', 24)}"
        lines.append(head)
        indent = " " * (num_w + 3)
        title = h.title if not h.withdrawn_at else f"{WITHDRAWN_MARK} {h.title}"
        lines.append(indent + _cut(title, WIDTH - len(indent)))
        if h.snippet:
            lines += textwrap.wrap(
                h.snippet, WIDTH, initial_indent=indent, subsequent_indent=indent
            )
        lines.append(indent + h.url)
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


# --- show -----------------------------------------------------------------------------------


def _wrap(text: str, indent: str = "  ") -> list[str]:
    return textwrap.wrap(text, WIDTH, initial_indent=indent, subsequent_indent=indent) or [""]


def _file_line(path: str | None, files_dir: Path | None) -> str:
    if not path:
        return "not downloaded"
    return str(files_dir / path) if files_dir else path


def article(a: dict[str, Any], files_dir: Path | None = None) -> str:
    """One article in full: header fields, lead, body, images, attachments, revision list."""
    cats = ", ".join(f"{c['name']} ({c['id']})" for c in a.get("categories", [])) or "-"
    lines = [
        a["title"],
        "=" * min(WIDTH, max(1, _width(a["title"]))),
        f"id:           {a['site_id']}",
        f"key:          {a.get('key') or '-'}",
        f"url:          {a['url']}",
        f"published:    {a.get('published_at') or '-'}",
        f"category:     {a.get('category') or '-'}",
        f"listed in:    {cats}",
        f"source:       {a.get('source') or '-'}",
        f"author:       {a.get('author') or '-'}",
        f"tags:         {', '.join(a.get('tags') or []) or '-'}",
        f"parser:       {a.get('parser') or '-'}",
        f"revision:     {a.get('revision')} (first seen {a.get('first_seen')}, "
        f"last seen {a.get('last_seen')}, last changed {a.get('last_changed')})",
        "",
    ]
    if a.get("withdrawn_at"):
        lines[2:2] = [
            WITHDRAWN_MARK + f" (a re-check found it gone on {a['withdrawn_at']}; "
            "the archived copy is kept)",
            "",
        ]
    if a.get("lead"):
        lines += ["Lead:", *_wrap(a["lead"]), ""]
    paragraphs = split_body(a.get("body"))
    lines.append(f"Body ({len(paragraphs)} paragraph{'s' if len(paragraphs) != 1 else ''}):")
    for p in paragraphs:
        lines += [*_wrap(p), ""]
    if not paragraphs:
        lines.append("")
    images = a.get("images", [])
    lines.append(f"Images ({len(images)}):")
    for i, img in enumerate(images, 1):
        lines.append(f"  {i}. {img['url']}")
        lines.append(f"     caption: {img.get('caption') or '-'}")
        if img.get("alt"):
            lines.append(f"     alt:     {img['alt']}")
        lines.append(f"     file:    {_file_line(img.get('path'), files_dir)}")
    attachments = a.get("attachments", [])
    lines += ["", f"Attachments ({len(attachments)}):"]
    for i, att in enumerate(attachments, 1):
        lines.append(f"  {i}. {att.get('title') or '-'}")
        lines.append(f"     url:     {att['url']}")
        lines.append(f"     file:    {_file_line(att.get('path'), files_dir)}")
    revisions = a.get("revisions", [])
    lines += ["", f"Revisions ({len(revisions)}, oldest first):"]
    for r in revisions:
        lines.append(
            f"  {r['revision']:>3}  first seen {r['first_seen']}  last seen "
            f"{r['last_seen']}  {r.get('reason') or ''}  {r.get('parser') or ''}".rstrip()
        )
        lines.append(f"       {_cut(r['title'], WIDTH - 7)}")
    return "\n".join(lines).rstrip() + "\n"


# --- diff -----------------------------------------------------------------------------------


def revision_lines(rev: dict[str, Any]) -> list[str]:
    """A revision as lines for diffing: one line per field, per paragraph, per caption."""
    lines = [f"title: {rev.get('title') or ''}", f"lead: {rev.get('lead') or ''}", "body:"]
    lines += [f"  {p}" for p in split_body(rev.get("body"))]
    lines.append("captions:")
    for img in rev.get("images") or []:
        if isinstance(img, dict):
            lines.append(f"  {img.get('caption') or '(no caption)'}  <{img.get('url', '')}>")
    attachments = rev.get("attachments") or []
    if attachments:
        lines.append("attachments:")
        lines += [
            f"  {t.get('title') or '(no title)'}  <{t.get('url', '')}>"
            for t in attachments
            if isinstance(t, dict)
        ]
    lines.append(f"source: {rev.get('source') or ''}")
    # Only where present, so two revisions from before there were authors and tags (or of a
    # portal without them) compare as they always did.
    if rev.get("author"):
        lines.append(f"author: {rev['author']}")
    if rev.get("tags"):
        lines.append("tags: " + ", ".join(str(t) for t in rev["tags"]))
    return lines


def revision_diff(article: int | str, old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """A unified diff (lines without newlines) of two revisions of one article.

    ``article`` names it in the labels: its key (``mst:197…``) or site id.
    """
    return list(
        difflib.unified_diff(
            revision_lines(old),
            revision_lines(new),
            fromfile=_revision_label(article, old),
            tofile=_revision_label(article, new),
            lineterm="",
            n=1,
        )
    )


def _revision_label(article: int | str, r: dict[str, Any]) -> str:
    return f"article {article} revision {r['revision']} (first seen {r['first_seen']})"


def revision_word_diff(
    article: int | str, old: dict[str, Any], new: dict[str, Any], context: int = 1
) -> list[tuple[str, list[Segment]]]:
    """Two revisions compared word by word within changed lines, as ``(prefix, segments)``.

    The prefixes: ``---`` and ``+++`` (the two labels, as in a unified diff), ``@@`` (a gap
    in the unchanged lines), ``' '`` kept, ``-`` removed, ``+`` added, ``~`` changed (its
    segments say which words went and came). ``context`` unchanged lines are kept around each
    change. Empty when the revisions have the same text.
    """
    changes = line_changes(revision_lines(old), revision_lines(new))
    changed = [i for i, c in enumerate(changes) if c.kind != "="]
    if not changed:
        return []
    keep = {j for i in changed for j in range(i - context, i + context + 1)}
    out: list[tuple[str, list[Segment]]] = [
        ("---", [("=", _revision_label(article, old))]),
        ("+++", [("=", _revision_label(article, new))]),
    ]
    last = -2
    for i, c in enumerate(changes):
        if i not in keep:
            continue
        if i != last + 1:
            out.append(("@@", []))
        last = i
        if c.kind == "~":
            out.append(("~", c.segments))
        else:
            text = c.new if c.kind == "+" else c.old
            out.append((" " if c.kind == "=" else c.kind, [("=", text or "")]))
    return out


def plain_word_line(prefix: str, segments: list[Segment]) -> str:
    """One line of :func:`revision_word_diff` as text without colour: removed words
    ``[-like this-]``, added ``{+like this+}`` (git's ``--word-diff=plain``)."""
    marks = {"=": ("", ""), "-": ("[-", "-]"), "+": ("{+", "+}")}
    body = "".join(f"{marks[op][0]}{text}{marks[op][1]}" for op, text in segments)
    return (
        prefix
        if prefix == "@@"
        else f"{prefix} {body}"
        if prefix in ("---", "+++")
        else f"{prefix}{body}"
    )


# --- stats ----------------------------------------------------------------------------------


def _bytes(n: int) -> str:
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"  # pragma: no cover


def stats(s: dict[str, Any]) -> str:
    """The ``stats`` overview as text sections."""
    lines = [
        f"Articles:     {s['articles']} ({s['revisions']} revisions), published "
        f"{(s['oldest'] or '-')[:10]} … {(s['newest'] or '-')[:10]}",
        f"Images:       {s['images']}    Attachments: {s['attachments']}",
        f"Files:        {s['files']} downloaded, {_bytes(s['file_bytes'])}",
        f"Raw pages:    {s['raw_pages']}",
        "",
        "By portal:",
        table(
            ["portal", "articles", "oldest", "newest"],
            [
                (r["portal"], r["articles"], (r["oldest"] or "-")[:10], (r["newest"] or "-")[:10])
                for r in s.get("by_portal", [])
            ],
        ),
        "",
        "By category:",
        table(["category", "articles"], [(r["category"], r["articles"]) for r in s["by_category"]]),
        "",
        "By year:",
        table(["year", "articles"], [(r["year"], r["articles"]) for r in s["by_year"]]),
        "",
        "Last runs:",
    ]
    if s["runs"]:
        lines.append(
            table(
                [
                    "run",
                    "started",
                    "finished",
                    "portal",
                    "mode",
                    "outcome",
                    "pages",
                    "new",
                    "updated",
                    "errors",
                ],
                [
                    (
                        r["id"],
                        r["started_at"],
                        r["finished_at"] or "-",
                        r.get("portal") or "-",
                        r["mode"] or "-",
                        r["outcome"],
                        r["pages_fetched"],
                        r["articles_new"],
                        r["articles_updated"],
                        r["errors"],
                    )
                    for r in s["runs"]
                ],
            )
        )
        # a site that moved host (a fallback host, or a redirect within its portal's hosts)
        lines += [
            f"  run {r['id']}: {r['site']} was served by {r['site_served']}"
            for r in s["runs"]
            if r.get("site_served") not in (None, r.get("site"))
        ]
    else:
        lines.append("  (no runs recorded)")
    errs = s["open_errors"]
    kinds = ", ".join(f"{k} {v}" for k, v in errs["by_kind"].items())
    lines += ["", f"Open fetch errors: {errs['count']}" + (f" ({kinds})" if kinds else "")]
    if errs.get("by_reason"):
        lines.append(
            table(
                ["reason", "errors"],
                [(r["reason"], r["count"]) for r in errs["by_reason"]],
                max_width=80,
            )
        )
        lines += ["", f"Most recent {len(errs['recent'])}:"]
    if errs["recent"]:
        lines.append(
            table(
                ["kind", "status", "attempts", "last failed", "url", "reason"],
                [
                    (
                        e["kind"],
                        e["status"] or "-",
                        e["attempts"],
                        e["last_failed"],
                        e["url"],
                        e.get("reason") or "-",
                    )
                    for e in errs["recent"]
                ],
                max_width=80,
            )
        )
    for walk in s.get("unfinished_walks") or []:
        lines += [
            "",
            f"Unfinished walk of {walk['site']} (run {walk['run_id']} ran out of time): "
            f"{walk['listings']} listing pages and {walk['articles']} articles left for "
            "the next run",
        ]
    lines += _parse_quality(s.get("parse_quality"))
    for drifted in s.get("listing_drift") or []:
        lines += [
            "",
            f"LISTING DRIFT on portal {drifted['portal']} (run {drifted['run']}, "
            f"{drifted['site']}): none of its {drifted['first_pages']} first listing pages "
            "lists an article link (the listing markup, or the article URLs, changed?), e.g.:",
            *(f"  {url}" for url in drifted["examples"]),
        ]
    return "\n".join(lines).rstrip() + "\n"


def _parse_quality(q: dict[str, Any] | None) -> list[str]:
    """The ``stats`` section on markup drift: each portal's recent parses, alarms first."""
    if not q or not q["portals"]:
        return []
    rule = q["rule"]
    lines = [
        "",
        f"Parse quality (last {rule['window']} articles per portal; drift at "
        f">= {rule['threshold']:.0%} degraded, {rule['min_samples']}+ samples):",
        table(
            ["portal", "samples", "degraded", "fallback", "share", "state"],
            [
                (
                    p["portal"],
                    p["samples"],
                    p["degraded"],
                    p["fallback"],
                    f"{p['share']:.0%}",
                    "MARKUP DRIFT" if p["drifted"] else "ok",
                )
                for p in q["portals"]
            ],
        ),
    ]
    for p in q["portals"]:
        if p["drifted"]:
            lines.append(f"Markup drift on portal {p['portal']}, e.g.:")
            lines += [f"  {e['url']}  ({e['reason']})" for e in p["examples"]]
    return lines
