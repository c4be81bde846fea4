"""Booqable's legacy API v1 (``/api/1/``, ``?api_key=``) on the library's session layer.

::

    from booqable_async.v1 import BooqableV1Client

    async with BooqableV1Client(company="acme", api_key="...") as client:
        order = await client.orders.get(1042)           # by id or number
        async for customer in client.customers.list():  # every customer, once
            ...

See docs/v1.md for every endpoint and how v1 maps onto v4.
"""

from __future__ import annotations

from booqable_async.v1._client import BooqableV1Client, V1Options
from booqable_async.v1._decode import decode_record
from booqable_async.v1._models import (
    AvailabilityPoint,
    Customer,
    Facet,
    FacetTerm,
    Line,
    ListMeta,
    Note,
    Order,
    OrderAvailability,
    Planning,
    PriceStructure,
    PriceTile,
    Product,
    ProductGroup,
    Property,
    StockItem,
    V1Record,
)
from booqable_async.v1._profile import BOOQABLE_V1, ENV_V1_BASE_URL, v1_errors
from booqable_async.v1._resources import (
    CustomerFields,
    LineFields,
    ListOptions,
    OrderFields,
    ProductGroupFields,
)

__all__ = [
    "BOOQABLE_V1",
    "ENV_V1_BASE_URL",
    "AvailabilityPoint",
    "BooqableV1Client",
    "Customer",
    "CustomerFields",
    "Facet",
    "FacetTerm",
    "Line",
    "LineFields",
    "ListMeta",
    "ListOptions",
    "Note",
    "Order",
    "OrderAvailability",
    "OrderFields",
    "Planning",
    "PriceStructure",
    "PriceTile",
    "Product",
    "ProductGroup",
    "ProductGroupFields",
    "Property",
    "StockItem",
    "V1Options",
    "V1Record",
    "decode_record",
    "v1_errors",
]
