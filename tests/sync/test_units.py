"""The sync's parts on their own: tables from the catalog, rows, cursors, settings."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from booqable_async.errors import DecodeError, UsageError
from booqable_async.ratelimit import RateLimiter
from booqable_async.sync import (
    DEFAULT_RESOURCES,
    SyncJob,
    SyncTally,
    all_resources,
    booqable_source,
    client_factory,
    duckdb_destination,
    pipeline_name,
    postgres_destination,
    resolve_resources,
    table_spec,
)
from booqable_async.sync._cursor import Cursor
from booqable_async.sync._rows import RowShaper, rows_from_document

UTC = dt.timezone.utc


def test_columns_are_typed_from_the_catalog() -> None:
    orders = table_spec("orders")
    assert orders.incremental
    assert orders.mode == "incremental"
    types = {name: col["data_type"] for name, col in orders.columns.items()}
    assert types["id"] == "text"
    assert orders.columns["id"]["primary_key"]
    assert types["starts_at"] == "timestamp"
    assert orders.columns["starts_at"]["timezone"]
    assert types["grand_total_in_cents"] == "bigint"
    assert types["status"] == "text"
    assert types["entirely_started"] == "bool"
    assert types["status_counts"] == types["tag_list"] == "json"
    assert "confirm_shortage" not in types  # write-only: never returned
    assert table_spec("documents").columns["date"]["data_type"] == "date"
    payments = table_spec("payments")
    assert payments.record_types == ("payment_charges", "payment_authorizations", "payment_refunds")
    assert "type" in payments.columns
    assert table_spec("customers").archivable
    assert not table_spec("collection_items").incremental
    assert table_spec("collection_items").mode == "full refresh"


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("companies", "no list endpoint"),
        ("availabilities", "needs filter["),
        ("items", "union of product_groups, products, bundles"),
        ("item_prices", "computes answers"),
        ("ordres", "did you mean 'orders'"),
    ],
)
def test_unsyncable_resources_say_why(name: str, reason: str) -> None:
    with pytest.raises(UsageError, match=reason.replace("[", r"\[")):
        table_spec(name)


def test_all_and_resolve() -> None:
    every = all_resources()
    assert set(DEFAULT_RESOURCES) <= set(every)
    assert "items" not in every
    assert "item_prices" not in every
    assert [s.resource for s in resolve_resources(["orders", "orders", "lines"])] == [
        "orders",
        "lines",
    ]
    with pytest.raises(UsageError, match="at least one"):
        resolve_resources([])
    with pytest.raises(UsageError, match="strings"):
        resolve_resources([3])  # type: ignore[list-item]


def test_rows_from_documents() -> None:
    shaper = RowShaper(table_spec("payments"))
    document = {
        "data": [
            {
                "id": "p1",
                "type": "payment_charges",
                "attributes": {"created_at": "2025-01-02T03:04:05Z", "amount_in_cents": 5},
                "relationships": {"order": {"data": {"type": "orders", "id": "o1"}}},
            },
            "not an object",
        ],
        "meta": {"stats": {}},
    }
    rows, meta = rows_from_document(document, shaper)
    assert rows == [
        {
            "id": "p1",
            "type": "payment_charges",
            "created_at": dt.datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC),
            "amount_in_cents": 5,
            "order_id": "o1",
        }
    ]
    assert meta == {"stats": {}}
    dated = RowShaper(table_spec("documents")).row(
        {"id": "d", "attributes": {"date": "2025-02-03"}}
    )
    assert dated["date"] == dt.date(2025, 2, 3)
    odd = RowShaper(table_spec("documents")).row({"id": "d", "attributes": {"date": "soon"}})
    assert odd["date"] == "soon"  # kept as sent (dlt stores it in a variant column)
    with pytest.raises(DecodeError):
        rows_from_document({"data": None}, shaper)
    with pytest.raises(DecodeError):
        shaper.row({"id": 5})


def test_cursor_remembers_versions_inside_the_overlap_only() -> None:
    t0 = dt.datetime(2025, 1, 1, tzinfo=UTC)
    minute = dt.timedelta(minutes=1)
    cursor = Cursor().advance(t0 + 10 * minute, [("a", t0), ("b", t0 + 8 * minute)], 5 * minute)
    assert cursor.mark == t0 + 10 * minute
    assert cursor.seen("b", t0 + 8 * minute)
    assert not cursor.seen("b", t0 + 9 * minute)
    assert not cursor.seen("a", t0)  # older than the overlap: forgotten
    again = Cursor.from_state(cursor.to_state())
    assert again == cursor
    assert Cursor.from_state({"mark": "garbage", "recent": {"x": "y", 5: []}}) == Cursor()
    # A run that saw nothing newer keeps the mark.
    assert cursor.advance(None, [], 5 * minute).mark == cursor.mark
    assert Cursor().advance(None, [], minute) == Cursor()


def test_destinations() -> None:
    pg = postgres_destination("postgresql://sync:pw@db.example.com:5432/warehouse")
    assert pg.shown == "postgresql://sync:***@db.example.com:5432/warehouse"
    assert "pw" not in repr(pg)
    assert pg.redact("failed for sync:pw@db") == "failed for sync:***@db"
    assert postgres_destination("postgresql://db.example.com/w").shown.endswith("/w")
    for bad, match in (
        ("mysql://x/y", "postgresql://"),
        ("postgresql://host", "names no database"),
        (5, "must be a string"),
    ):
        with pytest.raises(UsageError, match=match):
            postgres_destination(bad)  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="must not be empty"):
        duckdb_destination(" ")


def test_duckdb_loads_within_a_memory_limit_on_one_thread() -> None:
    default = duckdb_destination("x.duckdb")
    assert (default.memory_limit, default.threads, default.load_workers) == ("64MB", 1, 1)
    settings = default.dlt().config_params["credentials"].global_config
    assert settings == {"preserve_insertion_order": False, "memory_limit": "64MB", "threads": 1}
    roomy = duckdb_destination("x.duckdb", memory_limit=" 1.5 GiB ", threads=None)
    assert (roomy.memory_limit, roomy.threads) == ("1.5GiB", None)
    unbounded = duckdb_destination("x.duckdb", memory_limit=None, threads=4)
    assert unbounded.dlt().config_params["credentials"].global_config == {
        "preserve_insertion_order": False,
        "threads": 4,
    }
    assert postgres_destination("postgresql://db.example.com/w").load_workers == 20
    assert default.with_more_memory(4).memory_limit == "256MB"
    assert roomy.with_more_memory(2).memory_limit == "3GiB"
    with pytest.raises(UsageError, match="no memory limit"):
        unbounded.with_more_memory(4)
    for bad in ("64", "lots", "64 XB", 64):
        with pytest.raises(UsageError, match="a size like 64MB"):
            duckdb_destination("x.duckdb", memory_limit=bad)  # type: ignore[arg-type]
    for threads in (0, True, 1.5):
        with pytest.raises(UsageError, match="threads must be an int"):
            duckdb_destination("x.duckdb", threads=threads)  # type: ignore[arg-type]


def test_a_directory_is_not_a_database(tmp_path: Path) -> None:
    from booqable_async.sync import SyncError

    with pytest.raises(SyncError, match="is a directory"):
        duckdb_destination(tmp_path).prepare()


def test_client_factory_shares_one_limiter() -> None:
    factory = client_factory(company="acme", token="t")
    first, second = factory(), factory()
    assert first.session.limiter is second.session.limiter is not None
    mine = RateLimiter()
    assert client_factory(company="acme", token="t", rate_limit=mine)().session.limiter is mine
    fixed = client_factory(company="acme", token="t", rate_limit=(50, 60.0))().session.limiter
    assert fixed is not None
    assert fixed.stats.limit == 50
    assert client_factory(company="acme", token="t", rate_limit=False)().session.limiter is None
    with pytest.raises(UsageError, match="rate_limit"):
        client_factory(company="acme", token="t", rate_limit="fast")  # type: ignore[arg-type]


def test_source_and_job_settings_are_checked_before_any_io() -> None:
    factory = client_factory(company="acme", token="t")
    for options, match in (
        ({"overlap": dt.timedelta(seconds=-1)}, "overlap"),
        ({"page_size": 101}, "page_size"),
        ({"concurrency": 0}, "concurrency"),
    ):
        with pytest.raises(UsageError, match=match):
            booqable_source(factory, **options)  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="function"):
        booqable_source("not callable")  # type: ignore[arg-type]
    source = booqable_source(factory, ["orders", "lines"])
    assert source.name == "booqable"
    assert list(source.resources) == ["orders", "lines"]
    assert pipeline_name("Acme Rentals!") == "booqable_acme_rentals"
    with pytest.raises(UsageError, match="usable name"):
        pipeline_name("!!!")
    job = SyncJob(client=factory, company="acme", destination=duckdb_destination("x.duckdb"))
    assert job.dataset_name == "booqable_acme"
    assert job.resources == DEFAULT_RESOURCES


def test_tally_budget_share() -> None:
    ticks = iter([0.0, 0.0, 120.0])
    tally = SyncTally(clock=lambda: next(ticks))
    assert tally.budget_share(5) is None

    class Limit:
        limit, period = 50, 60.0

    tally.request("orders", Limit())
    tally.request("orders", Limit())
    assert tally.budget_share(50) == pytest.approx(0.5)  # two periods' budget: 100
