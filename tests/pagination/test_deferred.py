"""``DeferredPage``: pages fetched ahead wait undecoded; decoded when the consumer reaches them."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest

from booqable_async.errors import DecodeError, PaginationError, UsageError
from booqable_async.pagination import (
    DeferredPage,
    Page,
    Paginator,
    ResumePoint,
    changes_since,
)
from booqable_async.query import Query
from tests.pagination.fakes import T0, Listing, Record, drain, ids, other_tasks, records


def q(size: int = 10) -> Query:
    return Query().page(size=size)


class Deferring:
    """Wraps a Listing: answers with DeferredPage and records which pages were decoded."""

    def __init__(self, listing: Listing) -> None:
        self.listing = listing
        self.decoded: list[int] = []
        self.broken: dict[int, Exception] = {}

    async def __call__(self, query: Query) -> DeferredPage[Record]:
        page = await self.listing(query)
        number = query.page_number or 1

        def decode() -> Page[Record]:
            self.decoded.append(number)
            error = self.broken.get(number)
            if error is not None:
                raise error
            return page

        return DeferredPage(decode)


async def test_pages_are_decoded_only_when_the_consumer_reaches_them() -> None:
    rows = records(60)
    fetch = Deferring(Listing(rows, ticks=lambda number: 1))
    stream = aiter(Paginator(fetch, q(), concurrency=4))
    got = [await anext(stream)]
    for _ in range(20):  # let every prefetch come back
        await asyncio.sleep(0)
    assert len(fetch.listing.completed) >= 5  # fetched ahead...
    assert fetch.decoded == [1]  # ...but only the page being read is decoded
    got += [await anext(stream) for _ in range(10)]  # into page 2
    assert fetch.decoded == [1, 2]
    got += [item async for item in stream]
    assert ids(got) == ids(rows)
    assert fetch.decoded == [1, 2, 3, 4, 5, 6]  # each page once, in order


async def test_await_and_pages_give_decoded_pages_with_number_and_size() -> None:
    fetch = Deferring(Listing(records(25)))
    paginator = Paginator(fetch, q())
    first = await paginator
    assert isinstance(first, Page)
    assert (first.number, first.size, first.total, len(first)) == (1, 10, 25, 10)
    pages = [page async for page in paginator.pages()]
    assert [(p.number, len(p), p.total) for p in pages] == [(1, 10, 25), (2, 10, 25), (3, 5, 25)]
    assert fetch.decoded == [1, 2, 3]  # the awaited first page is reused, not decoded again


async def test_a_page_that_fails_to_decode_stops_there_and_resumes_there() -> None:
    rows = records(57)
    fetch = Deferring(Listing(rows))
    fetch.broken[3] = DecodeError("starts_at: not a datetime", "/data/4/attributes/starts_at")
    paginator = Paginator(fetch, q(), concurrency=3)
    seen: list[Record] = []
    with pytest.raises(PaginationError) as info:
        await drain(paginator, seen)
    err = info.value
    assert ids(seen) == ids(rows[:20])
    assert isinstance(err.cause, DecodeError)
    assert err.resume_point == ResumePoint(3, 10, 0, 20, paginator.resume_point.params, total=57)
    assert "stopped at page 3 after 20 of 57 records: DecodeError" in str(err)
    assert not other_tasks()  # the pages fetched ahead were cancelled and awaited

    del fetch.broken[3]
    rest = await Paginator(fetch, q(), resume_from=err.resume_point).collect()
    assert ids(seen + rest) == ids(rows)


async def test_a_first_page_that_fails_to_decode() -> None:
    fetch = Deferring(Listing(records(5)))
    fetch.broken[1] = DecodeError("broken", "")
    with pytest.raises(DecodeError, match="broken"):  # await: the error itself
        await Paginator(fetch, q())
    with pytest.raises(PaginationError) as info:  # iteration: wrapped with progress
        await Paginator(fetch, q()).collect()
    assert info.value.resume_point == ResumePoint(1, 10)


async def fetch_nonsense(query: Query) -> Any:
    return {"data": []}


async def fetch_deferred_nonsense(query: Query) -> Any:
    return DeferredPage(lambda: [1, 2, 3])


@pytest.mark.parametrize(
    ("fetch", "match"),
    [
        (fetch_nonsense, "must return a Page or a DeferredPage, got dict"),
        (fetch_deferred_nonsense, "a DeferredPage must decode to a Page, got list"),
    ],
)
async def test_a_fetch_returning_something_else_is_a_usage_error(fetch: Any, match: str) -> None:
    with pytest.raises(UsageError, match=match):
        await Paginator(fetch, q())
    # Iterating says the same: a wrong call is no failure that resuming could get past.
    with pytest.raises(UsageError, match=match) as info:
        await Paginator(fetch, q()).collect()
    assert not isinstance(info.value, PaginationError)


def test_the_repr_shows_no_content() -> None:
    assert repr(DeferredPage(lambda: Page(["secret"]))) == "DeferredPage(...)"


async def test_changes_since_decodes_deferred_pages() -> None:
    rows = [Record(f"r{i:03d}", T0 + dt.timedelta(seconds=i)) for i in range(25)]
    fetch = Deferring(Listing(rows))
    feed = changes_since(fetch, q(), T0, overlap=dt.timedelta(0))
    got = [item async for item in feed]
    assert ids(got) == ids(rows)
    assert feed.high_water_mark == rows[-1].updated_at
    assert fetch.decoded  # every page went through decode()


async def test_changes_since_reports_a_page_that_fails_to_decode() -> None:
    fetch = Deferring(Listing(records(30)))
    fetch.broken[1] = DecodeError("broken", "")
    with pytest.raises(PaginationError) as info:
        await changes_since(fetch, q(), T0).collect()
    assert isinstance(info.value.cause, DecodeError)
