"""Shared test configuration."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "booqable-api"


@pytest.fixture(scope="session")
def shared_api() -> Path:
    """Path to ../shared/booqable-api (skips when the reference data is absent)."""
    if not SHARED.is_dir():
        pytest.skip("../shared/booqable-api is not present")
    return SHARED
