"""A company limited to 50 requests per period: no 429s, and the budget used while busy.

Booqable's budget (50 per 60 s on the smallest plan) scaled down to 50 per 2.5 s so the
test takes seconds; the fake enforces it as a fixed window and answers 429 past it. The
sync's resources share one limiter that learns the budget from the headers.
"""

from __future__ import annotations

import pytest

from booqable_async.testing import FakeBooqable
from tests.sync.conftest import COMPANY, Env

pytestmark = pytest.mark.slow

LIMIT, PERIOD = 50, 2.5
# Lines and plannings (one each per booked product) end together: the sync stays busy
# with two or more resources reading until the end, as a big company's would.
RESOURCES = ("customers", "orders", "lines", "plannings")


async def test_a_rate_limited_sync_makes_no_429s_and_uses_the_budget(tmp_path: object) -> None:
    fake = FakeBooqable.demo(**{**COMPANY, "orders": 800}, rate_limit=(LIMIT, PERIOD))
    served = await fake.serve().start()
    try:
        env = Env(fake, served, tmp_path)  # type: ignore[arg-type]
        # Page size 25: enough requests to stay busy for several windows.
        report = await env.sync(env.job(RESOURCES, page_size=25, concurrency=4))
    finally:
        await served.stop()

    statuses = env.traffic.statuses()
    answered = sum(statuses.values())
    assert statuses[429] == 0, statuses
    assert answered == report.requests
    assert answered >= 3 * LIMIT
    times = sorted(t for t, _, _ in env.traffic.seen)
    busy = times[-1] - times[0]
    # Requests per period while busy, against the budget.
    used = answered / (busy / PERIOD) / LIMIT
    print(f"{answered} requests in {busy:.2f} s: {used:.0%} of {LIMIT}/{PERIOD:g} s")
    assert used >= 0.9
    assert report.budget == (LIMIT, PERIOD)
