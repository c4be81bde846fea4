"""AiohttpTransport specifics: options, the loop binding, and the exception mapping table.

The table uses aioresponses to raise exactly one aiohttp exception per case: a real server
cannot produce each of them deterministically (DNS failures, fingerprint mismatches...).
The real-socket behaviour is covered by test_behaviour.py.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp.client_reqrep import ConnectionKey, RequestInfo
from aioresponses import aioresponses
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from booqable_async import errors
from booqable_async.transport import AiohttpTransport, HttpRequest, Timeout

from .conftest import SECRET_REQUEST, URL_WITH_SECRET, WebServer, assert_mapped

KEY = ConnectionKey("booqable.test", 80, False, True, None, None, None)


def _request_info() -> RequestInfo:
    return RequestInfo(URL(URL_WITH_SECRET), "GET", CIMultiDictProxy(CIMultiDict()))


def test_an_owned_session_is_bound_to_its_first_loop() -> None:
    transport = AiohttpTransport()
    first, second = asyncio.new_event_loop(), asyncio.new_event_loop()
    try:
        # aioresponses cannot build responses for this aiohttp; a mapped failure is enough
        # to create the session on the first loop.
        with aioresponses() as mocked:
            mocked.get("http://booqable.test/", exception=aiohttp.ServerDisconnectedError())
            with pytest.raises(errors.ConnectionReset):
                first.run_until_complete(
                    transport.send(HttpRequest("GET", "http://booqable.test/"))
                )
        with pytest.raises(errors.UsageError, match="another event loop"):
            second.run_until_complete(transport.send(HttpRequest("GET", "http://booqable.test/")))
        first.run_until_complete(transport.aclose())
    finally:
        first.close()
        second.close()


async def test_no_timeouts_at_all(web_server: WebServer) -> None:
    async with AiohttpTransport(timeout=Timeout(total=None, connect=None)) as transport:
        response = await transport.send(HttpRequest("GET", web_server.url("/echo")))
    assert response.status == 200


@pytest.fixture
async def borrowed() -> AsyncIterator[AiohttpTransport]:
    """A transport on a borrowed session: failures of unknown phase count as sent."""
    async with aiohttp.ClientSession() as session:
        yield AiohttpTransport(session=session)


@pytest.mark.parametrize(
    ("raised", "kind", "sent"),
    [
        (
            aiohttp.ClientConnectorDNSError(KEY, OSError(-2, "Name not known")),
            errors.ConnectError,
            False,
        ),
        (
            aiohttp.ClientConnectorError(KEY, ConnectionRefusedError(111, "refused")),
            errors.ConnectError,
            False,
        ),
        (
            aiohttp.ClientProxyConnectionError(KEY, OSError(111, "refused")),
            errors.ConnectError,
            False,
        ),
        (
            aiohttp.ClientConnectorCertificateError(KEY, ssl.SSLCertVerificationError("bad cert")),
            errors.TLSError,
            False,
        ),
        (aiohttp.ClientConnectorSSLError(KEY, ssl.SSLError("handshake")), errors.TLSError, False),
        (
            aiohttp.ServerFingerprintMismatch(b"a", b"b", "booqable.test", 443),
            errors.TLSError,
            False,
        ),
        (
            aiohttp.ConnectionTimeoutError(f"Connection timeout to host {URL_WITH_SECRET}"),
            errors.ConnectTimeout,
            False,
        ),
        (
            aiohttp.SocketTimeoutError("Timeout on reading data from socket"),
            errors.ReadTimeout,
            True,
        ),
        (asyncio.TimeoutError(), errors.ReadTimeout, True),
        (
            aiohttp.ClientPayloadError("Response payload is not completed"),
            errors.ProtocolError,
            True,
        ),
        (
            aiohttp.ClientResponseError(
                _request_info(), (), status=400, message="Invalid status line"
            ),
            errors.ProtocolError,
            True,
        ),
        (aiohttp.ServerDisconnectedError(), errors.ConnectionReset, True),
        (aiohttp.ClientOSError(104, "Connection reset by peer"), errors.ConnectionReset, True),
        (
            aiohttp.ClientConnectionResetError("Cannot write to closing transport"),
            errors.ConnectionReset,
            True,
        ),
        (aiohttp.ClientConnectionError("Connection closed"), errors.ConnectionReset, True),
        (ConnectionResetError(104, "reset"), errors.ConnectionReset, True),
        (aiohttp.ClientError("something else"), errors.ProtocolError, True),
        (RuntimeError("unexpected"), errors.ProtocolError, True),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, BaseException) else None,
)
async def test_exception_mapping(
    borrowed: AiohttpTransport, raised: Exception, kind: type[errors.TransportError], sent: bool
) -> None:
    with aioresponses() as mocked:
        mocked.post(URL_WITH_SECRET, exception=raised)
        with pytest.raises(errors.TransportError) as info:
            await borrowed.send(SECRET_REQUEST)
    assert_mapped(info.value, kind, sent, raised)


async def test_invalid_url_is_a_usage_error(borrowed: AiohttpTransport) -> None:
    with aioresponses() as mocked:
        mocked.get(URL_WITH_SECRET, exception=aiohttp.InvalidURL(URL_WITH_SECRET))
        with pytest.raises(errors.UsageError) as info:
            await borrowed.send(HttpRequest("GET", URL_WITH_SECRET))
    assert "SECRET-KEY" not in str(info.value)


async def test_cancelled_error_is_never_mapped(borrowed: AiohttpTransport) -> None:
    with aioresponses() as mocked:
        mocked.get(URL_WITH_SECRET, exception=asyncio.CancelledError())
        with pytest.raises(asyncio.CancelledError):
            await borrowed.send(HttpRequest("GET", URL_WITH_SECRET))
