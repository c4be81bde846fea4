"""The resource base class, the generic resource and the not-loaded error."""

from __future__ import annotations

import re
import reprlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

import attrs

from booqable_async.errors import BooqableError
from booqable_async.jsonapi._sentinels import NOT_LOADED, UNSET

if TYPE_CHECKING:
    from booqable_async.jsonapi._plan import Plan

__all__ = ["RESERVED_NAMES", "GenericResource", "NotLoadedError", "Resource"]

#: Python names a model field may not use (``Resource`` defines them). A wire name that
#: collides (``type`` inside Booqable ``products`` attributes) gets a trailing ``_``.
RESERVED_NAMES = frozenset(
    {
        "id",
        "lid",
        "type",
        "meta",
        "links",
        "is_stub",
        "extra_attributes",
        "extra_relationships",
        "relationship_links",
        "relationship_meta",
        "jsonapi_type",
    }
)

_EMPTY: Mapping[str, Any] = {}
# Slots a decoded resource may leave unassigned (the decoder skips them): read as None.
_PRIVATE = frozenset({"lid", "_jsonapi_state", "_jsonapi_snap", "_jsonapi_rsnap"})
_SECRET_NAME = re.compile(r"(password|secret|token|api_?key|^key$|signature_base64)", re.I)
_REPR = reprlib.Repr()
_REPR.maxlevel = 3
_REPR.maxstring = 80
_REPR.maxother = 80
_REPR.maxlist = _REPR.maxdict = 8


class NotLoadedError(BooqableError, AttributeError):
    """An attribute the document did not carry (sparse fieldset, stub, or never set).

    An ``AttributeError`` so ``getattr(obj, name, default)`` and ``hasattr`` keep working.

    Attributes:
        name: The Python name of the field.
        resource_type: JSON:API type of the resource.
    """

    def __init__(self, message: str, *, name: str, resource_type: str) -> None:
        super().__init__(message)
        self.name = name
        self.resource_type = resource_type


class _State:
    """Rarely present per-resource facts, allocated only when a resource has one."""

    __slots__ = (
        "extra_attributes",
        "extra_relationships",
        "links",
        "meta",
        "relationship_links",
        "relationship_meta",
        "stub",
    )

    def __init__(self) -> None:
        self.meta: dict[str, Any] | None = None
        self.links: dict[str, Any] | None = None
        self.extra_attributes: dict[str, Any] | None = None
        self.extra_relationships: dict[str, Any] | None = None
        self.relationship_links: dict[str, Any] | None = None
        self.relationship_meta: dict[str, Any] | None = None
        self.stub = False


def state_of(resource: Resource) -> _State:
    """Return the resource's state record, creating it on first use."""
    state = resource._jsonapi_state
    if state is None:
        state = resource._jsonapi_state = _State()
    return state


@attrs.define(slots=True, eq=False, repr=False, weakref_slot=True)
class Resource:
    """Base of every JSON:API resource: models (one per type) and :class:`GenericResource`.

    A model is an attrs class::

        @attrs.define(eq=False, repr=False)
        class Order(Resource):
            jsonapi_type: ClassVar[str] = "orders"

            starts_at: datetime | None = attribute()
            number: int | None = attribute(readonly=True)
            customer: Customer | None | NotLoadedType = to_one("customers")
            lines: list[Line] | NotLoadedType = to_many("lines")

    Equality and hashing go by ``(type, id)`` (identity while ``id`` is ``None``);
    ``repr`` shows loaded attributes and relationships as ``type:id`` references, so it
    never loops on cycles and never shows a field flagged ``secret``.

    Reading an attribute the document did not carry raises :class:`NotLoadedError`;
    a relationship the document said nothing about reads as ``NOT_LOADED``.

    Attributes:
        jsonapi_type: The JSON:API type the class stands for (class-level).
        id: Server id (``None`` for a resource not created yet).
        lid: Local id (JSON:API 1.1) of a resource without a server id.
    """

    jsonapi_type: ClassVar[str] = ""

    id: str | None = attrs.field(default=None, kw_only=True)
    lid: str | None = attrs.field(default=None, kw_only=True)
    _jsonapi_state: _State | None = attrs.field(default=None, init=False)
    _jsonapi_snap: tuple[Any, ...] | None = attrs.field(default=None, init=False)
    _jsonapi_rsnap: dict[str, Any] | None = attrs.field(default=None, init=False)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # attrs gives slotted classes a __getstate__ reading every field; a resource
        # leaves not-loaded fields unassigned, so pickling and copying use ours.
        if "__getstate__" in cls.__dict__:
            type.__setattr__(cls, "__getstate__", Resource.__getstate__)
            type.__setattr__(cls, "__setstate__", Resource.__setstate__)

    def __getstate__(self) -> dict[str, Any]:
        state: dict[str, Any] = {}
        for klass in type(self).__mro__:
            for name in klass.__dict__.get("__slots__", ()):
                if name == "__weakref__":
                    continue
                try:
                    state[name] = object.__getattribute__(self, name)
                except AttributeError:
                    continue
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        for name, value in state.items():
            object.__setattr__(self, name, value)

    def __attrs_post_init__(self) -> None:
        # Fields nobody gave a value stay unassigned, exactly like a decoded resource
        # whose document lacked them: reading one says so instead of returning a sentinel.
        for name in _plan_of(type(self)).field_names:
            if getattr(self, name, None) is UNSET:
                delattr(self, name)

    if not TYPE_CHECKING:
        # Hidden from type checkers so that a misspelled read (``order.nubmer``) is a
        # mypy error rather than ``Any``; at run time it explains unloaded fields.

        def __getattr__(self, name: str) -> Any:
            # Only called when normal lookup failed: an unassigned slot, or no such name.
            cls = type(self)
            if name in _PRIVATE:
                return None
            if name.startswith("__"):
                raise AttributeError(name)
            plan = _plan_of(cls)
            if name in plan.rel_by_py:
                return NOT_LOADED
            field = plan.attr_by_py.get(name)
            if field is None:
                raise AttributeError(f"{cls.__name__!r} object has no attribute {name!r}")
            raise NotLoadedError(
                _not_loaded_message(self, name, field.wire, field.info.extra),
                name=name,
                resource_type=self.type,
            )

    def __eq__(self, other: object) -> bool:
        if self is other:
            return True
        if not isinstance(other, Resource):
            return NotImplemented
        return self.id is not None and self.id == other.id and self.type == other.type

    def __hash__(self) -> int:
        if self.id is None:
            return object.__hash__(self)
        return hash((self.type, self.id))

    def __repr__(self) -> str:
        return _repr_resource(self)

    @property
    def is_stub(self) -> bool:
        """True for a resource only referenced by an identifier, not included.

        A stub knows its type and id; every attribute reads as not loaded.
        """
        state = self._jsonapi_state
        return state is not None and state.stub

    @property
    def extra_attributes(self) -> Mapping[str, Any]:
        """Attributes the document carried that the model does not declare (kept raw)."""
        return self._state_mapping("extra_attributes")

    @property
    def extra_relationships(self) -> Mapping[str, Any]:
        """Relationships the document carried that the model does not declare (linked)."""
        return self._state_mapping("extra_relationships")

    @property
    def relationship_links(self) -> Mapping[str, Mapping[str, Any]]:
        """``links`` of each relationship that had some, by wire name."""
        return self._state_mapping("relationship_links")

    @property
    def relationship_meta(self) -> Mapping[str, Mapping[str, Any]]:
        """``meta`` of each relationship that had some, by wire name."""
        return self._state_mapping("relationship_meta")

    @property
    def meta(self) -> Mapping[str, Any]:
        """The resource object's ``meta`` (empty when it had none)."""
        return self._state_mapping("meta")

    @property
    def links(self) -> Mapping[str, Any]:
        """The resource object's ``links`` (empty when it had none)."""
        return self._state_mapping("links")

    def _state_mapping(self, name: str) -> Mapping[str, Any]:
        state = self._jsonapi_state
        value = None if state is None else getattr(state, name)
        return _EMPTY if value is None else value

    # Last in the class body: below this point ``type`` would name the property.
    @property
    def type(self) -> str:
        """The JSON:API type (``orders``)."""
        return self.jsonapi_type


@attrs.define(slots=True, eq=False, repr=False)
class GenericResource(Resource):
    """A resource of a type the registry does not know; keeps every member as sent.

    Attributes and relationships are plain dicts (relationships linked like a model's:
    a resource, a list, ``None``; absent when not loaded). Both are also readable as
    attributes: ``resource.name`` is ``resource.attributes["name"]``.

    Attributes:
        type: The JSON:API type.
        attributes: Attribute name -> JSON value (datetimes stay strings: no schema).
        relationships: Relationship name -> linked resource(s) or ``None``.
    """

    type: str = attrs.field(kw_only=True)
    attributes: dict[str, Any] = attrs.field(factory=dict, kw_only=True)
    relationships: dict[str, Any] = attrs.field(factory=dict, kw_only=True)

    def __attrs_post_init__(self) -> None:
        pass

    def __getattr__(self, name: str) -> Any:
        if name in _PRIVATE:
            return None
        if not name.startswith("_"):
            try:
                attributes = object.__getattribute__(self, "attributes")
                relationships = object.__getattribute__(self, "relationships")
            except AttributeError:
                raise AttributeError(name) from None
            if name in attributes:
                return attributes[name]
            if name in relationships:
                return relationships[name]
            raise NotLoadedError(
                _not_loaded_message(self, name, name, extra=False),
                name=name,
                resource_type=self.type,
            )
        raise AttributeError(name)


def _plan_of(cls: type[Resource]) -> Plan:
    from booqable_async.jsonapi._plan import plan_for

    return plan_for(cls)


def _not_loaded_message(resource: Resource, name: str, wire: str, extra: bool) -> str:
    rtype = resource.type
    who = f"{rtype} {resource.id}" if resource.id is not None else f"this {rtype} resource"
    if resource.is_stub:
        return (
            f"{who} is a stub: the document only referenced it, so {name!r} was not loaded. "
            f"Include the relationship that points to it (include=...) to get its attributes."
        )
    if resource._jsonapi_snap is None and not isinstance(resource, GenericResource):
        return f"{name!r} of {who} was never set."
    if extra:
        return (
            f"{name!r} of {who} was not loaded: it is returned only on request. "
            f"Ask for it with extra_fields[{rtype}]={wire} "
            f"(Query().extra_fields({rtype}=[{wire!r}]))."
        )
    return (
        f"{name!r} of {who} was not loaded: the document did not carry it (sparse "
        f"fieldset). Ask for it with fields[{rtype}]=...,{wire} "
        f"(Query().fields({rtype}=[..., {wire!r}]))."
    )


def ref(resource: Resource) -> str:
    """Return ``type:id`` (or ``type:lid``/``type:new``) naming ``resource`` briefly."""
    ident = resource.id
    if ident is None:
        ident = resource.lid if resource.lid is not None else "new"
    return f"{resource.type}:{ident}"


def _repr_value(value: Any) -> str:
    if isinstance(value, Resource):
        return ref(value)
    if isinstance(value, list) and all(isinstance(item, Resource) for item in value):
        return "[" + ", ".join(ref(item) for item in value) + "]"
    return _REPR.repr(value)


def _repr_resource(resource: Resource) -> str:
    from booqable_async.jsonapi._plan import iter_attributes, iter_relationships

    parts = [f"id={resource.id!r}"]
    if resource.id is None and resource.lid is not None:
        parts.append(f"lid={resource.lid!r}")
    if isinstance(resource, GenericResource):
        parts.insert(0, f"type={resource.type!r}")
    if resource.is_stub:
        parts.append("stub")
    for py_name, wire, value, secret in iter_attributes(resource, with_extra=True):
        shown = "'REDACTED'" if secret or _SECRET_NAME.search(wire) else _repr_value(value)
        parts.append(f"{py_name}={shown}")
    for py_name, _, value in iter_relationships(resource, with_extra=True):
        parts.append(f"{py_name}={_repr_value(value)}")
    return f"{type(resource).__name__}({', '.join(parts)})"
