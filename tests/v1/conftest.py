"""Fixtures for the v1 client: a FakeBooqable with a demo company, virtual waits."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from booqable_async.clock import Clock
from booqable_async.testing import FakeBooqable
from booqable_async.v1 import BooqableV1Client


async def no_sleep(seconds: float) -> None:
    """Retries and limiter waits return at once."""


@pytest.fixture
def fake() -> FakeBooqable:
    return FakeBooqable.demo(customers=30, orders=40, product_groups=5, raise_server_errors=True)


@pytest.fixture
async def client(fake: FakeBooqable) -> AsyncIterator[BooqableV1Client]:
    async with fake.v1_client(clock=Clock(sleep=no_sleep)) as v1:
        yield v1
