"""Facts about every Booqable v4 resource, generated from the API catalog.

``get_schema("orders")`` returns a :class:`ResourceSchema`; ``resource_types()`` lists every
known type. The data lives in the generated file ``schema/_data.json`` (``make generate``),
read once on first use; each resource's schema is built on first use too.
"""

from __future__ import annotations

from booqable_async.schema._catalog import (
    filter_operators_for_type,
    get_schema,
    has_schema,
    resource_types,
    searchable_types,
)
from booqable_async.schema._types import (
    AGGREGATIONS,
    OPERATIONS,
    ActionSpec,
    AttributeSpec,
    Endpoint,
    RelationshipSpec,
    ResourceSchema,
)

__all__ = [
    "AGGREGATIONS",
    "OPERATIONS",
    "ActionSpec",
    "AttributeSpec",
    "Endpoint",
    "RelationshipSpec",
    "ResourceSchema",
    "filter_operators_for_type",
    "get_schema",
    "has_schema",
    "resource_types",
    "searchable_types",
]
