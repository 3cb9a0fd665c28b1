"""most-archive: the command line. Thin: parse options, call a function, print.

These are the archive's own commands; ``most_archive.cli`` adds ``crawl`` and ``replica`` (defined
beside their code in ``crawler`` and ``replica``) to make the ``most-archive`` group, so that
``archive`` never imports ``crawler`` or ``replica`` (docs/architecture.md).

Exit codes of the archive's own commands: 0 success; 1 a clean error (no such database, no
such article, …); 2 bad usage (unknown option, malformed search query, bad date).
"""

from __future__ import annotations

import contextlib
import errno
import io
import json
import os
import sqlite3
import stat
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, BinaryIO, ClassVar, TextIO, TypeVar, cast

import click

from archive.defaults import DB_ENV, DEFAULT_DB

if TYPE_CHECKING:
    import sqlite_utils

    from archive.queries import ArticleFilter, ArticleRef
    from archive.search import Node

F = TypeVar("F", bound=Callable[..., Any])


class LazyGroup(click.Group):
    """A group that imports some commands only when they are used (or listed in --help).

    ``serve`` pulls in Datasette; importing it lazily keeps ``search``/``show`` start-up fast.
    """

    lazy_commands: ClassVar[dict[str, tuple[str, str]]] = {
        "serve": ("archive.serve", "serve_command"),
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:  # `most-archive search … | head`: the reader left; no traceback
            _silence_stdout()
            sys.exit(1)

    def main(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().main(*args, **kwargs)
        except OSError as exc:
            # `> /dev/full`, a full disk or quota under a redirection (also of --help): the
            # files a command writes itself (-o FILE, backup DEST) say so where they are
            # written, so what is left is standard output. One line, exit 1, as for `-o
            # /dev/full`.
            if exc.errno not in WRITE_ERRNOS:
                raise
            _silence_stdout()
            click.echo(f"Error: cannot write standard output: {exc.strerror}", err=True)
            sys.exit(1)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy_commands and cmd_name not in self.commands:
            import importlib

            module, attr = self.lazy_commands[cmd_name]
            command = getattr(importlib.import_module(module), attr)
            assert isinstance(command, click.Command)
            self.add_command(command, cmd_name)
        return super().get_command(ctx, cmd_name)


# The errors of a write that the disk refuses (no space, quota, file too large).
WRITE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's final flush cannot fail again."""
    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="most-archive")
def main() -> None:
    """Crawl the news of Vietnam's Ministry of Science and Technology (mst.gov.vn and the
    older portal www.most.gov.vn) into a SQLite archive, and search, read and export it.

    \b
    Example:
        most-archive crawl --db archive.db
        most-archive search "khoa học" --db archive.db
    """


# --- shared options and helpers -------------------------------------------------------------


class Text(click.ParamType[str, Any]):
    """Text typed on the command line (a query, a name, an id or URL, a host): valid UTF-8.

    A shell passes bytes as they are (``$'\\xff'``, a file name in Latin-1); Python reads
    those that are not UTF-8 as lone surrogates, which neither SQLite nor a host name can
    take. Refused here, once for every such argument, as a usage error (exit 2) naming the
    bytes, rather than a UnicodeEncodeError wherever the text goes first.
    """

    name = "text"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raw = value.encode("utf-8", "surrogateescape" if _escaped(value) else "replace")
                self.fail(f"{raw!r} is not valid UTF-8 text (check the terminal's encoding)")
        return value


def _escaped(value: str) -> bool:
    """Whether every surrogate in ``value`` is one Python made of a byte (U+DC80–U+DCFF)."""
    return all(not 0xD800 <= ord(c) <= 0xDFFF or 0xDC80 <= ord(c) <= 0xDCFF for c in value)


TEXT = Text()


class FilePath(click.Path):
    """A file path typed on the command line (``--db``, ``backup DEST``): click's ``Path``
    (a folder is refused), and also an empty path (which would be the current folder, '.')
    and one the system will not look at: a name too long, a folder one may not enter, a loop
    of links. A usage error (exit 2) saying why, rather than an OSError traceback from
    whichever command looks at it first. A missing file is left to the command."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, (str, bytes)) and not os.fsdecode(value):
            self.fail("an empty path (give a file name)", param, ctx)
        try:
            os.stat(value)
        except (FileNotFoundError, NotADirectoryError):
            pass
        except OSError as exc:
            self.fail(f"cannot use {os.fsdecode(value)}: {exc.strerror or exc}", param, ctx)
        except ValueError as exc:  # an embedded NUL (only from Python: argv cannot hold one)
            self.fail(f"cannot use {os.fsdecode(value)!r}: {exc}", param, ctx)
        return super().convert(value, param, ctx)


def db_option(f: F) -> F:
    """``--db PATH``: default ``./archive.db`` or ``$MOST_ARCHIVE_DB``."""
    return click.option(
        "--db",
        "db_path",
        type=FilePath(dir_okay=False, path_type=Path),
        default=DEFAULT_DB,
        envvar=DB_ENV,
        show_default=True,
        show_envvar=True,
        help="The archive database.",
    )(f)


def _date_callback(end: bool) -> Callable[[click.Context, click.Parameter, str | None], str | None]:
    def convert(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
        if value is None:
            return None
        from archive.queries import parse_date

        ctx.meta[f"most.typed.{param.name}"] = value  # for check_dates' message
        try:
            return parse_date(value, end=end)
        except ValueError as exc:
            raise click.BadParameter(str(exc), ctx=ctx, param=param) from None

    return convert


def portal_option(f: F) -> F:
    """``--portal most|mst``: only that portal's articles."""
    from crawler.portals import portal_names  # the registry of portals (pure, no Scrapy)

    return click.option(
        "--portal",
        type=click.Choice(portal_names()),
        help="Only articles of this portal: most (www.most.gov.vn) or mst "
        "(mst.gov.vn). Default: every portal.",
    )(f)


def filter_options(f: F) -> F:
    """``--since``, ``--until``, ``--category``, ``--portal``, ``--source``: shared by search
    and export."""
    f = click.option(
        "--source",
        type=TEXT,
        metavar="TEXT",
        help="Only articles whose source line contains "
        "the words of TEXT, in order (accents and case optional).",
    )(f)
    f = portal_option(f)
    f = click.option(
        "--category",
        type=TEXT,
        metavar="NAME",
        help="Only articles in a category whose name contains NAME (accents "
        "and case optional), whose id is NAME, or NAME = portal:id (e.g. "
        "mst:1); every listing the article appears in counts.",
    )(f)
    f = click.option(
        "--until",
        metavar="DATE",
        callback=_date_callback(end=True),
        help="Published on or before DATE (YYYY, YYYY-MM or YYYY-MM-DD).",
    )(f)
    f = click.option(
        "--since",
        metavar="DATE",
        callback=_date_callback(end=False),
        help="Published on or after DATE (YYYY, YYYY-MM or YYYY-MM-DD).",
    )(f)
    return f


def check_dates(since: str | None, until: str | None) -> None:
    """``--since`` after ``--until`` is a usage error (exit 2), not an empty result."""
    if since and until and since >= until:
        meta = click.get_current_context().meta
        raise click.UsageError(
            f"--since {meta.get('most.typed.since', since)} is after --until "
            f"{meta.get('most.typed.until', until)}: no date can be both"
        )


def echo_reasons(reasons: list[str]) -> None:
    """Why a selection is empty, on standard error (standard output stays the result)."""
    from archive.render import escape_controls

    for reason in reasons:
        click.echo(f"  {escape_controls(reason)}", err=True)


@contextlib.contextmanager
def open_db(db_path: Path, *, check_schema: bool = True) -> Iterator[sqlite_utils.Database]:
    """The archive, read-only; a missing or broken file is a clean error, never a new file.

    An archive an earlier release wrote (schema steps pending) is an error asking for
    ``most-archive migrate`` unless ``check_schema=False``.
    """
    from archive.db import ArchiveMissing, ArchiveUnusable, open_archive, unusable_message
    from archive.readonly import StaleWal

    try:
        db = open_archive(db_path, readonly=True)
    except ArchiveMissing:
        raise click.ClickException(
            f"no archive at {db_path} (crawl one with `most-archive crawl --db {db_path}`, "
            f"or point --db / ${DB_ENV} at an existing archive)"
        ) from None
    except (StaleWal, ArchiveUnusable) as exc:
        raise click.ClickException(str(exc)) from None
    except sqlite3.Error as exc:
        raise click.ClickException(unusable_message(db_path, exc)) from None
    try:
        from archive.db import APPLICATION_ID

        app_id = db.conn.execute("PRAGMA application_id").fetchone()[0]
        if app_id not in (0, APPLICATION_ID):
            raise click.ClickException(
                f"{db_path} is not a most-archive database (it belongs to "
                f"another application: application_id {app_id})"
            )
        if not db.table_names() or "articles" not in db.table_names():
            raise click.ClickException(
                f"{db_path} is not a most-archive database (no articles table)"
            )
        if check_schema:
            _check_schema(db, db_path)
        yield db
    except sqlite3.DatabaseError as exc:
        raise click.ClickException(unusable_message(db_path, exc)) from None
    finally:
        db.conn.close()


def echo_safe(text: str, **kwargs: Any) -> None:
    """``click.echo`` of archived text, its control characters escaped (archive.render)."""
    from archive.render import escape_controls

    click.echo(escape_controls(text), **kwargs)


def _check_schema(db: sqlite_utils.Database, db_path: Path) -> None:
    """A clean error for an archive an earlier release wrote: readers never migrate."""
    from archive.migrations import pending
    from archive.readonly import upgrade_message

    steps = pending(db)
    if steps:
        raise click.ClickException(upgrade_message(db_path, steps))


def echo_json(value: Any) -> None:
    echo_safe(json.dumps(value, ensure_ascii=False, indent=2))


# --- search ---------------------------------------------------------------------------------


@main.command("search")
@click.argument("query", type=TEXT)
@filter_options
@click.option(
    "--limit",
    "-n",
    type=click.IntRange(min=0),
    default=20,
    show_default=True,
    help="At most this many results; 0: all of them.",
)
@click.option(
    "--offset",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Skip this many results first (the next page of -n 20 is --offset 20).",
)
@click.option(
    "--count",
    "count_only",
    is_flag=True,
    help="Print only the number of matching articles, one number on one line.",
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array instead of a table.")
@click.option(
    "--json-object",
    "as_json_object",
    is_flag=True,
    help='Print a JSON object {"total", "offset", "results"}: the exact number of '
    "matching articles beside the page of results.",
)
@db_option
def search_command(
    query: str,
    since: str | None,
    until: str | None,
    category: str | None,
    portal: str | None,
    source: str | None,
    limit: int,
    offset: int,
    count_only: bool,
    as_json: bool,
    as_json_object: bool,
    db_path: Path,
) -> None:
    """Full-text search of the archive, with or without diacritics.

    Searches title, lead, body, image captions and source. "dien" finds "điện", "Dang"
    finds "Đảng". Order: words with the diacritics exactly as typed first (folded-only
    matches are starred), then matches in the title, then the lead, then anywhere; newest
    first among equals. Syntax: words (all must appear), "a phrase", prefix*, OR, NOT, AND,
    parentheses (operators in capitals), -word to exclude (after `--` when the query starts
    with it). The table says how many articles match in all and which of them it shows.

    \b
    Example:
        most-archive search "khoa học" --db archive.db
        most-archive search '"bộ khoa học" OR đổi*' --since 2024-01 --category "Tin tổng hợp"
        most-archive search dien --source "Báo" --limit 5 --json
        most-archive search "chuyển đổi số" --portal mst
        most-archive search "khoa học" --count
        most-archive search "khoa học" -n 0 --json-object > all-hits.json
        most-archive search -- -điện
    """
    from archive.queries import ArticleFilter
    from archive.render import search_results
    from archive.search import QueryError, parse_query
    from archive.totals import empty_reasons, search_page

    flags = [
        f
        for f, on in (
            ("--count", count_only),
            ("--json", as_json),
            ("--json-object", as_json_object),
        )
        if on
    ]
    if len(flags) > 1:
        raise click.UsageError(f"{' and '.join(flags)} cannot be used together")
    check_dates(since, until)
    try:
        node = parse_query(query)
    except QueryError as exc:
        raise click.BadParameter(f"malformed query: {exc}", param_hint="QUERY") from None
    filters = ArticleFilter(
        since=since, until=until, category=category, source=source, portal=portal
    )
    with open_db(db_path) as db:
        if count_only:
            from archive.queries import count_matches

            total = count_matches(db, node, filters=filters)
            page = None
        else:
            page = search_page(db, node, filters=filters, limit=limit, offset=offset)
            total = page.total
        reasons = empty_reasons(db, filters, node) if total == 0 else []
    if page is None:
        click.echo(str(total))
    elif as_json:
        echo_json([h.to_dict() for h in page.hits])
    elif as_json_object:
        echo_json(page.to_dict())
    else:
        echo_safe(search_results(page.hits, query, total=page.total, offset=page.offset), nl=False)
    echo_reasons(reasons)


# --- show / diff ----------------------------------------------------------------------------


def _find(db: sqlite_utils.Database, id_or_url: str) -> ArticleRef:
    """The article a KEY, URL or bare id names: exit 1 when none, 2 when a bare id is two."""
    from archive.queries import AmbiguousArticle, resolve_article

    try:
        found = resolve_article(db, id_or_url)
    except AmbiguousArticle as exc:
        raise click.BadParameter(str(exc), param_hint="ID_OR_URL") from None
    if found is None:
        raise click.ClickException(f"no archived article matches {id_or_url!r}")
    return found


@main.command("show")
@click.argument("id_or_url", type=TEXT)
@click.option("--json", "as_json", is_flag=True, help="Print the article as JSON.")
@db_option
def show_command(id_or_url: str, as_json: bool, db_path: Path) -> None:
    """Show one article in full, with its files and revisions.

    ID_OR_URL is the article's key (portal:id, e.g. mst:197250704101929995), its id on the
    site (an id that articles of both portals have is an error naming both keys) or any URL
    of the article (http or https, with or without www, any host of the portal, slug or
    letter case). Local file paths are relative to the files folder beside the database
    (<db stem>-files/); the text view prints them in full.

    \b
    Example:
        most-archive show 13245 --db archive.db
        most-archive show mst:197250704101929995
        most-archive show https://www.most.gov.vn/vn/tin-tuc/13245/x.aspx --json
    """
    from archive.files import files_dir_for
    from archive.queries import get_article
    from archive.render import article

    with open_db(db_path) as db:
        ref = _find(db, id_or_url)
        found = get_article(db, ref.site_id, portal=ref.portal)
    assert found is not None
    files_dir = files_dir_for(db_path)
    if as_json:
        echo_json({**found, "files_dir": str(files_dir)})
    else:
        echo_safe(article(found, files_dir.resolve()), nl=False)


@main.command("diff")
@click.argument("id_or_url", type=TEXT)
@click.argument("revisions", nargs=-1, type=click.IntRange(min=1), metavar="[REV_A [REV_B]]")
@click.option(
    "--word/--line",
    "word",
    default=None,
    help="Show changed paragraphs word by word (removed words [-so-], added {+so+}; "
    "in colour on a terminal) or as whole lines (a unified diff). Default: "
    "--word on a terminal, --line otherwise.",
)
@db_option
def diff_command(
    id_or_url: str, revisions: tuple[int, ...], word: bool | None, db_path: Path
) -> None:
    """Show what changed between two revisions of an article.

    Compares title, lead, body paragraphs, image captions, attachments, source, author and
    tags. With no revision numbers: the last two; with one: that revision against the current
    one. ID_OR_URL as for show: a key, a bare id or a URL. On a terminal, changed paragraphs
    are shown word by word; piped, as a unified diff (unless --word).

    \b
    Example:
        most-archive diff 13245 --db archive.db
        most-archive diff 13245 1 3
        most-archive diff mst:197250704101929995
        most-archive diff 13245 --word | less -R
    """
    from archive.queries import get_revisions
    from archive.render import article_label, escape_controls, revision_diff

    if len(revisions) > 2:
        raise click.UsageError("give at most two revision numbers")
    with open_db(db_path) as db:
        ref = _find(db, id_or_url)
        revs = {r["revision"]: r for r in get_revisions(db, ref.site_id, portal=ref.portal)}
    site_id = article_label(ref.portal, ref.site_id)  # messages name it as text output does
    if not revs:
        raise click.ClickException(f"article {site_id} has no stored revisions")
    numbers = sorted(revs)
    if not revisions:
        if len(numbers) < 2:
            click.echo(f"article {site_id} has one revision only; nothing to compare", err=True)
            return
        wanted = numbers[-2:]
    else:
        wanted = [revisions[0], revisions[1] if len(revisions) == 2 else numbers[-1]]
    missing = [n for n in wanted if n not in revs]
    if missing:
        raise click.ClickException(
            f"article {site_id} has no revision {missing[0]} "
            f"(it has {', '.join(map(str, numbers))})"
        )
    terminal = sys.stdout.isatty()
    if word if word is not None else terminal:
        _echo_word_diff(site_id, revs[wanted[0]], revs[wanted[1]], colour=terminal)
        return
    lines = revision_diff(site_id, revs[wanted[0]], revs[wanted[1]])
    if not lines:
        click.echo(
            f"revisions {wanted[0]} and {wanted[1]} of article {site_id} have the same text",
            err=True,
        )
    colours = {"+": "green", "-": "red", "@": "cyan"}
    for line in lines:
        colour = None if line.startswith(("+++", "---")) else colours.get(line[:1])
        safe = escape_controls(line)
        click.echo(click.style(safe, fg=colour) if colour else safe)


def _echo_word_diff(
    article: str, old: dict[str, Any], new: dict[str, Any], *, colour: bool
) -> None:
    from archive.render import escape_controls, plain_word_line, revision_word_diff

    lines = revision_word_diff(article, old, new)
    if not lines:
        click.echo(
            f"revisions {old['revision']} and {new['revision']} of article {article} "
            "have the same text",
            err=True,
        )
    for prefix, raw in lines:
        segments = [(op, escape_controls(t)) for op, t in raw]  # archived text: no controls
        if not colour:
            click.echo(plain_word_line(prefix, segments))
            continue
        whole = {"-": "red", "+": "green", "@@": "cyan"}.get(prefix)
        if prefix == "~":
            styled: dict[str, dict[str, Any]] = {
                "=": {},
                "-": {"fg": "red", "strikethrough": True},
                "+": {"fg": "green", "underline": True},
            }
            text = "".join(click.style(t, **styled[op]) if styled[op] else t for op, t in segments)
            click.echo(click.style("~", fg="yellow") + text)
        else:
            line = plain_word_line(prefix, segments)
            click.echo(click.style(line, fg=whole) if whole else line)


# --- export ---------------------------------------------------------------------------------


@contextlib.contextmanager
def _output(path: str, binary: bool) -> Iterator[IO[Any]]:
    """``-`` is stdout; a file is written beside itself and renamed into place when complete
    (through a link: beside the file it points to, the link kept); a pipe, a device or a
    socket is written through as it is (renaming over it would replace the node itself)."""
    if not path:  # would be the current folder: say so before anything is read or written
        raise click.BadParameter(
            "an empty path (give a file name, or - for standard output)",
            param_hint="'-o' / '--output'",
        )
    if path == "-":
        stream = sys.stdout.buffer
        out: IO[Any] = stream if binary else io.TextIOWrapper(stream, encoding="utf-8", newline="")
        try:
            yield out
            out.flush()
        except BrokenPipeError:  # e.g. `| head`: the reader has gone; stop without a traceback
            _silence_stdout()
            sys.exit(1)
        finally:
            if isinstance(out, io.TextIOWrapper):
                with contextlib.suppress(OSError, ValueError):
                    out.detach()
        return
    try:
        node: int | None = os.stat(path).st_mode  # through links, /dev/stdout's included
    except FileNotFoundError:
        node = None
    except OSError as exc:  # e.g. a loop of links
        raise click.ClickException(f"cannot write {path}: {exc.strerror or exc}") from None
    if node is not None and not stat.S_ISREG(node) and not stat.S_ISDIR(node):
        try:
            through: IO[Any] = (
                open(path, "wb")  # noqa: SIM115
                if binary
                else open(path, "w", encoding="utf-8", newline="")  # noqa: SIM115
            )
            with through:
                yield through
        except OSError as exc:  # e.g. /dev/full: "No space left on device"
            raise click.ClickException(f"cannot write {path}: {exc.strerror or exc}") from None
        return
    target = Path(os.path.realpath(path)) if os.path.islink(path) else Path(path)
    tmp = target.with_name(f".{target.name}.partial")
    try:
        fh: IO[Any] = (
            open(tmp, "wb") if binary else open(tmp, "w", encoding="utf-8", newline="")  # noqa: SIM115
        )
        with fh:
            yield fh
        os.replace(tmp, target)
    except OSError as exc:
        raise click.ClickException(f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


@main.command("export")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "csv", "warc", "wacz"]),
    default="jsonl",
    show_default=True,
    help="jsonl: one JSON object per article; csv: one row per article; warc: every "
    "archived response (pages, listing and home pages, images, attachments, "
    "revisits) as a WARC file; wacz: that WARC packaged as WACZ 1.1 (needs "
    "Webrecorder's wacz program, $MOST_ARCHIVE_WACZ or on PATH).",
)
@click.option(
    "--query",
    "-q",
    type=TEXT,
    metavar="QUERY",
    help="Only the articles this search query finds (the syntax and matching of "
    "`most-archive search`: every match, not a page of them).",
)
@filter_options
@click.option(
    "--revisions",
    is_flag=True,
    help="Every stored revision of each article, one JSON object each, with "
    "revision and fetched_at (JSON Lines only).",
)
@click.option(
    "--excel",
    is_flag=True,
    help="CSV for Excel on Windows: a UTF-8 byte order mark and CRLF line ends.",
)
@click.option(
    "-o",
    "--output",
    default="-",
    metavar="FILE",
    help="Write to FILE (replaced only when complete) instead of standard output.",
)
@db_option
def export_command(
    fmt: str,
    query: str | None,
    since: str | None,
    until: str | None,
    category: str | None,
    portal: str | None,
    source: str | None,
    revisions: bool,
    excel: bool,
    output: str,
    db_path: Path,
) -> None:
    """Export articles as JSON Lines, CSV, WARC or WACZ.

    JSON Lines objects have site_id, url, title, lead, body (paragraphs separated by a blank
    line), published_at, category, categories, source, images [{url, caption, path}],
    attachments [{url, title, path}], parser, revision, first_seen, last_seen, last_changed,
    portal, author, tags and key ("portal:site_id", a string: use it where an 18-digit
    site_id would be rounded, as in JavaScript or a spreadsheet); path is relative to the
    files folder beside the database, null if not downloaded. With --revisions, one object
    per revision: revision, fetched_at and the article's fields as they were then.

    \b
    Example:
        most-archive export --db archive.db -o articles.jsonl
        most-archive export --format csv --since 2024 --category "Tin tổng hợp" -o 2024.csv
        most-archive export --format warc -o archive.warc.gz
        most-archive export --format wacz -o archive.wacz
        most-archive export --portal mst -o mst.jsonl
        most-archive export --query "chuyển đổi số" --source "Báo" -o hits.jsonl
        most-archive export --revisions -o revisions.jsonl
        most-archive export --format csv --excel -o articles.csv
    """
    from archive.export import write_csv, write_jsonl, write_revisions_jsonl
    from archive.queries import ArticleFilter
    from archive.search import QueryError, parse_query

    if excel and fmt != "csv":
        raise click.UsageError("--excel is for --format csv")
    if revisions and fmt != "jsonl":
        raise click.UsageError("--revisions writes JSON Lines: use it with --format jsonl")
    check_dates(since, until)
    node = None
    if query is not None:
        try:
            node = parse_query(query)
        except QueryError as exc:
            raise click.BadParameter(f"malformed query: {exc}", param_hint="--query") from None
    filters = ArticleFilter(
        since=since, until=until, category=category, portal=portal, source=source, query=query
    )
    if fmt == "wacz":
        _export_wacz(db_path, output, filters, node)
        return
    with open_db(db_path) as db:
        with _output(output, binary=fmt == "warc") as out:
            if fmt == "warc":
                from archive.warc import write_warc

                name = None if output == "-" else Path(output).name
                from archive.files import files_dir_for

                n = write_warc(
                    db,
                    cast(BinaryIO, out),
                    filename=name,
                    filters=filters,
                    files_dir=files_dir_for(db_path),
                    warn=lambda line: click.echo(f"warning: {line}", err=True),
                )
                what = f"{n} WARC records"
            elif revisions:
                n = write_revisions_jsonl(db, cast(TextIO, out), filters)
                what = f"{n} revision{'s' if n != 1 else ''}"
            elif fmt == "csv":
                n = write_csv(db, cast(TextIO, out), filters, excel=excel)
                what = f"{n} article{'s' if n != 1 else ''}"
            else:
                n = write_jsonl(db, cast(TextIO, out), filters)
                what = f"{n} article{'s' if n != 1 else ''}"
        none = 1 if fmt == "warc" else 0  # a WARC always holds its warcinfo record
        reasons = _why_empty(db, filters, node) if n <= none else []
    click.echo(
        f"exported {what} ({fmt}) to {'standard output' if output == '-' else output}", err=True
    )
    echo_reasons(reasons)


def _why_empty(db: sqlite_utils.Database, filters: ArticleFilter, node: Node | None) -> list[str]:
    """Why an export selected no article, for standard error (``[]`` without filters)."""
    from dataclasses import replace

    from archive.queries import ArticleFilter
    from archive.totals import empty_reasons

    if filters == ArticleFilter():
        return []
    reasons = empty_reasons(db, replace(filters, query=None), node)
    if node is not None and not reasons:
        reasons = [f"--query {filters.query!r}: no article matches it"]
    return reasons


def _export_wacz(db_path: Path, output: str, filters: ArticleFilter, node: Node | None) -> None:
    """``export --format wacz``: py-wacz writes a file; it is then moved (or copied to stdout)."""
    import shutil
    import tempfile

    from archive import wacz
    from archive.files import files_dir_for

    if wacz.wacz_program() is None:
        raise click.ClickException(wacz.missing_message())
    with (
        open_db(db_path) as db,
        _output(output, binary=True) as out,
        tempfile.TemporaryDirectory(prefix="most-wacz-") as tmp,
    ):
        built = Path(tmp) / "export.wacz"
        try:
            records, pages = wacz.write_wacz(
                db,
                built,
                files_dir=files_dir_for(db_path),
                warn=lambda line: click.echo(f"warning: {line}", err=True),
                filters=filters,
            )
        except (wacz.WaczFailed, wacz.WaczUnavailable) as exc:
            raise click.ClickException(f"WACZ packaging failed: {exc}") from None
        with built.open("rb") as fh:
            shutil.copyfileobj(fh, out)
        reasons = _why_empty(db, filters, node) if pages == 0 else []
    where = "standard output" if output == "-" else output
    click.echo(f"exported {records} WARC records, {pages} pages (wacz) to {where}", err=True)
    echo_reasons(reasons)


# --- stats ----------------------------------------------------------------------------------


@main.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@portal_option
@db_option
def stats_command(as_json: bool, portal: str | None, db_path: Path) -> None:
    """Counts by portal, category and year, files, runs and open errors.

    With --portal, the counts of that portal only (raw pages and the by-portal table always
    cover the whole archive).

    \b
    Example:
        most-archive stats --db archive.db
        most-archive stats --json | jq .open_errors
        most-archive stats --portal mst
    """
    from archive.queries import stats
    from archive.render import stats as render_stats

    with open_db(db_path) as db:
        figures = stats(db, portal=portal)
    if as_json:
        from crawler.outcome import table  # pure: the one owner of outcomes and exit codes

        echo_json({**figures, "outcomes": table()})
    else:
        echo_safe(render_stats(figures), nl=False)


# --- backup / reparse -----------------------------------------------------------------------


@main.command("backup")
@click.argument("dest", type=FilePath(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace DEST if it exists.")
@db_option
def backup_command(dest: Path, force: bool, db_path: Path) -> None:
    """Copy the archive to DEST consistently, even during a crawl.

    The copy is one self-contained SQLite file, checked with PRAGMA integrity_check before it
    is moved into place. The files folder (<db stem>-files/) only grows: copy it with rsync.

    \b
    Example:
        most-archive backup /backups/archive-$(date +%F).db --db archive.db
        rsync -a archive-files/ /backups/archive-files/
    """
    from archive.backup import BackupError, backup
    from archive.db import ArchiveMissing

    try:
        result = backup(db_path, dest, overwrite=force)
    except ArchiveMissing:
        raise click.ClickException(f"no archive at {db_path}") from None
    except FileExistsError:
        raise click.ClickException(f"{dest} exists (pass --force to replace it)") from None
    except (BackupError, OSError, sqlite3.Error) as exc:
        raise click.ClickException(f"backup failed: {exc}") from None
    click.echo(
        f"backed up {db_path} to {result.dest}: {result.articles} articles, {result.size} bytes"
    )


LOCK_HELD_EXIT = 75  # EX_TEMPFAIL, as for crawl: another process holds the crawl lock


@main.command("migrate")
@db_option
def migrate_command(db_path: Path) -> None:
    """Upgrade an archive written by an earlier release to this release's schema.

    Applies the pending schema steps in place, each in one transaction: every article,
    revision and file is kept. A crawl does the same when it opens the archive; the reading
    commands (search, show, export, serve, …) never change the file and ask for this first.
    Takes the crawl lock (exit 75 while a crawl runs). A large archive takes a while and
    needs free disk space about the size of its articles and revisions.

    \b
    Example:
        most-archive backup before-upgrade.db --db archive.db
        most-archive migrate --db archive.db
    """
    from archive.db import open_archive
    from archive.lock import LockHeld, crawl_lock
    from archive.migrations import pending

    if not db_path.exists():
        raise click.ClickException(f"no archive at {db_path}")
    try:
        with crawl_lock(db_path):
            with open_db(db_path, check_schema=False) as current:
                steps = pending(current)
            if steps:
                open_archive(db_path).conn.close()  # the writer applies every pending step
    except LockHeld as exc:
        click.echo(f"Error: {exc}; try again when it has finished", err=True)
        sys.exit(LOCK_HELD_EXIT)
    except sqlite3.Error as exc:
        raise click.ClickException(
            f"migrating {db_path} failed (nothing was changed): {exc}"
        ) from None
    except OSError as exc:  # e.g. the lock file cannot be created beside the database
        where = f": {exc.filename}" if exc.filename else ""
        raise click.ClickException(
            f"migrating {db_path} failed (nothing was changed): {exc.strerror or exc}{where}"
        ) from None
    if steps:
        click.echo(f"upgraded {db_path}: {', '.join(steps)}")
    else:
        click.echo(f"{db_path} is up to date")


@main.command("verify")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option(
    "--strict",
    is_flag=True,
    help="Stray files (in the files folder, referred to by no row) fail too.",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress lines on standard error.")
@db_option
def verify_command(as_json: bool, strict: bool, quiet: bool, db_path: Path) -> None:
    """Check the archive is intact (fixity): database, raw pages, stored files.

    Runs PRAGMA integrity_check, decompresses every raw page and compares it with its recorded
    SHA-256, and re-hashes every stored file against its recorded SHA-256. Lists missing,
    corrupt and stray files (files in <db stem>-files/ that no row refers to). Reads only: safe
    during a crawl and on read-only media. Exit 0 when intact, 1 when a file is missing or
    corrupt, a raw page is corrupt or the database is damaged (strays fail only with
    --strict). Progress on a long run goes to standard error.

    \b
    Example:
        most-archive verify --db archive.db
        most-archive verify --json --strict > fixity.json
    """
    from archive.files import files_dir_for
    from archive.fixity import describe, verify

    def progress(line: str) -> None:
        click.echo(line, err=True)

    with open_db(db_path) as db:
        report = verify(db, files_dir_for(db_path), progress=None if quiet else progress)
    if as_json:
        echo_json(report.to_dict(strict=strict))
    else:
        echo_safe(describe(report, strict=strict), nl=False)
    if report.problems(strict=strict):
        sys.exit(1)


@main.command("reparse")
@click.option(
    "--parser-version",
    type=TEXT,
    metavar="V",
    help="Only articles last parsed by this parser (e.g. most/1); a version no "
    "parser writes and no article carries is refused, naming the known ones.",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress lines on standard error.")
@db_option
def reparse_command(parser_version: str | None, quiet: bool, db_path: Path) -> None:
    """Re-parse the stored raw pages; changes become revisions.

    Nothing is re-fetched and nothing is lost: a changed article gets a new revision with
    reason "reparse:<parser>". Takes the crawl lock (exit 75 while a crawl runs); exits 1
    when some pages could not be parsed. Progress on a long run goes to standard error.

    \b
    Example:
        most-archive reparse --db archive.db
        most-archive reparse --parser-version most/1
    """
    from archive.db import open_archive
    from archive.lock import LockHeld, crawl_lock
    from archive.reparse import UnknownParserVersion, reparse

    if not db_path.exists():
        raise click.ClickException(f"no archive at {db_path}")
    try:
        with crawl_lock(db_path):
            db = open_archive(db_path)
            try:
                counts = reparse(
                    db,
                    parser_version=parser_version,
                    progress=None if quiet else lambda line: click.echo(line, err=True),
                )
            finally:
                db.conn.close()
    except LockHeld as exc:
        click.echo(f"Error: {exc}; try again when it has finished", err=True)
        sys.exit(LOCK_HELD_EXIT)
    except UnknownParserVersion as exc:
        raise click.BadParameter(str(exc), param_hint="--parser-version") from None
    except sqlite3.Error as exc:
        raise click.ClickException(f"reparse failed: {exc}") from None
    except OSError as exc:  # e.g. the lock file cannot be created beside the database
        where = f": {exc.filename}" if exc.filename else ""
        raise click.ClickException(f"reparse failed: {exc.strerror or exc}{where}") from None
    fine = ("articles", "updated", "unchanged", "refreshed")
    problems = {k: v for k, v in counts.items() if k not in fine}
    click.echo(
        f"re-parsed {counts.get('articles', 0)} articles: {counts.get('updated', 0)} "
        f"updated, {counts.get('unchanged', 0)} unchanged"
        + (f", {counts['refreshed']} refreshed" if counts.get("refreshed") else "")
        + "".join(f", {v} {k.replace('_', ' ')}" for k, v in problems.items() if v)
    )
    if any(problems.values()):
        sys.exit(1)


if __name__ == "__main__":  # pragma: no cover
    main()
