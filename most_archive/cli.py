"""The `most-archive` command line: the archive's commands, `crawl` and `replica`, in one group.

Each package defines its own commands beside its code (``archive.cli``, ``crawler.cli``,
``replica.cli``); this module, above all three, is the one place that puts them together, so
that ``archive`` never imports ``crawler`` or ``replica`` (docs/architecture.md). Importing it
loads no Scrapy: ``crawl`` imports Scrapy only when it runs.
"""

from __future__ import annotations

import copy

import click

from archive.cli import main as archive_main
from crawler.cli import crawl_command
from replica.cli import replica_command


def assemble(archive: click.Group, *commands: click.Command) -> click.Group:
    """``archive``'s group (its help, version option, lazy commands) with ``commands`` added.

    A shallow copy with its own command table, so the archive's group is left as it is;
    ``archive.cli`` registers its commands when it is imported, before this runs.
    """
    group = copy.copy(archive)
    group.commands = dict(archive.commands)
    for command in commands:
        group.add_command(command)
    return group


main = assemble(archive_main, replica_command, crawl_command)


if __name__ == "__main__":  # pragma: no cover
    main()
