"""Fixtures for the security tests: catch-all local servers (plain and TLS) that record.

The self-signed certificate comes from the transport suite (pytest finds a fixture
imported into a conftest).
"""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator, Awaitable, Callable

import attrs
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from tests.transport.conftest import SelfSigned, self_signed

__all__ = ["Recorder", "self_signed"]

Answer = Callable[[web.Request], Awaitable[web.StreamResponse]]


@attrs.define
class Seen:
    """One request as the server received it."""

    method: str
    raw_path: str
    headers: dict[str, str]


@attrs.define
class Recorder:
    """A catch-all server: records every request, answers ``answer`` (default 200 JSON:API)."""

    server: TestServer
    seen: list[Seen] = attrs.field(factory=list)
    answer: Answer | None = None

    @property
    def origin(self) -> str:
        return f"{self.server.scheme}://{self.server.host}:{self.server.port}"

    @property
    def base_url(self) -> str:
        return f"{self.origin}/api/4"


async def _ok(request: web.Request) -> web.StreamResponse:
    return web.Response(body=b'{"data": []}', content_type="application/vnd.api+json")


async def _start(context: ssl.SSLContext | None = None) -> Recorder:
    recorder: Recorder

    async def handle(request: web.Request) -> web.StreamResponse:
        await request.read()
        recorder.seen.append(Seen(request.method, request.raw_path, dict(request.headers)))
        return await (recorder.answer or _ok)(request)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    server = TestServer(app)
    await server.start_server(ssl=context)
    recorder = Recorder(server)
    return recorder


@pytest.fixture
async def recorder() -> AsyncIterator[Recorder]:
    """A recording server on 127.0.0.1."""
    running = await _start()
    yield running
    await running.server.close()


@pytest.fixture
async def other_host() -> AsyncIterator[Recorder]:
    """A second recording server: where a redirect points; it must see nothing."""
    running = await _start()
    yield running
    await running.server.close()


@pytest.fixture
async def tls_recorder(self_signed: SelfSigned) -> AsyncIterator[Recorder]:
    """A recording server over HTTPS with a certificate nobody trusts by default."""
    running = await _start(self_signed.server_context)
    yield running
    await running.server.close()
