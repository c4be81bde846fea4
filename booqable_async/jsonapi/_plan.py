"""Per-model plans: what the decoder, encoder and exporter need to know about a model.

A plan is computed on a model class's first use and cached on the class: its attribute
fields (Python name, wire name, flags, type), its relationship descriptors, and the
msgspec decoders that turn a resource object's ``attributes`` into an instance.
"""

from __future__ import annotations

import datetime as _dt
import sys
import types
import typing
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import attrs
import msgspec

from booqable_async.errors import UsageError
from booqable_async.jsonapi._fields import METADATA_KEY, AttributeInfo
from booqable_async.jsonapi._relationships import Relationship
from booqable_async.jsonapi._resource import RESERVED_NAMES, GenericResource, Resource
from booqable_async.jsonapi._sentinels import UNSET

__all__ = [
    "FieldPlan",
    "Plan",
    "iter_attributes",
    "iter_relationships",
    "plan_for",
]

# How the careful decoding path reads a value the fast path refused (see coerce()).
ANY, STR, INT, FLOAT, DATETIME, DATE, OTHER = range(7)


@attrs.frozen
class FieldPlan:
    """One declared attribute: Python name, wire name, flags, type and value kind."""

    py: str
    wire: str
    info: AttributeInfo
    tp: Any
    kind: int


@attrs.define(eq=False)
class Plan:
    """Everything compiled about one model class.

    Attributes:
        cls: The model class.
        type: Its JSON:API type.
        attrs: Attribute fields in declaration order.
        rels: Relationship descriptors in declaration order.
        attr_by_py: Attribute fields by Python name.
        attr_by_wire: Attribute fields by wire name.
        rel_by_py: Relationships by Python name.
        rel_by_wire: Relationships by wire name.
        link_index: Wire name -> ``(python name, many)`` for the decoder's link pass.
        attr_getters: Python name -> a function reading that slot.
        primed_setters: Store a value in the slot of each attribute documents are
            expected to lack (see ``Resource.__attrs_pre_init__``).
        primed_getters: ``(python name, getter)`` of the same attributes.
        decode_attributes: msgspec's decoder of an ``attributes`` object into the model.
        renamed: ``(python name, wire name)`` of attributes whose names differ.
        decode_renamed: Reads just the renamed attributes (``None`` when there are none).
    """

    cls: type[Resource]
    type: str
    attrs: tuple[FieldPlan, ...]
    rels: tuple[Relationship, ...]
    attr_by_py: Mapping[str, FieldPlan]
    attr_by_wire: Mapping[str, FieldPlan]
    rel_by_py: Mapping[str, Relationship]
    rel_by_wire: Mapping[str, Relationship]
    link_index: Mapping[str, tuple[str, bool]]
    attr_getters: Mapping[str, Callable[[Resource], Any]]
    decode_attributes: Callable[[bytes], Resource]
    renamed: tuple[tuple[str, str], ...]
    decode_renamed: Callable[[bytes], Any] | None
    primed_setters: tuple[Callable[[Resource, Any], None], ...] = ()
    primed_getters: tuple[tuple[str, Callable[[Resource], Any]], ...] = ()

    def prime(self, names: list[str]) -> None:
        """Expect documents of this model to lack ``names`` too (a performance memo).

        Write-only, on-request and renamed attributes are primed from the start; others
        once a document was seen without them. Priming only saves msgspec a failed
        lookup per record: a primed attribute the document does carry is decoded as
        usual, and one it lacks is cleared by ``settle()`` either way.
        """
        known = {name for name, _ in self.primed_getters}
        fresh = [name for name in names if name not in known]
        if not fresh:
            return
        getters = self.primed_getters + tuple((n, self.attr_getters[n]) for n in fresh)
        setters = self.primed_setters + tuple(getattr(self.cls, n).__set__ for n in fresh)
        # Assignments a concurrent reader may see apart: all only grow.
        self.primed_getters = getters
        self.primed_setters = setters
        type.__setattr__(self.cls, "__jsonapi_primed__", setters)


def plan_for(cls: type[Resource]) -> Plan:
    """Return the (cached) plan of a model class.

    Raises:
        UsageError: ``cls`` does not follow the model convention (see docs/decoding.md).
    """
    plan: Plan | None = cls.__dict__.get("__jsonapi_plan__")
    if plan is None:
        plan = _compile(cls)
        # A cache of facts derived from the class itself, not configuration.
        type.__setattr__(cls, "__jsonapi_plan__", plan)
    return plan


def _compile(cls: type[Resource]) -> Plan:
    name = getattr(cls, "__qualname__", repr(cls))
    if not (isinstance(cls, type) and issubclass(cls, Resource) and _is_attrs(cls)):
        raise UsageError(f"{name} is not an attrs class deriving from jsonapi.Resource")
    for method in ("__eq__", "__hash__", "__repr__"):
        if getattr(cls, method) is not getattr(Resource, method) and not issubclass(
            cls, GenericResource
        ):
            raise UsageError(
                f"{name} overrides {method}: declare models with "
                "@attrs.define(eq=False, repr=False) so identity and repr stay cycle-safe"
            )
    if cls.__dictoffset__ != 0:
        raise UsageError(f"{name} must be a slotted attrs class (attrs.define's default)")
    base_names = {a.name for a in attrs.fields(Resource)}
    module = sys.modules.get(cls.__module__)
    namespace = dict(vars(module)) if module is not None else {}
    fields: list[FieldPlan] = []
    generic = issubclass(cls, GenericResource)
    for field in attrs.fields(cls):
        if field.name in base_names or generic:
            continue
        info = field.metadata.get(METADATA_KEY)
        if field.name in RESERVED_NAMES:
            raise UsageError(f"{name}.{field.name}: the name is reserved by Resource; add '_'")
        if not isinstance(info, AttributeInfo):
            raise UsageError(
                f"{name}.{field.name} is not declared with attribute(); relationships are "
                "ToOne(...)/ToMany(...) class attributes, not attrs fields"
            )
        tp = _resolve(cls, field, namespace)
        fields.append(FieldPlan(field.name, info.name or field.name, info, tp, _kind_of(tp)))
    rels: list[Relationship] = []
    seen: set[str] = set()
    for klass in cls.__mro__:
        for attr_name, value in vars(klass).items():
            if isinstance(value, Relationship) and attr_name not in seen:
                seen.add(attr_name)
                if attr_name in RESERVED_NAMES:
                    raise UsageError(f"{name}.{attr_name}: the name is reserved by Resource")
                rels.append(value)
    attr_by_wire = {f.wire: f for f in fields}
    rel_by_wire = {r.wire: r for r in rels}
    if len(attr_by_wire) != len(fields) or len(rel_by_wire) != len(rels):
        raise UsageError(f"{name} declares the same wire name twice")
    names = [f.py for f in fields]
    renamed = tuple((f.py, f.wire) for f in fields if f.py != f.wire)
    try:
        decoder = msgspec.json.Decoder(cls)
        decode_renamed = _renamed_decoder(cls, fields) if renamed else None
    except (TypeError, NameError) as exc:
        raise UsageError(f"{name}: msgspec cannot decode into this model ({exc})") from None
    plan = Plan(
        cls=cls,
        type=cls.jsonapi_type,
        attrs=tuple(fields),
        rels=tuple(rels),
        attr_by_py={f.py: f for f in fields},
        attr_by_wire=attr_by_wire,
        rel_by_py={r.name: r for r in rels},
        rel_by_wire=rel_by_wire,
        link_index={r.wire: (r.name, r.info.many) for r in rels},
        attr_getters={py: getattr(cls, py).__get__ for py in names},
        decode_attributes=decoder.decode,
        renamed=renamed,
        decode_renamed=decode_renamed,
    )
    plan.prime([f.py for f in fields if f.info.writeonly or f.info.extra or f.py != f.wire])
    return plan


def _is_attrs(cls: type) -> bool:
    # attrs.has() is also true for an undecorated subclass of an attrs class.
    return "__attrs_attrs__" in cls.__dict__


def _renamed_decoder(cls: type, fields: list[FieldPlan]) -> Callable[[bytes], Any]:
    """A decoder reading only the attributes whose wire name is not the Python name.

    msgspec reads an attrs class's members by field name, and a wire name such as
    ``type`` or ``from`` cannot be one; this struct fetches those few members (skipping
    the rest in C) so the decoder can store them under their Python names.
    """
    renamed = [f for f in fields if f.py != f.wire]
    struct = msgspec.defstruct(
        f"{cls.__name__}Renamed",
        [(f.py, f.tp, UNSET) for f in renamed],
        rename={f.py: f.wire for f in renamed},
    )
    return msgspec.json.Decoder(struct).decode


def _resolve(cls: type, field: attrs.Attribute[Any], namespace: dict[str, Any]) -> Any:
    annotation: Any = field.type
    if not isinstance(annotation, str):
        return annotation
    try:
        return eval(annotation, namespace, {})  # noqa: S307 - the class's own annotation
    except Exception as exc:
        raise UsageError(
            f"{cls.__qualname__}.{field.name}: cannot evaluate the annotation {annotation!r} "
            f"({exc}); attribute types must be importable at runtime in {cls.__module__}"
        ) from None


def _kind_of(tp: Any) -> int:
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _kind_of(typing.get_args(tp)[0])
    if origin is typing.Union or origin is types.UnionType:
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return _kind_of(args[0]) if len(args) == 1 else OTHER
    if tp is Any or tp is object:
        return ANY
    return {
        str: STR,
        int: INT,
        float: FLOAT,
        _dt.datetime: DATETIME,
        _dt.date: DATE,
    }.get(tp, OTHER)


def _loaded(
    resource: Resource, getters: Mapping[str, Callable[[Resource], Any]]
) -> Iterator[tuple[str, Any]]:
    """Yield ``(python name, value)`` for each assigned slot."""
    for name, getter in getters.items():
        try:
            yield name, getter(resource)
        except AttributeError:
            continue


def iter_attributes(
    resource: Resource, *, with_extra: bool = False
) -> Iterator[tuple[str, str, Any, bool]]:
    """Yield ``(python name, wire name, value, secret)`` for each loaded attribute."""
    if isinstance(resource, GenericResource):
        for key, value in resource.attributes.items():
            yield key, key, value, False
        return
    plan = plan_for(type(resource))
    for py, value in _loaded(resource, plan.attr_getters):
        field = plan.attr_by_py[py]
        yield py, field.wire, value, field.info.secret
    if with_extra:
        for key, value in resource.extra_attributes.items():
            yield key, key, value, False


def iter_relationships(
    resource: Resource, *, with_extra: bool = False
) -> Iterator[tuple[str, str, Any]]:
    """Yield ``(python name, wire name, value)`` for each loaded relationship."""
    if isinstance(resource, GenericResource):
        for key, value in resource.relationships.items():
            yield key, key, value
        return
    linked = resource._jsonapi_rels
    if linked:
        plan = plan_for(type(resource))
        for rel in plan.rels:
            value = linked.get(rel.name, linked)
            if value is not linked:
                yield rel.name, rel.wire, value
    if with_extra:
        for key, value in resource.extra_relationships.items():
            yield key, key, value
