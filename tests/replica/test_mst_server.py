"""The mst replica over real HTTP: pages equal the truth, media on its own host, request logs,
304s, generations, faults, and the CLI ``most-archive replica --portal mst``."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

from mst_oracle import article

from replica.testing import MstReplicaHandle, ReplicaHandle

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(sys.executable).parent / "most-archive"


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read()


def test_articles_over_http_equal_the_truth_and_media_comes_from_the_media_host(
    mst_replica: MstReplicaHandle,
) -> None:
    site = mst_replica.site
    assert urlsplit(mst_replica.media_url).port != urlsplit(mst_replica.base_url).port
    mst_replica.reset_requests()
    files = set()
    for site_id in site.article_ids()[::20]:
        truth = site.truth(site_id)
        status, headers, body = fetch(truth["url"])
        assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
        truth.pop("categories")
        assert article(body, truth["url"]) == truth
        for item in truth["images"] + truth["attachments"]:
            assert item["url"].startswith(mst_replica.media_url + "/")
            status, headers, data = fetch(item["url"])
            assert status == 200 and data and "html" not in headers["content-type"]
            files.add(urlsplit(item["url"]).path)
    assert files
    logged = {e["path"] for e in mst_replica.media_requests()}
    assert files <= logged
    assert not any(p.endswith(".htm") for p in logged)
    assert all(not e["path"].startswith(("/6393", "/document")) for e in mst_replica.requests())


def test_health_names_the_portal_and_the_media_host(
    mst_replica: MstReplicaHandle, replica: ReplicaHandle
) -> None:
    health = mst_replica.health()
    assert health["portal"] == "mst" and health["media_url"] == mst_replica.media_url
    assert health["articles"] == 200
    assert replica.health()["portal"] == "most" and "media_url" not in replica.health()
    # the third-party host is the replica's own, on a port of its own
    assert mst_replica.serves_offsite and health["offsite_base"] == mst_replica.offsite_url
    assert mst_replica.offsite_url not in (mst_replica.base_url, mst_replica.media_url)


def test_conditional_requests_get_304(mst_replica: MstReplicaHandle) -> None:
    site = mst_replica.site
    site_id = next(i for i in reversed(site.article_ids()) if site.validator(i))
    url = site.truth(site_id)["url"]
    status, headers, _ = fetch(url)
    assert status == 200
    status, _, body = fetch(url, {"If-None-Match": headers["etag"]})
    assert status == 304 and body == b""


def test_generation_and_faults_switch_live(mst_replica: MstReplicaHandle) -> None:
    before = mst_replica.site.article_ids()
    try:
        mst_replica.set_generation(1)
        newest = mst_replica.site.article_ids()[-1]
        assert newest not in before
        assert fetch(mst_replica.site.truth(newest)["url"])[0] == 200
        mst_replica.set_faults({"error_rate": 1.0, "path_pattern": r"^/rss/"})
        assert fetch(mst_replica.url("/rss/home.rss"))[0] in (500, 503)
        assert fetch(mst_replica.url("/"))[0] == 200
    finally:
        mst_replica.set_faults({})
        mst_replica.set_generation(0)
    assert fetch(mst_replica.url("/rss/home.rss"))[0] == 200
    assert mst_replica.health()["generation"] == 0


def _command() -> list[str]:
    return [str(SCRIPT), "replica"] if SCRIPT.exists() else [sys.executable, "-m", "replica"]


def test_cli_serves_a_thousand_article_mst_replica() -> None:
    proc = subprocess.Popen(
        [*_command(), "--portal", "mst", "--port", "0", "--articles", "1000"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=ROOT,
    )
    lines: list[str] = []
    ready = threading.Event()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line)
            if line.startswith("Media host"):
                ready.set()
        ready.set()

    threading.Thread(target=pump, daemon=True).start()
    try:
        assert ready.wait(60), "".join(lines)
        text = "".join(lines)
        base = re.search(r"Serving (http://127\.0\.0\.1:\d+)", text).group(1)  # type: ignore[union-attr]
        media = re.search(r"Media host (http://127\.0\.0\.1:\d+)", text).group(1)  # type: ignore[union-attr]
        health = json.loads(fetch(base + "/__replica__/health")[2])
        assert health["articles"] == 1000 and health["portal"] == "mst"
        assert health["media_url"] == media
        status, _, body = fetch(base + "/")
        assert status == 200 and b'class="box-category-item"' in body
        assert fetch(base + "/sitemap.xml")[0] == 200
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_cli_help_and_portal_usage_errors() -> None:
    out = subprocess.run([*_command(), "--help"], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0
    for flag in ("--portal", "--media-port", "--paging", "--rss-dates", "--alias-redirect"):
        assert flag in out.stdout
    for args in (
        ["--paging", "trang"],
        ["--portal", "mst", "--robots", "404"],
        ["--robots", "allow"],
        ["--alias-host", "localhost"],
    ):
        bad = subprocess.run(
            [*_command(), "--port", "0", *args],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=60,
        )
        assert bad.returncode == 2 and "Traceback" not in bad.stderr and "Error" in bad.stderr
