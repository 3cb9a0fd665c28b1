"""Dates as the site writes them, turned into ISO 8601 local time (UTC+7, SITE.md §10.15).

- Article line ``span.News_Time_Post``: ``Thứ Năm, 07/12/2017&nbsp;10:21`` with the ``&nbsp;``
  on either side of the date, an optional time and an optional trailing ``|``.
- Listing line: ``Ngày 07/12/2017&nbsp;&nbsp;``; empty when the vendor has no date (01/01/1900).
- The API's ``07/12/2017 10:21`` has the same shape. (RSS writes US month-first dates,
  ``12/7/2017 10:21:00 AM``; the parsers take only links from feeds, so none is read here.)
"""

from __future__ import annotations

import re
from datetime import datetime

OFFSET = "+07:00"

# dd/mm/yyyy, then optionally hh:mm[:ss] [AM|PM] after spaces, "-", "|" or "lúc".
_DAY_FIRST = re.compile(
    r"(?<!\d)(\d{1,2})/(\d{1,2})/(\d{4})(?!\d)"
    r"(?:[\s|,\-]*(?:lúc\s*)?(\d{1,2})[:hH](\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?)?"
)


def _hour(hour: int, ampm: str | None) -> int:
    if ampm is None:
        return hour
    pm = ampm.lower() == "pm"
    return (hour % 12) + (12 if pm else 0)


def _iso(year: int, month: int, day: int, hour: int, minute: int, second: int) -> str | None:
    try:
        moment = datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None
    if moment.year <= 1900:  # the vendor's "no date" value
        return None
    return moment.isoformat() + OFFSET


def parse_day_first(text: str) -> str | None:
    """ISO datetime of the first ``dd/mm/yyyy[ hh:mm]`` in ``text`` (time 00:00 when absent)."""
    match = _DAY_FIRST.search(text.replace("\xa0", " "))
    if match is None:
        return None
    day, month, year, hour, minute, second, ampm = match.groups()
    ymd = int(year), int(month), int(day)
    if hour:
        found = _iso(*ymd, _hour(int(hour), ampm), int(minute), int(second) if second else 0)
        if found:
            return found
    return _iso(*ymd, 0, 0, 0)  # no time, or an impossible one (25:61): the day alone


def parse_day_first_date(text: str) -> str | None:
    """ISO date ``YYYY-MM-DD`` of the first ``dd/mm/yyyy`` in ``text``, else None."""
    found = parse_day_first(text)
    return found[:10] if found else None
