"""Checks every layer shares: integers that are not bools, HTTP tokens and fields, record ids.

One place for each rule, so the protocol layer (building requests) and the transports
(refusing malformed ones before any I/O) cannot disagree on what a valid header is, and
``True`` is refused as a count everywhere (``bool`` is an ``int`` subclass in Python).
Every check raises :class:`~booqable_async.errors.UsageError` with a message that names
the argument and echoes the bad value scrubbed of secrets (or not at all, for header
values, which may be credentials).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final, TypeGuard

from booqable_async._redact import redact_repr
from booqable_async.errors import UsageError

__all__ = [
    "check_header_fields",
    "check_method",
    "check_record_id",
    "is_int",
    "is_number",
    "require_int",
    "require_number",
]

# RFC 9110 §5.6.2 token: method and header names.
_TOKEN_RE: Final = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
# A header value must not contain CR, LF or NUL: a line break would let a caller inject
# extra header lines.
_BAD_VALUE_RE: Final = re.compile(r"[\r\n\x00]")
_COMMON_METHODS: Final = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def is_int(value: object) -> TypeGuard[int]:
    """Return True for an ``int`` that is not a ``bool``."""
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: object) -> TypeGuard[int | float]:
    """Return True for an ``int`` or ``float`` that is not a ``bool`` (NaN and inf included)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def require_int(value: object, what: str, *, minimum: int, note: str = "") -> int:
    """Return ``value`` when it is an integer (not a bool) of at least ``minimum``.

    Args:
        value: The value to check.
        what: The argument's name, as the caller wrote it (``"max_concurrency"``).
        minimum: The smallest allowed value.
        note: Said after the rule, such as ``" (0 means no limit)"``.

    Raises:
        UsageError: ``{what} must be an integer >= {minimum}{note}, got {value}``.
    """
    if not is_int(value) or value < minimum:
        raise UsageError(f"{what} must be an integer >= {minimum}{note}, got {redact_repr(value)}")
    return value


def require_number(
    value: object, what: str, *, minimum: float = 0.0, inclusive: bool = True, unit: str = ""
) -> float:
    """Return ``value`` as a float when it is a number (not a bool, not NaN) in range.

    Args:
        value: The value to check.
        what: The argument's name (``"max_wait"``).
        minimum: The lower bound.
        inclusive: Whether ``minimum`` itself is allowed (``>=``) or not (``>``).
        unit: Said before the bound, such as ``"of seconds "``.

    Raises:
        UsageError: ``{what} must be a number {unit}>= {minimum}, got {value}``.
    """
    # NaN fails both comparisons, so it is refused like a value out of range.
    if is_number(value) and (value > minimum or (inclusive and value == minimum)):
        return float(value)
    bound = f"{'>=' if inclusive else '>'} {minimum:g}"
    raise UsageError(f"{what} must be a number {unit}{bound}, got {redact_repr(value)}")


def check_method(method: object) -> str:
    """Return the HTTP method upper-cased, after checking it is an RFC 9110 token.

    Raises:
        UsageError: Not a string, or not a token (``"GE T"``, a line break).
    """
    if not isinstance(method, str):
        raise UsageError(f"method must be a str such as 'GET', got {redact_repr(method)}")
    upper = method.upper()
    if upper in _COMMON_METHODS:
        return upper
    if not _TOKEN_RE.fullmatch(method):
        raise UsageError(
            f"invalid HTTP method {redact_repr(method)}: it is not a valid HTTP method token"
        )
    return upper


def check_header_fields(fields: Iterable[tuple[str, str]]) -> None:
    """Check header field lines: names must be tokens, values free of CR, LF and NUL.

    Raises:
        UsageError: A malformed name (echoed, scrubbed) or value (never echoed: it may be a
            credential).
    """
    for name, value in fields:
        if not _TOKEN_RE.fullmatch(name):
            raise UsageError(
                f"invalid header name {redact_repr(name)}: it is not a valid HTTP token"
            )
        if _BAD_VALUE_RE.search(value):
            raise UsageError(f"header {name!r} has a value containing CR, LF or NUL")


def check_record_id(value: object, what: str = "id") -> str:
    """Return ``value`` when it is a record id: a string that is not blank.

    Args:
        value: The id to check.
        what: The argument's name, for the message (``"order_id"``).

    Raises:
        UsageError: ``{what} must be a non-empty id (...), got {value}``.
    """
    if not isinstance(value, str) or not value.strip():
        raise UsageError(
            f"{what} must be a non-empty id (the record's id, a non-empty string), "
            f"got {redact_repr(value)}"
        )
    return value
