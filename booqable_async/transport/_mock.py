"""MockTransport: answer requests from a function, in process, and record them."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable

from booqable_async.transport._base import BaseTransport, HttpRequest, HttpResponse

__all__ = ["Handler", "MockTransport"]

#: A sync or async function from request to response (it may raise TransportError).
Handler = Callable[[HttpRequest], HttpResponse | Awaitable[HttpResponse]]


class MockTransport(BaseTransport):
    """A transport whose responses come from ``handler``; for tests and simulations.

    Args:
        handler: Called with each :class:`HttpRequest`; returns an :class:`HttpResponse`
            (or an awaitable of one). Raising a ``TransportError`` simulates a network failure.

    Attributes:
        requests: Every request sent, in order.
        closed: True once :meth:`aclose` ran; sending then raises ``UsageError``, as every
            transport does.
    """

    def __init__(self, handler: Handler) -> None:
        self._handler = handler
        self.requests: list[HttpRequest] = []

    async def send(self, request: HttpRequest) -> HttpResponse:
        """Record ``request`` and return the handler's response.

        Raises:
            UsageError: The transport is closed.
        """
        self._check_open()
        self.requests.append(request)
        result = self._handler(request)
        if inspect.isawaitable(result):
            result = await result
        return result
