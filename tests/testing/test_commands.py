"""Command resources and singletons answer what Booqable's examples show."""

from __future__ import annotations

from typing import Any

from booqable_async.testing import FakeBooqable

from .conftest import doc, send

PERIOD = {
    "starts_at": "2030-01-01T10:00:00.000000+00:00",
    "stops_at": "2030-01-03T10:00:00.000000+00:00",
}


def _booked_order(fake: FakeBooqable) -> tuple[dict[str, Any], str, str]:
    customer = fake.add("customers", name="Jane")["id"]
    product = fake.add("products", name="Bike", tracking_type="trackable", base_price_in_cents=500)
    stock = fake.add("stock_items", product_id=product["id"])["id"]
    order = send(
        fake,
        "POST",
        "/api/4/orders",
        doc("orders", {"customer_id": customer, "tag_list": ["vip"], **PERIOD}),
    ).json["data"]
    action = {
        "action": "book_stock_items",
        "mode": "create_new",
        "product_id": product["id"],
        "stock_item_ids": [stock],
    }
    body = doc("order_fulfillments", {"order_id": order["id"], "actions": [action]})
    assert send(fake, "POST", "/api/4/order_fulfillments", body).status == 200
    custom = {"owner_id": order["id"], "owner_type": "orders", "title": "Cleaning"}
    assert send(fake, "POST", "/api/4/lines", doc("lines", custom)).status == 201
    return order, customer, stock


def test_order_duplication_creates_the_new_order(fake: FakeBooqable) -> None:
    # order_duplications__create__request/response: every flag set, 200 with new_order_id.
    original, customer, stock = _booked_order(fake)
    phone = {"identifier": "phone", "name": "Phone", "value": "123"}
    body = doc("orders", {"properties_attributes": [phone]})
    assert send(fake, "PUT", f"/api/4/orders/{original['id']}", body).status == 200
    gone = {"owner_id": original["id"], "owner_type": "orders", "title": "Removed"}
    removed = send(fake, "POST", "/api/4/lines", doc("lines", gone)).json["data"]["id"]
    assert send(fake, "DELETE", f"/api/4/lines/{removed}").status == 200  # archives
    fake.add(
        "stock_item_plannings",
        order_id=original["id"],
        archived=True,
        planning_id=next(p["id"] for p in fake.all("plannings") if p["order_id"] == original["id"]),
    )
    flags = {
        "original_order_id": original["id"],
        "custom_lines": True,
        "customer": True,
        "dates": True,
        "deposit": "current",
        "discount": True,
        "properties": True,
        "stock_item_plannings": True,
        "tags": True,
    }
    reply = send(
        fake,
        "POST",
        "/api/4/order_duplications?include=new_order",
        doc("order_duplications", flags),
    )
    assert reply.status == 200, reply.json
    new_id = reply.json["data"]["attributes"]["new_order_id"]
    assert new_id not in (None, original["id"])
    (included,) = reply.json["included"]
    assert included["id"] == new_id
    new = fake.get("orders", new_id)
    assert new is not None
    assert (new["status"], new["customer_id"], new["tag_list"]) == ("new", customer, ["vip"])
    assert (new["starts_at"], new["stops_at"]) == (PERIOD["starts_at"], PERIOD["stops_at"])
    lines = [line for line in fake.all("lines") if line["order_id"] == new_id]
    assert sorted(line["title"] for line in lines) == ["Bike", "Cleaning"]
    assert new["price_in_cents"] == fake.get("orders", original["id"])["price_in_cents"]
    sips = [s for s in fake.all("stock_item_plannings") if s["order_id"] == new_id]
    assert [s["stock_item_id"] for s in sips] == [stock]
    assert new["properties"] == {"phone": "123"}
    copied = [p for p in fake.all("properties") if p["owner_id"] == new_id]
    assert [(p["identifier"], p["value"]) for p in copied] == [("phone", "123")]


def test_order_duplication_flags_leave_parts_out(fake: FakeBooqable) -> None:
    original, _, _ = _booked_order(fake)
    body = doc("order_duplications", {"original_order_id": original["id"], "deposit": "none"})
    new_id = send(fake, "POST", "/api/4/order_duplications", body).json["data"]["attributes"][
        "new_order_id"
    ]
    new = fake.get("orders", new_id)
    assert new is not None
    assert (new["customer_id"], new["starts_at"], new["tag_list"]) == (None, None, [])
    assert new["deposit_type"] == "none"
    titles = [line["title"] for line in fake.all("lines") if line["order_id"] == new_id]
    assert titles == ["Bike"]  # product lines always; custom lines only when asked
    assert not [s for s in fake.all("stock_item_plannings") if s["order_id"] == new_id]
    missing = doc("order_duplications", {"original_order_id": fake.company_id})
    assert send(fake, "POST", "/api/4/order_duplications", missing).status == 404


def test_current_session_names_the_company_and_employee(fake: FakeBooqable) -> None:
    # sessions__current__response: include=company,employee,settings links all three.
    reply = send(fake, "GET", "/api/4/sessions/current?include=company,employee,settings")
    assert reply.status == 200
    data = reply.json["data"]
    assert data["attributes"]["company_id"] == fake.company_id
    assert data["attributes"]["employee_id"] == fake.employee_id
    links = {name: rel["data"]["id"] for name, rel in data["relationships"].items()}
    assert links["company"] == fake.company_id
    assert links["employee"] == fake.employee_id
    assert {r["type"] for r in reply.json["included"]} == {"companies", "employees", "settings"}
    settings = send(fake, "GET", "/api/4/settings/current").json["data"]["id"]
    assert links["settings"] == settings
