"""Filter operators and the shape rules every operator imposes on its value."""

from __future__ import annotations

import re

from booqable_async.errors import UsageError
from booqable_async.query._values import HashValue, Normalized
from booqable_async.schema._choices import unknown_choice

__all__ = [
    "LIST_OPERATORS",
    "OPERATORS",
    "OPERATOR_ALIASES",
    "check_field_name",
    "check_name",
    "check_operator",
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

#: Words people write for an operator (other APIs, SQL, English), for suggestions only:
#: ``greater`` is never sent as ``gt`` silently, the message proposes it.
OPERATOR_ALIASES: dict[str, str] = {
    "greater": "gt",
    "greater_than": "gt",
    "after": "gt",
    "gteq": "gte",
    "ge": "gte",
    "greater_or_equal": "gte",
    "greater_than_or_equal": "gte",
    "less": "lt",
    "less_than": "lt",
    "before": "lt",
    "lteq": "lte",
    "le": "lte",
    "less_or_equal": "lte",
    "less_than_or_equal": "lte",
    "equal": "eq",
    "equals": "eq",
    "is": "eq",
    "in": "eq",
    "ne": "not_eq",
    "neq": "not_eq",
    "not": "not_eq",
    "not_equal": "not_eq",
    "not_in": "not_eq",
    "contains": "match",
    "like": "match",
    "starts_with": "prefix",
    "ends_with": "suffix",
    "range": "between",
}

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


def check_operator(op: object) -> str:
    """Return ``op`` when it is a filter operator, else raise with the closest ones.

    The one check of an operator's name: ``Query.filter`` and the ``booqable`` command's
    ``--filter 'field[op]=value'`` both go through it.

    Args:
        op: The caller's operator.

    Raises:
        UsageError: ``op`` is not one of :data:`OPERATORS`.
    """
    if not isinstance(op, str) or op not in _RANK:
        raise UsageError(
            unknown_choice(
                "filter operator", str(op), OPERATORS, aliases=OPERATOR_ALIASES, label="operators"
            )
        )
    return op


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
