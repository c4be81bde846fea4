"""RateLimiter in virtual time: budget learning, spacing, pauses, sharing, cancellation."""

from __future__ import annotations

import asyncio
import itertools
from bisect import bisect_left

import pytest

from booqable_async import errors
from booqable_async.clock import Clock
from booqable_async.protocol import RateLimit
from booqable_async.ratelimit import RateLimiter
from tests.virtual_time import VirtualClock, run_virtual


def max_in_window(times: list[float], window: float) -> int:
    ordered = sorted(times)
    return max((i - bisect_left(ordered, t - window) + 1 for i, t in enumerate(ordered)), default=0)


def drain(
    limiter_factory: type[RateLimiter] | None = None,
    *,
    limit: int = 10,
    period: float = 10.0,
    tasks: int = 8,
    until: float = 100.0,
    fixed: bool = False,
) -> tuple[list[float], RateLimiter]:
    """Run `tasks` workers against a limiter fed with headers of `limit` per `period`."""
    clock = VirtualClock()
    grants: list[float] = []

    async def main() -> RateLimiter:
        limiter = (
            RateLimiter(limit, period, clock=Clock(monotonic=clock))
            if fixed
            else RateLimiter(clock=Clock(monotonic=clock))
        )

        async def worker() -> None:
            while clock() < until:
                await limiter.acquire()
                grants.append(clock())
                await asyncio.sleep(0.05)
                limiter.complete(status=200, rate_limit=RateLimit(limit, period, remaining=None))

        await asyncio.gather(*(worker() for _ in range(tasks)))
        return limiter

    limiter = run_virtual(main(), clock)
    return grants, limiter


def test_learns_the_budget_and_never_exceeds_it() -> None:
    grants, limiter = drain(limit=10, period=10.0, tasks=8, until=100.0)
    # Only the first wave goes out before the budget is known; after that no window of
    # one period holds more than the limit.
    assert max_in_window(grants, 10.0) <= 10
    assert limiter.stats.limit == 10
    assert limiter.stats.period == 10.0
    # Sustained use: close to the whole budget (10 periods -> about 100 requests).
    assert 95 <= len(grants) <= 110
    assert limiter.stats.delayed > 0
    assert limiter.stats.waited > 0


def test_requests_are_spaced_not_bunched() -> None:
    grants, _ = drain(limit=20, period=20.0, tasks=16, until=200.0)
    steady = sorted(g for g in grants if g > 40.0)
    gaps = [b - a for a, b in itertools.pairwise(steady)]
    # One every ~1.02 s on average; never a long idle gap in a saturated job.
    assert max(gaps) < 3.0
    assert sum(gaps) / len(gaps) == pytest.approx(20.0 * 1.02 / 20, rel=0.05)


def test_fixed_budget_ignores_the_headers_limit() -> None:
    clock = VirtualClock()
    grants: list[float] = []

    async def main() -> None:
        limiter = RateLimiter(limit=5, period=10.0, clock=Clock(monotonic=clock))
        assert "fixed" in repr(limiter)

        async def worker() -> None:
            while clock() < 50:
                await limiter.acquire()
                grants.append(clock())
                # The server claims a far larger budget: a fixed limiter keeps its own.
                limiter.complete(status=200, rate_limit=RateLimit(250, 60, 249))

        await asyncio.gather(*(worker() for _ in range(4)))
        assert limiter.stats.limit == 5

    run_virtual(main(), clock)
    assert max_in_window(grants, 10.0) <= 5
    assert len(grants) >= 24


def test_a_429_pauses_every_waiting_task() -> None:
    clock = VirtualClock()
    grants: list[tuple[str, float]] = []

    async def main() -> None:
        limiter = RateLimiter(limit=100, period=10.0, burst=1, clock=Clock(monotonic=clock))
        await limiter.acquire()
        # Others queue up (paced at 0.102 s) while the first request is answered 429.
        waiting = [asyncio.ensure_future(task(limiter, f"t{i}")) for i in range(5)]
        await asyncio.sleep(0.01)
        limiter.complete(status=429, retry_after=5.0)
        await asyncio.gather(*waiting)
        assert limiter.stats.rate_limited == 1
        assert limiter.stats.paused_until == pytest.approx(5.01)

    async def task(limiter: RateLimiter, name: str) -> None:
        await limiter.acquire()
        grants.append((name, clock()))
        limiter.complete(status=200)

    run_virtual(main(), clock)
    assert len(grants) == 5
    assert all(at >= 5.01 for _, at in grants)


def test_429_without_retry_after_escalates_up_to_one_period() -> None:
    clock = VirtualClock()

    async def main() -> list[float]:
        limiter = RateLimiter(limit=10, period=10.0, clock=Clock(monotonic=clock))
        pauses = []
        for _ in range(6):
            await limiter.acquire()
            now = clock()
            limiter.complete(status=429, rate_limit=RateLimit(10, 10.0, 0))
            pauses.append(limiter.stats.paused_until - now)
        await limiter.acquire()
        limiter.complete(status=200, rate_limit=RateLimit(10, 10.0, 5))
        await limiter.acquire()
        now = clock()
        limiter.complete(status=429)
        pauses.append(limiter.stats.paused_until - now)
        return pauses

    pauses = run_virtual(main(), clock)
    interval = 10.0 * 1.02 / 10
    assert pauses[:4] == pytest.approx([interval, 2 * interval, 4 * interval, 8 * interval])
    assert pauses[4:6] == pytest.approx([10.0, 10.0])  # capped at one period
    assert pauses[6] == pytest.approx(interval)  # a success resets the escalation


def test_remaining_reveals_other_consumers_and_slows_us_down() -> None:
    clock = VirtualClock()
    answered: dict[int, int] = {200: 0, 429: 0}
    window: list[float] = []  # the server's sliding log: 20 requests per 10 s
    until = 200.0

    def server() -> tuple[int, int]:
        now = clock()
        window[:] = [t for t in window if t > now - 10.0]
        if len(window) >= 20:
            return 429, 0
        window.append(now)
        return 200, 20 - len(window)

    async def other_integration() -> None:
        while clock() < until:  # spends half the budget, steadily
            server()
            await asyncio.sleep(1.0)

    async def main() -> RateLimiter:
        limiter = RateLimiter(clock=Clock(monotonic=clock))

        async def worker() -> None:
            while clock() < until:
                await limiter.acquire()
                await asyncio.sleep(0.05)
                status, remaining = server()
                answered[status] += 1
                await asyncio.sleep(0.05)
                limiter.complete(status=status, rate_limit=RateLimit(20, 10.0, remaining))

        await asyncio.gather(other_integration(), *(worker() for _ in range(4)))
        return limiter

    limiter = run_virtual(main(), clock)
    assert limiter.stats.rate_limited == answered[429]
    # We get most of the half that is left (about 10 per 10 s) and rarely hit the limit.
    assert answered[200] >= 0.8 * 10 * until / 10.0
    assert answered[429] <= 0.03 * (answered[200] + answered[429])


def test_cancelled_waiter_frees_its_slot() -> None:
    clock = VirtualClock()

    async def main() -> float:
        limiter = RateLimiter(limit=1, period=10.0, clock=Clock(monotonic=clock))
        await limiter.acquire()
        limiter.complete(status=200)
        waiter = asyncio.ensure_future(limiter.acquire())
        await asyncio.sleep(1.0)
        waiter.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiter
        await limiter.acquire()
        return clock()

    # The cancelled reservation is gone: the next grant is at the window edge, not later.
    assert run_virtual(main(), clock) == pytest.approx(10.2)


def test_unknown_budget_lets_requests_through_until_learned() -> None:
    clock = VirtualClock()

    async def main() -> None:
        limiter = RateLimiter(clock=Clock(monotonic=clock))
        assert "headers" in repr(limiter)
        for _ in range(30):
            await limiter.acquire()
        assert clock() == 0.0
        for _ in range(30):
            limiter.complete()  # transport errors: nothing learned
        assert limiter.stats.limit is None
        # Learning a limit counts what was already sent: the next request waits.
        await limiter.acquire()
        limiter.complete(status=200, rate_limit=RateLimit(10, 1.0, 0))
        await limiter.acquire()
        assert clock() > 1.0

    run_virtual(main(), clock)


def test_two_limiters_share_nothing() -> None:
    clock = VirtualClock()

    async def main() -> None:
        one = RateLimiter(limit=1, period=100.0, clock=Clock(monotonic=clock))
        two = RateLimiter(limit=1, period=100.0, clock=Clock(monotonic=clock))
        await one.acquire()
        await two.acquire()
        assert clock() == 0.0

    run_virtual(main(), clock)


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"limit": 5}, "needs both limit and period"),
        ({"period": 5.0}, "needs both limit and period"),
        ({"limit": 0, "period": 5.0}, "limit >= 1 and period > 0"),
        ({"limit": 5, "period": 0}, "limit >= 1 and period > 0"),
        ({"limit": 5.5, "period": 1.0}, "limit must be an integer"),
        ({"limit": 5, "period": 1.0, "burst": 0}, "burst must be >= 1"),
        ({"burst": "3"}, "burst must be an integer"),
        ({"safety_margin": 1.5}, "safety_margin must be in"),
    ],
)
def test_invalid_settings(kwargs: dict[str, object], fragment: str) -> None:
    with pytest.raises(errors.UsageError, match=fragment):
        RateLimiter(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(("remaining", "waits_window"), [(0, True), (40, False), (None, True)])
def test_a_429_blocks_a_whole_window_only_when_the_budget_is_spent(
    remaining: int | None, waits_window: bool
) -> None:
    # Regression: any 429 with rate-limit headers was taken as "the whole budget is spent",
    # so a 429 showing 40 of 50 requests left (a maintenance answer, an injected fault)
    # blocked the client for a full window instead of the documented pause.
    clock = VirtualClock()

    async def main() -> float:
        limiter = RateLimiter(clock=Clock(monotonic=clock))
        await limiter.acquire()
        limiter.complete(status=200, rate_limit=RateLimit(50, 60.0, 49))
        await limiter.acquire()
        limiter.complete(status=429, rate_limit=RateLimit(50, 60.0, remaining), retry_after=1.0)
        start = clock()
        await limiter.acquire()
        limiter.complete(status=200, rate_limit=RateLimit(50, 60.0, 39))
        return clock() - start

    waited = run_virtual(main(), clock)
    if waits_window:
        assert waited > 60.0
    else:
        assert waited == pytest.approx(1.0, abs=0.01)
