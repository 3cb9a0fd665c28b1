"""``running_replica``: the replica served by a subprocess on a free 127.0.0.1 port, for tests.

with running_replica(articles=200, faults={"error_rate": 0.1}) as rep:
    rep.base_url            # "http://127.0.0.1:41235"
    rep.site.truth(10004)   # an identical in-process Site, for the ground truth
    rep.set_generation(1)   # both the server and rep.site move to generation 1
    rep.requests()          # what the server has answered so far
    rep.offsite_requests()  # what reached the replica's own third-party host (replica.thirdparty)

``running_mst_replica`` does the same for the mst.gov.vn portal, with its media host:

with running_mst_replica(articles=1000, paging="both") as rep:
    rep.base_url, rep.media_url     # two free ports
    rep.site.truth(rep.site.article_ids()[-1])   # an identical in-process MstSite
    rep.requests(); rep.media_requests()         # the two request logs
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from replica.faults import Faults
from replica.mst.site import MstSite
from replica.site import Site

ROOT = Path(__file__).resolve().parent.parent
_URL = re.compile(r"(http://127\.0\.0\.1:\d+)")


def _control(base_url: str, method: str, endpoint: str, data: bytes | None = None) -> Any:
    req = urllib.request.Request(f"{base_url}/__replica__/{endpoint}", data=data, method=method)
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.loads(resp.read().decode("utf-8"))


class _Controlled:
    """The control endpoints (``/__replica__/…``) of a running replica, either portal."""

    base_url: str
    site: Any  # Site or MstSite: both have with_generation()
    offsite_url: str  # where the pages' links off the site point (Hosts.offsite)
    serves_offsite: bool  # True: offsite_url is the replica's own third-party host

    def _call(self, method: str, endpoint: str, data: bytes | None = None) -> Any:
        return _control(self.base_url, method, endpoint, data)

    def url(self, path: str) -> str:
        return self.base_url + path

    def health(self) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", "health")
        return result

    def set_generation(self, n: int) -> None:
        self._call("POST", f"generation?n={int(n)}", b"")
        self.site = self.site.with_generation(n)

    def set_faults(self, faults: Faults | dict[str, Any] | None) -> None:
        self._call("POST", "faults", json.dumps(_faults_dict(faults)).encode("utf-8"))

    def requests(self) -> list[dict[str, Any]]:
        """The site's request log (pages, feeds, sitemaps)."""
        result: list[dict[str, Any]] = self._call("GET", "requests")
        return result

    def offsite_requests(self) -> list[dict[str, Any]]:
        """The request log of the replica's own third-party host: every request a crawler made
        off the site (third parties' images, and any page it should never have fetched)."""
        if not self.serves_offsite:
            raise RuntimeError(f"the offsite base {self.offsite_url} is not the replica's own")
        result: list[dict[str, Any]] = _control(self.offsite_url, "GET", "requests")
        return result

    def reset_requests(self, counters: bool = False) -> None:
        query = "reset" + ("?counters=1" if counters else "")
        self._call("POST", query, b"")
        if self.serves_offsite:
            _control(self.offsite_url, "POST", query, b"")


@dataclass
class ReplicaHandle(_Controlled):
    base_url: str
    site: Site
    process: subprocess.Popen[str]
    output: list[str] = field(default_factory=list)
    offsite_url: str = ""
    serves_offsite: bool = False


def _faults_dict(faults: Faults | dict[str, Any] | None) -> dict[str, Any]:
    if faults is None:
        return {}
    if isinstance(faults, Faults):
        return faults.to_dict()
    return Faults.from_dict(dict(faults)).to_dict()


def _read_url(proc: subprocess.Popen[str], lines: list[str], timeout: float) -> str:
    found: list[str] = []
    done = threading.Event()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line.rstrip("\n"))
            m = _URL.search(line)
            if m and not found:
                found.append(m.group(1))
                done.set()
        done.set()

    threading.Thread(target=pump, daemon=True).start()
    done.wait(timeout)
    if not found:
        proc.kill()
        raise RuntimeError("the replica did not start:\n" + "\n".join(lines))
    return found[0]


@contextmanager
def running_replica(
    articles: int = 200,
    seed: int = 1,
    generation: int = 0,
    faults: Faults | dict[str, Any] | None = None,
    *,
    offsite_base: str | None = None,
    validators: bool = True,
    robots: str = "404",
    timeout: float = 120.0,
) -> Iterator[ReplicaHandle]:
    """Serve a replica in a subprocess on a free port; yield a handle; kill it on exit.

    ``offsite_base`` None: the replica serves its own third-party host (``offsite_requests()``)."""
    cmd = [
        sys.executable,
        "-m",
        "replica",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--articles",
        str(articles),
        "--seed",
        str(seed),
        "--generation",
        str(generation),
        *_offsite_flag(offsite_base),
        "--robots",
        robots,
        "--parent-pid",
        str(os.getpid()),
        "--faults-json",
        json.dumps(_faults_dict(faults)),
    ]
    if not validators:
        cmd.append("--no-validators")
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT, env=env
    )
    lines: list[str] = []
    try:
        base_url = _read_url(proc, lines, timeout)
        offsite = _wait_healthy(proc, base_url, lines, timeout)["offsite_base"]
        site = Site(
            articles, seed, generation, base_url, offsite, validators=validators, robots=robots
        )
        yield ReplicaHandle(base_url, site, proc, lines, offsite, offsite_base is None)
    finally:
        _stop(proc)


def _offsite_flag(offsite_base: str | None) -> list[str]:
    return [] if offsite_base is None else ["--offsite-base", offsite_base]


@dataclass
class MstReplicaHandle(_Controlled):
    """A running mst replica: the site on ``base_url``, its media host on ``media_url``."""

    base_url: str
    media_url: str
    site: MstSite
    process: subprocess.Popen[str]
    output: list[str] = field(default_factory=list)
    offsite_url: str = ""
    serves_offsite: bool = False

    def set_media_faults(self, faults: Faults | dict[str, Any] | None) -> None:
        """Faults of the media host (images, attachments); none unless set here."""
        _control(self.media_url, "POST", "faults", json.dumps(_faults_dict(faults)).encode("utf-8"))

    def media_requests(self) -> list[dict[str, Any]]:
        """The media host's request log (images, attachments)."""
        result: list[dict[str, Any]] = _control(self.media_url, "GET", "requests")
        return result

    def reset_requests(self, counters: bool = False) -> None:
        super().reset_requests(counters)  # the site and the third-party host
        _control(self.media_url, "POST", "reset" + ("?counters=1" if counters else ""), b"")


_SERVING = re.compile(r"^Serving (http://127\.0\.0\.1:\d+)")
_MEDIA = re.compile(r"^Media host (http://127\.0\.0\.1:\d+)")


def _read_urls(proc: subprocess.Popen[str], lines: list[str], timeout: float) -> tuple[str, str]:
    found: dict[str, str] = {}
    done = threading.Event()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line.rstrip("\n"))
            for key, pattern in (("site", _SERVING), ("media", _MEDIA)):
                m = pattern.match(line)
                if m:
                    found[key] = m.group(1)
            if len(found) == 2:
                done.set()
        done.set()

    threading.Thread(target=pump, daemon=True).start()
    done.wait(timeout)
    if len(found) < 2:
        proc.kill()
        raise RuntimeError("the mst replica did not start:\n" + "\n".join(lines))
    return found["site"], found["media"]


@contextmanager
def running_mst_replica(
    articles: int = 200,
    seed: int = 1,
    generation: int = 0,
    faults: Faults | dict[str, Any] | None = None,
    *,
    offsite_base: str | None = None,
    validators: bool = True,
    robots: str = "allow",
    paging: str = "both",
    rss_dates: str = "both",
    alias_redirect: bool = False,
    alias_hosts: tuple[str, ...] = (),
    timeline_referer: bool = False,
    timeout: float = 120.0,
) -> Iterator[MstReplicaHandle]:
    """Serve an mst replica and its media host in a subprocess on free ports; kill it on exit.

    ``offsite_base`` None: the replica serves its own third-party host (``offsite_requests()``)."""
    cmd = [
        sys.executable,
        "-m",
        "replica",
        "--portal",
        "mst",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--media-port",
        "0",
        "--articles",
        str(articles),
        "--seed",
        str(seed),
        "--generation",
        str(generation),
        *_offsite_flag(offsite_base),
        "--robots",
        robots,
        "--paging",
        paging,
        "--rss-dates",
        rss_dates,
        "--parent-pid",
        str(os.getpid()),
        "--faults-json",
        json.dumps(_faults_dict(faults)),
    ]
    if not validators:
        cmd.append("--no-validators")
    if alias_redirect:
        cmd.append("--alias-redirect")
    for name in alias_hosts:
        cmd += ["--alias-host", name]
    if timeline_referer:
        cmd.append("--timeline-referer")
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT, env=env
    )
    lines: list[str] = []
    try:
        base_url, media_url = _read_urls(proc, lines, timeout)
        offsite = _wait_healthy(proc, base_url, lines, timeout)["offsite_base"]
        site = MstSite(
            articles,
            seed,
            generation,
            base_url,
            offsite,
            media_url,
            validators=validators,
            robots=robots,
            paging=paging,
            rss_dates=rss_dates,
            alias_redirect=alias_redirect,
            alias_hosts=alias_hosts,
            timeline_referer=timeline_referer,
        )
        yield MstReplicaHandle(
            base_url, media_url, site, proc, lines, offsite, offsite_base is None
        )
    finally:
        _stop(proc)


def _wait_healthy(
    proc: subprocess.Popen[str], base_url: str, lines: list[str], timeout: float
) -> dict[str, Any]:
    """The replica's health once it answers (polled with a deadline)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{base_url}/__replica__/health", timeout=5) as r:
                health: dict[str, Any] = json.loads(r.read())
                if health["ok"]:
                    return health
        except (urllib.error.URLError, OSError, ValueError):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    "the replica never became healthy:\n" + "\n".join(lines)
                ) from None
            time.sleep(0.05)


def _stop(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    if proc.stdout is not None:
        proc.stdout.close()
