"""Syncs for many companies on SAQ job queue workers, sharing each company's budget.

Needs the ``workers`` extra (``pip install 'booqable-async[workers,sync]'``: SAQ and
redis; the sync itself needs ``sync``). docs/workers.md tells the whole story:

* a tenants file lists the companies (:func:`load_config`);
* ``booqable worker --redis URL --config tenants.toml`` runs a worker
  (:func:`create_worker`, :func:`run_worker`): ``sync_company`` jobs, one per company at
  a time (job key ``sync:<company>``), per-company cron schedules, heartbeats, retries
  with backoff, parking of companies whose credentials were rejected;
* ``booqable schedule ...`` lists, runs, parks and unparks companies;
* every worker shares each company's rate budget through
  :class:`~booqable_async.ratelimit.RedisRateLimiter`.
"""

from __future__ import annotations

from booqable_async.workers._config import (
    OAuthCredentials,
    Tenant,
    WorkersConfig,
    load_config,
    parse_config,
)
from booqable_async.workers._job import CompanyParked, Runtime, sync_company
from booqable_async.workers._schedule import (
    JOB_FUNCTION,
    JobOptions,
    Scheduler,
    enqueue_sync,
    job_key,
)
from booqable_async.workers._status import PARKED, CompanyStatus, StatusStore
from booqable_async.workers._worker import DEFAULT_QUEUE, SyncWorker, create_worker, run_worker

__all__ = [
    "DEFAULT_QUEUE",
    "JOB_FUNCTION",
    "PARKED",
    "CompanyParked",
    "CompanyStatus",
    "JobOptions",
    "OAuthCredentials",
    "Runtime",
    "Scheduler",
    "StatusStore",
    "SyncWorker",
    "Tenant",
    "WorkersConfig",
    "create_worker",
    "enqueue_sync",
    "job_key",
    "load_config",
    "parse_config",
    "run_worker",
    "sync_company",
]
