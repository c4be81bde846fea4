"""The names of Booqable's webhook events: an open string enum.

Booqable lists 45 event names for ``webhook_endpoints.events`` (webhook endpoints docs,
"Subscribe to webhook events"). The list grows over time, so an unknown name is still an
:class:`EventName` (it compares equal to its string and never raises); only
:attr:`EventName.is_known` tells it apart.
"""

from __future__ import annotations

import enum
from typing import Any

__all__ = ["EVENT_NAMES", "EventName", "resource_type_of"]


class EventName(str, enum.Enum):
    """A webhook event name (``order.reserved``): known members plus any other string.

    ``EventName("order.reserved") is EventName.ORDER_RESERVED``; ``EventName("x.y")`` is an
    unknown member that equals ``"x.y"``, with ``is_known`` False. Members are strings, so
    ``event.event == "order.reserved"`` works either way.
    """

    APP_CONFIGURED = "app.configured"
    APP_INSTALLED = "app.installed"
    APP_PLAN_CHANGED = "app.plan_changed"
    APP_UNINSTALLED = "app.uninstalled"
    BUNDLE_ARCHIVED = "bundle.archived"
    BUNDLE_CREATED = "bundle.created"
    BUNDLE_UPDATED = "bundle.updated"
    BUNDLE_ITEM_ARCHIVED = "bundle_item.archived"
    BUNDLE_ITEM_CREATED = "bundle_item.created"
    BUNDLE_ITEM_UPDATED = "bundle_item.updated"
    CART_COMPLETED_CHECKOUT = "cart.completed_checkout"
    COMPANY_DESTROYED = "company.destroyed"
    COMPANY_UPDATED = "company.updated"
    CONTRACT_ARCHIVED = "contract.archived"
    CONTRACT_CONFIRMED = "contract.confirmed"
    CONTRACT_CREATED = "contract.created"
    CONTRACT_SIGNED = "contract.signed"
    CONTRACT_UPDATED = "contract.updated"
    CUSTOMER_ARCHIVED = "customer.archived"
    CUSTOMER_CREATED = "customer.created"
    CUSTOMER_UPDATED = "customer.updated"
    INVOICE_ARCHIVED = "invoice.archived"
    INVOICE_CREATED = "invoice.created"
    INVOICE_FINALIZED = "invoice.finalized"
    INVOICE_REVISED = "invoice.revised"
    INVOICE_UPDATED = "invoice.updated"
    ORDER_ARCHIVED = "order.archived"
    ORDER_CANCELED = "order.canceled"
    ORDER_RESERVED = "order.reserved"
    ORDER_REVERTED = "order.reverted"
    ORDER_SAVED_AS_CONCEPT = "order.saved_as_concept"
    ORDER_SAVED_AS_DRAFT = "order.saved_as_draft"
    ORDER_STARTED = "order.started"
    ORDER_STOPPED = "order.stopped"
    ORDER_UPDATED = "order.updated"
    PAYMENT_COMPLETED = "payment.completed"
    PRODUCT_CREATED = "product.created"
    PRODUCT_GROUP_ARCHIVED = "product_group.archived"
    PRODUCT_GROUP_CREATED = "product_group.created"
    PRODUCT_GROUP_UPDATED = "product_group.updated"
    QUOTE_ARCHIVED = "quote.archived"
    QUOTE_CONFIRMED = "quote.confirmed"
    QUOTE_CREATED = "quote.created"
    QUOTE_SIGNED = "quote.signed"
    QUOTE_UPDATED = "quote.updated"

    @classmethod
    def _missing_(cls, value: object) -> Any:
        # An unknown name becomes a member that is not cached: a sender inventing names
        # must not grow a table in this process.
        if isinstance(value, str) and value:
            member = str.__new__(cls, value)
            member._name_ = value
            member._value_ = value
            return member
        return None

    @property
    def is_known(self) -> bool:
        """True for one of the 45 documented names."""
        return self._value_ in _KNOWN

    @property
    def subject(self) -> str:
        """The part before the dot: ``order`` for ``order.reserved``."""
        return self._value_.partition(".")[0]

    @property
    def action(self) -> str:
        """The part after the dot: ``reserved`` for ``order.reserved``."""
        return self._value_.partition(".")[2]

    @property
    def resource_type(self) -> str | None:
        """The JSON:API type the event is about (``orders``), or None when not known."""
        return resource_type_of(self._value_)

    def __str__(self) -> str:
        return str(self._value_)

    def __repr__(self) -> str:
        if self.is_known:
            return f"EventName.{self._name_}"
        return f"EventName({self._value_!r})"


#: The 45 documented event names, in the catalog's order.
EVENT_NAMES: tuple[str, ...] = tuple(member.value for member in EventName)
_KNOWN = frozenset(EVENT_NAMES)

# Event subject -> the v4 resource type deliveries carry in ``resource_type``. Quotes,
# contracts and invoices are all ``documents`` (documents docs: document_type); app
# events concern the app's subscription (apps docs, "Webhook payload example").
_SUBJECT_TYPES = {
    "app": "app_subscriptions",
    "bundle": "bundles",
    "bundle_item": "bundle_items",
    "company": "companies",
    "contract": "documents",
    "customer": "customers",
    "invoice": "documents",
    "order": "orders",
    "payment": "payments",
    "product": "products",
    "product_group": "product_groups",
    "quote": "documents",
}


def resource_type_of(event: str) -> str | None:
    """Return the resource type an event name concerns (``orders`` for ``order.updated``).

    Args:
        event: An event name, known or not.

    Returns:
        The JSON:API type, or None when the subject is not one Booqable documents.
    """
    return _SUBJECT_TYPES.get(event.partition(".")[0])
