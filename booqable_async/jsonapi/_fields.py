"""How a model declares its JSON:API attributes: :func:`attribute` and :data:`Timestamp`.

A model is an attrs class deriving from :class:`~booqable_async.jsonapi.Resource`; each
attribute is an attrs field carrying one :class:`AttributeInfo` in its metadata under
:data:`METADATA_KEY`. Relationships are not attrs fields but descriptors
(:class:`~booqable_async.jsonapi.ToOne`, :class:`~booqable_async.jsonapi.ToMany`, each
with its :class:`RelationshipInfo`): msgspec decodes a document's ``attributes`` straight
into the attrs fields, and relationships are linked afterwards. These are the JSON:API
layer's own types: the layer stays generic and never reads the Booqable catalog itself.
"""

from __future__ import annotations

import datetime as _dt
from typing import Annotated, Any, Final, TypeAlias

import attrs
import msgspec

from booqable_async.jsonapi._sentinels import UNSET

__all__ = ["METADATA_KEY", "AttributeInfo", "RelationshipInfo", "Timestamp", "attribute"]

#: Key of the field info in ``attrs.Attribute.metadata``.
METADATA_KEY: Final = "booqable_async.jsonapi"

#: An aware timestamp. Declare timestamp attributes as ``Timestamp | None``: the decoder
#: then refuses to store a timestamp without an offset as a naive ``datetime`` and reads
#: it as UTC instead (``datetime`` alone would keep it naive). Type checkers see
#: ``datetime``.
Timestamp: TypeAlias = Annotated[_dt.datetime, msgspec.Meta(tz=True)]


@attrs.frozen
class AttributeInfo:
    """What the JSON:API layer knows about one attribute of a model.

    Attributes:
        name: Member name in the document's ``attributes`` (``None``: the Python name).
            Needed when the wire name is not a usable Python name (``type`` -> ``type_``,
            ``from`` -> ``from_``).
        readonly: Never writable; the encoder refuses to send it (``UsageError``).
        writeonly: Accepted on writes, never returned by the server.
        readonly_after_create: Writable on create only; refused in update documents.
        nullable: Documented as nullable. Informative only: any attribute may arrive as
            ``null`` whatever the documentation says.
        extra: Returned only when asked for (``extra_fields[type]=name``).
        secret: Holds secret material; ``repr`` masks it.
    """

    name: str | None = None
    readonly: bool = False
    writeonly: bool = False
    readonly_after_create: bool = False
    nullable: bool = False
    extra: bool = False
    secret: bool = False

    def writable(self, operation: str) -> bool:
        """Return True when the attribute may be sent on ``operation`` (create/update)."""
        if self.readonly:
            return False
        return operation == "create" or not self.readonly_after_create


@attrs.frozen
class RelationshipInfo:
    """What the JSON:API layer knows about one relationship of a model.

    Attributes:
        many: True for to-many (a list), False for to-one (one resource or ``None``).
        types: Possible target types; several for polymorphic relationships (``owner``).
            The identifiers in a document always carry the concrete type, which decides
            the class; ``types`` serves the nested ``.json`` format and documentation.
        name: Member name in ``relationships`` (``None``: the Python name).
        readonly: Never writable (Booqable: through ``<name>_id``/``<name>_ids``).
    """

    many: bool
    types: tuple[str, ...] = ()
    name: str | None = None
    readonly: bool = False


def attribute(
    *,
    name: str | None = None,
    readonly: bool = False,
    writeonly: bool = False,
    readonly_after_create: bool = False,
    nullable: bool = False,
    extra: bool = False,
    secret: bool = False,
) -> Any:
    """Declare a JSON:API attribute of a model.

    The annotation gives the Python type (``Timestamp | None``, ``int | None``,
    ``list[str] | None``...); msgspec decodes the document's value into it. The default
    is internal: a member the document (or the constructor call) did not give is left
    unset, and reading it raises ``NotLoadedError``.

    Args:
        name: Wire name when it differs from the Python name.
        readonly: See :class:`AttributeInfo`.
        writeonly: See :class:`AttributeInfo`.
        readonly_after_create: See :class:`AttributeInfo`.
        nullable: See :class:`AttributeInfo`.
        extra: See :class:`AttributeInfo`.
        secret: See :class:`AttributeInfo`.

    Returns:
        An attrs field (typed ``Any`` so it fits any annotation).
    """
    info = AttributeInfo(
        name=name,
        readonly=readonly,
        writeonly=writeonly,
        readonly_after_create=readonly_after_create,
        nullable=nullable,
        extra=extra,
        secret=secret,
    )
    return attrs.field(default=UNSET, kw_only=True, metadata={METADATA_KEY: info})
