"""A full sync equals the fake; changes arrive exactly; an unchanged sync writes nothing.

End to end over HTTP: the fake served on 127.0.0.1, the real client (aiohttp), dlt and a
DuckDB file.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from booqable_async import BooqableClient
from booqable_async.sync import DEFAULT_RESOURCES, table_spec
from tests.sync.conftest import Env, as_json, snapshot, table


def _typed(value: Any, data_type: str) -> Any:
    """The API's value as the column type stores it."""
    if value is None:
        return None
    if data_type == "timestamp":
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if data_type == "date":
        return dt.date.fromisoformat(value[:10])
    return value


def _assert_table_matches(env: Env, resource: str) -> None:
    spec = table_spec(resource)
    rows = table(env.db, resource)
    records = {r["id"]: r for r in env.fake.all(resource)}
    assert rows.keys() == records.keys(), resource
    for record_id, record in records.items():
        row = rows[record_id]
        for name, column in spec.columns.items():
            if name not in record:
                continue
            have = row[name]
            if column["data_type"] == "json":
                have = as_json(have)
            want = _typed(record[name], column["data_type"])
            assert have == want, (resource, record_id, name, have, want)


async def test_a_full_sync_equals_the_fake_with_typed_values(env: Env) -> None:
    report = await env.sync()

    assert report.loaded
    for resource in DEFAULT_RESOURCES:
        _assert_table_matches(env, resource)
        counts = next(r for r in report.resources if r.resource == resource)
        assert counts.mode == "snapshot"
        assert counts.new == env.fake.count(resource)
        assert counts.updated == counts.archived == counts.deleted == 0
    assert report.budget == (10_000, 60.0)
    # Types as the catalog says: aware instants, integers for cents, JSON for arrays.
    order = next(iter(table(env.db, "orders").values()))
    assert order["starts_at"].tzinfo is not None
    assert isinstance(order["grand_total_in_cents"], int)
    assert isinstance(as_json(order["statuses"]), list)


async def test_an_unchanged_second_sync_makes_one_request_per_resource_and_writes_nothing(
    env: Env,
) -> None:
    await env.sync()
    before = snapshot(env.db, DEFAULT_RESOURCES)
    env.traffic.seen.clear()

    report = await env.sync()

    assert not report.loaded
    assert report.written == 0
    assert all(r.mode == "incremental" for r in report.resources)
    assert env.traffic.by_path() == dict.fromkeys(DEFAULT_RESOURCES, 1)
    assert [r.requests for r in report.resources] == [1] * len(DEFAULT_RESOURCES)
    assert snapshot(env.db, DEFAULT_RESOURCES) == before


async def test_update_create_archive_and_delete_arrive_exactly(env: Env) -> None:
    resources = ("customers", "orders", "lines")
    await env.sync(env.job(resources, sweep=True))
    before = {name: table(env.db, name) for name in resources}
    fake = env.fake
    customers = fake.all("customers")
    line = fake.all("lines")[0]
    async with BooqableClient(base_url=env.served.base_url, token=fake.token) as client:
        updated = await client.customers.update(customers[0]["id"], email="new@example.com")
        created = await client.customers.create(name="Newly Created", email="c@example.com")
        archived = await client.customers.delete(customers[1]["id"])
    fake.remove("lines", line["id"])  # a hard delete: the record is gone, no trace left

    report = await env.sync(env.job(resources, sweep=True))

    by = {r.resource: r for r in report.resources}
    assert (by["customers"].new, by["customers"].updated, by["customers"].archived) == (1, 1, 1)
    assert by["customers"].deleted == 0
    assert by["orders"].written == 0
    assert (by["lines"].deleted, by["lines"].new, by["lines"].updated) == (1, 0, 0)
    after = {name: table(env.db, name) for name in resources}
    assert after["orders"] == before["orders"]
    assert after["lines"] == {k: v for k, v in before["lines"].items() if k != line["id"]}
    changed = {k for k in after["customers"] if after["customers"][k] != before["customers"].get(k)}
    assert changed == {updated.id, created.id, archived.id}
    assert after["customers"][updated.id]["email"] == "new@example.com"
    assert after["customers"][created.id]["name"] == "Newly Created"
    assert after["customers"][archived.id]["archived"] is True
    assert after["customers"][archived.id]["archived_at"] is not None
    _assert_table_matches(env, "customers")
