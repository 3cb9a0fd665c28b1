"""Run Python as an unprivileged user, for tests of what such a user can and cannot do.

CI runs as root, for whom every file is writable: a read-only folder proves nothing there. As
root, :func:`unprivileged_python` finds ``setpriv`` and the ``nobody`` user and a Python of this
version that ``nobody`` can execute (the test's own interpreter may live under ``/root``), and
gives the command prefix that runs it with this checkout and its installed packages on the
path; as another user it is just this interpreter. ``None`` (the caller skips, saying why) when
no such user or interpreter exists.
"""

from __future__ import annotations

import functools
import os
import pwd
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
USER = "nobody"
WHY_NOT = (
    "no unprivileged user to run as: needs setpriv and the user 'nobody', and a python3."
    f"{sys.version_info.minor} that 'nobody' may execute"
)


def environment() -> dict[str, str]:
    paths = [str(ROOT), sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]]
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": "/tmp",
        "LANG": "C.UTF-8",
        "PYTHONPATH": os.pathsep.join(dict.fromkeys(paths)),
        "PYTHONDONTWRITEBYTECODE": "1",
    }


@functools.cache
def unprivileged_python() -> tuple[str, ...] | None:
    """The command prefix running Python as an unprivileged user, or None."""
    if os.geteuid() != 0:
        return (sys.executable,)
    setpriv = shutil.which("setpriv")
    try:
        pwd.getpwnam(USER)
    except KeyError:
        return None
    if setpriv is None:
        return None
    prefix = (setpriv, f"--reuid={USER}", f"--regid={pwd.getpwnam(USER).pw_gid}", "--clear-groups")
    minor = f"python3.{sys.version_info.minor}"
    for python in (sys.executable, f"/usr/bin/{minor}", f"/usr/local/bin/{minor}"):
        if not Path(python).exists():
            continue
        probe = subprocess.run(
            [*prefix, python, "-c", "import archive.cli, datasette"],
            env=environment(),
            capture_output=True,
            timeout=60,
        )
        if probe.returncode == 0:
            return (*prefix, python)
    return None


def run_unprivileged(
    script: str, *args: str, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run ``python -c script args…`` as the unprivileged user (see the module docstring)."""
    prefix = unprivileged_python()
    assert prefix is not None, WHY_NOT
    return subprocess.run(
        [*prefix, "-c", script, *args],
        env=environment(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
