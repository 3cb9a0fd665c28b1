"""The middlewares use public Scrapy API only: the pacing shim, robots.txt error pages, retries."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from scrapy import Request, Spider
from scrapy.http import HtmlResponse, TextResponse
from scrapy.utils.test import get_crawler

from crawler.middlewares import (
    BackoffRetryMiddleware,
    HostPacer,
    RobotsRulesMiddleware,
    is_error_page,
    is_robots_request,
)

ROOT = Path(__file__).resolve().parents[2]


def _uses_scrapy(tree: ast.AST) -> bool:
    for node in ast.walk(tree):
        names = (
            [a.name for a in node.names]
            if isinstance(node, ast.Import)
            else ([node.module or ""] if isinstance(node, ast.ImportFrom) else [])
        )
        if any(n == "scrapy" or n.startswith("scrapy.") for n in names):
            return True
    return False


def test_no_private_scrapy_attribute_is_used() -> None:
    """In the modules that use Scrapy, no ``x._name`` but our own (defined or set on self)."""
    offenders = []
    for path in sorted((ROOT / "crawler").rglob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        if not _uses_scrapy(tree):
            continue
        own = {
            n.name
            for n in ast.walk(tree)
            if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        }
        own |= {
            t.attr
            for n in ast.walk(tree)
            if isinstance(n, ast.Assign | ast.AnnAssign)
            for t in (n.targets if isinstance(n, ast.Assign) else [n.target])
            if isinstance(t, ast.Attribute)
            and isinstance(t.value, ast.Name)
            and t.value.id == "self"
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr.startswith("_"):
                if node.attr.startswith("__") or node.attr in own:
                    continue
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} .{node.attr}")
    assert offenders == []


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_pacer_spaces_a_hosts_requests_by_its_delay() -> None:
    clock = Clock()
    pacer = HostPacer(clock)
    assert pacer.reserve("a") == 0.0  # no Crawl-delay: no wait
    pacer.set_delay("a", 2.0)
    assert [pacer.reserve("a") for _ in range(3)] == [0.0, 2.0, 4.0]
    assert pacer.reserve("b") == 0.0  # other hosts are not held up
    clock.now += 10
    assert pacer.reserve("a") == 0.0  # a quiet host starts at once
    clock.now += 0.5
    assert pacer.reserve("a") == 1.5


def _robots_request() -> Request:
    return Request("http://127.0.0.1:9/robots.txt", meta={"dont_obey_robotstxt": True})


@pytest.mark.parametrize(
    ("status", "ctype", "body", "error"),
    [
        (200, b"text/plain", b"User-agent: *\nDisallow: /x\n", False),
        (404, b"text/plain", b"Not found", True),
        (200, b"text/html; charset=utf-8", b"<p>Page not found</p>", True),
        (200, b"text/plain", b"  <!DOCTYPE html><html>", True),
        (200, b"application/octet-stream", b"<html><body>oops", True),
    ],
)
def test_robots_error_pages(status: int, ctype: bytes, body: bytes, error: bool) -> None:
    request = _robots_request()
    response = TextResponse(
        request.url, status=status, body=body, request=request, headers={"Content-Type": ctype}
    )
    assert is_error_page(response) is error
    crawler = get_crawler(Spider, {"ROBOTSTXT_OBEY": True})
    middleware = RobotsRulesMiddleware(crawler)
    out = middleware.process_response(request, response)
    assert (out.body == b"") is error


def test_only_the_robots_request_is_treated_as_robots() -> None:
    assert is_robots_request(_robots_request())
    assert not is_robots_request(Request("http://127.0.0.1:9/robots.txt"))
    assert not is_robots_request(
        Request("http://127.0.0.1:9/x", meta={"dont_obey_robotstxt": True})
    )
    page = HtmlResponse("http://127.0.0.1:9/x", status=404, body=b"<html>")
    middleware = RobotsRulesMiddleware(get_crawler(Spider, {"ROBOTSTXT_OBEY": True}))
    assert middleware.process_response(page.request or Request(page.url), page) is page


def test_crawl_delay_of_the_robots_parser_paces_the_host() -> None:
    from scrapy.robotstxt import ProtegoRobotParser

    crawler = get_crawler(Spider, {"ROBOTSTXT_OBEY": True, "USER_AGENT": "most-archive/0.1"})
    middleware = RobotsRulesMiddleware(crawler)
    parser = ProtegoRobotParser.from_crawler(crawler, b"User-agent: *\nCrawl-delay: 3\n")
    middleware.robots_parsed(parser, Request("http://127.0.0.1:9/a"))
    assert middleware.pacer.delays == {"127.0.0.1:9": 3.0}
    middleware.robots_parsed(parser.from_crawler(crawler, b""), Request("http://127.0.0.2/a"))
    assert "127.0.0.2" not in middleware.pacer.delays


def test_retries_go_through_get_retry_request() -> None:
    crawler = get_crawler(Spider, {"RETRY_TIMES": 2})
    crawler.spider = Spider.from_crawler(crawler, name="t")
    middleware = BackoffRetryMiddleware.from_crawler(crawler)
    request = Request("http://127.0.0.1:9/a", priority=5)
    first = middleware.retry_request(request, "HTTP 503")
    assert first is not None and first.meta["retry_times"] == 1 and first.dont_filter
    assert first.priority == 5 + crawler.settings.getint("RETRY_PRIORITY_ADJUST")
    second = middleware.retry_request(first, "HTTP 503")
    assert second is not None and second.meta["retry_times"] == 2
    assert middleware.retry_request(second, "HTTP 503") is None  # RETRY_TIMES spent
    once = Request("http://127.0.0.1:9/b", meta={"max_retry_times": 0})
    assert middleware.retry_request(once, ValueError("x")) is None
    assert crawler.stats is not None
    assert crawler.stats.get_value("retry/count") == 2
    assert crawler.stats.get_value("retry/max_reached") == 2


def test_a_crawl_delay_beyond_the_cap_is_waited_the_cap() -> None:
    from scrapy.robotstxt import ProtegoRobotParser

    settings = {"ROBOTSTXT_OBEY": True, "USER_AGENT": "a", "ARCHIVE_MAX_CRAWL_DELAY": 60.0}
    crawler = get_crawler(Spider, settings)
    middleware = RobotsRulesMiddleware(crawler)
    parser = ProtegoRobotParser.from_crawler(crawler, b"User-agent: *\nCrawl-delay: 1e308\n")
    middleware.robots_parsed(parser, Request("http://127.0.0.1:9/a"))
    assert middleware.pacer.delays == {"127.0.0.1:9": 60.0}


def test_an_exception_in_a_callback_is_a_recorded_failure_of_its_page() -> None:
    from scrapy.spidermiddlewares.httperror import HttpError

    from crawler.middlewares import CallbackErrorsMiddleware
    from crawler.records import FetchFailure

    crawler = get_crawler(Spider)
    crawler.stats.open_spider()  # type: ignore[union-attr]
    middleware = CallbackErrorsMiddleware.from_crawler(crawler)
    meta = {"kind": "article", "canonical": "http://127.0.0.1:9/vn/tin-tuc/5/a.aspx"}
    request = Request("http://127.0.0.1:9/vn/Pages/chitiettin.aspx?IDNews=5", meta=meta)
    response = HtmlResponse(request.url, body=b"<html>", request=request)
    out = middleware.process_spider_exception(response, LookupError("'rot-13' is not a text"))
    assert out == [
        FetchFailure(
            meta["canonical"],
            "article",
            "could not be read: LookupError: 'rot-13' is not a text",
            200,
        )
    ]
    assert crawler.stats.get_value("archive/callback_errors") == 1  # type: ignore[union-attr]
    # an HTTP error is the request's errback's business, as before
    assert middleware.process_spider_exception(response, HttpError(response)) is None


def test_the_callback_errors_middleware_is_installed() -> None:
    from crawler import settings

    assert "crawler.middlewares.CallbackErrorsMiddleware" in settings.SPIDER_MIDDLEWARES
