"""The shared behaviour suite: the same tests against every real transport, over real sockets.

Each test runs once per backend (the ``backend`` fixture). Servers listen on 127.0.0.1:
``web_server`` is a well-behaved aiohttp.web application, ``raw_server`` misbehaves at the
socket level.
"""

from __future__ import annotations

import asyncio
import gc
import gzip
import hashlib
from collections.abc import Awaitable, Callable

import pytest

from booqable_async import errors
from booqable_async.transport import HttpRequest, Timeout

from .conftest import (
    Backend,
    RawHandler,
    RawServer,
    SelfSigned,
    WebServer,
    pattern_body,
    pattern_sha256,
    read_request,
    reset,
)

StartRaw = Callable[[RawHandler], Awaitable[RawServer]]

TOKEN = "Bearer s3cr3t-token"
QUICK = Timeout(total=5.0, connect=5.0)


# --------------------------------------------------------------------------- happy paths


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "PATCH", "DELETE"])
async def test_round_trip(backend: Backend, web_server: WebServer, method: str) -> None:
    transport = backend.make()
    body = None if method in ("GET", "DELETE") else b'{"data": {"type": "orders"}}'
    url = web_server.url("/echo")
    request = HttpRequest(
        method,
        url,
        [
            ("Authorization", TOKEN),
            ("Content-Type", "application/vnd.api+json"),
            ("X-Repeat", "1"),
            ("X-Repeat", "2"),
        ],
        body,
    )

    response = await transport.send(request)

    assert response.status == 200
    assert response.body == (body or b"")
    assert response.url == url
    assert response.elapsed > 0
    assert response.headers["x-method"] == method
    assert response.headers.get_list("X-MULTI") == ["one", "two"]
    # Original spelling and every field line are kept.
    assert ("X-Multi", "one") in response.headers.raw()
    assert ("x-multi", "two") in response.headers.raw()
    [seen] = web_server.seen
    assert seen.method == method
    assert seen.body == (body or b"")
    assert seen.header_values("Authorization") == [TOKEN]
    assert seen.header_values("X-Repeat") == ["1", "2"]
    if body is not None:
        assert seen.header_values("Content-Type") == ["application/vnd.api+json"]


async def test_no_content_type_is_invented(backend: Backend, web_server: WebServer) -> None:
    transport = backend.make()
    await transport.send(HttpRequest("POST", web_server.url("/echo"), {}, b"raw"))
    [seen] = web_server.seen
    assert seen.header_values("Content-Type") == []
    assert seen.header_values("Content-Length") == ["3"]


async def test_url_is_sent_byte_for_byte(backend: Backend, web_server: WebServer) -> None:
    transport = backend.make()
    path = "/echo?filter%5Bstatus%5D=reserved&include=customer%2Clines.item&q=a%20b&e=%C3%A9"
    response = await transport.send(HttpRequest("GET", web_server.url(path)))
    assert response.status == 200
    assert web_server.seen[0].raw_path == path


async def test_unencoded_url_is_encoded(backend: Backend, web_server: WebServer) -> None:
    transport = backend.make()
    await transport.send(HttpRequest("GET", web_server.url("/echo") + "?q=a b&n=é&p={x}"))
    assert web_server.seen[0].raw_path == "/echo?q=a%20b&n=%C3%A9&p=%7Bx%7D"


async def test_non_2xx_is_a_response(backend: Backend, web_server: WebServer) -> None:
    transport = backend.make()
    response = await transport.send(HttpRequest("GET", web_server.url("/echo?status=503")))
    assert response.status == 503


async def test_keep_alive_reuses_one_connection(backend: Backend, web_server: WebServer) -> None:
    transport = backend.make()
    for _ in range(5):
        response = await transport.send(HttpRequest("GET", web_server.url("/echo")))
        assert response.status == 200
    assert len(web_server.seen) == 5
    assert len({seen.peer for seen in web_server.seen}) == 1


async def test_no_cookies_are_kept(backend: Backend, web_server: WebServer) -> None:
    transport = backend.make()
    first = await transport.send(HttpRequest("GET", web_server.url("/echo?set_cookie=1")))
    assert first.headers.get_list("Set-Cookie") == ["sid=abc123; Path=/"]
    await transport.send(HttpRequest("GET", web_server.url("/echo")))
    assert web_server.seen[1].header_values("Cookie") == []


async def test_chunked_response(backend: Backend, web_server: WebServer) -> None:
    transport = backend.make()
    response = await transport.send(HttpRequest("GET", web_server.url("/chunked")))
    assert response.status == 200
    assert response.headers["Transfer-Encoding"] == "chunked"
    assert response.body == b"alpha-beta-" + b"gamma" * 1000


@pytest.mark.slow
async def test_large_body_round_trip(backend: Backend, web_server: WebServer) -> None:
    size = 50 * 1024 * 1024
    upload = pattern_body(size)
    transport = backend.make(timeout=Timeout(total=60.0, connect=5.0))
    response = await transport.send(
        HttpRequest("POST", web_server.url(f"/roundtrip?size={size}"), {}, upload)
    )
    del upload
    assert response.status == 200
    assert response.headers["X-Received-Length"] == str(size)
    assert response.headers["X-Received-Sha256"] == pattern_sha256(size)
    assert len(response.body) == size
    assert hashlib.sha256(response.body).hexdigest() == pattern_sha256(size)


async def test_redirect_is_returned_not_followed(
    backend: Backend, web_server: WebServer, second_server: WebServer
) -> None:
    transport = backend.make()
    target = second_server.url("/echo")
    request = HttpRequest("GET", web_server.url(f"/redirect?to={target}"), {"Authorization": TOKEN})
    response = await transport.send(request)
    assert response.status == 302
    assert response.headers["Location"] == target
    assert len(web_server.seen) == 1
    assert second_server.seen == []


async def test_header_values_decode_utf8_and_latin1(backend: Backend, raw_server: StartRaw) -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(
            b"HTTP/1.1 200 OK\r\nX-Utf8: caf\xc3\xa9\r\nX-Latin1: caf\xe9\r\n"
            b"Content-Length: 2\r\n\r\nok"
        )
        await writer.drain()

    server = await raw_server(handler)
    response = await backend.make().send(HttpRequest("GET", server.url()))
    assert response.headers["x-utf8"] == "café"
    assert response.headers["x-latin1"] == "café"
    assert response.body == b"ok"


def gzip_server(payload: bytes) -> RawHandler:
    """A handler answering every request with ``payload`` marked gzip-encoded."""

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        head = f"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: {len(payload)}"
        writer.write(head.encode() + b"\r\n\r\n" + payload)
        await writer.drain()

    return handler


async def test_compressed_body_is_decoded(backend: Backend, raw_server: StartRaw) -> None:
    document = b'{"data": []}' * 100
    server = await raw_server(gzip_server(gzip.compress(document)))
    response = await backend.make().send(HttpRequest("GET", server.url()))
    assert response.body == document
    assert response.headers["Content-Encoding"] == "gzip"


async def test_broken_compressed_body_is_a_protocol_error(
    backend: Backend, raw_server: StartRaw
) -> None:
    server = await raw_server(gzip_server(b"this is not gzip at all"))
    with pytest.raises(errors.ProtocolError) as info:
        await backend.make().send(HttpRequest("GET", server.url()))
    assert info.value.request_sent is True


# --------------------------------------------------------------------------- body cap


async def test_body_cap_counts_decoded_bytes(backend: Backend, raw_server: StartRaw) -> None:
    # A tiny compressed body that inflates past the cap (a decompression bomb) is refused.
    bomb = gzip.compress(b"\0" * 1_000_000)
    assert len(bomb) < 10_000
    server = await raw_server(gzip_server(bomb))
    with pytest.raises(errors.ResponseTooLarge):
        await backend.make(max_body_size=100_000).send(HttpRequest("GET", server.url()))


async def test_body_exactly_at_cap_is_accepted(backend: Backend, web_server: WebServer) -> None:
    transport = backend.make(max_body_size=1000)
    for chunked in ("0", "1"):
        url = web_server.url(f"/sized?size=1000&chunked={chunked}")
        assert (await transport.send(HttpRequest("GET", url))).body == pattern_body(1000)


@pytest.mark.parametrize("chunked", ["0", "1"], ids=["content-length", "chunked"])
async def test_body_over_cap_is_refused(
    backend: Backend, web_server: WebServer, chunked: str
) -> None:
    transport = backend.make(max_body_size=100_000)
    url = web_server.url(f"/sized?size=300000&chunked={chunked}")
    with pytest.raises(errors.ResponseTooLarge) as info:
        await transport.send(HttpRequest("GET", url))
    assert info.value.request_sent is True
    assert "100000" in str(info.value)
    # The connection was released properly: the transport keeps working.
    ok = await transport.send(HttpRequest("GET", web_server.url("/sized?size=100000")))
    assert ok.body == pattern_body(100_000)


async def test_body_cap_does_not_apply_to_head(backend: Backend, web_server: WebServer) -> None:
    transport = backend.make(max_body_size=100)
    response = await transport.send(HttpRequest("HEAD", web_server.url("/sized?size=5000")))
    assert response.status == 200
    assert response.headers["Content-Length"] == "5000"
    assert response.body == b""


# --------------------------------------------------------------------------- failures


async def test_connect_refused(backend: Backend, closed_port: int) -> None:
    transport = backend.make()
    url = f"http://127.0.0.1:{closed_port}/orders?api_key=secret-key"
    with pytest.raises(errors.ConnectError) as info:
        await transport.send(HttpRequest("POST", url, {"Authorization": TOKEN}, b"{}"))
    error = info.value
    assert error.request_sent is False
    assert error.retryable
    assert error.method == "POST"
    assert "secret-key" not in str(error)
    assert "s3cr3t" not in str(error)
    assert f"127.0.0.1:{closed_port}/orders" in str(error)
    assert isinstance(error.__cause__, Exception)


@pytest.mark.parametrize("method", ["POST", "GET"])
@pytest.mark.parametrize("close", ["fin", "rst"])
async def test_server_closes_after_reading_the_request(
    backend: Backend, raw_server: StartRaw, method: str, close: str
) -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        if close == "rst":
            reset(writer)

    server = await raw_server(handler)
    with pytest.raises(errors.ConnectionReset) as info:
        await backend.make().send(HttpRequest(method, server.url("/orders"), {}, b"{}"))
    assert info.value.request_sent is True
    assert not info.value.retryable


async def test_reset_on_a_reused_connection_counts_as_sent(
    backend: Backend, raw_server: StartRaw
) -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        await writer.drain()
        await read_request(reader)
        reset(writer)

    server = await raw_server(handler)
    transport = backend.make()
    assert (await transport.send(HttpRequest("POST", server.url(), {}, b"1"))).body == b"ok"
    with pytest.raises(errors.ConnectionReset) as info:
        await transport.send(HttpRequest("POST", server.url(), {}, b"2"))
    assert info.value.request_sent is True
    assert server.connections == 1


@pytest.mark.parametrize("framing", ["content-length", "chunked"])
@pytest.mark.parametrize("close", ["fin", "rst"])
async def test_server_closes_in_the_middle_of_the_body(
    backend: Backend, raw_server: StartRaw, framing: str, close: str
) -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        if framing == "chunked":
            writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n")
        else:
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + b"x" * 100)
        await writer.drain()
        if close == "rst":
            reset(writer)

    server = await raw_server(handler)
    with pytest.raises((errors.ConnectionReset, errors.ProtocolError)) as info:
        await backend.make().send(HttpRequest("GET", server.url()))
    assert info.value.request_sent is True


async def test_malformed_status_line(backend: Backend, raw_server: StartRaw) -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        # A garbage status line that happens to echo a credential.
        writer.write(b"SPEAKING NONSENSE api_key=k3yk3yk3y123456789\r\n\r\n")
        await writer.drain()

    server = await raw_server(handler)
    with pytest.raises(errors.ProtocolError) as info:
        await backend.make().send(HttpRequest("GET", server.url()))
    assert info.value.request_sent is True
    assert "k3yk3yk3y123456789" not in str(info.value)


@pytest.mark.parametrize("where", ["request", "default"])
async def test_read_timeout_waiting_for_the_response(
    backend: Backend, web_server: WebServer, where: str
) -> None:
    short = Timeout(total=0.3, connect=5.0)
    if where == "request":
        transport = backend.make()
        request = HttpRequest("POST", web_server.url("/stall"), {}, b"{}", timeout=short)
    else:
        transport = backend.make(timeout=short)
        request = HttpRequest("POST", web_server.url("/stall"), {}, b"{}")
    # Warm the pool first, so a slow machine cannot spend the deadline on connecting.
    await transport.send(HttpRequest("GET", web_server.url("/echo")))
    with pytest.raises(errors.ReadTimeout) as info:
        await transport.send(request)
    assert info.value.request_sent is True


async def test_read_timeout_in_the_middle_of_the_body(
    backend: Backend, web_server: WebServer
) -> None:
    transport = backend.make(timeout=Timeout(total=0.3, connect=5.0))
    await transport.send(HttpRequest("GET", web_server.url("/echo")))
    with pytest.raises(errors.ReadTimeout) as info:
        await transport.send(HttpRequest("GET", web_server.url("/stall-body")))
    assert info.value.request_sent is True


async def test_connect_timeout(backend: Backend, full_backlog: int) -> None:
    transport = backend.make(timeout=Timeout(total=5.0, connect=0.2))
    with pytest.raises(errors.ConnectTimeout) as info:
        await transport.send(HttpRequest("POST", f"http://127.0.0.1:{full_backlog}/", {}, b"{}"))
    assert info.value.request_sent is False


async def test_total_deadline_while_connecting_is_a_connect_timeout(
    backend: Backend, full_backlog: int
) -> None:
    transport = backend.make(timeout=Timeout(total=0.2, connect=None))
    with pytest.raises(errors.ConnectTimeout) as info:
        await transport.send(HttpRequest("POST", f"http://127.0.0.1:{full_backlog}/", {}, b"{}"))
    assert info.value.request_sent is False


async def test_borrowed_total_deadline_is_conservative(backend: Backend, full_backlog: int) -> None:
    # A borrowed session/client has no tracing hooks of ours: the phase is unknown, so the
    # failure counts as possibly sent (a POST must not be retried blindly).
    transport = backend.borrow(backend.native(), timeout=Timeout(total=0.2, connect=None))
    with pytest.raises(errors.ReadTimeout) as info:
        await transport.send(HttpRequest("POST", f"http://127.0.0.1:{full_backlog}/", {}, b"{}"))
    assert info.value.request_sent is True


async def test_waiting_for_a_pooled_connection_is_a_connect_timeout(
    backend: Backend, web_server: WebServer
) -> None:
    transport = backend.make(limit=1)
    busy = asyncio.create_task(transport.send(HttpRequest("GET", web_server.url("/stall"))))
    await web_server.stalled.wait()
    queued = HttpRequest("POST", web_server.url("/echo"), {}, b"{}", Timeout(5.0, 0.2))
    with pytest.raises(errors.ConnectTimeout) as info:
        await transport.send(queued)
    assert info.value.request_sent is False
    web_server.release.set()
    assert (await busy).status == 200
    assert [seen.raw_path for seen in web_server.seen] == ["/stall"]


async def test_tls_verification_fails_on_untrusted_certificate(
    backend: Backend, tls_server: WebServer
) -> None:
    transport = backend.make()
    with pytest.raises(errors.TLSError) as info:
        await transport.send(HttpRequest("GET", tls_server.url("/echo")))
    assert info.value.request_sent is False
    assert tls_server.seen == []


async def test_tls_verify_false_or_trusting_context(
    backend: Backend, tls_server: WebServer, self_signed: SelfSigned
) -> None:
    url = tls_server.url("/echo")
    assert url.startswith("https://")
    unverified = await backend.make(verify=False).send(HttpRequest("GET", url))
    trusted = await backend.make(verify=self_signed.client_context()).send(HttpRequest("GET", url))
    assert unverified.status == trusted.status == 200
    assert len(tls_server.seen) == 2


# --------------------------------------------------------------------------- lifecycle


async def test_owned_session_is_closed_borrowed_left_open(
    backend: Backend, raw_server: StartRaw
) -> None:
    closed: list[asyncio.Event] = []

    async def keep_alive(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        done = asyncio.Event()
        closed.append(done)
        try:
            while True:
                await read_request(reader)
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                await writer.drain()
        except asyncio.IncompleteReadError:
            done.set()  # the client closed its connection

    server = await raw_server(keep_alive)
    owned = backend.make()
    native = backend.native()
    borrowed = backend.borrow(native)
    assert (await owned.send(HttpRequest("GET", server.url()))).status == 200
    assert (await borrowed.send(HttpRequest("GET", server.url()))).status == 200
    assert server.connections == 2

    await owned.aclose()
    await borrowed.aclose()

    # The owned session closed its pooled connection; the lent one is untouched.
    await asyncio.wait_for(closed[0].wait(), 5)
    assert not closed[1].is_set()
    assert not backend.native_closed(native)
    with pytest.raises(errors.UsageError, match="closed"):
        await owned.send(HttpRequest("GET", server.url()))
    with pytest.raises(errors.UsageError, match="closed"):
        await borrowed.send(HttpRequest("GET", server.url()))


async def test_aclose_is_idempotent_and_context_manager_closes(
    backend: Backend, web_server: WebServer
) -> None:
    never_used = backend.make()
    await never_used.aclose()
    await never_used.aclose()
    async with backend.make() as transport:
        assert (await transport.send(HttpRequest("GET", web_server.url("/echo")))).status == 200
    await transport.aclose()
    with pytest.raises(errors.UsageError, match="is closed; create a new transport"):
        await transport.send(HttpRequest("GET", web_server.url("/echo")))


async def test_borrowed_but_closed_native_is_a_usage_error(
    backend: Backend, web_server: WebServer
) -> None:
    native = backend.native()
    transport = backend.borrow(native)
    await (native.close() if backend.name == "aiohttp" else native.aclose())
    with pytest.raises(errors.UsageError, match="lent to this transport is closed"):
        await transport.send(HttpRequest("GET", web_server.url("/echo")))


async def test_cancellation_propagates_and_leaks_nothing(
    backend: Backend, web_server: WebServer
) -> None:
    transport = backend.make()
    pending = asyncio.create_task(transport.send(HttpRequest("GET", web_server.url("/stall"))))
    await web_server.stalled.wait()
    pending.cancel()
    with pytest.raises(asyncio.CancelledError):
        await pending
    # Still usable afterwards, and closing leaves nothing behind (warnings are errors).
    assert (await transport.send(HttpRequest("GET", web_server.url("/echo")))).status == 200
    await transport.aclose()
    gc.collect()


@pytest.mark.parametrize(
    ("request_", "match"),
    [
        (HttpRequest("GET", "ftp://example.com/x"), "absolute http"),
        (HttpRequest("GET", "/api/4/orders"), "absolute http"),
        (HttpRequest("GET", "http://[::1/"), "invalid URL"),
        (HttpRequest("GET", "http://h/", {"X-A": "a\r\nX-Injected: 1"}), "CR, LF or NUL"),
        (HttpRequest("GET", "http://h/", {"Bad Name": "v"}), "invalid header name"),
        (HttpRequest("GE T", "http://h/"), "invalid HTTP method"),
        (HttpRequest("GET", "http://h/", timeout=Timeout(total=0)), "Timeout.total"),
        (HttpRequest("GET", "http://h/", timeout=Timeout(connect=-1)), "Timeout.connect"),
    ],
)
async def test_bad_requests_fail_before_io(
    backend: Backend, request_: HttpRequest, match: str
) -> None:
    transport = backend.make()
    with pytest.raises(errors.UsageError, match=match) as info:
        await transport.send(request_)
    assert "X-Injected" not in str(info.value)
