"""The layering rules of STYLE.md, checked on the source itself.

- crawler.parsers, crawler.portals and archive never import scrapy (checked on the AST of every
  module, and by importing them in a fresh interpreter); portals import the standard library only;
- spiders never open the archive (they get its snapshot, read before the crawl);
- spiders hold no field selectors (no .css()/.xpath() calls);
- pipelines hold no SQL and no parsing;
- SQL lives only in archive/;
- the packages depend one way (docs/architecture.md): most_archive -> crawler -> archive, and
  archive may import only crawler's pure leaves (LEAVES: items, portals, parsers, outcome), which
  import nothing of the archive nor of crawler's Scrapy side; replica imports none of the others;
  only most_archive assembles the command line.
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
    "most_archive.cli",
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


# crawler's pure leaves: what an article is, a portal's rules, the parsers, a run's outcomes.
# archive may import them (no cycle: they import nothing of archive nor of the rest of crawler).
LEAVES = ("crawler.items", "crawler.portals", "crawler.parsers", "crawler.outcome")


def _is_under(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def _our_imports(package: str) -> dict[str, set[str]]:
    """Module path -> the names it imports from our own packages (any import, lazy ones too)."""
    ours = ("most_archive", "crawler", "archive", "replica", "benchmarks", "tests")
    found: dict[str, set[str]] = {}
    for path in _modules(package):
        names = {n for n in _imported_names(path) if _is_under(n, ours)}
        found[str(path.relative_to(ROOT))] = names
    return found


def test_archive_imports_only_the_leaves_of_crawler_and_nothing_above() -> None:
    offenders = {
        path: sorted(n for n in names if not _is_under(n, ("archive", *LEAVES)))
        for path, names in _our_imports("archive").items()
    }
    offenders = {k: v for k, v in offenders.items() if v}
    assert offenders == {}, f"archive imports above itself (docs/architecture.md): {offenders}"


def _leaf_paths() -> list[Path]:
    paths: list[Path] = []
    for leaf in LEAVES:
        rel = Path(*leaf.split("."))
        paths += _modules(str(rel)) if (ROOT / rel).is_dir() else [ROOT / rel.with_suffix(".py")]
    return paths


def test_the_leaves_import_only_each_other() -> None:
    assert len(_leaf_paths()) > len(LEAVES), "the leaf modules were not found"
    for path in _leaf_paths():
        names = _imported_names(path)
        ours = {n for n in names if _is_under(n, ("most_archive", "crawler", "archive", "replica"))}
        foreign = {n for n in ours if not _is_under(n, LEAVES)}
        assert foreign == set(), f"{path.relative_to(ROOT)} imports {sorted(foreign)}"


def test_replica_imports_none_of_the_other_packages() -> None:
    for path, names in _our_imports("replica").items():
        foreign = {n for n in names if not _is_under(n, ("replica",))}
        assert foreign == set(), f"{path} imports {sorted(foreign)}"


@pytest.mark.parametrize("package", ["crawler", "archive", "replica", "benchmarks"])
def test_only_the_top_assembles_the_command_line(package: str) -> None:
    offenders = [
        p
        for p, names in _our_imports(package).items()
        if any(_is_under(n, ("most_archive",)) for n in names)
    ]
    assert offenders == [], f"{package} imports most_archive: {offenders}"


def test_the_console_script_is_the_assembled_group() -> None:
    import tomllib

    import click

    from most_archive.cli import main

    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    assert project["scripts"]["most-archive"] == "most_archive.cli:main"
    names = set(main.list_commands(click.Context(main)))
    assert {"crawl", "replica", "search", "serve"} <= names
