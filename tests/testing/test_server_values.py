"""Values the server computes or defaults, and when ``updated_at`` moves."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from booqable_async.testing import FakeBooqable

from .conftest import Clock, doc, send

SHARED = Path(__file__).resolve().parents[3] / "shared" / "booqable-api"
PERIOD = {"starts_at": "2030-01-01T10:00:00Z", "stops_at": "2030-01-03T10:00:00Z"}


def recorded_attributes(name: str) -> dict[str, Any]:
    exchange = json.loads((SHARED / "recorded" / name).read_text())
    attributes: dict[str, Any] = json.loads(exchange["response"]["body"])["data"]["attributes"]
    return attributes


def example_attributes(name: str) -> dict[str, Any]:
    attributes: dict[str, Any] = json.loads((SHARED / "examples" / name).read_text())["data"][
        "attributes"
    ]
    return attributes


def renamed(counts: dict[str, int]) -> dict[str, int]:
    # Recorded in July 2025, before the concept -> draft rename (README caveats).
    return {("draft" if k == "concept" else k): v for k, v in counts.items()}


def book(fake: FakeBooqable, order_id: str, product_id: str, quantity: int) -> None:
    action = {"action": "book_product", "mode": "create_new", "product_id": product_id}
    body = doc(
        "order_fulfillments", {"order_id": order_id, "actions": [{**action, "quantity": quantity}]}
    )
    assert send(fake, "POST", "/api/4/order_fulfillments", body).status == 200


# -- orders -------------------------------------------------------------------------------


def test_an_empty_new_order_matches_the_recorded_create(
    fake: FakeBooqable, shared_api: Path
) -> None:
    recorded = recorded_attributes(
        "booqable-resourceproxy__orders-resource__create__creates-a-new-order.json"
    )
    created = send(fake, "POST", "/api/4/orders", doc("orders", PERIOD)).json["data"]
    attributes = created["attributes"]
    for name in (
        "status",
        "statuses",
        "item_count",
        "entirely_started",
        "entirely_stopped",
        "amount_to_be_paid_in_cents",
        "deposit_to_be_paid_in_cents",
        "to_be_paid_in_cents",
        "properties",
        "deposit_type",
        "deposit_value",
    ):
        assert attributes[name] == recorded[name], name
    assert attributes["status_counts"] == renamed(recorded["status_counts"])
    assert attributes["amount_to_be_paid_in_cents"] is None  # null, not 0, while empty


def test_status_counts_count_items_like_the_recorded_concept_order(
    fake: FakeBooqable, shared_api: Path
) -> None:
    # recorded orders-resource__find__finds-an-order-by-id: concept order, 2 items:
    # {"concept": 2, ...}, item_count 2, entirely_started false, amounts no longer null.
    recorded = recorded_attributes(
        "booqable-resourceproxy__orders-resource__find__finds-an-order-by-id.json"
    )
    product = fake.add("products", name="Bike", tracking_type="bulk", base_price_in_cents=100)["id"]
    order = send(fake, "POST", "/api/4/orders", doc("orders", PERIOD)).json["data"]["id"]
    book(fake, order, product, 2)
    body = doc("order_status_transitions", {"order_id": order, "transition_to": "draft"})
    assert send(fake, "POST", "/api/4/order_status_transitions", body).status == 200
    attributes = send(fake, "GET", f"/api/4/orders/{order}").json["data"]["attributes"]
    assert attributes["status_counts"] == renamed(recorded["status_counts"])
    assert (attributes["item_count"], attributes["entirely_started"]) == (2, False)
    assert attributes["amount_to_be_paid_in_cents"] == attributes["price_in_cents"] == 200
    assert attributes["deposit_to_be_paid_in_cents"] == 0


def test_items_count_by_how_far_they_got(fake: FakeBooqable) -> None:
    product = fake.add("products", name="Tent", tracking_type="bulk")["id"]
    for _ in range(3):
        fake.add("stock_items", product_id=product)
    order = send(fake, "POST", "/api/4/orders", doc("orders", {**PERIOD, "status": "reserved"}))
    order_id = order.json["data"]["id"]
    book(fake, order_id, product, 3)
    planning = next(p for p in fake.all("plannings") if p["order_id"] == order_id)["id"]
    start = {"action": "start_product", "product_id": product, "planning_id": planning}
    body = doc("order_fulfillments", {"order_id": order_id, "actions": [{**start, "quantity": 2}]})
    assert send(fake, "POST", "/api/4/order_fulfillments", body).status == 200
    attributes = fake.get("orders", order_id)
    assert attributes is not None
    assert attributes["status_counts"] == {
        "new": 0,
        "draft": 0,
        "reserved": 1,
        "started": 2,
        "stopped": 0,
    }
    assert (attributes["entirely_started"], attributes["entirely_stopped"]) == (False, False)


def test_demo_status_counts_add_up_to_the_item_count() -> None:
    fake = FakeBooqable.demo()
    for order in fake.all("orders"):
        counted = sum(order["status_counts"].values())
        assert counted == (0 if order["status"] == "canceled" else order["item_count"]), order


def test_a_put_that_changes_nothing_keeps_updated_at(wall: Clock, shared_api: Path) -> None:
    # recorded orders-resource__update__updates-an-existing-order: the period sent again
    # answers the updated_at of the earlier change.
    fake = FakeBooqable(wall_clock=wall)
    product = fake.add("products", name="Bike", tracking_type="bulk")["id"]
    order = send(fake, "POST", "/api/4/orders", doc("orders", PERIOD)).json["data"]
    book(fake, order["id"], product, 1)
    path = f"/api/4/orders/{order['id']}"
    first = fake.get("orders", order["id"])
    assert first is not None
    wall.advance(60)
    same = send(fake, "PUT", path, doc("orders", PERIOD, order["id"]))
    assert same.status == 200
    assert same.json["data"]["attributes"]["updated_at"] == first["updated_at"]
    line = next(line for line in fake.all("lines") if line["order_id"] == order["id"])
    unchanged = send(fake, "PUT", f"/api/4/lines/{line['id']}", doc("lines", {"quantity": 1}))
    assert unchanged.json["data"]["attributes"]["updated_at"] == line["updated_at"]
    assert fake.get("orders", order["id"])["updated_at"] == first["updated_at"]  # type: ignore[index]
    wall.advance(60)
    moved = send(fake, "PUT", path, doc("orders", {"stops_at": "2030-01-04T10:00:00Z"}))
    assert moved.json["data"]["attributes"]["updated_at"] == "2025-07-01T00:02:00.000000+00:00"
    since = send(fake, "GET", "/api/4/orders?filter[updated_at][gt]=2025-07-01T00:01:00Z")
    assert [d["id"] for d in since.json["data"]] == [order["id"]]


# -- products, barcodes, notes --------------------------------------------------------------


def test_product_groups_get_slug_sku_defaults_and_their_product(
    fake: FakeBooqable, shared_api: Path
) -> None:
    documented = example_attributes("product_groups__create__response.json")
    request = json.loads((SHARED / "examples" / "product_groups__create__request.json").read_text())
    reply = send(fake, "POST", "/api/4/product_groups", request)
    assert reply.status == 201, reply.json
    attributes = reply.json["data"]["attributes"]
    for name in (
        "slug",
        "sku",
        "buffer_time_before",
        "buffer_time_after",
        "shortage_limit",
        "sorting_weight",
        "show_in_store",
        "discountable",
        "taxable",
        "default_purchase_cost_in_cents",
    ):
        assert attributes[name] == documented[name], name
    # "A product group always has at least one product" (product_groups notes).
    group_id = reply.json["data"]["id"]
    (product,) = send(fake, "GET", f"/api/4/products?filter[product_group_id]={group_id}").json[
        "data"
    ]
    assert product["attributes"]["name"] == product["attributes"]["group_name"] == "iPad mini"
    assert product["attributes"]["tracking_type"] == "trackable"
    renamed_group = send(
        fake,
        "PUT",
        f"/api/4/product_groups/{group_id}",
        doc("product_groups", {"name": "iPad mini 2", "show_in_store": False}),
    )
    assert renamed_group.status == 200
    stored = fake.get("products", product["id"])
    assert stored is not None
    assert (stored["name"], stored["group_name"], stored["show_in_store"]) == (
        "iPad mini 2",
        "iPad mini 2",
        False,
    )


def test_a_variation_takes_its_name_from_its_group(fake: FakeBooqable, shared_api: Path) -> None:
    documented = example_attributes("products__create__response.json")
    group = send(
        fake,
        "POST",
        "/api/4/product_groups",
        doc("product_groups", {"name": "iPad Pro", "has_variations": True}),
    ).json["data"]
    body = doc("products", {"product_group_id": group["id"], "variation_values": ["red"]})
    reply = send(fake, "POST", "/api/4/products", body)
    assert reply.status == 201, reply.json
    attributes = reply.json["data"]["attributes"]
    for name in ("name", "group_name", "slug", "variation", "has_variations", "shortage_limit"):
        assert attributes[name] == documented[name], name


def test_barcodes_get_a_number_and_an_image(fake: FakeBooqable, shared_api: Path) -> None:
    documented = example_attributes("barcodes__create__response.json")
    customer = fake.add("customers", name="Jane")["id"]
    body = doc(
        "barcodes", {"barcode_type": "qr_code", "owner_id": customer, "owner_type": "customers"}
    )
    reply = send(fake, "POST", "/api/4/barcodes", body)
    data = reply.json["data"]
    prefix = documented["number"].rsplit("/", 1)[0]  # http://bqbl.it
    assert data["attributes"]["number"] == f"{prefix}/{data['id']}"
    assert (
        data["attributes"]["image_url"] == f"https://demo.booqable.com/barcodes/{data['id']}/image"
    )
    ean = send(
        fake,
        "POST",
        "/api/4/barcodes",
        doc("barcodes", {"barcode_type": "ean13", "owner_id": customer, "owner_type": "customers"}),
    ).json["data"]["attributes"]["number"]
    digits = [int(d) for d in ean]
    assert len(digits) == 13
    assert sum(d * (1 if i % 2 == 0 else 3) for i, d in enumerate(digits)) % 10 == 0
    given = doc("barcodes", {"number": "ABC", "owner_id": customer, "owner_type": "customers"})
    assert (
        send(fake, "POST", "/api/4/barcodes", given).json["data"]["attributes"]["number"] == "ABC"
    )


def test_notes_are_written_by_the_acting_employee(fake: FakeBooqable) -> None:
    # notes__create__response: employee_id (read-only) is filled in by the server.
    customer = fake.add("customers", name="Jane")["id"]
    body = doc("notes", {"body": "hi", "owner_id": customer, "owner_type": "customers"})
    note = send(fake, "POST", "/api/4/notes", body).json["data"]["attributes"]
    assert note["employee_id"] == fake.employee_id
