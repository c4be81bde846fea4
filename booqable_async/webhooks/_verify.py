"""High-assurance mode: ask Booqable whether it really sent a delivery.

Booqable keeps past deliveries readable at ``GET /api/4/webhooks/{id}`` for a limited time
(webhooks docs, "Fetch a webhook"): ``event``, ``version``, ``resource_type`` and ``data``.
A forged delivery either names an id Booqable does not know (404) or one whose event or
record differs from the forgery. Reading it back costs one request per delivery, made with
the company's own credentials, so only deliveries that passed every other check get there.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Union

from booqable_async.errors import BooqableError, NotFound

if TYPE_CHECKING:
    from booqable_async._client import BooqableClient
    from booqable_async.webhooks._event import WebhookEvent

__all__ = ["ClientSource", "verify_delivery"]

#: A client, or a function giving the client for a company (multi-company receivers).
ClientSource = Union["BooqableClient", Callable[[str | None], "BooqableClient"]]


def _client_for(source: ClientSource, company: str | None) -> BooqableClient:
    from booqable_async._client import BooqableClient

    if isinstance(source, BooqableClient):
        return source
    return source(company)


async def verify_delivery(source: ClientSource, event: WebhookEvent) -> str | None:
    """Read ``event`` back from Booqable and compare it with what was delivered.

    Args:
        source: The client of the event's company (or ``company -> client``).
        event: The delivery as received.

    Returns:
        None when Booqable confirms the delivery; otherwise why it is not trusted. A
        delivery that cannot be read back (network, server errors after the client's own
        retries) is not trusted either: this mode fails closed.
    """
    try:
        client = _client_for(source, event.company)
        stored: Any = await client.webhooks.get(event.id)
    except NotFound:
        return "Booqable knows no delivery with this id (forged, or expired)"
    except BooqableError as exc:
        return f"it could not be read back ({type(exc).__name__}); failing closed"
    if str(stored.event) != str(event.event):
        return f"Booqable says the delivery was {stored.event!r}, not {str(event.event)!r}"
    if event.version == 4 and stored.resource_type != event.resource_type:
        return (
            f"Booqable says the delivery concerned {stored.resource_type!r}, "
            f"not {event.resource_type!r}"
        )
    data = stored.data if isinstance(stored.data, dict) else {}
    if "id" not in data and len(data) == 1:
        (only,) = data.values()  # v1 JSON wraps the record in a root key
        data = only if isinstance(only, dict) else data
    if str(data.get("id")) != str(event.record_id):
        return "Booqable says the delivery concerned another record"
    return None
