"""The pytest plugin registered as the ``booqable_async`` pytest11 entry point."""

from __future__ import annotations

import pytest

from booqable_async.testing import FakeBooqable

pytest_plugins = ["pytester"]


def test_fixture_gives_a_fresh_fake(booqable_fake: FakeBooqable) -> None:
    assert isinstance(booqable_fake, FakeBooqable)
    assert booqable_fake.count("orders") == 0


@pytest.mark.booqable_fake(seed=3, orders=10, customers=4, product_groups=2, rate_limit="50/60")
def test_marker_passes_arguments(booqable_fake: FakeBooqable) -> None:
    assert booqable_fake.seed == 3
    assert booqable_fake.count("orders") == 10
    assert booqable_fake.rate_limit.limit == 50


@pytest.mark.booqable_fake(demo=True)
def test_marker_demo_flag(booqable_fake: FakeBooqable) -> None:
    assert booqable_fake.count("orders") == 2000


def test_plugin_loads_through_its_entry_point(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile(
        """
        def test_uses_fixture(booqable_fake):
            booqable_fake.add("customers", name="Jane")
            assert booqable_fake.count("customers") == 1
        """
    )
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
