"""Filter values: normalise Python values once, render them for a query string or a JSON body.

A value is normalised when the builder is called, so a bad value (a naive datetime, an
unsupported type) raises :class:`~booqable_async.errors.UsageError` at the line that wrote
it, and the stored form is immutable and hashable. Rendering is then a cheap walk.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
import re
import uuid
from collections.abc import Mapping, Set
from decimal import Decimal
from typing import Any

import attrs

from booqable_async._timestamps import format_datetime
from booqable_async.errors import UsageError

__all__ = [
    "HashValue",
    "Normalized",
    "Scalar",
    "normalize",
    "render_pairs",
    "scalar_text",
    "to_json",
]

# Keys inside a hash filter become ``[key]`` segments: brackets would change the structure.
_BAD_KEY = re.compile(r"[\[\]]")
#: Deepest hash filter accepted. Booqable's hash filters are one level deep
#: (``filter[range][from]``) and Rails' query parser refuses parameters nested beyond a
#: fixed depth, so anything deeper is a mistake; refusing it also keeps normalising and
#: rendering (both recursive) far from Python's recursion limit.
MAX_HASH_DEPTH = 16


@attrs.frozen
class HashValue:
    """A nested hash filter value (``filter[range][from]=...``), kept in the caller's order.

    Attributes:
        items: ``(key, value)`` pairs; values are normalised (scalars, tuples or hashes).
    """

    items: tuple[tuple[str, Normalized], ...]


#: A normalised scalar: what every supported Python scalar becomes.
Scalar = str | int | float | bool | None
#: A normalised filter value: a scalar, a tuple of scalars (list filter) or a hash.
Normalized = Scalar | tuple[Scalar, ...] | HashValue


def _scalar(value: object, where: str) -> Scalar:
    # bool before int: bool is an int subclass.
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise UsageError(f"{where}: {value!r} cannot be sent to the API")
        return value
    if isinstance(value, enum.Enum):
        return _scalar(value.value, where)
    # datetime before date: datetime is a date subclass.
    if isinstance(value, dt.datetime):
        try:
            return format_datetime(value)
        except UsageError as exc:
            raise UsageError(f"{where}: {exc}") from None
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (uuid.UUID, Decimal)):
        return str(value)
    raise UsageError(
        f"{where}: unsupported value type {type(value).__name__}; use str, int, float, bool, "
        "None, Decimal, UUID, an Enum, an aware datetime, a date, a list of those, or a dict "
        "for a hash filter"
    )


def normalize(value: object, where: str) -> Normalized:
    """Normalise a filter value into its immutable, hashable form.

    Args:
        value: The caller's value: a scalar, a list/tuple/set of scalars or a mapping.
        where: What the value is for (``"filter status"``), used in error messages.

    Returns:
        A scalar, a tuple of scalars or a :class:`HashValue`.

    Raises:
        UsageError: The value or one of its members is not supported, a list is empty, or a
            hash key is not a string.
    """
    return _normalize(value, where, 0)


def _normalize(value: object, where: str, depth: int) -> Normalized:
    if isinstance(value, Mapping):
        if depth >= MAX_HASH_DEPTH:
            raise UsageError(
                f"{where.split('[', 1)[0]}: a hash filter may nest at most {MAX_HASH_DEPTH} "
                "levels (Booqable's hash filters use one: {'from': ..., 'till': ...})"
            )
        items: list[tuple[str, Normalized]] = []
        for key, member in value.items():
            if not isinstance(key, str) or not key or _BAD_KEY.search(key):
                raise UsageError(
                    f"{where}: hash keys must be non-empty strings without brackets, got {key!r}"
                )
            items.append((key, _normalize(member, f"{where}[{key}]", depth + 1)))
        if not items:
            raise UsageError(f"{where}: an empty dict filters nothing; leave the filter out")
        return HashValue(tuple(items))
    if isinstance(value, (list, tuple, Set)):
        members = [_scalar(m, f"{where} list member") for m in value]
        if not members:
            raise UsageError(f"{where}: an empty list matches nothing; leave the filter out")
        if isinstance(value, Set):
            # Sets have no order; sort by the rendered text so to_params() is deterministic.
            members.sort(key=scalar_text)
        return tuple(members)
    return _scalar(value, where)


def scalar_text(value: Scalar) -> str:
    """Render a normalised scalar as query-string text (before percent-encoding).

    Booleans become ``true``/``false`` (Graphiti's casting), ``None`` becomes ``null``
    (Graphiti reads the string ``null`` as nil on filters that allow it).
    """
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _quote_commas(text: str) -> str:
    # Graphiti splits a string filter value on commas (``filter[id]=a,b`` means a or b);
    # ``{{...}}`` is its quoting for a value that contains one. Lists never need it: each
    # member goes in its own ``[]`` pair, and Graphiti only splits plain strings.
    if "," in text and not (text.startswith("{{") and text.endswith("}}")):
        return "{{" + text + "}}"
    return text


def render_pairs(key: str, value: Normalized, *, top: bool = True) -> list[tuple[str, str]]:
    """Render a normalised value under ``key`` as unencoded query pairs.

    Args:
        key: The bracketed key, e.g. ``filter[status]`` or ``filter[starts_at][gte]``.
        value: The normalised value.
        top: True for a filter's own value (comma quoting applies), False inside a hash.

    Returns:
        ``[(key, text)]`` for a scalar, ``[(key[], a), (key[], b)]`` for a list and one
        ``key[member]`` entry per member of a hash, recursively.
    """
    if isinstance(value, HashValue):
        pairs: list[tuple[str, str]] = []
        for member_key, member in value.items:
            pairs.extend(render_pairs(f"{key}[{member_key}]", member, top=False))
        return pairs
    if isinstance(value, tuple):
        return [(f"{key}[]", scalar_text(member)) for member in value]
    text = scalar_text(value)
    if top and isinstance(value, str):
        text = _quote_commas(text)
    return [(key, text)]


def to_json(value: Normalized, *, top: bool = False) -> Any:
    """Return the JSON form of a normalised value (lists for tuples, dicts for hashes).

    Args:
        value: The normalised value.
        top: True for a plain filter's own value in a search body (comma quoting applies,
            as for the query string); False inside search conditions and hashes.
    """
    if isinstance(value, HashValue):
        return {k: to_json(v) for k, v in value.items}
    if isinstance(value, tuple):
        return list(value)
    if top and isinstance(value, str):
        return _quote_commas(value)
    return value
