"""``BooqableClient``: one object per company, with a typed facade per resource.

The client wraps one :class:`~booqable_async.session.Session` (auth, limiter, retries,
hooks) and exposes every Booqable v4 resource as a lazily created facade::

    async with BooqableClient(company="acme", token="...") as client:
        async for order in client.orders.list(Query().where(status="reserved")):
            print(order.number)
        customer = await client.customers.create(name="Jane")
        rates = client.resource("tax_rates")             # any catalog type by name
        doc = await client.request("GET", "orders")      # escape hatch -> Document

Facade modules (and the model modules they use) are imported the first time their
attribute is read, so ``import booqable_async`` and creating a client stay cheap.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any

from booqable_async.errors import UsageError
from booqable_async.protocol import NOTHING
from booqable_async.resources import FACADES
from booqable_async.resources._accessors import FacadeAccessors
from booqable_async.resources._base import decode_response, send
from booqable_async.schema import get_schema
from booqable_async.session import Session

if TYPE_CHECKING:
    from booqable_async.auth import Auth
    from booqable_async.jsonapi import Document, Registry
    from booqable_async.models.currencies import Currency
    from booqable_async.ratelimit import RateLimiter
    from booqable_async.resources._base import Facade
    from booqable_async.retry import RetryPolicy
    from booqable_async.session import Hooks
    from booqable_async.transport import Timeout, Transport

__all__ = ["BooqableClient"]


class BooqableClient(FacadeAccessors):
    """The asyncio client for one Booqable company (API v4).

    Every argument is the :class:`~booqable_async.session.Session`'s; see it for details.
    Use it as an async context manager (or call :meth:`aclose`) so the connection pool is
    closed. Two clients share nothing.

    Args:
        company: Company slug (``acme`` for ``acme.booqable.com``); default
            ``$BOOQABLE_COMPANY``.
        base_url: API root instead of ``company`` (the fake server, a proxy); default
            ``$BOOQABLE_BASE_URL``.
        api_version: ``"4"`` (default) or ``"boomerang"``.
        token: Access token; default ``$BOOQABLE_API_KEY`` when ``auth`` is not given.
        auth: Any :class:`~booqable_async.auth.Auth` instead of ``token``.
        transport: Any :class:`~booqable_async.transport.Transport` (default: aiohttp,
            created on first use and closed with the client).
        retry: The default :class:`~booqable_async.retry.RetryPolicy`.
        max_concurrency: Requests in flight at once, across everything on this client.
        rate_limit: ``True`` (follow ``X-Ratelimit-*``), ``False``, a ``RateLimiter`` or a
            fixed budget ``(limit, period_seconds)``.
        timeout: Seconds per attempt, a ``Timeout``, or ``None`` for no limit.
        hooks: Request/response/retry callbacks.
        logger: Where to log (``booqable_async.session`` by default).
        clock: Monotonic clock (tests inject one).
        sleep: Async sleep (tests inject one).
        registry: Models to decode into (default: every Booqable model).

    Raises:
        UsageError: Missing or invalid settings, before any I/O.
    """

    def __init__(
        self,
        *,
        company: str | None = None,
        base_url: str | None = None,
        api_version: str = "4",
        token: str | None = None,
        auth: Auth | None = None,
        transport: Transport | None = None,
        retry: RetryPolicy | None = None,
        max_concurrency: int = 8,
        rate_limit: bool | RateLimiter | tuple[int, float] | None = True,
        timeout: float | Timeout | None = 30.0,
        hooks: Hooks | Mapping[str, object] | None = None,
        logger: logging.Logger | None = None,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        registry: Registry | None = None,
    ) -> None:
        self._session = Session(
            company=company,
            base_url=base_url,
            api_version=api_version,
            token=token,
            auth=auth,
            transport=transport,
            retry=retry,
            max_concurrency=max_concurrency,
            rate_limit=rate_limit,
            timeout=timeout,
            hooks=hooks,
            logger=logger,
            clock=clock,
            sleep=sleep,
        )
        self._registry = registry
        # Per-client caches (never shared between clients): facades by type, and the
        # company currency once asked for.
        self._facades: dict[str, Facade[Any]] = {}
        self._currency: Currency | None = None

    def __repr__(self) -> str:
        return f"BooqableClient(base_url={self._session.base_url!r})"

    @property
    def session(self) -> Session:
        """The request pipeline (auth, limiter, retries, hooks) every facade uses."""
        return self._session

    @property
    def base_url(self) -> str:
        """The API root requests go to."""
        return self._session.base_url

    @property
    def closed(self) -> bool:
        """True once :meth:`aclose` ran."""
        return self._session.closed

    async def __aenter__(self) -> BooqableClient:
        await self._session.__aenter__()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the session (and the transport when the client created it)."""
        await self._session.aclose()

    def _facade(self, type_name: str) -> Facade[Any]:
        facade = self._facades.get(type_name)
        if facade is None:
            if not isinstance(type_name, str):
                raise UsageError(f"type_name must be a string, got {type_name!r}")
            get_schema(type_name)  # UsageError with suggestions for an unknown type
            module_name, _, class_name = FACADES[type_name].partition(":")
            cls = getattr(importlib.import_module(module_name), class_name)
            facade = self._facades[type_name] = cls(self._session, registry=self._registry)
        return facade

    async def request(
        self,
        method: str,
        path: str | Sequence[str],
        *,
        params: Any = None,
        json: Any = NOTHING,
        nested_type: str | None = None,
    ) -> Document:
        """Send any request through the client's pipeline and decode the answer.

        The escape hatch for what the facades do not cover. Availability 422s raise
        :class:`~booqable_async.errors.ShortageError` as they do through facades.

        Args:
            method: HTTP method.
            path: Path under the API root: ``"orders"``, or segments ``("orders", id)``
                (use segments for values from data: each is escaped).
            params: Query parameters (a mapping or ``Query.to_params()`` pairs).
            json: JSON body; leave it out for none.
            nested_type: The primary records' type when the answer may use Booqable's
                nested ``.json`` format (records without ``type``).

        Returns:
            The decoded :class:`~booqable_async.jsonapi.Document` (``data`` is ``None``
            for an empty answer).

        Raises:
            UsageError: Bad arguments or a closed client, before any I/O.
            ApiError: A non-2xx answer after retries.
            TransportError: No answer after retries.
            DecodeError: The answer is not a JSON:API document.
        """
        response = await send(self._session, method, path, params=params, json=json)
        return decode_response(response, self._registry, nested_type)

    async def currency(self) -> Currency:
        """Return the company's currency record (fetched once per client, then cached).

        Reads ``currency`` from ``GET /companies/current``, then ``GET /currencies/{code}``
        (symbol, separators, subunits), for :meth:`format_cents`.

        Raises:
            ApiError: A request failed.
            UsageError: The company has no currency set (nothing to format with).
        """
        if self._currency is None:
            company = await self.companies.current(fields={"companies": ["currency"]})
            code = company.currency
            if not code:
                # The answer is fine (a null currency is a company setting, not a broken
                # document): the caller has to choose the currency.
                raise UsageError(
                    "the company has no currency set (companies/current answered currency: "
                    "null); set one in Booqable, or format with "
                    "booqable_async.models.format_cents(cents, currency) and a currency "
                    "of your choice"
                )
            self._currency = await self.currencies.get(code.lower())
        return self._currency

    async def format_cents(self, cents: int) -> str:
        """Format an amount in cents with the company currency (``"€1.234,50"``).

        Args:
            cents: The amount in the currency's smallest unit.

        Returns:
            The text, formatted by :func:`booqable_async.models.format_cents`.

        Raises:
            UsageError: ``cents`` is not an int, or the company has no currency set.
            ApiError: Fetching the currency failed.
        """
        from booqable_async.models._money import format_cents

        if isinstance(cents, bool) or not isinstance(cents, int):
            raise UsageError(f"cents must be an int (amounts are integer cents), got {cents!r}")
        return format_cents(cents, await self.currency())
