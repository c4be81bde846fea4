"""High-assurance mode: deliveries read back with GET /webhooks/{id} before handling."""

from __future__ import annotations

import logging

from booqable_async.webhooks import WebhookReceiver, verify_delivery
from tests.webhooks.asgi import call
from tests.webhooks.conftest import SECRET, Recorder, body


async def _genuine(fake, client, receiver):
    """Subscribe, make a customer, and return the delivery the fake sent."""
    fake.webhooks.connect("https://hooks.example/", receiver)
    await client.webhook_endpoints.subscribe(
        f"https://hooks.example/b/{SECRET}", events=["customer.created"]
    )
    await client.customers.create(name="Jane")
    await fake.webhooks.flush()
    (delivery,) = fake.deliveries
    return delivery


async def test_confirmed_deliveries_are_handled(fake, client):
    recorder = Recorder()
    async with WebhookReceiver(recorder, secret=SECRET, verify_with=client) as rx:
        delivery = await _genuine(fake, client, rx)
        await rx.drain()
    assert [e.id for e in recorder.events] == [delivery.id]
    assert rx.stats.unverified == 0


async def test_forged_deliveries_are_dropped(fake, client, caplog):
    recorder = Recorder()
    async with WebhookReceiver(recorder, secret=SECRET, verify_with=client) as rx:
        delivery = await _genuine(fake, client, rx)
        await rx.drain()
        genuine = delivery.json()
        forgeries = [
            body(id="not-a-delivery-booqable-knows"),  # unknown id
            body(**{**genuine, "event": "customer.updated"}),  # another event
            body(**{**genuine, "resource_type": "orders", "event": "order.updated"}),
            body(**{**genuine, "data": {**genuine["data"], "id": "someone-else"}}),
        ]
        for n, forged in enumerate(forgeries):
            # A fresh id where needed, so de-duplication does not hide the check.
            answer = await call(rx, chunks=[forged], path=f"/b/{SECRET}")
            assert answer.status in (200,), n
        await rx.drain()
    assert [e.id for e in recorder.events] == [delivery.id]
    assert rx.stats.unverified >= 1
    assert "not handled" in caplog.text


async def test_each_mismatch_is_named(fake, client):
    recorder = Recorder()
    async with WebhookReceiver(recorder, secret=SECRET) as rx:
        delivery = await _genuine(fake, client, rx)
        await rx.drain()
    (event,) = recorder.events
    assert await verify_delivery(client, event) is None
    import attrs

    other_event = attrs.evolve(event, event=type(event.event)("customer.updated"))
    assert "customer.updated" in (await verify_delivery(client, other_event) or "")
    other_type = attrs.evolve(event, resource_type="orders")
    assert "orders" in (await verify_delivery(client, other_type) or "")
    unknown = attrs.evolve(event, id="missing")
    assert "knows no delivery" in (await verify_delivery(client, unknown) or "")
    assert delivery.id == event.id


async def test_unreadable_deliveries_fail_closed(fake, client, caplog):
    recorder = Recorder()
    async with WebhookReceiver(recorder, secret=SECRET) as rx:
        await _genuine(fake, client, rx)
        await rx.drain()
    (event,) = recorder.events
    fake.revoke_token(fake.token)  # 401: the client does not retry it
    problem = await verify_delivery(lambda company: client, event)
    assert problem is not None
    assert "failing closed" in problem
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_v1_deliveries_wrapped_in_a_root_key_are_compared(fake, client):
    from booqable_async.webhooks import parse_event

    stored = fake.add(
        "webhooks",
        event="customer.created",
        version=1,
        resource_type="customers",
        data={"customer": {"id": "c1", "name": "Jo"}},
    )
    form = (
        f"id={stored['id']}&created_at=2020-01-01T00:00:00Z&event=customer.created"
        "&object=Customer&data[customer][id]=c1"
    )
    event = parse_event(form, "application/x-www-form-urlencoded")
    assert await verify_delivery(client, event) is None
