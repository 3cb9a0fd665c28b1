"""Deterministic, realistic Vietnamese news text for the replica (full diacritics, đ/Đ).

Everything takes a ``random.Random`` so the same seed always yields the same words. The text is
clean NFC; the markup layer adds the noise (entities, NFD, zero-width spaces) on top of it.
"""

from __future__ import annotations

import random
from collections.abc import Callable

PLACES = (
    "Hà Nội",
    "TP. Hồ Chí Minh",
    "Đà Nẵng",
    "Hải Phòng",
    "Cần Thơ",
    "Quảng Nam",
    "Thừa Thiên Huế",
    "Đắk Lắk",
    "Nghệ An",
    "Thanh Hóa",
    "Bắc Ninh",
    "Đồng Nai",
    "Bình Dương",
    "Lâm Đồng",
    "Quảng Ninh",
    "Khánh Hòa",
    "Điện Biên",
    "Đồng Tháp",
    "An Giang",
    "Thái Nguyên",
)
PEOPLE = (
    "Bộ trưởng Bộ KH&CN Huỳnh Thành Đạt",
    "Thứ trưởng Nguyễn Hoàng Giang",
    "Thứ trưởng Lê Xuân Định",
    "Thứ trưởng Bùi Thế Duy",
    "Thứ trưởng Hoàng Minh",
    "ông Đặng Ngọc Bảo, Vụ trưởng Vụ Đánh giá, Thẩm định và Giám định công nghệ",
    "bà Nguyễn Thị Hải Hằng, Giám đốc Trung tâm Nghiên cứu và Phát triển truyền thông KH&CN",
    "ông Đinh Hữu Phí, Cục trưởng Cục Sở hữu trí tuệ",
    "bà Đỗ Thị Thu Hương",
    "PGS.TS Trần Đức Quỳnh",
    "GS.TSKH Nguyễn Đình Đức",
    "ông Phạm Đức Nghiệm",
)
BODIES = (
    "Bộ Khoa học và Công nghệ",
    "Bộ KH&CN",
    "Sở KH&CN {place}",
    "Viện Hàn lâm KH&CN Việt Nam",
    "Cục Thông tin KH&CN quốc gia",
    "Tổng cục Tiêu chuẩn Đo lường Chất lượng",
    "Quỹ Phát triển khoa học và công nghệ Quốc gia (NAFOSTED)",
    "Cục Sở hữu trí tuệ",
    "Viện Năng lượng nguyên tử Việt Nam",
    "Trung tâm Hỗ trợ khởi nghiệp ĐMST {place}",
    "Học viện Khoa học, Công nghệ và Đổi mới sáng tạo",
    "UBND tỉnh {place}",
)
TOPICS = (
    "chuyển đổi số",
    "trí tuệ nhân tạo",
    "đổi mới sáng tạo",
    "khởi nghiệp sáng tạo",
    "năng lượng tái tạo",
    "công nghệ sinh học",
    "sở hữu trí tuệ",
    "tiêu chuẩn, đo lường, chất lượng",
    "công nghiệp bán dẫn",
    "truy xuất nguồn gốc sản phẩm",
    "an toàn bức xạ và hạt nhân",
    "thị trường KH&CN",
    "chương trình OCOP",
    "nông nghiệp công nghệ cao",
    "dữ liệu lớn",
    "vật liệu mới",
    "y sinh học",
    "thông tin KH&CN",
    "đo lường chất lượng sản phẩm",
    "phát triển tài sản trí tuệ",
    "kinh tế tuần hoàn",
    "công nghệ lõi",
)
ACTIONS = (
    "tổ chức hội thảo về",
    "ký kết thỏa thuận hợp tác về",
    "công bố kết quả nghiên cứu về",
    "triển khai đề án thúc đẩy",
    "tập huấn nâng cao năng lực về",
    "đánh giá kết quả thực hiện nhiệm vụ về",
    "trao giải thưởng",
    "khởi động chương trình hỗ trợ",
    "làm việc với các doanh nghiệp về",
    "đẩy mạnh ứng dụng",
    "góp ý dự thảo Luật về",
    "nghiệm thu đề tài cấp quốc gia về",
)
TIMES = (
    "Sáng {d}/{m}",
    "Chiều {d}/{m}",
    "Ngày {d}/{m}/{y}",
    "Trong 2 ngày {d}-{d2}/{m}",
    "Sáng ngày {d}/{m}/{y}",
    "Chiều {d}-{m}",
    "Tối {d}/{m}",
)
CLAUSES = (
    "với sự tham dự của đại diện lãnh đạo các bộ, ngành và địa phương",
    "nhằm nâng cao hiệu quả hoạt động {topic} trong giai đoạn 2021-2030",
    "góp phần thúc đẩy phát triển kinh tế - xã hội của đất nước",
    "đồng thời tăng cường kết nối giữa viện nghiên cứu, trường đại học và doanh nghiệp",
    "qua đó khẳng định vai trò động lực của KH,CN&ĐMST",
    "theo tinh thần Nghị quyết số 57-NQ/TW của Bộ Chính trị",
    "đáp ứng yêu cầu ngày càng cao của thực tiễn sản xuất",
    "trên cơ sở rà soát toàn bộ hệ thống văn bản quy phạm pháp luật hiện hành",
    "với tổng kinh phí hơn {n} tỷ đồng",
    "thu hút hơn {n} đại biểu, chuyên gia và nhà khoa học",
)
OPINIONS = (
    "{person} cho biết, {topic} là nhiệm vụ trọng tâm của ngành trong thời gian tới",
    "Phát biểu tại sự kiện, {person} nhấn mạnh vai trò của {topic} đối với tăng trưởng",
    "Theo {person}, cần có cơ chế đặc thù để thúc đẩy {topic}",
    "{person} đề nghị các đơn vị phối hợp chặt chẽ, triển khai đồng bộ các giải pháp về {topic}",
    "Đánh giá cao kết quả đạt được, {person} cũng chỉ ra một số hạn chế cần khắc phục",
    "Tại buổi làm việc, {person} đã trao đổi, làm rõ nhiều vấn đề liên quan đến {topic}",
)
FACTS = (
    "Đến nay, cả nước đã có {n} doanh nghiệp KH&CN được cấp giấy chứng nhận",
    "Năm {y}, tổng số đơn đăng ký sáng chế tăng {p}% so với cùng kỳ",
    "Chương trình đã hỗ trợ {n} dự án ứng dụng tiến bộ kỹ thuật tại địa phương",
    "Tỷ lệ đóng góp của năng suất các yếu tố tổng hợp (TFP) đạt khoảng {p}%",
    "Hơn {n} sản phẩm đã được gắn mã truy xuất nguồn gốc trên hệ thống quốc gia",
    "Kết quả khảo sát cho thấy {p}% doanh nghiệp có nhu cầu đổi mới công nghệ",
)
CAPTIONS = (
    "Toàn cảnh {event}.",
    "{person} phát biểu tại {event}.",
    "Các đại biểu tham quan mô hình ứng dụng {topic}.",
    "Quang cảnh buổi làm việc tại {place}.",
    "Đại biểu chụp ảnh lưu niệm tại {event}.",
    "Lãnh đạo Bộ KH&CN trao đổi với doanh nghiệp",
    "Trình diễn sản phẩm {topic} tại {place}",
)
EVENTS = (
    "hội nghị",
    "hội thảo",
    "buổi làm việc",
    "lễ ký kết",
    "diễn đàn",
    "lễ trao giải",
    "tọa đàm",
)
SOURCES = (
    "Trung tâm Nghiên cứu và Phát triển truyền thông KH&CN",
    "Báo Khoa học và Phát triển",
    "Cục Thông tin KH&CN quốc gia",
    "Vụ Truyền thông và Thi đua khen thưởng",
    "Báo VnExpress",
    "Tạp chí KH&CN Việt Nam",
    "Sở KH&CN {place}",
    "Báo Nhân Dân",
    "TTXVN",
)
AUTHORS = ("Thu Hà", "Minh Đức", "Hồng Nhung", "Đức Anh", "Phương Thảo", "Việt Dũng", "Ngọc Ánh")
TABLE_HEAD = ("STT", "Nhiệm vụ", "Đơn vị chủ trì", "Kinh phí (triệu đồng)")
TASKS = (
    "Xây dựng cơ sở dữ liệu {topic}",
    "Nghiên cứu ứng dụng {topic} tại {place}",
    "Hỗ trợ doanh nghiệp đổi mới công nghệ",
    "Đào tạo nguồn nhân lực {topic}",
    "Phát triển sản phẩm chủ lực của {place}",
)
DOC_TITLES = (
    ("Quyet dinh so {n}", "Quyết định số {n}/QĐ-BKHCN"),
    ("Thong tu {n}", "Thông tư số {n}/2024/TT-BKHCN"),
    ("Ke hoach {n}", "Kế hoạch số {n}/KH-BKHCN"),
    ("Phu luc {n}", "Phụ lục kèm theo"),
    ("Mau dang ky {n}", "Mẫu đăng ký tham dự"),
    ("Bao cao tong ket {n}", "Báo cáo tổng kết năm"),
)


_DRAWS: dict[str, Callable[[random.Random], object]] = {
    "place": lambda r: r.choice(PLACES),
    "person": lambda r: r.choice(PEOPLE),
    "topic": lambda r: r.choice(TOPICS),
    "event": lambda r: r.choice(EVENTS),
    "d": lambda r: r.randint(1, 27),
    "m": lambda r: r.randint(1, 12),
    "y": lambda r: r.randint(2018, 2025),
    "n": lambda r: r.randint(12, 950),
    "p": lambda r: r.randint(5, 68),
}


class _Slots(dict[str, object]):
    """Template slots drawn on first use only (so a template costs only the draws it needs)."""

    def __init__(self, rng: random.Random) -> None:
        super().__init__()
        self.rng = rng

    def __missing__(self, key: str) -> object:
        value = self["d"] + 1 if key == "d2" else _DRAWS[key](self.rng)  # type: ignore[operator]
        self[key] = value
        return value


def _fill(template: str, rng: random.Random) -> str:
    if "{" not in template:
        return template
    return template.format_map(_Slots(rng))


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def title(rng: random.Random) -> str:
    """A headline, e.g. "Sở KH&CN tỉnh Quảng Nam tổ chức hội thảo về chuyển đổi số"."""
    body = _fill(rng.choice(BODIES), rng)
    shape = rng.randrange(4)
    topic = rng.choice(TOPICS)
    if shape == 0:
        return f"{body} {rng.choice(ACTIONS)} {topic}"
    if shape == 1:
        return _cap(f"{topic}: {_fill('{event}', rng)} tại {rng.choice(PLACES)}")
    if shape == 2:
        return f"Thúc đẩy {topic}, góp phần phát triển {rng.choice(TOPICS)} - {rng.choice(PLACES)}"
    return f"{body} {rng.choice(ACTIONS)} {topic} năm {rng.randint(2019, 2025)}"


OPENERS = (
    "Bên cạnh đó",
    "Ngoài ra",
    "Đáng chú ý",
    "Theo báo cáo",
    "Trong năm qua",
    "Cũng tại sự kiện",
    "Trước đó",
    "Thời gian tới",
    "Để triển khai hiệu quả",
    "Trên cơ sở đó",
)
QUOTES = (
    "Chúng ta cần chuyển từ tư duy quản lý sang tư duy kiến tạo, lấy doanh nghiệp làm trung tâm",
    "Khoa học và công nghệ phải thực sự trở thành động lực của tăng trưởng",
    "Mỗi kết quả nghiên cứu cần được đưa vào sản xuất và đời sống",
    "Đây là cơ hội để các nhà khoa học trẻ khẳng định năng lực của mình",
)


def sentence(rng: random.Random, kind: int | None = None) -> str:
    kind = rng.randrange(6) if kind is None else kind
    body = _fill(rng.choice(BODIES), rng)
    topic = rng.choice(TOPICS)
    if kind == 0:
        when = _fill(rng.choice(TIMES), rng)
        text = f"{when}, {body} đã {rng.choice(ACTIONS)} {topic}"
        text += f", {_fill(rng.choice(CLAUSES), rng)}"
    elif kind == 1:
        text = _fill(rng.choice(OPINIONS), rng) + f", {_fill(rng.choice(CLAUSES), rng)}"
    elif kind == 2:
        text = _fill(rng.choice(FACTS), rng)
    elif kind == 3:
        text = f"{rng.choice(OPENERS)}, {body} sẽ {rng.choice(ACTIONS)} {topic}"
    elif kind == 4:
        text = f"“{rng.choice(QUOTES)}”, {_fill('{person}', rng)} nhấn mạnh"
    else:
        text = (
            f"Các đại biểu đã thảo luận về {topic} và {rng.choice(TOPICS)}; "
            f"kiến nghị {body} {rng.choice(ACTIONS)} {rng.choice(TOPICS)}"
        )
    return _cap(text) + rng.choice((".", ".", ".", "…", "."))


def paragraph(rng: random.Random, sentences: tuple[int, int] = (2, 4)) -> str:
    kinds = rng.sample(range(6), rng.randint(*sentences))
    return " ".join(sentence(rng, k) for k in kinds)


def lead(rng: random.Random) -> str:
    return paragraph(rng, (1, 2))


def caption(rng: random.Random) -> str:
    return _cap(_fill(rng.choice(CAPTIONS), rng))


def source(rng: random.Random) -> str:
    return _fill(rng.choice(SOURCES), rng)


def author(rng: random.Random) -> str:
    return rng.choice(AUTHORS)


def table_rows(rng: random.Random) -> list[list[str]]:
    rows = [list(TABLE_HEAD)]
    for i in range(rng.randint(2, 4)):
        rows.append(
            [
                str(i + 1),
                _fill(rng.choice(TASKS), rng),
                _fill(rng.choice(BODIES), rng),
                f"{rng.randint(150, 9800):,}".replace(",", "."),
            ]
        )
    return rows


def document(rng: random.Random) -> tuple[str, str]:
    """(file stem as ASCII with spaces, link text) of an attached document."""
    stem, text = rng.choice(DOC_TITLES)
    n = rng.randint(12, 3999)
    return stem.format(n=n), text.format(n=n)
