"""``BooqableV1Client``: Booqable's legacy API v1 on the library's session layer.

The same pipeline as the v4 client (limiter, write-safe retries, hooks, DEBUG logging
with secrets masked), driven by the v1 profile: ``?api_key=`` on every request, plain
JSON in root keys, ``page``/``per`` listings, v1 error bodies::

    async with BooqableV1Client(company="acme", api_key="...") as client:
        async for customer in client.customers.list(q="jane"):
            print(customer.number, customer.name)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from typing_extensions import Unpack

from booqable_async.auth import Auth
from booqable_async.clock import Clock
from booqable_async.protocol import NOTHING
from booqable_async.ratelimit import RateLimiter
from booqable_async.session import ApiResponse, CallOptions, Session, SessionClient
from booqable_async.transport import Transport
from booqable_async.v1._profile import BOOQABLE_V1
from booqable_async.v1._resources import (
    Customers,
    Lines,
    Orders,
    Plannings,
    ProductGroups,
    Products,
    Tags,
)

__all__ = ["BooqableV1Client", "V1Options"]


class V1Options(CallOptions, total=False):
    """The keyword arguments of :class:`BooqableV1Client`; every one is optional.

    Attributes:
        company: Company slug (``acme`` for ``acme.booqable.com``); defaults to
            ``$BOOQABLE_COMPANY``.
        base_url: A v1 root instead (``https://acme.booqable.com/api/1/``, the fake's
            ``fake.v1_base_url``); defaults to ``$BOOQABLE_V1_BASE_URL``.
        api_key: The API key, sent as ``?api_key=`` (and masked wherever a URL is
            shown); defaults to ``$BOOQABLE_API_KEY``.
        auth: Any :class:`~booqable_async.auth.Auth` instead of ``api_key``.
        transport: Any :class:`~booqable_async.transport.Transport` (default aiohttp,
            created on first use and closed with the client).
        max_concurrency: Requests in flight at once (default 8).
        rate_limit: ``True`` (follow ``X-Ratelimit-*``), ``False``, a
            :class:`~booqable_async.ratelimit.RateLimiter` or ``(limit, period)``.
        clock: The :class:`~booqable_async.clock.Clock` the session runs on.
        timeout: Seconds per attempt (default 30).
        retry: The :class:`~booqable_async.retry.RetryPolicy`.
        hooks: Request hooks.
        logger: Where to log.
    """

    company: str | None
    base_url: str | None
    api_key: str | None
    auth: Auth | None
    transport: Transport | None
    max_concurrency: int
    rate_limit: bool | RateLimiter | tuple[int, float] | None
    clock: Clock | None


_V1_OPTIONS = frozenset(V1Options.__optional_keys__)


class BooqableV1Client(SessionClient):
    """The asyncio client for one company's Booqable API v1.

    Facades: :attr:`customers`, :attr:`product_groups`, :attr:`products`,
    :attr:`orders`, :attr:`lines`, :attr:`plannings`, :attr:`tags` (docs/v1.md lists
    every endpoint). Use it as an async context manager (or call :meth:`aclose`).

    Args:
        **options: See :class:`V1Options`: ``company`` or ``base_url``, ``api_key`` or
            ``auth``, and the session settings.

    Raises:
        UsageError: Missing or invalid settings, before any I/O.
        TypeError: An option that does not exist.
    """

    def __init__(self, **options: Unpack[V1Options]) -> None:
        unknown = sorted(set(options) - _V1_OPTIONS)
        if unknown:
            raise TypeError(
                f"unexpected keyword argument(s) {', '.join(map(repr, unknown))}; the options "
                f"are {', '.join(sorted(_V1_OPTIONS))}"
            )
        settings: dict[str, Any] = dict(options)
        api_key = settings.pop("api_key", None)
        self._setup(Session(profile=BOOQABLE_V1, token=api_key, **settings))

    def _setup(self, session: Session) -> None:
        super().__init__(session)
        #: Customers: list, search, get, create, update, archive, restore.
        self.customers = Customers(session)
        #: Product groups: list, get, create, update, archive, restore.
        self.product_groups = ProductGroups(session)
        #: Products: availability, prices.
        self.products = Products(session)
        #: Orders: list, search, get, create, update, booking and status actions.
        self.orders = Orders(session)
        #: Lines of orders: create, update, delete.
        self.lines = Lines(session)
        #: Plannings of orders: delete.
        self.plannings = Plannings(session)
        #: Tags: add, remove.
        self.tags = Tags(session)

    def with_options(self, **options: Unpack[CallOptions]) -> BooqableV1Client:
        """Return a light copy with other per-call settings (shares pool, limiter, auth).

        Args:
            **options: Any of ``timeout``, ``retry``, ``hooks``, ``logger``.

        Raises:
            UsageError: An option that belongs to the client, or an invalid value.
        """
        copy = object.__new__(type(self))
        copy._setup(self._session.with_options(**options))
        return copy

    async def request(
        self,
        method: str,
        path: str | Sequence[str],
        *,
        params: Any = None,
        json: Any = NOTHING,
    ) -> ApiResponse:
        """Send any request through the client's pipeline (what the facades do not cover).

        Args:
            method: HTTP method.
            path: Path under the v1 root (segments for values from data).
            params: Query parameters.
            json: JSON body; leave it out for none.

        Returns:
            The answer; ``.payload`` is the parsed JSON.

        Raises:
            UsageError: Bad arguments or a closed client.
            ApiError: A non-2xx answer after retries.
            TransportError: No answer after retries.
        """
        return await self._session.request(method, path, params=params, json=json)
