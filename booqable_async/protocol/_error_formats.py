"""Error readers: how an API's error bodies become :class:`ErrorObject` values.

Pure functions, no I/O. An API profile names the reader for its error answers, and for
APIs that answer failures with HTTP 200, the reader for those bodies
(docs/profiles.md, "Errors"). Each reader takes the parsed JSON body and returns the
error objects it recognises there, or ``()`` for a body it does not know (the protocol
layer then falls back to a short, redacted excerpt of the body):

- :func:`jsonapi_errors`: JSON:API ``{"errors": [...]}`` (Booqable v4);
- :func:`error_envelope`: ``{"error": {"code", "message", "details"}}`` (CloudBooks);
- :func:`detail_code`: ``{"detail", "code"}``, and the ``{field: [messages]}`` map of a
  400 (Booga Enterprise, Django REST framework style);
- :func:`status_envelope`: a 2xx body ``{"status": "error", "message"}`` (Beebole);
- :func:`first_of`: the first of several readers that recognises the body.

Readers never raise: an unexpected shape is "not recognised".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from booqable_async.protocol._error_objects import ErrorObject, _text, parse_error_objects

__all__ = [
    "ErrorReader",
    "detail_code",
    "error_envelope",
    "first_of",
    "jsonapi_errors",
    "status_envelope",
]

#: Reads the error objects of a parsed body; ``()`` when it does not recognise the body.
ErrorReader = Callable[[Any], tuple[ErrorObject, ...]]

# A field map's key that holds errors about the request as a whole (Django REST framework).
_NON_FIELD_KEYS = frozenset({"non_field_errors", "__all__"})


def jsonapi_errors(payload: Any) -> tuple[ErrorObject, ...]:
    """Read a JSON:API ``errors`` member (see :func:`parse_error_objects`).

    Args:
        payload: The parsed body.

    Returns:
        The error objects, or ``()`` when the body has no ``errors`` member.
    """
    if isinstance(payload, Mapping) and "errors" in payload:
        return parse_error_objects(payload)
    return ()


def error_envelope(payload: Any) -> tuple[ErrorObject, ...]:
    """Read ``{"error": {"code", "message", "details"}}``.

    ``code`` (or, when it is text, ``status``: Booqable v1 writes
    ``{"error": {"status": "items_not_available", "data": {...}}}``) becomes the code,
    ``message`` (or ``detail``) the detail, ``details.field`` the pointer; every other
    member (``details``, ``data``...) is kept in ``meta``.

    Args:
        payload: The parsed body.

    Returns:
        One error object, or ``()`` when the body has no ``error`` object.
    """
    error = payload.get("error") if isinstance(payload, Mapping) else None
    if not isinstance(error, Mapping):
        return ()
    status = error.get("status")
    code = _text(error.get("code")) or (status if isinstance(status, str) else None)
    message = error.get("message", error.get("detail"))
    details = error.get("details")
    field = details.get("field") if isinstance(details, Mapping) else None
    meta = {k: v for k, v in error.items() if k not in ("code", "message", "detail", "status")}
    return (
        ErrorObject(
            code=code,
            status=None if isinstance(status, str) else _text(status),
            detail=_text(message),
            pointer=f"/{field}" if isinstance(field, str) and field else None,
            meta=meta,
        ),
    )


def _messages(value: object) -> list[str] | None:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return list(value)
    return None


def detail_code(payload: Any) -> tuple[ErrorObject, ...]:
    """Read ``{"detail", "code"}``, or a ``{field: [messages]}`` validation map.

    A validation map gives one error object per message, code ``invalid``, the field
    as title and pointer (``/email``); ``non_field_errors`` gets no pointer.

    Args:
        payload: The parsed body.

    Returns:
        The error objects, or ``()`` for another shape.
    """
    if not isinstance(payload, Mapping) or not payload:
        return ()
    detail = payload.get("detail")
    if isinstance(detail, str):
        return (ErrorObject(code=_text(payload.get("code")), detail=detail),)
    found: list[ErrorObject] = []
    for field, value in payload.items():
        messages = _messages(value)
        if messages is None or not isinstance(field, str):
            return ()  # not a field map: some other body
        pointer = None if field in _NON_FIELD_KEYS else f"/{field}"
        found.extend(
            ErrorObject(code="invalid", title=field, detail=message, pointer=pointer)
            for message in messages
        )
    return tuple(found)


def status_envelope(payload: Any) -> tuple[ErrorObject, ...]:
    """Read a body that reports failure in a ``status`` member: ``{"status": "error"}``.

    For APIs that answer every request with HTTP 200 (Beebole: "all HTTP responses with
    code 200 will return a status node with the value ok or error", and a ``message``
    with an error).

    Args:
        payload: The parsed body of a 2xx answer.

    Returns:
        One error object (code ``error``, the ``message`` as detail, other members in
        ``meta``), or ``()`` when the body does not say ``"status": "error"``.
    """
    if not isinstance(payload, Mapping) or payload.get("status") != "error":
        return ()
    message = payload.get("message")
    meta = {k: v for k, v in payload.items() if k not in ("status", "message")}
    return (ErrorObject(code="error", detail=_text(message), meta=meta),)


def first_of(*readers: ErrorReader) -> ErrorReader:
    """Return a reader trying ``readers`` in order; the first non-empty answer wins.

    Args:
        *readers: Error readers.

    Returns:
        The combined reader.
    """

    def read(payload: Any) -> tuple[ErrorObject, ...]:
        for reader in readers:
            found = reader(payload)
            if found:
                return found
        return ()

    return read
