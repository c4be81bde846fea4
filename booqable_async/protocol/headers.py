"""Parse the response headers the session acts on: rate limits and ``Retry-After``.

Booqable sends ``X-Ratelimit-Limit``, ``X-Ratelimit-Period`` and ``X-Ratelimit-Remaining``
on every response (catalog ``global.rate_limit``); no reset header and no ``Retry-After``
were observed, but proxies and future versions may send one, so both forms are read.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

import attrs

__all__ = ["RateLimit", "parse_rate_limit", "parse_retry_after"]


@attrs.frozen
class RateLimit:
    """A snapshot of the company's request budget, as one response reported it.

    Attributes:
        limit: Requests allowed per period (``X-Ratelimit-Limit``).
        period: Length of the period in seconds (``X-Ratelimit-Period``).
        remaining: Requests left in the current period (``X-Ratelimit-Remaining``),
            ``None`` when the header was absent.
    """

    limit: int
    period: float
    remaining: int | None = None


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
