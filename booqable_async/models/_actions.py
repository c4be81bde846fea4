"""Typed payloads of Booqable's booking commands (hand-written; not generated).

``order_fulfillments`` books, specifies, starts and stops items on an order: its create
body carries ``actions``, a list of objects each naming its kind in ``action`` (catalog
``order_fulfillments.actions``; the docs' "Book", "Specify", "Start" and "Stop"
examples). ``order_status_transitions`` moves an order between statuses
(``transition_from`` -> ``transition_to``, ``revert``, ``confirm_shortage``).

Each class checks its values when built (``UsageError`` before any I/O) and renders the
exact JSON the docs show with :meth:`FulfillmentAction.to_json` /
:meth:`StatusTransition.to_attributes`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, ClassVar, Literal

import attrs

from booqable_async._validation import check_record_id, require_int
from booqable_async.errors import UsageError

__all__ = [
    "BookBundle",
    "BookProduct",
    "BookStockItems",
    "BookingMode",
    "FulfillmentAction",
    "ProductVariation",
    "SpecifyStockItems",
    "StartProduct",
    "StartStockItems",
    "StatusTransition",
    "StopProduct",
    "StopStockItems",
]

#: How ``book_product``/``book_stock_items`` pick the planning: ``create_new`` always adds
#: one, ``update_existing`` grows the given ``planning_id``, ``infer_planning`` reuses the
#: product's planning on the order when there is one.
BookingMode = Literal["create_new", "update_existing", "infer_planning"]
_MODES = ("create_new", "update_existing", "infer_planning")


def _is_id(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    check_record_id(value, attribute.name)


def _is_optional_id(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        check_record_id(value, attribute.name)


def _is_quantity(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    require_int(value, attribute.name, minimum=1)


def _are_ids(_: object, attribute: attrs.Attribute[Any], value: tuple[object, ...]) -> None:
    for item in value:
        check_record_id(item, f"{attribute.name}[]")


def _not_empty(_: object, attribute: attrs.Attribute[Any], value: tuple[object, ...]) -> None:
    if not value:
        raise UsageError(f"{attribute.name} must name at least one stock item")


def _is_mode(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value not in _MODES:
        raise UsageError(f"mode must be one of {', '.join(_MODES)}, got {value!r}")


def _tuple(value: Iterable[str]) -> tuple[str, ...]:
    # A string is iterable too: refuse it rather than booking its characters.
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise UsageError(f"expected a list of ids, got {value!r}")
    return tuple(value)


def _id_field() -> Any:
    return attrs.field(validator=_is_id)


def _optional_id_field() -> Any:
    return attrs.field(default=None, validator=_is_optional_id)


def _ids_field(*, required: bool) -> Any:
    validators = [_are_ids, _not_empty] if required else [_are_ids]
    if required:
        return attrs.field(converter=_tuple, validator=validators)
    return attrs.field(default=(), converter=_tuple, validator=validators)


@attrs.frozen
class FulfillmentAction:
    """Base of the ``order_fulfillments`` actions; :attr:`action` names the kind."""

    action: ClassVar[str] = ""

    def to_json(self) -> dict[str, Any]:
        """Return the action object as the create body's ``actions[]`` entry carries it."""
        out: dict[str, Any] = {"action": self.action}
        for field in attrs.fields(type(self)):
            value = getattr(self, field.name)
            if value is None:
                continue  # optional members are left out, not sent as null
            if isinstance(value, tuple):
                value = [v.to_json() if isinstance(v, ProductVariation) else v for v in value]
            out[field.name] = value
        return out


@attrs.frozen(kw_only=True)
class ProductVariation:
    """Which product fills an unspecified bundle item (``book_bundle``).

    Attributes:
        bundle_item_id: The bundle item (of a product group) to fill.
        product_id: The product variation chosen for it.
    """

    bundle_item_id: str = _id_field()
    product_id: str = _id_field()

    def to_json(self) -> dict[str, str]:
        """Return ``{"bundle_item_id", "product_id"}``."""
        return {"bundle_item_id": self.bundle_item_id, "product_id": self.product_id}


@attrs.frozen(kw_only=True)
class BookProduct(FulfillmentAction):
    """Book a quantity of a product (any product type, trackable included).

    Attributes:
        product_id: The product to book.
        quantity: Units to book (>= 1).
        mode: How the planning is chosen (:data:`BookingMode`); ``update_existing``
            needs ``planning_id``.
        planning_id: The planning to grow with ``mode="update_existing"``.
    """

    action: ClassVar[str] = "book_product"

    product_id: str = _id_field()
    quantity: int = attrs.field(validator=_is_quantity)
    mode: BookingMode = attrs.field(default="create_new", validator=_is_mode)
    planning_id: str | None = _optional_id_field()

    def __attrs_post_init__(self) -> None:
        if self.mode == "update_existing" and self.planning_id is None:
            raise UsageError("mode='update_existing' needs the planning_id to update")


@attrs.frozen(kw_only=True)
class BookStockItems(FulfillmentAction):
    """Book specific stock items of a trackable product.

    The planning's quantity grows when needed to fit the stock items.

    Attributes:
        product_id: The trackable product.
        stock_item_ids: The stock items to book (at least one).
        mode: How the planning is chosen (:data:`BookingMode`).
        planning_id: The planning to grow with ``mode="update_existing"``.
    """

    action: ClassVar[str] = "book_stock_items"

    product_id: str = _id_field()
    stock_item_ids: Sequence[str] = _ids_field(required=True)
    mode: BookingMode = attrs.field(default="create_new", validator=_is_mode)
    planning_id: str | None = _optional_id_field()

    def __attrs_post_init__(self) -> None:
        if self.mode == "update_existing" and self.planning_id is None:
            raise UsageError("mode='update_existing' needs the planning_id to update")


def _variations(value: object) -> tuple[ProductVariation, ...]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise UsageError(f"product_variations must be a list, got {value!r}")
    out = []
    for item in value:
        if isinstance(item, ProductVariation):
            out.append(item)
        elif isinstance(item, dict):
            try:
                out.append(ProductVariation(**item))
            except TypeError:
                raise UsageError(
                    f"product_variations entries need bundle_item_id and product_id, got {item!r}"
                ) from None
        else:
            raise UsageError(f"product_variations entries must be ProductVariation, got {item!r}")
    return tuple(out)


@attrs.frozen(kw_only=True)
class BookBundle(FulfillmentAction):
    """Book a bundle; ``quantity`` multiplies every product in it.

    Specified bundle items are booked automatically and must not be listed; give one
    :class:`ProductVariation` per unspecified item. The list is always sent (empty when
    every item is specified), as the docs require.

    Attributes:
        bundle_id: The bundle to book.
        quantity: Bundles to book (>= 1).
        product_variations: The product chosen for each unspecified bundle item.
    """

    action: ClassVar[str] = "book_bundle"

    bundle_id: str = _id_field()
    quantity: int = attrs.field(validator=_is_quantity)
    product_variations: tuple[ProductVariation, ...] = attrs.field(
        default=(), converter=_variations
    )


@attrs.frozen(kw_only=True)
class SpecifyStockItems(FulfillmentAction):
    """Assign stock items to a planning of a trackable product, or take them off.

    You cannot specify more items than the planning's quantity left, nor remove a stock
    item that was already started. Both lists are always sent, as in the docs.

    Attributes:
        product_id: The trackable product.
        planning_id: The planning whose stock items change.
        stock_item_ids_to_add: Stock items to assign.
        stock_item_ids_to_remove: Stock items to take off (they come back as archived
            stock item plannings).
    """

    action: ClassVar[str] = "specify_stock_items"

    product_id: str = _id_field()
    planning_id: str = _id_field()
    stock_item_ids_to_add: Sequence[str] = _ids_field(required=False)
    stock_item_ids_to_remove: Sequence[str] = _ids_field(required=False)

    def __attrs_post_init__(self) -> None:
        if not self.stock_item_ids_to_add and not self.stock_item_ids_to_remove:
            raise UsageError("specify_stock_items needs stock items to add or to remove")


@attrs.frozen(kw_only=True)
class _ProductQuantity(FulfillmentAction):
    product_id: str = _id_field()
    quantity: int = attrs.field(validator=_is_quantity)
    planning_id: str | None = _optional_id_field()


@attrs.frozen(kw_only=True)
class _ProductStockItems(FulfillmentAction):
    product_id: str = _id_field()
    stock_item_ids: Sequence[str] = _ids_field(required=True)
    planning_id: str | None = _optional_id_field()


@attrs.frozen(kw_only=True)
class StartProduct(_ProductQuantity):
    """Start (hand out) a quantity of a booked product; less than booked is a partial start.

    Starting items moves the order to ``started``.

    Attributes:
        product_id: The product.
        quantity: Units to start (>= 1).
        planning_id: The planning to start from (the docs' examples give it).
    """

    action: ClassVar[str] = "start_product"


@attrs.frozen(kw_only=True)
class StartStockItems(_ProductStockItems):
    """Start (hand out) specific stock items of a booked trackable product.

    Attributes:
        product_id: The trackable product.
        stock_item_ids: The stock items handed out (at least one).
        planning_id: The planning they belong to (the docs' examples give it).
    """

    action: ClassVar[str] = "start_stock_items"


@attrs.frozen(kw_only=True)
class StopProduct(_ProductQuantity):
    """Stop (take back) a started quantity; sales items and services cannot be stopped.

    Stopping every item moves the order to ``stopped``.

    Attributes:
        product_id: The product.
        quantity: Units returned (>= 1, at most the started quantity).
        planning_id: The planning they belong to (the docs' examples give it).
    """

    action: ClassVar[str] = "stop_product"


@attrs.frozen(kw_only=True)
class StopStockItems(_ProductStockItems):
    """Stop (take back) specific started stock items.

    Attributes:
        product_id: The trackable product.
        stock_item_ids: The stock items returned (at least one; only started ones).
        planning_id: The planning they belong to (the docs' examples give it).
    """

    action: ClassVar[str] = "stop_stock_items"


#: Statuses an order can be in (``draft`` was ``concept`` before).
ORDER_STATUSES = ("new", "draft", "reserved", "started", "stopped", "archived", "canceled")


def _is_status(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not value:
        raise UsageError(
            f"{attribute.name} must be an order status ({', '.join(ORDER_STATUSES)}), got {value!r}"
        )


@attrs.frozen(kw_only=True)
class StatusTransition:
    """One ``order_status_transitions`` request: move an order from one status to another.

    Build it with the named constructors, which encode the documented rules: ``started``
    and ``stopped`` are reached by starting and stopping items (``order_fulfillments``),
    so as transitions they only exist with ``revert=True``; ``confirm_shortage`` only
    matters when reserving; a canceled order cannot come back (duplicate it instead).

    Attributes:
        transition_to: Target status.
        transition_from: The order's current status (``None``: looked up by the facade).
        revert: Move back to an earlier status of the general order flow.
        confirm_shortage: Accept shortage warnings (reserving only).
    """

    transition_to: str = attrs.field(validator=_is_status)
    transition_from: str | None = None
    revert: bool = False
    confirm_shortage: bool = False

    @classmethod
    def reserve(
        cls, *, from_status: str | None = None, confirm_shortage: bool = False
    ) -> StatusTransition:
        """Reserve the order (gives it a number and makes its items unavailable to others).

        Args:
            from_status: Current status (``draft`` or ``new``).
            confirm_shortage: Accept shortage warnings (see ``ShortageError``).
        """
        return cls(
            transition_to="reserved",
            transition_from=from_status,
            confirm_shortage=confirm_shortage,
        )

    @classmethod
    def save_as_draft(cls, *, from_status: str | None = None) -> StatusTransition:
        """Save a new order as a draft (``new`` -> ``draft``; a draft was a "concept")."""
        return cls(transition_to="draft", transition_from=from_status)

    @classmethod
    def start(cls, *, from_status: str | None = None) -> StatusTransition:
        """Move a stopped order back to ``started`` (``revert=True``; items start otherwise)."""
        return cls(transition_to="started", transition_from=from_status, revert=True)

    @classmethod
    def stop(cls, *, from_status: str | None = None) -> StatusTransition:
        """Move an archived order back to ``stopped`` (``revert=True``)."""
        return cls(transition_to="stopped", transition_from=from_status, revert=True)

    @classmethod
    def archive(cls, *, from_status: str | None = None) -> StatusTransition:
        """Archive the order (a reserved order cannot be archived: ``wrong_status``)."""
        return cls(transition_to="archived", transition_from=from_status)

    @classmethod
    def cancel(cls, *, from_status: str | None = None) -> StatusTransition:
        """Cancel the order (needs the ``cancel_orders`` permission; there is no way back)."""
        return cls(transition_to="canceled", transition_from=from_status)

    @classmethod
    def revert_to(cls, to: str, *, from_status: str | None = None) -> StatusTransition:
        """Move the order back to an earlier status (needs the ``revert_orders`` permission).

        Args:
            to: The earlier status (``draft`` for a reserved order...).
            from_status: Current status.
        """
        return cls(transition_to=to, transition_from=from_status, revert=True)

    def to_attributes(self, order_id: str) -> dict[str, Any]:
        """Return the create body's attributes for ``order_id``, as the docs' examples show."""
        check_record_id(order_id, "order_id")
        if self.transition_from is None:
            raise UsageError("transition_from is unknown: give from_status=")
        return {
            "order_id": order_id,
            "transition_from": self.transition_from,
            "transition_to": self.transition_to,
            "revert": self.revert or None,
            "confirm_shortage": self.confirm_shortage or None,
        }


def action_list(actions: Sequence[FulfillmentAction]) -> list[dict[str, Any]]:
    """Render ``actions`` for the ``order_fulfillments`` create body.

    Raises:
        UsageError: No actions, or something that is not a ``FulfillmentAction``.
    """
    if not actions:
        raise UsageError("give at least one action (BookProduct(...), StartProduct(...)...)")
    out = []
    for action in actions:
        if not isinstance(action, FulfillmentAction) or not action.action:
            raise UsageError(
                f"actions must be BookProduct, BookStockItems, BookBundle, SpecifyStockItems, "
                f"Start*/Stop* payloads; got {action!r}"
            )
        out.append(action.to_json())
    return out
