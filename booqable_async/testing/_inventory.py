"""Stock changes: stock_adjustments and stock_item_archivations.

Facts implemented (catalog notes and the doc examples of both resources):

- ``stock_adjustments``: a positive ``quantity`` creates that many stock items for the
  product at the location (``prefix`` starts their identifiers; a future ``from`` makes them
  ``expected``, a ``till`` makes them temporary); a negative one removes stock (archives
  unused stock items), bulk products only. Answers 200 and links ``stock_items``.
- ``stock_item_archivations``: archives one stock item; 422 ``stock_item_archived`` when it
  already is, ``stock_item_specified`` when a reserved or started order holds it.
- Removing stock that running or future orders need is 422 ``shortage`` with
  ``meta.blocking[]`` (or ``meta.warning[]`` when the product allows shortage; then
  ``confirm_shortage: true`` accepts it).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from booqable_async.testing._booking import stock_count
from booqable_async.testing._context import Context
from booqable_async.testing._errors import FakeError, not_found, unprocessable
from booqable_async.testing._store import Record
from booqable_async.testing._values import parse_datetime

__all__ = ["apply_stock_adjustment", "apply_stock_item_archivation"]


def _product(ctx: Context, product_id: Any) -> Record:
    found = ctx.store.get("products", str(product_id))
    if found is None:
        raise not_found()
    return found[1]


def _running_plannings(ctx: Context, product_id: str) -> list[Record]:
    now = ctx.now_datetime()
    out = []
    for planning in ctx.store.find_by("plannings", "item_id", product_id):
        if planning.get("archived") or not planning.get("reserved"):
            continue
        stops = planning.get("stops_at")
        if stops and parse_datetime(stops) <= now:
            continue
        out.append(planning)
    return out


def _peak(plannings: list[Record]) -> int:
    """Largest quantity held at the same time by ``plannings``."""
    spans: list[tuple[datetime | None, datetime | None, int]] = []
    for p in plannings:
        start = parse_datetime(p["starts_at"]) if p.get("starts_at") else None
        stop = parse_datetime(p["stops_at"]) if p.get("stops_at") else None
        spans.append((start, stop, int(p.get("quantity") or 0) - int(p.get("stopped") or 0)))
    best = 0
    for start, _, _ in spans:
        held = sum(
            q
            for s, e, q in spans
            if (s is None or start is None or s <= start)
            and (e is None or start is None or start < e)
        )
        best = max(best, held)
    return best


def check_stock_removal(
    ctx: Context, product: Record, location_id: Any, removed: int, confirm_shortage: bool
) -> None:
    """Raise 422 ``shortage`` when removing ``removed`` items leaves orders short."""
    plannings = _running_plannings(ctx, product["id"])
    stock = stock_count(ctx, product["id"])
    planned = _peak(plannings)
    shortage = planned - (stock - removed)
    if planned == 0 or shortage <= 0:
        return
    limit = product.get("shortage_limit") or 0
    allowed = bool(product.get("allow_shortage")) and (limit == 0 or shortage <= limit)
    available = max(stock - planned, 0)
    entry = {
        "reason": "shortage",
        "shortage": shortage,
        "item_id": product["id"],
        "mutation": -removed,
        "orders": [
            {"id": p.get("order_id"), "conflicts": int(p.get("quantity") or 0)} for p in plannings
        ],
        "downtimes": [],
        "location_id": location_id,
        "available": available,
        "plannable": available + (shortage if allowed else 0),
        "stock_count": stock,
        "planned": planned,
        "needed": planned,
    }
    if allowed and confirm_shortage:
        return
    raise unprocessable(
        "shortage",
        "Shortage",
        "This will create shortage for running or future orders",
        {"warning": [entry] if allowed else [], "blocking": [] if allowed else [entry]},
    )


def _holding_orders(ctx: Context, stock_item_id: str) -> list[str]:
    orders = []
    for sip in ctx.store.find_by("stock_item_plannings", "stock_item_id", stock_item_id):
        if sip.get("archived") or not sip.get("reserved"):
            continue
        order = ctx.store.get("orders", str(sip.get("order_id")))
        if order is not None and order[1].get("status") in ("reserved", "started"):
            orders.append(order[1]["id"])
    return orders


def _archive_stock_item(ctx: Context, stock_item: Record) -> None:
    now = ctx.now()
    ctx.update(
        "stock_items",
        stock_item,
        {"archived": True, "archived_at": now, "status": "archived", "updated_at": now},
    )


def apply_stock_item_archivation(ctx: Context, values: Mapping[str, Any]) -> Record:
    """Archive one stock item, refusing when it is archived, held, or needed.

    Raises:
        FakeError: 404 unknown stock item; 422 ``stock_item_archived``,
            ``stock_item_specified`` or ``shortage``.
    """
    found = ctx.store.get("stock_items", str(values.get("stock_item_id")))
    if found is None:
        raise not_found()
    stock_item = found[1]
    if stock_item.get("archived"):
        raise unprocessable(
            "stock_item_archived", "Stock item archived", "Stock item is already archived"
        )
    holding = _holding_orders(ctx, stock_item["id"])
    if holding:
        raise unprocessable(
            "stock_item_specified",
            "Stock item specified",
            "This stock item is specified on a current or future order",
            {"blocking": [{"orders": [{"id": order_id} for order_id in holding]}]},
        )
    product = _product(ctx, stock_item.get("product_id"))
    check_stock_removal(
        ctx, product, stock_item.get("location_id"), 1, bool(values.get("confirm_shortage"))
    )
    _archive_stock_item(ctx, stock_item)
    return ctx.insert("stock_item_archivations", ctx.build("stock_item_archivations", values))


def _invalid(detail: str) -> FakeError:
    return unprocessable("invalid_quantity", "Invalid quantity", detail)


def apply_stock_adjustment(ctx: Context, values: Mapping[str, Any]) -> Record:
    """Add stock items (positive quantity) or remove bulk stock (negative quantity).

    Raises:
        FakeError: 404 unknown product; 422 for a zero quantity, more than 100 items,
            removing trackable stock, or a shortage.
    """
    product = _product(ctx, values.get("product_id"))
    quantity = int(values.get("quantity") or 0)
    location_id = values.get("location_id")
    if quantity == 0 or quantity > 100:
        raise _invalid("quantity must be between 1 and 100, or negative to remove stock")
    record = ctx.insert("stock_adjustments", ctx.build("stock_adjustments", values))
    if quantity > 0:
        starts = values.get("from")
        expected = bool(starts) and parse_datetime(str(starts)) > ctx.now_datetime()
        prefix = values.get("prefix") or ""
        offset = len(ctx.store.find_by("stock_items", "product_id", product["id"]))
        created = [
            ctx.insert(
                "stock_items",
                ctx.build(
                    "stock_items",
                    {
                        "identifier": f"{prefix}{offset + i + 1}",
                        "product_id": product["id"],
                        "product_group_id": product.get("product_group_id"),
                        "location_id": location_id,
                        "status": "expected" if expected else "in_stock",
                        "stock_item_type": "temporary" if values.get("till") else "regular",
                        "from": values.get("from"),
                        "till": values.get("till"),
                        "purchase_cost_in_cents": values.get("purchase_cost_in_cents"),
                        "purchased_at": values.get("purchased_at"),
                    },
                ),
            )
            for i in range(quantity)
        ]
        ctx.store.link(
            "stock_adjustments",
            record["id"],
            "stock_items",
            [("stock_items", s["id"]) for s in created],
        )
        return record
    if product.get("tracking_type") == "trackable":
        raise _invalid("remove trackable stock with stock_item_archivations, one item at a time")
    removing = -quantity
    check_stock_removal(ctx, product, location_id, removing, bool(values.get("confirm_shortage")))
    candidates = [
        s
        for s in ctx.store.find_by("stock_items", "product_id", product["id"])
        if not s.get("archived") and not _holding_orders(ctx, s["id"])
    ]
    if len(candidates) < removing:
        raise _invalid(f"only {len(candidates)} stock items can be removed")
    for stock_item in candidates[:removing]:
        _archive_stock_item(ctx, stock_item)
    return record
