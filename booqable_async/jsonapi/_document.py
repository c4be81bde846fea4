"""Document: a decoded JSON:API top-level object."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import attrs

from booqable_async.jsonapi._resource import Resource, ref

__all__ = ["Document"]


@attrs.frozen(eq=False, repr=False)
class Document:
    """A decoded JSON:API document: linked resources plus the top-level members.

    Every resource appears once: a resource in both ``data`` and ``included`` (or twice
    in either) is one object, and every reference to it is that same object.

    Attributes:
        data: The primary data: one resource, a list, or ``None`` (``data: null`` or
            no ``data`` member, as in a stats-only answer).
        included: The ``included`` resources, in document order, without duplicates.
        meta: Top-level ``meta`` (Booqable puts ``stats`` here).
        links: Top-level ``links`` (``self``/``first``/``last`` on lists).
        jsonapi: The ``jsonapi`` member.
        errors: Raw ``errors`` objects, when the document is an error document.
        stubs: Resources only referenced by identifiers, never included (``is_stub``).
    """

    data: Resource | list[Resource] | None
    included: list[Resource] = attrs.field(factory=list)
    meta: Mapping[str, Any] = attrs.field(factory=dict)
    links: Mapping[str, Any] = attrs.field(factory=dict)
    jsonapi: Mapping[str, Any] = attrs.field(factory=dict)
    errors: list[Any] = attrs.field(factory=list)
    stubs: list[Resource] = attrs.field(factory=list)
    _index: Mapping[str, Mapping[str, Resource]] = attrs.field(factory=dict, alias="index")

    @property
    def primary(self) -> list[Resource]:
        """The primary data as a list (``[]`` for ``None``, ``[x]`` for one resource)."""
        if self.data is None:
            return []
        if isinstance(self.data, list):
            return self.data
        return [self.data]

    def get(self, type_name: str, id: str) -> Resource | None:
        """Return the resource ``(type_name, id)`` from data, included or stubs, or None."""
        return self._index.get(type_name, {}).get(id)

    @property
    def resources(self) -> Mapping[tuple[str, str], Resource]:
        """Every resource of the document (data, included and stubs) by ``(type, id)``."""
        return {
            (type_name, rid): resource
            for type_name, by_id in self._index.items()
            for rid, resource in by_id.items()
            if isinstance(rid, str)
        }

    def __iter__(self) -> Iterator[Resource]:
        """Iterate over the primary data."""
        return iter(self.primary)

    def __repr__(self) -> str:
        if isinstance(self.data, list):
            data = (
                f"[{len(self.data)} resources]"
                if len(self.data) > 3
                else repr([ref(r) for r in self.data])
            )
        else:
            data = ref(self.data) if self.data is not None else "None"
        return (
            f"Document(data={data}, included={len(self.included)}, "
            f"meta={list(self.meta)!r}, errors={len(self.errors)})"
        )
