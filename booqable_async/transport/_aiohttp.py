"""AiohttpTransport: the default transport, on an aiohttp ``ClientSession``.

The only module of the package that imports aiohttp (an import-linter contract checks it).
Every aiohttp/asyncio exception is mapped here, once, to a
:class:`~booqable_async.errors.TransportError` kind whose ``request_sent`` tells the retry
layer whether the server may have seen the request::

    aiohttp / asyncio exception                      -> kind              request_sent
    ClientSSLError, ServerFingerprintMismatch        -> TLSError          False
    ClientConnectorError (refused, DNS, unreachable) -> ConnectError      False
    ConnectionTimeoutError (pool wait, connect, TLS) -> ConnectTimeout    False
    asyncio.TimeoutError before a connection         -> ConnectTimeout    False (owned session)
    asyncio.TimeoutError after that                  -> ReadTimeout       True
    ClientPayloadError, ClientResponseError          -> ProtocolError     True
    ServerDisconnectedError, ClientOSError, OSError  -> ConnectionReset   True
    any other aiohttp.ClientError / exception        -> ProtocolError     True
    InvalidURL                                       -> UsageError

``asyncio.CancelledError`` always propagates untouched.
"""

from __future__ import annotations

import asyncio
import io
import ssl
from contextvars import ContextVar
from typing import Any

import aiohttp
from aiohttp.client_reqrep import ClientRequest
from aiohttp.connector import Connection
from aiohttp.tracing import Trace
from yarl import URL

from booqable_async._redact import redact_url
from booqable_async._validation import require_int
from booqable_async.errors import (
    BooqableError,
    ConnectError,
    ConnectionReset,
    ConnectTimeout,
    ProtocolError,
    ReadTimeout,
    TLSError,
    UsageError,
)
from booqable_async.transport._base import HttpRequest, Timeout
from booqable_async.transport._common import (
    DEFAULT_MAX_BODY_SIZE,
    DEFAULT_TIMEOUT,
    BodyCollector,
    Progress,
    encode_url,
    safe_reason,
)
from booqable_async.transport._pooled import (
    POOL_DEFAULTS,
    Exchange,
    PooledTransport,
    PoolOptions,
)

__all__ = ["AiohttpTransport"]

# aiohttp labels a bytes body "application/octet-stream" when the caller sets no
# Content-Type; the protocol layer always sets its own, and a transport must not invent one.
_SKIP_AUTO_HEADERS = frozenset({"Content-Type"})
_LARGE_BODY = 1024 * 1024

# How far the request being sent in the current task got (set around each send on an owned
# session). A context variable, not configuration: each task sees only its own request.
_PROGRESS: ContextVar[Progress | None] = ContextVar("booqable_async_progress", default=None)


class _TrackingConnector(aiohttp.TCPConnector):
    """A ``TCPConnector`` that notes when a request was handed a connection.

    From that moment bytes may reach the server, so a bare ``asyncio.TimeoutError`` (which
    aiohttp raises for the total deadline whatever the phase) is a read timeout after it and
    a connect timeout before it. Cheaper than a ``TraceConfig``, which sends a dozen signals
    per request.
    """

    async def connect(
        self, req: ClientRequest, traces: list[Trace], timeout: aiohttp.ClientTimeout
    ) -> Connection:
        connection = await super().connect(req, traces, timeout)
        progress = _PROGRESS.get()
        if progress is not None:
            progress.started = True
        return connection


class AiohttpTransport(PooledTransport[aiohttp.ClientSession]):
    """Send requests with aiohttp; the default transport.

    The ``ClientSession`` is created lazily on the first :meth:`send` (so constructing the
    transport works outside a running event loop) and bound to that loop. A session passed
    as ``session`` is borrowed: it is used as configured and never closed by
    :meth:`aclose`; the pool and TLS options then belong to that session and may not be
    given here.

    Redirects are never followed: a 3xx comes back as a response (the protocol layer turns
    it into ``UnexpectedStatus``), so the ``Authorization`` header can never travel to
    another host. The owned session keeps no cookies (a token API needs none, and two
    clients must share nothing).

    Args:
        session: A ``ClientSession`` to borrow instead of creating one.
        limit: Maximum open connections in the pool (0 means no limit).
        limit_per_host: Maximum open connections per host (0, the default, means only
            ``limit`` applies; the client talks to one host anyway).
        keepalive_timeout: Seconds an idle connection stays in the pool for reuse.
        verify: ``True`` verifies certificates against the system store, ``False`` turns
            verification off (explicitly), an ``ssl.SSLContext`` is used as given.
        timeout: Default time limits for requests that carry none.
        max_body_size: Largest response body accepted, in bytes (decoded); bigger bodies
            raise :class:`~booqable_async.errors.ResponseTooLarge`.
        trust_env: Read proxy settings and ``.netrc`` from the environment.

    Raises:
        UsageError: An option is invalid, or pool/TLS options were given with ``session``.
    """

    native_keyword = "session"
    native_name = "aiohttp.ClientSession"
    pool_options = ("limit", "limit_per_host", "keepalive_timeout", "verify", "trust_env")

    def __init__(
        self,
        *,
        session: aiohttp.ClientSession | None = None,
        limit: int = POOL_DEFAULTS.limit,
        limit_per_host: int = 0,
        keepalive_timeout: float = POOL_DEFAULTS.keepalive_timeout,
        verify: bool | ssl.SSLContext = POOL_DEFAULTS.verify,
        timeout: Timeout = DEFAULT_TIMEOUT,
        max_body_size: int = DEFAULT_MAX_BODY_SIZE,
        trust_env: bool = POOL_DEFAULTS.trust_env,
    ) -> None:
        require_int(limit_per_host, "limit_per_host", minimum=0, note=" (0: no per-host limit)")
        if session is not None and not isinstance(session, aiohttp.ClientSession):
            raise UsageError(
                f"session must be an aiohttp.ClientSession, not {type(session).__name__}"
            )
        super().__init__(
            session,
            PoolOptions(limit, keepalive_timeout, verify, trust_env),
            timeout=timeout,
            max_body_size=max_body_size,
            extra_pool_options_set=limit_per_host != 0,
        )
        self._limit_per_host = limit_per_host
        self._loop: asyncio.AbstractEventLoop | None = None

    async def _exchange(
        self,
        native: aiohttp.ClientSession,
        request: HttpRequest,
        timeout: Timeout,
        progress: Progress,
    ) -> Exchange:
        token = _PROGRESS.set(progress) if self._owns_native else None
        try:
            response = await native.request(
                request.method,
                _to_url(request.url),
                headers=request.headers.raw(),
                data=_payload(request.body),
                allow_redirects=False,
                raise_for_status=False,
                timeout=aiohttp.ClientTimeout(total=timeout.total, connect=timeout.connect),
                skip_auto_headers=_SKIP_AUTO_HEADERS,
            )
        finally:
            if token is not None:
                _PROGRESS.reset(token)
        try:
            collector = BodyCollector(request, self._max_body_size)
            collector.check_declared(response.status, response.headers.get("Content-Length"))
            async for chunk in response.content.iter_any():
                collector.add(chunk)
        except BaseException:
            # Unread bytes may remain: drop the connection rather than reuse it.
            response.close()
            raise
        response.release()
        return response.status, response.raw_headers, collector.body(), str(response.url)

    def _new_native(self) -> aiohttp.ClientSession:
        self._loop = asyncio.get_running_loop()
        connector = _TrackingConnector(
            limit=self._pool.limit,
            limit_per_host=self._limit_per_host,
            keepalive_timeout=self._pool.keepalive_timeout,
            ssl=self._pool.verify,
        )
        return aiohttp.ClientSession(
            connector=connector,
            cookie_jar=aiohttp.DummyCookieJar(),
            trust_env=self._pool.trust_env,
        )

    def _check_owned_native(self, native: aiohttp.ClientSession) -> None:
        if asyncio.get_running_loop() is not self._loop:
            raise UsageError(
                "this AiohttpTransport's session belongs to another event loop;"
                " create one transport per event loop"
            )

    def _native_is_closed(self, native: aiohttp.ClientSession) -> bool:
        return native.closed

    async def _close_native(self, native: aiohttp.ClientSession) -> None:
        await native.close()

    def _map_error(self, exc: Exception, request: HttpRequest, progress: Progress) -> BooqableError:
        return _map_error(exc, request, progress)


def _to_url(url: str) -> URL:
    # Keep the encoded URL byte for byte: yarl would otherwise re-quote it (%2C -> ",").
    encoded = encode_url(url)
    return URL(encoded, encoded=True) if encoded.isascii() else URL(encoded)


def _payload(body: bytes | None) -> bytes | io.BytesIO | None:
    # aiohttp warns (ResourceWarning) about bytes bodies over 1 MiB and writes them in one
    # go; a BytesIO (which shares the bytes' buffer, no copy) is written in chunks.
    if body is not None and len(body) > _LARGE_BODY:
        return io.BytesIO(body)
    return body


def _map_error(exc: Exception, request: HttpRequest, progress: Progress) -> BooqableError:
    """Map one aiohttp/asyncio exception to the library's error (see the module table)."""
    where: dict[str, Any] = {"method": request.method, "url": request.url}
    # ClientResponseError's str() carries the URL; its message is the parser's complaint.
    reason = safe_reason(exc, exc.message if isinstance(exc, aiohttp.ClientResponseError) else None)
    sent = progress.maybe_sent
    if isinstance(exc, aiohttp.InvalidURL):
        return UsageError(f"invalid URL for {request.method}: {redact_url(request.url)}")
    if isinstance(exc, (aiohttp.ClientSSLError, aiohttp.ServerFingerprintMismatch)):
        return TLSError(f"TLS handshake or certificate check failed: {reason}", **where)
    if isinstance(exc, aiohttp.ClientConnectorError):
        return ConnectError(f"could not connect: {reason}", **where)
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return ConnectTimeout("timed out getting a connection (connect timeout)", **where)
    if isinstance(exc, asyncio.TimeoutError):
        # aiohttp's total-timeout timer raises a bare TimeoutError whatever the phase.
        if not sent and not isinstance(exc, aiohttp.SocketTimeoutError):
            return ConnectTimeout("timed out before a connection was established", **where)
        return ReadTimeout("no complete response within the timeout", **where)
    if isinstance(exc, (aiohttp.ClientPayloadError, aiohttp.ClientResponseError)):
        return ProtocolError(f"malformed HTTP response: {reason}", **where, request_sent=True)
    if isinstance(exc, (aiohttp.ClientConnectionError, OSError)):
        # The server closed or reset the connection; we cannot prove the request was not
        # written, so a write may have happened.
        return ConnectionReset(f"connection lost: {reason}", **where, request_sent=sent)
    return ProtocolError(f"HTTP exchange failed: {reason}", **where, request_sent=sent)
