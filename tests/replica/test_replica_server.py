"""The replica over real HTTP: pages, request log, validators, generations and faults."""

from __future__ import annotations

import http.client
import io
import json
import time
import zipfile
from typing import Any
from urllib.parse import urlsplit

import pytest
from replica_oracle import article

from replica.faults import Faults
from replica.index import added_per_generation
from replica.site import Site
from replica.testing import ReplicaHandle, running_replica

Result = tuple[int, dict[str, str], bytes] | str


def fetch(
    base: str,
    path: str,
    headers: dict[str, str] | None = None,
    method: str = "GET",
    timeout: float = 30,
) -> Result:
    """(status, headers, body), or the name of the exception the client saw."""
    netloc = urlsplit(base).netloc
    conn = http.client.HTTPConnection(netloc, timeout=timeout)
    try:
        conn.request(method, path, headers=headers or {})
        resp = conn.getresponse()
        body = resp.read()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, body
    except (http.client.HTTPException, OSError) as exc:
        return type(exc).__name__
    finally:
        conn.close()


def ok(result: Result) -> tuple[int, dict[str, str], bytes]:
    assert not isinstance(result, str), result
    return result


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


# -- the shared fixture --------------------------------------------------------------------
def test_fixture_serves_articles_that_match_the_truth(replica: ReplicaHandle) -> None:
    assert replica.base_url.startswith("http://127.0.0.1:")
    ids = replica.site.article_ids()
    for site_id in ids[:: max(1, len(ids) // 25)]:
        truth = replica.site.truth(site_id)
        assert truth["url"].startswith(replica.base_url)
        status, headers, body = ok(fetch(replica.base_url, path_of(truth["url"])))
        assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
        truth.pop("categories")
        assert article(body, truth["url"]) == truth


def test_request_log_records_method_path_status_headers(replica: ReplicaHandle) -> None:
    replica.reset_requests()
    ok(fetch(replica.base_url, "/vn/Pages/Trangchu.aspx?x=1", {"User-Agent": "most-archive-test"}))
    fetch(replica.base_url, "/vn/tin-tuc/1/none.aspx", method="HEAD")
    log = replica.requests()
    assert [(e["method"], e["path"], e["status"]) for e in log] == [
        ("GET", "/vn/Pages/Trangchu.aspx?x=1", 200),
        ("HEAD", "/vn/tin-tuc/1/none.aspx", 404),
    ]
    assert log[0]["headers"]["User-Agent"] == "most-archive-test"
    assert all(not e["path"].startswith("/__replica__/") for e in replica.requests())


def test_files_are_small_valid_files(replica: ReplicaHandle) -> None:
    images, attachments = [], []
    for site_id in replica.site.article_ids()[-40:]:
        truth = replica.site.truth(site_id)
        images += [i["url"] for i in truth["images"] if i["url"].startswith(replica.base_url)]
        attachments += [a["url"] for a in truth["attachments"]]
    thumbs = [i["thumbnail"] for i in replica.site.listing_truth(492)["items"] if i["thumbnail"]]
    magic = {"image/jpeg": b"\xff\xd8\xff", "image/png": b"\x89PNG", "application/pdf": b"%PDF-"}
    seen = set()
    for url in images + thumbs + attachments:
        status, headers, body = ok(fetch(replica.base_url, path_of(url)))
        assert status == 200 and 0 < len(body) < 100_000, url
        ctype = headers["content-type"]
        seen.add(ctype)
        if ctype in magic:
            assert body.startswith(magic[ctype]), url
        elif "openxmlformats" in ctype:
            assert zipfile.ZipFile(io.BytesIO(body)).testzip() is None
        else:
            assert body.startswith(b"\xd0\xcf\x11\xe0"), url
    assert {"image/jpeg", "image/png", "application/pdf"} <= seen
    a, b = (ok(fetch(replica.base_url, path_of(u)))[2] for u in images[:2])
    assert a != b  # distinct files have distinct bytes


def test_conditional_requests_answer_304(replica: ReplicaHandle) -> None:
    site = replica.site
    with_validators = [i for i in site.article_ids() if site.validator(i)][:3]
    without = [i for i in site.article_ids() if site.validator(i) is None][:2]
    assert with_validators and without
    for site_id in with_validators:
        path = path_of(site.truth(site_id)["url"])
        _, headers, _ = ok(fetch(replica.base_url, path))
        etag, modified = headers["etag"], headers["last-modified"]
        status, h304, body = ok(fetch(replica.base_url, path, {"If-None-Match": etag}))
        assert (status, body, h304["etag"]) == (304, b"", etag)
        assert ok(fetch(replica.base_url, path, {"If-Modified-Since": modified}))[0] == 304
        old = "Mon, 01 Jan 2001 00:00:00 GMT"
        assert ok(fetch(replica.base_url, path, {"If-Modified-Since": old}))[0] == 200
        assert ok(fetch(replica.base_url, path, {"If-None-Match": '"other"'}))[0] == 200
        legacy = f"/vn/Pages/chitiettin.aspx?ChuyenmucID=492&IDNews={site_id}"
        assert ok(fetch(replica.base_url, legacy, {"If-None-Match": etag}))[0] == 304
    for site_id in without:
        _, headers, _ = ok(fetch(replica.base_url, path_of(site.truth(site_id)["url"])))
        assert "etag" not in headers and "last-modified" not in headers


def test_validators_switch_off() -> None:
    site = Site(60, validators=False)
    assert all(site.validator(i) is None for i in site.article_ids())
    with running_replica(articles=60, validators=False) as rep:
        _, headers, _ = ok(
            fetch(rep.base_url, path_of(rep.site.truth(rep.site.article_ids()[-1])["url"]))
        )
        assert "etag" not in headers


# -- generations ------------------------------------------------------------------------------
def test_generation_adds_new_articles_and_edits_some() -> None:
    g0, g1 = Site(200, seed=4), Site(200, seed=4, generation=1)
    old, new = set(g0.article_ids()), set(g1.article_ids())
    added = new - old
    assert old < new and len(added) == added_per_generation(200)
    assert min(added) > max(old)
    edited = {i for i in old if g0.truth(i) != g1.truth(i)}
    assert edited == {i for i, gens in g1.index.edits.items() if 1 in gens}
    assert 2 <= len(edited) <= 10
    kinds = set()
    for i in edited:
        a, b = g0.truth(i), g1.truth(i)
        kinds.add(next(k for k in ("title", "body", "images") if a[k] != b[k]))
        assert a["url"] == b["url"] and a["published_at"] == b["published_at"]
        assert g0.validator(i) != g1.validator(i) or g0.validator(i) is None
    assert len(kinds) >= 2
    for cat in (492, 493):
        firsts = [x["site_id"] for x in g1.listing_truth(cat)["items"]]
        fresh = sorted(
            (i for i in added if cat in g1.index.categories_of(g1.index.position[i])),
            key=lambda i: g1.spec(i).sort_time,
            reverse=True,
        )
        assert firsts[: len(fresh)] == fresh  # newest first
    listed = {}
    for cat in g1.categories():
        last = g1.listing_truth(cat["id"])["last_page"]
        for page in range(1, last + 1):
            listed.update({i["site_id"]: i for i in g1.listing_truth(cat["id"], page)["items"]})
    assert set(listed) == new
    assert all(listed[i]["title"] == g1.truth(i)["title"] for i in new)  # edited titles too
    assert all(listed[i]["url"] == g1.truth(i)["url"] for i in new)
    g2 = Site(200, seed=4, generation=2)
    assert set(g1.article_ids()) < set(g2.article_ids())


def test_generation_switches_live() -> None:
    with running_replica(articles=60, seed=2) as rep:
        before = set(rep.site.article_ids())
        rep.set_generation(1)
        assert rep.health()["generation"] == 1
        added = set(rep.site.article_ids()) - before
        _, _, body = ok(fetch(rep.base_url, "/vn/Pages/Trangchu.aspx"))
        assert any(f"/vn/tin-tuc/{i}/".encode() in body for i in added)
        edited = next(iter(rep.site.index.edits))
        truth = rep.site.truth(edited)
        _, _, page = ok(fetch(rep.base_url, path_of(truth["url"])))
        truth.pop("categories")
        assert article(page, truth["url"]) == truth


# -- faults -----------------------------------------------------------------------------------
def outcomes(rep: ReplicaHandle, paths: list[str]) -> list[Any]:
    out = []
    for path in paths:
        result = fetch(rep.base_url, path)
        out.append(result if isinstance(result, str) else (result[0], result[1].get("retry-after")))
    return out


def test_faults_are_deterministic_for_a_seed() -> None:
    faults = {"error_rate": 0.2, "truncate_rate": 0.1, "reset_rate": 0.1, "not_found_rate": 0.1}
    paths = [f"/vn/chuyen-muc/492/Tin-tuc-su-kien.aspx?page={n % 4 + 1}" for n in range(30)]
    runs = []
    for seed in (7, 7, 8):
        with running_replica(articles=50, faults={**faults, "seed": seed}) as rep:
            runs.append(outcomes(rep, paths))
            log = rep.requests()
            assert [e["n"] for e in log[:8]] == [0, 0, 0, 0, 1, 1, 1, 1]
    assert runs[0] == runs[1]
    assert runs[0] != runs[2]
    kinds = {r if isinstance(r, str) else r[0] for r in runs[0]}
    assert 200 in kinds and len(kinds) >= 3


@pytest.fixture(scope="module")
def faulty() -> Any:
    with running_replica(articles=50, seed=3) as rep:
        yield rep


def article_path(rep: ReplicaHandle, k: int = -1) -> str:
    return path_of(rep.site.truth(rep.site.article_ids()[k])["url"])


def test_error_answers_with_and_without_retry_after(faulty: ReplicaHandle) -> None:
    faulty.set_faults({"error_rate": 1.0, "retry_after_seconds": 3})
    results = outcomes(faulty, [f"/vn/Pages/Trangchu.aspx?i={i}" for i in range(12)])
    assert {r[0] for r in results} == {500, 503} and {r[1] for r in results} == {"3"}
    assert faulty.health()["ok"]  # control endpoints are never faulted
    faulty.set_faults({"error_rate": 1.0, "retry_after": False})
    assert {r[1] for r in outcomes(faulty, ["/vn/Pages/Trangchu.aspx?j=1"])} == {None}
    faulty.set_faults({"error_rate": 0.5})
    statuses = [r[0] for r in outcomes(faulty, ["/vn/Pages/Trangchu.aspx?retry=1"] * 12)]
    assert 200 in statuses and statuses != [200] * 12  # a retry can succeed
    faulty.set_faults(None)


def test_sticky_faults_hit_only_the_first_requests(faulty: ReplicaHandle) -> None:
    faulty.set_faults({"error_rate": 1.0, "sticky_requests": 2})
    statuses = [r[0] for r in outcomes(faulty, ["/vn/Pages/Trangchu.aspx?sticky=1"] * 4)]
    assert statuses[:2] != [200, 200] and statuses[2:] == [200, 200]
    faulty.set_faults(None)


@pytest.mark.parametrize(
    "setting,check",
    [
        ({"reset_rate": 1.0}, lambda r: r in ("ConnectionResetError", "RemoteDisconnected")),
        ({"truncate_rate": 1.0}, lambda r: r == "IncompleteRead"),
        ({"not_found_rate": 1.0}, lambda r: r[0] == 404 and b"ms-error" in r[2]),
        (
            {"pdf_rate": 1.0},
            lambda r: r[1]["content-type"] == "application/pdf" and r[2][:5] == b"%PDF-",
        ),
        (
            {"charset_rate": 1.0},
            lambda r: r[0] == 200 and r[1]["content-type"] != "text/html; charset=utf-8",
        ),
        ({"oversize_rate": 1.0, "oversize_bytes": 400_000}, lambda r: len(r[2]) == 400_000),
        (
            {"drip_rate": 1.0, "drip_seconds": 0.2},
            lambda r: r[0] == 200 and r[2].endswith(b"</html>\n"),
        ),
        ({"latency_ms": 20, "latency_jitter_ms": 10}, lambda r: r[0] == 200),
        ({"redirect_loop_rate": 1.0}, lambda r: r[0] == 302 and "__loop=1" in r[1]["location"]),
    ],
)
def test_each_fault_kind(faulty: ReplicaHandle, setting: dict[str, Any], check: Any) -> None:
    faulty.set_faults(setting)
    try:
        result = fetch(faulty.base_url, article_path(faulty))
        assert check(result), result
    finally:
        faulty.set_faults(None)
    assert ok(fetch(faulty.base_url, article_path(faulty)))[0] == 200


def test_offsite_redirect_points_at_the_replicas_third_party_host(faulty: ReplicaHandle) -> None:
    """The offsite base is a host the replica serves itself (replica.thirdparty): it answers
    404 at once to anything and logs what reached it."""
    assert faulty.serves_offsite and faulty.offsite_url != faulty.base_url
    assert faulty.health()["offsite_base"] == faulty.offsite_url
    faulty.set_faults({"offsite_redirect_rate": 1.0})
    try:
        status, headers, _ = ok(fetch(faulty.base_url, article_path(faulty)))
    finally:
        faulty.set_faults(None)
    assert status == 302 and headers["location"] == faulty.offsite_url + article_path(faulty)
    faulty.reset_requests()
    assert faulty.offsite_requests() == []
    status, headers, body = ok(fetch(faulty.offsite_url, article_path(faulty)))
    assert status == 404 and body.startswith(b"<html>")
    assert ok(fetch(faulty.offsite_url, "/media/a.jpg", method="HEAD"))[0] == 404
    hits = [(r["method"], r["path"], r["status"]) for r in faulty.offsite_requests()]
    assert hits == [("GET", article_path(faulty), 404), ("HEAD", "/media/a.jpg", 404)]
    faulty.reset_requests()
    assert faulty.offsite_requests() == []


def test_throttle_hang_and_path_pattern(faulty: ReplicaHandle) -> None:
    faulty.set_faults({"throttle_rate": 1.0, "retry_after_seconds": 7})
    assert outcomes(faulty, ["/vn/Pages/Trangchu.aspx?t=1"]) == [(429, "7")]
    # the server holds each answer 1 s, the client gives up after 0.3 s
    faulty.set_faults({"hang_rate": 1.0, "hang_seconds": 1.0})
    assert fetch(faulty.base_url, "/vn/Pages/Trangchu.aspx?h=1", timeout=0.3) == "TimeoutError"
    faulty.set_faults({"latency_ms": 1000})
    assert fetch(faulty.base_url, "/vn/Pages/Trangchu.aspx?h=2", timeout=0.3) == "TimeoutError"
    assert ok(fetch(faulty.base_url, "/__replica__/health"))[0] == 200
    paths = ("/vn/Pages/Trangchu.aspx?h=1", "/vn/Pages/Trangchu.aspx?h=2")
    deadline = time.monotonic() + 10  # until both late answers have found the client gone
    while True:
        log = {e["path"]: e for e in faulty.requests()}
        if all(log[p]["aborted"] for p in paths) or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    hung, late = log[paths[0]], log[paths[1]]
    assert hung["fault"] == "hang" and hung["aborted"] is True
    assert late["delay"] == 1.0 and late["aborted"] is True and late["fault"] is None
    faulty.set_faults({"error_rate": 1.0, "path_pattern": "^/vn/tin-tuc/"})
    assert ok(fetch(faulty.base_url, "/vn/Pages/Trangchu.aspx?p=1"))[0] == 200
    assert ok(fetch(faulty.base_url, article_path(faulty)))[0] in (500, 503)
    faulty.set_faults(None)


def test_redirect_loop_bounces_back(faulty: ReplicaHandle) -> None:
    faulty.set_faults({"redirect_loop_rate": 1.0})
    path = article_path(faulty)
    first = ok(fetch(faulty.base_url, path))
    second = ok(fetch(faulty.base_url, first[1]["location"]))
    assert second[0] == 302 and second[1]["location"] == path
    faulty.set_faults(None)


def test_pdf_fault_spares_listings(faulty: ReplicaHandle) -> None:
    faulty.set_faults({"pdf_rate": 1.0})
    _status, headers, _ = ok(fetch(faulty.base_url, "/vn/chuyen-muc/492/Tin-tuc-su-kien.aspx"))
    assert headers["content-type"].startswith("text/html")
    faulty.set_faults(None)


def test_friendly_url_answers_500_while_legacy_form_works(faulty: ReplicaHandle) -> None:
    faulty.set_faults({"friendly_500_rate": 1.0})
    site_id = faulty.site.article_ids()[-1]
    spec = faulty.site.spec(site_id)
    for path in (spec.path, f"/vn/tin-tuc/{site_id}/other.aspx"):
        assert ok(fetch(faulty.base_url, path))[0] == 500
        assert ok(fetch(faulty.base_url, path))[0] == 500  # persistent, not per request
    legacy = f"/vn/Pages/chitiettin.aspx?ChuyenmucID={spec.category_id}&IDNews={site_id}"
    assert ok(fetch(faulty.base_url, legacy))[0] == 200
    faulty.set_faults({"friendly_500_rate": 0.3})
    statuses = [
        ok(fetch(faulty.base_url, f"/vn/tin-tuc/{i}/x.aspx"))[0] for i in faulty.site.article_ids()
    ]
    assert 0 < statuses.count(500) < len(statuses)
    faulty.set_faults(None)


def test_bad_fault_settings_are_refused(faulty: ReplicaHandle) -> None:
    with pytest.raises(ValueError):
        Faults.from_dict({"no_such_fault": 1})
    status, _, _ = ok(
        fetch(
            faulty.base_url, "/__replica__/faults", method="POST", headers={"Content-Length": "0"}
        )
    )
    assert status == 200


def test_keep_alive_and_head(replica: ReplicaHandle) -> None:
    conn = http.client.HTTPConnection(urlsplit(replica.base_url).netloc, timeout=30)
    try:
        sizes = []
        for path in ("/vn/Pages/Trangchu.aspx", "/rss/492/tin_tuc_su_kien.rss", "/robots.txt"):
            conn.request("GET", path)  # the same connection each time
            resp = conn.getresponse()
            sizes.append(len(resp.read()))
            assert int(resp.getheader("Content-Length") or -1) == sizes[-1]
        conn.request("HEAD", "/vn/Pages/Trangchu.aspx")
        resp = conn.getresponse()
        assert resp.status == 200 and resp.read() == b""
        assert int(resp.getheader("Content-Length") or -1) == sizes[0]
    finally:
        conn.close()


def test_truth_endpoint_matches_the_in_process_site(replica: ReplicaHandle) -> None:
    site_id = replica.site.article_ids()[7]
    status, _, body = ok(fetch(replica.base_url, f"/__replica__/truth?id={site_id}"))
    assert status == 200 and json.loads(body) == replica.site.truth(site_id)
    assert ok(fetch(replica.base_url, "/__replica__/truth?id=1"))[0] == 404
