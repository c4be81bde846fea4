"""Where the tests find ../shared/booqable-api, and what happens when it is missing.

The reference data (the API catalog, Booqable's documented examples, the recorded
exchanges) lives beside the repository, not in it. A test that needs it asks for the
``shared_api`` fixture. When it is missing, a developer's run skips those tests with the
reason shown (``-ra``); a CI run (``CI`` set, as every CI service does) fails instead,
before any test runs, so a broken checkout can never pass by skipping.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "booqable-api"

#: The one test id a data-driven test gets when the data is absent: the test asks for the
#: ``shared_api`` fixture, which skips it with the reason (or fails it under CI), instead
#: of pytest's silent "empty parameter set".
PLACEHOLDER = "<../shared/booqable-api absent>"

_FALSE = frozenset({"", "0", "false", "no", "off"})


def in_ci(environ: Mapping[str, str] = os.environ) -> bool:
    """True when the ``CI`` environment variable is set to anything but a false value."""
    return environ.get("CI", "").strip().lower() not in _FALSE


def missing_reason(path: Path) -> str:
    """Say what is missing and how to get it."""
    return (
        f"{path} is not present: the tests that compare against Booqable's catalog, "
        "documented examples and recorded exchanges need ../shared/booqable-api beside "
        "the repository"
    )


def require_shared(path: Path = SHARED, environ: Mapping[str, str] = os.environ) -> Path:
    """Return ``path`` when it is a directory; else fail (under CI) or skip the test.

    Raises:
        pytest.fail.Exception: Missing under CI.
        pytest.skip.Exception: Missing elsewhere (the reason is shown with ``-ra``).
    """
    if path.is_dir():
        return path
    if in_ci(environ):
        pytest.fail(f"{missing_reason(path)} (required under CI)", pytrace=False)
    pytest.skip(missing_reason(path))


def check_before_run(path: Path = SHARED, environ: Mapping[str, str] = os.environ) -> None:
    """Stop a CI run before any test when ``path`` is missing; do nothing elsewhere.

    Raises:
        pytest.exit.Exception: Missing under CI (exit status 4, a usage error).
    """
    if in_ci(environ) and not path.is_dir():
        pytest.exit(f"{missing_reason(path)} (required under CI)", returncode=4)
