"""CRUD and the booking flow end to end: typed facades against FakeBooqable."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timezone
from typing import Any

import pytest

from booqable_async._client import BooqableClient
from booqable_async.errors import BookingError, ShortageError, UnprocessableEntity, UsageError
from booqable_async.models import (
    BookBundle,
    BookProduct,
    BookStockItems,
    Customer,
    Line,
    Order,
    OrderFulfillment,
    Planning,
    Product,
    ProductVariation,
)
from booqable_async.query import Q, Query
from booqable_async.testing import FakeBooqable

STARTS = datetime(2025, 3, 1, 10, tzinfo=timezone.utc)
STOPS = datetime(2025, 3, 3, 10, tzinfo=timezone.utc)


@pytest.fixture
def fake() -> FakeBooqable:
    return FakeBooqable()


@pytest.fixture
def shop(fake: FakeBooqable) -> dict[str, Any]:
    location = fake.add("locations", name="Main")
    bike = fake.add("products", name="Bike", tracking_type="trackable", base_price_in_cents=1500)
    tent = fake.add(
        "products", name="Tent", tracking_type="bulk", allow_shortage=True, base_price_in_cents=800
    )
    service = fake.add("products", name="Setup", tracking_type="none")
    bikes = [
        fake.add("stock_items", product_id=bike["id"], location_id=location["id"])["id"]
        for _ in range(2)
    ]
    fake.add("stock_items", product_id=tent["id"], location_id=location["id"])
    customer = fake.add("customers", name="Jane")
    return {
        "bike": bike["id"],
        "tent": tent["id"],
        "service": service["id"],
        "bikes": bikes,
        "customer": customer["id"],
    }


@pytest.fixture
async def client(fake: FakeBooqable) -> AsyncIterator[BooqableClient]:
    async with (
        fake.transport() as transport,
        BooqableClient(base_url=fake.base_url, token=fake.token, transport=transport) as client,
    ):
        yield client


async def test_crud(client: BooqableClient, fake: FakeBooqable) -> None:
    jane = await client.customers.create(name="Jane", email="jane@example.com", tag_list=["vip"])
    assert isinstance(jane, Customer)
    assert jane.id is not None
    assert jane.number == 1
    assert jane.created_at is not None
    fetched = await client.customers.get(jane.id)
    assert fetched.email == "jane@example.com"
    fetched.email = "j@example.com"
    updated = await client.customers.update(fetched)
    assert updated.email == "j@example.com"
    assert fake.get("customers", jane.id)["email"] == "j@example.com"
    await client.customers.create(name="Joe")
    names = [c.name async for c in client.customers.list(Query().sort("name").page(size=1))]
    assert names == ["Jane", "Joe"]
    found = await client.customers.search(Query().search(Q(name="Joe")).fields(customers="name"))
    assert [c.name for c in found.data] == ["Joe"]
    archived = await client.customers.delete(jane.id)
    assert archived is not None
    assert archived.archived is True


async def test_search_answers_keep_their_attributes(
    client: BooqableClient, shop: dict[str, Any]
) -> None:
    # Booqable answers searches in the nested format; products carry a "type" attribute.
    products = await client.products.search(Query().search(Q(name="Bike") | Q(name="Tent")))
    assert sorted(p.name or "" for p in products.data) == ["Bike", "Tent"]
    assert all(isinstance(p, Product) for p in products.data)
    items = await client.items.search(Query().search(Q(name="Setup")))
    assert [(type(i).__name__, i.name) for i in items.data] == [("Product", "Setup")]
    orders = await client.orders.search(Query().search(Q(status="new")))
    assert orders.data == ()


async def test_book_reserves_the_order(client: BooqableClient, shop: dict[str, Any]) -> None:
    booking = await client.orders.book(
        {shop["bike"]: 2, shop["service"]: 1},
        customer_id=shop["customer"],
        starts_at=STARTS,
        stops_at=STOPS,
    )
    assert isinstance(booking.order, Order)
    assert booking.order.status == "reserved"
    assert booking.order.number == 1
    assert isinstance(booking.fulfillment, OrderFulfillment)
    lines = booking.fulfillment.changed_lines
    assert isinstance(lines, list)
    assert all(isinstance(line, Line) for line in lines)
    assert sorted(line.quantity or 0 for line in lines) == [1, 2]
    plannings = booking.fulfillment.changed_plannings
    assert isinstance(plannings, list)
    assert all(isinstance(p, Planning) for p in plannings)
    assert booking.transition is not None
    assert booking.transition.transition_to == "reserved"


async def test_book_shortage_warning_then_confirm(
    client: BooqableClient, shop: dict[str, Any]
) -> None:
    with pytest.raises(BookingError) as info:
        await client.orders.book({shop["tent"]: 2}, starts_at=STARTS, stops_at=STOPS)
    err = info.value
    assert err.step == "reserve"
    shortage = err.shortage
    assert shortage is not None
    assert shortage.only_warnings
    (entry,) = shortage.warnings
    assert (entry.item_id, entry.needed, entry.available, entry.shortage) == (shop["tent"], 2, 1, 1)
    # The documented way out: send the reservation again, accepting the shortage.
    transition = await client.order_status_transitions.reserve(
        err.order_id, confirm_shortage=True, include="order"
    )
    assert isinstance(transition.order, Order)
    assert transition.order.status == "reserved"
    # Or in one go:
    booking = await client.orders.book(
        {shop["tent"]: 2}, starts_at=STARTS, stops_at=STOPS, confirm_shortage=True
    )
    assert booking.order.status == "reserved"


async def test_blocking_shortage_cannot_be_confirmed(
    client: BooqableClient, shop: dict[str, Any]
) -> None:
    await client.orders.book({shop["bike"]: 2}, starts_at=STARTS, stops_at=STOPS)
    with pytest.raises(BookingError) as info:
        await client.orders.book(
            [BookProduct(product_id=shop["bike"], quantity=1)],
            starts_at=STARTS,
            stops_at=STOPS,
            confirm_shortage=True,
        )
    shortage = info.value.shortage
    assert isinstance(shortage, ShortageError)
    assert not shortage.only_warnings
    (entry,) = shortage.blocking
    assert (entry.stock_count, entry.reserved, entry.available) == (2, 2, 0)
    assert "blocking" in str(shortage)


async def test_book_without_reserving_and_bad_items(
    client: BooqableClient, fake: FakeBooqable, shop: dict[str, Any]
) -> None:
    booking = await client.orders.book(
        [BookStockItems(product_id=shop["bike"], stock_item_ids=shop["bikes"][:1])],
        reserve=False,
        starts_at=STARTS,
        stops_at=STOPS,
    )
    assert booking.transition is None
    assert booking.order.status == "draft"
    before = fake.count("orders")
    with pytest.raises(UsageError):
        await client.orders.book({shop["bike"]: 0}, starts_at=STARTS, stops_at=STOPS)
    with pytest.raises(UsageError):
        await client.orders.book("bike", starts_at=STARTS)  # type: ignore[arg-type]
    assert fake.count("orders") == before  # nothing was created


async def test_fulfillment_failure_keeps_the_draft(
    client: BooqableClient, fake: FakeBooqable, shop: dict[str, Any]
) -> None:
    bundle = fake.add("bundles", name="Camping set")
    fake.add("bundle_items", bundle_id=bundle["id"], quantity=1)  # unspecified item
    with pytest.raises(BookingError) as info:
        await client.orders.book(
            [BookBundle(bundle_id=bundle["id"], quantity=1)], starts_at=STARTS, stops_at=STOPS
        )
    assert info.value.step == "fulfill"
    assert info.value.shortage is None
    assert fake.get("orders", info.value.order_id)["status"] == "draft"


async def test_fulfillment_actions(
    client: BooqableClient, fake: FakeBooqable, shop: dict[str, Any]
) -> None:
    order = await client.orders.create(starts_at=STARTS, stops_at=STOPS)
    assert order.status == "new"
    f = client.order_fulfillments
    booked = await f.book_stock_items(
        order, shop["bike"], shop["bikes"][:1], mode="infer_planning", include="changed_plannings"
    )
    (planning,) = booked.changed_plannings  # type: ignore[misc]
    assert isinstance(planning, Planning)
    await f.book_product(order, shop["bike"], 1, mode="update_existing", planning=planning)
    await f.specify_stock_items(order, shop["bike"], planning, add=shop["bikes"][1:])
    await client.order_status_transitions.reserve(order)  # status looked up: "new"
    await f.start_stock_items(order, shop["bike"], shop["bikes"][:1], planning=planning)
    assert fake.get("orders", order.id)["status"] == "started"
    await f.specify_stock_items(order, shop["bike"], planning, remove=shop["bikes"][1:])
    await f.stop_stock_items(order, shop["bike"], shop["bikes"][:1], planning=planning)
    tent = await f.book_product(order, shop["tent"], 1, include="changed_plannings")
    (tent_planning,) = tent.changed_plannings  # type: ignore[misc]
    await f.start_product(order, shop["tent"], 1, planning=tent_planning.id)
    await f.stop_product(order, shop["tent"], 1, planning=tent_planning)
    assert fake.get("plannings", tent_planning.id)["stopped"] == 1
    bundle = fake.add("bundles", name="Set")
    item = fake.add("bundle_items", bundle_id=bundle["id"], quantity=1)
    other = await client.orders.create(starts_at=STARTS, stops_at=STOPS)
    await f.book_bundle(other, bundle["id"], 1, variations={item["id"]: shop["service"]})
    await f.fulfill(
        other,
        BookBundle(
            bundle_id=bundle["id"],
            quantity=1,
            product_variations=[
                ProductVariation(bundle_item_id=item["id"], product_id=shop["service"])
            ],
        ),
    )
    with pytest.raises(UsageError):
        await f.fulfill(other)


async def test_status_transitions(
    client: BooqableClient, fake: FakeBooqable, shop: dict[str, Any]
) -> None:
    t = client.order_status_transitions
    order = await client.orders.create(starts_at=STARTS, stops_at=STOPS)
    await t.save_as_draft(order)
    await t.reserve(order.id)  # the status is read first: "draft"
    assert fake.get("orders", order.id)["status"] == "reserved"
    await t.revert(order.id, "draft")
    assert fake.get("orders", order.id)["status"] == "draft"
    done = await t.archive(order.id, include="order")
    assert isinstance(done.order, Order)
    assert done.order.status == "archived"
    await t.cancel(await client.orders.create(starts_at=STARTS, stops_at=STOPS))
    # started/stopped as transitions are reverts
    used = await client.orders.create(starts_at=STARTS, stops_at=STOPS)
    f = client.order_fulfillments
    booked = await f.book_product(used, shop["tent"], 1, include="changed_plannings")
    (planning,) = booked.changed_plannings  # type: ignore[misc]
    await t.reserve(used)
    await f.start_product(used, shop["tent"], 1, planning=planning)
    await f.stop_product(used, shop["tent"], 1, planning=planning)
    await t.archive(used.id)
    await t.stop(used.id)
    assert fake.get("orders", used.id)["status"] == "stopped"
    await t.start(used.id)
    assert fake.get("orders", used.id)["status"] == "started"
    with pytest.raises(UnprocessableEntity) as info:
        await t.reserve(used.id, from_status="draft")
    assert info.value.codes == ("wrong_status",)
