"""Hand-written models that follow the convention generated models use (docs/decoding.md).

One class per JSON:API type: ``@attrs.define(eq=False, repr=False)``, a ``jsonapi_type``
ClassVar, attributes declared with ``attribute(...)`` and flags from the catalog,
relationships as ``ToOne[...]``/``ToMany[...]`` class attributes with their target types.
Wire names that are not usable Python names get a trailing underscore and ``name=``.
"""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

import attrs

from booqable_async.jsonapi import Registry, Resource, Timestamp, ToMany, ToOne, attribute


@attrs.define(eq=False, repr=False)
class Customer(Resource):
    """A customer (type ``customers``)."""

    jsonapi_type: ClassVar[str] = "customers"

    created_at: Timestamp | None = attribute(readonly=True)
    updated_at: Timestamp | None = attribute(readonly=True)
    archived: bool | None = attribute(readonly=True)
    archived_at: Timestamp | None = attribute(readonly=True, nullable=True)
    number: int | None = attribute(readonly=True)
    name: str | None = attribute()
    email: str | None = attribute(nullable=True)
    deposit_type: str | None = attribute()
    deposit_value: float | None = attribute()
    discount_percentage: float | None = attribute()
    legal_type: str | None = attribute()
    email_marketing_consented: bool | None = attribute()
    email_marketing_consent_updated_at: Timestamp | None = attribute(readonly=True)
    order_count: int | None = attribute(readonly=True, extra=True)
    revenue_in_cents: int | None = attribute(readonly=True, extra=True)
    properties: dict[str, Any] | None = attribute(readonly=True)
    properties_attributes: list[Any] | None = attribute(writeonly=True)
    tag_list: list[str] | None = attribute()
    stripe_id: str | None = attribute(nullable=True)
    merge_suggestion_customer_id: str | None = attribute(readonly=True)
    tax_region_id: str | None = attribute(nullable=True)

    # The wire name "properties" is also an attribute: the relationship gets a "_".
    properties_ = ToMany["Property"]("properties", name="properties")
    merge_suggestion_customer = ToOne["Customer"]("customers")
    tax_region = ToOne["Resource"]("tax_regions")
    barcode = ToOne["Resource"]("barcodes")


@attrs.define(eq=False, repr=False)
class Order(Resource):
    """An order (type ``orders``)."""

    jsonapi_type: ClassVar[str] = "orders"

    created_at: Timestamp | None = attribute(readonly=True)
    updated_at: Timestamp | None = attribute(readonly=True)
    number: int | None = attribute(readonly=True)
    status: str | None = attribute(readonly_after_create=True)
    statuses: list[str] | None = attribute(readonly=True)
    status_counts: dict[str, Any] | None = attribute(readonly=True)
    starts_at: Timestamp | None = attribute()
    stops_at: Timestamp | None = attribute()
    deposit_type: str | None = attribute()
    deposit_value: float | None = attribute()
    entirely_started: bool | None = attribute(readonly=True)
    entirely_stopped: bool | None = attribute(readonly=True)
    location_shortage: bool | None = attribute(readonly=True)
    shortage: bool | None = attribute(readonly=True)
    payment_status: str | None = attribute(readonly=True)
    override_period_restrictions: bool | None = attribute()
    has_signed_contract: bool | None = attribute(readonly=True)
    item_count: int | None = attribute(readonly=True)
    tag_list: list[str] | None = attribute()
    properties: dict[str, Any] | None = attribute(readonly=True)
    amount_in_cents: int | None = attribute(readonly=True)
    amount_paid_in_cents: int | None = attribute(readonly=True)
    amount_to_be_paid_in_cents: int | None = attribute(readonly=True)
    deposit_in_cents: int | None = attribute(readonly=True)
    deposit_held_in_cents: int | None = attribute(readonly=True)
    deposit_paid_in_cents: int | None = attribute(readonly=True)
    deposit_to_be_paid_in_cents: int | None = attribute(readonly=True)
    deposit_refunded_in_cents: int | None = attribute(readonly=True)
    deposit_to_refund_in_cents: int | None = attribute(readonly=True)
    total_in_cents: int | None = attribute(readonly=True)
    total_paid_in_cents: int | None = attribute(readonly=True)
    total_to_be_paid_in_cents: int | None = attribute(readonly=True)
    total_discount_in_cents: int | None = attribute(readonly=True)
    coupon_discount_in_cents: int | None = attribute(readonly=True)
    discount_in_cents: int | None = attribute(readonly=True)
    grand_total_in_cents: int | None = attribute(readonly=True)
    grand_total_with_tax_in_cents: int | None = attribute(readonly=True)
    paid_in_cents: int | None = attribute(readonly=True)
    price_in_cents: int | None = attribute(readonly=True)
    tax_in_cents: int | None = attribute(readonly=True)
    to_be_paid_in_cents: int | None = attribute(readonly=True)
    discount_type: str | None = attribute()
    discount_percentage: float | None = attribute()
    billing_address_property_id: str | None = attribute()
    delivery_address_property_id: str | None = attribute()
    fulfillment_type: str | None = attribute()
    delivery_address: str | None = attribute(nullable=True)
    customer_id: str | None = attribute(nullable=True)
    tax_region_id: str | None = attribute(nullable=True)
    coupon_id: str | None = attribute(nullable=True)
    start_location_id: str | None = attribute()
    stop_location_id: str | None = attribute()
    order_delivery_rate_id: str | None = attribute(nullable=True)
    confirm_shortage: bool | None = attribute(writeonly=True)

    customer = ToOne["Customer"]("customers")
    lines = ToMany["Line"]("lines")
    plannings = ToMany["Planning"]("plannings")
    properties_ = ToMany["Property"]("properties", name="properties")
    start_location = ToOne["Resource"]("locations")
    stop_location = ToOne["Resource"]("locations")
    tax_region = ToOne["Resource"]("tax_regions")
    coupon = ToOne["Resource"]("coupons")


@attrs.define(eq=False, repr=False)
class Product(Resource):
    """A product (type ``products``); ``type`` is also one of its attributes."""

    jsonapi_type: ClassVar[str] = "products"

    created_at: Timestamp | None = attribute(readonly=True)
    updated_at: Timestamp | None = attribute(readonly=True)
    type_: str | None = attribute(name="type", readonly=True)
    archived: bool | None = attribute(readonly=True)
    archived_at: Timestamp | None = attribute(readonly=True)
    name: str | None = attribute()
    group_name: str | None = attribute(readonly=True)
    slug: str | None = attribute()
    sku: str | None = attribute()
    product_type: str | None = attribute(readonly_after_create=True)
    tracking_type: str | None = attribute(readonly_after_create=True)
    trackable: bool | None = attribute(readonly=True)
    base_price_in_cents: int | None = attribute()
    deposit_in_cents: int | None = attribute()
    tag_list: list[str] | None = attribute()
    properties: dict[str, Any] | None = attribute(readonly=True)
    variation_values: list[str] | None = attribute()
    product_group_id: str | None = attribute(readonly_after_create=True)

    product_group = ToOne["Resource"]("product_groups")
    properties_ = ToMany["Property"]("properties", name="properties")


@attrs.define(eq=False, repr=False)
class Bundle(Resource):
    """A bundle (type ``bundles``), one of the three ``items`` types."""

    jsonapi_type: ClassVar[str] = "bundles"

    name: str | None = attribute()
    type_: str | None = attribute(name="type", readonly=True)
    archived: bool | None = attribute(readonly=True)


@attrs.define(eq=False, repr=False)
class Line(Resource):
    """An order line (type ``lines``); ``item`` is polymorphic."""

    jsonapi_type: ClassVar[str] = "lines"

    created_at: Timestamp | None = attribute(readonly=True)
    updated_at: Timestamp | None = attribute(readonly=True)
    archived: bool | None = attribute(readonly=True)
    archived_at: Timestamp | None = attribute(readonly=True)
    title: str | None = attribute()
    extra_information: str | None = attribute()
    quantity: int | None = attribute()
    original_price_each_in_cents: int | None = attribute(readonly=True)
    original_charge_length: int | None = attribute(readonly=True)
    original_charge_label: str | None = attribute(readonly=True)
    price_each_in_cents: int | None = attribute()
    price_in_cents: int | None = attribute(readonly=True)
    position: int | None = attribute()
    nested_position: int | None = attribute(readonly=True)
    charge_label: str | None = attribute()
    charge_length: int | None = attribute()
    price_rule_values: dict[str, Any] | None = attribute(readonly=True)
    discountable: bool | None = attribute()
    taxable: bool | None = attribute()
    line_type: str | None = attribute(readonly_after_create=True)
    relevant: bool | None = attribute(readonly=True)
    order_id: str | None = attribute(readonly_after_create=True)
    item_id: str | None = attribute(readonly_after_create=True)
    tax_category_id: str | None = attribute()
    price_structure_id: str | None = attribute()
    price_tile_id: str | None = attribute()
    planning_id: str | None = attribute(readonly=True)
    parent_line_id: str | None = attribute(readonly=True)
    bundle_item_id: str | None = attribute(readonly=True)
    owner_id: str | None = attribute(readonly_after_create=True)
    owner_type: str | None = attribute(readonly_after_create=True)
    confirm_shortage: bool | None = attribute(writeonly=True)

    order = ToOne["Order"]("orders")
    owner = ToOne["Order | Resource"]("orders", "documents")
    item = ToOne["Product | Bundle | Resource"]("product_groups", "products", "bundles")
    planning = ToOne["Planning"]("plannings")
    nested_lines = ToMany["Line"]("lines")
    parent_line = ToOne["Line"]("lines")


@attrs.define(eq=False, repr=False)
class Planning(Resource):
    """A planning (type ``plannings``)."""

    jsonapi_type: ClassVar[str] = "plannings"

    created_at: Timestamp | None = attribute(readonly=True)
    updated_at: Timestamp | None = attribute(readonly=True)
    archived: bool | None = attribute(readonly=True)
    archived_at: Timestamp | None = attribute(readonly=True)
    planning_type: str | None = attribute(readonly=True)
    quantity: int | None = attribute()
    starts_at: Timestamp | None = attribute()
    stops_at: Timestamp | None = attribute()
    reserved_from: Timestamp | None = attribute(readonly=True)
    reserved_till: Timestamp | None = attribute(readonly=True)
    reserved: bool | None = attribute()
    status: str | None = attribute(readonly=True)
    started: int | None = attribute(readonly=True)
    stopped: int | None = attribute(readonly=True)
    location_shortage_amount: int | None = attribute(readonly=True)
    shortage_amount: int | None = attribute(readonly=True)
    order_id: str | None = attribute(readonly=True)
    item_id: str | None = attribute(readonly=True)
    downtime_id: str | None = attribute(readonly=True)
    start_location_id: str | None = attribute(readonly=True)
    stop_location_id: str | None = attribute(readonly=True)
    parent_planning_id: str | None = attribute(readonly=True)

    order = ToOne["Order"]("orders")
    item = ToOne["Product | Bundle | Resource"]("product_groups", "products", "bundles")


@attrs.define(eq=False, repr=False)
class Property(Resource):
    """A custom property (type ``properties``); ``owner`` is polymorphic."""

    jsonapi_type: ClassVar[str] = "properties"

    name: str | None = attribute()
    identifier: str | None = attribute()
    value: Any = attribute()
    property_type: str | None = attribute(readonly_after_create=True)
    owner_id: str | None = attribute(readonly_after_create=True)
    owner_type: str | None = attribute(readonly_after_create=True)

    owner = ToOne["Customer | Order | Product | Resource"](
        "customers", "documents", "orders", "product_groups", "stock_items"
    )


@attrs.define(eq=False, repr=False)
class Holiday(Resource):
    """A small model with a ``date`` attribute (not a Booqable type: dates are rare)."""

    jsonapi_type: ClassVar[str] = "test_holidays"

    day: date | None = attribute()
    from_: Timestamp | None = attribute(name="from")
    token: str | None = attribute(secret=True)


#: Registry of the test models, keyed by their jsonapi_type.
REGISTRY = Registry([Customer, Order, Product, Bundle, Line, Planning, Property, Holiday])
