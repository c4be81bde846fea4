"""The deterministic demo company."""

from __future__ import annotations

from collections import Counter

from booqable_async.testing import FakeBooqable

from .conftest import send


def test_default_demo_company_size() -> None:
    fake = FakeBooqable.demo()
    assert fake.count("product_groups") == 50
    assert fake.count("products") >= 50
    assert fake.count("stock_items") > 0
    assert fake.count("customers") == 500
    assert fake.count("orders") == 2000
    assert fake.count("lines") >= 2000
    assert fake.count("plannings") == fake.count("lines")
    statuses = Counter(o["status"] for o in fake.all("orders"))
    assert set(statuses) >= {
        "new",
        "draft",
        "reserved",
        "started",
        "stopped",
        "archived",
        "canceled",
    }
    numbers = [o["number"] for o in fake.all("orders") if o["status"] != "new"]
    assert len(numbers) == len(set(numbers))


def test_same_seed_same_company() -> None:
    a = FakeBooqable.demo(seed=5, orders=50, customers=20, product_groups=5)
    b = FakeBooqable.demo(seed=5, orders=50, customers=20, product_groups=5)
    c = FakeBooqable.demo(seed=6, orders=50, customers=20, product_groups=5)
    assert a.all("orders") == b.all("orders")
    assert a.all("lines") == b.all("lines")
    assert a.all("orders") != c.all("orders")


def test_demo_data_is_consistent() -> None:
    fake = FakeBooqable.demo(orders=300, customers=50, product_groups=10)
    orders = {o["id"]: o for o in fake.all("orders")}
    for line in fake.all("lines"):
        assert line["order_id"] in orders
    totals: Counter[str] = Counter()
    for line in fake.all("lines"):
        totals[line["order_id"]] += line["price_in_cents"]
    for order_id, order in orders.items():
        assert order["price_in_cents"] == totals[order_id]
    # holding orders never overbook: reserving any of them again finds no shortage
    reply = send(
        fake, "GET", "/api/4/orders?filter[status]=reserved&stats[total]=count&page[size]=1"
    )
    assert reply.json["meta"]["stats"]["total"]["count"] > 0


def test_demo_answers_with_includes_and_stats() -> None:
    fake = FakeBooqable.demo(orders=100, customers=20, product_groups=5)
    reply = send(
        fake, "GET", "/api/4/orders?include=customer&page[size]=100&stats[grand_total_in_cents]=sum"
    )
    assert len(reply.json["data"]) == 100
    assert reply.json["meta"]["stats"]["grand_total_in_cents"]["sum"] == sum(
        o["grand_total_in_cents"] for o in fake.all("orders")
    )
    assert {r["type"] for r in reply.json["included"]} == {"customers"}


def test_marker_configures_the_plugin_fixture(booqable_fake: FakeBooqable) -> None:
    assert booqable_fake.count("orders") == 0
