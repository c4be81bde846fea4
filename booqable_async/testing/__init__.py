"""A fake Booqable v4 server for tests, demos and the CLI.

``FakeBooqable`` keeps records in memory and answers the v4 API the way Booqable does
(catalog-driven resources, filters, includes, stats, booking actions, errors, rate limits,
auth), with deterministic fault injection. Serve it in-process (``fake.transport()``), as an
aiohttp application (``fake.app()``, ``fake.serve()``) or from the command line
(``python -m booqable_async.testing.server``).
"""

from __future__ import annotations

from booqable_async.testing._auth import jti_data
from booqable_async.testing._fake import FakeBooqable, Outcome, RequestLog
from booqable_async.testing._faults import (
    FAULT_KINDS,
    Fault,
    FaultPlan,
    FaultRule,
    parse_fault_spec,
)
from booqable_async.testing._ratelimit import RateLimitConfig, parse_rate_limit_spec
from booqable_async.testing._transport import FakeTransport

__all__ = [
    "FAULT_KINDS",
    "FakeBooqable",
    "FakeTransport",
    "Fault",
    "FaultPlan",
    "FaultRule",
    "Outcome",
    "RateLimitConfig",
    "RequestLog",
    "jti_data",
    "parse_fault_spec",
    "parse_rate_limit_spec",
]
