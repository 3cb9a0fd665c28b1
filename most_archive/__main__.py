"""``python -m most_archive``: the ``most-archive`` command."""

from most_archive.cli import main

main()
