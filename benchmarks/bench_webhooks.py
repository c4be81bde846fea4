"""Webhook receiver: throughput and latency under a burst, next to a bare aiohttp handler.

Two servers, each in its own process on 127.0.0.1, receive the same deliveries (a v4
``order.updated`` payload with a customer and three lines nested, about 1 KB):

- **receiver**: ``WebhookReceiver.aiohttp_app()``: secret check, method, content type, size
  cap while reading, ``parse_event`` into the typed ``Order``, de-duplication, queueing,
  and a background handler that only counts;
- **bare**: an aiohttp handler that reads the body and ``orjson.loads`` it, nothing else.

Measured side by side in one run (ratios, not absolute targets):

- latency p50/p99 of deliveries sent at 500 per second (the burst the tests hold to);
- throughput flat out (32 deliveries in flight), in deliveries per second.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import socket
import statistics
import time
from collections.abc import Callable

import aiohttp
import orjson
from _results import Row, emit, ms

SECRET = "bench-secret-0123456789abcdef"
BURST_RATE = 500.0
BURST_COUNT = 1500
FLAT_OUT_COUNT = 3000
IN_FLIGHT = 32


def _payload(n: int) -> bytes:
    lines = [
        {
            "id": f"line-{n}-{k}",
            "title": f"Tent {k}",
            "quantity": 2,
            "price_each_in_cents": 1500,
            "price_in_cents": 3000,
            "created_at": "2025-07-09T09:22:00.000000+00:00",
        }
        for k in range(3)
    ]
    order = {
        "id": f"order-{n}",
        "number": n,
        "status": "reserved",
        "starts_at": "2025-07-10T09:00:00.000000+00:00",
        "stops_at": "2025-07-12T17:00:00.000000+00:00",
        "created_at": "2025-07-09T09:20:00.000000+00:00",
        "updated_at": "2025-07-09T09:22:00.000000+00:00",
        "grand_total_in_cents": 9000,
        "properties": {"delivery_address": None, "billing_address": None},
        "tag_list": ["web"],
        "customer": {"id": f"customer-{n % 50}", "name": "Jane Doe", "email": "j@example.com"},
        "lines": lines,
        "notes": [],
        "plannings": [],
        "tax_values": [],
    }
    return orjson.dumps(
        {
            "id": f"delivery-{n}",
            "created_at": "2025-07-09T09:22:00.952147+00:00",
            "event": "order.updated",
            "resource_type": "orders",
            "data": order,
        }
    )


def _serve_receiver(port: int) -> None:
    from aiohttp import web

    from booqable_async.webhooks import WebhookEvent, WebhookReceiver

    handled = 0

    async def handler(event: WebhookEvent) -> None:
        nonlocal handled
        handled += 1

    receiver = WebhookReceiver(handler, secret=SECRET, max_pending=10_000)
    web.run_app(receiver.aiohttp_app(), host="127.0.0.1", port=port, print=None, access_log=None)


def _serve_bare(port: int) -> None:
    from aiohttp import web

    async def handle(request: web.Request) -> web.Response:
        orjson.loads(await request.read())
        return web.Response(body=b'{"status":"accepted"}', content_type="application/json")

    app = web.Application()
    app.router.add_post("/{tail:.*}", handle)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _wait_up(url: str) -> None:
    async with aiohttp.ClientSession() as http:
        for _ in range(200):
            try:
                async with http.get(url) as response:
                    await response.read()
                    return
            except aiohttp.ClientError:
                await asyncio.sleep(0.05)
    raise SystemExit(f"server at {url} did not start")


async def _burst(url: str, bodies: list[bytes], rate: float | None) -> tuple[list[float], float]:
    """Send every body (paced at ``rate`` per second, or flat out); return latencies, wall."""
    headers = {"Content-Type": "application/json"}
    latencies: list[float] = []
    connector = aiohttp.TCPConnector(limit=IN_FLIGHT if rate is None else 256)
    async with aiohttp.ClientSession(connector=connector) as http:
        loop = asyncio.get_running_loop()
        start = loop.time()
        gate = asyncio.Semaphore(IN_FLIGHT)

        async def one(n: int) -> None:
            if rate is not None:
                await asyncio.sleep(max(0.0, start + n / rate - loop.time()))
            async with gate if rate is None else contextlib.nullcontext():
                sent = time.perf_counter()
                async with http.post(url, data=bodies[n], headers=headers) as response:
                    await response.read()
                    if response.status != 200:
                        raise SystemExit(f"{url}: status {response.status}")
                latencies.append(time.perf_counter() - sent)

        await asyncio.gather(*(one(n) for n in range(len(bodies))))
        return latencies, loop.time() - start


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _round(url: str, base: int) -> dict[str, float]:
    burst = [_payload(base + n) for n in range(BURST_COUNT)]
    flat = [_payload(base + 500_000 + n) for n in range(FLAT_OUT_COUNT)]
    latencies, _ = asyncio.run(_burst(url, burst, BURST_RATE))
    _, wall = asyncio.run(_burst(url, flat, None))
    return {
        "p50": statistics.median(latencies),
        "p99": _percentile(latencies, 0.99),
        "throughput": FLAT_OUT_COUNT / wall,
    }


def _side_by_side(
    targets: dict[str, Callable[[int], None]], rounds: int = 3
) -> dict[str, dict[str, float]]:
    """Serve each target in its own process; interleave their rounds; keep each one's best."""
    context = multiprocessing.get_context("spawn")
    urls: dict[str, str] = {}
    processes = []
    try:
        for label, target in targets.items():
            port = _free_port()
            process = context.Process(target=target, args=(port,))
            process.start()
            processes.append(process)
            urls[label] = f"http://127.0.0.1:{port}/booqable/{SECRET}"
            asyncio.run(_wait_up(urls[label]))
        best: dict[str, dict[str, float]] = {}
        for r in range(rounds):
            for label, url in urls.items():
                result = _round(url, 1_000_000 * (r + 1))
                print(
                    f"  round {r + 1} {label}: p50 {result['p50'] * 1000:.2f} ms, "
                    f"p99 {result['p99'] * 1000:.2f} ms, {result['throughput']:.0f} deliveries/s"
                )
                if label not in best or result["throughput"] > best[label]["throughput"]:
                    best[label] = result
        return best
    finally:
        for process in processes:
            process.terminate()
            process.join(10)


def main() -> None:
    print(
        f"webhooks: {BURST_COUNT} deliveries at {BURST_RATE:.0f}/s, then {FLAT_OUT_COUNT} "
        f"flat out ({IN_FLIGHT} in flight); payload {len(_payload(1))} bytes"
    )
    best = _side_by_side({"bare": _serve_bare, "receiver": _serve_receiver})
    bare, receiver = best["bare"], best["receiver"]
    ratio = receiver["throughput"] / bare["throughput"]
    print(
        f"receiver / bare: throughput {ratio:.2f}x, p50 {receiver['p50'] / bare['p50']:.2f}x, "
        f"p99 {receiver['p99'] / bare['p99']:.2f}x"
    )
    emit(
        [
            Row(
                "webhooks",
                f"latency at {BURST_RATE:.0f} deliveries/s (p50 / p99)",
                f"{ms(receiver['p50'])} / {ms(receiver['p99'])}",
                f"bare aiohttp handler {ms(bare['p50'])} / {ms(bare['p99'])}",
                f"{receiver['p50'] / bare['p50']:.2f}x / {receiver['p99'] / bare['p99']:.2f}x",
                "500/s burst: nothing lost, memory bounded (tests)",
            ),
            Row(
                "webhooks",
                f"throughput flat out ({IN_FLIGHT} in flight)",
                f"{receiver['throughput']:.0f} deliveries/s",
                f"bare aiohttp handler {bare['throughput']:.0f}/s",
                f"{ratio:.2f}x",
            ),
        ]
    )


if __name__ == "__main__":
    main()
