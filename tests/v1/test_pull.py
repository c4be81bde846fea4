"""A v1 pull of 5,000 customers through 5xx answers and dropped connections."""

from __future__ import annotations

import pytest

from booqable_async import RetryPolicy, errors
from booqable_async.clock import Clock
from booqable_async.testing import FakeBooqable
from tests.v1.conftest import no_sleep

FAULTS = "GET:500~0.06,GET:503~0.04,GET:502@%13,GET:reset_before@%7,GET:reset_after@%11"


def company(customers: int, faults: str | None = None) -> FakeBooqable:
    fake = FakeBooqable(seed=7, faults=faults, sleep=no_sleep)
    for n in range(customers):
        fake.add("customers", name=f"Customer {n:05d}", email=f"c{n}@example.com")
    return fake


@pytest.mark.slow
async def test_every_customer_exactly_once_through_faults() -> None:
    fake = company(5000, FAULTS)
    expected = {c["id"] for c in fake.all("customers")}
    async with fake.v1_client(
        clock=Clock(sleep=no_sleep), retry=RetryPolicy(max_attempts=10)
    ) as client:
        pulled = [c.id async for c in client.customers.list(per=100, concurrency=4)]
    assert len(pulled) == 5000
    assert set(pulled) == expected
    faults = [r.fault for r in fake.requests if r.fault is not None]
    assert {"500", "502", "503", "reset_before", "reset_after"} <= set(faults)
    assert len(faults) >= 10  # the pull really went through failures


async def test_a_page_that_keeps_failing_stops_with_where_to_resume() -> None:
    fake = company(250)
    async with fake.v1_client(
        clock=Clock(sleep=no_sleep), retry=RetryPolicy(max_attempts=2)
    ) as client:
        fake.fail_next("503", times=2, path_prefix="/api/1/customers")
        pulled: list[str] = []

        async def pull() -> None:
            async for customer in client.customers.list(per=100, concurrency=1):
                pulled.append(customer.id)

        with pytest.raises(errors.PaginationError) as info:
            await pull()
        assert pulled == []
        rest = await client.customers.list(per=100, resume_from=info.value.resume_point).collect()
    assert len({c.id for c in rest}) == 250
