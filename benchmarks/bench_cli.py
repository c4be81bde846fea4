"""``booqable pull``: what exporting and writing cost next to fetching and decoding.

Pulls every order of the demo company (2,000, include=customer, 100 per page) in process
from FakeBooqable, side by side in one run:

- the bare paginator (fetch + decode every page, records dropped): the floor;
- ``booqable pull``'s pipeline into JSON Lines, CSV and a JSON array (export with
  ``to_dict``, encode, write, per-page flush and resume checkpoint).

Prints each median and its ratio to the floor.
"""

from __future__ import annotations

import asyncio
import io
import statistics
import tempfile
import time
from pathlib import Path

from _results import Row, emit, ms, times

from booqable_async import BooqableClient, Query
from booqable_async.cli._connect import Backend
from booqable_async.cli._pull import PullOptions, pull
from booqable_async.cli._resume import default_resume_file
from booqable_async.testing import FakeBooqable

QUERY = Query().include("customer").page(size=100)
ROUNDS = 5


async def _floor(fake: FakeBooqable) -> float:
    transport = fake.transport()
    async with BooqableClient(base_url=fake.base_url, token=fake.token, transport=transport) as c:
        start = time.perf_counter()
        async for page in c.orders.list(QUERY).pages():
            assert page.data
        return time.perf_counter() - start


async def _pull(fake: FakeBooqable, fmt: str, out: Path) -> float:
    transport = fake.transport()
    client = BooqableClient(base_url=fake.base_url, token=fake.token, transport=transport)
    backend = Backend(client, cleanup=(transport,))
    options = PullOptions(
        resource="orders",
        query=QUERY,
        format=fmt,
        out=out,
        resume_file=default_resume_file(out),
    )
    start = time.perf_counter()
    await pull(backend, options, io.StringIO(), progress=False)
    elapsed = time.perf_counter() - start
    await backend.aclose()
    return elapsed


def _median(runs: list[float]) -> float:
    return statistics.median(runs)


def main() -> None:
    fake = FakeBooqable.demo()
    with tempfile.TemporaryDirectory() as tmp:
        results: dict[str, list[float]] = {"paginator only": [], "jsonl": [], "csv": [], "json": []}
        for _ in range(ROUNDS):  # interleaved, so drift hits every variant alike
            results["paginator only"].append(asyncio.run(_floor(fake)))
            for fmt in ("jsonl", "csv", "json"):
                out = Path(tmp) / f"orders.{fmt}"
                results[fmt].append(asyncio.run(_pull(fake, fmt, out)))
    floor = _median(results["paginator only"])
    records = fake.count("orders")
    rows = []
    for name, runs in results.items():
        median = _median(runs)
        print(
            f"{name:>15}: {median * 1000:7.0f} ms for {records} orders "
            f"({records / median:,.0f} records/s), {median / floor:.2f}x the paginator"
        )
        if name != "paginator only":
            rows.append(
                Row(
                    "cli",
                    f"booqable pull of {records:,} demo orders + customers to {name} "
                    "(in process, median)",
                    ms(median),
                    f"the paginator alone {ms(floor)}",
                    times(median / floor),
                )
            )
    emit(rows)


if __name__ == "__main__":
    main()
