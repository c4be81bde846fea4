"""Session: the one request pipeline every facade and the paginator goes through.

One request = build (protocol) -> per attempt: auth -> concurrency slot -> rate limiter
-> ``transport.send`` -> decipher, with the attempts driven by the retry policy
(DESIGN §2, §5). A session is long-lived (one per process and company), shares nothing
with other sessions, and owns its transport only when it created it.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import re
import socket
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping, Sequence
from types import TracebackType
from typing import Any, TypeVar

import attrs

from booqable_async.auth import Auth, AuthContext, TokenAuth
from booqable_async.errors import (
    SENSITIVE_QUERY_KEYS,
    ApiError,
    BooqableError,
    ConnectError,
    TransportError,
    UsageError,
    redact_repr,
    redact_url,
)
from booqable_async.protocol import (
    NOTHING,
    RateLimit,
    base_url_for,
    build_request,
    decipher_response,
    parse_rate_limit,
    parse_retry_after,
    path_template,
)
from booqable_async.ratelimit import RateLimiter
from booqable_async.retry import RetryDecision, RetryPolicy
from booqable_async.session.hooks import Hooks, RequestEvent, fire
from booqable_async.transport import Headers, HttpRequest, HttpResponse, Timeout, Transport

__all__ = ["ENV_API_KEY", "ENV_BASE_URL", "ENV_COMPANY", "ApiResponse", "Session"]

_S = TypeVar("_S", bound="Session")

#: Environment variables read when the matching argument is omitted.
ENV_API_KEY = "BOOQABLE_API_KEY"
ENV_COMPANY = "BOOQABLE_COMPANY"
ENV_BASE_URL = "BOOQABLE_BASE_URL"

_DEFAULT_LOGGER = logging.getLogger("booqable_async.session")
_DEFAULT_CONNECT_TIMEOUT = 10.0
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


#: ``ApiResponse._payload`` before a deferred body (``parse=False``) is parsed.
_UNPARSED: Any = object()


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
    _payload: Any = attrs.field(alias="payload")
    rate_limit: RateLimit | None
    request_id: str | None
    elapsed: float
    attempts: int
    url: str
    body: bytes = attrs.field(default=b"", eq=False)
    # Parses the body of a deferred answer (``Session.request(parse=False)``).
    _parser: Callable[[], Any] | None = attrs.field(default=None, eq=False, alias="parser")

    @property
    def payload(self) -> Any:
        """The parsed JSON body (``None`` for an empty one).

        An answer requested with ``parse=False`` is parsed here, on first read, and kept.

        Raises:
            DecodeError: A deferred body that is not JSON (an eager one raised this from
                ``Session.request`` already).
        """
        payload = self._payload
        if payload is _UNPARSED:
            payload = self.json()
            object.__setattr__(self, "_payload", payload)
        return payload

    @property
    def parsed(self) -> bool:
        """Whether :attr:`payload` is parsed already (always, unless ``parse=False``)."""
        return self._payload is not _UNPARSED

    def json(self) -> Any:
        """Return the parsed body without keeping it: the payload if parsed, else parsed now.

        For a deferred answer read once (the paginator decodes each page this way): the
        parsed tree is freed as soon as the caller drops it rather than living as long as
        the response. Each call parses again until :attr:`payload` is read.

        Raises:
            DecodeError: The body is not JSON.
        """
        if self._parser is not None and self._payload is _UNPARSED:
            return self._parser()
        return self._payload

    def __repr__(self) -> str:
        return (
            f"ApiResponse({self.status}, {self.url}, attempts={self.attempts}, "
            f"elapsed={self.elapsed:.3f})"
        )


def _timeout(value: object, what: str) -> Timeout:
    if isinstance(value, Timeout):
        return value
    if value is None:
        return Timeout(total=None, connect=None)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise UsageError(
            f"{what} must be a number of seconds > 0, a Timeout, or None for no limit; "
            f"got {redact_repr(value)}"
        )
    seconds = float(value)
    return Timeout(total=seconds, connect=min(seconds, _DEFAULT_CONNECT_TIMEOUT))


def _limiter(
    value: object,
    clock: Callable[[], float],
    sleep: Callable[[float], Awaitable[None]],
) -> RateLimiter | None:
    if value is True:
        return RateLimiter(clock=clock, sleep=sleep)
    if value is False or value is None:
        return None
    if isinstance(value, RateLimiter):
        return value
    if isinstance(value, tuple) and len(value) == 2:
        limit, period = value
        return RateLimiter(limit, period, clock=clock, sleep=sleep)
    raise UsageError(
        "rate_limit must be True (follow the X-Ratelimit headers), False (off), a "
        f"RateLimiter, or a fixed budget (limit, period_seconds); got {redact_repr(value)}"
    )


def _system_sleep(seconds: float) -> Awaitable[None]:
    return asyncio.sleep(seconds)


class Session:
    """The request pipeline shared by everything on one client.

    Args:
        company: Company slug (``acme`` for ``acme.booqable.com``). Defaults to
            ``$BOOQABLE_COMPANY`` when neither it nor ``base_url`` is given.
        base_url: API root instead of ``company`` (the fake server, a proxy). Defaults to
            ``$BOOQABLE_BASE_URL`` (which wins over ``$BOOQABLE_COMPANY``).
        api_version: ``"4"`` (default) or ``"boomerang"``.
        token: Access token for ``Authorization: Bearer``; defaults to
            ``$BOOQABLE_API_KEY`` when ``auth`` is not given either.
        auth: Any :class:`~booqable_async.auth.Auth` instead of ``token``
            (:class:`~booqable_async.auth.SingleUseAuth`,
            :class:`~booqable_async.auth.OAuth2Auth`...).
        transport: Any :class:`~booqable_async.transport.Transport`; the default is an
            ``AiohttpTransport`` that the session creates on first use and closes. A
            transport you pass is never closed by the session.
        retry: The default :class:`~booqable_async.retry.RetryPolicy` for every call.
        max_concurrency: Requests in flight at once, across everything on this session.
        rate_limit: ``True`` (follow ``X-Ratelimit-*``), ``False`` (off), a
            :class:`~booqable_async.ratelimit.RateLimiter`, or a fixed budget
            ``(limit, period_seconds)``.
        timeout: Seconds per attempt (also capping the connect phase at 10 s), a
            :class:`~booqable_async.transport.Timeout`, or ``None`` for no limit.
        hooks: :class:`~booqable_async.session.Hooks`, or a mapping like
            ``{"on_response": [callback]}``.
        logger: Where to log (``booqable_async.session`` by default); DEBUG shows every
            attempt with secrets redacted.
        clock: Monotonic clock for elapsed times and the limiter (``time.monotonic``).
        sleep: Async sleep for the limiter and retry waits (``asyncio.sleep``).

    Raises:
        UsageError: Before any I/O, for missing or invalid settings; the message says
            what to pass or which environment variable to set.
    """

    def __init__(
        self,
        *,
        company: str | None = None,
        base_url: str | None = None,
        api_version: str = "4",
        token: str | None = None,
        auth: Auth | None = None,
        transport: Transport | None = None,
        retry: RetryPolicy | None = None,
        max_concurrency: int = 8,
        rate_limit: bool | RateLimiter | tuple[int, float] | None = True,
        timeout: float | Timeout | None = 30.0,
        hooks: Hooks | Mapping[str, object] | None = None,
        logger: logging.Logger | None = None,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
    ) -> None:
        if company is None and base_url is None:
            base_url = os.environ.get(ENV_BASE_URL) or None
            if base_url is None:
                company = os.environ.get(ENV_COMPANY) or None
            if company is None and base_url is None:
                raise UsageError(
                    "which Booqable company? pass company='your-slug' (as in "
                    "https://your-slug.booqable.com) or base_url=..., or set "
                    f"{ENV_COMPANY} or {ENV_BASE_URL}"
                )
        self._base_url = base_url_for(company=company, base_url=base_url, api_version=api_version)
        self._company = company
        if auth is not None and token is not None:
            raise UsageError("pass either token= or auth=, not both")
        if auth is None:
            token = token if token is not None else (os.environ.get(ENV_API_KEY) or None)
            if token is None:
                raise UsageError(
                    f"no credentials: pass token='...' or auth=..., or set {ENV_API_KEY} "
                    "(create an access token in Booqable under Settings > API keys)"
                )
            auth = TokenAuth(token)
        elif not isinstance(auth, Auth):
            raise UsageError(
                "auth must provide `async apply(request, context)` (TokenAuth, "
                f"SingleUseAuth, OAuth2Auth...), got a {type(auth).__name__}"
            )
        self._auth: Auth = auth
        if retry is None:
            retry = RetryPolicy()
        elif not isinstance(retry, RetryPolicy):
            raise UsageError(f"retry must be a RetryPolicy, got a {type(retry).__name__}")
        self._retry = retry
        if (
            isinstance(max_concurrency, bool)
            or not isinstance(max_concurrency, int)
            or max_concurrency < 1
        ):
            raise UsageError(
                f"max_concurrency must be an integer >= 1, got {redact_repr(max_concurrency)}"
            )
        self._max_concurrency = max_concurrency
        self._clock = clock or time.monotonic
        self._sleep = sleep or _system_sleep
        self._limiter = _limiter(rate_limit, self._clock, self._sleep)
        self._timeout = _timeout(timeout, "timeout")
        self._hooks = Hooks.coerce(hooks)
        self._has_hooks = bool(
            self._hooks.on_request or self._hooks.on_response or self._hooks.on_retry
        )
        self._logger = logger or _DEFAULT_LOGGER
        if transport is not None and not isinstance(transport, Transport):
            raise UsageError(
                f"transport must implement the Transport protocol, got {type(transport).__name__}"
            )
        self._transport: Transport | None = transport
        self._owns_transport = transport is None
        self._slots = _Slots(max_concurrency)
        self._closed = False
        self._context = AuthContext(
            base_url=self._base_url, company=company, send=self._send_raw, timeout=self._timeout
        )

    def __repr__(self) -> str:
        return (
            f"Session(base_url={self._base_url!r}, auth={self._auth!r}, "
            f"max_concurrency={self._max_concurrency}, rate_limit={self._limiter!r})"
        )

    # -- properties ----------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """The API root every path is joined onto (ends with ``/``)."""
        return self._base_url

    @property
    def company(self) -> str | None:
        """The company slug, when the session was configured with one."""
        return self._company

    @property
    def retry(self) -> RetryPolicy:
        """The default retry policy."""
        return self._retry

    @property
    def limiter(self) -> RateLimiter | None:
        """The rate limiter, or ``None`` when rate limiting is off."""
        return self._limiter

    @property
    def timeout(self) -> Timeout:
        """The default per-attempt time limits."""
        return self._timeout

    @property
    def max_concurrency(self) -> int:
        """Requests allowed in flight at once."""
        return self._max_concurrency

    @property
    def closed(self) -> bool:
        """True once :meth:`aclose` ran."""
        return self._closed

    # -- lifecycle -----------------------------------------------------------------

    def _get_transport(self) -> Transport:
        transport = self._transport
        if transport is None:
            # Imported here: aiohttp costs import time, and tests mostly pass a transport.
            from booqable_async.transport.aiohttp import AiohttpTransport

            transport = AiohttpTransport(limit=max(_DEFAULT_POOL_SIZE, self._max_concurrency))
            self._transport = transport
        return transport

    async def __aenter__(self: _S) -> _S:
        if self._closed:
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

        Calling it again does nothing.
        """
        if self._closed:
            return
        self._closed = True
        if self._owns_transport and self._transport is not None:
            await self._transport.aclose()

    async def _send_raw(self, request: HttpRequest) -> HttpResponse:
        return await self._get_transport().send(request)

    # -- requests ------------------------------------------------------------------

    def _timeout_for(self, timeout: float | Timeout | None) -> Timeout:
        return self._timeout if timeout is None else _timeout(timeout, "timeout")

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
                ``NotFound``...); a write that may have happened has
                ``write_outcome_unknown=True``.
            TransportError: No answer after the policy's retries.
            DecodeError: A 2xx answer whose body is not JSON.
        """
        if self._closed:
            raise UsageError("this session is closed; create a new one")
        if retry is None:
            policy = self._retry
        elif isinstance(retry, RetryPolicy):
            policy = retry
        else:
            raise UsageError(f"retry must be a RetryPolicy, got a {type(retry).__name__}")
        built = build_request(
            method,
            path,
            base_url=self._base_url,
            params=params,
            json=json,
            headers=headers,
            timeout=self._timeout_for(timeout),
        )
        template = path_template(path, base_url=self._base_url) if self._has_hooks else ""
        verb = built.method
        clock = self._clock
        started = clock()
        call = _Call(self, built, template, parse)
        on_retry = call.on_retry if self._hooks.on_retry else None
        try:
            response, payload, attempts = await policy.run(
                verb, call.attempt, sleep=self._sleep, on_retry=on_retry, logger=self._logger
            )
        except TransportError as exc:
            exc.record_attempts(call.attempts, clock() - started, self._transport_hint(exc))
            raise
        return ApiResponse(
            status=response.status,
            headers=response.headers,
            payload=payload,
            rate_limit=call.rate_limit,
            request_id=response.headers.get("X-Request-Id"),
            elapsed=clock() - started,
            attempts=attempts,
            url=_shown_url(built.url),
            body=response.body,
            parser=None
            if parse
            else functools.partial(decipher_response, response, method=verb, url=built.url),
        )

    def _transport_hint(self, error: TransportError) -> str:
        # The transports know nothing of Booqable; the session knows the base URL came
        # from a company slug, so a name that does not resolve points at the slug.
        if self._company is None or not isinstance(error, ConnectError):
            return ""
        if not _name_not_resolved(error):
            return ""
        return (
            f"no host {self._company}.booqable.com: is {self._company!r} your company slug? "
            f"It is the SLUG in https://SLUG.booqable.com (company= or {ENV_COMPANY})"
        )


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

    __slots__ = ("_parse", "_request", "_session", "_template", "attempts", "rate_limit")

    def __init__(self, session: Session, request: HttpRequest, template: str, parse: bool) -> None:
        self._session = session
        self._request = request
        self._template = template
        self._parse = parse
        self.rate_limit: RateLimit | None = None
        self.attempts = 0

    async def on_retry(self, decision: RetryDecision, error: BaseException, attempt: int) -> None:
        session = self._session
        await fire(
            session._hooks.on_retry,
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
            session._logger,
        )

    async def attempt(self, number: int) -> tuple[HttpResponse, Any, int]:
        self.attempts = number
        session = self._session
        request = await session._auth.apply(self._request, session._context)
        logger = session._logger
        debug = logger.isEnabledFor(logging.DEBUG)
        hooks = session._hooks
        limiter = session._limiter
        clock = session._clock
        transport = session._get_transport()
        slots = session._slots
        await slots.acquire()
        try:
            granted = await limiter.acquire() if limiter is not None else 0.0
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
                    limiter.complete(granted)
                if isinstance(exc, TransportError):
                    await self._no_response(exc, number, elapsed)
                raise
            elapsed = clock() - sent
            status = response.status
            rate_limit = parse_rate_limit(response.headers)
            if limiter is not None:
                retry_after = (
                    parse_retry_after(response.headers.get("Retry-After"))
                    if status == 429
                    else None
                )
                limiter.complete(
                    granted, status=status, rate_limit=rate_limit, retry_after=retry_after
                )
        finally:
            slots.release()
        self.rate_limit = rate_limit
        error: BooqableError | None = None
        payload: Any = _UNPARSED
        if self._parse or not 200 <= status < 300:
            try:
                payload = decipher_response(response, method=request.method, url=request.url)
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
            raise error
        return response, payload, number

    async def _no_response(self, error: TransportError, number: int, elapsed: float) -> None:
        session = self._session
        request = self._request
        if session._logger.isEnabledFor(logging.DEBUG):
            session._logger.debug(
                "%s %s failed without an answer (attempt %d): %s",
                request.method,
                redact_url(request.url),
                number,
                error,
            )
        if session._hooks.on_response:
            await fire(
                session._hooks.on_response,
                RequestEvent(
                    kind="response",
                    method=request.method,
                    path=self._template,
                    attempt=number,
                    elapsed=elapsed,
                    error=error,
                ),
                session._logger,
            )
