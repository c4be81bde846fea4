"""Attributes of richer types (nested attrs values, unions, mappings, tuples)."""

from __future__ import annotations

import gc
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any, ClassVar

import attrs
import pytest

from booqable_async.errors import DecodeError, UsageError
from booqable_async.jsonapi import Registry, Resource, ToOne, attribute, decode, to_dict
from booqable_async.models import create_document


@attrs.frozen
class Weight:
    value: float
    unit: str


@attrs.define(eq=False, repr=False)
class Parcel(Resource):
    jsonapi_type: ClassVar[str] = "parcels"

    weight: Weight | None = attribute()
    counts: Mapping[str, int] | None = attribute()
    code: str | int | None = attribute()
    labels: Sequence[str] | None = attribute()
    sizes: tuple[int, ...] | None = attribute()
    raw: dict[str, Any] | None = attribute()
    anything: list | None = attribute()  # type: ignore[type-arg]
    carrier = ToOne[Resource]("carriers", readonly=True)


REGISTRY = Registry([Parcel])


def parcel(**attributes: Any) -> Parcel:
    doc = decode({"data": {"type": "parcels", "id": "p", "attributes": attributes}}, REGISTRY)
    assert isinstance(doc.data, Parcel)
    return doc.data


def test_converted_values() -> None:
    p = parcel(
        weight={"value": 2, "unit": "kg"},
        counts={"a": 3},
        code=7,
        labels=["x"],
        sizes=[1, 2],
        raw={"k": [1]},
        anything=[{"a": 1}],
    )
    assert p.weight == Weight(2.0, "kg")
    assert p.counts == {"a": 3}
    assert p.code == 7
    assert list(p.labels or []) == ["x"]
    assert p.sizes == (1, 2)
    assert p.raw == {"k": [1]}
    assert p.anything == [{"a": 1}]
    exported = to_dict(p)["attributes"]
    assert exported["weight"] == {"value": 2.0, "unit": "kg"}
    body = create_document(p)
    assert body["data"]["attributes"]["weight"] == {"value": 2.0, "unit": "kg"}


@pytest.mark.parametrize(
    ("attributes", "member"),
    [
        ({"weight": "heavy"}, "weight"),
        ({"weight": {"value": "x", "unit": "kg"}}, "weight/value"),
        ({"counts": ["a"]}, "counts"),
        ({"counts": {"a": "3"}}, "counts"),
        ({"labels": "abc"}, "labels"),
        ({"sizes": {"a": 1}}, "sizes"),
        ({"raw": "x"}, "raw"),
        ({"anything": "x"}, "anything"),
    ],
)
def test_converted_values_that_do_not_fit(attributes: dict[str, Any], member: str) -> None:
    with pytest.raises(DecodeError) as info:
        parcel(**attributes)
    assert info.value.pointer == f"/data/attributes/{member}"


def test_read_only_relationship_is_refused() -> None:
    with pytest.raises(UsageError, match=r"parcels\.carrier is read-only"):
        create_document("parcels", relationships={"carrier": "c"}, registry=REGISTRY)


def test_decoding_while_the_collector_is_disabled_leaves_it_disabled() -> None:
    gc.disable()
    try:
        assert parcel(code="x").code == "x"
        assert not gc.isenabled()
    finally:
        gc.enable()
    assert parcel(code="y").code == "y"
    assert gc.isenabled()
    with pytest.raises(DecodeError):
        parcel(weight="heavy")
    assert gc.isenabled()  # restored on errors too


def test_read_only_mapping_inputs() -> None:
    body = MappingProxyType(
        {
            "data": MappingProxyType(
                {
                    "type": "parcels",
                    "id": "p",
                    "attributes": MappingProxyType({"code": "a", "extra": 1}),
                    "relationships": MappingProxyType(
                        {"carrier": MappingProxyType({"data": {"type": "carriers", "id": "c"}})}
                    ),
                    "meta": MappingProxyType({"m": 1}),
                }
            ),
            "included": [
                MappingProxyType(
                    {"type": "other", "id": "o", "attributes": MappingProxyType({"a": 1})}
                ),
            ],
        }
    )
    doc = decode(body, REGISTRY)
    p = doc.data
    assert isinstance(p, Parcel)
    assert p.code == "a"
    assert p.extra_attributes == {"extra": 1}
    assert p.meta == {"m": 1}
    assert p.carrier is not None
    assert doc.included[0].attributes == {"a": 1}  # type: ignore[attr-defined]
