"""Clock: the time a session runs on (monotonic and wall clock, sleep) and its randomness.

A session owns one :class:`Clock` and hands it to everything that waits or measures: the
retry policy (backoff sleeps, jitter, ``Retry-After`` dates), the rate limiter it creates
(grant times, waits), and auth schemes that stamp tokens. Pass your own to make time
virtual in tests, so nothing ever really sleeps::

    async def no_sleep(seconds: float) -> None:
        pass

    client = BooqableClient(base_url=fake.base_url, token=fake.token,
                            transport=fake.transport(), clock=Clock(sleep=no_sleep))
"""

from __future__ import annotations

import asyncio
import random as _random
import time
from collections.abc import Awaitable, Callable
from typing import Any

import attrs

from booqable_async.errors import UsageError

__all__ = ["SYSTEM_CLOCK", "Clock"]


def _callable(instance: Clock, attribute: attrs.Attribute[Any], value: object) -> None:
    if not callable(value):
        raise UsageError(f"Clock.{attribute.name} must be callable, got a {type(value).__name__}")


@attrs.frozen
class Clock:
    """The time sources of one session, each named for what it measures.

    Attributes:
        monotonic: Seconds on a clock that never goes back (``time.monotonic``): elapsed
            times, rate-limiter grants and pauses.
        wall: Seconds since the epoch (``time.time``): turning a ``Retry-After`` HTTP date
            into a delay, stamping and expiring tokens.
        sleep: Waits the given seconds (``asyncio.sleep``): retry backoff, limiter waits.
        random: A float in ``[0, 1)`` (``random.random``): the full jitter of retry
            backoff.

    Raises:
        UsageError: A member is not callable.
    """

    monotonic: Callable[[], float] = attrs.field(default=time.monotonic, validator=_callable)
    wall: Callable[[], float] = attrs.field(default=time.time, validator=_callable)
    sleep: Callable[[float], Awaitable[None]] = attrs.field(
        default=asyncio.sleep, validator=_callable
    )
    random: Callable[[], float] = attrs.field(default=_random.random, validator=_callable)


#: Real time: ``time.monotonic``, ``time.time``, ``asyncio.sleep`` and ``random.random``.
SYSTEM_CLOCK = Clock()
