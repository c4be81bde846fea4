"""Booqable documents: decoding with the Booqable models, and the nested ``.json`` format.

:func:`decode` is the generic :func:`booqable_async.jsonapi.decode` with the registry of
every Booqable v4 model (:data:`booqable_async.models.REGISTRY`), so
``decode(body).data[0].starts_at`` is an aware ``datetime`` for an order.

Booqable also answers in a nested, non-JSON:API format (catalog ``global.formats``:
``GET /api/4/orders.json``, and the documented answers of ``POST /{type}/search``):
each record is a flat object (``id`` plus attributes) with related records nested under
the relationship's name. :func:`decode_nested` reads it into the same models: it
rewrites the records as a JSON:API compound document (one resource object per type and
id, nested records in ``included``) and decodes that.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from booqable_async.errors import DecodeError, UsageError
from booqable_async.jsonapi import Document, Registry, Resource
from booqable_async.jsonapi import decode as decode_jsonapi
from booqable_async.jsonapi._decode import escape_pointer, json_kind
from booqable_async.jsonapi._plan import iter_attributes, plan_for

__all__ = ["decode", "decode_nested", "is_nested_document"]

Body = bytes | bytearray | memoryview | str | Mapping[str, Any]

#: The members a JSON:API resource object may have (JSON:API 1.1 §7.2).
_RESOURCE_MEMBERS = frozenset({"id", "lid", "type", "attributes", "relationships", "meta", "links"})


def _registry(registry: Registry | Mapping[str, type[Resource] | str] | None) -> Any:
    if registry is not None:
        return registry
    from booqable_async.models import REGISTRY

    return REGISTRY


def decode(
    body: Body,
    registry: Registry | Mapping[str, type[Resource] | str] | None = None,
    *,
    nested_type: str | None = None,
    check_every_record: bool = False,
) -> Document:
    """Decode a Booqable answer into linked Booqable models.

    Args:
        body: The response body (bytes or str) or an already parsed mapping.
        registry: Models to decode into (``None``: every Booqable v4 model, each model
            module imported on first use).
        nested_type: The type of the primary records, when the caller knows it. If the
            body turns out to be Booqable's nested format (records without ``type``:
            ``.json`` URLs, the documented answers of ``POST /{type}/search``), it is
            read with :func:`decode_nested` for that type instead of refused.
        check_every_record: As in :func:`booqable_async.jsonapi.decode` (every record,
            not only the first of each type, is checked for undeclared attributes).

    Returns:
        The :class:`~booqable_async.jsonapi.Document`.

    Raises:
        DecodeError: The body is not a JSON:API document, or a value does not fit its
            model; ``.pointer`` names the member.
    """
    models = _registry(registry)
    if nested_type is None:
        return decode_jsonapi(body, models, check_every_record=check_every_record)
    try:
        document = decode_jsonapi(body, models, check_every_record=check_every_record)
    except DecodeError:
        value = _parse(body)
        if is_nested_document(value):
            return decode_nested(value, nested_type, models)
        raise
    # A nested record that happens to have "type" and "id" members (products carry a
    # ``type`` attribute) reads as a JSON:API resource object without attributes: look
    # closer only then, so JSON:API answers cost nothing more.
    primary = document.primary
    if primary and next(iter_attributes(primary[0]), None) is None:
        value = _parse(body)
        if is_nested_document(value):
            return decode_nested(value, nested_type, models)
    return document


def _parse(body: Body) -> Any:
    if not isinstance(body, (bytes, bytearray, memoryview, str)):
        return body
    try:
        return msgspec.json.decode(body)
    except msgspec.DecodeError as exc:
        raise DecodeError(f"the body is not JSON: {exc}", "") from None


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


def decode_nested(
    body: Body,
    type: str,
    registry: Registry | Mapping[str, type[Resource] | str] | None = None,
) -> Document:
    """Decode Booqable's nested ``.json`` format into the same linked models.

    Nothing in it names types, so the caller says the primary ``type``; nested records
    take the type their model's relationship declares (for a polymorphic one, the
    record's own ``type`` member when it names one of the targets; otherwise they stay
    generic with type ``"a|b|c"``). Generic (unregistered) records keep nested objects
    as attribute values, since nothing says which keys are relationships.

    Args:
        body: The ``.json`` response body or an already parsed mapping.
        type: JSON:API type of the primary records (``orders``).
        registry: As in :func:`decode`.

    Returns:
        A :class:`~booqable_async.jsonapi.Document`; nested records are in ``included``
        (in discovery order) and every record with the same type and id is one object
        (attributes of later copies fill in what earlier ones lacked).

    Raises:
        DecodeError: The body is not a nested document, or a value does not fit its
            model; ``.pointer`` names the member in the nested body.
        UsageError: ``type`` is empty, or the registry is broken.
    """
    if not isinstance(type, str) or not type:
        raise UsageError("decode_nested() needs the JSON:API type of the primary records")
    value = _parse(body)
    if not isinstance(value, Mapping):
        raise DecodeError("a document must be a JSON object", "")
    models = Registry.coerce(_registry(registry))
    rewrite = _Rewrite(models)
    document = rewrite.run(value, type)
    try:
        return decode_jsonapi(document, models)
    except DecodeError as exc:
        raise rewrite.translate(exc) from None


class _Rewrite:
    """Nested records -> a JSON:API compound document, iteratively (no recursion)."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self.objects: dict[tuple[str, str], dict[str, Any]] = {}
        self.included: list[dict[str, Any]] = []
        # JSON:API pointer of each resource object -> pointer of its nested record, and
        # of the nested record each attribute came from (a record seen twice merges).
        self.origins: dict[str, str] = {}
        self.sources: dict[str, dict[str, str]] = {}
        self.anonymous = 0

    def run(self, doc: Mapping[str, Any], root_type: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for member in ("meta", "links"):
            if member in doc:
                out[member] = doc[member]
        data = doc.get("data")
        work: list[tuple[Any, str, str, dict[str, Any]]] = []
        if isinstance(data, list):
            out["data"] = [
                self.obtain(record, root_type, f"/data/{i}", work, f"/data/{i}")
                for i, record in enumerate(data)
            ]
            work.reverse()
        elif data is None:
            out["data"] = None
        else:
            out["data"] = self.obtain(data, root_type, "/data", work, "/data")
        while work:
            self.record(*work.pop(), work)
        for resource in self.objects_in(out):
            resource.pop("_sources", None)
        if self.included:
            out["included"] = self.included
        if "data" not in out and "meta" not in out:
            out["meta"] = {}
        return out

    def objects_in(self, out: dict[str, Any]) -> list[dict[str, Any]]:
        data = out.get("data")
        primary = data if isinstance(data, list) else [data] if data is not None else []
        return [*primary, *self.included]

    def obtain(
        self,
        record: Any,
        type_name: str,
        pointer: str,
        work: list[tuple[Any, str, str, dict[str, Any]]],
        primary: str | None = None,
    ) -> dict[str, Any]:
        """The resource object for ``record`` (one per type and id); queue its reading."""
        if not isinstance(record, Mapping):
            raise DecodeError(f"a record must be an object, not {json_kind(record)}", pointer)
        rid: Any = record.get("id")
        if rid is not None and not isinstance(rid, str):
            if isinstance(rid, int) and not isinstance(rid, bool):
                rid = str(rid)
            else:
                raise DecodeError(f"id must be a string, not {json_kind(rid)}", f"{pointer}/id")
        key = (type_name, rid) if rid is not None else None
        resource = self.objects.get(key) if key is not None else None
        if resource is None:
            resource = {"type": type_name, "attributes": {}, "relationships": {}}
            if rid is not None:
                resource["id"] = rid
                self.objects[(type_name, rid)] = resource
            else:
                self.anonymous += 1
                resource["lid"] = f"nested-{self.anonymous}"
            where = primary if primary is not None else f"/included/{len(self.included)}"
            self.origins[where] = pointer
            self.sources[where] = resource["_sources"] = {}
            if primary is None:
                self.included.append(resource)
        work.append((record, type_name, pointer, resource))
        return resource

    def record(
        self,
        record: Mapping[str, Any],
        type_name: str,
        pointer: str,
        resource: dict[str, Any],
        work: list[tuple[Any, str, str, dict[str, Any]]],
    ) -> None:
        cls = self.registry.get(type_name)
        plan = plan_for(cls) if cls is not None else None
        attributes = resource["attributes"]
        relationships = resource["relationships"]
        for key, value in record.items():
            if key == "id":
                continue
            rel = plan.rel_by_wire.get(key) if plan is not None else None
            if rel is not None and key in plan.attr_by_wire and not _records(value, rel.info.many):  # type: ignore[union-attr]
                # The same name is an attribute too (Booqable's orders, customers and
                # products have a "properties" hash and a "properties" relationship): in
                # this format only the value's shape tells them apart.
                rel = None
            if rel is None:
                attributes[key] = value
                resource["_sources"][key] = f"{pointer}/{escape_pointer(key)}"
                continue
            where = f"{pointer}/{escape_pointer(key)}"
            types = rel.info.types
            if value is None:
                linked: Any = None
            elif isinstance(value, list):
                if not rel.info.many:
                    raise DecodeError(f"{key} is a to-one relationship: expected an object", where)
                linked = [
                    resource_identifier(
                        self.obtain(item, _child_type(types, item), f"{where}/{j}", work)
                    )
                    for j, item in enumerate(value)
                ]
            elif isinstance(value, Mapping):
                if rel.info.many:
                    raise DecodeError(f"{key} is a to-many relationship: expected an array", where)
                linked = resource_identifier(
                    self.obtain(value, _child_type(types, value), where, work)
                )
            else:
                raise DecodeError(f"{key} must be a nested record, not {json_kind(value)}", where)
            relationships[key] = {"data": linked}

    def translate(self, exc: DecodeError) -> DecodeError:
        """Point an error in the rewritten document at the nested body's member."""
        pointer = exc.pointer
        for prefix in sorted(self.origins, key=len, reverse=True):
            if pointer == prefix or pointer.startswith(prefix + "/"):
                rest = pointer[len(prefix) :]
                if rest.startswith("/attributes/"):
                    key, _, deeper = rest[len("/attributes/") :].partition("/")
                    source = self.sources[prefix].get(key.replace("~1", "/").replace("~0", "~"))
                    if source is not None:
                        return DecodeError(exc.reason, source + (f"/{deeper}" if deeper else ""))
                for member in ("/attributes", "/relationships"):
                    if rest.startswith(member):
                        rest = rest[len(member) :]
                        break
                return DecodeError(exc.reason, self.origins[prefix] + rest)
        return exc


def resource_identifier(resource: Mapping[str, Any]) -> dict[str, Any]:
    """The identifier of a rewritten resource object (by ``lid`` when it has no id)."""
    if "id" in resource:
        return {"type": resource["type"], "id": resource["id"]}
    return {"type": resource["type"], "lid": resource["lid"]}


def _child_type(types: tuple[str, ...], record: Any) -> str:
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
