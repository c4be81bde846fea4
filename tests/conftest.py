"""Shared test configuration."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# Shared, noisy CI machines: no per-example deadline, and a fixed seed by default so a run is
# reproducible. `HYPOTHESIS_PROFILE=fuzz` explores with fresh randomness and more examples.
settings.register_profile(
    "default", deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "fuzz", deadline=None, max_examples=5_000, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "booqable-api"


@pytest.fixture(scope="session")
def shared_api() -> Path:
    """Path to ../shared/booqable-api (skips when the reference data is absent)."""
    if not SHARED.is_dir():
        pytest.skip("../shared/booqable-api is not present")
    return SHARED
