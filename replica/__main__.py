"""``python -m replica``: the same as ``most-archive replica`` (used by replica.testing)."""

from __future__ import annotations

from replica.cli import replica_command

if __name__ == "__main__":
    replica_command(prog_name="python -m replica")
