"""RetryPolicy: which failed requests are tried again, and how long to wait in between.

The rules (docs/retries.md) follow from Booqable having no idempotency keys:

* 429 and 503 answers, and transport failures that happened before the request could
  reach the server (``request_sent=False``: connect errors and timeouts), are retried for
  every method: the server did not act on the request.
* 500, 502, 504 answers, read timeouts, resets and protocol errors after sending are
  retried only for the idempotent methods GET, HEAD, OPTIONS, PUT and DELETE.
* A POST (or PATCH) that may have reached the server is never retried; the error raised
  says the write may or may not have happened (``error.write_outcome_unknown``).

Waits honour ``Retry-After`` (seconds or an HTTP date) up to ``max_wait``; a longer demand
raises at once instead of sleeping. Without it the wait is exponential backoff with full
jitter. The policy is a plain value: tenacity's ``AsyncRetrying`` runs the loop with the
retry, wait and stop strategies built from it, on the time and randomness of the
:class:`~booqable_async.clock.Clock` the caller (the session) owns, so tests never sleep.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Awaitable, Callable
from datetime import datetime, timezone
from typing import Any, TypeVar, cast

import attrs
import tenacity

from booqable_async._redact import redact_repr
from booqable_async._validation import is_int, is_number
from booqable_async.clock import SYSTEM_CLOCK, Clock
from booqable_async.errors import (
    ApiError,
    BooqableError,
    ResponseTooLarge,
    TLSError,
    TransportError,
    UsageError,
)
from booqable_async.protocol import parse_retry_after

__all__ = ["IDEMPOTENT_METHODS", "OnRetry", "RetryDecision", "RetryPolicy"]

_T = TypeVar("_T")

#: Methods that may be repeated without changing the outcome (RFC 9110 §9.2.2).
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
#: Methods that never write: their failures never leave a write outcome open.
_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: Statuses that mean "the server did not act on this request; try again later".
_RETRY_ALWAYS_STATUSES = frozenset({429, 503})
#: Statuses worth repeating when repeating is harmless (gateway and transient failures).
_RETRY_IDEMPOTENT_STATUSES = frozenset({500, 502, 504})
#: 5xx statuses that say the server refused the request without acting on it.
_NOT_ACTED_STATUSES = frozenset({501, 503, 505})

_LOGGER = logging.getLogger("booqable_async.retry")

#: Called before each retry sleep with (decision, the error, the attempt that failed).
OnRetry = Callable[["RetryDecision", BaseException, int], Awaitable[None]]


def _positive_int(instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    if not is_int(value) or value < 1:
        raise UsageError(
            f"RetryPolicy.{attribute.name} must be an integer >= 1, got {redact_repr(value)}"
        )


def _non_negative(instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not is_number(value) or not value >= 0:
        raise UsageError(
            f"RetryPolicy.{attribute.name} must be a number >= 0, got {redact_repr(value)}"
        )


@attrs.frozen
class RetryDecision:
    """What the policy decided about one failed attempt, and why.

    Attributes:
        retry: True to try again after :attr:`wait` seconds.
        wait: Seconds to sleep before the next attempt (``0.0`` when not retrying).
        reason: Human-readable reason, logged at DEBUG and handed to ``on_retry`` hooks.
        server_may_have_acted: True when the failed attempt may have been acted on (see
            :func:`may_have_reached_server`).
    """

    retry: bool
    wait: float
    reason: str
    server_may_have_acted: bool = False


def may_have_reached_server(error: BaseException) -> bool:
    """Return True when ``error`` leaves open whether the server acted on the request.

    Args:
        error: The exception one attempt raised.

    Returns:
        True for transport failures after sending and for 5xx answers other than 501, 503
        and 505 (a 500 may come after the write was committed); False when the server
        clearly did not act (4xx, 503, a connect failure).
    """
    if isinstance(error, TransportError):
        return error.request_sent
    if isinstance(error, ApiError):
        return error.status >= 500 and error.status not in _NOT_ACTED_STATUSES
    return False


def _describe(error: BaseException) -> str:
    if isinstance(error, ApiError):
        return f"HTTP {error.status}"
    if isinstance(error, TransportError):
        sent = "after sending" if error.request_sent else "before sending"
        return f"{type(error).__name__} {sent}"
    return type(error).__name__


def _failure(state: tenacity.RetryCallState) -> BaseException:
    # stop, wait and before_sleep only run once the retry strategy accepted a failure.
    outcome = state.outcome
    assert outcome is not None
    error = outcome.exception()
    assert error is not None
    return error


@attrs.frozen
class RetryPolicy:
    """How failed requests are retried (docs/retries.md); an immutable value, safe to share.

    The policy holds no clock, sleep or randomness: the session that runs it supplies its
    :class:`~booqable_async.clock.Clock`.

    Example::

        RetryPolicy(max_attempts=3, max_wait=10.0)
        RetryPolicy.never()          # one attempt, no retries

    Attributes:
        max_attempts: Attempts in total, the first included (``1`` disables retries).
        max_wait: Longest ``Retry-After`` we agree to sleep; a longer demand raises the
            error (a ``RateLimited`` carrying ``retry_after``) instead of sleeping.
        backoff_base: First backoff step in seconds when the server gave no
            ``Retry-After``; step ``n`` is ``min(backoff_cap, backoff_base * 2**(n-1))``.
        backoff_cap: Largest backoff step in seconds.
    """

    max_attempts: int = attrs.field(default=5, validator=_positive_int)
    max_wait: float = attrs.field(default=60.0, validator=_non_negative)
    backoff_base: float = attrs.field(default=0.5, validator=_non_negative)
    backoff_cap: float = attrs.field(default=30.0, validator=_non_negative)

    @classmethod
    def never(cls) -> RetryPolicy:
        """Return a policy that makes exactly one attempt."""
        return cls(max_attempts=1)

    # -- the decisions, each a pure function of its inputs ------------------------------

    def backoff(self, attempt: int, *, clock: Clock = SYSTEM_CLOCK) -> float:
        """Return the full-jitter backoff after failed attempt number ``attempt`` (1-based).

        Args:
            attempt: The attempt that failed.
            clock: Supplies the randomness (``clock.random()``, in ``[0, 1)``).
        """
        step = min(self.backoff_cap, self.backoff_base * 2.0 ** min(attempt - 1, 62))
        return clock.random() * step

    def retry_after(self, error: BaseException, *, clock: Clock = SYSTEM_CLOCK) -> float | None:
        """Return the seconds the server asked to wait before repeating, if it said.

        Args:
            error: What the attempt raised; only an ``ApiError`` can carry ``Retry-After``.
            clock: Its wall clock turns an HTTP-date ``Retry-After`` into a delay.
        """
        if not isinstance(error, ApiError):
            return None
        if error.retry_after is not None:
            return float(error.retry_after)
        # An error built by hand (not by the protocol layer) may carry only the header.
        if error.headers is None:
            return None
        now = datetime.fromtimestamp(clock.wall(), timezone.utc)
        return parse_retry_after(error.headers.get("Retry-After"), now=now)

    def refusal(self, method: str, error: BaseException) -> str | None:
        """Return why a failure of this kind is never retried for ``method``, else ``None``.

        Args:
            method: HTTP method of the request (upper case).
            error: What the attempt raised.
        """
        what = _describe(error)
        if isinstance(error, ApiError):
            if error.status in _RETRY_ALWAYS_STATUSES:
                return None
            if error.status in _RETRY_IDEMPOTENT_STATUSES:
                if method in IDEMPOTENT_METHODS:
                    return None
                return (
                    f"{what} after the request reached the server; {method} is not "
                    "idempotent, so it is never retried blindly"
                )
            return f"{what} is not retried"
        if isinstance(error, (TLSError, ResponseTooLarge)):
            # Certificate problems and oversized answers do not heal by repeating.
            return f"{what} is not retried"
        if isinstance(error, TransportError):
            if not error.request_sent or method in IDEMPOTENT_METHODS:
                return None
            return (
                f"{what}: the request may have reached the server; {method} is not "
                "idempotent, so it is never retried blindly"
            )
        return f"{what} is not retried"

    def _stop_reason(self, error: BaseException, attempt: int, clock: Clock) -> str | None:
        # Why a retryable failure is not retried after all: out of attempts, or the
        # server asked for a longer wait than we accept.
        what = _describe(error)
        if attempt >= self.max_attempts:
            return f"{what}; giving up after {attempt} attempt(s)"
        wait = self.retry_after(error, clock=clock)
        if wait is not None and wait > self.max_wait:
            return (
                f"{what}; the server asked to wait {wait:g} s, more than "
                f"max_wait={self.max_wait:g} s"
            )
        return None

    def _wait(self, error: BaseException, attempt: int, clock: Clock) -> float:
        wait = self.retry_after(error, clock=clock)
        return self.backoff(attempt, clock=clock) if wait is None else wait

    def _retry_reason(self, method: str, error: BaseException, wait: float, clock: Clock) -> str:
        what = _describe(error)
        if isinstance(error, TransportError) and not error.request_sent:
            why = "the request never reached the server"
        elif isinstance(error, ApiError) and error.status in _RETRY_ALWAYS_STATUSES:
            why = "the server did not act on it"
        else:
            why = f"{method} is idempotent"
        if self.retry_after(error, clock=clock) is not None:
            return f"{what} ({why}); waiting {wait:g} s as Retry-After asks"
        return f"{what} ({why}); backing off {wait:.3f} s"

    def decide(
        self, method: str, error: BaseException, attempt: int, *, clock: Clock = SYSTEM_CLOCK
    ) -> RetryDecision:
        """Decide whether to retry after attempt number ``attempt`` failed with ``error``.

        The same rules :meth:`run` applies through tenacity, as one value (for tables,
        logs and hooks).

        Args:
            method: HTTP method of the request (any case).
            error: What the attempt raised.
            attempt: 1-based number of the attempt that failed.
            clock: Supplies the jitter and the wall clock for ``Retry-After`` dates.

        Returns:
            The decision with its wait and reason.
        """
        method = method.upper()
        acted = may_have_reached_server(error)
        reason = self.refusal(method, error) or self._stop_reason(error, attempt, clock)
        if reason is not None:
            return RetryDecision(False, 0.0, reason, acted)
        wait = self._wait(error, attempt, clock)
        return RetryDecision(True, wait, self._retry_reason(method, error, wait, clock), acted)

    # -- running -----------------------------------------------------------------------

    async def run(
        self,
        method: str,
        attempt: Callable[[int], Awaitable[_T]],
        *,
        clock: Clock = SYSTEM_CLOCK,
        on_retry: OnRetry | None = None,
        logger: logging.Logger | None = None,
    ) -> _T:
        """Run ``attempt(n)`` until it succeeds or this policy gives up.

        The first attempt runs directly: the happy path pays nothing for the retry
        machinery. After a failure, tenacity's ``AsyncRetrying`` (see :meth:`retrying`)
        takes over from that outcome.

        Args:
            method: HTTP method, for the rules.
            attempt: Makes attempt number ``n`` (1-based) and returns its result.
            clock: Sleeps between attempts, and supplies the jitter and wall clock.
            on_retry: Awaited before each retry sleep (hooks).
            logger: Where decisions are logged at DEBUG.

        Returns:
            The first successful attempt's result.

        Raises:
            BooqableError: The last attempt's error when the policy gives up; for writes
                that may have reached the server it has ``write_outcome_unknown=True``.
        """
        try:
            return await attempt(1)
        except BooqableError:
            first = sys.exc_info()
        method = method.upper()
        log = logger or _LOGGER
        retrying = self.retrying(method, clock=clock, on_retry=on_retry, logger=log)
        retrying.begin()
        # tenacity's own loop (what ``AsyncRetrying.__call__`` does), entered with the
        # first attempt's outcome instead of making that attempt again.
        state = tenacity.RetryCallState(retrying, fn=None, args=(), kwargs={})
        state.set_exception(cast(Any, first))
        try:
            while True:
                action = await retrying.iter(state)
                if isinstance(action, tenacity.DoAttempt):
                    try:
                        result = await attempt(state.attempt_number)
                    except BaseException:
                        state.set_exception(cast(Any, sys.exc_info()))
                    else:
                        state.set_result(result)
                elif isinstance(action, tenacity.DoSleep):
                    state.prepare_for_next_attempt()
                    await clock.sleep(action)
                else:
                    return cast(_T, action)
        except BooqableError as error:
            self._give_up(method, error, state.attempt_number, clock, log)
            raise

    def retrying(
        self,
        method: str,
        *,
        clock: Clock = SYSTEM_CLOCK,
        on_retry: OnRetry | None = None,
        logger: logging.Logger | None = None,
    ) -> tenacity.AsyncRetrying:
        """Return a tenacity ``AsyncRetrying`` that applies this policy to ``method``.

        Its ``retry`` strategy refuses what :meth:`refusal` refuses, ``stop`` ends after
        ``max_attempts`` or on a ``Retry-After`` over ``max_wait``, ``wait`` honours
        ``Retry-After`` or backs off with full jitter, ``before_sleep`` logs and calls
        ``on_retry``, and the last error is re-raised as it is. A new object per call:
        tenacity keeps per-run state on it.

        Args:
            method: HTTP method of the request (upper case).
            clock: Sleeps between attempts, and supplies the jitter and wall clock.
            on_retry: Awaited before each retry sleep.
            logger: Where retries are logged at DEBUG.
        """
        log = logger or _LOGGER

        def retryable(error: BaseException) -> bool:
            return self.refusal(method, error) is None

        def stop(state: tenacity.RetryCallState) -> bool:
            return self._stop_reason(_failure(state), state.attempt_number, clock) is not None

        def wait(state: tenacity.RetryCallState) -> float:
            return self._wait(_failure(state), state.attempt_number, clock)

        async def before_sleep(state: tenacity.RetryCallState) -> None:
            error = _failure(state)
            number = state.attempt_number
            waiting = state.upcoming_sleep
            decision = RetryDecision(
                True,
                waiting,
                self._retry_reason(method, error, waiting, clock),
                may_have_reached_server(error),
            )
            log.debug("retrying %s (attempt %d failed): %s", method, number, decision.reason)
            if on_retry is not None:
                await on_retry(decision, error, number)

        return tenacity.AsyncRetrying(
            sleep=clock.sleep,
            retry=tenacity.retry_if_exception(retryable),
            stop=stop,
            wait=wait,
            before_sleep=before_sleep,
            reraise=True,
        )

    def _give_up(
        self,
        method: str,
        error: BooqableError,
        attempt: int,
        clock: Clock,
        log: logging.Logger,
    ) -> None:
        decision = self.decide(method, error, attempt, clock=clock)
        log.debug("not retrying %s (attempt %d failed): %s", method, attempt, decision.reason)
        if decision.server_may_have_acted and method not in _READ_METHODS:
            error.mark_write_outcome_unknown(method)
