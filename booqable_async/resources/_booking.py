"""``client.orders.book(...)``: the documented booking flow in one call (hand-written).

Booqable's booking flow (orders, order_fulfillments and order_status_transitions docs):

1. create the order (it starts empty; a ``draft`` unless you say otherwise);
2. book its items with one ``order_fulfillments`` request (atomic: all or nothing);
3. reserve it with an ``order_status_transitions`` request (``draft`` -> ``reserved``),
   which is where availability is enforced: a shortage answers 422, and warnings (not
   blocking entries) can be accepted with ``confirm_shortage=true``.

See docs/booking.md for each step done by hand.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from booqable_async.errors import BookingError, BooqableError, UsageError
from booqable_async.models._actions import BookProduct, FulfillmentAction, action_list
from booqable_async.models._generated.orders import Order
from booqable_async.resources._base import Facade

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from booqable_async.models._generated.order_fulfillments import OrderFulfillment
    from booqable_async.models._generated.order_status_transitions import OrderStatusTransition
    from booqable_async.models._generated.orders import OrderCreate

__all__ = ["Booking", "OrderBooking"]


@attrs.frozen
class Booking:
    """What :meth:`OrderBooking.book` did.

    Attributes:
        order: The order as the last step answered (``reserved`` after a reservation).
        fulfillment: The ``order_fulfillments`` record that booked the items (its
            ``changed_lines`` and ``changed_plannings`` are included).
        transition: The reservation's ``order_status_transitions`` record, or ``None``
            with ``reserve=False``.
    """

    order: Order
    fulfillment: OrderFulfillment
    transition: OrderStatusTransition | None = None


def _actions(items: Mapping[str, int] | Sequence[FulfillmentAction]) -> list[FulfillmentAction]:
    if isinstance(items, Mapping):
        return [BookProduct(product_id=pid, quantity=qty) for pid, qty in items.items()]
    return list(items)  # action_list() refuses anything that is not an action


class OrderBooking(Facade[Order]):
    """The booking convenience of ``client.orders``."""

    __slots__ = ()

    async def book(
        self,
        items: Mapping[str, int] | Sequence[FulfillmentAction],
        *,
        reserve: bool = True,
        **attributes: Unpack[OrderCreate],
    ) -> Booking:
        """Create an order, book its items and reserve it: Booqable's booking flow.

        Three requests: ``POST /orders`` (as a ``draft`` unless ``status`` is given),
        ``POST /order_fulfillments`` with one action per item, and
        ``POST /order_status_transitions`` (``draft`` -> ``reserved``, including the
        order). Every argument is checked before the first request.

        Args:
            items: ``{product_id: quantity}``, or actions (``BookProduct``,
                ``BookStockItems``, ``BookBundle``) for more control.
            reserve: Reserve the order at the end (``False`` leaves a draft).
            **attributes: The order's attributes (``customer_id``, ``starts_at``,
                ``stops_at``...). ``confirm_shortage=True`` is not sent with the order: it
                accepts shortage warnings when booking and reserving.

        Returns:
            The :class:`Booking`: order, fulfillment and transition records.

        Raises:
            UsageError: Bad items or attributes (nothing was sent).
            BookingError: The order was created but booking or reserving failed; the
                draft order stays (``err.order_id``), ``err.cause`` says why
                (``err.shortage`` for a :class:`~booqable_async.errors.ShortageError`).
            ApiError: Creating the order failed (nothing was created).
        """
        from booqable_async.resources._generated.order_fulfillments import OrderFulfillmentsFacade
        from booqable_async.resources._generated.order_status_transitions import (
            OrderStatusTransitionsFacade,
        )

        actions = _actions(items)
        action_list(actions)  # validates every action before anything is sent
        order_attributes: dict[str, Any] = dict(attributes)
        confirm_shortage = bool(order_attributes.pop("confirm_shortage", False))
        order_attributes.setdefault("status", "draft")
        order = await self._create(order_attributes, None, None)
        order_id = order.id
        if order_id is None:  # pragma: no cover - the server always returns the id
            raise BookingError("create", "", UsageError("the created order has no id"))
        fulfillments = OrderFulfillmentsFacade(self._session, registry=self._registry)
        transitions = OrderStatusTransitionsFacade(self._session, registry=self._registry)
        try:
            fulfillment = await fulfillments.fulfill(
                order_id,
                *actions,
                confirm_shortage=confirm_shortage,
                include=["changed_lines", "changed_plannings"],
            )
        except BooqableError as exc:
            raise BookingError("fulfill", order_id, exc) from exc
        if not reserve:
            return Booking(order=order, fulfillment=fulfillment)
        status = getattr(order, "status", None) or order_attributes["status"]
        try:
            transition = await transitions.reserve(
                order_id, from_status=status, confirm_shortage=confirm_shortage, include="order"
            )
        except BooqableError as exc:
            raise BookingError("reserve", order_id, exc) from exc
        reserved = getattr(transition, "order", None)  # not loaded: the answer left it out
        if not isinstance(reserved, Order):
            reserved = await self._get(order_id, None, None, None)
        return Booking(order=reserved, fulfillment=fulfillment, transition=transition)
