"""Fixtures of the webhook tests: payloads, a client on the fake, a real redis-server."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from booqable_async import BooqableClient
from booqable_async.testing import FakeBooqable
from booqable_async.webhooks import WebhookEvent, WebhookReceiver

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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def redis_binary() -> str:
    """The redis-server binary; skips without it, except under CI (``CI`` set), where it fails.

    ``.ci/run`` installs it (Debian package ``redis-server``).
    """
    binary = shutil.which("redis-server")
    if binary is None:
        message = "redis-server is not installed (apt-get install redis-server)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return binary


@contextlib.contextmanager
def running_redis(port: int, workdir: Path) -> Iterator[str]:
    """Run redis-server on 127.0.0.1:``port`` (no persistence) until the block ends."""
    process = subprocess.Popen(
        [
            redis_binary(),
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--dir",
            str(workdir),
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "no",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"redis-server did not start (exit code {process.poll()})")
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:  # pragma: no cover - a stuck server
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real redis-server on 127.0.0.1 (free port, temp dir), for the whole session."""
    redis_binary()
    with running_redis(free_port(), tmp_path_factory.mktemp("redis")) as url:
        yield url


async def settle(receiver: WebhookReceiver) -> None:
    """Let queued deliveries run."""
    await asyncio.sleep(0)
    await receiver.drain()
