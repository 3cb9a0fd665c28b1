"""Test harness: `most-archive serve` in a subprocess, and headless Chromium driven over CDP.

Standard library only. The Chrome DevTools Protocol is spoken over a minimal WebSocket client
(RFC 6455 text frames: masked from us, unmasked from Chromium), enough for ``Page.navigate``
and ``Runtime.evaluate``. Everything listens on and connects to 127.0.0.1 only; Chromium is
also told to resolve no other host name, so a page can never reach the network.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

STARTUP_LIMIT_S = 60.0  # a bound on waiting for a process to come up, not a speed assertion


def most_archive_command() -> list[str]:
    """The installed console script beside this interpreter, else the module through Python."""
    script = Path(sys.executable).parent / "most-archive"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from archive.cli import main; sys.exit(main())"]


def http_get(url: str, timeout: float = 10.0) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # loopback only
            return int(response.status), response.read()
    except urllib.error.HTTPError as exc:
        return int(exc.code), exc.read()


@dataclass
class Served:
    base_url: str
    process: subprocess.Popen[bytes]
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def _answers(url: str) -> bool:
    try:
        return http_get(url, timeout=5)[0] == 200
    except OSError:
        return False


SERVING = re.compile(r"Serving .* at (http://127\.0\.0\.1:\d+)/")


@contextlib.contextmanager
def running_serve(db_path: Path, log_dir: Path) -> Iterator[Served]:
    """``most-archive serve --db db_path --port 0`` (the port it prints), until the block ends."""
    log = log_dir / f"serve-{os.getpid()}-{time.monotonic_ns()}.log"
    with log.open("wb") as fh:
        process = subprocess.Popen(
            [*most_archive_command(), "serve", "--db", str(db_path), "--port", "0"],
            stdout=fh,
            stderr=subprocess.STDOUT,
        )
    served = Served("", process, log)
    try:
        deadline = time.monotonic() + STARTUP_LIMIT_S
        while not served.base_url:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"most-archive serve did not start:\n{served.log_text()}")
            found = SERVING.search(served.log_text())
            if found:
                served.base_url = found[1]
            time.sleep(0.05)
        while not _answers(served.base_url + "/-/versions.json"):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"most-archive serve does not answer:\n{served.log_text()}")
            time.sleep(0.05)
        yield served
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- Chromium -----------------------------------------------------------------------------


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else None


CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-proxy-server",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
    "--remote-debugging-address=127.0.0.1",
    "--remote-debugging-port=0",
)


class WebSocket:
    """A minimal client WebSocket (text messages) over a plain loopback TCP socket."""

    def __init__(self, url: str, timeout: float = 30.0) -> None:
        assert url.startswith("ws://127.0.0.1:"), url
        host_port, _, path = url[len("ws://") :].partition("/")
        host, _, port = host_port.partition(":")
        self.sock = socket.create_connection((host, int(port)), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(
            (
                f"GET /{path} HTTP/1.1\r\nHost: {host_port}\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                "Sec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(1)
            if not chunk:
                raise ConnectionError("websocket handshake: connection closed")
            head += chunk
        if not head.startswith(b"HTTP/1.1 101"):
            raise ConnectionError(f"websocket handshake refused: {head[:200]!r}")

    def _recv_exact(self, n: int) -> bytes:
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise ConnectionError("websocket closed")
            data += chunk
        return data

    def send(self, text: str) -> None:
        payload = text.encode()
        header = bytes([0x81])
        n = len(payload)
        if n < 126:
            header += bytes([0x80 | n])
        elif n < 1 << 16:
            header += bytes([0x80 | 126]) + struct.pack(">H", n)
        else:
            header += bytes([0x80 | 127]) + struct.pack(">Q", n)
        mask = os.urandom(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(header + mask + masked)

    def recv(self) -> str:
        message = b""
        while True:
            b0, b1 = self._recv_exact(2)
            opcode, fin = b0 & 0x0F, b0 & 0x80
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack(">H", self._recv_exact(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self._recv_exact(8))[0]
            mask = self._recv_exact(4) if b1 & 0x80 else b""
            data = self._recv_exact(n)
            if mask:
                data = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
            if opcode == 0x8:
                raise ConnectionError("websocket closed by peer")
            if opcode in (0x9, 0xA):  # ping/pong: not used by Chromium's DevTools server
                continue
            message += data
            if fin:
                return message.decode()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.close()


class Page:
    """One Chromium tab, driven through the DevTools protocol."""

    def __init__(self, ws: WebSocket) -> None:
        self.ws = ws
        self.next_id = 0

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        call_id = self.next_id
        self.ws.send(json.dumps({"id": call_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == call_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                result: dict[str, Any] = message.get("result", {})
                return result

    def evaluate(self, expression: str) -> Any:
        """The JSON value of a JavaScript expression in the page."""
        result = self.call(
            "Runtime.evaluate", expression=f"JSON.stringify({expression})", returnByValue=True
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"JavaScript error: {result['exceptionDetails']}")
        value = result["result"].get("value")
        return None if value is None else json.loads(value)

    def wait_for(self, expression: str, limit_s: float = STARTUP_LIMIT_S) -> Any:
        """Poll until the expression is truthy (and the document fully loaded); return it."""
        deadline = time.monotonic() + limit_s
        last: Any = None
        while time.monotonic() < deadline:
            with contextlib.suppress(RuntimeError):  # a navigation can destroy the context
                last = self.evaluate(f"document.readyState === 'complete' && ({expression})")
                if last:
                    return last
            time.sleep(0.05)
        raise AssertionError(f"page never satisfied {expression!r} (last value {last!r})")

    def navigate(self, url: str) -> None:
        """Go to ``url`` and wait until that document (not the previous one) has loaded."""
        self.call("Page.navigate", url=url)
        self.wait_for(f"location.href === {json.dumps(url)}")


def _end_group(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the process and its whole group (its helpers), SIGKILL what is left after 15 s."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # helpers that outlived the browser


@contextlib.contextmanager
def chromium_page(chromium: str) -> Iterator[Page]:
    """Headless Chromium with a throw-away profile; yields its first tab."""
    # Chromium's helpers (zygote, renderer) may still write to the profile for a moment after
    # the browser exits: end the whole process group, and let the folder's removal tolerate it.
    scratch = tempfile.TemporaryDirectory(prefix="most-chromium-", ignore_cleanup_errors=True)
    with scratch as profile:
        process = subprocess.Popen(
            [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        ws: WebSocket | None = None
        try:
            port_file = Path(profile) / "DevToolsActivePort"
            deadline = time.monotonic() + STARTUP_LIMIT_S
            while not (port_file.exists() and port_file.read_text().count("\n") >= 1):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"chromium did not start (exit code {process.poll()})")
                time.sleep(0.05)
            port = int(port_file.read_text().splitlines()[0])
            targets = json.loads(http_get(f"http://127.0.0.1:{port}/json/list")[1])
            page = next(t for t in targets if t.get("type") == "page")
            ws = WebSocket(page["webSocketDebuggerUrl"])
            yield Page(ws)
        finally:
            if ws is not None:
                ws.close()
            _end_group(process)
