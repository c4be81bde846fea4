"""Virtual time for asyncio tests: the event loop jumps to its next timer instead of waiting.

``run_virtual(coro)`` runs ``coro`` on a loop whose ``time()`` is a counter. Whenever
every task is blocked on a timer (``asyncio.sleep``, ``call_later``, timeouts), the loop
advances the counter straight to the earliest one, so a simulated hour takes
milliseconds and every wake-up happens in exactly the order real time would give.
Only public asyncio APIs are used: a ``SelectorEventLoop`` with its own selector.
"""

from __future__ import annotations

import asyncio
import selectors
from collections.abc import Coroutine
from typing import Any, TypeVar

from booqable_async.clock import Clock

_T = TypeVar("_T")


class VirtualClock:
    """A clock that only moves when the loop would otherwise sleep."""

    def __init__(self, start: float = 0.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


class _VirtualSelector(selectors.DefaultSelector):  # type: ignore[misc,valid-type]
    def __init__(self, clock: VirtualClock) -> None:
        super().__init__()
        self._clock = clock

    def select(self, timeout: float | None = None) -> list[Any]:
        events = super().select(0)
        if events:
            return events
        if timeout is None:
            # Nothing scheduled and nothing ready: wait briefly for real I/O (threads).
            return super().select(0.01)
        if timeout > 0:
            self._clock.now += timeout
        return []


class _VirtualLoop(asyncio.SelectorEventLoop):
    def __init__(self, clock: VirtualClock) -> None:
        super().__init__(_VirtualSelector(clock))
        self._virtual_clock = clock

    def time(self) -> float:
        return self._virtual_clock.now


def run_virtual(coro: Coroutine[Any, Any, _T], clock: VirtualClock | None = None) -> _T:
    """Run ``coro`` to completion in virtual time and return its result."""
    loop = _VirtualLoop(clock or VirtualClock())
    try:
        return loop.run_until_complete(coro)
    finally:
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()


class SteppedTime:
    """Time that moves only when someone sleeps: for code that takes a ``Clock``.

    ``clock()`` gives a :class:`booqable_async.clock.Clock` whose monotonic and wall clocks
    read this time and whose sleep advances it, so waits cost nothing and elapsed times
    are exact (no event loop tricks needed).
    """

    def __init__(self, start: float = 0.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds

    def clock(self) -> Clock:
        return Clock(monotonic=self, wall=self, sleep=self.sleep)
