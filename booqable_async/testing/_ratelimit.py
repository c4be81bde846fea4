"""The company request budget: ``X-Ratelimit-*`` headers and 429 when it is spent.

Booqable sends ``X-Ratelimit-Limit``, ``X-Ratelimit-Period`` (seconds) and
``X-Ratelimit-Remaining`` on every response (recorded: 50 per 60 s; plans allow 50, 100 or
250). The fake uses a fixed window that starts with the first counted request, on an
injectable monotonic clock so tests never sleep.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs

from booqable_async.errors import UsageError

__all__ = ["FixedWindowCounter", "RateLimitConfig", "parse_rate_limit_spec"]


@attrs.frozen
class RateLimitConfig:
    """Requests allowed per period.

    Attributes:
        limit: Requests per period.
        period: Period length in seconds.
        retry_after: When set, 429 answers carry ``Retry-After`` with the seconds left in
            the window (Booqable was not seen sending it, so the default is off).
    """

    limit: int = 10_000
    period: float = 60.0
    retry_after: bool = False

    def __attrs_post_init__(self) -> None:
        if self.limit < 1 or self.period <= 0:
            raise UsageError(
                f"rate limit needs limit >= 1 and period > 0, got {self.limit}/{self.period}"
            )


def parse_rate_limit_spec(text: str) -> RateLimitConfig:
    """Parse ``"L/P"`` (``"50/60"``: 50 requests per 60 seconds).

    Raises:
        UsageError: Not in the ``L/P`` form.
    """
    limit, slash, period = text.partition("/")
    try:
        if not slash:
            raise ValueError
        return RateLimitConfig(int(limit), float(period))
    except ValueError:
        raise UsageError(
            f"rate limit must look like LIMIT/PERIOD (e.g. 50/60), got {text!r}"
        ) from None


class FixedWindowCounter:
    """A fixed-window request counter: the fake server's side of the budget.

    (The client's side, which spaces requests to stay inside it, is
    :class:`booqable_async.ratelimit.RateLimiter`.)

    Args:
        config: Limit and period.
        clock: Monotonic seconds.
    """

    def __init__(self, config: RateLimitConfig, clock: Callable[[], float]) -> None:
        self.config = config
        self._clock = clock
        self._window_start: float | None = None
        self._used = 0

    def _roll(self) -> float:
        now = self._clock()
        if self._window_start is None or now >= self._window_start + self.config.period:
            self._window_start = now
            self._used = 0
        return now

    def take(self) -> bool:
        """Count one request; False when the budget of this window is spent."""
        self._roll()
        if self._used >= self.config.limit:
            return False
        self._used += 1
        return True

    @property
    def remaining(self) -> int:
        """Requests left in the current window."""
        self._roll()
        return max(self.config.limit - self._used, 0)

    def seconds_left(self) -> float:
        """Seconds until the current window ends."""
        now = self._roll()
        start = self._window_start if self._window_start is not None else now
        return max(start + self.config.period - now, 0.0)

    def headers(self) -> list[tuple[str, str]]:
        """The three ``X-Ratelimit-*`` headers as of now."""
        return [
            ("X-Ratelimit-Limit", str(self.config.limit)),
            ("X-Ratelimit-Period", f"{self.config.period:g}"),
            ("X-Ratelimit-Remaining", str(self.remaining)),
        ]

    def reset(self) -> None:
        """Start a fresh window on the next request."""
        self._window_start = None
        self._used = 0
