from __future__ import annotations

import asyncio
import logging

import pytest

from booqable_async.errors import UsageError
from booqable_async.webhooks import (
    DedupeStore,
    MemoryDedupeStore,
    RedisDedupeStore,
    WebhookReceiver,
)
from tests.webhooks.asgi import call
from tests.webhooks.conftest import SECRET, Recorder, body, free_port, running_redis


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_memory_store_claims_once_and_releases():
    store = MemoryDedupeStore()
    assert isinstance(store, DedupeStore)
    assert await store.claim("a")
    assert not await store.claim("a")
    await store.release("a")
    assert await store.claim("a")
    await store.release("never-claimed")
    assert "1/100000" in repr(store)


async def test_memory_store_is_bounded_in_count_and_time():
    clock = Clock()
    store = MemoryDedupeStore(max_entries=3, ttl=10, clock=clock)
    for key in "abcd":
        assert await store.claim(key)
    assert len(store) == 3
    assert await store.claim("a")  # the oldest was forgotten
    clock.now = 5
    assert not await store.claim("d")
    clock.now = 11
    assert await store.claim("d")  # expired
    assert len(store) == 1


@pytest.mark.parametrize(
    ("options", "message"), [({"max_entries": 0}, "max_entries"), ({"ttl": 0}, "ttl")]
)
def test_memory_store_settings(options, message):
    with pytest.raises(UsageError, match=message):
        MemoryDedupeStore(**options)


async def test_redis_store_shares_claims_between_processes(redis_url):
    first = RedisDedupeStore(redis_url, prefix="t1:")
    second = RedisDedupeStore(redis_url, prefix="t1:")
    try:
        results = await asyncio.gather(*(s.claim("delivery") for s in [first, second] * 5))
        assert results.count(True) == 1
        await first.release("delivery")
        assert await second.claim("delivery")
        assert "ok" in repr(first)
    finally:
        await first.aclose()
        await second.aclose()


async def test_redis_ids_expire(redis_url):
    store = RedisDedupeStore(redis_url, prefix="t2:", ttl=0.05)
    try:
        assert await store.claim("x")
        await asyncio.sleep(0.2)
        assert await store.claim("x")
    finally:
        await store.aclose()


async def test_redis_store_takes_a_client_and_leaves_it_open(redis_url):
    import redis.asyncio

    client = redis.asyncio.from_url(redis_url)
    store = RedisDedupeStore(client, prefix="t3:")
    assert await store.claim("k")
    await store.aclose()
    assert await client.ping()  # still open: not ours to close
    await client.aclose()


async def test_redis_down_falls_back_to_the_local_store(caplog):
    store = RedisDedupeStore(f"redis://127.0.0.1:{free_port()}/0", prefix="t4:")
    try:
        assert await store.claim("a")
        assert not await store.claim("a")  # still de-duplicated, locally
        await store.release("a")
        assert await store.claim("a")
        assert "degraded" in repr(store)
        warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
        assert len(warnings) == 1  # once per outage
    finally:
        await store.aclose()


async def test_redis_outage_and_recovery(tmp_path, caplog):
    port = free_port()
    store = RedisDedupeStore(f"redis://127.0.0.1:{port}/0", prefix="t5:")
    try:
        assert await store.claim("before")  # Redis not there yet: the local store
        with running_redis(port, tmp_path):
            assert await store.claim("z")
            assert not await store.claim("z")
            assert "answers again" in caplog.text
            assert "ok" in repr(store)
    finally:
        await store.aclose()


async def test_receiver_with_redis_store(redis_url):
    recorder = Recorder()
    store = RedisDedupeStore(redis_url, prefix="t6:")
    async with (
        WebhookReceiver(recorder, secret=SECRET, dedupe=store) as one,
        WebhookReceiver(recorder, secret=SECRET, dedupe=store) as two,
    ):
        statuses = [(await call(rx, chunks=[body()])).json["status"] for rx in (one, two)]
        await one.drain()
        await two.drain()
    await store.aclose()
    assert statuses == ["accepted", "duplicate"]
    assert len(recorder.events) == 1


def test_redis_store_settings():
    with pytest.raises(UsageError, match="ttl"):
        RedisDedupeStore("redis://127.0.0.1:1/0", ttl=0)
