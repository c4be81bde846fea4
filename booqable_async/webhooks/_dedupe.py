"""Remember which deliveries were seen: the receiver's de-duplication stores.

Booqable documents no at-most-once promise and its webhook records keep a "last attempt"
time, so a delivery can arrive more than once. A repeated delivery carries the same id; the
receiver claims each id once and drops the repeats. A claim is released when the delivery
could not be queued (the sender gets a 503 and may try again).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Protocol, runtime_checkable

from booqable_async.errors import UsageError

__all__ = ["DedupeStore", "MemoryDedupeStore"]

#: How long a delivery id is remembered by default: a day, far beyond any plausible
#: redelivery window of a sender that keeps deliveries "for a limited time".
DEFAULT_TTL = 24 * 3600.0


@runtime_checkable
class DedupeStore(Protocol):
    """Where delivery ids are claimed.

    Implementations must make :meth:`claim` atomic: two concurrent claims of one key give
    one ``True``.
    """

    async def claim(self, key: str) -> bool:
        """Claim ``key``; return True the first time, False while it is remembered."""
        ...

    async def release(self, key: str) -> None:
        """Forget ``key`` (the delivery was not accepted after all)."""
        ...


class MemoryDedupeStore:
    """Delivery ids in this process: bounded in count and in time.

    The oldest ids are forgotten first when ``max_entries`` is reached, and every id after
    ``ttl`` seconds. Several processes behind one URL need a shared store
    (:class:`~booqable_async.webhooks.RedisDedupeStore`).

    Args:
        max_entries: Most ids remembered at once.
        ttl: Seconds an id is remembered.
        clock: Monotonic seconds (inject one in tests).

    Raises:
        UsageError: ``max_entries`` below 1 or ``ttl`` not positive.
    """

    def __init__(
        self,
        max_entries: int = 100_000,
        ttl: float = DEFAULT_TTL,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_entries < 1:
            raise UsageError(f"max_entries must be at least 1, got {max_entries}")
        if ttl <= 0:
            raise UsageError(f"ttl must be more than 0 seconds, got {ttl}")
        self.max_entries = max_entries
        self.ttl = ttl
        self._clock = clock
        # key -> expiry, oldest first (claims happen in time order, so expiries too).
        self._seen: OrderedDict[str, float] = OrderedDict()

    def __len__(self) -> int:
        return len(self._seen)

    def __repr__(self) -> str:
        return f"MemoryDedupeStore({len(self._seen)}/{self.max_entries} ids, ttl={self.ttl:g}s)"

    def _expire(self, now: float) -> None:
        seen = self._seen
        while seen:
            key, expiry = next(iter(seen.items()))
            if expiry > now:
                break
            del seen[key]

    async def claim(self, key: str) -> bool:
        """Claim ``key``; return True the first time, False while it is remembered."""
        now = self._clock()
        self._expire(now)
        if key in self._seen:
            return False
        if len(self._seen) >= self.max_entries:
            self._seen.popitem(last=False)
        self._seen[key] = now + self.ttl
        return True

    async def release(self, key: str) -> None:
        """Forget ``key``."""
        self._seen.pop(key, None)
