"""Incremental sync: every record changed since a high-water mark, at least once.

``changes_since`` pages with ``filter[updated_at][gte]=<cursor>`` sorted by
``updated_at,id`` and moves the cursor to the last record's ``updated_at`` after each page
(keyset paging), instead of walking page numbers. Page numbers over a sort on
``updated_at`` lose records: when a record on an early page is updated mid-pull it jumps
to the end, every later record shifts back one place, and the record crossing a page
boundary is never seen. With a cursor, a record that moves is simply met again later.

Records that share the cursor's timestamp are fetched again on the next request; ids
already delivered at that timestamp are dropped (memory: one id per record of the tie).
A tie bigger than a page is walked by page number at a fixed cursor.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Hashable, Mapping
from typing import Generic, TypeVar

from booqable_async.errors import PaginationError, UsageError
from booqable_async.pagination._page import (
    Fetch,
    Page,
    ResumePoint,
    collect,
    default_id,
    query_fingerprint,
    resolve,
)
from booqable_async.query import Query, format_datetime
from booqable_async.query._operators import check_name

__all__ = ["DEFAULT_OVERLAP", "ChangeFeed", "changes_since", "parse_timestamp"]

T = TypeVar("T")

#: Default look-back under the mark: covers clock skew between Booqable's servers and
#: transactions that committed after a later ``updated_at`` was already visible.
DEFAULT_OVERLAP = dt.timedelta(minutes=5)
_DEFAULT_SIZE = 100


def parse_timestamp(value: object) -> dt.datetime | None:
    """Return an aware datetime for an ISO 8601 text or a datetime, else ``None``.

    Accepts what Booqable sends (``2025-01-02T03:04:05.000000+00:00``) and a trailing
    ``Z``. A naive value can only be UTC: Booqable always sends an offset.

    Args:
        value: A text, a datetime, or anything else (``None`` comes back).

    Returns:
        The instant, or ``None`` when ``value`` is not a timestamp.
    """
    if isinstance(value, str):
        # Python 3.10's fromisoformat does not read a trailing Z.
        text = value[:-1] + "+00:00" if value.endswith("Z") else value
        try:
            value = dt.datetime.fromisoformat(text)
        except ValueError:
            return None
    if not isinstance(value, dt.datetime):
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.timezone.utc)


class ChangeFeed(Generic[T]):
    """The records changed since a mark, oldest change first (see :func:`changes_since`).

    Iterate it with ``async for``; afterwards (or after a failure) persist
    :attr:`high_water_mark` and pass it as ``since`` next time. Iterating again continues
    from where the previous iteration stopped.
    """

    def __init__(
        self,
        fetch: Fetch[T],
        query: Query,
        since: dt.datetime,
        *,
        overlap: dt.timedelta,
        field: str,
        id_of: Callable[[T], Hashable] | None,
        timestamp_of: Callable[[T], object] | None,
        on_page: Callable[[int, int, int | None], object] | None,
        resume_from: ResumePoint | None,
    ) -> None:
        if not isinstance(query, Query):
            raise UsageError(f"query must be a Query, got {type(query).__name__}")
        if not isinstance(since, dt.datetime) or since.tzinfo is None:
            raise UsageError(
                f"since must be an aware datetime (the mark you persisted), got {since!r}"
            )
        check_name(field, "timestamp field")
        if not isinstance(overlap, dt.timedelta) or overlap < dt.timedelta(0):
            raise UsageError(f"overlap must be a timedelta >= 0, got {overlap!r}")
        if query.sorting or query.page_number is not None or query.has_filter(field):
            raise UsageError(
                f"changes_since sets filter[{field}], the sort ({field},id) and the page "
                "number itself; remove them from the query"
            )
        self._fetch = fetch
        self._base = query.without_page()
        self._params = query_fingerprint(query)
        self._field = field
        self._size = query.page_size or _DEFAULT_SIZE
        self._id_of: Callable[[T], Hashable] = id_of if id_of is not None else default_id
        self._timestamp_of = timestamp_of
        self._on_page = on_page
        self._mark = since
        self._cursor = since - overlap
        self._page_number = 1
        self._items = 0
        self._pending: dt.datetime | None = None
        if resume_from is not None:
            self._resume(resume_from)

    def _resume(self, point: ResumePoint) -> None:
        if not isinstance(point, ResumePoint) or point.cursor is None:
            raise UsageError("resume_from must be a resume point made by changes_since()")
        if point.params != self._params:
            raise UsageError("resume_from was made for a different query")
        cursor = parse_timestamp(point.cursor)
        if cursor is None:
            raise UsageError(f"resume point cursor {point.cursor!r} is not an ISO 8601 time")
        self._cursor = cursor
        self._page_number = point.page_number
        self._size = point.page_size
        self._items = point.items_yielded

    @property
    def high_water_mark(self) -> dt.datetime:
        """The newest ``updated_at`` among records you are done with (or ``since``).

        Every record changed before it was delivered; persist it and pass it as ``since``
        next time (the overlap re-reads a little before it).
        """
        return self._mark

    @property
    def items_yielded(self) -> int:
        """Records delivered and done with (a record is done once the next is asked for)."""
        return self._items

    @property
    def resume_point(self) -> ResumePoint:
        """Where this feed would continue: the cursor and the page within its timestamp."""
        return ResumePoint(
            page_number=self._page_number,
            page_size=self._size,
            items_yielded=self._items,
            params=self._params,
            cursor=format_datetime(self._cursor),
        )

    def _timestamp(self, item: T) -> dt.datetime:
        if self._timestamp_of is not None:
            raw = self._timestamp_of(item)
        elif isinstance(item, Mapping):
            raw = item.get(self._field)
        else:
            raw = getattr(item, self._field, None)
        value = parse_timestamp(raw)
        if value is None:
            raise UsageError(
                f"changes_since needs {self._field} on every record, got {raw!r}; keep it "
                "in fields() or pass timestamp_of="
            )
        return value

    async def _fetch_page(self) -> Page[T]:
        query = (
            self._base.filter(self._field, "gte", self._cursor)
            .sort(self._field, "id")
            .page(number=self._page_number, size=self._size)
        )
        try:
            return resolve(await self._fetch(query))
        except UsageError:
            raise  # the call was wrong (not the network): resume advice would not help
        except Exception as exc:
            point = self.resume_point
            raise PaginationError(
                f"changes_since stopped after {self._items} records at "
                f"{point.cursor} (page {point.page_number}): {type(exc).__name__}: {exc}; "
                "continue with resume_from=error.resume_point or since=high_water_mark",
                items_yielded=self._items,
                resume_point=point,
                cause=exc,
            ) from exc

    def _acknowledge(self) -> None:
        # The consumer is done with the record handed out last (it asked for the next).
        stamp, self._pending = self._pending, None
        if stamp is not None:
            self._items += 1
            if stamp > self._mark:
                self._mark = stamp

    async def _iterate(self) -> AsyncGenerator[T, None]:
        boundary: set[Hashable] = set()
        while True:
            page = await self._fetch_page()
            stamps = [self._timestamp(item) for item in page.data]
            fresh = [
                (item, stamp)
                for item, stamp in zip(page.data, stamps, strict=True)
                # Records at the cursor's timestamp already delivered come back: skip them.
                if not (stamp <= self._cursor and self._id_of(item) in boundary)
            ]
            if self._on_page is not None:
                self._on_page(self._page_number, self._items + len(fresh), None)
            for item, stamp in fresh:
                self._pending = stamp
                yield item
                self._acknowledge()
            if len(page.data) < self._size:
                return
            last = stamps[-1]
            at_last = {self._id_of(i) for i, s in zip(page.data, stamps, strict=True) if s == last}
            if last > self._cursor:
                self._cursor, self._page_number, boundary = last, 1, at_last
            else:
                # The whole page shares the cursor's timestamp: walk the tie by page number.
                self._page_number += 1
                boundary |= at_last

    def __aiter__(self) -> AsyncIterator[T]:
        return self._iterate()

    async def collect(self, limit: int | None = None) -> list[T]:
        """Return the changed records (or the first ``limit``) as a list.

        Raises:
            UsageError: ``limit`` is negative.
            PaginationError: A page could not be fetched.
        """
        return await collect(self._iterate(), limit, self._acknowledge)


def changes_since(
    fetch: Fetch[T],
    query: Query | None,
    since: dt.datetime,
    *,
    overlap: dt.timedelta = DEFAULT_OVERLAP,
    field: str = "updated_at",
    id_of: Callable[[T], Hashable] | None = None,
    timestamp_of: Callable[[T], object] | None = None,
    on_page: Callable[[int, int, int | None], object] | None = None,
    resume_from: ResumePoint | None = None,
) -> ChangeFeed[T]:
    """Return a feed of every record changed at or after ``since - overlap``, at least once.

    Requests ``filter[updated_at][gte]=<cursor>``, ``sort=updated_at,id``, page 1 of
    ``page[size]`` (the query's, default 100), and moves the cursor after each page. A
    record updated during the pull shows up again later with its new state; nothing is
    skipped. Upsert by id to apply the feed exactly once (docs/pagination.md).

    Args:
        fetch: ``async fetch(query) -> Page[T] | DeferredPage[T]`` (as for
            :class:`Paginator`).
        query: Extra filters/includes/fields (``None`` for all records). Must not sort,
            set a page number or filter ``field`` itself.
        since: The high-water mark persisted last time (aware datetime).
        overlap: Look-back under the mark for clock skew and late commits.
        field: The change timestamp attribute.
        id_of: Record id (default ``.id``/``["id"]``).
        timestamp_of: Record change time (default the ``field`` attribute/key; strings
            are parsed as ISO 8601).
        on_page: ``on_page(page_number, records_so_far, None)`` per page.
        resume_from: Continue a failed feed (``PaginationError.resume_point``).

    Returns:
        A :class:`ChangeFeed`; read :attr:`ChangeFeed.high_water_mark` after iterating.

    Raises:
        UsageError: A naive ``since``, a negative overlap, or a conflicting query.
    """
    return ChangeFeed(
        fetch,
        Query() if query is None else query,
        since,
        overlap=overlap,
        field=field,
        id_of=id_of,
        timestamp_of=timestamp_of,
        on_page=on_page,
        resume_from=resume_from,
    )
