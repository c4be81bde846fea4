"""decode(): a JSON:API document -> linked records, in one linear pass.

How: msgspec decodes the body into a small skeleton of the document (resource objects,
relationship objects and identifiers are msgspec Structs; each ``attributes`` object is
kept as raw bytes); then each resource object's ``attributes`` is decoded by msgspec
straight into the model class its type maps to (types checked, timestamps parsed, all in
C; attributes the document lacked are cleared again, see ``Resource.__attrs_pre_init__``
and ``settle``), and indexed by ``(type, id)``. One Python pass then links
relationships through that index. Because every record exists before any link is made,
cycles (order -> lines -> order) and shared targets (many orders -> one customer) are
the same Python object, with no recursion at all. Identifiers whose target is not in the
document become stubs (one per ``(type, id)``).

The MUSTs of JSON:API 1.1 that a document can break are checked
(https://jsonapi.org/format/1.1/#document-structure): the document is an object with at
least one of ``data``/``errors``/``meta``; not ``data`` and ``errors`` together;
``included`` only with ``data``; ``meta``/``links``/``relationships`` objects; string
``type``/``id``/``lid``; a resource object has an ``id`` (or a ``lid``); an identifier
too; no ``(type, id)`` twice. Any violation raises ``DecodeError`` with a JSON pointer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, NoReturn

import msgspec

from booqable_async._gc import gc_paused
from booqable_async._timestamps import parse_date, parse_datetime
from booqable_async.errors import DecodeError
from booqable_async.jsonapi._document import Document
from booqable_async.jsonapi._plan import DATE, DATETIME, FLOAT, INT, STR, Plan, plan_for
from booqable_async.jsonapi._registry import Registry
from booqable_async.jsonapi._resource import (
    GenericResource,
    Resource,
    _get_snap,
    _Linked,
    _set_id,
    _set_lid,
    _set_rels,
    _set_snap,
    _set_state,
    _Snapshot,
    settle,
    settle_incomplete,
    state_of,
)
from booqable_async.jsonapi._sentinels import CLEAN, DECODING, UNSET

__all__ = ["as_json_bytes", "decode", "escape_pointer", "json_kind"]

_UNSET = msgspec.UNSET
_new = object.__new__
_delattr = object.__delattr__
_del_id = Resource.__dict__["id"].__delete__


# -- the document skeleton (https://jsonapi.org/format/1.1/#document-structure) --------
# gc=False: parsed JSON holds no reference cycles, so the collector need not track these.


class _Identifier(msgspec.Struct, gc=False):
    type: str
    id: str | None = None
    lid: str | None = None
    meta: dict[str, Any] | None = None


class _Relationship(msgspec.Struct, gc=False):
    data: _Identifier | list[_Identifier] | msgspec.UnsetType | None = _UNSET
    links: dict[str, Any] | None = None
    meta: dict[str, Any] | None = None


_NO_ATTRIBUTES = msgspec.Raw(b"{}")


class _ResourceObject(msgspec.Struct, gc=False):
    type: str
    id: str | None = None
    lid: str | None = None
    attributes: msgspec.Raw = _NO_ATTRIBUTES
    relationships: dict[str, _Relationship] | None = None
    meta: dict[str, Any] | None = None
    links: dict[str, Any] | None = None


class _Document(msgspec.Struct, gc=False):
    data: list[_ResourceObject] | _ResourceObject | msgspec.UnsetType | None = _UNSET
    included: list[_ResourceObject] | msgspec.UnsetType = _UNSET
    meta: dict[str, Any] | msgspec.UnsetType = _UNSET
    links: dict[str, Any] | None = None
    jsonapi: dict[str, Any] | None = None
    errors: list[Any] | msgspec.UnsetType = _UNSET


_decode_document = msgspec.json.Decoder(_Document).decode
_decode_object = msgspec.json.Decoder(dict[str, Any]).decode
_decode_any = msgspec.json.Decoder().decode


def _plain(value: Any) -> Any:
    # msgspec writes dicts, lists and the like; other mappings and sequences a caller may
    # hand over already parsed (MappingProxyType, tuples of records) become those.
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"{type(value).__name__} is not JSON data")


_encode = msgspec.json.Encoder(enc_hook=_plain).encode


# -- public helpers ---------------------------------------------------------------------


def escape_pointer(token: str) -> str:
    """Escape one JSON pointer reference token (RFC 6901: ``~`` -> ``~0``, ``/`` -> ``~1``)."""
    return token.replace("~", "~0").replace("/", "~1")


def json_kind(value: Any) -> str:
    """Name the JSON type of a parsed value for messages (``"an array"``, ``"null"``)."""
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


def as_json_bytes(body: bytes | bytearray | memoryview | str | Mapping[str, Any]) -> Any:
    """Return ``body`` as something msgspec parses.

    Bytes-like values and str as they are; an already parsed document encoded again
    (msgspec decodes from JSON text only).

    Raises:
        DecodeError: ``body`` is neither JSON text nor a JSON-ready mapping.
    """
    if isinstance(body, (bytes, bytearray, memoryview, str)):
        return body
    try:
        return _encode(body)
    except (TypeError, ValueError, OverflowError) as exc:
        raise DecodeError(f"the document is not JSON-ready data: {exc}", "") from None


def decode(
    body: bytes | bytearray | memoryview | str | Mapping[str, Any],
    registry: Registry | Mapping[str, type[Resource] | str] | None = None,
    *,
    check_every_record: bool = False,
) -> Document:
    """Decode a JSON:API document into linked records.

    Attributes a model does not declare are kept in ``extra_attributes``. The first
    record of each type in a document is checked for them, and when it has some, every
    record of that type is read the thorough way (servers such as Booqable's send the
    same attribute names for every record of a type in one answer).

    Args:
        body: The response body (bytes or str), or an already parsed mapping (never
            modified).
        registry: Type name -> model class. Types it does not know (every type, when
            ``None``) become :class:`~booqable_async.jsonapi.GenericResource`. For
            Booqable's models use ``booqable_async.decode``, which passes its registry.
        check_every_record: Check every record, not only the first of each type, for
            attributes its model does not declare (for documents whose records of one
            type differ; about twice the decoding time).

    Returns:
        The :class:`Document`.

    Raises:
        DecodeError: ``body`` is not JSON, not a JSON:API document (a MUST of JSON:API
            1.1 broken), or a value does not fit its model's declared type;
            ``.pointer`` names the member (``/data/3/attributes/starts_at``).
        UsageError: ``registry`` is not a registry, or one of its models is broken.
    """
    reg = Registry.coerce(registry)
    try:
        raw = as_json_bytes(body)
        # The records are built with the cyclic GC paused: see booqable_async._gc.
        with gc_paused():
            return _Decoding(reg, check_every_record).run(raw)
    except RecursionError:
        raise DecodeError(
            "the document nests JSON values beyond the parser's depth limit (several "
            "hundred levels; a real answer nests a handful)",
            "",
        ) from None


# -- errors -----------------------------------------------------------------------------


def _bad(pointer: str, reason: str) -> NoReturn:
    raise DecodeError(reason, pointer)


_PATH_TOKEN = re.compile(r"\.([^.\[]+)|\[(\d+|\.\.\.)\]")


def _split_message(exc: msgspec.ValidationError) -> tuple[str, list[str]]:
    """Msgspec's ``Expected `int`, got `str` - at `$.data[0].id``` -> reason and path."""
    text = str(exc)
    reason, sep, where = text.rpartition(" - at `")
    if not sep:
        return text, []
    path = where.rstrip("`")
    return reason, [m.group(1) or m.group(2) for m in _PATH_TOKEN.finditer(path.lstrip("$"))]


def _document_error(exc: msgspec.ValidationError, raw: Any) -> NoReturn:
    """Turn a skeleton validation error into a DecodeError with an exact pointer.

    msgspec writes ``[...]`` for a key of a dict member (``relationships``); the key
    is found again by checking each relationship of the parsed document (error path only).
    """
    reason, tokens = _split_message(exc)
    if reason == "Object missing required field `type`":
        # A resource object or identifier without type; nested records look like that.
        reason = "a resource object must have a type (records without one are not JSON:API)"
    if "..." not in tokens:
        _bad("".join(f"/{escape_pointer(t)}" for t in tokens), _reason(reason, tokens))
    tree = _decode_any(raw)
    node: Any = tree
    steps: list[str] = []
    for step in tokens:
        if step == "...":
            step = next(key for key, value in node.items() if not _fits(value, _Relationship))
        node = node[int(step)] if isinstance(node, list) else node[step]
        steps.append(step)
    _bad("".join(f"/{escape_pointer(t)}" for t in steps), _reason(reason, steps))


def _fits(value: Any, tp: type) -> bool:
    try:
        msgspec.convert(value, tp)
    except msgspec.ValidationError:
        return False
    return True


_KINDS = {
    "object": "an object",
    "array": "an array",
    "str": "a string",
    "int": "an integer",
    "float": "a number",
    "bool": "a boolean",
    "null": "null",
    "datetime": "a timestamp",
    "date": "a date",
}
_EXPECTED = re.compile(r"Expected `([^`]+)`, got `([^`]+)`")


def _kinds(text: str) -> str:
    names = [_KINDS.get(part.strip(), part.strip()) for part in text.split("|")]
    return " or ".join(names)


def _reason(reason: str, tokens: list[str] | None = None) -> str:
    """Say msgspec's reason in our words, naming the member when the path ends in one.

    ``Expected `int`, got `str``` at ``.number`` -> ``number must be an integer, not a
    string``.
    """
    match = _EXPECTED.fullmatch(reason)
    if match is not None:
        member = tokens[-1] if tokens and not tokens[-1].isdigit() else None
        what = f"{member} must be" if member else "the value must be"
        if not tokens:
            what = "a JSON:API document must be"
        return f"{what} {_kinds(match[1])}, not {_kinds(match[2])}"
    if reason.startswith("Object missing required field"):
        field = reason.rpartition(" ")[2].strip("`")
        return f"the object has no {field} (required)"
    text = reason.replace("`", "")
    return text[:1].lower() + text[1:] if text else "invalid value"


def _pointer(section: str, i: int) -> str:
    # i < 0: the section holds a single resource (``"data": {...}``).
    return section if i < 0 else f"{section}/{i}"


# -- decoding ---------------------------------------------------------------------------


class _Entry:
    """Per-decode facts about one type: its class and plan, and what was seen of it."""

    __slots__ = ("checked", "cls", "plan", "wide")

    def __init__(self, cls: type[Resource], plan: Plan | None) -> None:
        self.cls = cls
        self.plan = plan
        # Whether a record of this type in this document was checked for attributes
        # the model does not declare, and whether it had some (then every record of the
        # type takes the careful path, which keeps them).
        self.checked = plan is None
        self.wide = False


_Pending = tuple[Resource, _Entry, dict[str, _Relationship], str, int]
_NOTHING_DECLARED: Mapping[str, tuple[str, bool]] = {}


class _Decoding:
    """One decode() call: the index being built and what is left to link."""

    def __init__(self, registry: Registry, check_every_record: bool = False) -> None:
        self.registry = registry
        self.check_every_record = check_every_record
        self.entries: dict[str, _Entry] = {}
        self.index: dict[str, dict[Any, Resource]] = {}
        self.stubs: list[Resource] = []

    def entry(self, type_name: str) -> _Entry:
        entry = self.entries.get(type_name)
        if entry is None:
            cls = self.registry.get(type_name)
            entry = _Entry(GenericResource, None) if cls is None else _Entry(cls, plan_for(cls))
            entry.wide = self.check_every_record
            self.entries[type_name] = entry
        return entry

    def run(self, raw: Any) -> Document:
        try:
            doc = _decode_document(raw)
        except msgspec.ValidationError as exc:
            _document_error(exc, raw)
        except msgspec.DecodeError as exc:
            _bad("", f"the body is not JSON: {exc}")
        data, included, errors, meta = doc.data, doc.included, doc.errors, doc.meta
        if data is _UNSET and errors is _UNSET and meta is _UNSET:
            _bad("", "a JSON:API document must have at least one of data, errors and meta")
        if data is not _UNSET and errors is not _UNSET:
            _bad("/errors", "a JSON:API document must not have both data and errors")
        if included is not _UNSET and data is _UNSET:
            _bad("/included", "a JSON:API document must not have included without data")
        pending: list[_Pending] = []
        primary: Resource | list[Resource] | None
        if data is _UNSET or data is None:
            primary = None
        elif type(data) is list:
            primary = self.build(data, "/data", pending, None)
        else:
            primary = self.build([data], "/data", pending, None, single=True)[0]  # type: ignore[list-item]
        included_objects: list[Resource] = []
        if included is not _UNSET:
            self.build(included, "/included", pending, included_objects)
        self.link(pending)
        return Document(
            data=primary,
            included=included_objects,
            meta={} if meta is _UNSET else meta,
            links=doc.links or {},
            jsonapi=doc.jsonapi or {},
            errors=[] if errors is _UNSET else errors,
            stubs=self.stubs,
            index=self.index,
        )

    def build(
        self,
        resources: list[_ResourceObject],
        section: str,
        pending: list[_Pending],
        out: list[Resource] | None,
        single: bool = False,
    ) -> list[Resource]:
        """Create one record per resource object, index it; queue its relationships."""
        built: list[Resource] = []
        append = built.append
        queue = pending.append
        entries = self.entries
        index = self.index
        for i, r in enumerate(resources, -1 if single else 0):
            t = r.type
            entry = entries.get(t)
            if entry is None:
                if not t:
                    _bad(_pointer(section, i) + "/type", "type must not be empty")
                entry = self.entry(t)
            rid = r.id
            by_id = index.get(t)
            if by_id is None:
                by_id = index[t] = {}
            key: Any = rid
            if rid is None:
                key = self.local_key(r, section, i)
            elif rid in by_id:
                self.duplicate(t, rid, section, i)
            a = r.attributes
            plan = entry.plan
            o: Resource
            if plan is None:
                o = self.generic(t, a, _pointer(section, i))
            elif a is _NO_ATTRIBUTES:
                o = _blank(entry.cls)
            elif entry.checked and not entry.wide:
                try:
                    o = plan.decode_attributes(a)
                    if plan.decode_renamed is not None:
                        self.renamed(o, plan, a)
                except msgspec.ValidationError:
                    o = self.careful(entry, a, _pointer(section, i))
                else:
                    # settle(o, plan), inlined for the common case: clear the primed
                    # attributes the document lacked; an INCOMPLETE record goes the
                    # long way.
                    for name, getter in plan.primed_getters:
                        if getter(o) is UNSET:
                            _delattr(o, name)
                    if _get_snap(o) is DECODING:
                        _set_snap(o, CLEAN)
                    else:
                        settle_incomplete(o, plan)
            else:
                o = self.careful(entry, a, _pointer(section, i))
            if rid is not None:
                _set_id(o, rid)
            elif plan is not None and a is not _NO_ATTRIBUTES:
                _del_id(o)  # msgspec's record holds UNSET there
            if plan is None:
                # A generic record keeps a copy of its attributes for change tracking
                # (they are a dict the caller may change in place).
                _set_snap(o, _Snapshot(o.attributes))  # type: ignore[attr-defined]
            by_id[key] = o
            if r.lid is not None:
                _set_lid(o, r.lid)
                if rid is not None:
                    by_id[("lid", r.lid)] = o
            if r.meta is not None or r.links is not None:
                state = state_of(o)
                state.meta = r.meta
                state.links = r.links
            rl = r.relationships
            if rl:
                queue((o, entry, rl, section, i))
            if out is not None:
                out.append(o)
            append(o)
        return built

    def local_key(self, r: _ResourceObject, section: str, i: int) -> Any:
        """Index key of a resource object without ``id``: it must have a ``lid``."""
        if r.lid is None:
            _bad(
                _pointer(section, i),
                "a resource object must have an id (or, for a record the client creates, a lid)",
            )
        key = ("lid", r.lid)
        if key in self.index[r.type]:
            _bad(_pointer(section, i), f"the document has {r.type} with lid {r.lid!r} twice")
        return key

    @staticmethod
    def duplicate(t: str, rid: str, section: str, i: int) -> NoReturn:
        _bad(
            _pointer(section, i),
            f"the document has {t} {rid} twice (a compound document must not repeat a type and id)",
        )

    def generic(self, t: str, a: msgspec.Raw, pointer: str) -> GenericResource:
        o: GenericResource = _blank(GenericResource)
        object.__setattr__(o, "type", t)
        if a is _NO_ATTRIBUTES:
            attributes: dict[str, Any] = {}
        else:
            attributes = self.attributes_object(a, pointer)
        object.__setattr__(o, "attributes", attributes)
        object.__setattr__(o, "relationships", {})
        return o

    @staticmethod
    def attributes_object(a: msgspec.Raw, pointer: str) -> dict[str, Any]:
        try:
            return _decode_object(a)
        except msgspec.ValidationError:
            _bad(f"{pointer}/attributes", f"attributes must be an object, not {_kind(a)}")

    @staticmethod
    def renamed(o: Resource, plan: Plan, a: msgspec.Raw) -> None:
        """Store the attributes whose wire name differs from the Python name.

        Raises:
            msgspec.ValidationError: One of them does not fit its type.
        """
        assert plan.decode_renamed is not None
        values = plan.decode_renamed(a)
        for py, _ in plan.renamed:
            value = getattr(values, py)
            if value is not UNSET:
                object.__setattr__(o, py, value)

    def careful(self, entry: _Entry, a: msgspec.Raw, pointer: str) -> Resource:
        """Decode ``attributes`` the slow, thorough way.

        For the first record of each type in a document (to see undeclared attributes),
        then for every record of a type that has some, and for values the fast path
        refused (lenient forms, or a bad value to point at).
        """
        plan = entry.plan
        assert plan is not None
        values = self.attributes_object(a, pointer)
        kept: dict[str, Any] = {}
        extras: dict[str, Any] | None = None
        for key, value in values.items():
            field = plan.attr_by_wire.get(key)
            if field is None:
                if extras is None:
                    extras = {}
                extras[key] = value
            else:
                kept[field.py] = _coerce(field.kind, value, pointer, key)
        try:
            o = msgspec.convert(kept, plan.cls)
            settle(o, plan)
        except msgspec.ValidationError as exc:
            reason, tokens = _split_message(exc)
            if tokens and tokens[0] in plan.attr_by_py:
                tokens[0] = plan.attr_by_py[tokens[0]].wire
            if "..." in tokens:  # a key inside a mapping value: point at the mapping
                tokens = tokens[: tokens.index("...")]
            where = "".join(f"/{escape_pointer(t)}" for t in tokens)
            _bad(f"{pointer}/attributes{where}", _reason(reason, tokens or ["attributes"]))
        if not entry.checked:
            entry.checked = True
            entry.wide = entry.wide or extras is not None
        if extras is not None:
            state_of(o).extra_attributes = extras
        return o

    def link(self, pending: list[_Pending]) -> None:
        """Second pass: replace identifiers by the records indexed in the first.

        Written for the common case: identifiers ``{"type", "id"}`` naming indexed
        records. A lookup that fails (a stub, a ``lid``, a missing id) is redone by
        :meth:`targets`, which also reports malformed identifiers.
        """
        index = self.index
        for o, entry, rl, section, i in pending:
            plan = entry.plan
            declared = plan.link_index if plan is not None else _NOTHING_DECLARED
            linked = _Linked()
            for name, rel in rl.items():
                d = rel.data
                if rel.links is not None or rel.meta is not None:
                    self.relationship_members(o, name, rel)
                if d is _UNSET:
                    continue  # links/meta only: not loaded
                v: Any
                try:
                    if type(d) is list:
                        v = [index[x.type][x.id] for x in d]
                    elif d is None:
                        v = None
                    else:
                        v = index[d.type][d.id]  # type: ignore[union-attr]
                except KeyError:
                    v = self.targets(d, section, i, name)
                found = declared.get(name)
                if found is None:
                    self.other_relationship(o, name, v)
                elif found[1] is (type(v) is list):
                    linked[found[0]] = v
                else:
                    self.bad_cardinality(plan, name, section, i)
            if linked:
                _set_rels(o, linked)

    def targets(self, d: Any, section: str, i: int, name: str) -> Any:
        """Resolve identifiers the fast path could not: stubs, lids, missing ids."""
        where = f"{_pointer(section, i)}/relationships/{escape_pointer(name)}/data"
        if type(d) is list:
            return [self.target(x, f"{where}/{j}") for j, x in enumerate(d)]
        return self.target(d, where)

    def target(self, x: _Identifier, where: str) -> Resource:
        if not x.type:
            _bad(f"{where}/type", "type must not be empty")
        by_type = self.index.get(x.type)
        if x.id is not None:
            key: Any = x.id
        elif x.lid is not None:
            key = ("lid", x.lid)
        else:
            _bad(where, "a resource identifier must have an id (or a lid)")
        found = by_type.get(key) if by_type is not None else None
        if found is not None:
            return found
        return self.stub(x.type, key, x.id, x.lid)

    def stub(self, t: str, key: Any, rid: str | None, lid: str | None) -> Resource:
        cls = self.entry(t).cls
        o: Resource = _blank(cls)
        if cls is GenericResource:
            object.__setattr__(o, "type", t)
            object.__setattr__(o, "attributes", {})
            object.__setattr__(o, "relationships", {})
        if rid is not None:
            _set_id(o, rid)
        if lid is not None:
            _set_lid(o, lid)
        state_of(o).stub = True
        self.index.setdefault(t, {})[key] = o
        self.stubs.append(o)
        return o

    def bad_cardinality(self, plan: Plan | None, name: str, section: str, i: int) -> NoReturn:
        assert plan is not None
        rel = plan.rel_by_wire[name]
        where = f"{_pointer(section, i)}/relationships/{escape_pointer(name)}/data"
        if rel.info.many:
            _bad(where, f"{rel.wire} is a to-many relationship: data must be an array")
        _bad(where, f"{rel.wire} is a to-one relationship: data must be an object or null")

    @staticmethod
    def other_relationship(o: Resource, name: str, v: Any) -> None:
        """A relationship of a generic record, or one the model does not declare."""
        if isinstance(o, GenericResource):
            o.relationships[name] = v
            return
        state = state_of(o)
        if state.extra_relationships is None:
            state.extra_relationships = {}
        state.extra_relationships[name] = v

    @staticmethod
    def relationship_members(o: Resource, name: str, rel: _Relationship) -> None:
        state = state_of(o)
        if rel.links is not None:
            if state.relationship_links is None:
                state.relationship_links = {}
            state.relationship_links[name] = rel.links
        if rel.meta is not None:
            if state.relationship_meta is None:
                state.relationship_meta = {}
            state.relationship_meta[name] = rel.meta


def _blank(cls: type[Any]) -> Any:
    """A record with every attribute and relationship unassigned (not loaded)."""
    o = _new(cls)
    _set_snap(o, CLEAN)
    _set_lid(o, None)
    _set_state(o, None)
    _set_rels(o, None)
    return o


def _kind(a: msgspec.Raw) -> str:
    try:
        return json_kind(_decode_any(a))
    except msgspec.DecodeError:  # pragma: no cover - the skeleton parsed it already
        return "JSON"


def _coerce(kind: int, value: Any, pointer: str, wire: str) -> Any:
    """Read a value the way Booqable sends it where msgspec's strict rules refuse it.

    Booqable sends timestamps with an offset; one without is taken as UTC, and forms
    RFC 3339 does not allow (no seconds) are read too. An enum documented as a string
    may arrive as a number (``webhook_endpoints.version``); counts may arrive as ``3.0``
    or ``"3"``. Anything else is left for msgspec to check.
    """
    if value is None:
        return None
    try:
        if kind == DATETIME and type(value) is str:
            return parse_datetime(value)
        if kind == DATE and type(value) is str:
            return parse_date(value)
        if kind == STR and type(value) in (int, float):
            return str(value)
        if kind == INT:
            if type(value) is float and value.is_integer():
                return int(value)
            if type(value) is str and value.strip().lstrip("+-").isdigit():
                return int(value)
        if kind == FLOAT and type(value) is str:
            return float(value)
    except (ValueError, OverflowError) as exc:
        _bad(f"{pointer}/attributes/{escape_pointer(wire)}", f"cannot read {value[:60]!r} ({exc})")
    return value
