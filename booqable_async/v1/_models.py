"""Typed records of Booqable's API v1: plain JSON objects, money in cents and as decimals.

Shapes from Booqable's legacy documentation (``booqable/api-documentation``: customers,
products, orders, lines, planning, tags). Every field but ``id`` may be missing or
``null`` in an answer (list answers carry fewer members than single records) and reads
as ``None`` (or ``()`` for lists); members the model does not name are kept in
:attr:`V1Record.extra`, never dropped. Amounts are integers in cents
(``price_in_cents``); the ``*_as_decimal`` companions are :class:`~decimal.Decimal`.
Timestamps are aware :class:`~datetime.datetime` values (v1 writes them in UTC).

Build one from parsed JSON with :func:`booqable_async.v1.decode_record`; the client
does it for you.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Any

import attrs

__all__ = [
    "RECORD_TYPES",
    "AvailabilityPoint",
    "Customer",
    "Facet",
    "FacetTerm",
    "Line",
    "ListMeta",
    "Note",
    "Order",
    "OrderAvailability",
    "Planning",
    "PriceStructure",
    "PriceTile",
    "Product",
    "ProductGroup",
    "Property",
    "StockItem",
    "V1Record",
]


@attrs.frozen(kw_only=True)
class V1Record:
    """Fields every v1 record has.

    Attributes:
        id: The record's id (a UUID; v1 also accepts customer and order numbers in URLs).
        created_at: When the record was created.
        updated_at: When it last changed.
        extra: Members of the answer this model does not name (kept as sent).
    """

    id: str
    created_at: datetime | None = None
    updated_at: datetime | None = None
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False, eq=False)


@attrs.frozen(kw_only=True)
class Note(V1Record):
    """A note on a customer or an order.

    Attributes:
        body: The text.
        notable_type: ``Customer`` or ``Order``.
        notable_id: The record the note is on.
        employee_id: Who wrote it.
    """

    body: str | None = None
    notable_type: str | None = None
    notable_id: str | None = None
    employee_id: str | None = None


@attrs.frozen(kw_only=True)
class Property(V1Record):
    """A custom property (``Property::Address``, ``Property::Phone``...).

    Attributes:
        type: The property class (``Property::Address``).
        name: Its label (``Main``, ``Phone``).
        value: The value of a one-value property.
        address1: Address line 1 (addresses).
        address2: Address line 2.
        zipcode: Postal code.
        city: City.
        region: Region or state.
        country: Country.
    """

    type: str | None = None
    name: str | None = None
    value: str | None = None
    address1: str | None = None
    address2: str | None = None
    zipcode: str | None = None
    city: str | None = None
    region: str | None = None
    country: str | None = None


@attrs.frozen(kw_only=True)
class Customer(V1Record):
    """A customer (``GET /customers/{id or number}``).

    Attributes:
        number: The customer's number (unique; usable instead of the id in URLs).
        name: Name.
        email: E-mail address.
        archived: Archived customers are hidden from searches, still readable by id.
        tax_region_id: The tax region.
        discount_percentage: Standard discount.
        deposit_type: How the deposit is computed.
        deposit_value: Deposit amount or percentage.
        tags: Tags.
        avatar_url: Avatar image.
        order_count: Orders of this customer.
        turnover: Revenue from this customer, as a decimal.
        properties: Custom properties (single records).
        notes: Notes (single records).
        orders: The customer's orders (single records; partial orders).
    """

    number: int | None = None
    name: str | None = None
    email: str | None = None
    archived: bool | None = None
    tax_region_id: str | None = None
    discount_percentage: Decimal | None = None
    deposit_type: str | None = None
    deposit_value: Decimal | None = None
    tags: tuple[str, ...] = ()
    avatar_url: str | None = None
    order_count: int | None = None
    turnover: Decimal | None = None
    properties: tuple[Property, ...] = ()
    notes: tuple[Note, ...] = ()
    orders: tuple[Order, ...] = ()


@attrs.frozen(kw_only=True)
class Planning(V1Record):
    """A product booked on an order for its period.

    Attributes:
        order_id: The order.
        item_id: The product.
        quantity: Amount booked.
        price_each_in_cents: Price per unit.
        reserved: Whether the stock is reserved.
        started: Units started.
        stopped: Units stopped.
        charge_label: Label of the price charge.
        charge_length: Length of the charge in seconds.
    """

    order_id: str | None = None
    item_id: str | None = None
    quantity: int | None = None
    price_each_in_cents: int | None = None
    reserved: bool | None = None
    started: int | None = None
    stopped: int | None = None
    charge_label: str | None = None
    charge_length: int | None = None


@attrs.frozen(kw_only=True)
class Line(V1Record):
    """A line on an order (a booked product, or a custom charge).

    Attributes:
        order_id: The order.
        title: Text of the line.
        quantity: Amount (v1 writes ``1.0``).
        price_each_in_cents: Price per unit.
        price_in_cents: Total price.
        price_with_tax_in_cents: Total price with tax.
        display_price_in_cents: Price as shown (with or without tax, by setting).
        position: Position on the order.
        planning_id: The planning of a product line.
        tax_category_id: The tax category.
        order: The order (answers to line writes nest it).
    """

    order_id: str | None = None
    title: str | None = None
    quantity: Decimal | None = None
    price_each_in_cents: int | None = None
    price_in_cents: int | None = None
    price_with_tax_in_cents: int | None = None
    display_price_in_cents: int | None = None
    position: int | None = None
    planning_id: str | None = None
    tax_category_id: str | None = None
    order: Order | None = None


@attrs.frozen(kw_only=True)
class Order(V1Record):
    """An order (``GET /orders/{id or number}``).

    Attributes:
        number: The order number (given when it leaves ``new``).
        status: ``new``, ``concept``, ``reserved``, ``started``, ``stopped``,
            ``canceled`` or ``archived``.
        starts_at: Start of the rental period.
        stops_at: End of the rental period.
        customer_id: The customer.
        customer: The customer, nested in list answers.
        price_in_cents: Price without tax.
        price_with_tax_in_cents: Price with tax.
        grand_total_in_cents: Total without tax.
        grand_total_with_tax_in_cents: Total with tax.
        paid_in_cents: Paid so far.
        deposit_in_cents: Deposit.
        deposit_paid_in_cents: Deposit paid.
        discount_in_cents: Discount.
        discount_percentage: Discount as a percentage.
        deposit_type: How the deposit is computed.
        deposit_value: Deposit amount or percentage.
        tax_region_id: The tax region.
        item_count: Items booked.
        tags: Tags.
        item_ids: Products booked.
        stock_item_ids: Stock items booked.
        price_as_decimal: ``price_in_cents`` as a decimal.
        grand_total_as_decimal: ``grand_total_in_cents`` as a decimal.
        grand_total_with_tax_as_decimal: ``grand_total_with_tax_in_cents`` as a decimal.
        paid_as_decimal: ``paid_in_cents`` as a decimal.
        deposit_as_decimal: ``deposit_in_cents`` as a decimal.
        lines: Lines (single records).
        plannings: Plannings (single records).
        notes: Notes (single records).
        properties: Custom properties (single records).
    """

    number: int | None = None
    status: str | None = None
    starts_at: datetime | None = None
    stops_at: datetime | None = None
    customer_id: str | None = None
    customer: Customer | None = None
    price_in_cents: int | None = None
    price_with_tax_in_cents: int | None = None
    grand_total_in_cents: int | None = None
    grand_total_with_tax_in_cents: int | None = None
    paid_in_cents: int | None = None
    deposit_in_cents: int | None = None
    deposit_paid_in_cents: int | None = None
    discount_in_cents: int | None = None
    discount_percentage: Decimal | None = None
    deposit_type: str | None = None
    deposit_value: Decimal | None = None
    tax_region_id: str | None = None
    item_count: int | None = None
    tags: tuple[str, ...] = ()
    item_ids: tuple[str, ...] = ()
    stock_item_ids: tuple[str, ...] = ()
    price_as_decimal: Decimal | None = None
    grand_total_as_decimal: Decimal | None = None
    grand_total_with_tax_as_decimal: Decimal | None = None
    paid_as_decimal: Decimal | None = None
    deposit_as_decimal: Decimal | None = None
    lines: tuple[Line, ...] = ()
    plannings: tuple[Planning, ...] = ()
    notes: tuple[Note, ...] = ()
    properties: tuple[Property, ...] = ()


@attrs.frozen(kw_only=True)
class StockItem(V1Record):
    """One unit of a trackable product.

    Attributes:
        identifier: Its identifier (serial number, label).
        item_id: The product.
        status: ``available``, ``started``...
    """

    identifier: str | None = None
    item_id: str | None = None
    status: str | None = None


@attrs.frozen(kw_only=True)
class Product(V1Record):
    """A product (a variation of a product group; what orders book).

    Attributes:
        name: Name.
        sku: SKU.
        quantity: Amount of stock.
        product_group_id: Its product group.
        base_price_in_cents: Base price.
        variation_values: Values of a variation (``["128GB", "Spacegray"]``).
        stock_items: Stock items (product group records nest them).
    """

    name: str | None = None
    sku: str | None = None
    quantity: int | None = None
    product_group_id: str | None = None
    base_price_in_cents: int | None = None
    variation_values: tuple[str, ...] = ()
    stock_items: tuple[StockItem, ...] = ()


@attrs.frozen(kw_only=True)
class ProductGroup(V1Record):
    """A product group (``GET /product_groups/{id}``).

    Attributes:
        name: Name.
        slug: URL name.
        sku: SKU (without variations).
        lag_time: Seconds blocked after a rental (v4: ``buffer_time_after``).
        lead_time: Seconds blocked before a rental (v4: ``buffer_time_before``).
        always_available: Never short.
        trackable: Each stock item has its own identifier.
        archived: Archived groups are hidden.
        archived_at: When it was archived.
        description: Description.
        show_in_store: Listed in the web shop.
        base_price_in_cents: Base price.
        price_type: ``simple``, ``structure``...
        price_period: ``hour``, ``day``, ``week``, ``month`` or ``year``.
        tax_category_id: The tax category.
        flat_fee_price_in_cents: Flat fee.
        structure_price_in_cents: Price by structure.
        deposit_in_cents: Deposit.
        products_count: Products (variations) in the group.
        stock_count: Stock items in the group.
        has_variations: Whether it has several products.
        tags: Tags.
        base_price_as_decimal: ``base_price_in_cents`` as a decimal.
        flat_fee_price_as_decimal: ``flat_fee_price_in_cents`` as a decimal.
        deposit_as_decimal: ``deposit_in_cents`` as a decimal.
        products: Products (single records).
        properties: Custom properties (single records).
        notes: Notes (single records).
    """

    name: str | None = None
    slug: str | None = None
    sku: str | None = None
    lag_time: int | None = None
    lead_time: int | None = None
    always_available: bool | None = None
    trackable: bool | None = None
    archived: bool | None = None
    archived_at: datetime | None = None
    description: str | None = None
    show_in_store: bool | None = None
    base_price_in_cents: int | None = None
    price_type: str | None = None
    price_period: str | None = None
    tax_category_id: str | None = None
    flat_fee_price_in_cents: int | None = None
    structure_price_in_cents: int | None = None
    deposit_in_cents: int | None = None
    products_count: int | None = None
    stock_count: int | None = None
    has_variations: bool | None = None
    tags: tuple[str, ...] = ()
    base_price_as_decimal: Decimal | None = None
    flat_fee_price_as_decimal: Decimal | None = None
    deposit_as_decimal: Decimal | None = None
    products: tuple[Product, ...] = ()
    properties: tuple[Property, ...] = ()
    notes: tuple[Note, ...] = ()


@attrs.frozen(kw_only=True)
class AvailabilityPoint:
    """A product's availability in one interval (``GET /products/{id}/availability``).

    Attributes:
        at: Start of the interval (the answer's key).
        available: Units available.
        reserved: Units reserved.
        concept: Units on concept orders.
        total: Units in stock.
        date: The interval's date, when given.
        interval: ``minute``, ``hour``, ``day``, ``week`` or ``month``.
    """

    at: datetime
    available: int | None = None
    reserved: int | None = None
    concept: int | None = None
    total: int | None = None
    date: date | None = None
    interval: str | None = None


@attrs.frozen(kw_only=True)
class OrderAvailability:
    """What is available for an order's period, per product group (``GET .../available``).

    Attributes:
        product_group_id: The product group (the answer's key).
        available: Units available.
        available_stock_ids: Free stock items of a trackable group.
    """

    product_group_id: str
    available: int | None = None
    available_stock_ids: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class PriceTile:
    """One step of a price structure.

    Attributes:
        name: Label.
        length: Seconds the step covers.
        multiplier: Price multiplier.
        quantity: Periods covered.
        period: ``hour``, ``day``...
        price_in_cents: Price of the step.
    """

    name: str | None = None
    length: int | None = None
    multiplier: Decimal | None = None
    quantity: Decimal | None = None
    period: str | None = None
    price_in_cents: int | None = None


@attrs.frozen(kw_only=True)
class PriceStructure:
    """A product's price structure (``GET /products/{id}/prices``).

    Attributes:
        id: The structure's id (``None`` for a product's computed default).
        tiles: Its steps.
    """

    id: str | None = None
    tiles: tuple[PriceTile, ...] = ()


@attrs.frozen(kw_only=True)
class FacetTerm:
    """One value of a facet and how many records carry it.

    Attributes:
        term: The value (a tag, a status).
        count: Records with it.
    """

    term: str
    count: int


@attrs.frozen(kw_only=True)
class Facet:
    """Counts over a whole listing (``meta.facets.tag_list``, ``meta.facets.status``).

    Attributes:
        type: The facet kind (``terms``).
        missing: Records without a value.
        total: Values counted.
        other: Values not listed.
        terms: The values with their counts.
    """

    type: str | None = None
    missing: int | None = None
    total: int | None = None
    other: int | None = None
    terms: tuple[FacetTerm, ...] = ()


@attrs.frozen(kw_only=True)
class ListMeta:
    """The ``meta`` of a listing: facts about the whole collection, not one page.

    Read it from a page: ``ListMeta.from_meta((await client.orders.list()).meta)``.

    Attributes:
        total_count: Records in the collection.
        total_item_count: Items over all orders (order listings).
        facets: Facets by name (``tag_list``, ``status``).
    """

    total_count: int | None = None
    total_item_count: int | None = None
    facets: Mapping[str, Facet] = attrs.field(factory=dict)

    @classmethod
    def from_meta(cls, meta: Mapping[str, Any]) -> ListMeta:
        """Read a listing's ``meta`` object.

        Raises:
            DecodeError: It is not a v1 listing's ``meta``.
        """
        from booqable_async.v1._decode import decode_meta

        return decode_meta(meta)


#: The model of each v1 record class, by its type name (``Customer`` -> ``customers``):
#: what a version 1 webhook's ``data`` decodes into.
RECORD_TYPES: Mapping[str, type[V1Record]] = MappingProxyType(
    {
        "customers": Customer,
        "orders": Order,
        "product_groups": ProductGroup,
        "products": Product,
        "stock_items": StockItem,
        "lines": Line,
        "plannings": Planning,
        "notes": Note,
        "properties": Property,
    }
)
