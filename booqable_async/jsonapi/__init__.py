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

The modules here are private; what other layers of the package need beyond these names
(decoding plans, JSON value writing, pointers) they import from them directly.
"""

from __future__ import annotations

from booqable_async.jsonapi._decode import decode
from booqable_async.jsonapi._document import Document
from booqable_async.jsonapi._encode import changes
from booqable_async.jsonapi._export import to_dict
from booqable_async.jsonapi._fields import Timestamp, attribute
from booqable_async.jsonapi._registry import Registry
from booqable_async.jsonapi._relationships import ToMany, ToOne
from booqable_async.jsonapi._resource import RESERVED_NAMES, GenericResource, Resource, is_loaded

__all__ = [
    "RESERVED_NAMES",
    "Document",
    "GenericResource",
    "Registry",
    "Resource",
    "Timestamp",
    "ToMany",
    "ToOne",
    "attribute",
    "changes",
    "decode",
    "is_loaded",
    "to_dict",
]
