"""to_dict(): a cycle-safe export of resources and documents as JSON-ready dicts."""

from __future__ import annotations

from typing import Any

from booqable_async.errors import UsageError
from booqable_async.jsonapi._document import Document
from booqable_async.jsonapi._encode import json_value
from booqable_async.jsonapi._plan import iter_attributes, iter_relationships
from booqable_async.jsonapi._resource import Resource, id_of

__all__ = ["to_dict"]


def _identifier(resource: Resource) -> dict[str, Any]:
    out: dict[str, Any] = {"type": resource.type}
    ident = id_of(resource)
    if ident is not None:
        out["id"] = ident
    elif resource.lid is not None:
        out["lid"] = resource.lid
    return out


def to_dict(obj: Resource | Document, *, embed: int = 0) -> dict[str, Any]:
    """Export a resource (or a whole document) as a JSON-ready JSON:API dict.

    The shape is the JSON:API resource object: ``type``, ``id``, ``attributes`` (every
    loaded attribute, unknown ones included, timestamps as ISO 8601), ``relationships``
    (``{"data": identifier | None | [identifiers]}``, plus ``links``/``meta`` when the
    document had them) and ``meta``/``links``. A document exports as ``data``,
    ``included``, ``meta``, ``links`` (so ``decode(to_dict(decode(body)))`` rebuilds the
    same graph). Good for JSON Lines: ``msgspec.json.encode(to_dict(order))``. Every
    record has the same as a method: ``order.to_dict()``.

    Cycles are safe: nothing is followed unless ``embed`` asks, and then a resource
    already being embedded on the current path is written as an identifier.

    Args:
        obj: A resource or a :class:`Document`.
        embed: How many relationship levels to embed as full objects instead of
            identifiers (0: identifiers only). Not-loaded relationships are left out.

    Returns:
        Plain dicts, lists and JSON scalars.

    Raises:
        UsageError: ``embed`` is negative or ``obj`` is neither a resource nor a document.
    """
    if embed < 0:
        raise UsageError("embed must be >= 0")
    if isinstance(obj, Document):
        out: dict[str, Any] = {}
        if obj.data is None:
            if not obj.errors:  # an error document has no data member (JSON:API 1.1)
                out["data"] = None
        elif isinstance(obj.data, list):
            out["data"] = [_export(r, embed) for r in obj.data]
        else:
            out["data"] = _export(obj.data, embed)
        if obj.included:
            out["included"] = [_export(r, embed) for r in obj.included]
        for name in ("meta", "links", "jsonapi"):
            value = getattr(obj, name)
            if value:
                out[name] = dict(value)
        if obj.errors:
            out["errors"] = list(obj.errors)
        return out
    if not isinstance(obj, Resource):
        raise UsageError(f"to_dict() exports resources and documents, not {type(obj)!r}")
    return _export(obj, embed)


def _export(root: Resource, embed: int) -> dict[str, Any]:
    # Iterative walk: (resource, dict to fill, levels left, ancestors on this path).
    result: dict[str, Any] = {}
    stack: list[tuple[Resource, dict[str, Any], int, tuple[Any, Any] | None]] = [
        (root, result, embed, None)
    ]
    while stack:
        resource, out, depth, ancestors = stack.pop()
        out.update(_identifier(resource))
        if resource.is_stub:
            continue
        attributes = {
            wire: json_value(value)
            for _, wire, value, _ in iter_attributes(resource, with_extra=True)
        }
        if attributes:
            out["attributes"] = attributes
        path = (id(resource), ancestors)
        relationships: dict[str, Any] = {}
        for _, wire, value in iter_relationships(resource, with_extra=True):
            rel: dict[str, Any] = {}
            if value is None:
                rel["data"] = None
            elif isinstance(value, list):
                items: list[Any] = []
                for target in value:
                    items.append(_child(target, depth, path, stack))
                rel["data"] = items
            else:
                rel["data"] = _child(value, depth, path, stack)
            relationships[wire] = rel
        for wire, links in resource.relationship_links.items():
            relationships.setdefault(wire, {})["links"] = dict(links)
        for wire, meta in resource.relationship_meta.items():
            relationships.setdefault(wire, {})["meta"] = dict(meta)
        if relationships:
            out["relationships"] = relationships
        if resource.meta:
            out["meta"] = dict(resource.meta)
        if resource.links:
            out["links"] = dict(resource.links)
    return result


def _child(
    target: Resource,
    depth: int,
    path: tuple[Any, Any],
    stack: list[tuple[Resource, dict[str, Any], int, tuple[Any, Any] | None]],
) -> dict[str, Any]:
    if depth <= 0 or target.is_stub or _on_path(target, path):
        return _identifier(target)
    child: dict[str, Any] = {}
    stack.append((target, child, depth - 1, path))
    return child


def _on_path(target: Resource, path: tuple[Any, Any] | None) -> bool:
    key = id(target)
    while path is not None:
        if path[0] == key:
            return True
        path = path[1]
    return False
