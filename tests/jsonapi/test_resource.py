from __future__ import annotations

import copy
import pickle
from datetime import datetime, timezone

import pytest

from booqable_async.errors import NotLoadedError
from booqable_async.jsonapi import GenericResource, Registry, decode, is_loaded, to_dict
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
    order = Order(id="1", number=3)
    order.customer = None
    assert order.number == 3
    assert order.customer is None
    assert not is_loaded(order, "lines")
    with pytest.raises(NotLoadedError, match="never set"):
        _ = order.lines
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


def test_a_record_built_locally_has_no_id_until_created() -> None:
    order = Order(number=3)
    assert not is_loaded(order, "id")
    with pytest.raises(NotLoadedError, match="no id yet") as info:
        _ = order.id
    assert info.value.name == "id"
    assert getattr(order, "id", None) is None
    assert Order(id="o1").id == "o1"


def test_relationships_are_checked_on_assignment() -> None:
    from booqable_async.errors import UsageError

    order = Order(id="1")
    with pytest.raises(UsageError, match="to-one"):
        order.customer = "c1"  # type: ignore[assignment]
    with pytest.raises(UsageError, match="to-many"):
        order.lines = [1]  # type: ignore[list-item]
    order.lines = [Line(id="l")]
    del order.lines
    assert not is_loaded(order, "lines")
    assert repr(Order.customer) == "ToOne('customers', name='customer')"


def test_is_loaded_needs_a_real_field_name() -> None:
    order = Order(id="1")
    with pytest.raises(AttributeError, match="no attribute 'nubmer'"):
        is_loaded(order, "nubmer")
    widget = GenericResource(type="widgets", id="w", attributes={"a": 1})
    assert is_loaded(widget, "a")
    assert not is_loaded(widget, "b")
    assert is_loaded(widget, "id")


def test_to_dict_method_is_jsonapi_to_dict() -> None:
    doc = decode(
        {
            "data": {
                "type": "orders",
                "id": "o1",
                "attributes": {"number": 1},
                "relationships": {"customer": {"data": {"type": "customers", "id": "c1"}}},
            },
            "included": [{"type": "customers", "id": "c1", "attributes": {"name": "J"}}],
        },
        REGISTRY,
    )
    order = doc.data
    assert isinstance(order, Order)
    assert order.to_dict() == to_dict(order)
    assert order.to_dict(embed=1) == to_dict(order, embed=1)
    assert order.to_dict(embed=1)["relationships"]["customer"]["data"]["attributes"] == {
        "name": "J"
    }


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
    decoded = decode({"data": {"type": "orders", "id": "o", "attributes": {"number": 4}}}, REGISTRY)
    again = pickle.loads(pickle.dumps(decoded.data))
    assert again.number == 4  # type: ignore[union-attr]
    assert not is_loaded(again, "starts_at")


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
