"""Version 1 deliveries carry the record as API v1 shows it, whichever API changed it.

The fake posts each v1 delivery to a real receiver (in process); the handler's typed v1
record must equal what ``BooqableV1Client`` reads back right after, for changes made
through the v1 face and through v4 alike.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import attrs
import pytest

from booqable_async import BooqableClient, v1
from booqable_async.jsonapi import GenericResource
from booqable_async.testing import FakeBooqable
from booqable_async.webhooks import WebhookEvent, WebhookReceiver, parse_event
from tests.webhooks.conftest import SECRET, Recorder

HOOKS = "https://hooks.example/"
EVENTS = [
    "customer.created",
    "customer.updated",
    "order.updated",
    "order.saved_as_draft",
    "order.reserved",
    "product_group.created",
    "product_group.updated",
    "product.created",
    "bundle.created",
]


async def _no_wait(seconds: float) -> None:
    await asyncio.sleep(0)


@attrs.define
class Loop:
    """The fake, both clients and a receiver recording what it was handed."""

    fake: FakeBooqable
    v4: BooqableClient
    legacy: v1.BooqableV1Client
    receiver: WebhookReceiver
    recorder: Recorder

    async def events(self) -> list[WebhookEvent]:
        await self.fake.webhooks.flush()
        await self.receiver.drain()
        return self.recorder.events

    async def latest(self, record_id: str) -> WebhookEvent:
        """The last event about ``record_id`` (it must be a version 1 one)."""
        found = [e for e in await self.events() if e.record_id == record_id]
        assert found, f"no delivery about {record_id}"
        assert found[-1].version == 1
        return found[-1]


@pytest.fixture
async def loop() -> AsyncIterator[Loop]:
    fake = FakeBooqable.demo(seed=3, customers=6, orders=8, product_groups=3, sleep=_no_wait)
    recorder = Recorder()
    receiver = WebhookReceiver(recorder, secret=SECRET)
    fake.webhooks.connect(HOOKS, receiver)
    fake.add("webhook_endpoints", url=f"{HOOKS}booqable/{SECRET}", events=EVENTS, version=1)
    async with fake.client() as v4, fake.v1_client() as legacy, receiver:
        yield Loop(fake, v4, legacy, receiver, recorder)


Change = Callable[[Loop], Awaitable[str]]


async def _v1_customer_created(loop: Loop) -> str:
    return (await loop.legacy.customers.create(name="Jane Doe", email="jane@example.com")).id


async def _v4_customer_created(loop: Loop) -> str:
    return (await loop.v4.customers.create(name="Jane Doe", email="jane@example.com")).id


async def _v1_customer_updated(loop: Loop) -> str:
    customer = (await loop.legacy.customers.list(per=1)).data[0]
    await loop.legacy.customers.update(customer.id, email="new@example.com")
    return customer.id


async def _v4_customer_updated(loop: Loop) -> str:
    customer = (await loop.v4.customers.list()).data[0]
    await loop.v4.customers.update(customer.id, email="new@example.com")
    return customer.id


async def _order_with_lines(loop: Loop) -> v1.Order:
    async for order in loop.legacy.orders.list():
        full = await loop.legacy.orders.get(order.id)
        if full.lines and full.plannings:
            return full
    raise AssertionError("the demo company has no order with lines")


async def _v1_order_tagged(loop: Loop) -> str:
    order = await _order_with_lines(loop)
    await loop.legacy.tags.add("rush", order_id=order.id)
    return order.id


async def _v4_order_tagged(loop: Loop) -> str:
    order = await _order_with_lines(loop)
    await loop.v4.orders.update(order.id, tag_list=[*order.tags, "rush"])
    return order.id


async def _v1_order_created(loop: Loop) -> str:
    customer = (await loop.legacy.customers.list(per=1)).data[0]
    order = await loop.legacy.orders.create(customer_id=customer.id)
    await loop.legacy.orders.concept(order.id)
    return order.id


async def _v1_group_updated(loop: Loop) -> str:
    group = await loop.legacy.product_groups.create(name="Tent", lead_time=3600)
    await loop.legacy.product_groups.update(group.id, name="Big tent")
    return group.id


async def _v4_group_updated(loop: Loop) -> str:
    group = await loop.v4.product_groups.create(name="Tent", buffer_time_before=3600)
    await loop.v4.product_groups.update(group.id, name="Big tent")
    return group.id


@pytest.mark.parametrize(
    "change",
    [
        _v1_customer_created,
        _v4_customer_created,
        _v1_customer_updated,
        _v4_customer_updated,
        _v1_order_tagged,
        _v4_order_tagged,
        _v1_order_created,
        _v1_group_updated,
        _v4_group_updated,
    ],
)
async def test_the_delivered_record_is_what_v1_reads_back(loop: Loop, change: Change) -> None:
    record_id = await change(loop)
    event = await loop.latest(record_id)
    readers: dict[str, Callable[[str], Awaitable[Any]]] = {
        "customers": loop.legacy.customers.get,
        "orders": loop.legacy.orders.get,
        "product_groups": loop.legacy.product_groups.get,
    }
    expected = await readers[event.resource_type](record_id)
    assert type(event.data) is type(expected)
    assert event.data == expected
    # Every member, not only the modelled ones (equality leaves ``extra`` out).
    assert isinstance(event.data, v1.V1Record)
    assert event.data.extra == expected.extra
    assert await event.refetch(loop.legacy) == expected


async def test_the_payload_speaks_v1_names(loop: Loop) -> None:
    order_id = await _v1_order_created(loop)
    group_id = await _v4_group_updated(loop)
    await loop.events()
    payloads = {d.record_id: d.json() for d in loop.fake.deliveries}
    order, group = payloads[order_id]["data"], payloads[group_id]["data"]
    assert order["status"] == "concept"  # v4 says draft
    assert "tags" in order
    assert "tag_list" not in order
    assert order["starts_at"] is None or order["starts_at"].endswith("Z")
    assert (group["lead_time"], group["name"]) == (3600, "Big tent")  # v4: buffer_time_before
    assert "buffer_time_before" not in group
    assert "products" in group  # as GET /product_groups/{id} nests them
    # What GET /webhooks/{id} reads back is the same v1 record.
    last = loop.fake.deliveries[-1]
    stored = await loop.v4.webhooks.get(last.id)
    assert (stored.version, stored.data) == (1, last.json()["data"])


async def test_a_new_product_is_the_product_as_its_group_nests_it(loop: Loop) -> None:
    # The v1 base price lands on the group and on the product it creates, in the same
    # write: the delivery shows the product as that write left it.
    group = await loop.legacy.product_groups.create(name="Kayak", base_price_in_cents=2500)
    products = (await loop.legacy.product_groups.get(group.id)).products
    assert products
    for product in products:
        event = await loop.latest(product.id)
        assert event.event == "product.created"
        assert isinstance(event.data, v1.Product)
        assert event.data == product
        assert event.data.base_price_in_cents == 2500


async def test_a_type_v1_has_no_shape_for_stays_generic(loop: Loop) -> None:
    bundle = await loop.v4.bundles.create(name="Camping set")
    event = await loop.latest(bundle.id)
    assert event.resource_type == "bundles"
    assert isinstance(event.data, GenericResource)
    assert event.data.name == "Camping set"


async def test_each_delivery_parses_on_its_own(loop: Loop) -> None:
    """``parse_event`` on the raw bodies gives what the receiver handed over."""
    await _v4_customer_updated(loop)
    await _v1_order_tagged(loop)
    handed = {e.id: e for e in await loop.events()}
    assert handed
    for delivery in loop.fake.deliveries:
        event = parse_event(delivery.body, delivery.content_type)
        assert event == handed[delivery.id]
        assert event.data == handed[delivery.id].data
