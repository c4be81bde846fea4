"""RateLimiter: space requests so a bulk job uses the company's budget without 429s.

Booqable answers every request with ``X-Ratelimit-Limit``, ``X-Ratelimit-Period`` and
``X-Ratelimit-Remaining`` (catalog ``global.rate_limit``: 50, 100 or 250 requests per 60 s
by plan) and sends neither a reset time nor ``Retry-After``. Without a reset time the
limiter cannot know where the server's window starts, so it keeps its own, stricter view:

* a **sliding log** of grants: never more than ``limit`` requests in any window of
  ``period * (1 + safety_margin)`` seconds (the margin absorbs latency differences between
  our clock and the server's), which stays inside the budget whether the server counts in
  fixed or sliding windows;
* **pacing** (GCRA, the "virtual scheduling" form of a token bucket): one request every
  ``window / limit`` seconds on average, with bursts of up to ``burst`` requests after a
  quiet spell, so a sustained job neither idles nor bunches up against the limit;
* the server's ``Remaining`` as a second opinion: when the server counted more requests
  than we sent (another integration spends the same budget), the difference enters the
  log as stand-ins dated now (they age out one window later), and while others are seen
  a tenth of the budget is left to them, so we take what is left without racing them
  for the last slots;
* a 429 **pauses the whole client** (every task waiting on this limiter) for
  ``Retry-After`` when given, else for an escalating ``interval * 2**(n-1)`` capped at one
  period.

Grants are reservations computed without awaiting, so any number of concurrent tasks
share one limiter with no lock, in FIFO order. Nothing is module-global: each session
owns its limiter (pass one instance to several sessions to make them share a budget).
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right, insort
from typing import TYPE_CHECKING, Any

import attrs

from booqable_async._redact import redact_repr
from booqable_async._validation import is_int, is_number
from booqable_async.clock import SYSTEM_CLOCK, Clock
from booqable_async.errors import UsageError
from booqable_async.protocol import RateLimit

if TYPE_CHECKING:
    from booqable_async._redis_ratelimit import RedisRateLimiter

__all__ = ["LimiterStats", "RateLimiter", "RedisRateLimiter"]

#: Grants remembered while the budget is unknown (Booqable plans allow at most 250/60 s).
_UNKNOWN_LIMIT_LOG = 1024


@attrs.frozen
class LimiterStats:
    """Counters describing what a limiter did so far (for metrics and benchmarks).

    Attributes:
        granted: Permits handed out.
        delayed: Permits that had to wait.
        waited: Total seconds spent waiting, summed over permits.
        rate_limited: 429 answers seen.
        limit: Requests per period currently assumed (``None`` until learned).
        period: Period in seconds currently assumed (``None`` until learned).
        paused_until: Clock time until which the client is paused after a 429.
    """

    granted: int
    delayed: int
    waited: float
    rate_limited: int
    limit: int | None
    period: float | None
    paused_until: float


class RateLimiter:
    """Proactive client-side rate limiter shared by every request of a session.

    Header-driven by default (learns the budget from responses); pass ``limit`` and
    ``period`` for a fixed budget of your own (to leave room for other integrations).

    Args:
        limit: Requests allowed per ``period``; with ``period``, fixes the budget: the
            rate-limit headers are then ignored (429s still pause the client).
        period: Length of the budget window in seconds.
        burst: Requests that may go out back to back after a quiet spell; ``None`` means
            a quarter of the limit.
        safety_margin: Fraction by which our window is longer than the server's, to absorb
            latency differences (``0.02`` keeps 98 % of the budget usable).
        clock: Its ``monotonic`` clock dates grants and pauses and its ``sleep`` waits. A
            session creating its limiter passes its own; give the same one to a limiter
            you pass to a session.

    Raises:
        UsageError: ``limit`` without ``period`` (or the reverse), or values out of range.
    """

    def __init__(
        self,
        limit: int | None = None,
        period: float | None = None,
        *,
        burst: int | None = None,
        safety_margin: float = 0.02,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        if (limit is None) != (period is None):
            raise UsageError(
                "RateLimiter needs both limit and period for a fixed budget "
                "(e.g. RateLimiter(limit=50, period=60)), or neither to follow the headers"
            )
        if limit is not None and not is_int(limit):
            raise UsageError(f"RateLimiter limit must be an integer >= 1, got {redact_repr(limit)}")
        if burst is not None and not is_int(burst):
            raise UsageError(f"RateLimiter burst must be an integer >= 1, got {redact_repr(burst)}")
        if not is_number(safety_margin) or not 0 <= safety_margin < 1:
            raise UsageError(
                f"RateLimiter safety_margin must be in [0, 1), got {redact_repr(safety_margin)}"
            )
        self._fixed = limit is not None
        self._burst_setting = burst
        self._margin = float(safety_margin)
        self._monotonic = clock.monotonic
        self._sleep = clock.sleep
        self._limit: int | None = None
        self._period: float | None = None
        self._window = 0.0
        self._interval = 0.0
        self._tolerance = 0.0
        # Sorted grant times (reservations may lie in the future) plus stand-ins for
        # requests others spent from the same budget. Unbounded only until the limit is
        # known; then it keeps the newest `limit` entries.
        self._log: list[float] = []
        self._tat = -math.inf  # GCRA theoretical arrival time
        self._in_flight = 0
        self._pause_until = -math.inf
        self._epoch = 0  # bumped by every new pause, so sleepers re-queue behind it
        self._consecutive_429 = 0
        self._shared_until = -math.inf  # until when others are known to share the budget
        self._granted = 0
        self._delayed = 0
        self._waited = 0.0
        self._rate_limited = 0
        if limit is not None and period is not None:
            self._configure(limit, period)

    def __repr__(self) -> str:
        mode = "fixed" if self._fixed else "headers"
        return f"RateLimiter({mode}, limit={self._limit}, period={self._period})"

    def for_api(self, base_url: str) -> RateLimiter:
        """Return the limiter a session whose API root is ``base_url`` uses.

        A plain limiter is one budget wherever it is used, so it returns itself: pass one
        instance to several sessions to make them share it. A limiter keyed by company
        (:class:`RedisRateLimiter`) returns the one for that company.
        """
        return self

    @property
    def stats(self) -> LimiterStats:
        """A snapshot of the counters and the budget currently assumed."""
        return LimiterStats(
            granted=self._granted,
            delayed=self._delayed,
            waited=self._waited,
            rate_limited=self._rate_limited,
            limit=self._limit,
            period=self._period,
            paused_until=self._pause_until,
        )

    def _configure(self, limit: int, period: float) -> None:
        if limit < 1 or not period > 0 or not math.isfinite(period):
            raise UsageError(
                "RateLimiter needs limit >= 1 and period > 0, got "
                f"{redact_repr(limit)} per {redact_repr(period)}"
            )
        burst = self._burst_setting if self._burst_setting is not None else max(1, limit // 4)
        if burst < 1:
            raise UsageError(f"RateLimiter burst must be >= 1, got {redact_repr(burst)}")
        self._limit = limit
        self._period = float(period)
        self._window = self._period * (1.0 + self._margin)
        self._interval = self._window / limit
        self._tolerance = (min(burst, limit) - 1) * self._interval
        # Keep what was granted before the budget was known, and replay it through the
        # pacing state so the requests already sent count against the new budget.
        self._trim(self._monotonic())
        tat = -math.inf
        for granted in self._log:
            tat = max(tat, granted) + self._interval
        self._tat = tat

    def _trim(self, now: float) -> None:
        # Entries that left the window can no longer decide a wait (future reservations
        # must stay: they count against the windows they will fall in).
        log = self._log
        if self._limit is not None and log and log[0] <= now - self._window:
            del log[: bisect_right(log, now - self._window)]

    def _reserve(self, now: float, *, paced: bool = True) -> float:
        when = max(now, self._pause_until)
        limit = self._limit
        if limit is not None:
            if paced:
                when = max(when, self._tat - self._tolerance)
            if self._shared_until > now:
                # Someone else spends this budget too: racing them for the last free
                # slots means 429s, so leave a tenth of the budget to them.
                limit = max(1, limit - max(1, limit // 10))
            if len(self._log) >= limit:
                edge = self._log[-limit] + self._window
                if edge > when:
                    when = edge
                    # Waiting on the log is not idle time: earn no burst credit from it,
                    # or a burst would echo one window later for ever.
                    self._tat = max(self._tat, when + self._tolerance)
            if paced:
                self._tat = max(self._tat, when) + self._interval
        insort(self._log, when)
        if limit is None and len(self._log) > _UNKNOWN_LIMIT_LOG:
            # No rate-limit headers seen (yet): keep only enough history to account for
            # the requests sent before the first answer teaches us the budget.
            del self._log[: len(self._log) - _UNKNOWN_LIMIT_LOG]
        self._trim(now)
        self._in_flight += 1
        return when

    def _still_valid(self, when: float, now: float) -> bool:
        # After a pause or new evidence of other consumers: does our slot still fit?
        if now < self._pause_until:
            return False
        if self._limit is None:
            return True
        newer = len(self._log) - bisect_right(self._log, when - self._window)
        return newer <= self._limit  # our own entry is among them

    def _cancel(self, when: float, *, paced: bool = True) -> None:
        self._in_flight = max(0, self._in_flight - 1)
        if paced and self._limit is not None:
            self._tat -= self._interval  # give the pacing slot back
        index = bisect_left(self._log, when)
        if index < len(self._log) and self._log[index] == when:
            del self._log[index]

    async def acquire(self) -> None:
        """Wait until one more request may be sent.

        Every ``acquire`` must be followed by one :meth:`complete`, whether the request
        got an answer or not.

        Raises:
            asyncio.CancelledError: When the waiting task is cancelled (the slot is freed).
        """
        waited = 0.0
        now = self._monotonic()
        when = self._reserve(now)
        while when > now:
            epoch = self._epoch
            try:
                await self._sleep(when - now)
            except BaseException:
                self._cancel(when)
                raise
            waited += when - now
            now = self._monotonic()
            if self._epoch != epoch and not self._still_valid(when, now):
                # A 429 paused the client, or other consumers showed up, while we slept.
                # The pacing slot was taken already: only the pause and the log apply now.
                self._cancel(when, paced=False)
                when = self._reserve(now, paced=False)
        self._granted += 1
        if waited > 0:
            self._delayed += 1
            self._waited += waited

    def complete(
        self,
        *,
        status: int | None = None,
        rate_limit: RateLimit | None = None,
        retry_after: float | None = None,
    ) -> None:
        """Report the outcome of a request sent after :meth:`acquire`.

        Args:
            status: The HTTP status, or ``None`` when no response arrived.
            rate_limit: The response's rate-limit headers, parsed.
            retry_after: Seconds from ``Retry-After``, when the response had one.
        """
        self._in_flight = max(0, self._in_flight - 1)
        if rate_limit is not None and not self._fixed:
            if rate_limit.limit != self._limit or rate_limit.period != self._period:
                self._configure(rate_limit.limit, rate_limit.period)
            if rate_limit.remaining is not None:
                # Also on a 429: Booqable's own 429s say Remaining 0 (the budget is spent,
                # wait for the window); a 429 whose headers show budget left has another
                # cause and only pauses the client (Retry-After or the escalating pause).
                self._account_others(rate_limit.limit - rate_limit.remaining)
            elif status == 429:
                self._account_others(rate_limit.limit)
        elif status == 429 and self._limit is not None and not self._fixed:
            self._account_others(self._limit)
        if status == 429:
            self._on_rate_limited(retry_after)
        elif status is not None:
            self._consecutive_429 = 0

    def _account_others(self, used: int) -> None:
        # The server counted `used` requests in its window when ours arrived. Ours (and
        # earlier stand-ins) in our window explain part of it; the rest was spent by
        # someone else sharing the company's budget. Record the rest as stand-ins dated
        # now: we cannot see when they were sent, and dating them late errs towards
        # fewer 429s (measured in benchmarks/bench_limiter.py).
        assert self._limit is not None
        # Everything granted up to now counts as ours, including requests still in transit
        # that the server may not have seen yet: it errs towards seeing fewer others.
        now = self._monotonic()
        low = bisect_right(self._log, now - self._window)
        high = bisect_right(self._log, now)
        missing = min(used, self._limit) - (high - low)
        if missing <= 0:
            return
        at = bisect_right(self._log, now)
        self._log[at:at] = [now] * missing
        self._shared_until = now + self._window
        self._epoch += 1

    def _on_rate_limited(self, retry_after: float | None) -> None:
        self._rate_limited += 1
        self._consecutive_429 += 1
        if retry_after is not None:
            pause = retry_after
        else:
            # No reset time is ever sent: wait one paced interval, doubling while 429s
            # keep coming, at most one period (by then a fresh window has started).
            interval = self._interval or 1.0
            period = self._period or 60.0
            pause = min(period, interval * 2.0 ** min(self._consecutive_429 - 1, 30))
        until = self._monotonic() + pause
        if until > self._pause_until:
            self._pause_until = until
            self._epoch += 1


def __getattr__(name: str) -> Any:
    # RedisRateLimiter needs redis (the ``workers`` extra): it is imported on first use, so
    # ``import booqable_async`` never loads redis.
    if name == "RedisRateLimiter":
        try:
            from booqable_async._redis_ratelimit import RedisRateLimiter
        except ImportError as exc:
            if exc.name not in ("redis", "redis.backoff", "redis.retry"):
                raise
            raise ImportError(
                "RedisRateLimiter needs the redis package: pip install 'booqable-async[workers]'"
            ) from exc
        return RedisRateLimiter
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
