"""FakeBooqable delivers webhooks for the changes it sees."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from booqable_async import BooqableClient
from booqable_async.errors import UnprocessableEntity, UsageError
from booqable_async.testing import FakeBooqable
from booqable_async.testing._webhooks import events_for

HOOK = "https://hooks.example/booqable/secret"


class Sink:
    """An ASGI app that records what it is sent and answers with a scripted status."""

    def __init__(self, statuses: list[int] | None = None) -> None:
        self.bodies: list[tuple[str, bytes, dict[bytes, bytes]]] = []
        self.statuses = statuses or []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        message = await receive()
        self.bodies.append((scope["path"], message["body"], dict(scope["headers"])))
        assert (await receive())["type"] == "http.disconnect"
        status = self.statuses.pop(0) if self.statuses else 204
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": b""})


async def _no_wait(seconds: float) -> None:
    await asyncio.sleep(0)


pytestmark = pytest.mark.booqable_fake(sleep=_no_wait)


@pytest.fixture
def fake(booqable_fake: FakeBooqable) -> FakeBooqable:
    return booqable_fake


@pytest.fixture
def sink(fake: FakeBooqable) -> Sink:
    sink = Sink()
    fake.webhooks.connect("https://hooks.example/", sink)
    return sink


@pytest.fixture
def client(booqable_client: BooqableClient) -> BooqableClient:
    return booqable_client


def subscribe(fake: FakeBooqable, *events: str, version: str = "4", url: str = HOOK) -> None:
    fake.add("webhook_endpoints", url=url, events=list(events), version=version)


async def test_api_writes_are_delivered_as_v4_payloads(fake, sink, client):
    subscribe(fake, "customer.created", "customer.updated", "customer.archived")
    customer = await client.customers.create(name="Jane")
    await client.customers.update(customer.id, email="jane@example.com")
    await client.customers.delete(customer.id)
    await fake.webhooks.flush()
    events = [d.event for d in fake.deliveries]
    assert events == ["customer.created", "customer.updated", "customer.archived"]
    first = fake.deliveries[0]
    payload = first.json()
    assert set(payload) == {"id", "created_at", "event", "resource_type", "data"}
    assert (payload["resource_type"], payload["data"]["id"]) == ("customers", customer.id)
    assert "tax_region" in payload["data"]  # the relations Booqable nests
    assert first.status == 204
    path, _, headers = sink.bodies[0]
    assert path == "/booqable/secret"
    assert headers[b"content-type"] == b"application/json"


async def test_nothing_is_built_without_subscriptions(fake, client):
    await client.customers.create(name="Jane")
    await fake.webhooks.flush()
    assert fake.deliveries == []
    assert fake.count("webhooks") == 0


async def test_only_subscribed_events_are_sent(fake, sink, client):
    subscribe(fake, "customer.updated")
    customer = await client.customers.create(name="Jane")
    await fake.webhooks.flush()
    assert fake.deliveries == []
    await client.customers.update(customer.id, name="Janet")
    await fake.webhooks.flush()
    assert [d.event for d in fake.deliveries] == ["customer.updated"]


async def test_every_subscribed_endpoint_gets_its_own_delivery(fake, sink, client):
    subscribe(fake, "customer.created")
    subscribe(fake, "customer.created", url="https://hooks.example/other")
    await client.customers.create(name="Jane")
    await fake.webhooks.flush()
    assert sorted(d.url for d in fake.deliveries) == [HOOK, "https://hooks.example/other"]
    assert len({d.id for d in fake.deliveries}) == 2


async def test_get_webhooks_reads_a_delivery_back(fake, sink, client):
    subscribe(fake, "customer.created")
    customer = await client.customers.create(name="Jane")
    await fake.webhooks.flush()
    (delivery,) = fake.deliveries
    stored = await client.webhooks.get(delivery.id)
    assert (stored.event, stored.resource_type, stored.version) == (
        "customer.created",
        "customers",
        4,
    )
    assert stored.data["id"] == customer.id


async def test_v1_payloads_are_form_encoded(fake, sink, client):
    subscribe(fake, "product_group.created", version="1")
    group = await client.product_groups.create(name="Tent")
    await fake.webhooks.flush()
    (delivery,) = fake.deliveries
    assert delivery.content_type == "application/x-www-form-urlencoded"
    fields = delivery.json()
    assert (fields["object"], fields["event"], fields["data"]["id"]) == (
        "ProductGroup",
        "product_group.created",
        group.id,
    )


async def test_failed_writes_deliver_nothing(fake, sink, client):
    subscribe(fake, "order.updated", "order.saved_as_draft", "order.reserved")
    with pytest.raises(UnprocessableEntity):
        await client.orders.create(status="started")  # refused: rolled back
    await fake.webhooks.flush()
    assert fake.deliveries == []


async def test_one_delivery_per_record_per_write(fake, sink, client):
    """A write that changes a record several times inside one transaction fires once."""
    subscribe(fake, "order.updated", "order.saved_as_draft")
    await client.orders.create(status="draft")
    await fake.webhooks.flush()
    assert [d.event for d in fake.deliveries] == ["order.saved_as_draft"]


@pytest.mark.parametrize(
    ("changes", "event"),
    [
        ({"status": "reserved"}, "order.reserved"),
        ({"status": "started"}, "order.started"),
        ({"status": "canceled"}, "order.canceled"),
        ({"status": "archived"}, "order.archived"),
        ({"status": "concept"}, "order.saved_as_concept"),
        ({"item_count": 3}, "order.updated"),
    ],
)
def test_order_events(changes, event):
    before = {"id": "o", "status": "draft", "item_count": 0}
    assert events_for("orders", before, {**before, **changes}) == [event]


def test_mapping_corner_cases():
    draft = {"id": "o", "status": "draft", "updated_at": "1"}
    assert events_for("orders", {**draft, "status": "started"}, draft) == ["order.reverted"]
    assert events_for("orders", draft, {**draft, "updated_at": "2"}) == []
    assert events_for("orders", None, {"id": "o", "status": "new"}) == ["order.updated"]
    assert events_for("orders", draft, None) == []  # no deletion events
    invoice = {"id": "d", "document_type": "invoice", "finalized": False, "archived": False}
    assert events_for("documents", None, invoice) == ["invoice.created"]
    assert events_for("documents", invoice, {**invoice, "finalized": True}) == ["invoice.finalized"]
    assert events_for("documents", invoice, {**invoice, "archived": True}) == ["invoice.archived"]
    quote = {**invoice, "document_type": "quote", "signed": False}
    assert events_for("documents", quote, {**quote, "signed": True}) == ["quote.signed"]
    assert events_for("documents", None, {**invoice, "document_type": "receipt"}) == []
    product = {"id": "p", "name": "a"}
    assert events_for("products", None, product) == ["product.created"]
    assert events_for("products", product, {**product, "name": "b"}) == []  # no such event
    assert events_for("lines", None, {"id": "l"}) == []
    assert events_for("companies", {"id": "c", "name": "a"}, {"id": "c", "name": "b"}) == [
        "company.updated"
    ]


async def test_test_helpers_deliver_too(fake, sink):
    subscribe(fake, "customer.created", "customer.updated")
    customer = fake.add("customers", name="Jane")  # no event loop needed to record it
    fake.update("customers", customer["id"], name="Janet")
    fake.remove("customers", customer["id"])
    await fake.webhooks.flush()
    assert [d.event for d in fake.deliveries] == ["customer.created", "customer.updated"]


def test_changes_outside_an_event_loop_wait_for_flush(fake, sink):
    subscribe(fake, "customer.created")
    fake.add("customers", name="Jane")
    assert fake.deliveries == []
    asyncio.run(fake.webhooks.flush())
    assert [d.status for d in fake.deliveries] == [204]


async def test_manual_mode_and_emit(fake, sink):
    fake.webhooks.auto = False
    subscribe(fake, "cart.completed_checkout")
    order = fake.add("orders")
    fake.webhooks.emit("orders", order, ["cart.completed_checkout"])
    await asyncio.sleep(0)
    assert fake.deliveries == []
    await fake.webhooks.flush()
    assert [d.event for d in fake.deliveries] == ["cart.completed_checkout"]


async def test_failed_deliveries_are_retried(fake, client):
    sink = Sink([500, 503])
    fake.webhooks.connect("https://hooks.example/", sink)
    subscribe(fake, "customer.created")
    await client.customers.create(name="Jane")
    await fake.webhooks.flush()
    assert [(d.attempt, d.status) for d in fake.deliveries] == [(1, 500), (2, 503), (3, 204)]
    assert len({d.id for d in fake.deliveries}) == 1


async def test_unreachable_endpoints_are_recorded_as_status_0(fake, client):
    fake.webhooks.retries = 0
    fake.webhooks.timeout = 2
    subscribe(fake, "customer.created", url="http://127.0.0.1:9/unreachable")
    await client.customers.create(name="Jane")
    await fake.webhooks.flush()
    assert [(d.status, d.attempt) for d in fake.deliveries] == [(0, 1)]


async def test_scheduled_faults(fake, sink, client):
    fake.webhooks.auto = False
    subscribe(fake, "customer.created")
    for kind in ("duplicate", "drop", "reorder", "delay"):
        fake.webhooks.fail_next(kind)
    for n in range(5):
        await client.customers.create(name=f"c{n}")
    await fake.webhooks.flush()
    faults = [d.fault for d in fake.deliveries]
    assert faults.count("duplicate") == 2  # the same delivery twice
    assert faults.count("drop") == 1
    assert "reorder" in faults
    assert "delay" in faults
    sent = [d.id for d in fake.deliveries if d.status]
    assert len(sent) == 5  # 5 customers, one dropped, one duplicated
    # The delayed and reordered ones arrived after deliveries made later.
    order = [d.id for d in fake.deliveries if d.status]
    assert order[-1] == next(d.id for d in fake.deliveries if d.fault == "delay")


async def test_random_faults_are_seeded(sink):
    def run() -> list[str | None]:
        fake = FakeBooqable(seed=3, sleep=_no_wait)
        fake.webhooks.connect("https://hooks.example/", Sink())
        fake.webhooks.auto = False
        fake.webhooks.faults(duplicate=0.3, drop=0.2, delay=0.01)
        subscribe(fake, "customer.created")
        for n in range(20):
            fake.add("customers", name=f"c{n}")
        asyncio.run(fake.webhooks.flush())
        return [d.fault for d in fake.deliveries]

    first = await asyncio.to_thread(run)
    assert first == await asyncio.to_thread(run)
    assert {"duplicate", "drop"} <= set(first)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda w: w.faults(explode=0.5), "unknown delivery fault"),
        (lambda w: w.faults(drop=2), "within 0..1"),
        (lambda w: w.fail_next("explode"), "unknown delivery fault"),
        (lambda w: w.fail_next("drop", times=0), "times"),
        (lambda w: w.connect("", None), "url_prefix"),
    ],
)
def test_fault_settings(fake, call, message):
    with pytest.raises(UsageError, match=message):
        call(fake.webhooks)


async def test_stored_deliveries_are_bounded(sink):
    fake = FakeBooqable()
    fake.webhooks.keep = 3  # how many a long-running fake keeps readable
    fake.webhooks.connect("https://hooks.example/", sink)
    subscribe(fake, "customer.created")
    for n in range(5):
        fake.add("customers", name=f"c{n}")
    await fake.webhooks.flush()
    assert fake.count("webhooks") == 3
    assert "5 attempts" in repr(fake.webhooks)
