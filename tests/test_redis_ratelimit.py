"""RedisRateLimiter against a real redis-server: one budget for every limiter on one Redis.

Each limiter made from a URL stands for a process (its own Redis connection, thread pool
and local fallback state). Budgets are scaled down (10 per 0.5 s) so the tests take
about a second each; the end-to-end test with three real processes is in
tests/workers/test_shared_budget.py.
"""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
import time
from bisect import bisect_left
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from booqable_async import BooqableClient, errors
from booqable_async.protocol import RateLimit
from booqable_async.ratelimit import RateLimiter, RedisRateLimiter
from booqable_async.testing import FakeBooqable
from tests.redis_server import RedisServer, free_port

LIMIT, PERIOD = 10, 0.5
HEADERS = RateLimit(limit=LIMIT, period=PERIOD, remaining=None)


def max_in_window(times: list[float], window: float) -> int:
    ordered = sorted(times)
    return max((i - bisect_left(ordered, t - window) + 1 for i, t in enumerate(ordered)), default=0)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RedisServer]:
    """A redis-server of the test's own (it may be stopped and restarted)."""
    server = RedisServer(free_port(), tmp_path).start()
    try:
        yield server
    finally:
        server.stop()


def limiter(url: str, key: str = "acme", **options: object) -> RedisRateLimiter:
    return RedisRateLimiter(url, key=key, **options)  # type: ignore[arg-type]


async def spend(limiters: list[RateLimiter], requests: int, headers: RateLimit) -> list[float]:
    """Send `requests` through each limiter (4 tasks each); return every grant time."""
    grants: list[float] = []

    async def task(one: RateLimiter, count: int) -> None:
        for _ in range(count):
            await one.acquire()
            grants.append(time.monotonic())
            one.complete(status=200, rate_limit=headers)

    await asyncio.gather(
        *(task(one, requests // 4) for one in limiters for _ in range(4)),
    )
    return grants


async def test_limiters_on_one_redis_share_one_budget(redis_url: str) -> None:
    first, second, third = (limiter(redis_url, key="share") for _ in range(3))
    try:
        # Teach the budget (the first answer does that in real use).
        await first.acquire()
        first.complete(status=200, rate_limit=HEADERS)
        await asyncio.sleep(0.05)
        grants = await spend([first, second, third], 12, HEADERS)
    finally:
        for one in (first, second, third):
            one.close()
    assert len(grants) == 36
    # Never more than the budget in any window of the server's period: together, not each
    # (measured where the tasks wake, a few milliseconds after their slot: 10 % slack).
    assert max_in_window(grants, PERIOD * 0.9) <= LIMIT
    assert first.shared
    assert second.stats.granted == 12


async def test_plain_limiters_do_not_share(redis_url: str) -> None:
    # The contrast: one local limiter per "process" each spends the whole budget.
    limiters: list[RateLimiter] = [RateLimiter() for _ in range(3)]
    for one in limiters:
        await one.acquire()
        one.complete(status=200, rate_limit=HEADERS)
    grants = await spend(limiters, 12, HEADERS)
    assert max_in_window(grants, PERIOD) >= 2 * LIMIT


async def test_a_429_pauses_every_limiter_on_the_redis(redis_url: str) -> None:
    first, second = limiter(redis_url, key="cool"), limiter(redis_url, key="cool")
    try:
        await first.acquire()
        first.complete(status=429, rate_limit=HEADERS, retry_after=0.4)
        await asyncio.sleep(0.05)  # the shared update is sent in the background
        started = time.monotonic()
        await second.acquire()
        waited = time.monotonic() - started
        second.complete(status=200, rate_limit=HEADERS)
    finally:
        first.close()
        second.close()
    assert waited >= 0.25
    assert second.stats.delayed == 1


async def test_without_retry_after_the_cool_down_escalates(redis_url: str) -> None:
    one = limiter(redis_url, key="escalate")
    client = redis.Redis.from_url(redis_url)
    try:
        for _ in range(3):
            await one.acquire()
            one.complete(status=429, rate_limit=HEADERS)
            await asyncio.sleep(0.02)
        state = client.hgetall("booqable:ratelimit:escalate:state")
        assert state[b"strikes"] == b"3"
        await one.acquire()
        one.complete(status=200, rate_limit=HEADERS)
        await asyncio.sleep(0.02)
        assert client.hget("booqable:ratelimit:escalate:state", "strikes") == b"0"
    finally:
        one.close()
        client.close()


async def test_remaining_reconciles_requests_spent_by_others(redis_url: str) -> None:
    one = limiter(redis_url, key="others")
    client = redis.Redis.from_url(redis_url)
    try:
        await one.acquire()
        # The server counted 8 requests in its window: ours was one, 7 were someone else's.
        one.complete(status=200, rate_limit=RateLimit(LIMIT, PERIOD, remaining=LIMIT - 8))
        await asyncio.sleep(0.05)
        assert client.zcard("booqable:ratelimit:others:log") == 8
        started = time.monotonic()
        for _ in range(3):
            await one.acquire()
            one.complete(status=200, rate_limit=HEADERS)
        # 8 of 10 spent, a tenth left to the others: the third request waits for the window.
        assert time.monotonic() - started >= 0.3
    finally:
        one.close()
        client.close()


async def test_a_fixed_budget_ignores_the_headers(redis_url: str) -> None:
    one = limiter(redis_url, key="fixed", limit=2, period=0.3)
    try:
        started = time.monotonic()
        for _ in range(5):
            await one.acquire()
            one.complete(status=200, rate_limit=RateLimit(1000, 60.0, remaining=999))
        assert time.monotonic() - started >= 0.5
        assert "fixed" in repr(one)
    finally:
        one.close()


async def test_a_cancelled_wait_gives_the_slot_back(redis_url: str) -> None:
    one = limiter(redis_url, key="cancel", limit=1, period=5.0)
    client = redis.Redis.from_url(redis_url)
    try:
        await one.acquire()
        one.complete(status=200)
        waiting = asyncio.create_task(one.acquire())
        await asyncio.sleep(0.1)
        assert client.zcard("booqable:ratelimit:cancel:log") == 2
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        await asyncio.sleep(0.05)
        assert client.zcard("booqable:ratelimit:cancel:log") == 1
    finally:
        one.close()
        client.close()


async def test_redis_down_falls_back_to_the_local_limiter_and_recovers(
    server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    one = limiter(server.url, key="outage", retry_interval=0.2)
    try:
        await one.acquire()
        one.complete(status=200, rate_limit=HEADERS)
        server.stop()
        with caplog.at_level(logging.WARNING, logger="booqable_async.ratelimit"):
            grants = await spend([one], 24, HEADERS)
            # Still limited (locally): never the whole lot at once.
            assert max_in_window(grants, PERIOD * 0.9) <= LIMIT
            assert not one.shared
            assert "degraded" in repr(one)
            server.start()
            await asyncio.sleep(0.25)
            for _ in range(2):
                await one.acquire()
                one.complete(status=200, rate_limit=HEADERS)
        assert one.shared
    finally:
        one.close()
    messages = [r.getMessage() for r in caplog.records]
    assert sum("failed" in m for m in messages) == 1, messages  # once per outage
    assert any("answers again" in m for m in messages)


async def test_clients_of_two_companies_get_two_budgets(redis_url: str) -> None:
    shared = RedisRateLimiter(redis_url)
    try:
        async with (
            BooqableClient(company="acme", token="t", rate_limit=shared) as one,
            BooqableClient(company="globex", token="t", rate_limit=shared) as other,
            BooqableClient(
                base_url="http://127.0.0.1:8080/c/acme/api/4", token="t", rate_limit=shared
            ) as third,
            BooqableClient(
                company="acme", api_version="boomerang", token="t", rate_limit=shared
            ) as again,
        ):
            mine, theirs = one.session.limiter, other.session.limiter
            assert isinstance(mine, RedisRateLimiter)
            assert isinstance(theirs, RedisRateLimiter)
            assert mine.key == "acme.booqable.com"
            assert theirs.key == "globex.booqable.com"
            assert again.session.limiter is mine  # /api/4 and /api/boomerang: one budget
            assert third.session.limiter.key == "127.0.0.1:8080/c/acme"  # type: ignore[union-attr]
    finally:
        shared.close()
    keyed = RedisRateLimiter(redis_url, key="mine")
    assert keyed.for_api("https://acme.booqable.com/api/4/") is keyed
    keyed.close()
    keyed.close()  # idempotent


async def test_a_client_over_http_stays_inside_the_shared_budget(redis_url: str) -> None:
    # A window of seconds, not half a second: over real HTTP on a loaded machine a stall of
    # a few milliseconds must not carry a request across the fake's window edge.
    fake = FakeBooqable.demo(orders=30, customers=5, product_groups=1, rate_limit=(20, 2.0))
    shared = RedisRateLimiter(redis_url)
    try:
        async with (
            fake.serve() as served,
            BooqableClient(base_url=served.base_url, token=fake.token, rate_limit=shared) as client,
        ):
            await asyncio.gather(*(client.orders.list() for _ in range(25)))
    finally:
        shared.close()
    statuses = [r.status for r in fake.requests]
    assert statuses.count(429) == 0
    assert len(statuses) == 25


def test_bad_arguments_are_usage_errors() -> None:
    with pytest.raises(errors.UsageError, match="url="):
        RedisRateLimiter()
    with pytest.raises(errors.UsageError, match="redis://"):
        RedisRateLimiter("http://not-redis")
    with pytest.raises(errors.UsageError, match="string"):
        RedisRateLimiter(6379)  # type: ignore[arg-type]
    with pytest.raises(errors.UsageError, match="retry_interval"):
        RedisRateLimiter("redis://127.0.0.1:1/0", retry_interval=0)
    with pytest.raises(errors.UsageError, match="limit and period"):
        RedisRateLimiter("redis://127.0.0.1:1/0", limit=5)


def test_the_password_never_shows(caplog: pytest.LogCaptureFixture) -> None:
    one = RedisRateLimiter("redis://:hunter2-secret@127.0.0.1:1/0", client=None)
    try:
        assert "hunter2" not in repr(one)
        assert "REDACTED" in repr(one)
    finally:
        one.close()


def test_a_client_of_your_own_is_left_open(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    one = RedisRateLimiter(client=client, key="own")
    one.close()
    assert client.ping()
    client.close()


def test_import_booqable_async_does_not_load_redis() -> None:
    code = (
        "import sys, booqable_async, booqable_async.ratelimit;"
        "assert 'redis' not in sys.modules, 'redis loaded';"
        "from booqable_async.ratelimit import RedisRateLimiter;"
        "assert 'redis' in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    import booqable_async.ratelimit as module

    with pytest.raises(AttributeError, match="no attribute 'Nothing'"):
        module.Nothing  # noqa: B018
