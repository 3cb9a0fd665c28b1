"""Dates as the site writes them, turned into ISO 8601 local time (UTC+7, SITE.md §10.15).

- Article line ``span.News_Time_Post``: ``Thứ Năm, 07/12/2017&nbsp;10:21`` with the ``&nbsp;``
  on either side of the date, an optional time and an optional trailing ``|``.
- Listing line: ``Ngày 07/12/2017&nbsp;&nbsp;``; empty when the vendor has no date (01/01/1900).
- The API's ``07/12/2017 10:21`` has the same shape. (RSS writes US month-first dates,
  ``12/7/2017 10:21:00 AM``; the parsers take only links from feeds, so none is read here.)
- Pages of the mst.gov.vn CMS family (docs/parsers.md lists the evidence): ``04/07/2025 10:19``,
  ``… GMT+7``, ``… (GMT+7)``; cafef's dashes and a 24-hour clock with a suffix,
  ``15-08-2025 - 13:30 PM``; the time before the date, ``Cập nhật lúc 10:19 04/07/2025`` and
  ``10:19 , 04/07/2025``.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

OFFSET = "+07:00"
LOCAL_MINUTES = 7 * 60
MAX_OFFSET_MINUTES = 14 * 60  # the farthest zones from UTC: UTC-12:00 and UTC+14:00

# dd/mm/yyyy (or dd-mm-yyyy, one separator throughout), then optionally hh:mm[:ss] [AM|PM]
# after spaces, "-", "|" or "lúc".
_DATE = r"(?<!\d)(\d{1,2})(?P<sep>[/-])(\d{1,2})(?P=sep)(\d{4})(?!\d)"
_CLOCK = r"(\d{1,2})[:hH](\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?"
_DAY_FIRST = re.compile(_DATE + r"(?:[\s|,\-]*(?:lúc\s*)?" + _CLOCK + ")?")
# A time written just before the date: "10:19 04/07/2025", "10:19 , 04/07/2025", "10h19 ngày …".
_TIME_FIRST = re.compile(r"(?<![\d:])" + _CLOCK + r"[\s|,\-]*(?:ngày\s*)?" + _DATE)


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
    text = text.replace("\xa0", " ")
    match = _DAY_FIRST.search(text)
    if match is None:
        return None
    day, _, month, year, hour, minute, second, ampm = match.groups()
    if not hour:  # no time after the date: one just before it, if written there
        for before in _TIME_FIRST.finditer(text, 0, match.end()):
            if before.end() == match.end():
                hour, minute, second, ampm = before.groups()[:4]
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


# "September 09, 2026 9:33 AM GMT+7" (the English edition of the mst.gov.vn CMS family).
_MONTHS = {
    name: number
    for number, name in enumerate(
        (
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ),
        start=1,
    )
}
_MONTH_FIRST = re.compile(
    r"\b([A-Za-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4})"
    r"(?:[\s,\-|]*(\d{1,2}):(\d{2})(?::\d{2})?\s*([AaPp][Mm])?)?"
)
_ISO = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?"
)


def parse_month_name(text: str) -> str | None:
    """ISO datetime of the first ``Month dd, yyyy[ h:mm AM]`` in ``text``, else None."""
    for match in _MONTH_FIRST.finditer(text.replace("\xa0", " ")):
        name, day, year, hour, minute, ampm = match.groups()
        month = _MONTHS.get(name.lower()) or next(
            (n for full, n in _MONTHS.items() if len(name) == 3 and full.startswith(name.lower())),
            None,
        )
        if month is None:
            continue
        ymd = int(year), month, int(day)
        if hour:
            found = _iso(*ymd, _hour(int(hour), ampm), int(minute), 0)
            if found:
                return found
        found = _iso(*ymd, 0, 0, 0)
        if found:
            return found
    return None


def parse_iso_local(text: str) -> str | None:
    """An ISO 8601 timestamp (a meta tag's ``2025-07-04T10:19:00+07:00``, ``…Z``) as local
    time ``+07:00``; a timestamp without an offset is taken as local already."""
    match = _ISO.search(text.strip())
    if match is None:
        return None
    year, month, day, hour, minute, second, zone = match.groups()
    try:
        moment = datetime(
            int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0)
        )
    except ValueError:
        return None
    if zone:
        sign = -1 if zone.startswith("-") else 1
        digits = zone.lstrip("+-").replace(":", "")
        if zone != "Z" and len(digits) != 4:
            return None
        hours, minutes = (0, 0) if zone == "Z" else (int(digits[:2]), int(digits[2:]))
        if hours * 60 + minutes > MAX_OFFSET_MINUTES or minutes >= 60:
            return None  # no zone is that far from UTC: not a time
        try:
            moment += timedelta(minutes=LOCAL_MINUTES - sign * (hours * 60 + minutes))
        except OverflowError:  # 9999-12-31T23:00-05:00 is past what a datetime holds in +07:00
            return None
    if moment.year <= 1900:
        return None
    return moment.isoformat() + OFFSET


def to_minute(iso: str | None) -> str | None:
    """The same local time with its seconds set to ``00`` (pages show minutes only)."""
    if iso is None or len(iso) < 19:
        return iso
    return iso[:17] + "00" + iso[19:]
