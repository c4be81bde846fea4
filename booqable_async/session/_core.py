"""Session: the one request pipeline every facade and the paginator goes through.

One request = build (protocol) -> per attempt: auth -> concurrency slot -> rate limiter
-> ``transport.send`` -> decipher, with the attempts driven by the retry policy (see
docs/retries.md). A session is long-lived (one per process and company), shares nothing
with other sessions, and owns its transport only when it created it. A light copy made by
:meth:`Session.with_options` shares the pool, the concurrency slots, the limiter and the
auth scheme with its original, and never closes them.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import re
import socket
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timezone
from types import TracebackType
from typing import Any, TypeVar

import attrs
from typing_extensions import Unpack

from booqable_async._redact import SENSITIVE_QUERY_KEYS, redact_url
from booqable_async.auth import AuthContext, SessionAuth
from booqable_async.clock import Clock
from booqable_async.errors import (
    ApiError,
    BooqableError,
    ConnectError,
    TransportError,
    Unauthorized,
    UsageError,
)
from booqable_async.profile import ApiProfile
from booqable_async.protocol import (
    NOTHING,
    RateLimit,
    build_request,
    decipher_response,
    parse_retry_after,
    path_template,
)
from booqable_async.ratelimit import RateLimiter
from booqable_async.retry import RetryDecision, RetryPolicy
from booqable_async.session._hooks import RequestEvent, fire
from booqable_async.session._settings import (
    CallOptions,
    SessionOptions,
    SessionSettings,
    as_timeout,
)
from booqable_async.transport import Headers, HttpRequest, HttpResponse, Timeout, Transport

__all__ = ["ApiResponse", "Session"]

_S = TypeVar("_S", bound="Session")

#: The aiohttp pool is never smaller than this, so the semaphore is what limits.
_DEFAULT_POOL_SIZE = 100


# Anything that could need masking: userinfo, or a query key that may hold a secret.
_MAYBE_SECRET_RE = re.compile(
    "@|[?&](?:" + "|".join(sorted(re.escape(k) for k in SENSITIVE_QUERY_KEYS)) + ")=",
    re.IGNORECASE,
)


def _shown_url(url: str) -> str:
    # redact_url parses the whole URL; most URLs carry nothing to hide, so look first.
    return redact_url(url) if _MAYBE_SECRET_RE.search(url) else url


class _Slots:
    """A counting semaphore with a cheap uncontended path (one per session).

    A released slot is handed straight to the oldest waiter, so waiters are served in
    order and a late arrival can never overtake them.
    """

    __slots__ = ("_free", "_waiters")

    def __init__(self, size: int) -> None:
        self._free = size
        self._waiters: deque[asyncio.Future[None]] = deque()

    async def acquire(self) -> None:
        if self._free > 0 and not self._waiters:
            self._free -= 1
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await waiter
        except BaseException:
            if waiter.done() and not waiter.cancelled():
                self.release()  # handed a slot, then cancelled: pass it on
            else:
                with contextlib.suppress(ValueError):
                    self._waiters.remove(waiter)
            raise

    def release(self) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return
        self._free += 1


class _Body:
    """The parsed body of one answer, parsed at most once (a memo, not a value).

    An eager answer is born parsed. A deferred one (``Session.request(parse=False)``)
    holds its parser until :attr:`ApiResponse.payload` is first read; ``peek()`` parses
    without keeping the result (the paginator's pages, freed as soon as they are decoded).
    """

    __slots__ = ("_parser", "_payload")

    def __init__(self, payload: Any = None, parser: Callable[[], Any] | None = None) -> None:
        self._payload = payload
        self._parser = parser

    @property
    def parsed(self) -> bool:
        return self._parser is None

    def get(self) -> Any:
        parser = self._parser
        if parser is not None:
            self._payload = parser()
            self._parser = None
        return self._payload

    def peek(self) -> Any:
        parser = self._parser
        return self._payload if parser is None else parser()


def _as_body(value: Any) -> _Body:
    return value if isinstance(value, _Body) else _Body(value)


@attrs.frozen(repr=False)
class ApiResponse:
    """A successful answer, as the session hands it to facades and the paginator.

    Attributes:
        status: HTTP status (2xx).
        headers: Response headers (case-insensitive; ``repr`` masks secrets).
        payload: The parsed JSON body, or ``None`` for an empty body (see :attr:`payload`).
        rate_limit: The ``X-Ratelimit-*`` snapshot of this answer, when present.
        request_id: ``X-Request-Id``, when present; quote it to Booqable support.
        elapsed: Seconds from the call to its return, waits and retries included.
        attempts: Attempts it took (1 when the first one succeeded).
        url: The request URL with secret query values masked.
        body: The body exactly as received (bytes).
    """

    status: int
    headers: Headers
    # Given as the parsed payload (or, by the session, a _Body that parses on first read).
    _parsed: _Body = attrs.field(converter=_as_body, eq=False, alias="payload")
    rate_limit: RateLimit | None
    request_id: str | None
    elapsed: float
    attempts: int
    url: str
    body: bytes = attrs.field(default=b"", eq=False)

    @property
    def payload(self) -> Any:
        """The parsed JSON body (``None`` for an empty one).

        An answer requested with ``parse=False`` is parsed here, on first read, and kept.

        Raises:
            DecodeError: A deferred body that is not JSON (an eager one raised this from
                ``Session.request`` already).
        """
        return self._parsed.get()

    @property
    def parsed(self) -> bool:
        """Whether :attr:`payload` is parsed already (always, unless ``parse=False``)."""
        return self._parsed.parsed

    def json(self) -> Any:
        """Return the parsed body without keeping it: the payload if parsed, else parsed now.

        For a deferred answer read once (the paginator decodes each page this way): the
        parsed tree is freed as soon as the caller drops it rather than living as long as
        the response. Each call parses again until :attr:`payload` is read.

        Raises:
            DecodeError: The body is not JSON.
        """
        return self._parsed.peek()

    def __repr__(self) -> str:
        return (
            f"ApiResponse({self.status}, {self.url}, attempts={self.attempts}, "
            f"elapsed={self.elapsed:.3f})"
        )


class _Shared:
    """What a session shares with its light copies: the pool, the slots, the auth context.

    Created by the session constructed from options (the owner); copies from
    :meth:`Session.with_options` hold the same instance and never close it.
    """

    __slots__ = (
        "_auth",
        "_logger",
        "_owns_transport",
        "_pool_size",
        "closed",
        "context",
        "counts_volume",
        "session_auth",
        "slots",
        "transport",
    )

    def __init__(self, settings: SessionSettings) -> None:
        self.transport: Transport | None = settings.transport
        self._owns_transport = settings.transport is None
        self._pool_size = max(_DEFAULT_POOL_SIZE, settings.max_concurrency)
        self.slots = _Slots(settings.max_concurrency)
        self.closed = False
        profile = settings.profile
        self.context = AuthContext(
            base_url=settings.base_url,
            company=settings.company,
            send=self.send_raw,
            timeout=settings.timeout,
            clock=settings.clock,
            response_format=profile.response_format,
            media_type=profile.media_type,
        )
        self._auth = settings.auth
        self._logger = settings.logger
        #: The auth scheme when it holds a session token (renewed on 401, revoked at close).
        self.session_auth = settings.auth if isinstance(settings.auth, SessionAuth) else None
        # Volume quotas count bytes after each exchange; a limiter without them (or one
        # implementing only acquire/complete) is never asked to.
        self.counts_volume = bool(getattr(settings.limiter, "counts_volume", False))

    def get_transport(self) -> Transport:
        transport = self.transport
        if transport is None:
            # Imported here: aiohttp costs import time, and tests mostly pass a transport.
            from booqable_async.transport._aiohttp import AiohttpTransport

            transport = self.transport = AiohttpTransport(limit=self._pool_size)
        return transport

    async def send_raw(self, request: HttpRequest) -> HttpResponse:
        return await self.get_transport().send(request)

    async def aclose(self) -> None:
        if self.closed:
            return
        self.closed = True
        try:
            if self.session_auth is not None and self.transport is not None:
                # Revoke the session token while the transport is still open; a failed
                # logout must not keep the pool open, so it is logged, not raised.
                try:
                    await self.session_auth.logout(self.context)
                except BooqableError as exc:
                    self._logger.warning("logout failed while closing the session: %s", exc)
        finally:
            if self._owns_transport and self.transport is not None:
                await self.transport.aclose()


class Session:
    """The request pipeline shared by everything on one client.

    Takes the keyword arguments of
    :class:`~booqable_async.session.SessionOptions` (every one optional: ``company`` or
    ``base_url``, ``token`` or ``auth``, ``transport``, ``retry``, ``max_concurrency``,
    ``rate_limit``, ``timeout``, ``hooks``, ``logger``, ``clock``, ``api_version``).

    Raises:
        UsageError: Before any I/O, for missing or invalid settings; the message says
            what to pass or which environment variable to set.
    """

    __slots__ = ("_closed", "_has_hooks", "_owner", "_settings", "_shared")

    def __init__(self, **options: Unpack[SessionOptions]) -> None:
        settings = SessionSettings.from_options(options)
        self._setup(settings, _Shared(settings), owner=True)

    def _setup(self, settings: SessionSettings, shared: _Shared, *, owner: bool) -> None:
        self._settings = settings
        self._shared = shared
        self._owner = owner
        self._closed = False
        hooks = settings.hooks
        self._has_hooks = bool(hooks.on_request or hooks.on_response or hooks.on_retry)

    def with_options(self, **options: Unpack[CallOptions]) -> Session:
        """Return a light copy of this session with other per-call settings.

        The copy shares the connection pool, the concurrency slots, the rate limiter and
        the auth scheme with this session (so its requests count against the same
        limits), and never closes them: closing the copy only makes the copy refuse
        further requests. Use it to tighten one call::

            fast = session.with_options(timeout=2.0, retry=RetryPolicy.never())

        Args:
            **options: Any of ``timeout``, ``retry``, ``hooks``, ``logger``
                (:class:`~booqable_async.session.CallOptions`); the others are kept.

        Returns:
            The copy.

        Raises:
            UsageError: An option that owns a resource (``transport``, ``rate_limit``,
                ``auth``...) or an invalid value.
        """
        copy = object.__new__(type(self))
        copy._setup(self._settings.evolve(options), self._shared, owner=False)
        return copy

    def __repr__(self) -> str:
        settings = self._settings
        return (
            f"Session(base_url={settings.base_url!r}, auth={settings.auth!r}, "
            f"max_concurrency={settings.max_concurrency}, rate_limit={settings.limiter!r})"
        )

    # -- properties ----------------------------------------------------------------

    @property
    def settings(self) -> SessionSettings:
        """Everything this session was configured with, resolved."""
        return self._settings

    @property
    def base_url(self) -> str:
        """The API root every path is joined onto (ends with ``/``)."""
        return self._settings.base_url

    @property
    def company(self) -> str | None:
        """The company slug, when the session was configured with one."""
        return self._settings.company

    @property
    def profile(self) -> ApiProfile:
        """The API profile this session speaks (Booqable v4 unless another was given)."""
        return self._settings.profile

    @property
    def retry(self) -> RetryPolicy:
        """The default retry policy."""
        return self._settings.retry

    @property
    def limiter(self) -> RateLimiter | None:
        """The rate limiter, or ``None`` when rate limiting is off."""
        return self._settings.limiter

    @property
    def timeout(self) -> Timeout:
        """The default per-attempt time limits."""
        return self._settings.timeout

    @property
    def clock(self) -> Clock:
        """The time sources the session runs on."""
        return self._settings.clock

    @property
    def max_concurrency(self) -> int:
        """Requests allowed in flight at once."""
        return self._settings.max_concurrency

    @property
    def closed(self) -> bool:
        """True once :meth:`aclose` ran (on this copy, or on the session that owns the pool)."""
        return self._closed or self._shared.closed

    # -- lifecycle -----------------------------------------------------------------

    async def __aenter__(self: _S) -> _S:
        if self.closed:
            raise UsageError("this session is closed; create a new one")
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the session; closes the transport only if the session created it.

        A copy from :meth:`with_options` only marks itself closed: the pool it shares
        stays open for its original. Calling it again does nothing.
        """
        self._closed = True
        if self._owner:
            await self._shared.aclose()

    # -- requests ------------------------------------------------------------------

    async def request(
        self,
        method: str,
        path: str | Sequence[str],
        *,
        params: Any = None,
        json: Any = NOTHING,
        headers: Mapping[str, str] | Headers | None = None,
        timeout: float | Timeout | None = None,
        retry: RetryPolicy | None = None,
        parse: bool = True,
    ) -> ApiResponse:
        """Send one API request through the whole pipeline and return its answer.

        Args:
            method: HTTP method.
            path: Path under the API root: ``"orders"`` or segments ``("orders", id)``
                (use segments for anything that comes from data; each is escaped).
            params: Query parameters (a mapping, or ordered pairs from
                ``Query.to_params()``).
            json: JSON body; leave it out for none.
            headers: Extra request headers.
            timeout: This call's time limits per attempt (seconds or a ``Timeout``);
                ``None`` uses the session's.
            retry: This call's retry policy; ``None`` uses the session's.
            parse: ``False`` leaves a 2xx body unparsed until ``payload`` is first read
                (or ``json()`` is called), so a caller holding many answers holds compact
                bytes rather than parsed trees: the paginator's pages fetched ahead. A
                body that is not JSON then raises ``DecodeError`` from that read, and
                ``on_response`` hooks see the answer without it. Error answers are
                parsed at once either way (they decide retries).

        Returns:
            The successful answer.

        Raises:
            UsageError: Invalid arguments or a closed session (before any I/O).
            ApiError: A non-2xx answer after the policy's retries (``RateLimited``,
                ``NotFound``, ``ShortageError``...); a write that may have happened has
                ``write_outcome_unknown=True``.
            TransportError: No answer after the policy's retries.
            DecodeError: A 2xx answer whose body is not JSON.
        """
        if self.closed:
            raise UsageError("this session is closed; create a new one")
        settings = self._settings
        if retry is None:
            policy = settings.retry
        elif isinstance(retry, RetryPolicy):
            policy = retry
        else:
            raise UsageError(f"retry must be a RetryPolicy, got a {type(retry).__name__}")
        built = build_request(
            method,
            path,
            base_url=settings.base_url,
            params=params,
            json=json,
            headers=headers,
            timeout=settings.timeout if timeout is None else as_timeout(timeout),
            media_type=settings.profile.media_type,
            trailing_slash=settings.profile.trailing_slash,
        )
        template = path_template(path, base_url=settings.base_url) if self._has_hooks else ""
        verb = built.method
        clock = settings.clock
        started = clock.monotonic()
        call = _Call(settings, self._shared, built, template, parse)
        on_retry = call.on_retry if settings.hooks.on_retry else None
        try:
            response, payload, attempts = await policy.run(
                verb, call.attempt, clock=clock, on_retry=on_retry, logger=settings.logger
            )
        except TransportError as exc:
            exc.record_attempts(
                call.attempts, clock.monotonic() - started, self._transport_hint(exc)
            )
            raise
        return ApiResponse(
            status=response.status,
            headers=response.headers,
            rate_limit=call.rate_limit,
            request_id=response.headers.get("X-Request-Id"),
            elapsed=clock.monotonic() - started,
            attempts=attempts,
            url=_shown_url(built.url),
            body=response.body,
            payload=payload
            if parse
            else _Body(
                parser=functools.partial(
                    decipher_response,
                    response,
                    method=verb,
                    url=built.url,
                    response_format=settings.profile.response_format,
                )
            ),
        )

    def _transport_hint(self, error: TransportError) -> str:
        # The transports know nothing of Booqable; the session knows the base URL came
        # from a company slug, so a name that does not resolve points at the slug.
        settings = self._settings
        company = settings.company
        if company is None or not isinstance(error, ConnectError):
            return ""
        if not _name_not_resolved(error):
            return ""
        return settings.profile.company_hint(company, settings.base_url)


def _name_not_resolved(error: BaseException) -> bool:
    """True when a DNS lookup failure (``socket.gaierror``) caused ``error``."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, socket.gaierror):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


class _Call:
    """The attempts of one request (kept off Session so concurrent calls share nothing)."""

    __slots__ = (
        "_parse",
        "_renewed",
        "_request",
        "_settings",
        "_shared",
        "_template",
        "attempts",
        "rate_limit",
    )

    def __init__(
        self,
        settings: SessionSettings,
        shared: _Shared,
        request: HttpRequest,
        template: str,
        parse: bool,
    ) -> None:
        self._settings = settings
        self._shared = shared
        self._request = request
        self._template = template
        # Eager when the profile reads failures out of 2xx bodies: they decide the outcome.
        self._parse = parse or settings.profile.response_format.body_errors is not None
        self._renewed = False
        self.rate_limit: RateLimit | None = None
        self.attempts = 0

    async def on_retry(self, decision: RetryDecision, error: BaseException, attempt: int) -> None:
        settings = self._settings
        await fire(
            settings.hooks.on_retry,
            RequestEvent(
                kind="retry",
                method=self._request.method,
                path=self._template,
                attempt=attempt,
                status=error.status if isinstance(error, ApiError) else None,
                rate_limit=error.rate_limit if isinstance(error, ApiError) else None,
                request_id=error.request_id if isinstance(error, ApiError) else None,
                error=error,
                wait=decision.wait,
                reason=decision.reason,
            ),
            settings.logger,
        )

    async def attempt(self, number: int) -> tuple[HttpResponse, Any, int]:
        self.attempts = number
        settings = self._settings
        shared = self._shared
        request = await settings.auth.apply(self._request, shared.context)
        logger = settings.logger
        debug = logger.isEnabledFor(logging.DEBUG)
        hooks = settings.hooks
        limiter = settings.limiter
        clock = settings.clock.monotonic
        response_format = settings.profile.response_format
        transport = shared.get_transport()
        slots = shared.slots
        await slots.acquire()
        try:
            if limiter is not None:
                await limiter.acquire()
            sent = clock()
            try:
                if hooks.on_request:
                    await fire(
                        hooks.on_request,
                        RequestEvent("request", request.method, self._template, number),
                        logger,
                    )
                if debug:
                    logger.debug(
                        "sending %s %s (attempt %d) headers=%s",
                        request.method,
                        redact_url(request.url),
                        number,
                        request.headers.redacted(),
                    )
                sent = clock()
                response = await transport.send(request)
            except BaseException as exc:
                elapsed = clock() - sent
                if limiter is not None:
                    limiter.complete()
                if isinstance(exc, TransportError):
                    await self._no_response(exc, number, elapsed)
                raise
            elapsed = clock() - sent
            status = response.status
            rate_limit = response_format.read_rate_limit(response.headers)
            # An error's Retry-After may be an HTTP date: read it on the session's wall
            # clock (only errors need the date, so a success pays nothing for it).
            now = None if 200 <= status < 300 else self._wall_now()
            if limiter is not None:
                retry_after = (
                    parse_retry_after(response.headers.get("Retry-After"), now=now)
                    if status == 429
                    else None
                )
                limiter.complete(status=status, rate_limit=rate_limit, retry_after=retry_after)
                if shared.counts_volume:
                    limiter.record_transfer(len(request.body or b"") + len(response.body))
        finally:
            slots.release()
        self.rate_limit = rate_limit
        error: BooqableError | None = None
        payload: Any = None
        if self._parse or not 200 <= status < 300:
            try:
                payload = decipher_response(
                    response,
                    method=request.method,
                    url=request.url,
                    now=now,
                    response_format=response_format,
                )
            except BooqableError as exc:
                error = exc
        if debug:
            logger.debug(
                "%s %s answered %d in %.3f s (attempt %d, request id %s, rate limit %s)%s",
                request.method,
                redact_url(request.url),
                status,
                elapsed,
                number,
                response.headers.get("X-Request-Id"),
                rate_limit,
                f": {error}" if error is not None else "",
            )
        if hooks.on_response:
            await fire(
                hooks.on_response,
                RequestEvent(
                    kind="response",
                    method=request.method,
                    path=self._template,
                    attempt=number,
                    status=status,
                    elapsed=elapsed,
                    rate_limit=rate_limit,
                    request_id=response.headers.get("X-Request-Id"),
                    error=error,
                ),
                logger,
            )
        if error is not None:
            if (
                isinstance(error, Unauthorized)
                and shared.session_auth is not None
                and not self._renewed
            ):
                # A session token the server no longer takes: renew it once and send the
                # request again (a 401 means the server did not act on it).
                self._renewed = True
                if await shared.session_auth.reauthenticate(request, shared.context):
                    return await self.attempt(number)
            raise error
        return response, payload, number

    def _wall_now(self) -> datetime:
        return datetime.fromtimestamp(self._settings.clock.wall(), timezone.utc)

    async def _no_response(self, error: TransportError, number: int, elapsed: float) -> None:
        settings = self._settings
        request = self._request
        if settings.logger.isEnabledFor(logging.DEBUG):
            settings.logger.debug(
                "%s %s failed without an answer (attempt %d): %s",
                request.method,
                redact_url(request.url),
                number,
                error,
            )
        if settings.hooks.on_response:
            await fire(
                settings.hooks.on_response,
                RequestEvent(
                    kind="response",
                    method=request.method,
                    path=self._template,
                    attempt=number,
                    elapsed=elapsed,
                    error=error,
                ),
                settings.logger,
            )
