"""Durations as people write them: ``90m``, ``2h``, ``1h30m``, ``45s``, ``3600`` (seconds).

Used by ``most-archive crawl --max-duration`` and the ``ARCHIVE_MAX_DURATION`` setting; pure.
"""

from __future__ import annotations

import re

UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
# The shortest time limit a run may be given: less lets it do nothing at all and end "limited"
# with exit 0 (``--max-duration 1e-9``).
MIN_DURATION = 1.0
_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([smhd])", re.IGNORECASE)
_WHOLE = re.compile(r"(?:\s*\d+(?:\.\d+)?\s*[smhd]\s*)+", re.IGNORECASE)


def parse_duration(value: str | float | int | None) -> float:
    """Seconds in ``value``; 0 for none (``None``, ``""``, ``0``). ``ValueError`` when unreadable
    or negative."""
    if value is None:
        return 0.0
    if isinstance(value, int | float):
        seconds = float(value)
    else:
        text = value.strip()
        if not text:
            return 0.0
        try:
            seconds = float(text)
        except ValueError:
            if not _WHOLE.fullmatch(text):
                raise ValueError(
                    f"not a duration: {value!r} (e.g. 90m, 2h, 1h30m, 45s or seconds)"
                ) from None
            seconds = sum(float(n) * UNITS[u.lower()] for n, u in _PART.findall(text))
    if seconds < 0 or seconds != seconds:  # negative or NaN
        raise ValueError(f"not a duration: {value!r} (must be positive)")
    return seconds


def format_duration(seconds: float) -> str:
    """``5400`` -> ``1h30m``; ``42`` -> ``42s``."""
    whole = round(seconds)
    if whole < 60:
        return f"{whole}s" if seconds >= 1 else f"{seconds:.1f}s"
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return "".join(f"{n}{u}" for n, u in ((hours, "h"), (minutes, "m"), (secs, "s")) if n)
