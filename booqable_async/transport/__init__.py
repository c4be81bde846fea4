"""Pluggable HTTP transports: the :class:`Transport` protocol and its implementations.

``AiohttpTransport`` is the default; ``HttpxTransport`` needs the ``httpx`` extra;
``MockTransport`` answers from a function for tests.
"""

from __future__ import annotations

from booqable_async.transport._base import (
    BaseTransport,
    Headers,
    HttpRequest,
    HttpResponse,
    Timeout,
    Transport,
)
from booqable_async.transport.mock import MockTransport

__all__ = [
    "BaseTransport",
    "Headers",
    "HttpRequest",
    "HttpResponse",
    "MockTransport",
    "Timeout",
    "Transport",
]
