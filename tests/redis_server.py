"""A real redis-server for tests: 127.0.0.1, a free port, a temporary directory, no persistence.

Uses Debian's ``redis-server`` package (``.ci/run`` installs it when missing). Without the
binary a test skips with the reason shown, except under CI (``CI`` set), where it fails.
Shared by the webhook tests (de-duplication across processes), the shared rate limiter
and the sync workers.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

__all__ = ["RedisServer", "free_port", "redis_binary", "running_redis"]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (at the time of asking)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def redis_binary() -> str:
    """The redis-server binary; skips without it, except under CI (``CI`` set), where it fails.

    ``.ci/run`` installs it (Debian package ``redis-server``).
    """
    binary = shutil.which("redis-server")
    if binary is None:
        message = "redis-server is not installed (apt-get install redis-server)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return binary


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class RedisServer:
    """One redis-server process on 127.0.0.1:``port``; :meth:`restart` keeps the port.

    Args:
        port: The port to listen on.
        workdir: Its working directory (nothing is persisted there: no RDB, no AOF).
    """

    def __init__(self, port: int, workdir: Path) -> None:
        self.port = port
        self.workdir = workdir
        self.url = f"redis://127.0.0.1:{port}/0"
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> RedisServer:
        """Start the server and wait until it answers PING (at most 10 s)."""
        process = subprocess.Popen(
            [
                redis_binary(),
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--dir",
                str(self.workdir),
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self._process = process
        deadline = time.monotonic() + 10
        while not _answers(self.port):
            if process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                pytest.fail(f"redis-server did not start (exit code {process.poll()})")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after 10 s); its data is gone."""
        process, self._process = self._process, None
        if process is None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:  # pragma: no cover - a stuck server
            process.kill()
            process.wait()

    def restart(self, down_for: float = 0.0) -> None:
        """Stop the server, stay down ``down_for`` seconds, start it again (empty)."""
        self.stop()
        time.sleep(down_for)
        self.start()


@contextlib.contextmanager
def running_redis(port: int, workdir: Path) -> Iterator[str]:
    """Run redis-server on 127.0.0.1:``port`` (no persistence) until the block ends."""
    server = RedisServer(port, workdir).start()
    try:
        yield server.url
    finally:
        server.stop()
