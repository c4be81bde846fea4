"""Writes over real HTTP while the server fails: no duplicate, nothing uncertain hidden.

Booqable has no idempotency keys. A POST that may have reached the server (a 500/502/504
answer, a connection dropped after sending) must not be retried: the caller gets an error
saying the write may or may not have happened (``write_outcome_unknown``). A PUT is
idempotent: retried until it succeeds.
"""

from __future__ import annotations

import asyncio
import collections

import pytest

from booqable_async import errors
from booqable_async.testing import FakeBooqable, parse_fault_spec
from tests.e2e.conftest import Traffic, client_for

pytestmark = pytest.mark.slow

CREATES = 200
POST_FAULTS = ",".join(
    [
        "POST:fail_after@3",  # processed, then 500: the record exists
        "POST:reset_after@5",  # processed, then the connection drops
        "POST:500@7",  # 500 before processing: nothing was written
        "POST:503@9-10",  # not processed, retried (every method)
        "POST:429@12",  # not processed, retried
        "POST:fail_after=502@14",
        "POST:fail_after~0.08",
        "POST:reset_after~0.03",
        "POST:504~0.02",
    ]
)


def _customers_path(path: str) -> bool:
    return path.rstrip("/").endswith("/customers")


async def test_creates_never_duplicate_and_every_uncertain_write_is_reported(
    serve: object, traffic: Traffic
) -> None:
    fake = FakeBooqable(seed=3, faults=parse_fault_spec(POST_FAULTS))
    served = await serve(fake)  # type: ignore[operator]
    async with client_for(served, traffic) as client:

        async def create(i: int) -> tuple[str, str | None, errors.BooqableError | None]:
            name = f"customer {i:03d}"
            try:
                created = await client.customers.create(name=name, email=f"c{i}@example.com")
            except errors.BooqableError as exc:
                return name, None, exc
            return name, created.id, None

        results = await asyncio.gather(*(create(i) for i in range(CREATES)))

    succeeded = {name: rid for name, rid, exc in results if exc is None}
    uncertain = {name: exc for name, _, exc in results if exc is not None}
    stored = [record["name"] for record in fake.all("customers")]

    # No record was created twice: a POST that may have been processed was never repeated.
    assert len(stored) == len(set(stored))
    posts = [r for r in fake.requests if r.method == "POST" and _customers_path(r.path)]
    processed = [r for r in posts if r.processed]
    assert len(processed) == len(stored)
    # aiohttp never re-sends a POST by itself: the fake saw exactly the session's attempts.
    assert len(posts) == traffic.attempts

    # Every success is stored as reported.
    for name, rid in succeeded.items():
        assert fake.get("customers", rid or "")["name"] == name  # type: ignore[index]
    # Every write the caller was not told succeeded is reported as uncertain: the record
    # may or may not exist (fail_after/reset_after: it does; a 500 before processing: not).
    assert set(stored) - set(succeeded) <= set(uncertain)
    for exc in uncertain.values():
        assert exc.write_outcome_unknown, exc
        assert "may or may not have happened" in str(exc)
        assert isinstance(exc, (errors.ServerError, errors.ConnectionReset, errors.ProtocolError))
    fired = collections.Counter(kind for kind, _, _ in fake.faults.fired)
    assert len(uncertain) == sum(fired[k] for k in ("fail_after", "reset_after", "500", "504"))
    assert len(set(uncertain) & set(stored)) == fired["fail_after"] + fired["reset_after"]
    # Only the answers that prove nothing happened (503, 429) were retried.
    assert len(posts) == CREATES + fired["503"] + fired["429"]
    assert fired["fail_after"] >= 2
    assert fired["reset_after"] >= 1
    assert len(succeeded) + len(uncertain) == CREATES


PUT_FAULTS = "PUT:fail_after@2,PUT:reset_after@4-5,PUT:500@7,PUT:fail_after~0.15,PUT:504~0.05"


async def test_updates_are_retried_safely_until_they_succeed(
    serve: object, traffic: Traffic
) -> None:
    fake = FakeBooqable(seed=4)
    ids = [fake.add("customers", name=f"customer {i:03d}")["id"] for i in range(100)]
    fake.faults.clear()
    for rule in parse_fault_spec(PUT_FAULTS):
        fake.faults.add(rule)
    served = await serve(fake)  # type: ignore[operator]
    async with client_for(served, traffic) as client:
        updated = await asyncio.gather(
            *(
                client.customers.update(rid, email=f"new{i}@example.com")
                for i, rid in enumerate(ids)
            )
        )

    assert [c.email for c in updated] == [f"new{i}@example.com" for i in range(100)]
    assert [fake.get("customers", rid)["email"] for rid in ids] == [  # type: ignore[index]
        f"new{i}@example.com" for i in range(100)
    ]
    fired = collections.Counter(kind for kind, _, _ in fake.faults.fired)
    processed = [r for r in fake.requests if r.method == "PUT" and r.processed]
    # Some updates were applied twice (processed, answer lost, retried): harmless for PUT.
    assert len(processed) > 100
    assert fired["fail_after"] >= 2
    assert traffic.retries >= fired["fail_after"] + fired["500"] + fired["504"]
