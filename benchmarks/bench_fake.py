"""FakeBooqable: demo generation cost and request cost, in process vs over loopback HTTP.

Prints ratios measured side by side in one run (and the raw numbers for context):

- demo generation at 1/4 size vs full size (should scale linearly: ratio ~4);
- one list request (100 orders, include=customer, stats total) in process vs over
  127.0.0.1 with aiohttp (the HTTP overhead factor);
- paging without filters: the last page against the first, for orders (listed newest
  first) and the computed resources (item prices, inventory levels, inventory breakdowns,
  a month of availabilities): a ratio near 1 means a page costs the same wherever it is
  (no quadratic pull).
"""

from __future__ import annotations

import asyncio
import statistics
import time

import aiohttp
import orjson
from _results import Row, emit, ms, times

from booqable_async.testing import FakeBooqable
from booqable_async.transport import HttpRequest

PATH = "/api/4/orders?include=customer&page[size]=100&stats[total]=count"


def _seed_seconds(orders: int, customers: int, groups: int, rounds: int = 3) -> float:
    samples = []
    for _ in range(rounds):
        fake = FakeBooqable()
        start = time.perf_counter()
        fake.seed_demo(orders=orders, customers=customers, product_groups=groups)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


async def _requests(fake: FakeBooqable, rounds: int) -> tuple[float, float]:
    headers = {"Authorization": f"Bearer {fake.token}"}
    request = HttpRequest("GET", f"{fake.base_url}{PATH[len('/api/4') :]}", headers)
    async with fake.transport() as transport:
        await transport.send(request)
        start = time.perf_counter()
        for _ in range(rounds):
            await transport.send(request)
        in_process = (time.perf_counter() - start) / rounds
    async with fake.serve() as served, aiohttp.ClientSession() as session:
        url = f"{served.base_url}{PATH[len('/api/4') :]}"
        async with session.get(url, headers=headers) as r:
            await r.read()
        start = time.perf_counter()
        for _ in range(rounds):
            async with session.get(url, headers=headers) as r:
                await r.read()
        over_http = (time.perf_counter() - start) / rounds
    return in_process, over_http


PAGED = {
    "orders (newest first)": "orders?page[size]=25",
    "item_prices": "item_prices?filter[from]=2025-01-01T00:00:00Z"
    "&filter[till]=2025-01-08T00:00:00Z&page[size]=25",
    "inventory_levels": "inventory_levels?filter[from]=2025-01-01T00:00:00Z"
    "&filter[till]=2025-01-08T00:00:00Z&page[size]=25",
    "inventory_breakdowns": "inventory_breakdowns?filter[status]=in_stock&page[size]=25",
}


def _page_seconds(fake: FakeBooqable, path: str, number: int, rounds: int = 15) -> float:
    headers = {"Authorization": f"Bearer {fake.token}"}
    request = HttpRequest("GET", f"{fake.base_url}/{path}&page[number]={number}", headers)
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        response = fake.handle(request).response
        samples.append(time.perf_counter() - start)
        assert response.status == 200, response.body[:200]
    return statistics.median(samples)


def _paging(fake: FakeBooqable) -> list[tuple[str, float, float, int]]:
    out = []
    for name, path in PAGED.items():
        headers = {"Authorization": f"Bearer {fake.token}"}
        probe = HttpRequest("GET", f"{fake.base_url}/{path}&stats[total]=count", headers)
        total = orjson.loads(fake.handle(probe).response.body)["meta"]["stats"]["total"]["count"]
        last = max(1, -(-total // 25))
        out.append((name, _page_seconds(fake, path, 1), _page_seconds(fake, path, last), total))
    return out


def main() -> None:
    quarter = _seed_seconds(500, 125, 13)
    full = _seed_seconds(2000, 500, 50)
    print(f"demo generation: full size {full * 1000:.0f} ms, quarter size {quarter * 1000:.0f} ms")
    print(f"  full / quarter ratio: {full / quarter:.2f} (4.0 = linear)")
    fake = FakeBooqable.demo()
    in_process, over_http = asyncio.run(_requests(fake, 30))
    print(
        f"list 100 orders + customers + stats: in process {in_process * 1000:.1f} ms, "
        f"over 127.0.0.1 {over_http * 1000:.1f} ms"
    )
    print(f"  HTTP / in-process ratio: {over_http / in_process:.2f}")
    paging = _paging(fake)
    for name, first, last, total in paging:
        print(
            f"{name} ({total} rows, 25 a page): first page {first * 1000:.2f} ms, "
            f"last page {last * 1000:.2f} ms, last / first {last / first:.2f}"
        )
    emit(
        [
            Row(
                "fake",
                "demo company (2,000 orders...) generation",
                ms(full),
                f"quarter size {ms(quarter)}",
                times(full / quarter),
                "≈ 4x (linear)",
            ),
            Row(
                "fake",
                "list 100 orders + customers + stats over 127.0.0.1",
                ms(over_http),
                f"in process {ms(in_process)}",
                times(over_http / in_process),
            ),
            *(
                Row(
                    "fake",
                    f"last page of {name} ({total} rows), no filter",
                    ms(last),
                    f"first page {ms(first)}",
                    times(last / first),
                    "≈ 1x (no quadratic paging)",
                )
                for name, first, last, total in paging
            ),
        ]
    )


if __name__ == "__main__":
    main()
