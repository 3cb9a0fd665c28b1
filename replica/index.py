"""The compact index of a replica site, built eagerly: ids, dates and categories only.

Positions run oldest first (0 = oldest). Generation 0 holds ``articles`` articles; each later
generation adds new articles (newer dates, higher ids) and picks some existing ones to edit.
Everything else about an article (its text, its markup) is computed on demand from its id.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from datetime import datetime, timedelta

from replica.catalog import BY_ID, CATEGORIES, NEWEST, digest, generation_time, rng

FIRST_ID = 10001
SEED_RANK = 4  # the real seed article is the 5th newest article of generation 0
COVERAGE = 64  # the newest articles of generation 0 cycle through every variant


def added_per_generation(articles: int) -> int:
    return max(3, min(500, articles // 25))


def edited_per_generation(articles: int) -> int:
    return max(2, min(300, articles // 40))


# Each generation is a day of news built on the one before: a larger one took for ever to build.
MAX_GENERATION = 10_000


class Index:
    """Ids, dates (minutes relative to ``NEWEST``) and categories of every article."""

    def __init__(self, articles: int, seed: int, generation: int) -> None:
        if articles < 1:
            raise ValueError("a site needs at least one article")
        if not 0 <= generation <= MAX_GENERATION:
            raise ValueError(f"generation must be from 0 to {MAX_GENERATION}, not {generation}")
        self.base = articles
        self.seed = seed
        self.generation = generation
        self.ids: list[int] = []
        self.minutes: list[int] = []
        self.primary: list[int] = []
        self.secondary: list[int] = []  # 0 when listed in one category only
        self.born: list[int] = []  # generation that added the article
        self._build_base()
        for g in range(1, generation + 1):
            self._add_generation(g)
        self.position = {site_id: pos for pos, site_id in enumerate(self.ids)}
        self.edits: dict[int, list[int]] = {}
        self._pick_edits()
        self.by_category: dict[int, list[int]] = {c.id: [] for c in CATEGORIES}
        for pos in range(len(self.ids) - 1, -1, -1):
            self.by_category[self.primary[pos]].append(pos)
            if self.secondary[pos]:
                self.by_category[self.secondary[pos]].append(pos)
        self.seed_position = self.base - 1 - SEED_RANK if self.base > SEED_RANK else -1

    # -- construction ------------------------------------------------------------------------
    def _categories(self, r: random.Random, rank: int) -> tuple[int, int]:
        weights = [c.weight for c in CATEGORIES]
        if rank == SEED_RANK:
            return 492, 0
        if 0 <= rank < 12:
            primary = CATEGORIES[rank % len(CATEGORIES)].id
        else:
            primary = r.choices(CATEGORIES, weights)[0].id
        secondary = 0
        if rank in (1, 7, 9) or ((rank >= 12 or rank < 0) and r.random() < 0.15):
            others = [c.id for c in CATEGORIES if c.id != primary]
            secondary = 570 if primary == 492 else 492 if rank in (1, 7) else r.choice(others)
        return primary, secondary

    def _build_base(self) -> None:
        n = self.base
        r = rng(self.seed, "index")
        max_gap = max(120, int(2 * 365 * 24 * 60 / n))
        offsets = []
        offset = 0
        for _ in range(n):
            offsets.append(offset)
            offset -= r.randint(7, max_gap)
        steps = [r.randint(1, 3) for _ in range(n)]
        site_id = FIRST_ID
        for pos in range(n):
            rank = n - 1 - pos
            site_id += steps[pos]
            self.ids.append(site_id)
            self.minutes.append(offsets[rank])
            primary, secondary = self._categories(r, rank)
            self.primary.append(primary)
            self.secondary.append(secondary)
            self.born.append(0)

    def _add_generation(self, g: int) -> None:
        count = added_per_generation(self.base)
        start = generation_time(g - 1)
        span = (generation_time(g) - start).total_seconds() / 60
        r = rng(self.seed, "gen", g)
        for j in range(count):
            site_id = self.ids[-1] + r.randint(1, 3)
            when = start + timedelta(minutes=int(span * (j + 1) / (count + 1)))
            self.ids.append(site_id)
            self.minutes.append(int((when - NEWEST).total_seconds() // 60))
            primary, secondary = self._categories(r, -1)
            self.primary.append(primary)
            self.secondary.append(secondary)
            self.born.append(g)

    def _pick_edits(self) -> None:
        for g in range(1, self.generation + 1):
            existing = bisect_right(self.born, g - 1)
            candidates = [p for p in range(existing) if p != self.base - 1 - SEED_RANK]
            r = rng(self.seed, "edits", g)
            for pos in r.sample(candidates, min(len(candidates), edited_per_generation(self.base))):
                self.edits.setdefault(self.ids[pos], []).append(g)

    # -- queries -------------------------------------------------------------------------------
    def when(self, pos: int) -> datetime:
        return NEWEST + timedelta(minutes=self.minutes[pos])

    def rank(self, pos: int) -> int:
        """Rank from the newest within generation 0, or -1 for an article added later."""
        return self.base - 1 - pos if pos < self.base else -1

    def categories_of(self, pos: int) -> list[int]:
        return [c for c in (self.primary[pos], self.secondary[pos]) if c]

    def variant(self, pos: int, dimension: str, options: int, stride: int = 1) -> int:
        """Which of ``options`` variants an article takes for a dimension.

        The newest articles of generation 0 cycle through every option (so each appears in
        more than one article even on a 50-article site); the rest pick by hash.
        """
        rank = self.rank(pos)
        if 0 <= rank < COVERAGE:
            offset = digest(self.seed, dimension) % options
            return ((rank + offset) // stride) % options
        return digest(self.seed, dimension, self.ids[pos]) % options

    def edits_of(self, site_id: int) -> list[int]:
        return self.edits.get(site_id, [])

    def category_name(self, cat_id: int) -> str:
        return BY_ID[cat_id].name
