"""Every command has help with an example and is documented (docs/cli.md, docs/archivists.md).

In the manner of datasette's tests/test_docs.py: the docs are checked against the code, so a
new command or option without documentation fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from most_archive.cli import main

ROOT = Path(__file__).resolve().parents[2]
CLI_MD = ROOT / "docs" / "cli.md"
ARCHIVISTS_MD = ROOT / "docs" / "archivists.md"
ARCHIVIST_COMMANDS = (
    "search",
    "show",
    "diff",
    "export",
    "stats",
    "serve",
    "backup",
    "reparse",
    "verify",
)


def command_names() -> list[str]:
    return main.list_commands(click.Context(main))


def command(name: str) -> click.Command:
    cmd = main.get_command(click.Context(main), name)
    assert cmd is not None
    return cmd


def section(text: str, name: str) -> str:
    """The part of docs/cli.md under ``## `most-archive NAME` `` up to the next heading."""
    m = re.search(rf"^## `most-archive {name}`\n(.*?)(?=^## |\Z)", text, re.S | re.M)
    assert m, f"docs/cli.md has no section '## `most-archive {name}`'"
    return m.group(1)


def code_blocks(markdown: str) -> list[str]:
    """The contents of the fenced code blocks of ``markdown``."""
    blocks: list[str] = []
    current: list[str] | None = None
    for line in markdown.splitlines():
        if line.startswith("```"):
            if current is None:
                current = []
            else:
                blocks.append("\n".join(current))
                current = None
        elif current is not None:
            current.append(line)
    return blocks


def test_the_commands_we_expect_exist() -> None:
    assert set(ARCHIVIST_COMMANDS) | {"crawl", "replica"} <= set(command_names())


@pytest.mark.parametrize("name", command_names())
@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_commands_have_help_with_an_example(name: str, flag: str) -> None:
    result = CliRunner().invoke(main, [name, flag])
    assert result.exit_code == 0, result.output
    assert re.search(r"^  Examples?:\n( +most-archive .+\n)+", result.output, re.M), (
        f"`most-archive {name} --help` has no example block (Example: under \\b)"
    )
    summary = (command(name).help or "").strip().splitlines()[0]
    assert summary.endswith("."), f"{name}: the first docstring line should be a sentence"


@pytest.mark.parametrize("name", command_names())
def test_commands_are_documented_with_every_option(name: str) -> None:
    text = section(CLI_MD.read_text(encoding="utf-8"), name)
    options = [
        o
        for p in command(name).params
        if isinstance(p, click.Option) and not p.hidden
        for o in p.opts
        if o.startswith("--") and o != "--help"
    ]
    missing = [o for o in options if o not in text]
    assert not missing, f"docs/cli.md, most-archive {name}: undocumented {missing}"
    assert "Exit codes" in text or "exit code" in text.lower()
    assert f"most-archive {name} " in text


def test_exit_codes_documented() -> None:
    text = CLI_MD.read_text(encoding="utf-8")
    table = text[text.index("## Exit codes") : text.index("## `most-archive crawl`")]
    for code in ("| 0 |", "| 1 |", "| 2 |", "| 75 |"):
        assert code in table
    assert "malformed search query" in table.lower()


@pytest.mark.parametrize("name", ARCHIVIST_COMMANDS)
def test_archivists_page_has_worked_examples(name: str) -> None:
    blocks = code_blocks(ARCHIVISTS_MD.read_text(encoding="utf-8"))
    assert any(re.search(rf"^\$ most-archive {name}\b", b, re.M) for b in blocks), (
        f"docs/archivists.md: no worked example ($ most-archive {name} …) in a code block"
    )
