"""Over real sockets: the fake delivers over HTTP to the receiver served by aiohttp."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import tracemalloc
from collections import Counter
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web

from booqable_async import BooqableClient
from booqable_async.testing import FakeBooqable
from booqable_async.webhooks import WebhookEvent, WebhookReceiver
from tests.webhooks.conftest import SECRET, Recorder, body


@contextlib.asynccontextmanager
async def serve(app: web.Application) -> AsyncIterator[str]:
    runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=2.0)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


@pytest.fixture(autouse=True)
def _secret_never_logged(leak_guard):
    leak_guard.register(SECRET)


async def test_end_to_end_each_event_once_despite_duplicates_and_reordering():
    recorder = Recorder()
    receiver = WebhookReceiver(recorder, secret=SECRET)
    fake = FakeBooqable(seed=7)
    fake.webhooks.auto = False  # a batch of changes, then the faulty deliveries
    fake.webhooks.faults(duplicate=0.4, reorder=0.3, delay=0.2)
    async with (
        serve(receiver.aiohttp_app()) as hooks,
        fake.serve() as served,
        BooqableClient(base_url=served.base_url, token=fake.token) as client,
    ):
        events = ["customer.created", "customer.updated", "order.updated", "order.saved_as_draft"]
        await client.webhook_endpoints.subscribe(f"{hooks}/booqable/{SECRET}", events=events)
        customers = [await client.customers.create(name=f"Customer {n}") for n in range(4)]
        for customer in customers[:2]:
            await client.customers.update(customer.id, email=f"{customer.id[:8]}@example.com")
        orders = [await client.orders.create(customer_id=c.id) for c in customers[:3]]
        await client.orders.create(status="draft")
        await client.orders.update(orders[0].id, starts_at="2030-01-01T10:00:00Z")
        await fake.webhooks.flush()
        await receiver.drain()
        faults = Counter(d.fault for d in fake.deliveries)
        assert faults["duplicate"] >= 2
        assert faults["reorder"] + faults["delay"] >= 1
        delivered = {d.id: (d.event, d.record_id) for d in fake.deliveries}
        seen = Counter(e.id for e in recorder.events)
        assert seen == Counter(set(delivered))  # every delivery, exactly once
        assert Counter(e.event for e in recorder.events) == {
            "customer.created": 4,
            "customer.updated": 2,
            "order.updated": 4,
            "order.saved_as_draft": 1,
        }
        assert receiver.stats.duplicates == faults["duplicate"] // 2
        # The event is a hint: refetch gives the record as it is now.
        latest = next(e for e in recorder.events if e.record_id == orders[0].id)
        assert (await latest.refetch(client)).id == orders[0].id


async def test_forged_and_broken_requests_over_http():
    recorder = Recorder()
    receiver = WebhookReceiver(recorder, secret=SECRET)
    async with serve(receiver.aiohttp_app()) as hooks, aiohttp.ClientSession() as http:
        url = f"{hooks}/booqable/{SECRET}"
        json = {"Content-Type": "application/json"}
        cases = [
            ("POST", f"{hooks}/booqable/wrong-{SECRET}", json, body(), 404),
            ("POST", f"{hooks}/booqable", json, body(), 404),
            ("GET", url, {}, None, 405),
            ("POST", url, {"Content-Type": "text/xml"}, b"<x/>", 415),
            ("POST", url, json, b"{oops", 400),
            ("POST", url, json, b'{"id": 1}', 400),
            ("POST", url, json, body(event="order.teleported"), 200),
            ("POST", url, json, body(), 200),
            ("POST", url, json, body(), 200),
        ]
        statuses = []
        for method, target, headers, data, _ in cases:
            async with http.request(method, target, headers=headers, data=data) as response:
                statuses.append(response.status)
                await response.read()
        assert statuses == [case[-1] for case in cases]

        # Ten megabytes, streamed without a Content-Length: refused while reading.
        async def ten_megabytes() -> AsyncIterator[bytes]:
            for _ in range(160):
                yield b" " * (64 * 1024)

        with contextlib.suppress(aiohttp.ClientError):
            async with http.post(url, headers=json, data=ten_megabytes()) as response:
                assert response.status == 413
        await receiver.drain()
        assert receiver.stats.rejected.get(413) == 1
    assert len(recorder.events) == 1  # the one genuine delivery, once


async def test_a_burst_of_500_per_second_loses_nothing_in_bounded_memory():
    """1,000 deliveries paced at 500/s: every one handled once, memory bounded."""
    handled: Counter[str] = Counter()

    async def handler(event: WebhookEvent) -> None:
        await asyncio.sleep(0.002)  # some I/O per event
        handled[event.id] += 1

    total, rate = 1000, 500.0
    receiver = WebhookReceiver(handler, secret=SECRET, concurrency=16, max_pending=200)
    connector = aiohttp.TCPConnector(limit=64)
    gc.collect()
    tracemalloc.start()
    try:
        async with (
            serve(receiver.aiohttp_app()) as hooks,
            aiohttp.ClientSession(connector=connector) as http,
        ):
            url = f"{hooks}/booqable/{SECRET}"
            headers = {"Content-Type": "application/json"}
            bodies = [body(id=f"burst-{n}") for n in range(total)]
            baseline, _ = tracemalloc.get_traced_memory()
            tracemalloc.reset_peak()
            loop = asyncio.get_running_loop()
            start = loop.time()

            async def deliver(n: int) -> int:
                await asyncio.sleep(max(0.0, start + n / rate - loop.time()))
                for _attempt in range(20):  # a sender retries a 503
                    async with http.post(url, data=bodies[n], headers=headers) as response:
                        await response.read()
                        if response.status != 503:
                            return response.status
                    await asyncio.sleep(0.05)
                return 503

            statuses = await asyncio.gather(*(deliver(n) for n in range(total)))
            await receiver.drain()
            _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert Counter(statuses) == {200: total}
    assert len(handled) == total
    assert set(handled.values()) == {1}
    assert receiver.stats.peak_pending <= 200
    # Everything in flight (1,000 bodies, sockets, parsed events) stays well under this.
    assert peak - baseline < 40 * 1024 * 1024
