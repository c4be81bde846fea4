"""Relationship descriptors: :class:`ToOne` and :class:`ToMany`.

Relationships are not attrs fields: msgspec decodes a document's ``attributes`` straight
into a model's attrs fields, while relationships are linked afterwards, once every
record of the document exists. A model declares them as class attributes::

    customer = ToOne["Customer"]("customers")       # reads as Customer | None
    lines = ToMany["Line"]("lines")                 # reads as list[Line]

The type argument is what type checkers see when the relationship is read; the
arguments are the target JSON:API type(s). A relationship the document said nothing
about raises :class:`~booqable_async.errors.NotLoadedError` when read, so the static
types are plain: there is no sentinel to narrow.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar, overload

from booqable_async.errors import NotLoadedError, UsageError
from booqable_async.jsonapi._fields import RelationshipInfo
from booqable_async.jsonapi._resource import (
    Resource,
    _set_snap,
    _Snapshot,
    linked_of,
    relationship_not_loaded,
)
from booqable_async.jsonapi._sentinels import ABSENT, CLEAN

__all__ = ["Relationship", "ToMany", "ToOne"]

T = TypeVar("T")
_MISSING: Any = object()


class Relationship:
    """What :class:`ToOne` and :class:`ToMany` share: the name and the stored value.

    Attributes:
        info: The :class:`~booqable_async.jsonapi.RelationshipInfo` (wire name, targets).
        name: Python name (set when the class is created).
        wire: Member name in ``relationships``.
    """

    __slots__ = ("info", "name", "wire")

    def __init__(self, many: bool, types: tuple[str, ...], name: str | None, readonly: bool):
        self.info = RelationshipInfo(many=many, types=types, name=name, readonly=readonly)
        self.name = ""
        self.wire = name or ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name
        if not self.wire:
            self.wire = name

    def _get(self, obj: Resource) -> Any:
        linked = obj._jsonapi_rels
        if linked is not None:
            value = linked.get(self.name, _MISSING)
            if value is not _MISSING:
                return value
        raise NotLoadedError(
            relationship_not_loaded(obj, self.name, self.wire),
            name=self.name,
            resource_type=obj.type,
        )

    def _set(self, obj: Resource, value: Any) -> None:
        linked = linked_of(obj)
        snap = obj._jsonapi_snap
        if snap is CLEAN or type(snap) is _Snapshot:
            # Change tracking of a decoded record, as for attributes (Resource.__setattr__).
            if snap is CLEAN:
                snap = _Snapshot()
                _set_snap(obj, snap)
            if self.name not in snap:
                snap[self.name] = linked.get(self.name, ABSENT)
        linked[self.name] = value

    def __delete__(self, obj: Resource) -> None:
        linked = obj._jsonapi_rels
        if linked is not None:
            linked.pop(self.name, None)

    def __repr__(self) -> str:
        kind = "ToMany" if self.info.many else "ToOne"
        return f"{kind}({', '.join(map(repr, self.info.types))}, name={self.wire!r})"


class ToOne(Relationship, Generic[T]):
    """A to-one relationship: reads as the linked record or ``None`` (known empty).

    Args:
        *types: Target type(s), e.g. ``"customers"``; several for polymorphic ones.
        name: Wire name when it differs from the Python name.
        readonly: Never writable.
    """

    __slots__ = ()

    def __init__(self, *types: str, name: str | None = None, readonly: bool = False) -> None:
        super().__init__(False, types, name, readonly)

    @overload
    def __get__(self, obj: None, owner: type[Any] | None = None) -> ToOne[T]: ...

    @overload
    def __get__(self, obj: Resource, owner: type[Any] | None = None) -> T | None: ...

    def __get__(self, obj: Resource | None, owner: type[Any] | None = None) -> Any:
        if obj is None:
            return self
        return self._get(obj)

    def __set__(self, obj: Resource, value: T | None) -> None:
        if value is not None and not isinstance(value, Resource):
            raise UsageError(
                f"{obj.type}.{self.name} is a to-one relationship: assign a record or None, "
                f"not {type(value).__name__}"
            )
        self._set(obj, value)


class ToMany(Relationship, Generic[T]):
    """A to-many relationship: reads as a list of linked records (``[]``: known empty).

    Args:
        *types: Target type(s), e.g. ``"lines"``; several for polymorphic ones.
        name: Wire name when it differs from the Python name.
        readonly: Never writable.
    """

    __slots__ = ()

    def __init__(self, *types: str, name: str | None = None, readonly: bool = False) -> None:
        super().__init__(True, types, name, readonly)

    @overload
    def __get__(self, obj: None, owner: type[Any] | None = None) -> ToMany[T]: ...

    @overload
    def __get__(self, obj: Resource, owner: type[Any] | None = None) -> list[T]: ...

    def __get__(self, obj: Resource | None, owner: type[Any] | None = None) -> Any:
        if obj is None:
            return self
        return self._get(obj)

    def __set__(self, obj: Resource, value: list[T]) -> None:
        if not isinstance(value, list) or not all(isinstance(v, Resource) for v in value):
            raise UsageError(
                f"{obj.type}.{self.name} is a to-many relationship: assign a list of records"
            )
        self._set(obj, value)
