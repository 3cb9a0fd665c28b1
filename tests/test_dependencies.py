"""Dependencies are declared exactly as imported (pyproject.toml against the AST of our modules).

- every third-party package a module of crawler/, archive/, replica/ or most_archive/ imports
  (lazy imports inside functions included) comes from a distribution in ``dependencies``;
  benchmarks/ may also use the ``compare`` extra, tests/ the ``dev`` and ``compare`` extras;
- every distribution in ``dependencies`` (and in ``compare``) is imported somewhere: nothing is
  declared that no module uses (Scrapy's own parsel, for instance, is Scrapy's business).

An import is mapped to its distribution with ``importlib.metadata.packages_distributions``, so
``import yaml`` needs ``pyyaml`` and ``import sqlite_utils`` needs ``sqlite-utils``.
"""

from __future__ import annotations

import ast
import functools
import re
import sys
import tomllib
from collections.abc import Iterable
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OURS = frozenset({"most_archive", "crawler", "archive", "replica", "benchmarks", "tests"})
RUNTIME_PACKAGES = ("most_archive", "crawler", "archive", "replica")
# Scripts run by another virtualenv's Python (its requirements file declares what they import):
# pywb's pins clash with ours (Makefile: replay-venv).
OTHER_ENVIRONMENTS = {"tests/replay/pywb_replay.py": "tests/replay/requirements.txt"}


def normalise(name: str) -> str:
    """A distribution name as PEP 503 compares them."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement_name(requirement: str) -> str:
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    assert match, f"unreadable requirement {requirement!r}"
    return normalise(match.group(1))


def declared(*extras: str) -> set[str]:
    """The runtime dependencies, plus those of the named extras, as normalised names."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    requirements = list(project["dependencies"])
    for extra in extras:
        requirements += project["optional-dependencies"][extra]
    return {_requirement_name(r) for r in requirements}


def third_party_imports(paths: Iterable[Path]) -> dict[str, set[str]]:
    """Top-level name -> the files importing it; the standard library and our packages left out,
    and so are a test's helper modules imported by name from its own folder."""
    found: dict[str, set[str]] = {}
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top in sys.stdlib_module_names or top in OURS:
                    continue
                if (path.parent / f"{top}.py").exists() or (path.parent / top).is_dir():
                    continue  # a sibling helper module (tests/browser/harness.py, …)
                where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
                found.setdefault(top, set()).add(str(where))
    return found


@functools.cache
def _providers() -> dict[str, list[str]]:
    return dict(packages_distributions())


def undeclared(imports: dict[str, set[str]], allowed: set[str]) -> dict[str, str]:
    """Each imported name no allowed distribution provides -> why, naming a file importing it."""
    providers = _providers()
    problems: dict[str, str] = {}
    for top, files in sorted(imports.items()):
        dists = {normalise(d) for d in providers.get(top, [])}
        where = sorted(files)[0]
        if not dists:
            problems[top] = f"no installed distribution provides it (imported by {where})"
        elif not dists & allowed:
            problems[top] = f"comes from {sorted(dists)}, not declared (imported by {where})"
    return problems


def _sources(*packages: str) -> list[Path]:
    return [
        p
        for package in packages
        for p in sorted((ROOT / package).rglob("*.py"))
        if p.relative_to(ROOT).as_posix() not in OTHER_ENVIRONMENTS
    ]


def _distributions_of(imports: dict[str, set[str]]) -> set[str]:
    providers = _providers()
    return {normalise(d) for top in imports for d in providers.get(top, [])}


@pytest.mark.parametrize(
    ("packages", "extras"),
    [(RUNTIME_PACKAGES, ()), (("benchmarks",), ("compare",)), (("tests",), ("dev", "compare"))],
)
def test_every_import_is_declared(packages: tuple[str, ...], extras: tuple[str, ...]) -> None:
    imports = third_party_imports(_sources(*packages))
    assert imports, "no third-party import found: the scan is broken"
    assert undeclared(imports, declared(*extras)) == {}


def test_every_runtime_dependency_is_imported() -> None:
    used = _distributions_of(third_party_imports(_sources(*RUNTIME_PACKAGES)))
    assert declared() - used == set(), "declared in pyproject.toml but imported by no module"


def test_every_compare_dependency_is_imported_by_the_benchmarks() -> None:
    used = _distributions_of(third_party_imports(_sources("benchmarks")))
    assert declared("compare") - declared() - used == set()


def test_the_check_catches_an_undeclared_import(tmp_path: Path) -> None:
    """The scan finds a lazy import inside a function, and a declared set without it fails."""
    module = tmp_path / "probe.py"
    module.write_text("def f():\n    import yaml\n    from lxml import etree\n", "utf-8")
    imports = third_party_imports([module])
    assert set(imports) == {"yaml", "lxml"}
    problems = undeclared(imports, {"lxml"})
    assert set(problems) == {"yaml"} and "pyyaml" in problems["yaml"]
    assert undeclared({"no_such_package_xyz": {"x.py"}}, {"lxml"})


@pytest.mark.parametrize(("script", "requirements"), sorted(OTHER_ENVIRONMENTS.items()))
def test_scripts_of_other_environments_declare_their_main_package(
    script: str, requirements: str
) -> None:
    imports = third_party_imports([ROOT / script])
    listed = {
        normalise(_requirement_name(line))
        for line in (ROOT / requirements).read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert imports and {normalise(top) for top in imports} & listed


def test_every_package_of_the_project_is_installed() -> None:
    """A wheel (``pip install .``, not the editable install of ``make venv``) holds only the
    packages ``pyproject.toml`` lists: ``crawler.portals`` was missing, so an installed
    ``most-archive`` could not import the portals. Every folder of the four top-level packages
    that holds an ``__init__.py`` must be listed."""
    import tomllib

    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for top in ("most_archive", "crawler", "archive", "replica")
        for init in (ROOT / top).rglob("__init__.py")
    }
    assert found - listed == set(), "add to [tool.setuptools] packages in pyproject.toml"
