"""Sync workers for many companies: aggregate throughput with 1, 2 and 4 worker processes.

Twenty fake companies, each with its own rate budget (30 requests per 4 s: Booqable's
smallest plans, shortened so a run takes seconds), are served over loopback from the
benchmark's process; a real redis-server holds the queue and the shared budgets. For 1, 2
and 4 ``booqable worker`` processes (10 syncs at once each), every company's sync is
queued (``booqable schedule run``) and timed until all are done:

* **aggregate throughput** (requests per second over all companies): budget-bound, it
  should sit near 20 x 7.5 = 150 requests/s whatever the number of workers, as long as
  the workers have CPU to spare;
* **CPU per request per worker**: the workers' CPU time (user + system, from the kernel's
  accounting of the child processes) over the requests they made; each request is one
  page of records read, written into DuckDB by dlt.

From the CPU per request, docs/deployment.md sizes a deployment: one worker core serves
``60 / (cpu_per_request * rate_per_minute)`` companies syncing continuously at a
budget of ``rate_per_minute``.

Usage: ``python benchmarks/bench_workers.py`` (``BENCH_WORKERS_COMPANIES=10`` for less).
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _results import Row, emit

from booqable_async.testing import FakeBooqable

COMPANIES = int(os.environ.get("BENCH_WORKERS_COMPANIES", "20"))
LIMIT, PERIOD = 30, 4.0
SIZE = {"orders": 120, "customers": 20, "product_groups": 4}
RESOURCES = ["customers", "orders", "lines"]
BOOQABLE = str(Path(sys.executable).with_name("booqable"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_redis(workdir: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = subprocess.Popen(
        [
            shutil.which("redis-server") or "redis-server",
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--dir",
            str(workdir),
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(200):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process, f"redis://127.0.0.1:{port}/0"
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("redis-server did not start")


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


async def one_run(workers: int, tmp: Path) -> dict[str, float]:
    redis, url = start_redis(tmp)
    fakes = [
        FakeBooqable.demo(seed=i, company=f"co{i}", rate_limit=(LIMIT, PERIOD), **SIZE)
        for i in range(COMPANIES)
    ]
    served = [await fake.serve().start() for fake in fakes]
    lines = [
        "[defaults]",
        'schedule = "0 3 * * *"',
        f'database = "{tmp}/db/{{company}}.duckdb"',
        f'pipelines_dir = "{tmp}/pipelines"',
        f"resources = {json.dumps(RESOURCES)}",
        "page_size = 5",
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOOQABLE_")}
    env["RUNTIME__DLTHUB_TELEMETRY"] = "false"
    for i, (fake, server) in enumerate(zip(fakes, served, strict=True)):
        lines += [
            "[[tenants]]",
            f'company = "co{i}"',
            f'base_url = "{server.base_url}"',
            f'token_env = "TOKEN_{i}"',
        ]
        env[f"TOKEN_{i}"] = fake.token
    (tmp / "db").mkdir()
    config = tmp / "tenants.toml"
    config.write_text("\n".join(lines) + "\n")
    queue = ["--redis", url, "--config", str(config)]
    cpu_before = children_cpu()
    processes = [
        await asyncio.create_subprocess_exec(
            BOOQABLE, "worker", *queue, "--concurrency", "10", "--log-level", "error", env=env
        )
        for _ in range(workers)
    ]
    try:
        await asyncio.sleep(1.0)  # let the workers import dlt and connect
        started = time.monotonic()
        run = await asyncio.create_subprocess_exec(
            BOOQABLE, "schedule", "run", *queue, env=env, stdout=asyncio.subprocess.DEVNULL
        )
        await run.wait()
        from redis.asyncio import Redis

        client = Redis.from_url(url)
        try:
            while True:
                stored = await client.hgetall("booqable:workers:booqable:status")
                done = sum(json.loads(v)["state"] == "ok" for v in stored.values())
                if done == COMPANIES:
                    break
                if time.monotonic() - started > 600:
                    raise RuntimeError(f"only {done} of {COMPANIES} companies finished")
                await asyncio.sleep(0.1)
        finally:
            await client.aclose()
        wall = time.monotonic() - started
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            await process.wait()
        for server in served:
            await server.stop()
        redis.terminate()
        redis.wait()
    cpu = children_cpu() - cpu_before
    requests = sum(len(f.requests) for f in fakes)
    limited = sum(1 for f in fakes for r in f.requests if r.status == 429)
    return {"wall": wall, "requests": requests, "cpu": cpu, "limited": limited}


def main() -> None:
    results = {}
    for workers in (1, 2, 4):
        with tempfile.TemporaryDirectory() as tmp:
            results[workers] = asyncio.run(one_run(workers, Path(tmp)))
        r = results[workers]
        print(
            f"{workers} worker(s): {r['requests']:.0f} requests in {r['wall']:.1f} s = "
            f"{r['requests'] / r['wall']:.1f} req/s, {r['limited']:.0f} answered 429; "
            f"worker CPU {r['cpu']:.1f} s = {r['cpu'] / r['requests'] * 1000:.1f} ms/request",
            flush=True,
        )
    budget = COMPANIES * LIMIT / PERIOD
    cpu_per_request = min(r["cpu"] / r["requests"] for r in results.values())
    print(f"budget ceiling: {budget:.0f} requests/s for {COMPANIES} companies")
    for rate in (50, 100, 250):
        print(
            f"at {rate} requests/min, one worker core serves "
            f"{60 / (cpu_per_request * rate):.0f} companies syncing without pause"
        )
    emit(
        [
            Row(
                "workers",
                f"aggregate rate, {COMPANIES} companies, {w} worker(s)",
                f"{r['requests'] / r['wall']:.1f} req/s",
                f"budget ceiling {budget:.0f} req/s",
                f"{r['requests'] / r['wall'] / budget:.0%}",
                "budget-bound",
            )
            for w, r in results.items()
        ]
        + [
            Row(
                "workers",
                "worker CPU per request (page read, loaded by dlt)",
                f"{cpu_per_request * 1000:.1f} ms",
            )
        ]
    )


if __name__ == "__main__":
    main()
