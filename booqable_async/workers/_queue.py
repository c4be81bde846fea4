"""SAQ's Redis queue with a sweep that leaves just-dequeued jobs alone.

SAQ's sweep treats every job in the active list whose stored status is not ``active``
as stuck. A worker moves a job to the active list first and marks it active a moment
later, so a sweep in between aborts a job that is starting and queues it again while it
runs (reported upstream: tobymao/saq issues 124 and 277). With a sync that means two runs
of one company at once. This queue sweeps such a job only if it is still not active at
the next sweep; jobs whose heartbeat stopped are swept as before.
"""

from __future__ import annotations

import asyncio
import logging

from saq import Status
from saq.queue.redis import RedisQueue

__all__ = ["SyncQueue"]

logger = logging.getLogger("booqable_async.workers")


class SyncQueue(RedisQueue):
    """A ``RedisQueue`` whose sweep waits one round before sweeping a not-yet-active job."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._suspects: dict[str, int] = {}

    async def sweep(self, lock: int = 60, abort: float = 5.0) -> list[str]:
        """Sweep jobs whose worker died; a job not yet marked active gets one more round."""
        if not await self.redis.set(self.namespace("sweep"), b"1", nx=True, ex=lock):
            return []
        swept: list[str] = []
        suspects: dict[str, int] = {}
        for raw in await self.redis.lrange(self._active, 0, -1):
            job_id = raw.decode() if isinstance(raw, bytes) else str(raw)
            job = await self._get_job_by_id(job_id)
            if job is None:
                swept.append(job_id)
                await self.redis.lrem(self._active, 0, job_id)
                await self.redis.zrem(self._incomplete, job_id)
                logger.info("sweeping missing job %s", job_id)
                continue
            if job.status != Status.ACTIVE and not job.stuck:
                if self._suspects.get(job_id) != job.attempts:
                    suspects[job_id] = job.attempts  # maybe dequeued a moment ago
                    continue
            elif not job.stuck:
                continue
            logger.info("sweeping %s (its worker stopped beating)", job.key)
            swept.append(job_id)
            await self.abort(job, error=self.swept_error_message)
            try:
                await job.refresh(abort)
            except asyncio.TimeoutError:
                logger.info("could not abort %s: its worker is gone", job.key)
            if job.retryable:
                await self.retry(job, error=self.swept_error_message)
            else:
                await self.finish(job, Status.ABORTED, error=self.swept_error_message)
        self._suspects = suspects
        return swept
