"""The resource base class, the generic resource, and what a record knows about itself."""

from __future__ import annotations

import functools
import re
import reprlib
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

import attrs

from booqable_async.errors import NotLoadedError
from booqable_async.jsonapi._sentinels import ABSENT, CLEAN, DECODING, INCOMPLETE, UNSET

if TYPE_CHECKING:
    from booqable_async.jsonapi._fields import AttributeInfo
    from booqable_async.jsonapi._plan import Plan

__all__ = [
    "RESERVED_NAMES",
    "GenericResource",
    "NotLoadedError",
    "Resource",
    "id_of",
    "is_loaded",
    "linked_of",
    "ref",
    "state_of",
]

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
        "to_dict",
    }
)

_EMPTY: Mapping[str, Any] = {}
# Names looked up on a class while it is being built or copied; never fields.
_PRIVATE = frozenset({"_jsonapi_snap", "_jsonapi_state", "_jsonapi_rels"})
_SECRET_NAME = re.compile(r"(password|secret|token|api_?key|^key$)", re.I)
_REPR = reprlib.Repr()
_REPR.maxlevel = 3
_REPR.maxstring = 80
_REPR.maxother = 80
_REPR.maxlist = _REPR.maxdict = 8


class _State:
    """Rarely present per-record facts, allocated only when a record has one."""

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


class _Linked(dict[str, Any]):
    """A record's linked relationships by Python name.

    Its own type, so msgspec refuses to fill it from a document's ``attributes``.
    """

    __slots__ = ()


class _Snapshot(dict[str, Any]):
    """Original values of the fields changed since decoding, by Python name."""

    __slots__ = ()


def _finishing(init: Callable[..., None]) -> Callable[..., None]:
    """Wrap an attrs ``__init__``: afterwards, clear the fields the caller did not give."""

    @functools.wraps(init)
    def init_and_finish(self: Resource, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        if _get_slot(self, "id") is UNSET:
            object.__delattr__(self, "id")
        self._jsonapi_drop_unset()
        _set_snap(self, None)

    return init_and_finish


class _ResourceSlots:
    """The per-record bookkeeping slots, outside attrs' fields.

    msgspec decodes a document's ``attributes`` into a model's attrs fields and, for
    each field the document lacked, looks the slot up before filling its default; a
    failed lookup raises (and discards) an AttributeError, which costs more than
    decoding the value. These slots are not fields, so msgspec never looks for them.
    """

    __slots__ = ("__weakref__", "_jsonapi_rels", "_jsonapi_snap", "_jsonapi_state")

    # Change tracking: None (built locally), CLEAN (decoded, unchanged), a _Snapshot of
    # the original values of the fields changed since (for a generic record, a copy of
    # its attributes), or DECODING/INCOMPLETE while msgspec builds the record.
    _jsonapi_snap: Any
    _jsonapi_state: _State | None
    _jsonapi_rels: _Linked | None


@attrs.define(slots=True, eq=False, repr=False, weakref_slot=False)
class Resource(_ResourceSlots):
    """Base of every JSON:API record: models (one per type) and :class:`GenericResource`.

    A model is an attrs class; attributes are attrs fields, relationships descriptors::

        @attrs.define(eq=False, repr=False)
        class Order(Resource):
            jsonapi_type: ClassVar[str] = "orders"

            starts_at: Timestamp | None = attribute()
            number: int | None = attribute(readonly=True)

            customer = ToOne["Customer"]("customers")
            lines = ToMany["Line"]("lines")

    Equality and hashing go by ``(type, id)`` (identity while there is no id);
    ``repr`` shows loaded attributes and relationships as ``type:id`` references, so it
    never loops on cycles and never shows a field flagged ``secret``.

    Reading an attribute or relationship the document did not carry raises
    :class:`~booqable_async.errors.NotLoadedError` (an ``AttributeError``) naming what
    to ask for; :func:`is_loaded` asks without raising.

    Attributes:
        jsonapi_type: The JSON:API type the class stands for (class-level).
        id: Server id. Always there on a record read from the server; a record built
            locally has none until it is created (reading it raises ``NotLoadedError``).
        lid: Local id (JSON:API 1.1) of a record without a server id.
    """

    jsonapi_type: ClassVar[str] = ""
    # Setters of the attributes to prime before msgspec decodes a record (see
    # __attrs_pre_init__); the model's plan keeps it up to date.
    __jsonapi_primed__: ClassVar[tuple[Callable[[Any, Any], None], ...]] = ()

    id: str = attrs.field(default=UNSET, kw_only=True)
    lid: str | None = attrs.field(default=None, kw_only=True)

    def __attrs_pre_init__(self) -> None:
        # Called first by msgspec for every decoded record (and by __init__). msgspec
        # checks after decoding that every field has a value, and a field it finds
        # missing costs a failed lookup (and a call of __getattr__, which only notes
        # it): so the fields documents lack (id and lid live outside ``attributes``;
        # write-only, on-request and renamed attributes, and those this model's
        # documents were seen to lack) get a value first. settle() clears them again.
        _set_snap(self, DECODING)
        _set_state(self, None)
        _set_rels(self, None)
        _set_id(self, UNSET)
        _set_lid(self, None)
        for setter in self.__jsonapi_primed__:
            setter(self, UNSET)

    def _jsonapi_drop_unset(self) -> None:
        """Remove UNSET from every attribute slot, so reading one raises NotLoadedError."""
        for name, getter in _plan_of(type(self)).attr_getters.items():
            try:
                value = getter(self)
            except AttributeError:
                continue
            if value is UNSET:
                object.__delattr__(self, name)

    @classmethod
    def __attrs_init_subclass__(cls) -> None:
        # attrs gives slotted classes a __getstate__ reading every field; a record leaves
        # not-loaded fields unassigned, so pickling and copying use ours.
        type.__setattr__(cls, "__getstate__", Resource.__getstate__)
        type.__setattr__(cls, "__setstate__", Resource.__setstate__)
        # A record built by calling the class: clear the fields nobody gave. (msgspec
        # does not call __init__; and there is no __attrs_post_init__, which msgspec
        # would call for every decoded record, at a cost.)
        init = cls.__dict__.get("__init__")
        if init is not None:  # attrs.define(init=False) makes none
            type.__setattr__(cls, "__init__", _finishing(init))

    def __setattr__(self, name: str, value: Any) -> None:
        # Change tracking: the first write to a field of a decoded record keeps the
        # value it had, so ``changes()`` can tell what an update must send.
        snap = self._jsonapi_snap
        if (snap is CLEAN or type(snap) is _Snapshot) and name in _plan_of(type(self)).attr_by_py:
            if snap is CLEAN:
                snap = _Snapshot()
                _set_snap(self, snap)
            if name not in snap:
                snap[name] = _slot_value(self, name)
        object.__setattr__(self, name, value)

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
        for name in _PRIVATE:
            object.__setattr__(self, name, None)
        for name, value in state.items():
            object.__setattr__(self, name, value)

    if not TYPE_CHECKING:
        # Hidden from type checkers so that a misspelled read (``order.nubmer``) is a
        # mypy error rather than ``Any``; at run time it explains unloaded fields.

        def __getattr__(self, name: str) -> Any:
            # Only called when normal lookup failed: an unassigned slot, or no such name.
            try:
                snap = _get_slot(self, "_jsonapi_snap")
            except AttributeError:
                snap = None
            if snap is DECODING or snap is INCOMPLETE:
                # msgspec looking for a field the document lacked: note it, cheaply.
                _set_snap(self, INCOMPLETE)
                raise AttributeError(name)
            cls = type(self)
            if name in _PRIVATE:
                return None
            if name.startswith("__"):
                raise AttributeError(name)
            if name == "id":
                raise NotLoadedError(
                    f"this {self.type} record was built locally and has no id yet: create "
                    "it on the server first (the created record has one)",
                    name="id",
                    resource_type=self.type,
                )
            plan = _plan_of(cls)
            field = plan.attr_by_py.get(name)
            if field is None:
                rel = plan.rel_by_py.get(name)
                if rel is not None:
                    # A relationship's NotLoadedError (an AttributeError) sends Python
                    # here too: raise it again, not "no attribute".
                    return rel.__get__(self, cls)
                raise AttributeError(f"{cls.__name__!r} object has no attribute {name!r}")
            raise NotLoadedError(
                attribute_not_loaded(self, name, field.wire, field.info),
                name=name,
                resource_type=self.type,
            )

    def __eq__(self, other: object) -> bool:
        if self is other:
            return True
        if not isinstance(other, Resource):
            return NotImplemented
        ident = id_of(self)
        return ident is not None and ident == id_of(other) and self.type == other.type

    def __hash__(self) -> int:
        ident = id_of(self)
        if ident is None:
            return object.__hash__(self)
        return hash((self.type, ident))

    def __repr__(self) -> str:
        return _repr_resource(self)

    def to_dict(self, *, embed: int = 0) -> dict[str, Any]:
        """Export the record as a JSON-ready JSON:API resource object.

        The same as :func:`booqable_async.jsonapi.to_dict`: ``type``, ``id``,
        ``attributes`` (loaded ones, undeclared ones included, timestamps as ISO 8601),
        ``relationships`` (identifiers, or ``embed`` levels of whole records), ``meta``
        and ``links``.

        Args:
            embed: Relationship levels to embed as whole records (0: identifiers only).

        Returns:
            Plain dicts, lists and JSON scalars.

        Raises:
            UsageError: ``embed`` is negative.
        """
        from booqable_async.jsonapi._export import to_dict

        return to_dict(self, embed=embed)

    @property
    def is_stub(self) -> bool:
        """True for a record only referenced by an identifier, not included.

        A stub knows its type and id; every other field reads as not loaded.
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
    """A record of a type the registry does not know; keeps every member as sent.

    Attributes and relationships are plain dicts (relationships linked like a model's:
    a record, a list, ``None``; absent when not loaded). Both are also readable as
    attributes: ``resource.name`` is ``resource.attributes["name"]``.

    Attributes:
        type: The JSON:API type.
        attributes: Attribute name -> JSON value (timestamps stay strings: no schema).
        relationships: Relationship name -> linked record(s) or ``None``.
    """

    type: str = attrs.field(kw_only=True)
    attributes: dict[str, Any] = attrs.field(factory=dict, kw_only=True)
    relationships: dict[str, Any] = attrs.field(factory=dict, kw_only=True)

    def __setattr__(self, name: str, value: Any) -> None:
        object.__setattr__(self, name, value)

    def __getattr__(self, name: str) -> Any:
        if name in _PRIVATE:
            return None
        if name == "id":
            return Resource.__getattr__(self, name)  # type: ignore[attr-defined]
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
                attribute_not_loaded(self, name, name, None),
                name=name,
                resource_type=self.type,
            )
        raise AttributeError(name)


def _plan_of(cls: type[Resource]) -> Plan:
    plan: Plan | None = cls.__dict__.get("__jsonapi_plan__")
    if plan is None:
        from booqable_async.jsonapi._plan import plan_for

        plan = plan_for(cls)
    return plan


_get_id = Resource.__dict__["id"].__get__
_set_id = Resource.__dict__["id"].__set__
_set_lid = Resource.__dict__["lid"].__set__
_set_snap = _ResourceSlots.__dict__["_jsonapi_snap"].__set__
_get_snap = _ResourceSlots.__dict__["_jsonapi_snap"].__get__
_set_state = _ResourceSlots.__dict__["_jsonapi_state"].__set__
_set_rels = _ResourceSlots.__dict__["_jsonapi_rels"].__set__
_get_slot = object.__getattribute__


def _slot_value(resource: Resource, name: str) -> Any:
    try:
        return _get_slot(resource, name)
    except AttributeError:
        return ABSENT


def settle(resource: Resource, plan: Plan) -> None:
    """Finish a record msgspec decoded: clear the attributes the document lacked.

    The primed ones hold UNSET unless the document had them; any other missing one was
    noted by ``__getattr__`` (the record is INCOMPLETE), and the plan primes it from
    now on, so the model's next records skip the costly lookup.
    """
    for name, getter in plan.primed_getters:
        if getter(resource) is UNSET:
            object.__delattr__(resource, name)
    settle_incomplete(resource, plan)


def settle_incomplete(resource: Resource, plan: Plan) -> None:
    """The second half of :func:`settle`, once the primed attributes are cleared."""
    if _get_slot(resource, "_jsonapi_snap") is INCOMPLETE:
        missing = [
            name
            for name, getter in plan.attr_getters.items()
            if _slot_value(resource, name) is UNSET
        ]
        for name in missing:
            object.__delattr__(resource, name)
        plan.prime(missing)
    _set_snap(resource, CLEAN)


def id_of(resource: Resource) -> str | None:
    """The record's id, or ``None`` for a record built locally that has none yet."""
    try:
        ident: str = _get_id(resource)
    except AttributeError:
        return None
    return ident


def state_of(resource: Resource) -> _State:
    """Return the record's state record, creating it on first use."""
    state = resource._jsonapi_state
    if state is None:
        state = _State()
        object.__setattr__(resource, "_jsonapi_state", state)
    return state


def linked_of(resource: Resource) -> _Linked:
    """Return the record's linked relationships (by Python name), creating them if none."""
    linked = resource._jsonapi_rels
    if linked is None:
        linked = _Linked()
        object.__setattr__(resource, "_jsonapi_rels", linked)
    return linked


def is_loaded(record: Resource, name: str) -> bool:
    """Whether ``record`` carries the attribute or relationship ``name``.

    True when reading ``record.<name>`` returns a value (``None`` included: a null
    attribute or an empty to-one relationship is loaded); False when reading it would
    raise :class:`~booqable_async.errors.NotLoadedError` (a relationship the document
    did not include, an attribute left out by a sparse fieldset, any field of a stub).

    Args:
        record: A decoded (or locally built) record.
        name: Python name of an attribute or relationship (``"customer"``), or ``"id"``.

    Returns:
        Whether the field is loaded.

    Raises:
        AttributeError: The model has no field of that name (a misspelling).
    """
    if name == "id":
        return id_of(record) is not None
    if isinstance(record, GenericResource):
        return name in record.attributes or name in record.relationships
    plan = _plan_of(type(record))
    rel = plan.rel_by_py.get(name)
    if rel is not None:
        linked = record._jsonapi_rels
        return linked is not None and name in linked
    if name in plan.attr_by_py:
        return _slot_value(record, name) is not ABSENT
    raise AttributeError(f"{type(record).__name__!r} object has no attribute {name!r}")


def _who(resource: Resource) -> str:
    ident = id_of(resource)
    return f"{resource.type} {ident}" if ident is not None else f"this {resource.type} record"


def attribute_not_loaded(
    resource: Resource, name: str, wire: str, info: AttributeInfo | None
) -> str:
    """The message for reading an attribute the document did not carry."""
    rtype = resource.type
    who = _who(resource)
    if resource.is_stub:
        return stub_message(resource, name)
    if resource._jsonapi_snap is None and not isinstance(resource, GenericResource):
        return f"{name!r} of {who} was never set (the record was built locally)."
    if info is not None and info.writeonly:
        return f"{name!r} of {who} is write-only: the API accepts it but never returns it."
    if info is not None and info.extra:
        return (
            f"{name!r} of {who} was not loaded: it is returned only on request. "
            f"Ask for it with Query().extra_fields({rtype}=[{wire!r}]) "
            f"(extra_fields[{rtype}]={wire})."
        )
    return (
        f"{name!r} of {who} was not loaded: the document did not carry it (sparse "
        f"fieldset). Ask for it with Query().fields({rtype}=[..., {wire!r}]) "
        f"(fields[{rtype}]=...,{wire})."
    )


def relationship_not_loaded(resource: Resource, name: str, wire: str) -> str:
    """The message for reading a relationship the document said nothing about."""
    who = _who(resource)
    if resource.is_stub:
        return stub_message(resource, name)
    if resource._jsonapi_snap is None:
        return f"relationship {name!r} of {who} was never set (the record was built locally)."
    return (
        f"relationship {name!r} of {who} was not loaded: the document did not include "
        f"it. Add Query().include({wire!r}) (or a path ending in it, e.g. "
        f"'parent.{wire}'), or include={wire!r} on get()."
    )


def stub_message(resource: Resource, name: str) -> str:
    """The message for reading any field of a stub."""
    return (
        f"{_who(resource)} is a stub: the document only referenced it, so {name!r} was "
        "not loaded. Include the relationship that points to it (Query().include(...)) "
        "to get its fields."
    )


def ref(resource: Resource) -> str:
    """Return ``type:id`` (or ``type:lid``/``type:new``) naming ``resource`` briefly."""
    ident = id_of(resource)
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

    parts = [f"id={id_of(resource)!r}"]
    if id_of(resource) is None and resource.lid is not None:
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
