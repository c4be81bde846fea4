"""Pytest plugin: fixtures for testing code that talks to Booqable, against FakeBooqable.

Registered as the ``pytest11`` entry point ``booqable_async``, so installing the package
makes the fixtures available in any test suite.

Fixtures:
    booqable_fake: a fresh :class:`~booqable_async.testing.FakeBooqable` per test. Pass
        constructor arguments with ``@pytest.mark.booqable_fake(seed=1, rate_limit="50/60")``;
        ``demo=True`` (or ``orders=N``...) also seeds the demo company.
"""

from __future__ import annotations

from typing import Any

import pytest

from booqable_async.testing._fake import FakeBooqable

__all__ = ["booqable_fake"]

_DEMO_KEYS = ("orders", "customers", "product_groups")


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``booqable_fake`` marker."""
    config.addinivalue_line(
        "markers",
        "booqable_fake(**kwargs): arguments for the booqable_fake fixture's FakeBooqable "
        "(demo=True or orders=/customers=/product_groups= seed the demo company)",
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


# ---------------------------------------------------------------------------------------
# TODO(booqable_client): the `booqable_client` fixture (a BooqableClient wired to
# `booqable_fake` through `booqable_fake.transport()`, closed after the test) belongs here.
# It needs BooqableClient, which lands in a later phase (issue 7 §1); it is deliberately not
# stubbed.
# ---------------------------------------------------------------------------------------
