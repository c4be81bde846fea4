"""Three processes with clients on one company: one RedisRateLimiter keeps them inside it.

The company allows 30 requests per 2 s (Booqable's 30 per 10 s, shortened) and answers
429 past it. Each process sends 40 requests at once through its client. With a
``RedisRateLimiter`` on one Redis the three together stay inside the budget (whether it
learns the budget from the headers or is given it); with a limiter of each process's own
given the same budget, they spend it three times over and meet 429s. (The default
per-process limiter, which follows the headers, also notices the others through
``X-Ratelimit-Remaining``; a fixed budget shows what sharing nothing costs.)
"""

from __future__ import annotations

import asyncio
import os
import sys

import pytest

from booqable_async.testing import FakeBooqable

pytestmark = pytest.mark.slow

LIMIT, PERIOD, EACH = 30, 2.0, 40


async def _three_processes(mode: str) -> list[int]:
    fake = FakeBooqable.demo(orders=20, customers=5, product_groups=2, rate_limit=(LIMIT, PERIOD))
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOOQABLE_")}
    async with fake.serve() as served:
        processes = [
            await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "tests.workers.spend",
                served.base_url,
                fake.token,
                str(EACH),
                mode,
                env=env,
            )
            for _ in range(3)
        ]
        codes = [await asyncio.wait_for(p.wait(), 60) for p in processes]
    assert codes == [0, 0, 0]
    return [r.status for r in fake.requests]


@pytest.mark.parametrize("mode", ["redis", "redis-fixed"])
async def test_three_processes_share_one_budget_through_redis(redis_url: str, mode: str) -> None:
    statuses = await _three_processes(f"{mode}={redis_url}")
    assert len(statuses) == 3 * EACH
    assert statuses.count(429) <= 0.01 * len(statuses)


async def test_three_processes_with_their_own_limiters_exceed_it() -> None:
    statuses = await _three_processes("local")
    # Each process believes the whole budget is its own: the server turns many away.
    assert statuses.count(429) >= 0.2 * len(statuses)
