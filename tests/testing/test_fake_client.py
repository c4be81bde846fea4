"""fake.client(): a ready BooqableClient bound to the fake in process."""

from __future__ import annotations

import pytest

from booqable_async import BooqableClient
from booqable_async.clock import Clock
from booqable_async.errors import NotFound, ServerError, Unauthorized
from booqable_async.retry import RetryPolicy
from booqable_async.testing import FakeBooqable


async def test_a_ready_client_with_the_token_the_fake_accepts() -> None:
    fake = FakeBooqable()
    jane = fake.add("customers", name="Jane")
    async with fake.client() as client:
        assert isinstance(client, BooqableClient)
        assert client.base_url.rstrip("/") == fake.base_url
        customers = await client.customers.list().collect()
        assert [c.id for c in customers] == [jane["id"]]
        created = await client.customers.create(name="Joe")
    assert fake.get("customers", created.id)["name"] == "Joe"
    assert [r.status for r in fake.requests] == [200, 201]
    assert client.closed


async def _no_sleep(seconds: float) -> None:
    return None


async def test_client_options_pass_through_and_each_call_is_a_new_client() -> None:
    fake = FakeBooqable(faults="500@1,500@3")
    patient = fake.client(retry=RetryPolicy(max_attempts=2), clock=Clock(sleep=_no_sleep))
    impatient = fake.client(retry=RetryPolicy.never())
    assert patient is not impatient
    with pytest.raises(NotFound):  # the 500 was retried, then the real answer came
        await patient.customers.get("nope")
    with pytest.raises(ServerError):  # never retried
        await impatient.customers.get("nope")
    assert [r.status for r in fake.requests] == [500, 404, 500]
    await patient.aclose()
    await impatient.aclose()


async def test_another_token_rehearses_a_401() -> None:
    fake = FakeBooqable()
    async with fake.client(token="wrong") as client:
        with pytest.raises(Unauthorized):
            await client.customers.list()
