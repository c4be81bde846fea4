"""Memory while streaming 100,000 orders: the paginator's footprint must not grow with the pull.

A server in another process answers 1,000 pages of 100 orders, each with its customer
included (shapes rendered once by FakeBooqable, ids rewritten per page, so the client's
memory is measured alone). The client streams every order through
``client.orders.list(...)`` with 8 requests in flight (a prefetch window of 16 pages) and
drops each one after reading it, as a sync job writing records out would.

The client's resident set size (``/proc/self/statm``) is sampled after every page:

- before any request, then the baseline: after a warm-up pull of a few pages (imports,
  models, connection pool, the first prefetch window);
- at 10,000 orders and at 100,000 orders, and the peak over the whole pull.

Reported: peak growth over the baseline (target at most 64 MB) and growth between 10,000
and 100,000 orders (target flat: a few MB of allocator noise, not a slope). The same is
measured with ``dedupe=True``, whose id set is the one thing that grows by design.
"""

from __future__ import annotations

import asyncio
import gc
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _results import Row, emit
from _serve import server_process

from booqable_async import BooqableClient, Query

ORDERS = 100_000
SIZE = 100
IN_FLIGHT = 8
CHECKPOINT = 10_000
TOKEN = "bench-token"
MB = 1024 * 1024

SERVER = f"""
from urllib.parse import parse_qs

import orjson
from aiohttp import web

from booqable_async.testing import FakeBooqable
from booqable_async.transport import HttpRequest
from _serve import serve_forever

fake = FakeBooqable(seed=1, token={TOKEN!r})
customers = [fake.add("customers", name=f"Customer {{i}}", email=f"c{{i}}@example.com")["id"]
             for i in range(500)]
for i in range({SIZE}):
    fake.add("orders", number=i + 1, customer_id=customers[(i * 7) % 500],
             status="reserved", price_in_cents=1000 + i, tag_list=["bench"])
url = (f"{{fake.base_url}}/orders?include=customer&stats%5Btotal%5D%5B%5D=count"
       f"&page%5Bsize%5D={SIZE}")
outcome = fake.handle(HttpRequest("GET", url, {{"Authorization": "Bearer {TOKEN}"}}))
assert outcome.response.status == 200, outcome.response.body[:200]
TEMPLATE = orjson.loads(outcome.response.body)
TEMPLATE["meta"] = {{"stats": {{"total": {{"count": {ORDERS}}}}}}}
PAGES = {ORDERS // SIZE}
HEADERS = {{"Content-Type": "application/vnd.api+json", "X-Ratelimit-Limit": "1000000",
           "X-Ratelimit-Period": "60", "X-Ratelimit-Remaining": "999999"}}


async def page(request):
    query = parse_qs(request.query_string)
    number = int(query.get("page[number]", ["1"])[0])
    document = dict(TEMPLATE)
    if number > PAGES:
        document["data"] = []
    else:
        document["data"] = [
            {{**order, "id": f"00000000-0000-4000-8000-{{(number - 1) * {SIZE} + i:012d}}",
              "attributes": {{**order["attributes"], "number": (number - 1) * {SIZE} + i + 1}}}}
            for i, order in enumerate(TEMPLATE["data"])
        ]
    return web.Response(body=orjson.dumps(document), headers=HEADERS)


app = web.Application()
app.router.add_get("/api/4/orders", page)
serve_forever(app)
"""


def rss() -> int:
    """The resident set size of this process, in bytes (Linux)."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


async def stream(base: str, *, dedupe: bool) -> dict[str, int]:
    """Stream every order; return RSS figures (bytes) and how many orders came."""
    query = Query().include("customer").page(size=SIZE)
    async with BooqableClient(base_url=base, token=TOKEN) as client:
        gc.collect()
        cold = rss()
        # Warm up: imports, model classes, the connection pool.
        await client.orders.list(query, concurrency=IN_FLIGHT).collect(limit=3 * SIZE)
        gc.collect()
        baseline = peak = rss()
        at_checkpoint = 0
        count = linked = 0
        async for page in client.orders.list(query, concurrency=IN_FLIGHT, dedupe=dedupe).pages():
            for order in page.data:
                count += 1
                linked += order.customer is not None
            del page
            now = rss()
            peak = max(peak, now)
            if not at_checkpoint and count >= CHECKPOINT:
                at_checkpoint = now
        at_end = rss()
    return {
        "count": count,
        "linked": linked,
        "cold": cold,
        "baseline": baseline,
        "checkpoint": at_checkpoint,
        "end": at_end,
        "peak": peak,
    }


def main() -> None:
    if not os.path.exists("/proc/self/statm"):
        print("bench_memory needs Linux (/proc/self/statm); skipped")
        return
    with server_process(SERVER) as (port,):
        base = f"http://127.0.0.1:{port}/api/4"
        results = {
            "streaming": asyncio.run(stream(base, dedupe=False)),
            "streaming, dedupe=True": asyncio.run(stream(base, dedupe=True)),
        }
    rows = []
    for name, r in results.items():
        assert r["count"] == ORDERS == r["linked"], (name, r)
        growth = (r["peak"] - r["baseline"]) / MB
        from_cold = (r["peak"] - r["cold"]) / MB
        slope = (r["end"] - r["checkpoint"]) / MB
        print(
            f"{name:24} {r['count']:,} orders: before any request {r['cold'] / MB:6.1f} MB, "
            f"after warm-up {r['baseline'] / MB:6.1f} MB, "
            f"at {CHECKPOINT:,} {r['checkpoint'] / MB:6.1f} MB, at {ORDERS:,} "
            f"{r['end'] / MB:6.1f} MB, peak {r['peak'] / MB:6.1f} MB -> peak growth "
            f"{growth:5.1f} MB ({from_cold:5.1f} MB over the cold start), "
            f"{CHECKPOINT:,} to {ORDERS:,}: {slope:+5.1f} MB"
        )
        rows.append(
            Row(
                "memory",
                f"RSS while streaming {ORDERS:,} orders + customers over 127.0.0.1, "
                f"{IN_FLIGHT} in flight ({name}): peak growth over the baseline; "
                f"change from {CHECKPOINT:,} to {ORDERS:,} orders",
                f"{growth:.1f} MB peak growth ({from_cold:.1f} MB from a cold client); "
                f"{slope:+.1f} MB",
                f"baseline after warm-up {r['baseline'] / MB:.1f} MB",
                "",
                "≤ 64 MB; flat" if name == "streaming" else "",
            )
        )
    emit(rows)


if __name__ == "__main__":
    main()
