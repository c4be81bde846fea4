"""Render the fake's records (stored in v4 shape) the way Booqable's API v1 shows them.

Facts (Booqable's v1 documentation, the example records of customers, orders, product
groups, lines and planning): plain JSON objects; timestamps in UTC with milliseconds
and ``Z``; money as ``*_in_cents`` integers with ``*_as_decimal`` companions; ``tags``
for v4's ``tag_list``; the status v4 calls ``draft`` is ``concept``; product groups say
``lead_time``/``lag_time`` for v4's ``buffer_time_before``/``buffer_time_after``; list
answers carry fewer members than single records, which nest their notes, properties,
lines and plannings (and a customer's orders).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from booqable_async.testing._context import Context
from booqable_async.testing._store import Record
from booqable_async.testing._values import parse_datetime

__all__ = [
    "V1_STATUS",
    "V4_STATUS",
    "customer",
    "facet",
    "line",
    "matches",
    "order",
    "planning",
    "product",
    "product_group",
    "single",
    "timestamp",
]

#: v4 order status -> v1 order status.
V1_STATUS = {"draft": "concept"}
#: v1 order status -> v4 order status.
V4_STATUS = {"concept": "draft"}


def timestamp(value: Any) -> str | None:
    """Render a stored timestamp as v1 does: ``2018-01-15T15:27:52.172Z``."""
    if not isinstance(value, str) or not value:
        return None
    moment = parse_datetime(value)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _decimal(cents: Any) -> float:
    return int(cents or 0) / 100


def _common(record: Record) -> dict[str, Any]:
    return {
        "id": record["id"],
        "created_at": timestamp(record.get("created_at")),
        "updated_at": timestamp(record.get("updated_at")),
        "legacy_id": None,
    }


def _notes(ctx: Context, owner_id: str, notable_type: str) -> list[dict[str, Any]]:
    return [
        {
            **_common(note),
            "body": note.get("body"),
            "notable_type": notable_type,
            "notable_id": owner_id,
            "employee_id": note.get("employee_id"),
        }
        for note in ctx.store.find_by("notes", "owner_id", owner_id)
    ]


def _properties(ctx: Context, owner_id: str) -> list[dict[str, Any]]:
    out = []
    for prop in ctx.store.find_by("properties", "owner_id", owner_id):
        kind = str(prop.get("property_type") or "text_field")
        out.append(
            {
                **_common(prop),
                "type": "Property::" + "".join(p.title() for p in kind.split("_")),
                "name": prop.get("name"),
                "value": prop.get("value"),
                **{
                    k: prop.get(k)
                    for k in ("address1", "address2", "zipcode", "city", "region", "country")
                },
            }
        )
    return out


def customer(ctx: Context, record: Record, *, full: bool = False) -> dict[str, Any]:
    """A v1 customer; ``full`` adds notes, properties and orders (a single record)."""
    out: dict[str, Any] = {
        **_common(record),
        "number": record.get("number"),
        "name": record.get("name"),
        "email": record.get("email"),
        "archived": bool(record.get("archived")),
        "tax_region_id": record.get("tax_region_id"),
        "discount_percentage": record.get("discount_percentage") or 0.0,
        "deposit_type": record.get("deposit_type"),
        "deposit_value": record.get("deposit_value") or 0.0,
        "tags": list(record.get("tag_list") or []),
        "avatar_url": None,
        "order_count": len(ctx.store.find_by("orders", "customer_id", record["id"])),
        "turnover": f"{_decimal(record.get('revenue_in_cents')):.1f}",
    }
    if full:
        out["properties"] = _properties(ctx, record["id"])
        out["notes"] = _notes(ctx, record["id"], "Customer")
        out["orders"] = [
            order(ctx, o) for o in ctx.store.find_by("orders", "customer_id", record["id"])
        ]
    return out


def planning(record: Record) -> dict[str, Any]:
    """A v1 planning."""
    return {
        **_common(record),
        "order_id": record.get("order_id"),
        "item_id": record.get("item_id"),
        "quantity": record.get("quantity"),
        "price_each_in_cents": record.get("price_each_in_cents"),
        "reserved": bool(record.get("reserved")),
        "started": record.get("started") or 0,
        "stopped": record.get("stopped") or 0,
        "charge_label": record.get("charge_label"),
        "charge_length": record.get("charge_length"),
    }


def line(ctx: Context, record: Record, *, with_order: bool = False) -> dict[str, Any]:
    """A v1 line; ``with_order`` nests its order (the answer to a line write)."""
    out: dict[str, Any] = {
        **_common(record),
        "order_id": record.get("order_id") or record.get("owner_id"),
        "title": record.get("title"),
        "quantity": float(record.get("quantity") or 0),
        "price_each_in_cents": record.get("price_each_in_cents"),
        "price_in_cents": record.get("price_in_cents"),
        "price_with_tax_in_cents": record.get("price_in_cents"),
        "display_price_in_cents": record.get("price_in_cents"),
        "position": record.get("position"),
        "planning_id": record.get("planning_id"),
        "tax_category_id": record.get("tax_category_id"),
    }
    if with_order:
        found = ctx.store.get("orders", str(out["order_id"]))
        out["order"] = None if found is None else order(ctx, found[1])
    return out


# Amounts an order also shows as decimals (v1 order example).
_ORDER_DECIMALS = (
    "price_in_cents",
    "grand_total_in_cents",
    "grand_total_with_tax_in_cents",
    "paid_in_cents",
    "deposit_in_cents",
)


def _active(records: Iterable[Record]) -> list[Record]:
    return [r for r in records if not r.get("archived")]


def order(
    ctx: Context, record: Record, *, full: bool = False, with_customer: bool = False
) -> dict[str, Any]:
    """A v1 order; ``full`` adds lines, plannings, notes and properties."""
    plannings = _active(ctx.store.find_by("plannings", "order_id", record["id"]))
    stock_item_ids = [
        s.get("stock_item_id")
        for p in plannings
        for s in ctx.store.find_by("stock_item_plannings", "planning_id", p["id"])
        if not s.get("archived")
    ]
    status = str(record.get("status") or "new")
    cents = {
        "price_in_cents": record.get("price_in_cents") or 0,
        "price_with_tax_in_cents": record.get("grand_total_with_tax_in_cents") or 0,
        "grand_total_in_cents": record.get("grand_total_in_cents") or 0,
        "grand_total_with_tax_in_cents": record.get("grand_total_with_tax_in_cents") or 0,
        "paid_in_cents": record.get("paid_in_cents") or 0,
        "deposit_in_cents": record.get("deposit_in_cents") or 0,
        "deposit_paid_in_cents": record.get("deposit_paid_in_cents") or 0,
        "discount_in_cents": record.get("discount_in_cents") or 0,
    }
    out: dict[str, Any] = {
        **_common(record),
        "number": record.get("number"),
        "status": V1_STATUS.get(status, status),
        "starts_at": timestamp(record.get("starts_at")),
        "stops_at": timestamp(record.get("stops_at")),
        "customer_id": record.get("customer_id"),
        **cents,
        "discount_percentage": record.get("discount_percentage") or 0.0,
        "deposit_type": record.get("deposit_type"),
        "deposit_value": record.get("deposit_value") or 0.0,
        "tags": list(record.get("tag_list") or []),
        "tax_region_id": record.get("tax_region_id"),
        "item_count": record.get("item_count") or 0,
        "item_ids": sorted({str(p.get("item_id")) for p in plannings if p.get("item_id")}),
        "stock_item_ids": [s for s in stock_item_ids if s],
        **{
            name.replace("_in_cents", "_as_decimal"): _decimal(cents[name])
            for name in _ORDER_DECIMALS
        },
    }
    if with_customer:
        found = ctx.store.get("customers", str(record.get("customer_id")))
        out["customer"] = None if found is None else customer(ctx, found[1])
    if full:
        lines = _active(ctx.store.find_by("lines", "order_id", record["id"]))
        out["lines"] = [line(ctx, r) for r in sorted(lines, key=lambda r: r.get("position") or 0)]
        out["plannings"] = [planning(p) for p in plannings]
        out["notes"] = _notes(ctx, record["id"], "Order")
        out["properties"] = _properties(ctx, record["id"])
        out["tax_values"] = []
    return out


def _stock_items(ctx: Context, product_id: str) -> list[dict[str, Any]]:
    return [
        {
            **_common(s),
            "identifier": s.get("identifier"),
            "item_id": product_id,
            "status": "available" if s.get("status") == "in_stock" else s.get("status"),
        }
        for s in ctx.store.find_by("stock_items", "product_id", product_id)
        if not s.get("archived")
    ]


def _product(record: Record, stock_items: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        **_common(record),
        "name": record.get("name"),
        "sku": record.get("sku"),
        "quantity": len(stock_items),
        "product_group_id": record.get("product_group_id"),
        "base_price_in_cents": record.get("base_price_in_cents"),
        "variation_values": list(record.get("variation_values") or []),
        "stock_items": stock_items,
    }


def product(ctx: Context, record: Record) -> dict[str, Any]:
    """A v1 product with its stock items (as a product group nests it)."""
    return _product(record, _stock_items(ctx, record["id"]))


def product_group(ctx: Context, record: Record, *, full: bool = False) -> dict[str, Any]:
    """A v1 product group; ``full`` adds its products (with stock items), properties, notes."""
    products = _active(ctx.store.find_by("products", "product_group_id", record["id"]))
    stock = {p["id"]: _stock_items(ctx, p["id"]) for p in products}
    cents = {
        "base_price_in_cents": record.get("base_price_in_cents") or 0,
        "flat_fee_price_in_cents": record.get("flat_fee_price_in_cents") or 0,
        "structure_price_in_cents": record.get("structure_price_in_cents") or 0,
        "deposit_in_cents": record.get("deposit_in_cents") or 0,
    }
    out: dict[str, Any] = {
        **_common(record),
        "name": record.get("name"),
        "slug": record.get("slug"),
        "sku": record.get("sku"),
        "lag_time": record.get("buffer_time_after") or 0,
        "lead_time": record.get("buffer_time_before") or 0,
        "always_available": record.get("tracking_type") == "none",
        "trackable": record.get("tracking_type") == "trackable",
        "archived": bool(record.get("archived")),
        "archived_at": timestamp(record.get("archived_at")),
        "description": record.get("description"),
        "show_in_store": bool(record.get("show_in_store")),
        "price_type": record.get("price_type"),
        "price_period": record.get("price_period"),
        "tax_category_id": record.get("tax_category_id"),
        **cents,
        "products_count": len(products),
        "stock_count": sum(len(items) for items in stock.values()),
        "has_variations": bool(record.get("has_variations")),
        "tags": list(record.get("tag_list") or []),
        **{
            name.replace("_in_cents", "_as_decimal"): _decimal(value)
            for name, value in cents.items()
            if name != "structure_price_in_cents"
        },
    }
    if full:
        out["products"] = [_product(p, stock[p["id"]]) for p in products]
        out["properties"] = _properties(ctx, record["id"])
        out["notes"] = _notes(ctx, record["id"], "ProductGroup")
    return out


def single(ctx: Context, type_name: str, record: Record) -> dict[str, Any] | None:
    """A record as v1 shows it on its own (``GET /customers/{id}``...), or ``None``.

    Customers, orders and product groups as their ``GET`` answers them; products as
    their group nests them. Other types have no v1 shape here (``None``).
    """
    if type_name == "customers":
        return customer(ctx, record, full=True)
    if type_name == "orders":
        return order(ctx, record, full=True)
    if type_name == "product_groups":
        return product_group(ctx, record, full=True)
    if type_name == "products":
        return product(ctx, record)
    return None


def facet(values: Iterable[Any], *, total: int) -> dict[str, Any]:
    """A v1 ``terms`` facet over ``values`` (one per record; lists count each member)."""
    counts: dict[str, int] = {}
    missing = 0
    for value in values:
        members = value if isinstance(value, list) else [value] if value else []
        if not members:
            missing += 1
        for member in members:
            counts[str(member)] = counts.get(str(member), 0) + 1
    terms = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return {
        "_type": "terms",
        "missing": missing,
        "total": sum(counts.values()) if counts else 0,
        "other": 0,
        "terms": [{"term": term, "count": count} for term, count in terms],
    }


def matches(record: Mapping[str, Any], term: str, fields: Iterable[str]) -> bool:
    """True when ``term`` occurs (case-insensitive) in one of ``fields`` (v1 ``q=``)."""
    needle = term.lower()
    return any(needle in str(record.get(name) or "").lower() for name in fields)
