"""Fixtures of the webhook tests: payloads, a client on the fake, a real redis-server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import orjson
import pytest

from booqable_async import BooqableClient
from booqable_async.testing import FakeBooqable
from booqable_async.webhooks import WebhookEvent, WebhookReceiver
from tests.redis_server import free_port, running_redis

__all__ = ["free_port", "running_redis"]

SECRET = "test-secret-0123456789abcdefXYZ"


def payload(**overrides: Any) -> dict[str, Any]:
    """A valid version 4 payload about a customer (members overridable)."""
    body: dict[str, Any] = {
        "id": "0f6a4a7e-8a52-4c0b-9d43-6d3f5b1c2e11",
        "created_at": "2025-07-09T09:22:00.952147+00:00",
        "event": "customer.updated",
        "resource_type": "customers",
        "data": {
            "id": "c7a0b2f4-1111-4e5f-9a7b-000000000001",
            "name": "Jane Doe",
            "email": "jane@example.com",
            "created_at": "2025-07-01T10:00:00.000000+00:00",
            "updated_at": "2025-07-09T09:22:00.000000+00:00",
            "tax_region": None,
        },
    }
    body.update(overrides)
    return body


def body(**overrides: Any) -> bytes:
    """A valid version 4 body (see :func:`payload`)."""
    return orjson.dumps(payload(**overrides))


class Recorder:
    """A handler that remembers every event it was given."""

    def __init__(self) -> None:
        self.events: list[WebhookEvent] = []

    async def __call__(self, event: WebhookEvent) -> None:
        self.events.append(event)


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
async def receiver(recorder: Recorder) -> AsyncIterator[WebhookReceiver]:
    async with WebhookReceiver(recorder, secret=SECRET) as rx:
        yield rx


@pytest.fixture
def fake(booqable_fake: FakeBooqable) -> FakeBooqable:
    return booqable_fake


@pytest.fixture
def client(booqable_client: BooqableClient) -> BooqableClient:
    return booqable_client


async def settle(receiver: WebhookReceiver) -> None:
    """Let queued deliveries run."""
    await asyncio.sleep(0)
    await receiver.drain()
