"""Filter operators and the shape rules every operator imposes on its value."""

from __future__ import annotations

import re

from booqable_async.errors import UsageError
from booqable_async.query._values import HashValue, Normalized

__all__ = [
    "LIST_OPERATORS",
    "OPERATORS",
    "check_field_name",
    "check_name",
    "check_operator_value",
]

#: Every operator Booqable's filter tables name, in the intro table's order, then
#: ``between`` (orders/documents/downtimes) and the rare ``compare``/``any_of``
#: (downtimes; email_templates, locations).
OPERATORS: tuple[str, ...] = (
    "eq",
    "not_eq",
    "eql",
    "not_eql",
    "prefix",
    "not_prefix",
    "suffix",
    "not_suffix",
    "match",
    "not_match",
    "gt",
    "gte",
    "lt",
    "lte",
    "between",
    "compare",
    "any_of",
)
_RANK = {op: i for i, op in enumerate(OPERATORS)}

#: Operators that accept a list of values (``filter[status][not_eq][]=a&...[]=b``).
LIST_OPERATORS = frozenset(OPERATORS) - {"gt", "gte", "lt", "lte", "between"}

# Attribute and type names in the catalog are lower-case identifiers; anything with
# brackets, commas or '&' would change the query's structure instead of naming a field.
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def operator_rank(op: str) -> int:
    """Return the position of ``op`` in :data:`OPERATORS` (rendering order)."""
    return _RANK[op]


def check_name(name: object, what: str) -> str:
    """Return ``name`` when it is an identifier-like string, else raise.

    Args:
        name: The caller's name.
        what: What it names (``"filter field"``, ``"type"``), for the message.

    Raises:
        UsageError: ``name`` is not a non-empty identifier.
    """
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise UsageError(
            f"invalid {what} {name!r}: use the attribute name as Booqable spells it "
            "(letters, digits and underscores)"
        )
    return name


def check_field_name(field: object) -> str:
    """Return ``field`` when it is a valid filter field name, else raise :class:`UsageError`."""
    return check_name(field, "filter field")


def check_operator_value(op: str, value: Normalized, where: str) -> None:
    """Check that ``value`` has a shape ``op`` accepts.

    Args:
        op: A member of :data:`OPERATORS`.
        value: The normalised value.
        where: Context for the message.

    Raises:
        UsageError: ``between`` without exactly two values, a list for a comparison
            operator, or a hash for anything but ``eq``.
    """
    if op == "between":
        if not isinstance(value, tuple) or len(value) != 2:
            raise UsageError(f"{where}: between takes two values (low, high), got {value!r}")
        return
    if isinstance(value, tuple) and op not in LIST_OPERATORS:
        raise UsageError(
            f"{where}: {op} compares with one value, got a list; "
            f"list values work with {', '.join(o for o in OPERATORS if o in LIST_OPERATORS)}"
        )
    if isinstance(value, HashValue) and op != "eq":
        raise UsageError(f"{where}: a dict (hash filter) value only works with eq")
