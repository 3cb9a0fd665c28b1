"""Fixed facts of the mst replica: zones, the media site id, dates, id arithmetic.

The five zone slugs are the real ones (SITE-mst.md §3.2: khoa-hoc-va-cong-nghe, doi-moi-sang-tao,
tin-tong-hop [E]; chuyen-doi-so, nang-luong-nguyen-tu [E-weak]); "thong-cao-bao-chi" and every
zone id are invented [I]. Page sizes and the answer past the last page differ per zone, so a
crawler cannot come to depend on one of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

SITE_NAME = "Bộ Khoa học và Công nghệ"
TITLE_SUFFIX = " - Bộ Khoa học và Công nghệ"
MEDIA_SITE_ID = "639352410187198464"  # the CMS's site id in media paths (SITE-mst.md §0) [E]
ID_PREFIX = "197"  # mst's 3-digit prefix of article ids [E]
# The newest article of generation 0 is published at this local (UTC+7) time; each later
# generation is one day later.
NEWEST = datetime(2026, 11, 20, 16, 45)
GENERATION_STEP = timedelta(days=1)
# Family hosts the pages write absolute links with (the crawler rewrites them onto --site).
FAMILY = ("https://mst.gov.vn", "https://mic.gov.vn", "https://www.mst.gov.vn", "http://mic.gov.vn")
ALIAS_HOSTS = ("mic.gov.vn", "www.mic.gov.vn", "www.mst.gov.vn")
PARENT_PATH = "/tin-tuc-su-kien.htm"
PARENT_NAME = "Tin tức sự kiện"
PARENT_ZONE_ID = 1971


@dataclass(frozen=True)
class Zone:
    id: int  # the value of <input id="hdZoneId">
    name: str
    slug: str
    page_size: int
    timeline_past_end: str  # "empty": 200 with an empty fragment; "404"
    trang_past_end: str  # "empty": the zone page with no items; "last": the last page; "404"
    fragment: str  # "category": div.box-category-item; "stream": div.box-stream-item
    weight: int
    parent: bool = False  # the parent zone /tin-tuc-su-kien.htm (lists every article)
    # the zone page's markup: "mic" (div.list__focus + div.list__news, an aside "Tin mới"), as
    # on mic.gov.vn; "template" (a focus block div.box-top outside the list
    # div.list__listing-main, the sidebar in div.stream-right, hdZoneId in div.configHidden),
    # as the family's current template and Tuổi Trẻ write it (docs/replica.md)
    layout: str = "mic"

    @property
    def stem(self) -> str:
        return f"/{self.slug}" if self.parent else f"/tin-tuc-su-kien/{self.slug}"

    @property
    def path(self) -> str:
        return f"{self.stem}.htm"

    @property
    def rss_path(self) -> str:
        return f"/rss{self.stem}.rss"

    def trang_path(self, n: int) -> str:
        return f"{self.stem}/trang-{n}.htm"


ZONES: tuple[Zone, ...] = (
    Zone(
        19711,
        "Khoa học và Công nghệ",
        "khoa-hoc-va-cong-nghe",
        20,
        "empty",
        "empty",
        "category",
        34,
    ),
    Zone(19712, "Đổi mới sáng tạo", "doi-moi-sang-tao", 15, "404", "last", "stream", 18),
    Zone(
        19713, "Tin tổng hợp", "tin-tong-hop", 20, "empty", "404", "category", 20, layout="template"
    ),
    Zone(19714, "Chuyển đổi số", "chuyen-doi-so", 15, "empty", "empty", "stream", 14),
    Zone(
        19715,
        "Năng lượng nguyên tử",
        "nang-luong-nguyen-tu",
        10,
        "404",
        "empty",
        "category",
        7,
        layout="template",
    ),
    Zone(19716, "Thông cáo báo chí", "thong-cao-bao-chi", 10, "empty", "last", "category", 7),
)
BY_SLUG = {z.slug: z for z in ZONES}
BY_ZONE_ID = {z.id: z for z in ZONES}
PARENT = Zone(
    PARENT_ZONE_ID, PARENT_NAME, "tin-tuc-su-kien", 20, "empty", "empty", "stream", 0, parent=True
)

# Legal documents (SITE-mst.md §3.2, §8.1): real ids; the titles of all but 25175 are invented.
LEGAL_DOCS: tuple[tuple[int, str, str, str], ...] = (
    (25175, "2334/QĐ-BKHCN", "Quyết định ban hành Danh mục mã bưu chính quốc gia", "2025-08-24"),
    (25442, "3120/QĐ-BKHCN", "Quyết định công bố thủ tục hành chính lĩnh vực KH&CN", "2025-10-02"),
    (25309, "2876/QĐ-BKHCN", "Quyết định phê duyệt danh mục nhiệm vụ KH&CN", "2025-09-12"),
    (25274, "2790/QĐ-BKHCN", "Quyết định giao nhiệm vụ thường xuyên", "2025-09-05"),
    (14085, "40/2020/TT-BTTTT", "Thông tư quy định về quy chuẩn kỹ thuật quốc gia", "2020-12-18"),
    (13812, "15/2020/NĐ-CP", "Nghị định quy định xử phạt vi phạm hành chính", "2020-02-03"),
)
DRAFT_DOCS = (2256,)
STATIC_ID = 19797875  # /gioi-thieu-19797875.htm: a static page whose URL looks like an article's


def generation_time(generation: int) -> datetime:
    return NEWEST + GENERATION_STEP * generation


def id_from_time(t: datetime, millis: int, digits: int = 18) -> int:
    """ID_PREFIX (197) + yyMMddHHmmss + SSS (18 digits), or + 2 digits (the odd 17-digit
    form)."""
    stamp = ((((t.year % 100 * 100 + t.month) * 100 + t.day) * 100 + t.hour) * 100 + t.minute) * 100
    stamp += t.second
    if digits == 18:
        return int(ID_PREFIX) * 10**15 + stamp * 1000 + millis
    return int(ID_PREFIX) * 10**14 + stamp * 100 + millis % 100


def time_of_id(site_id: int) -> datetime | None:
    """The timestamp an 18-digit id carries, or None for the other forms."""
    text = str(site_id)
    if len(text) != 18:
        return None
    return datetime.strptime(text[3:15], "%y%m%d%H%M%S").replace(microsecond=int(text[15:]) * 1000)
