"""Transport overhead: our transports against the bare backends, side by side in one run.

A local aiohttp.web server runs in a separate process on 127.0.0.1. Each variant sends the
same requests, interleaved round by round. The ratios compare the client process's CPU time
per request (less sensitive to a shared, noisy machine than wall time) of each transport
with the bare library it wraps (1.00 = no overhead). Wall-clock rates are printed for context.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

import aiohttp
import httpx
from _results import Row, emit, times, us
from _serve import server_process

from booqable_async.transport import AiohttpTransport, HttpRequest, HttpxTransport

SMALL = b'{"data": [' + b'{"id": "1", "type": "orders", "attributes": {}},' * 40 + b"{}]}"
BIG_SIZE = 20 * 1024 * 1024
SEQUENTIAL = 300
CONCURRENT = 300
IN_FLIGHT = 8
ROUNDS = 7


# The server runs in its own process (a script, so it works however this file is loaded).
SERVER = f"""
from aiohttp import web

from _serve import serve_forever

SMALL = {SMALL!r}
BIG = b"x" * {BIG_SIZE}


async def small(request):
    return web.Response(body=SMALL, content_type="application/vnd.api+json")


async def big(request):
    return web.Response(body=BIG)


app = web.Application()
app.router.add_get("/small", small)
app.router.add_get("/big", big)
serve_forever(app)
"""


Send = Callable[[str], Awaitable[bytes]]


async def _run(send: Send, url: str, count: int, in_flight: int) -> tuple[float, float]:
    """Send ``count`` requests; return (wall seconds, client CPU seconds)."""
    semaphore = asyncio.Semaphore(in_flight)

    async def one() -> None:
        async with semaphore:
            await send(url)

    wall, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(one() for _ in range(count)))
    return time.perf_counter() - wall, time.process_time() - cpu


async def _variants(base: str) -> dict[str, tuple[Send, Callable[[], Awaitable[None]]]]:
    session = aiohttp.ClientSession()
    client = httpx.AsyncClient(limits=httpx.Limits(max_connections=100))
    ours_aiohttp = AiohttpTransport()
    ours_httpx = HttpxTransport()

    async def bare_aiohttp(url: str) -> bytes:
        async with session.get(url) as response:
            return await response.read()

    async def bare_httpx(url: str) -> bytes:
        return (await client.get(url)).content

    async def via_aiohttp_transport(url: str) -> bytes:
        return (await ours_aiohttp.send(HttpRequest("GET", url))).body

    async def via_httpx_transport(url: str) -> bytes:
        return (await ours_httpx.send(HttpRequest("GET", url))).body

    return {
        "aiohttp (bare)": (bare_aiohttp, session.close),
        "AiohttpTransport": (via_aiohttp_transport, ours_aiohttp.aclose),
        "httpx (bare)": (bare_httpx, client.aclose),
        "HttpxTransport": (via_httpx_transport, ours_httpx.aclose),
    }


async def _bench(base: str) -> None:
    variants = await _variants(base)
    scenarios = [
        (f"{SEQUENTIAL} small GETs, sequential", "/small", SEQUENTIAL, 1, ROUNDS),
        (
            f"{CONCURRENT} small GETs, {IN_FLIGHT} in flight",
            "/small",
            CONCURRENT,
            IN_FLIGHT,
            ROUNDS,
        ),
        ("20 MiB body x 3, sequential", "/big", 3, 1, 3),
    ]
    rows: list[Row] = []
    try:
        for title, path, count, in_flight, rounds in scenarios:
            url = base + path
            for send, _ in variants.values():
                await _run(send, url, min(count, 50), in_flight)  # warm the pool
            wall: dict[str, float] = {}
            cpu: dict[str, float] = {}
            for _ in range(rounds):  # interleave variants so noise hits them alike
                for name, (send, _) in variants.items():
                    w, c = await _run(send, url, count, in_flight)
                    wall[name] = min(wall.get(name, w), w)
                    cpu[name] = min(cpu.get(name, c), c)
            print(f"-- {title} (best of {rounds})")
            for name in variants:
                print(
                    f"   {name:18} {count / wall[name]:8.0f} req/s wall"
                    f"   {cpu[name] / count * 1e6:9.1f} us client CPU/request"
                )
            for ours, bare in (
                ("AiohttpTransport", "aiohttp (bare)"),
                ("HttpxTransport", "httpx (bare)"),
            ):
                print(f"   CPU ratio {ours} / {bare}: {cpu[ours] / cpu[bare]:.2f}")
                rows.append(
                    Row(
                        "transport",
                        f"{ours}, {title}: client CPU per request",
                        us(cpu[ours] / count),
                        f"{bare} {us(cpu[bare] / count)}",
                        times(cpu[ours] / cpu[bare]),
                    )
                )
            print(
                f"   CPU ratio HttpxTransport / AiohttpTransport: "
                f"{cpu['HttpxTransport'] / cpu['AiohttpTransport']:.2f}"
            )
    finally:
        for _, close in variants.values():
            await close()
    emit(rows)


def main() -> None:
    with server_process(SERVER) as (port,):
        asyncio.run(_bench(f"http://127.0.0.1:{port}"))


if __name__ == "__main__":
    main()
