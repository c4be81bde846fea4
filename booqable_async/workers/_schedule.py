"""Per-company schedules on SAQ: each company's next run kept in Redis, one job per company.

SAQ's own ``CronJob`` is one schedule per function with one job key, so it cannot run
one function on many schedules, one per company. The workers therefore keep each
company's next run time in a Redis hash; every few seconds one worker (a short lock
decides which) enqueues the companies that are due and moves their next run on. A job's
key is ``sync:<company>``, and SAQ enqueues nothing while a job with that key is queued
or running: never two syncs of one company at once, and a run that comes due while the
previous one still runs is skipped rather than stacked. A company with no next run yet
(a new deployment, or Redis lost its data) gets its next cron time: nothing starts all
at once (``booqable schedule run`` starts syncs now), and a sync still running when
Redis lost its jobs is not started a second time beside it.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

import attrs
from croniter import croniter
from saq import Job
from saq.queue import Queue
from saq.queue.redis import RedisQueue

from booqable_async.workers._config import Tenant
from booqable_async.workers._status import StatusStore

__all__ = ["JOB_FUNCTION", "JobOptions", "Scheduler", "enqueue_sync", "job_key"]

#: The job function's name in the queue.
JOB_FUNCTION = "sync_company"


def job_key(company: str) -> str:
    """Return the job key of a company's sync (one job per company at a time)."""
    return f"sync:{company}"


@attrs.frozen
class JobOptions:
    """How SAQ runs each sync job.

    Attributes:
        heartbeat: Seconds without a heartbeat after which a job counts as lost (its
            worker died) and SAQ's sweep runs it again elsewhere; the job beats every
            quarter of this.
        retries: Attempts per run, counting the first (a lost attempt counts too).
        retry_delay: Seconds before the first retry.
        retry_backoff: Longest wait between retries; the waits double (with jitter) up to
            it.
        ttl: Seconds SAQ keeps a finished job (its result, error and timings: the web UI
            shows them).
    """

    heartbeat: int = 60
    retries: int = 5
    retry_delay: float = 10.0
    retry_backoff: float = 600.0
    ttl: int = 24 * 3600


async def enqueue_sync(queue: Queue, company: str, options: JobOptions) -> Job | None:
    """Enqueue a sync of ``company`` now; ``None`` when one is already queued or running."""
    return await queue.enqueue(
        JOB_FUNCTION,
        key=job_key(company),
        company=company,
        timeout=0,  # a sync takes as long as the budget makes it; the heartbeat guards it
        heartbeat=options.heartbeat,
        retries=options.retries,
        retry_delay=options.retry_delay,
        retry_backoff=options.retry_backoff,
        ttl=options.ttl,
    )


class Scheduler:
    """Enqueues each company's sync when its cron schedule comes due.

    Args:
        queue: The SAQ queue (Redis).
        tenants: The companies and their schedules.
        status: Parked companies are skipped.
        options: How the jobs run.
        every: Seconds between checks.
    """

    def __init__(
        self,
        queue: RedisQueue,
        tenants: Iterable[Tenant],
        status: StatusStore,
        options: JobOptions,
        every: float = 5.0,
    ) -> None:
        self.queue = queue
        self.tenants = tuple(tenants)
        self.status = status
        self.options = options
        self.every = every
        self.key = f"booqable:workers:{queue.name}:next"
        self._lock = f"booqable:workers:{queue.name}:scheduling"
        self._last = -float("inf")

    async def next_runs(self) -> dict[str, float]:
        """Each company's next run (epoch seconds), for those that have one."""
        stored: dict[Any, Any] = await self.queue.redis.hgetall(self.key)
        return {
            name.decode() if isinstance(name, bytes) else name: float(value)
            for name, value in stored.items()
        }

    async def tick(self, now: float | None = None) -> list[str]:
        """Enqueue the companies that are due; return them (empty if another worker did).

        Checks at most every ``every`` seconds, and only in the worker holding the lock.
        """
        clock = time.monotonic()
        if clock - self._last < self.every:
            return []
        self._last = clock
        lock_ms = max(1, int(self.every * 1000))
        if not await self.queue.redis.set(self._lock, b"1", nx=True, px=lock_ms):
            return []
        return await self.run_due(time.time() if now is None else now)

    async def run_due(self, now: float) -> list[str]:
        """Enqueue the companies due at ``now`` and move their next run on."""
        nexts = await self.next_runs()
        parked = await self.status.parked()
        started = []
        for tenant in self.tenants:
            name = tenant.company
            following = croniter(tenant.schedule, now).get_next(float)
            due = nexts.get(name)
            if due is None or due <= now:
                await self.queue.redis.hset(self.key, name, repr(following))
            if due is None or due > now or name in parked:
                continue
            await enqueue_sync(self.queue, name, self.options)
            started.append(name)
        return started
