"""WebhookReceiver: authenticate, check, parse, de-duplicate, answer, then handle.

Booqable signs nothing and names no sender addresses (webhook endpoints docs), so the
receiver trusts nothing in a delivery:

1. the URL registered with Booqable ends in a secret; a request whose last path segment
   is not that secret (compared in constant time) gets 404, like any unknown path;
2. only ``POST`` (405), a JSON or form content type (415) and a body under the size cap
   (413, counted while reading: a large body is never buffered) get further;
3. the body must parse as a webhook payload (400), for an event the receiver accepts
   (others are acknowledged with 200 and dropped, so the sender does not retry them);
4. each delivery id is claimed once in a :class:`DedupeStore`; repeats get 200 and stop;
5. the delivery is queued and answered at once (200); a bounded pool of workers runs the
   handler in the background. A full queue answers 503 (and forgets the claim) so the
   sender can try again instead of the event being lost.

Handler failures are logged with the delivery id; the receiver keeps going. Optionally
(``verify_with=``) each delivery is read back with ``GET /webhooks/{id}`` before the
handler runs, and dropped unless Booqable confirms its event and record.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import re
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any

import attrs
import msgspec

from booqable_async.errors import UsageError
from booqable_async.jsonapi import Registry
from booqable_async.webhooks._dedupe import DedupeStore, MemoryDedupeStore
from booqable_async.webhooks._event import (
    FORM_TYPE,
    JSON_TYPES,
    WebhookDecodeError,
    WebhookEvent,
    media_type,
    parse_event,
)
from booqable_async.webhooks._events import EVENT_NAMES
from booqable_async.webhooks._verify import ClientSource, verify_delivery

if TYPE_CHECKING:
    from aiohttp import web

__all__ = ["Handler", "ReceiverStats", "Reply", "WebhookReceiver"]

logger = logging.getLogger("booqable_async.webhooks")

#: What the receiver calls for each accepted delivery.
Handler = Callable[[WebhookEvent], Awaitable[object]]
#: A secret must be this long (``secrets.token_urlsafe(32)`` gives 43 characters).
MIN_SECRET_LENGTH = 16
#: Characters that survive in a URL path segment without escaping.
_URL_SAFE = re.compile(r"[A-Za-z0-9_~.-]+")


@attrs.frozen
class Reply:
    """The HTTP answer to one delivery (any server adapter sends it as is).

    Attributes:
        status: HTTP status.
        outcome: What happened, also the JSON body's ``status``: ``accepted``,
            ``duplicate``, ``ignored``, ``not_found``, ``method_not_allowed``,
            ``unsupported_media_type``, ``too_large``, ``bad_payload``, ``unavailable``.
        detail: A short reason for a 4xx/5xx (never echoes the secret).
    """

    status: int
    outcome: str
    detail: str = ""

    @property
    def body(self) -> bytes:
        """The JSON body: ``{"status": outcome}`` plus ``detail`` when there is one."""
        document = {"status": self.outcome}
        if self.detail:
            document["detail"] = self.detail
        return msgspec.json.encode(document)

    @property
    def headers(self) -> list[tuple[str, str]]:
        """Response headers (``Allow`` on 405, ``Retry-After`` on 503)."""
        headers = [("Content-Type", "application/json")]
        if self.status == 405:
            headers.append(("Allow", "POST"))
        elif self.status == 503:
            headers.append(("Retry-After", "1"))
        return headers


_NOT_FOUND = Reply(404, "not_found")
_NOT_ALLOWED = Reply(405, "method_not_allowed", "webhooks are delivered with POST")
_IGNORED = Reply(200, "ignored")
_DUPLICATE = Reply(200, "duplicate")
_ACCEPTED = Reply(200, "accepted")


@attrs.frozen
class ReceiverStats:
    """Counters of a receiver since it was made (a snapshot).

    Attributes:
        received: Requests that reached the receiver.
        accepted: Deliveries queued for the handler.
        duplicates: Repeated deliveries dropped.
        ignored: Deliveries of events the receiver does not accept.
        rejected: Requests refused, by status (404, 405, 413, 415, 400, 503).
        handled: Handler calls that returned.
        failed: Handler calls that raised (logged with the delivery id).
        unverified: Deliveries Booqable did not confirm (``verify_with=``), not handled.
        pending: Deliveries queued or running now.
        peak_pending: The most ever queued or running at once.
    """

    received: int = 0
    accepted: int = 0
    duplicates: int = 0
    ignored: int = 0
    rejected: Mapping[int, int] = attrs.field(factory=dict)
    handled: int = 0
    failed: int = 0
    unverified: int = 0
    pending: int = 0
    peak_pending: int = 0


class _Counters:
    """The mutable counters behind :class:`ReceiverStats`."""

    __slots__ = (
        "accepted",
        "duplicates",
        "failed",
        "handled",
        "ignored",
        "peak_pending",
        "received",
        "rejected",
        "unverified",
    )

    def __init__(self) -> None:
        self.received = self.accepted = self.duplicates = self.ignored = 0
        self.handled = self.failed = self.unverified = self.peak_pending = 0
        self.rejected: dict[int, int] = {}


def _check_secret(value: object, what: str) -> str:
    if not isinstance(value, str) or len(value) < MIN_SECRET_LENGTH:
        raise UsageError(
            f"{what} must be a string of at least {MIN_SECRET_LENGTH} characters: make one "
            "with WebhookReceiver.new_secret()"
        )
    if not _URL_SAFE.fullmatch(value):
        raise UsageError(
            f"{what} may only hold the URL-safe characters A-Z a-z 0-9 _ ~ . - "
            "(WebhookReceiver.new_secret() makes one)"
        )
    return value


def _check_company(value: object) -> str:
    if not isinstance(value, str) or not _URL_SAFE.fullmatch(value):
        raise UsageError(
            f"company key {value!r} must be a non-empty path segment (A-Z a-z 0-9 _ ~ . -)"
        )
    return value


def _positive(value: object, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise UsageError(f"{what} must be a whole number of at least 1, got {value!r}")
    return value


class WebhookReceiver:
    """Receive Booqable webhooks: an ASGI application, and an aiohttp handler or app.

    Register ``https://your.host/any/path/<secret>`` with Booqable
    (``client.webhook_endpoints.subscribe(url, events=[...])``); mount the receiver where
    that path arrives. With ``secret={company: secret}`` one receiver serves several
    companies at ``.../<company>/<secret>`` and stamps each event's ``company``.

    Args:
        handler: ``async def handler(event)``, called once per accepted delivery, in the
            background (its return value is ignored).
        secret: The URL secret (at least 16 URL-safe characters; see :meth:`new_secret`),
            or a mapping company -> secret.
        events: Event names to hand to the handler (default: the 45 documented ones).
            Others are acknowledged (200) and dropped.
        accept_unknown: Also hand over event names Booqable may add later (when
            ``events`` is not given).
        max_body: Largest body accepted, in bytes (413 above it).
        concurrency: Handler calls running at once.
        max_pending: Deliveries queued or running at most; beyond that the receiver
            answers 503 so the sender retries later (memory stays bounded).
        dedupe: Where delivery ids are claimed (default: a bounded in-memory store; use a
            :class:`~booqable_async.webhooks.RedisDedupeStore` for several processes).
        verify_with: High-assurance mode: a client (or ``company -> client``) used to read
            every delivery back (``GET /webhooks/{id}``) before the handler runs; a
            delivery Booqable does not confirm is logged and dropped.
        registry: Models for the events' ``data`` (default: every Booqable model).

    Raises:
        UsageError: A weak or malformed secret, or a bad limit.
    """

    def __init__(
        self,
        handler: Handler,
        *,
        secret: str | Mapping[str, str],
        events: Iterable[str] | None = None,
        accept_unknown: bool = False,
        max_body: int = 1024 * 1024,
        concurrency: int = 8,
        max_pending: int = 1000,
        dedupe: DedupeStore | None = None,
        verify_with: ClientSource | None = None,
        registry: Registry | None = None,
    ) -> None:
        if not callable(handler):
            raise UsageError(f"handler must be an async function, got {handler!r}")
        self._handler = handler
        if isinstance(secret, Mapping):
            if not secret:
                raise UsageError("secret={} names no company")
            self._secrets: dict[bytes, bytes] | None = {
                _check_company(company).encode(): _check_secret(
                    value, f"the secret of {company!r}"
                ).encode()
                for company, value in secret.items()
            }
            self._secret = b""
        else:
            self._secrets = None
            self._secret = _check_secret(secret, "secret").encode()
        # A stand-in compared when the company is unknown, so that path costs the same.
        self._decoy = secrets.token_urlsafe(32).encode()
        if events is None:
            self._events: frozenset[str] | None = None if accept_unknown else frozenset(EVENT_NAMES)
        else:
            names = [events] if isinstance(events, str) else list(events)
            if not names or not all(isinstance(n, str) and n for n in names):
                raise UsageError("events must be one or more non-empty event names")
            self._events = frozenset(names)
        self.max_body = _positive(max_body, "max_body")
        self.concurrency = _positive(concurrency, "concurrency")
        self.max_pending = _positive(max_pending, "max_pending")
        self.dedupe: DedupeStore = dedupe if dedupe is not None else MemoryDedupeStore()
        self._verify_with = verify_with
        self._registry = registry
        self._counters = _Counters()
        self._queue: asyncio.Queue[WebhookEvent] | None = None
        self._workers: list[asyncio.Task[None]] = []
        self._pending = 0
        self._closing = False

    @staticmethod
    def new_secret() -> str:
        """Return a fresh random secret for the webhook URL (43 URL-safe characters)."""
        return secrets.token_urlsafe(32)

    def __repr__(self) -> str:
        companies = f"{len(self._secrets)} companies" if self._secrets else "one company"
        return (
            f"WebhookReceiver({companies}, concurrency={self.concurrency}, "
            f"pending={self._pending}/{self.max_pending})"
        )

    @property
    def stats(self) -> ReceiverStats:
        """A snapshot of the counters."""
        c = self._counters
        return ReceiverStats(
            received=c.received,
            accepted=c.accepted,
            duplicates=c.duplicates,
            ignored=c.ignored,
            rejected=dict(c.rejected),
            handled=c.handled,
            failed=c.failed,
            unverified=c.unverified,
            pending=self._pending,
            peak_pending=c.peak_pending,
        )

    # -- the request path ---------------------------------------------------------------

    def route(self, path: str) -> tuple[bool, str | None]:
        """Check the secret at the end of ``path`` in constant time.

        Args:
            path: The request path (only its last segment, and the one before it for a
                multi-company receiver, are read).

        Returns:
            ``(matched, company)``; ``company`` is None for a single-company receiver.
        """
        segments = path.split("/")
        given = segments[-1].encode("utf-8", "surrogatepass")
        if self._secrets is None:
            return hmac.compare_digest(given, self._secret), None
        company = segments[-2] if len(segments) > 1 else ""
        expected = self._secrets.get(company.encode("utf-8", "surrogatepass"))
        matched = hmac.compare_digest(given, expected if expected is not None else self._decoy)
        return matched and expected is not None, company

    async def receive(
        self,
        method: str,
        path: str,
        content_type: str | None,
        content_length: int | None,
        chunks: AsyncIterator[bytes],
    ) -> Reply:
        """Decide the answer to one request; queue the delivery when it is accepted.

        Server adapters call this; it never raises for anything the sender did.

        Args:
            method: HTTP method.
            path: Request path.
            content_type: The ``Content-Type`` header, if any.
            content_length: The ``Content-Length`` header, if any.
            chunks: The body, read only as far as the checks allow.

        Returns:
            The :class:`Reply` to send.
        """
        self._counters.received += 1
        reply = await self._decide(method, path, content_type, content_length, chunks)
        if reply.status >= 400:
            self._counters.rejected[reply.status] = self._counters.rejected.get(reply.status, 0) + 1
        return reply

    async def _decide(
        self,
        method: str,
        path: str,
        content_type: str | None,
        content_length: int | None,
        chunks: AsyncIterator[bytes],
    ) -> Reply:
        matched, company = self.route(path)
        if not matched:
            return _NOT_FOUND
        if method.upper() != "POST":
            return _NOT_ALLOWED
        kind = media_type(content_type)
        if kind not in JSON_TYPES and kind != FORM_TYPE:
            return Reply(
                415, "unsupported_media_type", "send application/json (or form data for v1)"
            )
        if content_length is not None and content_length > self.max_body:
            return self._too_large()
        body = await self._read(chunks)
        if body is None:
            return self._too_large()
        try:
            event = parse_event(body, kind, registry=self._registry)
        except WebhookDecodeError as exc:
            return Reply(400, "bad_payload", str(exc)[:300])
        if company is not None:
            event = attrs.evolve(event, company=company)
        if self._events is not None and event.event not in self._events:
            self._counters.ignored += 1
            logger.info("webhook %s: event %s not accepted here; ignored", event.id, event.event)
            return _IGNORED
        key = event.id if company is None else f"{company}/{event.id}"
        if not await self.dedupe.claim(key):
            self._counters.duplicates += 1
            return _DUPLICATE
        if not self._enqueue(event):
            await self.dedupe.release(key)
            return Reply(503, "unavailable", "the receiver is busy or stopping; retry later")
        self._counters.accepted += 1
        return _ACCEPTED

    def _too_large(self) -> Reply:
        return Reply(413, "too_large", f"bodies over {self.max_body} bytes are refused")

    async def _read(self, chunks: AsyncIterator[bytes]) -> bytes | None:
        """Collect the body, or None as soon as it passes the cap (the rest is not read)."""
        parts: list[bytes] = []
        size = 0
        async for chunk in chunks:
            size += len(chunk)
            if size > self.max_body:
                return None
            parts.append(chunk)
        return b"".join(parts)

    # -- background handling ------------------------------------------------------------

    def _enqueue(self, event: WebhookEvent) -> bool:
        if self._closing or self._pending >= self.max_pending:
            return False
        queue = self._start()
        self._pending += 1
        self._counters.peak_pending = max(self._counters.peak_pending, self._pending)
        queue.put_nowait(event)
        return True

    def _start(self) -> asyncio.Queue[WebhookEvent]:
        if self._queue is None:
            # Made on first use, inside the server's event loop.
            self._queue = asyncio.Queue()
            self._workers = [
                asyncio.create_task(self._work(self._queue), name=f"booqable-webhooks-{n}")
                for n in range(self.concurrency)
            ]
        return self._queue

    async def start(self) -> None:
        """Start the workers and accept deliveries (also done by the first delivery)."""
        self._closing = False
        self._start()

    async def _work(self, queue: asyncio.Queue[WebhookEvent]) -> None:
        while True:
            event = await queue.get()
            try:
                await self._handle(event)
            finally:
                self._pending -= 1
                queue.task_done()

    async def _handle(self, event: WebhookEvent) -> None:
        if self._verify_with is not None:
            problem = await verify_delivery(self._verify_with, event)
            if problem is not None:
                self._counters.unverified += 1
                logger.warning("webhook %s (%s) not handled: %s", event.id, event.event, problem)
                return
        try:
            await self._handler(event)
        except Exception:
            self._counters.failed += 1
            logger.exception(
                "webhook handler failed on delivery %s (%s %s %s)",
                event.id,
                event.event,
                event.resource_type,
                event.record_id,
            )
        else:
            self._counters.handled += 1

    async def drain(self) -> None:
        """Wait until every queued delivery has been handled (deliveries keep arriving)."""
        if self._queue is not None:
            await self._queue.join()

    async def aclose(self, timeout: float | None = 30.0) -> None:
        """Stop accepting (503), let queued deliveries finish, then stop the workers.

        Args:
            timeout: Seconds to wait for the queue to drain; deliveries still queued after
                it are logged (by count) and abandoned. ``None`` waits for all.
        """
        self._closing = True
        queue, workers = self._queue, self._workers
        if queue is None:
            return
        try:
            await asyncio.wait_for(queue.join(), timeout)
        except asyncio.TimeoutError:
            logger.warning("webhook receiver stopped with %d deliveries not handled", self._pending)
        for task in workers:
            task.cancel()
        for task in workers:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._queue, self._workers, self._pending = None, [], 0

    async def __aenter__(self) -> WebhookReceiver:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    # -- ASGI ---------------------------------------------------------------------------

    async def __call__(
        self,
        scope: Mapping[str, Any],
        receive: Callable[[], Awaitable[Mapping[str, Any]]],
        send: Callable[[Mapping[str, Any]], Awaitable[None]],
    ) -> None:
        """Serve as an ASGI 3 application (``http`` and ``lifespan`` scopes)."""
        kind = scope.get("type")
        if kind == "lifespan":
            await self._lifespan(receive, send)
            return
        if kind != "http":
            raise UsageError(f"WebhookReceiver serves HTTP, not {kind!r} connections")
        headers = {k.lower(): v for k, v in scope.get("headers", ())}
        content_type = headers.get(b"content-type", b"").decode("latin-1")
        length = _int_or_none(headers.get(b"content-length"))

        async def chunks() -> AsyncIterator[bytes]:
            while True:
                message = await receive()
                if message.get("type") == "http.disconnect":
                    return
                yield bytes(message.get("body", b""))
                if not message.get("more_body", False):
                    return

        reply = await self.receive(
            str(scope.get("method", "")), str(scope.get("path", "")), content_type, length, chunks()
        )
        await send(
            {
                "type": "http.response.start",
                "status": reply.status,
                "headers": [(k.lower().encode(), v.encode()) for k, v in reply.headers],
            }
        )
        await send({"type": "http.response.body", "body": reply.body})

    async def _lifespan(
        self,
        receive: Callable[[], Awaitable[Mapping[str, Any]]],
        send: Callable[[Mapping[str, Any]], Awaitable[None]],
    ) -> None:
        while True:
            message = await receive()
            if message.get("type") == "lifespan.startup":
                await self.start()
                await send({"type": "lifespan.startup.complete"})
            elif message.get("type") == "lifespan.shutdown":
                await self.aclose()
                await send({"type": "lifespan.shutdown.complete"})
                return

    # -- aiohttp ------------------------------------------------------------------------

    async def aiohttp_handler(self, request: web.BaseRequest) -> web.StreamResponse:
        """Answer one aiohttp request (``app.router.add_post(path, receiver.aiohttp_handler)``).

        Args:
            request: The aiohttp request.

        Returns:
            The aiohttp response.
        """
        from booqable_async.webhooks._aiohttp import handle

        return await handle(self, request)

    def aiohttp_app(self) -> web.Application:
        """Return an aiohttp application answering every path with this receiver.

        Its shutdown drains the queue (:meth:`aclose`).
        """
        from booqable_async.webhooks._aiohttp import make_app

        return make_app(self)


def _int_or_none(value: bytes | None) -> int | None:
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        return None
