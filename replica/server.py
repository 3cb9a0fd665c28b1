"""A threaded HTTP server for a replica ``Site``, with faults and a request log.

Control endpoints (never linked from pages, never faulted):
- ``GET  /__replica__/health``            {"ok": true, "articles", "seed", "generation", "base_url"}
- ``GET  /__replica__/requests``          JSON list: method, path, status, headers, fault, n, time,
                                          delay, aborted (the client hung up first)
- ``POST /__replica__/reset``             clear the request log (``?counters=1``: also the
                                          per-path request counters that drive the faults)
- ``GET|POST /__replica__/generation?n=G`` read, or (POST) switch the generation live
- ``GET|POST /__replica__/faults``        read, or (POST a JSON object) replace the fault switches
- ``GET  /__replica__/truth?id=N``        the ground truth of one article
"""

from __future__ import annotations

import json
import os
import select
import socket
import struct
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import parse_qs, urlsplit

from replica import files
from replica.faults import (
    CHALLENGE_PAGE,
    CHALLENGE_TYPE,
    Decision,
    Faults,
    cookie_check_header,
    decide,
    drift_markup,
    has_check_cookie,
    latency_seconds,
    loop_target,
)
from replica.site import Site

if TYPE_CHECKING:
    from replica.hosts import Hosts

# Faults answered with an error page (status: the fault's own, 200 for soft_not_found)
ERROR_PAGES = ("error", "throttle", "friendly_500", "not_found", "soft_not_found")

CONTROL = "/__replica__/"
REASONS = {
    200: "OK",
    301: "Moved Permanently",
    302: "Found",
    304: "Not Modified",
    404: "Not Found",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


class ServedSite(Protocol):
    """What the server needs of a site: ``replica.site.Site``, ``replica.mst.site.MstSite`` or
    ``replica.mst.site.MediaSite``."""

    portal: str
    articles: int
    seed: int
    generation: int
    hosts: Hosts

    def render(
        self, method: str, path_and_query: str, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]: ...

    def truth(self, site_id: int) -> dict[str, Any]: ...

    def with_generation(self, generation: int) -> ServedSite: ...

    def article_ids(self) -> list[int]: ...


class ReplicaServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # A web server's listen backlog, not socketserver's 5: Scrapy opens a new connection for
    # most requests, and a full backlog dropped their SYNs, each retried by the kernel a second
    # later (a 1,500-article crawl spent half its time in those 1 s stalls).
    request_queue_size = 128

    def __init__(
        self, address: tuple[str, int], site_factory: Any, faults: Faults | None = None
    ) -> None:
        # the replica's own third-party host (replica.thirdparty), when it serves one; set
        # first: a failed bind calls server_close() from inside __init__
        self.third_party: ReplicaServer | None = None
        self._third_party_thread: threading.Thread | None = None
        super().__init__(address, ReplicaHandler)
        host, port = self.server_address[:2]
        host = host.decode() if isinstance(host, bytes) else host
        self.base_url = f"http://{host}:{port}"
        self.site: ServedSite = site_factory(self.base_url)
        self.faults = faults or Faults()
        self.lock = threading.Lock()
        self.log: list[dict[str, Any]] = []
        self.counts: dict[str, int] = {}

    def start_third_party(self) -> None:
        """Serve the third-party host (if any) from a daemon thread."""
        if self.third_party is not None and self._third_party_thread is None:
            self._third_party_thread = threading.Thread(
                target=self.third_party.serve_forever, daemon=True
            )
            self._third_party_thread.start()

    def server_close(self) -> None:
        """Close the site's socket, and stop and close its third-party host."""
        if self.third_party is not None:
            if self._third_party_thread is not None:
                self.third_party.shutdown()
            self.third_party.server_close()
        super().server_close()

    def next_count(self, path: str) -> int:
        with self.lock:
            n = self.counts.get(path, 0)
            self.counts[path] = n + 1
            return n

    def record(self, entry: dict[str, Any]) -> None:
        with self.lock:
            self.log.append(entry)


class ReplicaHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: ReplicaServer

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the request log is the JSON one

    def do_GET(self) -> None:
        self.handle_any()

    def do_HEAD(self) -> None:
        self.handle_any()

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.request_body = self.rfile.read(length) if length else b""
        self.handle_any()

    # -- plumbing --------------------------------------------------------------------------
    def _send(
        self, status: int, headers: dict[str, str], body: bytes, *, close: bool = False
    ) -> None:
        lines = [f"HTTP/1.1 {status} {REASONS.get(status, 'Status')}"]
        headers = dict(headers)
        headers["Date"] = self.date_time_string()
        if close or self.close_connection:
            headers["Connection"] = "close"
            self.close_connection = True
        lines += [f"{k}: {v}" for k, v in headers.items()]
        self.wfile.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, data: Any, status: int = 200) -> None:
        body = json.dumps(data, ensure_ascii=False).encode("utf-8")
        self._send(
            status,
            {"Content-Type": "application/json; charset=utf-8", "Content-Length": str(len(body))},
            body,
        )

    def _reset_connection(self) -> None:
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        fd = self.connection.detach()
        os.close(fd)
        self.close_connection = True

    # -- control endpoints -------------------------------------------------------------------
    def control(self, path: str, query: dict[str, list[str]]) -> None:
        srv = self.server
        name = path[len(CONTROL) :].strip("/")
        if name == "health":
            site = srv.site
            self._json(
                {
                    "ok": True,
                    "articles": site.articles,
                    "seed": site.seed,
                    "generation": site.generation,
                    "base_url": srv.base_url,
                    "portal": site.portal,
                    "offsite_base": site.hosts.offsite_base,
                    **({"media_url": site.media_url} if hasattr(site, "media_url") else {}),
                }
            )
        elif name == "requests":
            with srv.lock:
                self._json(list(srv.log))
        elif name == "reset":
            with srv.lock:
                srv.log.clear()
                if query.get("counters", ["0"])[0] not in ("0", ""):
                    srv.counts.clear()
            self._json({"ok": True})
        elif name == "generation":
            if self.command == "POST":
                try:
                    g = int(query.get("n", [""])[0])
                except ValueError:
                    self._json({"error": "n must be an integer"}, 400)
                    return
                if g < 0:
                    self._json({"error": "n must be >= 0"}, 400)
                    return
                new_site = srv.site.with_generation(g)
                with srv.lock:
                    srv.site = new_site
            self._json({"generation": srv.site.generation})
        elif name == "faults":
            if self.command == "POST":
                try:
                    srv.faults = Faults.from_dict(json.loads(self.request_body or b"{}"))
                except (ValueError, TypeError) as exc:
                    self._json({"error": str(exc)}, 400)
                    return
            self._json(srv.faults.to_dict())
        elif name == "truth":
            try:
                self._json(srv.site.truth(int(query.get("id", [""])[0])))
            except (KeyError, ValueError):
                self._json({"error": "unknown id"}, 404)
        else:
            self._json({"error": "unknown control endpoint"}, 404)

    # -- the site ---------------------------------------------------------------------------
    def handle_any(self) -> None:
        raw = self.path
        parts = urlsplit(raw)
        if parts.path.startswith(CONTROL):
            self.control(parts.path, parse_qs(parts.query))
            return
        srv = self.server
        faults = srv.faults
        n = srv.next_count(raw)
        entry: dict[str, Any] = {
            "method": self.command,
            "path": raw,
            "status": 0,
            "headers": dict(self.headers.items()),
            "fault": None,
            "n": n,
            "time": time.time(),
            "delay": 0.0,
            "aborted": False,
        }
        srv.record(entry)  # in arrival order; status and fault are filled in below
        delay = latency_seconds(faults, raw, n)
        entry["delay"] = delay
        if delay:
            time.sleep(delay)
            if self._client_gone():
                entry["aborted"] = True  # the client hung up while we waited: nothing sent
                self.close_connection = True
                return
        if faults.cookie_check and not has_check_cookie(self.headers.get("Cookie")):
            entry["fault"], entry["status"] = "cookie_check", 302
            netloc = self.headers.get("Host") or "127.0.0.1"
            cookie = cookie_check_header(netloc.rsplit(":", 1)[0])
            location = f"http://{netloc}{raw}"  # the very URL asked for
            self._send(
                302, {"Location": location, "Set-Cookie": cookie, "Content-Length": "0"}, b""
            )
            return
        try:
            self.serve(raw, decide(faults, raw, n), entry)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            entry["aborted"] = True  # the client hung up while we were answering
            self.close_connection = True

    def _client_gone(self) -> bool:
        """True when the client has closed its end (checked before answering late)."""
        try:
            ready, _, _ = select.select([self.connection], [], [], 0)
            return bool(ready) and self.connection.recv(1, socket.MSG_PEEK) == b""
        except (OSError, ValueError):
            return True

    def serve(self, raw: str, decision: Decision | None, entry: dict[str, Any]) -> None:
        srv = self.server
        faults = srv.faults
        if decision is not None and decision.kind == "hang":
            entry["fault"] = "hang"
            time.sleep(faults.hang_seconds)  # then answer normally, if the client still waits
            if self._client_gone():
                entry["aborted"] = True
                self.close_connection = True
                return
            decision = None
        if decision is not None:
            entry["fault"] = decision.kind
            entry["status"] = decision.status
            if decision.kind == "reset":
                self._reset_connection()
                return
            if decision.kind in ERROR_PAGES:
                body = b"<html><body><h1>Server Error in '/' Application.</h1></body></html>"
                headers = {"Content-Type": "text/html; charset=utf-8"}
                if decision.kind in ("not_found", "soft_not_found"):
                    status, headers, body = srv.site.render("GET", "/__not_found__", {})
                    headers = {"Content-Type": headers["Content-Type"]}
                if decision.retry_after is not None:
                    headers["Retry-After"] = str(decision.retry_after)
                headers["Content-Length"] = str(len(body))
                self._send(decision.status, headers, body)
                return
            if decision.kind == "challenge":
                self._send(
                    200,
                    {"Content-Type": CHALLENGE_TYPE, "Content-Length": str(len(CHALLENGE_PAGE))},
                    CHALLENGE_PAGE,
                )
                return
            if decision.kind in ("redirect_loop", "offsite_redirect", "home_redirect"):
                target = (
                    loop_target(raw)
                    if decision.kind == "redirect_loop"
                    else "/"
                    if decision.kind == "home_redirect"
                    else srv.site.hosts.offsite + raw
                )
                self._send(302, {"Location": target, "Content-Length": "0"}, b"")
                return
            if decision.kind == "endless_pager":
                endless = getattr(srv.site, "endless_listing", None)
                listing: bytes | None = (
                    endless(raw, faults.endless_pager_invent) if endless else None
                )
                if listing is not None:
                    entry["status"] = 200
                    self._send(
                        200,
                        {
                            "Content-Type": "text/html; charset=utf-8",
                            "Content-Length": str(len(listing)),
                        },
                        listing,
                    )
                    return
                decision = None  # not a listing of this site: answered normally
            if decision is not None and decision.kind == "stale_304":
                asked = {k.lower() for k in self.headers}
                if asked & {"if-none-match", "if-modified-since"}:
                    self._send(304, {"Content-Length": "0"}, b"")
                    return
                decision = None  # not a conditional request: answered normally
            if decision is not None and decision.kind == "pdf":
                body = files.pdf(raw)
                self._send(
                    200, {"Content-Type": "application/pdf", "Content-Length": str(len(body))}, body
                )
                return
        headers = {k.lower(): v for k, v in self.headers.items()}
        status, out, body = srv.site.render(self.command, raw, headers)
        entry["status"] = status
        if decision is None or status != 200:
            if decision is not None:
                entry["fault"] = None  # a fault that cannot apply to a non-200 answer
            self._send(status, out, body)
            return
        kind = decision.kind
        entry["status"] = 200
        if kind == "charset":
            wrong = ("text/html; charset=iso-8859-1", "application/octet-stream", "text/plain")
            out["Content-Type"] = wrong[len(raw) % len(wrong)]
            self._send(200, out, body)
        elif kind == "truncate":
            self._send(200, out, body[: len(body) // 2], close=True)
        elif kind == "cut":
            half = body[: len(body) // 2]
            out.pop("Content-Length", None)
            if not faults.cut_close_delimited:
                out["Content-Length"] = str(len(half))
            self._send(200, out, half, close=faults.cut_close_delimited)
        elif kind == "oversize":
            self._send_oversize(out, body, faults.oversize_bytes)
        elif kind == "drip":
            self._send_drip(out, body, faults.drip_seconds)
        elif kind == "drift":
            body = drift_markup(body)
            out["Content-Length"] = str(len(body))
            self._send(status, out, body)
        else:
            self._send(status, out, body)

    def _send_oversize(self, headers: dict[str, str], body: bytes, size: int) -> None:
        pad = max(0, size - len(body))
        headers["Content-Length"] = str(len(body) + pad)
        self._send(200, headers, b"", close=True)
        if self.command == "HEAD":
            return
        cut = body.rfind(b"</body>")
        cut = cut if cut >= 0 else len(body)
        self.wfile.write(body[:cut])
        chunk = b"<!--" + b"x" * (65536 - 7) + b"-->"
        while pad > 0:
            piece = chunk if pad >= len(chunk) else b" " * pad
            self.wfile.write(piece)
            pad -= len(piece)
        self.wfile.write(body[cut:])

    def _send_drip(self, headers: dict[str, str], body: bytes, seconds: float) -> None:
        self._send(200, headers, b"")
        if self.command == "HEAD":
            return
        pieces = 20
        step = max(1, -(-len(body) // pieces))
        for i in range(0, len(body), step):
            self.wfile.write(body[i : i + step])
            self.wfile.flush()
            time.sleep(seconds / pieces)


def make_server(
    host: str = "127.0.0.1",
    port: int = 8765,
    *,
    articles: int = 200,
    seed: int = 1,
    generation: int = 0,
    offsite_base: str | None = None,
    base_url: str | None = None,
    faults: Faults | None = None,
    validators: bool = True,
    robots: str = "404",
) -> ReplicaServer:
    """Bind (port 0 = a free port) and build the site for the bound address.

    ``offsite_base`` None: the replica's own third-party host (``replica.thirdparty``) on a free
    port of ``host``, as ``server.third_party`` (``server.start_third_party()`` serves it).
    """
    offsite, third_party = _offsite(host, offsite_base)

    def factory(bound: str) -> Site:
        return Site(
            articles,
            seed,
            generation,
            base_url or bound,
            offsite,
            validators=validators,
            robots=robots,
        )

    try:
        server = ReplicaServer((host, port), factory, faults)
    except BaseException:
        if third_party is not None:
            third_party.server_close()
        raise
    server.third_party = third_party
    return server


def _offsite(host: str, offsite_base: str | None) -> tuple[str, ReplicaServer | None]:
    """The offsite base the pages link to, and the third-party host serving it (None when the
    caller gave a base of its own)."""
    if offsite_base is not None:
        return offsite_base, None
    from replica.thirdparty import ThirdPartySite

    server = ReplicaServer((host, 0), ThirdPartySite)
    return server.base_url, server


def make_mst_servers(
    host: str = "127.0.0.1",
    port: int = 8765,
    media_port: int = 0,
    *,
    articles: int = 200,
    seed: int = 1,
    generation: int = 0,
    offsite_base: str | None = None,
    base_url: str | None = None,
    media_base_url: str | None = None,
    faults: Faults | None = None,
    **options: Any,
) -> tuple[ReplicaServer, ReplicaServer]:
    """Bind the media host (the stand-in for mic.mediacdn.vn), then the mst site that links to it.

    ``options`` are ``MstSite``'s keyword options (validators, robots, paging, rss_dates,
    alias_redirect, alias_hosts). The media host serves no fault unless its own control endpoint
    ``/__replica__/faults`` is given some (``MstReplicaHandle.set_media_faults``).
    ``offsite_base`` None: the replica's own third-party host, as in ``make_server``.
    """
    from replica.mst.site import MediaSite, MstSite

    offsite, third_party = _offsite(host, offsite_base)
    media: ReplicaServer | None = None
    try:
        media = ReplicaServer((host, media_port), lambda bound: MediaSite(bound, offsite))
        media_url = media_base_url or media.base_url

        def factory(bound: str) -> MstSite:
            return MstSite(
                articles, seed, generation, base_url or bound, offsite, media_url, **options
            )

        server = ReplicaServer((host, port), factory, faults)
    except BaseException:
        if media is not None:
            media.server_close()
        if third_party is not None:
            third_party.server_close()
        raise
    server.third_party = third_party
    return server, media
