"""``order_duplications``: copy an order into a new one, as ``POST /order_duplications`` does.

Facts implemented (order_duplications field table and its create example): the answer is
200 with the duplication record, whose ``new_order_id`` names the order created. Each flag
copies one part of the original: ``customer``, ``dates`` (the period), ``discount``,
``tags``, ``properties``, ``custom_lines`` (lines without a product), ``stock_item_plannings``
(the stock items specified on its plannings); ``deposit`` keeps the ``current`` deposit,
resets it to the ``default`` or sets ``none``. Product lines are always copied with their
plannings. The new order starts in status ``new``, like a created one, so nothing is
reserved and no stock is checked.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from booqable_async.testing import _hooks
from booqable_async.testing._context import Context
from booqable_async.testing._errors import not_found
from booqable_async.testing._store import Record

__all__ = ["apply_duplication"]

_COPIED_ALWAYS = ("start_location_id", "stop_location_id", "fulfillment_type")
_FLAGGED = {
    "customer": ("customer_id", "tax_region_id"),
    "dates": ("starts_at", "stops_at"),
    "discount": ("discount_type", "discount_value", "discount_percentage"),
    "tags": ("tag_list",),
}
_PLANNING_COPY = (
    "planning_type",
    "quantity",
    "starts_at",
    "stops_at",
    "item_id",
    "start_location_id",
    "stop_location_id",
)
_LINE_SKIP = frozenset({"id", "created_at", "updated_at", "order_id", "owner_id", "planning_id"})


def _order_values(original: Record, flags: Mapping[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {k: original.get(k) for k in _COPIED_ALWAYS if k in original}
    for flag, names in _FLAGGED.items():
        if flags.get(flag):
            values.update((k, original.get(k)) for k in names if k in original)
    deposit = flags.get("deposit") or "current"
    if deposit == "current":
        values["deposit_type"] = original.get("deposit_type")
        values["deposit_value"] = original.get("deposit_value")
    elif deposit == "none":
        values.update(deposit_type="none", deposit_value=0.0)
    return values


def _copy_lines(ctx: Context, original: Record, new: Record, flags: Mapping[str, Any]) -> None:
    for line in ctx.store.find_by("lines", "order_id", original["id"]):
        if line.get("archived"):
            continue
        planning_id = None
        source_planning = ctx.store.get("plannings", str(line.get("planning_id")))
        if source_planning is not None:
            planning = ctx.insert(
                "plannings",
                ctx.build(
                    "plannings",
                    {
                        **{k: source_planning[1].get(k) for k in _PLANNING_COPY},
                        "order_id": new["id"],
                        "status": new.get("status"),
                        "starts_at": new.get("starts_at"),
                        "stops_at": new.get("stops_at"),
                    },
                ),
            )
            planning_id = planning["id"]
            if flags.get("stock_item_plannings"):
                _copy_stock_items(ctx, source_planning[1], planning, new)
        elif not flags.get("custom_lines"):
            continue
        values = {k: v for k, v in line.items() if k not in _LINE_SKIP}
        values.update(order_id=new["id"], owner_id=new["id"], planning_id=planning_id)
        ctx.insert("lines", ctx.build("lines", values))


def _copy_stock_items(ctx: Context, source: Record, planning: Record, new: Record) -> None:
    for sip in ctx.store.find_by("stock_item_plannings", "planning_id", source["id"]):
        if sip.get("archived"):
            continue
        ctx.insert(
            "stock_item_plannings",
            ctx.build(
                "stock_item_plannings",
                {
                    "stock_item_id": sip.get("stock_item_id"),
                    "stock_item_planning_type": sip.get("stock_item_planning_type"),
                    "planning_id": planning["id"],
                    "order_id": new["id"],
                    "status": new.get("status"),
                    "starts_at": new.get("starts_at"),
                    "stops_at": new.get("stops_at"),
                },
            ),
        )


def _copy_properties(ctx: Context, original: Record, new: Record) -> None:
    for prop in ctx.store.find_by("properties", "owner_id", original["id"]):
        values = {k: v for k, v in prop.items() if k not in ("id", "created_at", "updated_at")}
        values["owner_id"] = new["id"]
        ctx.insert("properties", ctx.build("properties", values))
    ctx.update("orders", new, {"properties": dict(original.get("properties") or {})})


def apply_duplication(ctx: Context, values: Mapping[str, Any]) -> Record:
    """Copy the original order and return the stored duplication record.

    Raises:
        FakeError: 404 when ``original_order_id`` names no order.
    """
    found = ctx.store.get("orders", str(values.get("original_order_id")))
    if found is None:
        raise not_found()
    original = found[1]
    order_values = _order_values(original, values)
    _hooks.before_create(ctx, "orders", order_values)
    new = ctx.insert("orders", ctx.build("orders", _hooks.stored(order_values)))
    _copy_lines(ctx, original, new, values)
    if values.get("properties"):
        _copy_properties(ctx, original, new)
    _hooks.after_create(ctx, "orders", new, order_values)  # status, number and totals
    record = ctx.build("order_duplications", {**values, "new_order_id": new["id"]})
    return ctx.insert("order_duplications", record)
