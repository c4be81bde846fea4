from __future__ import annotations

import asyncio
import logging

import pytest

from booqable_async.errors import UsageError
from booqable_async.webhooks import (
    MemoryDedupeStore,
    ReceiverStats,
    WebhookEvent,
    WebhookReceiver,
)
from tests.webhooks.asgi import call
from tests.webhooks.conftest import SECRET, Recorder, body, settle


@pytest.fixture(autouse=True)
def _secret_never_logged(leak_guard):
    leak_guard.register(SECRET)


async def test_accepts_and_hands_over_in_the_background(receiver, recorder):
    answer = await call(receiver)
    assert (answer.status, answer.json) == (200, {"status": "accepted"})
    await settle(receiver)
    assert [e.event for e in recorder.events] == ["customer.updated"]
    assert receiver.stats.handled == 1


async def test_answers_before_the_handler_finishes():
    started, release = asyncio.Event(), asyncio.Event()

    async def slow(event: WebhookEvent) -> None:
        started.set()
        await release.wait()

    async with WebhookReceiver(slow, secret=SECRET) as rx:
        answer = await call(rx)
        assert answer.status == 200
        await started.wait()
        assert rx.stats.pending == 1
        release.set()
        await rx.drain()
        assert rx.stats.pending == 0


@pytest.mark.parametrize(
    "path",
    [
        "/booqable/wrong-secret-0123456789abcdef",
        "/booqable/",
        "/booqable",
        f"/booqable/{SECRET}/",
        f"/booqable/{SECRET[:-1]}",
        f"/booqable/{SECRET}x",
        "/booqable/sécret",
        "",
    ],
)
async def test_wrong_or_no_secret_is_404_before_anything_else(receiver, recorder, path):
    answer = await call(receiver, path=path, method="GET", content_type="text/html")
    assert answer.status == 404
    assert answer.chunks_read == 0  # the body is never read
    assert SECRET not in str(answer.json)
    await settle(receiver)
    assert recorder.events == []


@pytest.mark.parametrize(
    ("request_options", "status", "outcome"),
    [
        ({"method": "GET"}, 405, "method_not_allowed"),
        ({"method": "PUT"}, 405, "method_not_allowed"),
        ({"content_type": "text/plain"}, 415, "unsupported_media_type"),
        ({"content_type": None}, 415, "unsupported_media_type"),
        ({"chunks": [b"{not json"]}, 400, "bad_payload"),
        ({"chunks": [b'{"id": "1"}']}, 400, "bad_payload"),
        ({"chunks": [b"[]"]}, 400, "bad_payload"),
        ({"chunks": [body(created_at="never")]}, 400, "bad_payload"),
    ],
)
async def test_broken_deliveries_never_reach_the_handler(
    receiver, recorder, request_options, status, outcome
):
    answer = await call(receiver, **request_options)
    assert (answer.status, answer.json["status"]) == (status, outcome)
    await settle(receiver)
    assert recorder.events == []
    assert receiver.stats.rejected == {status: 1}
    if status == 405:
        assert answer.headers["allow"] == "POST"
    # ...and the receiver still works.
    assert (await call(receiver)).status == 200


async def test_bad_payload_says_where():
    answer = await call(
        WebhookReceiver(Recorder(), secret=SECRET), chunks=[body(created_at="never")]
    )
    assert "/created_at" in answer.json["detail"]


async def test_size_cap_by_content_length_reads_nothing(recorder):
    rx = WebhookReceiver(recorder, secret=SECRET, max_body=1000)
    answer = await call(rx, chunks=[b"x" * 600] * 20)
    assert answer.status == 413
    assert answer.chunks_read == 0


async def test_size_cap_is_enforced_while_reading(recorder):
    rx = WebhookReceiver(recorder, secret=SECRET, max_body=1000)
    answer = await call(rx, chunks=[b"x" * 600] * 20, content_length=None)
    assert answer.status == 413
    assert answer.chunks_read == 2  # stopped as soon as the cap was passed
    lying = await call(rx, chunks=[b"x" * 600] * 20, content_length=10)
    assert (lying.status, lying.chunks_read) == (413, 2)


async def test_ten_megabyte_body_is_413_without_buffering(receiver, recorder):
    chunk = b" " * (64 * 1024)
    answer = await call(receiver, chunks=[chunk] * 160, content_length=None)  # 10 MiB
    assert answer.status == 413
    assert answer.chunks_read <= 17  # a 1 MiB cap: about 16 chunks, never 160
    await settle(receiver)
    assert recorder.events == []


async def test_unknown_events_are_acknowledged_and_dropped(receiver, recorder):
    answer = await call(receiver, chunks=[body(event="customer.teleported")])
    assert (answer.status, answer.json["status"]) == (200, "ignored")
    await settle(receiver)
    assert recorder.events == []
    assert receiver.stats.ignored == 1


async def test_event_selection_and_unknown_opt_in(recorder):
    only = WebhookReceiver(recorder, secret=SECRET, events=["order.reserved"])
    assert (await call(only)).json["status"] == "ignored"
    anything = WebhookReceiver(recorder, secret=SECRET, accept_unknown=True)
    assert (await call(anything, chunks=[body(event="x.y")])).json["status"] == "accepted"
    await settle(anything)
    assert [str(e.event) for e in recorder.events] == ["x.y"]
    await anything.aclose()


async def test_repeated_deliveries_reach_the_handler_once(receiver, recorder):
    answers = [await call(receiver) for _ in range(3)]
    assert [a.json["status"] for a in answers] == ["accepted", "duplicate", "duplicate"]
    await settle(receiver)
    assert len(recorder.events) == 1
    assert receiver.stats.duplicates == 2


async def test_concurrent_repeats_are_claimed_once(receiver, recorder):
    answers = await asyncio.gather(*(call(receiver) for _ in range(20)))
    assert sorted(a.json["status"] for a in answers).count("accepted") == 1
    await settle(receiver)
    assert len(recorder.events) == 1


async def test_handler_errors_are_logged_with_the_delivery_id(caplog):
    calls = []

    async def broken(event: WebhookEvent) -> None:
        calls.append(event.id)
        if len(calls) == 1:
            raise RuntimeError("boom")

    async with WebhookReceiver(broken, secret=SECRET) as rx:
        await call(rx)
        await call(rx, chunks=[body(id="second")])
        await rx.drain()
    assert calls == ["0f6a4a7e-8a52-4c0b-9d43-6d3f5b1c2e11", "second"]
    failures = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(failures) == 1
    assert "0f6a4a7e-8a52-4c0b-9d43-6d3f5b1c2e11" in failures[0].getMessage()
    assert rx.stats.failed == 1
    assert rx.stats.handled == 1


async def test_full_queue_answers_503_and_forgets_the_claim():
    release = asyncio.Event()
    seen: list[str] = []

    async def slow(event: WebhookEvent) -> None:
        seen.append(event.id)
        await release.wait()

    async with WebhookReceiver(slow, secret=SECRET, concurrency=1, max_pending=2) as rx:
        assert (await call(rx, chunks=[body(id="a")])).status == 200
        assert (await call(rx, chunks=[body(id="b")])).status == 200
        busy = await call(rx, chunks=[body(id="c")])
        assert (busy.status, busy.headers["retry-after"]) == (503, "1")
        release.set()
        await rx.drain()
        # The sender tries again: the claim was released, so it is accepted now.
        assert (await call(rx, chunks=[body(id="c")])).status == 200
        await rx.drain()
    assert seen == ["a", "b", "c"]
    assert rx.stats.peak_pending == 2


async def test_aclose_drains_then_refuses():
    handled = []

    async def slowish(event: WebhookEvent) -> None:
        await asyncio.sleep(0.01)
        handled.append(event.id)

    rx = WebhookReceiver(slowish, secret=SECRET, concurrency=2)
    for n in range(10):
        await call(rx, chunks=[body(id=f"d{n}")])
    await rx.aclose()
    assert len(handled) == 10
    assert (await call(rx, chunks=[body(id="late")])).status == 503
    await rx.aclose()  # closing twice is harmless


async def test_aclose_timeout_abandons_with_a_warning(caplog):
    async def stuck(event: WebhookEvent) -> None:
        await asyncio.Event().wait()

    rx = WebhookReceiver(stuck, secret=SECRET)
    await call(rx)
    await rx.aclose(timeout=0.01)
    assert any("1 deliveries not handled" in r.getMessage() for r in caplog.records)


async def test_lifespan_starts_and_drains(recorder):
    rx = WebhookReceiver(recorder, secret=SECRET)
    messages = iter([{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}])
    sent = []

    async def receive():
        return next(messages)

    async def send(message):
        sent.append(message["type"])
        if message["type"] == "lifespan.startup.complete":
            await call(rx)

    await rx({"type": "lifespan"}, receive, send)
    assert sent == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    assert len(recorder.events) == 1


async def test_websocket_scope_is_refused(receiver):
    with pytest.raises(UsageError, match="serves HTTP"):
        await receiver({"type": "websocket"}, None, None)


async def test_several_companies(recorder):
    secrets = {"acme": "acme-secret-0123456789abcdef", "beta": "beta-secret-0123456789abcdef"}
    async with WebhookReceiver(recorder, secret=secrets) as rx:
        assert (await call(rx, path="/hooks/acme/acme-secret-0123456789abcdef")).status == 200
        assert (await call(rx, path="/hooks/beta/acme-secret-0123456789abcdef")).status == 404
        assert (await call(rx, path="/hooks/gamma/acme-secret-0123456789abcdef")).status == 404
        assert (await call(rx, path="acme-secret-0123456789abcdef")).status == 404
        # The same delivery id for two companies is two deliveries.
        assert (await call(rx, path="/hooks/beta/beta-secret-0123456789abcdef")).status == 200
        await rx.drain()
    assert [e.company for e in recorder.events] == ["acme", "beta"]
    assert "company='acme'" in repr(recorder.events[0])
    assert "2 companies" in repr(rx)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"secret": "short"}, "at least 16"),
        ({"secret": "has a space in it, sadly"}, "URL-safe"),
        ({"secret": 12345678901234567890}, "at least 16"),
        ({"secret": {}}, "names no company"),
        ({"secret": {"a/b": SECRET}}, "company key"),
        ({"secret": SECRET, "events": []}, "one or more"),
        ({"secret": SECRET, "max_body": 0}, "max_body"),
        ({"secret": SECRET, "concurrency": True}, "concurrency"),
    ],
)
def test_bad_settings(options, message):
    with pytest.raises(UsageError, match=message):
        WebhookReceiver(Recorder(), **options)


def test_handler_must_be_callable():
    with pytest.raises(UsageError, match="handler"):
        WebhookReceiver("nope", secret=SECRET)  # type: ignore[arg-type]


def test_new_secret_and_repr():
    secret = WebhookReceiver.new_secret()
    assert len(secret) >= 40
    rx = WebhookReceiver(Recorder(), secret=secret, events="order.reserved")
    assert secret not in repr(rx)
    assert rx.stats == ReceiverStats()


async def test_custom_dedupe_store(recorder):
    store = MemoryDedupeStore(max_entries=1)
    async with WebhookReceiver(recorder, secret=SECRET, dedupe=store) as rx:
        await call(rx, chunks=[body(id="a")])
        await call(rx, chunks=[body(id="b")])  # pushes "a" out of the bounded store
        assert (await call(rx, chunks=[body(id="a")])).json["status"] == "accepted"
        await rx.drain()
    assert len(recorder.events) == 3


async def test_disconnect_mid_body_is_a_bad_payload(receiver, recorder):
    half = body()[:20]
    answer = await call(receiver, chunks=[half, half], content_length=None)
    assert answer.status == 400
    # A client that hangs up after the first chunk: the body ends there.
    rx_messages = [
        {"type": "http.request", "body": half, "more_body": True},
        {"type": "http.disconnect"},
    ]
    sent = []

    async def receive():
        return rx_messages.pop(0)

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": f"/booqable/{SECRET}",
        "headers": [(b"content-type", b"application/json"), (b"content-length", b"many")],
    }
    await receiver(scope, receive, send)
    assert sent[0]["status"] == 400


async def test_lifespan_ignores_other_messages(recorder):
    rx = WebhookReceiver(recorder, secret=SECRET)
    messages = iter([{"type": "lifespan.other"}, {"type": "lifespan.shutdown"}])
    sent = []

    async def receive():
        return next(messages)

    async def send(message):
        sent.append(message["type"])

    await rx({"type": "lifespan"}, receive, send)
    assert sent == ["lifespan.shutdown.complete"]


async def test_aiohttp_handler_in_your_own_application(recorder):
    from aiohttp import web
    from aiohttp.test_utils import TestClient, TestServer

    async with WebhookReceiver(recorder, secret=SECRET) as rx:
        app = web.Application()
        app.router.add_post("/hooks/{secret}", rx.aiohttp_handler)
        async with TestClient(TestServer(app)) as http:
            response = await http.post(
                f"/hooks/{SECRET}", data=body(), headers={"Content-Type": "application/json"}
            )
            assert response.status == 200
            assert (await response.json())["status"] == "accepted"
        await rx.drain()
    assert len(recorder.events) == 1
