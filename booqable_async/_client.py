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
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from typing_extensions import Unpack

from booqable_async._validation import is_int
from booqable_async.errors import UsageError
from booqable_async.protocol import NOTHING
from booqable_async.resources import FACADES
from booqable_async.resources._accessors import FacadeAccessors
from booqable_async.resources._base import decode_response
from booqable_async.schema import get_schema
from booqable_async.session import CallOptions, Session, SessionClient, SessionOptions

if TYPE_CHECKING:
    from booqable_async.jsonapi import Document, Registry
    from booqable_async.models._generated.currencies import Currency
    from booqable_async.resources._base import Facade

__all__ = ["BooqableClient"]


class BooqableClient(SessionClient, FacadeAccessors):
    """The asyncio client for one Booqable company (API v4).

    Takes the session's keyword arguments (:class:`~booqable_async.session.SessionOptions`,
    every one optional) plus ``registry``. Use it as an async context manager (or call
    :meth:`aclose`) so the connection pool is closed. Two clients share nothing; a copy
    from :meth:`with_options` shares its original's pool, limiter and auth.

    Args:
        registry: Models to decode into (default: every Booqable model).
        **options: The session's settings: ``company`` (default ``$BOOQABLE_COMPANY``) or
            ``base_url`` (default ``$BOOQABLE_BASE_URL``), ``token`` (default
            ``$BOOQABLE_API_KEY``) or ``auth``, ``transport`` (default: aiohttp, created
            on first use and closed with the client), ``retry``, ``max_concurrency``,
            ``rate_limit``, ``timeout``, ``hooks``, ``logger``, ``clock``,
            ``api_version``; see :class:`~booqable_async.session.SessionOptions`.

    Raises:
        UsageError: Missing or invalid settings, before any I/O.
    """

    def __init__(
        self, *, registry: Registry | None = None, **options: Unpack[SessionOptions]
    ) -> None:
        self._setup(Session(**options), registry)

    def _setup(self, session: Session, registry: Registry | None) -> None:
        self._session = session
        self._registry = registry
        # Per-client caches (never shared between clients): facades by type, and the
        # company currency once asked for.
        self._facades: dict[str, Facade[Any]] = {}
        self._currency: Currency | None = None

    def with_options(self, **options: Unpack[CallOptions]) -> BooqableClient:
        """Return a light copy of this client with other per-call settings.

        The copy shares this client's connection pool, concurrency slots, rate limiter
        and auth scheme (its requests count against the same limits) and never closes
        them: closing the copy, or leaving ``async with`` on it, leaves this client
        working. Use it to tighten one call in a web handler::

            order = await client.with_options(timeout=2.0).orders.get(order_id)

        Args:
            **options: Any of ``timeout``, ``retry``, ``hooks``, ``logger``
                (:class:`~booqable_async.session.CallOptions`); the others are kept.

        Returns:
            The copy.

        Raises:
            UsageError: An option that belongs to the client (``transport``,
                ``rate_limit``, ``auth``...), or an invalid value.
        """
        copy = object.__new__(type(self))
        copy._setup(self._session.with_options(**options), self._registry)
        return copy

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
        :class:`~booqable_async.errors.ShortageError`, as everywhere.

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
        response = await self._session.request(method, path, params=params, json=json)
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
        # Imported on first use: creating a client loads no model module (the facades
        # and their models load lazily too).
        from booqable_async.models import format_cents

        if not is_int(cents):
            raise UsageError(f"cents must be an int (amounts are integer cents), got {cents!r}")
        return format_cents(cents, await self.currency())
