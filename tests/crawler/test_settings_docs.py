"""Every ARCHIVE_* setting is declared once, with a comment, and documented in docs/settings.md."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = ROOT / "crawler" / "settings.py"
DOCS = ROOT / "docs" / "settings.md"


def _declared() -> list[str]:
    tree = ast.parse(SETTINGS.read_text(encoding="utf-8"))
    names: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.Assign):
            names += [t.id for t in node.targets if isinstance(t, ast.Name)]
    return [n for n in names if n.startswith("ARCHIVE_")]


def test_archive_settings_declared_once_with_a_comment() -> None:
    names = _declared()
    assert names, "no ARCHIVE_ settings found"
    assert len(names) == len(set(names)), f"declared twice: {names}"
    lines = SETTINGS.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        match = re.match(r"(ARCHIVE_\w+)\s*=", line)
        if match:
            assert lines[i - 1].lstrip().startswith("#"), f"{match.group(1)} has no comment"


def test_archive_settings_documented() -> None:
    documented = set(re.findall(r"`(ARCHIVE_\w+)`", DOCS.read_text(encoding="utf-8")))
    missing = sorted(set(_declared()) - documented)
    assert missing == [], f"not in docs/settings.md: {missing}"
    unknown = sorted(documented - set(_declared()))
    assert unknown == [], f"documented but not declared: {unknown}"


def test_settings_module_loads_into_scrapy() -> None:
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("crawler.settings")
    assert settings.getbool("ROBOTSTXT_OBEY")
    assert settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") == 1
    assert "http" in settings.get("USER_AGENT")  # a contact URL
    for name in _declared():
        assert name in settings, name
