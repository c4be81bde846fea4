"""``client.webhook_endpoints.subscribe(...)``: one endpoint per URL (hand-written).

Booqable's ``POST /webhook_endpoints`` creates a new endpoint every time, even for a URL
already subscribed, and each endpoint gets its own deliveries: running a deployment
script twice would double every webhook. :meth:`WebhookSubscriptions.subscribe` makes
subscribing idempotent: it updates the endpoint that has the URL (and removes extra
copies) instead of creating another.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from booqable_async.errors import UsageError
from booqable_async.models._generated.webhook_endpoints import WebhookEndpoint
from booqable_async.resources._base import Facade

__all__ = ["WebhookSubscriptions"]

#: Payload versions Booqable delivers (webhook endpoints docs, ``version``).
_VERSIONS = (1, 4)


def _check_url(url: object) -> str:
    if not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https"):
        raise UsageError("url must be an absolute http(s) URL (the receiver's address)")
    if not urlsplit(url).netloc:
        raise UsageError("url must name a host: https://your.host/path/<secret>")
    return url


class WebhookSubscriptions(Facade[WebhookEndpoint]):
    """Idempotent subscriptions of ``client.webhook_endpoints``."""

    __slots__ = ()

    def _events(self, events: Iterable[str]) -> list[str]:
        names = [events] if isinstance(events, str) else list(events)
        if not names or not all(isinstance(n, str) and n for n in names):
            raise UsageError("events must be one or more event names ('order.reserved'...)")
        known = self.schema.attributes["events"].enum or ()
        unknown = sorted(set(names) - set(known))
        if known and unknown:
            raise UsageError(
                f"unknown webhook event(s) {', '.join(unknown)}; Booqable documents: "
                f"{', '.join(known)}"
            )
        return sorted(set(names))

    async def _with_url(self, url: str) -> list[WebhookEndpoint]:
        # Listed in full and matched here rather than with filter[url]: the URL carries
        # the receiver's secret, and a query string ends up in logs and error messages.
        found = [e async for e in self._list(None, {}) if e.url == url]
        return sorted(found, key=lambda e: (e.created_at is None, e.created_at, e.id))

    async def subscribe(
        self, url: str, *, events: Iterable[str], version: int = 4
    ) -> WebhookEndpoint:
        """Subscribe ``url`` to ``events``; calling it again changes, never duplicates.

        The endpoint that already has ``url`` is updated (nothing is sent when it already
        has these events and version); further endpoints with the same URL are deleted,
        since each would get its own copy of every delivery.

        Args:
            url: The receiver's address, ending in its secret.
            events: Event names (the 45 in ``booqable_async.webhooks.EVENT_NAMES``).
            version: Payload version: ``4`` (JSON, typed events) or ``1`` (legacy form data).

        Returns:
            The endpoint as Booqable holds it now.

        Raises:
            UsageError: A bad URL, an unknown event name or version, before any request.
        """
        url = _check_url(url)
        names = self._events(events)
        if version not in _VERSIONS or isinstance(version, bool):
            raise UsageError(f"version must be 1 or 4, got {version!r}")
        existing = await self._with_url(url)
        if not existing:
            attributes: dict[str, Any] = {"url": url, "events": names, "version": version}
            return await self._create(attributes, None, None)
        keep, *extra = existing
        for duplicate in extra:
            await self._delete(str(duplicate.id))
        if sorted(keep.events or ()) == names and str(keep.version) == str(version):
            return keep
        changes: dict[str, Any] = {"events": names, "version": version}
        return await self._update(str(keep.id), changes, None, None)

    async def unsubscribe(self, url: str) -> int:
        """Delete every endpoint with ``url``.

        Args:
            url: The address given to :meth:`subscribe`.

        Returns:
            How many endpoints were deleted (0 when none had the URL).

        Raises:
            UsageError: A bad URL, before any request.
        """
        url = _check_url(url)
        existing = await self._with_url(url)
        for endpoint in existing:
            await self._delete(str(endpoint.id))
        return len(existing)
