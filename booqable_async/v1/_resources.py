"""The facades of the v1 client: one object per resource, one method per endpoint.

Every endpoint of Booqable's v1 documentation (docs/v1.md has the table): each method
checks its arguments before any I/O, sends one request through the session (the v1
profile: ``?api_key=``, ``X-Ratelimit-*``, v1 errors) and returns typed records.
Listings return the library's :class:`~booqable_async.pagination.Paginator` over
``page``/``per``, so they are awaitable (first page), async-iterable (every record
once) and resumable like v4 listings.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, ClassVar, Generic, Literal, TypeVar

from typing_extensions import TypedDict, Unpack

from booqable_async._redact import redact_repr
from booqable_async._validation import check_record_id
from booqable_async.errors import UsageError
from booqable_async.pagination import Paginator, ResumePoint, paginate
from booqable_async.protocol import NOTHING, NumberedPages
from booqable_async.session import Session
from booqable_async.v1._decode import (
    decode_availability,
    decode_order_availability,
    decode_prices,
    decode_record,
    record_decoder,
    unwrap,
)
from booqable_async.v1._models import (
    AvailabilityPoint,
    Customer,
    Line,
    Order,
    OrderAvailability,
    Planning,
    PriceStructure,
    ProductGroup,
)

__all__ = [
    "CustomerFields",
    "Customers",
    "LineFields",
    "Lines",
    "ListOptions",
    "OrderFields",
    "Orders",
    "Plannings",
    "ProductGroupFields",
    "ProductGroups",
    "Products",
    "Tags",
]

R = TypeVar("R")

#: Statuses an order can be reverted to (v1 docs, "Revert order to a given status").
REVERT_STATUSES = ("concept", "reserved", "started")
#: Availability intervals v1 accepts.
INTERVALS = ("minute", "hour", "day", "week", "month")


class ListOptions(TypedDict, total=False):
    """Paginator settings every v1 ``list()`` accepts (see ``Paginator``)."""

    concurrency: int
    prefetch: int
    dedupe: bool
    on_total_mismatch: Literal["warn", "raise", "ignore"]
    resume_from: ResumePoint
    on_page: Callable[[int, int, int | None], object]
    id_of: Callable[[Any], Hashable]


class CustomerFields(TypedDict, total=False):
    """Writable customer attributes (``name`` is required on create)."""

    name: str
    email: str | None
    tax_region_id: str | None
    discount_percentage: float
    deposit_type: str | None
    deposit_value: float
    properties_attributes: Sequence[Mapping[str, Any]]


class ProductGroupFields(TypedDict, total=False):
    """Writable product group attributes (``name`` is required on create)."""

    name: str
    sku: str | None
    description: str | None
    trackable: bool
    lag_time: int
    lead_time: int
    base_price_in_cents: int
    flat_fee_price_in_cents: int
    deposit_in_cents: int
    price_type: str
    price_period: str
    tax_category_id: str | None
    show_in_store: bool


class OrderFields(TypedDict, total=False):
    """Writable order attributes."""

    customer_id: str | None
    starts_at: datetime | str | None
    stops_at: datetime | str | None
    discount_percentage: float
    deposit_type: str
    deposit_value: float
    tax_region_id: str | None


class LineFields(TypedDict, total=False):
    """Writable line attributes (a custom line: ``title``, ``quantity``, price)."""

    title: str
    quantity: int
    price_each_in_cents: int
    tax_category_id: str | None
    position: int


def _key(value: object, what: str) -> str:
    # An id, or a number where v1 takes either (customers and orders by number).
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return str(value)
    return check_record_id(value, what)


def _fields(root: str, fields: Mapping[str, Any], allowed: type, *, create: bool) -> dict[str, Any]:
    known = allowed.__optional_keys__ | allowed.__required_keys__  # type: ignore[attr-defined]
    unknown = sorted(set(fields) - known)
    if unknown:
        raise UsageError(
            f"unknown {root} attribute(s) {', '.join(map(repr, unknown))}; "
            f"v1 takes {', '.join(sorted(known))}"
        )
    if not fields:
        raise UsageError(f"nothing to {'create' if create else 'update'}: pass {root} attributes")
    if create and "name" in known and not fields.get("name"):
        raise UsageError(f"a {root} needs a name (name='...')")
    return {root: dict(fields)}


class _Resource:
    """What every v1 facade shares: the session and the request helpers."""

    __slots__ = ("_session",)

    def __init__(self, session: Session) -> None:
        self._session = session

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    async def _one(
        self,
        cls: type[R],
        key: str,
        method: str,
        path: Sequence[str],
        *,
        params: Any = None,
        json: Any = NOTHING,
    ) -> R:
        response = await self._session.request(method, path, params=params, json=json)
        return decode_record(cls, unwrap(response.payload, key), pointer=f"/{key}")

    def _list(
        self,
        cls: type[R],
        path: str,
        key: str,
        params: Mapping[str, Any],
        per: int | None,
        options: ListOptions,
    ) -> Paginator[R]:
        extra = {k: v for k, v in params.items() if v is not None}
        return paginate(
            self._session,
            path,
            decode=record_decoder(cls),
            params=extra or None,
            style=NumberedPages(items=key),
            size=per,
            **options,
        )


class _Records(_Resource, Generic[R]):
    """A resource with records of its own under ``/{plural}`` (``{"singular": {...}}``)."""

    __slots__ = ()

    _model: ClassVar[type[Any]]
    _plural: ClassVar[str]
    _singular: ClassVar[str]
    _writable: ClassVar[type]

    async def _send(self, method: str, path: tuple[str, ...], json: Any = NOTHING) -> R:
        record: R = await self._one(self._model, self._singular, method, path, json=json)
        return record

    async def _read(self, key: str) -> R:
        return await self._send("GET", (self._plural, key))

    async def _create(self, fields: Mapping[str, Any]) -> R:
        body = _fields(self._singular, fields, self._writable, create=True)
        return await self._send("POST", (self._plural,), body)

    async def _update(self, id: str, changes: Mapping[str, Any]) -> R:
        body = _fields(self._singular, changes, self._writable, create=False)
        return await self._send("PUT", (self._plural, check_record_id(id)), body)

    async def _archive(self, id: str) -> R:
        return await self._send("DELETE", (self._plural, check_record_id(id), "archive"))

    async def _restore(self, id: str) -> R:
        return await self._send("POST", (self._plural, check_record_id(id), "restore"))

    def _listing(
        self, params: Mapping[str, Any], per: int | None, options: ListOptions
    ) -> Paginator[R]:
        pages: Paginator[R] = self._list(
            self._model, self._plural, self._plural, params, per, options
        )
        return pages


class Customers(_Records[Customer]):
    """``client.customers``: list, search, get, create, update, archive, restore."""

    __slots__ = ()
    _model = Customer
    _plural = "customers"
    _singular = "customer"
    _writable = CustomerFields

    def list(
        self, q: str | None = None, *, per: int | None = None, **options: Unpack[ListOptions]
    ) -> Paginator[Customer]:
        """List customers (``GET /customers``); archived ones are not listed.

        Args:
            q: Search term (``q=jane``).
            per: Records per page (default 100).
            **options: Paginator settings (``concurrency``, ``resume_from``...).

        Returns:
            A paginator: ``await`` it for the first page, ``async for`` every customer.
        """
        return self._listing({"q": q}, per, options)

    async def get(self, id_or_number: str | int) -> Customer:
        """Get one customer by id or number, archived or not (``GET /customers/{id}``).

        Raises:
            NotFound: No such customer.
        """
        return await self._read(_key(id_or_number, "id_or_number"))

    async def create(self, **fields: Unpack[CustomerFields]) -> Customer:
        """Create a customer (``POST /customers``); ``name`` is required.

        Raises:
            UsageError: No name, or an attribute v1 does not take (before any I/O).
        """
        return await self._create(fields)

    async def update(self, id: str, **changes: Unpack[CustomerFields]) -> Customer:
        """Change a customer (``PUT /customers/{id}``) and return it as stored."""
        return await self._update(id, changes)

    async def archive(self, id: str) -> Customer:
        """Archive a customer (``DELETE /customers/{id}/archive``); it stays readable."""
        return await self._archive(id)

    async def restore(self, id: str) -> Customer:
        """Restore an archived customer (``POST /customers/{id}/restore``)."""
        return await self._restore(id)


class ProductGroups(_Records[ProductGroup]):
    """``client.product_groups``: list, get, create, update, archive, restore."""

    __slots__ = ()
    _model = ProductGroup
    _plural = "product_groups"
    _singular = "product_group"
    _writable = ProductGroupFields

    def list(
        self,
        *,
        tag: str | None = None,
        collection: str | None = None,
        collection_id: str | None = None,
        per: int | None = None,
        **options: Unpack[ListOptions],
    ) -> Paginator[ProductGroup]:
        """List product groups (``GET /product_groups``).

        Args:
            tag: Only groups with this tag.
            collection: Only groups in the collection with this slug.
            collection_id: Only groups in the collection with this id.
            per: Records per page (default 100).
            **options: Paginator settings.
        """
        params = {"tag": tag, "collection": collection, "collection_id": collection_id}
        return self._listing(params, per, options)

    async def get(self, id: str) -> ProductGroup:
        """Get one product group with its products (``GET /product_groups/{id}``)."""
        return await self._read(check_record_id(id))

    async def create(self, **fields: Unpack[ProductGroupFields]) -> ProductGroup:
        """Create a product group (``POST /product_groups``); ``name`` is required.

        ``trackable`` can only be set here (it defaults to false).
        """
        return await self._create(fields)

    async def update(self, id: str, **changes: Unpack[ProductGroupFields]) -> ProductGroup:
        """Change a product group (``PUT /product_groups/{id}``)."""
        return await self._update(id, changes)

    async def archive(self, id: str) -> ProductGroup:
        """Archive a product group (``DELETE /product_groups/{id}/archive``)."""
        return await self._archive(id)

    async def restore(self, id: str) -> ProductGroup:
        """Restore an archived product group (``POST /product_groups/{id}/restore``)."""
        return await self._restore(id)


def _moment(value: object, what: str) -> str:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, str) and value.strip():
        return value
    raise UsageError(f"{what} must be a datetime, a date or an ISO 8601 string, got {value!r}")


class Products(_Resource):
    """``client.products``: availability and prices of one product."""

    __slots__ = ()

    async def availability(
        self,
        product_id: str,
        *,
        from_: datetime | date | str,
        till: datetime | date | str,
        interval: Literal["minute", "hour", "day", "week", "month"] = "day",
    ) -> tuple[AvailabilityPoint, ...]:
        """Availability per interval (``GET /products/{id}/availability``).

        Args:
            product_id: The product (not its group).
            from_: Start of the period (sent as ``from``).
            till: End of the period.
            interval: Length of each point.

        Returns:
            The points, in time order.
        """
        if interval not in INTERVALS:
            raise UsageError(f"interval must be one of {', '.join(INTERVALS)}, got {interval!r}")
        params = {
            "from": _moment(from_, "from_"),
            "till": _moment(till, "till"),
            "interval": interval,
        }
        path = ("products", check_record_id(product_id, "product_id"), "availability")
        response = await self._session.request("GET", path, params=params)
        return decode_availability(response.payload)

    async def prices(self, product_id: str) -> tuple[PriceStructure, ...]:
        """The product's price structures with their tiles (``GET /products/{id}/prices``)."""
        path = ("products", check_record_id(product_id, "product_id"), "prices")
        response = await self._session.request("GET", path)
        return decode_prices(response.payload)


def _ids(ids: object) -> dict[str, int | list[str]]:
    # {product_id: quantity} for bulk products, {product_id: [stock item ids]} for
    # trackable ones (v1 docs, "Book order's items").
    if not isinstance(ids, Mapping) or not ids:
        raise UsageError(
            "ids must map product ids to a quantity or a list of stock item ids, "
            f"got {redact_repr(ids)}"
        )
    out: dict[str, int | list[str]] = {}
    for product_id, value in ids.items():
        check_record_id(product_id, "a product id in ids")
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            out[product_id] = value
        elif (
            isinstance(value, Sequence)
            and not isinstance(value, str)
            and value
            and all(isinstance(v, str) and v for v in value)
        ):
            out[product_id] = list(value)
        else:
            raise UsageError(
                f"ids[{product_id!r}] must be a quantity >= 1 or a list of stock item ids, "
                f"got {redact_repr(value)}"
            )
    return out


class Orders(_Records[Order]):
    """``client.orders``: list and search, get, create, update, booking and status actions."""

    __slots__ = ()
    _model = Order
    _plural = "orders"
    _singular = "order"
    _writable = OrderFields

    def list(
        self, q: str | None = None, *, per: int | None = None, **options: Unpack[ListOptions]
    ) -> Paginator[Order]:
        """List orders, newest first, each with its customer (``GET /orders``).

        Args:
            q: Search term (every order where it shows up).
            per: Records per page (default 100).
            **options: Paginator settings.
        """
        return self._listing({"q": q}, per, options)

    def search(
        self, q: str, *, per: int | None = None, **options: Unpack[ListOptions]
    ) -> Paginator[Order]:
        """Search orders for a term (``GET /orders?q=...``).

        Raises:
            UsageError: An empty term.
        """
        if not isinstance(q, str) or not q.strip():
            raise UsageError(f"search needs a non-empty term, got {redact_repr(q)}")
        return self.list(q, per=per, **options)

    async def get(self, id_or_number: str | int) -> Order:
        """Get one order by id or number, with lines and plannings (``GET /orders/{id}``)."""
        return await self._read(_key(id_or_number, "id"))

    async def create(self, **fields: Unpack[OrderFields]) -> Order:
        """Create an order (``POST /orders``); it starts in status ``new``."""
        return await self._create(fields)

    async def update(self, id: str, **changes: Unpack[OrderFields]) -> Order:
        """Change an order (``PUT /orders/{id}``) and return it as stored."""
        return await self._update(id, changes)

    async def _action(
        self, id: str, action: str, *, json: Any = NOTHING, params: Any = None
    ) -> Order:
        path = ("orders", check_record_id(id), action)
        return await self._one(Order, "order", "POST", path, json=json, params=params)

    async def book(self, id: str, ids: Mapping[str, int | Sequence[str]]) -> Order:
        """Book products on the order (``POST /orders/{id}/book``).

        Args:
            id: The order.
            ids: ``{product_id: quantity}``, or ``{product_id: [stock item ids]}`` for
                specific stock items of a trackable product.

        Raises:
            ShortageError: A reserved order would run short (``items_not_available``).
        """
        return await self._action(id, "book", json={"ids": _ids(ids)})

    async def start(self, id: str, ids: Mapping[str, int | Sequence[str]]) -> Order:
        """Start (hand out) booked items (``POST /orders/{id}/start``)."""
        return await self._action(id, "start", json={"ids": _ids(ids)})

    async def stop(self, id: str, ids: Mapping[str, int | Sequence[str]]) -> Order:
        """Stop (take back) started items (``POST /orders/{id}/stop``)."""
        return await self._action(id, "stop", json={"ids": _ids(ids)})

    async def concept(self, id: str) -> Order:
        """Save a ``new`` order as a concept, making it visible (``POST .../concept``)."""
        return await self._action(id, "concept")

    async def reserve(self, id: str) -> Order:
        """Reserve the order and its products (``POST /orders/{id}/reserve``).

        Raises:
            ShortageError: Products are not available in the quantities needed
                (``items_not_available``; ``err.blocking`` lists them).
        """
        return await self._action(id, "reserve")

    async def cancel(self, id: str) -> Order:
        """Cancel the order, freeing what it reserved (``POST /orders/{id}/cancel``)."""
        return await self._action(id, "cancel")

    async def archive(self, id: str) -> Order:
        """Archive the order (``POST /orders/{id}/archive``)."""
        return await self._action(id, "archive")

    async def duplicate(self, id: str) -> Order:
        """Copy the order into a new one and return the copy (``POST .../duplicate``)."""
        return await self._action(id, "duplicate")

    async def recalculate_prices(self, id: str) -> Order:
        """Recalculate the order's prices (``POST /orders/{id}/recalculate_prices``)."""
        return await self._action(id, "recalculate_prices")

    async def revert(self, id: str, status: Literal["concept", "reserved", "started"]) -> Order:
        """Move the order back to an earlier status (``POST /orders/{id}/revert``).

        Args:
            id: The order.
            status: ``concept`` (from reserved, started, stopped), ``reserved`` (from
                started, stopped) or ``started`` (from stopped).
        """
        if status not in REVERT_STATUSES:
            raise UsageError(
                f"status must be one of {', '.join(REVERT_STATUSES)}, got {redact_repr(status)}"
            )
        return await self._action(id, "revert", params={"status": status})

    async def available(self, id: str) -> dict[str, OrderAvailability]:
        """What is available for the order's period, by product group (``GET .../available``)."""
        path = ("orders", check_record_id(id), "available")
        response = await self._session.request("GET", path)
        return decode_order_availability(response.payload)


class Lines(_Resource):
    """``client.lines``: the lines of an order."""

    __slots__ = ()

    async def create(self, order_id: str, **fields: Unpack[LineFields]) -> Line:
        """Add a line to an order (``POST /orders/{order_id}/lines``)."""
        body = _fields("line", fields, LineFields, create=True)
        path = ("orders", check_record_id(order_id, "order_id"), "lines")
        return await self._one(Line, "line", "POST", path, json=body)

    async def update(self, order_id: str, id: str, **changes: Unpack[LineFields]) -> Line:
        """Change a line (``PUT /orders/{order_id}/lines/{id}``)."""
        body = _fields("line", changes, LineFields, create=False)
        path = ("orders", check_record_id(order_id, "order_id"), "lines", check_record_id(id))
        return await self._one(Line, "line", "PUT", path, json=body)

    async def delete(self, order_id: str, id: str) -> Line | None:
        """Remove a line (``DELETE /orders/{order_id}/lines/{id}``).

        Returns:
            The removed line, or ``None`` when the answer is empty.
        """
        path = ("orders", check_record_id(order_id, "order_id"), "lines", check_record_id(id))
        response = await self._session.request("DELETE", path)
        if response.payload is None:
            return None
        return decode_record(Line, unwrap(response.payload, "line"), pointer="/line")


class Plannings(_Resource):
    """``client.plannings``: remove a planning from an order."""

    __slots__ = ()

    async def delete(self, order_id: str, id: str) -> Planning | None:
        """Remove a planning (``DELETE /orders/{order_id}/plannings/{id}``).

        Returns:
            The removed planning, or ``None`` when the answer is empty.
        """
        path = (
            "orders",
            check_record_id(order_id, "order_id"),
            "plannings",
            check_record_id(id),
        )
        response = await self._session.request("DELETE", path)
        if response.payload is None:
            return None
        return decode_record(Planning, unwrap(response.payload, "planning"), pointer="/planning")


_TAG_TARGETS = ("order_id", "customer_id", "product_group_id", "bundle_id", "document_id")


def _tag_params(name: str, targets: Mapping[str, str | None]) -> dict[str, str]:
    if not isinstance(name, str) or not name.strip():
        raise UsageError(f"a tag needs a non-empty name, got {redact_repr(name)}")
    given = {k: v for k, v in targets.items() if v is not None}
    if len(given) != 1:
        raise UsageError(f"tag exactly one record: pass one of {', '.join(_TAG_TARGETS)}")
    ((target, record_id),) = given.items()
    return {target: check_record_id(record_id, target), "name": name}


class Tags(_Resource):
    """``client.tags``: add a tag to a record, or remove it."""

    __slots__ = ()

    async def add(
        self,
        name: str,
        *,
        order_id: str | None = None,
        customer_id: str | None = None,
        product_group_id: str | None = None,
        bundle_id: str | None = None,
        document_id: str | None = None,
    ) -> None:
        """Tag one record (``POST /tags/add?order_id=...&name=...``).

        Raises:
            UsageError: No name, or not exactly one record named.
        """
        params = _tag_params(
            name,
            {
                "order_id": order_id,
                "customer_id": customer_id,
                "product_group_id": product_group_id,
                "bundle_id": bundle_id,
                "document_id": document_id,
            },
        )
        await self._session.request("POST", ("tags", "add"), params=params)

    async def remove(
        self,
        name: str,
        *,
        order_id: str | None = None,
        customer_id: str | None = None,
        product_group_id: str | None = None,
        bundle_id: str | None = None,
        document_id: str | None = None,
    ) -> None:
        """Remove a tag from one record (``POST /tags/remove?order_id=...&name=...``)."""
        params = _tag_params(
            name,
            {
                "order_id": order_id,
                "customer_id": customer_id,
                "product_group_id": product_group_id,
                "bundle_id": bundle_id,
                "document_id": document_id,
            },
        )
        await self._session.request("POST", ("tags", "remove"), params=params)
