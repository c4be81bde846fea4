"""The one cattrs converter of booqable_async: JSON values <-> typed Python values.

Booqable v4 sends timestamps as ISO 8601 strings with microseconds and an offset
(``2025-07-09T09:22:00.952147+00:00``, recorded exchanges), dates as ``YYYY-MM-DD``,
money as integer cents (``*_in_cents``), floats that may arrive as ints (``100`` for
``100.0``), and enums as strings whose set grows over time (order status ``draft`` was
``concept``; recordings from 2025 still carry ``concept``). This module makes one
converter that handles exactly that, built by :func:`make_converter` (never the global
``cattrs`` converter, so nothing a user registers globally changes our decoding):

- ``datetime``: aware ``datetime`` from ISO strings (microseconds, offsets, ``Z``); a
  string without an offset is taken as UTC. Unstructured to ISO 8601 with offset.
- ``date``: from ``YYYY-MM-DD``; unstructured to the same.
- ``int``: ints; integral floats (``3.0``) and integer strings (``"3"``) are accepted;
  booleans are refused (``True`` is not a count of cents).
- ``float``: floats and ints (as floats); numeric strings are accepted.
- ``str``: strings; numbers are accepted and written as JSON would (``1`` -> ``"1"``):
  an enum documented as a string may arrive as a number (webhook_endpoints.version).
- ``bool``: booleans only.
- unions of those scalars (``str | int | None``): the value as it is, when its type is
  one of the members.
- lists, dicts and attrs classes: cattrs' own hooks, with the rules above inside.

The JSON:API decoder uses the fast paths in :func:`parse_datetime` / :func:`parse_date`
directly and calls the converter only for values that need it.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timezone
from functools import cache
from typing import Any, Union

import cattrs
from cattrs.strategies import configure_union_passthrough

__all__ = [
    "configure_converter",
    "default_converter",
    "format_datetime",
    "make_converter",
    "parse_date",
    "parse_datetime",
]

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


def _structure_datetime(value: Any, _: type) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=_UTC)
    if isinstance(value, str):
        return parse_datetime(value)
    raise ValueError(f"expected an ISO 8601 timestamp string, got {_json_type(value)}")


def _structure_date(value: Any, _: type) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return parse_date(value)
    raise ValueError(f"expected an ISO 8601 date string, got {_json_type(value)}")


def _structure_int(value: Any, _: type) -> int:
    if isinstance(value, bool):
        raise ValueError("expected an integer, got a boolean")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        if text.lstrip("+-").isdigit():
            return int(text)
        raise ValueError(f"expected an integer, got the string {_excerpt(value)}")
    raise ValueError(f"expected an integer, got {_json_type(value)}")


def _structure_float(value: Any, _: type) -> float:
    if isinstance(value, bool):
        raise ValueError("expected a number, got a boolean")
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            raise ValueError(f"expected a number, got the string {_excerpt(value)}") from None
    raise ValueError(f"expected a number, got {_json_type(value)}")


def _structure_str(value: Any, _: type) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    raise ValueError(f"expected a string, got {_json_type(value)}")


def _structure_bool(value: Any, _: type) -> bool:
    if isinstance(value, bool):
        return value
    raise ValueError(f"expected a boolean, got {_json_type(value)}")


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return f"the string {_excerpt(value)}"
    return f"{type(value).__name__} {_excerpt(value)}"


def _excerpt(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def configure_converter(converter: cattrs.BaseConverter) -> None:
    """Register booqable_async's hooks on ``converter``.

    Args:
        converter: A converter you made (never the global one); useful when you want
            our rules plus hooks of your own.
    """
    converter.register_structure_hook(datetime, _structure_datetime)
    converter.register_structure_hook(date, _structure_date)
    converter.register_structure_hook(int, _structure_int)
    converter.register_structure_hook(float, _structure_float)
    converter.register_structure_hook(str, _structure_str)
    converter.register_structure_hook(bool, _structure_bool)
    converter.register_unstructure_hook(datetime, format_datetime)
    converter.register_unstructure_hook(date, date.isoformat)
    # Unions of JSON scalars (``str | int | None``) keep the value when its type is one
    # of the members, instead of cattrs refusing the union outright.
    configure_union_passthrough(Union[str, int, float, bool, None], converter)  # noqa: UP007


def make_converter() -> cattrs.Converter:
    """Make a new converter configured with :func:`configure_converter`.

    Returns:
        A fresh ``cattrs.Converter``; changing it changes nothing elsewhere.
    """
    converter = cattrs.Converter()
    configure_converter(converter)
    return converter


@cache
def default_converter() -> cattrs.Converter:
    """Return the shared converter the decoder and encoder use when given none.

    It is made once, on first use, by :func:`make_converter`. Treat it as read-only:
    to add hooks, make your own with :func:`make_converter` and pass it explicitly.
    """
    return make_converter()
