"""Ten companies, three worker processes, one Redis: every sync completes, inside budgets.

Each company is its own fake with Booqable's rate limiting (a fixed window, real 429s)
at 30 requests per 4 s: Booqable's "30 per 10 s" scaled down so the test takes seconds
(the limiter scales with the period; the ratios are what is checked). The three workers
share every company's budget through RedisRateLimiter on the same Redis as the queue.
"""

from __future__ import annotations

import pytest

from tests.workers.conftest import RESOURCES, Fleet, add_companies, all_ok, budget_used

pytestmark = pytest.mark.slow

LIMIT, PERIOD = 30, 4.0


async def test_three_workers_sync_ten_companies_inside_their_budgets(fleet: Fleet) -> None:
    await add_companies(fleet, 10, (LIMIT, PERIOD))
    for _ in range(3):
        await fleet.start_worker("--concurrency", "4")
    out = await fleet.schedule("run")
    assert out.count("queued") == 10
    names = [c.name for c in fleet.companies]
    statuses = await fleet.wait_until(all_ok(names), limit=120)
    await fleet.stop_workers()

    total = sum(len(c.arrivals) for c in fleet.companies)
    limited = sum(c.statuses().count(429) for c in fleet.companies)
    shares = {c.name: budget_used(c, LIMIT, PERIOD) for c in fleet.companies}
    print(f"{total} requests, {limited} answered 429; budget used while busy: {shares}")
    for company in fleet.companies:
        fleet.assert_exactly_once(company)
        assert statuses[company.name].written == sum(
            company.fake.count(table) for table in RESOURCES
        )
    assert limited <= 0.01 * total
    assert min(shares.values()) >= 0.85, shares
