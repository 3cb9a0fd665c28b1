"""The ``most-archive`` application: the one package above ``crawler``, ``archive`` and ``replica``.

It only assembles their commands into one command line (``most_archive.cli``); no rule lives
here. docs/architecture.md shows the layering.
"""
