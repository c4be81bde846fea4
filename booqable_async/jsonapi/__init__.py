"""Generic JSON:API: decode documents into linked attrs objects, encode writes.

This layer knows nothing about Booqable resources (an import-linter contract enforces
it): models register in a :class:`Registry`, and the default registry is read from
``booqable_async.models`` on first use.

Example::

    from booqable_async.jsonapi import decode

    doc = decode(body)                 # bytes, str or a parsed mapping
    order = doc.data[0]
    order.starts_at                    # aware datetime (with the default registry)
    order.customer.name                # linked object; NOT_LOADED when not included

See docs/decoding.md for the model convention, relationship states, stubs, sparse
fields, change tracking and the encoder.
"""

from __future__ import annotations

from booqable_async.jsonapi._decode import decode, decode_nested, escape_pointer, is_nested_document
from booqable_async.jsonapi._document import Document
from booqable_async.jsonapi._encode import (
    changes,
    create_document,
    destroy,
    json_value,
    update_document,
)
from booqable_async.jsonapi._export import to_dict
from booqable_async.jsonapi._fields import (
    METADATA_KEY,
    AttributeInfo,
    RelationshipInfo,
    attribute,
    to_many,
    to_one,
)
from booqable_async.jsonapi._registry import (
    DEFAULT_REGISTRY_MODULE,
    Registry,
    default_registry,
    load_registry,
)
from booqable_async.jsonapi._resource import (
    RESERVED_NAMES,
    GenericResource,
    NotLoadedError,
    Resource,
)
from booqable_async.jsonapi._sentinels import NOT_LOADED, NotLoadedType

__all__ = [
    "DEFAULT_REGISTRY_MODULE",
    "METADATA_KEY",
    "NOT_LOADED",
    "RESERVED_NAMES",
    "AttributeInfo",
    "Document",
    "GenericResource",
    "NotLoadedError",
    "NotLoadedType",
    "Registry",
    "RelationshipInfo",
    "Resource",
    "attribute",
    "changes",
    "create_document",
    "decode",
    "decode_nested",
    "default_registry",
    "destroy",
    "escape_pointer",
    "is_nested_document",
    "json_value",
    "load_registry",
    "to_dict",
    "to_many",
    "to_one",
    "update_document",
]
