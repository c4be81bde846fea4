from __future__ import annotations

import asyncio
import logging

import attrs
import pytest

from booqable_async.errors import UsageError
from booqable_async.webhooks import Batch, Debouncer, parse_event
from tests.webhooks.conftest import body


def event(n: int, *, resource: str = "customers", minute: int = 0, company: str | None = None):
    parsed = parse_event(
        body(
            id=f"d{n}",
            created_at=f"2025-07-09T09:{minute:02d}:00+00:00",
            resource_type=resource,
            data={"id": f"r{n}"},
        )
    )
    return attrs.evolve(parsed, company=company)


async def test_a_burst_becomes_one_batch_per_key():
    batches: list[Batch] = []

    async def action(batch: Batch) -> None:
        batches.append(batch)

    debounce = Debouncer(action, delay=0.05, max_wait=5)
    for n in range(5):
        await debounce(event(n, minute=10 - n))
    await debounce(event(9, resource="orders"))
    await asyncio.sleep(0.2)
    assert sorted(b.key for b in batches) == [(None, "customers"), (None, "orders")]
    customers = next(b for b in batches if b.key == (None, "customers"))
    assert customers.count == 5
    assert customers.since.minute == 6  # the earliest event
    assert customers.record_ids == {f"r{n}" for n in range(5)}
    assert debounce.runs == 2


async def test_flush_runs_waiting_batches_now_and_keys_by_company():
    batches: list[Batch] = []

    async def action(batch: Batch) -> None:
        batches.append(batch)

    debounce = Debouncer(action, delay=3600, max_wait=3600, max_events=2)
    for n in range(3):
        await debounce(event(n, company="acme"))
    await debounce(event(7, company="beta"))
    assert "keys waiting=2" in repr(debounce)
    await debounce.aclose()
    acme = next(b for b in batches if b.key == ("acme", "customers"))
    assert (acme.count, [e.id for e in acme.events]) == (3, ["d1", "d2"])
    assert len(batches) == 2


async def test_one_key_never_runs_twice_at_once_and_failures_are_logged(caplog):
    running = 0
    overlaps = 0
    calls = 0

    async def action(batch: Batch) -> None:
        nonlocal running, overlaps, calls
        calls += 1
        running += 1
        overlaps += running > 1
        await asyncio.sleep(0.02)
        running -= 1
        if calls == 1:
            raise RuntimeError("sync failed")

    debounce = Debouncer(action, delay=0, max_wait=0)
    await debounce(event(1))
    await asyncio.sleep(0.005)
    await debounce(event(2))  # arrives while the first action runs
    await debounce.flush()
    assert overlaps == 0
    assert calls == 2
    assert "debounced action failed" in caplog.text
    assert [r.levelno for r in caplog.records if "debounced" in r.getMessage()] == [logging.ERROR]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"delay": -1}, "delay"),
        ({"delay": 5, "max_wait": 1}, "max_wait"),
        ({"max_events": 0}, "max_events"),
    ],
)
def test_settings(options, message):
    async def action(batch: Batch) -> None:
        pass

    with pytest.raises(UsageError, match=message):
        Debouncer(action, **options)
