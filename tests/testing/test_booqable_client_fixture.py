"""The ``booqable_client`` fixture: a BooqableClient wired to ``booqable_fake`` in process."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

import pytest

from booqable_async import BooqableClient, Query
from booqable_async.errors import ServerError
from booqable_async.retry import RetryPolicy
from booqable_async.testing import FakeBooqable
from booqable_async.testing.pytest_plugin import _finish

pytest_plugins = ["pytester"]


async def test_client_talks_to_the_fake_in_process(
    booqable_client: BooqableClient, booqable_fake: FakeBooqable
) -> None:
    jane = booqable_fake.add("customers", name="Jane", email="jane@example.com")
    customer = await booqable_client.customers.get(jane["id"])
    assert customer.name == "Jane"
    assert booqable_client.base_url.rstrip("/") == booqable_fake.base_url
    assert booqable_fake.requests[-1].path.endswith(f"/customers/{jane['id']}")


@pytest.mark.booqable_fake(orders=30, customers=10, product_groups=3)
async def test_marked_demo_data_is_listed(booqable_client: BooqableClient) -> None:
    orders = await booqable_client.orders.list(Query().page(size=7)).collect()
    assert len(orders) == 30
    assert len({o.id for o in orders}) == 30


@pytest.mark.booqable_client(retry=RetryPolicy.never())
async def test_marker_passes_client_arguments(
    booqable_client: BooqableClient, booqable_fake: FakeBooqable
) -> None:
    booqable_fake.fail_next("500")
    with pytest.raises(ServerError):
        await booqable_client.customers.list().first_page()
    assert len(booqable_fake.requests) == 1  # no retry


def test_usable_from_a_plain_test_with_asyncio_run(booqable_client: BooqableClient) -> None:
    async def count() -> int:
        return len(await booqable_client.customers.list().collect())

    assert asyncio.run(count()) == 0


def test_finish_refuses_a_close_that_waits() -> None:
    async def waits() -> None:
        await asyncio.sleep(0)

    coro: Coroutine[Any, Any, None] = waits()
    with pytest.raises(RuntimeError, match="unexpectedly had to wait"):
        _finish(coro)


def test_fixture_through_the_opt_in_plugin(pytester: pytest.Pytester) -> None:
    pytester.makeini(
        "[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\n"
    )
    pytester.makepyfile(
        """
        async def test_uses_client(booqable_fake, booqable_client):
            booqable_fake.add("customers", name="Jane")
            page = await booqable_client.customers.list()
            assert [c.name for c in page.data] == ["Jane"]
        """
    )
    result = pytester.runpytest_inprocess(
        "-p", "no:cacheprovider", "-p", "booqable_async.testing.pytest_plugin"
    )
    result.assert_outcomes(passed=1)
