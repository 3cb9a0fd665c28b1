"""Reader pages of ``most-archive serve`` beyond Datasette's own: every search hit, page by
page, and any revision of an article with a word-level diff between two.

- ``/-/search?q=QUERY&page=N`` — the search of ``most-archive search`` (same ranking, same
  snippets, :func:`archive.totals.search_page`): "N articles match 'q', showing A–B", then
  the page, with links to every other page, so every hit can be reached; ``portal=P`` is
  ``--portal P`` (one portal's articles only);
- ``/-/article/{ref}/revision/{n}`` — revision ``n`` of an article as it was archived;
- ``/-/article/{ref}/diff/{a}/{b}`` — what changed from revision ``a`` to ``b``, word by word
  within changed paragraphs (:mod:`archive.worddiff`, as ``most-archive diff --word``).

Every page reads through one of Datasette's read-only connections (``execute_fn``) with the
archive's own read functions; nothing here writes.
"""

from __future__ import annotations

import sqlite3
from typing import Any
from urllib.parse import urlencode

from datasette.utils.asgi import NotFound, Response

from archive.queries import (
    AmbiguousArticle,
    ArticleFilter,
    ArticleRef,
    get_revisions,
    resolve_article,
)
from archive.render import revision_lines
from archive.search import QueryError, parse_query
from archive.worddiff import line_changes

DATABASE = "archive"
PAGE_SIZE = 20
MAX_PAGE_SIZE = 200
PAGE_LINKS = 4  # pages linked on each side of the current one (plus the first and the last)


def _db(conn: sqlite3.Connection) -> Any:
    import sqlite_utils

    return sqlite_utils.Database(conn, execute_plugins=False, recursive_triggers=False)


def _int_arg(request: Any, name: str, default: int, low: int, high: int) -> int:
    try:
        value = int(request.args.get(name, default))
    except ValueError:
        return default
    return max(low, min(high, value))


def page_numbers(current: int, last: int) -> list[int | None]:
    """The page numbers to link: the first, the last, and a few around ``current``
    (``None`` where numbers are left out)."""
    shown = sorted(
        {1, last, *range(max(1, current - PAGE_LINKS), min(last, current + PAGE_LINKS) + 1)}
    )
    out: list[int | None] = []
    for n in shown:
        if out and out[-1] is not None and n != out[-1] + 1:
            out.append(None)
        out.append(n)
    return out


async def search_view(datasette: Any, request: Any) -> Response:
    from archive.totals import search_page
    from crawler.portals import portal_names  # the registry of portals (pure, no Scrapy)

    query = (request.args.get("q") or "").strip()
    size = _int_arg(request, "size", PAGE_SIZE, 1, MAX_PAGE_SIZE)
    page = _int_arg(request, "page", 1, 1, 10**9)
    portal = (request.args.get("portal") or "").strip() or None
    portals = portal_names()
    context: dict[str, Any] = {
        "q": query,
        "size": size,
        "page": page,
        "portal": portal,
        "portals": portals,
        "problem": None,
        "result": None,
        "database": DATABASE,
    }
    if query and portal is not None and portal not in portals:
        context["problem"] = f"unknown portal {portal!r} (known: {', '.join(portals)})"
    elif query:
        try:
            node = parse_query(query)
        except QueryError as exc:
            context["problem"] = str(exc)
        else:
            filters = ArticleFilter(portal=portal)
            result = await datasette.get_database(DATABASE).execute_fn(
                lambda conn: search_page(
                    _db(conn), node, filters=filters, limit=size, offset=(page - 1) * size
                )
            )
            last = max(1, -(-result.total // size))
            context["result"] = result
            context["last_page"] = last
            context["pages"] = page_numbers(page, last)

            def link(n: int) -> str:
                args: dict[str, Any] = {"q": query, "page": n}
                if size != PAGE_SIZE:
                    args["size"] = size
                if portal:
                    args["portal"] = portal
                return str(datasette.urls.path("/-/search?" + urlencode(args)))

            context["link"] = link
    html = await datasette.render_template("most-search.html", context, request=request)
    return Response.html(html)


async def _article_revisions(
    datasette: Any, ref: str
) -> tuple[ArticleRef, dict[str, Any], dict[int, dict[str, Any]]]:
    def read(conn: sqlite3.Connection) -> Any:
        db = _db(conn)
        found = resolve_article(db, ref)
        if found is None:
            return None
        row = db.execute(
            "SELECT title, key, revision FROM articles WHERE portal = ? AND site_id = ?",
            [found.portal, found.site_id],
        ).fetchone()
        revisions = get_revisions(db, found.site_id, portal=found.portal)
        return found, {"title": row[0], "key": row[1], "revision": row[2]}, revisions

    try:
        got = await datasette.get_database(DATABASE).execute_fn(read)
    except AmbiguousArticle as exc:
        raise NotFound(
            f"Id {exc.site_id} is an article of several portals: use its key "
            f"({', '.join(exc.keys)})"
        ) from None
    if got is None:
        raise NotFound(f"No archived article matches {ref}")
    found, article, revisions = got
    return found, article, {int(r["revision"]): r for r in revisions}


def _revision(revs: dict[int, dict[str, Any]], number: str, key: str) -> dict[str, Any]:
    rev = revs.get(int(number))
    if rev is None:
        have = ", ".join(map(str, sorted(revs))) or "none"
        raise NotFound(f"Article {key} has no revision {number} (it has {have})")
    return rev


async def revision_view(datasette: Any, request: Any) -> Response:
    _, article, revs = await _article_revisions(datasette, request.url_vars["ref"])
    rev = _revision(revs, request.url_vars["n"], article["key"])
    numbers = sorted(revs)
    context = {
        "article": article,
        "rev": rev,
        "paragraphs": [p for p in (rev.get("body") or "").split("\n\n") if p.strip()],
        "numbers": numbers,
        "previous": max((n for n in numbers if n < rev["revision"]), default=None),
        "database": DATABASE,
    }
    html = await datasette.render_template("most-revision.html", context, request=request)
    return Response.html(html)


async def diff_view(datasette: Any, request: Any) -> Response:
    _, article, revs = await _article_revisions(datasette, request.url_vars["ref"])
    old = _revision(revs, request.url_vars["a"], article["key"])
    new = _revision(revs, request.url_vars["b"], article["key"])
    changes = line_changes(revision_lines(old), revision_lines(new))
    context = {
        "article": article,
        "old": old,
        "new": new,
        "changes": changes,
        "changed": sum(c.kind != "=" for c in changes),
        "numbers": sorted(revs),
        "database": DATABASE,
    }
    html = await datasette.render_template("most-diff.html", context, request=request)
    return Response.html(html)


_REF = r"(?P<ref>(?:[a-z][a-z0-9_-]*:)?[0-9]{1,19})"
ROUTES = [
    (r"^/-/search$", search_view),
    (rf"^/-/article/{_REF}/revision/(?P<n>[0-9]{{1,9}})$", revision_view),
    (rf"^/-/article/{_REF}/diff/(?P<a>[0-9]{{1,9}})/(?P<b>[0-9]{{1,9}})$", diff_view),
]
