"""The session layer: one request pipeline with auth, limits, retries, hooks and logging.

Facades and the paginator call :meth:`Session.request`; see :mod:`booqable_async.auth`,
:mod:`booqable_async.retry` and :mod:`booqable_async.ratelimit` for the policies it runs.
"""

from __future__ import annotations

from booqable_async.session._client import SessionClient
from booqable_async.session._core import ApiResponse, Session
from booqable_async.session._hooks import Hook, Hooks, RequestEvent
from booqable_async.session._settings import (
    ENV_API_KEY,
    ENV_BASE_URL,
    ENV_COMPANY,
    CallOptions,
    SessionOptions,
    SessionSettings,
)

__all__ = [
    "ENV_API_KEY",
    "ENV_BASE_URL",
    "ENV_COMPANY",
    "ApiResponse",
    "CallOptions",
    "Hook",
    "Hooks",
    "RequestEvent",
    "Session",
    "SessionClient",
    "SessionOptions",
    "SessionSettings",
]
