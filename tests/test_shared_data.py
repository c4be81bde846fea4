"""Missing ../shared/booqable-api: a visible skip for a developer, a failed run under CI."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.shared_data import SHARED, check_before_run, in_ci, require_shared

pytest_plugins = ["pytester"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [("true", True), ("1", True), ("yes", True), ("", False), ("0", False), ("false", False)],
)
def test_ci_is_any_true_looking_value(value: str, expected: bool) -> None:
    assert in_ci({"CI": value}) is expected
    assert in_ci({}) is False


def test_present_data_is_returned(shared_api: Path) -> None:
    assert require_shared(SHARED, {"CI": "true"}) == SHARED == shared_api
    check_before_run(SHARED, {"CI": "true"})  # nothing to stop


def test_missing_data_skips_with_the_reason_outside_ci(tmp_path: Path) -> None:
    missing = tmp_path / "booqable-api"
    with pytest.raises(pytest.skip.Exception, match="is not present: the tests that compare"):
        require_shared(missing, {})
    check_before_run(missing, {})  # a developer's run goes on


def test_missing_data_fails_under_ci(tmp_path: Path) -> None:
    missing = tmp_path / "booqable-api"
    with pytest.raises(pytest.fail.Exception, match="required under CI"):
        require_shared(missing, {"CI": "true"})
    with pytest.raises(pytest.exit.Exception, match="required under CI") as info:
        check_before_run(missing, {"CI": "true"})
    assert info.value.returncode == 4


def test_a_ci_run_without_the_data_stops_before_any_test(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makeconftest(
        "from pathlib import Path\n"
        "from tests.shared_data import check_before_run\n"
        "def pytest_sessionstart(session):\n"
        "    check_before_run(Path('nowhere'), {'CI': 'true'})\n"
    )
    pytester.makepyfile("def test_anything():\n    assert True\n")
    pytester.syspathinsert(Path(__file__).resolve().parent.parent)
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    assert result.ret == 4
    result.stdout.fnmatch_lines(["*nowhere is not present*required under CI*"])
