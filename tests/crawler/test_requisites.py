"""Where an article's images and attachments may come from (crawler.requisites)."""

from __future__ import annotations

import pytest

from crawler.requisites import is_internal_address, literal_address, refusal

PUBLIC = ["203.162.10.5"]  # a public address (as mic.mediacdn.vn's would be)


@pytest.mark.parametrize(
    ("address", "internal"),
    [
        ("127.0.0.1", True),
        ("10.1.2.3", True),
        ("172.16.0.9", True),
        ("192.168.1.1", True),
        ("169.254.169.254", True),
        ("0.0.0.0", True),
        ("224.0.0.1", True),
        ("::1", True),
        ("fe80::1", True),
        ("fc00::1", True),
        ("::ffff:127.0.0.1", True),
        ("::ffff:10.0.0.1", True),
        ("not an address", True),
        ("203.162.10.5", False),
        ("8.8.8.8", False),
        ("2001:4860:4860::8888", False),
        ("::ffff:8.8.8.8", False),
    ],
)
def test_internal_addresses(address: str, internal: bool) -> None:
    assert is_internal_address(address) is internal


def test_public_media_host_is_fetched() -> None:
    url = "https://mic.mediacdn.vn/639352410187198464/2025/7/4/qd-2784.pdf"
    assert refusal(url, PUBLIC, site_internal=False) is None


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/a.jpg",
        "http://localhost/a.jpg",
        "http://10.0.0.5/a.pdf",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:81/a.jpg",
        "http://x.local/a.jpg",
    ],
)
def test_internal_hosts_refused_for_a_public_site(url: str) -> None:
    host = url.split("/")[2].rsplit(":", 1)[0] if "[" not in url else "::1"
    addresses = [literal_address(host) or "127.0.0.1"]
    reason = refusal(url, addresses, site_internal=False)
    assert reason is not None and "internal" in reason


def test_a_name_resolving_inside_is_refused() -> None:
    reason = refusal(
        "https://cdn.example.com/a.jpg", ["203.162.10.5", "10.0.0.1"], site_internal=False
    )
    assert reason == "cdn.example.com is on an internal address (10.0.0.1)"
    assert refusal("https://cdn.example.com/a.jpg", [], site_internal=False) == (
        "cdn.example.com does not resolve"
    )


def test_internal_allowed_when_the_site_itself_is_internal() -> None:
    assert refusal("http://127.0.0.1:9999/media/a.jpg", [], site_internal=True) is None


@pytest.mark.parametrize(
    "url",
    [
        "ftp://mic.mediacdn.vn/a.pdf",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "data:image/png;base64,AAA",
        "//x/a.jpg",
    ],
)
def test_only_http(url: str) -> None:
    for site_internal in (False, True):
        assert refusal(url, PUBLIC, site_internal=site_internal) is not None
