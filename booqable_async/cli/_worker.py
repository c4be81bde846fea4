"""``booqable worker``: run a SAQ worker syncing the companies of a tenants file.

Needs the ``workers`` and ``sync`` extras. Stops cleanly on SIGINT/SIGTERM: jobs in
flight stop at their next page, load nothing of that run, and go back on the queue.
"""

from __future__ import annotations

import argparse
import logging
import os
from collections.abc import Mapping
from typing import IO, Any

from booqable_async.errors import UsageError

__all__ = [
    "REDIS_ENV",
    "WORKERS_CONFIG_ENV",
    "add_worker_parser",
    "redis_url",
    "run_worker_command",
]

#: Environment fallbacks of ``--redis`` and ``--config``.
REDIS_ENV = "BOOQABLE_REDIS_URL"
WORKERS_CONFIG_ENV = "BOOQABLE_WORKERS_CONFIG"


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be at least 1")
    return value


def add_queue_options(parser: argparse.ArgumentParser) -> None:
    """The options ``worker`` and ``schedule`` share: Redis, tenants file, queue."""
    parser.add_argument("--redis", metavar="URL", help=f"Redis of the queue (default ${REDIS_ENV})")
    parser.add_argument(
        "--config",
        metavar="FILE",
        help=f"the tenants file, TOML (default ${WORKERS_CONFIG_ENV}; see docs/workers.md)",
    )
    parser.add_argument("--queue", default="booqable", metavar="NAME", help="queue name (booqable)")


def add_worker_parser(commands: Any) -> None:
    """Add ``booqable worker`` to the command's subparsers."""
    parser = commands.add_parser(
        "worker",
        help="run a sync worker for many companies (SAQ on Redis)",
        description=(
            "Run the syncs of the companies in a tenants file as SAQ jobs: each company "
            "on its cron schedule, one sync per company at a time, its rate budget shared "
            "with every other worker on the same Redis. Start as many as you like. "
            "Stops cleanly on Ctrl-C or SIGTERM."
        ),
    )
    add_queue_options(parser)
    parser.add_argument(
        "--concurrency", type=_positive, default=10, metavar="N", help="syncs at once (10)"
    )
    parser.add_argument(
        "--web-port",
        type=_positive,
        metavar="PORT",
        help="also serve SAQ's web UI (queue, jobs, workers) on 127.0.0.1:PORT",
    )
    parser.add_argument(
        "--heartbeat",
        type=_positive,
        default=60,
        metavar="SECONDS",
        help="a job silent this long counts as lost and runs again elsewhere (60)",
    )
    parser.add_argument(
        "--sweep-every",
        type=_positive,
        default=60,
        metavar="SECONDS",
        help="how often to look for jobs whose worker died (60)",
    )
    parser.add_argument(
        "--retries", type=_positive, default=5, metavar="N", help="attempts per sync (5)"
    )
    parser.add_argument(
        "--retry-delay",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="wait before the first retry; doubling up to 10 minutes (10)",
    )
    parser.add_argument(
        "--no-schedule",
        action="store_true",
        help="only run queued jobs (another worker or `booqable schedule run` enqueues)",
    )
    parser.add_argument(
        "--log-level",
        choices=("debug", "info", "warning", "error"),
        default="info",
        help="what the worker logs to stderr (info)",
    )


def redis_url(args: argparse.Namespace, environ: Mapping[str, str]) -> str:
    """The Redis URL from ``--redis`` or the environment.

    Raises:
        UsageError: Neither is given.
    """
    url = args.redis or environ.get(REDIS_ENV)
    if not url:
        raise UsageError(f"which Redis? pass --redis redis://host:6379/0 or set {REDIS_ENV}")
    return str(url)


def config_path(args: argparse.Namespace, environ: Mapping[str, str]) -> str:
    """The tenants file from ``--config`` or the environment.

    Raises:
        UsageError: Neither is given.
    """
    path = args.config or environ.get(WORKERS_CONFIG_ENV)
    if not path:
        raise UsageError(
            f"which companies? pass --config tenants.toml or set {WORKERS_CONFIG_ENV} "
            "(docs/workers.md shows the file)"
        )
    return str(path)


async def run_worker_command(
    args: argparse.Namespace, environ: Mapping[str, str], stderr: IO[str]
) -> int:
    """Run the worker until it is stopped; return the exit code."""
    from booqable_async.workers import JobOptions, create_worker, load_config, run_worker

    url = redis_url(args, environ)
    config = load_config(config_path(args, environ))
    handler = logging.StreamHandler(stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    level = getattr(logging, args.log_level.upper())
    loggers = [logging.getLogger(n) for n in ("saq", "booqable_async")]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(level)
    try:
        worker = create_worker(
            config,
            url,
            queue_name=args.queue,
            concurrency=args.concurrency,
            schedule=not args.no_schedule,
            options=JobOptions(
                heartbeat=args.heartbeat, retries=args.retries, retry_delay=args.retry_delay
            ),
            sweep_every=args.sweep_every,
            environ=environ if environ is not os.environ else None,
        )
        await run_worker(worker, web_port=args.web_port)
    finally:
        for logger in loggers:
            logger.removeHandler(handler)
    return 0
