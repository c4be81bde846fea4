"""A de-duplication store shared by every process behind one webhook URL (Redis).

Needs the ``workers`` extra (``pip install 'booqable-async[workers]'``), which brings
``redis``. A claim is one ``SET key 1 NX PX ttl``: atomic, and it expires by itself.
When Redis cannot be reached the store falls back to a local in-memory store and logs a
warning: repeats across processes may then get through, but deliveries keep flowing
(the handler must treat events as hints anyway).
"""

from __future__ import annotations

import importlib
import logging
from typing import Any

from booqable_async.errors import UsageError
from booqable_async.webhooks._dedupe import DEFAULT_TTL, DedupeStore, MemoryDedupeStore

__all__ = ["RedisDedupeStore"]

logger = logging.getLogger("booqable_async.webhooks")


def _redis_asyncio() -> Any:
    try:
        return importlib.import_module("redis.asyncio")
    except ImportError:
        raise UsageError(
            "RedisDedupeStore needs the redis package: pip install 'booqable-async[workers]'"
        ) from None


class RedisDedupeStore:
    """Delivery ids in Redis, shared by processes; expiring after ``ttl`` seconds.

    Args:
        redis: A ``redis.asyncio.Redis`` client (left open) or a ``redis://`` URL (a client
            is made from it and closed by :meth:`aclose`).
        ttl: Seconds an id is remembered.
        prefix: Key prefix (one per application sharing the Redis database).
        fallback: Store used while Redis fails (default: an in-memory one).

    Raises:
        UsageError: The ``redis`` package is missing, or ``ttl`` is not positive.
    """

    def __init__(
        self,
        redis: Any,
        *,
        ttl: float = DEFAULT_TTL,
        prefix: str = "booqable:webhooks:seen:",
        fallback: DedupeStore | None = None,
    ) -> None:
        module = _redis_asyncio()
        if ttl <= 0:
            raise UsageError(f"ttl must be more than 0 seconds, got {ttl}")
        self._owned = isinstance(redis, str)
        self._redis = module.from_url(redis) if isinstance(redis, str) else redis
        self._errors: tuple[type[BaseException], ...] = (
            importlib.import_module("redis.exceptions").RedisError,
            OSError,
        )
        self._ttl_ms = max(1, int(ttl * 1000))
        self.prefix = prefix
        self.fallback: DedupeStore = fallback or MemoryDedupeStore(ttl=ttl)
        self._degraded = False

    def __repr__(self) -> str:
        state = "degraded: using the local fallback" if self._degraded else "ok"
        return f"RedisDedupeStore(prefix={self.prefix!r}, {state})"

    def _failed(self, exc: BaseException) -> None:
        if not self._degraded:
            # Once per outage: a burst of deliveries must not flood the log.
            logger.warning(
                "webhook de-duplication: Redis failed (%s); using the in-process store "
                "until it answers again",
                type(exc).__name__,
            )
        self._degraded = True

    def _recovered(self) -> None:
        if self._degraded:
            logger.warning("webhook de-duplication: Redis answers again")
        self._degraded = False

    async def claim(self, key: str) -> bool:
        """Claim ``key`` (``SET NX``); return True the first time."""
        try:
            created = await self._redis.set(self.prefix + key, b"1", nx=True, px=self._ttl_ms)
        except self._errors as exc:
            self._failed(exc)
            return await self.fallback.claim(key)
        self._recovered()
        return bool(created)

    async def release(self, key: str) -> None:
        """Forget ``key`` (``DEL``)."""
        try:
            await self._redis.delete(self.prefix + key)
        except self._errors as exc:
            self._failed(exc)
        await self.fallback.release(key)

    async def aclose(self) -> None:
        """Close the Redis client if this store made it from a URL."""
        if self._owned:
            await self._redis.aclose()
