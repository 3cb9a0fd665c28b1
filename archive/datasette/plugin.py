"""The Datasette plugin of ``most-archive serve``: search functions, year facet, article pages.

Registered by :func:`archive.serve.build_datasette` (never through an entry point, so a plain
``datasette`` run elsewhere is not affected). Every hook acts only on the database named
``archive``:

- ``prepare_connection``: a busy timeout and ``query_only`` on each read-only connection, and
  the SQL functions ``most_match(q)`` / ``most_match_exact(q)`` (a typed query → a safe FTS5
  expression, folded or as typed), ``most_fold(text)``, and ``escape_fts`` replaced by the
  folded version, so the table search box ignores diacritics too;
- ``register_facet_classes``: a ``year`` facet (``{"year": "published_at"}`` in metadata);
- ``register_routes``: ``/-/article/{key}`` (the article with its images and captions; a key
  ``mst:197250704101929995``, a bare id, or ``/-/article?url=URL``) and ``/-/files/{path}``
  (a downloaded image or attachment from the files folder);
- ``render_cell``: titles link to the article page (by key: an 18-digit id is never rounded),
  file paths to the file;
- ``asgi_wrapper``: raw blobs and HTML copies are left out of the default table views; a
  search nested too deeply (``q``, ``_search``, ``_search_COLUMN``, raw mode included), and a
  NUL character (``%00``) anywhere in the query string, are refused with HTTP 400 and a
  message before any SQL runs; the first page of a table sorted by a column that ties
  (:data:`KEY_ORDERED_SORTS`) is asked for in the order of the pages after it, so paging
  reaches every row once (:func:`first_page_in_key_order`);
- ``handle_exception``: a request Datasette's table and row views cannot run because of what
  it asks (a column to sort by that is not there, a number beyond 64 bits or not in ASCII
  digits, a NUL character, JSON that is not, a bad ``_through``, a short row key) is a 400
  with a message, not a 500 (:func:`request_problem`);
- ``menu_links``: "Latest articles" and "Search articles" (every hit, page by page:
  :mod:`archive.datasette.pages`, which also shows any revision and a word-level diff) in the
  menu.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any, TypeVar, cast
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from datasette import hookimpl as _hookimpl
from datasette.database import QueryInterrupted
from datasette.facets import Facet
from datasette.utils import (
    escape_sqlite,
    path_with_added_args,
    path_with_removed_args,
    tilde_encode,
)
from datasette.utils.asgi import NotFound, Response, asgi_send_file
from datasette.views.base import DatasetteError
from markupsafe import Markup, escape

from archive.datasette import pages
from archive.files import CONTENT_TYPE_EXTENSIONS, resolve
from archive.normalize import fold, fold_sql
from archive.queries import AmbiguousArticle, ArticleRef, resolve_article
from archive.search import QueryError, check_nesting, only_exclusions, parse_query, to_fts

DATABASE = "archive"  # the name the archive is always served under
PLUGIN = "most-archive"  # key of this plugin's settings in the metadata ("files_dir")
BUSY_TIMEOUT_MS = 5_000
NOTHING = '""'  # an FTS5 expression that is valid and matches no row

# Columns left out of the default views of a table (the JSON/CSV too); ?_col= brings them back.
HIDDEN_BY_DEFAULT: dict[str, tuple[str, ...]] = {
    "raw_pages": ("body",),
    "articles": ("body_html", "body_html_packed"),
    "revisions": ("body_html", "packed"),
    "raw_page_dictionaries": ("content",),
}
_TABLE_PATH = re.compile(rf"^/{DATABASE}/(?P<table>[a-z_]+)(?:\.(?:json|csv))?$")

# The files the archive stores have one of a fixed set of extensions (archive.files): serve
# each with its own type, and everything but images as a download.
_EXTENSION_TYPES = {ext: ctype for ctype, ext in reversed(CONTENT_TYPE_EXTENSIONS.items())}
_EXTENSION_TYPES[".jpeg"] = "image/jpeg"

Row = dict[str, Any]
F = TypeVar("F", bound=Callable[..., Any])


def hookimpl(func: F) -> F:
    """Datasette's ``hookimpl``, typed."""
    return cast(F, _hookimpl(func))


def hookimpl_last(func: F) -> F:
    """``hookimpl(trylast=True)``: runs after Datasette's own implementation."""
    return cast(F, _hookimpl(trylast=True)(func))


# --- search -------------------------------------------------------------------------------


def match_folded(query: str | None) -> str:
    """The FTS5 expression for ``query`` against the folded index (``articles_fts``).

    An empty or malformed query becomes an expression that matches nothing, never an error.
    """
    try:
        return to_fts(parse_query(query or ""), fold)
    except ValueError:  # QueryError, or exclusions only ("-dien"): no single FTS5 expression
        return NOTHING


def match_exact(query: str | None) -> str:
    """The FTS5 expression for ``query`` against the exact index (``articles_fts_exact``)."""
    try:
        return to_fts(parse_query(query or ""), lambda token: token)
    except ValueError:
        return NOTHING


def query_problem(query: str | None) -> str | None:
    """Why ``query`` cannot be searched (the parser's message for the user), or None."""
    if not query or not query.strip():
        return None
    try:
        node = parse_query(query)
    except QueryError as exc:
        return str(exc)
    if only_exclusions(node) is not None:
        return (
            "a query of exclusions only (-word) lists every article but those: the full "
            "search page (/-/search) runs it"
        )
    return None


@hookimpl_last
def prepare_connection(conn: sqlite3.Connection, database: str) -> None:
    if database != DATABASE:
        return
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA query_only = 1")
    conn.create_function("most_match", 1, match_folded, deterministic=True)
    conn.create_function("most_match_exact", 1, match_exact, deterministic=True)
    conn.create_function("most_fold", 1, fold_sql, deterministic=True)
    # Datasette's table search box sends ?_search= through escape_fts(); ours folds it.
    conn.create_function("escape_fts", 1, match_folded, deterministic=True)


@hookimpl
def extra_template_vars(database: str | None, request: Any) -> dict[str, Any]:
    """``most_query_problem``: for the search page, why the typed query is malformed."""
    if database != DATABASE or request is None:
        return {}
    return {"most_query_problem": query_problem(request.args.get("q"))}


# --- the year facet -------------------------------------------------------------------------


class YearFacet(Facet):  # type: ignore[misc]
    """Facet by the year of an ISO date column; selecting a year filters ``col__startswith``."""

    type = "year"

    async def suggest(self) -> list[dict[str, Any]]:
        return []

    async def facet_results(self) -> tuple[list[dict[str, Any]], list[str]]:
        results: list[dict[str, Any]] = []
        timed_out: list[str] = []
        args = dict(self.get_querystring_pairs())
        size = self.get_facet_size()
        for source_and_config in self.get_configs():
            config = source_and_config["config"]
            column = config.get("column") or config["simple"]
            col = escape_sqlite(column)
            sql = (
                f"select substr({col}, 1, 4) as value, count(*) as count from ({self.sql}) "
                f"where {col} glob '[0-9][0-9][0-9][0-9]*' "
                f"group by value order by value desc limit {size + 1}"
            )
            try:
                rows = await self.ds.execute(
                    self.database,
                    sql,
                    self.params,
                    truncate=False,
                    custom_time_limit=self.ds.setting("facet_time_limit_ms"),
                )
            except QueryInterrupted:
                timed_out.append(column)
                continue
            values = []
            key = f"{column}__startswith"
            for row in rows.rows[:size]:
                selected = args.get(key) == str(row["value"])
                if selected:
                    path = path_with_removed_args(self.request, {key: str(row["value"])})
                else:
                    path = path_with_added_args(self.request, {key: row["value"]})
                values.append(
                    {
                        "value": row["value"],
                        "label": row["value"],
                        "count": row["count"],
                        "toggle_url": self.ds.absolute_url(self.request, path),
                        "selected": selected,
                    }
                )
            results.append(
                {
                    "name": column,
                    "type": self.type,
                    "results": values,
                    "hideable": source_and_config["source"] != "metadata",
                    "toggle_url": path_with_removed_args(self.request, {"_facet_year": column}),
                    "truncated": len(rows.rows) > size,
                }
            )
        return results, timed_out


@hookimpl
def register_facet_classes() -> list[type]:
    return [YearFacet]


# --- pages ----------------------------------------------------------------------------------


def files_dir(datasette: Any) -> Path | None:
    config = datasette.plugin_config(PLUGIN) or {}
    value = config.get("files_dir")
    return Path(value) if value else None


def file_url(datasette: Any, rel_path: str | None) -> str | None:
    """The URL of a stored file, or None when it is not on disk."""
    folder = files_dir(datasette)
    if not rel_path or folder is None:
        return None
    try:
        target = resolve(folder, rel_path)
    except ValueError:
        return None
    if not target.is_file():
        return None
    return str(datasette.urls.path("/-/files/" + quote(rel_path)))


def web_link(url: str | None) -> str | None:
    """``url`` if it is an http(s) URL (safe as a link's href), else None: shown as text."""
    if url and urlsplit(url.strip()).scheme.lower() in ("http", "https"):
        return url.strip()
    return None


async def _rows(datasette: Any, sql: str, params: dict[str, Any]) -> list[Row]:
    db = datasette.get_database(DATABASE)
    results = await db.execute(sql, params)
    return [dict(r) for r in results.rows]


ARTICLE_SQL = """
select id, site_id, url, title, lead, body, published_at, category, source, parser, revision,
       first_seen, last_seen, last_changed, portal, author, tags, key, withdrawn_at
from articles where portal = :portal and site_id = :site_id
"""
IMAGES_SQL = """
select i.position, i.url, i.caption, i.alt, f.path as file_path, f.content_type
from images i left join files f on f.url = i.url
where i.portal = :portal and i.site_id = :site_id order by i.position
"""
ATTACHMENTS_SQL = """
select a.position, a.url, a.title, f.path as file_path, f.size
from attachments a left join files f on f.url = a.url
where a.portal = :portal and a.site_id = :site_id order by a.position
"""
CATEGORIES_SQL = """
select c.portal, c.id, c.name from article_categories ac
join categories c on c.portal = ac.portal and c.id = ac.category_id
where ac.portal = :portal and ac.site_id = :site_id order by c.name
"""
REVISIONS_SQL = """
select revision, title, reason, first_seen, last_seen from revisions
where portal = :portal and site_id = :site_id order by revision
"""


def _resolve(conn: sqlite3.Connection, ref: str) -> ArticleRef | None:
    """:func:`archive.queries.resolve_article` on one of Datasette's read-only connections."""
    import sqlite_utils

    db = sqlite_utils.Database(conn, execute_plugins=False, recursive_triggers=False)
    return resolve_article(db, ref)


async def article_view(datasette: Any, request: Any) -> Response:
    ref = request.url_vars.get("ref") or request.args.get("url") or request.args.get("ref")
    if not ref:
        raise NotFound("Give an article: /-/article/{key}, /-/article/{id} or ?url=URL")
    try:
        found_ref = await datasette.get_database(DATABASE).execute_fn(
            lambda conn: _resolve(conn, ref)
        )
    except AmbiguousArticle as exc:
        links = [_link(datasette.urls.path(f"/-/article/{k}"), k) for k in exc.keys]
        message = Markup(f"Id {exc.site_id} is an article of several portals: ") + Markup(
            ", "
        ).join(links)
        return Response.html(
            await datasette.render_template(
                "error.html",
                {"ok": False, "error": message, "status": 400, "title": "Which article?"},
                request=request,
            ),
            status=400,
        )
    if found_ref is None:
        raise NotFound(f"No archived article matches {ref}")
    params: dict[str, Any] = {"portal": found_ref.portal, "site_id": found_ref.site_id}
    found = await _rows(datasette, ARTICLE_SQL, params)
    if not found:
        raise NotFound(f"No archived article matches {ref}")
    article = found[0]
    article["tags"] = _tags(article["tags"])
    images = await _rows(datasette, IMAGES_SQL, params)
    for image in images:
        image["src"] = file_url(datasette, image["file_path"])
        image["link"] = web_link(image["url"])
    attachments = await _rows(datasette, ATTACHMENTS_SQL, params)
    for attachment in attachments:
        attachment["href"] = file_url(datasette, attachment["file_path"])
        attachment["link"] = web_link(attachment["url"])
    article["link"] = web_link(article["url"])
    paragraphs = [p for p in (article["body"] or "").split("\n\n") if p.strip()]
    context = {
        "article": article,
        "paragraphs": paragraphs,
        "images": images,
        "attachments": attachments,
        "categories": await _rows(datasette, CATEGORIES_SQL, params),
        "revisions": await _rows(datasette, REVISIONS_SQL, params),
        "database": DATABASE,
    }
    html = await datasette.render_template("article.html", context, request=request)
    return Response.html(html)


async def file_view(datasette: Any, request: Any, send: Any) -> None:
    folder = files_dir(datasette)
    rel_path = request.url_vars["path"]
    if folder is None:
        raise NotFound("This archive has no files folder")
    try:
        target = resolve(folder, rel_path)
    except ValueError as exc:
        raise NotFound("No such file") from exc
    if not target.is_file():
        raise NotFound("No such file")
    content_type = _EXTENSION_TYPES.get(target.suffix.lower(), "application/octet-stream")
    headers = {"x-content-type-options": "nosniff", "cache-control": "max-age=3600"}
    filename = None if content_type.startswith("image/") else target.name
    await asgi_send_file(
        send, target, filename=filename, content_type=content_type, headers=headers
    )


def _tags(text: str | None) -> list[str]:
    try:
        value = json.loads(text or "[]")
    except json.JSONDecodeError:
        return []
    return [str(t) for t in value] if isinstance(value, list) else []


@hookimpl
def register_routes() -> list[tuple[str, Callable[..., Awaitable[Any]]]]:
    return [
        (r"^/-/article/(?P<ref>(?:[a-z][a-z0-9_-]*:)?[0-9]{1,19})$", article_view),
        (r"^/-/article$", article_view),
        (r"^/-/files/(?P<path>[0-9a-f]{2}/[0-9a-f]{2}/[0-9a-f]{64}\.[a-z]{2,4})$", file_view),
        *pages.ROUTES,  # /-/search, /-/article/{ref}/revision/{n}, /-/article/{ref}/diff/{a}/{b}
    ]


# --- cells, menu ----------------------------------------------------------------------------


def _link(href: str, text: Any) -> Markup:
    return Markup(f'<a href="{escape(href)}">{escape(str(text))}</a>')


@hookimpl
def render_cell(
    row: Any, value: Any, column: str, table: str | None, database: str, datasette: Any
) -> Markup | None:
    if database != DATABASE or value in (None, ""):
        return None
    keys = row.keys() if hasattr(row, "keys") else []
    if column == "title" and table in (None, "articles") and "site_id" in keys:
        portal = row["portal"] if "portal" in keys else None
        if "key" in keys and row["key"]:
            ref = str(row["key"])
        elif portal:
            ref = f"{portal}:{int(row['site_id'])}"
        else:  # a query of its own without the portal: the bare id (the page says if it is two)
            ref = str(int(row["site_id"]))
        return _link(datasette.urls.path(f"/-/article/{ref}"), value)
    if column == "path" and table == "files":
        href = file_url(datasette, str(value))
        return _link(href, value) if href else None
    return None


@hookimpl
def menu_links(datasette: Any) -> list[dict[str, str]]:
    return [
        {"href": datasette.urls.path(f"/{DATABASE}/latest"), "label": "Latest articles"},
        {"href": datasette.urls.path("/-/search"), "label": "Search articles"},
    ]


# --- hiding raw blobs -----------------------------------------------------------------------

Scope = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Any, Any], Awaitable[None]]


def hide_columns(scope: Scope) -> Scope:
    """``scope`` with ``_nocol=`` added for the hidden columns, unless the request chose columns.

    Applies to the HTML, JSON and CSV views of a table in :data:`HIDDEN_BY_DEFAULT`.
    """
    match = _TABLE_PATH.match(scope.get("path", ""))
    if not match or match["table"] not in HIDDEN_BY_DEFAULT:
        return scope
    query = scope.get("query_string", b"").decode("latin-1")
    if any(key in ("_col", "_nocol") for key, _ in parse_qsl(query, keep_blank_values=True)):
        return scope
    extra = "&".join(f"_nocol={c}" for c in HIDDEN_BY_DEFAULT[match["table"]])
    new = dict(scope)
    new["query_string"] = (f"{query}&{extra}" if query else extra).encode("latin-1")
    return new


# --- paging that reaches every row -----------------------------------------------------------
# Datasette (0.65; its 1.0 alphas the same) orders a table's first page by the sort column
# alone, and every later page by the sort column then the primary key, which is also what its
# ``_next`` token assumes: rows tying on the sort column across the first page's end (articles
# published in the same minute) were on no page, or on two. A first page asked for with a
# ``_next`` that every row passes is ordered like the later ones. Only for the tables whose
# default order is such a column, sorted by it: their primary key is the integer ``id``.
KEY_ORDERED_SORTS = {"articles": "published_at", "fetch_errors": "last_failed"}
# A _next sort value above every stored text and number (SQLite orders numbers before text),
# and an id below every row's: the token's clause then holds for every row.
_ABOVE_EVERY_VALUE = "\U0010ffff"
_BELOW_EVERY_ID = str(-(2**63))


def first_page_in_key_order(datasette: Any, scope: Scope) -> Scope:
    """``scope`` of a first page of :data:`KEY_ORDERED_SORTS` sorted by its column (by default
    or as asked), with a ``_next`` that selects every row: Datasette then orders it by the sort
    column and ``id``, as it orders the pages after it."""
    match = _TABLE_PATH.match(scope.get("path", ""))
    column = KEY_ORDERED_SORTS.get(match["table"]) if match else None
    if match is None or column is None:
        return scope
    query = scope.get("query_string", b"").decode("latin-1")
    args = dict(parse_qsl(query, keep_blank_values=True))
    if "_next" in args:
        return scope
    sort, sort_desc = args.get("_sort"), args.get("_sort_desc")
    if sort is None and sort_desc is None:
        default = datasette.table_metadata(DATABASE, match["table"])
        if default.get("sort_desc") != column or default.get("sort"):
            return scope
        sort_desc = column
    if not (sort is None and sort_desc == column) and not (sort == column and sort_desc is None):
        return scope
    new = dict(scope)
    if args.get("_stream"):
        # a CSV streamed whole ("stream all rows") may not start from a _next: it is streamed
        # in the order of the row id instead, which no two rows share
        pairs = [
            (key, value)
            for key, value in parse_qsl(query, keep_blank_values=True)
            if key not in ("_sort", "_sort_desc")
        ]
        pairs.append(("_sort" if sort else "_sort_desc", "id"))
        new["query_string"] = urlencode(pairs).encode("latin-1")
        return new
    if sort is None:
        token = f"{tilde_encode(_ABOVE_EVERY_VALUE)},{_BELOW_EVERY_ID}"
    else:
        token = f"$null,{_BELOW_EVERY_ID}"  # (ascending, the empty ones come first)
    extra = f"_next={quote(token, safe='$,~')}"
    new["query_string"] = (f"{query}&{extra}" if query else extra).encode("latin-1")
    return new


# --- refusing searches nested too deeply ----------------------------------------------------


def search_problem(scope: Scope) -> str | None:
    """Why a request's search text cannot be run (nested too deeply), or None.

    Looks at the canned queries' ``q`` and the table search box's ``_search`` and
    ``_search_COLUMN``; with ``_searchmode=raw`` the text is FTS5 syntax, where only the
    straight double quote makes a phrase.
    """
    path = scope.get("path", "")
    if path != f"/{DATABASE}" and not path.startswith((f"/{DATABASE}/", f"/{DATABASE}.")):
        return None
    pairs = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
    raw = ("_searchmode", "raw") in pairs
    for key, value in pairs:
        is_search = key == "_search" or key.startswith("_search_")
        if key != "q" and not is_search:
            continue
        try:
            check_nesting(value, quotes='"') if raw and is_search else check_nesting(value)
        except QueryError as exc:
            return f"Cannot search: {exc}"
    return None


NUL_MESSAGE = "The request holds a NUL character (%00), which no column name or value can hold"


def nul_problem(scope: Scope) -> str | None:
    """Why a request holding a NUL character (``%00``) in its query string or path cannot be
    run, or None. Refused before Datasette sees it: SQLite would refuse it anyway, but only
    after Datasette had started its facets, which it then leaves unawaited (a RuntimeWarning
    on the server's standard error for every such request)."""
    query = scope.get("query_string", b"")
    if b"%00" in query or b"\x00" in query or "\x00" in scope.get("path", ""):
        return NUL_MESSAGE
    return None


async def _error_400(datasette: Any, path: str, message: str, title: str) -> Response:
    """A 400 page in Datasette's own error format (JSON for ``.json`` paths)."""
    info = {"ok": False, "error": message, "status": 400, "title": title}
    if path.endswith(".json"):
        return Response.json(info, status=400)
    template = datasette.jinja_env.select_template(["400.html", "error.html"])
    html = await template.render_async(
        dict(
            info,
            urls=datasette.urls,
            app_css_hash=datasette.app_css_hash(),
            menu_links=lambda: [],
        )
    )
    return Response.html(html, status=400)


async def _bad_request(
    datasette: Any, scope: Scope, send: Any, message: str, title: str = "Invalid search"
) -> None:
    response = await _error_400(datasette, scope.get("path", ""), message, title)
    await response.asgi_send(send)


@hookimpl
def asgi_wrapper(datasette: Any) -> Callable[[ASGIApp], ASGIApp]:
    def wrap(app: ASGIApp) -> ASGIApp:
        async def wrapped(scope: Scope, receive: Any, send: Any) -> None:
            if scope.get("type") == "http":
                nul = nul_problem(scope)
                if nul is not None:
                    await _bad_request(datasette, scope, send, nul, "Invalid request")
                    return
                problem = search_problem(scope)
                if problem is not None:
                    await _bad_request(datasette, scope, send, problem)
                    return
                scope = hide_columns(scope)
                scope = first_page_in_key_order(datasette, scope)
            await app(scope, receive, send)

        return wrapped

    return wrap


# --- requests Datasette cannot run: 400, not 500 --------------------------------------------


def request_problem(exception: BaseException, args: Any) -> str | None:
    """Why a request failed because of what it asked for (answered 400), or None (a fault of
    the server: Datasette's own 500). ``args`` is the request's query string (``request.args``).

    Datasette's table and row views pass the query string's values on as they come and answer
    500 when SQLite or Python refuses them: a number beyond SQLite's 64-bit INTEGER
    (``?site_id__gt=10**23``) or one Python does not read as a number (``?site_id__gt=²``), a
    NUL character (``?_facet=%00``, ``?_where=%00``), a column to sort by that the table does
    not have (``?_sort=x``, raised with status 500), JSON that is not (``?site_id__in=[``), a
    ``_through`` that is not ``{"table", "column", "value"}``, a row key with fewer parts than
    the table's primary key (``/archive/images/1,1``).
    """
    text = str(exception)
    if "_through" in args and isinstance(exception, (KeyError, TypeError, ValueError)):
        return '_through must be a JSON object {"table": …, "column": …, "value": …}'
    if isinstance(exception, OverflowError):
        return "A number in the request is beyond SQLite's 64-bit integers: no row holds it"
    if isinstance(exception, json.JSONDecodeError):
        return f"A value in the request is not valid JSON: {text}"
    if isinstance(exception, ValueError) and text.startswith("invalid literal for int"):
        # Datasette's filters take str.isdigit() for a number: "²" passes it, int() refuses
        return f"A number in the request is not one (ASCII digits 0-9): {text}"
    if isinstance(exception, sqlite3.ProgrammingError) and "null character" in text:
        return NUL_MESSAGE  # nul_problem refuses most such requests before they run
    if isinstance(exception, sqlite3.ProgrammingError) and "supply a value for binding" in text:
        return "The row's key has fewer parts than the table's primary key"
    if (
        isinstance(exception, DatasetteError)
        and exception.status == 500
        and str(exception.message).startswith("Cannot sort table by ")
    ):
        return f"{exception.message}: no such column"
    return None


@hookimpl
def handle_exception(datasette: Any, request: Any, exception: BaseException) -> Any:
    problem = request_problem(exception, request.args)
    if problem is None:
        return None  # Datasette's own handling

    async def inner() -> Response:
        return await _error_400(datasette, request.path, problem, "Invalid request")

    return inner
