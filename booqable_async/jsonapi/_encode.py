"""Encoding writes: create/update documents, change tracking, Booqable side-posting.

Booqable v4 has no JSON:API sideposting; instead (catalog ``global.sideposting``) a write
may carry ``<name>_attributes`` (a list of nested hashes that create, update or, with
``"_destroy": true``, delete children), ``<name>_ids`` and ``<name>_id`` inside
``attributes``, and ``include``/``fields`` as top-level members of the body (the
``bundles`` and ``employee_invitations`` examples). Updates are ``PUT`` with only the
attributes that changed. The encoder returns plain dicts and lists; the protocol layer
serialises them with orjson.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, Literal

import cattrs

from booqable_async.converter import default_converter, format_datetime
from booqable_async.errors import UsageError
from booqable_async.jsonapi._plan import ABSENT, Plan, original_value, plan_for
from booqable_async.jsonapi._registry import Registry
from booqable_async.jsonapi._resource import GenericResource, Resource
from booqable_async.jsonapi._sentinels import NOT_LOADED

__all__ = ["changes", "create_document", "destroy", "json_value", "update_document"]

_PLAIN = (str, int, float, bool, type(None))
Operation = Literal["create", "update"]
RelatedValue = Resource | str | None | Sequence[Resource | str]


def destroy(id: str | None = None, **keys: Any) -> dict[str, Any]:
    """Return a nested-attributes entry deleting a child: ``{"id": ..., "_destroy": True}``.

    Args:
        id: The child's id.
        **keys: Other identifying keys instead of (or besides) the id; Booqable's
            ``properties_attributes`` identify properties by ``identifier``.

    Returns:
        The entry, for ``nested={"bundle_items": [destroy(id), {...}]}``.
    """
    entry: dict[str, Any] = {} if id is None else {"id": id}
    entry.update(keys)
    entry["_destroy"] = True
    return entry


def json_value(value: Any, converter: cattrs.Converter | None = None) -> Any:
    """Return ``value`` as JSON-ready data (timestamps as ISO 8601 with offset)."""
    if isinstance(value, _PLAIN):
        return value
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Resource):
        return value.id
    if isinstance(value, (dict, list)) and _is_plain_json(value):
        return value
    return (converter or default_converter()).unstructure(value)


def _is_plain_json(value: Any) -> bool:
    # Iterative: attribute values may nest deeply; no recursion proportional to depth.
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif not isinstance(item, _PLAIN):
            return False
    return True


def changes(resource: Resource) -> dict[str, Any]:
    """Return what changed since ``resource`` was decoded, by Python name.

    Attributes compare by value against what the document carried (assigning ``None``
    to an attribute that had a value is a change). Relationships compare by the
    ``(type, id)`` of their targets. A resource that was never decoded (built by hand)
    reports every field that was set. Mutating a list or dict attribute in place is not
    seen: assign a new value instead (``order.tag_list = [*order.tag_list, "vip"]``).

    Args:
        resource: A model instance or a generic resource.

    Returns:
        ``{python name: current value}``.
    """
    out: dict[str, Any] = {}
    snap = resource._jsonapi_snap
    if isinstance(resource, GenericResource):
        before = snap[0] if snap else {}
        for key, value in resource.attributes.items():
            old = before.get(key, ABSENT)
            if old is ABSENT or (value is not old and value != old):
                out[key] = value
        return out
    plan = plan_for(type(resource))
    conv = _snapshot_converter(plan)
    for index, field in enumerate(plan.attrs):
        try:
            value = plan.getters[field.py](resource)
        except AttributeError:
            continue
        if snap is None:
            out[field.py] = value
            continue
        position = plan.snap_pos[index]
        raw = snap[position] if position < len(snap) else ABSENT
        if value is raw:  # untouched str/int/bool/None/dict/list: the same object
            continue
        old = original_value(plan, index, snap, conv)
        if old is ABSENT or value != old:
            out[field.py] = value
    raw = resource._jsonapi_rsnap
    for rel in plan.rels:
        try:
            value = plan.getters[rel.py](resource)
        except AttributeError:
            continue
        if value is NOT_LOADED:
            continue
        if snap is None or _linked_differs(value, (raw or {}).get(rel.wire)):
            out[rel.py] = value
    return out


def _snapshot_converter(plan: Plan) -> Any:
    structure = default_converter().structure

    def conv(index: int, raw: Any) -> Any:
        return structure(raw, plan.attrs[index].tp)

    return conv


def _linked_differs(value: Any, raw_rel: Any) -> bool:
    data = raw_rel.get("data", ABSENT) if isinstance(raw_rel, Mapping) else ABSENT
    if data is ABSENT:
        return True
    return bool(_identities(value) != _raw_identities(data))


def _identities(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, list):
        return [(item.type, item.id) for item in value]
    return (value.type, value.id)


def _raw_identities(data: Any) -> Any:
    def one(item: Any) -> Any:
        if isinstance(item, Mapping):
            rid = item.get("id")
            return (item.get("type"), str(rid) if isinstance(rid, int) else rid)
        return item

    if data is None:
        return None
    if isinstance(data, list):
        return [one(item) for item in data]
    return one(data)


def _model_of(
    source: Resource | type[Resource] | str, registry: Registry | Mapping[str, Any] | None
) -> tuple[str, type[Resource] | None, Resource | None]:
    if isinstance(source, Resource):
        cls = None if isinstance(source, GenericResource) else type(source)
        return source.type, cls, source
    if isinstance(source, type) and issubclass(source, Resource):
        if not source.jsonapi_type:
            raise UsageError(f"{source.__qualname__} has no jsonapi_type")
        return source.jsonapi_type, source, None
    if isinstance(source, str) and source:
        reg = Registry.coerce(registry)
        return source, reg.get(source), None
    raise UsageError(f"expected a resource, a model class or a type name, not {source!r}")


def _wire_attributes(
    type_name: str,
    plan: Plan | None,
    given: Mapping[str, Any],
    operation: Operation,
    allow_unknown: bool,
) -> dict[str, Any]:
    """Map Python or wire names to wire names; refuse what may not be written."""
    out: dict[str, Any] = {}
    for key, value in given.items():
        if plan is None:
            out[key] = value
            continue
        field = plan.attr_by_py.get(key) or plan.attr_by_wire.get(key)
        if field is None:
            if key in plan.rel_by_py or key in plan.rel_by_wire:
                raise UsageError(
                    f"{key!r} is a relationship of {type_name}: pass it in relationships= "
                    f"(sent as {key}_id/{key}_ids) or nested= (sent as {key}_attributes)"
                )
            if not allow_unknown:
                close = difflib.get_close_matches(key, list(plan.attr_by_py), n=3)
                hint = f" (did you mean {', '.join(map(repr, close))}?)" if close else ""
                raise UsageError(
                    f"{type_name} has no attribute {key!r}{hint}; pass allow_unknown=True to "
                    "send it anyway"
                )
            out[key] = value
            continue
        _check_writable(
            type_name, field.wire, field.info.readonly, field.info.readonly_after_create, operation
        )
        out[field.wire] = value
    return out


def _check_writable(
    type_name: str, wire: str, readonly: bool, after_create: bool, operation: Operation
) -> None:
    if readonly:
        raise UsageError(f"{type_name}.{wire} is read-only: the API never accepts it")
    if after_create and operation == "update":
        raise UsageError(f"{type_name}.{wire} can only be set when creating; it cannot be updated")


def _ident(value: Any, what: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, Resource):
        if value.id is None:
            raise UsageError(f"{what}: {value!r} has no id yet (create it first)")
        return value.id
    if isinstance(value, str) and value:
        return value
    raise UsageError(f"{what}: expected a resource, an id string or None, not {value!r}")


def _relationship_attributes(
    type_name: str,
    plan: Plan | None,
    relationships: Mapping[str, Any],
    operation: Operation,
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in relationships.items():
        rp = (plan.rel_by_py.get(key) or plan.rel_by_wire.get(key)) if plan else None
        if plan is not None and rp is None:
            raise UsageError(
                f"{type_name} has no relationship {key!r}; known: {', '.join(plan.rel_by_py)}"
            )
        wire = rp.wire if rp is not None else key
        many = rp.many if rp is not None else isinstance(value, (list, tuple))
        if rp is not None and rp.info.readonly:
            raise UsageError(f"{type_name}.{wire} is read-only")
        if many:
            if not isinstance(value, (list, tuple)):
                raise UsageError(f"{type_name}.{wire} is to-many: pass a list of resources/ids")
            member = f"{wire}_ids"
            encoded: Any = [_ident(item, f"{type_name}.{wire}") for item in value]
        else:
            member = f"{wire}_id"
            encoded = _ident(value, f"{type_name}.{wire}")
        field = plan.attr_by_wire.get(member) if plan is not None else None
        if field is not None:
            _check_writable(
                type_name, member, field.info.readonly, field.info.readonly_after_create, operation
            )
        out[member] = encoded
    return out


def _nested_attributes(
    type_name: str, plan: Plan | None, nested: Mapping[str, Iterable[Any]], conv: Any
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, items in nested.items():
        rp = (plan.rel_by_py.get(key) or plan.rel_by_wire.get(key)) if plan else None
        wire = rp.wire if rp is not None else key
        if isinstance(items, (str, bytes)) or not isinstance(items, Iterable):
            raise UsageError(f"nested[{key!r}] must be a list of dicts or resources")
        entries = []
        for item in items:
            if isinstance(item, Resource):
                entry = {w: json_value(v, conv) for _, w, v, _ in _iter_set(item)}
                if item.id is not None:
                    entry = {"id": item.id, **entry}
            elif isinstance(item, Mapping):
                entry = {str(k): json_value(v, conv) for k, v in item.items()}
            else:
                raise UsageError(f"nested[{key!r}] entries must be dicts or resources")
            entries.append(entry)
        out[f"{wire}_attributes"] = entries
    return out


def _iter_set(resource: Resource) -> Any:
    from booqable_async.jsonapi._plan import iter_attributes

    return iter_attributes(resource)


def _document(
    operation: Operation,
    source: Resource | type[Resource] | str,
    id: str | None,
    attributes: Mapping[str, Any] | None,
    relationships: Mapping[str, RelatedValue] | None,
    nested: Mapping[str, Iterable[Any]] | None,
    include: str | Sequence[str] | None,
    fields: Mapping[str, str | Sequence[str]] | None,
    registry: Registry | Mapping[str, Any] | None,
    converter: cattrs.Converter | None,
    allow_unknown: bool,
) -> dict[str, Any]:
    conv = converter or default_converter()
    type_name, cls, instance = _model_of(source, registry)
    plan = plan_for(cls) if cls is not None else None
    given: dict[str, Any] = {}
    rels: dict[str, Any] = {}
    if instance is not None:
        if operation == "update":
            found = changes(instance)
        elif isinstance(instance, GenericResource):
            found = dict(instance.attributes)
        else:
            found = {py: v for py, _, v, _ in _iter_set(instance)}
            found.update({py: v for py, _, v in _iter_rels(instance)})
        for key, value in found.items():
            if plan is not None and key in plan.rel_by_py:
                rels[key] = value
            else:
                given[key] = value
        if id is None:
            id = instance.id
    given.update(attributes or {})
    rels.update(relationships or {})
    wire = _wire_attributes(type_name, plan, given, operation, allow_unknown)
    body_attributes = {key: json_value(value, conv) for key, value in wire.items()}
    body_attributes.update(_relationship_attributes(type_name, plan, rels, operation))
    body_attributes.update(_nested_attributes(type_name, plan, nested or {}, conv))
    data: dict[str, Any] = {"type": type_name}
    if operation == "update":
        if not id:
            raise UsageError(f"an update of {type_name} needs the resource id")
        data["id"] = id
    elif instance is not None and instance.lid is not None:
        data["lid"] = instance.lid
    data["attributes"] = body_attributes
    body: dict[str, Any] = {"data": data}
    if include:
        paths = [include] if isinstance(include, str) else list(include)
        body["include"] = ",".join(paths)
    if fields:
        body["fields"] = {
            t: names if isinstance(names, str) else ",".join(names) for t, names in fields.items()
        }
    return body


def _iter_rels(resource: Resource) -> Any:
    from booqable_async.jsonapi._plan import iter_relationships

    return iter_relationships(resource)


def create_document(
    source: Resource | type[Resource] | str,
    attributes: Mapping[str, Any] | None = None,
    *,
    relationships: Mapping[str, RelatedValue] | None = None,
    nested: Mapping[str, Iterable[Any]] | None = None,
    include: str | Sequence[str] | None = None,
    fields: Mapping[str, str | Sequence[str]] | None = None,
    registry: Registry | Mapping[str, Any] | None = None,
    converter: cattrs.Converter | None = None,
    allow_unknown: bool = False,
) -> dict[str, Any]:
    """Build the body of a create (``POST /{type}``).

    Args:
        source: A model instance (every attribute and relationship it has set), a model
            class, or a type name (looked up in ``registry``; unknown types are not
            checked).
        attributes: Attributes to send, by Python or wire name (override ``source``'s).
        relationships: ``{name: resource or id}`` sent as ``<name>_id``, or ``{name:
            [resources or ids]}`` sent as ``<name>_ids``.
        nested: ``{name: [dict or resource, destroy(id), ...]}`` sent as
            ``<name>_attributes`` (Booqable's nested writes).
        include: Relationship paths the answer should include (top-level ``include``).
        fields: Sparse fieldsets for the answer (top-level ``fields``).
        registry: Where type names are looked up (default registry when None).
        converter: Converter for values that are not plain JSON.
        allow_unknown: Send attributes the model does not declare instead of refusing.

    Returns:
        ``{"data": {"type", "attributes"}, ...}`` as plain dicts.

    Raises:
        UsageError: a read-only attribute or relationship, an unknown attribute, or a
            value that cannot be written. Nothing was sent.
    """
    return _document(
        "create", source, None, attributes, relationships, nested, include, fields,
        registry, converter, allow_unknown,
    )  # fmt: skip


def update_document(
    source: Resource | type[Resource] | str,
    id: str | None = None,
    attributes: Mapping[str, Any] | None = None,
    *,
    relationships: Mapping[str, RelatedValue] | None = None,
    nested: Mapping[str, Iterable[Any]] | None = None,
    include: str | Sequence[str] | None = None,
    fields: Mapping[str, str | Sequence[str]] | None = None,
    registry: Registry | Mapping[str, Any] | None = None,
    converter: cattrs.Converter | None = None,
    allow_unknown: bool = False,
) -> dict[str, Any]:
    """Build the body of an update (``PUT /{type}/{id}``) carrying only changes.

    Args:
        source: A decoded model instance (sends what :func:`changes` reports: only the
            attributes and relationships changed since decoding; explicit ``None`` is
            sent), a model class, or a type name.
        id: The resource id (default: ``source.id``).
        attributes: More attributes to send, by Python or wire name.
        relationships: As in :func:`create_document`.
        nested: As in :func:`create_document`.
        include: As in :func:`create_document`.
        fields: As in :func:`create_document`.
        registry: As in :func:`create_document`.
        converter: As in :func:`create_document`.
        allow_unknown: As in :func:`create_document`.

    Returns:
        ``{"data": {"id", "type", "attributes"}, ...}`` as plain dicts.

    Raises:
        UsageError: no id, a read-only or create-only attribute, an unknown attribute.
            Nothing was sent.
    """
    return _document(
        "update", source, id, attributes, relationships, nested, include, fields,
        registry, converter, allow_unknown,
    )  # fmt: skip
