"""Each company's sync status in Redis: what ran last, how it went, and whether it is parked.

One Redis hash per queue (``booqable:workers:<queue>:status``), a JSON value per company.
A company whose credentials were rejected (401) is *parked*: the scheduler skips it and
a job for it ends at once, until ``booqable schedule unpark COMPANY`` (after fixing the
token). Messages are one line and hold no secret (the library's errors never do).
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any

import attrs
from redis.asyncio import Redis

__all__ = ["PARKED", "CompanyStatus", "StatusStore"]

#: The state of a company whose credentials were rejected.
PARKED = "parked"


@attrs.frozen
class CompanyStatus:
    """What the workers know about one company's syncs.

    Attributes:
        company: The company.
        state: ``new`` (never ran), ``running``, ``ok``, ``interrupted`` (its worker
            stopped or SAQ aborted it; it runs again), ``retrying`` (a transient error;
            the job runs again after a backoff), ``failed`` (an error retries will not fix;
            the next scheduled run tries again) or ``parked`` (credentials rejected).
        updated: When the state last changed (epoch seconds).
        message: The last error or reason, one line.
        last_success: When a sync last completed (epoch seconds).
        requests: Requests the last completed sync made.
        written: Rows the last completed sync wrote.
    """

    company: str
    state: str = "new"
    updated: float | None = None
    message: str | None = None
    last_success: float | None = None
    requests: int | None = None
    written: int | None = None

    @property
    def parked(self) -> bool:
        """True when the scheduler skips this company."""
        return self.state == PARKED

    @classmethod
    def from_json(cls, company: str, text: bytes | str | None) -> CompanyStatus:
        """Read a stored status (a new one when nothing is stored)."""
        if not text:
            return cls(company)
        data: dict[str, Any] = json.loads(text)
        known = {f.name for f in attrs.fields(cls)}
        return cls(
            **{k: v for k, v in data.items() if k in known and k != "company"}, company=company
        )

    def to_json(self) -> str:
        """The stored form."""
        return json.dumps(attrs.asdict(self))


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


class StatusStore:
    """Company statuses of one queue, in Redis.

    Args:
        redis: The queue's ``redis.asyncio`` client.
        queue: The queue's name (statuses are kept per queue).
    """

    def __init__(self, redis: Redis, queue: str) -> None:
        self.redis = redis
        self.key = f"booqable:workers:{queue}:status"

    async def get(self, company: str) -> CompanyStatus:
        """Return the company's status."""
        return CompanyStatus.from_json(company, await self.redis.hget(self.key, company))

    async def all(self) -> dict[str, CompanyStatus]:
        """Return every stored status by company."""
        stored: Mapping[Any, Any] = await self.redis.hgetall(self.key)
        return {
            _text(name): CompanyStatus.from_json(_text(name), text) for name, text in stored.items()
        }

    async def change(self, company: str, state: str, **changes: Any) -> CompanyStatus:
        """Change the company's state (and other fields); return the new status."""
        current = await self.get(company)
        status = attrs.evolve(current, state=state, updated=time.time(), **changes)
        await self.redis.hset(self.key, company, status.to_json())
        return status

    async def parked(self) -> set[str]:
        """The companies that are parked."""
        return {c for c, s in (await self.all()).items() if s.parked}
