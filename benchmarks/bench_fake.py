"""FakeBooqable: demo generation cost and request cost, in process vs over loopback HTTP.

Prints ratios measured side by side in one run (and the raw numbers for context):

- demo generation at 1/4 size vs full size (should scale linearly: ratio ~4);
- one list request (100 orders, include=customer, stats total) in process vs over
  127.0.0.1 with aiohttp (the HTTP overhead factor).
"""

from __future__ import annotations

import asyncio
import statistics
import time

import aiohttp
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
        ]
    )


if __name__ == "__main__":
    main()
