"""stock_adjustments and stock_item_archivations."""

from __future__ import annotations

from typing import Any

from booqable_async.testing import FakeBooqable

from .conftest import doc, send

PERIOD = {
    "starts_at": "2030-01-01T10:00:00.000000+00:00",
    "stops_at": "2030-01-03T10:00:00.000000+00:00",
}


def adjust(fake: FakeBooqable, **attributes: Any) -> Any:
    if "location_id" not in attributes:
        # Required (stock_adjustments field table); every documented example names one.
        locations = fake.all("locations")
        at = locations[0] if locations else fake.add("locations", name="Main")
        attributes["location_id"] = at["id"]
    return send(
        fake,
        "POST",
        "/api/4/stock_adjustments?include=stock_items",
        doc("stock_adjustments", attributes),
    )


def test_adding_stock_creates_stock_items(fake: FakeBooqable) -> None:
    product = fake.add("products", tracking_type="trackable")["id"]
    location = fake.add("locations")["id"]
    reply = adjust(
        fake,
        product_id=product,
        location_id=location,
        quantity=2,
        prefix="BK-",
        till="2031-01-01T00:00:00Z",
    )
    assert reply.status == 200
    items = [r["attributes"] for r in reply.json["included"]]
    assert [i["identifier"] for i in items] == ["BK-1", "BK-2"]
    assert {i["stock_item_type"] for i in items} == {"temporary"}
    future = adjust(
        fake,
        product_id=product,
        location_id=location,
        quantity=1,
        **{"from": "2099-01-01T00:00:00Z"},
    )
    assert future.json["included"][0]["attributes"]["status"] == "expected"
    assert future.json["included"][0]["attributes"]["identifier"] == "3"


def test_adjustment_errors(fake: FakeBooqable) -> None:
    product = fake.add("products", tracking_type="trackable")["id"]
    unknown = "00000000-0000-4000-8000-000000000000"
    assert adjust(fake, product_id=unknown, quantity=1).status == 404
    # the catalog's stock_adjustments field table: location_id and product_id are required
    nowhere = adjust(fake, product_id=product, location_id=None, quantity=1)
    assert nowhere.status == 422
    assert nowhere.json["errors"][0]["source"] == {"pointer": "/data/relationships/location"}
    assert adjust(fake, product_id=product, quantity=0).json["errors"][0]["code"] == (
        "invalid_quantity"
    )
    assert adjust(fake, product_id=product, quantity=101).status == 422
    trackable = adjust(fake, product_id=product, quantity=-1)
    assert "stock_item_archivations" in trackable.json["errors"][0]["detail"]
    bulk = fake.add("products", tracking_type="bulk")["id"]
    fake.add("stock_items", product_id=bulk)
    assert (
        "only 1 stock items"
        in adjust(fake, product_id=bulk, quantity=-2).json["errors"][0]["detail"]
    )


def test_removing_bulk_stock_checks_running_orders(fake: FakeBooqable, wall: Any) -> None:
    bulk = fake.add("products", tracking_type="bulk", allow_shortage=True)["id"]
    for _ in range(3):
        fake.add("stock_items", product_id=bulk)
    order = fake.add("orders", status="reserved", **PERIOD)["id"]
    fake.add("plannings", order_id=order, item_id=bulk, quantity=2, reserved=True, **PERIOD)
    fake.add(
        "plannings",
        order_id=order,
        item_id=bulk,
        quantity=5,
        reserved=True,
        archived=True,
        **PERIOD,
    )
    fake.add(
        "plannings",
        item_id=bulk,
        quantity=5,
        reserved=True,
        starts_at="2020-01-01T00:00:00Z",
        stops_at="2020-01-02T00:00:00.000000+00:00",
    )
    assert adjust(fake, product_id=bulk, quantity=-1).status == 200
    warned = adjust(fake, product_id=bulk, quantity=-1)
    assert warned.status == 422
    (entry,) = warned.json["errors"][0]["meta"]["warning"]
    assert (entry["shortage"], entry["mutation"], entry["planned"], entry["plannable"]) == (
        1,
        -1,
        2,
        1,
    )
    assert adjust(fake, product_id=bulk, quantity=-1, confirm_shortage=True).status == 200
    assert sum(1 for s in fake.all("stock_items") if not s["archived"]) == 1


def test_archivation(fake: FakeBooqable) -> None:
    product = fake.add("products", tracking_type="trackable")["id"]
    stock = fake.add("stock_items", product_id=product)["id"]
    body = doc("stock_item_archivations", {"stock_item_id": stock})
    assert send(fake, "POST", "/api/4/stock_item_archivations", body).status == 200
    assert fake.get("stock_items", stock)["status"] == "archived"
    again = send(fake, "POST", "/api/4/stock_item_archivations", body)
    assert again.json["errors"][0]["code"] == "stock_item_archived"
    missing = doc(
        "stock_item_archivations", {"stock_item_id": "00000000-0000-4000-8000-000000000000"}
    )
    assert send(fake, "POST", "/api/4/stock_item_archivations", missing).status == 404


def test_archivation_ignores_finished_orders(fake: FakeBooqable) -> None:
    product = fake.add("products", tracking_type="trackable")["id"]
    stock = fake.add("stock_items", product_id=product)["id"]
    done = fake.add("orders", status="stopped")["id"]
    fake.add("stock_item_plannings", order_id=done, stock_item_id=stock, reserved=True)
    fake.add("stock_item_plannings", order_id=done, stock_item_id=stock, archived=True)
    body = doc("stock_item_archivations", {"stock_item_id": stock})
    assert send(fake, "POST", "/api/4/stock_item_archivations", body).status == 200
