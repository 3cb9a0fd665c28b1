"""The layering rules of STYLE.md, checked on the source itself.

- crawler.parsers and archive never import scrapy (checked on the AST of every module, and by
  importing them in a fresh interpreter);
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


@pytest.mark.parametrize("package", ["crawler/parsers", "archive"])
def test_no_scrapy_import_in_source(package: str) -> None:
    offenders = [str(p.relative_to(ROOT)) for p in _modules(package) if _imports_scrapy(p)]
    assert offenders == [], f"{package} must not import scrapy: {offenders}"


@pytest.mark.parametrize("module", ["crawler.parsers", "crawler.items", "archive.cli"])
def test_importing_leaves_scrapy_unloaded(module: str) -> None:
    code = f"import sys, {module}; print('scrapy' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == "False", f"importing {module} loaded scrapy"


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
