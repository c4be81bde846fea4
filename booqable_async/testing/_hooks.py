"""Side effects Booqable performs on plain writes of some resources.

- ``orders``: status on create is ``new``, ``draft`` or ``reserved`` (catalog note); an
  order gets its number when it leaves ``new``; locations default to the first location;
  moving the period of a reserved or started order re-checks stock (422 like
  ``orders__update__response_3``) and moves its plannings.
- ``customers``: numbered in creation order.
- ``lines``: a line owned by an order belongs to it; its price is price each x quantity; the
  order's totals follow.
- ``<relation>_attributes``: creates, updates or destroys the related records
  (``properties_attributes``, ``tax_rates_attributes``...).
- DELETE archives where the catalog says so (``archived``/``archived_at`` set, record kept);
  ``locations`` refuse to archive with running or future orders or active stock (the two
  422 doc examples).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from booqable_async.schema import get_schema, has_schema
from booqable_async.testing._booking import (
    HOLDING,
    check_order_availability,
    recalculate_order,
    set_order_status,
)
from booqable_async.testing._context import Context
from booqable_async.testing._derived import (
    after_group_create,
    after_group_update,
    derive_on_create,
)
from booqable_async.testing._errors import (
    attribute_error,
    invalid_attributes,
    unprocessable,
)
from booqable_async.testing._relations import plan_for
from booqable_async.testing._store import Record
from booqable_async.testing._values import TypecastError, parse_datetime, typecast

__all__ = ["after_create", "after_update", "before_create", "before_update", "delete", "stored"]


def stored(values: Mapping[str, Any], type_name: str | None = None) -> dict[str, Any]:
    """Drop hook bookkeeping keys (and, given the type, write-only attributes) before storing."""
    out = {k: v for k, v in values.items() if not k.startswith("_")}
    if type_name is not None:
        attributes = get_schema(type_name).attributes
        out = {
            k: v
            for k, v in out.items()
            if k in attributes and (not attributes[k].writeonly or k.endswith("_id"))
        }
    return out


def _first_location(ctx: Context) -> str | None:
    for location in ctx.store.table("locations").values():
        if not location.get("archived"):
            return str(location["id"])
    return None


def before_create(ctx: Context, type_name: str, values: dict[str, Any]) -> None:
    """Fill in server-side defaults and check create-only rules (mutates ``values``)."""
    derive_on_create(ctx, type_name, values)
    if type_name == "orders":
        status = values.get("status") or "new"
        values["status"] = "new"  # set_order_status moves it after the insert
        values["_status"] = status
        location = _first_location(ctx)
        values.setdefault("start_location_id", location)
        values.setdefault("stop_location_id", location)
    elif type_name == "customers":
        numbers = [r.get("number") or 0 for r in ctx.store.table("customers").values()]
        values.setdefault("number", max(numbers, default=0) + 1)
    elif type_name == "signatures":
        # A signature belongs to the document's order and customer.
        document = ctx.store.get("documents", str(values.get("document_id")))
        if document is not None:
            values.setdefault("order_id", document[1].get("order_id"))
            values.setdefault("customer_id", document[1].get("customer_id"))
    elif type_name == "employee_invitations":
        # Inviting creates the employee (employee_invitations example includes it).
        names = [values.get("firstname"), values.get("lastname")]
        employee = ctx.build(
            "employees",
            {
                "email": values.get("email"),
                "firstname": values.get("firstname"),
                "lastname": values.get("lastname"),
                "name": " ".join(str(n) for n in names if n) or None,
            },
        )
        values["employee_id"] = ctx.insert("employees", employee)["id"]
    elif type_name == "lines":
        if values.get("owner_type") == "orders" and values.get("owner_id"):
            values.setdefault("order_id", values["owner_id"])
        if values.get("order_id") is not None:
            # Appended at the end (lines__create__response: position 1 on an empty order).
            siblings = ctx.store.find_by("lines", "order_id", values["order_id"])
            values.setdefault("position", len(siblings) + 1)
        _price_line(values)


def _price_line(values: dict[str, Any]) -> None:
    quantity = values.get("quantity")
    if quantity is None:
        quantity = values["quantity"] = 1
    each = values.get("price_each_in_cents") or 0
    values["price_in_cents"] = int(each) * int(quantity)
    values.setdefault("line_type", "charge")


def _order_of_line(ctx: Context, record: Record) -> Record | None:
    found = ctx.store.get("orders", str(record.get("order_id")))
    return None if found is None else found[1]


def after_create(ctx: Context, type_name: str, record: Record, values: Mapping[str, Any]) -> None:
    """Run effects that need the stored record (numbers, totals, child records)."""
    if type_name == "orders":
        set_order_status(ctx, record, str(values.get("_status", "new")))
        recalculate_order(ctx, record)
    elif type_name == "product_groups":
        after_group_create(ctx, record)
    elif type_name == "lines":
        order = _order_of_line(ctx, record)
        if order is not None:
            recalculate_order(ctx, order)
    _write_nested(ctx, type_name, record, values)


def before_update(ctx: Context, type_name: str, record: Record, changes: dict[str, Any]) -> None:
    """Check update rules before anything changes (mutates ``changes``)."""
    if type_name == "orders" and record.get("status") in HOLDING:
        moved = {k: changes[k] for k in ("starts_at", "stops_at") if k in changes}
        if moved:
            start = moved.get("starts_at", record.get("starts_at"))
            stop = moved.get("stops_at", record.get("stops_at"))
            window = (parse_datetime(start), parse_datetime(stop)) if start and stop else None
            check_order_availability(
                ctx,
                record,
                window=window,
                confirm_shortage=bool(changes.get("confirm_shortage")),
            )
    elif type_name == "lines" and ("quantity" in changes or "price_each_in_cents" in changes):
        merged = {**record, **changes}
        _price_line(merged)
        changes["price_in_cents"] = merged["price_in_cents"]


def after_update(ctx: Context, type_name: str, record: Record, values: Mapping[str, Any]) -> None:
    """Propagate an update (plannings follow their order's period; totals follow lines)."""
    if type_name == "orders" and ("starts_at" in values or "stops_at" in values):
        period = {"starts_at": record.get("starts_at"), "stops_at": record.get("stops_at")}
        holding = record.get("status") in HOLDING
        for planning in ctx.store.find_by("plannings", "order_id", record["id"]):
            reserved = (
                {"reserved_from": period["starts_at"], "reserved_till": period["stops_at"]}
                if holding
                else {}
            )
            ctx.update("plannings", planning, {**period, **reserved})
        for sip in ctx.store.find_by("stock_item_plannings", "order_id", record["id"]):
            ctx.update("stock_item_plannings", sip, period)
    elif type_name == "lines":
        order = _order_of_line(ctx, record)
        if order is not None:
            recalculate_order(ctx, order)
    elif type_name == "product_groups":
        after_group_update(ctx, record, values)
    _write_nested(ctx, type_name, record, values)


def _child_values(
    type_name: str, entry: dict[str, Any], path: tuple[str, ...]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    attributes = get_schema(type_name).attributes
    values: dict[str, Any] = {}
    errors = []
    for key, raw in entry.items():
        if key in ("id", "_destroy"):
            continue
        spec = attributes.get(key)
        if spec is None:
            errors.append(
                attribute_error((*path, key), "is an unknown attribute", "unknown_attribute")
            )
            continue
        try:
            values[key] = typecast(spec.type, raw)
        except TypecastError as exc:
            errors.append(attribute_error((*path, key), str(exc), "type_error"))
    return values, errors


def _existing_child(
    ctx: Context, target: str, owner: Record, entry: dict[str, Any]
) -> tuple[str, Record] | None:
    if entry.get("id"):
        return ctx.store.get(target, str(entry["id"]))
    if target == "properties" and entry.get("identifier"):
        # Properties are addressed by identifier (orders docs: delivery_address...).
        for prop in ctx.store.find_by("properties", "owner_id", owner["id"]):
            if prop.get("identifier") == entry["identifier"]:
                return "properties", prop
    return None


def _write_nested(ctx: Context, type_name: str, record: Record, values: Mapping[str, Any]) -> None:
    """Apply ``<relation>_attributes`` writes: create, update or destroy related records.

    Booqable has no JSON:API side-posting; children are written through these attributes
    (catalog ``global.sideposting``): each entry creates a record, or updates the one whose
    ``id`` it names, or destroys it with ``_destroy: true``. A hash attribute with an
    ``_attributes`` twin (``main_address_attributes``) is merged into the hash.
    """
    schema = get_schema(type_name)
    errors: list[dict[str, Any]] = []
    for name, value in values.items():
        if not name.endswith("_attributes") or value is None:
            continue
        base = name[: -len("_attributes")]
        rel = schema.relationships.get(base)
        if rel is None:
            spec = schema.attributes.get(base)
            if spec is not None and spec.type == "hash" and isinstance(value, dict):
                ctx.update(type_name, record, {base: {**(record.get(base) or {}), **value}})
            continue
        target = rel.types[0]
        if not has_schema(target) or get_schema(target).polymorphic_types:
            continue  # undocumented targets (translations, menu_items): nothing to store
        plan = plan_for(type_name, base)
        entries = value if isinstance(value, list) else [value]
        for index, entry in enumerate(entries):
            path = ("data", "attributes", name, str(index))
            if not isinstance(entry, dict):
                errors.append(attribute_error(path, "must be an object", "type_error"))
                continue
            child_values, child_errors = _child_values(target, entry, path)
            errors.extend(child_errors)
            if child_errors:
                continue
            existing = _existing_child(ctx, target, record, entry)
            if existing is not None and entry.get("_destroy"):
                ctx.remove(target, existing[1])
                continue
            if existing is not None:
                ctx.update(target, existing[1], child_values)
                continue
            if plan.kind == "inverse" and plan.attr:
                child_values[plan.attr] = record["id"]
                if plan.type_attr:
                    child_values[plan.type_attr] = type_name
            child = ctx.insert(target, ctx.build(target, child_values))
            if plan.kind == "fk" and plan.attr:
                ctx.update(type_name, record, {plan.attr: child["id"]})
    if errors:
        raise invalid_attributes(errors)
    if isinstance(values.get("properties_attributes"), list) and "properties" in schema.attributes:
        summary = {
            str(p.get("identifier") or p.get("name")): p.get("value")
            for p in ctx.store.find_by("properties", "owner_id", record["id"])
        }
        ctx.update(type_name, record, {"properties": summary})


def _location_in_use(ctx: Context, record: Record) -> None:
    orders = [
        {"id": o["id"]}
        for o in ctx.store.table("orders").values()
        if o.get("status") in HOLDING
        and record["id"] in (o.get("start_location_id"), o.get("stop_location_id"))
    ]
    if orders:
        raise unprocessable(
            "location_has_orders",
            "Location has orders",
            "This location has running or future orders",
            {"blocking": [{"orders": orders}]},
        )
    stock = sorted(
        {
            str(s.get("product_id"))
            for s in ctx.store.find_by("stock_items", "location_id", record["id"])
            if not s.get("archived")
        }
    )
    if stock:
        raise unprocessable(
            "location_has_stock",
            "Location has stock",
            "This location has active stock",
            {"item_ids": stock},
        )


def delete(ctx: Context, type_name: str, record: Record) -> Record:
    """Delete (or archive, where the catalog says DELETE archives) and return the record."""
    schema = get_schema(type_name)
    if type_name == "locations":
        _location_in_use(ctx, record)
    if schema.delete_archives and "archived" in schema.attributes:
        now = ctx.now()
        changes: dict[str, Any] = {"archived": True, "updated_at": now}
        if "archived_at" in schema.attributes:
            changes["archived_at"] = now
        ctx.update(type_name, record, changes)
        if type_name == "lines":
            order = _order_of_line(ctx, record)
            if order is not None:
                recalculate_order(ctx, order)
        return record
    ctx.remove(type_name, record)
    if type_name == "orders":
        for child in ("lines", "plannings", "stock_item_plannings"):
            for row in list(ctx.store.find_by(child, "order_id", record["id"])):
                ctx.remove(child, row)
    return record
