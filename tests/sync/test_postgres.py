"""The sync into a real PostgreSQL server: full, changed, unchanged."""

from __future__ import annotations

from typing import Any

import psycopg2

from booqable_async import BooqableClient
from booqable_async.sync import postgres_destination
from tests.sync.conftest import DATASET, Env

RESOURCES = ("customers", "orders", "lines")


def _rows(dsn: str, name: str) -> dict[str, tuple[Any, ...]]:
    with psycopg2.connect(dsn) as connection, connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {DATASET}.{name}")
        names = [d[0] for d in cursor.description]
        keep = [i for i, n in enumerate(names) if not n.startswith("_dlt_")]
        at = names.index("id")
        return {row[at]: tuple(row[i] for i in keep) for row in cursor.fetchall()}


async def test_sync_into_postgres(env: Env, postgres_dsn: str) -> None:
    destination = postgres_destination(postgres_dsn)
    first = await env.sync(env.job(RESOURCES, destination=destination))
    assert first.loaded
    assert "unused-pw" not in first.destination
    for name in RESOURCES:
        rows = _rows(postgres_dsn, name)
        assert set(rows) == {r["id"] for r in env.fake.all(name)}

    async with BooqableClient(base_url=env.served.base_url, token=env.fake.token) as client:
        customer = await client.customers.update(
            env.fake.all("customers")[0]["id"], email="pg@example.com"
        )
    before = {name: _rows(postgres_dsn, name) for name in RESOURCES}
    second = await env.sync(env.job(RESOURCES, destination=destination))

    by = {r.resource: r for r in second.resources}
    assert (by["customers"].updated, by["customers"].new) == (1, 0)
    assert by["orders"].written == by["lines"].written == 0
    after = {name: _rows(postgres_dsn, name) for name in RESOURCES}
    assert after["orders"] == before["orders"]
    assert {k for k in after["customers"] if after["customers"][k] != before["customers"][k]} == {
        customer.id
    }

    third = await env.sync(env.job(RESOURCES, destination=destination))
    assert not third.loaded
    assert {name: _rows(postgres_dsn, name) for name in RESOURCES} == after
