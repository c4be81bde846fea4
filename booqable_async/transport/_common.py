"""Pieces both real transports share: option checks, request checks, the body cap, headers.

Nothing here imports an HTTP library, so ``AiohttpTransport`` and ``HttpxTransport`` behave
the same where the behaviour does not depend on the backend.
"""

from __future__ import annotations

import re
import ssl
from collections.abc import Iterable
from urllib.parse import quote, urlsplit

import attrs

from booqable_async._redact import redact_text, redact_url
from booqable_async._validation import (
    check_header_fields,
    check_method,
    require_int,
    require_number,
)
from booqable_async.errors import ResponseTooLarge, UsageError
from booqable_async.transport._base import Headers, HttpRequest, Timeout

__all__ = [
    "DEFAULT_MAX_BODY_SIZE",
    "DEFAULT_TIMEOUT",
    "BodyCollector",
    "Progress",
    "check_options",
    "check_request",
    "check_timeout",
    "decode_raw_headers",
    "encode_url",
    "resolve_timeout",
    "safe_reason",
]

#: Time limits of a request that carries none of its own.
DEFAULT_TIMEOUT = Timeout()
#: Default cap on one response body: 64 MiB (a page of 100 fat orders is well under 1 MiB).
DEFAULT_MAX_BODY_SIZE = 64 * 1024 * 1024

# Characters that may appear literally in a URL (RFC 3986 unreserved + reserved, and "%"
# of existing escapes); anything else gets percent-encoded.
_URL_SAFE = "!#$%&'()*+,-./:;=?@[]_~"
_NEEDS_QUOTING = re.compile(r"[^A-Za-z0-9!#$%&'()*+,\-./:;=?@\[\]_~]")
_URL_IN_TEXT = re.compile(r"https?://[^\s'\"<>)]+")

# Statuses and methods whose responses never carry a body, whatever Content-Length says
# (RFC 9110 §6.4.1): the body cap must not reject them for a large declared length.
_NO_BODY_STATUSES = frozenset({204, 304})


def check_options(
    *,
    limit: int,
    keepalive_timeout: float,
    verify: bool | ssl.SSLContext,
    timeout: Timeout,
    max_body_size: int,
) -> None:
    """Validate constructor options shared by the real transports.

    Raises:
        UsageError: An option has the wrong type or an impossible value.
    """
    require_int(limit, "limit", minimum=0, note=" (0 means no limit)")
    require_number(keepalive_timeout, "keepalive_timeout", inclusive=False, unit="of seconds ")
    if not isinstance(verify, (bool, ssl.SSLContext)):
        raise UsageError(
            "verify must be True (verify certificates), False (do not) or an ssl.SSLContext,"
            f" not {type(verify).__name__}"
        )
    if not isinstance(timeout, Timeout):
        raise UsageError(
            f"timeout must be a booqable_async.transport.Timeout, not {type(timeout).__name__}"
        )
    check_timeout(timeout)
    require_int(max_body_size, "max_body_size", minimum=1, note=" (bytes)")


def check_timeout(timeout: Timeout) -> None:
    """Reject a :class:`Timeout` whose limits are not ``None`` or positive numbers.

    Raises:
        UsageError: ``total`` or ``connect`` is zero, negative or not a number.
    """
    for name in ("total", "connect"):
        value = getattr(timeout, name)
        if value is not None:
            require_number(value, f"Timeout.{name}", inclusive=False, unit="of seconds ")


def resolve_timeout(request: HttpRequest, default: Timeout) -> Timeout:
    """Return the request's own time limits, validated, else the transport's default."""
    if request.timeout is None:
        return default
    check_timeout(request.timeout)
    return request.timeout


def check_request(request: HttpRequest) -> None:
    """Reject a request no HTTP server could receive as intended, before any I/O.

    Raises:
        UsageError: The URL is not absolute ``http``/``https`` with a host, or a header name
            or value is malformed (a line break in a value would inject header lines).
    """
    try:
        parts = urlsplit(request.url)
    except ValueError as exc:
        raise UsageError(f"invalid URL for {request.method}: {redact_url(request.url)}") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(
            "the URL must be absolute http:// or https:// with a host,"
            f" got {redact_url(request.url)!r}"
        )
    check_method(request.method)
    check_header_fields(request.headers.raw())


def encode_url(url: str) -> str:
    """Return ``url`` percent-encoded the same way for every backend.

    URLs from the protocol layer are already encoded and come back unchanged, byte for
    byte (no re-quoting of ``%2C`` into ``,``). Otherwise, characters that may not appear in
    a URL (spaces, non-ASCII...) are UTF-8 percent-encoded, keeping existing escapes. A
    non-ASCII host is left for the backend to IDNA-encode.
    """
    if not _NEEDS_QUOTING.search(url):
        return url
    parts = urlsplit(url)
    if not parts.netloc.isascii():
        return url
    rest = url[len(parts.scheme) + 3 + len(parts.netloc) :]
    return f"{parts.scheme}://{parts.netloc}{quote(rest, safe=_URL_SAFE)}"


def decode_raw_headers(raw: Iterable[tuple[bytes, bytes]]) -> Headers:
    """Build :class:`Headers` from raw field lines, keeping order, duplicates and case.

    Names are ASCII by the grammar; values are decoded as UTF-8 when valid (what servers
    send in practice) and as Latin-1 otherwise (RFC 9110 §5.5 obs-text), so decoding never
    fails.
    """
    items: list[tuple[str, str]] = []
    for name, value in raw:
        try:
            text = value.decode("utf-8")
        except UnicodeDecodeError:
            text = value.decode("latin-1")
        items.append((name.decode("latin-1"), text))
    return Headers(items)


def safe_reason(exc: BaseException, text: str | None = None) -> str:
    """Describe a backend exception for a message: its type and text, secrets masked.

    Backend texts may carry the request URL or echo bytes the server sent (a bad status
    line), so URLs go through ``redact_url`` and the rest through ``redact_text``.

    Args:
        exc: The backend's exception.
        text: What to say instead of ``str(exc)`` (some backends put the URL there).
    """
    name = type(exc).__name__
    text = str(exc) if text is None else text
    if not text:
        return name
    return f"{name}: {redact_text(_URL_IN_TEXT.sub(lambda m: redact_url(m.group(0)), text))}"


@attrs.define
class Progress:
    """How far one request got, for errors whose backend type does not say.

    ``started`` turns True once a connection was obtained for the request (so bytes may
    have been written). Transports only track it for sessions/clients they created, whose
    hooks they control (aiohttp's connector, httpx's trace events); for a borrowed one
    ``known`` is False and every ambiguous failure counts as sent (a POST must never be
    retried if it may have reached the server).
    """

    known: bool = True
    started: bool = False

    @property
    def maybe_sent(self) -> bool:
        """True unless we know for sure that nothing was written to a connection."""
        return self.started or not self.known


class BodyCollector:
    """Collect a response body while enforcing ``max_body_size``.

    The declared ``Content-Length`` is checked before reading anything, and the bytes are
    counted while reading (a chunked body declares nothing), so an oversized body is
    refused without being kept in memory.

    Args:
        request: The request being answered (for the error message).
        limit: Maximum body size in bytes.
    """

    __slots__ = ("_chunks", "_limit", "_request", "_size")

    def __init__(self, request: HttpRequest, limit: int) -> None:
        self._request = request
        self._limit = limit
        self._chunks: list[bytes] = []
        self._size = 0

    def check_declared(self, status: int, content_length: str | None) -> None:
        """Refuse up front when the declared length is over the cap.

        Raises:
            ResponseTooLarge: ``Content-Length`` exceeds the cap on a response with a body.
        """
        if (
            content_length is None
            or self._request.method == "HEAD"
            or status in _NO_BODY_STATUSES
            or 100 <= status < 200
        ):
            return
        try:
            declared = int(content_length)
        except ValueError:
            return  # the backend's parser rejects a malformed length itself
        if declared > self._limit:
            raise self._too_large(f"declares {declared} bytes")

    def add(self, chunk: bytes) -> None:
        """Append ``chunk``; drop everything read so far once the cap is exceeded.

        Raises:
            ResponseTooLarge: The body read so far exceeds the cap.
        """
        self._size += len(chunk)
        if self._size > self._limit:
            self._chunks.clear()
            raise self._too_large(f"exceeded {self._limit} bytes while reading")
        self._chunks.append(chunk)

    def body(self) -> bytes:
        """Return the whole body."""
        chunks = self._chunks
        if len(chunks) == 1:
            return chunks[0]
        return b"".join(chunks)

    def _too_large(self, what: str) -> ResponseTooLarge:
        return ResponseTooLarge(
            f"response body {what}; the transport's max_body_size is {self._limit} bytes",
            method=self._request.method,
            url=self._request.url,
            request_sent=True,
        )
