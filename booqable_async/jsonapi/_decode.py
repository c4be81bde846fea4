"""decode(): a JSON:API document -> linked resources, in one linear pass.

How (DESIGN §4): parse with orjson; walk ``data`` then ``included`` once, creating every
object (``object.__new__``, no ``__init__``) and indexing it by type and id; then walk
the relationships once, linking identifiers to the indexed objects. Because every object
exists before any link is made, cycles (order -> lines -> order) and shared targets
(many orders -> one customer) are the same Python object, with no recursion at all: the
depth of a document costs nothing. Identifiers whose target is not in the document
become stubs (one per ``(type, id)``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NoReturn

import cattrs
import orjson

from booqable_async._gc import gc_paused
from booqable_async.converter import default_converter
from booqable_async.errors import DecodeError, UsageError
from booqable_async.jsonapi._document import Document
from booqable_async.jsonapi._plan import (
    ABSENT,
    FieldError,
    Plan,
    adopt_keys,
    careful_fill,
    merge_snapshots,
    plan_for,
)
from booqable_async.jsonapi._registry import Registry
from booqable_async.jsonapi._resource import GenericResource, Resource, state_of

__all__ = ["decode", "decode_nested", "escape_pointer", "is_nested_document", "load_json"]

_new = object.__new__
# The member names the hot loops look up, as orjson's own key objects (see adopt_keys).
K_TYPE, K_ID, K_ATTRIBUTES, K_RELATIONSHIPS, K_DATA = adopt_keys(
    ["type", "id", "attributes", "relationships", "data"]
)


def escape_pointer(token: str) -> str:
    """Escape one JSON pointer reference token (RFC 6901: ``~`` -> ``~0``, ``/`` -> ``~1``)."""
    return token.replace("~", "~0").replace("/", "~1")


def load_json(body: bytes | bytearray | memoryview | str | Mapping[str, Any]) -> tuple[Any, bool]:
    """Parse ``body`` (unless already parsed); return ``(value, owned)``.

    ``owned`` is True when we parsed it ourselves, so the decoder may keep its dicts
    instead of copying them.

    Raises:
        DecodeError: ``body`` is not JSON.
    """
    if isinstance(body, (bytes, bytearray, memoryview, str)):
        try:
            return orjson.loads(body), True
        except orjson.JSONDecodeError as exc:
            raise DecodeError(f"the body is not JSON: {exc}", "") from None
    return body, False


def decode(
    body: bytes | bytearray | memoryview | str | Mapping[str, Any],
    registry: Registry | Mapping[str, type[Resource] | str] | None = None,
    *,
    converter: cattrs.Converter | None = None,
    nested_type: str | None = None,
) -> Document:
    """Decode a JSON:API document into linked resources.

    Args:
        body: The response body (bytes or str), or an already parsed mapping (never
            modified: the decoder copies what it keeps).
        registry: Type name -> model class. ``None`` uses the default registry, which
            knows every Booqable v4 type (``booqable_async.models``), importing each
            model module on first use. Types it does not know become
            :class:`~booqable_async.jsonapi.GenericResource`.
        converter: The cattrs converter for values needing structuring (default:
            :func:`booqable_async.converter.default_converter`).
        nested_type: The type of the primary records, when the caller knows it. If the
            body turns out to be Booqable's nested format (records without ``type``:
            ``.json`` URLs, and the documented answers of ``POST /{type}/search``), it is
            decoded with :func:`decode_nested` for that type instead of refused.

    Returns:
        The :class:`Document`.

    Raises:
        DecodeError: ``body`` is not JSON, not a JSON:API document, or a value cannot be
            structured into its declared type; ``.pointer`` names the member
            (``/data/3/attributes/starts_at``).
        UsageError: ``registry`` is not a registry, or one of its models is broken.
    """
    reg = Registry.coerce(registry)
    conv = converter or default_converter()
    with gc_paused():
        value, owned = load_json(body)
        decoder = _Decoder(reg, conv, owned)
        if nested_type is not None and is_nested_document(value):
            document = _NestedDecoder(decoder).run(value, nested_type)
        else:
            document = decoder.run(value)
        # Drop the parsed tree while the collector is paused: freeing its containers
        # lowers the collector's allocation count again, so re-enabling it does not
        # start a collection that would only walk a tree about to be freed anyway.
        del value
    return document


#: The members a JSON:API resource object may have (JSON:API 1.1 §7.2).
_RESOURCE_MEMBERS = frozenset({"id", "lid", "type", "attributes", "relationships", "meta", "links"})


def is_nested_document(value: Any) -> bool:
    """Return True for a body whose primary records are in the nested ``.json`` format.

    A nested record has its attributes at the top level: it lacks ``type``, or it has a
    member a JSON:API resource object cannot have. Products, bundles and product groups
    carry a ``type`` *attribute* in that format, so ``type`` alone proves nothing.

    Args:
        value: A parsed response body.

    Returns:
        True when the first primary record is nested; False for JSON:API or no records.
    """
    if not isinstance(value, Mapping):
        return False
    data = value.get("data")
    if isinstance(data, list):
        data = data[0] if data else None
    if not isinstance(data, Mapping):
        return False
    return "type" not in data or not _RESOURCE_MEMBERS.issuperset(data)


def _ptr(section: str, i: int) -> str:
    # i < 0: the section holds a single resource (``"data": {...}``).
    return section if i < 0 else f"{section}/{i}"


def _rel_ptr(section: str, i: int, name: str) -> str:
    return f"{_ptr(section, i)}/relationships/{escape_pointer(name)}"


def _merge_into(o: Resource, plan: Plan, probe: Resource) -> None:
    """Copy the attributes ``probe`` has (a second copy of ``o``) into ``o``."""
    for field in plan.attrs:
        try:
            setattr(o, field.py, plan.getters[field.py](probe))
        except AttributeError:
            continue
    o._jsonapi_snap = merge_snapshots(o._jsonapi_snap, probe._jsonapi_snap or ())


def _bad(pointer: str, reason: str) -> NoReturn:
    raise DecodeError(reason, pointer)


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


class _Slow(Exception):
    """Internal: the fast link loop met a shape it leaves to the careful path."""


class _LinkError(Exception):
    def __init__(self, member: str, reason: str) -> None:
        super().__init__(reason)
        self.member = member
        self.reason = reason


class _Entry:
    """Per-decode facts about one type: its class, plan, fill and converter hook."""

    __slots__ = ("cls", "conv", "empty_snap", "fill", "plan", "rels")

    def __init__(self, cls: type[Resource], plan: Plan | None, conv: Any) -> None:
        self.cls = cls
        self.plan = plan
        self.conv = conv
        # wire name -> (python name, many): tuples are the cheapest to read in the loop.
        self.rels = plan.rel_index if plan is not None else None
        self.fill = plan.fill if plan is not None else None
        self.empty_snap: tuple[Any, ...] | None = () if plan is not None else None


def _make_conv(plan: Plan, converter: cattrs.Converter) -> Callable[[int, Any], Any]:
    structure = converter.structure
    fields = plan.attrs

    def conv(index: int, value: Any) -> Any:
        # cattrs would happily read a string as a list of characters: check the JSON type.
        shape = fields[index].shape
        if shape is not None and not isinstance(value, shape):
            expected = "an array" if shape is list else "an object"
            raise FieldError(index, f"expected {expected}, got {_json_kind(value)}")
        try:
            return structure(value, fields[index].tp)
        except Exception as exc:  # cattrs raises many kinds; all mean "cannot structure"
            raise FieldError(index, _reason(exc)) from None

    return conv


def _reason(exc: BaseException) -> str:
    # cattrs wraps failures in exception groups; the innermost leaf says what was wrong.
    while True:
        inner = getattr(exc, "exceptions", None)
        if not inner:
            break
        exc = inner[0]
    text = str(exc) or type(exc).__name__
    return text if len(text) <= 200 else text[:197] + "..."


class _Decoder:
    def __init__(self, registry: Registry, converter: cattrs.Converter, owned: bool) -> None:
        self.registry = registry
        self.converter = converter
        self.owned = owned
        self.entries: dict[str, _Entry] = {}
        self.index: dict[str, dict[Any, Resource]] = {}
        self.stubs: list[Resource] = []
        # Timestamp string -> datetime, for the whole document (shared values are common:
        # an order's plannings repeat its starts_at/stops_at).
        self.dtc: dict[str, Any] = {}

    def entry(self, type_name: str) -> _Entry:
        entry = self.entries.get(type_name)
        if entry is None:
            cls = self.registry.get(type_name)
            if cls is None:
                entry = _Entry(GenericResource, None, None)
            else:
                plan = plan_for(cls)
                entry = _Entry(cls, plan, _make_conv(plan, self.converter))
            self.entries[type_name] = entry
        return entry

    def run(self, doc: Any) -> Document:
        if not isinstance(doc, Mapping):
            _bad("", f"a JSON:API document must be a JSON object, not {_json_kind(doc)}")
        data = doc.get("data", ABSENT)
        included = doc.get("included")
        meta = self.member(doc, "meta")
        links = self.member(doc, "links")
        jsonapi = self.member(doc, "jsonapi")
        errors = doc.get("errors")
        if errors is None:
            errors = []
        elif not isinstance(errors, list):
            _bad("/errors", f"errors must be an array, not {_json_kind(errors)}")
        if included is None:
            included = []
        elif not isinstance(included, list):
            _bad("/included", f"included must be an array, not {_json_kind(included)}")

        primary: Resource | list[Resource] | None
        if data is ABSENT or data is None:
            primary = None
            data_list: list[Any] = []
        elif isinstance(data, Mapping):
            data_list = [data]
            primary = None
        elif isinstance(data, list):
            data_list = data
            primary = []
        else:
            _bad("/data", f"data must be an object, an array or null, not {_json_kind(data)}")

        pending: list[tuple[Resource, _Entry, dict[str, Any], str, int]] = []
        included_objects: list[Resource] = []
        data_objects = self.build(data_list, "/data", pending, None, single=primary is None)
        self.build(included, "/included", pending, included_objects)
        self.link(pending)
        if primary is None and data_objects:
            primary = data_objects[0]
        elif isinstance(primary, list):
            primary = data_objects
        return Document(
            data=primary,
            included=included_objects,
            meta=meta,
            links=links,
            jsonapi=jsonapi,
            errors=list(errors),
            stubs=self.stubs,
            index=self.index,
        )

    def member(self, obj: Mapping[str, Any], name: str, pointer: str = "") -> dict[str, Any]:
        value = obj.get(name)
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            _bad(f"{pointer}/{name}", f"{name} must be an object, not {_json_kind(value)}")
        return value if self.owned and value.__class__ is dict else dict(value)

    def build(
        self,
        resources: list[Any],
        section: str,
        pending: list[tuple[Resource, _Entry, dict[str, Any], str, int]],
        fresh_out: list[Resource] | None,
        single: bool = False,
    ) -> list[Resource]:
        """Create (or merge into) one object per resource object; queue relationships."""
        out: list[Resource] = []
        append = out.append
        queue = pending.append
        entries = self.entries
        index = self.index
        dtc = self.dtc
        owned = self.owned
        for i, r in enumerate(resources, -1 if single else 0):
            if type(r) is not dict:
                r = self.as_dict(r, _ptr(section, i), "a resource")
            t = r.get(K_TYPE)
            rid = r.get(K_ID)
            if type(t) is not str or not t:
                self.bad_type(r, _ptr(section, i))
            entry = entries.get(t)
            if entry is None:
                entry = self.entry(t)
            key: Any = rid
            if type(rid) is not str:
                rid, key = self.identity(r, _ptr(section, i))
            by_id = index.get(t)
            if by_id is None:
                by_id = index[t] = {}
            o = by_id.get(key)
            fresh = o is None
            if o is None:
                o = _new(entry.cls)
                o.id = rid
                by_id[key] = o
                if fresh_out is not None:
                    fresh_out.append(o)
            a = r.get(K_ATTRIBUTES)
            fill = entry.fill
            if fill is None:
                self.generic(o, t, a, fresh, owned, _ptr(section, i))
            elif a is not None:
                if type(a) is not dict:
                    a = self.as_dict(a, _ptr(section, i) + "/attributes", "attributes")
                if fresh:
                    try:
                        n = fill(o, a, dtc, entry.conv)
                    except FieldError as exc:
                        self.bad_field(entry, exc, _ptr(section, i))
                    except (ValueError, OverflowError):
                        n = self.careful(o, entry, a, _ptr(section, i))
                    if n != len(a):
                        self.extras(o, entry, a)
                else:
                    self.merge(o, entry, a, _ptr(section, i))
            elif fresh:
                o._jsonapi_snap = entry.empty_snap
            rl = r.get(K_RELATIONSHIPS)
            if rl is not None:
                if type(rl) is not dict:
                    rl = self.as_dict(rl, _ptr(section, i) + "/relationships", "relationships")
                if rl:
                    queue((o, entry, rl if owned else dict(rl), section, i))
            if len(r) != 2 + (a is not None) + (rl is not None) or rid is None:
                self.resource_members(o, r, _ptr(section, i))
            append(o)
        return out

    def as_dict(self, value: Any, pointer: str, what: str) -> dict[str, Any]:
        if not isinstance(value, Mapping):
            _bad(pointer, f"{what} must be an object, not {_json_kind(value)}")
        return dict(value)

    def bad_field(self, entry: _Entry, exc: FieldError, pointer: str) -> NoReturn:
        assert entry.plan is not None
        wire = entry.plan.attrs[exc.index].wire
        _bad(f"{pointer}/attributes/{escape_pointer(wire)}", exc.reason)

    def careful(self, o: Resource, entry: _Entry, a: dict[str, Any], pointer: str) -> int:
        assert entry.plan is not None
        try:
            return careful_fill(entry.plan, o, a, entry.conv)
        except FieldError as exc:
            self.bad_field(entry, exc, pointer)

    def bad_type(self, r: dict[str, Any], pointer: str) -> NoReturn:
        t = r.get("type")
        if t is None:
            _bad(
                pointer,
                "a resource object has no type (a nested .json body? use decode_nested())",
            )
        _bad(f"{pointer}/type", f"type must be a non-empty string, not {_json_kind(t)}")

    def bad_attributes(self, a: Any, pointer: str) -> NoReturn:
        _bad(f"{pointer}/attributes", f"attributes must be an object, not {_json_kind(a)}")

    def identity(self, r: Mapping[str, Any], pointer: str) -> tuple[str | None, Any]:
        """Return ``(id, index key)`` of a resource whose id is not a plain string."""
        rid = r.get("id")
        if rid is None:
            lid = r.get("lid")
            if isinstance(lid, str) and lid:
                return None, ("lid", lid)
            _bad(pointer, "a resource object has no id (nor lid)")
        if isinstance(rid, int) and not isinstance(rid, bool):
            return str(rid), str(rid)
        _bad(f"{pointer}/id", f"id must be a string, not {_json_kind(rid)}")

    def merge(self, o: Resource, entry: _Entry, a: dict[str, Any], pointer: str) -> None:
        """A resource seen twice: add the second copy's attributes to the same object."""
        plan = entry.plan
        assert plan is not None
        probe = _new(entry.cls)
        n = self.careful(probe, entry, a, pointer)
        _merge_into(o, plan, probe)
        if n != len(a):
            self.extras(o, entry, a)

    def extras(self, o: Resource, entry: _Entry, a: dict[str, Any]) -> None:
        plan = entry.plan
        assert plan is not None
        known = plan.attr_by_wire
        extra = {k: v for k, v in a.items() if k not in known}
        if extra:
            state = state_of(o)
            if state.extra_attributes is None:
                state.extra_attributes = extra
            else:
                state.extra_attributes.update(extra)

    def generic(self, o: Resource, t: str, a: Any, fresh: bool, owned: bool, pointer: str) -> None:
        assert isinstance(o, GenericResource)
        if a is None:
            a = {}
        elif a.__class__ is not dict:
            if not isinstance(a, Mapping):
                self.bad_attributes(a, pointer)
            a = dict(a)
        elif not owned:
            a = dict(a)
        if fresh:
            o.type = t
            o.attributes = a
            o.relationships = {}
            o._jsonapi_snap = (dict(a),)
        else:
            o.attributes.update(a)
            o._jsonapi_snap = (dict(o.attributes),)

    def resource_members(self, o: Resource, r: Mapping[str, Any], pointer: str) -> None:
        """Keep a resource object's ``meta``, ``links`` and ``lid``."""
        meta = self.member(r, "meta", pointer)
        links = self.member(r, "links", pointer)
        if meta or links:
            state = state_of(o)
            if meta:
                state.meta = meta if state.meta is None else {**state.meta, **meta}
            if links:
                state.links = links if state.links is None else {**state.links, **links}
        lid = r.get("lid")
        if lid is not None:
            if not isinstance(lid, str):
                _bad(f"{pointer}/lid", f"lid must be a string, not {_json_kind(lid)}")
            o.lid = lid
            if o.id is not None:
                # Identifiers may use either; both lead to the same object.
                self.index[o.type].setdefault(("lid", lid), o)

    def stub(self, t: str, key: Any, rid: str | None) -> Resource:
        entry = self.entries.get(t) or self.entry(t)
        o = _new(entry.cls)
        o.id = rid
        if isinstance(key, tuple):
            o.lid = key[1]
        state_of(o).stub = True
        if entry.fill is None:
            self.generic(o, t, None, True, True, "")
        else:
            o._jsonapi_snap = entry.empty_snap
        self.index.setdefault(t, {})[key] = o
        self.stubs.append(o)
        return o

    def target(self, x: Any) -> Resource:
        """Resolve a resource identifier that is not the plain ``{type, id}`` case."""
        if not isinstance(x, Mapping):
            raise _LinkError("", f"a resource identifier must be an object, not {_json_kind(x)}")
        t = x.get("type")
        if not isinstance(t, str) or not t:
            if t is None:
                raise _LinkError("", "a resource identifier has no type")
            raise _LinkError("/type", f"type must be a non-empty string, not {_json_kind(t)}")
        rid = x.get("id")
        key: Any
        if rid is None:
            lid = x.get("lid")
            if not isinstance(lid, str) or not lid:
                raise _LinkError("", "a resource identifier has no id (nor lid)")
            key = ("lid", lid)
        elif isinstance(rid, str):
            key = rid
        elif isinstance(rid, int) and not isinstance(rid, bool):
            rid = key = str(rid)
        else:
            raise _LinkError("/id", f"id must be a string, not {_json_kind(rid)}")
        found = self.index.get(t, {}).get(key)
        if found is not None:
            return found
        return self.stub(t, key, rid)

    def link(self, pending: list[tuple[Resource, _Entry, dict[str, Any], str, int]]) -> None:
        """Second pass: replace identifiers by the objects indexed in the first.

        The loop is written for the common case: a declared relationship with ``data``
        whose identifiers ``{"type", "id"}`` name indexed resources. Any other shape
        fails a lookup (``KeyError``/``TypeError``) or a check and is redone by
        :meth:`link_one`, which handles stubs, ``lid``, relationships without data,
        generic and undeclared relationships, and reports malformed members.
        """
        index = self.index
        slow = self.link_one
        for o, entry, rl, section, i in pending:
            rels = entry.rels
            for name, rel in rl.items():
                try:
                    d = rel[K_DATA]
                    if len(rel) != 1:
                        # links/meta beside data (Booqable's documented examples have
                        # links on every relationship): keep them, stay on this path.
                        self.relationship_members(o, name, rel, _ptr(section, i))
                    if type(d) is dict:
                        v: Any = index[d[K_TYPE]][d[K_ID]]
                    elif type(d) is list:
                        v = [index[x[K_TYPE]][x[K_ID]] for x in d]
                    elif d is None:
                        v = None
                    else:
                        raise _Slow
                    py, many = rels[name]  # type: ignore[index]
                    if many is not (type(v) is list):
                        raise _Slow
                except (KeyError, TypeError, _Slow):
                    slow(o, entry, name, rel, section, i)
                    continue
                setattr(o, py, v)
            if rels is not None:
                o._jsonapi_rsnap = rl

    def link_one(
        self, o: Resource, entry: _Entry, name: str, rel: Any, section: str, i: int
    ) -> None:
        """Link one relationship carefully (every shape, every error with its pointer)."""
        if type(rel) is not dict:
            rel = self.as_dict(rel, _rel_ptr(section, i, name), "a relationship")
        d = rel.get(K_DATA, ABSENT)
        if len(rel) != (d is not ABSENT):
            # Idempotent: the fast path may have kept these already.
            self.relationship_members(o, name, rel, _ptr(section, i))
        v: Any
        try:
            if d is ABSENT:
                return
            if d is None:
                v = None
            elif type(d) is list:
                v = [self.target(x) for x in d]
            elif isinstance(d, Mapping):
                v = self.target(d)
            else:
                self.bad_data(d, _rel_ptr(section, i, name))
        except _LinkError as exc:
            self.bad_link(d, exc, _rel_ptr(section, i, name))
        rels = entry.rels
        rp = rels.get(name) if rels is not None else None
        if rp is None:
            self.other_relationship(o, name, v)
        elif rp[1] is (type(v) is list):
            setattr(o, rp[0], v)
        else:
            self.bad_cardinality(entry, name, d, _rel_ptr(section, i, name))

    def bad_data(self, d: Any, where: str) -> NoReturn:
        _bad(f"{where}/data", f"data must be an object, an array or null, not {_json_kind(d)}")

    def bad_link(self, d: Any, exc: _LinkError, where: str) -> NoReturn:
        where += "/data"
        if type(d) is list:
            where += f"/{self.position(d, exc)}"
        _bad(where + exc.member, exc.reason)

    def bad_cardinality(self, entry: _Entry, name: str, d: Any, where: str) -> NoReturn:
        assert entry.plan is not None
        rp = entry.plan.rel_by_wire[name]
        if rp.many:
            _bad(
                f"{where}/data",
                f"{rp.wire} is a to-many relationship: data must be an array, not {_json_kind(d)}",
            )
        _bad(
            f"{where}/data",
            f"{rp.wire} is a to-one relationship: data must be an object or null, not an array",
        )

    def other_relationship(self, o: Resource, name: str, v: Any) -> None:
        """A relationship of a generic resource, or one the model does not declare."""
        if isinstance(o, GenericResource):
            o.relationships[name] = v
            return
        state = state_of(o)
        if state.extra_relationships is None:
            state.extra_relationships = {}
        state.extra_relationships[name] = v

    @staticmethod
    def position(items: list[Any], exc: _LinkError) -> int:
        # Which identifier failed: find the first one that fails again (error path only).
        for position, item in enumerate(items):
            if not isinstance(item, Mapping):
                return position
            t, rid, lid = item.get("type"), item.get("id"), item.get("lid")
            if not isinstance(t, str) or not t:
                return position
            if rid is None and not (isinstance(lid, str) and lid):
                return position
            if rid is not None and (not isinstance(rid, (str, int)) or isinstance(rid, bool)):
                return position
        return 0  # pragma: no cover - the failing item is always found above

    def relationship_members(
        self, o: Resource, name: str, rel: Mapping[str, Any], pointer: str
    ) -> None:
        where = f"{pointer}/relationships/{escape_pointer(name)}"
        links = self.member(rel, "links", where)
        meta = self.member(rel, "meta", where)
        if links or meta:
            state = state_of(o)
            if links:
                if state.relationship_links is None:
                    state.relationship_links = {}
                state.relationship_links[name] = links
            if meta:
                if state.relationship_meta is None:
                    state.relationship_meta = {}
                state.relationship_meta[name] = meta


def decode_nested(
    body: bytes | bytearray | memoryview | str | Mapping[str, Any],
    type: str,
    registry: Registry | Mapping[str, type[Resource] | str] | None = None,
    *,
    converter: cattrs.Converter | None = None,
) -> Document:
    """Decode Booqable's nested ``.json`` variant into the same linked resources.

    ``GET /api/4/orders.json?include=customer`` answers without JSON:API wrappers:
    each record is a flat object (``id`` plus attributes) and related records are nested
    objects under the relationship's name (catalog ``global.formats``). Nothing in it
    names types, so the caller says the primary ``type``; nested records take the type
    their model's relationship declares (for a polymorphic one, the record's own
    ``type`` member when it names one of the targets; otherwise they stay generic with
    type ``"a|b|c"``). Generic (unregistered) records keep nested objects as raw
    attribute values, since nothing says which keys are relationships.

    This is explicit, not auto-detected: :func:`decode` refuses such a body because its
    records have no ``type`` (the error says to use this function).

    Args:
        body: The ``.json`` response body or an already parsed mapping.
        type: JSON:API type of the primary records (``orders``).
        registry: As in :func:`decode`.
        converter: As in :func:`decode`.

    Returns:
        A :class:`Document`; nested records are in ``included`` (in discovery order) and
        every record with the same type and id is one object.

    Raises:
        DecodeError: as in :func:`decode`.
        UsageError: ``type`` is empty, or the registry is broken.
    """
    if not isinstance(type, str) or not type:
        raise UsageError("decode_nested() needs the JSON:API type of the primary records")
    value, owned = load_json(body)
    if not isinstance(value, Mapping):
        _bad("", f"a document must be a JSON object, not {_json_kind(value)}")
    reg = Registry.coerce(registry)
    decoder = _Decoder(reg, converter or default_converter(), owned)
    return _NestedDecoder(decoder).run(value, type)


class _NestedDecoder:
    def __init__(self, decoder: _Decoder) -> None:
        self.d = decoder
        self.included: list[Resource] = []
        self.dtc: dict[str, Any] = {}

    def run(self, doc: Any, root_type: str) -> Document:
        d = self.d
        if not isinstance(doc, Mapping):
            _bad("", f"a document must be a JSON object, not {_json_kind(doc)}")
        meta = d.member(doc, "meta")
        links = d.member(doc, "links")
        data = doc.get("data", ABSENT)
        # Work items (record, type, pointer, object, fresh): objects exist before their
        # records are read, so a parent links its children at once; no recursion.
        work: list[tuple[Mapping[str, Any], str, str, Resource, bool]] = []
        primary: Any
        if data is ABSENT or data is None:
            primary = None
        elif isinstance(data, list):
            primary = [
                self.obtain(r, root_type, f"/data/{i}", work, primary=True)
                for i, r in enumerate(data)
            ]
            work.reverse()
        else:
            primary = self.obtain(data, root_type, "/data", work, primary=True)
        while work:
            self.record(*work.pop(), work)
        return Document(
            data=primary,
            included=self.included,
            meta=meta,
            links=links,
            stubs=[],
            index=d.index,
        )

    def obtain(
        self,
        record: Any,
        type_name: str,
        pointer: str,
        work: list[tuple[Mapping[str, Any], str, str, Resource, bool]],
        primary: bool = False,
    ) -> Resource:
        """Return the object for ``record`` (one per type and id) and queue its reading."""
        d = self.d
        if not isinstance(record, Mapping):
            _bad(pointer, f"a record must be an object, not {_json_kind(record)}")
        entry = d.entry(type_name)
        rid: Any = record.get("id")
        if rid is not None and not isinstance(rid, str):
            if isinstance(rid, int) and not isinstance(rid, bool):
                rid = str(rid)
            else:
                _bad(f"{pointer}/id", f"id must be a string, not {_json_kind(rid)}")
        by_id = d.index.setdefault(type_name, {})
        o = by_id.get(rid) if rid is not None else None
        fresh = o is None
        if o is None:
            o = _new(entry.cls)
            o.id = rid
            if entry.fill is None:
                d.generic(o, type_name, None, True, True, pointer)
            if rid is not None:
                by_id[rid] = o
            if not primary:
                self.included.append(o)
        work.append((record, type_name, pointer, o, fresh))
        return o

    def record(
        self,
        record: Mapping[str, Any],
        type_name: str,
        pointer: str,
        o: Resource,
        fresh: bool,
        work: list[tuple[Mapping[str, Any], str, str, Resource, bool]],
    ) -> None:
        d = self.d
        entry = d.entry(type_name)
        plan = entry.plan
        attributes: dict[str, Any] = {}
        raw_rels: dict[str, Any] = {}
        for key, value in record.items():
            if key == "id":
                continue
            rp = plan.rel_by_wire.get(key) if plan is not None else None
            if rp is not None and key in plan.attr_by_wire and not _records(value, rp.many):  # type: ignore[union-attr]
                # The same name is an attribute too (Booqable's orders, customers and
                # products have a "properties" hash and a "properties" relationship): in
                # this format only the value's shape tells them apart.
                rp = None
            if rp is None:
                attributes[key] = value
                continue
            where = f"{pointer}/{escape_pointer(key)}"
            linked: Any
            if value is None:
                linked = None
            elif isinstance(value, list):
                if not rp.many:
                    _bad(where, f"{key} is a to-one relationship: expected an object or null")
                linked = [
                    self.obtain(item, self.child_type(rp.info.types, item), f"{where}/{j}", work)
                    for j, item in enumerate(value)
                ]
            elif isinstance(value, Mapping):
                if rp.many:
                    _bad(where, f"{key} is a to-many relationship: expected an array")
                linked = self.obtain(value, self.child_type(rp.info.types, value), where, work)
            else:
                _bad(where, f"{key} must be a nested record, not {_json_kind(value)}")
            raw_rels[key] = {"data": _identifiers(linked)}
            setattr(o, rp.py, linked)
        if plan is None:
            d.generic(o, type_name, attributes, False, True, pointer)
            return
        if fresh:
            try:
                n = plan.fill(o, attributes, self.dtc, entry.conv)
            except FieldError as exc:
                _bad(f"{pointer}/{escape_pointer(plan.attrs[exc.index].wire)}", exc.reason)
            except (ValueError, OverflowError):
                n = self.careful(o, entry, attributes, pointer)
        else:
            probe = _new(entry.cls)
            n = self.careful(probe, entry, attributes, pointer)
            _merge_into(o, plan, probe)
        if n != len(attributes):
            d.extras(o, entry, attributes)
        o._jsonapi_rsnap = raw_rels

    def careful(self, o: Resource, entry: _Entry, a: dict[str, Any], pointer: str) -> int:
        assert entry.plan is not None
        try:
            return careful_fill(entry.plan, o, a, entry.conv)
        except FieldError as exc:
            _bad(f"{pointer}/{escape_pointer(entry.plan.attrs[exc.index].wire)}", exc.reason)

    @staticmethod
    def child_type(types: tuple[str, ...], record: Any) -> str:
        if len(types) == 1:
            return types[0]
        own = record.get("type") if isinstance(record, Mapping) else None
        if isinstance(own, str) and own in types:
            return own
        return "|".join(types) or "unknown"


def _records(value: Any, many: bool) -> bool:
    """True when ``value`` looks like nested records rather than an attribute value."""
    if many:
        return isinstance(value, list) and all(isinstance(item, Mapping) for item in value)
    return isinstance(value, Mapping) and "id" in value


def _identifiers(linked: Any) -> Any:
    if linked is None:
        return None
    if isinstance(linked, list):
        return [{"type": r.type, "id": r.id} for r in linked]
    return {"type": linked.type, "id": linked.id}
