"""RetryPolicy: which failed requests are tried again, and how long to wait in between.

The rules implement DESIGN §5, because Booqable has no idempotency keys:

* 429 and 503 answers, and transport failures that happened before the request could
  reach the server (``request_sent=False``: connect errors and timeouts), are retried for
  every method: the server did not act on the request.
* 500, 502, 504 answers, read timeouts, resets and protocol errors after sending are
  retried only for the idempotent methods GET, HEAD, OPTIONS, PUT and DELETE.
* A POST (or PATCH) that may have reached the server is never retried; the error raised
  says the write may or may not have happened (``error.write_outcome_unknown``).

Waits honour ``Retry-After`` (seconds or an HTTP date) up to ``max_wait``; a longer demand
raises at once instead of sleeping. Without it the wait is exponential backoff with full
jitter. tenacity's ``AsyncRetrying`` drives the loop; the sleep, the wall clock and the
randomness are injectable so tests never sleep.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timezone
from typing import TypeVar

import attrs
import tenacity
from tenacity.stop import stop_after_attempt

from booqable_async.errors import (
    ApiError,
    BooqableError,
    ResponseTooLarge,
    TLSError,
    TransportError,
    UsageError,
)
from booqable_async.protocol import parse_retry_after

__all__ = ["IDEMPOTENT_METHODS", "RetryDecision", "RetryPolicy"]

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

Sleep = Callable[[float], Awaitable[None]]
#: Called before each retry sleep with (decision, the error, the attempt that failed).
OnRetry = Callable[["RetryDecision", BaseException, int], Awaitable[None]]


def _positive_int(instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise UsageError(f"RetryPolicy.{attribute.name} must be an integer >= 1, got {value!r}")


def _non_negative(instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
        raise UsageError(f"RetryPolicy.{attribute.name} must be a number >= 0, got {value!r}")


@attrs.frozen
class RetryDecision:
    """What the policy decided about one failed attempt, and why.

    Attributes:
        retry: True to try again after :attr:`wait` seconds.
        wait: Seconds to sleep before the next attempt (``0.0`` when not retrying).
        reason: Human-readable reason, logged at DEBUG and handed to ``on_retry`` hooks.
        may_have_reached_server: True when the failed attempt may have been acted on.
    """

    retry: bool
    wait: float
    reason: str
    may_have_reached_server: bool = False


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
    sent = " after sending" if getattr(error, "request_sent", False) else " before sending"
    return f"{type(error).__name__}{sent if isinstance(error, TransportError) else ''}"


def _system_sleep(seconds: float) -> Awaitable[None]:
    return asyncio.sleep(seconds)


@attrs.frozen
class RetryPolicy:
    """How failed requests are retried (DESIGN §5); immutable, safe to share.

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
        sleep: Async sleep to use; ``None`` uses the session's (``asyncio.sleep``).
        clock: Wall clock in epoch seconds, used to turn a ``Retry-After`` HTTP date into a
            delay; ``None`` uses ``time.time``.
        random: Returns a float in ``[0, 1)``; full jitter multiplies each backoff step by
            it. ``None`` uses ``random.random``.
    """

    max_attempts: int = attrs.field(default=5, validator=_positive_int)
    max_wait: float = attrs.field(default=60.0, validator=_non_negative)
    backoff_base: float = attrs.field(default=0.5, validator=_non_negative)
    backoff_cap: float = attrs.field(default=30.0, validator=_non_negative)
    sleep: Sleep | None = attrs.field(default=None, eq=False, repr=False)
    clock: Callable[[], float] | None = attrs.field(default=None, eq=False, repr=False)
    random: Callable[[], float] | None = attrs.field(default=None, eq=False, repr=False)

    @classmethod
    def never(cls) -> RetryPolicy:
        """Return a policy that makes exactly one attempt."""
        return cls(max_attempts=1)

    def backoff(self, attempt: int) -> float:
        """Return the full-jitter backoff after failed attempt number ``attempt`` (1-based)."""
        step = min(self.backoff_cap, self.backoff_base * 2.0 ** min(attempt - 1, 62))
        rand = self.random() if self.random is not None else random.random()  # noqa: S311
        return rand * step

    def _retry_after(self, error: BaseException) -> float | None:
        value = getattr(error, "retry_after", None)
        if isinstance(value, (int, float)):
            return float(value)
        # A 503 from the protocol layer may not carry it parsed: read the header.
        headers = error.headers if isinstance(error, ApiError) else None
        if headers is None:
            return None
        epoch = self.clock() if self.clock is not None else time.time()
        return parse_retry_after(
            headers.get("Retry-After"), now=datetime.fromtimestamp(epoch, timezone.utc)
        )

    def decide(self, method: str, error: BaseException, attempt: int) -> RetryDecision:
        """Decide whether to retry after attempt number ``attempt`` failed with ``error``.

        Pure apart from the injected randomness; the table test drives it directly.

        Args:
            method: HTTP method of the request (any case).
            error: What the attempt raised.
            attempt: 1-based number of the attempt that failed.

        Returns:
            The decision with its wait and reason.
        """
        method = method.upper()
        reached = may_have_reached_server(error)
        what = _describe(error)
        if not isinstance(error, BooqableError):
            return RetryDecision(False, 0.0, f"{type(error).__name__} is not retried", reached)
        if isinstance(error, ApiError):
            if error.status in _RETRY_ALWAYS_STATUSES:
                why = "the server did not act on it"
            elif error.status in _RETRY_IDEMPOTENT_STATUSES:
                if method not in IDEMPOTENT_METHODS:
                    return RetryDecision(
                        False,
                        0.0,
                        f"{what} after the request reached the server; {method} is not "
                        "idempotent, so it is never retried blindly",
                        reached,
                    )
                why = f"{method} is idempotent"
            else:
                return RetryDecision(False, 0.0, f"{what} is not retried", reached)
        elif isinstance(error, (TLSError, ResponseTooLarge)):
            # Certificate problems and oversized answers do not heal by repeating.
            return RetryDecision(False, 0.0, f"{what} is not retried", reached)
        elif isinstance(error, TransportError):
            if not error.request_sent:
                why = "the request never reached the server"
            elif method in IDEMPOTENT_METHODS:
                why = f"{method} is idempotent"
            else:
                return RetryDecision(
                    False,
                    0.0,
                    f"{what}: the request may have reached the server; {method} is not "
                    "idempotent, so it is never retried blindly",
                    reached,
                )
        else:
            return RetryDecision(False, 0.0, f"{what} is not retried", reached)

        if attempt >= self.max_attempts:
            return RetryDecision(
                False, 0.0, f"{what}; giving up after {attempt} attempt(s)", reached
            )
        retry_after = self._retry_after(error) if isinstance(error, ApiError) else None
        if retry_after is not None:
            if retry_after > self.max_wait:
                return RetryDecision(
                    False,
                    0.0,
                    f"{what}; the server asked to wait {retry_after:g} s, more than "
                    f"max_wait={self.max_wait:g} s",
                    reached,
                )
            return RetryDecision(
                True,
                retry_after,
                f"{what} ({why}); waiting {retry_after:g} s as Retry-After asks",
                reached,
            )
        wait = self.backoff(attempt)
        return RetryDecision(True, wait, f"{what} ({why}); backing off {wait:.3f} s", reached)

    async def run(
        self,
        method: str,
        attempt: Callable[[int], Awaitable[_T]],
        *,
        sleep: Sleep | None = None,
        on_retry: OnRetry | None = None,
        logger: logging.Logger | None = None,
    ) -> _T:
        """Run ``attempt(n)`` until it succeeds or this policy gives up.

        The first attempt runs directly (no retry machinery on the happy path); after a
        failure, tenacity's ``AsyncRetrying`` takes over, replaying that first outcome.

        Args:
            method: HTTP method, for the rules.
            attempt: Makes attempt number ``n`` (1-based) and returns its result.
            sleep: Sleep to use when the policy has none of its own.
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
        except BooqableError as exc:
            first: BooqableError = exc
        log = logger or _LOGGER
        decision = self.decide(method, first, 1)
        if not decision.retry:
            self._give_up(method, first, 1, decision, log)
            raise first
        sleeper = self.sleep or sleep or _system_sleep
        state: dict[str, RetryDecision] = {"decision": decision}

        def should_retry(retry_state: tenacity.RetryCallState) -> bool:
            outcome = retry_state.outcome
            if outcome is None or not outcome.failed:
                return False
            error = outcome.exception()
            assert error is not None
            number = retry_state.attempt_number
            if number > 1:  # the first decision was made above
                state["decision"] = self.decide(method, error, number)
            current = state["decision"]
            if not current.retry:
                self._give_up(method, error, number, current, log)
            return current.retry

        async def before_sleep(retry_state: tenacity.RetryCallState) -> None:
            current = state["decision"]
            number = retry_state.attempt_number
            log.debug("retrying %s (attempt %d failed): %s", method, number, current.reason)
            if on_retry is not None:
                assert retry_state.outcome is not None
                error = retry_state.outcome.exception()
                assert error is not None
                await on_retry(current, error, number)

        retrying = tenacity.AsyncRetrying(
            sleep=sleeper,
            stop=stop_after_attempt(self.max_attempts),
            wait=lambda _state: state["decision"].wait,
            retry=should_retry,
            before_sleep=before_sleep,
            reraise=True,
        )
        async for attempt_manager in retrying:
            with attempt_manager:
                number = attempt_manager.retry_state.attempt_number
                if number == 1:
                    raise first  # replay: tenacity accounts for the attempt made above
                return await attempt(number)
        raise AssertionError("unreachable: tenacity either returns or raises")  # pragma: no cover

    @staticmethod
    def _give_up(
        method: str,
        error: BaseException,
        attempt: int,
        decision: RetryDecision,
        log: logging.Logger,
    ) -> None:
        log.debug("not retrying %s (attempt %d failed): %s", method, attempt, decision.reason)
        if (
            decision.may_have_reached_server
            and method.upper() not in _READ_METHODS
            and isinstance(error, BooqableError)
        ):
            error.mark_write_outcome_unknown(method.upper())
