"""FakeBooqable's v1 face at the HTTP level: routes, statuses and error bodies."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import orjson
import pytest

from booqable_async.testing import FakeBooqable
from booqable_async.transport import HttpRequest

BASE = "https://demo.booqable.com/api/1/"


class V1:
    """Raw v1 requests against a fake, with the fake's key unless told otherwise."""

    def __init__(self, fake: FakeBooqable) -> None:
        self.fake = fake

    def __call__(
        self,
        method: str,
        path: str,
        params: dict[str, Any] | None = None,
        body: Any = None,
        *,
        key: str | None = "default",
        raw: bytes | None = None,
    ) -> tuple[int, Any]:
        query = dict(params or {})
        if key is not None:
            query["api_key"] = self.fake.token if key == "default" else key
        url = BASE + path + (f"?{urlencode(query)}" if query else "")
        data = raw if raw is not None else (None if body is None else orjson.dumps(body))
        response = self.fake.handle(HttpRequest(method, url, {}, data)).response
        return response.status, orjson.loads(response.body) if response.body else None


@pytest.fixture
def v1() -> V1:
    return V1(FakeBooqable.demo(customers=5, orders=6, product_groups=4, raise_server_errors=True))


def error(answer: tuple[int, Any]) -> tuple[int, str]:
    status, body = answer
    return status, body["error"]["status"]


def test_auth_and_the_budget(v1: V1) -> None:
    assert error(v1("GET", "customers", key=None)) == (401, "unauthorized")
    assert error(v1("GET", "customers", key="wrong")) == (401, "unauthorized")
    v1.fake.require_auth = False
    assert v1("GET", "customers", key=None)[0] == 200
    v1.fake.rate_limit = (1, 60.0)
    assert v1("GET", "customers")[0] == 200
    assert error(v1("GET", "customers")) == (429, "too_many_requests")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", ""),
        ("GET", "invoices"),
        ("DELETE", "customers"),
        ("POST", "customers/nope/restore"),
        ("GET", "customers/1/unknown"),
        ("DELETE", "product_groups"),
        ("GET", "product_groups/nope"),
        ("GET", "products/nope/prices"),
        ("GET", "products/x"),
        ("DELETE", "orders"),
        ("GET", "orders/9999"),
        ("GET", "tags/add"),
        ("POST", "tags/rename"),
    ],
)
def test_unknown_routes_and_records_are_404(v1: V1, method: str, path: str) -> None:
    assert error(v1(method, path)) == (404, "not_found")


def test_bad_parameters_and_bodies_are_400(v1: V1) -> None:
    assert error(v1("GET", "customers", {"page": "x"})) == (400, "bad_request")
    assert error(v1("GET", "customers", {"per": "0"})) == (400, "bad_request")
    assert error(v1("POST", "customers", raw=b"{not json")) == (400, "bad_request")
    assert error(v1("POST", "customers", {"x": 1}, {"name": "no root key"})) == (
        400,
        "bad_request",
    )
    assert error(v1("POST", "customers", body={"customer": {"name": "X", "colour": 1}})) == (
        422,
        "unknown_attribute",
    )
    assert v1("GET", "customers", {"per": ""})[0] == 200  # blank means the default


def test_patch_answers_204_everywhere_put_the_record(v1: V1) -> None:
    _, listed = v1("GET", "product_groups")
    group = listed["product_groups"][0]["id"]
    assert v1("PATCH", f"product_groups/{group}", body={"product_group": {"sku": "S1"}}) == (
        204,
        None,
    )
    assert (
        v1("PATCH", f"product_groups/{group}", body={"product_group": {"base_price_in_cents": 9}})[
            0
        ]
        == 204
    )
    _, shown = v1("GET", f"product_groups/{group}")
    assert (shown["product_group"]["sku"], shown["product_group"]["base_price_in_cents"]) == (
        "S1",
        9,
    )
    assert error(
        v1("PUT", f"product_groups/{group}", body={"product_group": {"base_price_in_cents": "x"}})
    ) == (422, "invalid")
    _, orders = v1("GET", "orders")
    order = orders["orders"][0]["id"]
    assert v1("PATCH", f"orders/{order}", body={"order": {"discount_percentage": 10}}) == (
        204,
        None,
    )
    _, created = v1("POST", f"orders/{order}/lines", body={"line": {"title": "Fee", "quantity": 1}})
    line = created["line"]["id"]
    assert v1("PATCH", f"orders/{order}/lines/{line}", body={"line": {"quantity": 3}}) == (
        204,
        None,
    )
    assert error(v1("GET", f"orders/{order}/lines/{line}")) == (404, "not_found")
    assert error(v1("POST", f"orders/{order}/lines/{line}/x")) == (404, "not_found")
    assert error(v1("DELETE", f"orders/{order}")) == (404, "not_found")


def test_records_of_another_order_are_not_found(v1: V1) -> None:
    _, orders = v1("GET", "orders")
    first, second = (o["id"] for o in orders["orders"][:2])
    _, shown = v1("GET", f"orders/{first}")
    line = shown["order"]["lines"][0]["id"]
    planning = shown["order"]["plannings"][0]["id"]
    assert error(v1("DELETE", f"orders/{second}/lines/{line}")) == (404, "not_found")
    assert error(v1("DELETE", f"orders/{second}/plannings/{planning}")) == (404, "not_found")


def test_availability_checks_its_parameters(v1: V1) -> None:
    _, groups = v1("GET", "product_groups")
    _, group = v1("GET", f"product_groups/{groups['product_groups'][0]['id']}")
    product = group["product_group"]["products"][0]["id"]
    path = f"products/{product}/availability"
    assert error(v1("GET", path, {"from": "2031-01-01"})) == (400, "bad_request")
    assert error(
        v1("GET", path, {"from": "2031-01-01", "till": "2031-01-02", "interval": "year"})
    ) == (
        400,
        "bad_request",
    )
    assert error(v1("GET", path, {"from": "2031-01-02", "till": "2031-01-01"})) == (
        400,
        "bad_request",
    )
    many = {"from": "2031-01-01", "till": "2031-03-01", "interval": "minute"}
    assert error(v1("GET", path, many)) == (400, "bad_request")
    status, hours = v1(
        "GET", path, {"from": "2031-01-01", "till": "2031-01-01T03:00:00Z", "interval": "hour"}
    )
    assert (status, len(hours)) == (200, 3)


def new_order(v1: V1) -> str:
    customer = v1.fake.all("customers")[0]["id"]
    period = {"starts_at": "2032-01-01T09:00:00Z", "stops_at": "2032-01-02T09:00:00Z"}
    _, created = v1("POST", "orders", body={"order": {"customer_id": customer, **period}})
    return str(created["order"]["id"])


def test_availability_counts_reserved_and_concept_bookings(v1: V1) -> None:
    product = next(p for p in v1.fake.all("products") if p["tracking_type"] == "bulk")
    order = new_order(v1)
    v1("POST", f"orders/{order}/book", body={"ids": {product["id"]: 2}})
    v1("POST", f"orders/{order}/concept")
    params = {"from": "2032-01-01T10:00:00Z", "till": "2032-01-01T11:00:00Z", "interval": "hour"}
    path = f"products/{product['id']}/availability"
    (point,) = v1("GET", path, params)[1].values()
    assert (point["concept"], point["reserved"], point["available"]) == (2, 0, point["total"])
    v1("POST", f"orders/{order}/reserve")
    (point,) = v1("GET", path, params)[1].values()
    assert (point["concept"], point["reserved"]) == (0, 2)
    assert point["available"] == point["total"] - 2


def test_prices_follow_the_price_structure(v1: V1) -> None:
    fake = v1.fake
    structure = fake.add("price_structures", name="Weekend", price_structure_type="reusable")
    fake.add(
        "price_tiles",
        price_structure_id=structure["id"],
        name="1 day",
        length=86400,
        multiplier=1.0,
        quantity=1,
        period="day",
    )
    fake.add(
        "price_tiles",
        price_structure_id=structure["id"],
        name="2 days",
        length=172800,
        multiplier=1.5,
        quantity=2,
        period="day",
    )
    product = fake.all("products")[0]
    fake.update(
        "products", product["id"], price_structure_id=structure["id"], base_price_in_cents=1000
    )
    _, prices = v1("GET", f"products/{product['id']}/prices")
    tiles = prices["price_structures"][0]["tiles"]
    assert [(t["name"], t["multiplier"], t["price_in_cents"]) for t in tiles] == [
        ("1 day", "1.0", 1000),
        ("2 days", "1.5", 1500),
    ]


def test_order_actions_refuse_what_v1_refuses(v1: V1) -> None:
    order = new_order(v1)
    assert error(v1("POST", f"orders/{order}/book", body={"ids": {}})) == (400, "bad_request")
    assert error(v1("POST", f"orders/{order}/revert", {"status": "new"})) == (400, "bad_request")
    assert error(v1("POST", f"orders/{order}/revert", {"status": "reserved"})) == (
        422,
        "wrong_status",
    )
    assert error(v1("POST", f"orders/{order}/teleport")) == (404, "not_found")


def test_trackable_items_are_booked_started_and_stopped_by_id(v1: V1) -> None:
    fake = v1.fake
    _, groups = v1("GET", "product_groups", {"per": 100})
    trackable = next(
        g for g in groups["product_groups"] if g["trackable"] and g["stock_count"] >= 2
    )
    _, group = v1("GET", f"product_groups/{trackable['id']}")
    product = group["product_group"]["products"][0]
    items = [s["id"] for s in product["stock_items"][:2]]
    customer = fake.all("customers")[0]["id"]
    _, created = v1(
        "POST",
        "orders",
        body={
            "order": {
                "customer_id": customer,
                "starts_at": "2032-01-01T09:00:00Z",
                "stops_at": "2032-01-02T09:00:00Z",
            }
        },
    )
    order = created["order"]["id"]
    _, booked = v1("POST", f"orders/{order}/book", body={"ids": {product["id"]: items}})
    assert sorted(booked["order"]["stock_item_ids"]) == sorted(items)
    _, available = v1("GET", f"orders/{order}/available")
    assert set(items) <= set(available[trackable["id"]]["available_stock_ids"])
    v1("POST", f"orders/{order}/reserve")
    _, started = v1("POST", f"orders/{order}/start", body={"ids": {product["id"]: items}})
    assert started["order"]["status"] == "started"
    _, stopped = v1("POST", f"orders/{order}/stop", body={"ids": {product["id"]: items}})
    assert stopped["order"]["status"] == "stopped"


def test_tags_need_one_target_and_a_name(v1: V1) -> None:
    customer = v1.fake.all("customers")[0]["id"]
    assert error(v1("POST", "tags/add", {"name": "x"})) == (400, "bad_request")
    assert error(v1("POST", "tags/add", {"customer_id": customer})) == (400, "bad_request")
    assert v1("POST", "tags/remove", {"customer_id": customer, "name": "absent"})[0] == 200
    assert v1("POST", "tags/add", {"customer_id": customer, "name": "vip"})[0] == 200
    assert v1("POST", "tags/add", {"customer_id": customer, "name": "vip"})[0] == 200
    tags = v1.fake.get("customers", customer)["tag_list"]  # type: ignore[index]
    assert tags.count("vip") == 1


def test_product_groups_filter_by_tag(v1: V1) -> None:
    group = v1.fake.all("product_groups")[0]
    v1.fake.update("product_groups", group["id"], tag_list=["summer"])
    _, listed = v1("GET", "product_groups", {"tag": "summer"})
    assert [g["id"] for g in listed["product_groups"]] == [group["id"]]
    assert listed["meta"]["facets"]["tag_list"]["terms"] == [{"term": "summer", "count": 1}]


def test_v1_property_classes_become_v4_property_types(v1: V1) -> None:
    body = {
        "customer": {
            "name": "Props",
            "properties_attributes": [
                {
                    "type": "Property::Address",
                    "name": "Main",
                    "address1": "Street 1",
                    "city": "Leeuwarden",
                },
                {"type": "Property::TextField", "name": "Note", "value": "hi"},
            ],
        }
    }
    status, answer = v1("POST", "customers", body=body)
    assert status == 201
    kinds = {p["name"]: p["type"] for p in answer["customer"]["properties"]}
    assert kinds == {"Main": "Property::Address", "Note": "Property::TextField"}
    weird = {"customer": {"name": "Odd", "properties_attributes": ["not an object"]}}
    assert v1("POST", "customers", body=weird)[0] == 400
