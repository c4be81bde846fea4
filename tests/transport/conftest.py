"""Fixtures for the transport suites: both real transports, and real servers on 127.0.0.1.

``backend`` is parametrised over aiohttp and httpx so the behaviour suite runs the same
tests against both. ``web_server`` is a well-behaved ``aiohttp.web`` server; ``raw_server``
starts a bare asyncio server for misbehaving at the socket level (resets, truncated bodies,
broken HTTP).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import hashlib
import ipaddress
import socket
import ssl
import struct
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import aiohttp
import attrs
import httpx
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from multidict import CIMultiDict

from booqable_async.errors import TransportError
from booqable_async.transport import AiohttpTransport, HttpRequest, HttpxTransport, Transport

#: 1 MiB of every byte value, repeated to build large bodies whose content is checkable.
PATTERN = bytes(range(256)) * 4096


def pattern_body(size: int) -> bytes:
    """The first ``size`` bytes of the repeated pattern."""
    whole, rest = divmod(size, len(PATTERN))
    return PATTERN * whole + PATTERN[:rest]


def pattern_sha256(size: int) -> str:
    """sha256 of :func:`pattern_body` without building it."""
    digest = hashlib.sha256()
    whole, rest = divmod(size, len(PATTERN))
    for _ in range(whole):
        digest.update(PATTERN)
    digest.update(PATTERN[:rest])
    return digest.hexdigest()


# --------------------------------------------------------------------------- mapping checks

#: A URL whose api_key must never show up in a message.
URL_WITH_SECRET = "http://booqable.test/api/4/orders?api_key=SECRET-KEY"
#: A request carrying that URL and a token, for the exception mapping tables.
SECRET_REQUEST = HttpRequest("POST", URL_WITH_SECRET, {"Authorization": "Bearer TOKEN"}, b"{}")


def assert_mapped(
    error: BaseException, kind: type[TransportError], sent: bool, raised: BaseException
) -> None:
    """``error`` is exactly ``kind``, says ``sent``, chains ``raised`` and leaks no secret."""
    assert type(error) is kind
    assert isinstance(error, TransportError)
    assert error.request_sent is sent
    assert error.__cause__ is raised
    assert error.method == "POST"
    assert "api_key=REDACTED" in str(error)
    assert "SECRET-KEY" not in str(error)
    assert "TOKEN" not in str(error)


# --------------------------------------------------------------------------- backends


@attrs.define
class Backend:
    """One real transport implementation, with helpers to build and borrow."""

    name: str
    _made: list[Transport] = attrs.field(factory=list)
    _natives: list[Any] = attrs.field(factory=list)

    def make(self, **options: Any) -> Transport:
        """A transport that owns its session/client; closed at teardown."""
        cls = AiohttpTransport if self.name == "aiohttp" else HttpxTransport
        transport: Transport = cls(**options)
        self._made.append(transport)
        return transport

    def native(self) -> Any:
        """A backend session/client to lend; closed at teardown."""
        native: Any = aiohttp.ClientSession() if self.name == "aiohttp" else httpx.AsyncClient()
        self._natives.append(native)
        return native

    def borrow(self, native: Any, **options: Any) -> Transport:
        """A transport borrowing ``native``."""
        if self.name == "aiohttp":
            return self.make(session=native, **options)
        return self.make(client=native, **options)

    @staticmethod
    def native_closed(native: Any) -> bool:
        """Whether the lent session/client is closed."""
        return bool(
            native.closed if isinstance(native, aiohttp.ClientSession) else native.is_closed
        )

    async def cleanup(self) -> None:
        for transport in self._made:
            await transport.aclose()
        for native in self._natives:
            if isinstance(native, aiohttp.ClientSession):
                await native.close()
            else:
                await native.aclose()


@pytest.fixture(params=["aiohttp", "httpx"])
async def backend(request: pytest.FixtureRequest) -> AsyncIterator[Backend]:
    """Each real transport in turn."""
    result = Backend(request.param)
    yield result
    await result.cleanup()


# --------------------------------------------------------------------------- aiohttp.web server


@attrs.define
class Seen:
    """One request as the server received it."""

    method: str
    raw_path: str
    headers: list[tuple[str, str]]
    body: bytes
    peer: tuple[str, int]

    def header_values(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k.lower() == name.lower()]


@attrs.define
class WebServer:
    """A running aiohttp.web server and what it saw."""

    server: TestServer
    seen: list[Seen]
    stalled: asyncio.Event
    release: asyncio.Event

    def url(self, path: str) -> str:
        # Plain concatenation: make_url() would re-quote the path (%2C -> ",").
        return f"{self.server.scheme}://{self.server.host}:{self.server.port}{path}"


async def _record(request: web.Request, seen: list[Seen], body: bytes) -> None:
    peer = request.transport.get_extra_info("peername") if request.transport else ("?", 0)
    headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.raw_headers]
    seen.append(Seen(request.method, request.raw_path, headers, body, tuple(peer[:2])))


def build_app(seen: list[Seen], stalled: asyncio.Event, release: asyncio.Event) -> web.Application:
    """The well-behaved test application."""

    async def echo(request: web.Request) -> web.StreamResponse:
        body = await request.read()
        await _record(request, seen, body)
        headers = CIMultiDict(
            [
                ("X-Multi", "one"),
                ("x-multi", "two"),
                ("X-Method", request.method),
                ("Content-Type", "application/octet-stream"),
            ]
        )
        if "set_cookie" in request.query:
            headers.add("Set-Cookie", "sid=abc123; Path=/")
        status = int(request.query.get("status", "200"))
        return web.Response(body=body, headers=headers, status=status)

    async def sized(request: web.Request) -> web.StreamResponse:
        size = int(request.query["size"])
        response = web.StreamResponse()
        if request.query.get("chunked") == "1":
            response.enable_chunked_encoding()
        else:
            response.content_length = size
        await response.prepare(request)
        if request.method != "HEAD":
            body, step = pattern_body(size), 64 * 1024
            for start in range(0, size, step):
                await response.write(body[start : start + step])
        await response.write_eof()
        return response

    async def chunked(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"X-Kind": "chunked"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        for part in (b"alpha-", b"", b"beta-", b"gamma" * 1000):
            if part:
                await response.write(part)
        await response.write_eof()
        return response

    async def roundtrip(request: web.Request) -> web.StreamResponse:
        digest = hashlib.sha256()
        received = 0
        async for chunk in request.content.iter_any():
            digest.update(chunk)
            received += len(chunk)
        size = int(request.query["size"])
        response = web.StreamResponse(
            headers={"X-Received-Length": str(received), "X-Received-Sha256": digest.hexdigest()}
        )
        response.content_length = size
        await response.prepare(request)
        for _ in range(size // len(PATTERN)):
            await response.write(PATTERN)
        await response.write(PATTERN[: size % len(PATTERN)])
        await response.write_eof()
        return response

    async def stall(request: web.Request) -> web.StreamResponse:
        await _record(request, seen, await request.read())
        stalled.set()
        await release.wait()
        return web.Response(text="late")

    async def stall_body(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        response.content_length = 10
        await response.prepare(request)
        await response.write(b"12345")
        stalled.set()
        await release.wait()
        await response.write(b"67890")
        return response

    async def redirect(request: web.Request) -> web.StreamResponse:
        await _record(request, seen, await request.read())
        raise web.HTTPFound(request.query["to"])

    app = web.Application()
    app.router.add_route("*", "/echo", echo)
    app.router.add_route("*", "/sized", sized)
    app.router.add_get("/chunked", chunked)
    app.router.add_post("/roundtrip", roundtrip)
    app.router.add_route("*", "/stall", stall)
    app.router.add_get("/stall-body", stall_body)
    app.router.add_route("*", "/redirect", redirect)
    return app


@contextlib.asynccontextmanager
async def serving(ssl_context: ssl.SSLContext | None = None) -> AsyncIterator[WebServer]:
    """Run the test application on 127.0.0.1 (over TLS with ``ssl_context``)."""
    seen: list[Seen] = []
    stalled, release = asyncio.Event(), asyncio.Event()
    server = TestServer(build_app(seen, stalled, release))
    await server.start_server(ssl=ssl_context)
    try:
        yield WebServer(server, seen, stalled, release)
    finally:
        release.set()  # let stalled handlers finish, so closing does not wait on them
        await server.close()


@pytest.fixture
async def web_server() -> AsyncIterator[WebServer]:
    """A well-behaved aiohttp.web server on 127.0.0.1."""
    async with serving() as running:
        yield running


@pytest.fixture
async def second_server() -> AsyncIterator[WebServer]:
    """Another server (a redirect target that must never be reached)."""
    async with serving() as running:
        yield running


# --------------------------------------------------------------------------- raw asyncio server

RawHandler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


async def read_request(reader: asyncio.StreamReader) -> bytes:
    """Read one HTTP/1.1 request (head and Content-Length body) and return it."""
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    body = await reader.readexactly(length) if length else b""
    return head + body


def reset(writer: asyncio.StreamWriter) -> None:
    """Close with a TCP RST instead of a FIN (SO_LINGER 0)."""
    sock = writer.get_extra_info("socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


@attrs.define
class RawServer:
    """A bare asyncio server; ``connections`` counts accepted sockets."""

    server: asyncio.Server
    connections: int = 0
    requests: list[bytes] = attrs.field(factory=list)

    @property
    def port(self) -> int:
        return int(self.server.sockets[0].getsockname()[1])

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"


@pytest.fixture
async def raw_server() -> AsyncIterator[Callable[[RawHandler], Awaitable[RawServer]]]:
    """Start raw servers whose per-connection handler misbehaves as the test needs."""
    started: list[RawServer] = []
    writers: list[asyncio.StreamWriter] = []

    async def start(handler: RawHandler) -> RawServer:
        holder: list[RawServer] = []

        async def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            holder[0].connections += 1
            writers.append(writer)
            try:
                await handler(reader, writer)
            except (ConnectionError, asyncio.IncompleteReadError):
                pass
            finally:
                writer.close()

        server = await asyncio.start_server(on_connect, "127.0.0.1", 0)
        holder.append(RawServer(server))
        started.append(holder[0])
        return holder[0]

    yield start
    for writer in writers:
        writer.close()
    for raw in started:
        raw.server.close()
        await raw.server.wait_closed()


# --------------------------------------------------------------------------- sockets


@pytest.fixture
def closed_port() -> int:
    """A local port nothing listens on (connecting is refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def full_backlog() -> Iterator[int]:
    """A port whose listen backlog is full, so a new connect hangs until it times out.

    Linux drops SYNs to a listener whose accept queue is full; nobody ever accepts here.
    """
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = int(listener.getsockname()[1])
    fillers = []
    for _ in range(3):
        filler = socket.socket()
        filler.setblocking(False)
        with contextlib.suppress(BlockingIOError):
            filler.connect(("127.0.0.1", port))
        fillers.append(filler)
    yield port
    for filler in fillers:
        filler.close()
    listener.close()


# --------------------------------------------------------------------------- TLS


@attrs.frozen
class SelfSigned:
    """A self-signed certificate for 127.0.0.1 and its server context."""

    cert_pem: str
    server_context: ssl.SSLContext

    def client_context(self) -> ssl.SSLContext:
        """A client context that trusts exactly this certificate."""
        return ssl.create_default_context(cadata=self.cert_pem)


@pytest.fixture(scope="session")
def self_signed(tmp_path_factory: pytest.TempPathFactory) -> SelfSigned:
    """Generate a self-signed certificate with ``cryptography`` (once per session)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "booqable-async test")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    directory = tmp_path_factory.mktemp("tls")
    cert_file, key_file = directory / "cert.pem", directory / "key.pem"
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    cert_file.write_bytes(cert_pem)
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    return SelfSigned(cert_pem.decode(), context)


@pytest.fixture
async def tls_server(self_signed: SelfSigned) -> AsyncIterator[WebServer]:
    """The test application over HTTPS with the self-signed certificate."""
    async with serving(self_signed.server_context) as running:
        yield running
