"""Model validation of writes: what Booqable's records reject once the request has parsed.

Graphiti checks the request first (unknown, read-only and mistyped attributes answer 400,
see ``_writes``); then the Rails model validates, and a failure answers 422 in
graphiti_errors' format with every problem at once, each with a JSON pointer. Checked
against the catalog:

- **enums**: a value outside a field table's "One of" list (``customers.legal_type`` is
  "Either ``person`` or ``commercial``"); array attributes (``webhook_endpoints.events``)
  element by element. For writes the documented list is taken as complete, except where
  the docs' own examples show another value (``collections.collection_type`` ``manual``).
  ``orders.status`` accepts only ``new``, ``draft`` or ``reserved``, on create (orders
  docs);
- **related records**: a foreign key (``customer_id``, ``owner_id`` with ``owner_type``...)
  must name a stored record of the relation's type (Rails' "Customer must exist"). Command
  resources that look their target up (``order_fulfillments``...) answer 404 instead;
- **required relations**: the docs' ``required`` badge on a relation whose foreign key is
  written on create, where every documented create example sends it (the badges are not
  reliable on their own: the customers create example has no
  ``merge_suggestion_customer_id`` although the badge says required);
- **periods**: ``starts_at`` before ``stops_at`` (orders, downtimes), ``from`` before
  ``till`` (stock items, stock adjustments, price rules), a coupon's ``starts_at`` not
  after its ``ends_at`` (both are whole days);
- **nested writes** (``properties_attributes``...): enum values of each entry, reported
  the way Rails names nested errors (``properties.property_type``).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from booqable_async.schema import AttributeSpec, get_schema, has_schema
from booqable_async.testing._errors import invalid_record, validation_object
from booqable_async.testing._relations import plan_for, resolve_type_value
from booqable_async.testing._store import Store
from booqable_async.testing._values import moment_or_none
from booqable_async.testing._writes import attribute_writable

__all__ = ["LOOKED_UP", "required_relations", "validate_write", "write_enum"]

#: Values the docs' examples write or return that the field table's list lacks.
_EXTRA_ENUM_VALUES: Mapping[tuple[str, str], tuple[str, ...]] = {
    ("collections", "collection_type"): ("manual",),
}
#: Narrower lists for one operation (orders docs: status is new, draft or reserved, on create).
_OPERATION_ENUMS: Mapping[tuple[str, str, str], tuple[str, ...]] = {
    ("orders", "status", "create"): ("new", "draft", "reserved"),
}
#: ``required`` badges that a documented create example contradicts by leaving the
#: foreign key out (the server fills it in or the relation is optional).
NOT_REQUIRED: frozenset[tuple[str, str]] = frozenset(
    {
        ("customers", "merge_suggestion_customer"),
        ("emails", "customer"),
        ("emails", "email_template"),
        ("orders", "start_location"),
        ("orders", "stop_location"),
        ("payment_authorizations", "customer"),
        ("payment_authorizations", "order"),
        ("payment_authorizations", "payment_method"),
        ("payment_charges", "customer"),
        ("payment_charges", "order"),
        ("payment_charges", "payment_authorization"),
        ("payment_charges", "payment_method"),
        ("payment_refunds", "customer"),
        ("payment_refunds", "order"),
        ("payment_refunds", "payment_charge"),
        ("rendered_emails", "document"),
        ("stock_items", "location"),
    }
)
#: Command resources whose handlers look their target up and answer 404 when it is missing.
LOOKED_UP = frozenset(
    {
        "order_duplications",
        "order_fulfillments",
        "order_status_transitions",
        "stock_adjustments",
        "stock_item_archivations",
    }
)
#: (start, stop, strictly before): periods a record may not end before it starts.
_PERIODS = (
    ("starts_at", "stops_at", True),
    ("from", "till", True),
    ("starts_at", "ends_at", False),
)


def write_enum(type_name: str, spec: AttributeSpec, operation: str) -> tuple[str, ...]:
    """Return the values a write of ``spec`` accepts (``()`` when any value goes)."""
    narrowed = _OPERATION_ENUMS.get((type_name, spec.name, operation))
    if narrowed is not None:
        return narrowed
    if not spec.enum:
        return ()
    return spec.enum + _EXTRA_ENUM_VALUES.get((type_name, spec.name), ())


@cache
def required_relations(type_name: str) -> tuple[str, ...]:
    """Return the to-one relations a create of ``type_name`` must name (cached, pure)."""
    schema = get_schema(type_name)
    out: list[str] = []
    if "create" not in schema.operations:
        return ()
    for name, rel in schema.relationships.items():
        spec = schema.attributes.get(f"{name}_id")
        if not rel.required or rel.many or spec is None or (type_name, name) in NOT_REQUIRED:
            continue
        if attribute_writable(spec, "create") and any(has_schema(t) for t in rel.types):
            out.append(name)
    return tuple(out)


def _enum_problem(allowed: tuple[str, ...], value: Any) -> bool:
    if value is None or not allowed:
        return False
    values = value if isinstance(value, list) else [value]
    return any(v not in allowed for v in values)


def _missing_target(store: Store, type_name: str, name: str, merged: Mapping[str, Any]) -> bool:
    """True when foreign key ``name`` names no stored record of its relation's type."""
    value = merged.get(name)
    plan = plan_for(type_name, name[: -len("_id")])
    if value is None or plan.kind != "fk" or plan.attr != name:
        return False
    targets = plan.targets
    if plan.type_attr is not None:
        named = resolve_type_value(merged.get(plan.type_attr), plan.targets)
        targets = (named,) if named is not None else targets
    documented = [t for t in targets if has_schema(t)]
    if not documented:
        return False  # undocumented target types (carts...) cannot hold records here
    return not any(store.get(t, str(value)) is not None for t in documented)


def _period_errors(
    type_name: str, operation: str, values: Mapping[str, Any], merged: Mapping[str, Any]
) -> list[dict[str, Any]]:
    attributes = get_schema(type_name).attributes
    errors = []
    for start, stop, strict in _PERIODS:
        specs = (attributes.get(start), attributes.get(stop))
        if any(s is None or s.type != "datetime" for s in specs):
            continue
        if start not in values and stop not in values:
            continue
        if not any(attribute_writable(s, operation) for s in specs if s is not None):
            continue
        begin, end = moment_or_none(merged.get(start)), moment_or_none(merged.get(stop))
        if begin is None or end is None:
            continue
        if end < begin or (strict and end == begin):
            word = "after" if strict else "on or after"
            errors.append(validation_object(stop, f"must be {word} {start}", "greater_than"))
    return errors


def _nested_errors(type_name: str, values: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Enum problems inside ``<relation>_attributes`` entries."""
    schema = get_schema(type_name)
    errors = []
    for name, value in values.items():
        rel = schema.relationships.get(name[: -len("_attributes")])
        if not name.endswith("_attributes") or rel is None or not has_schema(rel.types[0]):
            continue
        target = rel.types[0]
        child_attributes = get_schema(target).attributes
        entries = value if isinstance(value, list) else [value]
        for entry in entries:
            if not isinstance(entry, dict):
                continue  # reported as a type error by the nested write itself
            for key, raw in entry.items():
                spec = child_attributes.get(key)
                if spec is not None and _enum_problem(write_enum(target, spec, "create"), raw):
                    errors.append(
                        validation_object(
                            f"{rel.name}.{key}",
                            "is not included in the list",
                            "inclusion",
                            relationship=True,
                        )
                    )
    return errors


def validate_write(
    store: Store,
    type_name: str,
    operation: str,
    values: Mapping[str, Any],
    record: Mapping[str, Any] | None = None,
) -> None:
    """Check a parsed write against the catalog's rules (see the module docstring).

    Args:
        store: The records related ids are looked up in.
        type_name: The resource written.
        operation: ``create``, ``update`` or ``update_current``.
        values: The typecast attributes of the write.
        record: The stored record an update changes.

    Raises:
        FakeError: 422 listing every problem found.
    """
    schema = get_schema(type_name)
    merged = {**(record or {}), **values}
    errors: list[dict[str, Any]] = []
    for name, value in values.items():
        spec = schema.attributes.get(name)
        if spec is not None and _enum_problem(write_enum(type_name, spec, operation), value):
            errors.append(validation_object(name, "is not included in the list", "inclusion"))
    missing = []
    if operation == "create":
        missing = [n for n in required_relations(type_name) if merged.get(f"{n}_id") is None]
    if type_name not in LOOKED_UP:
        missing += [
            name[: -len("_id")]
            for name in values
            if name.endswith("_id") and _missing_target(store, type_name, name, merged)
        ]
    errors.extend(
        validation_object(name, "must exist", "blank", relationship=True) for name in missing
    )
    errors.extend(_period_errors(type_name, operation, values, merged))
    errors.extend(_nested_errors(type_name, values))
    if errors:
        raise invalid_record(errors)
