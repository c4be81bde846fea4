"""client.webhook_endpoints.subscribe()/unsubscribe(): one endpoint per URL."""

from __future__ import annotations

import pytest

from booqable_async import BooqableClient
from booqable_async.errors import UsageError
from booqable_async.testing import FakeBooqable

URL = "https://hooks.example/booqable/s3cr3t-0123456789abcdef"


@pytest.fixture
def fake(booqable_fake: FakeBooqable) -> FakeBooqable:
    return booqable_fake


@pytest.fixture
def client(booqable_client: BooqableClient) -> BooqableClient:
    return booqable_client


async def test_subscribe_creates_then_updates_the_same_endpoint(fake, client):
    first = await client.webhook_endpoints.subscribe(URL, events=["order.reserved"])
    assert (first.url, first.events, str(first.version)) == (URL, ["order.reserved"], "4")
    second = await client.webhook_endpoints.subscribe(
        URL, events=["customer.created", "order.reserved"], version=1
    )
    assert second.id == first.id
    assert (second.events, str(second.version)) == (["customer.created", "order.reserved"], "1")
    assert fake.count("webhook_endpoints") == 1


async def test_subscribing_again_sends_no_write(fake, client):
    await client.webhook_endpoints.subscribe(URL, events=["order.reserved", "order.started"])
    before = len(fake.requests)
    again = await client.webhook_endpoints.subscribe(
        URL, events=("order.started", "order.reserved", "order.started")
    )
    assert again.events == ["order.reserved", "order.started"]
    assert [r.method for r in list(fake.requests)[before:]] == ["GET"]


async def test_extra_endpoints_with_the_url_are_removed(fake, client):
    for events in (["order.reserved"], ["order.started"]):
        fake.add("webhook_endpoints", url=URL, events=events, version="4")
    fake.add("webhook_endpoints", url="https://other.example/x", events=["order.reserved"])
    kept = await client.webhook_endpoints.subscribe(URL, events=["order.canceled"])
    urls = sorted(e["url"] for e in fake.all("webhook_endpoints"))
    assert urls == sorted(["https://other.example/x", URL])
    assert kept.events == ["order.canceled"]


async def test_the_url_never_travels_in_a_query_string(fake, client):
    await client.webhook_endpoints.subscribe(URL, events=["order.reserved"])
    assert all("s3cr3t" not in r.query for r in fake.requests)


async def test_unsubscribe(fake, client):
    assert await client.webhook_endpoints.unsubscribe(URL) == 0
    await client.webhook_endpoints.subscribe(URL, events=["order.reserved"])
    fake.add("webhook_endpoints", url=URL, events=["order.started"], version="4")
    assert await client.webhook_endpoints.unsubscribe(URL) == 2
    assert fake.count("webhook_endpoints") == 0


@pytest.mark.parametrize(
    ("url", "options", "message"),
    [
        ("ftp://x/y", {"events": ["order.reserved"]}, "http"),
        ("https:///nohost", {"events": ["order.reserved"]}, "host"),
        (URL, {"events": []}, "one or more"),
        (URL, {"events": ["order.teleported"]}, "unknown webhook event"),
        (URL, {"events": ["order.reserved"], "version": 2}, "version"),
        (URL, {"events": ["order.reserved"], "version": True}, "version"),
    ],
)
async def test_bad_arguments_fail_before_any_request(fake, client, url, options, message):
    with pytest.raises(UsageError, match=message):
        await client.webhook_endpoints.subscribe(url, **options)
    assert len(fake.requests) == 0


async def test_unsubscribe_checks_the_url(client):
    with pytest.raises(UsageError, match="http"):
        await client.webhook_endpoints.unsubscribe("not a url")


async def test_a_single_event_name_is_accepted(client):
    endpoint = await client.webhook_endpoints.subscribe(URL, events="order.reserved")
    assert endpoint.events == ["order.reserved"]
