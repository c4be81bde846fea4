"""HttpxTransport: the same behaviour as the default transport, on an ``httpx.AsyncClient``.

Needs the ``httpx`` extra (``pip install 'booqable-async[httpx]'``). The only module of the
package that imports httpx (an import-linter contract checks it). Every httpx/asyncio
exception is mapped here, once, to a :class:`~booqable_async.errors.TransportError` kind::

    httpx / asyncio exception                          -> kind             request_sent
    ConnectError caused by an ssl.SSLError             -> TLSError         False
    ConnectError, ProxyError                           -> ConnectError     False
    ConnectTimeout, PoolTimeout                        -> ConnectTimeout   False
    total deadline before the request was started      -> ConnectTimeout   False (owned client)
    ReadTimeout, WriteTimeout, total deadline after    -> ReadTimeout      True
    RemoteProtocolError "disconnected without response"-> ConnectionReset  True
    ReadError, WriteError, CloseError, OSError         -> ConnectionReset  True
    RemoteProtocolError (other), DecodingError         -> ProtocolError    True
    any other httpx.HTTPError / exception              -> ProtocolError    True
    InvalidURL, UnsupportedProtocol, LocalProtocolError-> UsageError

``asyncio.CancelledError`` always propagates untouched.
"""

from __future__ import annotations

import asyncio
import http.cookiejar
import ssl
from typing import Any

import httpx

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

__all__ = ["HttpxTransport"]


class HttpxTransport(PooledTransport[httpx.AsyncClient]):
    """Send requests with httpx (the ``httpx`` extra); behaves like ``AiohttpTransport``.

    The ``AsyncClient`` is created lazily on the first :meth:`send`. A client passed as
    ``client`` is borrowed: it is used as configured and never closed by :meth:`aclose`; the
    pool and TLS options then belong to that client and may not be given here.

    Redirects are never followed (a 3xx comes back as a response, so ``Authorization`` never
    travels to another host), and the owned client keeps no cookies. httpx has no overall
    deadline, so ``Timeout.total`` is enforced around the whole exchange by this transport.

    Args:
        client: An ``httpx.AsyncClient`` to borrow instead of creating one.
        limit: Maximum open connections in the pool (0 means no limit).
        max_keepalive_connections: Idle connections kept for reuse; ``None`` means
            ``limit``, as aiohttp does.
        keepalive_timeout: Seconds an idle connection stays in the pool for reuse.
        verify: ``True`` verifies certificates, ``False`` turns verification off
            (explicitly), an ``ssl.SSLContext`` is used as given.
        timeout: Default time limits for requests that carry none.
        max_body_size: Largest response body accepted, in bytes (decoded); bigger bodies
            raise :class:`~booqable_async.errors.ResponseTooLarge`.
        trust_env: Read proxy settings and ``.netrc`` from the environment.

    Raises:
        UsageError: An option is invalid, or pool/TLS options were given with ``client``.
    """

    native_keyword = "client"
    native_name = "httpx.AsyncClient"
    pool_options = (
        "limit",
        "max_keepalive_connections",
        "keepalive_timeout",
        "verify",
        "trust_env",
    )

    def __init__(
        self,
        *,
        client: httpx.AsyncClient | None = None,
        limit: int = POOL_DEFAULTS.limit,
        max_keepalive_connections: int | None = None,
        keepalive_timeout: float = POOL_DEFAULTS.keepalive_timeout,
        verify: bool | ssl.SSLContext = POOL_DEFAULTS.verify,
        timeout: Timeout = DEFAULT_TIMEOUT,
        max_body_size: int = DEFAULT_MAX_BODY_SIZE,
        trust_env: bool = POOL_DEFAULTS.trust_env,
    ) -> None:
        if max_keepalive_connections is not None:
            require_int(
                max_keepalive_connections,
                "max_keepalive_connections",
                minimum=0,
                note=" (or None: the same as limit)",
            )
        if client is not None and not isinstance(client, httpx.AsyncClient):
            raise UsageError(f"client must be an httpx.AsyncClient, not {type(client).__name__}")
        super().__init__(
            client,
            PoolOptions(limit, keepalive_timeout, verify, trust_env),
            timeout=timeout,
            max_body_size=max_body_size,
            extra_pool_options_set=max_keepalive_connections is not None,
        )
        self._max_keepalive = max_keepalive_connections

    async def _exchange(
        self, native: httpx.AsyncClient, request: HttpRequest, timeout: Timeout, progress: Progress
    ) -> Exchange:
        async def trace(event: str, info: Any) -> None:
            # httpcore reports "http11.*"/"http2.*" events once the request is on a
            # connection; "connection.*" events (connect, TLS) come before.
            if event.startswith(("http11.", "http2.")):
                progress.started = True

        native_request = native.build_request(
            request.method,
            encode_url(request.url),
            headers=request.headers.raw(),
            content=request.body,
            timeout=httpx.Timeout(
                connect=timeout.connect,
                read=timeout.total,
                write=timeout.total,
                pool=timeout.connect,
            ),
            extensions={"trace": trace},
        )
        exchange = self._stream(native, native_request, request)
        if timeout.total is None:
            return await exchange
        # httpx has no overall deadline: enforce Timeout.total around the whole exchange.
        return await asyncio.wait_for(exchange, timeout.total)

    async def _stream(
        self, native: httpx.AsyncClient, native_request: httpx.Request, request: HttpRequest
    ) -> Exchange:
        response = await native.send(native_request, stream=True, follow_redirects=False)
        try:
            collector = BodyCollector(request, self._max_body_size)
            collector.check_declared(response.status_code, response.headers.get("Content-Length"))
            async for chunk in response.aiter_bytes():
                collector.add(chunk)
        finally:
            # Closing a response that was not read to the end drops its connection.
            await response.aclose()
        return response.status_code, response.headers.raw, collector.body(), str(response.url)

    def _new_native(self) -> httpx.AsyncClient:
        limit = self._pool.limit or None
        keepalive = self._max_keepalive if self._max_keepalive is not None else limit
        # A cookie policy that accepts no domain: the transport must keep no state between
        # requests (aiohttp gets a DummyCookieJar for the same reason).
        no_cookies = http.cookiejar.CookieJar(
            policy=http.cookiejar.DefaultCookiePolicy(allowed_domains=[])
        )
        return httpx.AsyncClient(
            limits=httpx.Limits(
                max_connections=limit,
                max_keepalive_connections=keepalive,
                keepalive_expiry=self._pool.keepalive_timeout,
            ),
            verify=self._pool.verify,
            trust_env=self._pool.trust_env,
            follow_redirects=False,
            cookies=no_cookies,
        )

    def _native_is_closed(self, native: httpx.AsyncClient) -> bool:
        return native.is_closed

    async def _close_native(self, native: httpx.AsyncClient) -> None:
        await native.aclose()

    def _map_error(self, exc: Exception, request: HttpRequest, progress: Progress) -> BooqableError:
        return _map_error(exc, request, progress)


def _map_error(exc: Exception, request: HttpRequest, progress: Progress) -> BooqableError:
    """Map one httpx/asyncio exception to the library's error (see the module table)."""
    where: dict[str, Any] = {"method": request.method, "url": request.url}
    reason = safe_reason(exc)
    sent = progress.maybe_sent
    if isinstance(exc, (httpx.InvalidURL, httpx.UnsupportedProtocol, httpx.LocalProtocolError)):
        return UsageError(f"httpx refused {request.method} {redact_url(request.url)}: {reason}")
    if isinstance(exc, (httpx.ConnectTimeout, httpx.PoolTimeout)):
        return ConnectTimeout("timed out getting a connection (connect timeout)", **where)
    if isinstance(exc, (httpx.ReadTimeout, httpx.WriteTimeout)):
        return ReadTimeout("no complete response within the timeout", **where)
    if isinstance(exc, (asyncio.TimeoutError, httpx.TimeoutException)):
        # Our own total deadline (or a timeout kind httpx may add later).
        if not sent:
            return ConnectTimeout("timed out before the request was started", **where)
        return ReadTimeout("no complete response within the timeout", **where)
    if isinstance(exc, httpx.ConnectError):
        if _caused_by_tls(exc):
            return TLSError(f"TLS handshake or certificate check failed: {reason}", **where)
        return ConnectError(f"could not connect: {reason}", **where)
    if isinstance(exc, httpx.ProxyError):
        return ConnectError(f"the proxy refused the connection: {reason}", **where)
    if isinstance(exc, httpx.RemoteProtocolError) and "without sending a response" in str(exc):
        # httpcore's wording for a connection closed after the request, before any answer.
        return ConnectionReset(f"connection lost: {reason}", **where, request_sent=True)
    if isinstance(exc, (httpx.RemoteProtocolError, httpx.DecodingError)):
        return ProtocolError(f"malformed HTTP response: {reason}", **where, request_sent=True)
    if isinstance(exc, (httpx.NetworkError, OSError)):
        return ConnectionReset(f"connection lost: {reason}", **where, request_sent=sent)
    return ProtocolError(f"HTTP exchange failed: {reason}", **where, request_sent=sent)


def _caused_by_tls(exc: BaseException) -> bool:
    """True when an ``ssl`` error is anywhere in ``exc``'s cause chain."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, (ssl.SSLError, ssl.CertificateError)):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False
