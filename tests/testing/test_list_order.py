"""Default list order: orders newest first, everything else in creation order."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from booqable_async.testing import FakeBooqable

from .conftest import Clock, doc, send

RECORDED = Path(__file__).resolve().parents[3] / "shared" / "booqable-api" / "recorded"


def _recorded_data(name: str) -> list[dict[str, Any]]:
    exchange = json.loads((RECORDED / name).read_text())
    data: list[dict[str, Any]] = json.loads(exchange["response"]["body"])["data"]
    return data


def _replay(fake: FakeBooqable, type_name: str, records: list[dict[str, Any]]) -> list[str]:
    for record in records:
        fake.add(type_name, created_at=record["attributes"]["created_at"], id=record["id"])
    reply = send(fake, "GET", f"/api/4/{type_name}")
    return [d["id"] for d in reply.json["data"]]


def test_orders_list_newest_first_like_the_recording(fake: FakeBooqable, shared_api: Path) -> None:
    # recorded booqable-resourceproxy__orders-resource__list__lists-orders: no sort, the
    # latest created_at first.
    recorded = _recorded_data("booqable-resourceproxy__orders-resource__list__lists-orders.json")
    # inserted oldest first, so insertion order would be the reverse of the recording
    assert _replay(fake, "orders", recorded[::-1]) == [r["id"] for r in recorded]


def test_customers_list_oldest_first_like_the_recording(
    fake: FakeBooqable, shared_api: Path
) -> None:
    # recorded ...customers-resource__works-with-customers-resource: creation order.
    name = (
        "booqable-resourceproxy__different-resource-types__customers-resource__"
        "works-with-customers-resource.json"
    )
    recorded = _recorded_data(name)
    assert _replay(fake, "customers", recorded) == [r["id"] for r in recorded]


def test_a_new_order_is_first_on_the_first_page(wall: Clock) -> None:
    fake = FakeBooqable.demo(orders=60, customers=5, product_groups=3, wall_clock=wall)
    created = send(fake, "POST", "/api/4/orders", doc("orders", {})).json["data"]
    first = send(fake, "GET", "/api/4/orders?page[size]=5").json["data"]
    assert first[0]["id"] == created["id"]
    search = send(fake, "POST", "/api/4/orders/search?page[size]=1", {"fields": {"orders": "id"}})
    assert search.json["data"] == [{"id": created["id"]}]


def test_paging_without_sort_loses_and_repeats_nothing(fake: FakeBooqable) -> None:
    # Same created_at everywhere (a frozen clock): ties still give one total order.
    ids = {fake.add("orders")["id"] for _ in range(23)}
    seen: list[str] = []
    for number in range(1, 6):
        page = send(fake, "GET", f"/api/4/orders?page[size]=5&page[number]={number}")
        seen.extend(d["id"] for d in page.json["data"])
    assert len(seen) == len(ids) == len(set(seen))
    assert set(seen) == ids
    filtered = send(fake, "GET", "/api/4/orders?page[size]=25&filter[status]=new")
    assert [d["id"] for d in filtered.json["data"]] == seen  # same order with a filter
    latest = fake.add("orders")["id"]
    assert send(fake, "GET", "/api/4/orders?page[size]=1").json["data"][0]["id"] == latest


def test_an_explicit_sort_still_wins(fake: FakeBooqable) -> None:
    older = fake.add("orders", number=2, created_at="2025-01-01T00:00:00.000000+00:00")["id"]
    newer = fake.add("orders", number=1, created_at="2025-02-01T00:00:00.000000+00:00")["id"]
    assert [d["id"] for d in send(fake, "GET", "/api/4/orders").json["data"]] == [newer, older]
    by_number = send(fake, "GET", "/api/4/orders?sort=-number").json["data"]
    assert [d["id"] for d in by_number] == [older, newer]
