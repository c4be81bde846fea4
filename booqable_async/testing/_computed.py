"""Resources Booqable computes on request instead of storing.

Each answer is derived from the fake's products, stock items, plannings and price
structures, with the filters as the computation's parameters (they are consumed here, not
applied as selections). Rows are built lazily: a page of an unfiltered list builds only its
own rows, so paging through a computed resource stays linear.

- ``item_prices`` (item_prices docs): one row per item (``filter[item_id]``, the cheapest
  product of ``filter[product_group_id]``, or each bundle item of ``filter[bundle_id]``),
  for the ``from``..``till`` window or a ``charge_length``. Simple prices are the base price
  per started price period (13 days at 100 per hour is 31,200, as the example); fixed ones
  the base price; structure prices the base price times the multiplier of the first price
  tile that covers the charge length, the structure's per-period multipliers beyond the
  last tile. A bundle as item is the sum of its items (less their discount).
- ``inventory_levels``: one row per item and location over ``from``..``till``: stock at
  the location, the peak quantity planned and still needed by reserved or started orders
  (an ``order_id`` leaves that order out), what is available and plannable.
- ``inventory_breakdowns``: stock items grouped by product, location, regular/temporary
  and their ``from``/``till``, for one ``status`` (expected: ``from`` ahead; expired:
  ``till`` passed; in stock otherwise, ``started`` counting the ones out on orders).
- ``availabilities``: a subject's (item, order, cart or downtime) availability for every
  day of a month, or 15-minute slots of one day when ``day``/``starts_at`` are given.
- ``order_planning_availabilities``: one object (not a list) per order: stock, available
  and plannable quantity for each of its plannings.
"""

from __future__ import annotations

import calendar
import math
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta, timezone
from typing import Any

import attrs

from booqable_async.schema import get_schema
from booqable_async.testing._context import Context
from booqable_async.testing._errors import bad_request, not_found
from booqable_async.testing._store import Record
from booqable_async.testing._values import (
    TypecastError,
    cast_filter_value,
    format_datetime,
    moment_or_none,
)

__all__ = ["COMPUTED", "Computed", "compute", "planning_availability"]

_NAMESPACE = uuid.UUID("9f0c5b8e-6a43-4c55-9a43-0c3e4c1f6b10")
_PERIOD_SECONDS = {
    "hour": 3600,
    "day": 86400,
    "week": 7 * 86400,
    "month": 30 * 86400,
    "year": 365 * 86400,
}
_HOLDING = ("reserved", "started")


@attrs.frozen
class Computed:
    """The rows of one computed list answer, built on demand.

    Attributes:
        keys: One key per row, in answer order.
        build: Turns a key into its row (``id`` plus attributes).
        stats_rows: Rows a stat on the given field is computed over, when that differs
            from the answer's rows (inventory_breakdowns' ``status`` sums span every
            status).
    """

    keys: Sequence[Any]
    build: Callable[[Any], Record]
    stats_rows: Callable[[str], list[Record]] | None = None

    def rows(self, keys: Iterable[Any] | None = None) -> list[Record]:
        """Build the rows of ``keys`` (default: all of them)."""
        return [self.build(k) for k in (self.keys if keys is None else keys)]


def row_id(type_name: str, *parts: Any) -> str:
    """A stable id for a computed row (the same parameters give the same id)."""
    return str(uuid.uuid5(_NAMESPACE, ":".join([type_name, *map(str, parts)])))


# -- parameters ---------------------------------------------------------------------------


class _Params:
    """The ``filter`` hash of a computed resource, cast to the catalog's filter types."""

    def __init__(self, type_name: str, raw: Any) -> None:
        self.type_name = type_name
        self.raw: Mapping[str, Any] = raw if isinstance(raw, dict) else {}
        self.types = get_schema(type_name).filter_types

    def values(self, key: str) -> list[Any]:
        value = self.raw.get(key)
        if isinstance(value, dict):
            value = value.get("eq")
        if value is None:
            return []
        items = value if isinstance(value, list) else str(value).split(",")
        out = []
        for item in items:
            if item in (None, ""):
                continue
            try:
                out.append(cast_filter_value(self.types.get(key, "string"), item))
            except TypecastError:
                raise bad_request(
                    f"Filter {key} value {item!r} failed typecasting to "
                    f"{self.types.get(key, 'string')}",
                    parameter=f"filter[{key}]",
                ) from None
        return out

    def one(self, key: str) -> Any:
        found = self.values(key)
        return found[0] if found else None


def _aware(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=timezone.utc)
    return None


def _period(record: Record) -> tuple[datetime, datetime] | None:
    """A record's ``starts_at``..``stops_at``, or None when either is missing."""
    start, stop = moment_or_none(record.get("starts_at")), moment_or_none(record.get("stops_at"))
    return None if start is None or stop is None else (start, stop)


def _text(moment: datetime | None) -> str | None:
    return None if moment is None else format_datetime(moment)


# -- stock and plannings --------------------------------------------------------------------


def _stock_items(ctx: Context, product_id: str, location_id: str | None) -> list[Record]:
    return [
        s
        for s in ctx.store.find_by("stock_items", "product_id", product_id)
        if not s.get("archived")
        and s.get("status") not in ("archived", "expired")
        and (location_id is None or s.get("location_id") == location_id)
    ]


def _held(
    ctx: Context,
    product_id: str,
    window: tuple[datetime, datetime] | None,
    *,
    location_id: str | None = None,
    exclude_order: str | None = None,
) -> tuple[int, int]:
    """Peak planned and still-needed quantity of reserved/started plannings in ``window``."""
    spans: list[tuple[datetime, datetime, int, int]] = []
    for planning in ctx.store.find_by("plannings", "item_id", product_id):
        if planning.get("archived") or not planning.get("reserved"):
            continue
        if exclude_order is not None and planning.get("order_id") == exclude_order:
            continue
        if location_id is not None and planning.get("start_location_id") not in (
            None,
            location_id,
        ):
            continue
        period = _period(planning)
        if period is None:
            continue
        start, stop = period
        if window is not None and not (start < window[1] and window[0] < stop):
            continue
        quantity = int(planning.get("quantity") or 0)
        spans.append((start, stop, quantity, quantity - int(planning.get("stopped") or 0)))
    planned = needed = 0
    for point in {max(s, window[0]) if window else s for s, _, _, _ in spans}:
        at = [(q, n) for s, e, q, n in spans if s <= point < e]
        planned = max(planned, sum(q for q, _ in at))
        needed = max(needed, sum(n for _, n in at))
    return planned, needed


def _product_ids(ctx: Context, item_ids: Sequence[Any]) -> list[str]:
    if item_ids:
        return [str(i) for i in item_ids]
    return [str(p["id"]) for p in ctx.store.table("products").values() if not p.get("archived")]


def _location_ids(ctx: Context, location_id: Any) -> list[str]:
    if location_id is not None:
        return [str(location_id)]
    return [str(k) for k, v in ctx.store.table("locations").items() if not v.get("archived")]


def _plannable(product: Record | None, available: int) -> int:
    if product is None or not product.get("allow_shortage"):
        return available
    limit = int(product.get("shortage_limit") or 0)
    return available + limit if limit else available


# -- item_prices ----------------------------------------------------------------------------


def _label(seconds: int | None) -> str | None:
    if seconds is None:
        return None
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds % size == 0:
            count = seconds // size
            return f"{count} {unit}{'' if count == 1 else 's'}"
    return f"{seconds} seconds"


def _tile_multiplier(ctx: Context, structure: Record, seconds: int) -> tuple[float, str | None]:
    tiles = sorted(
        (t for t in ctx.store.find_by("price_tiles", "price_structure_id", structure["id"])),
        key=lambda t: int(t.get("length") or 0),
    )
    for tile in tiles:
        if int(tile.get("length") or 0) >= seconds:
            return float(tile.get("multiplier") or 0), str(tile["id"])
    last = tiles[-1] if tiles else None
    base = float(last.get("multiplier") or 0) if last else 0.0
    beyond = seconds - (int(last.get("length") or 0) if last else 0)
    for unit in ("year", "month", "week", "day", "hour"):
        per = structure.get(unit)
        if per:
            periods = math.ceil(beyond / _PERIOD_SECONDS[unit])
            return base + float(per) * periods, str(last["id"]) if last else None
    return base, str(last["id"]) if last else None


def _product_price(ctx: Context, product: Record, seconds: int | None) -> tuple[int, str | None]:
    base = int(product.get("base_price_in_cents") or 0)
    price_type = product.get("price_type")
    if price_type == "none":
        return 0, None
    if price_type == "fixed" or seconds is None:
        return base, None
    if price_type in ("structure", "private_structure"):
        found = ctx.store.get("price_structures", str(product.get("price_structure_id")))
        if found is not None:
            multiplier, tile = _tile_multiplier(ctx, found[1], seconds)
            return round(base * multiplier), tile
    period = _PERIOD_SECONDS.get(str(product.get("price_period") or "day"), 86400)
    return base * max(1, math.ceil(seconds / period)), None


def _item_prices(ctx: Context, params: _Params) -> Computed:
    start, stop = _aware(params.one("from")), _aware(params.one("till"))
    length = params.one("charge_length")
    if length is None and start is not None and stop is not None:
        length = int((stop - start).total_seconds())
    bundle_id = params.one("bundle_id")
    keys: list[tuple[str, str | None]] = []
    if bundle_id is not None:
        keys = [
            (str(b.get("product_id")), str(b["id"]))
            for b in ctx.store.find_by("bundle_items", "bundle_id", str(bundle_id))
            if b.get("product_id") and not b.get("archived")
        ]
    else:
        group = params.one("product_group_id")
        items = [str(i) for i in params.values("item_id")]
        if group is not None:
            products = ctx.store.find_by("products", "product_group_id", str(group))
            cheapest = min(
                products, key=lambda p: int(p.get("base_price_in_cents") or 0), default=None
            )
            items = [] if cheapest is None else [str(cheapest["id"])]
        elif not items:
            items = _product_ids(ctx, ())
        keys = [(i, None) for i in items]

    def price_of(item_id: str) -> tuple[int, str | None]:
        found = ctx.store.get("items", item_id)
        if found is None:
            return 0, None
        if found[0] == "bundles":
            total = 0
            for entry in ctx.store.find_by("bundle_items", "bundle_id", item_id):
                product = ctx.store.get("products", str(entry.get("product_id")))
                if product is not None:
                    each, _ = _product_price(ctx, product[1], length)
                    share = 1 - float(entry.get("discount_percentage") or 0) / 100
                    total += round(each * int(entry.get("quantity") or 1) * share)
            return total, None
        if found[0] == "product_groups":
            products = ctx.store.find_by("products", "product_group_id", item_id)
            return min((_product_price(ctx, p, length) for p in products), default=(0, None))
        return _product_price(ctx, found[1], length)

    def build(key: tuple[str, str | None]) -> Record:
        item_id, bundle_item_id = key
        price, tile = price_of(item_id)
        if bundle_item_id is not None and not params.one("ignore_discount"):
            entry = ctx.store.get("bundle_items", bundle_item_id)
            share = 1 - float((entry[1] if entry else {}).get("discount_percentage") or 0) / 100
            price = round(price * share)
        found = ctx.store.get("items", item_id)
        product = found[1] if found else {}
        return {
            "id": row_id("item_prices", item_id, bundle_item_id, start, stop, length),
            "item_id": item_id,
            "bundle_id": None if bundle_id is None else str(bundle_id),
            "product_group_id": params.one("product_group_id"),
            "ignore_discount": params.one("ignore_discount"),
            "bundle_item_id": bundle_item_id,
            "from": _text(start),
            "till": _text(stop),
            "original_charge_length": length,
            "charge_length": length,
            "original_charge_label": _label(length),
            "charge_label": _label(length),
            # The docs' charge_length example answers null here; a from/till one the price.
            "original_price_each_in_cents": price if start is not None else None,
            "price_each_in_cents": price,
            "price_rule_values": None,
            "price_structure_id": product.get("price_structure_id"),
            "price_ruleset_id": product.get("price_ruleset_id"),
            "price_tile_id": tile,
        }

    return Computed(keys, build)


# -- inventory_levels -----------------------------------------------------------------------


def _inventory_levels(ctx: Context, params: _Params) -> Computed:
    start, stop = _aware(params.one("from")), _aware(params.one("till"))
    window = (start, stop) if start is not None and stop is not None else None
    order_id = params.one("order_id")
    locations = _location_ids(ctx, params.one("location_id"))
    keys = [(i, loc) for i in _product_ids(ctx, params.values("item_id")) for loc in locations]

    def build(key: tuple[str, str]) -> Record:
        item_id, location_id = key
        stock = len(_stock_items(ctx, item_id, location_id))
        planned, needed = _held(
            ctx,
            item_id,
            window,
            location_id=location_id,
            exclude_order=None if order_id is None else str(order_id),
        )
        found = ctx.store.get("products", item_id)
        available = stock - needed
        return {
            "id": row_id("inventory_levels", item_id, location_id, start, stop, order_id),
            "item_id": item_id,
            "location_id": location_id,
            "order_id": None if order_id is None else str(order_id),
            "location_stock_count": stock,
            "location_planned": planned,
            "location_needed": needed,
            "location_available": available,
            "location_plannable": _plannable(found[1] if found else None, available),
        }

    return Computed(keys, build)


# -- inventory_breakdowns -------------------------------------------------------------------


def _breakdown_status(item: Record, now: datetime) -> str:
    start, stop = moment_or_none(item.get("from")), moment_or_none(item.get("till"))
    if start is not None and start > now:
        return "expected"
    if stop is not None and stop <= now:
        return "expired"
    return "in_stock"


def _inventory_breakdowns(ctx: Context, params: _Params) -> Computed:
    now = ctx.now_datetime()
    products = {str(p) for p in params.values("product_id")}
    groups = {str(g) for g in params.values("product_group_id")}
    locations = {str(loc) for loc in params.values("location_id")}
    types = {str(t) for t in params.values("inventory_breakdown_type")}

    def grouped(status: str | None) -> dict[tuple[Any, ...], list[Record]]:
        out: dict[tuple[Any, ...], list[Record]] = {}
        for item in ctx.store.table("stock_items").values():
            if item.get("archived") or item.get("status") == "archived":
                continue
            if products and item.get("product_id") not in products:
                continue
            if groups and item.get("product_group_id") not in groups:
                continue
            if locations and item.get("location_id") not in locations:
                continue
            kind = "temporary" if item.get("till") else "regular"
            if types and kind not in types:
                continue
            state = _breakdown_status(item, now)
            if status is not None and state != status:
                continue
            key = (
                item.get("product_id"),
                item.get("location_id"),
                kind,
                state,
                item.get("from") if state == "expected" or kind == "temporary" else None,
                item.get("till") if kind == "temporary" else None,
            )
            out.setdefault(key, []).append(item)
        return out

    def build_from(groups_: Mapping[tuple[Any, ...], list[Record]]) -> Callable[[Any], Record]:
        def build(key: tuple[Any, ...]) -> Record:
            product_id, location_id, kind, state, start, stop = key
            items = groups_[key]
            downtime = sum(
                int(d.get("quantity") or 0)
                for d in ctx.store.find_by("downtimes", "product_id", product_id)
                if d.get("status") in _HOLDING and d.get("location_id") in (None, location_id)
            )
            return {
                "id": row_id("inventory_breakdowns", *key),
                "product_id": product_id,
                "location_id": location_id,
                "inventory_breakdown_type": kind,
                "status": state,
                "from": start,
                "till": stop,
                "stock_count": len(items),
                "started": sum(1 for i in items if i.get("status") == "started"),
                "downtime_count": downtime,
            }

        return build

    status = params.one("status")
    rows = grouped(None if status is None else str(status))

    def stats_rows(field: str) -> list[Record]:
        if field != "status":
            return [build_from(rows)(k) for k in rows]
        every = grouped(None)
        return [build_from(every)(k) for k in every]

    return Computed(list(rows), build_from(rows), stats_rows)


# -- availabilities -------------------------------------------------------------------------


def _subject_needs(
    ctx: Context, subject_type: str, subject_id: str, quantity: int
) -> tuple[dict[str, int], timedelta, str | None]:
    """Products and quantities a subject needs, its duration, and the order to leave out."""
    if subject_type == "item":
        return {subject_id: quantity}, timedelta(days=1), None
    if subject_type == "cart":
        return {}, timedelta(days=1), None  # carts are undocumented: the fake holds none
    if subject_type not in ("order", "downtime"):
        raise bad_request(
            f"filter[subject_type] must be order, cart, item or downtime, got {subject_type!r}",
            parameter="filter[subject_type]",
        )
    if subject_type == "downtime":
        found = ctx.store.get("downtimes", subject_id)
        if found is None:
            raise not_found()
        downtime = found[1]
        length = _length(downtime) or timedelta(days=1)
        return {str(downtime.get("product_id")): int(downtime.get("quantity") or 1)}, length, None
    found = ctx.store.get("orders", subject_id)
    if found is None:
        raise not_found()
    needs: dict[str, int] = {}
    for planning in ctx.store.find_by("plannings", "order_id", subject_id):
        if not planning.get("archived") and planning.get("item_id"):
            key = str(planning["item_id"])
            needs[key] = needs.get(key, 0) + int(planning.get("quantity") or 0)
    return needs, _length(found[1]) or timedelta(days=1), subject_id


def _length(record: Record) -> timedelta | None:
    period = _period(record)
    return None if period is None else period[1] - period[0]


def _availabilities(ctx: Context, params: _Params) -> Computed:
    subject_type = str(params.one("subject_type") or "item")
    subject_id = str(params.one("subject_id"))
    year, month = params.one("year"), params.one("month")
    if not isinstance(year, int) or not isinstance(month, int) or not 1 <= month <= 12:
        raise bad_request("filter[year] and filter[month] must name a month", parameter="filter")
    wanted = params.one("quantity")
    needs, length, own_order = _subject_needs(
        ctx, subject_type, subject_id, int(wanted) if wanted is not None else 1
    )
    location = params.one("location_id")
    location_id = None if location is None else str(location)
    stop_type = params.one("type") == "stop"
    day = params.one("day")
    if isinstance(day, int):
        starts_at = _aware(params.one("starts_at"))
        first = datetime(year, month, day, tzinfo=timezone.utc)
        keys: list[datetime] = [first + timedelta(minutes=15 * i) for i in range(96)]
        kind = "time"
        if starts_at is not None:
            length = max(length, timedelta(minutes=15))
    else:
        days = calendar.monthrange(year, month)[1]
        keys = [datetime(year, month, d, tzinfo=timezone.utc) for d in range(1, days + 1)]
        kind = "date"

    def build(moment: datetime) -> Record:
        window = (moment - length, moment) if stop_type else (moment, moment + length)
        free = {}
        for product_id, need in needs.items():
            found = ctx.store.get("products", product_id)
            if found is not None and found[1].get("tracking_type") == "none":
                free[product_id] = need
                continue
            stock = len(_stock_items(ctx, product_id, location_id))
            _, held = _held(ctx, product_id, window, exclude_order=own_order)
            free[product_id] = stock - held
        fits = [free[p] >= n for p, n in needs.items()]
        status = "available" if all(fits) else ("partial" if any(fits) else "unavailable")
        quantity = None
        if subject_type == "item":
            quantity = max(0, min(free.values(), default=0))
        return {
            "id": row_id("availabilities", subject_type, subject_id, moment.isoformat(), kind),
            "subject_type": subject_type,
            "subject_id": subject_id,
            "date": moment.date().isoformat(),
            "hour": f"{moment.hour:02d}" if kind == "time" else None,
            "minute": f"{moment.minute:02d}" if kind == "time" else None,
            "status": status,
            "available": {"available": True, "unavailable": False}.get(status),
            "quantity": quantity,
            "type": kind,
        }

    return Computed(keys, build)


# -- order_planning_availabilities ----------------------------------------------------------


def planning_availability(ctx: Context, order_id: str) -> Record:
    """The one ``order_planning_availabilities`` record of an order.

    Raises:
        FakeError: 404 for an unknown order.
    """
    found = ctx.store.get("orders", order_id)
    if found is None:
        raise not_found()
    order = found[1]
    window = _period(order)
    available: dict[str, Any] = {}
    for planning in ctx.store.find_by("plannings", "order_id", order_id):
        product = ctx.store.get("products", str(planning.get("item_id")))
        if planning.get("archived") or product is None:
            continue
        stock = len(_stock_items(ctx, product[1]["id"], None))
        _, held = _held(ctx, product[1]["id"], window, exclude_order=order_id)
        free = stock - held
        available[str(planning["id"])] = {
            "location": {
                "stock_count": stock,
                "available": free,
                "plannable": _plannable(product[1], free),
            }
        }
    return {"id": order_id, "order_id": order_id, "available": available}


#: type -> computation.
COMPUTED: Mapping[str, Callable[[Context, _Params], Computed]] = {
    "item_prices": _item_prices,
    "inventory_levels": _inventory_levels,
    "inventory_breakdowns": _inventory_breakdowns,
    "availabilities": _availabilities,
}


def compute(ctx: Context, type_name: str, raw_filter: Any) -> Computed:
    """Compute the rows of a computed resource for a request's ``filter`` hash."""
    return COMPUTED[type_name](ctx, _Params(type_name, raw_filter))
