"""Progress lines of long archive work (``verify``, ``reparse``): one now and then, on a long
run only. The command decides where they go (standard error) and whether they go at all."""

from __future__ import annotations

import time
from collections.abc import Callable

Progress = Callable[[str], None]


class Ticker:
    """Calls ``progress`` with a line at most every ``every`` seconds (none before the first
    ``every`` seconds have passed, so a short run prints none)."""

    def __init__(self, progress: Progress | None, every: float) -> None:
        self.progress = progress
        self.every = every
        self.last = time.monotonic()

    def __call__(self, make_line: Callable[[], str]) -> None:
        if self.progress is None:
            return
        now = time.monotonic()
        if now - self.last >= self.every:
            self.last = now
            self.progress(make_line())
