"""Pure parts of the middlewares (the HTTP behaviour is tested end to end in tests/e2e)."""

from __future__ import annotations

import email.utils
import time

from crawler.middlewares import retry_after_seconds


def test_retry_after_in_seconds() -> None:
    assert retry_after_seconds(b"7") == 7.0
    assert retry_after_seconds(b" 0 ") == 0.0


def test_retry_after_as_http_date() -> None:
    when = email.utils.formatdate(time.time() + 30, usegmt=True).encode()
    wait = retry_after_seconds(when)
    assert wait is not None and 25 <= wait <= 31


def test_retry_after_garbage_or_absent() -> None:
    assert retry_after_seconds(None) is None
    assert retry_after_seconds(b"soon") is None
    past = email.utils.formatdate(time.time() - 300, usegmt=True).encode()
    assert retry_after_seconds(past) == 0.0
