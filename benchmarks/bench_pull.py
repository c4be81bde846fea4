"""Pull throughput over loopback HTTP: our client against raw aiohttp + orjson.

A server in another process serves 60 pages of 100 orders with their customers included
(about 170 KB each), rendered once by FakeBooqable and then answered from memory, so the
server is never what limits the rate. Each variant pulls all 60 pages with 8 requests in
flight; rounds are interleaved and the best of each is kept:

- raw aiohttp + orjson: the same GETs at the same concurrency, parsed, nothing else (the
  floor any client pays); and the same keeping the last 16 parsed pages alive, as the
  paginator's prefetch window (2 x concurrency) does: what holding pages costs in memory
  traffic and garbage collection;
- ours, raw documents: ``Paginator`` over ``Session.request(parse=False)`` (auth,
  limiter, retries), each page a ``DeferredPage`` parsed when the consumer reaches it
  (the recipe in docs/pagination.md): JSON documents without model decoding;
- ours, typed: ``client.orders.list(...)``: every order a typed model linked to its
  customer (the facade defers each page's decoding the same way);
- qvantel's jsonapi-client (async mode, the same 8 in flight on explicit page numbers):
  its ``Document`` objects.

Everything runs twice: against a server that answers at once (only the client's CPU
limits the rate: the harshest comparison) and against one that answers each page after
25 ms (a fast API round trip; with 8 in flight the raw rate is then bounded by latency).

With the server answering at once, two more variants split the raw-document path into
stages, for the CPU breakdown in docs/performance.md: our transport alone
(``AiohttpTransport.send`` + ``orjson.loads``, the same gather as raw), and the whole
session without the paginator (``Session.request`` under the same gather).

Reported: pages per second (wall) and client CPU per page, each as a ratio to raw.
"""

from __future__ import annotations

import asyncio
import collections
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _results import Row, emit, ms, times
from _serve import server_process

from booqable_async import BooqableClient, Query
from booqable_async.pagination import DeferredPage, Page, Paginator

PAGES = 60
SIZE = 100
IN_FLIGHT = 8
ROUNDS = 5
#: Server think time per page: none (the harshest case: only the client's CPU limits the
#: rate), and 25 ms (a fast API round trip; Booqable's own answers take longer).
LATENCIES = (0.0, 0.025)
TOKEN = "bench-token"

# The server renders the pages with FakeBooqable once, then answers from memory with a
# rate-limit budget so large the client's limiter never waits.
SERVER = f"""
import asyncio
import sys
from urllib.parse import parse_qs

from aiohttp import web

from booqable_async.testing import FakeBooqable
from booqable_async.transport import HttpRequest
from _serve import serve_forever

fake = FakeBooqable(seed=1, token={TOKEN!r})
customers = [fake.add("customers", name=f"Customer {{i}}", email=f"c{{i}}@example.com")["id"]
             for i in range(500)]
for i in range({PAGES * SIZE}):
    fake.add("orders", number=i + 1, customer_id=customers[(i * 7) % 500],
             status="reserved", price_in_cents=1000 + i, tag_list=["bench"])
PAGES = {{}}
for number in range(1, {PAGES} + 1):
    url = (f"{{fake.base_url}}/orders?include=customer&stats%5Btotal%5D%5B%5D=count"
           f"&page%5Bnumber%5D={{number}}&page%5Bsize%5D={SIZE}")
    outcome = fake.handle(HttpRequest("GET", url, {{"Authorization": "Bearer {TOKEN}"}}))
    assert outcome.response.status == 200, outcome.response.body[:200]
    PAGES[number] = outcome.response.body
HEADERS = {{"Content-Type": "application/vnd.api+json", "X-Ratelimit-Limit": "1000000",
           "X-Ratelimit-Period": "60", "X-Ratelimit-Remaining": "999999"}}


LATENCY = float(sys.argv[1])


async def page(request):
    if LATENCY:
        await asyncio.sleep(LATENCY)
    number = int(parse_qs(request.query_string).get("page[number]", ["1"])[0])
    body = PAGES.get(number)
    if body is None:
        body = PAGES[1].replace(b'"data":[', b'"data":[],"x":[', 1)
    return web.Response(body=body, headers=HEADERS)


app = web.Application()
app.router.add_get("/api/4/orders", page)
serve_forever(app, len(PAGES[1]))
"""

Pull = Callable[[str], Awaitable[int]]


def _page_url(base: str, number: int) -> str:
    return (
        f"{base}/orders?include=customer&stats%5Btotal%5D%5B%5D=count"
        f"&page%5Bnumber%5D={number}&page%5Bsize%5D={SIZE}"
    )


async def raw_aiohttp(base: str) -> int:
    headers = {"Authorization": f"Bearer {TOKEN}", "Accept": "application/vnd.api+json"}
    gate = asyncio.Semaphore(IN_FLIGHT)
    async with aiohttp.ClientSession() as session:

        async def one(number: int) -> int:
            async with gate, session.get(_page_url(base, number), headers=headers) as response:
                return len(orjson.loads(await response.read())["data"])

        return sum(await asyncio.gather(*(one(n) for n in range(1, PAGES + 1))))


async def raw_aiohttp_holding(base: str) -> int:
    """Raw, but keeping the last 16 parsed pages alive as the paginator's prefetch does."""
    headers = {"Authorization": f"Bearer {TOKEN}", "Accept": "application/vnd.api+json"}
    gate = asyncio.Semaphore(IN_FLIGHT)
    held: collections.deque[Any] = collections.deque(maxlen=2 * IN_FLIGHT)
    async with aiohttp.ClientSession() as session:

        async def one(number: int) -> int:
            async with gate, session.get(_page_url(base, number), headers=headers) as response:
                document = orjson.loads(await response.read())
                held.append(document)
                return len(document["data"])

        return sum(await asyncio.gather(*(one(n) for n in range(1, PAGES + 1))))


async def ours_raw(base: str) -> int:
    async with BooqableClient(base_url=base, token=TOKEN) as client:
        session = client.session

        async def fetch(query: Query) -> DeferredPage[Any]:
            # Parsed when the paginator reaches the page (see docs/pagination.md).
            response = await session.request("GET", "orders", params=query.to_params(), parse=False)

            def decode() -> Page[Any]:
                payload = response.json()
                return Page(payload["data"], meta=payload.get("meta", {}))

            return DeferredPage(decode)

        query = Query().include("customer").page(size=SIZE)
        return sum([1 async for _ in Paginator(fetch, query, concurrency=IN_FLIGHT)])


async def ours_typed(base: str) -> int:
    async with BooqableClient(base_url=base, token=TOKEN) as client:
        query = Query().include("customer").page(size=SIZE)
        count = 0
        async for order in client.orders.list(query, concurrency=IN_FLIGHT):
            count += order.customer is not None
        return count


async def qvantel(base: str) -> int:
    from jsonapi_client import Modifier, Session  # type: ignore[import-not-found]

    session = Session(
        base,
        enable_async=True,
        request_kwargs={"headers": {"Authorization": f"Bearer {TOKEN}"}},
    )
    gate = asyncio.Semaphore(IN_FLIGHT)

    async def one(number: int) -> int:
        modifier = Modifier(f"include=customer&page[number]={number}&page[size]={SIZE}")
        async with gate:
            document = await session.get("orders", modifier)
        return len(document.resources)

    try:
        return sum(await asyncio.gather(*(one(n) for n in range(1, PAGES + 1))))
    finally:
        await session._aiohttp_session.close()


async def stage_transport(base: str) -> int:
    """Stage 1 of the raw-document path: our transport under raw's gather."""
    from booqable_async.transport import AiohttpTransport, HttpRequest

    headers = {"Authorization": f"Bearer {TOKEN}", "Accept": "application/vnd.api+json"}
    gate = asyncio.Semaphore(IN_FLIGHT)
    transport = AiohttpTransport()
    try:

        async def one(number: int) -> int:
            async with gate:
                response = await transport.send(
                    HttpRequest("GET", _page_url(base, number), headers)
                )
                return len(orjson.loads(response.body)["data"])

        return sum(await asyncio.gather(*(one(n) for n in range(1, PAGES + 1))))
    finally:
        await transport.aclose()


async def stage_session(base: str) -> int:
    """Stage 2: the whole session (auth, slots, limiter, retry policy) under the gather."""
    async with BooqableClient(base_url=base, token=TOKEN, max_concurrency=IN_FLIGHT) as client:
        session = client.session
        query = Query().include("customer").stats(total="count")

        async def one(number: int) -> int:
            params = query.page(number=number, size=SIZE).to_params()
            return len((await session.request("GET", "orders", params=params)).payload["data"])

        return sum(await asyncio.gather(*(one(n) for n in range(1, PAGES + 1))))


def variants(latency: float) -> dict[str, Pull]:
    found: dict[str, Pull] = {
        "raw aiohttp + orjson": raw_aiohttp,
        "raw, 16 pages held": raw_aiohttp_holding,
    }
    if not latency:
        found["stage: our transport"] = stage_transport
        found["stage: our session"] = stage_session
    found["ours, raw documents"] = ours_raw
    found["ours, typed models"] = ours_typed
    try:
        import jsonapi_client  # type: ignore[import-not-found]  # noqa: F401
    except ImportError:
        print("qvantel jsonapi-client: not installed (pip install -e '.[bench]')")
    else:
        found["qvantel jsonapi-client"] = qvantel
    return found


async def bench(base: str, latency: float) -> dict[str, tuple[float, float]]:
    pulls = variants(latency)
    for name, pull in pulls.items():  # warm up, and check every variant gets every order
        assert await pull(base) == PAGES * SIZE, name
    best = {name: (float("inf"), float("inf")) for name in pulls}
    for _ in range(ROUNDS):
        for name, pull in pulls.items():
            wall, cpu = time.perf_counter(), time.process_time()
            await pull(base)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            best[name] = (min(best[name][0], wall), min(best[name][1], cpu))
    return best


def main() -> None:
    rows: list[Row] = []
    for latency in LATENCIES:
        rows += measure(latency)
    emit(rows)


def measure(latency: float) -> list[Row]:
    """Run every variant against a server answering after ``latency`` seconds."""
    with server_process(SERVER, str(latency)) as (port, page_bytes):
        best = asyncio.run(bench(f"http://127.0.0.1:{port}/api/4", latency))
    raw_wall, raw_cpu = best["raw aiohttp + orjson"]
    regime = (
        f"server answering after {latency * 1000:.0f} ms"
        if latency
        else "server answering at once (client CPU is the limit)"
    )
    print(
        f"{PAGES} pages x {SIZE} orders + customers ({int(page_bytes) / 1000:.0f} KB a page), "
        f"{IN_FLIGHT} in flight, {regime}, best of {ROUNDS} interleaved rounds:"
    )
    rows = []
    targets = {"ours, typed models": "≥ 0.6x raw rate", "ours, raw documents": "≥ 0.9x raw rate"}
    what = {
        "raw, 16 pages held": "raw aiohttp + orjson keeping the last 16 pages (the prefetch)",
        "stage: our transport": "AiohttpTransport.send + orjson.loads (raw's gather)",
        "stage: our session": "Session.request (auth, limiter, retries; raw's gather)",
        "ours, raw documents": "Paginator + Session, raw JSON documents",
        "ours, typed models": "client.orders.list(): typed models linked to customers",
        "qvantel jsonapi-client": "qvantel jsonapi-client (async, explicit pages)",
    }
    for name, (wall, cpu) in best.items():
        rate = PAGES / wall
        print(
            f"  {name:24} {rate:7.1f} pages/s ({rate * SIZE:7.0f} orders/s)  "
            f"{rate * wall / PAGES * raw_wall / wall:5.2f}x raw rate   "
            f"client CPU {cpu / PAGES * 1000:6.2f} ms/page ({cpu / raw_cpu:5.2f}x raw)"
        )
        if name != "raw aiohttp + orjson":
            rows.append(
                Row(
                    "pull",
                    f"pull {PAGES} pages x {SIZE} orders + customers over 127.0.0.1, "
                    f"{IN_FLIGHT} in flight, {regime}: {what[name]} "
                    "(client CPU per page in brackets)",
                    f"{rate:.1f} pages/s ({ms(cpu / PAGES)})",
                    f"raw aiohttp + orjson {PAGES / raw_wall:.1f} pages/s ({ms(raw_cpu / PAGES)})",
                    f"{times(raw_wall / wall)} rate ({times(cpu / raw_cpu)} CPU)",
                    targets.get(name, ""),
                )
            )
    return rows


if __name__ == "__main__":
    main()
