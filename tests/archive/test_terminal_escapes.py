"""Issue 13, point 6: control characters from page text never reach a terminal.

Two layers: the parsers' shared text normalisation keeps C0/C1 controls (tab and newline
aside) and bidi overrides out of every parsed field, while the raw page is stored byte for
byte; and ``show``, ``search``, ``diff`` and ``stats`` escape such characters anyway when they
print (an archive written before the fix, or by another tool, still holds them). The CLI is run
with ``color=True``: on a terminal click leaves escape sequences alone.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from archive import store
from archive.cli import main
from archive.db import open_archive
from archive.render import escape_controls
from crawler.items import Article, Image
from crawler.parsers import parse_article
from crawler.parsers.text import clean, encode_controls, strip_controls

PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"
CASE = PAGES / "control-characters"
PAGE_URL = "https://www.most.gov.vn/vn/tin-tuc/13338/bai-viet-12-caption-after-spacer.aspx"
# What must never reach a field or a terminal: C0 and C1 controls but tab and newline,
# and the bidi embeddings, overrides and isolates.
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# Colour, window title, an OSC 8 hyperlink, SOH, 8-bit CSI, right-to-left override, isolate.
EVIL = (
    "\x1b[31mRED\x1b]0;title\x07 \x1b]8;;http://evil/\x1b\\link\x1b]8;;\x1b\\ "
    "\x01\x9b2J\u202egnp.exe\u2066"
)
OUR_COLOURS = re.compile(r"\x1b\[(?:3[0-7]|0)m")
T1 = "2026-01-01T08:00:00+00:00"
T2 = "2026-02-01T08:00:00+00:00"


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _strings(v)]
    return []


# --- parsing ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code", [*range(0x00, 0xA0), *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
)
def test_clean_drops_every_control(code: int) -> None:
    text = clean(f"a{chr(code)}b")
    assert not UNSAFE.search(text), ascii(text)
    assert text in ("ab", "a b", f"a{chr(code)}b")  # dropped, a space, or a printable kept
    assert not UNSAFE.search(strip_controls(f"a{chr(code)}b\n\tc"))
    assert "\n\t" in strip_controls(f"a{chr(code)}b\n\tc")


def test_controls_in_urls_are_percent_encoded() -> None:
    assert encode_controls("http://x/a\x1b[1m\u202e.pdf") == "http://x/a%1B[1m%E2%80%AE.pdf"
    assert encode_controls("http://x/điện.jpg") == "http://x/điện.jpg"  # letters untouched


def test_no_parsed_field_holds_a_control_and_the_raw_page_stays_exact(tmp_path: Path) -> None:
    page = (CASE / "page.html").read_bytes()
    assert b"\x1b" in page and "\u202e".encode() in page
    article = parse_article(page, PAGE_URL)
    assert article is not None
    strings = _strings(asdict(article))
    assert [s for s in strings if UNSAFE.search(s)] == []
    db = open_archive(tmp_path / "archive.db")
    page_id = store.save_page(
        db, url=PAGE_URL, status=200, headers={}, body=page, fetched_at=T1, run_id=None
    )
    store.save_article(db, article, page_id=page_id, fetched_at=T1)
    assert store.page_body(db, page_id) == page  # byte for byte, controls included
    row = next(db.query("SELECT title, lead, body, body_html, source FROM articles"))
    assert [v for v in row.values() if UNSAFE.search(v or "")] == []


# --- printing ---------------------------------------------------------------------------------


def test_escape_controls_keeps_text_and_json_meaning() -> None:
    assert escape_controls("a\x1b[31mb\tc\nd\u202e\x9b") == "a\\u001b[31mb\tc\nd\\u202e\\u009b"
    value = {"t": EVIL + 'Đảng \\ "'}
    dumped = escape_controls(json.dumps(value, ensure_ascii=False))
    assert not UNSAFE.search(dumped) and json.loads(dumped) == value


def _hostile(site_id: int, **fields: object) -> Article:
    base = Article(
        site_id=site_id,
        url=f"http://127.0.0.1:8765/vn/tin-tuc/{site_id}/x\x1b[1m.aspx",
        title=f"Khoa học {EVIL}",
        lead=f"Lời dẫn {EVIL}",
        body=[f"Đoạn một {EVIL}", "Đoạn hai"],
        body_html=f"<p>{EVIL}</p>",
        published_at="2024-03-05T09:15:00+07:00",
        category=f"Tin {EVIL}",
        source=f"Nguồn {EVIL}",
        images=[Image(f"http://127.0.0.1:8765/i{EVIL}.jpg", f"Ảnh {EVIL}", f"alt {EVIL}")],
        parser="most/1",
    )
    return replace(base, **fields)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def hostile_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An archive holding control characters, as written before the parsers dropped them."""
    path: Path = tmp_path_factory.mktemp("escapes") / "archive.db"
    db = open_archive(path)
    run = store.start_run(db, site="http://127.0.0.1:8765", mode="full")
    store.save_article(
        db,
        _hostile(900),
        page_id=None,
        fetched_at=T1,
        listed_in=[(77, f"Chuyên mục {EVIL}", "http://127.0.0.1:8765/c/77")],
    )
    store.save_article(
        db,
        _hostile(900, body=[f"Đoạn mới {EVIL}"], title=f"Mới {EVIL}"),
        page_id=None,
        fetched_at=T2,
    )
    store.record_error(
        db,
        url=f"http://127.0.0.1:8765/e{EVIL}",
        kind="article",
        status=500,
        reason=f"HTTP 500 {EVIL}",
        run_id=run,
        at=T1,
    )
    store.finish_run(db, run, outcome="partial", counts={"errors": 1})
    db.conn.close()
    return path


def _run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), color=True)


@pytest.mark.parametrize(
    "args",
    [
        ["show", "900"],
        ["show", "900", "--json"],
        ["search", "đoạn"],
        ["search", "doan", "--json"],
        ["diff", "900"],
        ["diff", "900", "1", "2"],
        ["diff", "900", "--word"],
        ["stats"],
        ["stats", "--json"],
    ],
)
def test_commands_escape_controls_when_printing(hostile_archive: Path, args: list[str]) -> None:
    result = _run(*args, "--db", str(hostile_archive))
    assert result.exit_code == 0, result.output
    # diff colours its own lines on a terminal: those escapes are ours, the rest must not be
    out = OUR_COLOURS.sub("", result.stdout) if args[0] == "diff" else result.stdout
    assert out.strip()
    assert not UNSAFE.search(out), [m.group() for m in UNSAFE.finditer(out)]
    assert "\\u001b[31mRED" in out  # shown, escaped, not swallowed
    if "--json" in args:
        data = json.loads(result.stdout)  # still valid JSON, holding the exact stored text
        assert any(EVIL in s for s in _strings(data))
