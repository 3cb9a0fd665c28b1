"""PagingGuard: the one owner of when a walk stops for a limit or a loop (issue 13, point 1)."""

from __future__ import annotations

from collections import Counter

from crawler.spiders.paging import PagingGuard


class Stats:
    def __init__(self) -> None:
        self.values: Counter[str] = Counter()

    def inc_value(self, key: str, count: int = 1, start: int = 0) -> None:
        self.values[key] += count


def test_a_page_of_items_already_seen_in_the_category_ends_it() -> None:
    stats = Stats()
    guard = PagingGuard(stats=stats)
    assert guard.stop("a", 1, [1, 2, 3]) is None
    assert guard.stop("b", 1, [1, 2, 3]) is None  # another category: its own walk
    assert guard.stop("a", 2, [3, 4]) is None  # one new item is enough to go on
    assert guard.stop("a", 3, [4, 1, 2]) == "page repeats earlier items"
    assert guard.stop("a", 4, []) is None  # an empty page is the spider's to judge
    assert stats.values == {"archive/categories_looping": 1}


def test_the_users_limit_wins_over_the_safety_bound() -> None:
    stats = Stats()
    guard = PagingGuard(user_limit=2, bound=5, stats=stats)
    assert guard.cap == 2 and guard.may_fetch(2) and not guard.may_fetch(3)
    assert guard.stop("a", 1, [1]) is None
    assert guard.stop("a", 2, [2]) == "page limit 2 (--max-pages)"
    assert stats.values == {"archive/categories_limited": 1}


def test_without_a_user_limit_the_bound_ends_a_pager_that_invents_items() -> None:
    stats = Stats()
    guard = PagingGuard(bound=3, stats=stats)
    assert [guard.stop("a", p, [p]) for p in (1, 2, 3)] == [None, None, "safety bound 3"]
    assert stats.values == {"archive/categories_bounded": 1}
    assert PagingGuard().cap == 0 and PagingGuard().may_fetch(10**6)


def test_links_per_page_are_capped() -> None:
    stats = Stats()
    guard = PagingGuard(links=3, stats=stats)
    assert guard.take("a", 1, list(range(10))) == [0, 1, 2]
    assert guard.take("a", 2, [1, 2]) == [1, 2]
    assert stats.values == {"archive/listing_links_capped": 1}
