"""What the client does by default, over real sockets: TLS verified, redirects refused
(the Authorization header never travels to another host), a body cap, JSON bombs refused.

The transport suite proves each transport's mechanics; these tests prove the defaults a
``Session`` gets when it creates its own transport, and what a caller sees.
"""

from __future__ import annotations

import functools
import gzip
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import httpx
import pytest
from aiohttp import web

from booqable_async import errors
from booqable_async.clock import Clock
from booqable_async.retry import RetryPolicy
from booqable_async.session import Session
from booqable_async.transport import AiohttpTransport, HttpxTransport, Transport
from tests.leaks import TOKEN
from tests.security.conftest import Recorder
from tests.transport.conftest import SelfSigned

DEFAULT_CAP = 64 * 1024 * 1024


async def _no_sleep(seconds: float) -> None:
    return None


def _session(base_url: str, transport: Transport | None = None, **options: Any) -> Session:
    return Session(
        base_url=base_url,
        token=TOKEN,
        transport=transport,
        clock=Clock(sleep=_no_sleep),
        **options,
    )


# ------------------------------------------------------------------------------------ TLS


async def test_tls_is_verified_by_default(tls_recorder: Recorder) -> None:
    assert tls_recorder.base_url.startswith("https://")
    async with _session(tls_recorder.base_url) as session:
        with pytest.raises(errors.TLSError) as info:
            await session.request("GET", "orders")
    assert info.value.request_sent is False
    assert tls_recorder.seen == []  # nothing (no token) was ever sent


async def test_httpx_transport_verifies_tls_by_default(tls_recorder: Recorder) -> None:
    transport = HttpxTransport()
    async with _session(tls_recorder.base_url, transport) as session:
        with pytest.raises(errors.TLSError):
            await session.request("GET", "orders", retry=RetryPolicy.never())
    await transport.aclose()
    assert tls_recorder.seen == []


@pytest.mark.parametrize("make", [AiohttpTransport, HttpxTransport], ids=["aiohttp", "httpx"])
async def test_tls_verification_is_off_only_when_asked(
    tls_recorder: Recorder, self_signed: SelfSigned, make: type[AiohttpTransport]
) -> None:
    for verify in (False, self_signed.client_context()):
        transport = make(verify=verify)
        async with _session(tls_recorder.base_url, transport) as session:
            assert (await session.request("GET", "orders")).status == 200
        await transport.aclose()
    assert len(tls_recorder.seen) == 2


# ------------------------------------------------------------------------------ redirects


@pytest.fixture(params=[301, 302, 303, 307, 308])
def redirecting(
    request: pytest.FixtureRequest, recorder: Recorder, other_host: Recorder
) -> tuple[Recorder, Recorder, int]:
    status = request.param

    async def redirect(_: web.Request) -> web.StreamResponse:
        return web.Response(status=status, headers={"Location": f"{other_host.base_url}/orders"})

    recorder.answer = redirect
    return recorder, other_host, status


@pytest.fixture(params=["default", "httpx", "borrowed aiohttp", "borrowed httpx"])
async def any_transport(request: pytest.FixtureRequest) -> AsyncIterator[Transport | None]:
    # Borrowed sessions and clients are configured to follow redirects: the transport must
    # refuse to anyway.
    if request.param == "default":
        yield None
    elif request.param == "httpx":
        transport = HttpxTransport()
        yield transport
        await transport.aclose()
    elif request.param == "borrowed aiohttp":
        async with aiohttp.ClientSession() as native:
            yield AiohttpTransport(session=native)
    else:
        async with httpx.AsyncClient(follow_redirects=True) as client:
            yield HttpxTransport(client=client)


@pytest.mark.parametrize("method", ["GET", "POST", "PUT"])
async def test_a_redirect_to_another_host_is_never_followed(
    redirecting: tuple[Recorder, Recorder, int], any_transport: Transport | None, method: str
) -> None:
    first, other, status = redirecting
    async with _session(first.base_url, any_transport) as session:
        with pytest.raises(errors.UnexpectedStatus) as info:
            await session.request(method, "orders", json={} if method != "GET" else None)
    assert info.value.status == status
    assert len(first.seen) == 1  # not retried either
    assert first.seen[0].headers["Authorization"] == f"Bearer {TOKEN}"
    assert other.seen == []  # the other host never saw the request, nor the token


# ------------------------------------------------------------------------------ body cap


async def _declares_too_much(request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse(headers={"Content-Type": "application/vnd.api+json"})
    response.content_length = DEFAULT_CAP + 1
    await response.prepare(request)
    await response.write(b'{"data": [')
    return response


async def _streams_too_much(request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse(headers={"Content-Type": "application/vnd.api+json"})
    response.enable_chunked_encoding()
    await response.prepare(request)
    chunk = b" " * (1024 * 1024)
    for _ in range(DEFAULT_CAP // len(chunk) + 1):
        await response.write(chunk)
    await response.write_eof()
    return response


@functools.cache
def gzip_bomb() -> bytes:
    """64 MiB + 1 of spaces, gzipped to about 65 KB."""
    return gzip.compress(b" " * (DEFAULT_CAP + 1), compresslevel=9)


async def _inflates_too_much(request: web.Request) -> web.StreamResponse:
    return web.Response(
        body=gzip_bomb(),
        headers={"Content-Type": "application/vnd.api+json", "Content-Encoding": "gzip"},
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    "answer",
    [_declares_too_much, _streams_too_much, _inflates_too_much],
    ids=["content-length", "chunked", "gzip"],
)
async def test_the_default_body_cap_is_64_mib_with_a_clear_error(
    recorder: Recorder, answer: Any
) -> None:
    assert len(gzip_bomb()) < 200_000
    recorder.answer = answer
    async with _session(recorder.base_url) as session:
        with pytest.raises(errors.ResponseTooLarge) as info:
            await session.request("GET", "orders")
    message = str(info.value)
    assert "max_body_size is 67108864 bytes" in message
    assert "GET http://127.0.0.1" in message
    assert len(recorder.seen) == 1  # refused once, not retried


# ------------------------------------------------------------------------------ JSON bombs


@pytest.mark.parametrize("depth", [2_000, 100_000])
async def test_a_json_bomb_is_refused_with_decode_error(recorder: Recorder, depth: int) -> None:
    bomb = b'{"data": ' + b"[" * depth + b"]" * depth + b"}"

    async def answer(_: web.Request) -> web.StreamResponse:
        return web.Response(body=bomb, content_type="application/vnd.api+json")

    recorder.answer = answer
    async with _session(recorder.base_url) as session:
        with pytest.raises(errors.DecodeError, match="depth limit"):
            await session.request("GET", "orders")
    assert len(recorder.seen) == 1
