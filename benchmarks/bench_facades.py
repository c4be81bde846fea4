"""Facade overhead: a typed ``client.orders`` call next to the session + decode it wraps.

Side by side in one run, over MockTransport answering a 25-order page (each order with a
customer) and a single order:

- ``await client.orders.list(query)`` (validate the query against the schema, build the
  paginator, add ``stats[total]``, send, decode, wrap in a ``Page``) vs
  ``session.request`` + ``jsonapi.decode`` of the same answer;
- ``await client.orders.get(id, include="customer")`` vs the same pair.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable

import orjson
from _results import Row, emit, times, us

from booqable_async import BooqableClient, Query
from booqable_async.models import decode  # Booqable's models, as the facades decode
from booqable_async.transport import HttpRequest, HttpResponse, MockTransport

ROUNDS = 7
CALLS = 300


def _order(i: int) -> dict[str, object]:
    return {
        "id": f"{i:08d}-3d7a-4d23-876c-f0ba1a481bb7",
        "type": "orders",
        "attributes": {
            "created_at": "2025-07-09T12:28:41.116160+00:00",
            "number": i,
            "status": "reserved",
            "starts_at": "2024-01-01T00:00:00.000000+00:00",
            "stops_at": "2024-01-02T00:00:00.000000+00:00",
            "amount_in_cents": 12345,
            "tag_list": ["a", "b"],
        },
        "relationships": {"customer": {"data": {"type": "customers", "id": "c1"}}},
    }


CUSTOMER = {"id": "c1", "type": "customers", "attributes": {"name": "Jane"}}
PAGE = orjson.dumps(
    {
        "data": [_order(i) for i in range(25)],
        "included": [CUSTOMER],
        "meta": {"stats": {"total": {"count": 25}}},
    }
)
ONE = orjson.dumps({"data": _order(1), "included": [CUSTOMER], "meta": {}})
HEADERS = {"Content-Type": "application/vnd.api+json"}


def _answer(request: HttpRequest) -> HttpResponse:
    body = ONE if "/orders/" in request.url else PAGE
    return HttpResponse(200, HEADERS, body)


async def _time(call: Callable[[], Awaitable[object]]) -> float:
    started = time.perf_counter()
    for _ in range(CALLS):
        await call()
    return (time.perf_counter() - started) / CALLS


async def _run() -> None:
    client = BooqableClient(
        company="acme", token="t", transport=MockTransport(_answer), rate_limit=False
    )
    session = client.session
    query = Query().where(status="reserved").include("customer").page(size=25)
    params = query.stats(total="count").page(number=1).to_params()

    async def facade_list() -> object:
        return await client.orders.list(query)

    async def raw_list() -> object:
        response = await session.request("GET", "orders", params=params, parse=False)
        return decode(response.body)

    async def facade_get() -> object:
        return await client.orders.get("o1", include="customer")

    async def raw_get() -> object:
        response = await session.request(
            "GET", ("orders", "o1"), params=[("include", "customer")], parse=False
        )
        return decode(response.body)

    pairs = {
        "list (25 orders + customer)": (facade_list, raw_list),
        "get (1 order + customer)": (facade_get, raw_get),
    }
    results: dict[str, tuple[list[float], list[float]]] = {k: ([], []) for k in pairs}
    for _ in range(ROUNDS):
        for name, (ours, floor) in pairs.items():
            results[name][0].append(await _time(ours))
            results[name][1].append(await _time(floor))
    print(f"median of {ROUNDS} rounds x {CALLS} calls over MockTransport:")
    for name, (ours, floor) in results.items():
        a, b = statistics.median(ours), statistics.median(floor)
        print(
            f"  {name:<30} facade {a * 1e6:7.0f} us  session+decode {b * 1e6:7.0f} us"
            f"  ratio {a / b:4.2f}"
        )
    emit(
        Row(
            "facades",
            f"client.orders {name}, MockTransport",
            us(statistics.median(ours)),
            f"session + decode by hand {us(statistics.median(floor))}",
            times(statistics.median(ours) / statistics.median(floor)),
        )
        for name, (ours, floor) in results.items()
    )
    await client.aclose()


def main() -> None:
    asyncio.run(_run())


if __name__ == "__main__":
    main()
