"""Fixed facts of the replica: categories, web-part ids, dates, and the deterministic hashing.

Categories 492, 493 and 570 are the real ones (SITE.md §3.1, §9.3); the others are invented so
the menu has more than three entries. Page sizes differ per category (10 or 20, §11 unknown) and
so does the answer to a page past the end (the last page's items, or an empty page; §9.1 note).
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

LISTING_PART = "ctl00_SPWebPartManager1_g_0623dffd_eff8_4f9c_bf6d_2cdf2561adec"
ARTICLE_PART = "ctl00_SPWebPartManager1_g_275cd07f_7dd8_4f62_97b3_19577a1ec443"
LEGAL_PART = "ctl00_SPWebPartManager1_g_e110b351_5abc_4e84_8b93_9040a3dbe6c4"

# The newest article of generation 0 is published at this local (UTC+7) time; each later
# generation happens one day after the previous one.
NEWEST = datetime(2025, 11, 20, 16, 45)
GENERATION_STEP = timedelta(days=1)
WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật")


@dataclass(frozen=True)
class Category:
    id: int
    name: str
    slug: str  # the slug the menu links to
    alt_slugs: tuple[str, ...]  # other slugs linked somewhere (id 570 has two, §3.1)
    page_size: int
    past_end: str  # "last": a page past the end shows the last page; "empty": an empty list
    rss_slug: str
    parent: str | None  # a middle breadcrumb level (li.Lv_2), or None
    weight: int  # share of articles whose primary category this is

    @property
    def path(self) -> str:
        return f"/vn/chuyen-muc/{self.id}/{self.slug}.aspx"


CATEGORIES: tuple[Category, ...] = (
    Category(
        492, "Tin tức sự kiện", "Tin-tuc-su-kien", (), 20, "last", "tin_tuc_su_kien", None, 40
    ),
    Category(
        493,
        "Tin tổng hợp",
        "Tin-tong-hop",
        ("tin-tong-hop",),
        10,
        "empty",
        "tin-tong-hop",
        "Tin tức",
        22,
    ),
    Category(
        570,
        "Điểm báo về KH&CN",
        "Diem-bao-KHCN",
        ("diem-bao-ve-khcn",),
        10,
        "last",
        "diem-bao-ve-khcn",
        None,
        14,
    ),
    Category(
        571,
        "Hoạt động của địa phương",
        "Hoat-dong-dia-phuong",
        (),
        20,
        "empty",
        "hoat-dong-cua-dia-phuong",
        "Tin tức",
        10,
    ),
    Category(
        494, "Thông cáo báo chí", "Thong-cao-bao-chi", (), 10, "last", "thong-cao-bao-chi", None, 7
    ),
    Category(
        575,
        "Khoa học - Công nghệ thế giới",
        "Khoa-hoc---Cong-nghe-the-gioi",
        (),
        10,
        "empty",
        "khoa-hoc---cong-nghe-the-gioi",
        "Tin tức",
        7,
    ),
)
BY_ID = {c.id: c for c in CATEGORIES}


def digest(*parts: object) -> int:
    """A stable 64-bit hash of the parts (never Python's salted hash())."""
    data = "\x1f".join(str(p) for p in parts).encode("utf-8")
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "big")


def unit(*parts: object) -> float:
    """A stable number in [0, 1) from the parts."""
    return digest(*parts) / 2**64


def rng(*parts: object) -> random.Random:
    return random.Random(digest(*parts))


def generation_time(generation: int) -> datetime:
    return NEWEST + GENERATION_STEP * generation


def weekday(dt: datetime) -> str:
    return WEEKDAYS[dt.weekday()]
