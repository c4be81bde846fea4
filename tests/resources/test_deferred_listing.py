"""Facade listings decode each page when the consumer reaches it, not when it arrives."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import orjson
import pytest

from booqable_async.errors import DecodeError, PaginationError
from booqable_async.models import Order
from booqable_async.query import Q, Query
from booqable_async.transport import HttpRequest, HttpResponse
from tests.pagination.fakes import drain
from tests.resources.helpers import Recorder, answer, client_for, resource_object

PAGES = 4
SIZE = 3


def listing(broken: dict[int, bytes]) -> Recorder:
    """Orders in pages of SIZE; ``broken`` replaces the body of some pages."""

    def respond(request: HttpRequest) -> HttpResponse:
        number = int(parse_qs(urlsplit(request.url).query)["page[number]"][0])
        data = [resource_object("orders", f"o{number}-{i}") for i in range(SIZE)]
        document = {"data": data, "meta": {"stats": {"total": {"count": PAGES * SIZE}}}}
        response = answer(200, document)
        if number in broken:
            return HttpResponse(200, response.headers, broken[number])
        return response

    return Recorder(respond)


def ids(orders: list[Order]) -> list[str]:
    return [order.id for order in orders]


async def test_a_listing_yields_typed_records_of_every_page_in_order() -> None:
    async with client_for(listing({})) as client:
        orders = await client.orders.list(Query().page(size=SIZE), concurrency=3).collect()
    assert ids(orders) == [f"o{n}-{i}" for n in range(1, PAGES + 1) for i in range(SIZE)]
    assert all(isinstance(order, Order) for order in orders)


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        (b'{"data": [', ""),  # not JSON
        (
            orjson.dumps(
                {"data": [{"id": "x", "type": "orders", "attributes": {"starts_at": "yesterday"}}]}
            ),
            "/data/0/attributes/starts_at",
        ),
    ],
)
async def test_a_page_that_cannot_be_decoded_stops_the_listing_at_that_page(
    body: bytes, pointer: str
) -> None:
    recorder = listing({3: body})
    seen: list[Order] = []
    async with client_for(recorder) as client:
        paginator = client.orders.list(Query().page(size=SIZE), concurrency=4)
        with pytest.raises(PaginationError) as info:
            await drain(paginator, seen)
    assert ids(seen) == [f"o{n}-{i}" for n in (1, 2) for i in range(SIZE)]  # before page 3
    cause = info.value.cause
    assert isinstance(cause, DecodeError)
    assert cause.pointer == pointer
    point = info.value.resume_point
    assert point is not None
    assert (point.page_number, point.skip, point.items_yielded) == (3, 0, 6)


async def test_a_search_listing_decodes_its_pages_too() -> None:
    def respond(request: HttpRequest) -> HttpResponse:
        number = orjson.loads(request.body)["page"]["number"]
        data = [resource_object("orders", f"s{number}-{i}") for i in range(SIZE)]
        return answer(200, {"data": data, "meta": {"stats": {"total": {"count": 2 * SIZE}}}})

    async with client_for(Recorder(respond)) as client:
        query = Query().search(Q(status="reserved")).page(size=SIZE)
        orders = await client.orders.search(query).collect()
    assert ids(orders) == [f"s{n}-{i}" for n in (1, 2) for i in range(SIZE)]
