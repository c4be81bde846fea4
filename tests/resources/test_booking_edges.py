"""Booking helpers' edge cases against MockTransport: refusals and server surprises."""

from __future__ import annotations

import orjson
import pytest

from booqable_async.errors import UsageError
from booqable_async.models import Order, ProductVariation
from booqable_async.transport import HttpRequest, HttpResponse
from tests.resources.helpers import Recorder, answer, client_for, resource_object


def by_path(request: HttpRequest) -> HttpResponse:
    """Answer like Booqable, but never include what was asked for."""
    path = request.url.split("/api/4/")[1].split("?")[0]
    type_name = path.split("/")[0]
    record = resource_object(type_name, "x1")
    if type_name == "orders":
        record["attributes"]["status"] = "draft"
    return answer(201 if request.method == "POST" else 200, {"data": record})


async def test_refusals_before_any_request() -> None:
    recorder = Recorder(by_path)
    async with client_for(recorder) as client:
        f = client.order_fulfillments
        with pytest.raises(UsageError, match="order must be an id string or a record"):
            await f.book_product(Order(), "p", 1)
        with pytest.raises(UsageError, match="stock_items must be a list"):
            await f.book_stock_items("o", "p", "s1")
        with pytest.raises(UsageError, match="transition must be a StatusTransition"):
            await client.order_status_transitions.transition("o", "reserve")  # type: ignore[arg-type]
        with pytest.raises(UsageError, match="actions must be"):
            await client.orders.book(["p1"])  # type: ignore[list-item]
    assert recorder.requests == []


async def test_bundle_variations_as_payloads() -> None:
    recorder = Recorder(by_path)
    async with client_for(recorder) as client:
        await client.order_fulfillments.book_bundle(
            "o1", "b1", 2, variations=[ProductVariation(bundle_item_id="bi", product_id="p")]
        )
    action = orjson.loads(recorder.requests[0].body or b"")["data"]["attributes"]["actions"][0]
    assert action["product_variations"] == [{"bundle_item_id": "bi", "product_id": "p"}]


async def test_status_lookup_needs_a_status() -> None:
    def no_status(request: HttpRequest) -> HttpResponse:
        return answer(200, {"data": {"id": "o1", "type": "orders", "attributes": {}}})

    recorder = Recorder(no_status)
    async with client_for(recorder) as client:
        with pytest.raises(UsageError, match="could not read the status of order o1"):
            await client.order_status_transitions.reserve("o1")
    (request,) = recorder.requests
    assert request.url.endswith("/orders/o1?fields%5Borders%5D=status")


async def test_status_comes_from_a_loaded_order_without_a_request() -> None:
    recorder = Recorder(by_path)
    async with client_for(recorder) as client:
        order = await client.orders.get("o1")
        await client.order_status_transitions.reserve(order)
    _, post = recorder.requests
    assert post.method == "POST"
    attributes = orjson.loads(post.body or b"")["data"]["attributes"]
    assert (attributes["transition_from"], attributes["transition_to"]) == ("draft", "reserved")


async def test_book_reads_the_order_when_the_answer_does_not_include_it() -> None:
    recorder = Recorder(by_path)
    async with client_for(recorder) as client:
        booking = await client.orders.book({"p1": 1})
    assert isinstance(booking.order, Order)
    methods = [(r.method, r.url.split("/api/4/")[1].split("?")[0]) for r in recorder.requests]
    assert methods == [
        ("POST", "orders"),
        ("POST", "order_fulfillments"),
        ("POST", "order_status_transitions"),
        ("GET", "orders/x1"),
    ]
    create = orjson.loads(recorder.requests[0].body or b"")["data"]["attributes"]
    assert create == {"status": "draft"}
