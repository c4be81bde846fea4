"""``booqable schedule``: see, run, park and unpark the companies the workers sync.

``list`` shows each company's schedule, next run, job and last outcome; ``run`` queues
syncs now (a company already queued or running is left as it is); ``park`` stops a
company's syncs and ``unpark`` resumes them (a company whose credentials were rejected
is parked by the worker itself).
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Mapping
from typing import IO, Any

from booqable_async.cli._worker import add_queue_options, config_path, redis_url

__all__ = ["add_schedule_parser", "run_schedule_command"]


def add_schedule_parser(commands: Any) -> None:
    """Add ``booqable schedule`` to the command's subparsers."""
    parser = commands.add_parser(
        "schedule",
        help="list, run, park or unpark the workers' companies",
        description="See and steer the companies `booqable worker` syncs.",
    )
    actions = parser.add_subparsers(dest="schedule_command", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="each company: schedule, next run, last outcome")
    add_queue_options(listing)
    run = actions.add_parser("run", help="queue syncs now (every company when none is named)")
    add_queue_options(run)
    run.add_argument("companies", nargs="*", metavar="COMPANY")
    park = actions.add_parser("park", help="stop syncing a company until unparked")
    add_queue_options(park)
    park.add_argument("companies", nargs="+", metavar="COMPANY")
    park.add_argument("--reason", default="parked by hand", help="shown by `schedule list`")
    unpark = actions.add_parser("unpark", help="sync a parked company again")
    add_queue_options(unpark)
    unpark.add_argument("companies", nargs="+", metavar="COMPANY")


def _when(epoch: float | None) -> str:
    if epoch is None:
        return "-"
    return dt.datetime.fromtimestamp(epoch, dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


async def run_schedule_command(
    args: argparse.Namespace, environ: Mapping[str, str], stdout: IO[str]
) -> int:
    """Run one ``schedule`` action; return the exit code."""
    from saq.queue.redis import RedisQueue

    from booqable_async.workers import (
        PARKED,
        JobOptions,
        Scheduler,
        StatusStore,
        enqueue_sync,
        job_key,
        load_config,
    )

    url = redis_url(args, environ)
    config = load_config(config_path(args, environ))
    tenants = config.select(getattr(args, "companies", ()))
    queue = RedisQueue.from_url(url, name=args.queue)
    status = StatusStore(queue.redis, args.queue)
    try:
        await queue.connect()
        action = args.schedule_command
        if action == "list":
            scheduler = Scheduler(queue, tenants, status, JobOptions())
            nexts = await scheduler.next_runs()
            states = await status.all()
            rows = [("company", "schedule", "next run (UTC)", "job", "state", "last success")]
            notes = []
            for tenant in tenants:
                name = tenant.company
                job = await queue.job(job_key(name))
                state = states.get(name)
                rows.append(
                    (
                        name,
                        tenant.schedule,
                        _when(nexts.get(name)) if name in nexts else "due",
                        job.status.value if job is not None else "-",
                        state.state if state else "new",
                        _when(state.last_success if state else None),
                    )
                )
                if state is not None and state.message:
                    notes.append(f"{name}: {state.message}")
            widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
            for row in rows:
                stdout.write(
                    "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() + "\n"
                )
            for note in notes:
                stdout.write(note + "\n")
        elif action == "run":
            for tenant in tenants:
                if (await status.get(tenant.company)).parked:
                    stdout.write(f"{tenant.company}: parked (unpark it first)\n")
                    continue
                job = await enqueue_sync(queue, tenant.company, JobOptions())
                outcome = "queued" if job is not None else "already queued or running"
                stdout.write(f"{tenant.company}: {outcome}\n")
        elif action == "park":
            for tenant in tenants:
                await status.change(tenant.company, PARKED, message=args.reason)
                stdout.write(f"{tenant.company}: parked\n")
        else:
            for tenant in tenants:
                await status.change(tenant.company, "new", message=None)
                stdout.write(f"{tenant.company}: unparked (syncs at its next scheduled time)\n")
    finally:
        await queue.disconnect()
    return 0
