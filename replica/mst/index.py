"""The compact index of the mst replica: ids, dates and zones of every article, built eagerly.

Positions run oldest first. Generation 0 holds ``articles`` articles: the pinned real articles
of SITE-mst.md §8 (sites of 40 articles or more), a few legacy articles with 9-digit ids
(``197`` + 6 digits, dated 2016-2022), and synthetic ones with 18-digit ids
(``197`` + yyMMddHHmmssSSS of their publication, or one hour off for a few). Each later
generation adds newer articles and edits some existing ones, as the other portal's index does.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import accumulate

from replica.catalog import digest, rng
from replica.mst.catalog import ID_PREFIX, NEWEST, ZONES, generation_time, id_from_time

COVERAGE = 64  # the newest articles of generation 0 cycle through every variant
PINS_FROM = 40  # sites of at least this many articles hold the real articles
ODD_RANK = 21  # the synthetic article with a 17-digit id
LEGACY_NUMBERS = (136691, 137294, 137554, 140679, 144805, 146024, 152208, 157664, 159635)


@dataclass(frozen=True)
class Pin:
    """A real article (SITE-mst.md §8) placed at its own date with its own id."""

    key: str
    site_id: int
    when: datetime
    zones: tuple[int, ...]


PINS: tuple[Pin, ...] = (
    Pin("internet", 197136077, datetime(2017, 3, 15, 9, 30), (19713,)),
    Pin("qcvn", 197240417160723563, datetime(2024, 4, 17, 16, 7), (19711, 19716)),
    Pin("sach-trang", 19724042616014143, datetime(2024, 4, 26, 16, 1), (19714,)),
    Pin("mxh", 197250107160615446, datetime(2025, 1, 7, 16, 6), (19714,)),
    Pin("area-codes", 197250704101929995, datetime(2025, 7, 4, 10, 19), (19716, 19713)),
    Pin("vkist", 197250718093512104, datetime(2025, 7, 18, 9, 35), (19711,)),
    Pin("ai-law", 197251210165544671, datetime(2025, 12, 10, 16, 55), (19713,)),
    Pin("agaricus", 197251211143021877, datetime(2025, 12, 11, 14, 30), (19712,)),
    Pin("fpt", 197260128101544320, datetime(2026, 1, 28, 10, 15), (19711, 19714)),
)
BY_PIN = {p.key: p for p in PINS}


_CUMULATIVE = list(accumulate(z.weight for z in ZONES))


def added_per_generation(articles: int) -> int:
    return max(3, min(500, articles // 25))


def edited_per_generation(articles: int) -> int:
    return max(2, min(300, articles // 40))


class MstIndex:
    """Ids, publication times and zones of every article (see the module docstring)."""

    def __init__(self, articles: int, seed: int, generation: int) -> None:
        if articles < 1:
            raise ValueError("a site needs at least one article")
        if generation < 0:
            raise ValueError("generation must be >= 0")
        self.base = articles
        self.seed = seed
        self.generation = generation
        self.ids: list[int] = []
        self.times: list[datetime] = []  # the time the page shows (minute precision)
        self.id_form: list[str] = []  # "18", "9" (legacy) or "17"
        self.hour_shift: list[int] = []  # id time minus shown time, in hours (0 or +-1)
        self.pin: list[str] = []  # key of the real article, or ""
        self.primary: list[int] = []
        self.secondary: list[int] = []
        self.born: list[int] = []
        self.keys: list[int] = []  # a stable per-article number for variant picks
        self._used: set[int] = set()
        self._build_base()
        for g in range(1, generation + 1):
            self._add_generation(g)
        self.position = {site_id: pos for pos, site_id in enumerate(self.ids)}
        self.edits: dict[int, list[int]] = {}
        self._pick_edits()
        self.by_zone: dict[int, list[int]] = {z.id: [] for z in ZONES}
        for pos in range(len(self.ids) - 1, -1, -1):
            for zone in self.zones_of(pos):
                self.by_zone[zone].append(pos)
        self.newest_first = list(range(len(self.ids) - 1, -1, -1))

    # -- construction ------------------------------------------------------------------------
    def _zones(self, r: random.Random, rank: int) -> tuple[int, int]:
        if 0 <= rank < 12:
            primary = ZONES[rank % len(ZONES)].id
        else:
            primary = ZONES[bisect_right(_CUMULATIVE, r.random() * _CUMULATIVE[-1])].id
        secondary = 0
        if rank in (1, 8, 10) or ((rank >= 12 or rank < 0) and r.random() < 0.15):
            secondary = r.choice([z.id for z in ZONES if z.id != primary])
        return primary, secondary

    def _unique(self, site_id: int) -> int:
        while site_id in self._used:
            site_id += 1
        self._used.add(site_id)
        return site_id

    def _build_base(self) -> None:
        n = self.base
        r = rng(self.seed, "mst-index")
        pins = list(PINS) if n >= PINS_FROM else []
        legacy = max(2, n // 40) if n >= PINS_FROM else 0
        synthetic = n - len(pins) - (legacy - 1 if pins else 0)
        legacy_new = legacy - 1 if pins else 0
        entries: list[tuple[datetime, str, int]] = []  # (time, kind, ordinal)
        max_gap = max(120, int(2 * 365 * 24 * 60 / max(1, synthetic)))
        when = NEWEST
        for k in range(synthetic):
            entries.append((when, "synthetic", k))
            when -= timedelta(minutes=r.randint(7, max_gap))
        span = (datetime(2022, 12, 1) - datetime(2016, 1, 10)) / max(1, legacy_new)
        for k in range(legacy_new):
            t = datetime(2016, 1, 10, 8, 0) + span * k + timedelta(minutes=r.randint(0, 600))
            entries.append((t.replace(second=0, microsecond=0), "legacy", k))
        for k, pin in enumerate(pins):
            entries.append((pin.when, "pin", k))
        entries.sort(key=lambda e: (e[0], e[1], e[2]))
        for pos, (t, kind, k) in enumerate(entries):
            rank = n - 1 - pos
            self.times.append(t)
            self.born.append(0)
            self.keys.append(r.getrandbits(64))
            if kind == "pin":
                pin = pins[k]
                self.ids.append(self._unique(pin.site_id))
                self.id_form.append({18: "18", 17: "17", 9: "9"}[len(str(pin.site_id))])
                self.hour_shift.append(0)
                self.pin.append(pin.key)
                self.primary.append(pin.zones[0])
                self.secondary.append(pin.zones[1] if len(pin.zones) > 1 else 0)
                continue
            primary, secondary = self._zones(r, rank)
            self.primary.append(primary)
            self.secondary.append(secondary)
            self.pin.append("")
            if kind == "legacy":
                number = LEGACY_NUMBERS[k] if k < len(LEGACY_NUMBERS) else 160000 + 37 * k
                self.ids.append(self._unique(int(f"{ID_PREFIX}{number}")))
                self.id_form.append("9")
                self.hour_shift.append(0)
                continue
            shift = 0
            if rank % 16 == 5 if 0 <= rank < COVERAGE else self.keys[pos] % 16 == 0:
                shift = 1 if rank % 2 else -1
            digits = 17 if rank == ODD_RANK else 18
            stamp = t + timedelta(hours=shift, seconds=r.randint(0, 59))
            self.ids.append(self._unique(id_from_time(stamp, r.randint(0, 999), digits)))
            self.id_form.append(str(digits))
            self.hour_shift.append(shift)

    def _add_generation(self, g: int) -> None:
        count = added_per_generation(self.base)
        start = generation_time(g - 1)
        span = (generation_time(g) - start).total_seconds() / 60
        r = rng(self.seed, "mst-gen", g)
        for j in range(count):
            t = start + timedelta(minutes=int(span * (j + 1) / (count + 1)))
            stamp = t + timedelta(seconds=r.randint(0, 59))
            self.ids.append(self._unique(id_from_time(stamp, r.randint(0, 999))))
            self.times.append(t)
            self.id_form.append("18")
            self.hour_shift.append(0)
            self.pin.append("")
            primary, secondary = self._zones(r, -1)
            self.primary.append(primary)
            self.secondary.append(secondary)
            self.born.append(g)
            self.keys.append(digest(self.seed, "key", "gen", g, j))

    def _pick_edits(self) -> None:
        for g in range(1, self.generation + 1):
            existing = bisect_right(self.born, g - 1)
            candidates = [p for p in range(existing) if not self.pin[p]]
            r = rng(self.seed, "mst-edits", g)
            for pos in r.sample(candidates, min(len(candidates), edited_per_generation(self.base))):
                self.edits.setdefault(self.ids[pos], []).append(g)

    # -- queries -------------------------------------------------------------------------------
    def when(self, pos: int) -> datetime:
        return self.times[pos]

    def rank(self, pos: int) -> int:
        """Rank from the newest within generation 0, or -1 for an article added later."""
        return self.base - 1 - pos if pos < self.base else -1

    def zones_of(self, pos: int) -> list[int]:
        return [z for z in (self.primary[pos], self.secondary[pos]) if z]

    def variant_at(self, rank: int, key: int, dimension: str, options: int, stride: int = 1) -> int:
        if 0 <= rank < COVERAGE:
            offset = digest(self.seed, "mst", dimension) % options
            return ((rank + offset) // stride) % options
        return digest(self.seed, "mst", dimension, key) % options

    def variant(self, pos: int, dimension: str, options: int, stride: int = 1) -> int:
        """Which of ``options`` variants an article takes for a dimension.

        The newest articles of generation 0 cycle through every option (so each appears in
        several articles even on a small site); the rest pick by hash.
        """
        return self.variant_at(self.rank(pos), self.keys[pos], dimension, options, stride)

    def edits_of(self, site_id: int) -> list[int]:
        return self.edits.get(site_id, [])
