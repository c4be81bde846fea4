"""The fake's in-memory database: records per type, foreign-key indexes, relation lookups.

Records are plain dicts holding ``id`` plus every catalog attribute of their type that the
server returns (write-only attributes are never stored). Union resources (``items``,
``payments``) are views over their concrete types.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

from booqable_async.schema import AttributeSpec
from booqable_async.testing._relations import (
    RelationPlan,
    concrete_types,
    plan_for,
    resolve_type_value,
    type_matches,
)
from booqable_async.testing._values import comparable

__all__ = ["Record", "Store", "default_value"]

#: One stored record: ``id`` plus attribute values.
Record = dict[str, Any]

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_ZERO_INT_SUFFIXES = ("_in_cents", "_count", "quantity", "_amount")
# Defaults where the first documented enum value is not what Booqable starts with (recorded
# and example documents).
_DEFAULTS: dict[tuple[str, str], Any] = {
    ("orders", "deposit_type"): "percentage",
    ("orders", "payment_status"): "paid",
    ("customers", "deposit_type"): "default",
    ("stock_items", "status"): "in_stock",
    ("product_groups", "tracking_type"): "bulk",
    ("products", "tracking_type"): "bulk",
    ("product_groups", "price_type"): "simple",
    ("products", "price_type"): "simple",
    ("product_groups", "price_period"): "day",
    ("products", "price_period"): "day",
    ("plannings", "planning_type"): "order",
    ("stock_item_plannings", "stock_item_planning_type"): "order",
    ("lines", "line_type"): "charge",
    ("properties", "property_type"): "text_field",
    # A created order with nothing on it (orders__create__response, recorded creates):
    # nothing left to start, no amounts to be paid yet, both address properties present.
    ("orders", "deposit_value"): 100.0,  # with deposit_type percentage (recorded creates)
    ("orders", "entirely_started"): True,
    ("orders", "amount_to_be_paid_in_cents"): None,
    ("orders", "deposit_to_be_paid_in_cents"): None,
    ("orders", "coupon_errors"): None,
    ("orders", "statuses"): ["new"],
    ("orders", "status_counts"): {"new": 0, "draft": 0, "reserved": 0, "started": 0, "stopped": 0},
    ("orders", "properties"): {"delivery_address": None, "billing_address": None},
    # Created lines (lines__create__response) count and are taxed and discounted.
    ("lines", "discountable"): True,
    ("lines", "taxable"): True,
    ("lines", "relevant"): True,
    ("lines", "nested_position"): 0,
    ("lines", "original_price_each_in_cents"): None,
    ("locations", "pickup_enabled"): True,
    ("locations", "fulfillment_capabilities"): ["pickup"],
    ("collections", "show_in_store"): True,
    ("collections", "collection_type"): None,
    ("users", "status"): "invited",  # POST /users invites (users__create__response)
    ("signatures", "status"): "pending",
    ("stock_adjustments", "confirm_shortage"): None,
    ("stock_item_archivations", "confirm_shortage"): None,
    ("coupons", "stackable"): True,
    ("coupons", "minimum_order_amount_in_cents"): None,
    **{
        (type_name, name): None
        for type_name in ("stock_items", "stock_adjustments")
        for name in ("purchase_cost_in_cents",)
    },
    # product_groups__create__response, products__create__response, bundles__create__response.
    **{
        (type_name, name): value
        for type_name in ("product_groups", "products", "bundles")
        for name, value in (
            ("buffer_time_before", 0),
            ("buffer_time_after", 0),
            ("shortage_limit", 0),
            ("sorting_weight", 0),
            ("show_in_store", True),
            ("discountable", True),
            ("taxable", True),
            ("default_purchase_cost_in_cents", None),
        )
    },
}


def default_value(type_name: str, spec: AttributeSpec) -> Any:
    """Return the value an attribute has when a create does not set it.

    Follows the recorded documents: money and counts start at 0, flags at false, lists
    empty, hashes empty unless nullable, enums at their first documented value.
    """
    kind = spec.type
    if (type_name, spec.name) in _DEFAULTS:
        return copy.deepcopy(_DEFAULTS[(type_name, spec.name)])
    if spec.name == "type" and kind == "string":
        return type_name
    if kind == "boolean":
        return False
    if kind == "integer":
        return 0 if spec.name.endswith(_ZERO_INT_SUFFIXES) else None
    if kind in ("float", "big_decimal"):
        return None if spec.nullable else 0.0
    if kind == "array":
        return []
    if kind == "hash":
        return None if spec.nullable else {}
    if kind in ("enum", "string") and spec.enum and not spec.nullable:
        return spec.enum[0]
    return None


class Store:
    """Records of every type, keyed by id, in insertion order."""

    def __init__(self) -> None:
        self._tables: dict[str, dict[str, Record]] = {}
        self._type_of: dict[str, str] = {}
        # Insertion sequence per id, kept across a removal so an undone delete keeps its
        # place (the fake's equivalent of a serial primary key).
        self._sequence: dict[str, int] = {}
        self._versions: dict[str, int] = {}
        self._newest: dict[str, tuple[tuple[int, ...], list[tuple[str, Record]]]] = {}
        self._indexes: dict[tuple[str, str], tuple[int, dict[Any, list[str]]]] = {}
        # Explicit links for relations the catalog gives no foreign key for
        # (order_fulfillments.changed_lines...): (type, id, relationship) -> [(type, id)].
        self._links: dict[tuple[str, str, str], list[tuple[str, str]]] = {}

    # -- basic access -------------------------------------------------------------------

    def table(self, type_name: str) -> dict[str, Record]:
        """Return the live id -> record mapping of one concrete type."""
        return self._tables.setdefault(type_name, {})

    def count(self, type_name: str) -> int:
        """Return how many records a type (or union) holds."""
        return sum(len(self._tables.get(t, ())) for t in concrete_types(type_name))

    def iter(self, type_name: str) -> Iterator[tuple[str, Record]]:
        """Yield ``(concrete type, record)`` for a type or union, in insertion order."""
        for concrete in concrete_types(type_name):
            for record in self._tables.get(concrete, {}).values():
                yield concrete, record

    def get(self, type_name: str, record_id: str) -> tuple[str, Record] | None:
        """Return ``(concrete type, record)`` for an id of a type or union, or None."""
        actual = self._type_of.get(record_id)
        if actual is None or actual not in concrete_types(type_name):
            return None
        return actual, self._tables[actual][record_id]

    def type_of(self, record_id: str) -> str | None:
        """Return the concrete type of a stored id."""
        return self._type_of.get(record_id)

    def types(self) -> list[str]:
        """Return the concrete types that hold records."""
        return [t for t, rows in self._tables.items() if rows]

    # -- writes -------------------------------------------------------------------------

    def _touch(self, type_name: str) -> None:
        self._versions[type_name] = self._versions.get(type_name, 0) + 1

    def insert(self, type_name: str, record: Record) -> Record:
        """Store a new record (its ``id`` must be unused)."""
        record_id = record["id"]
        if record_id in self._type_of:
            raise KeyError(f"id {record_id} already exists")
        self.table(type_name)[record_id] = record
        self._type_of[record_id] = type_name
        self._sequence.setdefault(record_id, len(self._sequence))
        self._touch(type_name)
        return record

    def changed(self, type_name: str) -> None:
        """Tell the store that records of ``type_name`` were modified in place."""
        self._touch(type_name)

    def link(
        self, type_name: str, record_id: str, relationship: str, targets: list[tuple[str, str]]
    ) -> None:
        """Set explicit targets for a relationship (overrides the catalog-derived lookup)."""
        self._links[(type_name, record_id, relationship)] = list(targets)

    def remove(self, type_name: str, record_id: str) -> Record:
        """Delete a record and return it."""
        record = self._tables[type_name].pop(record_id)
        del self._type_of[record_id]
        self._touch(type_name)
        return record

    # -- indexes and relations ----------------------------------------------------------

    def newest_first(self, type_name: str) -> list[tuple[str, Record]]:
        """Return a type's (or union's) records by ``created_at``, newest first.

        Ties (records created in the same microsecond, or under a frozen test clock) go to
        the later inserted record, so the order is total and pages never lose or repeat a
        record. Cached until the next write to one of the types.
        """
        types = concrete_types(type_name)
        version = tuple(self._versions.get(t, 0) for t in types)
        cached = self._newest.get(type_name)
        if cached is not None and cached[0] == version:
            return cached[1]
        sequence = self._sequence

        def key(item: tuple[str, Record]) -> tuple[bool, Any, int]:
            created = comparable("datetime", item[1].get("created_at"))
            usable = isinstance(created, datetime)
            return usable, created if usable else _EPOCH, sequence[item[1]["id"]]

        ordered = sorted(self.iter(type_name), key=key, reverse=True)
        self._newest[type_name] = (version, ordered)
        return ordered

    def index(self, type_name: str, attr: str) -> dict[Any, list[str]]:
        """Return ``value -> [ids]`` for one attribute of a type, rebuilt after writes."""
        version = self._versions.get(type_name, 0)
        cached = self._indexes.get((type_name, attr))
        if cached is not None and cached[0] == version:
            return cached[1]
        built: dict[Any, list[str]] = {}
        for record_id, record in self._tables.get(type_name, {}).items():
            value = record.get(attr)
            if value is not None and not isinstance(value, (list, dict)):
                built.setdefault(value, []).append(record_id)
        self._indexes[(type_name, attr)] = (version, built)
        return built

    def find_by(self, type_name: str, attr: str, value: Any) -> list[Record]:
        """Return the records of a type (or union) whose ``attr`` equals ``value``."""
        out: list[Record] = []
        for concrete in concrete_types(type_name):
            table = self._tables.get(concrete, {})
            out.extend(table[i] for i in self.index(concrete, attr).get(value, ()))
        return out

    def related(
        self, type_name: str, record: Record, relationship: str
    ) -> list[tuple[str, Record]]:
        """Return the records ``relationship`` points at (0 or 1 for to-one relations)."""
        linked = self._links.get((type_name, record["id"], relationship))
        if linked is not None:
            return [(t, self._tables[t][i]) for t, i in linked if i in self._tables.get(t, {})]
        plan = plan_for(type_name, relationship)
        if plan.kind == "fk":
            return self._via_fk(record, plan)
        if plan.kind == "inverse":
            return self._via_inverse(type_name, record, plan)
        return []

    def _get_any(self, types: tuple[str, ...], record_id: Any) -> tuple[str, Record] | None:
        actual = self._type_of.get(record_id) if isinstance(record_id, str) else None
        if actual is None or actual not in types:
            return None
        return actual, self._tables[actual][record_id]

    def _via_fk(self, record: Record, plan: RelationPlan) -> list[tuple[str, Record]]:
        target_id = record.get(plan.attr or "")
        if target_id is None:
            return []
        types = plan.targets
        if plan.type_attr is not None:
            named = resolve_type_value(record.get(plan.type_attr), plan.targets)
            types = (named,) if named is not None else types
        hit = self._get_any(types, target_id)
        return [] if hit is None else [hit]

    def _via_inverse(
        self, type_name: str, record: Record, plan: RelationPlan
    ) -> list[tuple[str, Record]]:
        found: list[tuple[str, Record]] = []
        for target in plan.targets:
            table = self._tables.get(target)
            if not table:
                continue
            for target_id in self.index(target, plan.attr or "").get(record["id"], ()):
                candidate = table[target_id]
                if plan.type_attr is not None and not type_matches(
                    candidate.get(plan.type_attr), type_name
                ):
                    continue
                found.append((target, candidate))
                if not plan.many:
                    return found
        return found
