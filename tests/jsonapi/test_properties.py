"""Property tests: generated compound documents round-trip; garbage raises only DecodeError."""

from __future__ import annotations

import contextlib
import types
import typing
from datetime import date, datetime, timezone
from typing import Any

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from booqable_async._timestamps import format_datetime
from booqable_async.errors import DecodeError
from booqable_async.jsonapi import Registry, Resource, decode, to_dict
from booqable_async.jsonapi._plan import iter_relationships, plan_for
from tests.fuzz.strategies import member_paths
from tests.jsonapi.models import REGISTRY

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=8)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | TEXT
    | st.floats(allow_nan=False, allow_infinity=False)
)
JSON = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(TEXT, children, max_size=3),
    max_leaves=8,
)
MODEL_TYPES = ["orders", "customers", "lines", "plannings", "products", "bundles", "properties"]
GENERIC_TYPES = ["widgets", "gadgets"]


def _value(tp: Any) -> st.SearchStrategy[Any]:
    """Values of a declared attribute type, as a document carries them."""
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _value(typing.get_args(tp)[0])
    if origin is typing.Union or origin is types.UnionType:
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return st.none() | st.one_of([_value(a) for a in args])
    simple: dict[Any, st.SearchStrategy[Any]] = {
        str: TEXT,
        int: st.integers(-(2**53), 2**53),
        float: st.floats(allow_nan=False, allow_infinity=False),
        bool: st.booleans(),
        datetime: st.datetimes(timezones=st.just(timezone.utc)).map(format_datetime),
        date: st.dates().map(lambda d: d.isoformat()),
    }
    if tp in simple:
        return simple[tp]
    if origin in (list, tuple) or tp is list:
        args = typing.get_args(tp)
        if args and args[0] is str:
            return st.lists(TEXT, max_size=3)
        return st.lists(JSON, max_size=3)
    if origin is dict or tp is dict:
        return st.dictionaries(TEXT, JSON, max_size=3)
    return JSON


@st.composite
def attributes_for(draw: st.DrawFn, type_name: str) -> dict[str, Any]:
    if type_name not in REGISTRY:
        return draw(st.dictionaries(TEXT, JSON, max_size=4))
    plan = plan_for(REGISTRY[type_name])
    fields = draw(st.lists(st.sampled_from(plan.attrs), max_size=6, unique=True))
    out = {field.wire: draw(_value(field.tp)) for field in fields}
    if draw(st.booleans()):
        out["undeclared_" + draw(TEXT)] = draw(JSON)  # unknown attributes are kept
    return out


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    types = MODEL_TYPES + GENERIC_TYPES
    keys = draw(
        st.lists(
            st.tuples(st.sampled_from(types), st.text("abc123", min_size=1, max_size=3)),
            min_size=1,
            max_size=12,
            unique=True,
        )
    )
    # Identifiers may point at resources of the document or at absent ones (stubs).
    targets = keys + draw(
        st.lists(st.tuples(st.sampled_from(types), st.just("zz")), max_size=2, unique=True)
    )
    resources = []
    for type_name, rid in keys:
        resource: dict[str, Any] = {"type": type_name, "id": rid}
        attributes = draw(attributes_for(type_name))
        if attributes:
            resource["attributes"] = attributes
        relationships: dict[str, Any] = {}
        if type_name in REGISTRY:
            plan = plan_for(REGISTRY[type_name])
            for rel in (
                []
                if not plan.rels
                else draw(st.lists(st.sampled_from(plan.rels), max_size=3, unique=True))
            ):
                relationships[rel.wire] = _relationship(draw, rel.info.many, targets)
        else:
            for name in draw(st.lists(st.sampled_from(["a", "b"]), unique=True)):
                relationships[name] = _relationship(draw, draw(st.booleans()), targets)
        if relationships:
            resource["relationships"] = relationships
        resources.append(resource)
    split = draw(st.integers(0, len(resources)))
    doc: dict[str, Any] = {"data": resources[:split]}
    if resources[split:]:
        doc["included"] = resources[split:]
    if draw(st.booleans()):
        doc["meta"] = {"stats": {"total": {"count": len(resources)}}}
    return doc


def _relationship(draw: st.DrawFn, many: bool, targets: list[tuple[str, str]]) -> dict[str, Any]:
    def ident(key: tuple[str, str]) -> dict[str, str]:
        return {"type": key[0], "id": key[1]}

    if many:
        chosen = draw(st.lists(st.sampled_from(targets), max_size=3))
        return {"data": [ident(key) for key in chosen]}
    if draw(st.booleans()):
        return {"data": None}
    return {"data": ident(draw(st.sampled_from(targets)))}


def _is_float(tp: Any) -> bool:
    return float in typing.get_args(tp) or tp is float


def _normalised(doc: dict[str, Any]) -> dict[str, Any]:
    # What to_dict() writes for a decoded document: JSON round trip of the input.
    out: dict[str, Any] = orjson.loads(orjson.dumps(doc))
    for resource in out.get("data", []) + out.get("included", []):
        if "attributes" in resource and not resource["attributes"]:
            del resource["attributes"]
        if resource["type"] in REGISTRY:
            plan = plan_for(REGISTRY[resource["type"]])
            for key, value in resource.get("attributes", {}).items():
                field = plan.attr_by_wire.get(key)
                if field is not None and _is_float(field.tp) and isinstance(value, int):
                    resource["attributes"][key] = float(value)
    return out


@SETTINGS
@given(documents(), st.sampled_from([REGISTRY, Registry()]))
def test_generated_documents_round_trip(doc: dict[str, Any], registry: Registry) -> None:
    body = orjson.dumps(doc)
    # Records of one type may differ in their undeclared attributes here; only checking
    # every record keeps them all (by default the first record of a type is checked).
    decoded = decode(body, registry, check_every_record=True)
    assert to_dict(decoded) == _normalised(doc)
    # Every identifier is linked to the one object of that (type, id).
    for resource in decoded.primary + decoded.included:
        for value in _linked(resource):
            assert decoded.get(value.type, value.id) is value  # type: ignore[arg-type]


def _linked(resource: Resource) -> list[Resource]:
    out: list[Resource] = []
    for _, _, value in iter_relationships(resource, with_extra=True):
        if isinstance(value, list):
            out.extend(value)
        elif value is not None:
            out.append(value)
    return out


@SETTINGS
@given(documents(), st.data())
def test_mutated_documents_raise_only_decode_error(
    doc: dict[str, Any], data: st.DataObject
) -> None:
    paths = member_paths(doc)
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(paths))
        replacement = data.draw(JSON | st.sampled_from(["", "yesterday", 1.5, -1, True]))
        if not path:
            doc = replacement
            break
        parent: Any = doc
        for step in path[:-1]:
            parent = parent[step]
        parent[path[-1]] = replacement
        paths = member_paths(doc)
    with contextlib.suppress(DecodeError):
        decode(orjson.dumps(doc), REGISTRY)


@SETTINGS
@given(JSON)
def test_arbitrary_json_raises_only_decode_error(value: Any) -> None:
    for candidate in (value, {"data": value}, {"data": [value]}, {"included": value}):
        with contextlib.suppress(DecodeError):
            decode(orjson.dumps(candidate), REGISTRY)


@SETTINGS
@given(st.binary(max_size=64))
def test_arbitrary_bytes_raise_only_decode_error(body: bytes) -> None:
    with contextlib.suppress(DecodeError):
        decode(body, REGISTRY)
