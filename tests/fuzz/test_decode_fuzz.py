"""Fuzzing ``decode`` (Booqable's models) with catalog-shaped documents and with garbage.

Whatever arrives, ``decode`` returns a ``Document`` or raises ``DecodeError`` (with a
pointer); nothing else escapes. Documents whose values have their documented types must
decode, with every registered model's attributes structured to the declared Python types
and every identifier linked to the one object of its ``(type, id)``.
"""

from __future__ import annotations

import contextlib
from datetime import date, datetime
from typing import Any

import attrs
import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from booqable_async.errors import DecodeError
from booqable_async.jsonapi import Document, GenericResource, Resource, to_dict
from booqable_async.jsonapi._fields import METADATA_KEY, AttributeInfo
from booqable_async.jsonapi._plan import plan_for
from booqable_async.models import decode, decode_nested
from booqable_async.schema import get_schema
from tests.fuzz.conftest import FUZZ
from tests.fuzz.strategies import JSON, ODD_VALUES, WIRE_TYPES, compound_documents, member_paths

# What a registered model must hold for an attribute of each documented type.
PYTHON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "uuid": (str,),
    "enum": (str,),
    "integer": (int,),
    "float": (float,),
    "boolean": (bool,),
    "datetime": (datetime,),
    "date": (date,),
    "hash": (dict,),
    "array": (list,),
}


def _wire_names(cls: type[Resource]) -> dict[str, str]:
    """Wire attribute name -> Python name for a model."""
    out = {}
    for field in attrs.fields(cls):
        info = field.metadata.get(METADATA_KEY)
        if isinstance(info, AttributeInfo):
            out[info.name or field.name] = field.name
    return out


def _check_typed(resource: Resource, raw: dict[str, Any]) -> None:
    if isinstance(resource, GenericResource):
        return
    names = _wire_names(type(resource))
    spec = get_schema(resource.type).attributes
    for wire, value in raw.get("attributes", {}).items():
        if wire not in names:
            assert resource.extra_attributes[wire] == value
            continue
        held = getattr(resource, names[wire])
        if value is None:
            assert held is None
            continue
        expected = PYTHON_TYPES.get(spec[wire].type) if wire in spec else None
        if expected is not None:
            assert isinstance(held, expected), (resource.type, wire, value, held)
            if expected == (int,):
                assert not isinstance(held, bool)
            if expected == (datetime,):
                assert held.tzinfo is not None, (wire, value)


def _check_links(doc: Document, raw: dict[str, Any]) -> None:
    resources = raw["data"] if isinstance(raw["data"], list) else [raw["data"]]
    for raw_resource in resources + raw.get("included", []):
        obj = doc.get(raw_resource["type"], raw_resource["id"])
        assert obj is not None
        _check_typed(obj, raw_resource)
        for name, rel in raw_resource.get("relationships", {}).items():
            value = _relationship_value(obj, name)
            if "data" not in rel:
                assert value is NOT_LOADED  # links/meta only
            elif rel["data"] is None:
                assert value is None
            elif isinstance(rel["data"], list):
                assert [(v.type, v.id) for v in value] == [
                    (i["type"], i["id"]) for i in rel["data"]
                ]
                assert all(doc.get(v.type, v.id) is v for v in value)
            else:
                assert doc.get(rel["data"]["type"], rel["data"]["id"]) is value


#: What reading a relationship the document said nothing about gives here (it raises).
NOT_LOADED = object()


def _relationship_value(obj: Resource, wire: str) -> Any:
    if isinstance(obj, GenericResource):
        return obj.relationships.get(wire, NOT_LOADED)  # absent when not loaded
    rel = plan_for(type(obj)).rel_by_wire.get(wire)
    if rel is not None:
        return getattr(obj, rel.name, NOT_LOADED)  # NotLoadedError is an AttributeError
    return obj.extra_relationships.get(wire, NOT_LOADED)


@FUZZ
@given(compound_documents())
def test_well_typed_catalog_documents_decode_typed_and_linked(raw: dict[str, Any]) -> None:
    # Records of one type differ in their undocumented attributes here: check them all.
    doc = decode(orjson.dumps(raw), check_every_record=True)
    _check_links(doc, raw)
    # The same document as an already parsed mapping decodes the same, and is not modified.
    snapshot = orjson.dumps(raw)
    again = decode(raw, check_every_record=True)
    assert orjson.dumps(raw) == snapshot
    assert to_dict(again) == to_dict(doc)
    repr(doc)
    for resource in doc.primary + doc.included + doc.stubs:
        repr(resource)
        assert resource == doc.get(resource.type, resource.id)


@FUZZ
@given(compound_documents(odd=True))
def test_mistyped_catalog_documents_raise_only_decode_error(raw: dict[str, Any]) -> None:
    doc, error = _decoded(orjson.dumps(raw))
    if error is not None:
        assert error.pointer.startswith(("/data", "/included")), error.pointer
        return
    assert doc is not None
    for resource in doc.primary + doc.included:
        repr(resource)


def _decoded(body: bytes) -> tuple[Document | None, DecodeError | None]:
    try:
        return decode(body), None
    except DecodeError as exc:
        return None, exc


@FUZZ
@given(compound_documents(), st.data())
def test_structurally_mutated_documents_raise_only_decode_error(
    raw: dict[str, Any], data: st.DataObject
) -> None:
    # Replace any member (a type, an id, a relationship's data, `included` itself...)
    # by anything.
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(member_paths(raw)[1:]))
        parent: Any = raw
        for step in path[:-1]:
            parent = parent[step]
        # A copy: sampled constants ([], {}) are shared between draws, and a later step
        # could otherwise write a value into itself.
        parent[path[-1]] = orjson.loads(orjson.dumps(data.draw(ODD_VALUES)))
    with contextlib.suppress(DecodeError):
        decode(orjson.dumps(raw))
    with contextlib.suppress(DecodeError):
        decode(raw)


@FUZZ
@given(
    st.sampled_from(WIRE_TYPES),
    st.lists(st.dictionaries(st.sampled_from(["id", "name", "customer", "lines", "x"]), JSON)),
)
def test_nested_format_raises_only_decode_error(type_name: str, records: list[Any]) -> None:
    body = orjson.dumps({"data": records})
    with contextlib.suppress(DecodeError):
        decode_nested(body, type_name)
    with contextlib.suppress(DecodeError):
        decode(body, nested_type=type_name)


@FUZZ
@given(st.binary(max_size=256) | st.text(max_size=256).map(str.encode))
def test_arbitrary_bytes_raise_only_decode_error(body: bytes) -> None:
    with contextlib.suppress(DecodeError):
        decode(body)


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"null",
        b"[]",
        b'"data"',
        b'{"data": 1}',
        b'{"data": [{"type": "orders"}]}',
        b'{"data": [{"id": "1"}]}',
        b'{"data": {"type": "orders", "id": 1}}',
        b'{"data": {"type": ["orders"], "id": "1"}}',
        b'{"data": {"type": "orders", "id": "1", "attributes": []}}',
        b'{"data": {"type": "orders", "id": "1", "relationships": {"lines": {"data": {}}}}}',
        b'{"data": [], "included": {"type": "orders", "id": "1"}}',
        b"\xff\xfe{}",
        b'{"data": [], "data": null}',
        b'{"data": "' + b"9" * 10_000 + b'"}',
        b'{"a": 1' + b", " * 10 + b"}",
        b"1" * 5000,
    ],
)
def test_known_bad_shapes_give_decode_error_with_pointer(body: bytes) -> None:
    doc, error = _decoded(body)
    if error is not None:
        assert error.pointer == "" or error.pointer.startswith("/")
        assert str(error)
    else:
        assert isinstance(doc, Document)
