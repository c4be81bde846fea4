"""Booqable's write conventions (models/_writes.py) and change tracking (jsonapi)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any, ClassVar

import attrs
import pytest

from booqable_async.errors import UsageError
from booqable_async.jsonapi import Registry, Resource, attribute, changes, decode
from booqable_async.jsonapi._encode import json_value
from booqable_async.models import create_document, destroy, update_document
from tests.jsonapi.models import REGISTRY, Customer, Holiday, Line, Order, Property

UTC = timezone.utc


def decoded_order() -> Order:
    doc = decode(
        {
            "data": {
                "type": "orders",
                "id": "o1",
                "attributes": {
                    "starts_at": "2025-01-01T10:00:00+00:00",
                    "status": "reserved",
                    "tag_list": ["a"],
                    "number": 5,
                    "customer_id": "c1",
                },
                "relationships": {
                    "customer": {"data": {"type": "customers", "id": "c1"}},
                    "lines": {"data": [{"type": "lines", "id": "l1"}]},
                    "plannings": {"links": {"related": "x"}},
                },
            },
            "included": [
                {"type": "customers", "id": "c1", "attributes": {"name": "Jane"}},
                {"type": "lines", "id": "l1", "attributes": {"title": "t"}},
            ],
        },
        REGISTRY,
    )
    assert isinstance(doc.data, Order)
    return doc.data


def test_a_decoded_resource_has_no_changes() -> None:
    order = decoded_order()
    assert changes(order) == {}
    assert update_document(order) == {"data": {"type": "orders", "id": "o1", "attributes": {}}}


def test_update_sends_only_changed_attributes() -> None:
    order = decoded_order()
    order.starts_at = datetime(2025, 2, 1, 9, tzinfo=UTC)
    order.tag_list = ["a"]  # equal value: not a change
    order.customer_id = None  # explicit None is a change and is sent
    order.discount_type = "percentage"  # was not loaded: a change
    body = update_document(order)
    assert body == {
        "data": {
            "type": "orders",
            "id": "o1",
            "attributes": {
                "starts_at": "2025-02-01T09:00:00Z",
                "customer_id": None,
                "discount_type": "percentage",
            },
        }
    }


def test_relationship_changes_are_sent_as_ids() -> None:
    order = decoded_order()
    other = Customer(id="c2")
    order.customer = other
    assert changes(order) == {"customer": other}
    assert update_document(order)["data"]["attributes"] == {"customer_id": "c2"}
    order.customer = None
    assert update_document(order)["data"]["attributes"] == {"customer_id": None}
    order = decoded_order()
    order.lines = [*order.lines, Line(id="l2")]  # type: ignore[misc]
    assert update_document(order)["data"]["attributes"] == {"lines_ids": ["l1", "l2"]}
    order = decoded_order()
    order.plannings = []  # was not loaded
    assert update_document(order)["data"]["attributes"] == {"plannings_ids": []}


def test_readonly_attributes_are_refused_before_io() -> None:
    order = decoded_order()
    order.number = 6
    with pytest.raises(UsageError, match=r"orders\.number is read-only"):
        update_document(order)
    with pytest.raises(UsageError, match="read-only"):
        create_document("orders", {"amount_in_cents": 5}, registry=REGISTRY)
    with pytest.raises(UsageError, match="only be set when creating"):
        update_document("orders", "o1", {"status": "reserved"}, registry=REGISTRY)
    # ... but status may be set on create.
    body = create_document("orders", {"status": "reserved"}, registry=REGISTRY)
    assert body["data"]["attributes"] == {"status": "reserved"}
    with pytest.raises(UsageError, match=r"lines\.planning_id is read-only"):
        create_document(Line, relationships={"planning": "p1"})


def test_unknown_attributes_are_refused_unless_allowed() -> None:
    with pytest.raises(UsageError, match=r"no attribute 'staus'.*'status'"):
        create_document("orders", {"staus": "x"}, registry=REGISTRY)
    body = create_document("orders", {"staus": "x"}, registry=REGISTRY, allow_unknown=True)
    assert body["data"]["attributes"] == {"staus": "x"}
    with pytest.raises(UsageError, match="is a relationship"):
        create_document("orders", {"customer": "c1"}, registry=REGISTRY)
    with pytest.raises(UsageError, match="no relationship 'buyer'"):
        create_document("orders", relationships={"buyer": "c1"}, registry=REGISTRY)


def test_create_from_kwargs_python_or_wire_names() -> None:
    body = create_document(
        "test_holidays",
        {"day": date(2025, 12, 25), "from_": datetime(2025, 12, 24, 18, tzinfo=UTC)},
        registry=REGISTRY,
    )
    assert body == {
        "data": {
            "type": "test_holidays",
            "attributes": {"day": "2025-12-25", "from": "2025-12-24T18:00:00Z"},
        }
    }
    same = create_document(
        "test_holidays",
        {"from": datetime(2025, 12, 24, 18, tzinfo=UTC), "day": date(2025, 12, 25)},
        registry=REGISTRY,
    )
    assert same["data"]["attributes"] == body["data"]["attributes"]


def test_create_from_a_model_instance() -> None:
    customer = Customer(name="Jane", email="jane@example.com", tag_list=["vip"])
    assert changes(customer) == {"name": "Jane", "email": "jane@example.com", "tag_list": ["vip"]}
    body = create_document(customer, include=["properties"], fields={"customers": ["name"]})
    assert body == {
        "data": {
            "type": "customers",
            "attributes": {"name": "Jane", "email": "jane@example.com", "tag_list": ["vip"]},
        },
        "include": "properties",
        "fields": {"customers": "name"},
    }
    order = Order(lid="tmp", starts_at=datetime(2025, 1, 1, tzinfo=UTC))
    order.customer = Customer(id="c1")  # relationships are assigned, not constructor arguments
    body = create_document(order, include="customer")
    assert body["data"] == {
        "type": "orders",
        "lid": "tmp",
        "attributes": {"starts_at": "2025-01-01T00:00:00Z", "customer_id": "c1"},
    }
    assert body["include"] == "customer"


def test_side_posting_forms() -> None:
    body = create_document(
        "orders",
        {"starts_at": datetime(2025, 1, 1, tzinfo=UTC)},
        relationships={
            "customer": Customer(id="c1"),
            "lines": ["l1", Line(id="l2")],
            "coupon": None,
        },
        nested={
            "properties": [
                {"identifier": "delivery_address", "address1": "Main St 1"},
                destroy(identifier="phone"),
                destroy("p9"),
                Property(id="p1", value="x"),
                Property(name="new"),
            ]
        },
        registry=REGISTRY,
    )
    attributes = body["data"]["attributes"]
    assert attributes["customer_id"] == "c1"
    assert attributes["lines_ids"] == ["l1", "l2"]
    assert attributes["coupon_id"] is None
    assert attributes["properties_attributes"] == [
        {"identifier": "delivery_address", "address1": "Main St 1"},
        {"identifier": "phone", "_destroy": True},
        {"id": "p9", "_destroy": True},
        {"id": "p1", "value": "x"},
        {"name": "new"},
    ]


def test_side_posting_on_generic_types() -> None:
    body = create_document(
        "bundles",
        {"name": "Kit"},
        nested={"bundle_items": [destroy("b1"), {"quantity": 2}]},
        relationships={"photo": "ph1", "tags": ["t1"]},
        registry=Registry(),
    )
    assert body["data"]["attributes"] == {
        "name": "Kit",
        "photo_id": "ph1",
        "tags_ids": ["t1"],
        "bundle_items_attributes": [{"id": "b1", "_destroy": True}, {"quantity": 2}],
    }


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: update_document("orders", None, {}, registry=REGISTRY), "needs the resource id"),
        (lambda: create_document(""), "type name"),
        (lambda: create_document(5), "type name"),  # type: ignore[arg-type]
        (
            lambda: create_document("orders", relationships={"lines": "l1"}, registry=REGISTRY),
            "to-many",
        ),
        (
            lambda: create_document("orders", relationships={"customer": 5}, registry=REGISTRY),
            "expected a resource",
        ),
        (
            lambda: create_document(
                "orders", relationships={"customer": Customer()}, registry=REGISTRY
            ),
            "has no id yet",
        ),
        (
            lambda: create_document("orders", nested={"lines": "x"}, registry=REGISTRY),
            "must be a list",
        ),
        (
            lambda: create_document("orders", nested={"lines": [3]}, registry=REGISTRY),
            "dicts or resources",
        ),
    ],
)
def test_encoder_usage_errors(call: Any, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        call()


def test_model_class_without_type_is_refused() -> None:
    from booqable_async.jsonapi import Resource

    with pytest.raises(UsageError, match="no jsonapi_type"):
        create_document(Resource)


def test_generic_resource_changes() -> None:
    doc = decode({"data": {"type": "widgets", "id": "w", "attributes": {"a": 1, "b": 2}}})
    widget = doc.data
    assert widget is not None
    assert changes(widget) == {}
    widget.attributes["a"] = 3  # type: ignore[attr-defined]
    widget.attributes["c"] = None  # type: ignore[attr-defined]
    assert update_document(widget) == {
        "data": {"type": "widgets", "id": "w", "attributes": {"a": 3, "c": None}}
    }
    assert create_document(widget)["data"]["attributes"] == {"a": 3, "b": 2, "c": None}


@attrs.frozen
class Money:
    cents: int
    when: datetime


def test_json_value() -> None:
    assert json_value("x") == "x"
    assert json_value(Customer(id="c")) == "c"
    assert json_value({"a": [1, {"b": None}]}) == {"a": [1, {"b": None}]}
    moment = datetime(2025, 1, 1, tzinfo=UTC)
    assert json_value(moment) == "2025-01-01T00:00:00Z"
    # At any depth, every timestamp is written the one way: UTC with a "Z".
    assert json_value({"a": moment}) == {"a": "2025-01-01T00:00:00Z"}
    assert json_value(Money(1, moment)) == {"cents": 1, "when": "2025-01-01T00:00:00Z"}
    plus_one = datetime(2025, 1, 1, 1, tzinfo=timezone(timedelta(hours=1)))
    assert json_value({"a": [{"b": plus_one}]}) == {"a": [{"b": "2025-01-01T00:00:00Z"}]}
    for naive in (datetime(2025, 1, 1), {"a": [datetime(2025, 1, 1)]}):
        with pytest.raises(UsageError, match="naive datetime"):
            json_value(naive)
    with pytest.raises(UsageError, match="cannot write object as JSON"):
        json_value(object())


def test_holiday_secret_is_sent() -> None:
    holiday = Holiday(token="t0k3n")
    assert create_document(holiday)["data"]["attributes"] == {"token": "t0k3n"}
    assert "t0k3n" not in repr(holiday)


def test_changes_compare_typed_values_with_what_was_decoded() -> None:
    doc = decode(
        {
            "data": {
                "type": "orders",
                "id": "o1",
                "attributes": {
                    "deposit_value": 100,
                    "starts_at": "2025-01-01T10:00:00Z",
                    "status": 4,
                    "confirm_shortage": True,
                },
            }
        },
        REGISTRY,
    )
    order = doc.data
    assert isinstance(order, Order)
    assert changes(order) == {}
    order.deposit_value = 100.0
    order.starts_at = datetime(2025, 1, 1, 10, tzinfo=UTC)
    order.status = "4"
    order.confirm_shortage = True
    assert changes(order) == {}
    order.deposit_value = 101
    order.confirm_shortage = False
    assert changes(order) == {"deposit_value": 101, "confirm_shortage": False}


@attrs.define(eq=False, repr=False)
class OneField(Resource):
    """A model whose responses carry one attribute (plus a write-only one)."""

    jsonapi_type: ClassVar[str] = "one_fields"

    name: str | None = attribute()
    code: str | None = attribute(writeonly=True)


@pytest.mark.parametrize(
    "attributes",
    [{"name": "abc"}, {"name": None}, {"name": None, "code": "x"}, {"name": "abc", "code": None}],
)
def test_a_model_with_one_usual_attribute_decodes_without_phantom_changes(
    attributes: dict[str, Any],
) -> None:
    # Regression: the generated fill stored the bare value as the snapshot (an itemgetter
    # of one key returns no tuple), so changes() saw "abc"[0] != "abc", and a write-only
    # member alongside a null crashed with TypeError.
    doc = decode(
        {"data": {"type": "one_fields", "id": "1", "attributes": attributes}}, Registry([OneField])
    )
    one = doc.data
    assert isinstance(one, OneField)
    assert one.name == attributes["name"]
    assert changes(one) == {}
    one.name = "changed"
    assert changes(one) == {"name": "changed"}
