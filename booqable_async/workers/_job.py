"""The ``sync_company`` job: one company's sync on a SAQ worker, with heartbeats.

The sync (dlt, synchronous) runs on a thread of the worker while the job's coroutine
beats SAQ's heartbeat, so a worker that dies (``kill -9``, a lost machine) stops
beating and SAQ's sweep hands the job to another worker, which resumes from the state
the destination committed (dlt commits each resource's position with its rows).

What an error means for the job:

* credentials rejected (401): the company is **parked** and the job fails without
  retries; the scheduler skips it until ``booqable schedule unpark``;
* errors a retry cannot fix (400, 402, 403, 404, 422, a bad setting): the job fails
  without retries; the next scheduled run tries again;
* everything else (network, 5xx, 429 after the client's own retries, the destination
  unreachable): SAQ retries the job with exponential backoff.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import functools
import logging
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs
from saq import Job

from booqable_async.errors import (
    BooqableError,
    ClientError,
    RateLimited,
    Unauthorized,
    UsageError,
)
from booqable_async.ratelimit import RateLimiter
from booqable_async.workers._config import WorkersConfig
from booqable_async.workers._schedule import JobOptions
from booqable_async.workers._status import PARKED, StatusStore

__all__ = ["CompanyParked", "Runtime", "sync_company"]

logger = logging.getLogger("booqable_async.workers")


class CompanyParked(BooqableError):
    """The company's credentials were rejected: it is parked until unparked."""


@attrs.define
class Runtime:
    """What every job of one worker process shares.

    Attributes:
        config: The tenants.
        limiter: The rate limiter (a ``RedisRateLimiter`` shares each company's budget
            with every worker; it hands out one limiter per company).
        status: Company statuses.
        options: How jobs run (heartbeat, retries).
        environ: Where tenants' secrets are read from.
        threads: Runs the syncs (one thread per job in flight).
        client_options: More ``BooqableClient`` arguments for every sync (tests pass a
            retry policy).
        running: The companies syncing in this process now.
    """

    config: WorkersConfig
    limiter: RateLimiter | bool
    status: StatusStore
    options: JobOptions
    environ: Mapping[str, str]
    threads: concurrent.futures.ThreadPoolExecutor
    client_options: dict[str, Any] = attrs.field(factory=dict)
    running: set[str] = attrs.field(factory=set)

    @property
    def pipelines_dir(self) -> Path:
        """The sync's working directory (dlt's pending loads and local state)."""
        return self.config.pipelines_dir


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _permanent(exc: BaseException) -> bool:
    # A retry of the same request gets the same answer: 4xx other than 401 (handled
    # apart), 408 and 429, and our own usage errors (bad settings, missing secrets).
    if isinstance(exc, UsageError):
        return True
    return isinstance(exc, ClientError) and not isinstance(exc, RateLimited) and exc.status != 408


async def _beat(job: Job, every: float) -> None:
    while True:
        await asyncio.sleep(every)
        try:
            await job.update()
        except Exception as exc:  # Redis away for a moment: the next beat tries again
            logger.warning("heartbeat of %s failed: %s", job.key, _one_line(exc))


async def sync_company(ctx: Mapping[str, Any], *, company: str) -> dict[str, Any]:
    """SAQ job: run one sync of ``company`` and return what it did.

    Args:
        ctx: SAQ's context (``job``, and ``booqable``: the worker's :class:`Runtime`).
        company: The tenant's company slug.

    Returns:
        A summary: requests, rows written, seconds, and per resource what changed.

    Raises:
        CompanyParked: The credentials were rejected (the company is now parked).
        BooqableError: The sync failed (retried unless a retry cannot help).
    """
    runtime: Runtime = ctx["booqable"]
    job: Job = ctx["job"]
    status = runtime.status
    current = await status.get(company)
    if current.parked:
        logger.info("%s is parked (%s): not syncing", company, current.message)
        return {"company": company, "skipped": PARKED}
    if company in runtime.running:
        # Only if Redis lost the job while it ran here and it was queued again: let this
        # one finish; the retry finds the company idle.
        raise BooqableError(f"a sync of {company} is still running in this worker")
    runtime.running.add(company)
    try:
        return await _run(runtime, job, company)
    finally:
        runtime.running.discard(company)


async def _run(runtime: Runtime, job: Job, company: str) -> dict[str, Any]:
    status = runtime.status
    # The worker's settings win over those the job was queued with (`booqable schedule
    # run` queues with the defaults): its heartbeat, retries and backoff.
    options = runtime.options
    job.heartbeat = options.heartbeat
    job.retries = options.retries
    job.retry_delay = options.retry_delay
    job.retry_backoff = options.retry_backoff
    await job.update()
    await status.change(company, "running", message=None)
    stop = threading.Event()
    beat = asyncio.create_task(_beat(job, max(0.5, runtime.options.heartbeat / 4)))
    try:
        tenant = runtime.config.tenant(company)
        sync = tenant.sync_job(
            runtime.limiter, runtime.pipelines_dir, runtime.environ, **runtime.client_options
        )
        loop = asyncio.get_running_loop()
        report = await loop.run_in_executor(runtime.threads, functools.partial(sync.run, stop=stop))
    except asyncio.CancelledError:
        # Aborted or the worker is stopping: the sync stops at its next page, loading
        # nothing of this run; SAQ queues the job again.
        stop.set()
        with contextlib.suppress(Exception):
            await asyncio.shield(status.change(company, "interrupted"))
        raise
    except Unauthorized as exc:
        job.retries = job.attempts  # no retry can fix revoked credentials
        message = (
            f"credentials rejected ({_one_line(exc)}); fix the token, then run "
            f"`booqable schedule unpark {company}`"
        )
        await status.change(company, PARKED, message=message)
        logger.error("%s parked: %s", company, message)
        raise CompanyParked(f"{company} parked: {message}") from None
    except Exception as exc:
        permanent = _permanent(exc)
        if permanent:
            job.retries = job.attempts
        retrying = not permanent and job.retryable
        await status.change(company, "retrying" if retrying else "failed", message=_one_line(exc))
        raise
    finally:
        beat.cancel()
    await status.change(
        company,
        "ok",
        message=None,
        last_success=time.time(),
        requests=report.requests,
        written=report.written,
    )
    return {
        "company": company,
        "requests": report.requests,
        "written": report.written,
        "seconds": round(report.elapsed, 3),
        "resources": {
            r.resource: {
                "mode": r.mode,
                "new": r.new,
                "updated": r.updated,
                "archived": r.archived,
                "deleted": r.deleted,
                "requests": r.requests,
            }
            for r in report.resources
        },
    }
