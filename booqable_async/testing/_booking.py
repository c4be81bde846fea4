"""Booking: order_fulfillments actions, order_status_transitions and stock availability.

Facts implemented (catalog ``order_fulfillments``/``order_status_transitions`` notes and the
422 doc examples):

- a created order is empty; ``order_fulfillments`` actions book products (creating a
  planning and a line), book/specify stock items, and start or stop them; all actions of
  one request succeed or fail together; the answer is 200, not 201;
- booking works in any status except canceled and archived; booking on a stopped order
  moves it back to started; starting moves the order to started, stopping everything to
  stopped;
- ``order_status_transitions`` moves ``new``/``draft`` -> ``reserved`` (checking stock and
  giving the order its number), cancels, archives, and with ``revert=true`` steps back;
  ``started``/``stopped`` are reachable only with ``revert``; a canceled order stays canceled;
  a wrong transition is 422 ``wrong_status``;
- availability problems are 422 ``items_not_available`` (or ``stock_item_specified``) with
  ``meta.blocking[]`` and ``meta.warning[]``; warnings (products that allow shortage) are
  accepted with ``confirm_shortage=true``.

Stock model (a simplification, documented in docs/testing.md): a product's stock is the
number of its stock items that are not archived or expired, across all locations; products
with ``tracking_type`` ``none`` are never short.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from booqable_async.testing._context import Context
from booqable_async.testing._errors import FakeError, not_found, unprocessable
from booqable_async.testing._store import Record
from booqable_async.testing._values import parse_datetime

__all__ = [
    "STATUS_COUNT_KEYS",
    "apply_fulfillment",
    "apply_transition",
    "charge_line",
    "check_order_availability",
    "item_summary",
    "recalculate_order",
    "set_order_status",
]

#: Statuses in which an order holds its items.
HOLDING = frozenset({"reserved", "started"})
_FORWARD = frozenset(
    {
        ("new", "draft"),
        ("new", "reserved"),
        ("draft", "reserved"),
        ("new", "canceled"),
        ("draft", "canceled"),
        ("reserved", "canceled"),
        ("new", "archived"),
        ("draft", "archived"),
        ("stopped", "archived"),
        ("canceled", "archived"),
    }
)
_REVERT = frozenset(
    {
        ("reserved", "draft"),
        ("started", "reserved"),
        ("stopped", "started"),
        ("archived", "stopped"),
    }
)
#: The keys of ``orders.status_counts`` (recorded and documented orders).
STATUS_COUNT_KEYS = ("new", "draft", "reserved", "started", "stopped")


def _wrong_status(current: str, target: str) -> FakeError:
    return unprocessable(
        "wrong_status", "Wrong status", f"Can't transition order from '{current}' to '{target}'"
    )


def _interval(record: Mapping[str, Any]) -> tuple[Any, Any] | None:
    start, stop = record.get("starts_at"), record.get("stops_at")
    if not start or not stop:
        return None
    return parse_datetime(start), parse_datetime(stop)


def _overlaps(a: tuple[Any, Any] | None, b: tuple[Any, Any] | None) -> bool:
    if a is None or b is None:
        return False
    return bool(a[0] < b[1] and b[0] < a[1])


def stock_count(ctx: Context, product_id: str) -> int:
    """Count the usable stock items of a product."""
    return sum(
        1
        for s in ctx.store.find_by("stock_items", "product_id", product_id)
        if not s.get("archived") and s.get("status") not in ("archived", "expired")
    )


def _active_plannings(ctx: Context, order_id: str) -> list[Record]:
    return [
        p for p in ctx.store.find_by("plannings", "order_id", order_id) if not p.get("archived")
    ]


def _active_sips(ctx: Context, field: str, value: str) -> list[Record]:
    return [
        s for s in ctx.store.find_by("stock_item_plannings", field, value) if not s.get("archived")
    ]


def check_order_availability(
    ctx: Context,
    order: Record,
    *,
    window: tuple[Any, Any] | None = None,
    confirm_shortage: bool = False,
    products: Iterable[str] | None = None,
) -> None:
    """Raise 422 when the order's bookings do not fit the stock in its period.

    Args:
        ctx: The fake's state.
        order: The order (its plannings are read from the store).
        window: The period to check (defaults to the order's own).
        confirm_shortage: Accept shortages that are only warnings.
        products: Limit the check to these product ids.

    Raises:
        FakeError: 422 ``items_not_available`` / ``stock_item_specified``.
    """
    window = window if window is not None else _interval(order)
    needed: dict[str, int] = {}
    for planning in _active_plannings(ctx, order["id"]):
        item = planning.get("item_id")
        if item is not None:
            needed[item] = needed.get(item, 0) + int(planning.get("quantity") or 0)
    wanted = set(products) if products is not None else set(needed)
    blocking: list[dict[str, Any]] = []
    warning: list[dict[str, Any]] = []
    specified = False
    for product_id in sorted(wanted):
        found = ctx.store.get("products", product_id)
        if found is None or found[1].get("tracking_type") == "none":
            continue
        product = found[1]
        stock = stock_count(ctx, product_id)
        reserved = 0
        conflicts: list[dict[str, Any]] = []
        for other in ctx.store.find_by("plannings", "item_id", product_id):
            if other.get("order_id") == order["id"] or not other.get("reserved"):
                continue
            if other.get("archived") or not _overlaps(window, _interval(other)):
                continue
            qty = int(other.get("quantity") or 0) - int(other.get("stopped") or 0)
            reserved += qty
            conflicts.append({"id": other.get("order_id"), "conflicts": qty})
        need = needed.get(product_id, 0)
        shortage = need - (stock - reserved)
        if shortage > 0:
            entry = {
                "reason": "shortage",
                "item_id": product_id,
                "stock_count": stock,
                "reserved": reserved,
                "needed": need,
                "shortage": shortage,
                "orders": conflicts,
                "downtimes": [],
            }
            limit = product.get("shortage_limit") or 0
            allowed = bool(product.get("allow_shortage")) and (limit == 0 or shortage <= limit)
            (warning if allowed else blocking).append(entry)
        problem = _specified_conflicts(ctx, order, product_id, window)
        if problem is not None:
            specified = True
            blocking.append(problem)
    if blocking or (warning and not confirm_shortage):
        code, title = (
            ("stock_item_specified", "Stock item specified")
            if specified
            else ("items_not_available", "Items not available")
        )
        raise unprocessable(
            code,
            title,
            "One or more items are not available",
            {"warning": warning, "blocking": blocking},
        )


def _specified_conflicts(
    ctx: Context, order: Record, product_id: str, window: tuple[Any, Any] | None
) -> dict[str, Any] | None:
    mine = [
        s["stock_item_id"]
        for s in _active_sips(ctx, "order_id", order["id"])
        if _product_of_stock_item(ctx, s["stock_item_id"]) == product_id
    ]
    if not mine:
        return None
    unavailable: list[str] = []
    orders: dict[str, list[str]] = {}
    for stock_item_id in mine:
        for other in _active_sips(ctx, "stock_item_id", stock_item_id):
            if other.get("order_id") == order["id"] or not other.get("reserved"):
                continue
            if not _overlaps(window, _interval(other)):
                continue
            if stock_item_id not in unavailable:
                unavailable.append(stock_item_id)
            orders.setdefault(str(other.get("order_id")), []).append(stock_item_id)
    if not unavailable:
        return None
    available = [
        s["id"]
        for s in ctx.store.find_by("stock_items", "product_id", product_id)
        if s["id"] not in unavailable and not s.get("archived")
    ]
    return {
        "reason": "stock_item_specified",
        "item_id": product_id,
        "unavailable": unavailable,
        "available": available,
        "orders": [
            {"id": oid, "stock_item_ids": ids, "conflicts": len(ids)} for oid, ids in orders.items()
        ],
        "downtimes": [],
    }


def _product_of_stock_item(ctx: Context, stock_item_id: str) -> str | None:
    found = ctx.store.get("stock_items", stock_item_id)
    return None if found is None else found[1].get("product_id")


def item_summary(status: str, plannings: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """An order's item counters, from its (active) plannings.

    Recorded orders count items, not orders: a new empty order has ``status_counts`` all
    0 and ``entirely_started: true`` (nothing left to start); a concept order with two
    items ``{"concept": 2, ...}`` (``draft`` since the rename). Items of a reserved,
    started, stopped or archived order count by how far each got; a canceled order's
    items count nowhere.
    """
    counts = dict.fromkeys(STATUS_COUNT_KEYS, 0)
    total = started = stopped = 0
    for planning in plannings:
        quantity = int(planning.get("quantity") or 0)
        went = min(int(planning.get("started") or 0), quantity)
        came_back = min(int(planning.get("stopped") or 0), went)
        total, started, stopped = total + quantity, started + went, stopped + came_back
        if status in ("new", "draft"):
            counts[status] += quantity
        elif status != "canceled":
            counts["reserved"] += quantity - went
            counts["started"] += went - came_back
            counts["stopped"] += came_back
    return {
        "status_counts": counts,
        "item_count": total,
        "entirely_started": started >= total,
        "entirely_stopped": total > 0 and stopped >= total,
    }


def recalculate_order(ctx: Context, order: Record) -> None:
    """Recompute an order's derived totals and item counters from its lines and plannings.

    ``updated_at`` moves only when a value really changed (a recorded PUT that changes
    nothing keeps it).
    """
    lines = [
        line
        for line in ctx.store.find_by("lines", "order_id", order["id"])
        if not line.get("archived")
    ]
    price = sum(int(line.get("price_in_cents") or 0) for line in lines)
    plannings = _active_plannings(ctx, order["id"])
    paid = int(order.get("paid_in_cents") or 0)
    deposit = int(order.get("deposit_in_cents") or 0)
    total = price + deposit
    # Recorded empty orders (no lines) answer null for both "to be paid" amounts.
    empty = not lines
    changes = {
        "price_in_cents": price,
        "grand_total_in_cents": price,
        "grand_total_with_tax_in_cents": price,
        "amount_in_cents": price,
        "total_in_cents": total,
        "to_be_paid_in_cents": total - paid,
        "amount_to_be_paid_in_cents": None if empty else price - paid,
        "deposit_to_be_paid_in_cents": (
            None if empty else deposit - int(order.get("deposit_paid_in_cents") or 0)
        ),
        "total_to_be_paid_in_cents": total - paid,
        **item_summary(str(order.get("status")), plannings),
    }
    changes = {k: v for k, v in changes.items() if order.get(k) != v}
    if changes:
        ctx.update("orders", order, {**changes, "updated_at": ctx.now()})


def charge_line(
    order_id: str,
    product: Record,
    planning_id: str,
    quantity: int,
    price_each: int,
    position: int,
) -> dict[str, Any]:
    """Attribute values of the charge line that books ``product`` on an order."""
    return {
        "title": product.get("name"),
        "quantity": quantity,
        "original_price_each_in_cents": price_each,
        "price_each_in_cents": price_each,
        "price_in_cents": price_each * quantity,
        "position": position,
        "line_type": "charge",
        "relevant": True,
        "discountable": True,
        "taxable": True,
        "order_id": order_id,
        "owner_id": order_id,
        "owner_type": "orders",
        "item_id": product["id"],
        "planning_id": planning_id,
    }


def _next_order_number(ctx: Context) -> int:
    numbers = [r.get("number") or 0 for r in ctx.store.table("orders").values()]
    return max(numbers, default=0) + 1


def set_order_status(ctx: Context, order: Record, status: str) -> None:
    """Move an order (and its plannings) to ``status``; numbers the order when it leaves new."""
    changes: dict[str, Any] = {"status": status, "statuses": [status], "updated_at": ctx.now()}
    if order.get("number") is None and status != "new":
        changes["number"] = _next_order_number(ctx)
    ctx.update("orders", order, changes)
    holding = status in HOLDING
    plannings = _active_plannings(ctx, order["id"])
    for planning in plannings:
        ctx.update(
            "plannings",
            planning,
            {
                "status": status,
                "reserved": holding,
                "reserved_from": planning.get("starts_at") if holding else None,
                "reserved_till": planning.get("stops_at") if holding else None,
            },
        )
    ctx.update("orders", order, item_summary(status, plannings))
    for sip in _active_sips(ctx, "order_id", order["id"]):
        if not sip.get("started") or status in ("canceled", "archived"):
            ctx.update("stock_item_plannings", sip, {"status": status, "reserved": holding})


def apply_transition(ctx: Context, values: Mapping[str, Any]) -> Record:
    """Run an order status transition and return the stored transition record.

    Raises:
        FakeError: 404 for an unknown order; 422 ``wrong_status`` or an availability error.
    """
    order_id = values.get("order_id")
    found = ctx.store.get("orders", str(order_id))
    if found is None:
        raise not_found()
    order = found[1]
    current = order.get("status")
    source = values.get("transition_from") or current
    target = values.get("transition_to")
    revert = bool(values.get("revert"))
    if source != current or target is None:
        raise _wrong_status(str(current), str(target))
    allowed = _REVERT if revert else _FORWARD
    if (current, target) not in allowed:
        raise _wrong_status(str(current), str(target))
    if target == "reserved":
        check_order_availability(ctx, order, confirm_shortage=bool(values.get("confirm_shortage")))
    set_order_status(ctx, order, str(target))
    record = ctx.build("order_status_transitions", values)
    return ctx.insert("order_status_transitions", record)


class _Fulfillment:
    """One order_fulfillments request: runs its actions and remembers what changed."""

    def __init__(self, ctx: Context, order: Record) -> None:
        self.ctx = ctx
        self.order = order
        self.lines: dict[str, Record] = {}
        self.plannings: dict[str, Record] = {}
        self.sips: dict[str, Record] = {}
        self.touched_products: set[str] = set()

    # -- lookups ------------------------------------------------------------------------

    def product(self, product_id: Any) -> Record:
        found = self.ctx.store.get("products", str(product_id))
        if found is None:
            raise not_found()
        return found[1]

    def planning(self, planning_id: Any, product_id: str) -> Record:
        found = self.ctx.store.get("plannings", str(planning_id))
        if found is None or found[1].get("order_id") != self.order["id"]:
            raise not_found()
        planning = found[1]
        if planning.get("item_id") != product_id:
            raise unprocessable(
                "invalid_planning",
                "Invalid planning",
                "The planning does not belong to this product",
            )
        return planning

    def _existing(self, product_id: str) -> Record | None:
        for planning in _active_plannings(self.ctx, self.order["id"]):
            if planning.get("item_id") == product_id:
                return planning
        return None

    # -- records ------------------------------------------------------------------------

    def _new_planning(self, product: Record, quantity: int) -> Record:
        order = self.order
        holding = order.get("status") in HOLDING
        planning = self.ctx.build(
            "plannings",
            {
                "planning_type": "order",
                "quantity": quantity,
                "starts_at": order.get("starts_at"),
                "stops_at": order.get("stops_at"),
                "reserved_from": order.get("starts_at") if holding else None,
                "reserved_till": order.get("stops_at") if holding else None,
                "reserved": holding,
                "status": order.get("status"),
                "started": 0,
                "stopped": 0,
                "order_id": order["id"],
                "item_id": product["id"],
                "start_location_id": order.get("start_location_id"),
                "stop_location_id": order.get("stop_location_id"),
            },
        )
        self.ctx.insert("plannings", planning)
        position = len(self.ctx.store.find_by("lines", "order_id", order["id"])) + 1
        price = int(product.get("base_price_in_cents") or 0)
        line = self.ctx.build(
            "lines", charge_line(order["id"], product, planning["id"], quantity, price, position)
        )
        self.ctx.insert("lines", line)
        self.lines[line["id"]] = line
        self.plannings[planning["id"]] = planning
        return planning

    def _set_quantity(self, planning: Record, quantity: int) -> None:
        archived = quantity <= 0
        changes: dict[str, Any] = {"quantity": max(quantity, 0), "updated_at": self.ctx.now()}
        if archived:
            changes.update(archived=True, archived_at=self.ctx.now())
        self.ctx.update("plannings", planning, changes)
        self.plannings[planning["id"]] = planning
        for line in self.ctx.store.find_by("lines", "planning_id", planning["id"]):
            each = int(line.get("price_each_in_cents") or 0)
            line_changes: dict[str, Any] = {
                "quantity": max(quantity, 0),
                "price_in_cents": each * max(quantity, 0),
            }
            if archived:
                line_changes.update(archived=True, archived_at=self.ctx.now())
            self.ctx.update("lines", line, line_changes)
            self.lines[line["id"]] = line

    def _book(self, action: Mapping[str, Any], product: Record, quantity: int) -> Record:
        mode = action.get("mode") or "create_new"
        if mode == "update_existing":
            planning = self.planning(action.get("planning_id"), product["id"])
        elif mode == "infer_planning":
            existing = self._existing(product["id"])
            if existing is None:
                return self._new_planning(product, quantity)
            planning = existing
        elif mode == "create_new":
            return self._new_planning(product, quantity)
        else:
            raise _invalid_action(f"unknown mode {mode!r}")
        self._set_quantity(planning, int(planning.get("quantity") or 0) + quantity)
        return planning

    def _sip(self, planning: Record, stock_item_id: str) -> Record:
        for sip in _active_sips(self.ctx, "planning_id", planning["id"]):
            if sip.get("stock_item_id") == stock_item_id:
                return sip
        holding = self.order.get("status") in HOLDING
        sip = self.ctx.build(
            "stock_item_plannings",
            {
                "starts_at": self.order.get("starts_at"),
                "stops_at": self.order.get("stops_at"),
                "reserved": holding,
                "started": False,
                "stopped": False,
                "status": self.order.get("status"),
                "stock_item_planning_type": "order",
                "stock_item_id": stock_item_id,
                "planning_id": planning["id"],
                "order_id": self.order["id"],
            },
        )
        self.ctx.insert("stock_item_plannings", sip)
        self.sips[sip["id"]] = sip
        return sip

    def _check_stock_items(self, product: Record, ids: Any) -> list[str]:
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise _invalid_action("stock_item_ids must be a list of ids")
        for stock_item_id in ids:
            if _product_of_stock_item(self.ctx, stock_item_id) != product["id"]:
                raise _invalid_action(f"stock item {stock_item_id} does not belong to the product")
        return list(ids)

    # -- actions ------------------------------------------------------------------------

    def run(self, action: Mapping[str, Any]) -> None:
        kind = action.get("action")
        handler = getattr(self, f"do_{kind}", None) if isinstance(kind, str) else None
        if handler is None:
            raise _invalid_action(f"unknown action {kind!r}")
        handler(action)

    def do_book_product(self, action: Mapping[str, Any]) -> None:
        product = self.product(action.get("product_id"))
        quantity = _int(action.get("quantity", 1), "quantity")
        self._book(action, product, quantity)
        self.touched_products.add(product["id"])

    def do_book_stock_items(self, action: Mapping[str, Any]) -> None:
        product = self.product(action.get("product_id"))
        if product.get("tracking_type") != "trackable":
            raise _invalid_action("book_stock_items works for trackable products only")
        ids = self._check_stock_items(product, action.get("stock_item_ids"))
        planning = self._book(
            action, product, 0 if action.get("mode") != "create_new" else len(ids)
        )
        specified = len(_active_sips(self.ctx, "planning_id", planning["id"]))
        for stock_item_id in ids:
            self._sip(planning, stock_item_id)
        total = specified + len(ids)
        if int(planning.get("quantity") or 0) < total:
            # "planning quantity grows if needed to fit the stock items"
            self._set_quantity(planning, total)
        self.plannings[planning["id"]] = planning
        self.touched_products.add(product["id"])

    def do_book_bundle(self, action: Mapping[str, Any]) -> None:
        bundle = self.ctx.store.get("bundles", str(action.get("bundle_id")))
        if bundle is None:
            raise not_found()
        quantity = _int(action.get("quantity", 1), "quantity")
        chosen = {
            v.get("bundle_item_id"): v.get("product_id")
            for v in action.get("product_variations") or []
            if isinstance(v, dict)
        }
        for bundle_item in self.ctx.store.find_by("bundle_items", "bundle_id", bundle[1]["id"]):
            product_id = bundle_item.get("product_id") or chosen.get(bundle_item["id"])
            if product_id is None:
                raise _invalid_action(f"bundle item {bundle_item['id']} needs a product_variation")
            each = int(bundle_item.get("quantity") or 1)
            product = self.product(product_id)
            self._book({"mode": "infer_planning"}, product, each * quantity)
            self.touched_products.add(product["id"])

    def do_specify_stock_items(self, action: Mapping[str, Any]) -> None:
        product = self.product(action.get("product_id"))
        planning = self.planning(action.get("planning_id"), product["id"])
        adding = self._check_stock_items(product, action.get("stock_item_ids_to_add") or [])
        removing = self._check_stock_items(product, action.get("stock_item_ids_to_remove") or [])
        for sip in _active_sips(self.ctx, "planning_id", planning["id"]):
            if sip.get("stock_item_id") in removing:
                if sip.get("started"):
                    raise _invalid_action("already started stock items cannot be removed")
                self.ctx.update(
                    "stock_item_plannings", sip, {"archived": True, "archived_at": self.ctx.now()}
                )
                self.sips[sip["id"]] = sip
        for stock_item_id in adding:
            self._sip(planning, stock_item_id)
        if len(_active_sips(self.ctx, "planning_id", planning["id"])) > int(
            planning.get("quantity") or 0
        ):
            raise _invalid_action("cannot specify more stock items than the planning quantity")
        self.plannings[planning["id"]] = planning
        self.touched_products.add(product["id"])

    def _move(self, action: Mapping[str, Any], field: str, quantity: int) -> Record:
        product = self.product(action.get("product_id"))
        planning = self.planning(action.get("planning_id"), product["id"])
        booked = int(planning.get("quantity") or 0)
        started = int(planning.get("started") or 0)
        stopped = int(planning.get("stopped") or 0)
        limit = booked - started if field == "started" else started - stopped
        if quantity < 1 or quantity > limit:
            what = "booked and not started" if field == "started" else "started and not stopped"
            raise _invalid_action(f"quantity {quantity} exceeds the {limit} {what}")
        current = started if field == "started" else stopped
        self.ctx.update("plannings", planning, {field: current + quantity})
        self.plannings[planning["id"]] = planning
        return planning

    def do_start_product(self, action: Mapping[str, Any]) -> None:
        self._move(action, "started", _int(action.get("quantity", 1), "quantity"))
        self._after_start()

    def do_stop_product(self, action: Mapping[str, Any]) -> None:
        self._move(action, "stopped", _int(action.get("quantity", 1), "quantity"))
        self._after_stop()

    def _items_move(self, action: Mapping[str, Any], field: str) -> None:
        product = self.product(action.get("product_id"))
        planning = self.planning(action.get("planning_id"), product["id"])
        ids = self._check_stock_items(product, action.get("stock_item_ids"))
        sips = [self._sip(planning, i) for i in ids]
        for sip in sips:
            if field == "stopped" and not sip.get("started"):
                raise _invalid_action("only started stock items can be stopped")
        self._move(action, field, len(sips))
        for sip in sips:
            self.ctx.update("stock_item_plannings", sip, {field: True, "status": field})
            self.sips[sip["id"]] = sip
            stock = self.ctx.store.get("stock_items", sip["stock_item_id"])
            if stock is not None:
                status = "started" if field == "started" else "in_stock"
                self.ctx.update("stock_items", stock[1], {"status": status})

    def do_start_stock_items(self, action: Mapping[str, Any]) -> None:
        self._items_move(action, "started")
        self._after_start()

    def do_stop_stock_items(self, action: Mapping[str, Any]) -> None:
        self._items_move(action, "stopped")
        self._after_stop()

    def _after_start(self) -> None:
        if self.order.get("status") != "started":
            set_order_status(self.ctx, self.order, "started")

    def _after_stop(self) -> None:
        plannings = _active_plannings(self.ctx, self.order["id"])
        if plannings and all(
            int(p.get("stopped") or 0) >= int(p.get("quantity") or 0) for p in plannings
        ):
            set_order_status(self.ctx, self.order, "stopped")


def _invalid_action(detail: str) -> FakeError:
    return unprocessable("invalid_action", "Invalid action", detail)


def _int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise _invalid_action(f"{name} must be an integer")
    try:
        return int(value)
    except ValueError:
        raise _invalid_action(f"{name} must be an integer") from None


def apply_fulfillment(ctx: Context, values: Mapping[str, Any]) -> Record:
    """Run the actions of one order_fulfillments request atomically.

    Returns:
        The stored order_fulfillments record, linked to what changed
        (``changed_lines``, ``changed_plannings``, ``changed_stock_item_plannings``).

    Raises:
        FakeError: 404 for unknown records, 422 for wrong statuses, invalid actions or
            availability problems (then nothing changed).
    """
    found = ctx.store.get("orders", str(values.get("order_id")))
    if found is None:
        raise not_found()
    order = found[1]
    actions = values.get("actions")
    if not isinstance(actions, list) or not actions:
        raise _invalid_action("actions must be a non-empty list")
    if order.get("status") in ("canceled", "archived"):
        raise unprocessable(
            "wrong_status",
            "Wrong status",
            f"Can't fulfill an order with status '{order.get('status')}'",
        )
    run = _Fulfillment(ctx, order)
    with ctx.transaction():
        booking = any(
            isinstance(a, dict) and str(a.get("action", "")).startswith("book") for a in actions
        )
        if booking and order.get("status") == "stopped":
            set_order_status(ctx, order, "started")
        for action in actions:
            if not isinstance(action, dict):
                raise _invalid_action("each action must be an object")
            run.run(action)
        if order.get("status") in HOLDING and run.touched_products:
            check_order_availability(
                ctx,
                order,
                confirm_shortage=bool(values.get("confirm_shortage")),
                products=run.touched_products,
            )
        recalculate_order(ctx, order)
        record = ctx.insert("order_fulfillments", ctx.build("order_fulfillments", values))
    ctx.store.link("order_fulfillments", record["id"], "changed_lines", _keys("lines", run.lines))
    ctx.store.link(
        "order_fulfillments", record["id"], "changed_plannings", _keys("plannings", run.plannings)
    )
    ctx.store.link(
        "order_fulfillments",
        record["id"],
        "changed_stock_item_plannings",
        _keys("stock_item_plannings", run.sips),
    )
    return record


def _keys(type_name: str, records: Mapping[str, Record]) -> list[tuple[str, str]]:
    return [(type_name, record_id) for record_id in records]
