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
    from booqable_async.client import BooqableClient
    from booqable_async.jsonapi import NOT_LOADED
    from booqable_async.query import Query
    from booqable_async.retry import RetryPolicy

__all__ = ["NOT_LOADED", "BooqableClient", "Query", "RetryPolicy", "__version__", "errors"]

# Public name -> module that defines it; imported on first attribute access.
_LAZY = {
    "BooqableClient": "booqable_async.client",
    "NOT_LOADED": "booqable_async.jsonapi",
    "Query": "booqable_async.query",
    "RetryPolicy": "booqable_async.retry",
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
