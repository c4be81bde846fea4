"""client.with_options(): a light copy for one call, sharing the pool, limiter and auth."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

from booqable_async import BooqableClient, RetryPolicy, errors
from booqable_async.clock import Clock
from booqable_async.session import Hooks, RequestEvent
from booqable_async.testing import FakeBooqable
from booqable_async.transport import MockTransport, Timeout
from tests.session.helpers import TOKEN, Script, answer


async def no_sleep(seconds: float) -> None:
    pass


def mock_client(script: Script, **options: Any) -> BooqableClient:
    return BooqableClient(
        company="acme",
        token=TOKEN,
        transport=MockTransport(script),
        clock=Clock(sleep=no_sleep),
        **options,
    )


@pytest.fixture
async def slow_server() -> AsyncIterator[str]:
    """An API root whose /slow answers after 30 s and /fast at once (real sockets)."""
    hold = asyncio.Event()  # never set: /slow waits until the client gives up

    async def slow(request: web.Request) -> web.Response:
        await asyncio.wait_for(hold.wait(), 30)
        return web.json_response({"data": []}, content_type="application/vnd.api+json")

    async def fast(request: web.Request) -> web.Response:
        return web.json_response({"data": []}, content_type="application/vnd.api+json")

    app = web.Application()
    app.router.add_get("/api/4/slow", slow)
    app.router.add_get("/api/4/fast", fast)
    runner = web.AppRunner(app, shutdown_timeout=0)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}/api/4"
    finally:
        hold.set()  # let a /slow still in flight finish, so the server stops at once
        await runner.cleanup()


async def test_a_per_call_timeout_really_applies_on_the_wire(slow_server: str) -> None:
    # The default AiohttpTransport, owned by the client: the copy's timeout reaches it.
    async with BooqableClient(base_url=slow_server, token=TOKEN, timeout=30.0) as client:
        fast = client.with_options(timeout=0.2, retry=RetryPolicy.never())
        with pytest.raises(errors.ReadTimeout) as info:
            await fast.request("GET", "slow")
        assert isinstance(info.value, TimeoutError)
        # The original keeps its own limits and the pool the copy used still works.
        assert client.session.timeout == Timeout(30.0, 10.0)
        assert (await client.request("GET", "fast")).data == []


async def test_closing_the_copy_does_not_close_the_pool(slow_server: str) -> None:
    client = BooqableClient(base_url=slow_server, token=TOKEN)
    async with client.with_options(timeout=5.0) as copy:
        assert (await copy.request("GET", "fast")).data == []
    assert copy.closed
    assert not client.closed
    with pytest.raises(errors.UsageError, match="closed"):
        await copy.request("GET", "fast")
    transport = client.session.settings.transport
    assert transport is None  # the default transport, created and owned by the client
    assert (await client.request("GET", "fast")).data == []  # same pool, still open
    later = client.with_options(timeout=1.0)
    await client.aclose()
    assert later.closed  # the pool it shares is gone with its owner
    with pytest.raises(errors.UsageError, match="closed"):
        await later.request("GET", "fast")


async def test_the_copy_changes_only_what_it_was_given() -> None:
    script = Script(answer(503), answer(503), answer(), answer(503), answer())
    client = mock_client(script, timeout=20.0)
    seen: list[RequestEvent] = []
    copy = client.with_options(
        timeout=2.5, retry=RetryPolicy.never(), hooks=Hooks(on_response=seen.append)
    )
    with pytest.raises(errors.ServerError):
        await copy.request("GET", "orders")
    assert script.requests[0].timeout == Timeout(2.5, 2.5)
    assert [event.status for event in seen] == [503]
    # The original: its own policy (retries the 503), timeout and hooks (none).
    await client.request("GET", "orders")
    assert script.requests[-1].timeout == Timeout(20.0, 10.0)
    assert len(seen) == 1
    assert client.session.retry == RetryPolicy()
    # A copy of a copy keeps what the first copy changed.
    again = copy.with_options(logger=None)
    with pytest.raises(errors.ServerError):
        await again.request("GET", "orders")
    assert script.requests[-1].timeout == Timeout(2.5, 2.5)
    assert copy.session.settings.evolve({}) == copy.session.settings


async def test_the_copy_shares_limiter_slots_auth_and_transport() -> None:
    release = asyncio.Event()
    arrived: list[str] = []

    async def held(request: Any) -> Any:
        arrived.append(request.url.rsplit("/", 1)[1])
        await release.wait()
        return answer()

    client = BooqableClient(
        company="acme", token=TOKEN, transport=MockTransport(held), max_concurrency=1
    )
    copy = client.with_options(timeout=1.0)
    original, copied = client.session.settings, copy.session.settings
    assert copied.limiter is original.limiter is not None
    assert copied.auth is original.auth
    assert copied.transport is original.transport
    assert copied.clock is original.clock
    # One concurrency slot between them: the copy's request waits for the original's.
    first = asyncio.ensure_future(client.request("GET", "first"))
    await asyncio.sleep(0)
    second = asyncio.ensure_future(copy.request("GET", "second"))
    for _ in range(10):
        await asyncio.sleep(0)
    assert arrived == ["first"]
    release.set()
    await asyncio.gather(first, second)
    assert arrived == ["first", "second"]


async def test_resource_options_are_refused_and_values_checked() -> None:
    client = mock_client(Script(answer()))
    for option in ("transport", "rate_limit", "max_concurrency", "auth", "token", "company"):
        with pytest.raises(errors.UsageError, match="belong") as info:
            client.with_options(**{option: None})  # type: ignore[misc]
        assert "timeout" in str(info.value)
    with pytest.raises(errors.UsageError, match="timeout must be a number"):
        client.with_options(timeout=-1)
    with pytest.raises(errors.UsageError, match="retry must be a RetryPolicy"):
        client.with_options(retry=3)  # type: ignore[arg-type]
    with pytest.raises(errors.UsageError, match=r"logger must be a logging\.Logger"):
        client.with_options(logger="x")  # type: ignore[arg-type]
    assert client.with_options(timeout=None).session.timeout == Timeout(None, None)


async def test_facades_of_the_copy_use_the_copy() -> None:
    fake = FakeBooqable()
    customer_id = fake.add("customers", name="Jane")["id"]
    transport = fake.transport()
    async with BooqableClient(
        base_url=fake.base_url, token=fake.token, transport=transport
    ) as client:
        fast = client.with_options(timeout=3.0)
        customer = await fast.customers.get(customer_id)
        assert customer.name == "Jane"
        assert transport.requests[-1].timeout == Timeout(3.0, 3.0)
        assert fast.customers is not client.customers
        assert fast.customers.session is fast.session
        await client.customers.get(customer_id)
        assert transport.requests[-1].timeout == Timeout(30.0, 10.0)
    assert repr(fast) == f"BooqableClient(base_url={fake.base_url + '/'!r})"
