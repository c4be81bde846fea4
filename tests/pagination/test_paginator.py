"""Paginator behaviour over in-memory fetch functions."""

from __future__ import annotations

import asyncio
import contextlib
import json
import warnings
from typing import Any

import pytest

from booqable_async.errors import NotFound, PaginationError, TotalMismatch, UsageError
from booqable_async.pagination import Page, PaginationWarning, Paginator, ResumePoint
from booqable_async.pagination._paginator import DEFAULT_PAGE_SIZE
from booqable_async.query import Q, Query
from tests.pagination.fakes import (
    Generated,
    Listing,
    Record,
    drain,
    ids,
    other_tasks,
    records,
    settle,
)


def q(size: int = 10) -> Query:
    return Query().page(size=size)


# -- basics -------------------------------------------------------------------------------


async def test_await_gives_the_first_page_with_the_total() -> None:
    listing = Listing(records(37))
    paginator = Paginator(listing, q())
    page = await paginator
    assert (page.number, page.size, len(page), page.total) == (1, 10, 10, 37)
    assert paginator.total == 37
    assert listing.queries[0].has_stat("total", "count")
    assert listing.queries[0].page_number == 1
    assert await paginator is page  # fetched once
    assert len(listing.queries) == 1


async def test_iterates_every_record_in_order_and_adds_total_only_to_the_first_page() -> None:
    rows = records(37)
    listing = Listing(rows)
    assert ids(await Paginator(listing, q()).collect()) == ids(rows)
    assert sorted(listing.pages_requested) == [1, 2, 3, 4]
    # The first page learns the total; the last planned page checks it did not change.
    assert [qq.has_stat("total", "count") for qq in listing.queries] == [True, False, False, True]


async def test_awaited_first_page_is_reused_by_iteration() -> None:
    listing = Listing(records(25))
    paginator = Paginator(listing, q())
    await paginator
    assert len(await paginator.collect()) == 25
    assert sorted(listing.pages_requested) == [1, 2, 3]


async def test_default_page_size_and_start_page_from_query() -> None:
    listing = Listing(records(60))
    items = await Paginator(listing, Query().page(number=2)).collect()
    assert ids(items) == ids(records(60))[DEFAULT_PAGE_SIZE:]
    assert listing.queries[0].page_size == DEFAULT_PAGE_SIZE
    items = await Paginator(Listing(records(60)), None, default_page_size=7).collect()
    assert len(items) == 60


async def test_user_stats_total_is_not_duplicated() -> None:
    listing = Listing(records(5))
    await Paginator(listing, q().stats(total="count")).collect()
    assert listing.queries[0].stat_requests == (("total", ("count",)),)


async def test_pages_yields_pages_with_the_known_total() -> None:
    listing = Listing(records(25))
    pages = [p async for p in Paginator(listing, q()).pages()]
    assert [(p.number, len(p), p.total) for p in pages] == [(1, 10, 25), (2, 10, 25), (3, 5, 25)]
    assert pages[1].links == {"self": "page 2"}


async def test_out_of_order_completion_is_delivered_in_order() -> None:
    # Later pages finish first: page n takes (20 - n) loop turns.
    rows = records(100)
    listing = Listing(rows, ticks=lambda n: 20 - n)
    items = await Paginator(listing, q(), concurrency=5, prefetch=10).collect()
    assert ids(items) == ids(rows)
    assert listing.completed[:3] != sorted(listing.completed[:3])


# -- concurrency and memory ------------------------------------------------------------------


@pytest.mark.parametrize(("concurrency", "prefetch"), [(1, 1), (3, 8), (4, None), (8, 2)])
async def test_in_flight_never_exceeds_concurrency(concurrency: int, prefetch: int | None) -> None:
    listing = Listing(records(200))
    paginator = Paginator(listing, q(), concurrency=concurrency, prefetch=prefetch)
    assert len(await paginator.collect()) == 200
    window = 2 * concurrency if prefetch is None else prefetch
    assert listing.max_in_flight == min(concurrency, window)


async def test_prefetch_window_bounds_pages_fetched_ahead() -> None:
    listing = Listing(records(1000), ticks=lambda n: 1)
    paginator = Paginator(listing, q(), concurrency=2, prefetch=3)
    stream = aiter(paginator)
    await anext(stream)  # page 1 delivered; the consumer now stalls
    await settle()
    await settle()
    assert len(listing.queries) == 1 + 3  # the first page plus the window, not 100 pages
    await stream.aclose()


async def test_generated_large_listing_streams() -> None:
    gen = Generated(5_000)
    count = 0
    async for _ in Paginator(gen, q(100), concurrency=8):
        count += 1
    assert count == 5_000
    assert gen.requests == 50


# -- without a total ---------------------------------------------------------------------------


async def test_without_total_goes_page_by_page_until_a_short_page() -> None:
    listing = Listing(records(23), report_total=False)
    paginator = Paginator(listing, q(), concurrency=4)
    assert len(await paginator.collect()) == 23
    assert listing.pages_requested == [1, 2, 3]
    assert listing.max_in_flight == 1
    assert paginator.total is None


async def test_without_total_stops_on_an_empty_page() -> None:
    listing = Listing(records(20), report_total=False)
    pages = [p async for p in Paginator(listing, q()).pages()]
    assert [len(p) for p in pages] == [10, 10]
    assert listing.pages_requested == [1, 2, 3]


async def test_empty_result() -> None:
    listing = Listing([])
    paginator = Paginator(listing, q())
    assert len(await paginator) == 0
    assert await paginator.collect() == []
    pages = [p async for p in Paginator(listing, q()).pages()]
    assert [(len(p), p.total) for p in pages] == [(0, 0)]  # the first page always comes
    assert listing.pages_requested == [1, 1]


async def test_exact_multiples_need_no_probe_request() -> None:
    listing = Listing(records(10))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(await Paginator(listing, q()).collect()) == 10
        assert len(await Paginator(listing, q(5)).collect()) == 10
    assert listing.pages_requested == [1, 1, 2]


# -- failures and resuming --------------------------------------------------------------------


async def test_failure_after_pages_carries_progress_and_resumes_exactly() -> None:
    rows = records(57)
    listing = Listing(rows)
    listing.fail[4] = NotFound(404, message="gone for now")
    paginator = Paginator(listing, q(), concurrency=3)
    seen: list[Record] = []
    with pytest.raises(PaginationError) as info:
        await drain(paginator, seen)
    err = info.value
    assert ids(seen) == ids(rows[:30])  # pages 1-3 delivered in full, in order
    assert isinstance(err.cause, NotFound)
    assert err.__cause__ is err.cause
    assert err.items_yielded == 30
    point = err.resume_point
    assert point is not None
    assert (point.page_number, point.skip, point.items_yielded, point.total) == (4, 0, 30, 57)
    assert "stopped at page 4 after 30 of 57 records: NotFound" in str(err)
    assert paginator.resume_point == point
    assert not other_tasks()  # every prefetch cancelled and awaited before raising

    stored = json.loads(json.dumps(point.to_dict()))
    rest = await Paginator(listing, q(), resume_from=ResumePoint.from_dict(stored)).collect()
    assert ids(seen + rest) == ids(rows)


async def test_a_failed_stream_is_over() -> None:
    listing = Listing(records(30))
    listing.fail[2] = RuntimeError("x")
    stream = aiter(Paginator(listing, q()))
    for _ in range(10):
        await anext(stream)
    with pytest.raises(PaginationError):
        await anext(stream)
    with pytest.raises(StopAsyncIteration):
        await anext(stream)


async def test_a_failed_prefetch_surfaces_only_when_reached() -> None:
    rows = records(60)
    listing = Listing(rows, ticks=lambda n: 1 if n == 5 else 6)
    listing.fail[5] = RuntimeError("boom")
    stream = aiter(Paginator(listing, q(), concurrency=6))
    got = [await anext(stream) for _ in range(40)]
    assert ids(got) == ids(rows[:40])
    with pytest.raises(PaginationError, match="RuntimeError: boom"):
        await anext(stream)
    assert max(listing.pages_requested) <= 6  # no scheduling past the failed page


async def test_first_page_failure() -> None:
    listing = Listing(records(5))
    listing.fail[1] = RuntimeError("down")
    with pytest.raises(RuntimeError, match="down"):  # await: the error itself
        await Paginator(listing, q())
    listing.fail[1] = RuntimeError("down")
    with pytest.raises(PaginationError) as info:  # iteration: wrapped with progress
        await Paginator(listing, q()).collect()
    assert info.value.resume_point == ResumePoint(1, 10)


async def test_break_mid_page_then_resume_redelivers_only_the_unfinished_record() -> None:
    rows = records(35)
    paginator = Paginator(Listing(rows), q())
    seen: list[Record] = []
    async for item in paginator:
        seen.append(item)
        if len(seen) == 14:
            break  # record 14 was handed out but not finished
    point = paginator.resume_point
    assert (point.page_number, point.skip, point.items_yielded) == (2, 3, 13)
    rest = await Paginator(Listing(rows), q(), resume_from=point).collect()
    assert ids(rest) == ids(rows[13:])


async def test_resume_point_after_full_pages() -> None:
    paginator = Paginator(Listing(records(30)), q())
    stream = paginator.pages()
    await anext(stream)
    assert paginator.resume_point.page_number == 1  # page 1 is being processed
    await anext(stream)
    assert (paginator.resume_point.page_number, paginator.items_yielded) == (2, 10)
    await stream.aclose()


async def test_resume_needs_the_same_query() -> None:
    point = ResumePoint(2, 10, params=(("filter[status]", "new"),))
    with pytest.raises(UsageError, match="different query"):
        Paginator(Listing([]), q(), resume_from=point)
    with pytest.raises(UsageError, match="changes_since"):
        Paginator(Listing([]), q(), resume_from=ResumePoint(1, 10, cursor="2024-01-01T00:00:00Z"))
    with pytest.raises(UsageError, match="ResumePoint"):
        Paginator(Listing([]), q(), resume_from={"page_number": 1})  # type: ignore[arg-type]
    # Page settings may differ: the resume point's size wins.
    rows = records(30)
    rest = await Paginator(
        Listing(rows), Query().page(size=3), resume_from=ResumePoint(2, 10)
    ).collect()
    assert ids(rest) == ids(rows[10:])


# -- totals that move -------------------------------------------------------------------------


def _delete_after_first(listing: Listing, query: Query) -> None:
    if query.page_number == 2 and len(listing.rows) == 40:
        del listing.rows[:5]  # five records deleted while paging


async def test_records_deleted_while_paging_are_reported() -> None:
    listing = Listing(records(40))
    listing.before = _delete_after_first
    # Offset paging skipped r000010-r000014 (they moved onto page 1): the count alone
    # matches the new total, but the total changed, which is reported.
    with pytest.warns(PaginationWarning, match="total was 40 at the start and 35 at the end"):
        items = await Paginator(listing, q(), concurrency=1).collect()
    assert len(items) == 35
    assert "r000012" not in ids(items)


async def test_mismatch_can_raise_or_be_ignored() -> None:
    listing = Listing(records(40))
    listing.before = _delete_after_first
    with pytest.raises(TotalMismatch) as info:
        await Paginator(listing, q(), concurrency=1, on_total_mismatch="raise").collect()
    assert (info.value.expected, info.value.received) == (40, 35)
    listing = Listing(records(40))
    listing.before = _delete_after_first
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        await Paginator(listing, q(), concurrency=1, on_total_mismatch="ignore").collect()


async def test_an_empty_planned_page_stops_without_fetching_the_rest() -> None:
    listing = Listing(records(100), ticks=lambda n: 1)

    def shrink(lst: Listing, query: Query) -> None:
        if query.page_number == 2:
            lst.rows[:] = lst.rows[:10]

    listing.before = shrink
    with pytest.warns(PaginationWarning):
        items = await Paginator(listing, q(), concurrency=1, prefetch=2).collect()
    assert len(items) == 10
    assert max(listing.pages_requested) <= 4
    assert not other_tasks()


async def test_records_added_while_paging_are_still_fetched() -> None:
    rows = records(30)
    listing = Listing(rows)

    def grow(lst: Listing, query: Query) -> None:
        if query.page_number == 3 and len(lst.rows) == 30:
            lst.rows.extend(records(12, prefix="new"))

    listing.before = grow
    with pytest.warns(PaginationWarning, match="30 at the start and 42 at the end.*42 records"):
        items = await Paginator(listing, q()).collect()
    assert len(items) == 42
    assert listing.pages_requested[-2:] == [4, 5]


async def test_dedupe_drops_records_shifted_onto_the_next_page() -> None:
    def insert_front(lst: Listing, query: Query) -> None:
        if query.page_number == 2 and lst.rows[0].id != "x":
            lst.rows.insert(0, Record("x"))

    plain = Listing(records(30))
    plain.before = insert_front
    with pytest.warns(PaginationWarning):
        dupes = await Paginator(plain, q(), concurrency=1).collect()
    assert ids(dupes).count("r000009") == 2

    listing = Listing(records(30))
    listing.before = insert_front
    with pytest.warns(PaginationWarning, match="1 duplicate"):
        items = await Paginator(listing, q(), concurrency=1, dedupe=True).collect()
    assert sorted(ids(items)) == ids(records(30))


async def test_dedupe_in_pages_mode_and_custom_id() -> None:
    rows = [{"key": k} for k in "aabbc"]

    async def fetch(query: Query) -> Page[dict[str, str]]:
        return Page(rows if query.page_number == 1 else [], meta={})

    paginator: Paginator[dict[str, str]] = Paginator(
        fetch, q(), dedupe=True, id_of=lambda r: r["key"]
    )
    pages = [p async for p in paginator.pages()]
    assert [r["key"] for r in pages[0]] == ["a", "b", "c"]


async def test_a_page_of_only_duplicates_is_skipped_in_pages_mode() -> None:
    async def fetch(query: Query) -> Page[dict[str, str]]:
        n = query.page_number or 1
        data = {1: ["a", "b"], 2: ["a", "b"], 3: ["c"]}.get(n, [])
        return Page([{"id": i} for i in data], meta={"stats": {"total": {"count": 5}}})

    paginator: Paginator[dict[str, str]] = Paginator(
        fetch, q(2), dedupe=True, on_total_mismatch="ignore"
    )
    pages = [p async for p in paginator.pages()]
    assert [[r["id"] for r in p] for p in pages] == [["a", "b"], ["c"]]
    assert paginator.items_yielded == 3


async def test_a_larger_server_page_size_is_followed() -> None:
    rows = records(45)

    async def fetch(query: Query) -> Page[Record]:
        n = query.page_number or 1
        return Page(rows[(n - 1) * 20 : n * 20], meta={"stats": {"total": {"count": 45}}})

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert ids(await Paginator(fetch, q(10)).collect()) == ids(rows)


async def test_a_capped_page_size_is_followed() -> None:
    rows = records(45)
    listing = Listing(rows, cap=10)
    paginator = Paginator(listing, q(25))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        items = await paginator.collect()
    assert ids(items) == ids(rows)
    assert paginator.resume_point.page_size == 10


# -- search ------------------------------------------------------------------------------------


async def test_search_queries_page_too() -> None:
    search = Query().search(Q(status="reserved")).page(size=10)
    seen: list[Query] = []

    async def fetch(query: Query) -> Page[dict[str, str]]:
        seen.append(query)
        n = query.page_number or 1
        data = [{"id": f"{n}-{i}"} for i in range(10 if n < 3 else 4)]
        return Page(data, meta={"stats": {"total": {"count": 24}}})

    paginator: Paginator[dict[str, str]] = Paginator(fetch, search)
    assert len(await paginator.collect()) == 24
    assert all(s.is_search for s in seen)
    assert seen[0].to_search_body()["stats"] == {"total": ["count"]}
    assert seen[1].to_search_body()["page"] == {"number": 2, "size": 10}
    assert dict(paginator.resume_point.params)["search"] == '{"status":"reserved"}'
    other = Query().search(Q(status="new")).page(size=10)
    with pytest.raises(UsageError, match="different query"):
        Paginator(fetch, other, resume_from=paginator.resume_point)


# -- cancellation ------------------------------------------------------------------------------


async def test_break_leaves_no_running_tasks() -> None:
    listing = Listing(records(500), ticks=lambda n: 50)
    async for item in Paginator(listing, q(), concurrency=4):
        if item.id == "r000012":
            break
    await settle()
    assert not other_tasks()
    assert listing.in_flight == 0


async def test_aclose_and_context_manager_leave_no_tasks_immediately() -> None:
    listing = Listing(records(500), ticks=lambda n: 50)
    stream = aiter(Paginator(listing, q(), concurrency=4))
    await anext(stream)
    assert other_tasks()
    await stream.aclose()
    assert not other_tasks()
    await stream.aclose()  # idempotent
    with pytest.raises(StopAsyncIteration):
        await anext(stream)

    async with Paginator(listing, q()).pages() as pages:
        await anext(pages)
    assert not other_tasks()
    with pytest.raises(StopAsyncIteration):
        await anext(pages)
    async with aiter(Paginator(listing, q())) as items:
        await anext(items)
    assert not other_tasks()


async def test_cancelled_consumer_leaves_no_tasks() -> None:
    listing = Listing(records(500), ticks=lambda n: 10 if n == 1 else 10_000)
    started = asyncio.Event()

    async def consume() -> None:
        async for _ in Paginator(listing, q(), concurrency=4):
            started.set()

    task = asyncio.ensure_future(consume())
    await started.wait()
    for _ in range(30):  # the consumer is now waiting on page 2
        await asyncio.sleep(0)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    assert not other_tasks()
    assert listing.in_flight == 0


async def test_collect_with_limit_stops_early_and_cleans_up() -> None:
    listing = Listing(records(500), ticks=lambda n: 5)
    paginator = Paginator(listing, q(), concurrency=4)
    assert ids(await paginator.collect(limit=15)) == ids(records(15))
    assert not other_tasks()
    point = paginator.resume_point  # the returned records count as done
    assert (point.page_number, point.skip, point.items_yielded) == (2, 5, 15)
    assert await paginator.collect(limit=0) == []
    with pytest.raises(UsageError, match="limit"):
        await paginator.collect(limit=-1)


async def test_collect_with_limit_fetches_only_the_pages_it_needs() -> None:
    # With the total known the run would fetch a prefetch window ahead; every unused page
    # would be a request spent from the company's rate-limit budget.
    listing = Listing(records(500))
    items = await Paginator(listing, q(), concurrency=8).collect(limit=25)
    assert ids(items) == ids(records(25))
    assert sorted(listing.pages_requested) == [1, 2, 3]
    listing = Listing(records(500))
    assert len(await Paginator(listing, q(), concurrency=8).collect(limit=10)) == 10
    assert listing.pages_requested == [1]
    listing = Listing(records(500))  # resuming mid-page: the skip counts
    point = ResumePoint(page_number=3, page_size=10, skip=5, items_yielded=25)
    got = await Paginator(listing, q(), resume_from=point).collect(limit=10)
    assert ids(got) == ids(records(500))[25:35]
    assert sorted(listing.pages_requested) == [3, 4]
    listing = Listing(records(15))  # a limit past the end: every page, nothing more
    assert len(await Paginator(listing, q()).collect(limit=100)) == 15
    assert sorted(listing.pages_requested) == [1, 2]


async def test_collect_with_limit_without_total_stops_at_the_page_it_needs() -> None:
    listing = Listing(records(100), report_total=False)
    assert len(await Paginator(listing, q()).collect(limit=20)) == 20
    assert listing.pages_requested == [1, 2]
    listing = Listing(records(100), report_total=False)
    assert len(await Paginator(listing, q()).collect(limit=5)) == 5
    assert listing.pages_requested == [1]


async def test_collect_with_limit_fetches_on_when_duplicates_were_dropped() -> None:
    def repeat_page_one(lst: Listing, query: Query) -> None:
        if query.page_number == 2 and lst.rows[10].id != "r000000":
            lst.rows[10:10] = lst.rows[:10]  # page 2 repeats page 1

    for report_total in (True, False):
        listing = Listing(records(40), report_total=report_total)
        listing.before = repeat_page_one
        paginator = Paginator(listing, q(), concurrency=1, dedupe=True)
        items = await paginator.collect(limit=15)
        assert ids(items) == ids(records(15)), report_total
        assert sorted(listing.pages_requested) == [1, 2, 3], report_total
        assert not other_tasks()


async def test_dropped_stream_with_a_failed_prefetch_logs_nothing(
    caplog: pytest.LogCaptureFixture,
) -> None:
    listing = Listing(records(100), ticks=lambda n: 1 if n == 3 else 20)
    listing.fail[3] = RuntimeError("lost")
    stream = aiter(Paginator(listing, q(), concurrency=4))
    await anext(stream)
    await settle()
    del stream
    await settle()
    assert not other_tasks()
    assert "never retrieved" not in caplog.text


async def test_errors_in_callbacks_cancel_the_fetches() -> None:
    listing = Listing(records(300), ticks=lambda n: 20)

    def explode(number: int, so_far: int, total: int | None) -> None:
        if number == 2:
            raise ValueError("progress bar broke")

    with pytest.raises(ValueError, match="progress bar broke"):
        await Paginator(listing, q(), on_page=explode).collect()
    assert not other_tasks()

    def no_key(record: Record) -> str:
        raise KeyError("no key")

    with pytest.raises(KeyError, match="no key"):
        await Paginator(listing, q(), dedupe=True, id_of=no_key).collect()
    assert not other_tasks()


# -- progress and arguments --------------------------------------------------------------------


async def test_on_page_reports_progress_in_order() -> None:
    calls: list[tuple[int, int, int | None]] = []
    listing = Listing(records(25), ticks=lambda n: 10 - n)
    await Paginator(listing, q(), on_page=lambda *a: calls.append(a)).collect()
    assert calls == [(1, 10, 25), (2, 20, 25), (3, 25, 25)]
    calls.clear()
    await Paginator(
        Listing(records(12), report_total=False), q(), on_page=lambda *a: calls.append(a)
    ).collect()
    assert calls == [(1, 10, None), (2, 12, None)]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"concurrency": 0}, "concurrency"),
        ({"concurrency": True}, "concurrency"),
        ({"prefetch": 0}, "prefetch"),
        ({"default_page_size": 0}, "default_page_size"),
        ({"on_total_mismatch": "shout"}, "on_total_mismatch"),
    ],
)
def test_bad_arguments(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(UsageError, match=match):
        Paginator(Listing([]), q(), **kwargs)


def test_bad_fetch_or_query() -> None:
    with pytest.raises(UsageError, match="fetch"):
        Paginator("nope", q())  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="Query"):
        Paginator(Listing([]), {"page": 1})  # type: ignore[arg-type]


def test_repr_and_query() -> None:
    paginator = Paginator(Listing([]), q())
    assert paginator.query == q()
    assert (
        repr(paginator) == "Paginator(Query(page[size]=10), concurrency=4, prefetch=8, total=None)"
    )


@pytest.mark.parametrize("failing_page", [1, 3])
async def test_a_usage_error_from_the_fetch_is_not_wrapped(failing_page: int) -> None:
    listing = Listing(records(50))
    listing.fail[failing_page] = UsageError("bad call")
    with pytest.raises(UsageError, match="bad call") as info:
        await Paginator(listing, q(), concurrency=2).collect()
    assert not isinstance(info.value, PaginationError)
