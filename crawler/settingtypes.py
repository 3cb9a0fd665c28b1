"""What each crawl setting may hold: the one place a setting's value is judged before a crawl.

``crawler/settings.py`` declares the ``ARCHIVE_*`` settings with their defaults; this module says
what values each accepts (and the same for the Scrapy settings the crawl's pace depends on), so a
value typed with ``-s NAME=VALUE`` is refused up front with a one-line message instead of a
traceback deep inside Scrapy, a value silently read as something else (``-s
ARCHIVE_MAX_DURATION=abc`` ignored, ``DOWNLOAD_DELAY=nan`` read as no delay at all) or a run that
never ends (a delay of ``1e308`` seconds). ``most-archive crawl`` asks it before it takes the lock
(usage error, exit 2); ``scrapy crawl most`` asks it when the spider's settings are applied
(``MostSpider.update_settings``: Scrapy's usage error, exit 2). Values are read through any
``get(name)``; Scrapy's defaults are imported only when a check runs. A setting with no rule of
its own below gets one from its default's type (a number, a boolean, a JSON object), and a name
given by hand that no setting has is refused with the names it is close to.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import math
import re
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from crawler.durations import MIN_DURATION, parse_duration
from crawler.urls import normalise_site

# The largest integer SQLite stores (a count beyond it overflowed a query: OverflowError).
MAX_INT = 2**63 - 1
# The longest wait any delay, backoff or timeout may ask for, in seconds (a day): a longer one is
# a typo or an attack (``1e308`` froze the crawl before its first request).
MAX_WAIT = 86400.0

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
_WHOLE = re.compile(r"[+]?[0-9]+")
_TRUE = ("1", "true", "True")
_FALSE = ("0", "false", "False")


class Readable(Protocol):
    def get(self, name: str, default: Any = None) -> Any: ...


Check = Callable[[Any], str | None]  # what is wrong with a value, or None


def count(lo: int = 0, hi: int = MAX_INT) -> Check:
    """A whole number from ``lo`` to ``hi`` (ASCII digits when written as text)."""

    def check(value: Any) -> str | None:
        n: int | None = None
        if isinstance(value, bool):
            n = None
        elif isinstance(value, int):
            n = value
        elif isinstance(value, float) and math.isfinite(value) and value.is_integer():
            n = int(value)
        elif isinstance(value, str) and _WHOLE.fullmatch(value.strip()):
            n = int(value.strip())
        if n is None:
            return "not a whole number"
        if n < lo:
            return f"must be at least {lo}"
        if n > hi:
            return f"must be at most {hi}"
        return None

    return check


def seconds(lo: float = 0.0, hi: float = MAX_WAIT, *, above: bool = False) -> Check:
    """A finite number of seconds from ``lo`` (excluded when ``above``) to ``hi``."""

    def check(value: Any) -> str | None:
        return _number(value, lo, hi, above=above, unit=" seconds")

    return check


def share(value: Any) -> str | None:
    """A share: more than 0, at most 1."""
    return _number(value, 0.0, 1.0, above=True, unit="")


def _number(value: Any, lo: float, hi: float, *, above: bool, unit: str) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return "not a number"
    try:
        x = float(value)
    except (ValueError, OverflowError):
        return "not a number"
    if not math.isfinite(x):
        return "not a finite number"
    if x < lo or (above and x == lo):
        return f"must be {'more than' if above else 'at least'} {lo:g}{unit}"
    if x > hi:
        return f"must be at most {hi:g}{unit}"
    return None


def positive(value: Any) -> str | None:
    """A finite number above 0."""
    return _number(value, 0.0, float(MAX_INT), above=True, unit="")


def boolean(value: Any) -> str | None:
    """What Scrapy's ``getbool`` reads without guessing: True/False, 1/0, true/false."""
    if isinstance(value, bool) or value in (0, 1):
        return None
    if isinstance(value, str) and value.strip() in _TRUE + _FALSE:
        return None
    return "not a boolean (True/False, true/false or 1/0)"


def duration(value: Any) -> str | None:
    """``90m``, ``2h``, ``1h30m``, ``45s`` or seconds; 0 or empty for none."""
    try:
        seconds = parse_duration(value)
    except (ValueError, TypeError) as exc:
        return str(exc)
    if 0 < seconds < MIN_DURATION:
        return "shorter than a second: the run could do nothing"
    return None


def iso_time(value: Any) -> str | None:
    """Empty, or an ISO 8601 time (UTC when it names no zone)."""
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        return "not an ISO 8601 time"
    try:
        at = dt.datetime.fromisoformat(value.strip())
        (at if at.tzinfo else at.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)
    except (ValueError, OverflowError):
        return "not an ISO 8601 time (e.g. 2100-01-01T00:00:00+00:00)"
    return None


def status_codes(value: Any) -> str | None:
    """HTTP status codes (100 to 599), comma-separated or a list."""
    if isinstance(value, str) and not value.strip():
        return None  # none
    items = value if isinstance(value, list | tuple) else str(value).split(",")
    for item in items:
        text = str(item).strip()
        if not (_WHOLE.fullmatch(text) and 100 <= int(text) <= 599):
            return f"not HTTP status codes (e.g. 429,503): {text!r}"
    return None


def log_level(value: Any) -> str | None:
    """A level name of Python's logging (DEBUG, INFO, WARNING, ERROR, CRITICAL) or number."""
    if isinstance(value, int) and not isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip() in LOG_LEVELS:
        return None
    return f"not a log level ({', '.join(LOG_LEVELS)})"


def site(value: Any) -> str | None:
    """A site's base URL (``crawler.urls.normalise_site``)."""
    try:
        normalise_site(str(value))
    except ValueError as exc:
        return str(exc)
    return None


def sites(value: Any) -> str | None:
    """Base URLs, comma-separated (or a list); empty for none."""
    items = value if isinstance(value, list | tuple) else str(value or "").split(",")
    for item in items:
        if str(item).strip() and (problem := site(item)):
            return problem
    return None


# Every ARCHIVE_* setting of crawler/settings.py has its rule here (a test checks it), and so do
# the Scrapy settings the crawl's pace and its end depend on. Paths and host names are text:
# anything goes (the archive says so when it cannot open a path).
RULES: dict[str, Check | None] = {
    "ARCHIVE_SITE": site,
    "ARCHIVE_FALLBACK_SITES": sites,
    "ARCHIVE_SITES": sites,
    "ARCHIVE_MEDIA_HOSTS": None,
    "ARCHIVE_DB": None,
    "ARCHIVE_FILES": None,
    "ARCHIVE_MAX_PAGES": count(),
    "ARCHIVE_MAX_PAGES_BOUND": count(),
    "ARCHIVE_INCREMENTAL": boolean,
    "ARCHIVE_STOP_AFTER_KNOWN_PAGES": count(lo=1),
    "ARCHIVE_MAX_RESPONSE_BYTES": count(lo=1),
    "ARCHIVE_MAX_PAGE_BYTES": count(),
    "ARCHIVE_MAX_LINKS_PER_PAGE": count(),
    "ARCHIVE_TIMEOUT_RETRIES": count(),
    "ARCHIVE_MAX_TRANSFER_SECONDS": seconds(),
    "ARCHIVE_RECHECK_LIMIT": count(),
    "ARCHIVE_RECHECK_AT": iso_time,
    "ARCHIVE_DISCOVERY": boolean,
    "ARCHIVE_FETCH_FILES": boolean,
    "ARCHIVE_MAX_FILES_PER_ARTICLE": count(),
    "ARCHIVE_FETCH_DISPLAYED_IMAGES": boolean,
    "ARCHIVE_RETRY_BACKOFF": seconds(),
    "ARCHIVE_RETRY_MAX_WAIT": seconds(),
    "ARCHIVE_MAX_CRAWL_DELAY": seconds(),
    "ARCHIVE_RUN_ID": count(),
    "ARCHIVE_PROGRESS_INTERVAL": seconds(),
    "ARCHIVE_MAX_DURATION": duration,
    "ARCHIVE_DRIFT_WINDOW": count(lo=1),
    "ARCHIVE_DRIFT_THRESHOLD": share,
    "ARCHIVE_DRIFT_MIN_SAMPLES": count(lo=1),
    "ARCHIVE_BATCH_ITEMS": count(lo=1),
    "ARCHIVE_BATCH_SECONDS": seconds(),
    "ARCHIVE_BATCH_IDLE_SECONDS": seconds(),
    # Scrapy's own, as the crawl uses them
    "DOWNLOAD_DELAY": seconds(),
    "DOWNLOAD_TIMEOUT": seconds(above=True),
    "AUTOTHROTTLE_ENABLED": boolean,
    "AUTOTHROTTLE_START_DELAY": seconds(),
    "AUTOTHROTTLE_MAX_DELAY": seconds(),
    "AUTOTHROTTLE_TARGET_CONCURRENCY": positive,
    "CONCURRENT_REQUESTS": count(lo=1),
    "CONCURRENT_REQUESTS_PER_DOMAIN": count(lo=1),
    "CONCURRENT_ITEMS": count(lo=1),
    "RETRY_TIMES": count(),
    "REDIRECT_MAX_TIMES": count(),
    "ROBOTSTXT_OBEY": boolean,
    "RETRY_ENABLED": boolean,
    "DOWNLOAD_MAXSIZE": count(),
    "DOWNLOAD_WARNSIZE": count(),
    "LOG_LEVEL": log_level,
    "RETRY_HTTP_CODES": status_codes,
    "HTTPERROR_ALLOWED_CODES": status_codes,
}


def number(value: Any) -> str | None:
    """A finite number (or, as Scrapy's ``getbool`` reads some numeric settings, a boolean):
    the rule of a Scrapy setting whose default is a number, when no rule above is its own."""
    if boolean(value) is None:
        return None
    return _number(value, -float(MAX_INT), float(MAX_INT), above=False, unit="")


def json_object(value: Any) -> str | None:
    """A dict, or a JSON object as text (what Scrapy's ``getdict`` reads)."""
    if isinstance(value, dict):
        return None
    try:
        loaded = json.loads(value) if isinstance(value, str) else None
    except ValueError:
        loaded = None
    return None if isinstance(loaded, dict) else 'not a JSON object (e.g. {"name": 100})'


def _derived(default: Any) -> Check | None:
    """The rule a setting without its own gets from the type of its default."""
    if isinstance(default, bool):
        return boolean
    if isinstance(default, int | float):
        return number
    if isinstance(default, dict):
        return json_object
    return None


def defaults() -> dict[str, Any]:
    """Every setting Scrapy or the project declares, with its default (the project's first)."""
    from scrapy.settings import default_settings

    from crawler import settings as project

    return {
        name: getattr(module, name)
        for module in (default_settings, project)
        for name in dir(module)
        if name.isupper()
    }


# How alike a name must be to a declared setting to be taken for a misspelling of it.
CLOSE = 0.8


def unknown(name: str, known: dict[str, Any]) -> str | None:
    """A message for a setting name neither Scrapy nor the project has, when it is one of ours
    misspelt (``ARCHIVE_MAX_PAGE``, any ``ARCHIVE_`` name) or a declared one misspelt
    (``archive_max_pages``, ``DOWNLOAD_DELAYS``): silently nothing otherwise, a limit that was
    no limit. Another name is another package's (an extension or middleware the user enabled
    with ``-s``, reading its own settings): not ours to judge, let through as before."""
    if name in known:
        return None
    close = difflib.get_close_matches(name.upper(), list(known), n=2, cutoff=CLOSE)
    if not close and not name.upper().startswith("ARCHIVE_"):
        return None
    hint = f" (did you mean {' or '.join(close)}?)" if close else ""
    return f"{name}: no such setting{hint}"


def problem(name: str, value: Any, known: dict[str, Any] | None = None) -> str | None:
    """What is wrong with ``value`` for the setting ``name`` (None: fine, or not ours to judge);
    ``known``: the declared settings (:func:`defaults`), for the rule a Scrapy setting gets
    from its default's type."""
    check = RULES.get(name) or _derived((known or {}).get(name))
    if check is None:
        return None
    wrong = check(value)
    return f"{name}={value!r}: {wrong}" if wrong else None


def problems(settings: Readable, names: Iterable[str] = ()) -> list[str]:
    """Every setting in ``settings`` whose value its rule refuses, one line each (a setting
    ``settings`` has no value for is not judged); ``names``: settings given by hand (``-s``),
    also refused when no such setting exists."""
    known = defaults()
    given = [n for n in names if n not in RULES]
    wrong = [w for n in given if (w := unknown(n, known)) is not None]
    return wrong + [
        p
        for name in [*RULES, *(n for n in given if n in known)]
        if (value := settings.get(name)) is not None
        and (p := problem(name, value, known)) is not None
    ]
