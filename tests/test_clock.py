"""Clock: one owner of time per session, named for what each source measures."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timezone
from email.utils import format_datetime

import pytest

from booqable_async import BooqableClient, errors
from booqable_async.clock import SYSTEM_CLOCK, Clock
from booqable_async.ratelimit import RateLimiter
from booqable_async.session import Session
from booqable_async.transport import MockTransport
from tests.session.helpers import TOKEN, Script, answer


def test_the_system_clock_is_real_time() -> None:
    assert SYSTEM_CLOCK.monotonic is time.monotonic
    assert SYSTEM_CLOCK.wall is time.time
    assert SYSTEM_CLOCK.sleep is asyncio.sleep
    assert 0 <= SYSTEM_CLOCK.random() < 1
    assert Clock() == SYSTEM_CLOCK


def test_every_member_must_be_callable() -> None:
    for name in ("monotonic", "wall", "sleep", "random"):
        with pytest.raises(errors.UsageError, match=f"Clock.{name} must be callable"):
            Clock(**{name: 3})  # type: ignore[arg-type]
    with pytest.raises(errors.UsageError, match=r"clock must be a booqable_async\.clock\.Clock"):
        Session(company="acme", token=TOKEN, clock=time.monotonic)  # type: ignore[arg-type]


async def test_the_session_hands_its_clock_to_retries_limiter_and_timing() -> None:
    # One clock drives everything the session waits for or measures.
    now = datetime(2030, 1, 1, 12, 0, 0, tzinfo=timezone.utc)
    later = format_datetime(datetime(2030, 1, 1, 12, 0, 7, tzinfo=timezone.utc), usegmt=True)
    ticks = iter(range(100))
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    clock = Clock(
        monotonic=lambda: float(next(ticks)), wall=now.timestamp, sleep=sleep, random=lambda: 0.5
    )
    script = Script(answer(503, headers={"Retry-After": later}), answer(502), answer())
    async with Session(
        company="acme", token=TOKEN, transport=MockTransport(script), clock=clock
    ) as session:
        assert session.clock is clock
        assert isinstance(session.limiter, RateLimiter)
        response = await session.request("GET", "orders")
    assert response.attempts == 3
    assert sleeps == [7.0, 0.5]  # the HTTP date on the wall clock, then jitter 0.5 of 1 s
    assert response.elapsed > 0  # measured on the monotonic ticks


async def test_a_client_takes_the_same_clock() -> None:
    async def no_sleep(seconds: float) -> None:
        pass

    clock = Clock(sleep=no_sleep)
    async with BooqableClient(
        company="acme", token=TOKEN, transport=MockTransport(Script(answer())), clock=clock
    ) as client:
        assert client.session.clock is clock
