"""Rate-limiter efficiency: a bulk job against a simulated Booqable that enforces L per P.

A MockTransport plays the server on a virtual clock (the event loop jumps from timer to
timer, so ten minutes of traffic take a fraction of a second): it counts requests in a
sliding or fixed window of P seconds, answers 429 once L were used, and sends
``X-Ratelimit-Limit/Period/Remaining`` like Booqable. Each request takes 50-300 ms of
simulated latency. Sixteen tasks drain it through one Session for ten periods.

Reported: the share of the budget used (successful requests / (L x 10); target >= 95%)
and the share of requests answered 429 (target <= 1%). A further scenario adds another
integration spending 40% of the same budget, which our client cannot see.

Several windows at once (docs/profiles.md): eight tasks through the Booga Enterprise
example client against its fake (the job of tests/examples/test_booga.py), which enforces
a per-minute and a per-hour budget and reports both in headers on every answer; the
budget of the tighter window is the target (>= 90% used, <= 1% 429s), and the same job
without the limiter shows what it prevents.
"""

from __future__ import annotations

import asyncio
import random
import sys
from collections import deque
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _results import Row, emit

from booqable_async import RetryPolicy
from booqable_async.clock import Clock
from booqable_async.session import Session
from booqable_async.transport import HttpRequest, HttpResponse, MockTransport
from tests.examples.test_booga import simulate as simulate_windows
from tests.virtual_time import VirtualClock, run_virtual

TASKS = 16
PERIODS = 10
BODY = b'{"data":[]}'


class SimulatedServer:
    """Enforces `limit` requests per `period` seconds on the virtual clock."""

    def __init__(self, clock: VirtualClock, limit: int, period: float, window: str) -> None:
        self.clock = clock
        self.limit = limit
        self.period = period
        self.window = window
        self.log: deque[float] = deque()
        self.window_start = 0.0
        self.window_count = 0
        self.ok = 0
        self.limited = 0
        self.rng = random.Random(7)
        self.end = PERIODS * period

    def admit(self) -> int | None:
        """Count one request; return the remaining budget, or None when over it."""
        now = self.clock()
        if self.window == "sliding":
            while self.log and self.log[0] <= now - self.period:
                self.log.popleft()
            if len(self.log) >= self.limit:
                return None
            self.log.append(now)
            return self.limit - len(self.log)
        if now >= self.window_start + self.period:
            self.window_start = now - (now - self.window_start) % self.period
            self.window_count = 0
        if self.window_count >= self.limit:
            return None
        self.window_count += 1
        return self.limit - self.window_count

    async def handle(self, request: HttpRequest) -> HttpResponse:
        await asyncio.sleep(self.rng.uniform(0.025, 0.15))  # on the way in
        remaining = self.admit()
        await asyncio.sleep(self.rng.uniform(0.025, 0.15))  # on the way back
        headers = {
            "Content-Type": "application/vnd.api+json",
            "X-Ratelimit-Limit": str(self.limit),
            "X-Ratelimit-Period": str(int(self.period)),
            "X-Ratelimit-Remaining": str(remaining or 0),
        }
        if remaining is None:
            self.limited += 1
            return HttpResponse(429, headers, b'{"errors":[{"status":"429"}]}')
        if self.clock() <= self.end:  # only what the ten periods' budget paid for
            self.ok += 1
        return HttpResponse(200, headers, BODY)


def simulate(limit: int, period: float, window: str, other_share: float = 0.0) -> str:
    clock = VirtualClock()
    server = SimulatedServer(clock, limit, period, window)
    end = PERIODS * period

    async def other_integration() -> None:
        rng = random.Random(11)
        rate = other_share * limit / period
        while clock() < end:
            await asyncio.sleep(rng.expovariate(rate))
            server.admit()

    async def main() -> None:
        session = Session(
            company="acme",
            token="token",
            transport=MockTransport(server.handle),
            max_concurrency=TASKS,
            clock=Clock(monotonic=clock),
            retry=RetryPolicy(max_attempts=10),
        )

        async def worker() -> None:
            while clock() < end:
                await session.request("GET", "orders")

        async with session:
            jobs = [worker() for _ in range(TASKS)]
            if other_share:
                jobs.append(other_integration())
            await asyncio.gather(*jobs)

    run_virtual(main(), clock)
    total = server.ok + server.limited
    budget = limit * PERIODS * (1 - other_share)
    used = server.ok / budget
    label = f"{limit}/{int(period)} s, {window} window"
    if other_share:
        label += f", another integration at {other_share:.0%}"
    return (
        f"{label:58} budget used {used:6.1%}   429s {server.limited / total:6.2%} "
        f"({server.limited} of {total})"
    )


def windows_rows() -> list[Row]:
    rows = []
    for per_minute, per_hour, minutes, limiter in (
        (60, 3600, 20, True),
        (60, 1000, 120, True),
        (60, 3600, 5, False),
    ):
        served, limited = simulate_windows(per_minute, per_hour, minutes, limiter=limiter)
        budget = min(per_minute * minutes, per_hour * minutes / 60)
        total = served + limited
        label = f"{per_minute}/min and {per_hour}/h at once, {minutes} min" + (
            "" if limiter else ", limiter off"
        )
        print(
            f"{label:58} budget used {served / budget:6.1%}   429s {limited / total:6.2%} "
            f"({limited} of {total})"
        )
        rows.append(
            Row(
                "limiter",
                f"two windows at once: {label} (Booga example fake, virtual time)",
                f"{limited / total:.2%} of requests answered 429",
                f"the tighter window's {budget:.0f}",
                f"{served / budget:.1%} used",
                "≥ 90 % used, ≤ 1 % 429" if limiter else "",
            )
        )
    return rows


def main() -> None:
    rows = []
    for limit in (50, 250):
        for window in ("sliding", "fixed"):
            line = simulate(limit, 60.0, window)
            print(line)
            used, limited = _figures(line)
            rows.append(
                Row(
                    "limiter",
                    f"budget used by 16 tasks over 10 periods, {window} server window "
                    "(simulated Booqable, virtual time)",
                    f"{limited} of requests answered 429",
                    f"budget {limit}/60 s",
                    f"{used} used",
                    "≥ 95 % used, ≤ 1 % 429",
                )
            )
    line = simulate(50, 60.0, "sliding", other_share=0.4)
    print(line)
    used, limited = _figures(line)
    rows.append(
        Row(
            "limiter",
            "the same while another integration spends 40 % of the budget",
            f"{limited} of requests answered 429",
            "the 60 % of 50/60 s left",
            f"{used} used",
        )
    )
    rows.extend(windows_rows())
    print(
        "targets: budget used >= 95% (one window), >= 90% of the tighter one (two windows), "
        "429s <= 1% (lines with another integration or without the limiter have no target)"
    )
    emit(rows)


def _figures(line: str) -> tuple[str, str]:
    used = line.split("budget used")[1].split("%")[0].strip() + " %"
    limited = line.split("429s")[1].split("%")[0].strip() + " %"
    return used, limited


if __name__ == "__main__":
    main()
