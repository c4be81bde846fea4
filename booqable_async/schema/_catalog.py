"""The catalog facts: read the generated ``_data.json`` once, build each schema on first use."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import msgspec

from booqable_async.errors import UsageError
from booqable_async.schema._choices import unknown_choice
from booqable_async.schema._types import (
    ActionSpec,
    AttributeSpec,
    Endpoint,
    RelationshipSpec,
    ResourceSchema,
)

__all__ = [
    "filter_operators_for_type",
    "get_schema",
    "has_schema",
    "resource_types",
    "searchable_types",
]


@cache
def _data() -> dict[str, Any]:
    # Read-only facts loaded once; a cache of immutable data, not configuration.
    raw = resources.files(__package__).joinpath("_data.json").read_bytes()
    data: dict[str, Any] = msgspec.json.decode(raw)
    return data


def resource_types() -> tuple[str, ...]:
    """Return every resource type the catalog documents, sorted."""
    return tuple(sorted(_data()["resources"]))


def has_schema(type_name: str) -> bool:
    """Return True when ``type_name`` is a documented resource type."""
    return type_name in _data()["resources"]


def searchable_types() -> frozenset[str]:
    """Return the types that accept ``POST /{type}/search``."""
    return frozenset(_data()["searchable"])


def filter_operators_for_type(value_type: str) -> frozenset[str]:
    """Return the operators the API's generic table allows for a filter value type."""
    return frozenset(_data()["filter_operators_by_type"].get(value_type, ("eq",)))


def get_schema(type_name: str) -> ResourceSchema:
    """Return the schema of resource ``type_name``.

    Args:
        type_name: JSON:API type, e.g. ``"orders"``.

    Returns:
        The immutable :class:`ResourceSchema` (built once, then cached).

    Raises:
        UsageError: ``type_name`` is not a documented resource; the message suggests
            close matches.
    """
    if not has_schema(type_name):
        raise UsageError(
            unknown_choice(
                "Booqable resource type", str(type_name), resource_types(), label="types"
            )
        )
    return _build(type_name)


@cache
def _build(type_name: str) -> ResourceSchema:
    # Cached immutable values derived from immutable generated data: not mutable state.
    raw = _data()["resources"][type_name]
    attributes = {
        name: AttributeSpec(
            name=name,
            type=spec["type"],
            items=spec.get("items"),
            enum=tuple(spec.get("enum", ())),
            readonly="readonly" in spec["flags"],
            writeonly="writeonly" in spec["flags"],
            readonly_after_create="readonly_after_create" in spec["flags"],
            nullable="nullable" in spec["flags"],
            extra="extra" in spec["flags"],
            deprecated="deprecated" in spec["flags"],
            writable_on=tuple(spec.get("writable_on", ())),
        )
        for name, spec in raw["attributes"].items()
    }
    relationships = {
        name: RelationshipSpec(
            name=name,
            many=spec["many"],
            types=tuple(spec["types"]),
            required=spec.get("required", False),
        )
        for name, spec in raw["relationships"].items()
    }
    return ResourceSchema(
        type=type_name,
        title=raw["title"],
        public=raw["public"],
        operations=frozenset(raw["operations"]),
        endpoints=tuple(Endpoint(*e) for e in raw["endpoints"]),
        attributes=attributes,
        relationships=relationships,
        filters={k: frozenset(v) for k, v in raw["filters"].items()},
        filter_types=dict(raw["filter_types"]),
        required_filters=frozenset(raw["required_filters"]),
        stats={k: frozenset(v) for k, v in raw["stats"].items()},
        includes={k: tuple(v) for k, v in raw["includes"].items()},
        params={k: tuple(v) for k, v in raw["params"].items()},
        request_body={k: tuple(v) for k, v in raw["request_body"].items()},
        sortable=frozenset(raw["sortable"]),
        extra_fields=tuple(raw["extra_fields"]),
        delete_kind=raw["delete_kind"],
        delete_archives=raw["delete_archives"],
        polymorphic_types=tuple(raw["polymorphic_types"]),
        response_types=tuple(raw["response_types"]),
        actions={
            name: ActionSpec(name=name, fields=dict(a["fields"]), facts=tuple(a["facts"]))
            for name, a in raw["actions"].items()
        },
        notes=tuple(raw["notes"]),
    )
