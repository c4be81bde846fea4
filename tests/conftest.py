"""Shared test configuration."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from tests.leaks import find_leaks, masked
from tests.redis_server import free_port, redis_binary, running_redis
from tests.shared_data import SHARED, check_before_run, require_shared

# The fixtures users get from the opt-in plugin (docs/testing.md); this suite opts in
# the same way, so it also proves the documented line works.
pytest_plugins = ["booqable_async.testing.pytest_plugin"]

# Shared, noisy CI machines: no per-example deadline, and a fixed seed by default so a run is
# reproducible. `HYPOTHESIS_PROFILE=fuzz` explores with fresh randomness and more examples.
settings.register_profile(
    "default", deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "fuzz", deadline=None, max_examples=5_000, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

__all__ = ["SHARED"]


def pytest_sessionstart(session: pytest.Session) -> None:
    """Under CI, stop before any test when ../shared/booqable-api is missing."""
    check_before_run()


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real redis-server on 127.0.0.1 (free port, temp dir), for the whole session."""
    redis_binary()
    with running_redis(free_port(), tmp_path_factory.mktemp("redis")) as url:
        yield url


@pytest.fixture(scope="session")
def shared_api() -> Path:
    """Path to ../shared/booqable-api: missing, it skips the test (fails it under CI)."""
    return require_shared()


class LeakGuard(logging.Handler):
    """Captures every log record of a test, formatted, to check it for secrets.

    Records are formatted when emitted (their arguments may change later), with the
    traceback of ``logger.exception`` calls, so a secret in an exception message counts.
    """

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.lines: list[str] = []
        self.secrets: set[str] = set()

    def register(self, *secrets: str) -> None:
        """Also fail the test when one of ``secrets`` appears in a log line."""
        self.secrets.update(secrets)

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))

    def leaks(self) -> list[tuple[str, list[str]]]:
        """Every captured line that holds a secret, with the secrets found."""
        found = ((line, find_leaks(line, self.secrets)) for line in self.lines)
        return [(line, leaks) for line, leaks in found if leaks]


@pytest.fixture(autouse=True)
def leak_guard() -> Iterator[LeakGuard]:
    """Log at DEBUG through every test and fail the test if a log line holds a secret.

    The library's loggers (``booqable_async.*``) are set to DEBUG, so every attempt,
    retry decision and hook failure is logged and checked; the handler sits on the root
    logger, so loggers passed with ``logger=`` are checked at whatever level they log.
    Secrets are the ones in ``tests/leaks.py`` plus any registered with
    ``leak_guard.register(...)``.
    """
    guard = LeakGuard()
    library = logging.getLogger("booqable_async")
    root = logging.getLogger()
    previous = library.level
    library.setLevel(logging.DEBUG)
    root.addHandler(guard)
    try:
        yield guard
    finally:
        root.removeHandler(guard)
        library.setLevel(previous)
    leaked = guard.leaks()
    if leaked:
        shown = "\n".join(f"  {masked(line, leaks)[:300]}" for line, leaks in leaked[:5])
        pytest.fail(f"{len(leaked)} log line(s) hold a secret:\n{shown}", pytrace=False)
