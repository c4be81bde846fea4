"""``booqable sync`` into DuckDB against pulling the same records to JSON Lines.

A fake company of 100,000 orders (with their customers and lines) is served from another
process over loopback. Each client run happens in a fresh process of its own, so its CPU
time and peak memory are its alone:

* **floor**: what a sync process holds before it reads anything: the imports (the
  client, dlt, DuckDB) and an open DuckDB database with the sync's settings;
* **pull**: the three resources read with the library's paginator (4 pages in flight
  each, all three at once) and written to JSON Lines, as ``booqable pull`` does;
* **sync**: the same three resources synced into a new DuckDB file (``SyncJob``: dlt
  extract, normalize, load); peak resident memory (RSS, sampled every 10 ms, and
  ``ru_maxrss``) while reading and while loading;
* **incremental**: after 1 % of the orders changed (updated through the API), the sync
  again: its requests against the changed pages plus one per resource.

With ``BENCH_SYNC_TRACE=1`` a second first sync runs under ``tracemalloc`` (about three
times slower) and reports the peak of the Python heap while reading and while loading;
RSS minus that is native memory (DuckDB, the interpreter, imported code).

Usage: ``python benchmarks/bench_sync.py`` (``BENCH_SYNC_ORDERS=20000`` for a quick run).
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _results import Row, emit, times
from _serve import server_process

ORDERS = int(os.environ.get("BENCH_SYNC_ORDERS", "100000"))
CUSTOMERS = max(ORDERS // 10, 10)
RESOURCES = ("customers", "orders", "lines")
CHANGED = ORDERS // 100
TRACE = os.environ.get("BENCH_SYNC_TRACE") == "1"

SERVER = """
import sys
from _serve import serve_forever
from booqable_async.testing import FakeBooqable

orders, customers = int(sys.argv[1]), int(sys.argv[2])
fake = FakeBooqable.demo(seed=1, orders=orders, customers=customers, product_groups=50,
                         require_auth=False)
serve_forever(fake.app(), fake.count("lines"))
"""


def _usage() -> dict[str, float]:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {"cpu": usage.ru_utime + usage.ru_stime, "peak_mb": usage.ru_maxrss / 1024}


def _rss_mb() -> float:
    """Resident memory now (Linux: /proc; elsewhere the peak so far)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return _usage()["peak_mb"]


class _Peaks:
    """Peak RSS (sampled) and, when tracing, peak Python heap, per phase of a run."""

    def __init__(self) -> None:
        self.phase = "reading"
        self.rss: dict[str, float] = {}
        self.heap: dict[str, float] = {}
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._done.wait(0.01):
            now = _rss_mb()
            self.rss[self.phase] = max(self.rss.get(self.phase, 0.0), now)

    def switch(self, phase: str) -> None:
        if tracemalloc.is_tracing():
            self.heap[self.phase] = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.reset_peak()
        self.phase = phase

    def stop(self) -> dict[str, dict[str, float]]:
        self.switch("done")
        self._done.set()
        self._thread.join()
        return {"rss_mb": self.rss, "heap_mb": self.heap}


async def _pull(base_url: str, out: Path) -> int:
    import orjson

    from booqable_async import BooqableClient, Query
    from booqable_async.jsonapi import to_dict

    async with BooqableClient(base_url=base_url, token="unused", rate_limit=False) as client:

        async def one(name: str) -> int:
            count = 0
            with (out / f"{name}.jsonl").open("wb") as f:
                query = Query().page(size=100)
                async for record in client.resource(name).list(query, concurrency=4):
                    f.write(orjson.dumps(to_dict(record)) + b"\n")
                    count += 1
            return count

        counts = await asyncio.gather(*(one(name) for name in RESOURCES))
    return sum(counts)


def _sync(base_url: str, out: Path, before_load: Callable[[], object]) -> tuple[int, int, int]:
    from booqable_async.sync import SyncJob, client_factory, duckdb_destination

    job = SyncJob(
        client=client_factory(base_url=base_url, token="unused", rate_limit=False),
        company="bench",
        destination=duckdb_destination(out / "bench.duckdb"),
        resources=RESOURCES,
        pipelines_dir=out / "pipelines",
    )
    report = job.run(before_load=before_load)
    for r in report.resources:
        print(f"{r.resource}: {r.mode}, {r.requests} requests, {r.written} rows", file=sys.stderr)
    return report.written, report.requests, len(report.resources)


def _floor(out: Path) -> None:
    """Load what a sync process loads and open its DuckDB database; read nothing."""
    import duckdb

    import booqable_async  # noqa: F401 - measured: the client's imports
    from booqable_async.sync import duckdb_destination

    destination = duckdb_destination(out / "floor.duckdb")
    settings = destination.dlt().config_params["credentials"].global_config
    with duckdb.connect(str(destination.path), config=settings) as connection:
        connection.execute("SELECT 1").fetchall()
        print(f"floor: imports and DuckDB open: {_rss_mb():.0f} MB", file=sys.stderr)


def child(variant: str, base_url: str, out: str) -> None:
    """One measured client run; prints a JSON line."""
    where = Path(out)
    if variant == "traced":
        tracemalloc.start()
    peaks = _Peaks()
    started = time.perf_counter()
    if variant == "floor":
        _floor(where)
        records, requests, resources = 0, 0, 0
    elif variant == "pull":
        records, requests, resources = asyncio.run(_pull(base_url, where)), 0, len(RESOURCES)
    else:
        records, requests, resources = _sync(base_url, where, lambda: peaks.switch("loading"))
    wall = time.perf_counter() - started
    print(
        json.dumps(
            {"records": records, "requests": requests, "resources": resources, "wall": wall}
            | _usage()
            | peaks.stop()
        )
    )


def _run(variant: str, base_url: str, out: Path) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", variant, base_url, str(out)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "RUNTIME__DLTHUB_TELEMETRY": "false"},
    )
    print(done.stderr.strip(), file=sys.stderr)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


async def _change_orders(base_url: str) -> None:
    from booqable_async import BooqableClient, Query

    async with BooqableClient(base_url=base_url, token="unused", rate_limit=False) as client:
        ids = [
            o.id async for o in client.orders.list(Query().page(size=100).fields(orders=["number"]))
        ]
        step = len(ids) // CHANGED
        chosen = ids[::step][:CHANGED]
        semaphore = asyncio.Semaphore(8)

        async def change(order_id: str) -> None:
            async with semaphore:
                await client.orders.update(order_id, tag_list=["bench-changed"])

        await asyncio.gather(*(change(i) for i in chosen))


def main() -> None:
    with (
        server_process(SERVER, str(ORDERS), str(CUSTOMERS)) as words,
        tempfile.TemporaryDirectory() as tmp,
    ):
        base_url = f"http://127.0.0.1:{words[0]}/api/4"
        lines = int(words[1])
        root = Path(tmp)
        for name in ("floor", "pull", "sync", "traced"):
            (root / name).mkdir()
        floor = _run("floor", base_url, root / "floor")
        pull = _run("pull", base_url, root / "pull")
        sync = _run("sync", base_url, root / "sync")
        traced = _run("traced", base_url, root / "traced") if TRACE else None
        asyncio.run(_change_orders(base_url))
        incremental = _run("sync", base_url, root / "sync")

    total = ORDERS + CUSTOMERS + lines
    pull_rate = pull["records"] / pull["wall"]
    sync_rate = sync["records"] / sync["wall"]
    changed_pages = math.ceil(CHANGED / 100)
    expected = changed_pages + len(RESOURCES)
    print(f"{ORDERS:,} orders, {CUSTOMERS:,} customers, {lines:,} lines ({total:,} records)")
    for label, run in (("pull to JSONL", pull), ("sync to DuckDB", sync)):
        print(
            f"  {label:<15} {run['records'] / run['wall']:>9,.0f} records/s  "
            f"wall {run['wall']:6.1f} s  client CPU {run['cpu']:6.1f} s "
            f"({run['cpu'] / run['records'] * 1e6:5.1f} µs/record)  peak {run['peak_mb']:5.0f} MB"
        )
    print(f"  sync / pull rate: {sync_rate / pull_rate:.2f}x (target >= 0.5x)")
    rss = sync["rss_mb"]
    print(
        f"  sync peak memory {sync['peak_mb']:.0f} MB (target <= 256 MB): RSS while reading "
        f"{rss.get('reading', 0):.0f} MB, while loading {rss.get('loading', 0):.0f} MB; floor "
        f"(imports + DuckDB open, nothing read) {floor['rss_mb'].get('reading', 0):.0f} MB"
    )
    if traced is not None:
        heap = traced["heap_mb"]
        print(
            f"  Python heap peak (tracemalloc) while reading {heap.get('reading', 0):.0f} MB, "
            f"while loading {heap.get('loading', 0):.0f} MB"
        )
    print(
        f"  incremental after {CHANGED:,} orders changed: {incremental['requests']:.0f} "
        f"requests (changed pages {changed_pages} + one per resource = {expected}), "
        f"{incremental['records']:.0f} rows written, {incremental['wall']:.1f} s"
    )
    emit(
        [
            Row(
                "sync",
                f"sync {total:,} records into DuckDB vs pull to JSONL: records/s",
                f"{sync_rate:,.0f}/s",
                f"{pull_rate:,.0f}/s",
                times(sync_rate / pull_rate),
                ">= 0.5x",
            ),
            Row(
                "sync",
                "client CPU per record, sync vs pull",
                f"{sync['cpu'] / sync['records'] * 1e6:.1f} µs",
                f"{pull['cpu'] / pull['records'] * 1e6:.1f} µs",
                times((sync["cpu"] / sync["records"]) / (pull["cpu"] / pull["records"])),
                "",
            ),
            Row(
                "sync",
                "peak memory of the sync process (ru_maxrss)",
                f"{sync['peak_mb']:.0f} MB",
                f"{pull['peak_mb']:.0f} MB (pull); "
                f"{floor['rss_mb'].get('reading', 0):.0f} MB (floor: imports + DuckDB open)",
                "",
                "<= 256 MB",
            ),
            Row(
                "sync",
                "incremental sync after 1 % of orders changed: requests",
                f"{incremental['requests']:.0f}",
                f"{expected} (changed pages + 1 per resource)",
                times(incremental["requests"] / expected),
                "1.0x",
            ),
        ]
    )


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        main()
