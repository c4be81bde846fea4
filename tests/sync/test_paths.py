"""Less common paths, in process (the fake's in-process transport): full refresh, empty
resources, a collection that changes mid-walk, stopping, and a load that fails."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import duckdb
import pytest

from booqable_async.session import Hooks, RequestEvent
from booqable_async.sync import (
    SyncError,
    SyncJob,
    SyncStopped,
    client_factory,
    duckdb_destination,
)
from booqable_async.testing import FakeBooqable
from tests.sync.conftest import DATASET, table


def _job(fake: FakeBooqable, tmp: Path, resources: tuple[str, ...], **extra: Any) -> SyncJob:
    hooks = extra.pop("hooks", None)
    return SyncJob(
        client=client_factory(
            base_url=fake.base_url, token=fake.token, transport=fake.transport, hooks=hooks
        ),
        company="paths",
        destination=duckdb_destination(tmp / "p.duckdb"),
        resources=resources,
        dataset=DATASET,
        pipelines_dir=tmp / "pipelines",
        **extra,
    )


def test_full_refresh_writes_only_what_changed_and_removes_what_went(tmp_path: Path) -> None:
    fake = FakeBooqable()
    collection = fake.add("collections", name="Summer")
    items = [fake.add("collection_items", collection_id=collection["id"]) for _ in range(3)]
    job = _job(fake, tmp_path, ("collection_items",))

    first = job.run()
    unchanged = job.run()
    fake.update("collection_items", items[0]["id"], position=9)
    fake.remove("collection_items", items[1]["id"])
    added = fake.add("collection_items", collection_id=collection["id"])
    third = job.run()

    assert (first.resources[0].mode, first.resources[0].new) == ("full refresh", 3)
    assert not unchanged.loaded
    counts = third.resources[0]
    assert (counts.new, counts.updated, counts.deleted) == (1, 1, 1)
    rows = table(tmp_path / "p.duckdb", "collection_items")
    assert set(rows) == {items[0]["id"], items[2]["id"], added["id"]}
    assert rows[items[0]["id"]]["position"] == 9


def test_an_empty_resource_costs_one_request_afterwards(tmp_path: Path) -> None:
    fake = FakeBooqable.demo(orders=5, customers=3, product_groups=1)
    job = _job(fake, tmp_path, ("orders", "coupons"))
    job.run()
    coupon = fake.add("coupons", identifier="SPRING")

    report = job.run()

    by = {r.resource: r for r in report.resources}
    assert (by["coupons"].new, by["coupons"].requests) == (1, 1)
    assert set(table(tmp_path / "p.duckdb", "coupons")) == {coupon["id"]}


def test_a_collection_that_changes_mid_walk_is_walked_again_by_updated_at(
    tmp_path: Path,
) -> None:
    fake = FakeBooqable.demo(orders=250, customers=5, product_groups=2)
    added: list[str] = []

    def on_response(event: RequestEvent) -> None:
        # A record created while the first pages are read: offset pages shift.
        if event.path.endswith("/orders") and not added:
            added.append(fake.add("orders", number=9999)["id"])

    job = _job(fake, tmp_path, ("orders",), hooks=Hooks(on_response=on_response))
    report = job.run()

    rows = table(tmp_path / "p.duckdb", "orders")
    assert set(rows) == {o["id"] for o in fake.all("orders")}
    assert report.resources[0].new == 251


def test_a_stopped_sync_loads_nothing(tmp_path: Path) -> None:
    fake = FakeBooqable.demo(orders=5, customers=3, product_groups=1)
    stop = threading.Event()
    stop.set()

    with pytest.raises(SyncStopped):
        _job(fake, tmp_path, ("orders",)).run(stop=stop)

    with duckdb.connect(str(tmp_path / "p.duckdb")) as connection:
        tables = connection.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_name = 'orders'"
        ).fetchall()
    assert tables == []


def test_a_failed_load_is_read_again_by_the_next_run(tmp_path: Path) -> None:
    fake = FakeBooqable.demo(orders=20, customers=5, product_groups=1)
    job = _job(fake, tmp_path, ("customers",))
    job.run()
    customer = fake.all("customers")[0]
    fake.update("customers", customer["id"], name="Renamed", updated_at="2099-01-01T00:00:00Z")
    db = tmp_path / "p.duckdb"

    def break_the_table() -> None:
        with duckdb.connect(str(db)) as connection:
            connection.execute(f"ALTER TABLE {DATASET}.customers RENAME TO customers_away")

    with pytest.raises(SyncError, match="loading into the destination failed"):
        job.run(before_load=break_the_table)
    with duckdb.connect(str(db)) as connection:
        connection.execute(f"ALTER TABLE {DATASET}.customers_away RENAME TO customers")

    report = job.run()

    assert report.resources[0].updated == 1
    assert table(db, "customers")[customer["id"]]["name"] == "Renamed"
