"""crawler.parsers is usable without Scrapy: importing it (in a fresh interpreter) loads none."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _loaded_after(code: str) -> list[str]:
    probe = (
        f"import json, sys; {code}; "
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] == 'scrapy')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT
    )
    loaded: list[str] = json.loads(out.stdout)
    return loaded


def test_import_leaves_scrapy_unloaded() -> None:
    assert _loaded_after("import crawler.parsers") == []


def test_parsing_a_page_leaves_scrapy_unloaded() -> None:
    page = ROOT / "tests" / "fixtures" / "pages" / "fallback-new-markup" / "page.html"
    code = (
        "from crawler.parsers import parse_article; "
        f"a = parse_article(open({str(page)!r}, 'rb').read(), "
        "'https://www.most.gov.vn/vn/tin-tuc/1/x.aspx'); assert a is not None"
    )
    assert _loaded_after(code) == []


def test_probe_can_see_scrapy() -> None:
    """The probe itself works: importing scrapy is reported (so the tests above can fail)."""
    assert "scrapy" in _loaded_after("import scrapy")
