"""Computed resources answer rows derived from stock, plannings and prices, like the docs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from booqable_async.testing import FakeBooqable

from .conftest import Clock, send

EXAMPLES = Path(__file__).resolve().parents[3] / "shared" / "booqable-api" / "examples"
PERIOD = {
    "starts_at": "2030-01-10T10:00:00.000000+00:00",
    "stops_at": "2030-01-12T10:00:00.000000+00:00",
}


def rows(fake: FakeBooqable, query: str) -> list[dict[str, Any]]:
    reply = send(fake, "GET", f"/api/4/{query}")
    assert reply.status == 200, reply.json
    return [d["attributes"] | {"id": d["id"]} for d in reply.json["data"]]


def example(name: str) -> Any:
    return json.loads((EXAMPLES / name).read_text())


def stock(fake: FakeBooqable, product: str, count: int, **values: Any) -> None:
    for _ in range(count):
        fake.add("stock_items", product_id=product, **values)


def reserve(fake: FakeBooqable, product: str, quantity: int, **period: str) -> str:
    window = period or PERIOD
    order = fake.add("orders", status="reserved", **window)["id"]
    fake.add(
        "plannings", order_id=order, item_id=product, quantity=quantity, reserved=True, **window
    )
    return order


# -- item_prices ----------------------------------------------------------------------------


def test_item_prices_for_a_period_match_the_example(fake: FakeBooqable, shared_api: Path) -> None:
    # item_prices__list__response: 13 days at 100/hour and at 5700/day.
    documented = [d["attributes"] for d in example("item_prices__list__response.json")["data"]]
    hourly = fake.add("products", base_price_in_cents=100, price_type="simple", price_period="hour")
    daily = fake.add("products", base_price_in_cents=5700, price_type="simple", price_period="day")
    got = rows(
        fake,
        "item_prices?filter[from]=2030-01-01 12:00:00 UTC&filter[till]=2030-01-14 12:00:00 UTC"
        f"&filter[item_id][]={hourly['id']}&filter[item_id][]={daily['id']}&include=item",
    )
    assert [r["item_id"] for r in got] == [hourly["id"], daily["id"]]
    for row, expected in zip(got, documented, strict=True):
        for name in (
            "charge_length",
            "charge_label",
            "original_charge_length",
            "original_charge_label",
            "price_each_in_cents",
            "original_price_each_in_cents",
        ):
            assert row[name] == expected[name], name
    assert got[0]["from"] == "2030-01-01T12:00:00.000000+00:00"


def test_item_prices_for_a_charge_length_match_the_example(
    fake: FakeBooqable, shared_api: Path
) -> None:
    (documented,) = [d["attributes"] for d in example("item_prices__list__response_2.json")["data"]]
    product = fake.add("products", base_price_in_cents=100, price_period="hour")["id"]
    (row,) = rows(fake, f"item_prices?filter[charge_length]=36000&filter[item_id]={product}")
    for name in ("charge_label", "price_each_in_cents", "original_price_each_in_cents", "from"):
        assert row[name] == documented[name], name


def test_item_prices_follow_price_structure_tiles(fake: FakeBooqable) -> None:
    structure = fake.add("price_structures", name="Weekend", day=0.5)["id"]
    one = fake.add(
        "price_tiles", price_structure_id=structure, length=86400, multiplier=1.0, quantity=1
    )
    fake.add(
        "price_tiles", price_structure_id=structure, length=3 * 86400, multiplier=2.0, quantity=3
    )
    product = fake.add(
        "products",
        base_price_in_cents=1000,
        price_type="structure",
        price_structure_id=structure,
    )["id"]

    def price(seconds: int) -> tuple[int, str | None]:
        (row,) = rows(
            fake, f"item_prices?filter[charge_length]={seconds}&filter[item_id]={product}"
        )
        return row["price_each_in_cents"], row["price_tile_id"]

    assert price(3600) == (1000, one["id"])  # the first tile covers an hour
    assert price(2 * 86400)[0] == 2000  # the 3-day tile
    assert price(5 * 86400)[0] == 3000  # beyond the tiles: 2.0 + 2 days x 0.5
    fixed = fake.add("products", base_price_in_cents=700, price_type="fixed")["id"]
    (row,) = rows(fake, f"item_prices?filter[charge_length]=999999&filter[item_id]={fixed}")
    assert row["price_each_in_cents"] == 700


def test_item_prices_for_bundles_and_groups(fake: FakeBooqable) -> None:
    tent = fake.add("products", base_price_in_cents=1000, price_period="day")["id"]
    stove = fake.add("products", base_price_in_cents=500, price_period="day")["id"]
    bundle = fake.add("bundles", name="Camping")["id"]
    fake.add("bundle_items", bundle_id=bundle, product_id=tent, quantity=1, discount_percentage=10)
    fake.add("bundle_items", bundle_id=bundle, product_id=stove, quantity=2)
    query = "filter[charge_length]=86400"
    (whole,) = rows(fake, f"item_prices?{query}&filter[item_id]={bundle}")
    assert whole["price_each_in_cents"] == 900 + 1000  # the aggregated bundle price
    detailed = rows(fake, f"item_prices?{query}&filter[bundle_id]={bundle}")
    assert [(r["item_id"], r["price_each_in_cents"]) for r in detailed] == [
        (tent, 900),
        (stove, 500),
    ]
    undiscounted = rows(
        fake, f"item_prices?{query}&filter[bundle_id]={bundle}&filter[ignore_discount]=true"
    )
    assert undiscounted[0]["price_each_in_cents"] == 1000
    group = fake.add("product_groups", name="Stoves")["id"]
    fake.update("products", stove, product_group_id=group)
    fake.add("products", base_price_in_cents=800, product_group_id=group)
    (cheapest,) = rows(fake, f"item_prices?{query}&filter[product_group_id]={group}")
    assert cheapest["item_id"] == stove


# -- inventory ----------------------------------------------------------------------------


def test_inventory_levels_per_location(fake: FakeBooqable) -> None:
    main, other = fake.add("locations", name="Main")["id"], fake.add("locations", name="WH")["id"]
    bike = fake.add("products", tracking_type="bulk")["id"]
    stock(fake, bike, 5, location_id=main)
    stock(fake, bike, 1, location_id=other)
    order = reserve(fake, bike, 2)
    fake.update("plannings", fake.all("plannings")[0]["id"], start_location_id=main)
    window = "filter[from]=2030-01-11T00:00:00Z&filter[till]=2030-01-11T06:00:00Z"
    levels = rows(fake, f"inventory_levels?{window}&filter[item_id]={bike}")
    by_location = {r["location_id"]: r for r in levels}
    assert by_location[main]["location_stock_count"] == 5
    assert (by_location[main]["location_planned"], by_location[main]["location_available"]) == (
        2,
        3,
    )
    assert by_location[other]["location_available"] == 1
    without = rows(
        fake,
        f"inventory_levels?{window}&filter[item_id]={bike}&filter[location_id]={main}"
        f"&filter[order_id]={order}",
    )
    assert [(r["location_planned"], r["location_available"]) for r in without] == [(0, 5)]


def test_inventory_breakdown_stats_match_the_example(wall: Clock, shared_api: Path) -> None:
    # inventory_breakdowns__list__response(_2): per-status sums span every status; the
    # type sums, started and stock_count follow the filtered rows.
    fake = FakeBooqable(wall_clock=wall)
    group = fake.add("product_groups", name="Chairs")["id"]
    product = fake.add("products", product_group_id=group)["id"]
    location = fake.add("locations", name="Main")["id"]
    common = {"product_group_id": group, "location_id": location}
    stock(fake, product, 50, status="started", **common)
    stock(fake, product, 50, **common)
    stock(fake, product, 5, till="2099-01-01T00:00:00.000000+00:00", **common)
    stock(fake, product, 12, status="expected", **{"from": "2099-01-01T00:00:00Z"}, **common)
    stock(
        fake,
        product,
        5,
        status="expected",
        **{"from": "2099-01-01T00:00:00Z", "till": "2099-02-01T00:00:00Z"},
        **common,
    )
    stock(
        fake,
        product,
        22,
        **{"from": "2001-01-01T00:00:00Z", "till": "2002-01-01T00:00:00Z"},
        **common,
    )
    stats = "&".join(
        f"stats[{f}][]=sum"
        for f in ("inventory_breakdown_type", "started", "status", "stock_count")
    )
    for name, status in (
        ("inventory_breakdowns__list__response.json", "in_stock"),
        ("inventory_breakdowns__list__response_2.json", "expected"),
    ):
        reply = send(
            fake,
            "GET",
            f"/api/4/inventory_breakdowns?filter[product_group_id]={group}&filter[status]={status}"
            f"&{stats}",
        )
        assert reply.json["meta"] == example(name)["meta"], name
        assert {d["attributes"]["status"] for d in reply.json["data"]} == {status}


def test_availabilities_per_day_and_per_slot(fake: FakeBooqable) -> None:
    bike = fake.add("products", tracking_type="bulk")["id"]
    stock(fake, bike, 2)
    reserve(fake, bike, 2)  # 2030-01-10 10:00 to 2030-01-12 10:00
    days = rows(
        fake,
        "availabilities?filter[subject_type]=item&filter[year]=2030&filter[month]=1"
        f"&filter[subject_id]={bike}&page[size]=31",
    )
    assert len(days) == 31
    free = {r["date"]: (r["quantity"], r["status"]) for r in days}
    assert free["2030-01-05"] == (2, "available")
    assert free["2030-01-10"] == (0, "unavailable")
    assert {r["type"] for r in days} == {"date"}
    order = fake.add(
        "orders", status="draft", starts_at="2030-01-09T10:00:00Z", stops_at="2030-01-10T09:00:00Z"
    )
    fake.add("plannings", order_id=order["id"], item_id=bike, quantity=1)
    for_order = rows(
        fake,
        "availabilities?filter[subject_type]=order&filter[year]=2030&filter[month]=1"
        f"&filter[subject_id]={order['id']}&filter[type]=start",
    )
    states = {r["date"]: r["status"] for r in for_order}
    assert (states["2030-01-01"], states["2030-01-10"]) == ("available", "unavailable")
    assert {r["quantity"] for r in for_order} == {None}  # orders carry no quantity
    slots = rows(
        fake,
        "availabilities?filter[subject_type]=item&filter[year]=2030&filter[month]=1"
        f"&filter[day]=12&filter[subject_id]={bike}&filter[starts_at]=2030-01-12 08:00:00"
        "&filter[duration_period]=day&page[size]=100",
    )
    assert len(slots) == 96
    assert (slots[0]["hour"], slots[1]["minute"], slots[0]["type"]) == ("00", "15", "time")
    cart = rows(
        fake,
        "availabilities?filter[subject_type]=cart&filter[year]=2030&filter[month]=2"
        f"&filter[subject_id]={bike}&page[size]=1",
    )
    assert (cart[0]["status"], cart[0]["quantity"]) == ("available", None)
    wrong = "availabilities?filter[subject_type]=boat&filter[year]=2030&filter[month]=2"
    assert send(fake, "GET", f"/api/4/{wrong}&filter[subject_id]={bike}").status == 400


def test_order_planning_availabilities_answer_one_object(
    fake: FakeBooqable, shared_api: Path
) -> None:
    # order_planning_availabilities__list__response: data is an object, not a list.
    documented = example("order_planning_availabilities__list__response.json")["data"]
    bike = fake.add("products", tracking_type="bulk")["id"]
    stock(fake, bike, 10)
    reserve(fake, bike, 2)
    mine = fake.add("orders", status="draft", **PERIOD)["id"]
    planning = fake.add("plannings", order_id=mine, item_id=bike, quantity=1, **PERIOD)["id"]
    reply = send(fake, "GET", f"/api/4/order_planning_availabilities?filter[order_id]={mine}")
    data = reply.json["data"]
    assert isinstance(data, dict)
    assert (data["id"], data["type"]) == (mine, "order_planning_availabilities")
    assert data["attributes"]["available"] == {
        planning: next(iter(documented["attributes"]["available"].values()))
    }
    assert send(fake, "GET", "/api/4/order_planning_availabilities").status == 400
    unknown = "/api/4/order_planning_availabilities?filter[order_id]=" + fake.company_id
    assert send(fake, "GET", unknown).status == 404


def test_report_coupon_counts_match_the_example(wall: Clock, shared_api: Path) -> None:
    # report_coupons__list__response_2: stats[active_coupons][]=count is {"count": 1}
    # (COUPON-4 is active but ended; COUPON-3 inactive).
    wall.now = 1_900_000_000.0  # 2030, after every ends_at in the example
    fake = FakeBooqable(wall_clock=wall)
    documented = example("report_coupons__list__response_2.json")
    for row in documented["data"]:
        fake.add("report_coupons", row["attributes"], id=row["id"])
    reply = send(
        fake,
        "GET",
        "/api/4/report_coupons?stats[active_coupons][]=count&stats[redemption_count][]=sum"
        "&stats[total][]=count&stats[total_discount_in_cents][]=sum&stats[tags][]=count",
    )
    stats = reply.json["meta"]["stats"]
    assert {k: v for k, v in stats.items() if k != "tags"} == documented["meta"]["stats"]
    assert stats["tags"] == {"count": {}}


@pytest.mark.parametrize(
    ("query", "missing"),
    [
        ("inventory_breakdowns", "status"),
        ("inventory_levels?filter[from]=2030-01-01", "till"),
        (
            "availabilities?filter[subject_type]=item&filter[year]=2030&filter[month]=1",
            "subject_id",
        ),
    ],
)
def test_required_filters_are_400(fake: FakeBooqable, query: str, missing: str) -> None:
    reply = send(fake, "GET", f"/api/4/{query}")
    assert reply.status == 400
    (error,) = reply.json["errors"]
    assert f'required filter "{missing}"' in error["detail"]


def test_the_demo_company_answers_rows_and_pages_stay_consistent() -> None:
    # Every computed resource answers rows on the demo company (they used to be empty).
    fake = FakeBooqable.demo(orders=200, customers=20, product_groups=10)
    products = fake.count("products")
    window = "filter[from]=2025-01-01T00:00:00Z&filter[till]=2025-01-02T00:00:00Z"
    seen: list[str] = []
    for number in range(1, 100):
        page = rows(fake, f"item_prices?{window}&page[size]=7&page[number]={number}")
        if not page:
            break
        seen.extend(r["item_id"] for r in page)
    assert len(seen) == len(set(seen)) == products
    assert all(r["price_each_in_cents"] > 0 for r in rows(fake, f"item_prices?{window}"))
    total = send(fake, "GET", f"/api/4/inventory_levels?{window}&stats[total]=count&page[size]=1")
    assert total.json["meta"]["stats"]["total"]["count"] == products * fake.count("locations")
    breakdown = send(
        fake,
        "GET",
        "/api/4/inventory_breakdowns?filter[status]=in_stock&stats[stock_count][]=sum",
    )
    in_stock = sum(1 for s in fake.all("stock_items") if not s["archived"])
    assert breakdown.json["meta"]["stats"]["stock_count"]["sum"] == in_stock
    product = fake.all("stock_items")[0]["product_id"]
    days = rows(
        fake,
        "availabilities?filter[subject_type]=item&filter[year]=2025&filter[month]=1"
        f"&filter[subject_id]={product}&page[size]=31",
    )
    assert len(days) == 31
    assert any(r["quantity"] > 0 for r in days)


def test_item_price_parameters_and_edge_cases(fake: FakeBooqable) -> None:
    product = fake.add("products", base_price_in_cents=250, price_period="day")["id"]
    (plain,) = rows(fake, f"item_prices?filter[item_id][eq]={product}")
    # neither a window nor a length: one price period, no label
    assert (plain["price_each_in_cents"], plain["charge_label"]) == (250, None)
    (minutes,) = rows(fake, f"item_prices?filter[charge_length]=90&filter[item_id]={product}")
    assert minutes["charge_label"] == "90 seconds"
    (one,) = rows(fake, f"item_prices?filter[charge_length]=60&filter[item_id]={product}")
    assert one["charge_label"] == "1 minute"
    free = fake.add("products", base_price_in_cents=250, price_type="none")["id"]
    (nothing,) = rows(fake, f"item_prices?filter[charge_length]=86400&filter[item_id]={free}")
    assert nothing["price_each_in_cents"] == 0
    (unknown,) = rows(fake, f"item_prices?filter[item_id]={fake.company_id}")
    assert unknown["price_each_in_cents"] == 0
    group = fake.add("product_groups", name="Bikes")["id"]
    fake.add("products", base_price_in_cents=900, product_group_id=group)
    fake.add("products", base_price_in_cents=400, product_group_id=group)
    (as_item,) = rows(fake, f"item_prices?filter[charge_length]=86400&filter[item_id]={group}")
    assert as_item["price_each_in_cents"] == 400
    bare = fake.add("price_structures", name="No tiles")["id"]
    tiled = fake.add(
        "products", base_price_in_cents=100, price_type="structure", price_structure_id=bare
    )["id"]
    (untiled,) = rows(fake, f"item_prices?filter[charge_length]=86400&filter[item_id]={tiled}")
    assert (untiled["price_each_in_cents"], untiled["price_tile_id"]) == (0, None)
    bad = send(fake, "GET", "/api/4/item_prices?filter[charge_length]=long")
    assert bad.status == 400
    assert "failed typecasting to integer" in bad.json["errors"][0]["detail"]


def test_inventory_parameters_and_edge_cases(fake: FakeBooqable) -> None:
    main = fake.add("locations", name="Main")["id"]
    other = fake.add("locations", name="Other")["id"]
    bike = fake.add("products", tracking_type="bulk", allow_shortage=True, shortage_limit=3)["id"]
    stock(fake, bike, 2, location_id=main)
    stock(fake, bike, 1, location_id=other, till="2099-01-01T00:00:00Z")
    reserve(fake, bike, 1)
    other_place = reserve(fake, bike, 1)
    for planning in fake.all("plannings"):
        location = other if planning["order_id"] == other_place else main
        fake.update("plannings", planning["id"], start_location_id=location)
    fake.add("plannings", item_id=bike, quantity=1, reserved=True)  # no period: not counted
    window = "filter[from]=2030-01-11T00:00:00Z&filter[till]=2030-01-11T06:00:00Z"
    (level,) = rows(
        fake, f"inventory_levels?{window}&filter[item_id]={bike}&filter[location_id]={main}"
    )
    assert (level["location_planned"], level["location_plannable"]) == (1, 1 + 3)
    query = "inventory_breakdowns?filter[status]=in_stock"
    assert len(rows(fake, query)) == 2
    assert [r["location_id"] for r in rows(fake, f"{query}&filter[location_id]={other}")] == [other]
    temporary = rows(fake, f"{query}&filter[inventory_breakdown_type]=temporary")
    assert [r["inventory_breakdown_type"] for r in temporary] == ["temporary"]
    assert rows(fake, f"{query}&filter[product_id]={fake.company_id}") == []
    fake.add("stock_items", product_id=bike, archived=True)
    assert sum(r["stock_count"] for r in rows(fake, query)) == 3
    fake.add("downtimes", product_id=bike, location_id=main, quantity=2, status="reserved")
    by_type = {r["inventory_breakdown_type"]: r for r in rows(fake, query)}
    assert by_type["regular"]["downtime_count"] == 2


def test_availability_parameters_and_edge_cases(fake: FakeBooqable) -> None:
    month = "filter[year]=2030&filter[month]"
    service = fake.add("products", tracking_type="none")["id"]
    days = rows(
        fake, f"availabilities?filter[subject_type]=item&{month}=1&filter[subject_id]={service}"
    )
    assert {r["status"] for r in days} == {"available"}
    for query, status in (
        (f"filter[subject_type]=item&{month}=13&filter[subject_id]={service}", 400),
        (f"filter[subject_type]=order&{month}=1&filter[subject_id]={fake.company_id}", 404),
        (f"filter[subject_type]=downtime&{month}=1&filter[subject_id]={fake.company_id}", 404),
    ):
        assert send(fake, "GET", f"/api/4/availabilities?{query}").status == status, query
    bike = fake.add("products", tracking_type="bulk")["id"]
    stock(fake, bike, 1)
    downtime = fake.add("downtimes", product_id=bike, quantity=1)["id"]
    reserve(fake, bike, 1)
    states = {
        r["date"]: r["status"]
        for r in rows(
            fake,
            f"availabilities?filter[subject_type]=downtime&{month}=1"
            f"&filter[subject_id]={downtime}&filter[type]=stop&page[size]=31",
        )
    }
    assert (states["2030-01-05"], states["2030-01-11"]) == ("available", "unavailable")


def test_planning_availability_skips_plannings_without_a_product(fake: FakeBooqable) -> None:
    order = fake.add("orders", status="draft")["id"]
    fake.add("plannings", order_id=order, quantity=1)
    reply = send(fake, "GET", f"/api/4/order_planning_availabilities?filter[order_id][eq]={order}")
    assert reply.json["data"]["attributes"]["available"] == {}
