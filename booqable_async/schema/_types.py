"""Value types describing a Booqable v4 resource, derived from the API catalog.

These are facts, not behaviour: query validation, the model encoder and the fake server
read them. They are generated into :mod:`booqable_async.schema._catalog` by
``tools/generate.py`` (``make generate``) and loaded lazily, one resource at a time.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs

__all__ = [
    "AGGREGATIONS",
    "OPERATIONS",
    "ActionSpec",
    "AttributeSpec",
    "Endpoint",
    "RelationshipSpec",
    "ResourceSchema",
]

#: Every operation name the catalog derives from method + path.
OPERATIONS = frozenset(
    {"list", "get", "create", "update", "delete", "search", "new", "current", "update_current"}
)
#: Stats aggregations Booqable accepts (``stats[field][]=agg``).
AGGREGATIONS = frozenset({"count", "count_each", "sum", "average", "maximum", "minimum"})


@attrs.frozen
class AttributeSpec:
    """One attribute of a resource.

    Attributes:
        name: Attribute name as it appears in ``attributes``.
        type: Doc type lower-cased: ``string``, ``uuid``, ``integer``, ``float``,
            ``boolean``, ``datetime``, ``date``, ``enum``, ``hash``, ``array``,
            ``carrierwave_file``.
        items: Element type for ``array`` attributes, when documented.
        enum: Known values (the server may add more; decoding never rejects new ones).
        readonly: Never writable.
        writeonly: Sent on writes, never returned.
        readonly_after_create: Writable on create only.
        nullable: Documented as nullable (incomplete: any attribute may arrive as null).
        extra: Only returned when asked for with ``extra_fields``.
        deprecated: Documented as deprecated.
        writable_on: Operations whose request body lists the attribute.
    """

    name: str
    type: str
    items: str | None = None
    enum: tuple[str, ...] = ()
    readonly: bool = False
    writeonly: bool = False
    readonly_after_create: bool = False
    nullable: bool = False
    extra: bool = False
    deprecated: bool = False
    writable_on: tuple[str, ...] = ()

    def writable(self, operation: str) -> bool:
        """Return True when the attribute may be sent on ``operation`` (create/update)."""
        if self.readonly:
            return False
        return operation == "create" or not self.readonly_after_create


@attrs.frozen
class RelationshipSpec:
    """One relationship of a resource.

    Attributes:
        name: Relationship name.
        many: True for to-many, False for to-one.
        types: Target type(s); more than one for polymorphic relations (``owner``).
        required: The doc's "required" badge on to-one relations (not always reliable).
    """

    name: str
    many: bool
    types: tuple[str, ...]
    required: bool = False

    @property
    def polymorphic(self) -> bool:
        """True when the target may be one of several types."""
        return len(self.types) > 1


@attrs.frozen
class Endpoint:
    """One documented HTTP endpoint of a resource."""

    operation: str
    method: str
    path: str


@attrs.frozen
class ActionSpec:
    """One action kind of a command resource (``order_fulfillments``).

    Attributes:
        name: Action kind (``book_product``...).
        fields: Field name -> documented type text.
        facts: Short facts the docs state about the action.
    """

    name: str
    fields: Mapping[str, str] = attrs.field(factory=dict)
    facts: tuple[str, ...] = ()


@attrs.frozen
class ResourceSchema:
    """Everything the catalog knows about one resource type.

    Attributes:
        type: JSON:API type (also the URL segment), e.g. ``orders``.
        title: Human title from the docs.
        public: Listed in the public v4 docs (False for internal/unlisted pages).
        operations: Operations the API offers for this resource.
        endpoints: The documented endpoints.
        attributes: Attribute name -> spec.
        relationships: Relationship name -> spec.
        filters: Filterable attribute -> allowed operators.
        filter_types: Filterable attribute -> its value type (``string``, ``datetime``...).
        required_filters: Filters every list request must carry.
        stats: Field -> allowed aggregations (``total`` -> ``count``).
        includes: Operation -> allowed include paths (dot syntax).
        params: Operation -> accepted query parameters.
        request_body: Operation -> attribute names its request body accepts.
        sortable: Operations that accept ``sort``.
        extra_fields: Attributes returned only with ``extra_fields``.
        delete_kind: Verb of the DELETE section (delete/archive/...), when DELETE exists.
        delete_archives: True when DELETE archives instead of destroying.
        polymorphic_types: Concrete types for union resources (``items``, ``payments``).
        response_types: Other JSON:API types the examples return for this resource.
        actions: Action kinds for command resources.
        notes: Short facts from the docs.
        max_page_size: Largest ``page[size]`` accepted (historically 100; not documented).
    """

    type: str
    title: str = ""
    public: bool = True
    operations: frozenset[str] = frozenset()
    endpoints: tuple[Endpoint, ...] = ()
    attributes: Mapping[str, AttributeSpec] = attrs.field(factory=dict)
    relationships: Mapping[str, RelationshipSpec] = attrs.field(factory=dict)
    filters: Mapping[str, frozenset[str]] = attrs.field(factory=dict)
    filter_types: Mapping[str, str] = attrs.field(factory=dict)
    required_filters: frozenset[str] = frozenset()
    stats: Mapping[str, frozenset[str]] = attrs.field(factory=dict)
    includes: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict)
    params: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict)
    request_body: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict)
    sortable: frozenset[str] = frozenset()
    extra_fields: tuple[str, ...] = ()
    delete_kind: str | None = None
    delete_archives: bool = False
    polymorphic_types: tuple[str, ...] = ()
    response_types: tuple[str, ...] = ()
    actions: Mapping[str, ActionSpec] = attrs.field(factory=dict)
    notes: tuple[str, ...] = ()
    max_page_size: int = 100

    def supports(self, operation: str) -> bool:
        """Return True when the API offers ``operation`` for this resource."""
        return operation in self.operations

    def includes_for(self, operation: str) -> tuple[str, ...]:
        """Return the include paths ``operation`` accepts (``()`` when none)."""
        return self.includes.get(operation, ())

    def concrete_types(self) -> tuple[str, ...]:
        """Return the record types this resource's endpoints return (itself, or its union)."""
        return self.polymorphic_types or (self.type,)
