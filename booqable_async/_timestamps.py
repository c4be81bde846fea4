"""Booqable's value formats: timestamps and dates, read leniently, written with an offset.

Booqable v4 sends timestamps as ISO 8601 strings with microseconds and an offset
(``2025-07-09T09:22:00.952147+00:00``, recorded exchanges) and dates as ``YYYY-MM-DD``.
msgspec reads those itself while decoding (see docs/decoding.md); these functions are
the lenient readers for the rest, which the decoder falls back to: a timestamp without
an offset is taken as UTC, and forms RFC 3339 does not allow (no seconds, a comma, a
``+0100`` offset) are read too. :func:`format_datetime` writes timestamps for requests.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timezone

__all__ = ["format_datetime", "parse_date", "parse_datetime"]

_UTC = timezone.utc
_fromisoformat = datetime.fromisoformat

# Python 3.10's fromisoformat reads only what isoformat() writes: no "Z" and only 3 or 6
# fraction digits. This pattern normalises what ISO 8601/RFC 3339 senders produce.
_ISO_DATETIME = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})[T ](?P<time>\d{2}:\d{2}(?::\d{2})?)"
    r"(?:[.,](?P<fraction>\d+))?(?P<tz>Z|z|[+-]\d{2}(?::?\d{2})?)?"
)


def parse_datetime(value: str) -> datetime:
    """Parse an ISO 8601 timestamp into an aware ``datetime``.

    Args:
        value: ``2025-07-09T09:22:00.952147+00:00``, ``2022-04-27T12:54:37Z`` and the
            like. A value without an offset is taken as UTC.

    Returns:
        An aware ``datetime``.

    Raises:
        ValueError: ``value`` is not an ISO 8601 timestamp.
    """
    try:
        parsed = _fromisoformat(value)
    except ValueError:
        parsed = _parse_datetime_slow(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=_UTC)
    return parsed


def _parse_datetime_slow(value: str) -> datetime:
    match = _ISO_DATETIME.fullmatch(value.strip())
    if match is None:
        raise ValueError(f"not an ISO 8601 timestamp: {value!r}")
    time = match["time"]
    if len(time) == 5:
        time += ":00"
    fraction = match["fraction"]
    text = f"{match['date']}T{time}"
    if fraction:
        text += "." + (fraction + "000000")[:6]
    tz = match["tz"]
    if tz in ("Z", "z"):
        tz = "+00:00"
    elif tz and len(tz) == 3:
        tz += ":00"
    elif tz and ":" not in tz:
        tz = f"{tz[:3]}:{tz[3:]}"
    return _fromisoformat(text + (tz or ""))


def parse_date(value: str) -> date:
    """Parse a ``YYYY-MM-DD`` date.

    Args:
        value: An ISO 8601 calendar date.

    Returns:
        The ``date``.

    Raises:
        ValueError: ``value`` is not an ISO 8601 date.
    """
    if len(value) != 10:
        raise ValueError(f"not an ISO 8601 date (YYYY-MM-DD): {value!r}")
    return date.fromisoformat(value)


def format_datetime(value: datetime) -> str:
    """Write ``value`` as ISO 8601 with an offset (naive values are taken as UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=_UTC)
    return value.isoformat()
