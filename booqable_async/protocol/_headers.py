"""Parse the response headers the session acts on: rate limits and ``Retry-After``.

Booqable sends ``X-Ratelimit-Limit``, ``X-Ratelimit-Period`` and ``X-Ratelimit-Remaining``
on every response (catalog ``global.rate_limit``); no reset header and no ``Retry-After``
were observed, but proxies and future versions may send one, so both forms are read.

Other APIs report their budget differently, and an API profile picks the reader
(docs/profiles.md, "Rate limits and quotas"): :class:`WindowHeaders` reads one header
pair per window (``X-RateLimit-Limit-Minute``/``-Remaining-Minute`` with ``-Hour``, as
Booga Enterprise sends), :class:`FixedPeriodHeaders` a limit and remaining count whose
period the API documents instead of sending.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

import attrs

__all__ = [
    "FixedPeriodHeaders",
    "RateLimit",
    "RateLimitReader",
    "WindowHeaders",
    "parse_rate_limit",
    "parse_retry_after",
]


@attrs.frozen(repr=False)
class RateLimit:
    """A snapshot of the request budget, as one response reported it.

    One window (Booqable: ``limit`` requests per ``period`` seconds), or several at once
    (per minute and per hour): the shortest window is described by ``limit``, ``period``
    and ``remaining``, the others are in :attr:`also`, so code that knows only one
    window reads the one that decides the spacing of requests.

    Attributes:
        limit: Requests allowed per period (``X-Ratelimit-Limit``).
        period: Length of the period in seconds (``X-Ratelimit-Period``).
        remaining: Requests left in the current period (``X-Ratelimit-Remaining``),
            ``None`` when the header was absent.
        also: The other windows the same response reported, shortest period first.
    """

    limit: int
    period: float
    remaining: int | None = None
    also: tuple[RateLimit, ...] = ()

    @property
    def windows(self) -> tuple[RateLimit, ...]:
        """Every window of this snapshot, shortest period first (each without ``also``)."""
        if not self.also:
            return (self,)
        return (RateLimit(self.limit, self.period, self.remaining), *self.also)

    def __repr__(self) -> str:
        text = (
            f"RateLimit(limit={self.limit!r}, period={self.period!r}, remaining={self.remaining!r}"
        )
        if self.also:
            text += f", also={self.also!r}"
        return text + ")"


#: Reads the rate-limit snapshot of a response's headers (``None`` when there is none).
RateLimitReader = Callable[[Mapping[str, str]], "RateLimit | None"]


def _header(headers: Mapping[str, str], name: str) -> str | None:
    # Headers is case-insensitive already; plain mappings from users may not be.
    value = headers.get(name)
    if value is not None:
        return value
    lowered = name.lower()
    for key, val in headers.items():
        if key.lower() == lowered:
            return val
    return None


def _number(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        value = float(text.split(",")[0].strip())
    except ValueError:
        return None
    return value if math.isfinite(value) and value >= 0 else None


def parse_rate_limit(headers: Mapping[str, str]) -> RateLimit | None:
    """Read the rate-limit headers in any letter case.

    Args:
        headers: Response headers.

    Returns:
        A :class:`RateLimit`, or ``None`` when the limit or period is missing or garbage.
    """
    limit = _number(_header(headers, "X-Ratelimit-Limit"))
    period = _number(_header(headers, "X-Ratelimit-Period"))
    if limit is None or period is None or limit < 1 or period <= 0:
        return None
    remaining = _number(_header(headers, "X-Ratelimit-Remaining"))
    return RateLimit(
        limit=int(limit),
        period=period,
        remaining=None if remaining is None else int(remaining),
    )


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Turn a ``Retry-After`` value (delta seconds or an HTTP date) into seconds to wait.

    Args:
        value: The header value, or ``None`` when absent.
        now: The current time (aware); defaults to ``datetime.now(timezone.utc)``.
            Injectable so tests need no real clock.

    Returns:
        Seconds to wait (``0.0`` for a date in the past), or ``None`` when the value is
        missing or cannot be parsed.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    seconds = _number(text)
    if seconds is not None:
        return seconds
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    current = now if now is not None else datetime.now(timezone.utc)
    return max(0.0, (when - current).total_seconds())


def _combine(windows: list[RateLimit]) -> RateLimit | None:
    if not windows:
        return None
    windows.sort(key=lambda window: window.period)
    first, *rest = windows
    return RateLimit(first.limit, first.period, first.remaining, tuple(rest))


@attrs.frozen
class WindowHeaders:
    """Reads one limit/remaining header pair per named window.

    For APIs that report several windows at once, each in its own pair of headers:
    Booga Enterprise sends ``X-RateLimit-Limit-Minute``, ``X-RateLimit-Remaining-Minute``,
    ``X-RateLimit-Limit-Hour`` and ``X-RateLimit-Remaining-Hour`` on every response
    (its "Rate Limits" page). A window whose limit header is missing or garbage is left
    out; no window at all gives ``None``.

    Attributes:
        windows: Suffix -> period in seconds (``{"Minute": 60, "Hour": 3600}``).
        limit: Header name before the suffix for the limit (``X-RateLimit-Limit-``).
        remaining: Header name before the suffix for what is left.
    """

    windows: Mapping[str, float] = attrs.field(
        factory=lambda: {"Second": 1.0, "Minute": 60.0, "Hour": 3600.0, "Day": 86400.0}
    )
    limit: str = "X-RateLimit-Limit-"
    remaining: str = "X-RateLimit-Remaining-"

    def __call__(self, headers: Mapping[str, str]) -> RateLimit | None:
        """Return the windows ``headers`` report (shortest first), or ``None``."""
        found: list[RateLimit] = []
        for suffix, period in self.windows.items():
            limit = _number(_header(headers, self.limit + suffix))
            if limit is None or limit < 1:
                continue
            remaining = _number(_header(headers, self.remaining + suffix))
            found.append(
                RateLimit(int(limit), float(period), None if remaining is None else int(remaining))
            )
        return _combine(found)


@attrs.frozen
class FixedPeriodHeaders:
    """Reads a limit and a remaining count whose period the API documents, not sends.

    Attributes:
        period: The documented period in seconds (3600 for "per hour").
        limit: Header carrying the limit (``X-RateLimit-Limit``).
        remaining: Header carrying what is left (``X-RateLimit-Remaining``).
    """

    period: float
    limit: str = "X-RateLimit-Limit"
    remaining: str = "X-RateLimit-Remaining"

    def __call__(self, headers: Mapping[str, str]) -> RateLimit | None:
        """Return the one window ``headers`` report, or ``None``."""
        limit = _number(_header(headers, self.limit))
        if limit is None or limit < 1:
            return None
        remaining = _number(_header(headers, self.remaining))
        return RateLimit(int(limit), self.period, None if remaining is None else int(remaining))
