"""A small real archive for the serve, WARC and browser tests, written through archive.store.

Importable (``fill_archive(path)``) and runnable: ``python sample_archive.py DB`` fills DB;
``python sample_archive.py DB --loop N`` then keeps saving new articles and new versions of
old ones (N rounds, one transaction each), which is how the serve tests make a crawl write
while a reader reads.
"""

from __future__ import annotations

import argparse
import struct
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path

from archive import store
from archive.db import open_archive
from archive.files import files_dir_for
from crawler.items import Article, Attachment, Image

BASE = "http://127.0.0.1:8765"
FETCHED = "2026-11-20T03:00:00+00:00"


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A valid, decodable PNG of one colour (so a browser really loads it)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


@dataclass(frozen=True)
class Sample:
    site_id: int
    title: str
    lead: str
    body: tuple[str, ...]
    published_at: str
    category: str
    source: str | None
    captions: tuple[str | None, ...]  # one image per entry; None = an image without caption
    downloaded: bool = True  # whether the images' files are stored


SAMPLES = (
    Sample(
        101,
        "Điện lực miền Trung ứng dụng khoa học công nghệ",
        "Bộ Khoa học và Công nghệ làm việc với Tổng công ty Điện lực miền Trung.",
        ("Sáng 20/11, đoàn công tác đã thăm nhà máy điện.", "Đảng ủy Bộ chỉ đạo | Báo cáo"),
        "2024-04-26T10:30:00+07:00",
        "Tin tổng hợp",
        "Trung tâm Truyền thông KH&CN",
        ("Toàn cảnh buổi làm việc tại nhà máy", "Bộ trưởng phát biểu"),
    ),
    Sample(
        102,
        "Đảng ủy Bộ Khoa học tổng kết công tác năm",
        "Hội nghị tổng kết công tác Đảng năm 2023.",
        ("Hội nghị diễn ra tại Hà Nội.", "Các đại biểu thảo luận về chuyển đổi số."),
        "2023-12-28T08:00:00+07:00",
        "Hoạt động của Đảng ủy",
        "Văn phòng Đảng ủy",
        ("Quang cảnh hội nghị tổng kết",),
    ),
    Sample(
        103,
        "Ma trận đổi mới sáng tạo quốc gia",
        "Chỉ số đổi mới sáng tạo tăng 4 bậc.",
        ("Má và mà là hai từ khác nhau khi có dấu.",),
        "2024-01-15T00:00:00+07:00",
        "Tin tổng hợp",
        None,
        (None,),
        False,
    ),
)


def article_for(sample: Sample, *, version: int = 1) -> Article:
    suffix = "" if version == 1 else f" (cập nhật {version})"
    url = f"{BASE}/vn/tin-tuc/{sample.site_id}/bai-{sample.site_id}.aspx"
    images = [
        Image(f"{BASE}/Images/editor/images/{sample.site_id}-{i}.png", caption, f"ảnh {i}")
        for i, caption in enumerate(sample.captions)
    ]
    return Article(
        site_id=sample.site_id,
        url=url,
        title=sample.title + suffix,
        lead=sample.lead,
        body=list(sample.body),
        body_html="".join(f"<p>{p}</p>" for p in sample.body),
        published_at=sample.published_at,
        category=sample.category,
        source=sample.source,
        images=images,
        attachments=[Attachment(f"{BASE}/Docs/{sample.site_id}.pdf", "Văn bản đính kèm")],
        parser="most/1",
    )


def page_html(article: Article) -> bytes:
    paragraphs = "".join(f"<p>{p}</p>" for p in article.body)
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{article.title}</title></head>"
        f"<body><h1>{article.title}</h1><p class='lead'>{article.lead}</p>{paragraphs}</body>"
        "</html>"
    ).encode()


CATEGORY_IDS = {"Tin tổng hợp": 493, "Hoạt động của Đảng ủy": 571}

# How a response arrives: compressed and chunked on the wire, decoded by Scrapy before storing.
WIRE_HEADERS = [
    ("Content-Type", "text/html; charset=utf-8"),
    ("Content-Encoding", "gzip"),
    ("Transfer-Encoding", "chunked"),
    ("Content-Length", "17"),
    ("Server", "Microsoft-IIS/8.5"),
    ("Set-Cookie", "a=1; path=/"),
    ("Set-Cookie", "b=2; path=/"),
]


def save(
    db_path: Path,
    sample: Sample,
    *,
    version: int = 1,
    run_id: int | None = None,
    fetched_at: str = FETCHED,
) -> Article:
    db = open_archive(db_path)
    try:
        article = article_for(sample, version=version)
        page_id = store.save_page(
            db,
            url=article.url,
            status=200,
            headers=WIRE_HEADERS,
            body=page_html(article),
            fetched_at=fetched_at,
            run_id=run_id,
        )
        store.save_article(
            db,
            article,
            page_id=page_id,
            fetched_at=fetched_at,
            listed_in=[(CATEGORY_IDS[sample.category], sample.category, None)],
        )
        if sample.downloaded and version == 1:
            for i, image in enumerate(article.images):
                store.save_file(
                    db,
                    files_dir_for(db_path),
                    url=image.url,
                    body=png(40 + 10 * i, 30, (200, 30 * i, 60)),
                    content_type="image/png",
                    fetched_at=fetched_at,
                )
        return article
    finally:
        db.conn.close()


def fill_archive(db_path: Path) -> list[Article]:
    """Archive the SAMPLES (with a listing page and a 404 among the raw pages)."""
    db = open_archive(db_path)
    try:
        run_id = store.start_run(db, site=BASE, mode="full")
        store.save_page(
            db,
            url=f"{BASE}/vn/Pages/tin-tong-hop.aspx",
            status=200,
            headers={"Content-Type": "text/html; charset=utf-8"},
            body="<html><body>Tin tổng hợp</body></html>".encode(),
            fetched_at=FETCHED,
            run_id=run_id,
        )
        store.save_page(
            db,
            url=f"{BASE}/vn/tin-tuc/999/khong-co.aspx",
            status=404,
            headers=[("Content-Type", "text/html")],
            body=b"<html>Not found</html>",
            fetched_at="2026-11-20T10:05:00+07:00",
            run_id=run_id,
        )
    finally:
        db.conn.close()
    articles = [save(db_path, s, run_id=run_id) for s in SAMPLES]
    db = open_archive(db_path)
    try:
        store.finish_run(db, run_id, outcome="ok", counts={"articles_new": len(articles)})
    finally:
        db.conn.close()
    return articles


def write_loop(db_path: Path, rounds: int) -> None:
    """Keep writing: a new article and a new version of an old one each round."""
    db_articles = list(SAMPLES)
    for n in range(rounds):
        new = Sample(
            1000 + n,
            f"Bài viết mới số {n}",
            "Tin mới.",
            ("Nội dung.",) * 20,
            "2025-01-01T00:00:00+07:00",
            "Tin tổng hợp",
            "Báo Khoa học",
            ("Ảnh",),
            False,
        )
        save(db_path, new, fetched_at=f"2026-11-21T00:{n % 60:02d}:00+00:00")
        save(db_path, db_articles[n % len(db_articles)], version=n + 2)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("db", type=Path)
    parser.add_argument("--loop", type=int, default=0, help="rounds of writing after filling")
    args = parser.parse_args(argv)
    if not args.db.exists():
        fill_archive(args.db)
    if args.loop:
        print("writing", flush=True)
        write_loop(args.db, args.loop)
    return 0


if __name__ == "__main__":
    sys.exit(main())
