"""mypy --strict must accept this file (``make types`` checks it): what facades return.

Never run; it only has to type-check.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

from typing_extensions import assert_type

import booqable_async
from booqable_async import BooqableClient, Query, RetryPolicy, is_loaded
from booqable_async.clock import Clock
from booqable_async.errors import PaginationError
from booqable_async.jsonapi import Document, GenericResource, Resource
from booqable_async.models import (
    BookProduct,
    Bundle,
    Company,
    Customer,
    CustomerCreate,
    Line,
    Order,
    OrderDeliveryRate,
    OrderFulfillment,
    OrderStatusTransition,
    PaymentAuthorization,
    PaymentCharge,
    PaymentRefund,
    Product,
    ProductGroup,
    StockItem,
)
from booqable_async.pagination import ChangeFeed, Page, Paginator, ResumePoint
from booqable_async.resources import OrdersFacade, TaxRatesFacade
from booqable_async.resources._booking import Booking
from booqable_async.transport import Timeout
from booqable_async.v1 import BooqableV1Client, V1Record
from booqable_async.webhooks import WebhookEvent


async def reads(client: BooqableClient) -> None:
    assert_type(client.orders, OrdersFacade)
    assert_type(client.orders.list(Query().where(status="reserved")), Paginator[Order])
    page = await client.orders.list()
    assert_type(page, Page[Order])
    async for order in client.orders.list(concurrency=2, dedupe=True):
        assert_type(order, Order)
        assert_type(order.starts_at, datetime | None)
        assert_type(order.number, int | None)
        # Records read from the server always have an id: it needs no narrowing.
        assert_type(order.id, str)
        await client.orders.get(order.id)
        # Relationships are plain: a record or None (to-one), a list (to-many). One the
        # document did not carry raises NotLoadedError; there is no sentinel to narrow.
        assert_type(order.customer, Customer | None)
        assert_type(order.lines, list[Line])
        if order.customer is not None:
            assert_type(order.customer.name, str | None)
        if is_loaded(order, "lines"):
            assert_type(order.lines[0].title, str | None)
        assert_type(order.properties, dict[str, Any] | None)
        assert_type(order.to_dict(), dict[str, Any])
    fetched = await client.orders.get("id", include=["customer", "lines.item"])
    assert_type(fetched, Order)
    assert_type(await client.orders.new(), Order)
    assert_type(await client.orders.search(Query()).collect(), list[Order])
    item = await client.items.get("id")
    assert_type(item, ProductGroup | Product | Bundle)
    payments = await client.payments.list().collect()
    assert_type(payments, list[PaymentCharge | PaymentAuthorization | PaymentRefund])
    assert_type(await client.companies.current(), Company)
    assert_type(client.resource("tax_rates"), TaxRatesFacade)
    assert_type(await client.order_delivery_rates.list(), Page[OrderDeliveryRate | GenericResource])
    assert_type(await client.request("GET", "orders"), Document)
    assert_type(booqable_async.decode(b"{}"), Document)


async def writes(client: BooqableClient, order: Order) -> None:
    created = await client.customers.create(name="Jane", email="jane@example.com")
    assert_type(created, Customer)
    values: CustomerCreate = {"name": "Joe", "tag_list": ["vip"]}
    assert_type(await client.customers.create(**values), Customer)
    assert_type(await client.customers.update("id", email=None), Customer)
    assert_type(await client.orders.update(order, starts_at=datetime.now()), Order)
    assert_type(await client.customers.delete("id"), Customer | None)
    assert_type(await client.stock_items.create(from_=datetime.now()), StockItem)
    booking = await client.orders.book(
        {"product-id": 2}, customer_id="c", starts_at=datetime.now(), confirm_shortage=True
    )
    assert_type(booking, Booking)
    assert_type(booking.order, Order)
    assert_type(await client.orders.book([BookProduct(product_id="p", quantity=1)]), Booking)
    fulfillment = await client.order_fulfillments.book_product(order, "product-id", 1)
    assert_type(fulfillment, OrderFulfillment)
    transition = await client.order_status_transitions.reserve(order, confirm_shortage=True)
    assert_type(transition, OrderStatusTransition)
    assert_type(await client.format_cents(1250), str)
    # Records built locally (write payloads) type-check the same way; relationships are
    # assigned after construction.
    draft = Order(starts_at=datetime.now(), tag_list=["vip"])
    draft.customer = created
    draft.lines = []
    assert_type(draft.starts_at, datetime | None)


async def incremental(client: BooqableClient, mark: datetime) -> None:
    feed = client.orders.changes_since(mark, Query().include("customer"), overlap=timedelta(0))
    assert_type(feed, ChangeFeed[Order])
    async for changed in feed:
        assert_type(changed, Order)
    assert_type(feed.high_water_mark, datetime)
    assert_type(await client.customers.changes_since(mark).collect(), list[Customer])
    try:
        await client.orders.list().collect()
    except PaginationError as err:
        # Always present (never Optional): persisting it needs no narrowing.
        assert_type(err.resume_point, ResumePoint)
        assert_type(err.resume_point.to_dict(), dict[str, Any])


async def options(client: BooqableClient) -> None:
    fast = client.with_options(timeout=2.0, retry=RetryPolicy.never())
    assert_type(fast, BooqableClient)
    assert_type(await fast.orders.get("id"), Order)
    assert_type(client.with_options(timeout=Timeout(total=5.0), logger=None), BooqableClient)
    async with BooqableClient(
        company="acme", token="t", max_concurrency=4, clock=Clock(sleep=asyncio.sleep)
    ) as other:
        assert_type(other, BooqableClient)


async def refetch(event: WebhookEvent, client: BooqableClient, legacy: BooqableV1Client) -> None:
    # The client chosen says what comes back: a v4 record, or a v1 one.
    assert_type(event.data, Resource | V1Record | None)
    assert_type(await event.refetch(client, include=["customer"]), Resource)
    assert_type(await event.refetch(legacy), V1Record)
