"""HttpxTransport specifics: options, the exception mapping table, the optional import.

The table lends the transport an ``httpx.AsyncClient`` on ``httpx.MockTransport`` whose
handler raises exactly one httpx exception per case. The real-socket behaviour is covered
by test_behaviour.py.
"""

from __future__ import annotations

import asyncio
import ssl
import sys
from collections.abc import AsyncIterator

import httpx
import pytest

import booqable_async.transport as transport_package
from booqable_async import errors
from booqable_async.transport import HttpRequest, HttpxTransport, Timeout

from .conftest import SECRET_REQUEST, URL_WITH_SECRET, WebServer, assert_mapped


async def test_no_limits_at_all(web_server: WebServer) -> None:
    transport = HttpxTransport(limit=0, timeout=Timeout(total=None, connect=None))
    async with transport:
        response = await transport.send(HttpRequest("GET", web_server.url("/echo")))
    assert response.status == 200


def _raising(exc: BaseException) -> httpx.AsyncClient:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc

    return httpx.AsyncClient(transport=httpx.MockTransport(handler))


def _tls_connect_error() -> httpx.ConnectError:
    try:
        try:
            raise ssl.SSLCertVerificationError("certificate verify failed")
        except ssl.SSLError as inner:
            raise httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED]") from inner
    except httpx.ConnectError as outer:
        return outer


@pytest.fixture
async def client_raising() -> AsyncIterator[list[httpx.AsyncClient]]:
    """Collects the clients a test lends, and closes them."""
    clients: list[httpx.AsyncClient] = []
    yield clients
    for client in clients:
        await client.aclose()


@pytest.mark.parametrize(
    ("raised", "kind", "sent"),
    [
        (httpx.ConnectError("[Errno 111] Connection refused"), errors.ConnectError, False),
        (_tls_connect_error(), errors.TLSError, False),
        (httpx.ProxyError("407 Proxy Authentication Required"), errors.ConnectError, False),
        (httpx.ConnectTimeout("timed out"), errors.ConnectTimeout, False),
        (httpx.PoolTimeout("no connection available"), errors.ConnectTimeout, False),
        (httpx.ReadTimeout("timed out"), errors.ReadTimeout, True),
        (httpx.WriteTimeout("timed out"), errors.ReadTimeout, True),
        (httpx.TimeoutException("some future timeout"), errors.ReadTimeout, True),
        (
            httpx.RemoteProtocolError("Server disconnected without sending a response."),
            errors.ConnectionReset,
            True,
        ),
        (httpx.RemoteProtocolError("illegal status line"), errors.ProtocolError, True),
        (httpx.DecodingError("incorrect header check"), errors.ProtocolError, True),
        (httpx.ReadError("[Errno 104] Connection reset by peer"), errors.ConnectionReset, True),
        (httpx.WriteError("[Errno 32] Broken pipe"), errors.ConnectionReset, True),
        (httpx.CloseError("close failed"), errors.ConnectionReset, True),
        (ConnectionResetError(104, "reset"), errors.ConnectionReset, True),
        (httpx.TooManyRedirects("too many"), errors.ProtocolError, True),
        (RuntimeError(f"unexpected, see {URL_WITH_SECRET}"), errors.ProtocolError, True),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, BaseException) else None,
)
async def test_exception_mapping(
    client_raising: list[httpx.AsyncClient],
    raised: Exception,
    kind: type[errors.TransportError],
    sent: bool,
) -> None:
    client = _raising(raised)
    client_raising.append(client)
    transport = HttpxTransport(client=client)
    with pytest.raises(errors.TransportError) as info:
        await transport.send(SECRET_REQUEST)
    assert_mapped(info.value, kind, sent, raised)


@pytest.mark.parametrize(
    "raised",
    [
        httpx.UnsupportedProtocol("Request URL has an unsupported protocol"),
        httpx.LocalProtocolError("Illegal header value"),
        httpx.InvalidURL("Invalid port"),
    ],
)
async def test_our_mistakes_are_usage_errors(
    client_raising: list[httpx.AsyncClient], raised: Exception
) -> None:
    client = _raising(raised)
    client_raising.append(client)
    with pytest.raises(errors.UsageError) as info:
        await HttpxTransport(client=client).send(HttpRequest("GET", URL_WITH_SECRET))
    assert "SECRET-KEY" not in str(info.value)


async def test_cancelled_error_is_never_mapped(client_raising: list[httpx.AsyncClient]) -> None:
    client = _raising(asyncio.CancelledError())
    client_raising.append(client)
    with pytest.raises(asyncio.CancelledError):
        await HttpxTransport(client=client).send(HttpRequest("GET", URL_WITH_SECRET))


def _forget_httpx_transport(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(sys.modules, "booqable_async.transport._httpx", raising=False)
    monkeypatch.delattr(transport_package, "HttpxTransport", raising=False)


def test_missing_httpx_says_which_extra_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    _forget_httpx_transport(monkeypatch)
    monkeypatch.setitem(sys.modules, "httpx", None)  # what an absent package looks like
    with pytest.raises(ImportError, match=r"pip install 'booqable-async\[httpx\]'") as info:
        _ = transport_package.HttpxTransport
    assert info.value.name == "httpx"


async def test_request_as_httpx_sees_it(client_raising: list[httpx.AsyncClient]) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        # Identical duplicate Content-Length lines are legal (RFC 9110 §8.6).
        return httpx.Response(
            200, headers=[("Content-Length", "5"), ("Content-Length", "5")], content=b"hello"
        )

    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    client_raising.append(client)
    transport = HttpxTransport(client=client, max_body_size=10)
    response = await transport.send(HttpRequest("GET", "http://bücher.test/a b?q=ü"))
    assert response.body == b"hello"
    assert response.headers.get_list("content-length") == ["5", "5"]
    # A non-ASCII host is left to the backend (IDNA); the rest is percent-encoded.
    assert seen[0].url.raw_host == b"xn--bcher-kva.test"
    assert seen[0].url.raw_path == b"/a%20b?q=%C3%BC"
