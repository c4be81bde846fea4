"""Serve a FakeBooqable over real HTTP with aiohttp.

Transport-level faults become what a client would meet on the wire: ``reset_before`` and
``reset_after`` drop the connection without an answer (the latter after the request was
processed), ``truncate`` announces the full ``Content-Length`` and closes after half the body,
``delay`` waits before answering.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
from types import TracebackType
from typing import TYPE_CHECKING

from aiohttp import web

from booqable_async.transport import Headers, HttpRequest

if TYPE_CHECKING:
    from booqable_async.testing._fake import FakeBooqable

__all__ = ["ServedFake", "make_app"]

#: Largest request body accepted (bulk upserts can be big).
MAX_BODY = 32 * 1024 * 1024
# SO_LINGER on with a zero timeout: close() sends RST instead of FIN.
_LINGER_RESET = struct.pack("ii", 1, 0)
_HOP_BY_HOP = frozenset({"content-length", "transfer-encoding", "connection"})


def _drop(request: web.BaseRequest) -> None:
    transport = request.transport
    if transport is not None:
        sock = transport.get_extra_info("socket")
        if sock is not None:
            # A hard close (RST) rather than FIN: what a crashing proxy looks like.
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _LINGER_RESET)
        transport.abort()


def make_app(fake: FakeBooqable) -> web.Application:
    """Return an aiohttp application answering every path from ``fake``."""

    async def handle(request: web.Request) -> web.StreamResponse:
        body = await request.read()
        url = f"{request.scheme}://{request.host}{request.raw_path}"
        outcome = fake.handle(
            HttpRequest(request.method, url, Headers(list(request.headers.items())), body or None)
        )
        if outcome.reset == "before":
            _drop(request)
            raise asyncio.CancelledError
        if outcome.delay:
            await fake.sleep(outcome.delay)
        if outcome.reset == "after":
            _drop(request)
            raise asyncio.CancelledError
        answer = outcome.response
        headers = [(k, v) for k, v in answer.headers.raw() if k.lower() not in _HOP_BY_HOP]
        if outcome.truncate:
            response = web.StreamResponse(status=answer.status, headers=headers)
            response.content_length = len(answer.body)
            await response.prepare(request)
            await response.write(answer.body[: len(answer.body) // 2])
            _drop(request)
            raise asyncio.CancelledError
        return web.Response(status=answer.status, headers=headers, body=answer.body)

    app = web.Application(client_max_size=MAX_BODY)
    app.router.add_route("*", "/{tail:.*}", handle)
    return app


class ServedFake:
    """A FakeBooqable listening on a TCP port; use as ``async with fake.serve() as served``.

    Attributes:
        base_url: ``http://host:port/api/4`` once started.
        port: The bound port (chosen by the OS when 0 was asked).
    """

    def __init__(self, fake: FakeBooqable, host: str = "127.0.0.1", port: int = 0) -> None:
        self.fake = fake
        self.host = host
        self.port = port
        self._runner: web.AppRunner | None = None

    @property
    def base_url(self) -> str:
        """The API base URL clients should use."""
        return f"http://{self.host}:{self.port}/api/4"

    async def start(self) -> ServedFake:
        """Bind and start serving."""
        runner = web.AppRunner(
            self.fake.app(), access_log=None, handle_signals=False, shutdown_timeout=1.0
        )
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        await site.start()
        self._runner = runner
        # aiohttp keeps the asyncio server on the site; read the port the OS chose.
        sockets = getattr(site._server, "sockets", None) or ()
        if sockets:
            self.port = int(sockets[0].getsockname()[1])
        return self

    async def stop(self) -> None:
        """Stop serving and close connections."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> ServedFake:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()
