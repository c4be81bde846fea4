"""One process spending one company's budget: ``python -m tests.workers.spend URL TOKEN N MODE``.

MODE ``redis=<url>`` uses a RedisRateLimiter on that Redis (the budget learned from the
headers), ``redis-fixed=<url>`` one with the budget given (30 per 2 s), ``local`` a
per-process limiter with that budget given. 429s are not retried (the test counts them at
the server).
"""

from __future__ import annotations

import asyncio
import contextlib
import sys

from booqable_async import BooqableClient, RetryPolicy, errors
from booqable_async.ratelimit import RateLimiter, RedisRateLimiter


async def main(base_url: str, token: str, requests: int, mode: str) -> None:
    limiter: RateLimiter
    if mode.startswith("redis="):
        limiter = RedisRateLimiter(mode.removeprefix("redis="))
    elif mode.startswith("redis-fixed="):
        limiter = RedisRateLimiter(mode.removeprefix("redis-fixed="), limit=30, period=2.0)
    else:
        limiter = RateLimiter(30, 2.0)
    try:
        async with BooqableClient(
            base_url=base_url, token=token, rate_limit=limiter, retry=RetryPolicy(max_attempts=1)
        ) as client:

            async def one() -> None:
                with contextlib.suppress(errors.RateLimited):
                    await client.orders.list()

            await asyncio.gather(*(one() for _ in range(requests)))
    finally:
        if isinstance(limiter, RedisRateLimiter):
            limiter.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]))
