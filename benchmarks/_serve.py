"""Benchmark servers: an aiohttp application served from another Python process.

A benchmark measures the client alone, so its server runs in a process of its own. The
benchmark keeps the server's code in a string, starts it with :func:`server_process` and
reads the port (and anything else the server prints on its first line); the server ends
its code with :func:`serve_forever`.
"""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def serve_forever(app: Any, *extra: object) -> None:
    """Serve ``app`` (an ``aiohttp.web.Application``) on a free port of 127.0.0.1.

    Prints the port, then ``extra``, on one line, and serves until the process is ended.
    """
    from aiohttp import web

    async def run() -> None:
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        print(port, *extra, flush=True)
        await asyncio.Event().wait()

    asyncio.run(run())


@contextlib.contextmanager
def server_process(source: str, *args: str) -> Iterator[list[str]]:
    """Run ``source`` (ending with ``serve_forever(...)``) in another process.

    Yields the words of the server's first line (the port first); ends the process on
    exit. ``args`` reach the server as ``sys.argv[1:]``.
    """
    prelude = f"import sys; sys.path.insert(0, {str(HERE)!r})\n"
    server = subprocess.Popen(
        [sys.executable, "-c", prelude + source, *args],
        stdout=subprocess.PIPE,
        text=True,
        cwd=HERE.parent,
    )
    try:
        assert server.stdout is not None
        words = server.stdout.readline().split()
        if not words:
            raise SystemExit("the benchmark server exited before it was ready")
        yield words
    finally:
        server.terminate()
        server.wait()
