"""Hooks: observe every attempt of every request (metrics, tracing, audit logs).

Three hook points, each a list of callables taking one :class:`RequestEvent` (sync or
async): ``on_request`` just before an attempt is sent, ``on_response`` when it got an
answer or failed without one, ``on_retry`` before the wait that precedes a retry. Events
carry the templated path (``/api/4/orders/{id}``, never raw ids) so metrics stay
low-cardinality, and never a header value, a token or a body.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Literal

import attrs

from booqable_async.errors import UsageError
from booqable_async.protocol import RateLimit

__all__ = ["Hook", "Hooks", "RequestEvent"]


@attrs.frozen
class RequestEvent:
    """What a hook is told about one attempt.

    Attributes:
        kind: ``"request"``, ``"response"`` or ``"retry"``.
        method: HTTP method.
        path: Templated path, e.g. ``/api/4/orders/{id}``.
        attempt: 1-based attempt number.
        status: HTTP status of the answer (``None`` before sending or without an answer).
        elapsed: Seconds the attempt took (``0.0`` for ``request`` events).
        rate_limit: The rate-limit snapshot of the answer, when it had one.
        request_id: ``X-Request-Id`` of the answer, when present.
        error: The exception the attempt ended with, if any.
        wait: Seconds until the next attempt (``retry`` events only).
        reason: Why the attempt is retried (``retry`` events only).
    """

    kind: Literal["request", "response", "retry"]
    method: str
    path: str
    attempt: int
    status: int | None = None
    elapsed: float = 0.0
    rate_limit: RateLimit | None = None
    request_id: str | None = None
    error: BaseException | None = attrs.field(default=None, eq=False)
    wait: float | None = None
    reason: str | None = None


#: A hook: called with each event; may be a plain function or a coroutine function.
Hook = Callable[[RequestEvent], Awaitable[None] | None]


def _hook_tuple(name: str, value: object) -> tuple[Hook, ...]:
    if value is None:
        return ()
    items: Sequence[object] = (
        value if isinstance(value, Sequence) and not isinstance(value, str) else (value,)
    )
    hooks: list[Hook] = []
    for item in items:
        if not callable(item):
            raise UsageError(f"hooks {name!r} must be callables taking a RequestEvent")
        hooks.append(item)
    return tuple(hooks)


def _on_request(value: object) -> tuple[Hook, ...]:
    return _hook_tuple("on_request", value)


def _on_response(value: object) -> tuple[Hook, ...]:
    return _hook_tuple("on_response", value)


def _on_retry(value: object) -> tuple[Hook, ...]:
    return _hook_tuple("on_retry", value)


@attrs.frozen
class Hooks:
    """The hooks of one session; immutable.

    Args:
        on_request: Called before each attempt is sent.
        on_response: Called after each attempt got an answer or failed without one.
        on_retry: Called before waiting to retry a failed attempt.
    """

    on_request: tuple[Hook, ...] = attrs.field(default=(), converter=_on_request)
    on_response: tuple[Hook, ...] = attrs.field(default=(), converter=_on_response)
    on_retry: tuple[Hook, ...] = attrs.field(default=(), converter=_on_retry)

    @classmethod
    def coerce(cls, value: Hooks | Mapping[str, object] | None) -> Hooks:
        """Accept a :class:`Hooks`, a mapping of hook point to callable(s), or ``None``.

        Raises:
            UsageError: An unknown hook point or a value that is not callable.
        """
        if value is None:
            return cls()
        if isinstance(value, Hooks):
            return value
        if not isinstance(value, Mapping):
            raise UsageError("hooks must be a Hooks or a mapping like {'on_response': [callback]}")
        unknown = sorted(set(value) - {"on_request", "on_response", "on_retry"})
        if unknown:
            raise UsageError(
                f"unknown hook point(s) {', '.join(map(repr, unknown))}; "
                "use on_request, on_response or on_retry"
            )
        return cls(**value)


async def fire(hooks: tuple[Hook, ...], event: RequestEvent, logger: logging.Logger) -> None:
    """Call each hook with ``event``; a failing hook is logged and never breaks the request.

    Hooks observe; they cannot change the outcome of a request (an exception from a
    metrics callback must not lose the answer to a write that already happened).
    """
    for hook in hooks:
        try:
            result = hook(event)
            if inspect.isawaitable(result):
                await result
        except Exception:
            logger.exception(
                "%s hook %r failed for %s %s", event.kind, hook, event.method, event.path
            )
