"""Turn an :class:`~booqable_async.transport.HttpResponse` into a payload or a typed error.

Pure functions, no I/O. Whatever bytes arrive, only :class:`~booqable_async.errors.ApiError`
subclasses (non-2xx) and :class:`~booqable_async.errors.DecodeError` (a 2xx we cannot read)
escape.

Booqable facts implemented (catalog ``global.formats``, ``error_format``, recorded
exchanges): successes are ``application/vnd.api+json``, but some answers (DELETE, some
errors) are ``application/json``; errors are a JSON:API ``errors`` array of
``{code, status (a string), title, detail, source.pointer, meta}`` where availability
errors put details in ``meta.blocking[]``/``meta.warning[]``; ``source.pointer`` arrives
without the leading ``/`` (``data/attributes/name``); a request for a route that does not
exist gets a Rails routing-error body that is not JSON:API; proxies in front answer with
HTML pages or empty bodies.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

import attrs
import msgspec

from booqable_async._gc import gc_paused
from booqable_async._redact import clip, redact_text, redact_url
from booqable_async.errors import (
    ApiError,
    ApplicationError,
    DecodeError,
    ShortageError,
    status_error_class,
)
from booqable_async.protocol._error_formats import ErrorReader
from booqable_async.protocol._error_objects import ErrorObject, parse_error_objects, parse_shortage
from booqable_async.protocol._headers import RateLimitReader, parse_rate_limit, parse_retry_after
from booqable_async.transport import HttpResponse

__all__ = [
    "EXCERPT_LIMIT",
    "JSONAPI_FORMAT",
    "ResponseFormat",
    "api_error_for",
    "decipher_response",
]


@attrs.frozen
class ResponseFormat:
    """How one API's answers are read (part of an API profile; docs/profiles.md).

    Attributes:
        read_errors: Turns the parsed body of a non-2xx answer into error objects
            (``None``: JSON:API ``errors``, as Booqable v4 sends).
        body_errors: For APIs that answer failures with a 2xx status: returns the error
            objects a 2xx body reports (``()`` for a success); ``None``: 2xx is success.
        read_rate_limit: Reads the rate-limit snapshot from the headers.
    """

    read_errors: ErrorReader | None = None
    body_errors: ErrorReader | None = None
    read_rate_limit: RateLimitReader = parse_rate_limit


#: Booqable v4: JSON:API errors, 2xx is success, ``X-Ratelimit-*`` headers.
JSONAPI_FORMAT: Final = ResponseFormat()

#: Longest ``body_excerpt`` (characters) an error carries.
EXCERPT_LIMIT: Final = 200

# Content types seen in the recordings, checked by identity first so the hot path does no
# string parsing at all.
_FAST_JSON_TYPES: Final = frozenset(
    {
        "application/vnd.api+json",
        "application/vnd.api+json; charset=utf-8",
        "application/json",
        "application/json; charset=utf-8",
        "application/json; charset=UTF-8",
    }
)
_UTF8_NAMES: Final = frozenset({"utf-8", "utf8", "us-ascii", "ascii"})
_BOM: Final = b"\xef\xbb\xbf"
_JSON_WHITESPACE: Final = b" \t\r\n"
# Only this much of a non-JSON body is looked at to make an excerpt: enough to get past
# the <head> of a proxy's error page, bounded so a 50 MB page costs nothing much.
_EXCERPT_SCAN: Final = 32 * 1024
# Members a non-JSON:API error document (Rails, RFC 7807, proxies) uses for its message.
_SUMMARY_KEYS: Final = ("error", "message", "exception", "title", "detail")
# C0/C1 controls and the bidi/zero-width characters that can disguise a log line.
_UNPRINTABLE_RE: Final = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_REQUEST_ID_LIMIT: Final = 128


def _media_type(content_type: str) -> tuple[str, str | None]:
    media, _, params = content_type.partition(";")
    charset = None
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"').lower() or None
    return media.strip().lower(), charset


def _is_json_media(media: str) -> bool:
    return media in ("application/json", "application/vnd.api+json") or media.endswith("+json")


def _is_html(media: str, text: str) -> bool:
    return "html" in media or "xml" in media or text.lstrip()[:1] == "<"


def _strip_html(text: str) -> str:
    # A linear scan instead of regexes: a page with thousands of unclosed <script tags
    # must not cost quadratic time. <title> is set aside and only kept when the body does
    # not repeat it (nginx pages say "502 Bad Gateway" in both).
    lower = text.lower()
    out: list[str] = []
    title = ""
    i, n = 0, len(text)
    while i < n:
        lt = text.find("<", i)
        if lt < 0:
            out.append(text[i:])
            break
        out.append(text[i:lt])
        out.append(" ")
        if lower.startswith("<!--", lt):
            end = text.find("-->", lt + 4)
            i = n if end < 0 else end + 3
            continue
        for element in ("script", "style", "title"):
            if lower.startswith(element, lt + 1):
                close = lower.find(f"</{element}", lt + 1)
                if element == "title" and not title:
                    start = text.find(">", lt)
                    if 0 <= start < close:
                        title = text[start + 1 : close]
                lt = n if close < 0 else close
                break
        gt = text.find(">", lt)
        i = n if gt < 0 else gt + 1
    body = " ".join(html.unescape("".join(out)).split())
    title = " ".join(html.unescape(title).split())
    if title and title not in body:
        return f"{title}: {body}" if body else title
    return body


def _clean(text: str, limit: int) -> str:
    text = _UNPRINTABLE_RE.sub(" ", redact_text(text))
    return clip(" ".join(text.split()), limit)


def _text_excerpt(body: bytes, media: str) -> str:
    truncated = len(body) > _EXCERPT_SCAN
    text = body[:_EXCERPT_SCAN].decode("utf-8", errors="replace")
    if truncated:
        # Drop the last, possibly cut, word so no half credential escapes redaction.
        parts = text.rsplit(None, 1)
        text = parts[0] if len(parts) == 2 else ""
    if _is_html(media, text):
        text = _strip_html(text)
    return _clean(text, EXCERPT_LIMIT)


def _summary_excerpt(payload: Mapping[Any, Any]) -> str:
    seen: list[str] = []
    for key in _SUMMARY_KEYS:
        value = payload.get(key)
        if isinstance(value, str) and value.strip() and value not in seen:
            seen.append(value)
    return _clean(": ".join(seen), EXCERPT_LIMIT) if seen else ""


def _read_error_body(
    body: bytes, media: str, read_errors: ErrorReader | None
) -> tuple[tuple[ErrorObject, ...], str]:
    stripped = body.lstrip(_JSON_WHITESPACE)
    if stripped.startswith(_BOM):
        stripped = stripped[len(_BOM) :].lstrip(_JSON_WHITESPACE)
    if not stripped:
        return (), ""
    payload: object = None
    # Whatever the content type says: Booqable labels some errors application/json and
    # proxies mislabel; a body that parses is read as JSON.
    if stripped[:1] in (b"{", b"["):
        try:
            payload = _loads(stripped)
        except (msgspec.DecodeError, RecursionError):
            payload = None
    if isinstance(payload, Mapping):
        if read_errors is not None:
            errors = read_errors(payload)
            if errors:
                return errors, ""
        elif "errors" in payload:
            errors = parse_error_objects(payload)
            if errors:
                return errors, ""
        summary = _summary_excerpt(payload)
        if summary:
            return (), summary
    return (), _text_excerpt(stripped, media)


def _request_id(value: str | None) -> str | None:
    if value is None:
        return None
    cleaned = _UNPRINTABLE_RE.sub("", value).strip()[:_REQUEST_ID_LIMIT]
    return cleaned or None


def api_error_for(
    response: HttpResponse,
    *,
    method: str = "",
    url: str | None = None,
    now: datetime | None = None,
    response_format: ResponseFormat = JSONAPI_FORMAT,
) -> ApiError:
    """Build (without raising) the typed error for a response that is not 2xx.

    Args:
        response: The response.
        method: HTTP method of the request, for the message.
        url: URL of the request (redacted in the error); defaults to ``response.url``.
        now: Current time (aware) to turn a ``Retry-After`` HTTP date into seconds;
            defaults to the real clock.
        response_format: How this API's error bodies and rate-limit headers are read
            (an API profile's); the default reads Booqable v4's.

    Returns:
        An instance of ``status_error_class(response.status)`` carrying the status,
        headers, request id, parsed ``errors``, rate-limit snapshot, ``retry_after`` and,
        when there were no JSON:API errors, a short safe excerpt of the body. A 422 whose
        error objects list availability entries (``meta.warning``/``meta.blocking``) is a
        :class:`~booqable_async.errors.ShortageError` with the entries parsed.
    """
    headers = response.headers
    content_type = headers.get("content-type")
    media = _media_type(content_type)[0] if content_type else ""
    errors, excerpt = _read_error_body(response.body, media, response_format.read_errors)
    details = _details(response, errors, excerpt, method, url, now, response_format)
    shortage = parse_shortage(errors) if response.status == 422 else None
    if shortage is not None:
        warnings, blocking = shortage
        return ShortageError(response.status, warnings=warnings, blocking=blocking, **details)
    return status_error_class(response.status)(response.status, **details)


def _details(
    response: HttpResponse,
    errors: tuple[ErrorObject, ...],
    excerpt: str,
    method: str,
    url: str | None,
    now: datetime | None,
    response_format: ResponseFormat,
) -> dict[str, Any]:
    headers = response.headers
    return {
        "headers": headers,
        "request_id": _request_id(headers.get("x-request-id")),
        "errors": errors,
        "rate_limit": response_format.read_rate_limit(headers),
        "retry_after": parse_retry_after(headers.get("retry-after"), now=now),
        "body_excerpt": excerpt,
        "method": method.upper(),
        "url": response.url if url is None else url,
    }


def _decode_failure(
    response: HttpResponse, method: str, url: str | None, problem: str, media: str
) -> DecodeError:
    target = redact_url(response.url if url is None else url)
    where = f"{method.upper()} {target}".strip()
    prefix = f"HTTP {response.status}" + (f" for {where}" if where else "")
    # Show what arrived when it is not JSON (an HTML page); a broken JSON document is not
    # excerpted, since its start is customer data rather than an explanation.
    looks_json = response.body.lstrip(_JSON_WHITESPACE).removeprefix(_BOM)[:1] in (b"{", b"[")
    excerpt = "" if looks_json else _text_excerpt(response.body, media)
    tail = f"; body starts: {excerpt!r}" if excerpt else ""
    return DecodeError(f"{prefix}: {problem} ({len(response.body)} bytes){tail}", "")


_loads = msgspec.json.Decoder().decode
#: Bodies at least this large are parsed with the cyclic GC paused (see ``_gc.gc_paused``).
_GC_PAUSE_BYTES: Final = 32 * 1024


def _success_payload(response: HttpResponse, method: str, url: str | None) -> Any:
    body = response.body
    if response.status in (204, 205) or not body:
        return None
    content_type = response.headers.get("content-type")
    if content_type is None or content_type in _FAST_JSON_TYPES:
        try:
            if len(body) < _GC_PAUSE_BYTES:
                return _loads(body)
            with gc_paused():
                return _loads(body)
        except msgspec.DecodeError:
            pass  # the careful path below explains what is wrong, or copes (BOM)
        except RecursionError:
            problem = "body nests JSON values beyond the parser's depth limit"
            raise _decode_failure(response, method, url, problem, "") from None
    media, charset = _media_type(content_type) if content_type else ("", None)
    if media and not _is_json_media(media):
        if not body.strip():
            return None
        raise _decode_failure(response, method, url, f"expected JSON, got {media}", media)
    if body.startswith(_BOM):  # RFC 8259 §8.1: a parser MAY ignore a BOM
        body = body[len(_BOM) :]
    if not body.strip(_JSON_WHITESPACE):
        return None
    try:
        if charset is not None and charset not in _UTF8_NAMES:
            return _loads(body.decode(charset))
        return _loads(body)
    except (LookupError, UnicodeDecodeError):
        problem = f"body is not valid {charset} text"
    except RecursionError:
        problem = "body nests JSON values beyond the parser's depth limit"
    except msgspec.DecodeError as exc:
        problem = f"body is not valid JSON ({exc})"
    if not media:
        problem += ", and the response had no Content-Type"
    raise _decode_failure(response, method, url, problem, media)


def decipher_response(
    response: HttpResponse,
    *,
    method: str = "",
    url: str | None = None,
    now: datetime | None = None,
    response_format: ResponseFormat = JSONAPI_FORMAT,
) -> Any:
    """Return the decoded payload of a 2xx response, or raise the typed error.

    Args:
        response: The response, body fully read.
        method: HTTP method of the request (for messages).
        url: URL of the request (redacted in messages); defaults to ``response.url``.
        now: Current time (aware) for ``Retry-After`` HTTP dates; defaults to the clock.
        response_format: How this API's answers are read (an API profile's): error
            bodies, failures reported in 2xx bodies, rate-limit headers.

    Returns:
        The parsed JSON (``dict``/``list``/scalar) for a 2xx JSON body —
        ``application/vnd.api+json``, ``application/json``, any ``+json`` type, or no
        content type when the body parses; ``None`` for 204/205 and empty or
        whitespace-only bodies. A UTF-8 byte order mark is ignored.

    Raises:
        DecodeError: A 2xx whose body is not valid JSON, or whose content type is not
            JSON (an HTML page): the message says what arrived (pointer ``""``).
        ApplicationError: A 2xx whose body reports a failure
            (``response_format.body_errors``).
        ApiError: Any other status, as ``status_error_class(status)`` (``NotFound``,
            ``UnprocessableEntity``, ``RateLimited``, ``ServerError``,
            ``UnexpectedStatus`` for 1xx/3xx...); see :func:`api_error_for`.
    """
    if 200 <= response.status < 300:
        payload = _success_payload(response, method, url)
        body_errors = response_format.body_errors
        if body_errors is not None:
            errors = body_errors(payload)
            if errors:
                details = _details(response, errors, "", method, url, now, response_format)
                raise ApplicationError(response.status, **details)
        return payload
    raise api_error_for(response, method=method, url=url, now=now, response_format=response_format)
