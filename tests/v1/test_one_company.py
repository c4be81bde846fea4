"""One company, two APIs: what v1 writes, v4 reads (and the other way), webhooks included."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from booqable_async import errors
from booqable_async.clock import Clock
from booqable_async.testing import FakeBooqable
from booqable_async.v1 import BooqableV1Client
from tests.v1.conftest import no_sleep

HOOK = "https://hooks.example/booqable/secret"


class Sink:
    """An ASGI app that accepts every delivery."""

    def __init__(self) -> None:
        self.paths: list[str] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await receive()
        await receive()
        self.paths.append(scope["path"])
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})


async def test_a_v1_record_is_a_v4_record_and_back(
    fake: FakeBooqable, client: BooqableV1Client
) -> None:
    created = await client.customers.create(name="Both Ways", email="both@example.com")
    async with fake.client() as v4:
        seen = await v4.customers.get(created.id)
        assert (seen.name, seen.email, seen.number) == (
            "Both Ways",
            "both@example.com",
            created.number,
        )
        await v4.customers.update(created.id, name="Changed in v4")
        made_in_v4 = await v4.customers.create(name="Made in v4")
    assert (await client.customers.get(created.id)).name == "Changed in v4"
    assert (await client.customers.get(made_in_v4.id)).number == made_in_v4.number
    order = await client.orders.create(
        customer_id=created.id,
        starts_at=datetime(2031, 5, 1, tzinfo=timezone.utc),
        stops_at=datetime(2031, 5, 2, tzinfo=timezone.utc),
    )
    order = await client.orders.concept(order.id)
    async with fake.client() as v4:
        v4_order = await v4.orders.get(order.id)
    # v1 calls it a concept, v4 a draft: the same status.
    assert (order.status, v4_order.status) == ("concept", "draft")
    assert v4_order.number == order.number


async def test_v1_writes_are_delivered_as_webhooks() -> None:
    fake = FakeBooqable(sleep=no_sleep)
    sink = Sink()
    fake.webhooks.connect("https://hooks.example/", sink)
    fake.add(
        "webhook_endpoints", url=HOOK, events=["customer.created", "customer.updated"], version="4"
    )
    async with fake.v1_client(clock=Clock(sleep=no_sleep)) as client:
        customer = await client.customers.create(name="Hooked")
        await client.customers.update(customer.id, email="hooked@example.com")
    await fake.webhooks.flush()
    assert [d.event for d in fake.deliveries] == ["customer.created", "customer.updated"]
    assert fake.deliveries[0].json()["data"]["id"] == customer.id
    assert sink.paths == ["/booqable/secret", "/booqable/secret"]


async def test_a_failed_v1_write_changes_nothing(
    fake: FakeBooqable, client: BooqableV1Client
) -> None:
    before = fake.count("customers")
    customer = (await client.customers.list()).data[0]
    with pytest.raises(errors.UnprocessableEntity, match="Tax region must exist"):
        await client.customers.update(
            customer.id, tax_region_id="f0000000-0000-4000-8000-000000000000"
        )
    assert fake.count("customers") == before
    assert (await client.customers.get(customer.id)).tax_region_id is None
