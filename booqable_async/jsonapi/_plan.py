"""Per-model field plans: what the decoder, encoder and exporter need, compiled once.

A plan is computed on a model class's first use and cached on the class. Its ``fill``
function is generated source (like attrs' own ``__init__``): one straight-line block per
declared attribute that reads the member from the document's ``attributes`` object,
keeps str/int/None/... values as they are when they already have the declared type,
parses timestamps through a per-decode cache, hands anything else to the converter, and
assigns the slot directly (no ``__init__``, no ``setattr`` lookups).
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import operator
import sys
import types
import typing
from collections.abc import (
    Callable,
    Iterable,
    Iterator,
    Mapping,
    MutableMapping,
    MutableSequence,
    Sequence,
)
from collections.abc import Set as AbstractSet
from typing import Any, Final

import attrs
import orjson

from booqable_async.converter import parse_date, parse_datetime
from booqable_async.errors import UsageError
from booqable_async.jsonapi._fields import METADATA_KEY, AttributeInfo, RelationshipInfo
from booqable_async.jsonapi._resource import RESERVED_NAMES, GenericResource, Resource
from booqable_async.jsonapi._sentinels import NOT_LOADED

__all__ = [
    "ABSENT",
    "FieldError",
    "FieldPlan",
    "Plan",
    "RelPlan",
    "adopt_keys",
    "careful_fill",
    "merge_snapshots",
    "original_value",
    "plan_for",
    "snapshot_order",
]

#: Marks a member the document did not carry (never visible to users).
ABSENT: Final[Any] = type("_Absent", (), {"__repr__": lambda self: "ABSENT", "__slots__": ()})()

# Value kinds: how the generated code checks or converts a present, non-null value.
ANY, STR, INT, FLOAT, BOOL, DICT, LIST, DATETIME, DATE, LIST_OF, CONVERT = range(11)
_SIMPLE = {str: STR, int: INT, float: FLOAT, bool: BOOL}
_CLASS_NAMES = {STR: "str", INT: "int", FLOAT: "float", BOOL: "bool", DICT: "dict", LIST: "list"}


class FieldError(Exception):
    """Internal: a value of field ``index`` could not be structured (becomes DecodeError)."""

    def __init__(self, index: int, reason: str) -> None:
        super().__init__(reason)
        self.index = index
        self.reason = reason


@attrs.frozen
class FieldPlan:
    """One declared attribute: Python name, wire name, value kind and type."""

    py: str
    wire: str
    kind: int
    tp: Any
    info: AttributeInfo
    elem: type | None = None
    shape: type | None = None  # list or dict: the JSON type a converted value must have


@attrs.frozen
class RelPlan:
    """One declared relationship: Python name, wire name and cardinality."""

    py: str
    wire: str
    many: bool
    info: RelationshipInfo


@attrs.frozen
class Plan:
    """Everything compiled about one model class."""

    cls: type[Resource]
    type: str
    attrs: tuple[FieldPlan, ...]
    rels: tuple[RelPlan, ...]
    attr_by_py: Mapping[str, FieldPlan]
    attr_by_wire: Mapping[str, FieldPlan]
    rel_by_py: Mapping[str, RelPlan]
    rel_by_wire: Mapping[str, RelPlan]
    field_names: tuple[str, ...]
    fill: Callable[..., int]
    getters: Mapping[str, Callable[[Resource], Any]]
    # wire name (as orjson's key object) -> (python name, many), for the link loop.
    rel_index: Mapping[str, tuple[str, bool]]
    # Field indexes in snapshot order, and each field's position in a snapshot.
    snap_order: tuple[int, ...]
    snap_pos: tuple[int, ...]


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
    name = cls.__qualname__
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
    rels: list[RelPlan] = []
    for field in attrs.fields(cls):
        if field.name in base_names or issubclass(cls, GenericResource):
            continue
        info = field.metadata.get(METADATA_KEY)
        if field.name in RESERVED_NAMES:
            raise UsageError(f"{name}.{field.name}: the name is reserved by Resource; add '_'")
        if isinstance(info, AttributeInfo):
            tp = _resolve(cls, field, namespace)
            kind, elem = _kind_of(tp)
            wire = info.name or field.name
            fields.append(FieldPlan(field.name, wire, kind, tp, info, elem, _json_shape(tp)))
        elif isinstance(info, RelationshipInfo):
            rels.append(RelPlan(field.name, info.name or field.name, info.many, info))
        else:
            raise UsageError(
                f"{name}.{field.name} is not declared with attribute(), to_one() or to_many()"
            )
    attr_by_wire = {f.wire: f for f in fields}
    rel_by_wire = {r.wire: r for r in rels}
    if len(attr_by_wire) != len(fields) or len(rel_by_wire) != len(rels):
        raise UsageError(f"{name} declares the same wire name twice")
    order = snapshot_order(fields)
    getters: dict[str, Callable[[Resource], Any]] = {}
    for py in [f.py for f in fields] + [r.py for r in rels]:
        getters[py] = getattr(cls, py).__get__
    return Plan(
        cls=cls,
        type=cls.jsonapi_type,
        attrs=tuple(fields),
        rels=tuple(rels),
        attr_by_py={f.py: f for f in fields},
        attr_by_wire=attr_by_wire,
        rel_by_py={r.py: r for r in rels},
        rel_by_wire=rel_by_wire,
        field_names=tuple(getters),
        fill=_make_fill(cls, fields),
        getters=getters,
        rel_index={
            wire: (rel.py, rel.many)
            for wire, rel in zip(adopt_keys([r.wire for r in rels]), rels, strict=True)
        },
        snap_order=order,
        snap_pos=tuple(order.index(i) for i in range(len(fields))),
    )


def _is_attrs(cls: type) -> bool:
    # attrs.has() is also true for an undecorated subclass of an attrs class.
    return "__attrs_attrs__" in cls.__dict__


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


def _json_shape(tp: Any) -> type | None:
    """``list`` or ``dict`` when values of ``tp`` must be JSON arrays or objects."""
    origin = typing.get_origin(tp)
    if origin is typing.Union or origin is types.UnionType:
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return _json_shape(args[0]) if len(args) == 1 else None
    origin = origin or tp
    if origin in (list, tuple, set, frozenset, Sequence, MutableSequence, AbstractSet):
        return list
    if origin in (dict, Mapping, MutableMapping) or (
        isinstance(origin, type) and attrs.has(origin)
    ):
        return dict
    return None


def _kind_of(tp: Any) -> tuple[int, type | None]:
    origin = typing.get_origin(tp)
    if origin is typing.Union or origin is types.UnionType:
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(args) == 1:
            return _kind_of(args[0])
        return CONVERT, None
    if tp is Any or tp is object:
        return ANY, None
    if tp in _SIMPLE:
        return _SIMPLE[tp], None
    if tp is _dt.datetime:
        return DATETIME, None
    if tp is _dt.date:
        return DATE, None
    if tp is dict or tp is Mapping or tp is MutableMapping:
        return DICT, None
    if tp is list or tp is Sequence or tp is MutableSequence:
        return LIST, None
    params = typing.get_args(tp)
    if origin in (dict, Mapping, MutableMapping) and (not params or params[1] is Any):
        return DICT, None
    if origin in (list, Sequence, MutableSequence):
        if not params or params[0] is Any:
            return LIST, None
        if params[0] in _SIMPLE:
            return LIST_OF, params[0]
    return CONVERT, None


def _field_lines(i: int, field: FieldPlan, may_be_absent: bool) -> list[str]:
    """Source checking/converting ``v{i}`` and storing it in its slot.

    With ``may_be_absent`` the block runs only when the member was present (an absent
    member is counted in ``miss`` and its slot left empty: it reads as not loaded).
    """
    v = f"v{i}"
    kind = field.kind
    conv = f"        {v} = conv({i}, {v})"
    if kind == ANY:
        lines = []
    elif kind in _CLASS_NAMES:
        lines = [f"    if type({v}) is not {_CLASS_NAMES[kind]} and {v} is not None:", conv]
    elif kind == DATETIME:
        lines = [
            f"    if type({v}) is str:",
            f"        t = dtc.get({v})",
            "        if t is None:",
            f"            t = fromiso({v})",
            "            if t.tzinfo is None: t = t.replace(tzinfo=UTC)",
            f"            dtc[{v}] = t",
            f"        {v} = t",
            f"    elif {v} is not None:",
            conv,
        ]
    elif kind == DATE:
        lines = [
            f"    if type({v}) is str: {v} = pdate({i}, {v})",
            f"    elif {v} is not None:",
            conv,
        ]
    elif kind == LIST_OF:
        lines = [
            f"    if {v} is not None and (type({v}) is not list or "
            f"({v} and not all_of({v}, E{i}))):",
            conv,
        ]
    else:  # CONVERT
        lines = [f"    if {v} is not None:", conv]
    lines.append(f"    o.{field.py} = {v}")
    if not may_be_absent:
        return lines
    return [f"    if {v} is M:", "        miss += 1", "    else:"] + ["    " + x for x in lines]


def _is_rare(field: FieldPlan) -> bool:
    # Write-only attributes are never returned; extra ones only when asked for.
    return field.info.writeonly or field.info.extra


def snapshot_order(fields: Sequence[FieldPlan]) -> tuple[int, ...]:
    """Field indexes in snapshot order: usual attributes first, then rare ones."""
    usual = [i for i, f in enumerate(fields) if not _is_rare(f)]
    return (*usual, *[i for i, f in enumerate(fields) if _is_rare(f)])


def adopt_keys(names: list[str]) -> list[str]:
    """Return ``names`` as the very str objects orjson gives for those object keys.

    orjson caches the key strings it creates (keys repeat in every resource), but does
    not intern them, so a lookup with our own constant compares characters after the
    hash matches. Looking up with orjson's own objects is an identity hit instead: the
    attribute fetch of a 50-attribute resource took 2.3x less time (measured). If
    orjson's cache ever hands out other objects, lookups still work, only slower.
    """
    return list(orjson.loads(orjson.dumps(dict.fromkeys(names))))


def _make_fill(cls: type, fields: list[FieldPlan]) -> Callable[..., int]:
    """Generate ``fill(o, a, dtc, conv) -> number of declared attributes present``.

    Two variants. The fast one fetches every attribute a response normally carries
    with one ``operator.itemgetter`` call (C), then per field does one ``type()`` test
    and one slot store: no calls for values that already have the declared type (or are
    null). When one of those members is missing (sparse fieldsets) the ``KeyError``
    sends the resource to the second variant, which reads each member with
    ``dict.get`` and leaves the slots of absent ones empty, so they read as not loaded.
    Write-only and extra attributes (rarely present) always take ``dict.get``.
    Timestamps go through ``datetime.fromisoformat`` (C) with a per-decode cache; if it
    raises, the caller redoes the resource with :func:`careful_fill`, which names the
    field in the error.
    """
    order = snapshot_order(fields)
    usual = [i for i in order if not _is_rare(fields[i])]
    rare = [i for i in order if _is_rare(fields[i])]
    everything = ", ".join(f"v{i}" for i in order) + ("," if len(order) == 1 else "")
    tail = [f"    return {len(fields)} - miss"]
    # The snapshot is the values as the document carried them, taken before any
    # conversion; changes() compares against it.
    slow = ["def fill_slow(o, a, dtc, conv):", "    get = a.get", "    miss = 0"]
    slow += [f"    v{i} = get(K{i}, M)" for i in order]
    slow.append(f"    o._jsonapi_snap = ({everything})")
    for i in order:
        slow += _field_lines(i, fields[i], may_be_absent=True)
    slow += tail
    fast = ["def fill(o, a, dtc, conv):"]
    if usual:
        targets = "".join(f"v{i}, " for i in usual)
        fast += [
            "    try:",
            "        snap = USUAL(a)",
            "    except KeyError:",
            "        return fill_slow(o, a, dtc, conv)",
            f"    {targets}= snap" if len(usual) > 1 else f"    v{usual[0]} = snap",
        ]
    else:
        fast.append("    snap = ()")
    fast += ["    get = a.get", "    miss = 0"]
    fast += [f"    v{i} = get(K{i}, M)" for i in rare]
    if rare:
        # Rare members are usually all absent: then the itemgetter's tuple is the
        # whole snapshot (positions past its end read as absent), no tuple is built.
        absent = " and ".join(f"v{i} is M" for i in rare)
        extra = ", ".join(f"v{i}" for i in rare) + ("," if len(rare) == 1 else "")
        fast += [
            f"    if {absent}:",
            "        o._jsonapi_snap = snap",
            "    else:",
            f"        o._jsonapi_snap = snap + ({extra})",
        ]
    else:
        fast.append("    o._jsonapi_snap = snap")
    for i in order:
        fast += _field_lines(i, fields[i], may_be_absent=i in rare)
    fast += tail
    namespace: dict[str, Any] = {
        "M": ABSENT,
        "UTC": _dt.timezone.utc,
        "fromiso": _dt.datetime.fromisoformat,
        "pdate": _parse_date_field,
        "all_of": _all_of,
    }
    keys = adopt_keys([field.wire for field in fields])
    namespace["USUAL"] = operator.itemgetter(*[keys[i] for i in usual]) if usual else None
    namespace.update({f"K{i}": key for i, key in enumerate(keys)})
    for i, field in enumerate(fields):
        if field.elem is not None:
            namespace[f"E{i}"] = field.elem
    source = "\n".join([*slow, "", *fast])
    code = compile(source, f"<jsonapi fill {cls.__module__}.{cls.__qualname__}>", "exec")
    exec(code, namespace)  # noqa: S102 - generated from the class's own field list
    fill: Callable[..., int] = namespace["fill"]
    return fill


def careful_fill(plan: Plan, o: Any, a: Mapping[str, Any], conv: Callable[[int, Any], Any]) -> int:
    """Slow twin of the generated fill: field by field, exact errors (FieldError)."""
    present = 0
    raw = [a.get(plan.attrs[i].wire, ABSENT) for i in plan.snap_order]
    for position, i in enumerate(plan.snap_order):
        field = plan.attrs[i]
        v = raw[position]
        if v is ABSENT:
            with contextlib.suppress(AttributeError):
                delattr(o, field.py)  # the fast path may have stored the marker
            continue
        present += 1
        if v is not None:
            if field.kind == DATETIME and type(v) is str:
                v = _parse_datetime_field(i, v)
            else:
                v = conv(i, v)
        setattr(o, field.py, v)
    o._jsonapi_snap = tuple(raw)
    return present


def merge_snapshots(old: tuple[Any, ...] | None, new: tuple[Any, ...]) -> tuple[Any, ...]:
    """Snapshot of a resource seen twice: the second copy's members win where present."""
    merged = list(old or ())
    merged += [ABSENT] * (len(new) - len(merged))
    for position, value in enumerate(new):
        if value is not ABSENT:
            merged[position] = value
    return tuple(merged)


def original_value(plan: Plan, index: int, snapshot: tuple[Any, ...] | None, conv: Any) -> Any:
    """The typed value field ``index`` had when decoded (ABSENT when it was not loaded).

    Args:
        plan: The model's plan.
        index: Field index in ``plan.attrs``.
        snapshot: The resource's snapshot (raw values in snapshot order).
        conv: ``conv(index, raw) -> typed`` for values needing the converter.
    """
    position = plan.snap_pos[index]
    if snapshot is None or position >= len(snapshot):
        return ABSENT
    raw = snapshot[position]
    if raw is ABSENT or raw is None:
        return raw
    field = plan.attrs[index]
    if field.kind == DATETIME and type(raw) is str:
        return parse_datetime(raw)
    if field.kind == ANY:
        return raw
    return conv(index, raw)


def _parse_datetime_field(index: int, value: str) -> _dt.datetime:
    try:
        return parse_datetime(value)
    except (ValueError, OverflowError) as exc:
        raise FieldError(index, f"cannot read {value[:60]!r} as a timestamp ({exc})") from None


def _parse_date_field(index: int, value: str) -> _dt.date:
    try:
        return parse_date(value)
    except ValueError as exc:
        raise FieldError(index, f"cannot read {value[:60]!r} as a date ({exc})") from None


def _all_of(values: list[Any], cls: type) -> bool:
    return all(item.__class__ is cls for item in values)


def _loaded(resource: Resource, plan: Plan, names: Iterable[str]) -> Iterator[tuple[str, Any]]:
    """Yield ``(python name, value)`` for each assigned slot among ``names``."""
    getters = plan.getters
    for name in names:
        try:
            yield name, getters[name](resource)
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
    for py, value in _loaded(resource, plan, plan.attr_by_py):
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
    plan = plan_for(type(resource))
    for py, value in _loaded(resource, plan, plan.rel_by_py):
        if value is not NOT_LOADED:
            yield py, plan.rel_by_py[py].wire, value
    if with_extra:
        for key, value in resource.extra_relationships.items():
            yield key, key, value
