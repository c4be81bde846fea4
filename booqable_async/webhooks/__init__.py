"""Booqable webhooks: typed events, a receiver that forged or repeated deliveries cannot fool.

Example::

    from booqable_async.webhooks import WebhookEvent, WebhookReceiver

    async def on_event(event: WebhookEvent) -> None:
        if event.event == "order.reserved":
            order = await event.refetch(client)    # the payload is only a hint
            ...

    receiver = WebhookReceiver(on_event, secret=SECRET)   # an ASGI application
    # or: web.run_app(receiver.aiohttp_app())

Register ``https://your.host/booqable/<SECRET>`` with
``await client.webhook_endpoints.subscribe(url, events=[...])``. See docs/webhooks.md for
the security model and recipes. ``RedisDedupeStore`` needs the ``workers`` extra.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from booqable_async.webhooks._debounce import Batch, Debouncer, company_and_resource
from booqable_async.webhooks._dedupe import DedupeStore, MemoryDedupeStore
from booqable_async.webhooks._event import WebhookDecodeError, WebhookEvent, parse_event
from booqable_async.webhooks._events import EVENT_NAMES, EventName, resource_type_of
from booqable_async.webhooks._receiver import Handler, ReceiverStats, Reply, WebhookReceiver
from booqable_async.webhooks._verify import ClientSource, verify_delivery

if TYPE_CHECKING:
    from booqable_async.webhooks._redis import RedisDedupeStore

__all__ = [
    "EVENT_NAMES",
    "Batch",
    "ClientSource",
    "Debouncer",
    "DedupeStore",
    "EventName",
    "Handler",
    "MemoryDedupeStore",
    "ReceiverStats",
    "RedisDedupeStore",
    "Reply",
    "WebhookDecodeError",
    "WebhookEvent",
    "WebhookReceiver",
    "company_and_resource",
    "parse_event",
    "resource_type_of",
    "verify_delivery",
]


def __getattr__(name: str) -> Any:
    # The Redis store's module is light, but keep the optional extra out of sight until
    # someone asks for it.
    if name == "RedisDedupeStore":
        from booqable_async.webhooks._redis import RedisDedupeStore

        return RedisDedupeStore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
