"""Condition DSL for advanced search (``POST /{type}/search``).

Booqable's search body nests ``and``/``or`` groups (intro page, "Advanced search")::

    {"filter": {"conditions": {"operator": "or", "attributes": [
        {"operator": "and", "attributes": [{"starts_at": {"gte": "..."}},
                                           {"starts_at": {"lte": "..."}}]},
        {"name": "john"}]}}}

A leaf is one attribute: ``{"name": "john"}`` for equality, ``{"starts_at": {"gte": ...,
"lte": ...}}`` for operators (the orders search example puts two operators in one leaf).

``Q(status="reserved") | Q(starts_at__gte=when)`` builds that tree; ``&`` and ``|`` flatten
groups of the same operator, so ``a | b | c`` is one ``or`` group of three.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

import attrs

from booqable_async.errors import UsageError
from booqable_async.query._operators import OPERATORS, check_field_name, check_operator_value
from booqable_async.query._values import Normalized, normalize, to_json

__all__ = ["MAX_GROUP_DEPTH", "Condition", "FieldCondition", "Group", "Q", "and_", "or_"]

#: Deepest nesting of ``and``/``or`` groups accepted. Booqable's examples nest two; Rails'
#: JSON parser refuses documents nested more than 100 levels and each group adds two
#: (an object and its ``attributes`` array), so a deeper tree could never be read. Refusing
#: it when the group is built also keeps ``to_json()`` and ``leaves()`` (recursive) far
#: from Python's recursion limit.
MAX_GROUP_DEPTH = 32


class Condition:
    """Base of search conditions: combine with ``&`` (and) and ``|`` (or)."""

    __slots__ = ()

    def __and__(self, other: Condition) -> Group:
        return _combine("and", self, other)

    def __or__(self, other: Condition) -> Group:
        return _combine("or", self, other)

    def to_json(self) -> dict[str, Any]:
        """Return this condition as the JSON object Booqable's search body expects."""
        raise NotImplementedError

    def leaves(self) -> Iterable[FieldCondition]:
        """Yield every :class:`FieldCondition` in this tree (depth first)."""
        raise NotImplementedError


@attrs.frozen
class FieldCondition(Condition):
    """Conditions on one attribute, all of which must hold.

    Attributes:
        field: Attribute (filter) name.
        ops: ``(operator, normalised value)`` pairs, in the order given.
    """

    field: str
    ops: tuple[tuple[str, Normalized], ...]

    def to_json(self) -> dict[str, Any]:
        """Return ``{field: value}`` for a lone ``eq``, else ``{field: {op: value, ...}}``."""
        if len(self.ops) == 1 and self.ops[0][0] == "eq":
            return {self.field: to_json(self.ops[0][1])}
        return {self.field: {op: to_json(value) for op, value in self.ops}}

    def leaves(self) -> Iterable[FieldCondition]:
        """Yield this condition."""
        yield self


@attrs.frozen
class Group(Condition):
    """An ``and``/``or`` group of conditions.

    Attributes:
        operator: ``"and"`` or ``"or"``.
        conditions: The members (leaves or groups), in order.
        depth: Levels of groups in this tree (1 for a group of leaves).

    Raises:
        UsageError: The tree would nest deeper than :data:`MAX_GROUP_DEPTH`.
    """

    operator: Literal["and", "or"]
    conditions: tuple[Condition, ...]
    depth: int = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        # Groups are built bottom-up, so each one only looks at its direct members.
        depth = 1 + max((m.depth for m in self.conditions if isinstance(m, Group)), default=0)
        if depth > MAX_GROUP_DEPTH:
            raise UsageError(
                f"search conditions may nest and/or groups at most {MAX_GROUP_DEPTH} levels "
                "deep; flatten them (a | b | c is one group)"
            )
        object.__setattr__(self, "depth", depth)

    def to_json(self) -> dict[str, Any]:
        """Return ``{"operator": ..., "attributes": [...]}``."""
        return {
            "operator": self.operator,
            "attributes": [member.to_json() for member in self.conditions],
        }

    def leaves(self) -> Iterable[FieldCondition]:
        """Yield every leaf of every member."""
        for member in self.conditions:
            yield from member.leaves()


def _combine(operator: Literal["and", "or"], *members: object) -> Group:
    flat: list[Condition] = []
    for member in members:
        if not isinstance(member, Condition):
            raise UsageError(
                f"search conditions combine only with other conditions (Q(...)), "
                f"got {type(member).__name__}"
            )
        if isinstance(member, Group) and member.operator == operator:
            flat.extend(member.conditions)
        else:
            flat.append(member)
    if not flat:
        raise UsageError(f"an {operator!r} group needs at least one condition")
    return Group(operator, tuple(flat))


def and_(*conditions: Condition) -> Group:
    """Return an ``and`` group of ``conditions`` (same as ``a & b & ...``)."""
    return _combine("and", *conditions)


def or_(*conditions: Condition) -> Group:
    """Return an ``or`` group of ``conditions`` (same as ``a | b | ...``)."""
    return _combine("or", *conditions)


def Q(**conditions: object) -> Condition:  # noqa: N802  (the DSL's name, as in Django)
    """Build a search condition from keyword arguments.

    ``name="john"`` means equality; ``field__op=value`` uses an operator
    (``starts_at__gte=when``). Several keywords must all hold; several operators on one
    field stay in one leaf, as in Booqable's examples (``{"starts_at": {"gte": a, "lte": b}}``).

    Args:
        **conditions: ``field=value`` or ``field__operator=value``.

    Returns:
        A :class:`FieldCondition`, or an ``and`` :class:`Group` when several fields are named.

    Raises:
        UsageError: No condition given, an unknown operator, or an unsupported value.
    """
    if not conditions:
        raise UsageError("Q() needs at least one condition, e.g. Q(status='reserved')")
    by_field: dict[str, list[tuple[str, Normalized]]] = {}
    for key, value in conditions.items():
        field, sep, op = key.rpartition("__")
        if not sep:
            field, op = key, "eq"
        elif op not in OPERATORS:
            raise UsageError(
                f"Q({key}=...): unknown operator {op!r}; operators: {', '.join(OPERATORS)}"
            )
        check_field_name(field)
        where = f"search condition {field} {op}"
        normalized = normalize(value, where)
        check_operator_value(op, normalized, where)
        by_field.setdefault(field, []).append((op, normalized))
    leaves = [FieldCondition(field, tuple(ops)) for field, ops in by_field.items()]
    if len(leaves) == 1:
        return leaves[0]
    return Group("and", tuple(leaves))
