"""Run ``most-archive`` and ``scrapy`` in a child process forked from a warm interpreter.

A test that runs a crawl to its end wants a real process: its own reactor, its own signal
handlers and exit code, its own open files, a database closed by its exit. Starting that process
from scratch (exec) costs about 0.4 s of CPU before the crawl begins (Python, Scrapy, Twisted,
lxml and the project imported again), and the suite starts over a hundred of them. :func:`run`
gives the same process without that cost: a fork server (``multiprocessing``'s, one per test
worker) imports those modules once, and every call forks it. The child then sets the working
directory, environment and standard streams it was given and calls the console script's own
entry point with the same ``argv``, so the command line, exit code, output and files are those
of the real command.

What a fork cannot give falls back to a real ``exec`` (:func:`subprocess.run`), decided in
:func:`_needs_exec`: an environment that changes how the interpreter itself starts
(``PYTHONPATH`` and the like), or ``MOST_ARCHIVE_TEST_EXEC=1`` in the environment (the whole
suite then execs, as it did before). Tests that prove something about the console script itself
(its start-up, a signal sent to it, a crash, a limit set before it starts) use
:mod:`subprocess` directly and are not affected.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

# The modules a crawl imports that cost the most (measured with python -X importtime): the
# fork server imports them once. Importing them installs no reactor (the child does that).
PRELOAD = ["tests._forked_preload"]

# Environment variables read only when a process starts (the interpreter's PYTHON* ones, the
# locale the standard streams' encoding comes from, the dynamic loader's LD_*, the allocator's
# MALLOC_*): a fork cannot honour a change to them.
# PYTHONUNBUFFERED and PYTHONDONTWRITEBYTECODE change nothing a finished run's output shows;
# PYTHONWARNINGS is applied by the child itself, and TZ by time.tzset().
_START_ONLY = ("PYTHON", "LANG", "LC_", "LD_", "MALLOC_")
_CHILD_APPLIES = ("PYTHONUNBUFFERED", "PYTHONDONTWRITEBYTECODE", "PYTHONWARNINGS")
_EXEC_ENV = "MOST_ARCHIVE_TEST_EXEC"

_context: Any = None


def _server() -> Any:
    global _context
    if _context is None:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(PRELOAD)
        _context = context
    return _context


def _needs_exec(env: Mapping[str, str]) -> bool:
    if os.environ.get(_EXEC_ENV) == "1" or env.get(_EXEC_ENV) == "1":
        return True
    names = (set(env) | set(os.environ)) - set(_CHILD_APPLIES)
    return any(
        env.get(name) != os.environ.get(name) for name in names if name.startswith(_START_ONLY)
    )


def run(
    argv: Sequence[str],
    *,
    cwd: str | Path | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> subprocess.CompletedProcess[str]:
    """``subprocess.run(argv, capture_output=True, text=True, cwd=, env=, timeout=)`` for a
    console script of this interpreter (``most-archive`` or ``scrapy``), in a forked child."""
    argv = [str(arg) for arg in argv]
    environment = dict(os.environ if env is None else env)
    if _needs_exec(environment):
        return subprocess.run(
            argv, capture_output=True, text=True, cwd=cwd, env=environment, timeout=timeout
        )
    with tempfile.TemporaryDirectory(prefix="forked-") as tmp:
        out, err = Path(tmp, "stdout"), Path(tmp, "stderr")
        workdir = str(cwd) if cwd is not None else os.getcwd()
        process = _server().Process(
            target=_child,
            args=(argv, workdir, environment, str(out), str(err), str(Path(tmp, "exit"))),
            daemon=False,
        )
        process.start()
        process.join(timeout)
        if process.exitcode is None:
            process.kill()
            process.join()
            raise subprocess.TimeoutExpired(
                argv, timeout or 0, output=_read(out), stderr=_read(err)
            )
        code = process.exitcode
        if code == _STATUS_LOST and (recorded := _read(Path(tmp, "exit"))):
            code = int(recorded)
        return subprocess.CompletedProcess(argv, code, _read(out), _read(err))


def _read(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8", errors="replace")
    except FileNotFoundError:
        return ""


def _entry(argv: Sequence[str]) -> Any:
    name = Path(argv[0]).name
    if name == "most-archive":
        from most_archive.cli import main

        return lambda: main(args=list(argv[1:]), prog_name=name)
    if name == "scrapy":
        from scrapy.cmdline import execute

        return lambda: execute(list(argv))
    raise ValueError(f"tests.forked runs most-archive or scrapy, not {argv[0]!r}")


# What multiprocessing reports when it cannot read a child's exit status from the fork server
# (popen_forkserver.Popen.poll: "perhaps the forkserver process itself got killed"). Seen once,
# on a loaded machine, for a command that had run: the child's own record of its code decides.
_STATUS_LOST = 255


def _child(argv: list[str], cwd: str, env: dict[str, str], out: str, err: str, status: str) -> None:
    """The forked child: become the command, then leave with its exit code (recorded in the
    file ``status`` first)."""
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    for fd, path in ((1, out), (2, err)):
        target = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(target, fd)
        os.close(target)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    sys.argv = list(argv)
    time.tzset()  # the local time zone of the environment given (TZ)
    _apply_warning_options(env.get("PYTHONWARNINGS", ""))
    code: Any = 0
    try:
        _entry(argv)()
    except SystemExit as stop:
        code = stop.code
    except BaseException:
        import traceback

        traceback.print_exc()
        code = 1
    if code is None:
        code = 0
    elif not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    with contextlib.suppress(OSError):
        Path(status).write_text(str(code & 0xFF))
    os._exit(code & 0xFF)


def _apply_warning_options(options: str) -> None:
    """``PYTHONWARNINGS`` as the interpreter reads it at start-up (action:message:category:
    module:lineno, comma-separated), for the few forms the tests use."""
    for option in filter(None, (part.strip() for part in options.split(","))):
        fields = (option.split(":") + [""] * 5)[:5]
        action, message, category_name, module, lineno = (field.strip() for field in fields)
        category: type[Warning] = Warning
        if category_name:
            owner, _, attr = category_name.rpartition(".")
            found = getattr(__import__(owner or "builtins", fromlist=[attr]), attr, None)
            if isinstance(found, type) and issubclass(found, Warning):
                category = found
        warnings.filterwarnings(
            action or "default",  # type: ignore[arg-type]
            message=message,
            category=category,
            module=module,
            lineno=int(lineno) if lineno.isdigit() else 0,
        )
