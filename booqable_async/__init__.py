"""booqable_async: the asyncio client for Booqable's rental API (v4, JSON:API).

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
    # Each lazy name gets its real import here as its module lands, so mypy sees the type.
    from booqable_async._client import BooqableClient
    from booqable_async.jsonapi import is_loaded
    from booqable_async.models import decode
    from booqable_async.query import Query
    from booqable_async.retry import RetryPolicy

__all__ = [
    "BooqableClient",
    "Query",
    "RetryPolicy",
    "__version__",
    "decode",
    "errors",
    "is_loaded",
]

# Public name -> module that defines it; imported on first attribute access.
_LAZY = {
    "BooqableClient": "booqable_async._client",
    "Query": "booqable_async.query",
    "RetryPolicy": "booqable_async.retry",
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
