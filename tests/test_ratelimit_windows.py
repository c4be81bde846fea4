"""RateLimiter with several windows at once, and quotas (requests and bytes per period)."""

from __future__ import annotations

import asyncio

import pytest

from booqable_async import errors
from booqable_async.clock import Clock
from booqable_async.protocol import RateLimit
from booqable_async.ratelimit import Quota, RateLimiter
from tests.test_ratelimit import max_in_window
from tests.virtual_time import VirtualClock, run_virtual

BOTH = RateLimit(10, 10.0, None, also=(RateLimit(30, 100.0, None),))


def test_two_reported_windows_are_both_honoured() -> None:
    clock = VirtualClock()
    grants: list[float] = []

    async def main() -> RateLimiter:
        limiter = RateLimiter(clock=Clock(monotonic=clock))

        async def worker() -> None:
            while clock() < 300:
                await limiter.acquire()
                grants.append(clock())
                await asyncio.sleep(0.05)
                limiter.complete(status=200, rate_limit=BOTH)

        await asyncio.gather(*(worker() for _ in range(6)))
        return limiter

    limiter = run_virtual(main(), clock)
    steady = [g for g in grants if g > 1.0]  # the first wave went out before any answer
    assert max_in_window(steady, 10.0) <= 10
    assert max_in_window(steady, 100.0) <= 30
    # The hour-like window decides: about 30 per 100 s, not 10 per 10 s.
    assert 80 <= len(grants) <= 100
    assert limiter.stats.windows == ((10, 10.0), (30, 100.0))
    assert repr(limiter) == "RateLimiter(headers, limit=10, period=10.0, also=30/100 s)"


def test_a_window_learned_later_counts_what_was_sent() -> None:
    clock = VirtualClock()

    async def main() -> float:
        limiter = RateLimiter(clock=Clock(monotonic=clock))
        for _ in range(5):
            await limiter.acquire()
            limiter.complete(status=200, rate_limit=RateLimit(100, 10.0, 95))
        # Now the answers report a second, tighter-in-total window of 6 per 100 s.
        await limiter.acquire()
        limiter.complete(
            status=200, rate_limit=RateLimit(100, 10.0, 94, also=(RateLimit(6, 100.0, 0),))
        )
        start = clock()
        await limiter.acquire()
        return clock() - start

    assert run_virtual(main(), clock) > 90.0


def test_a_429_on_one_window_waits_for_that_window() -> None:
    clock = VirtualClock()

    async def main() -> float:
        limiter = RateLimiter(clock=Clock(monotonic=clock))
        await limiter.acquire()
        limiter.complete(
            status=429, rate_limit=RateLimit(60, 60.0, 0, also=(RateLimit(3600, 3600.0, 3500),))
        )
        start = clock()
        await limiter.acquire()
        return clock() - start

    waited = run_virtual(main(), clock)
    assert 60.0 < waited < 120.0  # the minute window, not the hour


def test_a_request_quota_within_max_wait_waits_beyond_it_raises() -> None:
    clock = VirtualClock()

    async def main() -> None:
        limiter = RateLimiter(clock=Clock(monotonic=clock), quotas=[Quota(3, 100.0)], max_wait=30.0)
        for _ in range(3):
            await limiter.acquire()  # quotas are not paced: a burst is fine
            limiter.complete(status=200)
        assert clock() == 0.0
        with pytest.raises(errors.QuotaExhausted) as info:
            await limiter.acquire()
        error = info.value
        assert (error.limit, error.period, error.unit) == (3, 100.0, "requests")
        assert error.retry_after == pytest.approx(102.0)
        assert "the quota of 3 requests per 100 s is spent" in str(error)
        clock.now = 80.0  # now 22 s from room: within max_wait
        await limiter.acquire()
        assert clock() == pytest.approx(102.0)
        assert limiter.stats.granted == 4

    run_virtual(main(), clock)


def test_a_volume_quota_counts_bytes_after_each_exchange() -> None:
    clock = VirtualClock()

    async def main() -> None:
        limiter = RateLimiter(
            clock=Clock(monotonic=clock),
            quotas=[Quota(1000, 3600.0, unit="bytes")],
            max_wait=5.0,
        )
        assert limiter.counts_volume
        assert "quota 1000 bytes/3600 s" in repr(limiter)
        await limiter.acquire()
        limiter.complete(status=200)
        limiter.record_transfer(600)
        clock.now = 10.0
        await limiter.acquire()  # 600 of 1000 used: still admitted
        limiter.complete(status=200)
        limiter.record_transfer(500)
        limiter.record_transfer(0)  # nothing to count
        assert limiter.stats.transferred == 1100
        with pytest.raises(errors.QuotaExhausted) as info:
            await limiter.acquire()
        assert info.value.unit == "bytes"
        # The first exchange ages out at 3600 s; then 500 of 1000 are used.
        assert info.value.retry_after == pytest.approx(3590.0)
        clock.now = 3601.0
        await limiter.acquire()
        assert limiter.stats.transferred == 500

    run_virtual(main(), clock)


def test_without_volume_quotas_nothing_is_counted() -> None:
    limiter = RateLimiter(quotas=[Quota(10, 60.0)])
    assert not limiter.counts_volume
    limiter.record_transfer(10_000)
    assert limiter.stats.transferred == 0
    assert limiter.stats.windows == ((10, 60.0),)


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"limit": 0, "period": 1.0}, "Quota limit must be an integer >= 1"),
        ({"limit": 5, "period": 0}, "Quota period must be seconds > 0"),
        ({"limit": 5, "period": 1.0, "unit": "kb"}, "Quota unit must be"),
    ],
)
def test_invalid_quotas(kwargs: dict[str, object], fragment: str) -> None:
    with pytest.raises(errors.UsageError, match=fragment):
        Quota(**kwargs)  # type: ignore[arg-type]


def test_invalid_limiter_quota_settings() -> None:
    with pytest.raises(errors.UsageError, match="max_wait must be seconds >= 0"):
        RateLimiter(max_wait=-1)
    with pytest.raises(errors.UsageError, match="quotas must be a sequence of Quota"):
        RateLimiter(quotas=Quota(1, 1.0))  # type: ignore[arg-type]


def test_windows_reconfigure_and_a_429_without_remaining_waits_the_shortest() -> None:
    clock = VirtualClock()

    async def main() -> float:
        limiter = RateLimiter(clock=Clock(monotonic=clock))
        await limiter.acquire()
        limiter.complete(
            status=200, rate_limit=RateLimit(60, 60.0, 59, also=(RateLimit(600, 3600.0, 599),))
        )
        await limiter.acquire()
        # The hour budget changed; the minute window says nothing of what is left.
        limiter.complete(
            status=429,
            rate_limit=RateLimit(60, 60.0, None, also=(RateLimit(500, 3600.0, 400),)),
        )
        assert limiter.stats.windows == ((60, 60.0), (500, 3600.0))
        start = clock()
        await limiter.acquire()
        limiter.complete(status=200)
        # A 429 without headers: the shortest window counts as spent again.
        await limiter.acquire()
        limiter.complete(status=429)
        return clock() - start

    assert run_virtual(main(), clock) > 60.0


def test_a_rate_window_waits_even_beyond_max_wait() -> None:
    clock = VirtualClock()

    async def main() -> float:
        limiter = RateLimiter(
            1,
            10.0,
            clock=Clock(monotonic=clock),
            quotas=[Quota(10_000, 3600.0, "bytes")],
            max_wait=1.0,
        )
        await limiter.acquire()
        limiter.complete(status=200)
        await limiter.acquire()  # 10.2 s: a rate window, not a quota, so it waits
        return clock()

    assert run_virtual(main(), clock) == pytest.approx(10.2)


def test_many_grants_before_any_budget_is_known() -> None:
    clock = VirtualClock()

    async def main() -> None:
        limiter = RateLimiter(clock=Clock(monotonic=clock))
        for _ in range(1100):
            await limiter.acquire()
            limiter.complete()
        await limiter.acquire()
        limiter.complete(status=200, rate_limit=RateLimit(2000, 10.0, 900))
        assert limiter.stats.limit == 2000

    run_virtual(main(), clock)


def test_a_waiter_cancelled_before_any_budget_is_known_frees_its_slot() -> None:
    clock = VirtualClock()

    async def main() -> None:
        limiter = RateLimiter(clock=Clock(monotonic=clock))
        await limiter.acquire()
        limiter.complete(status=429, retry_after=30.0)
        waiter = asyncio.ensure_future(limiter.acquire())
        await asyncio.sleep(1.0)
        waiter.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiter
        limiter.complete(status=429, retry_after=5.0)  # a shorter pause changes nothing
        assert limiter.stats.paused_until == pytest.approx(30.0)

    run_virtual(main(), clock)


def test_a_window_learned_after_a_quiet_spell_forgets_old_grants() -> None:
    clock = VirtualClock()

    async def main() -> float:
        limiter = RateLimiter(clock=Clock(monotonic=clock))
        for _ in range(3):
            await limiter.acquire()
            limiter.complete(status=200, rate_limit=RateLimit(3, 10.0, None))
        clock.now = 100.0
        start = clock()
        await limiter.acquire()  # the grants at 0 s left the 10 s window long ago
        limiter.complete(
            status=200, rate_limit=RateLimit(3, 10.0, None, also=(RateLimit(3, 20.0),))
        )
        return clock() - start

    assert run_virtual(main(), clock) == 0.0
