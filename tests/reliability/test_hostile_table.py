"""The hostile-server table of docs/reliability.md: every attack of issue 13 is a row, every row
names tests that exist, and the page shows each row held (``make reliability`` writes it)."""

from __future__ import annotations

from pathlib import Path

from benchmarks.reliability.hostile import ATTACKS, _covers

ROOT = Path(__file__).resolve().parents[2]


def test_every_row_names_tests_that_exist() -> None:
    for attack in ATTACKS:
        for test in attack.tests:
            path, _, name = test.partition("::")
            assert (ROOT / path).is_file(), test
            if name:
                function = name.split("[", 1)[0]
                assert f"def {function}(" in (ROOT / path).read_text("utf-8"), test


def test_every_point_of_issue_13_has_a_row() -> None:
    points = {a.point for a in ATTACKS}
    assert {f"13.{n}" for n in range(1, 12)} <= points


def test_a_row_covers_its_tests_and_parameters_only() -> None:
    assert _covers("tests/e2e/t.py", "tests/e2e/t.py::test_a[x]")
    assert _covers("tests/e2e/t.py::test_a", "tests/e2e/t.py::test_a[x]")
    assert not _covers("tests/e2e/t.py::test_a", "tests/e2e/t.py::test_ab")


def test_the_docs_page_shows_every_row_held() -> None:
    text = (ROOT / "docs" / "reliability.md").read_text("utf-8")
    assert "## Hostile server" in text
    rows = {line.split("|")[1].strip(): line for line in text.splitlines() if line.startswith("| ")}
    for attack in ATTACKS:
        assert attack.name in rows, f"not in docs/reliability.md: {attack.name}"
        assert "| held (" in rows[attack.name], rows[attack.name]
