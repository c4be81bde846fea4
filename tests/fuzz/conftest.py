"""Settings shared by the fuzz tests."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, settings

# Examples per test come from the loaded profile (100 by default; HYPOTHESIS_PROFILE=fuzz,
# see tests/conftest.py, explores 5,000 with fresh randomness). The deadline is generous:
# not a performance assertion (inputs are a few hundred bytes and take about a
# millisecond), a hang guard that catches a super-linear blowup (a backtracking regex, a
# loop that never ends) on any one input.
FUZZ = settings(
    deadline=timedelta(seconds=5),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
