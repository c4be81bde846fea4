"""Booking: order_fulfillments actions, status transitions, stock checks."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from booqable_async.testing import FakeBooqable

from .conftest import doc, send

PERIOD = {"starts_at": "2025-03-01T10:00:00Z", "stops_at": "2025-03-03T10:00:00Z"}


@pytest.fixture
def shop(fake: FakeBooqable) -> dict[str, Any]:
    location = fake.add("locations", name="Main")
    bike = fake.add("products", name="Bike", tracking_type="trackable", base_price_in_cents=1500)
    tent = fake.add(
        "products", name="Tent", tracking_type="bulk", allow_shortage=True, base_price_in_cents=800
    )
    help_desk = fake.add("products", name="Setup", tracking_type="none")
    bikes = [
        fake.add(
            "stock_items", product_id=bike["id"], location_id=location["id"], identifier=f"B{i}"
        )["id"]
        for i in range(2)
    ]
    fake.add("stock_items", product_id=tent["id"], location_id=location["id"])
    customer = fake.add("customers", name="Jane")
    return {
        "bike": bike["id"],
        "tent": tent["id"],
        "service": help_desk["id"],
        "bikes": bikes,
        "customer": customer["id"],
        "location": location["id"],
    }


def new_order(fake: FakeBooqable, **attributes: Any) -> str:
    reply = send(fake, "POST", "/api/4/orders", doc("orders", {**PERIOD, **attributes}))
    assert reply.status == 201, reply.json
    return str(reply.json["data"]["id"])


def fulfill(
    fake: FakeBooqable,
    order_id: str,
    *actions: dict[str, Any],
    confirm: bool | None = None,
    query: str = "",
) -> Any:
    body = doc(
        "order_fulfillments",
        {"order_id": order_id, "confirm_shortage": confirm, "actions": list(actions)},
    )
    return send(fake, "POST", f"/api/4/order_fulfillments{query}", body)


def transition(fake: FakeBooqable, order_id: str, source: str, target: str, **extra: Any) -> Any:
    attributes = {"order_id": order_id, "transition_from": source, "transition_to": target, **extra}
    return send(
        fake, "POST", "/api/4/order_status_transitions", doc("order_status_transitions", attributes)
    )


def book(product: str, quantity: int, mode: str = "create_new", **extra: Any) -> dict[str, Any]:
    return {
        "action": "book_product",
        "mode": mode,
        "product_id": product,
        "quantity": quantity,
        **extra,
    }


def test_booking_creates_lines_and_plannings(fake: FakeBooqable, shop: dict[str, Any]) -> None:
    order = new_order(fake)
    reply = fulfill(
        fake, order, book(shop["bike"], 2), query="?include=changed_lines,changed_plannings,order"
    )
    assert reply.status == 200
    data = reply.json["data"]
    assert data["type"] == "order_fulfillments"
    assert data["attributes"] == {"order_id": order}  # actions and confirm_shortage are write-only
    assert len(data["relationships"]["changed_lines"]["data"]) == 1
    types = sorted(r["type"] for r in reply.json["included"])
    assert types == ["lines", "orders", "plannings"]
    (planning,) = fake.all("plannings")
    assert (planning["quantity"], planning["item_id"], planning["order_id"]) == (
        2,
        shop["bike"],
        order,
    )
    assert planning["reserved"] is False
    (line,) = fake.all("lines")
    assert (line["quantity"], line["price_in_cents"], line["planning_id"]) == (
        2,
        3000,
        planning["id"],
    )
    stored = fake.get("orders", order)
    assert (stored["price_in_cents"], stored["item_count"]) == (3000, 2)


def test_booking_modes(fake: FakeBooqable, shop: dict[str, Any]) -> None:
    order = new_order(fake)
    fulfill(fake, order, book(shop["tent"], 1, "infer_planning", planning_id=None))
    fulfill(fake, order, book(shop["tent"], 2, "infer_planning"))
    (planning,) = fake.all("plannings")
    assert planning["quantity"] == 3
    fulfill(fake, order, book(shop["tent"], -1, "update_existing", planning_id=planning["id"]))
    assert fake.get("plannings", planning["id"])["quantity"] == 2
    fulfill(fake, order, book(shop["tent"], 1))
    assert fake.count("plannings") == 2
    fulfill(fake, order, book(shop["tent"], -2, "update_existing", planning_id=planning["id"]))
    archived = fake.get("plannings", planning["id"])
    assert archived["archived"] is True
    assert fake.get("orders", order)["item_count"] == 1


@pytest.mark.parametrize(
    ("action", "status", "code"),
    [
        (book("00000000-0000-4000-8000-000000000000", 1), 404, "resources_not_found"),
        ({"action": "teleport"}, 422, "invalid_action"),
        ("not an object", 422, "invalid_action"),
        (
            {"action": "book_product", "mode": "sideways", "product_id": "BIKE"},
            422,
            "invalid_action",
        ),
        (
            {"action": "book_product", "product_id": "BIKE", "quantity": "many"},
            422,
            "invalid_action",
        ),
        ({"action": "book_product", "product_id": "BIKE", "quantity": 1.5}, 422, "invalid_action"),
        (
            {
                "action": "book_product",
                "mode": "update_existing",
                "product_id": "BIKE",
                "planning_id": "nope",
            },
            404,
            "resources_not_found",
        ),
        (
            {"action": "book_stock_items", "product_id": "TENT", "stock_item_ids": []},
            422,
            "invalid_action",
        ),
        (
            {"action": "book_stock_items", "product_id": "BIKE", "stock_item_ids": "x"},
            422,
            "invalid_action",
        ),
        (
            {"action": "book_stock_items", "product_id": "BIKE", "stock_item_ids": ["other"]},
            422,
            "invalid_action",
        ),
        ({"action": "book_bundle", "bundle_id": "nope"}, 404, "resources_not_found"),
    ],
)
def test_bad_actions(
    fake: FakeBooqable, shop: dict[str, Any], action: Any, status: int, code: str
) -> None:
    if isinstance(action, dict):
        action = {
            k: (shop["bike"] if v == "BIKE" else shop["tent"] if v == "TENT" else v)
            for k, v in action.items()
        }
    order = new_order(fake)
    reply = fulfill(fake, order, book(shop["tent"], 1), action)
    assert reply.status == status
    assert reply.json["errors"][0]["code"] == code
    assert fake.count("plannings") == 0  # all or nothing


def test_fulfillment_needs_an_order_and_actions(fake: FakeBooqable, shop: dict[str, Any]) -> None:
    assert (
        fulfill(fake, "00000000-0000-4000-8000-000000000000", book(shop["tent"], 1)).status == 404
    )
    order = new_order(fake)
    assert fulfill(fake, order).json["errors"][0]["code"] == "invalid_action"
    mismatched = new_order(fake)
    fulfill(fake, mismatched, book(shop["tent"], 1))
    planning = fake.all("plannings")[0]["id"]
    wrong = fulfill(fake, order, book(shop["tent"], 1, "update_existing", planning_id=planning))
    assert wrong.status == 404
    own = fulfill(fake, mismatched, book(shop["bike"], 1, "update_existing", planning_id=planning))
    assert own.json["errors"][0]["code"] == "invalid_planning"


def test_reserve_checks_stock_and_numbers_the_order(
    fake: FakeBooqable, shop: dict[str, Any]
) -> None:
    first = new_order(fake)
    fulfill(fake, first, book(shop["bike"], 2))
    reply = transition(fake, first, "new", "reserved", confirm_shortage=None, revert=None)
    assert reply.status == 200
    assert reply.json["data"]["attributes"]["transition_to"] == "reserved"
    order = fake.get("orders", first)
    assert (order["status"], order["statuses"], order["number"]) == ("reserved", ["reserved"], 1)
    assert all(p["reserved"] and p["status"] == "reserved" for p in fake.all("plannings"))
    # a second order in the same period cannot get a bike
    second = new_order(fake, status="draft")
    fulfill(fake, second, book(shop["bike"], 1))
    blocked = transition(fake, second, "draft", "reserved")
    assert blocked.status == 422
    (error,) = blocked.json["errors"]
    assert (error["code"], error["title"], error["detail"]) == (
        "items_not_available",
        "Items not available",
        "One or more items are not available",
    )
    assert error["meta"]["warning"] == []
    assert error["meta"]["blocking"] == [
        {
            "reason": "shortage",
            "item_id": shop["bike"],
            "stock_count": 2,
            "reserved": 2,
            "needed": 1,
            "shortage": 1,
            "orders": [{"id": first, "conflicts": 2}],
            "downtimes": [],
        }
    ]
    assert fake.get("orders", second)["status"] == "draft"
    # confirm_shortage does not override a blocking shortage
    assert transition(fake, second, "draft", "reserved", confirm_shortage=True).status == 422
    # outside the period it fits
    later = new_order(fake, starts_at="2025-04-01T10:00:00Z", stops_at="2025-04-02T10:00:00Z")
    fulfill(fake, later, book(shop["bike"], 2))
    assert transition(fake, later, "new", "reserved").status == 200
    assert fake.get("orders", later)["number"] == 3  # the draft took number 2


def test_shortage_warning_is_confirmable(fake: FakeBooqable, shop: dict[str, Any]) -> None:
    order = new_order(fake)
    fulfill(fake, order, book(shop["tent"], 2))
    warned = transition(fake, order, "new", "reserved")
    assert warned.status == 422
    meta = warned.json["errors"][0]["meta"]
    assert meta["blocking"] == []
    assert meta["warning"][0]["shortage"] == 1
    assert transition(fake, order, "new", "reserved", confirm_shortage=True).status == 200


def test_services_never_run_short(fake: FakeBooqable, shop: dict[str, Any]) -> None:
    order = new_order(fake)
    fulfill(fake, order, book(shop["service"], 50))
    assert transition(fake, order, "new", "reserved").status == 200


def test_booking_on_a_reserved_order_checks_stock(fake: FakeBooqable, shop: dict[str, Any]) -> None:
    order = new_order(fake, status="reserved")
    assert fulfill(fake, order, book(shop["bike"], 2)).status == 200
    assert fake.all("plannings")[0]["reserved"] is True
    too_many = fulfill(fake, order, book(shop["bike"], 1, "infer_planning"))
    assert too_many.status == 422
    assert fake.all("plannings")[0]["quantity"] == 2  # rolled back
    tent = fulfill(fake, order, book(shop["tent"], 3))
    assert tent.json["errors"][0]["meta"]["warning"][0]["item_id"] == shop["tent"]
    assert fulfill(fake, order, book(shop["tent"], 3), confirm=True).status == 200


@pytest.mark.parametrize(
    ("path", "ok"),
    [
        (["new", "draft"], True),
        (["new", "draft", "reserved"], True),
        (["new", "reserved", "canceled"], True),
        (["new", "draft", "archived"], True),
        (["new", "reserved", "archived"], False),
        (["new", "started"], False),
        (["new", "reserved", "draft"], False),  # backwards only with revert
    ],
)
def test_transition_rules(
    fake: FakeBooqable, shop: dict[str, Any], path: list[str], ok: bool
) -> None:
    order = new_order(fake)
    results = [transition(fake, order, a, b) for a, b in itertools.pairwise(path)]
    assert all(r.status == 200 for r in results[:-1])
    assert (results[-1].status == 200) is ok
    if not ok:
        error = results[-1].json["errors"][0]
        assert error["code"] == "wrong_status"
        assert error["meta"] is None
        assert error["detail"] == f"Can't transition order from '{path[-2]}' to '{path[-1]}'"


def test_transition_from_must_match_and_canceled_is_final(
    fake: FakeBooqable, shop: dict[str, Any]
) -> None:
    order = new_order(fake)
    assert transition(fake, order, "draft", "reserved").json["errors"][0]["code"] == "wrong_status"
    assert transition(fake, order, "new", "canceled").status == 200
    assert transition(fake, order, "canceled", "reserved", revert=True).status == 422
    # "canceled" is not a documented transition_from value
    assert (
        transition(fake, order, "canceled", "archived").json["errors"][0]["meta"]["code"]
        == "inclusion"
    )
    assert fulfill(fake, order, book(shop["tent"], 1)).json["errors"][0]["code"] == "wrong_status"
    missing = transition(fake, "00000000-0000-4000-8000-000000000000", "new", "draft")
    assert missing.status == 404


def test_revert(fake: FakeBooqable, shop: dict[str, Any]) -> None:
    order = new_order(fake)
    fulfill(fake, order, book(shop["bike"], 1))
    transition(fake, order, "new", "reserved")
    assert transition(fake, order, "reserved", "draft", revert=True).status == 200
    assert fake.all("plannings")[0]["reserved"] is False


def test_start_and_stop_products(fake: FakeBooqable, shop: dict[str, Any]) -> None:
    order = new_order(fake)
    fulfill(fake, order, book(shop["tent"], 1))
    transition(fake, order, "new", "reserved")
    planning = fake.all("plannings")[0]["id"]
    start = {
        "action": "start_product",
        "product_id": shop["tent"],
        "planning_id": planning,
        "quantity": 1,
    }
    assert fulfill(fake, order, start).status == 200
    assert fake.get("orders", order)["status"] == "started"
    assert fulfill(fake, order, start).json["errors"][0]["code"] == "invalid_action"  # nothing left
    stop = {
        "action": "stop_product",
        "product_id": shop["tent"],
        "planning_id": planning,
        "quantity": 1,
    }
    assert fulfill(fake, order, stop).status == 200
    assert fake.get("orders", order)["status"] == "stopped"
    # booking on a stopped order moves it back to started
    assert fulfill(fake, order, book(shop["service"], 1)).status == 200
    assert fake.get("orders", order)["status"] == "started"
    assert transition(fake, order, "started", "reserved", revert=True).status == 200


def test_stock_items_book_specify_start_stop(fake: FakeBooqable, shop: dict[str, Any]) -> None:
    order = new_order(fake)
    b1, b2 = shop["bikes"]
    reply = fulfill(
        fake,
        order,
        {
            "action": "book_stock_items",
            "mode": "infer_planning",
            "product_id": shop["bike"],
            "stock_item_ids": [b1],
        },
        query="?include=changed_stock_item_plannings.stock_item",
    )
    assert reply.status == 200
    assert {r["type"] for r in reply.json["included"]} == {"stock_item_plannings", "stock_items"}
    (planning,) = fake.all("plannings")
    assert planning["quantity"] == 1
    specify = {
        "action": "specify_stock_items",
        "product_id": shop["bike"],
        "planning_id": planning["id"],
        "stock_item_ids_to_add": [b2],
        "stock_item_ids_to_remove": [],
    }
    assert (
        fulfill(fake, order, specify).json["errors"][0]["code"] == "invalid_action"
    )  # over quantity
    fulfill(fake, order, book(shop["bike"], 1, "update_existing", planning_id=planning["id"]))
    assert fulfill(fake, order, specify).status == 200
    transition(fake, order, "new", "reserved")
    start = {
        "action": "start_stock_items",
        "product_id": shop["bike"],
        "planning_id": planning["id"],
        "stock_item_ids": [b1],
    }
    assert fulfill(fake, order, start).status == 200
    assert fake.get("stock_items", b1)["status"] == "started"
    remove_started = {**specify, "stock_item_ids_to_add": [], "stock_item_ids_to_remove": [b1]}
    assert fulfill(fake, order, remove_started).json["errors"][0]["code"] == "invalid_action"
    stop_unstarted = {**start, "action": "stop_stock_items", "stock_item_ids": [b2]}
    assert fulfill(fake, order, stop_unstarted).json["errors"][0]["code"] == "invalid_action"
    remove = {**specify, "stock_item_ids_to_add": [], "stock_item_ids_to_remove": [b2]}
    assert fulfill(fake, order, remove).status == 200
    stop = {**start, "action": "stop_stock_items"}
    assert fulfill(fake, order, stop).status == 200
    assert fake.get("stock_items", b1)["status"] == "in_stock"
    assert [s["status"] for s in fake.all("stock_item_plannings") if not s["archived"]] == [
        "stopped"
    ]


def test_specified_stock_item_conflict(fake: FakeBooqable, shop: dict[str, Any]) -> None:
    b1, b2 = shop["bikes"]
    first = new_order(fake)
    fulfill(
        fake,
        first,
        {"action": "book_stock_items", "product_id": shop["bike"], "stock_item_ids": [b1]},
    )
    assert transition(fake, first, "new", "reserved").status == 200
    second = new_order(fake)
    fulfill(
        fake,
        second,
        {"action": "book_stock_items", "product_id": shop["bike"], "stock_item_ids": [b1]},
    )
    blocked = transition(fake, second, "new", "reserved")
    assert blocked.status == 422
    (error,) = blocked.json["errors"]
    assert (error["code"], error["title"]) == ("stock_item_specified", "Stock item specified")
    (entry,) = error["meta"]["blocking"]
    assert entry["reason"] == "stock_item_specified"
    assert entry["unavailable"] == [b1]
    assert entry["available"] == [b2]
    assert entry["orders"] == [{"id": first, "stock_item_ids": [b1], "conflicts": 1}]


def test_moving_a_reserved_order_rechecks_stock(fake: FakeBooqable, shop: dict[str, Any]) -> None:
    first = new_order(fake)
    fulfill(fake, first, book(shop["bike"], 2))
    transition(fake, first, "new", "reserved")
    second = new_order(fake, starts_at="2025-03-05T10:00:00Z", stops_at="2025-03-06T10:00:00Z")
    fulfill(fake, second, book(shop["bike"], 1))
    transition(fake, second, "new", "reserved")
    clash = send(
        fake, "PUT", f"/api/4/orders/{second}", doc("orders", {"starts_at": "2025-03-02T10:00:00Z"})
    )
    assert clash.status == 422
    assert fake.get("orders", second)["starts_at"] == "2025-03-05T10:00:00.000000+00:00"
    fine = send(
        fake, "PUT", f"/api/4/orders/{second}", doc("orders", {"stops_at": "2025-03-07T10:00:00Z"})
    )
    assert fine.status == 200
    assert {p["stops_at"] for p in fake.all("plannings") if p["order_id"] == second} == {
        "2025-03-07T10:00:00.000000+00:00"
    }
    draft = new_order(fake)
    moved = send(
        fake, "PUT", f"/api/4/orders/{draft}", doc("orders", {"starts_at": "2025-03-02T11:00:00Z"})
    )
    assert moved.status == 200


def test_bundles(fake: FakeBooqable, shop: dict[str, Any]) -> None:
    bundle = fake.add("bundles", name="Camping set")
    fake.add("bundle_items", bundle_id=bundle["id"], product_id=shop["tent"], quantity=1)
    open_item = fake.add("bundle_items", bundle_id=bundle["id"], quantity=2)
    order = new_order(fake)
    action = {
        "action": "book_bundle",
        "bundle_id": bundle["id"],
        "quantity": 2,
        "product_variations": [],
    }
    assert fulfill(fake, order, action).json["errors"][0]["code"] == "invalid_action"
    action["product_variations"] = [
        {"bundle_item_id": open_item["id"], "product_id": shop["service"]}
    ]
    assert fulfill(fake, order, action).status == 200
    quantities = {p["item_id"]: p["quantity"] for p in fake.all("plannings")}
    assert quantities == {shop["tent"]: 2, shop["service"]: 4}


def test_line_changes_update_order_totals(fake: FakeBooqable, shop: dict[str, Any]) -> None:
    order = new_order(fake)
    fulfill(fake, order, book(shop["tent"], 1))
    line = fake.all("lines")[0]["id"]
    send(fake, "PUT", f"/api/4/lines/{line}", doc("lines", {"quantity": 3}))
    assert fake.get("lines", line)["price_in_cents"] == 2400
    assert fake.get("orders", order)["price_in_cents"] == 2400
    send(fake, "DELETE", f"/api/4/lines/{line}")
    assert fake.get("orders", order)["price_in_cents"] == 0
