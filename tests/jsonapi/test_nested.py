from __future__ import annotations

from datetime import datetime, timezone

import orjson
import pytest

from booqable_async.errors import DecodeError, UsageError
from booqable_async.jsonapi import GenericResource, Registry, is_loaded, to_dict
from booqable_async.models import decode, decode_nested, is_nested_document
from tests.jsonapi.models import REGISTRY, Bundle, Customer, Line, Order, Product

BODY = {
    "data": [
        {
            "id": "o1",
            "starts_at": "2021-11-12T15:15:00+00:00",
            "number": 3,
            "brand_new": True,
            "customer": {"id": "c1", "name": "John Doe"},
            "lines": [
                {
                    "id": "l1",
                    "title": "a",
                    "item": {"id": "p1", "type": "products", "name": "Bike"},
                },
                {"id": "l2", "title": "b", "item": {"id": "b1", "type": "bundles", "name": "Kit"}},
                {"id": "l3", "title": "c", "item": {"id": "g1", "name": "Group"}},
            ],
            "coupon": None,
        },
        {"id": "o2", "customer": {"id": "c1", "email": "j@x"}, "lines": []},
    ],
    "meta": {"total": 2},
}


def test_nested_records_become_the_same_models() -> None:
    doc = decode_nested(orjson.dumps(BODY), "orders", REGISTRY)
    o1, o2 = doc.primary
    assert isinstance(o1, Order)
    assert o1.starts_at == datetime(2021, 11, 12, 15, 15, tzinfo=timezone.utc)
    assert o1.number == 3
    assert o1.extra_attributes == {"brand_new": True}
    assert isinstance(o1.customer, Customer)
    assert o1.customer is o2.customer  # one object per type and id
    assert o1.customer.name == "John Doe"
    assert o1.customer.email == "j@x"  # merged from the second occurrence
    assert o1.coupon is None
    assert not is_loaded(o1, "plannings")
    lines = o1.lines
    assert isinstance(lines, list)
    assert [type(line.item).__name__ for line in lines] == [  # type: ignore[union-attr]
        "Product",
        "Bundle",
        "GenericResource",
    ]
    assert isinstance(lines[0], Line)
    assert isinstance(lines[0].item, Product)
    assert isinstance(lines[1].item, Bundle)
    group = lines[2].item
    assert isinstance(group, GenericResource)
    assert group.type == "product_groups|products|bundles"
    assert o2.lines == []
    assert doc.meta == {"total": 2}
    assert doc.included[0] is o1.customer
    assert len(doc.included) == 7


def test_nested_changes_and_export() -> None:
    from booqable_async.jsonapi import changes

    doc = decode_nested(BODY, "orders", REGISTRY)
    order = doc.primary[0]
    assert changes(order) == {}
    exported = to_dict(order)
    assert exported["relationships"]["customer"] == {"data": {"type": "customers", "id": "c1"}}


def test_decode_takes_nested_bodies_when_told_the_type() -> None:
    doc = decode(BODY, REGISTRY, nested_type="orders")
    assert isinstance(doc.primary[0], Order)
    single = decode({"data": {"id": "c1", "name": "x"}}, REGISTRY, nested_type="customers")
    assert isinstance(single.data, Customer)
    # A JSON:API body is still decoded as JSON:API with the hint.
    jsonapi = decode({"data": [{"type": "customers", "id": "c"}]}, REGISTRY, nested_type="orders")
    assert isinstance(jsonapi.primary[0], Customer)


def test_nested_records_with_a_type_attribute_keep_their_attributes() -> None:
    # Nested products carry a ``type`` attribute; that must not pass for JSON:API.
    body = {"data": [{"id": "p1", "type": "products", "name": "Bike", "sku": "B-1"}]}
    assert is_nested_document(body)
    product = decode(body, REGISTRY, nested_type="products").primary[0]
    assert isinstance(product, Product)
    assert (product.name, product.sku, product.type_) == ("Bike", "B-1", "products")


@pytest.mark.parametrize(
    ("body", "nested"),
    [
        ({"data": [{"id": "c", "type": "customers", "attributes": {}}]}, False),
        ({"data": {"id": "c", "type": "customers", "meta": {}, "links": {}}}, False),
        ({"data": [{"id": "c", "name": "x"}]}, True),
        ({"data": []}, False),
        ({"data": None}, False),
        ([1], False),
    ],
)
def test_is_nested_document(body: object, nested: bool) -> None:
    assert is_nested_document(body) is nested


def test_generic_nested_records_keep_nested_values_raw() -> None:
    doc = decode_nested(BODY, "orders", Registry())
    order = doc.primary[0]
    assert isinstance(order, GenericResource)
    assert order.customer == {"id": "c1", "name": "John Doe"}
    assert doc.included == []


def test_nested_edge_cases() -> None:
    assert decode_nested({"data": None}, "orders").data is None
    assert decode_nested({"meta": {}}, "orders").data is None
    doc = decode_nested({"data": [{"name": "no id"}, {"id": 7}]}, "customers", REGISTRY)
    assert not is_loaded(doc.primary[0], "id")
    assert doc.primary[1].id == "7"


@pytest.mark.parametrize(
    ("body", "pointer", "reason"),
    [
        (b"[]", "", "must be a JSON object"),
        ({"data": [1]}, "/data/0", "a record must be an object"),
        ({"data": [{"id": []}]}, "/data/0/id", "id must be a string"),
        ({"data": [{"id": "1", "customer": []}]}, "/data/0/customer", "to-one"),
        ({"data": [{"id": "1", "lines": {"id": "l"}}]}, "/data/0/lines", "to-many"),
        ({"data": [{"id": "1", "customer": "c1"}]}, "/data/0/customer", "nested record"),
        ({"data": [{"id": "1", "starts_at": "yesterday"}]}, "/data/0/starts_at", "timestamp"),
        ({"data": [{"id": "1", "number": "x"}]}, "/data/0/number", "integer"),
        (
            {"data": [{"id": "1", "lines": [{"id": "l", "quantity": "x"}]}]},
            "/data/0/lines/0/quantity",
            "integer",
        ),
        (
            {
                "data": [
                    {"id": "1", "customer": {"id": "c", "name": "a"}},
                    {"id": "2", "customer": {"id": "c", "number": "x"}},
                ]
            },
            "/data/1/customer/number",
            "integer",
        ),
    ],
)
def test_nested_errors(body: object, pointer: str, reason: str) -> None:
    with pytest.raises(DecodeError) as info:
        decode_nested(body, "orders", REGISTRY)  # type: ignore[arg-type]
    assert info.value.pointer == pointer
    assert reason in info.value.reason


def test_nested_needs_a_type() -> None:
    with pytest.raises(UsageError):
        decode_nested({"data": []}, "")


def test_a_name_that_is_attribute_and_relationship_is_told_apart_by_shape() -> None:
    doc = decode_nested(
        {
            "data": [
                {"id": "1", "properties": {"delivery_address": None}},
                {"id": "2", "properties": [{"id": "p1", "name": "Phone"}]},
            ]
        },
        "orders",
        REGISTRY,
    )
    first, second = doc.primary
    assert isinstance(first, Order)
    assert isinstance(second, Order)
    assert first.properties == {"delivery_address": None}
    assert not is_loaded(first, "properties_")
    assert second.properties_[0].name == "Phone"  # type: ignore[index]
