"""A SAQ worker that runs the syncs of the companies in a tenants file.

``booqable worker --redis URL --config tenants.toml`` runs :func:`run_worker`. Each
worker process runs up to ``concurrency`` company syncs at once, enqueues the companies
that come due (one worker at a time does), and shares every company's rate budget with
the other workers through a :class:`~booqable_async.ratelimit.RedisRateLimiter` on the
same Redis. SAQ's upkeep does the rest: heartbeats, sweeping jobs whose worker died,
retries with backoff.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import os
from collections.abc import Mapping
from typing import Any

from saq import Worker
from saq.queue.redis import RedisQueue

from booqable_async._redact import redact_url
from booqable_async.ratelimit import RateLimiter, RedisRateLimiter
from booqable_async.workers._config import WorkersConfig
from booqable_async.workers._job import Runtime, sync_company
from booqable_async.workers._queue import SyncQueue
from booqable_async.workers._schedule import JOB_FUNCTION, JobOptions, Scheduler
from booqable_async.workers._status import StatusStore

__all__ = ["DEFAULT_QUEUE", "SyncWorker", "create_worker", "run_worker"]

logger = logging.getLogger("booqable_async.workers")

#: The queue's name unless told otherwise (several deployments can share one Redis).
DEFAULT_QUEUE = "booqable"


class SyncWorker(Worker[Any]):
    """A SAQ ``Worker`` running ``sync_company`` jobs and each company's schedule.

    Build one with :func:`create_worker`.
    """

    def __init__(
        self,
        queue: RedisQueue,
        runtime: Runtime,
        scheduler: Scheduler | None,
        **options: Any,
    ) -> None:
        super().__init__(queue, functions=[(JOB_FUNCTION, sync_company)], **options)
        self.redis_queue = queue
        self.context["booqable"] = runtime
        self.runtime = runtime
        self.scheduler = scheduler

    async def schedule(self, lock: int = 1) -> None:
        """SAQ's scheduling tick (every ``timers["schedule"]`` s), plus the companies due."""
        await super().schedule(lock)
        if self.scheduler is not None:
            due = await self.scheduler.tick()
            if due:
                logger.info("enqueued the syncs of %s", ", ".join(due))

    async def stop(self) -> None:
        """Stop SAQ's tasks, then the sync threads and the limiter's connection."""
        try:
            await super().stop()
        finally:
            self.runtime.threads.shutdown(wait=False, cancel_futures=True)
            limiter = self.runtime.limiter
            if isinstance(limiter, RedisRateLimiter):
                limiter.close()


def create_worker(
    config: WorkersConfig,
    redis_url: str,
    *,
    queue_name: str = DEFAULT_QUEUE,
    concurrency: int = 10,
    options: JobOptions | None = None,
    limiter: RateLimiter | bool | None = None,
    schedule: bool = True,
    schedule_every: float = 5.0,
    sweep_every: int = 60,
    environ: Mapping[str, str] | None = None,
    client_options: Mapping[str, Any] | None = None,
) -> SyncWorker:
    """Return a worker for the tenants in ``config`` on the queue at ``redis_url``.

    Args:
        config: The tenants (see :func:`~booqable_async.workers.load_config`).
        redis_url: Redis for the queue, the statuses and the shared rate budgets.
        queue_name: The queue's name.
        concurrency: Company syncs this worker runs at once.
        options: Heartbeat and retries of the jobs it enqueues.
        limiter: The rate limiter; default a ``RedisRateLimiter`` on ``redis_url`` (one
            budget per company across every worker).
        schedule: Enqueue the companies as their schedules come due.
        schedule_every: Seconds between schedule checks.
        sweep_every: Seconds between SAQ's sweeps for jobs whose worker died.
        environ: Where tenants' secrets are read (default ``os.environ``).
        client_options: More ``BooqableClient`` arguments for every sync.

    Returns:
        The worker (``await worker.queue.connect()``, then ``await worker.start()``).
    """
    options = options or JobOptions()
    queue = SyncQueue.from_url(redis_url, name=queue_name)
    status = StatusStore(queue.redis, queue_name)
    runtime = Runtime(
        config=config,
        limiter=RedisRateLimiter(redis_url) if limiter is None else limiter,
        status=status,
        options=options,
        environ=os.environ if environ is None else environ,
        threads=concurrent.futures.ThreadPoolExecutor(
            max_workers=concurrency, thread_name_prefix="booqable-sync"
        ),
        client_options=dict(client_options or {}),
    )
    scheduler = (
        Scheduler(queue, config.tenants.values(), status, options, every=schedule_every)
        if schedule
        else None
    )
    return SyncWorker(
        queue,
        runtime,
        scheduler,
        concurrency=concurrency,
        timers={"sweep": sweep_every, "schedule": 1},
    )


async def run_worker(worker: SyncWorker, *, web_port: int | None = None) -> None:
    """Run ``worker`` until it is stopped (SIGINT/SIGTERM), with SAQ's web UI if asked.

    Args:
        worker: From :func:`create_worker`.
        web_port: Serve SAQ's web UI (queues, jobs, workers) on 127.0.0.1 at this port.
    """
    runner = None
    await worker.queue.connect()
    try:
        if web_port is not None:
            from aiohttp import web
            from saq.web.aiohttp import create_app

            runner = web.AppRunner(create_app([worker.queue]), access_log=None)
            await runner.setup()
            await web.TCPSite(runner, "127.0.0.1", web_port).start()
            logger.info("SAQ web UI on http://127.0.0.1:%d", web_port)
        logger.info(
            "worker %s on queue %r at %s: %d companies",
            worker.id,
            worker.queue.name,
            redact_url(repr(worker.redis_queue.redis)),
            len(worker.runtime.config.tenants),
        )
        await worker.start()
    finally:
        if runner is not None:
            await runner.cleanup()
        await asyncio.shield(worker.queue.disconnect())
