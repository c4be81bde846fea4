"""Less common paths, in process (the fake's in-process transport): full refresh, empty
resources, a collection that changes mid-walk, stopping, loads that fail, and dlt's
buffer settings."""

from __future__ import annotations

import gzip
import threading
from pathlib import Path
from typing import Any

import duckdb
import orjson
import pytest

from booqable_async.session import Hooks, RequestEvent
from booqable_async.sync import (
    ResourceTally,
    SyncError,
    SyncJob,
    SyncStopped,
    SyncTally,
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
        company=extra.pop("company", "paths"),
        destination=extra.pop("destination", duckdb_destination(tmp / "p.duckdb")),
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


def test_pages_that_shift_without_changing_the_total_are_walked_again(tmp_path: Path) -> None:
    # Orders list newest first. One order created after page 1 shifts the later pages
    # forward (page 2 repeats page 1's last record); one deleted from page 1 after page 2
    # shifts them back (page 3 skips a record). The total ends where it began, so only
    # the repeated record tells that the offset pages moved.
    fake = FakeBooqable.demo(orders=250, customers=5, product_groups=2)
    listing = fake.listed("orders")
    answers: list[str] = []

    def on_response(event: RequestEvent) -> None:
        if event.path.endswith("/orders"):
            answers.append(event.path)
            if len(answers) == 2:  # the newest record, then page 1
                fake.add("orders", number=9999)
            elif len(answers) == 3:  # page 2
                fake.remove("orders", listing[5]["id"])

    job = _job(fake, tmp_path, ("orders",), hooks=Hooks(on_response=on_response), concurrency=1)
    report = job.run()

    rows = table(tmp_path / "p.duckdb", "orders")
    # Every order is there, the one page 3 skipped included; the deleted one, read on
    # page 1 before it went, stays until a sweep.
    assert set(rows) == {o["id"] for o in fake.all("orders")} | {listing[5]["id"]}
    assert report.resources[0].new == 251
    assert len(answers) > 5  # newest, 3 pages, then a walk by updated_at


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


def test_a_sync_stopped_mid_read_loads_nothing_and_the_next_run_reads_it_all(
    tmp_path: Path,
) -> None:
    # locations (two records) is read to its end before orders is stopped: the position
    # it moved in the run's state must go with the run's rows.
    fake = FakeBooqable.demo(orders=2000, customers=20, product_groups=2)
    stop = threading.Event()
    done: set[str] = set()

    def on_change(counts: ResourceTally) -> None:
        if counts.done:
            done.add(counts.resource)
        if "locations" in done and counts.resource == "orders" and counts.requests >= 3:
            stop.set()

    resources = ("locations", "orders")
    tally = SyncTally(on_change=on_change)
    with pytest.raises(SyncStopped, match="nothing of this run was loaded"):
        _job(fake, tmp_path, resources).run(stop=stop, tally=tally)
    assert done == {"locations"}
    # Stopped a few pages on (a full read: 1 + 20 pages + a catch-up).
    assert tally.resource("orders").requests < 16
    db = tmp_path / "p.duckdb"
    with duckdb.connect(str(db)) as connection:
        tables = connection.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = ?", [DATASET]
        ).fetchall()
    assert tables == []

    report = _job(fake, tmp_path, resources).run()

    assert [(r.resource, r.mode, r.new) for r in report.resources] == [
        ("locations", "snapshot", 2),
        ("orders", "snapshot", 2000),
    ]
    assert len(table(db, "orders")) == 2000


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


def _extracted_batches(tmp: Path, company: str, resource: str) -> list[int]:
    """Rows per batch dlt wrote while reading ``resource`` (its normalize reads each whole)."""
    root = tmp / "pipelines" / f"booqable_{company}" / "normalize" / "extracted"
    sizes: list[int] = []
    for path in sorted(root.glob(f"*/new_jobs/{resource}.*")):
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rb") as lines:
            sizes += [len(orjson.loads(line)) for line in lines]
    return sizes


class _Loaded(Exception):
    pass


def _read_only(job: SyncJob) -> None:
    def stop_before_loading() -> None:
        raise _Loaded

    with pytest.raises(_Loaded):
        job.run(before_load=stop_before_loading)


def test_rows_are_written_out_in_small_batches_unless_configured_otherwise(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # dlt holds 5,000 rows per table by default before writing, and normalize reads
    # such a batch back whole: tens of MB for wide rows. The sync sets 500 for its own
    # pipeline; a value set for it (here in the environment, dlt's first source) wins.
    fake = FakeBooqable.demo(orders=1200, customers=5, product_groups=2)
    _read_only(_job(fake, tmp_path, ("orders",), company="batches"))
    monkeypatch.setenv(
        "BOOQABLE_CONFIGURED__SOURCES__BOOQABLE__DATA_WRITER__BUFFER_MAX_ITEMS", "300"
    )
    _read_only(_job(fake, tmp_path / "other", ("orders",), company="configured"))

    assert sum(_extracted_batches(tmp_path, "batches", "orders")) == 1200
    assert max(_extracted_batches(tmp_path, "batches", "orders")) == 500
    assert max(_extracted_batches(tmp_path / "other", "configured", "orders")) == 300


def test_a_load_beyond_duckdbs_memory_limit_is_finished_with_four_times_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # DuckDB reads each JSON file through a 32 MB buffer: 16 MB is too little, 64 MB not.
    monkeypatch.setenv("LOAD__RAISE_ON_MAX_RETRIES", "1")  # dlt retries a failed copy
    fake = FakeBooqable.demo(orders=50, customers=5, product_groups=1)
    tight = duckdb_destination(tmp_path / "p.duckdb", memory_limit="16MB")

    report = _job(fake, tmp_path, ("orders",), destination=tight).run()

    assert report.resources[0].new == 50
    assert len(table(tmp_path / "p.duckdb", "orders")) == 50


def test_a_load_beyond_four_times_duckdbs_memory_limit_says_how_to_raise_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOAD__RAISE_ON_MAX_RETRIES", "1")
    fake = FakeBooqable.demo(orders=50, customers=5, product_groups=1)
    tiny = duckdb_destination(tmp_path / "p.duckdb", memory_limit="1MB")

    with pytest.raises(
        SyncError, match=r"DuckDB needed more than 4MB of memory \(its limit is 1MB: raise it"
    ):
        _job(fake, tmp_path, ("orders",), destination=tiny).run()

    report = _job(fake, tmp_path, ("orders",)).run()  # the default limit: read again
    assert report.resources[0].new == 50
