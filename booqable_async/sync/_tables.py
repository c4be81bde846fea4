"""What the sync loads for each Booqable resource: its table's columns and how it is read.

Everything here comes from the API catalog (:mod:`booqable_async.schema`), so it needs no
dlt and no network. A resource is read one of two ways:

* **incremental**: its list endpoint filters on ``updated_at`` with ``gte`` (the catalog's
  ``filters``), so each run asks only for records changed since the last one;
* **full refresh**: it cannot filter on ``updated_at``, so every run lists it all and only
  records whose content changed are written (resources of this kind are small lookup
  lists: ``collection_items``, ``item_prices``, ...).

Resources whose list needs a filter (``availabilities`` wants a period), command-like
resources without a list, lists that compute answers rather than return stored records
(``item_prices``: no ``created_at``), and the ``items`` union (its members ``product_groups``,
``products`` and ``bundles`` are tables of their own) are not syncable.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from booqable_async.errors import UsageError
from booqable_async.schema import AttributeSpec, ResourceSchema, get_schema, resource_types

__all__ = [
    "DEFAULT_RESOURCES",
    "TableSpec",
    "all_resources",
    "resolve_resources",
    "table_spec",
]

#: What ``booqable sync`` loads when no resource is named: a rental business's core.
DEFAULT_RESOURCES: tuple[str, ...] = (
    "customers",
    "orders",
    "lines",
    "plannings",
    "product_groups",
    "products",
    "stock_items",
    "locations",
)

#: Unions whose members are synced as tables of their own (a second copy would be waste).
_COVERED_UNIONS = frozenset({"items"})

# Catalog type -> dlt data type. Hashes and arrays stay JSON in one column (docs/sync.md:
# one row per record, no child tables to join or to keep in step on merges).
_DATA_TYPES = {
    "string": "text",
    "uuid": "text",
    "enum": "text",
    "integer": "bigint",
    "float": "double",
    "big_decimal": "double",
    "boolean": "bool",
    "datetime": "timestamp",
    "date": "date",
    "hash": "json",
    "array": "json",
    "carrierwave_file": "json",
}


def _column(spec: AttributeSpec) -> dict[str, Any]:
    data_type = _DATA_TYPES.get(spec.type, "text")
    column: dict[str, Any] = {"name": spec.name, "data_type": data_type, "nullable": True}
    if data_type == "timestamp":
        # Booqable sends offsets; keep instants (TIMESTAMPTZ), never local wall times.
        column["timezone"] = True
    return column


@attrs.frozen
class TableSpec:
    """How one resource becomes one table.

    Attributes:
        resource: The Booqable resource type (also the table name).
        columns: dlt column hints by name, typed from the catalog (``id`` first).
        incremental: True when the list filters on ``updated_at`` (else full refresh).
        archivable: True when records carry ``archived``/``archived_at`` (DELETE archives).
        record_types: The JSON:API types the list returns (several for unions).
    """

    resource: str
    columns: Mapping[str, Mapping[str, Any]]
    incremental: bool
    archivable: bool
    record_types: tuple[str, ...]

    @property
    def mode(self) -> str:
        """``"incremental"`` or ``"full refresh"``."""
        return "incremental" if self.incremental else "full refresh"


def _returned(schema: ResourceSchema) -> Iterable[AttributeSpec]:
    # Write-only attributes never come back and extra fields only on request: no columns.
    return (a for a in schema.attributes.values() if not a.writeonly and not a.extra)


def _syncable_reason(schema: ResourceSchema) -> str | None:
    if not schema.supports("list"):
        return "it has no list endpoint"
    if schema.required_filters:
        filters = ", ".join(f"filter[{f}]" for f in sorted(schema.required_filters))
        return f"its list needs {filters}"
    if schema.type in _COVERED_UNIONS:
        members = ", ".join(schema.polymorphic_types)
        return f"it is the union of {members}, which sync as tables of their own"
    if not all("created_at" in get_schema(t).attributes for t in schema.concrete_types()):
        return "its list computes answers (no created_at): there are no records to keep"
    return None


def table_spec(resource: str) -> TableSpec:
    """Return how ``resource`` is synced.

    Raises:
        UsageError: Unknown resource (with suggestions), or one the sync cannot read.
    """
    schema = get_schema(resource)
    reason = _syncable_reason(schema)
    if reason is not None:
        raise UsageError(f"cannot sync {resource}: {reason}")
    record_types = schema.concrete_types()
    columns: dict[str, dict[str, Any]] = {
        "id": {"name": "id", "data_type": "text", "nullable": False, "primary_key": True}
    }
    if schema.polymorphic_types:
        columns["type"] = {"name": "type", "data_type": "text", "nullable": True}
    for type_name in record_types:
        for spec in _returned(get_schema(type_name)):
            if spec.name not in columns:
                columns[spec.name] = _column(spec)
    updated = schema.filters.get("updated_at", frozenset())
    return TableSpec(
        resource=resource,
        columns=columns,
        incremental="gte" in updated and "updated_at" in columns,
        archivable="archived" in columns,
        record_types=record_types,
    )


def all_resources() -> tuple[str, ...]:
    """Return every resource ``--all`` syncs: public, listable without a filter."""
    found = []
    for name in resource_types():
        schema = get_schema(name)
        if schema.public and _syncable_reason(schema) is None:
            found.append(name)
    return tuple(found)


def resolve_resources(names: Iterable[str]) -> tuple[TableSpec, ...]:
    """Return the specs of ``names`` in order, once each.

    Raises:
        UsageError: No names, or a name that is unknown or not syncable.
    """
    specs: dict[str, TableSpec] = {}
    for name in names:
        if not isinstance(name, str):
            raise UsageError(f"resource names must be strings, got {name!r}")
        if name not in specs:
            specs[name] = table_spec(name)
    if not specs:
        raise UsageError("name at least one resource to sync")
    return tuple(specs.values())
