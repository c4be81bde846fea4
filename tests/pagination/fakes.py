"""In-memory listings that answer a Query with a Page, like the facades' fetch will."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from typing import Any

import attrs

from booqable_async.pagination import Page
from booqable_async.query import Query

UTC = dt.timezone.utc
T0 = dt.datetime(2024, 1, 1, tzinfo=UTC)


@attrs.define(eq=False)
class Record:
    id: str
    updated_at: dt.datetime = T0


def records(n: int, prefix: str = "r") -> list[Record]:
    return [Record(f"{prefix}{i:06d}", T0 + dt.timedelta(seconds=i)) for i in range(n)]


def _parse(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


class Listing:
    """A fetch function over a mutable list of records.

    Supports ``filter[updated_at][gte]``, ``sort=updated_at,id``, page number/size,
    ``stats[total]``; records concurrency, requests, and lets tests inject failures,
    per-page delays (in event-loop ticks) and mutations between requests.
    """

    def __init__(
        self,
        rows: list[Record],
        *,
        report_total: bool = True,
        cap: int | None = None,
        ticks: Callable[[int], int] = lambda number: 3,
    ) -> None:
        self.rows = rows
        self.report_total = report_total
        self.cap = cap
        self.ticks = ticks
        self.queries: list[Query] = []
        self.fail: dict[int, BaseException] = {}
        self.fail_once = True
        self.before: Callable[[Listing, Query], None] | None = None
        self.in_flight = 0
        self.max_in_flight = 0
        self.completed: list[int] = []

    @property
    def pages_requested(self) -> list[int]:
        return [q.page_number or 1 for q in self.queries]

    def select(self, q: Query) -> list[Record]:
        rows = list(self.rows)
        for f in q.filters:
            assert (f.field, f.op) == ("updated_at", "gte"), f
            assert isinstance(f.value, str)
            mark = _parse(f.value)
            rows = [r for r in rows if r.updated_at >= mark]
        if q.sorting:
            assert q.sorting == ("updated_at", "id")
            rows.sort(key=lambda r: (r.updated_at, r.id))
        return rows

    async def __call__(self, q: Query) -> Page[Record]:
        self.queries.append(q)
        number = q.page_number or 1
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            for _ in range(self.ticks(number)):
                await asyncio.sleep(0)
            if self.before is not None:
                self.before(self, q)
            error = self.fail.pop(number, None) if self.fail_once else self.fail.get(number)
            if error is not None:
                raise error
            rows = self.select(q)
            size = q.page_size or 25
            if self.cap is not None:
                size = min(size, self.cap)
            data = rows[(number - 1) * size : number * size]
            meta: dict[str, Any] = {}
            if self.report_total and q.has_stat("total", "count"):
                meta = {"stats": {"total": {"count": len(rows)}}}
            self.completed.append(number)
            return Page(data, meta=meta, links={"self": f"page {number}"})
        finally:
            self.in_flight -= 1


class Generated:
    """Pages built on the fly (no stored records): ids are positions; memory stays flat."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.requests = 0

    async def __call__(self, q: Query) -> Page[dict[str, Any]]:
        self.requests += 1
        await asyncio.sleep(0)
        number, size = q.page_number or 1, q.page_size or 25
        start = (number - 1) * size
        data = [{"id": str(i)} for i in range(start, min(start + size, self.total))]
        meta = {"stats": {"total": {"count": self.total}}} if q.has_stat("total", "count") else {}
        return Page(data, meta=meta)


def ids(items: list[Record] | list[dict[str, Any]]) -> list[str]:
    return [i["id"] if isinstance(i, dict) else i.id for i in items]


async def drain(iterable: Any, into: list[Any]) -> None:
    async for item in iterable:
        into.append(item)


def other_tasks() -> set[asyncio.Task[Any]]:
    current = asyncio.current_task()
    return {t for t in asyncio.all_tasks() if t is not current and not t.done()}


async def settle() -> None:
    # Cancelled tasks need a couple of loop turns to unwind; no real time passes.
    for _ in range(5):
        await asyncio.sleep(0)
