"""Values Booqable computes when a record is created (or its group changes).

From the documented create answers (``<type>__create__response``):

- ``product_groups``: ``slug`` and ``sku`` from the name (``iPad mini`` -> ``ipad-mini``,
  ``IPAD_MINI``); a group always has at least one product (product_groups notes), so
  creating one creates its product;
- ``products``: a variation of its group: the group's inherited fields, ``name`` = group
  name plus the variation values (``iPad Pro - red``), ``group_name``, ``slug``; later
  changes to a group's inherited fields reach its products;
- ``barcodes``: a blank ``number`` is generated (a QR code's is the ``http://bqbl.it/<id>``
  URL) and ``image_url`` points at the rendered image;
- ``bundles``, ``collections``: ``slug`` from the name; ``users``: ``name`` from first and
  last name;
- a read-only ``employee_id`` (notes, emails, operations, payments...) is the acting
  employee and a read-only ``company_id`` the company.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from typing import Any

from booqable_async.schema import get_schema
from booqable_async.testing._context import Context
from booqable_async.testing._store import Record

__all__ = ["after_group_create", "after_group_update", "derive_on_create"]

_NOT_ALNUM = re.compile(r"[^0-9a-zA-Z]+")
# Inherited fields the product sets itself rather than copying from its group.
_OWN = frozenset({"name", "group_name", "slug", "sku", "variation", "has_variations"})
# Read-only attributes both types have that are each record's own.
_NOT_INHERITED = frozenset(
    {"id", "type", "archived", "archived_at", "created_at", "updated_at", "photo_url"}
)


def slug(name: str) -> str:
    """``iPad Pro - red`` -> ``ipad-pro-red`` (Rails' parameterize)."""
    return _NOT_ALNUM.sub("-", name).strip("-").lower()


def _sku(name: str) -> str:
    return _NOT_ALNUM.sub("_", name).strip("_").upper()


@cache
def _inherited() -> tuple[str, ...]:
    # The products field table's "Inherited Fields".
    return tuple(
        name
        for name, spec in get_schema("products").attributes.items()
        if name in get_schema("product_groups").attributes
        and spec.readonly
        and name not in _OWN | _NOT_INHERITED
    )


def _first(ctx: Context, type_name: str) -> Record | None:
    return next((record for _, record in ctx.store.iter(type_name)), None)


def _barcode_number(record_id: str, barcode_type: Any) -> str:
    if barcode_type in (None, "qr_code"):
        return f"http://bqbl.it/{record_id}"
    length = {"ean8": 7, "ean13": 12}.get(str(barcode_type), 12)
    digits = str(int(record_id.replace("-", ""), 16))[-length:].zfill(length)
    if barcode_type in ("ean8", "ean13"):
        # EAN check digit: weights 3 and 1 from the right.
        total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
        digits += str((10 - total % 10) % 10)
    return digits


def _product_values(group: Record, values: Mapping[str, Any], position: int) -> dict[str, Any]:
    variation_values = [str(v) for v in values.get("variation_values") or []]
    group_name = str(group.get("name") or "")
    name = " - ".join([group_name, " ".join(variation_values)]) if variation_values else group_name
    derived = {k: group.get(k) for k in _inherited() if k in group}
    derived.update(
        name=name,
        group_name=group_name,
        slug=slug(name),
        variation=bool(variation_values) or bool(group.get("has_variations")),
        has_variations=bool(group.get("has_variations")) or bool(variation_values),
        sorting_weight=position,
    )
    return derived


def derive_on_create(ctx: Context, type_name: str, values: dict[str, Any]) -> None:
    """Fill in the values the server computes for a new record (mutates ``values``)."""
    attributes = get_schema(type_name).attributes
    for key, source in (("employee_id", "employees"), ("company_id", "companies")):
        spec = attributes.get(key)
        if spec is not None and spec.readonly and values.get(key) is None:
            found = _first(ctx, source)
            values[key] = None if found is None else found["id"]
    name = values.get("name")
    if type_name in ("product_groups", "bundles", "collections") and isinstance(name, str):
        values.setdefault("slug", slug(name))
        if type_name == "product_groups":
            values.setdefault("sku", _sku(name))
    elif type_name == "products":
        group = ctx.store.get("product_groups", str(values.get("product_group_id")))
        if group is not None:
            position = len(ctx.store.find_by("products", "product_group_id", group[1]["id"])) + 1
            for key, value in _product_values(group[1], values, position).items():
                values.setdefault(key, value)
    elif type_name == "barcodes":
        record_id = values.setdefault("id", ctx.new_id())
        if not values.get("number"):
            values["number"] = _barcode_number(record_id, values.get("barcode_type"))
        company = _first(ctx, "companies")
        host = f"{company['slug']}.booqable.com" if company else "booqable.com"
        values["image_url"] = f"https://{host}/barcodes/{record_id}/image"
    elif type_name == "users" and not values.get("name"):
        names = [values.get("first_name"), values.get("last_name")]
        values["name"] = " ".join(str(n) for n in names if n) or None


def after_group_create(ctx: Context, group: Record) -> None:
    """Create the product every product group has."""
    values = _product_values(group, {}, 1)
    values.update(
        product_group_id=group["id"], base_price_in_cents=group.get("base_price_in_cents")
    )
    ctx.insert("products", ctx.build("products", values))


def after_group_update(ctx: Context, group: Record, changes: Mapping[str, Any]) -> None:
    """Copy changed inherited fields (and a new name) to the group's products."""
    shared = {k: group.get(k) for k in _inherited() if k in changes}
    for product in ctx.store.find_by("products", "product_group_id", group["id"]):
        update = dict(shared)
        if "name" in changes:
            update["group_name"] = group.get("name")
            if not product.get("variation"):
                update.update(name=group.get("name"), slug=slug(str(group.get("name") or "")))
        if update:
            ctx.update("products", product, update)
