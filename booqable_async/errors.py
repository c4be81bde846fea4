"""The one exception tree of booqable_async.

Every exception the library raises on purpose derives from :class:`BooqableError`::

    BooqableError
    ├── UsageError              our side, raised before any I/O (bad arguments, bad query)
    ├── NotLoadedError          reading a field the document did not carry (also AttributeError)
    ├── BookingError            book() stopped after creating the order (.order_id, .step)
    ├── DecodeError             their side: a body that is not the JSON:API we expect
    ├── PaginationError         iterating pages stopped early (.resume_point, .cause)
    │   └── TotalMismatch           the item count disagreed with the server's total
    ├── QuotaExhausted          a daily (or other long) quota is spent; nothing was sent
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
        ├── ApplicationError        2xx whose body says it failed ({"status": "error"})
        └── UnexpectedStatus        1xx/3xx or anything else we did not ask for

Some also derive from a builtin, so code that knows nothing about this library catches
them too: ``UsageError`` and ``DecodeError`` are ``ValueError`` subclasses,
``NotLoadedError`` an ``AttributeError`` (``getattr(record, name, default)`` works), and
``ConnectTimeout`` and ``ReadTimeout`` are ``TimeoutError`` subclasses.

``status_error_class(status)`` is the one pure function that maps a status to its class;
the protocol layer (:func:`booqable_async.protocol.api_error_for`) builds every
``ApiError``, ``ShortageError`` included, so a request sent through the session and one
sent through a facade raise the same class for the same answer.

Messages say what happened and how to fix it, and never contain a secret: URLs are
redacted (``api_key`` and token-like query values masked) and no header value is ever put
in a message (docs/errors.md, "Secrets").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from booqable_async._redact import clip, redact_text, redact_url

if TYPE_CHECKING:
    from booqable_async.pagination import ResumePoint
    from booqable_async.protocol import ErrorObject, RateLimit, ShortageEntry
    from booqable_async.transport import Headers

__all__ = [
    "ApiError",
    "ApplicationError",
    "BadRequest",
    "BookingError",
    "BooqableError",
    "ClientError",
    "Conflict",
    "ConnectError",
    "ConnectTimeout",
    "ConnectionReset",
    "DecodeError",
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
    "QuotaExhausted",
    "RateLimited",
    "ReadTimeout",
    "ResponseTooLarge",
    "ServerError",
    "ShortageError",
    "TLSError",
    "TotalMismatch",
    "TransportError",
    "Unauthorized",
    "UnexpectedStatus",
    "UnprocessableEntity",
    "UnsupportedMediaType",
    "UsageError",
    "status_error_class",
]


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
            over the same query (always present: ``err.resume_point.to_dict()``).
        cause: The exception that stopped the iteration, or ``None``.
    """

    def __init__(
        self,
        message: str,
        *,
        resume_point: ResumePoint,
        items_yielded: int = 0,
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
        resume_point: ResumePoint,
        items_yielded: int = 0,
    ) -> None:
        self.expected = expected
        self.received = received
        super().__init__(message, items_yielded=items_yielded, resume_point=resume_point)


class QuotaExhausted(BooqableError):
    """A quota the API states (requests or bytes per day...) is spent; nothing was sent.

    Raised by :meth:`booqable_async.ratelimit.RateLimiter.acquire` instead of waiting
    when the next request could only go out after longer than the limiter's
    ``max_wait`` (docs/profiles.md, "Rate limits and quotas"): a job should stop and
    come back later rather than sleep for hours.

    Attributes:
        limit: The quota's size (requests, or bytes for a volume quota).
        period: The quota's period in seconds.
        unit: ``"requests"`` or ``"bytes"``.
        retry_after: Seconds until the quota has room again.
    """

    def __init__(self, *, limit: int, period: float, unit: str, retry_after: float) -> None:
        self.limit = limit
        self.period = period
        self.unit = unit
        self.retry_after = retry_after
        super().__init__(
            f"the quota of {limit} {unit} per {period:g} s is spent; it has room again in "
            f"{retry_after:.0f} s (nothing was sent: try again later, or raise the "
            "limiter's max_wait to wait for it)"
        )


class TransportError(BooqableError):
    """The request did not produce an HTTP response.

    Attributes:
        request_sent: True when the request may have reached the server (so a write may
            have happened). The retry layer decides on this: only failures with
            ``request_sent=False`` are safe to retry for every method.
        method: HTTP method of the failed request.
        url: Redacted URL of the failed request.
        attempts: How many times the request was tried (set by the session once it gave
            up; ``0`` when the error did not come through a session).
        elapsed: Seconds from the first attempt until the session gave up (``None``
            when the error did not come through a session).
    """

    #: Default for the kind; instances may override (a reset can happen either way).
    default_request_sent: bool = True
    attempts: int = 0
    elapsed: float | None = None

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

    def record_attempts(self, attempts: int, elapsed: float, hint: str = "") -> None:
        """Say in the message how often the request was tried, and for how long.

        Called by the session when it gives up (``... after 4 attempts over 4.7 s``);
        recording again changes nothing.

        Args:
            attempts: Attempts made, the first included.
            elapsed: Seconds from the first attempt until giving up.
            hint: What the caller may have got wrong (the session's, e.g. the company).
        """
        if self.elapsed is not None:
            return
        self.attempts = attempts
        self.elapsed = elapsed
        tried = f"after {attempts} attempt{'' if attempts == 1 else 's'} over {elapsed:.1f} s"
        first = str(self.args[0]) if self.args else ""
        self.args = (f"{first} {tried}{f'; {hint}' if hint else ''}", *self.args[1:])


class ConnectError(TransportError):
    """The connection could not be opened (DNS failure, refused, unreachable)."""

    default_request_sent = False


class ConnectTimeout(TransportError, TimeoutError):
    """Opening the connection took longer than the connect timeout."""

    default_request_sent = False


class TLSError(TransportError):
    """The TLS handshake or certificate verification failed."""

    default_request_sent = False


class ReadTimeout(TransportError, TimeoutError):
    """The server did not answer (completely) within the timeout."""


class ConnectionReset(TransportError):
    """The peer closed the connection; ``request_sent`` says whether it was before sending."""


class ProtocolError(TransportError):
    """The peer's answer was not valid HTTP (bad status line, truncated chunked body)."""


class ResponseTooLarge(TransportError):
    """The response body exceeded the transport's ``max_body_size``; nothing was kept."""


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
            text += ": " + "; ".join(clip(redact_text(str(e)), 300) for e in self.errors[:3])
            if len(self.errors) > 3:
                text += f" (+{len(self.errors) - 3} more)"
        elif self.body_excerpt:
            text += f": {clip(redact_text(self.body_excerpt), 300)}"
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


class ShortageError(UnprocessableEntity):
    """422 because items are not available (shortage, or stock items already specified).

    Booqable answers an availability problem with error objects whose ``meta`` lists
    ``blocking`` entries (the request cannot succeed) and ``warning`` entries (it can,
    if you accept the shortage). The protocol layer raises this class for every such
    answer, whichever way the request was sent. When there are only warnings, send the
    same request again with ``confirm_shortage=True`` (:attr:`only_warnings` tells you)::

        try:
            await client.order_status_transitions.reserve(order)
        except ShortageError as err:
            if not err.only_warnings:
                raise
            await client.order_status_transitions.reserve(order, confirm_shortage=True)

    Args:
        status: The HTTP status (422).
        warnings: Entries that ``confirm_shortage=True`` overrides (``meta.warning[]``).
        blocking: Entries nothing overrides (``meta.blocking[]``).
        **details: What every :class:`ApiError` takes (``errors``, ``headers``...).

    Attributes:
        warnings: Entries that ``confirm_shortage=True`` overrides.
        blocking: Entries nothing overrides (fewer items, another period...).
    """

    def __init__(
        self,
        status: int = 422,
        *,
        warnings: Sequence[ShortageEntry] = (),
        blocking: Sequence[ShortageEntry] = (),
        **details: Any,
    ) -> None:
        # Set before the message is built: it lists the first entries.
        self.warnings = tuple(warnings)
        self.blocking = tuple(blocking)
        super().__init__(status, **details)

    @property
    def only_warnings(self) -> bool:
        """True when every entry is a warning: resending with ``confirm_shortage=True`` works."""
        return bool(self.warnings) and not self.blocking

    def _default_message(self) -> str:
        parts = []
        if self.blocking:
            parts.append("blocking: " + "; ".join(str(e) for e in self.blocking[:3]))
        if self.warnings:
            parts.append("warnings: " + "; ".join(str(e) for e in self.warnings[:3]))
        text = super()._default_message()
        if parts:
            text += f" ({' | '.join(parts)})"
        if self.only_warnings:
            text += (
                "; only warnings: send it again with confirm_shortage=True to accept the shortage"
            )
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


class ApplicationError(ApiError):
    """The server answered 2xx, but the body says the request failed.

    Some APIs answer every request with HTTP 200 and report failures in the body
    (Beebole: ``{"status": "error", "message": "..."}``). The API profile says how to
    recognise such a body (docs/profiles.md, "Errors"); :attr:`errors` holds what it
    said and :attr:`status` the HTTP status as sent (200). Never retried: the server
    refused the request on purpose.
    """


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
