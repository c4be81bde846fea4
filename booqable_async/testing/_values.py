"""Attribute values: typecasting writes and filter values like Booqable (Graphiti) does.

Graphiti typecasts every written attribute to the type its resource declares and rejects the
request with 400 when that fails; filter values arrive as strings (query) or JSON values
(search body) and are cast to the filter's type before comparing.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, datetime, timezone
from functools import lru_cache
from typing import Any

__all__ = [
    "TypecastError",
    "cast_filter_value",
    "comparable",
    "format_datetime",
    "moment_or_none",
    "parse_date",
    "parse_datetime",
    "typecast",
]

_TRUE = frozenset({"true", "1", "t", "yes", "y", "on"})
_FALSE = frozenset({"false", "0", "f", "no", "n", "off"})
#: Types whose JSON value is a plain string.
_STRINGISH = frozenset({"string", "uuid", "enum", "carrierwave_file"})


class TypecastError(ValueError):
    """A value could not be cast to the declared type.

    Attributes:
        type_name: The type that was expected.
    """

    def __init__(self, type_name: str) -> None:
        self.type_name = type_name
        super().__init__(f"failed typecasting to {type_name}")


def format_datetime(moment: datetime) -> str:
    """Render a datetime the way Booqable does: ``2025-07-09T12:28:41.116160+00:00``."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


@lru_cache(maxsize=65536)
def parse_datetime(text: str) -> datetime:
    """Parse an ISO 8601-ish timestamp; naive values are UTC.

    Accepts ``Z`` and ``+hh:mm`` offsets, a space instead of ``T``, a trailing `` UTC``
    (used in doc examples) and bare dates (midnight UTC).

    Raises:
        ValueError: ``text`` is not a timestamp.
    """
    raw = text.strip()
    if raw.endswith(" UTC"):
        raw = raw[:-4]
    if raw.endswith(("Z", "z")):
        raw = raw[:-1] + "+00:00"
    moment = datetime.fromisoformat(raw)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment


def moment_or_none(value: Any) -> datetime | None:
    """Parse a stored timestamp, or None when it is missing or not a timestamp.

    Records added through test helpers may hold anything; rules that read them skip what
    does not parse instead of failing the request.
    """
    if not isinstance(value, str):
        return None
    try:
        return parse_datetime(value)
    except ValueError:
        return None


def parse_date(text: str) -> date:
    """Parse ``YYYY-MM-DD`` (a full timestamp is cut to its UTC date)."""
    raw = text.strip()
    if len(raw) == 10:
        return date.fromisoformat(raw)
    return parse_datetime(raw).astimezone(timezone.utc).date()


def _cast_bool(value: Any, type_name: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    raise TypecastError(type_name)


def _cast_int(value: Any, type_name: str) -> int:
    if isinstance(value, bool):
        raise TypecastError(type_name)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass
    raise TypecastError(type_name)


def _cast_float(value: Any, type_name: str) -> float:
    if isinstance(value, bool):
        raise TypecastError(type_name)
    if isinstance(value, (int, float)):
        result = float(value)
    elif isinstance(value, str):
        try:
            result = float(value.strip())
        except ValueError:
            raise TypecastError(type_name) from None
    else:
        raise TypecastError(type_name)
    if not math.isfinite(result):
        raise TypecastError(type_name)
    return result


_SCALAR_CASTS: dict[str, Callable[[Any, str], Any]] = {
    "integer": _cast_int,
    "float": _cast_float,
    "big_decimal": _cast_float,
    "boolean": _cast_bool,
}


def typecast(type_name: str, value: Any) -> Any:
    """Cast a written JSON value to ``type_name``; ``None`` always passes.

    Args:
        type_name: The catalog type (``integer``, ``datetime``...).
        value: The JSON value from the request body.

    Returns:
        The value as it is stored (timestamps normalised to Booqable's format).

    Raises:
        TypecastError: The value does not fit the type.
    """
    if value is None:
        return None
    if type_name in _STRINGISH:
        if isinstance(value, str):
            return value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        raise TypecastError(type_name)
    scalar = _SCALAR_CASTS.get(type_name)
    if scalar is not None:
        return scalar(value, type_name)
    if type_name == "datetime":
        if not isinstance(value, str):
            raise TypecastError(type_name)
        try:
            return format_datetime(parse_datetime(value))
        except ValueError:
            raise TypecastError(type_name) from None
    if type_name == "date":
        if not isinstance(value, str):
            raise TypecastError(type_name)
        try:
            return parse_date(value).isoformat()
        except ValueError:
            raise TypecastError(type_name) from None
    if type_name == "hash":
        if isinstance(value, dict):
            return value
        raise TypecastError(type_name)
    if type_name == "array":
        if isinstance(value, list):
            return value
        raise TypecastError(type_name)
    return value


def cast_filter_value(type_name: str, value: Any) -> Any:
    """Cast one filter value (a query string or a JSON value) to a comparable value.

    Raises:
        TypecastError: The value does not fit the filter's type.
    """
    if value is None:
        return None
    if isinstance(value, str) and value.lower() == "null" and type_name not in _STRINGISH:
        return None
    scalar = _SCALAR_CASTS.get(type_name)
    if scalar is not None:
        return scalar(value, type_name)
    if type_name == "datetime":
        try:
            return parse_datetime(str(value))
        except ValueError:
            raise TypecastError(type_name) from None
    if type_name == "date":
        try:
            return parse_date(str(value))
        except ValueError:
            raise TypecastError(type_name) from None
    if type_name in ("hash",):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, (str, dict, list)) else str(value)


def comparable(type_name: str, value: Any) -> Any:
    """Turn a stored attribute value into the form filter values are compared against."""
    if value is None:
        return None
    if type_name == "datetime" and isinstance(value, str):
        try:
            return parse_datetime(value)
        except ValueError:
            return None
    if type_name == "date" and isinstance(value, str):
        try:
            return parse_date(value)
        except ValueError:
            return None
    if type_name in ("float", "big_decimal") and isinstance(value, (int, float)):
        return float(value)
    return value
