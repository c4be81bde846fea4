"""booqable_async: the asyncio client for Booqable's rental API (v4, JSON:API).

The names a program needs live here; each subpackage (``transport``, ``jsonapi``,
``models``, ``testing``, ``webhooks``...) publishes its own few in its ``__all__``, and
every module whose name starts with an underscore is private (docs/architecture.md).
Importing the package is cheap: the client, models and facades load on first use.

Example::

    from booqable_async import BooqableClient, Query

    async with BooqableClient(company="acme", token="...") as client:
        async for order in client.orders.list(Query().where(status="reserved")):
            print(order.number)
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from booqable_async import errors
from booqable_async._version import __version__

if TYPE_CHECKING:
    # Each lazy name gets its real import here, so mypy sees the type.
    from booqable_async._client import BooqableClient
    from booqable_async.clock import Clock
    from booqable_async.jsonapi import is_loaded
    from booqable_async.models import decode
    from booqable_async.pagination import Page, Paginator, ResumePoint
    from booqable_async.query import Q, Query
    from booqable_async.ratelimit import RateLimiter
    from booqable_async.retry import RetryPolicy
    from booqable_async.transport import Timeout

__all__ = [
    "BooqableClient",
    "Clock",
    "Page",
    "Paginator",
    "Q",
    "Query",
    "RateLimiter",
    "ResumePoint",
    "RetryPolicy",
    "Timeout",
    "__version__",
    "decode",
    "errors",
    "is_loaded",
]

# Public name -> the module that defines or publishes it; imported on first access.
_LAZY = {
    "BooqableClient": "booqable_async._client",
    "Clock": "booqable_async.clock",
    "Page": "booqable_async.pagination",
    "Paginator": "booqable_async.pagination",
    "Q": "booqable_async.query",
    "Query": "booqable_async.query",
    "RateLimiter": "booqable_async.ratelimit",
    "ResumePoint": "booqable_async.pagination",
    "RetryPolicy": "booqable_async.retry",
    "Timeout": "booqable_async.transport",
    "decode": "booqable_async.models",
    "is_loaded": "booqable_async.jsonapi",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
