"""PooledTransport: the lifecycle and ``send`` skeleton the real transports share.

A subclass wraps one backend "native" object (an aiohttp ``ClientSession``, an httpx
``AsyncClient``) and supplies only what differs: how to create, check and close the
native, how to run one exchange, and how to map the backend's exceptions.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Iterable, Sequence
from typing import ClassVar, Generic, TypeVar

import attrs

from booqable_async.errors import BooqableError, UsageError
from booqable_async.transport._base import BaseTransport, HttpRequest, HttpResponse, Timeout
from booqable_async.transport._common import (
    Progress,
    check_options,
    check_request,
    decode_raw_headers,
    resolve_timeout,
)

__all__ = ["POOL_DEFAULTS", "Exchange", "PoolOptions", "PooledTransport"]

N = TypeVar("N")

#: What one exchange returns: status, raw header lines, body, final URL.
Exchange = tuple[int, Iterable[tuple[bytes, bytes]], bytes, str]


@attrs.frozen
class PoolOptions:
    """The options that configure an owned native's connection pool, as one value.

    Both transports take their constructor defaults from :data:`POOL_DEFAULTS`, and a
    borrowed native is refused when any option differs from it: one definition, so the
    "did the caller change an option" check cannot drift from the signatures.
    """

    limit: int = 100
    keepalive_timeout: float = 15.0
    verify: bool | ssl.SSLContext = True
    trust_env: bool = False


#: The pool options a transport uses unless told otherwise.
POOL_DEFAULTS = PoolOptions()


class PooledTransport(BaseTransport, Generic[N]):
    """Base of the real transports: owned or borrowed native, closing, the send skeleton.

    Subclasses set the class attributes and implement the ``_native_*``, ``_exchange`` and
    ``_map_error`` hooks.
    """

    #: The keyword that lends a native ("session", "client").
    native_keyword: ClassVar[str]
    #: Its type's public name, for messages ("aiohttp.ClientSession").
    native_name: ClassVar[str]
    #: Every option that configures an owned native (forbidden with a borrowed one).
    pool_options: ClassVar[Sequence[str]]

    def __init__(
        self,
        native: N | None,
        pool: PoolOptions,
        *,
        timeout: Timeout,
        max_body_size: int,
        extra_pool_options_set: bool,
    ) -> None:
        check_options(
            limit=pool.limit,
            keepalive_timeout=pool.keepalive_timeout,
            verify=pool.verify,
            timeout=timeout,
            max_body_size=max_body_size,
        )
        if native is not None and (pool != POOL_DEFAULTS or extra_pool_options_set):
            raise UsageError(
                f"{', '.join(self.pool_options)} configure the {self.native_keyword} this"
                f" transport creates; with {self.native_keyword}= configure them on your"
                f" {self.native_name} instead"
            )
        self._native = native
        self._owns_native = native is None
        self._pool = pool
        self._timeout = timeout
        self._max_body_size = max_body_size

    def __repr__(self) -> str:
        owner = "owned" if self._owns_native else "borrowed"
        state = "closed" if self._closed else "open"
        limit = self._pool.limit
        return f"<{type(self).__name__} {owner} {self.native_keyword}, {state}, limit={limit}>"

    async def send(self, request: HttpRequest) -> HttpResponse:
        """Send ``request`` and return the response with its whole body read.

        Args:
            request: The request; ``request.timeout`` overrides the default time limits.

        Returns:
            The response, whatever its status (3xx included: redirects are not followed).

        Raises:
            TransportError: The kind says what failed and whether the request was sent.
            UsageError: The transport is closed or the request is malformed.
        """
        native = self._native_for_send()
        check_request(request)
        timeout = resolve_timeout(request, self._timeout)
        # The phase is only knowable through hooks of ours, which only an owned native has.
        progress = Progress(known=self._owns_native)
        started = time.perf_counter()
        try:
            status, raw_headers, body, url = await self._exchange(
                native, request, timeout, progress
            )
        except BooqableError:
            raise
        except Exception as exc:
            raise self._map_error(exc, request, progress) from exc
        return HttpResponse(
            status=status,
            headers=decode_raw_headers(raw_headers),
            body=body,
            url=url,
            elapsed=time.perf_counter() - started,
        )

    async def aclose(self) -> None:
        """Close the native if this transport created it; a borrowed one stays open.

        Calling it again is harmless; :meth:`send` raises ``UsageError`` afterwards.
        """
        if self._closed:
            return
        self._closed = True
        if self._owns_native and self._native is not None:
            await self._close_native(self._native)

    def _native_for_send(self) -> N:
        self._check_open()
        native = self._native
        if native is None:
            # Created here, not in __init__: natives bind to the running event loop.
            native = self._native = self._new_native()
        elif self._owns_native:
            self._check_owned_native(native)
        elif self._native_is_closed(native):
            raise UsageError(f"the {self.native_name} lent to this transport is closed")
        return native

    # Hooks ------------------------------------------------------------------------------

    def _new_native(self) -> N:
        """Create the owned native (called on the first send, inside the event loop)."""
        raise NotImplementedError

    def _check_owned_native(self, native: N) -> None:
        """Raise ``UsageError`` when the owned native cannot serve this send (default: ok)."""

    def _native_is_closed(self, native: N) -> bool:
        """Whether a borrowed native was closed by its owner."""
        raise NotImplementedError

    async def _close_native(self, native: N) -> None:
        """Close the owned native."""
        raise NotImplementedError

    async def _exchange(
        self, native: N, request: HttpRequest, timeout: Timeout, progress: Progress
    ) -> Exchange:
        """Send ``request`` and read the whole body (capped); set ``progress.started``."""
        raise NotImplementedError

    def _map_error(self, exc: Exception, request: HttpRequest, progress: Progress) -> BooqableError:
        """Map one backend exception to the library's error."""
        raise NotImplementedError
