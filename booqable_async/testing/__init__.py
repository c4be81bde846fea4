"""A fake Booqable v4 server for tests, demos and the CLI.

``FakeBooqable`` keeps records in memory and answers the v4 API the way Booqable does
(catalog-driven resources, filters, includes, stats, booking actions, errors, rate limits,
auth), with deterministic fault injection. Serve it in-process (``fake.transport()``), as an
aiohttp application (``fake.app()``, ``fake.serve()``) or from the command line
(``python -m booqable_async.testing.server``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

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
from booqable_async.testing._seed import DemoSummary
from booqable_async.testing._transport import FakeTransport

if TYPE_CHECKING:
    from booqable_async.testing._aiohttp import ServedFake

__all__ = [
    "FAULT_KINDS",
    "DemoSummary",
    "FakeBooqable",
    "FakeTransport",
    "Fault",
    "FaultPlan",
    "FaultRule",
    "Outcome",
    "RateLimitConfig",
    "RequestLog",
    "ServedFake",
    "jti_data",
    "parse_fault_spec",
    "parse_rate_limit_spec",
]


def __getattr__(name: str) -> Any:
    # ServedFake needs aiohttp's web server: import it only when asked for.
    if name == "ServedFake":
        from booqable_async.testing._aiohttp import ServedFake

        return ServedFake
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
