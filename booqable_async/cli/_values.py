"""Command-line filter values: ``--where f=v`` and ``--filter 'f[op]=v'`` into a Query.

Values are typed by the resource's filter table (``ResourceSchema.filter_types``, from the
catalog): integers, floats, booleans, datetimes and dates are parsed and checked here, so a
typo fails before any request. A comma separates several values (``status=reserved,started``
matches either, as Graphiti reads ``filter[status]=reserved,started``); ``{{a, b}}`` keeps a
value containing commas whole (Graphiti's own quoting). ``null`` is JSON null.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from booqable_async.errors import UsageError
from booqable_async.query import Query
from booqable_async.query._operators import OPERATORS, check_operator
from booqable_async.schema import ResourceSchema
from booqable_async.schema._choices import allowed_list

__all__ = [
    "FilterSpec",
    "add_filters",
    "parse_fieldsets",
    "parse_filter",
    "parse_groups",
    "parse_names",
    "parse_scalar",
    "parse_stats",
    "parse_value",
    "parse_where",
]

# ``name[op]=value``, ``name[key]=value`` (hash filter) or ``name=value``.
_FILTER = re.compile(
    r"^(?P<field>[A-Za-z_][A-Za-z0-9_.]*)(?:\[(?P<key>[A-Za-z0-9_]+)\])?=(?P<value>.*)$", re.S
)
_TRUE = frozenset({"true", "yes", "1"})
_FALSE = frozenset({"false", "no", "0"})
_QUOTED = re.compile(r"^\{\{(.*)\}\}$", re.S)

#: A parsed command-line filter: field, operator (``None`` for a hash key), hash key, value.
FilterSpec = tuple[str, str, str | None, object]


def _type_of(schema: ResourceSchema | None, field: str) -> str | None:
    if schema is None:
        return None
    kind = schema.filter_types.get(field)
    if kind is None and field in schema.attributes:
        kind = schema.attributes[field].type
    return kind


def _parse_datetime(text: str, field: str) -> dt.datetime | dt.date:
    # Python 3.10's fromisoformat rejects a trailing Z; Booqable's examples use it.
    value = text[:-1] + "+00:00" if text[-1:] in ("Z", "z") else text
    if "T" not in value and " " not in value:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise UsageError(
            f"filter {field}: {text!r} is not an ISO 8601 date or time "
            "(e.g. 2024-05-01 or 2024-05-01T10:00:00Z)"
        ) from None
    # A time without an offset is read as UTC: Booqable stores and compares UTC instants.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.timezone.utc)


def parse_scalar(text: str, kind: str | None, field: str) -> object:
    """Parse one command-line value for a filter whose catalog type is ``kind``.

    Args:
        text: The value as typed (already split on commas).
        kind: The filter's value type (``integer``, ``datetime``...) or ``None`` if unknown.
        field: The filter name, for messages.

    Returns:
        ``None`` for ``null``; an ``int``, ``Decimal``, ``bool``, aware ``datetime`` or
        ``date`` for typed filters; otherwise the text.

    Raises:
        UsageError: The text does not parse as the filter's type.
    """
    if text == "null":
        return None
    if kind == "integer":
        try:
            return int(text)
        except ValueError:
            raise UsageError(f"filter {field}: {text!r} is not an integer") from None
    if kind == "float":
        try:
            return Decimal(text)
        except InvalidOperation:
            raise UsageError(f"filter {field}: {text!r} is not a number") from None
    if kind == "boolean":
        lowered = text.lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise UsageError(f"filter {field}: {text!r} is not a boolean (use true or false)")
    if kind in ("datetime", "date"):
        return _parse_datetime(text, field)
    return text


def parse_value(text: str, kind: str | None, field: str, op: str = "eq") -> object:
    """Parse a command-line value: one scalar, or a list when it contains commas.

    Args:
        text: The value as typed: ``reserved``, ``reserved,started``, ``{{Doe, John}}``.
        kind: The filter's catalog value type, or ``None``.
        field: The filter name, for messages.
        op: The operator; ``between`` needs exactly two values.

    Returns:
        A scalar, a list of scalars, or a ``(low, high)`` tuple for ``between``.

    Raises:
        UsageError: A value that does not parse, or ``between`` without two values.
    """
    quoted = _QUOTED.match(text)
    if quoted:
        return quoted.group(1)
    parts = text.split(",") if "," in text else None
    if parts is None:
        if op == "between":
            raise UsageError(f"filter {field}[between] takes two values: low,high (got {text!r})")
        return parse_scalar(text, kind, field)
    values = [parse_scalar(p.strip(), kind, field) for p in parts]
    if op == "between":
        if len(values) != 2:
            raise UsageError(
                f"filter {field}[between] takes two values: low,high (got {len(values)})"
            )
        return (values[0], values[1])
    return values


def parse_where(spec: str, schema: ResourceSchema | None = None) -> FilterSpec:
    """Parse ``--where field=value`` (equality).

    Args:
        spec: ``status=reserved``, ``number=5``, ``status=reserved,started``.
        schema: The resource's schema, to type the value.

    Returns:
        ``(field, "eq", None, value)``.

    Raises:
        UsageError: Not ``field=value``, or a value of the wrong type.
    """
    field, sep, text = spec.partition("=")
    field = field.strip()
    if not sep or not field:
        raise UsageError(f"--where takes field=value (e.g. status=reserved), got {spec!r}")
    return (field, "eq", None, parse_value(text, _type_of(schema, field), field))


def parse_filter(spec: str, schema: ResourceSchema | None = None) -> FilterSpec:
    """Parse ``--filter 'field[op]=value'`` (or ``field=value``, or ``field[key]=value``).

    The bracketed word is the operator (``gte``, ``not_eq``, ``between``...), checked by
    the same code as ``Query.filter``: ``number[greater]=5`` fails with the API's
    ``unknown filter operator 'greater'; did you mean 'gt'?`` before any request. Only on a
    field whose catalog type is ``hash`` (``conditions``, ``range``...) is a word that is
    no operator a key of the hash (``range[from]=...``).

    Args:
        spec: The option's text.
        schema: The resource's schema, to type the value and recognise hash filters.

    Returns:
        ``(field, op, key, value)``; ``key`` is set (and ``op`` is ``eq``) for hash filters.

    Raises:
        UsageError: Malformed text, an unknown operator or a value of the wrong type.
    """
    match = _FILTER.match(spec.strip())
    if not match:
        raise UsageError(
            f"--filter takes field[operator]=value (e.g. 'starts_at[gte]=2024-05-01'), "
            f"got {spec!r}; {allowed_list(OPERATORS, label='operators')}"
        )
    field, key, text = match.group("field"), match.group("key"), match.group("value")
    kind = _type_of(schema, field)
    if key is not None and key not in OPERATORS and kind == "hash":
        return (field, "eq", key, parse_value(text, None, f"{field}[{key}]"))
    op = "eq" if key is None else check_operator(key)
    return (field, op, None, parse_value(text, kind, field, op))


def add_filters(query: Query, specs: Iterable[FilterSpec]) -> Query:
    """Add parsed filters to ``query`` (hash-filter keys of one field are merged).

    Args:
        query: The query to extend.
        specs: Parsed ``--where``/``--filter`` options, in command-line order.

    Returns:
        The new query.

    Raises:
        UsageError: A value the query builder refuses.
    """
    hashes: dict[str, dict[str, object]] = {}
    for field, op, key, value in specs:
        if key is not None:
            hashes.setdefault(field, {})[key] = value
        else:
            query = query.filter(field, op, value)
    for field, items in hashes.items():
        query = query.filter(field, "eq", items)
    return query


def parse_names(values: Iterable[str] | None) -> list[str]:
    """Split repeated comma-separated options (``--include a,b --include c``) into names.

    Args:
        values: The option's occurrences, or ``None``.

    Returns:
        The non-empty names, in order, without duplicates.
    """
    names: dict[str, None] = {}
    for value in values or ():
        for name in value.split(","):
            name = name.strip()
            if name:
                names[name] = None
    return list(names)


def parse_groups(
    values: Iterable[str] | None, option: str, example: str, default: str | None = None
) -> dict[str, list[str]]:
    """Parse repeated ``KEY=a,b`` options into ``{KEY: [a, b]}`` (names merged per key).

    Args:
        values: The option's occurrences, or ``None``.
        option: The option's name, for messages (``--fields``).
        example: A valid example, for messages.
        default: The key of a value written without ``KEY=`` (``None``: the key is required).

    Returns:
        Key -> names, in order, without duplicates.

    Raises:
        UsageError: A value without names, or without the required key.
    """
    groups: dict[str, list[str]] = {}
    for value in values or ():
        key, sep, names = value.partition("=")
        if not sep and default is not None:
            key, names = default, value
        parsed = parse_names([names]) if sep or default is not None else []
        if not parsed or not key.strip():
            raise UsageError(f"{option} takes {example}, got {value!r}")
        bucket = groups.setdefault(key.strip(), [])
        bucket.extend(n for n in parsed if n not in bucket)
    return groups


def parse_fieldsets(values: Iterable[str] | None, default_type: str) -> dict[str, list[str]]:
    """Parse ``--fields number,status`` or ``--fields customers=name,email`` by type.

    Raises:
        UsageError: ``type=`` with no names.
    """
    return parse_groups(
        values,
        "--fields",
        "names (number,status) or type=names (customers=name,email)",
        default_type,
    )


def parse_stats(values: Iterable[str] | None) -> dict[str, list[str]]:
    """Parse ``--stat field=agg[,agg]`` options into ``{field: [aggregations]}``.

    Raises:
        UsageError: An option that is not ``field=aggregation``.
    """
    return parse_groups(
        values, "--stat", "field=aggregation (total=count, grand_total_in_cents=sum)"
    )
