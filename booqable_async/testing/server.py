"""Run a FakeBooqable over HTTP: ``python -m booqable_async.testing.server``.

On start it prints two ``KEY=value`` lines a shell or a test can read, then a human line::

    BOOQABLE_BASE_URL=http://127.0.0.1:8080/api/4
    BOOQABLE_API_KEY=fake-...
    FakeBooqable (seed 0): 2000 orders, 500 customers, 50 product groups; Ctrl-C stops.

It stops cleanly on SIGINT or SIGTERM, or after ``--lifetime`` seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
import time
from collections.abc import Sequence

from booqable_async.errors import UsageError
from booqable_async.testing._fake import FakeBooqable
from booqable_async.testing._faults import parse_fault_spec
from booqable_async.testing._ratelimit import parse_rate_limit_spec

__all__ = ["build_parser", "main", "serve"]


def build_parser() -> argparse.ArgumentParser:
    """Return the command-line parser."""
    parser = argparse.ArgumentParser(
        prog="python -m booqable_async.testing.server",
        description="Serve an in-memory fake of Booqable's API v4 with a demo company.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port (default: any free port)")
    parser.add_argument("--seed", type=int, default=0, help="seed for all generated data")
    parser.add_argument("--orders", type=int, default=2000, help="demo orders (default 2000)")
    parser.add_argument("--customers", type=int, default=500, help="demo customers (default 500)")
    parser.add_argument(
        "--product-groups", type=int, default=50, help="demo product groups (default 50)"
    )
    parser.add_argument("--company", default="demo", help="company slug (default demo)")
    parser.add_argument("--token", default=None, help="access token to accept (default: generated)")
    parser.add_argument("--no-auth", action="store_true", help="accept requests without a token")
    parser.add_argument(
        "--rate-limit", default=None, metavar="L/P", help="requests per period, e.g. 50/60"
    )
    parser.add_argument(
        "--faults", default=None, metavar="SPEC", help="fault rules, e.g. '503@1-2,500~0.05'"
    )
    parser.add_argument(
        "--lifetime", type=float, default=None, metavar="SECONDS", help="stop after this long"
    )
    return parser


def _fake_from(args: argparse.Namespace) -> FakeBooqable:
    for name in ("orders", "customers", "product_groups"):
        if getattr(args, name) < 0:
            raise UsageError(f"--{name.replace('_', '-')} must be >= 0")
    fake = FakeBooqable(
        seed=args.seed,
        company=args.company,
        token=args.token,
        require_auth=not args.no_auth,
        rate_limit=parse_rate_limit_spec(args.rate_limit) if args.rate_limit else None,
        faults=parse_fault_spec(args.faults) if args.faults else None,
    )
    if args.orders or args.customers or args.product_groups:
        fake.seed_demo(
            orders=args.orders, customers=args.customers, product_groups=args.product_groups
        )
    return fake


async def serve(args: argparse.Namespace, stop: asyncio.Event | None = None) -> None:
    """Build the fake from parsed arguments and serve it until stopped."""
    stop = stop or asyncio.Event()
    started = time.perf_counter()
    fake = _fake_from(args)
    seeded = time.perf_counter() - started
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    async with fake.serve(args.host, args.port) as served:
        print(f"BOOQABLE_BASE_URL={served.base_url}")
        print(f"BOOQABLE_API_KEY={fake.token}")
        print(
            f"FakeBooqable (seed {args.seed}): {fake.count('orders')} orders, "
            f"{fake.count('customers')} customers, {fake.count('product_groups')} product "
            f"groups (generated in {seeded * 1000:.0f} ms); Ctrl-C stops.",
            flush=True,
        )
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=args.lifetime)
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.remove_signal_handler(sig)
    print("FakeBooqable stopped.", flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the server; returns the process exit code."""
    args = build_parser().parse_args(argv)
    try:
        asyncio.run(serve(args))
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error: cannot serve on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover - exercised through a subprocess
    sys.exit(main())
