"""Turn a stream of webhook events into few, batched actions (debouncing).

An order being edited fires ``order.updated`` many times in a minute; a sync that reads
"every order changed since X" once after the edits settle does the work of all of them.
:class:`Debouncer` groups events by a key (default: company and resource type), waits
until the key has been quiet for ``delay`` seconds (but never longer than ``max_wait``
after its first event), then calls the action once with a :class:`Batch`. One key never
runs two actions at once: events arriving during an action form the next batch.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import Awaitable, Callable, Hashable
from typing import Any

import attrs

from booqable_async.errors import UsageError
from booqable_async.webhooks._event import WebhookEvent

__all__ = ["Batch", "Debouncer", "company_and_resource"]

logger = logging.getLogger("booqable_async.webhooks")


def company_and_resource(event: WebhookEvent) -> Hashable:
    """The default grouping: ``(event.company, event.resource_type)``."""
    return (event.company, event.resource_type)


@attrs.frozen
class Batch:
    """Events of one key, collected while it was busy or settling.

    Attributes:
        key: The group (``(company, resource_type)`` by default).
        events: The most recent events, at most the debouncer's ``max_events``.
        count: How many events the batch stands for (kept or not).
        since: The earliest ``created_at`` among all of them: sync from there.
    """

    key: Any
    events: tuple[WebhookEvent, ...]
    count: int
    since: dt.datetime

    @property
    def record_ids(self) -> frozenset[str]:
        """Ids of the records the kept events name."""
        return frozenset(e.record_id for e in self.events if e.record_id is not None)


class _Pending:
    __slots__ = ("count", "deadline", "events", "first", "since")

    def __init__(self, now: float, event: WebhookEvent) -> None:
        self.first = now
        self.deadline = now
        self.count = 0
        self.events: list[WebhookEvent] = []
        self.since = event.created_at


class Debouncer:
    """Collect events per key and run one action per quiet period.

    Use it as a :class:`WebhookReceiver` handler (it is an ``async`` callable of one event).

    Args:
        action: ``async def action(batch)``; its exceptions are logged with the key.
        delay: Seconds of quiet after the last event of a key before its action runs.
        max_wait: Most seconds after a key's first event before its action runs anyway.
        key: Function giving the group of an event (default
            :func:`company_and_resource`).
        max_events: Most events a batch keeps (the count covers all).
        clock: Monotonic seconds (inject in tests with ``sleep``).
        sleep: Awaitable sleep.

    Raises:
        UsageError: A negative delay, ``max_wait`` below ``delay`` or ``max_events`` < 1.
    """

    def __init__(
        self,
        action: Callable[[Batch], Awaitable[object]],
        *,
        delay: float = 2.0,
        max_wait: float = 30.0,
        key: Callable[[WebhookEvent], Hashable] = company_and_resource,
        max_events: int = 1000,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        if delay < 0 or max_wait < delay:
            raise UsageError(f"need 0 <= delay <= max_wait, got delay={delay}, max_wait={max_wait}")
        if max_events < 1:
            raise UsageError(f"max_events must be at least 1, got {max_events}")
        self._action = action
        self.delay = delay
        self.max_wait = max_wait
        self._key = key
        self.max_events = max_events
        self._clock = clock
        self._sleep = sleep
        self._pending: dict[Hashable, _Pending] = {}
        self._tasks: dict[Hashable, asyncio.Task[None]] = {}
        self._flush = asyncio.Event()
        self.runs = 0

    def __repr__(self) -> str:
        return f"Debouncer(delay={self.delay:g}s, keys waiting={len(self._pending)})"

    async def __call__(self, event: WebhookEvent) -> None:
        """Add ``event`` to its key's batch (returns at once)."""
        key = self._key(event)
        now = self._clock()
        pending = self._pending.get(key)
        if pending is None:
            pending = self._pending[key] = _Pending(now, event)
        pending.count += 1
        pending.events.append(event)
        if len(pending.events) > self.max_events:
            del pending.events[0]
        pending.since = min(pending.since, event.created_at)
        pending.deadline = min(now + self.delay, pending.first + self.max_wait)
        if key not in self._tasks:
            self._tasks[key] = asyncio.create_task(self._run(key))

    async def _run(self, key: Hashable) -> None:
        try:
            while key in self._pending:
                pending = self._pending[key]
                wait = pending.deadline - self._clock()
                if wait > 0 and not self._flush.is_set():
                    await self._wait(wait)
                    continue
                del self._pending[key]
                batch = Batch(key, tuple(pending.events), pending.count, pending.since)
                try:
                    await self._action(batch)
                except Exception:
                    logger.exception("debounced action failed for %r (%d events)", key, batch.count)
                self.runs += 1
        finally:
            del self._tasks[key]

    async def _wait(self, seconds: float) -> None:
        """Sleep ``seconds``, or less when :meth:`flush` is called meanwhile."""
        sleeper = asyncio.ensure_future(self._sleep(seconds))
        flushed = asyncio.ensure_future(self._flush.wait())
        try:
            await asyncio.wait({sleeper, flushed}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (sleeper, flushed):
                task.cancel()
            await asyncio.gather(sleeper, flushed, return_exceptions=True)

    async def flush(self) -> None:
        """Run every waiting batch now and wait for the actions to finish."""
        self._flush.set()
        try:
            while self._tasks:
                await asyncio.gather(*self._tasks.values(), return_exceptions=True)
        finally:
            self._flush.clear()

    async def aclose(self) -> None:
        """Run every waiting batch now (as :meth:`flush`); later events start new ones."""
        await self.flush()
