"""FakeBooqable delivers webhooks: every committed change, to every subscribed endpoint.

When a record changes in the fake (an API write, or ``fake.add/update/remove``), the change
is mapped to Booqable's event names (below), and for each ``webhook_endpoints`` record
subscribed to the event the fake builds the payload Booqable would send and delivers it:

- version 4: ``POST`` ``application/json`` ``{"id", "created_at", "event", "resource_type",
  "data"}``, ``data`` in the nested ``.json`` shape with the fixed relations Booqable nests
  (webhook endpoints docs);
- version 1: ``POST`` form-encoded ``id``, ``created_at``, ``event``, ``object`` and ``data``
  (one JSON text): the record as the fake's v1 face answers ``GET`` for it (customers,
  orders, product groups; products as their group nests them), v1 names and shapes. A
  type v1 has no shape for (bundles, documents...) goes with its v4 attributes.

Each delivery is also stored as a ``webhooks`` record, so ``GET /webhooks/{id}`` reads it
back. Deliveries go in process to an ASGI application registered with :meth:`connect`
(a :class:`~booqable_async.webhooks.WebhookReceiver` is one), or over HTTP. A non-2xx
answer or a connection failure is retried (``retries`` times). Faults can be injected
with seeded probabilities or for the next N deliveries: ``duplicate`` (sent twice),
``delay`` (sent later, so after others), ``reorder`` (sent after the next one), ``drop``
(never sent, still recorded).

How changes map to events (the fake's reading of the event names):

================  ==========================================================================
created           ``<subject>.created``; orders: ``order.saved_as_draft``/``..._concept``/
                  ``order.reserved`` by status, ``order.updated`` while ``new``
archived          ``archived`` turning true: ``<subject>.archived``
documents         ``finalized``/``revised``/``confirmed``/``signed`` turning true:
                  ``invoice.finalized``, ``quote.signed``...; the subject is the
                  ``document_type`` (invoice, quote, contract)
order status      ``order.reserved``, ``order.started``, ``order.stopped``, ``order.canceled``,
                  ``order.archived``, ``order.saved_as_draft``; back to an earlier status:
                  ``order.reverted``
other changes     ``<subject>.updated`` where Booqable has that event
removed           nothing (Booqable has no ``*.deleted`` event)
================  ==========================================================================
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import uuid
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

import attrs
import msgspec

from booqable_async.errors import UsageError
from booqable_async.schema import get_schema
from booqable_async.testing import _v1_render
from booqable_async.testing._serialize import RenderOptions, nested_document
from booqable_async.testing._store import Record

if TYPE_CHECKING:
    from booqable_async.testing._context import Context

__all__ = ["DELIVERY_FAULTS", "AsgiApp", "Delivery", "WebhookDeliveries", "events_for"]

logger = logging.getLogger("booqable_async.testing")

#: An ASGI 3 application (``await app(scope, receive, send)``).
AsgiApp = Callable[..., Awaitable[None]]
#: Fault kinds a delivery can meet.
DELIVERY_FAULTS = ("duplicate", "delay", "reorder", "drop")

_SUBJECTS = {
    "bundle_items": "bundle_item",
    "bundles": "bundle",
    "companies": "company",
    "customers": "customer",
    "orders": "order",
    "product_groups": "product_group",
    "products": "product",
}
_DOCUMENT_SUBJECTS = frozenset({"invoice", "quote", "contract"})
_DOCUMENT_FLAGS = ("finalized", "revised", "confirmed", "signed")
_ORDER_STATUS_EVENTS = {
    "draft": "order.saved_as_draft",
    "concept": "order.saved_as_concept",
    "reserved": "order.reserved",
    "started": "order.started",
    "stopped": "order.stopped",
    "canceled": "order.canceled",
    "archived": "order.archived",
}
_ORDER_RANK = {"new": 0, "concept": 1, "draft": 1, "reserved": 2, "started": 3, "stopped": 4}
# The relations Booqable nests in a version 4 payload's data (webhook endpoints docs).
_NESTED: dict[str, tuple[str, ...]] = {
    "orders": (
        "barcode",
        "coupon",
        "customer",
        "lines",
        "notes",
        "plannings",
        "properties",
        "start_location",
        "stop_location",
        "tax_values",
    ),
    "customers": ("barcode", "tax_region"),
    "product_groups": ("photo", "price_ruleset", "price_structure", "tax_category"),
    "products": ("barcode",),
    "bundles": ("bundle_items",),
    "documents": ("coupon", "customer", "lines", "order", "tax_values"),
}
# Deeper nesting: a bundle's items come with their product and product group.
_NESTED_BELOW: dict[tuple[str, str], dict[str, Any]] = {
    ("bundles", "bundle_items"): {"product": {}, "product_group": {}}
}


def _known_events() -> frozenset[str]:
    return frozenset(get_schema("webhook_endpoints").attributes["events"].enum or ())


def _order_events(before: Record | None, after: Record) -> list[str]:
    status = after.get("status")
    if before is None:
        return [_ORDER_STATUS_EVENTS.get(str(status), "order.updated")]
    old = before.get("status")
    if status != old:
        if status in _ORDER_RANK and old in _ORDER_RANK and _ORDER_RANK[status] < _ORDER_RANK[old]:
            return ["order.reverted"]
        return [_ORDER_STATUS_EVENTS.get(str(status), "order.updated")]
    return ["order.updated"]


def events_for(type_name: str, before: Record | None, after: Record | None) -> list[str]:
    """Return the event names a committed change fires (see the module docstring).

    Args:
        type_name: The record's type.
        before: The record before the change (None: created).
        after: The record after it (None: removed).

    Returns:
        Event names, possibly none.
    """
    if after is None:
        return []
    if before is not None:
        changed = [k for k, v in after.items() if k != "updated_at" and before.get(k) != v]
        if not changed:
            return []
    if type_name == "orders":
        return _order_events(before, after)
    if type_name == "documents":
        subject = str(after.get("document_type"))
        if subject not in _DOCUMENT_SUBJECTS:
            return []
    elif type_name in _SUBJECTS:
        subject = _SUBJECTS[type_name]
    else:
        return []
    known = _known_events()
    if before is None:
        names = [f"{subject}.created"]
    elif after.get("archived") and not before.get("archived"):
        names = [f"{subject}.archived"]
    else:
        names = [
            f"{subject}.{flag}"
            for flag in _DOCUMENT_FLAGS
            if type_name == "documents" and after.get(flag) and not before.get(flag)
        ] or [f"{subject}.updated"]
    return [n for n in names if n in known]


@attrs.define
class Delivery:
    """One delivery attempt the fake made (or dropped).

    Attributes:
        id: The delivery id (the same for every attempt and duplicate of it).
        event: The event name.
        version: Payload version (1 or 4).
        url: The endpoint URL.
        endpoint_id: The ``webhook_endpoints`` record.
        resource_type: The record's type.
        record_id: The record's id.
        body: The request body sent.
        content_type: Its content type.
        attempt: 1 for the first try, more for retries.
        fault: The injected fault (``duplicate``, ``delay``, ``reorder``, ``drop``), if any.
        status: The receiver's HTTP status; 0 when the connection failed or the delivery
            was dropped; None while not sent yet.
    """

    id: str
    event: str
    version: int
    url: str
    endpoint_id: str
    resource_type: str
    record_id: str
    body: bytes
    content_type: str
    attempt: int = 1
    fault: str | None = None
    status: int | None = None

    def json(self) -> Any:
        """The payload as JSON (a version 1 body's form fields, ``data`` parsed)."""
        if self.version == 4:
            return msgspec.json.decode(self.body)
        from urllib.parse import parse_qsl

        fields: dict[str, Any] = dict(parse_qsl(self.body.decode()))
        fields["data"] = json.loads(fields["data"])
        return fields


@attrs.frozen
class _Outgoing:
    delivery: Delivery
    fault: str | None = None


class WebhookDeliveries:
    """The fake's webhook sender (``fake.webhooks``); see the module docstring.

    Args:
        ctx: The fake's state (its changes are observed).
        seed: Seeds delivery ids and fault draws.
        sleep: Awaitable sleep for ``delay`` faults and retries.
        log_size: How many attempts :attr:`deliveries` keeps.
        keep: How many deliveries ``GET /webhooks/{id}`` can still read.

    Attributes:
        deliveries: Every attempt, oldest first (bounded).
        auto: Send as soon as a change commits (inside a running event loop). With False,
            deliveries wait for :meth:`flush`.
        retries: Further attempts after a non-2xx answer or a connection failure.
        retry_delay: Seconds before a retry.
        timeout: Seconds an HTTP delivery may take.
        keep: How many deliveries ``GET /webhooks/{id}`` can still read.
    """

    def __init__(
        self,
        ctx: Context,
        *,
        seed: int = 0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        log_size: int = 10_000,
        keep: int = 10_000,
    ) -> None:
        self._ctx = ctx
        self._rng = random.Random(f"webhooks:{seed}")
        self._faults_rng = random.Random(f"webhook-faults:{seed}")
        self._sleep = sleep
        self.deliveries: deque[Delivery] = deque(maxlen=log_size)
        self._stored: deque[str] = deque()
        self.keep = keep
        self._targets: list[tuple[str, AsgiApp]] = []
        self._outbox: deque[_Outgoing] = deque()
        self._probabilities: dict[str, float] = {}
        self._scheduled: deque[str] = deque()
        self.delay = 0.05
        self.auto = True
        self.retries = 2
        self.retry_delay = 0.01
        self.timeout = 10.0
        self._pump_task: asyncio.Task[None] | None = None
        self._later: set[asyncio.Task[None]] = set()
        ctx.observer = self._observe

    def __repr__(self) -> str:
        return (
            f"WebhookDeliveries({len(self.deliveries)} attempts, {len(self._outbox)} waiting, "
            f"{len(self._targets)} in-process targets)"
        )

    # -- configuration ------------------------------------------------------------------

    def connect(self, url_prefix: str, app: AsgiApp) -> None:
        """Deliver to ``app`` in process for endpoint URLs starting with ``url_prefix``.

        Args:
            url_prefix: ``https://hooks.example/`` (the endpoint's path goes to the app).
            app: An ASGI application, e.g. a ``WebhookReceiver``.
        """
        if not url_prefix:
            raise UsageError("url_prefix must not be empty")
        self._targets.append((url_prefix, app))

    def faults(self, *, delay: float | None = None, **probabilities: float) -> None:
        """Strike deliveries with faults at random (seeded): ``faults(duplicate=0.3)``.

        Args:
            delay: Seconds a ``delay`` fault holds a delivery back (default 0.05).
            **probabilities: Kind -> probability from 0 to 1 (``duplicate``, ``delay``,
                ``reorder``, ``drop``); 0 switches a kind off.

        Raises:
            UsageError: An unknown kind or a probability outside 0..1.
        """
        for kind, p in probabilities.items():
            if kind not in DELIVERY_FAULTS:
                raise UsageError(f"unknown delivery fault {kind!r}; known: {DELIVERY_FAULTS}")
            if not 0 <= p <= 1:
                raise UsageError(f"the probability of {kind} must be within 0..1, got {p}")
            self._probabilities[kind] = p
        if delay is not None:
            self.delay = delay

    def fail_next(self, kind: str, times: int = 1) -> None:
        """Strike the next ``times`` deliveries with ``kind``.

        Raises:
            UsageError: An unknown kind or ``times`` below 1.
        """
        if kind not in DELIVERY_FAULTS:
            raise UsageError(f"unknown delivery fault {kind!r}; known: {DELIVERY_FAULTS}")
        if times < 1:
            raise UsageError(f"times must be >= 1, got {times}")
        self._scheduled.extend([kind] * times)

    # -- from changes to deliveries -----------------------------------------------------

    def _observe(self, type_name: str, before: Record | None, after: Record | None) -> None:
        if after is None or not self._ctx.store.table("webhook_endpoints"):
            return
        try:
            self.emit(type_name, after, events_for(type_name, before, after))
        except Exception:  # a bug here must never break the fake's write
            logger.exception("FakeBooqable could not build webhook deliveries")

    def emit(self, type_name: str, record: Mapping[str, Any], events: Iterable[str]) -> None:
        """Queue deliveries of ``events`` about ``record`` to every subscribed endpoint.

        Args:
            type_name: The record's type.
            record: The record (as stored).
            events: Event names (any: a test may send ones the fake never fires).
        """
        for event in events:
            for endpoint in list(self._ctx.store.table("webhook_endpoints").values()):
                if event in (endpoint.get("events") or ()):
                    self._queue(self._build(type_name, record, event, endpoint))
        self._kick()

    def _build(
        self, type_name: str, record: Mapping[str, Any], event: str, endpoint: Mapping[str, Any]
    ) -> Delivery:
        version = 4 if str(endpoint.get("version")) == "4" else 1
        delivery_id = str(uuid.UUID(int=self._rng.getrandbits(128), version=4))
        now = self._ctx.now()
        data = self._data(type_name, dict(record), version)
        stored = self._ctx.build(
            "webhooks",
            {
                "created_at": now,
                "updated_at": now,
                "event": event,
                "version": version,
                "resource_type": type_name,
                "data": data,
            },
            record_id=delivery_id,
        )
        self._ctx.store.insert("webhooks", stored)
        self._stored.append(delivery_id)
        while len(self._stored) > self.keep:
            self._ctx.store.remove("webhooks", self._stored.popleft())
        envelope = {"id": delivery_id, "created_at": now, "event": event}
        if version == 4:
            body = msgspec.json.encode({**envelope, "resource_type": type_name, "data": data})
            content_type = "application/json"
        else:
            name = "".join(p.title() for p in type_name.removesuffix("s").split("_"))
            fields = {**envelope, "object": name, "data": msgspec.json.encode(data).decode()}
            body = urlencode(fields).encode()
            content_type = "application/x-www-form-urlencoded"
        return Delivery(
            delivery_id,
            event,
            version,
            str(endpoint.get("url")),
            str(endpoint["id"]),
            type_name,
            str(record["id"]),
            body,
            content_type,
        )

    def _data(self, type_name: str, record: Record, version: int) -> Any:
        """The payload's ``data``: the v4 nested JSON, or the record as v1 shows it."""
        if version == 1:
            shown = _v1_render.single(self._ctx, type_name, record)
            if shown is not None:
                return shown
        names = _NESTED.get(type_name, ()) if version == 4 else ()
        relationships = get_schema(type_name).relationships
        tree = {n: _NESTED_BELOW.get((type_name, n), {}) for n in names if n in relationships}
        return nested_document(
            self._ctx.store, (type_name, record), include=tree, options=RenderOptions()
        )["data"]

    def _queue(self, delivery: Delivery) -> None:
        kind = self._scheduled.popleft() if self._scheduled else None
        if kind is None:
            for name in DELIVERY_FAULTS:
                p = self._probabilities.get(name, 0.0)
                if p and self._faults_rng.random() < p:
                    kind = name
                    break
        self._outbox.append(_Outgoing(delivery, kind))

    # -- sending ------------------------------------------------------------------------

    def _kick(self) -> None:
        if not self.auto or not self._outbox:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # no event loop: the deliveries wait for flush()
        if self._pump_task is None or self._pump_task.done():
            self._pump_task = loop.create_task(self._pump())

    async def flush(self) -> None:
        """Send everything waiting and wait until delayed deliveries have gone too."""
        while True:
            if self._outbox and (self._pump_task is None or self._pump_task.done()):
                self._pump_task = asyncio.get_running_loop().create_task(self._pump())
            if self._pump_task is not None and not self._pump_task.done():
                await asyncio.shield(self._pump_task)
            elif self._later:
                await asyncio.gather(*self._later, return_exceptions=True)
            else:
                return

    async def _pump(self) -> None:
        while self._outbox:
            item = self._outbox.popleft()
            kind = item.fault
            if kind == "reorder" and self._outbox:
                # Overtaken by the next delivery: it goes after that one.
                self._outbox.insert(1, _Outgoing(item.delivery, "reordered"))
                continue
            if kind == "drop":
                self._record(attrs.evolve(item.delivery, fault="drop", status=0))
                continue
            if kind == "delay":
                task = asyncio.get_running_loop().create_task(self._delayed(item.delivery))
                self._later.add(task)
                task.add_done_callback(self._later.discard)
                continue
            fault = "reorder" if kind == "reordered" else kind
            await self._send(item.delivery, fault)
            if kind == "duplicate":
                await self._send(item.delivery, "duplicate")

    async def _delayed(self, delivery: Delivery) -> None:
        await self._sleep(self.delay)
        await self._send(delivery, "delay")

    async def _send(self, delivery: Delivery, fault: str | None) -> None:
        for attempt in range(1, self.retries + 2):
            sent = attrs.evolve(delivery, attempt=attempt, fault=fault)
            try:
                sent.status = await self._post(sent)
            except Exception as exc:  # any failure to deliver is a failed attempt
                logger.debug("webhook delivery %s failed: %s", delivery.id, type(exc).__name__)
                sent.status = 0
            self._record(sent)
            if 200 <= sent.status < 300:
                return
            if attempt <= self.retries:
                await self._sleep(self.retry_delay)

    def _record(self, delivery: Delivery) -> None:
        self.deliveries.append(delivery)
        stored = self._ctx.store.get("webhooks", delivery.id)
        if stored is not None:
            stored[1]["updated_at"] = self._ctx.now()  # "time of the latest attempt"

    async def _post(self, delivery: Delivery) -> int:
        for prefix, app in self._targets:
            if delivery.url.startswith(prefix):
                return await _asgi_post(app, delivery)
        return await self._http_post(delivery)

    async def _http_post(self, delivery: Delivery) -> int:
        import aiohttp

        timeout = aiohttp.ClientTimeout(total=self.timeout)
        async with (
            aiohttp.ClientSession(timeout=timeout) as session,
            session.post(
                delivery.url,
                data=delivery.body,
                headers={"Content-Type": delivery.content_type, "User-Agent": _AGENT},
            ) as response,
        ):
            await response.read()
            return response.status


_AGENT = "FakeBooqable-Webhooks"


async def _asgi_post(app: AsgiApp, delivery: Delivery) -> int:
    """Call an ASGI application with one delivery and return its status."""
    parts = urlsplit(delivery.url)
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": parts.scheme or "https",
        "path": parts.path or "/",
        "raw_path": (parts.path or "/").encode(),
        "query_string": parts.query.encode(),
        "root_path": "",
        "headers": [
            (b"content-type", delivery.content_type.encode()),
            (b"content-length", str(len(delivery.body)).encode()),
            (b"user-agent", _AGENT.encode()),
        ],
        "client": ("127.0.0.1", 0),
        "server": (parts.hostname or "localhost", parts.port or 443),
    }
    sent_body = False
    status = 0

    async def receive() -> dict[str, Any]:
        nonlocal sent_body
        if not sent_body:
            sent_body = True
            return {"type": "http.request", "body": delivery.body, "more_body": False}
        return {"type": "http.disconnect"}

    async def send(message: Mapping[str, Any]) -> None:
        nonlocal status
        if message.get("type") == "http.response.start":
            status = int(message["status"])

    await app(scope, receive, send)
    return status
