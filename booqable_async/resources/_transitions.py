"""``client.order_status_transitions`` helpers (hand-written base of the generated facade).

``POST /order_status_transitions`` moves an order from ``transition_from`` to
``transition_to`` (catalog notes: answers 200; ``started``/``stopped`` only with
``revert=true``, since starting and stopping items is what moves an order there; reserving
gives the order its number and may fail with a shortage 422 whose warnings
``confirm_shortage=true`` overrides; a canceled order cannot come back; wrong transitions
fail with code ``wrong_status``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from booqable_async.errors import UsageError
from booqable_async.jsonapi import Resource
from booqable_async.models._actions import StatusTransition
from booqable_async.models._generated.order_status_transitions import OrderStatusTransition
from booqable_async.resources._base import Facade
from booqable_async.resources._fulfillments import record_id

if TYPE_CHECKING:
    from booqable_async.resources._base import Fields, Include

__all__ = ["TransitionActions"]


class TransitionActions(Facade[OrderStatusTransition]):
    """Typed status transitions of an order.

    Each method takes the order as an id or a record. The transition needs the order's
    current status: pass ``from_status=``, or an order record whose ``status`` is loaded;
    otherwise the facade reads it first (``GET /orders/{id}?fields[orders]=status``, one
    extra request).
    """

    __slots__ = ()

    async def transition(
        self,
        order: object,
        transition: StatusTransition,
        *,
        include: Include = None,
        fields: Fields = None,
    ) -> OrderStatusTransition:
        """Send one status transition.

        Args:
            order: The order id or record.
            transition: What to do (``StatusTransition.reserve()``...).
            include: Relationship paths to include in the answer (``"order"`` returns the
                order in its new status).
            fields: Sparse fieldsets of the answer.

        Returns:
            The transition record.

        Raises:
            UsageError: A bad value, before any request.
            ShortageError: Reserving found items not available (only warnings: resend with
                ``confirm_shortage=True``).
            UnprocessableEntity: ``wrong_status`` and other refusals.
        """
        if not isinstance(transition, StatusTransition):
            raise UsageError(f"transition must be a StatusTransition, got {transition!r}")
        order_id = record_id(order, "order")
        if transition.transition_from is None:
            status = await self._status_of(order, order_id)
            transition = StatusTransition(
                transition_to=transition.transition_to,
                transition_from=status,
                revert=transition.revert,
                confirm_shortage=transition.confirm_shortage,
            )
        return await self._create(transition.to_attributes(order_id), include, fields)

    async def reserve(
        self,
        order: object,
        *,
        from_status: str | None = None,
        confirm_shortage: bool = False,
        include: Include = None,
        fields: Fields = None,
    ) -> OrderStatusTransition:
        """Reserve an order: it gets its number and its items become unavailable to others.

        Args:
            order: The order id or record.
            from_status: Its current status (``draft`` or ``new``); looked up when omitted.
            confirm_shortage: Accept shortage warnings (see ``ShortageError``).
            include: Relationship paths to include in the answer.
            fields: Sparse fieldsets of the answer.

        Returns:
            The transition record.

        Raises:
            ShortageError: Items are not available for the order's period.
            UnprocessableEntity: The order cannot be reserved from its status.
        """
        step = StatusTransition.reserve(from_status=from_status, confirm_shortage=confirm_shortage)
        return await self.transition(order, step, include=include, fields=fields)

    async def save_as_draft(
        self,
        order: object,
        *,
        from_status: str | None = None,
        include: Include = None,
        fields: Fields = None,
    ) -> OrderStatusTransition:
        """Save a new order as a draft (``new`` -> ``draft``).

        Args:
            order: The order id or record.
            from_status: Its current status; looked up when omitted.
            include: Relationship paths to include in the answer.
            fields: Sparse fieldsets of the answer.

        Returns:
            The transition record.
        """
        step = StatusTransition.save_as_draft(from_status=from_status)
        return await self.transition(order, step, include=include, fields=fields)

    async def start(
        self,
        order: object,
        *,
        from_status: str | None = None,
        include: Include = None,
        fields: Fields = None,
    ) -> OrderStatusTransition:
        """Move a stopped order back to ``started`` (a revert).

        To hand out items, use ``client.order_fulfillments.start_product(...)``: starting
        items is what moves an order to ``started``.

        Args:
            order: The order id or record.
            from_status: Its current status; looked up when omitted.
            include: Relationship paths to include in the answer.
            fields: Sparse fieldsets of the answer.

        Returns:
            The transition record.
        """
        step = StatusTransition.start(from_status=from_status)
        return await self.transition(order, step, include=include, fields=fields)

    async def stop(
        self,
        order: object,
        *,
        from_status: str | None = None,
        include: Include = None,
        fields: Fields = None,
    ) -> OrderStatusTransition:
        """Move an archived order back to ``stopped`` (a revert).

        To take items back, use ``client.order_fulfillments.stop_product(...)``: stopping
        every item is what moves an order to ``stopped``.

        Args:
            order: The order id or record.
            from_status: Its current status; looked up when omitted.
            include: Relationship paths to include in the answer.
            fields: Sparse fieldsets of the answer.

        Returns:
            The transition record.
        """
        step = StatusTransition.stop(from_status=from_status)
        return await self.transition(order, step, include=include, fields=fields)

    async def archive(
        self,
        order: object,
        *,
        from_status: str | None = None,
        include: Include = None,
        fields: Fields = None,
    ) -> OrderStatusTransition:
        """Archive an order (a stopped one; a reserved order answers ``wrong_status``).

        Args:
            order: The order id or record.
            from_status: Its current status; looked up when omitted.
            include: Relationship paths to include in the answer.
            fields: Sparse fieldsets of the answer.

        Returns:
            The transition record.
        """
        step = StatusTransition.archive(from_status=from_status)
        return await self.transition(order, step, include=include, fields=fields)

    async def cancel(
        self,
        order: object,
        *,
        from_status: str | None = None,
        include: Include = None,
        fields: Fields = None,
    ) -> OrderStatusTransition:
        """Cancel an order (needs the ``cancel_orders`` permission; there is no way back).

        Args:
            order: The order id or record.
            from_status: Its current status; looked up when omitted.
            include: Relationship paths to include in the answer.
            fields: Sparse fieldsets of the answer.

        Returns:
            The transition record.
        """
        step = StatusTransition.cancel(from_status=from_status)
        return await self.transition(order, step, include=include, fields=fields)

    async def revert(
        self,
        order: object,
        to: str,
        *,
        from_status: str | None = None,
        include: Include = None,
        fields: Fields = None,
    ) -> OrderStatusTransition:
        """Move an order back to an earlier status (needs the ``revert_orders`` permission).

        Args:
            order: The order id or record.
            to: The earlier status (``draft`` for a reserved order...).
            from_status: Its current status; looked up when omitted.
            include: Relationship paths to include in the answer.
            fields: Sparse fieldsets of the answer.

        Returns:
            The transition record.
        """
        step = StatusTransition.revert_to(to, from_status=from_status)
        return await self.transition(order, step, include=include, fields=fields)

    async def _status_of(self, order: object, order_id: str) -> str:
        if isinstance(order, Resource) and order.type == "orders":
            status = getattr(order, "status", None)  # None when not loaded
            if isinstance(status, str) and status:
                return status
        doc = await self._request(
            "GET", ("orders", order_id), params=[("fields[orders]", "status")]
        )
        status = getattr(doc.data, "status", None)
        if not isinstance(status, str) or not status:
            raise UsageError(f"could not read the status of order {order_id}; pass from_status=")
        return status
