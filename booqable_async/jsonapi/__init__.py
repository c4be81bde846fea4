"""Generic JSON:API: decode documents into linked attrs records, track their changes.

This layer knows nothing about Booqable (an import-linter contract and a test enforce
it): models are attrs classes deriving from :class:`Resource`, mapped from their
JSON:API type by a :class:`Registry` the caller passes. Without one, every record is a
:class:`GenericResource` that keeps every member.

Example::

    from booqable_async.jsonapi import decode

    doc = decode(body)                 # bytes, str or a parsed mapping
    record = doc.data[0]               # a GenericResource (no registry given)
    record.attributes["name"]

Booqable's models, its nested ``.json`` format and its write conventions sit a layer
up (``booqable_async.decode``, ``booqable_async.models``). See docs/decoding.md.
"""

from __future__ import annotations

from booqable_async.errors import NotLoadedError
from booqable_async.jsonapi._decode import decode, escape_pointer, json_kind
from booqable_async.jsonapi._document import Document
from booqable_async.jsonapi._encode import changes, json_value
from booqable_async.jsonapi._export import to_dict
from booqable_async.jsonapi._fields import (
    METADATA_KEY,
    AttributeInfo,
    RelationshipInfo,
    Timestamp,
    attribute,
)
from booqable_async.jsonapi._plan import (
    FieldPlan,
    Plan,
    iter_attributes,
    iter_relationships,
    plan_for,
)
from booqable_async.jsonapi._registry import EMPTY_REGISTRY, Registry, load_registry
from booqable_async.jsonapi._relationships import Relationship, ToMany, ToOne
from booqable_async.jsonapi._resource import (
    RESERVED_NAMES,
    GenericResource,
    Resource,
    id_of,
    is_loaded,
)

__all__ = [
    "EMPTY_REGISTRY",
    "METADATA_KEY",
    "RESERVED_NAMES",
    "AttributeInfo",
    "Document",
    "FieldPlan",
    "GenericResource",
    "NotLoadedError",
    "Plan",
    "Registry",
    "Relationship",
    "RelationshipInfo",
    "Resource",
    "Timestamp",
    "ToMany",
    "ToOne",
    "attribute",
    "changes",
    "decode",
    "escape_pointer",
    "id_of",
    "is_loaded",
    "iter_attributes",
    "iter_relationships",
    "json_kind",
    "json_value",
    "load_registry",
    "plan_for",
    "to_dict",
]
