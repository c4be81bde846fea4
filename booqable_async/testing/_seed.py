"""A deterministic demo company: locations, products and stock, customers, orders.

Everything derives from the seed: record ids, names, prices, periods and statuses. Times
are laid out around a fixed date (2025-01-01 UTC), not the wall clock, so two runs with the
same seed produce identical answers. Reserved and started orders never overbook stock:
an order that would not fit is left in ``draft``.

Records are created and updated at different moments, as a real company's are (down to
the microsecond): the catalog and customers first, each order (with its lines and
plannings) some days before its rental starts, and every record last updated somewhere
between its creation and the base date (an order's plannings with it). An incremental
sync's look-back window under its mark therefore holds a handful of records, not
thousands sharing one stamp. The times come from a random stream of their own, so every
other value is what the same seed gave before they were spread.

Generation builds records from per-type templates and computes order totals locally
(no store lookups while seeding), so the default size takes a few hundred milliseconds.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

import attrs

from booqable_async.testing._booking import charge_line, item_summary
from booqable_async.testing._context import Context
from booqable_async.testing._store import Record

__all__ = ["DemoSummary", "seed_demo"]

_BASE = datetime(2025, 1, 1, tzinfo=timezone.utc)
_DAY = timedelta(days=1)
_FIRST = (
    "Alex",
    "Bo",
    "Chris",
    "Dana",
    "Eli",
    "Fenna",
    "Gijs",
    "Hana",
    "Ivo",
    "Jun",
    "Kim",
    "Lena",
    "Milan",
    "Noor",
    "Otto",
    "Pia",
    "Quinn",
    "Rosa",
    "Sam",
    "Tess",
    "Umar",
    "Vera",
    "Wim",
    "Xena",
    "Yara",
    "Zeno",
)
_LAST = (
    "Jansen",
    "de Vries",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "Mulder",
    "de Boer",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "Dekker",
    "Brouwer",
    "Kok",
    "Jacobs",
    "Vermeulen",
)
_KINDS = (
    "Bike",
    "Tent",
    "Kayak",
    "Speaker",
    "Projector",
    "Camera",
    "Drone",
    "Ladder",
    "Generator",
    "Table",
    "Chair",
    "Heater",
    "Tripod",
    "Canoe",
    "Scooter",
    "Snowboard",
    "Ski set",
    "Paddle board",
    "Grill",
    "Cooler",
    "Stroller",
    "Wetsuit",
    "Lantern",
    "Mixer",
)
_ADJECTIVES = (
    "Classic",
    "Pro",
    "Compact",
    "Family",
    "Deluxe",
    "Lite",
    "Urban",
    "Trail",
    "Studio",
    "Event",
)
_TAGS = ("webshop", "walk-in", "phone", "corporate", "returning", "festival")
# Order status by when the rental happens relative to the base date.
_PAST = (("stopped", 6), ("archived", 3), ("canceled", 1))
_NOW = (("started", 1),)
_FUTURE = (("reserved", 6), ("draft", 2), ("new", 1), ("canceled", 1))


@attrs.frozen
class DemoSummary:
    """Counts of what :func:`seed_demo` created."""

    locations: int
    product_groups: int
    products: int
    stock_items: int
    customers: int
    orders: int
    lines: int
    plannings: int


class _Maker:
    """Builds records of one type quickly from a template."""

    def __init__(self, ctx: Context, type_name: str) -> None:
        self.ctx = ctx
        self.type_name = type_name
        self.template = ctx.build(type_name, {}, record_id="template")
        self.mutable = [k for k, v in self.template.items() if isinstance(v, (list, dict))]

    def make(self, values: Mapping[str, Any]) -> Record:
        record = dict(self.template)
        for key in self.mutable:
            record[key] = self.template[key].copy()
        record.update(values)
        record["id"] = self.ctx.new_id()
        return self.ctx.insert(self.type_name, record)


def _pick(rng: random.Random, weighted: tuple[tuple[str, int], ...]) -> str:
    names = [n for n, _ in weighted]
    weights = [w for _, w in weighted]
    return rng.choices(names, weights)[0]


def _ts(moment: datetime) -> str:
    # Booqable's format (format_datetime) without its conversion to UTC: every moment
    # here derives from _BASE, already UTC. Seeding formats a few per record.
    return moment.isoformat(timespec="microseconds")


class _Times:
    """When records were created and last updated: spread, deterministic, never late.

    No moment is after the base date. Its own random stream leaves the demo's other
    values untouched.
    """

    def __init__(self, seed: int) -> None:
        self._uniform = random.Random(f"demo-times:{seed}").uniform

    def between(self, start: datetime, end: datetime) -> datetime:
        """A moment in ``[start, end]``."""
        return start + timedelta(seconds=self._uniform(0.0, (end - start).total_seconds()))

    def stamps(self, first: datetime, last: datetime) -> dict[str, str]:
        """``created_at`` in ``[first, last]`` and ``updated_at`` from then to the base date."""
        created = self.between(first, last)
        return {"created_at": _ts(created), "updated_at": _ts(self.between(created, _BASE))}


def seed_demo(
    ctx: Context, *, seed: int, orders: int, customers: int, product_groups: int
) -> DemoSummary:
    """Add the demo company to ``ctx`` and return what was created."""
    rng = random.Random(f"demo:{seed}")
    times = _Times(seed)
    # The company was set up (locations, catalog) over a few days before its first order;
    # customers came over from an earlier system.
    setup = (_BASE - timedelta(days=400), _BASE - timedelta(days=396))
    signup = (_BASE - timedelta(days=730), _BASE - timedelta(days=396))

    loc_maker = _Maker(ctx, "locations")
    locations = [
        loc_maker.make(
            {
                **times.stamps(*setup),
                "name": name,
                "code": code,
                "location_type": "rental",
                "city": "Amsterdam",
                "country": "Netherlands",
                "pickup_enabled": True,
                "fulfillment_capabilities": ["pickup"],
            }
        )
        for name, code in (("Main store", "MAIN"), ("Warehouse", "WH"))
    ]
    main = locations[0]["id"]

    group_maker = _Maker(ctx, "product_groups")
    product_maker = _Maker(ctx, "products")
    stock_maker = _Maker(ctx, "stock_items")
    products: list[Record] = []
    stock: dict[str, int] = {}
    stock_items = 0
    for g in range(product_groups):
        kind = _KINDS[g % len(_KINDS)]
        name = f"{_ADJECTIVES[(g // len(_KINDS)) % len(_ADJECTIVES)]} {kind}"
        if g >= len(_KINDS) * len(_ADJECTIVES):
            name += f" {g}"
        tracking = _pick(rng, (("trackable", 6), ("bulk", 3), ("none", 1)))
        product_type = "service" if tracking == "none" else "rental"
        price = rng.randrange(5, 150) * 100
        variants = rng.choice((1, 1, 1, 2, 3))
        allow_shortage = rng.random() < 0.2
        group_values = {
            **times.stamps(*setup),
            "name": name,
            "slug": name.lower().replace(" ", "-"),
            "sku": f"PG-{g + 1:04d}",
            "tracking_type": tracking,
            "trackable": tracking == "trackable",
            "product_type": product_type,
            "base_price_in_cents": price,
            "price_type": "simple",
            "price_period": "day",
            "has_variations": variants > 1,
            "show_in_store": True,
            "taxable": True,
            "discountable": True,
            "allow_shortage": allow_shortage,
            "tag_list": [rng.choice(_TAGS)],
        }
        group = group_maker.make(group_values)
        for v in range(variants):
            variant_name = name if variants == 1 else f"{name} - {('S', 'M', 'L')[v]}"
            product = product_maker.make(
                {
                    **times.stamps(*setup),
                    **{
                        k: group_values[k]
                        for k in (
                            "tracking_type",
                            "trackable",
                            "product_type",
                            "base_price_in_cents",
                            "price_type",
                            "price_period",
                            "show_in_store",
                            "taxable",
                            "discountable",
                            "allow_shortage",
                        )
                    },
                    "name": variant_name,
                    "group_name": name,
                    "slug": variant_name.lower().replace(" ", "-"),
                    "sku": f"P-{g + 1:04d}-{v + 1}",
                    "variation": variants > 1,
                    "has_variations": variants > 1,
                    "product_group_id": group["id"],
                }
            )
            products.append(product)
            count = 0 if tracking == "none" else rng.randrange(3, 13)
            stock[product["id"]] = count if tracking != "none" else 10**9
            for s in range(count):
                stock_maker.make(
                    {
                        **times.stamps(*setup),
                        "identifier": f"{product['sku']}-{s + 1:03d}",
                        "status": "in_stock",
                        "stock_item_type": "regular",
                        "location_id": main,
                        "product_id": product["id"],
                        "product_group_id": group["id"],
                    }
                )
                stock_items += 1

    customer_maker = _Maker(ctx, "customers")
    customer_ids = []
    for c in range(customers):
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        commercial = rng.random() < 0.15
        name = f"{last} Rentals BV" if commercial else f"{first} {last}"
        customer = customer_maker.make(
            {
                **times.stamps(*signup),
                "name": name,
                "number": c + 1,
                "email": f"{first.lower()}.{last.lower().replace(' ', '')}{c + 1}@example.com",
                "legal_type": "commercial" if commercial else "person",
                "deposit_type": "default",
                "tag_list": [rng.choice(_TAGS)] if rng.random() < 0.3 else [],
            }
        )
        customer_ids.append(customer["id"])

    order_maker = _Maker(ctx, "orders")
    line_maker = _Maker(ctx, "lines")
    planning_maker = _Maker(ctx, "plannings")
    booked: dict[str, list[tuple[datetime, datetime, int]]] = {}
    number = 0
    lines = plannings = 0
    for _ in range(orders):
        offset = rng.uniform(-365, 365)
        starts = _BASE + timedelta(days=offset, hours=rng.randrange(8, 18) - 12)
        starts = starts.replace(minute=0, second=0, microsecond=0)
        stops = starts + timedelta(days=rng.randrange(1, 15))
        if stops < _BASE:
            status = _pick(rng, _PAST)
        elif starts <= _BASE:
            status = _pick(rng, _NOW)
        else:
            status = _pick(rng, _FUTURE)
        wanted = [(rng.choice(products), rng.randrange(1, 4)) for _ in range(rng.randrange(1, 5))]
        merged: dict[str, tuple[Record, int]] = {}
        for product, qty in wanted:
            prev = merged.get(product["id"])
            merged[product["id"]] = (product, qty + (prev[1] if prev else 0))
        holding = status in ("reserved", "started", "stopped")
        if holding and not all(
            _fits(booked, stock, p["id"], starts, stops, q) for p, q in merged.values()
        ):
            status, holding = "draft", False
        reserved_flag = status in ("reserved", "started")
        # Booked days ahead at any time of day; last updated between then and the
        # rental's end (or the base date, for rentals still to come).
        made = min(starts, _BASE) - timedelta(days=rng.randrange(1, 30))
        made = times.between(made - _DAY, made)
        touched = times.between(made, min(stops, _BASE))
        created, updated = _ts(made), _ts(touched)
        s_starts, s_stops = _ts(starts), _ts(stops)
        if status != "new":
            number += 1
        order = order_maker.make(
            {
                "created_at": created,
                "updated_at": updated,
                "number": number if status != "new" else None,
                "status": status,
                "statuses": [status],
                "starts_at": s_starts,
                "stops_at": s_stops,
                "customer_id": rng.choice(customer_ids)
                if status != "new" or rng.random() < 0.5
                else None,
                "start_location_id": main,
                "stop_location_id": main,
                "deposit_type": "percentage",
                "deposit_value": 0.0,
                "tag_list": [rng.choice(_TAGS)] if rng.random() < 0.4 else [],
            }
        )
        total = 0
        order_plannings = []
        for position, (product, qty) in enumerate(merged.values(), start=1):
            if holding:
                booked.setdefault(product["id"], []).append((starts, stops, qty))
            started = qty if status in ("started", "stopped", "archived") else 0
            # Lines and plannings are made with the order (one checkout); a line keeps
            # that time, a planning moves with the order's status (its last update).
            planning = planning_maker.make(
                {
                    "created_at": created,
                    "updated_at": updated,
                    "planning_type": "order",
                    "quantity": qty,
                    "starts_at": s_starts,
                    "stops_at": s_stops,
                    "reserved_from": s_starts if reserved_flag else None,
                    "reserved_till": s_stops if reserved_flag else None,
                    "reserved": reserved_flag,
                    "status": status,
                    "started": started,
                    "stopped": qty if status in ("stopped", "archived") else 0,
                    "order_id": order["id"],
                    "item_id": product["id"],
                    "start_location_id": main,
                    "stop_location_id": main,
                }
            )
            each = int(product["base_price_in_cents"])
            days = max((stops - starts).days, 1)
            price = each * qty * days
            line_maker.make(
                {
                    **charge_line(order["id"], product, planning["id"], qty, each * days, position),
                    "created_at": created,
                    "updated_at": created,
                    "charge_label": f"{days} days",
                    "charge_length": days * 86400,
                }
            )
            total += price
            order_plannings.append(planning)
            lines += 1
            plannings += 1
        paid = (
            total
            if status in ("stopped", "archived")
            else (total // 2 if rng.random() < 0.3 else 0)
        )
        order.update(
            price_in_cents=total,
            grand_total_in_cents=total,
            grand_total_with_tax_in_cents=total,
            amount_in_cents=total,
            total_in_cents=total,
            paid_in_cents=paid,
            amount_paid_in_cents=paid,
            total_paid_in_cents=paid,
            to_be_paid_in_cents=total - paid,
            amount_to_be_paid_in_cents=total - paid,
            total_to_be_paid_in_cents=total - paid,
            **item_summary(status, order_plannings),
            payment_status="paid"
            if paid >= total
            else ("partially_paid" if paid else "payment_due"),
        )
    ctx.store.changed("orders")
    return DemoSummary(
        locations=len(locations),
        product_groups=product_groups,
        products=len(products),
        stock_items=stock_items,
        customers=customers,
        orders=orders,
        lines=lines,
        plannings=plannings,
    )


def _fits(
    booked: dict[str, list[tuple[datetime, datetime, int]]],
    stock: dict[str, int],
    product_id: str,
    starts: datetime,
    stops: datetime,
    quantity: int,
) -> bool:
    # Peak concurrent use over the new period: check at each booking start inside it.
    bookings = [b for b in booked.get(product_id, ()) if b[0] < stops and starts < b[1]]
    points = [starts] + [b[0] for b in bookings if b[0] > starts]
    peak = max((sum(q for s, e, q in bookings if s <= point < e) for point in points), default=0)
    return peak + quantity <= stock.get(product_id, 0)
