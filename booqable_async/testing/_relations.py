"""How to find a record's related records from the catalog and its ``*_id`` attributes.

Booqable stores relations as foreign keys that it also exposes as attributes
(``orders.customer_id``, ``lines.order_id``, ``properties.owner_id`` + ``owner_type``). The
plan for each (type, relationship) is derived once from the catalog:

- ``fk``: a to-one relation with a ``<name>_id`` attribute on the record itself (and a
  ``<name>_type`` attribute when the relation is polymorphic);
- ``inverse``: records of the target type whose foreign key points back at this record
  (``orders.lines`` -> ``lines.order_id``; ``customers.properties`` -> ``properties.owner_id``);
- ``none``: the catalog gives no way to resolve it; the fake answers empty.
"""

from __future__ import annotations

from functools import cache

import attrs

from booqable_async.schema import RelationshipSpec, get_schema, has_schema

__all__ = [
    "RelationPlan",
    "concrete_types",
    "plan_for",
    "relationship",
    "singular",
    "type_matches",
]


def singular(type_name: str) -> str:
    """Return the singular of a plural resource type (``properties`` -> ``property``)."""
    if type_name.endswith("ies"):
        return type_name[:-3] + "y"
    if type_name.endswith(("sses", "ches", "shes", "xes")):
        return type_name[:-2]
    if type_name.endswith("s"):
        return type_name[:-1]
    return type_name


def _camel(type_name: str) -> str:
    return "".join(part.capitalize() for part in singular(type_name).split("_"))


def type_matches(value: object, type_name: str) -> bool:
    """True when a ``*_type`` attribute value names ``type_name`` (``orders`` or ``Order``)."""
    if not isinstance(value, str):
        return False
    return value in (type_name, _camel(type_name), singular(type_name))


def resolve_type_value(value: object, candidates: tuple[str, ...]) -> str | None:
    """Map a ``*_type`` attribute value to one of ``candidates``."""
    for candidate in candidates:
        if type_matches(value, candidate):
            return candidate
    return None


@cache
def concrete_types(type_name: str) -> tuple[str, ...]:
    """Expand union types (``items``, ``payments``) to the types records really have."""
    if not has_schema(type_name):
        return (type_name,)
    return get_schema(type_name).concrete_types()


@attrs.frozen
class RelationPlan:
    """How to resolve one relationship.

    Attributes:
        kind: ``fk``, ``inverse`` or ``none``.
        many: True for to-many relations.
        targets: Concrete target types.
        attr: The foreign-key attribute.
        type_attr: Attribute naming the target's (``fk``) or owner's (``inverse``) type.
    """

    kind: str
    many: bool
    targets: tuple[str, ...]
    attr: str | None = None
    type_attr: str | None = None


def _expand(types: tuple[str, ...]) -> tuple[str, ...]:
    out: list[str] = []
    for t in types:
        for c in concrete_types(t):
            if c not in out:
                out.append(c)
    return tuple(out)


def _inverse_attr(target: str, owner: str) -> tuple[str | None, str | None]:
    """Find the attribute of ``target`` records that points at an ``owner`` record."""
    if not has_schema(target):
        return None, None
    schema = get_schema(target)
    direct = f"{singular(owner)}_id"
    if direct in schema.attributes:
        return direct, None
    for name, rel in schema.relationships.items():
        if rel.many or f"{name}_id" not in schema.attributes:
            continue
        if owner in _expand(rel.types):
            type_attr = f"{name}_type" if f"{name}_type" in schema.attributes else None
            return f"{name}_id", type_attr
    return None, None


@cache
def relationship(type_name: str, name: str) -> RelationshipSpec | None:
    """Return a relationship of ``type_name``, or None when it has none by that name.

    Some include tables name relations the relationship table omits (signatures offers
    ``order`` and ``customer``); when a ``<name>_id`` attribute points at a documented
    type, that to-one relation is implied.
    """
    schema = get_schema(type_name)
    spec = schema.relationships.get(name)
    if spec is not None:
        return spec
    if f"{name}_id" in schema.attributes:
        for candidate in (f"{name}s", f"{name[:-1]}ies" if name.endswith("y") else ""):
            if candidate and has_schema(candidate):
                return RelationshipSpec(name=name, many=False, types=(candidate,))
    return None


@cache
def plan_for(type_name: str, relationship_name: str) -> RelationPlan:
    """Return how ``type_name``'s ``relationship_name`` is resolved (cached, pure)."""
    schema = get_schema(type_name)
    relationship_ = relationship_name
    rel = relationship(type_name, relationship_name)
    if rel is None:
        return RelationPlan("none", False, ())
    targets = _expand(rel.types)
    if not rel.many and f"{relationship_}_id" in schema.attributes:
        type_attr = (
            f"{relationship_}_type" if f"{relationship_}_type" in schema.attributes else None
        )
        return RelationPlan("fk", False, targets, f"{relationship_}_id", type_attr)
    for target in targets:
        attr, type_attr = _inverse_attr(target, type_name)
        if attr is not None:
            return RelationPlan("inverse", rel.many, targets, attr, type_attr)
    return RelationPlan("none", rel.many, targets)
