"""The real articles of SITE-mst.md §8, placed in the replica at their own ids and dates.

Titles, URLs, dates and attachment URLs are the evidenced ones (§8.1); the three verbatim
sentences of §8.2 open three articles whose titles are ours. Everything else in these
articles (the other paragraphs, the area codes in the tables, the QCVN list) is invented [I].
"""

from __future__ import annotations

from replica import vietnamese
from replica.catalog import rng
from replica.mst import blocks as B
from replica.mst.catalog import MEDIA_SITE_ID
from replica.mst.index import BY_PIN, MstIndex
from replica.mst.spec import MstSpec, millis, paragraph

M = f"/{MEDIA_SITE_ID}"

TITLES = {
    "internet": (
        "Internet Việt Nam đã có những bước tiến ấn tượng",
        "internet-viet-nam-da-co-nhung-buoc-tien-an-tuong",
    ),
    "qcvn": (
        "Quy chuẩn kỹ thuật quốc gia do Bộ TT&TT ban hành",
        "quy-chuan-ky-thuat-quoc-gia-do-bo-tttt-ban-hanh",
    ),
    "sach-trang": (
        "Sách Trắng Công nghệ thông tin và Truyền thông",
        "sach-trang-cong-nghe-thong-tin-va-truyen-thong",
    ),
    "mxh": (
        "Mạng xã hội nào được nhiều người dùng nhất tại Việt Nam?",
        "mang-xa-hoi-nao-duoc-nhieu-nguoi-dung-nhat-tai-viet-nam",
    ),
    "area-codes": (
        "Thông cáo báo chí về việc thực hiện quy hoạch mã vùng điện thoại cố định mặt đất"
        " kể từ 01/7/2025",
        "thong-cao-bao-chi-ve-viec-thuc-hien-quy-hoach-ma-vung-dien-thoai-co-dinh-mat-dat"
        "-ke-tu-01-7-2025",
    ),
    "vkist": (
        "VKIST nghiệm thu nhiệm vụ phát triển công nghệ plasma lạnh cho chíp sinh học gắn trên da",
        "vkist-nghiem-thu-nhiem-vu-phat-trien-cong-nghe-plasma-lanh-cho-chip-sinh-hoc-gan-tren-da",
    ),
    "ai-law": (
        "Quốc hội thông qua Luật Trí tuệ nhân tạo: Hoàn thiện hành lang pháp lý cho kỷ nguyên số",
        "quoc-hoi-thong-qua-luat-tri-tue-nhan-tao-hoan-thien-hanh-lang-phap-ly-cho-ky-nguyen-so",
    ),
    "agaricus": (
        "Làm chủ công nghệ sản xuất và chế biến sâu nấm Agaricus subrufescens",
        "lam-chu-cong-nghe-san-xuat-va-che-bien-sau-nam-agaricus-subrufescens",
    ),
    "fpt": (
        "FPT ký kết hợp tác phát triển công nghệ bán dẫn tại sự kiện khánh thành nhà máy",
        "fpt-ky-ket-hop-tac-phat-trien-cong-nghe-ban-dan-tai-su-kien-khanh-thanh-nha-may",
    ),
}

VERBATIM = {
    "vkist": (
        "Viện Khoa học và Công nghệ Việt Nam - Hàn Quốc (VKIST) vừa tổ chức nghiệm thu chính thức "
        "cấp Bộ đối với nhiệm vụ khoa học “Phát triển công nghệ plasma lạnh phủ vật liệu chức "
        "năng lên chíp sinh học gắn trên da ứng dụng theo dõi sức khỏe”. Đây là đề tài do VKIST "
        "chủ trì, nhằm tạo nền tảng công nghệ cho các thiết bị cảm biến y sinh thông minh, hỗ trợ "
        "theo dõi sức khỏe liên tục và không xâm lấn."
    ),
    "agaricus": (
        'Đề tài "Nghiên cứu công nghệ sản xuất và chế biến nấm Agaricus subrufescens, ứng dụng để '
        'nâng cao giá trị gia tăng một số nông sản Việt Nam" do nhóm nghiên cứu của Công ty TNHH '
        "Công nghệ Sinh học xanh Nhật Lan, Viện Cơ điện Nông nghiệp và Công nghệ Sau thu hoạch và "
        "một số doanh nghiệp thực hiện đã hoàn thiện toàn bộ quy trình công nghệ, làm chủ hệ thống "
        "lên men 1.000 lít và tạo ra 8 sản phẩm giá trị gia tăng từ nông sản Việt Nam, mở ra hướng "
        "đi mới cho chế biến sâu, nâng cao giá trị thương mại và tiềm năng xuất khẩu của ngành "
        "nông sản nước ta."
    ),
    "fpt": (
        "Tại sự kiện, FPT ký kết hàng loạt thỏa thuận với các đối tác công nghệ trong lĩnh vực bán "
        "dẫn tại Việt Nam và quốc tế, như hợp tác toàn diện với Viettel trong hoạt động xây dựng "
        "năng lực tự chủ về công nghệ bán dẫn thông qua việc liên thông chuỗi giá trị ngành công "
        "nghệ bán dẫn: Đào tạo - Thiết kế - Chế tạo - Kiểm thử - Đóng gói - Thương mại, trọng tâm "
        "là cùng phát triển dòng chip SoC AI on Edge trên tiến trình 28-32 nm cho hệ sinh thái "
        "thiết bị camera, drone, thiết bị bay không người lái (UAV); các thiết bị thông minh."
    ),
}

QCVN = (
    ("QCVN 8:2024/BTTTT", "chất lượng dịch vụ viễn thông di động mặt đất", "docx"),
    (
        "QCVN 36:2024/BTTTT",
        "chất lượng dịch vụ truy nhập Internet băng rộng cố định mặt đất",
        "doc",
    ),
    (
        "QCVN 81:2024/BTTTT",
        "chất lượng dịch vụ truy nhập Internet trên mạng viễn thông di động",
        "pdf",
    ),
    ("QCVN 117:2024/BTTTT", "thiết bị đầu cuối thông tin di động E-UTRA", "docx"),
    ("QCVN 129:2024/BTTTT", "thiết bị trạm gốc thông tin di động 5G", "pdf"),
)


def _p(text: str, *segs: B.Seg) -> B.P:
    return B.P([B.Seg(text), *segs])


def build(index: MstIndex, pos: int) -> MstSpec:
    key = index.pin[pos]
    pin = BY_PIN[key]
    r = rng(index.seed, "mst-real", key)
    title, slug = TITLES[key]
    when = pin.when
    ms = millis(when)
    lead = vietnamese.lead(r)
    blocks: list[B.Block] = []
    author: str | None = None
    byline = "none"
    tags: list[str] = []
    tags_form = "none"
    source: str | None = None
    source_line = ""
    if key == "area-codes":
        lead = (
            "Bộ Khoa học và Công nghệ thông báo về việc thực hiện quy hoạch mã vùng điện thoại "
            "cố định mặt đất kể từ ngày 01/7/2025."
        )
        rows = [["STT", "Tỉnh, thành phố", "Mã vùng"]] + [
            [str(i + 1), name, code] for i, (name, code) in enumerate(B.AREA_CODES)
        ]
        blocks = [
            _p(
                "Thực hiện Quyết định số 2784/QĐ-BKHCN, kể từ ngày 01/7/2025 các tỉnh, thành phố "
                "sau sắp xếp sử dụng mã vùng điện thoại cố định mặt đất như sau:"
            ),
            B.Heading(3, "Bảng 1. Mã vùng của các tỉnh, thành phố"),
            B.Table(rows[:8], cell_p=True),
            B.Heading(3, "Bảng 2. Mã vùng của các tỉnh, thành phố (tiếp)"),
            B.Table([rows[0], *rows[8:]], cell_p=False),
            _p(
                "Để tránh gián đoạn liên lạc, người dùng cần cập nhật mã vùng mới khi gọi điện "
                "thoại cố định liên tỉnh."
            ),
            B.P(
                [
                    B.Seg(
                        "Văn bản số 2784/BKHCN-CVT",
                        href=f"{M}/2025/7/4/qd-2784-17515990510092008338259.pdf",
                        media=True,
                    )
                ],
                cls="MsoNormal",
            ),
            _p("Cục Viễn thông, Bộ Khoa học và Công nghệ./."),
        ]
        tags, tags_form = ["mã vùng", "viễn thông", "Cục Viễn thông"], "ul"
    elif key == "qcvn":
        blocks = [
            _p("Danh mục quy chuẩn kỹ thuật quốc gia do Bộ Thông tin và Truyền thông ban hành:")
        ]
        for k, (code, name, ext) in enumerate(QCVN):
            stem = code.lower().replace(" ", "-").replace(":", "-").replace("/", "-")
            tail = r.randint(10**9, 10**10 - 1)
            path = f"{M}/2024/4/17/{stem}-{ms - 3_600_000 + 977 * k}{tail}.{ext}"
            blocks.append(
                B.P(
                    [
                        B.Seg(f"{k + 1}. "),
                        B.Seg(
                            f"{code} - Quy chuẩn kỹ thuật quốc gia về {name}", href=path, media=True
                        ),
                    ],
                    cls="MsoNormal",
                )
            )
    elif key == "sach-trang":
        blocks = [
            _p(paragraph(r)),
            B.Photo(
                "figure",
                f"{M}/2024/4/26/sach-trang-2024-{ms - 600_000}{r.randint(10**9, 10**10 - 1)}.jpg",
                "Sách Trắng Công nghệ thông tin và Truyền thông",
                "text",
                "",
                link=True,
            ),
            _p(
                "Xem toàn văn Sách Trắng: ",
                B.Seg(
                    "Sách Trắng CNTT-TT 2024",
                    href=f"{M}/2025/5/20/sach-trang-2024-tv-bong3-tuyen-comment-26-12-2024-"
                    "17477057164501311953470.pdf",
                    media=True,
                ),
            ),
        ]
        author, byline = "Hồng Nhung", "top"
    elif key == "ai-law":
        blocks = [
            _p("Luật Trí tuệ nhân tạo số 134/2025/QH15 có hiệu lực thi hành từ ngày 01/3/2026."),
            _p(paragraph(r)),
            B.Boxed(
                "Những điểm mới của Luật",
                [paragraph(r, (1, 2)), paragraph(r, (1, 2))],
            ),
            _p(paragraph(r)),
        ]
        author, byline = "Việt Dũng", "tail"
        tags, tags_form = ["trí tuệ nhân tạo", "Luật Trí tuệ nhân tạo"], "tab"
    else:
        first = VERBATIM.get(key, paragraph(r))
        blocks = [_p(first), _p(paragraph(r)), _p(paragraph(r))]
        blocks.insert(1, B.photo(r, ms, "figure", "text", title, 1, key == "internet"))
        if key == "fpt":
            source, source_line = "Theo Báo Nhân Dân", "Theo Báo Nhân Dân"
        elif key == "agaricus":
            source, source_line = "Báo Khoa học và Phát triển", "Nguồn: Báo Khoa học và Phát triển"
            author, byline = "Minh Đức", "tail"
    return MstSpec(
        site_id=pin.site_id,
        pos=pos,
        slug=slug,
        path=f"/{slug}-{pin.site_id}.htm",
        title=title,
        lead=lead,
        sapo_form="h2.detail-sapo",
        blocks=blocks,
        author=author,
        byline_form=byline,
        source=source,
        source_line=source_line,
        tags=tags,
        tags_form=tags_form,
        published=when,
        time_form=0 if key != "ai-law" else 1,
        zone_id=pin.zones[0],
        zone_ids=list(pin.zones),
        cate_form="cate",
        canonical_form="family",
        avatar=None if key == "qcvn" else B.media_path(r, ms - 300_000, "avatar", "jpg"),
        validators=True,
        last_modified=when,
        legacy=key == "internet",
        pin=key,
    )
