"""``most-archive serve``: browse the archive in Datasette, read-only, safe while a crawl writes.

The database is opened the way every reader here opens it: ``mode=ro`` (Datasette's "mutable"
mode), not ``immutable=1`` — immutable mode tells SQLite the file cannot change, so on a live
WAL database it would skip the WAL and read torn or stale pages. Only on media the server
cannot write (where no crawl can be running and ``mode=ro`` cannot open a WAL database) is the
archive served immutable, after :mod:`archive.readonly` has checked that its WAL holds
nothing the file lacks. A ``mode=ro`` reader in WAL
mode never blocks the crawler and is never blocked by it; each connection also gets a busy
timeout and ``query_only`` (archive/datasette/plugin.py). The server binds 127.0.0.1 unless told
otherwise.
"""

from __future__ import annotations

import asyncio
import errno
import ipaddress
import socket
import sqlite3
import threading
import webbrowser
from pathlib import Path
from typing import Any

import click
import sqlite_utils

from archive.cli import TEXT, db_option
from archive.datasette import plugin
from archive.db import APPLICATION_ID
from archive.files import files_dir_for
from archive.migrations import pending
from archive.readonly import StaleWal, open_reader, upgrade_message

HERE = Path(__file__).resolve().parent / "datasette"
METADATA = HERE / "metadata.yaml"
TEMPLATES = HERE / "templates"

# Datasette settings (https://docs.datasette.io/en/0.65/settings.html), each with its reason.
SETTINGS: dict[str, Any] = {
    "allow_download": False,  # a live WAL database is not one file: no raw download
    "default_cache_ttl": 0,  # the archive changes under a crawl: never serve stale pages
    "truncate_cells_html": 160,  # article bodies are long: keep table views readable
    "sql_time_limit_ms": 3000,  # enough for FTS over a large archive, short enough to be safe
    "facet_time_limit_ms": 1000,
    "default_page_size": 50,
    "suggest_facets": False,  # suggestions scan every column of big tables on each page view
}
# Tables serve relies on (docs/schema.md): without them the file is not an archive.
REQUIRED_TABLES = ("articles", "images", "files", "raw_pages", "articles_fts")


def load_metadata(files_dir: Path) -> dict[str, Any]:
    """The metadata of archive/datasette/metadata.yaml plus this archive's files folder."""
    import yaml  # datasette's own dependency

    metadata: dict[str, Any] = yaml.safe_load(METADATA.read_text(encoding="utf-8"))
    metadata.setdefault("plugins", {})[plugin.PLUGIN] = {"files_dir": str(files_dir)}
    return metadata


def check_archive(db_path: Path) -> bool:
    """Raise ClickException unless ``db_path`` is a readable most-archive database; return
    whether it must be read ``immutable`` (media that cannot be written, :mod:`archive.readonly`).

    Read-only: opened and closed again; never creates or migrates anything.
    """
    if not db_path.is_file():
        raise click.ClickException(
            f"no archive at {db_path}: run `most-archive crawl --db {db_path}` first"
        )
    if any(c in str(db_path) for c in "?#%"):  # Datasette puts the path into a file: URI as is
        raise click.ClickException(
            f"Datasette cannot open a path containing ?, # or %: {db_path} (link or move it)"
        )
    shown = str(db_path).encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    if shown != str(db_path):  # ... and so it must be UTF-8 (Linux names are bytes)
        raise click.ClickException(
            f"Datasette cannot open a path that is not UTF-8: {shown} (link or move it)"
        )
    try:
        conn, immutable = open_reader(db_path, timeout=5)
    except StaleWal as exc:
        raise click.ClickException(str(exc)) from None
    except sqlite3.DatabaseError as exc:
        raise click.ClickException(f"{db_path} is not a readable SQLite database: {exc}") from exc
    try:
        names = {r[0] for r in conn.execute("select name from sqlite_master")}
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        steps = pending(
            sqlite_utils.Database(conn, execute_plugins=False, recursive_triggers=False)
        )
    except sqlite3.DatabaseError as exc:
        raise click.ClickException(f"{db_path} is not a readable SQLite database: {exc}") from exc
    finally:
        conn.close()
    if app_id not in (0, APPLICATION_ID):
        raise click.ClickException(
            f"{db_path} is not a most-archive database (it belongs to another application: "
            f"application_id {app_id})"
        )
    missing = [t for t in REQUIRED_TABLES if t not in names]
    if missing:
        raise click.ClickException(
            f"{db_path} is not a most-archive database (no table {', '.join(missing)}); "
            f"a crawl creates one: `most-archive crawl --db {db_path}`"
        )
    if steps:  # served read-only, so never migrated here
        raise click.ClickException(upgrade_message(db_path, steps))
    return immutable


def build_datasette(db_path: str | Path) -> Any:
    """A Datasette instance over the archive at ``db_path``, served as database ``archive``.

    The file is checked first (:func:`check_archive`). The returned object is ready for
    ``ds.app()`` (uvicorn) or ``ds.client`` (tests); call ``ds.invoke_startup()`` before use.
    """
    from datasette.app import Database, Datasette
    from datasette.plugins import pm

    path = Path(db_path).resolve()
    immutable = check_archive(path)
    if not pm.is_registered(plugin):
        pm.register(plugin, name=plugin.PLUGIN)
    ds = Datasette(
        files=[],
        metadata=load_metadata(files_dir_for(path)),
        template_dir=str(TEMPLATES),
        settings=SETTINGS,
    )
    # Datasette adds an in-memory "_memory" database when given no files: not ours to show.
    if "_memory" in ds.databases:
        ds.remove_database("_memory")
    # mode=ro ("mutable": it may change under a crawl), or immutable=1 on media that cannot be
    # written, where no crawl can run and the WAL was checked (archive.readonly).
    ds.add_database(Database(ds, path=str(path), is_mutable=not immutable), name=plugin.DATABASE)
    return ds


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port`` (port 0: any free port); ClickException if not.

    Bound here rather than by uvicorn so a taken port is a one-line error, and so the real
    port of ``--port 0`` can be printed.
    """
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        sock = socket.socket(family, kind, proto)
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc}") from None
    except UnicodeError as exc:  # no host name: a label empty or over 63 characters (IDNA)
        raise click.ClickException(
            f"cannot listen on {host}:{port}: not a host name ({exc.__cause__ or exc})"
        ) from None
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        # Another --port helps when this one is taken, not when the address is not this host's.
        hint = " (try another --port)" if exc.errno in (errno.EADDRINUSE, errno.EACCES) else ""
        raise click.ClickException(
            f"cannot listen on {host}:{port}: {exc.strerror or exc}{hint}"
        ) from None
    return sock


def exposure_warning(host: str, address: str) -> str | None:
    """A warning when the server listens on ``address`` (bound for ``--host host``) beyond
    this machine's loopback, or None. The archive has no login: whoever reaches the port
    reads all of it."""
    try:
        ip = ipaddress.ip_address(address.split("%")[0])
    except ValueError:  # pragma: no cover - a bound socket always has an address
        return None
    if ip.is_loopback:
        return None
    where = "every network this machine is on" if ip.is_unspecified else f"the network of {address}"
    return (
        f"Warning: --host {host} makes the archive visible to {where}: anyone who can "
        "reach this port can read all of it (there is no login). Use --host 127.0.0.1 "
        "to keep it on this machine."
    )


def serve(db_path: Path, host: str, port: int, open_browser: bool) -> None:
    """Run Datasette over the archive until interrupted (Ctrl+C or SIGTERM)."""
    import uvicorn

    ds = build_datasette(db_path)
    asyncio.run(ds.invoke_startup())
    sock = bind(host, port)
    bound_port = sock.getsockname()[1]
    url = f"http://{host if ':' not in host else f'[{host}]'}:{bound_port}/"
    warning = exposure_warning(host, str(sock.getsockname()[0]))
    if warning:
        click.echo(click.style(warning, fg="yellow"), err=True)
    click.echo(f"Serving {db_path} read-only at {url} (Ctrl+C to stop)", err=True)
    if open_browser:
        threading.Timer(1.0, webbrowser.open, args=(url,)).start()
    config = uvicorn.Config(ds.app(), log_level="warning", lifespan="on")
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        sock.close()


@click.command(name="serve", context_settings={"help_option_names": ["-h", "--help"]})
@db_option
@click.option(
    "--host",
    type=TEXT,
    default="127.0.0.1",
    show_default=True,
    help="Address to bind; anything but loopback exposes the archive to the network.",
)
@click.option(
    "--port",
    default=8001,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on (0: any free port; the address is printed).",
)
@click.option("--open", "open_browser", is_flag=True, help="Open the archive in a web browser.")
def serve_command(db_path: Path, host: str, port: int, open_browser: bool) -> None:
    """Browse the archive in Datasette (read-only; safe while a crawl writes).

    Tables with descriptions and column help, facets by category, year and source, stored
    queries (latest, search without diacritics, by source) and an article page with images
    at /-/article/ID.

    \b
    Example:
        most-archive serve --db archive.db --open
        most-archive serve --db archive.db --port 8080
    """
    serve(db_path, host, port, open_browser)
