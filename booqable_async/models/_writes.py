"""Booqable's write conventions: create and update documents, side-posting.

Booqable v4 has no JSON:API sideposting; instead (catalog ``global.sideposting``) a write
may carry ``<name>_attributes`` (a list of nested hashes that create, update or, with
``"_destroy": true``, delete children), ``<name>_ids`` and ``<name>_id`` inside
``attributes``, and ``include``/``fields`` as top-level members of the body (the
``bundles`` and ``employee_invitations`` examples). Updates are ``PUT`` with only the
attributes that changed (:func:`booqable_async.jsonapi.changes`). The functions return
plain dicts and lists; the protocol layer serialises them.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

from booqable_async.errors import UsageError
from booqable_async.jsonapi import GenericResource, Registry, Resource, changes
from booqable_async.jsonapi._encode import json_value
from booqable_async.jsonapi._plan import Plan, iter_attributes, iter_relationships, plan_for
from booqable_async.jsonapi._resource import id_of

__all__ = ["create_document", "destroy", "update_document"]

Operation = Literal["create", "update"]
RelatedValue = Resource | str | None | Sequence[Resource | str]


def _registry(registry: Registry | Mapping[str, Any] | None) -> Any:
    if registry is not None:
        return registry
    from booqable_async.models import REGISTRY

    return REGISTRY


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
        reg = Registry.coerce(_registry(registry))
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
        ident = id_of(value)
        if ident is None:
            raise UsageError(f"{what}: {value!r} has no id yet (create it first)")
        return ident
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
        many = rp.info.many if rp is not None else isinstance(value, (list, tuple))
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
    type_name: str, plan: Plan | None, nested: Mapping[str, Iterable[Any]]
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
                entry = {w: json_value(v) for _, w, v, _ in iter_attributes(item)}
                ident = id_of(item)
                if ident is not None:
                    entry = {"id": ident, **entry}
            elif isinstance(item, Mapping):
                entry = {str(k): json_value(v) for k, v in item.items()}
            else:
                raise UsageError(f"nested[{key!r}] entries must be dicts or resources")
            entries.append(entry)
        out[f"{wire}_attributes"] = entries
    return out


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
    allow_unknown: bool,
) -> dict[str, Any]:
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
            found = {py: v for py, _, v, _ in iter_attributes(instance)}
            found.update({py: v for py, _, v in iter_relationships(instance)})
        for key, value in found.items():
            if plan is not None and key in plan.rel_by_py:
                rels[key] = value
            else:
                given[key] = value
        if id is None:
            id = id_of(instance)
    given.update(attributes or {})
    rels.update(relationships or {})
    wire = _wire_attributes(type_name, plan, given, operation, allow_unknown)
    body_attributes = {key: json_value(value) for key, value in wire.items()}
    body_attributes.update(_relationship_attributes(type_name, plan, rels, operation))
    body_attributes.update(_nested_attributes(type_name, plan, nested or {}))
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


def create_document(
    source: Resource | type[Resource] | str,
    attributes: Mapping[str, Any] | None = None,
    *,
    relationships: Mapping[str, RelatedValue] | None = None,
    nested: Mapping[str, Iterable[Any]] | None = None,
    include: str | Sequence[str] | None = None,
    fields: Mapping[str, str | Sequence[str]] | None = None,
    registry: Registry | Mapping[str, Any] | None = None,
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
        registry: Where type names are looked up (Booqable's models when None).
        allow_unknown: Send attributes the model does not declare instead of refusing.

    Returns:
        ``{"data": {"type", "attributes"}, ...}`` as plain dicts.

    Raises:
        UsageError: a read-only attribute or relationship, an unknown attribute, or a
            value that cannot be written. Nothing was sent.
    """
    return _document(
        "create", source, None, attributes, relationships, nested, include, fields,
        registry, allow_unknown,
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
        allow_unknown: As in :func:`create_document`.

    Returns:
        ``{"data": {"id", "type", "attributes"}, ...}`` as plain dicts.

    Raises:
        UsageError: no id, a read-only or create-only attribute, an unknown attribute.
            Nothing was sent.
    """
    return _document(
        "update", source, id, attributes, relationships, nested, include, fields,
        registry, allow_unknown,
    )  # fmt: skip
