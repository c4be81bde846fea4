"""changes_since: keyset incremental sync over updated_at."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from booqable_async.errors import PaginationError, UsageError
from booqable_async.pagination import (
    DEFAULT_OVERLAP,
    Page,
    PaginationWarning,
    Paginator,
    ResumePoint,
    changes_since,
    parse_timestamp,
)
from booqable_async.query import Query
from tests.pagination.fakes import T0, Listing, Record, drain, ids, records

UTC = dt.timezone.utc


def at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


async def test_yields_changes_in_order_and_tracks_the_mark() -> None:
    rows = records(250)  # updated_at = T0 + i seconds
    listing = Listing(rows)
    feed = changes_since(listing, Query().page(size=100), at(100), overlap=dt.timedelta(0))
    items = await feed.collect()
    assert ids(items) == ids(rows[100:])
    assert feed.high_water_mark == at(249)
    assert feed.items_yielded == 150
    first = listing.queries[0]
    assert first.to_params() == [
        ("filter[updated_at][gte]", "2024-01-01T00:01:40Z"),
        ("sort", "updated_at,id"),
        ("page[number]", "1"),
        ("page[size]", "100"),
    ]
    # Keyset: every request is page 1 from the last seen timestamp.
    assert [q.page_number for q in listing.queries] == [1, 1]
    assert listing.queries[1].filters[0].value == "2024-01-01T00:03:19Z"


async def test_overlap_reaches_back_and_the_mark_never_goes_backwards() -> None:
    rows = records(10)
    feed = changes_since(Listing(rows), None, at(8), overlap=dt.timedelta(seconds=3))
    assert ids(await feed.collect()) == ids(rows[5:])
    assert feed.high_water_mark == at(9)
    empty = changes_since(Listing(rows), None, at(100), overlap=dt.timedelta(0))
    assert await empty.collect() == []
    assert empty.high_water_mark == at(100)
    assert dt.timedelta(minutes=5) == DEFAULT_OVERLAP


async def test_ties_larger_than_a_page_are_walked_once() -> None:
    tie = [Record(f"t{i:03d}", at(5)) for i in range(25)]
    rows = [*records(3), *tie, Record("z", at(9))]
    feed = changes_since(Listing(rows), Query().page(size=10), T0, overlap=dt.timedelta(0))
    items = await feed.collect()
    assert sorted(ids(items)) == sorted(ids(rows))
    assert len(items) == len(rows)


async def test_a_record_updated_mid_pull_is_seen_and_none_is_skipped() -> None:
    rows = records(30)

    def touch(listing: Listing, query: Query) -> None:
        # After the first page, record 3 is updated: it jumps to the end of the order.
        if len(listing.queries) == 2:
            listing.rows[3].updated_at = at(1000)

    listing = Listing(rows)
    listing.before = touch
    feed = changes_since(listing, Query().page(size=10), T0, overlap=dt.timedelta(0))
    items = await feed.collect()
    assert set(ids(items)) == set(ids(rows))  # nothing skipped
    assert ids(items).count("r000003") == 2  # delivered again with its new state
    assert feed.high_water_mark == at(1000)

    # The same change under page-number paging over updated_at silently skips r000010:
    # the count and the total still match (r000003 comes twice)...
    listing = Listing(records(30))
    listing.before = touch
    naive = Query().filter("updated_at", "gte", T0).sort("updated_at", "id").page(size=10)
    paged = await Paginator(listing, naive, concurrency=1).collect()
    assert set(ids(records(30))) - set(ids(paged)) == {"r000010"}
    # ...and only de-duplication makes the paginator notice.
    listing = Listing(records(30))
    listing.before = touch
    with pytest.warns(PaginationWarning, match="delivered 29 records.*1 duplicate"):
        await Paginator(listing, naive, concurrency=1, dedupe=True).collect()


async def test_failure_resumes_from_the_cursor() -> None:
    rows = records(45)
    listing = Listing(rows)
    listing.fail_once = True
    feed = changes_since(listing, Query().page(size=10), T0, overlap=dt.timedelta(0))
    seen: list[Record] = []

    def fail_third(lst: Listing, query: Query) -> None:
        if len(lst.queries) == 3:
            raise ConnectionError("reset")

    listing.before = fail_third
    with pytest.raises(PaginationError) as info:
        await drain(feed, seen)
    err = info.value
    assert isinstance(err.cause, ConnectionError)
    point = err.resume_point
    assert point is not None
    # Pages: r0-r9, then r9 (already seen at the cursor) + r10-r18; the third fails.
    assert point.cursor == "2024-01-01T00:00:18Z"
    assert err.items_yielded == len(seen) == 19
    assert feed.high_water_mark == at(18)

    listing.before = None
    again = changes_since(
        listing, Query().page(size=10), T0, resume_from=ResumePoint.from_dict(point.to_dict())
    )
    rest = await again.collect()
    assert set(ids(seen + rest)) == set(ids(rows))
    assert again.items_yielded == 19 + len(rest)
    # Iterating the failed feed again also continues where it stopped.
    assert set(ids(seen + await feed.collect())) == set(ids(rows))


async def test_mapping_records_string_timestamps_and_custom_accessors() -> None:
    rows = [{"id": str(i), "updated_at": f"2024-01-01T00:00:0{i}.000000+00:00"} for i in range(5)]

    async def fetch(query: Query) -> Page[dict[str, str]]:
        return Page(rows if query.filters[0].value == "2024-01-01T00:00:00Z" else [])

    feed = changes_since(fetch, None, T0, overlap=dt.timedelta(0))
    assert len(await feed.collect()) == 5
    assert feed.high_water_mark == at(4)

    recs = [{"key": "a", "ts": "2024-01-01T00:00:07Z"}]

    async def fetch2(query: Query) -> Page[dict[str, str]]:
        return Page(recs)

    custom = changes_since(
        fetch2,
        None,
        T0,
        id_of=lambda r: r["key"],
        timestamp_of=lambda r: r["ts"],
        overlap=dt.timedelta(0),
    )
    assert len(await custom.collect(limit=1)) == 1
    with pytest.raises(UsageError, match="limit"):
        await custom.collect(limit=-2)
    assert custom.high_water_mark == at(7)


async def test_naive_record_times_are_utc() -> None:
    async def fetch(query: Query) -> Page[Record]:
        return Page([Record("a", dt.datetime(2024, 1, 1, 0, 0, 3))])

    feed = changes_since(fetch, None, T0)
    await feed.collect()
    assert feed.high_water_mark == at(3)


def test_parse_timestamp_reads_booqable_times_and_nothing_else() -> None:
    want = dt.datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert parse_timestamp("2025-01-02T03:04:05Z") == want
    assert parse_timestamp("2025-01-02T03:04:05.000000+00:00") == want
    assert parse_timestamp("2025-01-02T04:04:05+01:00") == want
    assert parse_timestamp("2025-01-02T03:04:05") == want  # naive: UTC
    assert parse_timestamp(want.replace(tzinfo=None)) == want
    assert parse_timestamp(want) is want
    assert parse_timestamp("yesterday") is None
    assert parse_timestamp(12) is None
    assert parse_timestamp(None) is None


@pytest.mark.parametrize("value", [None, "yesterday", 12])
async def test_records_without_a_timestamp_are_a_usage_error(value: Any) -> None:
    async def fetch(query: Query) -> Page[dict[str, Any]]:
        return Page([{"id": "a", "updated_at": value}])

    with pytest.raises(UsageError, match="needs updated_at on every record"):
        await changes_since(fetch, None, T0).collect()


async def test_on_page_and_resume_point_before_iterating() -> None:
    calls: list[tuple[int, int, int | None]] = []
    feed = changes_since(
        Listing(records(15)), Query().page(size=10), T0, on_page=lambda *a: calls.append(a)
    )
    assert feed.resume_point == ResumePoint(1, 10, cursor="2023-12-31T23:55:00Z")
    await feed.collect()
    assert calls == [(1, 10, None), (1, 15, None)]  # the re-read boundary record not counted


@pytest.mark.parametrize(
    ("query", "since", "kwargs", "match"),
    [
        (Query(), dt.datetime(2024, 1, 1), {}, "aware datetime"),
        (Query(), "2024-01-01", {}, "aware datetime"),
        (Query(), T0, {"overlap": dt.timedelta(seconds=-1)}, "overlap"),
        (Query(), T0, {"overlap": 5}, "overlap"),
        (Query().sort("id"), T0, {}, "remove them"),
        (Query().page(number=2), T0, {}, "remove them"),
        (Query().filter("updated_at", "gt", T0), T0, {}, "remove them"),
        (Query(), T0, {"field": "a[b]"}, "timestamp field"),
        ({"x": 1}, T0, {}, "must be a Query"),
    ],
)
def test_bad_arguments(query: Any, since: Any, kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(UsageError, match=match):
        changes_since(Listing([]), query, since, **kwargs)


def test_bad_resume_points() -> None:
    with pytest.raises(UsageError, match="made by changes_since"):
        changes_since(Listing([]), None, T0, resume_from=ResumePoint(1, 10))
    with pytest.raises(UsageError, match="different query"):
        changes_since(
            Listing([]),
            Query().where(status="new"),
            T0,
            resume_from=ResumePoint(1, 10, cursor="2024-01-01T00:00:00Z"),
        )
    with pytest.raises(UsageError, match="not an ISO 8601"):
        changes_since(Listing([]), None, T0, resume_from=ResumePoint(1, 10, cursor="soon"))


async def test_a_usage_error_inside_surfaces_as_usage_error_not_resume_advice() -> None:
    # A wrong call fails the same way on every retry: no PaginationError, no resume_from.
    listing = Listing(records(30))
    listing.fail[1] = UsageError("the fetch refused its query")
    feed = changes_since(listing, Query().page(size=10), T0)
    with pytest.raises(UsageError, match="the fetch refused its query") as info:
        await feed.collect()
    assert not isinstance(info.value, PaginationError)
    assert "resume_from" not in str(info.value)
