"""Pluggable HTTP transports: the :class:`Transport` protocol and its implementations.

``AiohttpTransport`` is the default; ``HttpxTransport`` needs the ``httpx`` extra;
``MockTransport`` answers from a function for tests. The two real transports load on first
access, so importing this package imports neither aiohttp nor httpx.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from booqable_async.transport._base import (
    BaseTransport,
    Headers,
    HttpRequest,
    HttpResponse,
    Timeout,
    Transport,
)
from booqable_async.transport._mock import MockTransport

if TYPE_CHECKING:
    from booqable_async.transport._aiohttp import AiohttpTransport
    from booqable_async.transport._httpx import HttpxTransport

__all__ = [
    "AiohttpTransport",
    "BaseTransport",
    "Headers",
    "HttpRequest",
    "HttpResponse",
    "HttpxTransport",
    "MockTransport",
    "Timeout",
    "Transport",
]

# Public name -> (module, the optional dependency it needs, the extra that installs it).
_LAZY = {
    "AiohttpTransport": ("booqable_async.transport._aiohttp", "aiohttp", ""),
    "HttpxTransport": ("booqable_async.transport._httpx", "httpx", "httpx"),
}


def __getattr__(name: str) -> Any:
    entry = _LAZY.get(name)
    if entry is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module_name, dependency, extra = entry
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        install = f"pip install 'booqable-async[{extra}]'" if extra else f"pip install {dependency}"
        # ImportError, so ``try: from ... import HttpxTransport / except ImportError`` works.
        raise ImportError(
            f"{name} needs the {dependency} package ({exc.name} could not be imported): {install}",
            name=exc.name,
        ) from exc
    value = getattr(module, name)
    globals()[name] = value  # later lookups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
