"""Every v1 endpoint against FakeBooqable's v1 face: typed records, errors, checks."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any

import pytest

from booqable_async import errors
from booqable_async.testing import FakeBooqable
from booqable_async.v1 import (
    BooqableV1Client,
    Customer,
    ListMeta,
    Order,
    ProductGroup,
)

START = datetime(2031, 3, 1, 9, tzinfo=timezone.utc)
STOP = datetime(2031, 3, 3, 9, tzinfo=timezone.utc)


async def product_id(client: BooqableV1Client, *, trackable: bool | None = None) -> tuple[str, str]:
    """A (product group id, product id) with stock."""
    async for group in client.product_groups.list():
        if group.stock_count and (trackable is None or group.trackable == trackable):
            full = await client.product_groups.get(group.id)
            return group.id, full.products[0].id
    raise AssertionError("the demo has stock")


async def new_order(client: BooqableV1Client, customer: Customer) -> Order:
    return await client.orders.create(customer_id=customer.id, starts_at=START, stops_at=STOP)


async def test_customers_list_get_create_update_archive_restore(
    client: BooqableV1Client, fake: FakeBooqable
) -> None:
    first = await client.customers.list(per=10)
    assert (len(first.data), first.total) == (10, 30)
    meta = ListMeta.from_meta(first.meta)
    assert meta.total_count == 30
    assert "tag_list" in meta.facets
    every = await client.customers.list(per=7).collect()
    assert len({c.id for c in every}) == 30

    jane = await client.customers.create(
        name="Jane Doe",
        email="jane@example.com",
        properties_attributes=[{"type": "Property::Phone", "name": "Phone", "value": "+31 6"}],
    )
    assert isinstance(jane, Customer)
    assert (jane.name, jane.number, jane.archived) == ("Jane Doe", 31, False)
    assert isinstance(jane.created_at, datetime)
    assert jane.created_at.tzinfo is not None
    assert [(p.type, p.value) for p in jane.properties] == [("Property::Phone", "+31 6")]
    assert (await client.customers.get(jane.number or 0)).id == jane.id
    changed = await client.customers.update(jane.id, email="j@example.com")
    assert changed.email == "j@example.com"
    archived = await client.customers.archive(jane.id)
    assert archived.archived
    # Archived customers are hidden from lists and searches, still readable by id.
    assert jane.id not in {c.id async for c in client.customers.list(q="Jane Doe")}
    assert (await client.customers.get(jane.id)).archived
    assert not (await client.customers.restore(jane.id)).archived
    found = await client.customers.list(q="J@EXAMPLE").collect()
    assert [c.id for c in found] == [jane.id]


async def test_product_groups_and_products(client: BooqableV1Client) -> None:
    tent = await client.product_groups.create(
        name="Tent", sku="TENT", base_price_in_cents=1500, price_type="simple", price_period="day"
    )
    assert isinstance(tent, ProductGroup)
    assert (tent.base_price_in_cents, tent.base_price_as_decimal) == (1500, Decimal("15.0"))
    assert (tent.trackable, tent.lag_time, tent.lead_time) == (False, 0, 0)
    assert [p.name for p in tent.products] == ["Tent"]
    groups = await client.product_groups.list().collect()
    assert tent.id in {g.id for g in groups}
    updated = await client.product_groups.update(tent.id, lag_time=1800, base_price_in_cents=2000)
    assert (updated.lag_time, updated.base_price_in_cents) == (1800, 2000)
    assert (await client.product_groups.archive(tent.id)).archived
    assert tent.id not in {g.id for g in await client.product_groups.list().collect()}
    assert not (await client.product_groups.restore(tent.id)).archived

    _, product = await product_id(client)
    points = await client.products.availability(
        product, from_=date(2031, 1, 1), till=date(2031, 1, 4)
    )
    assert [p.at.day for p in points] == [1, 2, 3]
    assert all(p.interval == "day" and p.total == p.available for p in points)
    (structure,) = await client.products.prices(product)
    assert structure.tiles[0].multiplier == Decimal("1.0")
    assert structure.tiles[0].price_in_cents
    assert structure.tiles[0].price_in_cents > 0


async def test_order_life_cycle(client: BooqableV1Client, fake: FakeBooqable) -> None:
    customer = (await client.customers.list()).data[0]
    group_id, product = await product_id(client, trackable=False)
    order = await new_order(client, customer)
    assert (order.status, order.number, order.customer_id) == ("new", None, customer.id)
    order = await client.orders.book(order.id, {product: 1})
    assert (order.item_count, order.item_ids) == (1, (product,))
    assert len(order.lines) == 1
    assert len(order.plannings) == 1
    order = await client.orders.concept(order.id)
    assert order.status == "concept"
    assert order.number is not None
    order = await client.orders.reserve(order.id)
    assert order.status == "reserved"
    assert (await client.orders.get(order.number or 0)).id == order.id
    available = await client.orders.available(order.id)
    assert available[group_id].available is not None
    order = await client.orders.start(order.id, {product: 1})
    assert order.status == "started"
    order = await client.orders.stop(order.id, {product: 1})
    assert order.status == "stopped"
    order = await client.orders.revert(order.id, "concept")  # three steps back at once
    assert order.status == "concept"
    order = await client.orders.update(
        order.id, stops_at=datetime(2031, 3, 4, 9, tzinfo=timezone.utc)
    )
    assert order.stops_at == datetime(2031, 3, 4, 9, tzinfo=timezone.utc)
    assert (await client.orders.recalculate_prices(order.id)).id == order.id
    copy = await client.orders.duplicate(order.id)
    assert copy.id != order.id
    assert (await client.orders.cancel(copy.id)).status == "canceled"
    assert (await client.orders.archive(copy.id)).status == "archived"
    listed = await client.orders.list(per=100).collect()
    assert order.id in {o.id for o in listed}
    with_customer = next(o for o in listed if o.id == order.id)
    assert with_customer.customer is not None
    assert with_customer.customer.id == customer.id
    assert ListMeta.from_meta((await client.orders.list()).meta).total_item_count is not None
    found = await client.orders.search(customer.name or "").collect()
    assert order.id in {o.id for o in found}


async def test_lines_plannings_and_tags(client: BooqableV1Client) -> None:
    customer = (await client.customers.list()).data[0]
    _, product = await product_id(client)
    order = await client.orders.book((await new_order(client, customer)).id, {product: 2})
    line = await client.lines.create(
        order.id, title="Delivery", quantity=1, price_each_in_cents=2500
    )
    assert (line.title, line.price_in_cents) == ("Delivery", 2500)
    assert line.order is not None
    assert line.order.id == order.id
    line = await client.lines.update(order.id, line.id, quantity=2)
    assert (line.quantity, line.price_in_cents) == (Decimal("2.0"), 5000)
    deleted = await client.lines.delete(order.id, line.id)
    assert deleted is not None
    assert deleted.id == line.id
    planning = (await client.orders.get(order.id)).plannings[0]
    removed = await client.plannings.delete(order.id, planning.id)
    assert removed is not None
    assert removed.id == planning.id
    assert (await client.orders.get(order.id)).plannings == ()
    await client.tags.add("vip", order_id=order.id)
    await client.tags.add("vip", customer_id=customer.id)
    assert (await client.orders.get(order.id)).tags == ("vip",)
    await client.tags.remove("vip", order_id=order.id)
    assert (await client.orders.get(order.id)).tags == ()
    assert "vip" in (await client.customers.get(customer.id)).tags


async def test_patch_answers_204_through_the_escape_hatch(client: BooqableV1Client) -> None:
    customer = (await client.customers.list()).data[0]
    answer = await client.request(
        "PATCH", ("customers", customer.id), json={"customer": {"name": "Patched"}}
    )
    assert (answer.status, answer.payload) == (204, None)
    assert (await client.customers.get(customer.id)).name == "Patched"


async def test_items_not_available_is_a_shortage_with_the_products(
    client: BooqableV1Client,
) -> None:
    customer = (await client.customers.list()).data[0]
    _, product = await product_id(client, trackable=False)
    order = await client.orders.book((await new_order(client, customer)).id, {product: 1})
    await client.orders.reserve((await client.orders.concept(order.id)).id)
    with pytest.raises(errors.ShortageError) as info:
        await client.orders.book(order.id, {product: 999})
    (entry,) = info.value.blocking
    assert entry.item_id == product
    assert entry.needed == 1000
    assert entry.available is not None
    assert entry.shortage == 1000 - entry.available
    # Nothing was booked: the failed request changed nothing.
    assert (await client.orders.get(order.id)).item_count == 1


async def test_not_found_and_bad_writes(client: BooqableV1Client) -> None:
    with pytest.raises(errors.NotFound, match="not_found: Record not found"):
        await client.customers.get("no-such-customer")
    with pytest.raises(errors.NotFound):
        await client.request("GET", "invoices")
    customer = (await client.customers.list()).data[0]
    order = await new_order(client, customer)
    with pytest.raises(errors.UnprocessableEntity, match="wrong_status"):
        await client.orders.revert(order.id, "started")
    with pytest.raises(errors.UnprocessableEntity, match="not_booked"):
        await client.orders.start(order.id, {"f0000000-0000-4000-8000-000000000000": 1})
    with pytest.raises(errors.UnprocessableEntity, match="Name can't be blank"):
        await client.request("POST", "customers", json={"customer": {"email": "x@y.z"}})


@pytest.mark.parametrize(
    ("call", "fragment"),
    [
        (lambda c: c.customers.create(email="x@y.z"), "a customer needs a name"),
        (lambda c: c.customers.create(name="X", colour="red"), "unknown customer attribute"),
        (lambda c: c.customers.update("id-1"), "nothing to update"),
        (lambda c: c.customers.get(True), "id_or_number must be a non-empty id"),
        (lambda c: c.orders.book("o", {}), "ids must map product ids"),
        (lambda c: c.orders.book("o", {"p": 0}), r"ids\['p'\] must be a quantity >= 1"),
        (lambda c: c.orders.start("o", {"p": []}), r"ids\['p'\] must be a quantity"),
        (lambda c: c.orders.revert("o", "new"), "status must be one of concept"),
        (lambda c: c.orders.search(" "), "search needs a non-empty term"),
        (
            lambda c: c.products.availability("p", from_=1, till="2030-01-01"),
            "from_ must be a datetime",
        ),
        (
            lambda c: c.products.availability("p", from_="a", till="b", interval="year"),
            "interval must be one of",
        ),
        (lambda c: c.tags.add("vip"), "tag exactly one record"),
        (lambda c: c.tags.add("", order_id="o"), "a tag needs a non-empty name"),
        (lambda c: c.tags.remove("x", order_id="o", customer_id="c"), "tag exactly one record"),
    ],
)
async def test_bad_arguments_fail_before_any_io(
    client: BooqableV1Client, fake: FakeBooqable, call: Any, fragment: str
) -> None:
    before = len(fake.requests)
    with pytest.raises(errors.UsageError, match=fragment):
        await call(client)
    assert len(fake.requests) == before


async def test_the_client_takes_the_v1_options(fake: FakeBooqable) -> None:
    with pytest.raises(TypeError, match="unexpected keyword argument"):
        BooqableV1Client(base_url=fake.v1_base_url, api_key="k", token="t")  # type: ignore[call-arg]
    client = fake.v1_client()
    assert repr(client) == "BooqableV1Client(base_url='https://demo.booqable.com/api/1/')"
    assert client.base_url == "https://demo.booqable.com/api/1/"
    fast = client.with_options(timeout=2.0)
    assert fast.session.timeout.total == 2.0
    async with client:
        assert not client.closed
        assert (await fast.customers.list()).total == 30
    assert client.closed


def test_environment_variables_as_for_v4(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOOQABLE_API_KEY", "env-key-0123")
    monkeypatch.setenv("BOOQABLE_COMPANY", "acme")
    monkeypatch.delenv("BOOQABLE_V1_BASE_URL", raising=False)
    client = BooqableV1Client()
    assert client.base_url == "https://acme.booqable.com/api/1/"
    assert repr(client.session.settings.auth) == "QueryKeyAuth(api_key=REDACTED)"
    monkeypatch.setenv("BOOQABLE_V1_BASE_URL", "http://127.0.0.1:9/api/1")
    assert BooqableV1Client().base_url == "http://127.0.0.1:9/api/1/"
    monkeypatch.delenv("BOOQABLE_API_KEY")
    with pytest.raises(
        errors.UsageError, match=r"pass api_key='...' or auth=..., or set BOOQABLE_API_KEY"
    ):
        BooqableV1Client(company="acme")
