"""Render stored records as Booqable answers: JSON:API documents and the ``.json`` variant.

What the real server emits (recorded exchanges and doc examples):

- every resource object has ``id``, ``type``, ``attributes`` and ``relationships``;
  ``relationships`` only lists the relations named in ``include`` at that level (``{}``
  otherwise) and each carries only ``data`` (recorded ``supports-multiple-includes``);
- ``included`` appears when something was included; ``meta`` is always present (``{}``, or
  ``{"stats": ...}``); list answers carry no ``links`` (recorded pagination exchanges);
- attributes flagged ``extra`` appear only when asked for with ``extra_fields[type]``;
  ``fields[type]`` narrows the attributes; write-only attributes never appear;
- the ``.json`` variant nests included relations inside each record and drops the
  ``type``/``attributes``/``relationships`` wrappers (intro example ``json-nested``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from booqable_async.schema import get_schema
from booqable_async.testing._relations import relationship
from booqable_async.testing._store import Record, Store

__all__ = ["IncludeTree", "RenderOptions", "document", "nested_document", "visible_attributes"]

#: ``{"lines": {"item": {}}}`` for ``include=lines,lines.item``.
IncludeTree = Mapping[str, Any]

# Attributes only address-type properties carry (properties doc examples: phone and text
# properties come without them).
_ADDRESS_ONLY = frozenset(
    {
        "address1",
        "address2",
        "city",
        "country",
        "country_id",
        "first_name",
        "last_name",
        "latitude",
        "longitude",
        "province_id",
        "region",
        "zipcode",
    }
)


@attrs.frozen
class RenderOptions:
    """Sparse fieldsets and extra fields for one answer.

    Attributes:
        fields: type -> attribute names to return (``fields[type]``).
        extra_fields: type -> extra attributes to add (``extra_fields[type]``).
    """

    fields: Mapping[str, frozenset[str]] = attrs.field(factory=dict)
    extra_fields: Mapping[str, frozenset[str]] = attrs.field(factory=dict)


def visible_attributes(type_name: str, options: RenderOptions) -> tuple[str, ...]:
    """Return the attribute names a record of ``type_name`` shows under ``options``."""
    schema = get_schema(type_name)
    extras = options.extra_fields.get(type_name, frozenset())
    chosen = options.fields.get(type_name)
    names = []
    for name, spec in schema.attributes.items():
        if name == "id" or spec.writeonly:
            continue
        if spec.extra and name not in extras:
            continue
        if chosen is not None and name not in chosen and name not in extras:
            continue
        names.append(name)
    return tuple(names)


def _many(type_name: str, name: str) -> bool:
    spec = relationship(type_name, name)
    return spec is not None and spec.many


class _Renderer:
    def __init__(self, store: Store, options: RenderOptions) -> None:
        self.store = store
        self.options = options
        self._visible: dict[str, tuple[str, ...]] = {}
        self.included: dict[tuple[str, str], dict[str, Any]] = {}
        self.primary: set[tuple[str, str]] = set()

    def attributes(self, type_name: str, record: Record) -> dict[str, Any]:
        names = self._visible.get(type_name)
        if names is None:
            names = visible_attributes(type_name, self.options)
            self._visible[type_name] = names
        if type_name == "properties" and record.get("property_type") != "address":
            return {n: record.get(n) for n in names if n not in _ADDRESS_ONLY}
        return {n: record.get(n) for n in names}

    def resource(self, type_name: str, record: Record, tree: IncludeTree) -> dict[str, Any]:
        relationships: dict[str, Any] = {}
        for name, subtree in tree.items():
            targets = self.store.related(type_name, record, name)
            many = _many(type_name, name)
            linkage = [{"type": t, "id": r["id"]} for t, r in targets]
            relationships[name] = {"data": linkage if many else (linkage[0] if linkage else None)}
            for target_type, target in targets:
                self._include(target_type, target, subtree)
        return {
            "id": record["id"],
            "type": type_name,
            "attributes": self.attributes(type_name, record),
            "relationships": relationships,
        }

    def _include(self, type_name: str, record: Record, tree: IncludeTree) -> None:
        key = (type_name, record["id"])
        if key in self.primary:
            # Already in data: still follow deeper paths so their targets get included.
            for name, subtree in tree.items():
                for t, r in self.store.related(type_name, record, name):
                    self._include(t, r, subtree)
            return
        existing = self.included.get(key)
        if existing is None:
            self.included[key] = {}  # placeholder first: cycles stop here
            self.included[key] = self.resource(type_name, record, tree)
            return
        # Reached again by another path: merge relationships that path adds.
        for name, subtree in tree.items():
            if name in existing.get("relationships", {}):
                for t, r in self.store.related(type_name, record, name):
                    self._include(t, r, subtree)
                continue
            merged = self.resource(type_name, record, {name: subtree})
            existing.setdefault("relationships", {}).update(merged["relationships"])


def document(
    store: Store,
    primary: list[tuple[str, Record]] | tuple[str, Record] | None,
    *,
    include: IncludeTree,
    options: RenderOptions,
    meta: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Render a JSON:API document.

    Args:
        store: Where related records are looked up.
        primary: A list (collection answer), one ``(type, record)`` or None.
        include: The include tree.
        options: Sparse fieldsets and extra fields.
        meta: Top-level meta (``{}`` when None).

    Returns:
        ``{"data", ["included"], "meta"}``.
    """
    renderer = _Renderer(store, options)
    items = primary if isinstance(primary, list) else ([] if primary is None else [primary])
    renderer.primary = {(t, r["id"]) for t, r in items}
    rendered = [renderer.resource(t, r, include) for t, r in items]
    doc: dict[str, Any] = {"data": rendered if isinstance(primary, list) else None}
    if not isinstance(primary, list) and rendered:
        doc["data"] = rendered[0]
    if renderer.included:
        doc["included"] = list(renderer.included.values())
    doc["meta"] = dict(meta or {})
    return doc


def _nested(
    store: Store,
    renderer: _Renderer,
    type_name: str,
    record: Record,
    tree: IncludeTree,
    seen: frozenset[tuple[str, str]],
) -> dict[str, Any]:
    out: dict[str, Any] = {"id": record["id"], **renderer.attributes(type_name, record)}
    key = (type_name, record["id"])
    for name, subtree in tree.items():
        targets = store.related(type_name, record, name)
        many = _many(type_name, name)
        nested = [
            _nested(store, renderer, t, r, subtree, seen | {key})
            for t, r in targets
            if (t, r["id"]) not in seen
        ]
        out[name] = nested if many else (nested[0] if nested else None)
    return out


def nested_document(
    store: Store,
    primary: list[tuple[str, Record]] | tuple[str, Record] | None,
    *,
    include: IncludeTree,
    options: RenderOptions,
    meta: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Render the plain nested JSON of the ``.json`` variant (and of POST search answers)."""
    renderer = _Renderer(store, options)
    if isinstance(primary, list):
        data: Any = [_nested(store, renderer, t, r, include, frozenset()) for t, r in primary]
    elif primary is None:
        data = None
    else:
        data = _nested(store, renderer, primary[0], primary[1], include, frozenset())
    doc: dict[str, Any] = {"data": data}
    if meta:
        doc["meta"] = dict(meta)
    return doc
