"""What FakeBooqable serves decodes: JSON:API pages, includes, the nested .json format."""

from __future__ import annotations

from datetime import datetime

import pytest

from booqable_async.jsonapi import Registry
from booqable_async.models import decode, decode_nested, update_document
from booqable_async.testing import FakeBooqable
from booqable_async.transport import HttpRequest
from tests.jsonapi.models import REGISTRY, Customer, Order, Planning, Product


@pytest.fixture(scope="module")
def fake() -> FakeBooqable:
    return FakeBooqable.demo(orders=30, customers=10, product_groups=5)


async def get(fake: FakeBooqable, path: str) -> bytes:
    async with fake.transport() as transport:
        request = HttpRequest(
            "GET", f"{fake.base_url}/{path}", {"Authorization": f"Bearer {fake.token}"}
        )
        response = await transport.send(request)
    assert response.status == 200, response.body[:300]
    return response.body


async def test_orders_with_customers(fake: FakeBooqable) -> None:
    doc = decode(await get(fake, "orders?include=customer&page[size]=30"), REGISTRY)
    orders = doc.primary
    assert len(orders) == 30
    assert all(isinstance(order, Order) for order in orders)
    with_customer = [o for o in orders if isinstance(o, Order) and o.customer]
    assert with_customer
    for order in with_customer:
        assert isinstance(order, Order)
        assert isinstance(order.customer, Customer)
        assert order.customer.id == order.customer_id
        assert order.customer is doc.get("customers", order.customer.id)
        assert isinstance(order.starts_at, datetime)
    assert doc.meta is not None
    generic = decode(await get(fake, "orders?include=customer&page[size]=30"), Registry())
    assert len(generic.primary) == 30


async def test_plannings_with_orders_and_items(fake: FakeBooqable) -> None:
    doc = decode(await get(fake, "plannings?include=order,item&page[size]=50"), REGISTRY)
    plannings = [p for p in doc.primary if isinstance(p, Planning)]
    assert plannings
    for planning in plannings:
        if planning.order:
            assert isinstance(planning.order, Order)
            assert planning.order.id == planning.order_id
        if isinstance(planning.item, Product):
            assert planning.item.id == planning.item_id


async def test_nested_json_variant(fake: FakeBooqable) -> None:
    body = await get(fake, "orders.json?include=customer&page[size]=5")
    doc = decode_nested(body, "orders", REGISTRY)
    assert len(doc.primary) == 5
    order = doc.primary[0]
    assert isinstance(order, Order)
    assert isinstance(order.properties, dict)  # the hash, not the relationship
    assert isinstance(order.starts_at, datetime)
    same = decode(body, REGISTRY, nested_type="orders")
    assert [r.id for r in same.primary] == [r.id for r in doc.primary]


async def test_update_document_of_a_served_order(fake: FakeBooqable) -> None:
    doc = decode(await get(fake, "orders?page[size]=1"), REGISTRY)
    order = doc.primary[0]
    assert isinstance(order, Order)
    order.tag_list = ["vip"]
    assert update_document(order)["data"]["attributes"] == {"tag_list": ["vip"]}
