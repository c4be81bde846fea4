from __future__ import annotations

import copy
import pickle
from datetime import datetime, timezone

import pytest

from booqable_async.jsonapi import (
    NOT_LOADED,
    GenericResource,
    NotLoadedError,
    Registry,
    decode,
)
from tests.jsonapi.models import REGISTRY, Customer, Holiday, Line, Order


def test_equality_and_hash_by_type_and_id() -> None:
    a = Order(id="1")
    b = Order(id="1", number=5)
    assert a == b
    assert hash(a) == hash(b)
    assert a != Order(id="2")
    assert a != Customer(id="1")
    generic = GenericResource(type="orders", id="1")
    assert a == generic
    assert hash(a) == hash(generic)
    assert a != "orders:1"
    assert len({a, b, generic}) == 1


def test_resources_without_id_compare_by_identity() -> None:
    a, b = Order(), Order()
    assert a == a
    assert a != b
    assert len({a, b}) == 2


def test_repr_is_cycle_safe_and_short_for_links() -> None:
    doc = decode(
        {
            "data": {
                "type": "orders",
                "id": "o1",
                "attributes": {"number": 1},
                "relationships": {
                    "lines": {"data": [{"type": "lines", "id": "l1"}]},
                    "customer": {"data": None},
                },
            },
            "included": [
                {
                    "type": "lines",
                    "id": "l1",
                    "relationships": {"order": {"data": {"type": "orders", "id": "o1"}}},
                }
            ],
        },
        REGISTRY,
    )
    text = repr(doc.data)
    assert text == "Order(id='o1', number=1, customer=None, lines=[lines:l1])"
    assert repr(doc.included[0]) == "Line(id='l1', order=orders:o1)"
    assert repr(doc) == "Document(data=orders:o1, included=1, meta=[], errors=0)"
    big = decode({"data": [{"type": "x", "id": str(i)} for i in range(5)]})
    assert "[5 resources]" in repr(big)
    small = decode({"data": [{"type": "x", "id": "1"}]})
    assert "['x:1']" in repr(small)
    assert "data=None" in repr(decode({"data": None}))


def test_repr_masks_secret_looking_generic_attributes() -> None:
    doc = decode(
        {
            "data": {
                "type": "authentication_methods",
                "id": "a",
                "attributes": {"key": "abc", "api_key": "k", "name": "n"},
            }
        }
    )
    text = repr(doc.data)
    assert "abc" not in text
    assert "'k'" not in text
    assert "name='n'" in text


def test_repr_limits_long_values() -> None:
    order = Order(id="1", status="x" * 500, tag_list=[str(i) for i in range(100)])
    assert len(repr(order)) < 300


def test_construct_by_hand() -> None:
    order = Order(id="1", number=3, customer=None)
    assert order.number == 3
    assert order.customer is None
    assert order.lines is NOT_LOADED
    with pytest.raises(NotLoadedError, match="never set"):
        _ = order.starts_at
    assert order.type == "orders"
    assert order.meta == {}
    assert order.links == {}
    assert order.extra_attributes == {}
    assert order.extra_relationships == {}
    assert order.relationship_links == {}
    assert order.relationship_meta == {}
    assert not order.is_stub
    assert order.lid is None


def test_assignment_after_decode() -> None:
    doc = decode({"data": {"type": "orders", "id": "1", "attributes": {"number": 1}}}, REGISTRY)
    order = doc.data
    assert isinstance(order, Order)
    order.starts_at = datetime(2025, 1, 1, tzinfo=timezone.utc)
    assert order.starts_at.year == 2025
    order.lines = [Line(id="l")]
    assert order.lines[0].id == "l"


def test_copy_and_pickle() -> None:
    holiday = Holiday(id="h", token="t")
    clone = copy.copy(holiday)
    assert clone == holiday
    assert clone.token == "t"
    restored = pickle.loads(pickle.dumps(Order(id="1", number=2)))
    assert restored.number == 2
    assert pickle.loads(pickle.dumps(NOT_LOADED)) is NOT_LOADED


def test_generic_resource_by_hand() -> None:
    widget = GenericResource(type="widgets", id="w", attributes={"a": 1})
    assert widget.a == 1
    assert widget.relationships == {}
    assert widget.lid is None
    with pytest.raises(AttributeError):
        _ = widget._private
    assert "type='widgets'" in repr(widget)


def test_registry_of_hand_made_generic_types() -> None:
    doc = decode({"data": {"type": "orders", "id": "1"}}, Registry())
    assert isinstance(doc.data, GenericResource)
    assert doc.data.attributes == {}
