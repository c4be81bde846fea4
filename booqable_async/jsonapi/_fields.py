"""How a model declares its JSON:API fields: :func:`attribute`, :func:`to_one`, :func:`to_many`.

A model is an attrs class deriving from :class:`~booqable_async.jsonapi.Resource`; each
field carries one :class:`AttributeInfo` or :class:`RelationshipInfo` in its attrs
metadata under :data:`METADATA_KEY`. These are the JSON:API layer's own types: the layer
stays generic and never reads the Booqable catalog itself.
"""

from __future__ import annotations

from typing import Any, Final

import attrs

from booqable_async.jsonapi._sentinels import UNSET

__all__ = ["METADATA_KEY", "AttributeInfo", "RelationshipInfo", "attribute", "to_many", "to_one"]

#: Key of the field info in ``attrs.Attribute.metadata``.
METADATA_KEY: Final = "booqable_async.jsonapi"


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
        readonly: Never writable through ``<name>_id``/``<name>_ids``.
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

    The annotation gives the Python type (``datetime | None``, ``int | None``,
    ``list[str] | None``...); the decoder structures values into it.

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


def _relationship(many: bool, types: tuple[str, ...], name: str | None, readonly: bool) -> Any:
    info = RelationshipInfo(many=many, types=types, name=name, readonly=readonly)
    return attrs.field(default=UNSET, kw_only=True, metadata={METADATA_KEY: info})


def to_one(*types: str, name: str | None = None, readonly: bool = False) -> Any:
    """Declare a to-one relationship (value: a resource, ``None`` or ``NOT_LOADED``).

    Args:
        *types: Target type(s), e.g. ``"customers"``; several for polymorphic ones.
        name: Wire name when it differs from the Python name.
        readonly: Never writable through ``<name>_id``.

    Returns:
        An attrs field (typed ``Any`` so it fits any annotation).
    """
    return _relationship(False, types, name, readonly)


def to_many(*types: str, name: str | None = None, readonly: bool = False) -> Any:
    """Declare a to-many relationship (value: a list of resources or ``NOT_LOADED``).

    Args:
        *types: Target type(s), e.g. ``"lines"``; several for polymorphic ones.
        name: Wire name when it differs from the Python name.
        readonly: Never writable through ``<name>_ids``.

    Returns:
        An attrs field (typed ``Any`` so it fits any annotation).
    """
    return _relationship(True, types, name, readonly)
