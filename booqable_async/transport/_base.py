"""Transport-level value types and the :class:`Transport` protocol.

A transport turns one :class:`HttpRequest` into one :class:`HttpResponse` and nothing else:
no retries, no auth, no JSON. Every failure to get a response is raised as an
:class:`~booqable_async.errors.TransportError` subclass, mapped once, inside the adapter.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from types import TracebackType
from typing import Protocol, TypeVar, runtime_checkable

import attrs

from booqable_async._redact import MASK, SENSITIVE_HEADERS, redact_url
from booqable_async.errors import UsageError

__all__ = ["BaseTransport", "Headers", "HttpRequest", "HttpResponse", "Timeout", "Transport"]

_T = TypeVar("_T", bound="BaseTransport")
# Header fields whose value is a URL (which may carry an api_key query value).
_URL_HEADERS = frozenset({"location", "content-location", "referer"})


class Headers(Mapping[str, str]):
    """Immutable, case-insensitive, multi-valued HTTP headers.

    ``headers["x-request-id"]`` returns the value (several field lines joined with ``", "``,
    as RFC 9110 allows); :meth:`get_list` returns each value separately (``Set-Cookie``).
    Iteration yields each name once, in the spelling first seen. ``repr`` masks secrets.
    """

    __slots__ = ("_index", "_items")
    _items: tuple[tuple[str, str], ...]
    _index: dict[str, list[str]]

    def __init__(
        self, headers: Headers | Mapping[str, str] | Iterable[tuple[str, str]] | None = None
    ) -> None:
        if headers is None:
            items: tuple[tuple[str, str], ...] = ()
        elif isinstance(headers, Headers):
            items = headers._items
        elif isinstance(headers, Mapping):
            items = tuple((str(k), str(v)) for k, v in headers.items())
        else:
            items = tuple((str(k), str(v)) for k, v in headers)
        index: dict[str, list[str]] = {}
        for name, value in items:
            index.setdefault(name.lower(), []).append(value)
        self._items = items
        self._index = index

    def __getitem__(self, name: str) -> str:
        values = self._index[name.lower()]
        return values[0] if len(values) == 1 else ", ".join(values)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._index

    def __iter__(self) -> Iterator[str]:
        seen: set[str] = set()
        for name, _ in self._items:
            key = name.lower()
            if key not in seen:
                seen.add(key)
                yield name

    def __len__(self) -> int:
        return len(self._index)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Headers):
            return self._index == other._index
        if isinstance(other, Mapping):
            return self == Headers(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def get_list(self, name: str) -> list[str]:
        """Return every value of ``name`` (case-insensitive), in order; ``[]`` when absent."""
        return list(self._index.get(name.lower(), ()))

    def raw(self) -> tuple[tuple[str, str], ...]:
        """Return every ``(name, value)`` field line as received, in order."""
        return self._items

    def merged(
        self, other: Headers | Mapping[str, str] | Iterable[tuple[str, str]] | None
    ) -> Headers:
        """Return new headers where every name present in ``other`` replaces ours."""
        extra = Headers(other)
        if not extra:
            return self
        kept = [(k, v) for k, v in self._items if k.lower() not in extra._index]
        return Headers([*kept, *extra._items])

    def redacted(self) -> list[tuple[str, str]]:
        """Return the field lines with secret values (Authorization, cookies...) masked.

        URLs (``Location``, ``Content-Location``, ``Referer``) have secret query values
        masked: a redirect that keeps the query carries the ``api_key`` along.
        """
        return [
            (
                k,
                MASK
                if k.lower() in SENSITIVE_HEADERS
                else redact_url(v)
                if k.lower() in _URL_HEADERS
                else v,
            )
            for k, v in self._items
        ]

    def __repr__(self) -> str:
        return f"Headers({self.redacted()!r})"


def _to_headers(value: Headers | Mapping[str, str] | Iterable[tuple[str, str]] | None) -> Headers:
    return value if isinstance(value, Headers) else Headers(value)


@attrs.frozen
class Timeout:
    """Per-request time limits in seconds; ``None`` means no limit.

    Attributes:
        total: Whole exchange, from connecting to the last body byte.
        connect: Getting a connection (pool wait included) and the TLS handshake.
    """

    total: float | None = 30.0
    connect: float | None = 10.0


@attrs.frozen(repr=False)
class HttpRequest:
    """One HTTP request, ready to send.

    Attributes:
        method: Upper-case HTTP method.
        url: Absolute URL with the query string already rendered.
        headers: Request headers.
        body: Request body bytes, or ``None`` for none.
        timeout: Time limits for this request; ``None`` uses the transport's default.
    """

    method: str
    url: str
    headers: Headers = attrs.field(factory=Headers, converter=_to_headers)
    body: bytes | None = None
    timeout: Timeout | None = None

    def __repr__(self) -> str:
        size = "" if self.body is None else f", body=<{len(self.body)} bytes>"
        return f"HttpRequest({self.method} {redact_url(self.url)}{size})"


@attrs.frozen(repr=False)
class HttpResponse:
    """One HTTP response with its whole body read.

    Attributes:
        status: HTTP status code.
        headers: Response headers (case-insensitive, multi-valued).
        body: The body bytes (``b""`` when empty).
        url: The URL that answered (redacted in ``repr``).
        elapsed: Seconds from sending the request to reading the last body byte.
    """

    status: int
    headers: Headers = attrs.field(factory=Headers, converter=_to_headers)
    body: bytes = b""
    url: str = ""
    elapsed: float = 0.0

    def __repr__(self) -> str:
        return f"HttpResponse({self.status}, {redact_url(self.url)}, <{len(self.body)} bytes>)"


@runtime_checkable
class Transport(Protocol):
    """What the session needs from an HTTP backend: send one request, close, context manager.

    Implementations map every backend exception to an
    :class:`~booqable_async.errors.TransportError` subclass and never retry by themselves.
    """

    async def send(self, request: HttpRequest) -> HttpResponse:
        """Send ``request`` and return the response with its whole body read."""
        ...

    async def aclose(self) -> None:
        """Release connections; a closed transport must not be used again."""
        ...

    async def __aenter__(self) -> Transport: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


class BaseTransport:
    """Convenience base giving transports the async context-manager methods and closing.

    "Closed" means one thing for every transport built on it: :meth:`aclose` may be called
    any number of times, :attr:`closed` turns True, and a later :meth:`send` raises
    :class:`~booqable_async.errors.UsageError` (subclasses call :meth:`_check_open` first).
    """

    _closed = False

    @property
    def closed(self) -> bool:
        """True once :meth:`aclose` ran."""
        return self._closed

    def _check_open(self) -> None:
        """Raise ``UsageError`` when the transport was closed."""
        if self._closed:
            raise UsageError(f"this {type(self).__name__} is closed; create a new transport")

    async def send(self, request: HttpRequest) -> HttpResponse:
        """Send ``request``; subclasses implement this."""
        raise NotImplementedError

    async def aclose(self) -> None:
        """Mark the transport closed; subclasses release their resources too."""
        self._closed = True

    async def __aenter__(self: _T) -> _T:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
