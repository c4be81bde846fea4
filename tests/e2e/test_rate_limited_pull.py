"""A concurrent pull drains a rate-limited fake over real HTTP with (almost) no 429s.

The fake enforces a fixed window of 40 requests per 2 s, as Booqable's budget (scaled down
so the test takes seconds); the client learns it from the ``X-Ratelimit-*`` headers and
paces itself. Real time: the limiter's margin (2 % of the window, 40 ms) must absorb real
latency differences, so the window is 2 s rather than 1 s: a loaded machine stalls a
request by more than 20 ms often enough to cross a 1 s window's edge.
"""

from __future__ import annotations

import time

import pytest

from booqable_async import Query
from booqable_async.testing import FakeBooqable
from tests.e2e.conftest import Traffic, client_for

pytestmark = pytest.mark.slow

LIMIT, PERIOD = 40, 2.0
PAGES = 100


async def test_a_concurrent_pull_stays_inside_the_budget(serve: object, traffic: Traffic) -> None:
    fake = FakeBooqable(seed=5, rate_limit=(LIMIT, PERIOD))
    for i in range(PAGES * 25):
        fake.add("orders", number=i)
    expected = [o["id"] for o in fake.listed("orders")]  # newest first, as GET /orders
    served = await serve(fake)  # type: ignore[operator]
    started = time.monotonic()
    async with client_for(served, traffic) as client:
        ids = [o.id async for o in client.orders.list(Query().page(size=25), concurrency=8)]
        stats = client.session.limiter.stats  # type: ignore[union-attr]
    elapsed = time.monotonic() - started

    assert ids == expected
    answered = sum(traffic.statuses.values())
    assert answered >= PAGES
    assert traffic.statuses[429] <= 0.01 * answered
    assert stats.limit == LIMIT
    assert stats.period == PERIOD
    # Budget used: requests per period achieved, against the limit (not asserted: timing).
    rate = answered / elapsed * PERIOD
    print(
        f"{answered} requests in {elapsed:.2f} s ({rate:.1f} per {PERIOD:g} s of {LIMIT}); "
        f"429s: {traffic.statuses[429]}; limiter waited {stats.waited:.2f} s"
    )
