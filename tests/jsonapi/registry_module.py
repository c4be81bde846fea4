"""A module shaped like booqable_async.models: it exposes REGISTRY with lazy entries."""

from __future__ import annotations

from booqable_async.jsonapi import Registry

REGISTRY = Registry(
    {
        "orders": "tests.jsonapi.models:Order",
        "customers": "tests.jsonapi.models:Customer",
    }
)
