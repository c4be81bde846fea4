"""Pytest plugin: fixtures for testing code that talks to Booqable, against FakeBooqable.

Opt-in, so installing the package changes no other test suite: enable it in your
top-level ``conftest.py`` with ``pytest_plugins = ["booqable_async.testing.pytest_plugin"]``
or per run with ``pytest -p booqable_async.testing.pytest_plugin`` (docs/testing.md).

Fixtures:
    booqable_fake: a fresh :class:`~booqable_async.testing.FakeBooqable` per test. Pass
        constructor arguments with ``@pytest.mark.booqable_fake(seed=1, rate_limit="50/60")``;
        ``demo=True`` (or ``orders=N``...) also seeds the demo company.
    booqable_client: a :class:`~booqable_async.BooqableClient` talking to ``booqable_fake``
        in process (no sockets); client arguments with ``@pytest.mark.booqable_client(...)``.
"""

from __future__ import annotations

from collections.abc import Coroutine, Iterator
from typing import TYPE_CHECKING, Any

import pytest

from booqable_async._client import BooqableClient
from booqable_async.testing._fake import FakeBooqable

if TYPE_CHECKING:
    from booqable_async.testing._transport import FakeTransport

__all__ = ["booqable_client", "booqable_fake"]

_DEMO_KEYS = ("orders", "customers", "product_groups")


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``booqable_fake`` and ``booqable_client`` markers."""
    config.addinivalue_line(
        "markers",
        "booqable_fake(**kwargs): arguments for the booqable_fake fixture's FakeBooqable "
        "(demo=True or orders=/customers=/product_groups= seed the demo company)",
    )
    config.addinivalue_line(
        "markers",
        "booqable_client(**kwargs): arguments for the booqable_client fixture's BooqableClient "
        "(max_concurrency=, retry=, rate_limit=, timeout=, hooks=...)",
    )


@pytest.fixture
def booqable_fake(request: pytest.FixtureRequest) -> FakeBooqable:
    """A fresh FakeBooqable for one test (configure it with the ``booqable_fake`` marker)."""
    marker = request.node.get_closest_marker("booqable_fake")
    kwargs: dict[str, Any] = dict(marker.kwargs) if marker is not None else {}
    demo = bool(kwargs.pop("demo", False))
    sizes = {k: kwargs.pop(k) for k in _DEMO_KEYS if k in kwargs}
    fake = FakeBooqable(**kwargs)
    if demo or sizes:
        fake.seed_demo(**sizes)
    return fake


@pytest.fixture
def booqable_client(
    request: pytest.FixtureRequest, booqable_fake: FakeBooqable
) -> Iterator[BooqableClient]:
    """A BooqableClient wired to ``booqable_fake`` through its in-process transport.

    No socket is opened: requests go straight to the fake. The client only borrows the
    transport, so it holds nothing tied to an event loop: use it from any async test
    (pytest-asyncio, anyio) or through ``asyncio.run`` in a plain one. It is closed after
    the test. Pass client arguments with ``@pytest.mark.booqable_client(max_concurrency=2,
    retry=RetryPolicy.never())``.
    """
    marker = request.node.get_closest_marker("booqable_client")
    kwargs: dict[str, Any] = dict(marker.kwargs) if marker is not None else {}
    transport = booqable_fake.transport()
    client = BooqableClient(
        base_url=booqable_fake.base_url,
        token=booqable_fake.token,
        transport=transport,
        **kwargs,
    )
    yield client
    _finish(_close(client, transport))


async def _close(client: BooqableClient, transport: FakeTransport) -> None:
    await client.aclose()
    await transport.aclose()


def _finish(coro: Coroutine[Any, Any, None]) -> None:
    # Closing a client over a borrowed in-process transport only flips flags: it never
    # waits. Stepping the coroutine directly keeps the teardown independent of whichever
    # event loop (pytest-asyncio's, anyio's, none) the test ran in.
    try:
        coro.send(None)
    except StopIteration:
        return
    coro.close()
    raise RuntimeError("closing the booqable_client fixture's client unexpectedly had to wait")
