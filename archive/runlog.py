"""Run records and fetch errors: the crawl's own log inside the archive.

Re-exported by :mod:`archive.store` (``store.start_run`` etc.), which is the API to use.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, NamedTuple

from archive import migrations as m
from archive.db import release_free_pages, write_transaction

if TYPE_CHECKING:
    import sqlite_utils

RUN_COUNT_COLUMNS = (
    "pages_fetched",
    "articles_new",
    "articles_updated",
    "articles_unchanged",
    "files",
    "errors",
)


def now_iso() -> str:
    """The current UTC time, ISO 8601 to the second: ``2026-11-26T06:20:37+00:00``."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


# --------------------------------------------------------------------------- runs


def start_run(db: sqlite_utils.Database, *, site: str, mode: str, portal: str | None = None) -> int:
    """Record a crawl run as ``running`` (with this pid and host) and return its id.

    Marks runs left ``running`` by dead processes first (:func:`mark_dead_runs`).
    ``mode`` is free text, e.g. ``"incremental"``, ``"full"``, ``"reparse"``; ``portal`` the
    portal of ``site`` ("most", "mst") when known.
    """
    mark_dead_runs(db)
    cursor = db.execute(
        "INSERT INTO runs (started_at, mode, site, pid, outcome, hostname, portal) "
        "VALUES (?, ?, ?, ?, 'running', ?, ?)",
        [now_iso(), mode, site, os.getpid(), socket.gethostname(), portal],
    )
    return int(cursor.lastrowid or 0)


def finish_run(
    db: sqlite_utils.Database,
    run_id: int,
    *,
    outcome: str,
    counts: Mapping[str, object],
) -> None:
    """Close a run: ``finished_at`` now, ``outcome`` (ok|partial|failed|died|interrupted), and
    the free pages its writes left given back (:func:`archive.db.release_free_pages`).

    Keys of ``counts`` named like a ``runs`` column (pages_fetched, articles_new,
    articles_updated, articles_unchanged, files, errors) fill those columns; the whole mapping
    (anything JSON-serialisable) is kept in ``counts_json``.
    """
    if outcome not in m.OUTCOMES or outcome == "running":
        raise ValueError(f"not a final run outcome: {outcome!r}")
    values: dict[str, object] = {"finished_at": now_iso(), "outcome": outcome}
    for column in RUN_COUNT_COLUMNS:
        if column in counts:
            values[column] = int(counts[column])  # type: ignore[call-overload]
    values["counts_json"] = json.dumps(
        dict(counts), ensure_ascii=False, sort_keys=True, default=str
    )
    sets = ", ".join(f"{c} = :{c}" for c in values)
    db.execute(f"UPDATE runs SET {sets} WHERE id = :run_id", {**values, "run_id": run_id})
    release_free_pages(db)  # the run's last write: the file gives back what it no longer uses


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def mark_dead_runs(
    db: sqlite_utils.Database, *, assume_dead: bool = False, except_run: int | None = None
) -> int:
    """Mark runs left ``running`` whose process is gone as ``died``; return how many.

    A run of this host whose pid no longer exists is dead. With ``assume_dead=True`` (the caller
    holds the crawl lock, so no other crawl can be running) every ``running`` run but
    ``except_run`` is marked, whatever its pid (pids get reused).
    """
    host = socket.gethostname()
    rows = list(db.query("SELECT id, pid, hostname FROM runs WHERE outcome = 'running'"))
    dead = [
        r["id"]
        for r in rows
        if r["id"] != except_run
        and (
            assume_dead
            or r["pid"] is None
            or (r["hostname"] in (None, host) and not _pid_alive(int(r["pid"])))
        )
    ]
    if dead:
        with write_transaction(db):
            for run_id in dead:
                db.execute(
                    "UPDATE runs SET outcome = 'died', finished_at = coalesce(finished_at, ?) "
                    "WHERE id = ? AND outcome = 'running'",
                    [now_iso(), run_id],
                )
    return len(dead)


# --------------------------------------------------------------------------- errors


def record_error(
    db: sqlite_utils.Database,
    *,
    url: str,
    kind: str,
    status: int | None,
    reason: str,
    run_id: int | None,
    at: str | None = None,
    portal: str | None = None,
) -> None:
    """Record a failed fetch (one row per URL): a new row, or ``attempts + 1`` on a known one.

    ``kind``: ``listing | article | file | discovery``; ``portal``: the portal whose crawl
    failed on it, when known (a known one is kept). Re-opens a resolved error.
    """
    if kind not in m.ERROR_KINDS:
        raise ValueError(f"unknown error kind: {kind!r}")
    t = at or now_iso()
    db.execute(
        "INSERT INTO fetch_errors (url, kind, status, reason, run_id, first_failed, last_failed, "
        "attempts, portal) VALUES (:url, :kind, :status, :reason, :run, :t, :t, 1, :portal) "
        "ON CONFLICT(url) DO UPDATE SET kind = excluded.kind, status = excluded.status, "
        "reason = excluded.reason, run_id = excluded.run_id, last_failed = excluded.last_failed, "
        "attempts = attempts + 1, resolved_at = NULL, "
        "portal = coalesce(excluded.portal, portal)",
        {
            "url": url,
            "kind": kind,
            "status": status,
            "reason": reason,
            "run": run_id,
            "t": t,
            "portal": portal,
        },
    )


def resolve_error(db: sqlite_utils.Database, url: str, *, at: str | None = None) -> bool:
    """Mark the open error of ``url`` resolved (it was fetched fine); True if there was one."""
    cursor = db.execute(
        "UPDATE fetch_errors SET resolved_at = ? WHERE url = ? AND resolved_at IS NULL",
        [at or now_iso(), url],
    )
    return cursor.rowcount > 0


# --------------------------------------------------------------------------- walk frontier


class FrontierEntry(NamedTuple):
    """A request a time-limited run left unfetched: its kind (``listing``, ``article``), URL,
    and how to make it again (the crawler's JSON; the archive keeps it as it is)."""

    kind: str
    url: str
    request_json: str
    site_id: int | None = None  # an article's id


def save_frontier(
    db: sqlite_utils.Database,
    site: str,
    entries: Iterable[FrontierEntry],
    *,
    run_id: int | None,
    at: str | None = None,
) -> int:
    """Replace ``site``'s walk frontier by ``entries`` (one transaction); return how many."""
    t = at or now_iso()
    count = 0
    with write_transaction(db):
        db.execute("DELETE FROM walk_frontier WHERE site = ?", [site])
        for entry in entries:
            db.execute(
                "INSERT INTO walk_frontier (site, kind, url, site_id, request_json, run_id, "
                "saved_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [site, entry.kind, entry.url, entry.site_id, entry.request_json, run_id, t],
            )
            count += 1
    return count


def clear_frontier(db: sqlite_utils.Database, site: str) -> int:
    """Forget ``site``'s walk frontier (its walk was completed); return how many rows went."""
    return int(db.execute("DELETE FROM walk_frontier WHERE site = ?", [site]).rowcount or 0)


def read_frontier(db: sqlite_utils.Database) -> dict[str, tuple[FrontierEntry, ...]]:
    """Every site's walk frontier, in the order it was saved."""
    result: dict[str, list[FrontierEntry]] = {}
    if "walk_frontier" not in db.table_names():
        return {}
    rows = db.query("SELECT site, kind, url, request_json, site_id FROM walk_frontier ORDER BY id")
    for r in rows:
        result.setdefault(str(r["site"]), []).append(
            FrontierEntry(str(r["kind"]), str(r["url"]), str(r["request_json"]), r["site_id"])
        )
    return {site: tuple(entries) for site, entries in result.items()}
