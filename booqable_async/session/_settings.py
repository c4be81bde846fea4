"""A session's settings: the keyword arguments users pass, resolved and validated once.

:class:`SessionOptions` declares the keyword arguments of ``Session`` and
``BooqableClient`` (both take ``**options: Unpack[SessionOptions]``, so the list lives in
one place); :meth:`SessionSettings.from_options` applies the environment fallbacks and
every check, before any I/O, and the session keeps the result as one frozen value.
:class:`CallOptions` is the subset ``with_options()`` may change for a copy: nothing that
owns a resource (the pool, the limiter, the auth scheme stay shared).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping

import attrs
from typing_extensions import TypedDict

from booqable_async._redact import redact_repr
from booqable_async._validation import is_number, require_int
from booqable_async.auth import Auth
from booqable_async.clock import SYSTEM_CLOCK, Clock
from booqable_async.errors import UsageError
from booqable_async.profile import BOOQABLE_V4, ApiProfile
from booqable_async.ratelimit import RateLimiter
from booqable_async.retry import RetryPolicy
from booqable_async.session._hooks import Hooks
from booqable_async.transport import Timeout, Transport

__all__ = [
    "ENV_API_KEY",
    "ENV_BASE_URL",
    "ENV_COMPANY",
    "CallOptions",
    "SessionOptions",
    "SessionSettings",
    "as_timeout",
]

#: Environment variables read when the matching argument is omitted.
ENV_API_KEY = "BOOQABLE_API_KEY"
ENV_COMPANY = "BOOQABLE_COMPANY"
ENV_BASE_URL = "BOOQABLE_BASE_URL"

_DEFAULT_LOGGER = logging.getLogger("booqable_async.session")
_DEFAULT_TIMEOUT = 30.0
_DEFAULT_CONNECT_TIMEOUT = 10.0
_DEFAULT_MAX_CONCURRENCY = 8


class CallOptions(TypedDict, total=False):
    """The settings a light copy of a session or client may change (``with_options()``).

    Every key is optional; a key left out keeps the original's setting.

    Attributes:
        timeout: Seconds per attempt (also capping the connect phase at 10 s), a
            :class:`~booqable_async.transport.Timeout`, or ``None`` for no limit.
        retry: The :class:`~booqable_async.retry.RetryPolicy` (``None``: the default one).
        hooks: :class:`~booqable_async.session.Hooks`, or a mapping like
            ``{"on_response": [callback]}`` (``None``: none).
        logger: Where to log (``None``: ``booqable_async.session``); DEBUG shows every
            attempt with secrets redacted.
    """

    timeout: float | Timeout | None
    retry: RetryPolicy | None
    hooks: Hooks | Mapping[str, object] | None
    logger: logging.Logger | None


class SessionOptions(CallOptions, total=False):
    """The keyword arguments of ``Session`` and ``BooqableClient``; every one is optional.

    Attributes:
        company: Company slug (``acme`` for ``acme.booqable.com``). Defaults to
            ``$BOOQABLE_COMPANY`` when neither it nor ``base_url`` is given.
        base_url: API root instead of ``company`` (the fake server, a proxy). Defaults to
            ``$BOOQABLE_BASE_URL`` (which wins over ``$BOOQABLE_COMPANY``).
        api_version: ``"4"`` (default) or ``"boomerang"`` (for other profiles: the
            versions their URL rule allows).
        token: Access token for ``Authorization: Bearer``; defaults to
            ``$BOOQABLE_API_KEY`` when ``auth`` is not given either. (Other profiles
            put it where their API wants it and read their own variables.)
        auth: Any :class:`~booqable_async.auth.Auth` instead of ``token``
            (:class:`~booqable_async.auth.SingleUseAuth`,
            :class:`~booqable_async.auth.OAuth2Auth`...).
        transport: Any :class:`~booqable_async.transport.Transport`; the default is an
            ``AiohttpTransport`` that the session creates on first use and closes. A
            transport you pass is never closed by the session.
        max_concurrency: Requests in flight at once, across everything on this session
            (default 8).
        rate_limit: ``True`` (default: follow ``X-Ratelimit-*``), ``False`` (off), a
            :class:`~booqable_async.ratelimit.RateLimiter`, or a fixed budget
            ``(limit, period_seconds)``.
        clock: The :class:`~booqable_async.clock.Clock` the session runs on: its
            monotonic clock for elapsed times and the limiter, wall clock for
            ``Retry-After`` dates and tokens, sleep for waits, randomness for backoff
            jitter (default: real time). Tests pass one whose ``sleep`` returns at once.
        timeout: Seconds per attempt (default 30, also capping the connect phase at
            10 s), a :class:`~booqable_async.transport.Timeout`, or ``None`` for no limit.
        retry: The default :class:`~booqable_async.retry.RetryPolicy` for every call.
        hooks: :class:`~booqable_async.session.Hooks`, or a mapping like
            ``{"on_response": [callback]}``.
        logger: Where to log (``booqable_async.session`` by default).
        profile: The :class:`~booqable_async.profile.ApiProfile` of the API to speak
            (default: Booqable v4; docs/profiles.md).
    """

    profile: ApiProfile | None
    company: str | None
    base_url: str | None
    api_version: str
    token: str | None
    auth: Auth | None
    transport: Transport | None
    max_concurrency: int
    rate_limit: bool | RateLimiter | tuple[int, float] | None
    clock: Clock | None


def as_timeout(value: object) -> Timeout:
    """Return a :class:`Timeout` for ``timeout=`` (seconds, a ``Timeout`` or ``None``).

    Raises:
        UsageError: Not a number of seconds > 0, a ``Timeout`` or ``None``.
    """
    if isinstance(value, Timeout):
        return value
    if value is None:
        return Timeout(total=None, connect=None)
    if not is_number(value) or not value > 0:
        raise UsageError(
            "timeout must be a number of seconds > 0, a Timeout, or None for no limit; "
            f"got {redact_repr(value)}"
        )
    seconds = float(value)
    return Timeout(total=seconds, connect=min(seconds, _DEFAULT_CONNECT_TIMEOUT))


def _retry(value: object) -> RetryPolicy:
    if value is None:
        return RetryPolicy()
    if not isinstance(value, RetryPolicy):
        raise UsageError(f"retry must be a RetryPolicy, got a {type(value).__name__}")
    return value


def _logger(value: object) -> logging.Logger:
    if value is None:
        return _DEFAULT_LOGGER
    if not isinstance(value, logging.Logger):
        raise UsageError(f"logger must be a logging.Logger, got a {type(value).__name__}")
    return value


def _limiter(value: object, clock: Clock, profile: ApiProfile, base_url: str) -> RateLimiter | None:
    quotas, max_wait = profile.quotas, profile.quota_max_wait
    if value is True:
        return RateLimiter(clock=clock, quotas=quotas, max_wait=max_wait)
    if value is False or value is None:
        return None
    if isinstance(value, RateLimiter):
        # A limiter keyed by company (RedisRateLimiter) hands out this company's budget.
        return value.for_api(base_url)
    if isinstance(value, tuple) and len(value) == 2:
        limit, period = value
        return RateLimiter(limit, period, clock=clock, quotas=quotas, max_wait=max_wait)
    raise UsageError(
        "rate_limit must be True (follow the X-Ratelimit headers), False (off), a "
        f"RateLimiter, or a fixed budget (limit, period_seconds); got {redact_repr(value)}"
    )


def _env(name: str | None) -> str | None:
    return (os.environ.get(name) or None) if name else None


def _auth(token: str | None, auth: object, profile: ApiProfile) -> Auth:
    if auth is not None and token is not None:
        raise UsageError(f"pass either {profile.credential_option}= or auth=, not both")
    if auth is None:
        token = token if token is not None else _env(profile.env_credentials)
        if token is None:
            raise UsageError(profile.missing_credentials())
        return profile.credentials(token)
    if not isinstance(auth, Auth):
        raise UsageError(
            "auth must provide `async apply(request, context)` (TokenAuth, "
            f"SingleUseAuth, OAuth2Auth...), got a {type(auth).__name__}"
        )
    return auth


@attrs.frozen
class SessionSettings:
    """Everything a session was configured with, resolved: defaults and environment applied.

    Build it with :meth:`from_options`; a session keeps one and never changes it.

    Attributes:
        base_url: The API root every path is joined onto (ends with ``/``).
        company: The company slug, when configured with one.
        profile: The API profile (Booqable v4 unless another was given).
        auth: The auth scheme.
        transport: The transport given, or ``None`` for the default one.
        max_concurrency: Requests in flight at once.
        limiter: The rate limiter, or ``None`` when rate limiting is off.
        clock: The time sources.
        timeout: The default per-attempt time limits.
        retry: The default retry policy.
        hooks: The hooks.
        logger: Where the session logs.
    """

    base_url: str
    company: str | None
    profile: ApiProfile
    auth: Auth
    transport: Transport | None
    max_concurrency: int
    limiter: RateLimiter | None
    clock: Clock
    timeout: Timeout
    retry: RetryPolicy
    hooks: Hooks
    logger: logging.Logger

    @classmethod
    def from_options(cls, options: SessionOptions) -> SessionSettings:
        """Resolve and check ``options``, reading the environment for what is missing.

        Raises:
            UsageError: A missing or invalid setting; the message says what to pass or
                which environment variable to set.
            TypeError: An option that does not exist (as for any unexpected keyword
                argument).
        """
        unknown = sorted(set(options) - set(SessionOptions.__optional_keys__))
        if unknown:
            raise TypeError(
                f"unexpected keyword argument(s) {', '.join(map(repr, unknown))}; the options "
                f"are {', '.join(sorted(SessionOptions.__optional_keys__))}"
            )
        profile = options.get("profile") or BOOQABLE_V4
        if not isinstance(profile, ApiProfile):
            raise UsageError(
                f"profile must be a booqable_async.profile.ApiProfile, got a "
                f"{type(profile).__name__}"
            )
        company = options.get("company")
        base_url = options.get("base_url")
        if company is None and base_url is None:
            base_url = _env(profile.env_base_url)
            if base_url is None:
                company = _env(profile.env_company)
            if company is None and base_url is None and profile.urls.needs_company:
                raise UsageError(profile.missing_company())
        root = profile.urls.resolve(
            company=company, base_url=base_url, api_version=options.get("api_version")
        )
        auth = _auth(options.get("token"), options.get("auth"), profile)
        transport = options.get("transport")
        if transport is not None and not isinstance(transport, Transport):
            raise UsageError(
                f"transport must implement the Transport protocol, got {type(transport).__name__}"
            )
        clock = options.get("clock") or SYSTEM_CLOCK
        if not isinstance(clock, Clock):
            raise UsageError(
                f"clock must be a booqable_async.clock.Clock, got a {type(clock).__name__}"
            )
        return cls(
            base_url=root,
            company=company,
            profile=profile,
            auth=auth,
            transport=transport,
            max_concurrency=require_int(
                options.get("max_concurrency", _DEFAULT_MAX_CONCURRENCY),
                "max_concurrency",
                minimum=1,
            ),
            limiter=_limiter(options.get("rate_limit", True), clock, profile, root),
            clock=clock,
            timeout=as_timeout(options.get("timeout", _DEFAULT_TIMEOUT)),
            retry=_retry(options.get("retry")),
            hooks=Hooks.coerce(options.get("hooks")),
            logger=_logger(options.get("logger")),
        )

    def evolve(self, options: CallOptions) -> SessionSettings:
        """Return these settings with the given per-call options changed.

        Raises:
            UsageError: An option ``with_options()`` does not take (one that owns a
                resource, such as ``transport`` or ``rate_limit``), or an invalid value.
        """
        allowed = CallOptions.__optional_keys__
        refused = sorted(set(options) - set(allowed))
        if refused:
            raise UsageError(
                f"with_options() takes only {', '.join(sorted(allowed))}; "
                f"{', '.join(refused)} belong(s) to the client: create another client instead"
            )
        return attrs.evolve(
            self,
            timeout=as_timeout(options["timeout"]) if "timeout" in options else self.timeout,
            retry=_retry(options["retry"]) if "retry" in options else self.retry,
            hooks=Hooks.coerce(options["hooks"]) if "hooks" in options else self.hooks,
            logger=_logger(options["logger"]) if "logger" in options else self.logger,
        )
