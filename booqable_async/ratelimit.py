"""RateLimiter: space requests so a bulk job uses the API's budget without 429s.

Booqable answers every request with ``X-Ratelimit-Limit``, ``X-Ratelimit-Period`` and
``X-Ratelimit-Remaining`` (catalog ``global.rate_limit``: 50, 100 or 250 requests per 60 s
by plan) and sends neither a reset time nor ``Retry-After``. Without a reset time the
limiter cannot know where the server's window starts, so it keeps its own, stricter view
of every window it knows (one for Booqable; several at once for APIs that limit per
minute *and* per hour, docs/profiles.md):

* a **sliding log** of grants per window: never more than ``limit`` requests in any
  window of ``period * (1 + safety_margin)`` seconds (the margin absorbs latency
  differences between our clock and the server's), which stays inside the budget
  whether the server counts in fixed or sliding windows;
* **pacing** (GCRA, the "virtual scheduling" form of a token bucket) per rate window:
  one request every ``window / limit`` seconds on average, with bursts of up to
  ``burst`` requests after a quiet spell, so a sustained job neither idles nor bunches
  up against the limit;
* the server's ``Remaining`` as a second opinion: when the server counted more requests
  than we sent (another integration spends the same budget), the difference enters the
  window's log as stand-ins dated now (they age out one window later), and while others
  are seen a tenth of the budget is left to them, so we take what is left without racing
  them for the last slots;
* a 429 **pauses the whole client** (every task waiting on this limiter) for
  ``Retry-After`` when given, else for an escalating ``interval * 2**(n-1)`` capped at one
  period of the shortest window;
* **quotas** an API states but does not report (Beebole: 4,000 requests and 2,048 KB per
  day) are windows without pacing (a daily quota should not spread requests over the
  day); a request that could only go out after longer than ``max_wait`` raises
  :class:`~booqable_async.errors.QuotaExhausted` instead of sleeping for hours. A volume
  quota counts the bytes of requests and answers (:meth:`RateLimiter.record_transfer`)
  and admits a request while the period's volume is not spent.

Grants are reservations computed without awaiting, so any number of concurrent tasks
share one limiter with no lock, in FIFO order. Nothing is module-global: each session
owns its limiter (pass one instance to several sessions to make them share a budget).
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right, insort
from collections import deque
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

import attrs

from booqable_async._redact import redact_repr
from booqable_async._validation import is_int, is_number
from booqable_async.clock import SYSTEM_CLOCK, Clock
from booqable_async.errors import QuotaExhausted, UsageError
from booqable_async.protocol import RateLimit

if TYPE_CHECKING:
    from booqable_async._redis_ratelimit import RedisRateLimiter

__all__ = ["LimiterStats", "Quota", "RateLimiter", "RedisRateLimiter"]

#: Grants remembered while the budget is unknown (Booqable plans allow at most 250/60 s).
_UNKNOWN_LIMIT_LOG = 1024


def _quota_limit(instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    if not is_int(value) or value < 1:
        raise UsageError(f"Quota limit must be an integer >= 1, got {redact_repr(value)}")


def _quota_period(instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not is_number(value) or not value > 0 or not math.isfinite(value):
        raise UsageError(f"Quota period must be seconds > 0, got {redact_repr(value)}")


def _quota_unit(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    if value not in ("requests", "bytes"):
        raise UsageError(f"Quota unit must be 'requests' or 'bytes', got {redact_repr(value)}")


@attrs.frozen
class Quota:
    """A budget an API states but does not report in headers (a daily quota).

    Example: Beebole allows each user 4,000 requests and 2,048 KB a day::

        quotas = (Quota(4000, 86400), Quota(2048 * 1024, 86400, unit="bytes"))

    Attributes:
        limit: Requests (or bytes) allowed per period.
        period: The period in seconds.
        unit: ``"requests"`` or ``"bytes"`` (request and answer bodies counted).
    """

    limit: int = attrs.field(validator=_quota_limit)
    period: float = attrs.field(validator=_quota_period)
    unit: Literal["requests", "bytes"] = attrs.field(default="requests", validator=_quota_unit)


@attrs.frozen
class LimiterStats:
    """Counters describing what a limiter did so far (for metrics and benchmarks).

    Attributes:
        granted: Permits handed out.
        delayed: Permits that had to wait.
        waited: Total seconds spent waiting, summed over permits.
        rate_limited: 429 answers seen.
        limit: Requests per period of the shortest window (``None`` until learned).
        period: Period in seconds of the shortest window (``None`` until learned).
        paused_until: Clock time until which the client is paused after a 429.
        windows: ``(limit, period)`` of every request window known, shortest first.
        transferred: Bytes counted against volume quotas in their current period.
    """

    granted: int
    delayed: int
    waited: float
    rate_limited: int
    limit: int | None
    period: float | None
    paused_until: float
    windows: tuple[tuple[int, float], ...] = ()
    transferred: int = 0


class _Window:
    """One request budget: ``limit`` per ``period``, with its grant log and pacing state."""

    __slots__ = (
        "fixed",
        "interval",
        "limit",
        "log",
        "paced",
        "period",
        "shared_until",
        "tat",
        "tolerance",
        "window",
    )

    def __init__(self, *, paced: bool, fixed: bool) -> None:
        self.paced = paced
        self.fixed = fixed
        self.limit = 0
        self.period = 0.0
        self.window = 0.0
        self.interval = 0.0
        self.tolerance = 0.0
        # Sorted grant times (reservations may lie in the future) plus stand-ins for
        # requests others spent from the same budget; the newest `limit` are kept.
        self.log: list[float] = []
        self.tat = -math.inf  # GCRA theoretical arrival time
        self.shared_until = -math.inf  # until when others are known to share the budget

    def configure(
        self, limit: int, period: float, burst: int | None, margin: float, now: float
    ) -> None:
        if limit < 1 or not period > 0 or not math.isfinite(period):
            raise UsageError(
                "RateLimiter needs limit >= 1 and period > 0, got "
                f"{redact_repr(limit)} per {redact_repr(period)}"
            )
        burst = burst if burst is not None else max(1, limit // 4)
        if burst < 1:
            raise UsageError(f"RateLimiter burst must be >= 1, got {redact_repr(burst)}")
        self.limit = limit
        self.period = float(period)
        self.window = self.period * (1.0 + margin)
        self.interval = self.window / limit
        self.tolerance = (min(burst, limit) - 1) * self.interval
        # Keep what was granted before, and replay it through the pacing state so the
        # requests already sent count against the new budget.
        self.trim(now)
        tat = -math.inf
        if self.paced:
            for granted in self.log:
                tat = max(tat, granted) + self.interval
        self.tat = tat

    def trim(self, now: float) -> None:
        # Entries that left the window can no longer decide a wait (future reservations
        # must stay: they count against the windows they will fall in).
        log = self.log
        if log and log[0] <= now - self.window:
            del log[: bisect_right(log, now - self.window)]

    def full_until(self, now: float) -> float | None:
        """When the log admits one more grant, if it is full at ``now`` (else ``None``)."""
        if len(self.log) >= self.limit:
            edge = self.log[-self.limit] + self.window
            if edge > now:
                return edge
        return None

    def still_valid(self, when: float) -> bool:
        newer = len(self.log) - bisect_right(self.log, when - self.window)
        return newer <= self.limit  # our own entry is among them

    def remove(self, when: float) -> None:
        index = bisect_left(self.log, when)
        if index < len(self.log) and self.log[index] == when:
            del self.log[index]

    def account_others(self, used: int, now: float) -> bool:
        # The server counted `used` requests in its window when ours arrived. Ours (and
        # earlier stand-ins) in our window explain part of it; the rest was spent by
        # someone else sharing the budget. Record the rest as stand-ins dated now: we
        # cannot see when they were sent, and dating them late errs towards fewer 429s
        # (measured in benchmarks/bench_limiter.py). Everything granted up to now counts
        # as ours, including requests still in transit that the server may not have seen
        # yet: it errs towards seeing fewer others.
        log = self.log
        low = bisect_right(log, now - self.window)
        high = bisect_right(log, now)
        missing = min(used, self.limit) - (high - low)
        if missing <= 0:
            return False
        log[high:high] = [now] * missing
        self.shared_until = now + self.window
        return True


class _Volume:
    """A volume quota: bytes per period, counted after each exchange."""

    __slots__ = ("entries", "quota", "used")

    def __init__(self, quota: Quota) -> None:
        self.quota = quota
        self.entries: deque[tuple[float, int]] = deque()
        self.used = 0

    def trim(self, now: float) -> None:
        entries = self.entries
        while entries and entries[0][0] <= now - self.quota.period:
            self.used -= entries.popleft()[1]

    def earliest(self, now: float) -> float:
        # A request is admitted while the period's volume is not spent (its own size is
        # only known afterwards); otherwise when enough old traffic has aged out.
        self.trim(now)
        excess = self.used - self.quota.limit
        if excess < 0:
            return now
        for at, size in self.entries:
            excess -= size
            if excess < 0:
                return at + self.quota.period
        return now  # pragma: no cover - the loop always ends the excess


class RateLimiter:
    """Proactive client-side rate limiter shared by every request of a session.

    Header-driven by default (learns the budget from responses: one window, or several
    at once when the API reports per-minute and per-hour budgets); pass ``limit`` and
    ``period`` for a fixed budget of your own (to leave room for other integrations),
    and ``quotas`` for budgets the API states but never reports.

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
        quotas: Fixed budgets without pacing (daily request or volume quotas).
        max_wait: Longest a quota may make a request wait; beyond it ``acquire()``
            raises :class:`~booqable_async.errors.QuotaExhausted` (``None``: wait as
            long as it takes). Rate windows always wait: they free up within a period.

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
        quotas: Sequence[Quota] = (),
        max_wait: float | None = None,
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
        if max_wait is not None and (not is_number(max_wait) or max_wait < 0):
            raise UsageError(
                f"RateLimiter max_wait must be seconds >= 0 or None, got {redact_repr(max_wait)}"
            )
        if isinstance(quotas, Quota) or not all(isinstance(q, Quota) for q in quotas):
            raise UsageError("RateLimiter quotas must be a sequence of Quota values")
        self._fixed = limit is not None
        self._burst_setting = burst
        self._margin = float(safety_margin)
        self._max_wait = max_wait
        self._monotonic = clock.monotonic
        self._sleep = clock.sleep
        now = self._monotonic()
        # Rate windows, shortest period first: fixed, or learned from headers by period.
        self._rates: list[_Window] = []
        # Windows every grant is checked against: rate windows and request quotas.
        self._windows: tuple[_Window, ...] = ()
        self._quotas: tuple[_Window, ...] = ()
        for quota in quotas:
            if quota.unit == "requests":
                window = _Window(paced=False, fixed=True)
                # The margin absorbs latency between the clocks; a day does not need
                # 2 % of itself for that, a minute at most.
                margin = min(self._margin, 60.0 / quota.period)
                window.configure(quota.limit, quota.period, quota.limit, margin, now)
                self._quotas += (window,)
        self._volumes = tuple(_Volume(q) for q in quotas if q.unit == "bytes")
        # Grants made while no rate window is known, replayed into the first one learned.
        self._history: list[float] = []
        self._in_flight = 0
        self._pause_until = -math.inf
        self._epoch = 0  # bumped by every new pause, so sleepers re-queue behind it
        self._consecutive_429 = 0
        self._granted = 0
        self._delayed = 0
        self._waited = 0.0
        self._rate_limited = 0
        if limit is not None and period is not None:
            self._window_for(limit, float(period), fixed=True)
        self._index()

    def __repr__(self) -> str:
        mode = "fixed" if self._fixed else "headers"
        primary = self._rates[0] if self._rates else None
        text = (
            f"RateLimiter({mode}, limit={primary.limit if primary else None}, "
            f"period={primary.period if primary else None}"
        )
        if len(self._rates) > 1:
            text += ", also=" + ", ".join(f"{w.limit}/{w.period:g} s" for w in self._rates[1:])
        for window in self._quotas:
            text += f", quota {window.limit} requests/{window.period:g} s"
        for volume in self._volumes:
            text += f", quota {volume.quota.limit} bytes/{volume.quota.period:g} s"
        return text + ")"

    @property
    def counts_volume(self) -> bool:
        """True when a volume quota needs :meth:`record_transfer` after each exchange."""
        return bool(self._volumes)

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
        primary = self._rates[0] if self._rates else None
        now = self._monotonic()
        for volume in self._volumes:
            volume.trim(now)
        return LimiterStats(
            granted=self._granted,
            delayed=self._delayed,
            waited=self._waited,
            rate_limited=self._rate_limited,
            limit=primary.limit if primary else None,
            period=primary.period if primary else None,
            paused_until=self._pause_until,
            windows=tuple((w.limit, w.period) for w in (*self._rates, *self._quotas)),
            transferred=sum(v.used for v in self._volumes),
        )

    def _index(self) -> None:
        self._windows = (*self._rates, *self._quotas)

    def _window_for(self, limit: int, period: float, *, fixed: bool = False) -> _Window:
        # The rate window of this period, created (and filled with what was granted
        # already) the first time it is reported, reconfigured when its limit changes.
        now = self._monotonic()
        for window in self._rates:
            if window.period == period:
                if window.limit != limit:
                    window.configure(limit, period, self._burst_setting, self._margin, now)
                return window
        window = _Window(paced=True, fixed=fixed)
        # A window learned later starts from the longest log known (the recent past).
        source = max(self._rates, key=lambda w: w.period).log if self._rates else self._history
        window.log = list(source)
        self._history = []
        window.configure(limit, period, self._burst_setting, self._margin, now)
        self._rates.append(window)
        self._rates.sort(key=lambda w: w.period)
        self._index()
        return window

    def _reserve(self, now: float, *, paced: bool = True) -> float:
        # Written out rather than split into _Window methods: it runs once per request.
        pause_until = self._pause_until
        when = pause_until if pause_until > now else now
        log_bound = False
        windows = self._windows
        for window in windows:
            if paced and window.paced:
                earliest = window.tat - window.tolerance
                if earliest > when:
                    when = earliest
            limit = window.limit
            if window.shared_until > now:
                # Someone else spends this budget too: racing them for the last free
                # slots means 429s, so leave a tenth of the budget to them.
                limit = max(1, limit - max(1, limit // 10))
            log = window.log
            if len(log) >= limit:
                edge = log[-limit] + window.window
                if edge > when:
                    when = edge
                    log_bound = True
        for volume in self._volumes:
            when = max(when, volume.earliest(now))
        if self._max_wait is not None and when - now > self._max_wait:
            self._check_quota_wait(now)
        for window in windows:
            if window.paced:
                if log_bound:
                    # Waiting on a log is not idle time: earn no burst credit from it,
                    # or a burst would echo one window later for ever.
                    window.tat = max(window.tat, when + window.tolerance)
                if paced:
                    window.tat = max(window.tat, when) + window.interval
            log = window.log
            insort(log, when)
            # Entries that left the window can no longer decide a wait (future
            # reservations must stay: they count against the windows they fall in).
            if log[0] <= now - window.window:
                del log[: bisect_right(log, now - window.window)]
        if not windows:
            # No rate-limit headers seen (yet): keep only enough history to account for
            # the requests sent before the first answer teaches us the budget.
            insort(self._history, when)
            if len(self._history) > _UNKNOWN_LIMIT_LOG:
                del self._history[: len(self._history) - _UNKNOWN_LIMIT_LOG]
        self._in_flight += 1
        return when

    def _check_quota_wait(self, now: float) -> None:
        # A wait longer than max_wait: raise when a quota (not a rate window) causes it.
        assert self._max_wait is not None
        for window in self._quotas:
            edge = window.full_until(now)
            if edge is not None and edge - now > self._max_wait:
                raise QuotaExhausted(
                    limit=window.limit,
                    period=window.period,
                    unit="requests",
                    retry_after=edge - now,
                )
        for volume in self._volumes:
            edge = volume.earliest(now)
            if edge - now > self._max_wait:
                quota = volume.quota
                raise QuotaExhausted(
                    limit=quota.limit, period=quota.period, unit="bytes", retry_after=edge - now
                )

    def _still_valid(self, when: float, now: float) -> bool:
        # After a pause or new evidence of other consumers: does our slot still fit?
        if now < self._pause_until:
            return False
        return all(window.still_valid(when) for window in self._windows)

    def _cancel(self, when: float, *, paced: bool = True) -> None:
        self._in_flight = max(0, self._in_flight - 1)
        for window in self._windows:
            if paced and window.paced:
                window.tat -= window.interval  # give the pacing slot back
            window.remove(when)
        if not self._rates:
            index = bisect_left(self._history, when)
            if index < len(self._history) and self._history[index] == when:
                del self._history[index]

    async def acquire(self) -> None:
        """Wait until one more request may be sent.

        Every ``acquire`` must be followed by one :meth:`complete`, whether the request
        got an answer or not.

        Raises:
            QuotaExhausted: A quota would make the request wait longer than
                ``max_wait`` (nothing is reserved).
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
                # The pacing slot was taken already: only the pause and the logs apply.
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
            rate_limit: The response's rate-limit headers, parsed (every window it
                reported: ``rate_limit.windows``).
            retry_after: Seconds from ``Retry-After``, when the response had one.
        """
        self._in_flight = max(0, self._in_flight - 1)
        if rate_limit is not None and not self._fixed:
            rates = self._rates
            if (
                not rate_limit.also
                and len(rates) == 1
                and rates[0].limit == rate_limit.limit
                and rates[0].period == rate_limit.period
            ):
                # One window, as known: the common case, checked without allocations.
                remaining = rate_limit.remaining
                used = (
                    rate_limit.limit - remaining
                    if remaining is not None
                    else rate_limit.limit
                    if status == 429
                    else None
                )
                if used is not None and rates[0].account_others(used, self._monotonic()):
                    self._epoch += 1
                self._after(status, retry_after)
                return
            now = self._monotonic()
            seen = False
            windows = rate_limit.windows
            for reported in windows:
                window = self._window_for(reported.limit, reported.period)
                if reported.remaining is not None:
                    # Also on a 429: Booqable's own 429s say Remaining 0 (the budget is
                    # spent, wait for the window); a 429 whose headers show budget left has
                    # another cause and only pauses the client (Retry-After or the
                    # escalating pause).
                    seen = window.account_others(reported.limit - reported.remaining, now) or seen
                elif status == 429 and reported is windows[0]:
                    seen = window.account_others(reported.limit, now) or seen
            if seen:
                self._epoch += 1
        elif (
            status == 429
            and self._rates
            and not self._fixed
            # A 429 without headers: the shortest window is the one that ran out.
            and self._rates[0].account_others(self._rates[0].limit, self._monotonic())
        ):
            self._epoch += 1
        self._after(status, retry_after)

    def _after(self, status: int | None, retry_after: float | None) -> None:
        if status == 429:
            self._on_rate_limited(retry_after)
        elif status is not None:
            self._consecutive_429 = 0

    def record_transfer(self, size: int) -> None:
        """Count ``size`` bytes (request and answer bodies) against the volume quotas.

        The session calls it after each exchange when :attr:`counts_volume` is true.

        Args:
            size: Bytes sent and received.
        """
        if size <= 0 or not self._volumes:
            return
        now = self._monotonic()
        for volume in self._volumes:
            volume.trim(now)
            volume.entries.append((now, size))
            volume.used += size

    def _on_rate_limited(self, retry_after: float | None) -> None:
        self._rate_limited += 1
        self._consecutive_429 += 1
        if retry_after is not None:
            pause = retry_after
        else:
            # No reset time is ever sent: wait one paced interval, doubling while 429s
            # keep coming, at most one period (by then a fresh window has started).
            primary = self._rates[0] if self._rates else None
            interval = primary.interval if primary else 1.0
            period = primary.period if primary else 60.0
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
