"""``client.order_fulfillments`` booking actions (hand-written base of the generated facade).

Booqable books, specifies, starts and stops items through one command resource:
``POST /order_fulfillments`` with ``order_id``, ``actions`` (each naming its kind) and
``confirm_shortage`` (catalog notes: all actions of one request succeed or fail together;
it answers 200; include ``changed_lines``/``changed_plannings``/
``changed_stock_item_plannings`` to see what changed). These methods build that body from
the typed payloads in :mod:`booqable_async.models` and validate it before any I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from booqable_async.errors import UsageError
from booqable_async.models._actions import (
    BookBundle,
    BookingMode,
    BookProduct,
    BookStockItems,
    FulfillmentAction,
    ProductVariation,
    SpecifyStockItems,
    StartProduct,
    StartStockItems,
    StopProduct,
    StopStockItems,
    action_list,
)
from booqable_async.models._generated.order_fulfillments import OrderFulfillment
from booqable_async.resources._base import Facade

if TYPE_CHECKING:
    from booqable_async.resources._base import Fields, Include

__all__ = ["FulfillmentActions", "record_id"]


def record_id(value: object, what: str) -> str:
    """Return the id of ``value``: an id string, or a record (anything with ``.id``).

    Raises:
        UsageError: Neither a non-empty string nor a record with an id.
    """
    if isinstance(value, str) and value.strip():
        return value
    ident = getattr(value, "id", None)
    if isinstance(ident, str) and ident:
        return ident
    raise UsageError(f"{what} must be an id string or a record with an id, got {value!r}")


class FulfillmentActions(Facade[OrderFulfillment]):
    """Typed booking actions on an order (``POST /order_fulfillments``).

    Every method takes the order (id or record), answers the
    :class:`~booqable_async.models.OrderFulfillment` the server returned, and accepts
    ``confirm_shortage=True`` to accept shortage warnings on reserved or started orders
    (see :class:`~booqable_async.errors.ShortageError`), plus ``include``/``fields`` for
    the answer (``include="changed_lines"`` shows what was booked).
    """

    __slots__ = ()

    async def fulfill(
        self,
        order: object,
        *actions: FulfillmentAction,
        confirm_shortage: bool = False,
        include: Include = None,
        fields: Fields = None,
    ) -> OrderFulfillment:
        """Run one or more actions on an order, atomically (all succeed or none).

        Not every combination of action kinds may share one request (the docs say so
        without listing them); the server answers 422 for one it refuses.

        Args:
            order: The order id or record.
            *actions: ``BookProduct(...)``, ``BookStockItems(...)``, ``BookBundle(...)``,
                ``SpecifyStockItems(...)``, ``StartProduct(...)``...
            confirm_shortage: Accept shortage warnings.
            include: Relationship paths to include in the answer.
            fields: Sparse fieldsets of the answer.

        Returns:
            The fulfillment record.

        Raises:
            UsageError: No actions or a bad value, before any request.
            ShortageError: Items are not available (only warnings: resend with
                ``confirm_shortage=True``).
            UnprocessableEntity: Another validation failure.
        """
        attributes: dict[str, Any] = {
            "order_id": record_id(order, "order"),
            "actions": action_list(actions),
        }
        if confirm_shortage:
            # confirm_shortage belongs on the resource attributes, not inside an action.
            attributes["confirm_shortage"] = True
        return await self._create(attributes, include, fields)

    async def book_product(
        self,
        order: object,
        product: object,
        quantity: int,
        *,
        mode: BookingMode = "create_new",
        planning: object = None,
        confirm_shortage: bool = False,
        include: Include = None,
        fields: Fields = None,
    ) -> OrderFulfillment:
        """Book ``quantity`` of a product on an order (``book_product``).

        Args:
            order: The order id or record.
            product: The product id or record.
            quantity: Units to book.
            mode: ``create_new`` (a new planning), ``update_existing`` (grow
                ``planning``) or ``infer_planning`` (reuse the product's planning).
            planning: The planning (id or record) for ``mode="update_existing"``.
            confirm_shortage: Accept shortage warnings.
            include: Relationship paths to include in the answer.
            fields: Sparse fieldsets of the answer.

        Returns:
            The fulfillment record.

        Raises:
            UsageError: A bad value, before any request.
            ShortageError: Items are not available.
        """
        action = BookProduct(
            product_id=record_id(product, "product"),
            quantity=quantity,
            mode=mode,
            planning_id=_optional(planning, "planning"),
        )
        return await self.fulfill(
            order, action, confirm_shortage=confirm_shortage, include=include, fields=fields
        )

    async def book_stock_items(
        self,
        order: object,
        product: object,
        stock_items: Iterable[object],
        *,
        mode: BookingMode = "create_new",
        planning: object = None,
        confirm_shortage: bool = False,
        include: Include = None,
        fields: Fields = None,
    ) -> OrderFulfillment:
        """Book specific stock items of a trackable product (``book_stock_items``).

        Args:
            order: The order id or record.
            product: The trackable product (id or record).
            stock_items: The stock items (ids or records).
            mode: How the planning is chosen (as in :meth:`book_product`).
            planning: The planning for ``mode="update_existing"``.
            confirm_shortage: Accept shortage warnings.
            include: Relationship paths to include in the answer.
            fields: Sparse fieldsets of the answer.

        Returns:
            The fulfillment record.

        Raises:
            UsageError: A bad value, before any request.
            ShortageError: A stock item is not available.
        """
        action = BookStockItems(
            product_id=record_id(product, "product"),
            stock_item_ids=_ids(stock_items, "stock_items"),
            mode=mode,
            planning_id=_optional(planning, "planning"),
        )
        return await self.fulfill(
            order, action, confirm_shortage=confirm_shortage, include=include, fields=fields
        )

    async def book_bundle(
        self,
        order: object,
        bundle: object,
        quantity: int,
        *,
        variations: Mapping[str, object] | Iterable[ProductVariation] = (),
        confirm_shortage: bool = False,
        include: Include = None,
        fields: Fields = None,
    ) -> OrderFulfillment:
        """Book a bundle (``book_bundle``); ``quantity`` multiplies every product in it.

        Args:
            order: The order id or record.
            bundle: The bundle id or record.
            quantity: Bundles to book.
            variations: The product chosen for each unspecified bundle item, as
                ``{bundle_item_id: product (id or record)}`` or ``ProductVariation``
                values; leave empty when every bundle item is specified.
            confirm_shortage: Accept shortage warnings.
            include: Relationship paths to include in the answer.
            fields: Sparse fieldsets of the answer.

        Returns:
            The fulfillment record.

        Raises:
            UsageError: A bad value, before any request.
            ShortageError: Items are not available.
        """
        if isinstance(variations, Mapping):
            chosen = [
                ProductVariation(bundle_item_id=k, product_id=record_id(v, "product"))
                for k, v in variations.items()
            ]
        else:
            chosen = list(variations)
        action = BookBundle(
            bundle_id=record_id(bundle, "bundle"), quantity=quantity, product_variations=chosen
        )
        return await self.fulfill(
            order, action, confirm_shortage=confirm_shortage, include=include, fields=fields
        )

    async def specify_stock_items(
        self,
        order: object,
        product: object,
        planning: object,
        *,
        add: Iterable[object] = (),
        remove: Iterable[object] = (),
        confirm_shortage: bool = False,
        include: Include = None,
        fields: Fields = None,
    ) -> OrderFulfillment:
        """Assign stock items to a planning, or take them off (``specify_stock_items``).

        Args:
            order: The order id or record.
            product: The trackable product (id or record).
            planning: The planning (id or record).
            add: Stock items (ids or records) to assign.
            remove: Stock items to take off (not started ones).
            confirm_shortage: Accept shortage warnings.
            include: Relationship paths to include in the answer.
            fields: Sparse fieldsets of the answer.

        Returns:
            The fulfillment record.

        Raises:
            UsageError: Nothing to add or remove, or a bad value, before any request.
            ShortageError: A stock item is not available.
        """
        action = SpecifyStockItems(
            product_id=record_id(product, "product"),
            planning_id=record_id(planning, "planning"),
            stock_item_ids_to_add=_ids(add, "add"),
            stock_item_ids_to_remove=_ids(remove, "remove"),
        )
        return await self.fulfill(
            order, action, confirm_shortage=confirm_shortage, include=include, fields=fields
        )

    async def start_product(
        self,
        order: object,
        product: object,
        quantity: int,
        *,
        planning: object = None,
        include: Include = None,
        fields: Fields = None,
    ) -> OrderFulfillment:
        """Start (hand out) ``quantity`` of a booked product (``start_product``).

        Args:
            order: The order id or record.
            product: The product id or record.
            quantity: Units handed out (less than booked is a partial start).
            planning: The planning (id or record), as the docs' examples send.
            include: Relationship paths to include in the answer.
            fields: Sparse fieldsets of the answer.

        Returns:
            The fulfillment record.

        Raises:
            UsageError: A bad value, before any request.
        """
        action = StartProduct(
            product_id=record_id(product, "product"),
            quantity=quantity,
            planning_id=_optional(planning, "planning"),
        )
        return await self.fulfill(order, action, include=include, fields=fields)

    async def start_stock_items(
        self,
        order: object,
        product: object,
        stock_items: Iterable[object],
        *,
        planning: object = None,
        include: Include = None,
        fields: Fields = None,
    ) -> OrderFulfillment:
        """Start (hand out) specific stock items (``start_stock_items``).

        Args:
            order: The order id or record.
            product: The trackable product (id or record).
            stock_items: The stock items handed out (ids or records).
            planning: The planning (id or record).
            include: Relationship paths to include in the answer.
            fields: Sparse fieldsets of the answer.

        Returns:
            The fulfillment record.

        Raises:
            UsageError: A bad value, before any request.
        """
        action = StartStockItems(
            product_id=record_id(product, "product"),
            stock_item_ids=_ids(stock_items, "stock_items"),
            planning_id=_optional(planning, "planning"),
        )
        return await self.fulfill(order, action, include=include, fields=fields)

    async def stop_product(
        self,
        order: object,
        product: object,
        quantity: int,
        *,
        planning: object = None,
        include: Include = None,
        fields: Fields = None,
    ) -> OrderFulfillment:
        """Stop (take back) ``quantity`` of a started product (``stop_product``).

        Args:
            order: The order id or record.
            product: The product id or record.
            quantity: Units returned.
            planning: The planning (id or record).
            include: Relationship paths to include in the answer.
            fields: Sparse fieldsets of the answer.

        Returns:
            The fulfillment record.

        Raises:
            UsageError: A bad value, before any request.
        """
        action = StopProduct(
            product_id=record_id(product, "product"),
            quantity=quantity,
            planning_id=_optional(planning, "planning"),
        )
        return await self.fulfill(order, action, include=include, fields=fields)

    async def stop_stock_items(
        self,
        order: object,
        product: object,
        stock_items: Iterable[object],
        *,
        planning: object = None,
        include: Include = None,
        fields: Fields = None,
    ) -> OrderFulfillment:
        """Stop (take back) specific started stock items (``stop_stock_items``).

        Args:
            order: The order id or record.
            product: The trackable product (id or record).
            stock_items: The stock items returned (ids or records).
            planning: The planning (id or record).
            include: Relationship paths to include in the answer.
            fields: Sparse fieldsets of the answer.

        Returns:
            The fulfillment record.

        Raises:
            UsageError: A bad value, before any request.
        """
        action = StopStockItems(
            product_id=record_id(product, "product"),
            stock_item_ids=_ids(stock_items, "stock_items"),
            planning_id=_optional(planning, "planning"),
        )
        return await self.fulfill(order, action, include=include, fields=fields)


def _optional(value: object, what: str) -> str | None:
    return None if value is None else record_id(value, what)


def _ids(values: Iterable[object], what: str) -> list[str]:
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise UsageError(f"{what} must be a list of ids or records, got {values!r}")
    return [record_id(v, f"{what}[]") for v in values]
