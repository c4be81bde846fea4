"""Booqable's timestamp and date formats: read leniently, written one way.

Booqable v4 sends timestamps as ISO 8601 strings with microseconds and an offset
(``2025-07-09T09:22:00.952147+00:00``, recorded exchanges) and dates as ``YYYY-MM-DD``.
msgspec reads those itself while decoding (see docs/decoding.md); :func:`parse_datetime`
and :func:`parse_date` are the lenient readers for the rest, which the decoder and the
webhook parser fall back to: a timestamp without an offset is taken as UTC, and forms
RFC 3339 does not allow (no seconds, a comma, a ``+0100`` offset) are read too.

:func:`format_datetime` is the one writer of timestamps, for query strings, search bodies
and write documents alike (published as ``booqable_async.query.format_datetime``).
"""

from __future__ import annotations

import re
from datetime import date, datetime, timezone

from booqable_async.errors import UsageError

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
    """Write an aware datetime as ISO 8601 in UTC with a ``Z``: ``2024-05-01T10:00:00Z``.

    Booqable compares instants, and its own examples write UTC with a ``Z``
    (``filter[range][from]=2026-07-30T11:17:19Z``). One instant always gives one text
    whatever offset it was written with, so equal queries render equally. Microseconds
    are kept when present (``2024-05-01T10:00:00.250000Z``), so a high-water mark taken
    from a record is never rounded past that record.

    Args:
        value: An aware datetime (any offset).

    Returns:
        The UTC ISO 8601 text.

    Raises:
        UsageError: ``value`` is naive: whether it meant UTC or local time cannot be
            known, and guessing would move a rental by hours.
    """
    if value.tzinfo is None or value.utcoffset() is None:
        raise UsageError(
            f"naive datetime {value.isoformat()!r}: Booqable compares instants, so attach a "
            "timezone (e.g. datetime(..., tzinfo=timezone.utc)) or pass the exact string the "
            "API expects"
        )
    utc = value.astimezone(_UTC).replace(tzinfo=None)
    spec = "seconds" if utc.microsecond == 0 else "microseconds"
    return utc.isoformat(timespec=spec) + "Z"
