"""The one exception tree of booqable_async.

Every exception the library raises on purpose derives from :class:`BooqableError`::

    BooqableError
    ├── UsageError              our side, raised before any I/O (bad arguments, bad query)
    ├── BookingError            book() stopped after creating the order (.order_id, .step)
    ├── DecodeError             their side: a body that is not the JSON:API we expect
    ├── NotLoadedError          a field the document did not carry (also AttributeError)
    ├── PaginationError         iterating pages stopped early (.resume_point, .cause)
    │   └── TotalMismatch           the item count disagreed with the server's total
    ├── TransportError          the request did not produce an HTTP response
    │   ├── ConnectError            could not open a connection     (request_sent=False)
    │   ├── ConnectTimeout          opening the connection timed out (request_sent=False)
    │   ├── TLSError                TLS handshake/verification failed (request_sent=False)
    │   ├── ReadTimeout             no (complete) answer in time     (request_sent=True)
    │   ├── ConnectionReset         the peer closed the connection   (either)
    │   ├── ProtocolError           the peer spoke broken HTTP       (request_sent=True)
    │   └── ResponseTooLarge        the body exceeded the size cap    (request_sent=True)
    └── ApiError                the server answered with a non-2xx status
        ├── ClientError             4xx
        │   ├── BadRequest              400
        │   ├── Unauthorized            401
        │   ├── PaymentRequired         402
        │   ├── Forbidden               403
        │   ├── NotFound                404
        │   ├── MethodNotAllowed        405
        │   ├── NotAcceptable           406
        │   ├── Conflict                409
        │   ├── Gone                    410
        │   ├── UnsupportedMediaType    415
        │   ├── UnprocessableEntity     422
        │   │   └── ShortageError           items not available (.warnings, .blocking)
        │   ├── Locked                  423
        │   └── RateLimited             429
        ├── ServerError             5xx
        └── UnexpectedStatus        1xx/3xx or anything else we did not ask for

``status_error_class(status)`` is the one pure function that maps a status to its class.

Messages say what happened and how to fix it, and never contain a secret: URLs pass
through :func:`redact_url` (``api_key`` and token-like query values masked) and no header
value is ever put in a message.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import attrs

if TYPE_CHECKING:
    from booqable_async.pagination import ResumePoint
    from booqable_async.protocol.headers import RateLimit
    from booqable_async.transport import Headers

__all__ = [
    "SENSITIVE_HEADERS",
    "SENSITIVE_QUERY_KEYS",
    "ApiError",
    "BadRequest",
    "BookingError",
    "BooqableError",
    "ClientError",
    "Conflict",
    "ConnectError",
    "ConnectTimeout",
    "ConnectionReset",
    "DecodeError",
    "ErrorObject",
    "Forbidden",
    "Gone",
    "Locked",
    "MethodNotAllowed",
    "NotAcceptable",
    "NotFound",
    "NotLoadedError",
    "PaginationError",
    "PaymentRequired",
    "ProtocolError",
    "RateLimited",
    "ReadTimeout",
    "ResponseTooLarge",
    "ServerError",
    "ShortageEntry",
    "ShortageError",
    "TLSError",
    "TotalMismatch",
    "TransportError",
    "Unauthorized",
    "UnexpectedStatus",
    "UnprocessableEntity",
    "UnsupportedMediaType",
    "UsageError",
    "redact_repr",
    "redact_text",
    "redact_url",
    "status_error_class",
]

#: Header names whose values are secrets (compared lower-cased).
SENSITIVE_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "session-expiry-token"}
)
#: Query keys whose values are secrets (compared lower-cased).
SENSITIVE_QUERY_KEYS = frozenset(
    {"api_key", "apikey", "access_token", "refresh_token", "token", "client_secret", "code"}
)
_MASK = "REDACTED"


def redact_url(url: str) -> str:
    """Return ``url`` with secret query values and any userinfo password masked.

    Args:
        url: An absolute or relative URL.

    Returns:
        The same URL, safe to log or put in a message.
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparseable url>"
    netloc = parts.netloc
    if "@" in netloc:
        netloc = f"{_MASK}@{netloc.rsplit('@', 1)[1]}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(key.lower() in SENSITIVE_QUERY_KEYS for key, _ in pairs):
            query = urlencode(
                [(k, _MASK if k.lower() in SENSITIVE_QUERY_KEYS else v) for k, v in pairs],
                safe="[]",
            )
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


# Free-text credential patterns, compiled once. Order matters: header lines and key=value
# pairs first (they keep their label), then bare JWTs and long opaque runs.
_HEADER_LINE_RE = re.compile(
    r"(?i)(?<![a-z])(proxy[-_]authorization|authorization|set[-_]cookie|cookie"
    r"|session[-_]expiry[-_]token)([\"']?\s*(?:=>|[:=])\s*)[^\r\n]*"
)
_SCHEME_RE = re.compile(r"(?i)\b(bearer|basic)(\s+)[A-Za-z0-9._~+/=-]+")
_KEY_VALUE_RE = re.compile(
    r"(?i)(?<![a-z])(api[-_]?key|access[-_]token|refresh[-_]token|id[-_]token|client[-_]secret"
    r"|password|secret|token)([\"']?\s*(?:=>|[:=])\s*[\"']?)[^\s&\"',;<>]+"
)
_JWT_RE = re.compile(r"\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]*)?")
_OPAQUE_RE = re.compile(r"[A-Za-z0-9_+=-]{24,}")
_UUID_RE = re.compile(
    r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}"
)
_HAS_DIGIT_RE = re.compile(r"[0-9]")
_HAS_LETTER_RE = re.compile(r"[A-Za-z]")


def _mask_opaque(match: re.Match[str]) -> str:
    run = match.group(0)
    # A long run mixing letters and digits is what tokens, API keys and session ids look
    # like; UUIDs (record and request ids) and plain words/numbers are kept.
    if _UUID_RE.fullmatch(run) or not _HAS_DIGIT_RE.search(run) or not _HAS_LETTER_RE.search(run):
        return run
    return _MASK


def redact_text(text: str) -> str:
    """Mask anything in free text that looks like a credential.

    Used on every piece of server-supplied text that ends up in an exception message
    (error details, excerpts of HTML error pages). It masks header lines
    (``Authorization: ...``, ``Cookie: ...``), ``Bearer``/``Basic`` credentials,
    ``api_key=...``/``"token": "..."`` pairs, JWTs and long runs mixing letters and digits
    (API keys, session ids). UUIDs are kept: they are record and request ids.

    Args:
        text: Any text.

    Returns:
        The text with every credential-looking part replaced by ``REDACTED``.
    """
    text = _HEADER_LINE_RE.sub(rf"\1\2{_MASK}", text)
    text = _SCHEME_RE.sub(rf"\1\2{_MASK}", text)
    text = _KEY_VALUE_RE.sub(rf"\1\2{_MASK}", text)
    text = _JWT_RE.sub(_MASK, text)
    return _OPAQUE_RE.sub(_mask_opaque, text)


def redact_repr(value: object, limit: int = 80) -> str:
    """Return ``repr(value)`` scrubbed with :func:`redact_text` and clipped, for messages.

    Bad arguments are echoed in ``UsageError`` messages so the caller sees what was wrong;
    a token passed in the wrong argument must still never reach a log line.

    Args:
        value: The offending value.
        limit: Longest text returned (characters).

    Returns:
        The scrubbed, clipped ``repr``.
    """
    return _clip(redact_text(repr(value)), limit)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


class BooqableError(Exception):
    """Root of every exception booqable_async raises on purpose.

    Attributes:
        write_outcome_unknown: True when this error ended a write (POST, PATCH, PUT,
            DELETE) after the request may have reached the server: a 500/502/504 answer,
            or a timeout or reset after sending. The write may or may not have happened.
            Booqable has no idempotency keys, so a POST is never retried in that case:
            check whether the record exists before sending it again. The message says so.
    """

    write_outcome_unknown: bool = False

    def mark_write_outcome_unknown(self, method: str) -> None:
        """Flag this error as ending a write whose outcome is unknown; extend the message.

        Called by the retry layer when it gives up on a write that may have reached the
        server. Marking twice changes nothing.

        Args:
            method: The HTTP method of the write (``POST``, ``PUT``...).
        """
        if self.write_outcome_unknown:
            return
        self.write_outcome_unknown = True
        method = method.upper()
        if method in ("PUT", "DELETE"):
            advice = f"repeating it is safe ({method} is idempotent)"
        else:
            advice = (
                "it was not retried because Booqable has no idempotency keys; check "
                "whether it took effect before sending it again"
            )
        note = f" [write outcome unknown: the {method} may or may not have happened; {advice}]"
        first = str(self.args[0]) if self.args else ""
        self.args = (f"{first}{note}", *self.args[1:])


class UsageError(BooqableError, ValueError):
    """The caller asked for something invalid; raised before any I/O.

    The message says what was wrong and what is allowed instead.
    """


class BookingError(BooqableError):
    """``book()`` created the order but a later step failed; the order is still there.

    The draft order is kept (nothing is rolled back): fix the cause and continue from
    :attr:`step` with the order, or cancel it with
    ``client.order_status_transitions.cancel(err.order_id)``.

    Attributes:
        step: The step that failed: ``"fulfill"`` (booking the items) or ``"reserve"``.
        order_id: The id of the order ``book()`` created.
        cause: The error the step raised (also ``__cause__``).
    """

    def __init__(self, step: str, order_id: str, cause: BaseException) -> None:
        self.step = step
        self.order_id = order_id
        self.cause = cause
        super().__init__(f"booking order {order_id} stopped at step {step!r}: {cause}")

    @property
    def shortage(self) -> ShortageError | None:
        """The :class:`ShortageError` that stopped the booking, if that was the cause."""
        return self.cause if isinstance(self.cause, ShortageError) else None


class DecodeError(BooqableError, ValueError):
    """A response body was not the JSON (or JSON:API document) we expected.

    Attributes:
        pointer: JSON pointer (RFC 6901) to the offending member, ``""`` for the whole body.
        reason: What was wrong there, without the pointer.
    """

    def __init__(self, reason: str, pointer: str = "") -> None:
        self.reason = reason
        self.pointer = pointer
        super().__init__(f"{reason} (at {pointer or '/'})")


class NotLoadedError(BooqableError, AttributeError):
    """A field of a record that the document did not carry was read.

    A relationship the document said nothing about (no ``include``), an attribute left
    out by a sparse fieldset or only returned on request (``extra_fields``), any field of
    a stub (a record only referenced, never included), or the ``id`` of a record built
    locally and not created yet. The message names the ``include(...)``, ``fields(...)``
    or ``extra_fields(...)`` to add. An ``AttributeError``, so ``hasattr(record, name)``
    and ``getattr(record, name, default)`` treat the field as absent;
    ``booqable_async.is_loaded(record, name)`` asks without raising.

    Attributes:
        name: The Python name of the field.
        resource_type: JSON:API type of the record (``orders``).
    """

    def __init__(self, message: str, *, name: str, resource_type: str) -> None:
        super().__init__(message)
        self.name = name
        self.resource_type = resource_type


class PaginationError(BooqableError):
    """Iterating a paginated listing stopped before the end.

    Raised when a page could not be fetched (the session already retried what was safe to
    retry), with the failure as :attr:`cause` (and ``__cause__``). Nothing was silently
    skipped: every item before :attr:`resume_point` was delivered, in order.

    Attributes:
        items_yielded: Items delivered before the failure (including earlier runs when
            resumed).
        resume_point: Where to continue: pass it as ``resume_from=`` to a new paginator
            over the same query. ``None`` when there is nothing to resume.
        cause: The exception that stopped the iteration, or ``None``.
    """

    def __init__(
        self,
        message: str,
        *,
        items_yielded: int = 0,
        resume_point: ResumePoint | None = None,
        cause: BaseException | None = None,
    ) -> None:
        self.items_yielded = items_yielded
        self.resume_point = resume_point
        self.cause = cause
        super().__init__(message)


class TotalMismatch(PaginationError):
    """The number of items delivered differs from the total the server reported.

    Records were added, removed or moved while paging (or the server capped the page
    size). Raised at the end of the iteration when the paginator was asked to
    (``on_total_mismatch="raise"``); otherwise reported as a ``PaginationWarning``.

    Attributes:
        expected: Items the server's total implied for this iteration.
        received: Items actually delivered (after de-duplication).
    """

    def __init__(
        self,
        message: str,
        *,
        expected: int,
        received: int,
        items_yielded: int = 0,
        resume_point: ResumePoint | None = None,
    ) -> None:
        self.expected = expected
        self.received = received
        super().__init__(message, items_yielded=items_yielded, resume_point=resume_point)


class TransportError(BooqableError):
    """The request did not produce an HTTP response.

    Attributes:
        request_sent: True when the request may have reached the server (so a write may
            have happened). The retry layer decides on this: only failures with
            ``request_sent=False`` are safe to retry for every method.
        method: HTTP method of the failed request.
        url: Redacted URL of the failed request.
    """

    #: Default for the kind; instances may override (a reset can happen either way).
    default_request_sent: bool = True

    def __init__(
        self,
        message: str,
        *,
        method: str = "",
        url: str = "",
        request_sent: bool | None = None,
    ) -> None:
        self.method = method
        self.url = redact_url(url) if url else ""
        self.request_sent = self.default_request_sent if request_sent is None else request_sent
        where = f" ({method} {self.url})" if method or url else ""
        super().__init__(f"{message}{where}")

    @property
    def retryable(self) -> bool:
        """True when retrying cannot duplicate a write (the server never saw the request)."""
        return not self.request_sent


class ConnectError(TransportError):
    """The connection could not be opened (DNS failure, refused, unreachable)."""

    default_request_sent = False


class ConnectTimeout(TransportError):
    """Opening the connection took longer than the connect timeout."""

    default_request_sent = False


class TLSError(TransportError):
    """The TLS handshake or certificate verification failed."""

    default_request_sent = False


class ReadTimeout(TransportError):
    """The server did not answer (completely) within the timeout."""


class ConnectionReset(TransportError):
    """The peer closed the connection; ``request_sent`` says whether it was before sending."""


class ProtocolError(TransportError):
    """The peer's answer was not valid HTTP (bad status line, truncated chunked body)."""


class ResponseTooLarge(TransportError):
    """The response body exceeded the transport's ``max_body_size``; nothing was kept."""


@attrs.frozen(repr=False)
class ErrorObject:
    """One entry of a JSON:API ``errors`` array, as Booqable sends it.

    The attributes keep the server's text verbatim for your code; ``str()`` and ``repr()``
    (what ends up in a log line such as ``log.error("%s", exc.errors)``) are scrubbed of
    anything that looks like a credential, like error messages are.

    Attributes:
        code: Application error code (``items_not_available``, ``bad_request``...).
        status: HTTP status as a string, as the document carries it.
        title: Short summary.
        detail: Human-readable explanation.
        pointer: ``source.pointer`` (``/data/attributes/name``), when given.
        parameter: ``source.parameter``, when given.
        meta: Extra machine-readable facts (shortage ``blocking``/``warning`` lists...).
    """

    code: str | None = None
    status: str | None = None
    title: str | None = None
    detail: str | None = None
    pointer: str | None = None
    parameter: str | None = None
    meta: Mapping[str, Any] = attrs.field(factory=dict)

    def __str__(self) -> str:
        text = ": ".join(p for p in (self.code or self.title, self.detail) if p)
        if self.pointer:
            text += f" [at {self.pointer}]"
        return redact_text(text) or "error"

    def __repr__(self) -> str:
        members = ", ".join(
            f"{f.name}={getattr(self, f.name)!r}" for f in attrs.fields(ErrorObject)
        )
        return redact_text(f"ErrorObject({members})")


class ApiError(BooqableError):
    """The server answered with a status that is not 2xx.

    Attributes:
        status: The HTTP status code.
        headers: Response headers (case-insensitive); secrets never appear in ``str()``.
        request_id: ``X-Request-Id`` of the response, when present; quote it to support.
        errors: The parsed JSON:API ``errors`` array.
        rate_limit: The rate-limit snapshot read from the response headers, if any.
        body_excerpt: A short, safe excerpt of a non-JSON body (HTML error page...).
        method: HTTP method of the request.
        url: Redacted URL of the request.
        retry_after: Seconds the server asked us to wait (``Retry-After``, on a 429 or a
            503 maintenance answer), ``None`` when it did not say.
    """

    def __init__(
        self,
        status: int,
        *,
        headers: Headers | None = None,
        request_id: str | None = None,
        errors: Sequence[ErrorObject] = (),
        rate_limit: RateLimit | None = None,
        body_excerpt: str = "",
        method: str = "",
        url: str = "",
        message: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.status = status
        self.headers = headers
        self.request_id = request_id
        self.errors = tuple(errors)
        self.rate_limit = rate_limit
        self.body_excerpt = body_excerpt
        self.method = method
        self.url = redact_url(url) if url else ""
        self.retry_after = retry_after
        super().__init__(message if message is not None else self._default_message())

    def _default_message(self) -> str:
        parts = [f"HTTP {self.status}"]
        if self.method or self.url:
            parts.append(f"for {self.method} {self.url}".rstrip())
        text = " ".join(parts)
        # Server-supplied text is scrubbed of anything that looks like a credential, then
        # clipped (a huge error list or detail must not make a huge log line).
        if self.errors:
            text += ": " + "; ".join(_clip(redact_text(str(e)), 300) for e in self.errors[:3])
            if len(self.errors) > 3:
                text += f" (+{len(self.errors) - 3} more)"
        elif self.body_excerpt:
            text += f": {_clip(redact_text(self.body_excerpt), 300)}"
        if self.request_id:
            text += f" (request id {self.request_id})"
        if self.retry_after is not None:
            text += f"; retry after {self.retry_after:g} s"
        return text

    @property
    def codes(self) -> tuple[str, ...]:
        """The ``code`` of every error object, in order (empty codes skipped)."""
        return tuple(e.code for e in self.errors if e.code)


class ClientError(ApiError):
    """A 4xx answer: the request needs changing before it can succeed."""


class BadRequest(ClientError):
    """400: malformed request, unknown attribute or a value that failed typecasting."""


class Unauthorized(ClientError):
    """401: missing, expired or revoked credentials."""


class PaymentRequired(ClientError):
    """402: the company's subscription does not allow this."""


class Forbidden(ClientError):
    """403: the credentials lack permission for this action."""


class NotFound(ClientError):
    """404: no such record, or no such route (an operation the resource lacks)."""


class MethodNotAllowed(ClientError):
    """405: the resource does not support this HTTP method."""


class NotAcceptable(ClientError):
    """406: the requested format is not available."""


class Conflict(ClientError):
    """409: the request conflicts with the record's current state."""


class Gone(ClientError):
    """410: the record was removed."""


class UnsupportedMediaType(ClientError):
    """415: the request body's content type is not accepted."""


class UnprocessableEntity(ClientError):
    """422: validation failed (shortage, wrong status, ...); see :attr:`errors`."""


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _ids(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(str(v) for v in value if isinstance(v, (str, int)) and not isinstance(v, bool))


@attrs.frozen
class ShortageEntry:
    """One availability problem of a 422 (``meta.blocking[]`` or ``meta.warning[]``).

    Booqable reports two reasons (order_status_transitions docs): ``shortage`` (not
    enough stock: ``needed``, ``shortage``, and either ``available`` or ``stock_count``
    and ``reserved``) and ``stock_item_specified`` (specific stock items are taken:
    ``available``/``unavailable`` are then lists of stock item ids).

    Attributes:
        reason: ``shortage``, ``stock_item_specified`` or a reason added later.
        item_id: The product (or bundle) that is short.
        needed: Units the request needs.
        available: Units still available: the entry's ``available`` number, else
            ``stock_count - reserved`` when both are given, else ``None``.
        shortage: Units missing.
        stock_count: Units in stock, when given.
        reserved: Units already reserved, when given.
        location_id: The location the shortage is at, when given.
        available_stock_item_ids: ``stock_item_specified``: stock items that are free.
        unavailable_stock_item_ids: ``stock_item_specified``: stock items that are taken.
        orders: Conflicting orders as sent (``id``, ``conflicts``, ``stock_item_ids``).
        raw: The entry exactly as sent.
    """

    reason: str | None = None
    item_id: str | None = None
    needed: int | None = None
    available: int | None = None
    shortage: int | None = None
    stock_count: int | None = None
    reserved: int | None = None
    location_id: str | None = None
    available_stock_item_ids: tuple[str, ...] = ()
    unavailable_stock_item_ids: tuple[str, ...] = ()
    orders: tuple[Mapping[str, Any], ...] = ()
    raw: Mapping[str, Any] = attrs.field(factory=dict, repr=False)

    @property
    def item(self) -> str | None:
        """The short item's id (same as :attr:`item_id`)."""
        return self.item_id

    @classmethod
    def from_json(cls, entry: Mapping[str, Any]) -> ShortageEntry:
        """Read one ``blocking``/``warning`` entry (unknown keys are kept in ``raw``)."""
        available = _count(entry.get("available"))
        stock_count = _count(entry.get("stock_count"))
        reserved = _count(entry.get("reserved"))
        if available is None and stock_count is not None and reserved is not None:
            available = max(stock_count - reserved, 0)
        reason = entry.get("reason")
        item_id = entry.get("item_id")
        location_id = entry.get("location_id")
        orders = entry.get("orders")
        return cls(
            reason=reason if isinstance(reason, str) else None,
            item_id=str(item_id) if isinstance(item_id, (str, int)) else None,
            needed=_count(entry.get("needed")),
            available=available,
            shortage=_count(entry.get("shortage")),
            stock_count=stock_count,
            reserved=reserved,
            location_id=location_id if isinstance(location_id, str) else None,
            available_stock_item_ids=_ids(entry.get("available")),
            unavailable_stock_item_ids=_ids(entry.get("unavailable")),
            orders=tuple(o for o in orders if isinstance(o, Mapping))
            if isinstance(orders, list)
            else (),
            raw=dict(entry),
        )

    def __str__(self) -> str:
        if self.reason == "stock_item_specified":
            taken = ", ".join(self.unavailable_stock_item_ids) or "?"
            return f"item {self.item_id}: stock items already taken ({taken})"
        parts = [f"item {self.item_id}"]
        if self.needed is not None:
            parts.append(f"needs {self.needed}")
        if self.available is not None:
            parts.append(f"{self.available} available")
        if self.shortage is not None:
            parts.append(f"short by {self.shortage}")
        return ", ".join(parts)


class ShortageError(UnprocessableEntity):
    """422 because items are not available (shortage, or stock items already specified).

    Booqable answers an availability problem with error objects whose ``meta`` lists
    ``blocking`` entries (the request cannot succeed) and ``warning`` entries (it can,
    if you accept the shortage). When there are only warnings, send the same request
    again with ``confirm_shortage=True`` (:attr:`only_warnings` tells you)::

        try:
            await client.order_status_transitions.reserve(order)
        except ShortageError as err:
            if not err.only_warnings:
                raise
            await client.order_status_transitions.reserve(order, confirm_shortage=True)

    Attributes:
        warnings: Entries that ``confirm_shortage=True`` overrides.
        blocking: Entries nothing overrides (fewer items, another period...).
    """

    @property
    def warnings(self) -> tuple[ShortageEntry, ...]:
        """Entries that ``confirm_shortage=True`` overrides (``meta.warning[]``)."""
        return _entries(self.errors, "warning")

    @property
    def blocking(self) -> tuple[ShortageEntry, ...]:
        """Entries nothing overrides (``meta.blocking[]``)."""
        return _entries(self.errors, "blocking")

    @property
    def only_warnings(self) -> bool:
        """True when every entry is a warning: resending with ``confirm_shortage=True`` works."""
        return bool(self.warnings) and not self.blocking

    def _default_message(self) -> str:
        return _shortage_message(super()._default_message(), self.warnings, self.blocking)

    @classmethod
    def from_error(cls, error: ApiError) -> ShortageError | None:
        """Return ``error`` as a :class:`ShortageError` when it reports availability entries.

        Args:
            error: An API error; only a 422 whose error objects carry ``meta.blocking``
                or ``meta.warning`` lists converts.

        Returns:
            A new error carrying everything ``error`` had (status, headers, error objects,
            request id...) with the entries parsed, or ``None``.
        """
        if isinstance(error, ShortageError):
            return error
        if error.status != 422 or not any(_has_entries(e) for e in error.errors):
            return None
        new = cls(
            error.status,
            headers=error.headers,
            request_id=error.request_id,
            errors=error.errors,
            rate_limit=error.rate_limit,
            body_excerpt=error.body_excerpt,
            method=error.method,
            url=error.url,
            retry_after=error.retry_after,
        )
        # Anything else the pipeline attached to the original (write_outcome_unknown...).
        for key, value in vars(error).items():
            if key not in vars(new):
                setattr(new, key, value)
        return new


def _has_entries(obj: ErrorObject) -> bool:
    meta = obj.meta
    return isinstance(meta, Mapping) and any(
        isinstance(meta.get(key), list) for key in ("warning", "blocking")
    )


def _entries(errors: Sequence[ErrorObject], key: str) -> tuple[ShortageEntry, ...]:
    out: list[ShortageEntry] = []
    for obj in errors:
        entries = obj.meta.get(key) if isinstance(obj.meta, Mapping) else None
        if isinstance(entries, list):
            out.extend(ShortageEntry.from_json(e) for e in entries if isinstance(e, Mapping))
    return tuple(out)


def _shortage_message(
    base: str, warnings: Sequence[ShortageEntry], blocking: Sequence[ShortageEntry]
) -> str:
    parts = []
    if blocking:
        parts.append("blocking: " + "; ".join(str(e) for e in blocking[:3]))
    if warnings:
        parts.append("warnings: " + "; ".join(str(e) for e in warnings[:3]))
    text = f"{base} ({' | '.join(parts)})"
    if warnings and not blocking:
        text += "; only warnings: send it again with confirm_shortage=True to accept the shortage"
    return text


class Locked(ClientError):
    """423: the record is locked."""


class RateLimited(ClientError):
    """429: the company's request budget is spent.

    Attributes:
        retry_after: Seconds the server asked us to wait, when it said so.
    """

    def __init__(self, status: int = 429, *, retry_after: float | None = None, **kwargs: Any):
        super().__init__(status, retry_after=retry_after, **kwargs)


class ServerError(ApiError):
    """5xx: the server (or a proxy in front of it) failed."""


class UnexpectedStatus(ApiError):
    """A status outside 2xx/4xx/5xx (a redirect, an informational status)."""


_STATUS_CLASSES: Mapping[int, type[ApiError]] = {
    400: BadRequest,
    401: Unauthorized,
    402: PaymentRequired,
    403: Forbidden,
    404: NotFound,
    405: MethodNotAllowed,
    406: NotAcceptable,
    409: Conflict,
    410: Gone,
    415: UnsupportedMediaType,
    422: UnprocessableEntity,
    423: Locked,
    429: RateLimited,
}


def status_error_class(status: int) -> type[ApiError]:
    """Return the :class:`ApiError` subclass for a non-2xx HTTP status.

    Args:
        status: The HTTP status code.

    Returns:
        The specific class for known 4xx statuses, :class:`ClientError` for other 4xx,
        :class:`ServerError` for 5xx and :class:`UnexpectedStatus` for anything else.
    """
    cls = _STATUS_CLASSES.get(status)
    if cls is not None:
        return cls
    if 400 <= status < 500:
        return ClientError
    if 500 <= status < 600:
        return ServerError
    return UnexpectedStatus
