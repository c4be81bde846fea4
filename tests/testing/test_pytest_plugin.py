"""The opt-in pytest plugin ``booqable_async.testing.pytest_plugin``."""

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


_USES_FIXTURE = """
def test_uses_fixture(booqable_fake):
    booqable_fake.add("customers", name="Jane")
    assert booqable_fake.count("customers") == 1
"""


def test_plugin_is_not_loaded_unless_asked_for(pytester: pytest.Pytester) -> None:
    # Installing the package must not change other projects' test runs.
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile(_USES_FIXTURE)
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*fixture 'booqable_fake' not found*"])


def test_plugin_loads_with_dash_p(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile(_USES_FIXTURE)
    result = pytester.runpytest_inprocess(
        "-p", "no:cacheprovider", "-p", "booqable_async.testing.pytest_plugin"
    )
    result.assert_outcomes(passed=1)


def test_plugin_loads_through_pytest_plugins(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makeconftest('pytest_plugins = ["booqable_async.testing.pytest_plugin"]\n')
    pytester.makepyfile(_USES_FIXTURE)
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
