"""Corners of the v1 client: stock items by id, empty answers, timestamps as text."""

from __future__ import annotations

from datetime import datetime

import orjson
import pytest

from booqable_async import errors
from booqable_async.testing import FakeBooqable
from booqable_async.transport import HttpRequest, HttpResponse, MockTransport
from booqable_async.v1 import BooqableV1Client, Customer, decode_record


async def test_trackable_stock_items_are_booked_by_id(
    client: BooqableV1Client, fake: FakeBooqable
) -> None:
    group = next(g for g in await client.product_groups.list().collect() if g.trackable)
    product = (await client.product_groups.get(group.id)).products[0]
    items = [s.id for s in product.stock_items[:2]]
    customer = (await client.customers.list()).data[0]
    order = await client.orders.create(
        customer_id=customer.id, starts_at="2033-01-01T09:00:00Z", stops_at="2033-01-02T09:00:00Z"
    )
    order = await client.orders.book(order.id, {product.id: items})
    assert sorted(order.stock_item_ids) == sorted(items)
    points = await client.products.availability(
        product.id, from_="2033-01-01T00:00:00Z", till="2033-01-01T03:00:00Z", interval="hour"
    )
    assert len(points) == 3


async def test_deletes_with_an_empty_answer_return_none() -> None:
    def empty(request: HttpRequest) -> HttpResponse:
        return HttpResponse(204, {}, b"")

    async with BooqableV1Client(
        company="acme", api_key="k3y-0123456789", transport=MockTransport(empty)
    ) as client:
        assert await client.lines.delete("o1", "l1") is None
        assert await client.plannings.delete("o1", "p1") is None


async def test_list_answers_of_another_shape_fail_the_pagination() -> None:
    def odd(request: HttpRequest) -> HttpResponse:
        return HttpResponse(200, {"Content-Type": "application/json"}, orjson.dumps([1, 2]))

    async with BooqableV1Client(
        company="acme", api_key="k3y-0123456789", transport=MockTransport(odd)
    ) as client:
        with pytest.raises(errors.DecodeError, match="expected a JSON object for a page"):
            await client.customers.list()


def test_aware_datetimes_and_integer_booleans_are_taken_as_they_are() -> None:
    moment = datetime.fromisoformat("2030-01-01T00:00:00+02:00")
    customer = decode_record(Customer, {"id": "c", "created_at": moment, "archived": 1})
    assert customer.created_at == moment
    assert customer.archived is True
