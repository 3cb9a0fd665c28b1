"""The layering rules of STYLE.md, checked on the source itself.

- crawler.parsers, crawler.portals and archive never import scrapy (checked on the AST of every
  module, and by importing them in a fresh interpreter); portals import the standard library only;
- spiders never open the archive (they get its snapshot, read before the crawl);
- spiders hold no field selectors (no .css()/.xpath() calls);
- pipelines hold no SQL and no parsing;
- SQL lives only in archive/.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def _imported_names(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _imports_scrapy(path: Path) -> bool:
    return any(n == "scrapy" or n.startswith("scrapy.") for n in _imported_names(path))


@pytest.mark.parametrize("package", ["crawler/parsers", "crawler/portals", "archive"])
def test_no_scrapy_import_in_source(package: str) -> None:
    offenders = [str(p.relative_to(ROOT)) for p in _modules(package) if _imports_scrapy(p)]
    assert offenders == [], f"{package} must not import scrapy: {offenders}"


PURE_MODULES = [
    "crawler.parsers",
    "crawler.items",
    "crawler.portals",
    "crawler.outcome",
    "archive.cli",
]


@pytest.mark.parametrize("module", PURE_MODULES)
def test_importing_leaves_scrapy_unloaded(module: str) -> None:
    code = f"import sys, {module}; print('scrapy' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == "False", f"importing {module} loaded scrapy"


def test_portals_import_only_the_standard_library() -> None:
    for path in _modules("crawler/portals"):
        names = _imported_names(path)
        foreign = {n for n in names if n.split(".")[0] not in sys.stdlib_module_names}
        foreign = {n for n in foreign if n.split(".")[:2] != ["crawler", "portals"]}
        assert foreign == set(), f"{path.name} imports {sorted(foreign)}"


def test_spiders_never_open_the_archive() -> None:
    for path in _modules("crawler/spiders"):
        names = _imported_names(path)
        assert not any(n.startswith(("archive.db", "archive.store", "sqlite")) for n in names), (
            f"{path.name} opens the archive: it must use the snapshot (archive.crawlstate)"
        )
        assert "open_archive" not in path.read_text("utf-8")


def test_spiders_hold_no_selectors() -> None:
    for path in _modules("crawler/spiders"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\.(css|xpath)\(", text), f"selector in spider {path.name}"


SQL = re.compile(
    r"\b(SELECT\s+.+\s+FROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+TABLE)\b",
    re.IGNORECASE,
)


@pytest.mark.parametrize("package", ["crawler", "replica"])
def test_sql_lives_only_in_archive(package: str) -> None:
    offenders = [
        str(p.relative_to(ROOT)) for p in _modules(package) if SQL.search(p.read_text("utf-8"))
    ]
    assert offenders == [], f"SQL outside archive/: {offenders}"


def test_pipelines_do_not_parse() -> None:
    path = ROOT / "crawler" / "pipelines.py"
    if not path.exists():
        pytest.fail("crawler/pipelines.py is missing")
    names = _imported_names(path)
    assert not any(n.startswith(("crawler.parsers", "lxml", "parsel", "bs4")) for n in names)
