"""A small archive with known contents, built through archive.store, for the read-side tests.

Imported by test_search*.py, test_queries*.py, test_cli*.py and test_export*.py (it holds no
tests itself). Every write goes through the real write side (``archive.store``), into a real
SQLite file.
"""

from __future__ import annotations

import unicodedata
from dataclasses import replace
from pathlib import Path

from archive import store
from archive.db import open_archive
from archive.files import files_dir_for
from crawler.items import Article, Attachment, Image

BASE = "http://127.0.0.1:8765"
T1 = "2026-01-01T08:00:00+00:00"
T2 = "2026-02-01T08:00:00+00:00"
IMAGE_BYTES = b"\x89PNG\r\n\x1a\n-sample-image-bytes"


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def article(site_id: int, title: str, body: list[str], **fields: object) -> Article:
    base = Article(
        site_id=site_id,
        url=f"{BASE}/vn/tin-tuc/{site_id}/bai-viet-{site_id}.aspx",
        title=title,
        lead="",
        body=body,
        body_html="".join(f"<p>{p}</p>" for p in body),
        published_at="2024-03-05T09:15:00+07:00",
        category="Tin tổng hợp",
        source=None,
        parser="most/1",
    )
    return replace(base, **fields)  # type: ignore[arg-type]


ELECTRIC_V1 = article(
    104,
    "Điện lực miền Trung đẩy mạnh chuyển đổi số",
    ["Đảng ủy Tổng công ty chỉ đạo phát triển điện hạt nhân.", "Nhà máy | Công suất"],
    lead="Tổng công ty Điện lực miền Trung họp tổng kết năm.",
    published_at="2025-01-10T14:00:00+07:00",
    category="Tin tức sự kiện",
    source="Trung tâm Truyền thông KH&CN",
    images=[
        Image(f"{BASE}/Images/editor/images/Toan%20canh.jpg", "Toàn cảnh Hội nghị tập huấn.", ""),
        Image(f"{BASE}/Images/editor/images/b.png", None, "ảnh b"),
    ],
    attachments=[Attachment(f"{BASE}/Documents/qd-01.pdf", "Quyết định số 01")],
)
ELECTRIC_V2 = replace(
    ELECTRIC_V1,
    title="Điện lực miền Trung đẩy mạnh chuyển đổi số năm 2025",
    body=["Đảng ủy Tổng công ty chỉ đạo phát triển điện gió.", "Nhà máy | Công suất"],
)

ARTICLES = [
    article(
        101,
        "Chuyện của má",
        ["Má tôi kể chuyện làng quê ngày xưa."],
        published_at="2024-03-05T09:15:00+07:00",
        source="Báo Khoa học và Phát triển",
    ),
    article(
        102,
        "Ngôi nhà có ma",
        ["Người ta đồn rằng ngôi nhà có ma."],
        published_at="2023-07-01T00:00:00+07:00",
        category="Điểm báo KHCN",
        source="VnExpress",
    ),
    article(
        103,
        "Thế mà vẫn chưa xong",
        ["Nhưng mà dự án vẫn chậm tiến độ."],
        published_at="2022-12-31T23:59:00+07:00",
    ),
    ELECTRIC_V1,
    article(
        105,
        nfd("Nghiên cứu công nghệ sinh học"),
        [nfd("Phòng thí nghiệm phát triển giống lúa chịu mặn.")],
        published_at="2024-06-01T08:00:00+07:00",
        category="Điểm báo KHCN",
    ),
    article(
        106,
        "Bộ Khoa học và Công nghệ tổ chức hội nghị",
        ["Hội nghị bàn về đổi mới sáng tạo."],
        published_at="2024-01-15T10:00:00+07:00",
    ),
    article(
        107,
        "Học sinh giỏi được khen",
        ["Em học khoa toán được bộ trưởng khen thưởng."],
        published_at="2024-02-20T10:00:00+07:00",
        category="Điểm báo KHCN",
    ),
]
# Listings each article appears in, besides its breadcrumb category.
LISTED = {
    101: [(493, "Tin tổng hợp", f"{BASE}/vn/chuyen-muc/493/Tin-tong-hop.aspx")],
    104: [
        (492, "Tin tức sự kiện", f"{BASE}/vn/chuyen-muc/492/Tin-tuc-su-kien.aspx"),
        (493, "Tin tổng hợp", f"{BASE}/vn/chuyen-muc/493/Tin-tong-hop.aspx"),
    ],
    107: [(570, "Điểm báo KHCN", f"{BASE}/vn/chuyen-muc/570/Diem-bao-KHCN.aspx")],
}


def build_archive(db_path: Path) -> Path:
    """Fill ``db_path`` with ARTICLES (104 in two revisions), one file, two runs, errors."""
    db = open_archive(db_path)
    run1 = store.start_run(db, site=BASE, mode="full")
    for a in ARTICLES:
        page_id = store.save_page(
            db,
            url=a.url,
            status=200,
            headers={"Content-Type": "text/html; charset=utf-8"},
            body=f"<html><h1>{a.title}</h1></html>".encode(),
            fetched_at=T1,
            run_id=run1,
        )
        store.save_article(
            db, a, page_id=page_id, fetched_at=T1, listed_in=LISTED.get(a.site_id, ())
        )
    store.save_file(
        db,
        files_dir_for(db_path),
        url=ELECTRIC_V1.images[0].url,
        body=IMAGE_BYTES,
        content_type="image/jpeg",
        fetched_at=T1,
    )
    store.record_error(
        db,
        url=f"{BASE}/Documents/qd-01.pdf",
        kind="file",
        status=404,
        reason="HTTP 404",
        run_id=run1,
        at=T1,
    )
    store.finish_run(
        db,
        run1,
        outcome="partial",
        counts={"pages_fetched": 10, "articles_new": len(ARTICLES), "errors": 1},
    )
    run2 = store.start_run(db, site=BASE, mode="incremental")
    store.save_article(db, ELECTRIC_V2, page_id=None, fetched_at=T2)
    store.finish_run(db, run2, outcome="ok", counts={"pages_fetched": 3, "articles_updated": 1})
    db.conn.close()
    return db_path
