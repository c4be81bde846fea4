"""``Paginator``: every page of a listing, fetched concurrently, delivered in order.

How it pages (Booqable v4 uses ``page[number]``/``page[size]``; the Ruby gem learns the
total from ``stats[total]=count``, answered in ``meta.stats.total.count``):

1. The first page is fetched with ``stats[total]=count`` added.
2. With a total, the remaining page numbers are known: they are fetched concurrently
   (at most ``concurrency`` in flight, at most ``prefetch`` fetched ahead of the
   consumer, so memory does not grow with the result) and delivered in page order. The
   last planned page asks for the total again: if it grew and that page is full, paging
   continues one page at a time until a short page.
3. Without a total, pages are fetched one after another (the next one starts as soon as
   the previous came back full) until a short or empty page.
4. A failed fetch (the session already retried what was safe) stops the iteration with a
   :class:`~booqable_async.errors.PaginationError` carrying a :class:`ResumePoint`; a
   :class:`~booqable_async.errors.UsageError` (the call itself was wrong, so resuming
   would fail again) propagates as it is.
5. At the natural end, a count that disagrees with the total, or a total that changed
   during the pull (offset paging then skips or repeats records), is reported
   (``PaginationWarning`` or :class:`~booqable_async.errors.TotalMismatch`), never ignored
   silently unless asked.

Cancellation is structured: closing a stream (``aclose()``, ``async with``, ``collect``),
an exception or a cancelled consumer cancels and awaits every fetch it started; a stream
dropped after ``break`` cancels its fetches as it is garbage-collected.
"""

from __future__ import annotations

import asyncio
import contextlib
import warnings
from collections import deque
from collections.abc import Awaitable, Callable, Generator, Hashable, Sequence
from typing import Any, Generic, Literal, TypeVar

import attrs

from booqable_async._validation import is_int
from booqable_async.errors import PaginationError, TotalMismatch, UsageError
from booqable_async.pagination._page import (
    DeferredPage,
    Fetch,
    Page,
    ResumePoint,
    collect,
    default_id,
    query_fingerprint,
    resolve,
)
from booqable_async.query import Query

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "ItemStream",
    "PageStream",
    "PaginationWarning",
    "Paginator",
]

T = TypeVar("T")

#: Page size used when the query sets none (the Ruby gem's default, 25).
DEFAULT_PAGE_SIZE = 25
_MISMATCH_POLICIES = ("warn", "raise", "ignore")


class PaginationWarning(UserWarning):
    """The records delivered did not match the total the server reported."""


class _Progress:
    """How far the consumer got; shared by the paginator and its current stream.

    ``index`` counts the records of ``page_number`` the consumer is done with (a record
    counts once the consumer asks for the next one), so a resume point never skips a
    record that was handed out but not finished.
    """

    __slots__ = ("index", "items", "page_len", "page_number", "size", "total")

    def __init__(
        self, page_number: int, index: int, items: int, size: int, total: int | None
    ) -> None:
        self.page_number = page_number
        self.index = index
        self.page_len: int | None = None
        self.items = items
        self.size = size
        self.total = total

    def resume_point(self, params: tuple[tuple[str, str], ...]) -> ResumePoint:
        number, skip = self.page_number, self.index
        if self.page_len is not None and skip >= self.page_len:
            number, skip = number + 1, 0
        return ResumePoint(
            page_number=number,
            page_size=self.size,
            skip=skip,
            items_yielded=self.items,
            params=params,
            total=self.total,
        )


async def _limited(
    sem: asyncio.Semaphore,
    fetch_page: Callable[[int, int, bool], Awaitable[Page[T] | DeferredPage[T]]],
    number: int,
    size: int,
    with_total: bool,
) -> Page[T] | DeferredPage[T]:
    # A free function, not a method of _Traversal: tasks must not keep the run alive, or a
    # stream dropped after ``break`` could never be collected and cancel its fetches.
    async with sem:
        return await fetch_page(number, size, with_total)


_START, _PLANNED, _SEQUENTIAL, _FINISHED, _CLOSED = range(5)


class _Traversal(Generic[T]):
    """One pass over the pages: scheduling, ordering, de-duplication, bookkeeping."""

    def __init__(self, pag: Paginator[T]) -> None:
        self._pag = pag
        self._start = pag._start
        self._skip = pag._skip
        self._size = pag._size
        self._sem = asyncio.Semaphore(pag._concurrency)
        self._queue: deque[tuple[int, asyncio.Future[Page[T] | DeferredPage[T]]]] = deque()
        self._mode = _START
        self._next = self._start + 1
        self._last = self._start
        self._total = pag._progress.total
        self._final_total: int | None = None
        self._seen: set[Hashable] | None = set() if pag._dedupe else None
        self._delivered = 0
        self._duplicates = 0
        self._first_page = True
        # collect(limit=N): records wanted, so pages past the one holding the N-th record
        # are not fetched (each would be a request spent from the rate-limit budget).
        self._wanted: int | None = None
        self._extra_pages = 0  # pages past the limit's, fetched because records were dropped
        self._withheld: int | None = None  # a sequential next page the limit held back
        self.progress = _Progress(self._start, self._skip, pag._items_before, self._size, None)
        self.progress.total = self._total
        pag._progress = self.progress

    # -- fetching -----------------------------------------------------------------------

    async def next_page(self) -> Page[T] | None:
        """Return the next page in order (empty pages after the first are skipped)."""
        if self._mode == _CLOSED:
            return None
        if self._mode == _START:
            try:
                page = await self._pag._first_for_run()
            except UsageError:
                self._mode = _CLOSED
                raise  # the call was wrong: resuming it would fail the same way
            except Exception as exc:
                self._mode = _CLOSED
                raise self._error(exc) from exc
            self._plan(page)
            return page
        while True:
            while self._queue:
                number, task = self._queue[0]
                try:
                    # A deferred page is decoded now, its turn come; a decoding error
                    # stops the run here like a failed fetch.
                    page = self._pag._settle(number, self._size, await task)
                except (asyncio.CancelledError, UsageError):
                    await self.aclose()
                    raise
                except Exception as exc:
                    await self.aclose()
                    raise self._error(exc) from exc
                self._queue.popleft()
                await self._advance(number, page)
                if page.data:
                    return page
            if not self._lift_limit():
                break
        self._mode = _FINISHED
        return None

    def want(self, records: int) -> None:
        """Fetch only the pages that can hold the next ``records`` records.

        A hint (``collect(limit=)``): if they are not enough (duplicates dropped), the
        run fetches one more page at a time while the consumer asks for more.
        """
        self._wanted = records

    def _cap(self) -> int | None:
        # The page holding the last wanted record, counted from the run's first page.
        if self._wanted is None:
            return None
        pages = max(1, -(-(self._skip + self._wanted) // self._size))
        return self._start + pages - 1 + self._extra_pages

    def _lift_limit(self) -> bool:
        # The consumer still iterates after the pages planned for its limit: allow one
        # more page. Returns whether anything was scheduled.
        if self._wanted is None:
            return False
        self._extra_pages += 1
        if self._mode == _PLANNED and self._next <= self._last:
            self._top_up()
        elif self._mode == _SEQUENTIAL and self._withheld is not None:
            self._schedule(self._withheld)
        self._withheld = None
        return bool(self._queue)

    def _plan(self, first: Page[T]) -> None:
        n, full = self._start, len(first.data) >= self._size
        total = first.total
        if total is not None:
            self._total = self.progress.total = total
            got = len(first.data)
            if n == 1 and 0 < got != self._size and total > got:
                # More records than this first page holds, yet it is not the size asked:
                # the server used its own page size (a cap). Page numbers follow its size.
                self._size = self.progress.size = got
                full = True
            self._last = max(n, -(-total // self._size))
        if self._last > n:
            self._mode = _PLANNED
            self._top_up()
        elif full and total is None:
            self._mode = _SEQUENTIAL
            self._follow(n)
        else:
            self._mode = _FINISHED

    async def _advance(self, number: int, page: Page[T]) -> None:
        full = len(page.data) >= self._size
        if self._mode == _PLANNED:
            if not page.data:
                # The collection shrank: every later planned page is empty too.
                self._mode = _FINISHED
                await self._drop_queue()
            elif number >= self._last:
                # The last planned page carried the total again (see _top_up).
                self._final_total = page.total
                if full and page.total != self._total:
                    self._mode = _SEQUENTIAL  # records were added while paging: keep going
                    self._schedule(number + 1)
                else:
                    self._mode = _FINISHED
            else:
                self._top_up()
        elif self._mode == _SEQUENTIAL:
            if full:
                self._follow(number)
            else:
                self._mode = _FINISHED

    def _follow(self, number: int) -> None:
        # Sequential paging: fetch the page after ``number``, unless a collect(limit=)
        # needs no more; then hold it back until the consumer asks (_lift_limit).
        cap = self._cap()
        if cap is not None and number >= cap:
            self._withheld = number + 1
        else:
            self._schedule(number + 1)

    def _top_up(self) -> None:
        # Stop scheduling once a fetch failed: its error surfaces when the consumer
        # reaches it, and pages after it would be wasted requests.
        if any(t.done() and not t.cancelled() and t.exception() for _, t in self._queue):
            return
        cap = self._cap()
        last = self._last if cap is None else min(self._last, cap)
        while self._next <= last and len(self._queue) < self._pag._prefetch:
            # Asking the last page for the total again tells whether the collection
            # changed during the pull, without an extra request.
            self._schedule(self._next, with_total=self._next == self._last)
            self._next += 1

    def _schedule(self, number: int, *, with_total: bool = False) -> None:
        task = asyncio.ensure_future(
            _limited(self._sem, self._pag._fetch_page, number, self._size, with_total)
        )
        self._queue.append((number, task))

    async def _drop_queue(self) -> None:
        tasks = [task for _, task in self._queue]
        self._queue.clear()
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    async def aclose(self) -> None:
        """Cancel and await every fetch this run started; the run ends."""
        self._mode = _CLOSED
        await self._drop_queue()

    def __del__(self) -> None:
        # Safety net for a stream dropped without aclose() (``break`` out of async for):
        # cancel what is still running and mark failures as seen so nothing is logged.
        for _, task in getattr(self, "_queue", ()):
            if task.done():
                if not task.cancelled():
                    task.exception()
            else:
                with contextlib.suppress(RuntimeError):  # the loop is already closed
                    task.cancel()

    async def take(self) -> tuple[Page[T], Sequence[int]] | None:
        """Return the next page and the positions to deliver, or None at the end.

        Whatever goes wrong here (a fetch, ``id_of``, ``on_page``, a total mismatch)
        first cancels and awaits every fetch in flight.
        """
        try:
            page = await self.next_page()
            if page is None:
                self.finish()
                return None
            return page, self.accept(page)
        except BaseException:
            await self.aclose()
            raise

    # -- bookkeeping --------------------------------------------------------------------

    def accept(self, page: Page[T]) -> Sequence[int]:
        """Return the positions of ``page`` to deliver (resume skip, de-duplication)."""
        start = self._skip if self._first_page else 0
        self._first_page = False
        if self._seen is None:
            kept: Sequence[int] = range(start, len(page.data))
        else:
            kept = []
            seen, id_of = self._seen, self._pag._id_of
            for pos in range(start, len(page.data)):
                key = id_of(page.data[pos])
                if key in seen:
                    self._duplicates += 1
                else:
                    seen.add(key)
                    kept.append(pos)
        self._delivered += len(kept)
        progress = self.progress
        progress.page_number = page.number if page.number is not None else progress.page_number
        progress.index = start
        progress.page_len = len(page.data)
        on_page = self._pag._on_page
        if on_page is not None:
            on_page(progress.page_number, self._pag._items_before + self._delivered, self._total)
        return kept

    def finish(self) -> None:
        """Report a count that disagrees with the total (natural end only)."""
        if self._total is None or self._mode != _FINISHED:
            return
        offset = (self._start - 1) * self._size + self._skip
        expected = max(self._total - offset, 0)
        final = self._final_total
        changed = final is not None and final != self._total
        if (expected == self._delivered and not changed) or (
            self._pag._on_total_mismatch == "ignore"
        ):
            return
        dupes = f"; {self._duplicates} duplicate(s) dropped" if self._duplicates else ""
        advice = "Use dedupe=True, a sort on an immutable key, or changes_since() for syncs."
        if changed:
            message = (
                f"the collection changed while paging (the server's total was {self._total} "
                f"at the start and {final} at the end); {self._delivered} records were "
                f"delivered{dupes}: offset paging may have skipped or repeated records. {advice}"
            )
        else:
            message = (
                f"pagination delivered {self._delivered} records but the server's total "
                f"implied {expected} ({self._total} in all){dupes}: records were added, "
                f"removed or moved while paging. {advice}"
            )
        if self._pag._on_total_mismatch == "raise":
            raise TotalMismatch(
                message,
                expected=expected,
                received=self._delivered,
                items_yielded=self.progress.items,
                resume_point=self._pag.resume_point,
            )
        warnings.warn(message, PaginationWarning, stacklevel=3)

    def _error(self, exc: Exception) -> PaginationError:
        point = self._pag.resume_point
        of = "" if self._total is None else f" of {self._total}"
        return PaginationError(
            f"pagination stopped at page {point.page_number} after {point.items_yielded}"
            f"{of} records: {type(exc).__name__}: {exc}; continue with "
            "resume_from=error.resume_point",
            items_yielded=point.items_yielded,
            resume_point=point,
            cause=exc,
        )


class _Stream(Generic[T]):
    """Shared closing behaviour of :class:`PageStream` and :class:`ItemStream`."""

    def __init__(self, run: _Traversal[T]) -> None:
        self._run = run

    async def aclose(self) -> None:
        """Stop: cancel and await every fetch in flight; the stream ends. Idempotent."""
        await self._run.aclose()
        self._closed = True

    _closed = False

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


class PageStream(_Stream[T]):
    """Async iterator over the pages of a :class:`Paginator` (``paginator.pages()``).

    The first page is always delivered (it carries ``meta``/``stats`` even when empty);
    later empty pages are not. With ``dedupe=True`` pages hold only unseen records.
    Use as ``async with paginator.pages() as pages:`` to close it deterministically.
    """

    def __init__(self, run: _Traversal[T]) -> None:
        super().__init__(run)
        self._first = True

    def __aiter__(self) -> PageStream[T]:
        return self

    async def __aenter__(self) -> PageStream[T]:
        return self

    async def __anext__(self) -> Page[T]:
        if self._closed:
            raise StopAsyncIteration
        run = self._run
        progress = run.progress
        while True:
            # The page handed out last time is done now that the next one is asked for.
            if progress.page_len is not None and progress.index < progress.page_len:
                progress.items += self._pending
                progress.index = progress.page_len
            taken = await run.take()
            if taken is None:
                raise StopAsyncIteration
            page, kept = taken
            self._pending = len(kept)
            first, self._first = self._first, False
            if len(kept) != len(page.data):
                page = attrs.evolve(page, data=[page.data[i] for i in kept])
            if page.total is None and progress.total is not None:
                page = attrs.evolve(page, total=progress.total)  # learnt from the first page
            if kept or first:
                return page

    _pending = 0


class ItemStream(_Stream[T]):
    """Async iterator over every record of a :class:`Paginator` (``async for``).

    Use as ``async with aclosing(...)`` or call :meth:`aclose` to stop deterministically;
    breaking out of ``async for`` also cancels pending fetches once the stream is dropped.
    """

    def __init__(self, run: _Traversal[T]) -> None:
        super().__init__(run)
        self._data: Sequence[T] = ()
        self._positions = iter(range(0))
        self._pending: int | None = None

    def __aiter__(self) -> ItemStream[T]:
        return self

    def _acknowledge(self) -> None:
        # The record handed out last is done (the consumer asked for the next one).
        if self._pending is not None:
            progress = self._run.progress
            progress.index = self._pending + 1
            progress.items += 1
            self._pending = None

    async def __aenter__(self) -> ItemStream[T]:
        return self

    async def __anext__(self) -> T:
        if self._closed:
            raise StopAsyncIteration
        self._acknowledge()
        run = self._run
        progress = run.progress
        while True:
            pos = next(self._positions, None)
            if pos is not None:
                self._pending = pos
                return self._data[pos]
            if progress.page_len is not None:
                progress.index = progress.page_len  # skipped duplicates are done too
            taken = await run.take()
            if taken is None:
                raise StopAsyncIteration
            page, kept = taken
            self._positions = iter(kept)
            self._data = page.data


class Paginator(Generic[T]):
    """Every page and every record of a listing, over any fetch function.

    ``await paginator`` gives the first :class:`Page`; ``async for item in paginator``
    gives every record of every page in order; :meth:`pages` gives the pages;
    :meth:`collect` gathers records into a list.

    Args:
        fetch: ``async fetch(query) -> Page[T]``: one request for the page the query names
            (the typed facades build it from the session and the decoder). Retries are
            its business; what it raises stops the iteration. It may return a
            :class:`DeferredPage` instead, decoded only when the consumer reaches the
            page, so pages fetched ahead wait as bytes rather than object graphs.
        query: The listing query. Its ``page[number]`` (default 1) is where iteration
            starts; its ``page[size]`` (default ``default_page_size``) the page size.
        concurrency: Most fetches in flight at once for this paginator.
        prefetch: Most pages fetched ahead of the consumer (default ``2 * concurrency``);
            bounds memory whatever the result size.
        dedupe: Drop records whose id was already delivered (pages shift when records
            are inserted during a long pull). Keeps one id per record in memory.
        on_total_mismatch: At the end, when the count differs from the server's total:
            ``"warn"`` (``PaginationWarning``), ``"raise"`` (``TotalMismatch``) or
            ``"ignore"``.
        resume_from: Continue an interrupted iteration of the same query.
        id_of: The de-duplication key of a record (default: its ``id``).
        on_page: ``on_page(page_number, records_so_far, total_or_None)`` after each page
            arrives in order (progress bars).
        default_page_size: Page size when the query has none.
        params: What identifies the listing for ``resume_from`` when the query does
            not (APIs whose filters are not a :class:`Query`, see :func:`paginate`):
            its query pairs without paging. ``None``: the query's own.

    Raises:
        UsageError: A bad argument, or ``resume_from`` made for a different query.
    """

    def __init__(
        self,
        fetch: Fetch[T],
        query: Query | None = None,
        *,
        concurrency: int = 4,
        prefetch: int | None = None,
        dedupe: bool = False,
        on_total_mismatch: Literal["warn", "raise", "ignore"] = "warn",
        resume_from: ResumePoint | None = None,
        id_of: Callable[[T], Hashable] | None = None,
        on_page: Callable[[int, int, int | None], object] | None = None,
        default_page_size: int = DEFAULT_PAGE_SIZE,
        params: Sequence[tuple[str, str]] | None = None,
    ) -> None:
        query = Query() if query is None else query
        if not callable(fetch):
            raise UsageError("fetch must be an async function taking a Query")
        if not isinstance(query, Query):
            raise UsageError(f"query must be a Query, got {type(query).__name__}")
        _positive("concurrency", concurrency)
        _positive("default_page_size", default_page_size)
        prefetch = 2 * concurrency if prefetch is None else prefetch
        _positive("prefetch", prefetch)
        if on_total_mismatch not in _MISMATCH_POLICIES:
            raise UsageError(
                f"on_total_mismatch must be one of {', '.join(_MISMATCH_POLICIES)}, "
                f"got {on_total_mismatch!r}"
            )
        self._fetch = fetch
        self._query = query
        self._params = query_fingerprint(query) if params is None else tuple(params)
        self._concurrency = concurrency
        self._prefetch = prefetch
        self._dedupe = dedupe
        self._on_total_mismatch = on_total_mismatch
        self._id_of: Callable[[T], Hashable] = id_of if id_of is not None else default_id
        self._on_page = on_page
        if resume_from is None:
            self._start = query.page_number or 1
            self._skip = 0
            self._items_before = 0
            self._size = query.page_size or default_page_size
            total = None
        else:
            self._check_resume(resume_from)
            self._start = resume_from.page_number
            self._skip = resume_from.skip
            self._items_before = resume_from.items_yielded
            self._size = resume_from.page_size
            total = resume_from.total
        self._progress = _Progress(self._start, self._skip, self._items_before, self._size, total)
        self._first: Page[T] | None = None

    def _check_resume(self, point: ResumePoint) -> None:
        if not isinstance(point, ResumePoint):
            raise UsageError(f"resume_from must be a ResumePoint, got {type(point).__name__}")
        if point.cursor is not None:
            raise UsageError("this resume point belongs to changes_since(), not a Paginator")
        if point.params != self._params:
            raise UsageError(
                "resume_from was made for a different query; resume with the same filters, "
                "sort, includes and fields (page settings may differ)"
            )

    # -- public -------------------------------------------------------------------------

    @property
    def query(self) -> Query:
        """The listing query this paginator walks."""
        return self._query

    @property
    def total(self) -> int | None:
        """The server's total for the query, once a first page told it."""
        return self._progress.total

    @property
    def resume_point(self) -> ResumePoint:
        """Where the latest iteration would continue; persist it for crash-safe jobs.

        A record counts as done once the next one is asked for, so the record being
        processed when a job dies is delivered again on resume (at least once).
        """
        return self._progress.resume_point(self._params)

    @property
    def items_yielded(self) -> int:
        """Records the consumer is done with (including earlier runs when resumed)."""
        return self._progress.items

    async def first_page(self) -> Page[T]:
        """Fetch (once) and return the page the query names; errors propagate unwrapped."""
        if self._first is None:
            self._first = await self._first_for_run()
            if self._first.total is not None:
                self._progress.total = self._first.total
        return self._first

    def __await__(self) -> Generator[Any, None, Page[T]]:
        return self.first_page().__await__()

    def pages(self) -> PageStream[T]:
        """Return an async iterator over the pages, in order."""
        return PageStream(_Traversal(self))

    def __aiter__(self) -> ItemStream[T]:
        return ItemStream(_Traversal(self))

    async def collect(self, limit: int | None = None) -> list[T]:
        """Return every record (or the first ``limit``) as a list.

        Args:
            limit: Stop after this many records; ``None`` for all.

        Raises:
            UsageError: ``limit`` is negative.
            PaginationError: A page could not be fetched.
        """
        stream = self.__aiter__()
        if is_int(limit) and limit > 0:
            # Fetch only the pages the limit needs: with a total known, the run would
            # otherwise fetch a whole prefetch window ahead and cancel what is unused.
            stream._run.want(limit)
        return await collect(stream, limit, stream._acknowledge)

    def __repr__(self) -> str:
        return (
            f"Paginator({self._query!r}, concurrency={self._concurrency}, "
            f"prefetch={self._prefetch}, total={self.total})"
        )

    # -- internals ----------------------------------------------------------------------

    async def _first_for_run(self) -> Page[T]:
        # A page the caller already awaited is reused rather than fetched twice.
        if self._first is not None:
            return self._first
        fetched = await self._fetch_page(self._start, self._size, True)
        return self._settle(self._start, self._size, fetched)

    async def _fetch_page(
        self, number: int, size: int, with_total: bool
    ) -> Page[T] | DeferredPage[T]:
        query = self._query.page(number=number, size=size)
        if with_total and not query.has_stat("total", "count"):
            query = query.stats(total="count")
        return await self._fetch(query)

    def _settle(self, number: int, size: int, fetched: Page[T] | DeferredPage[T]) -> Page[T]:
        # The page as delivered: decoded if deferred, stamped with its number and size.
        page = resolve(fetched)
        if page.number != number or page.size != size:
            page = attrs.evolve(page, number=number, size=size)
        return page


def _positive(name: str, value: object) -> None:
    if not is_int(value) or value < 1:
        raise UsageError(f"{name} must be an int >= 1, got {value!r}")
