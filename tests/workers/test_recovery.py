"""Workers that die and a Redis that restarts: every sync still completes, exactly once.

``kill -9`` of the worker running a company's sync: its heartbeat stops, SAQ's sweep on
the other worker queues the job again, and that worker resumes from the state the
destination committed. A Redis restart (no persistence: the queue is empty afterwards):
the running syncs finish with the local limiter meanwhile, and new runs go through.
Budgets: 30 requests per 4 s (Booqable's scale, shortened).
"""

from __future__ import annotations

import asyncio
import signal
import time

import pytest

from tests.workers.conftest import Fleet, add_companies, all_ok

pytestmark = pytest.mark.slow

LIMIT, PERIOD = 30, 4.0


async def _until(condition: object, limit: float = 60.0) -> None:
    deadline = time.monotonic() + limit
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def test_a_killed_workers_job_completes_on_another_worker(fleet: Fleet) -> None:
    await add_companies(fleet, 2, (LIMIT, PERIOD))
    doomed = await fleet.start_worker("--concurrency", "4")
    await fleet.schedule("run")
    first = fleet.companies[0]
    # Mid-job: a third of its requests made, nothing loaded yet.
    await _until(lambda: len(first.arrivals) >= 30)
    survivor = await fleet.start_worker("--concurrency", "4")
    doomed.send_signal(signal.SIGKILL)
    await doomed.wait()
    assert doomed.returncode == -signal.SIGKILL
    names = [c.name for c in fleet.companies]
    await fleet.wait_until(all_ok(names), limit=120)
    await fleet.stop_workers()
    assert survivor.returncode == 0
    for company in fleet.companies:
        fleet.assert_exactly_once(company)
        statuses = company.statuses()
        assert statuses.count(429) <= 0.01 * len(statuses)


async def test_workers_recover_when_redis_restarts(fleet: Fleet) -> None:
    await add_companies(fleet, 3, (LIMIT, PERIOD))
    for _ in range(2):
        await fleet.start_worker("--concurrency", "4")
    await fleet.schedule("run")
    await _until(lambda: all(len(c.arrivals) >= 20 for c in fleet.companies))
    await asyncio.to_thread(fleet.redis.restart, 1.0)
    names = [c.name for c in fleet.companies]
    # The syncs that were running finish (their statuses are written anew after the
    # restart, which emptied Redis).
    await fleet.wait_until(all_ok(names), limit=120)
    for company in fleet.companies:
        company.arrivals.clear()
    # And the workers take new jobs from the restarted Redis.
    out = await fleet.schedule("run")
    assert out.count(": queued") == 3
    await _until(lambda: all(len(c.arrivals) >= 3 for c in fleet.companies))
    await fleet.wait_until(
        lambda s: all(s[n].state == "ok" and s[n].written == 0 for n in names), limit=120
    )
    await fleet.stop_workers()
    for company in fleet.companies:
        fleet.assert_exactly_once(company)
