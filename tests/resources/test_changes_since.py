"""client.<resource>.changes_since: the typed, validated incremental sync on every facade."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from booqable_async import Query
from booqable_async.errors import PaginationError, UsageError
from booqable_async.models import Customer, Order
from booqable_async.resources import FACADES
from booqable_async.retry import RetryPolicy
from booqable_async.schema import get_schema, resource_types
from booqable_async.testing import FakeBooqable
from tests.pagination.fakes import drain

UTC = dt.timezone.utc


@pytest.fixture(scope="module")
def demo() -> FakeBooqable:
    return FakeBooqable.demo(seed=2, orders=40, customers=10, product_groups=3)


def syncable(type_name: str) -> bool:
    schema = get_schema(type_name)
    return "list" in schema.operations and "gte" in schema.filters.get("updated_at", ())


async def test_every_facade_that_can_filter_on_updated_at_has_it_and_no_other() -> None:
    async with FakeBooqable().client() as client:
        with_method = {t for t in FACADES if hasattr(client.resource(t), "changes_since")}
    assert with_method == {t for t in resource_types() if syncable(t)}
    assert {"orders", "customers", "lines", "items", "stock_items"} <= with_method
    assert "tags" not in with_method  # tags cannot filter on updated_at


async def test_orders_changed_since_a_mark_come_typed_oldest_first(demo: FakeBooqable) -> None:
    async with demo.client() as client:
        everything = await client.orders.list().collect()
        stamps = sorted({o.updated_at for o in everything if o.updated_at is not None})
        mark = stamps[len(stamps) // 2]
        feed = client.orders.changes_since(
            mark, Query().include("customer").page(size=7), overlap=dt.timedelta(0)
        )
        changed = [order async for order in feed]
    expected = sorted(
        (o for o in everything if o.updated_at is not None and o.updated_at >= mark),
        key=lambda o: (o.updated_at, o.id),
    )
    assert [o.id for o in changed] == [o.id for o in expected]
    assert all(isinstance(o, Order) for o in changed)
    assert any(isinstance(o.customer, Customer) for o in changed)  # the include was sent
    assert feed.high_water_mark == stamps[-1]
    assert feed.items_yielded == len(changed)


async def test_the_default_overlap_reads_five_minutes_before_the_mark(demo: FakeBooqable) -> None:
    mark = dt.datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
    async with demo.client() as client:
        await client.customers.changes_since(mark).collect(limit=1)
    sent = demo.requests[-1].query
    assert "filter%5Bupdated_at%5D%5Bgte%5D=2024-06-01T11%3A55%3A00Z" in sent
    assert "sort=updated_at%2Cid" in sent


@pytest.mark.parametrize(
    ("since", "query", "options", "message"),
    [
        (dt.datetime(2024, 1, 1), None, {}, "since must be an aware datetime"),
        (None, Query().sort("number"), {}, "remove them from the query"),
        (None, Query().page(number=2), {}, "remove them from the query"),
        (None, Query().where(stauts="new"), {}, "did you mean 'status'"),
        (None, Query().include("lines"), {}, "'lines' is not allowed on list"),
        (None, Query().page(size=500), {}, "page size 500 is over the maximum of 100"),
        (None, Query().fields(orders=["number"]), {}, "add it to fields(orders=[...])"),
        (None, "status=new", {}, "query must be a Query, got str"),
        (None, None, {"overlap": -dt.timedelta(1)}, "overlap must be a timedelta >= 0"),
        (None, None, {"overlpa": dt.timedelta(0)}, "did you mean 'overlap'"),
    ],
)
async def test_mistakes_fail_before_any_request(
    since: dt.datetime | None, query: Any, options: dict[str, Any], message: str
) -> None:
    fake = FakeBooqable()
    async with fake.client() as client:
        with pytest.raises(UsageError, match=re.escape(message)):
            client.orders.changes_since(
                since or dt.datetime(2024, 1, 1, tzinfo=UTC), query, **options
            )
    assert len(fake.requests) == 0


async def test_fields_that_keep_updated_at_are_fine(demo: FakeBooqable) -> None:
    async with demo.client() as client:
        feed = client.orders.changes_since(
            dt.datetime(2000, 1, 1, tzinfo=UTC), Query().fields(orders=["number", "updated_at"])
        )
        first = await feed.collect(limit=3)
    assert len(first) == 3
    assert all(o.number is not None for o in first)


async def test_a_failing_page_is_a_pagination_error_with_a_resume_point() -> None:
    fake = FakeBooqable.demo(seed=2, orders=40, customers=10, product_groups=3, faults="500@2")
    since = dt.datetime(2000, 1, 1, tzinfo=UTC)
    async with fake.client(retry=RetryPolicy.never()) as client:
        feed = client.orders.changes_since(since, Query().page(size=10))
        first: list[Order] = []
        with pytest.raises(PaginationError) as info:
            await drain(feed, first)
        point = info.value.resume_point  # always there: no Optional to narrow
        rest = await client.orders.changes_since(since, resume_from=point).collect()
    assert point.cursor is not None
    assert info.value.items_yielded == len(first) == 10
    # At least once: the records of the cursor's timestamp may come again, none is missing.
    assert {o.id for o in first + rest} == {o["id"] for o in fake.all("orders")}
    assert len(first + rest) <= 40 + 1
