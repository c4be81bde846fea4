"""End-to-end fixtures: a FakeBooqable served over real HTTP on 127.0.0.1 and a client.

The client is a real ``BooqableClient`` with its default transport (aiohttp, keep-alive),
the same code path as production; only the host differs. Waits are real but short:
backoff is configured small (``FAST_RETRY``), the fake's slow answers are tens of
milliseconds, and rate-limit periods are one second.
"""

from __future__ import annotations

import collections
from collections.abc import AsyncIterator
from typing import Any

import attrs
import pytest

from booqable_async import BooqableClient
from booqable_async.retry import RetryPolicy
from booqable_async.session import Hooks, RequestEvent
from booqable_async.testing import FakeBooqable, ServedFake

#: Retries with real but short waits: 8 attempts, backoff 10 ms doubling to 200 ms.
FAST_RETRY = RetryPolicy(max_attempts=8, backoff_base=0.01, backoff_cap=0.2, max_wait=5.0)

#: Orders in the big company.
ORDERS = 10_000


@attrs.define
class Traffic:
    """What the client's hooks saw: attempts, answers by status, retries by reason."""

    attempts: int = 0
    statuses: collections.Counter[int | None] = attrs.field(factory=collections.Counter)
    retries: int = 0
    errors: list[BaseException] = attrs.field(factory=list)

    def hooks(self) -> Hooks:
        def on_request(event: RequestEvent) -> None:
            self.attempts += 1

        def on_response(event: RequestEvent) -> None:
            self.statuses[event.status] += 1
            if event.error is not None:
                self.errors.append(event.error)

        def on_retry(event: RequestEvent) -> None:
            self.retries += 1

        return Hooks(on_request=on_request, on_response=on_response, on_retry=on_retry)


@pytest.fixture(scope="module")
def big_company() -> FakeBooqable:
    """A company with 10,000 orders (numbers 1..10,000; listed newest first, 10,000 first)."""
    fake = FakeBooqable(seed=8)
    for number in range(1, ORDERS + 1):
        fake.add("orders", number=number)
    return fake


@pytest.fixture
def traffic() -> Traffic:
    return Traffic()


@pytest.fixture
async def serve() -> AsyncIterator[Any]:
    """Serve fakes over HTTP for the test; every server is stopped afterwards."""
    started: list[ServedFake] = []

    async def start(fake: FakeBooqable) -> ServedFake:
        served = await fake.serve().start()
        started.append(served)
        return served

    yield start
    for served in started:
        await served.stop()


def client_for(
    served: ServedFake, traffic: Traffic | None = None, **options: Any
) -> BooqableClient:
    """A client on the served fake with the default (aiohttp) transport."""
    options.setdefault("retry", FAST_RETRY)
    return BooqableClient(
        base_url=served.base_url,
        token=served.fake.token,
        hooks=traffic.hooks() if traffic is not None else None,
        **options,
    )
