"""Build :class:`~booqable_async.transport.HttpRequest` values for Booqable's v4 API.

Pure functions, no I/O. Everything that could let caller data change where a request goes
is validated or escaped here, once:

- the company slug becomes a host label only if it is letters, digits and hyphens, so a
  slug like ``evil.com/x`` or ``a@b`` can never change the host;
- every path segment is percent-escaped with nothing left safe (``a/b`` -> ``a%2Fb``), and
  empty, ``.`` and ``..`` segments are refused, so an id can never change the path;
- query keys and values are percent-encoded (``page[size]`` -> ``page%5Bsize%5D``) in a
  deterministic order;
- header names must be HTTP tokens and values must not contain CR, LF or NUL.

Booqable facts implemented (catalog ``global``): base URL
``https://{company_slug}.booqable.com/api/4/`` (``/api/boomerang/`` is the older name of the
same API); JSON:API media type ``application/vnd.api+json`` for ``Accept`` and
``Content-Type``, as the official Ruby gem sends.
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Mapping, Sequence
from typing import Final, TypeAlias
from urllib.parse import quote, urlsplit

import attrs
import msgspec

from booqable_async._redact import redact_repr, redact_url
from booqable_async._validation import check_header_fields, check_method
from booqable_async._version import __version__
from booqable_async.errors import UsageError
from booqable_async.transport import Headers, HttpRequest, Timeout

__all__ = [
    "API_VERSIONS",
    "JSONAPI_MEDIA_TYPE",
    "JSON_MEDIA_TYPE",
    "NOTHING",
    "USER_AGENT",
    "QueryParams",
    "QueryValue",
    "UrlRule",
    "base_url_for",
    "build_request",
    "path_template",
    "render_query",
]

#: Path names of the v4 API: ``/api/4/`` and its older alias ``/api/boomerang/``.
API_VERSIONS: Final = ("4", "boomerang")

#: "No JSON body" marker for ``build_request(json=...)``. It is ``attrs.NOTHING`` (one
#: sentinel for the whole library), so ``json=None`` can still send a JSON ``null``.
NOTHING: Final = attrs.NOTHING

#: The JSON:API media type Booqable answers with and the Ruby gem sends.
JSONAPI_MEDIA_TYPE: Final = "application/vnd.api+json"
#: Plain JSON, what most other REST APIs (and Booqable v1) speak.
JSON_MEDIA_TYPE: Final = "application/json"

#: ``User-Agent`` sent by default.
USER_AGENT: Final = (
    f"booqable-async/{__version__} python/{sys.version_info.major}.{sys.version_info.minor}"
)

#: Serialises request bodies. msgspec writes aware datetimes as RFC 3339 (UTC as ``Z``),
#: dates as ``YYYY-MM-DD``, UUIDs, enums and decimals by value, and dict keys that are
#: ints, UUIDs or enums as strings. Naive datetimes are written without an offset, so
#: Booqable reads them in the company's time zone.
_encode = msgspec.json.Encoder().encode

#: One query value; ``bool`` renders as ``true``/``false``.
QueryValue: TypeAlias = "str | int | float"
#: What ``params=`` accepts: a mapping (rendered sorted by key) or ordered pairs.
QueryParams: TypeAlias = (
    "Mapping[str, QueryValue | Sequence[QueryValue]] | Sequence[tuple[str, QueryValue]]"
)

# RFC 1035 label shape: a slug is one host label, nothing more (a dot or slash in it
# would change the host the token is sent to).
_SLUG_RE: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,62}")
# Characters that never need escaping in a path segment or query component (RFC 3986
# unreserved); lets the common case skip urllib's quoting machinery.
_UNRESERVED_RE: Final = re.compile(r"[A-Za-z0-9_.~-]+")
_UNRESERVED: Final = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
# ASCII text escapes with one str.translate, about a third faster than urllib's quote().
_ASCII_ESCAPES: Final = str.maketrans(
    {chr(code): f"%{code:02X}" for code in range(128) if chr(code) not in _UNRESERVED}
)
_CONTROL_RE: Final = re.compile(r"[\x00-\x1f\x7f]")
# Segments path_template keeps besides the resource type (catalog ``conventions.operations``:
# POST /x/search, GET /x/new, GET|PUT /x/current).
_TEMPLATE_VERBS: Final = frozenset({"search", "new", "current"})
# Headers values are immutable, so the two default sets are built once and shared.
_DEFAULT_HEADERS: Final = Headers((("Accept", JSONAPI_MEDIA_TYPE), ("User-Agent", USER_AGENT)))
_DEFAULT_BODY_HEADERS: Final = Headers(
    (
        ("Accept", JSONAPI_MEDIA_TYPE),
        ("Content-Type", JSONAPI_MEDIA_TYPE),
        ("User-Agent", USER_AGENT),
    )
)


# Bad input is echoed so the caller sees what was wrong, but clipped and scrubbed: a
# token passed in the wrong argument must not end up in a log line.
_shown = redact_repr


def base_url_for(
    *, company: str | None = None, base_url: str | None = None, api_version: str = "4"
) -> str:
    """Return the normalised API root every request path is joined onto.

    Args:
        company: The company slug (``acme`` for ``acme.booqable.com``): one DNS label of
            letters, digits and hyphens (at most 63, not starting with a hyphen). Host
            names are case-insensitive, so it is lower-cased.
        base_url: An explicit API root instead (the fake server, a proxy):
            ``http``/``https``, with a host, without query, fragment or credentials. Used
            as given (``api_version`` does not apply), with a ``/`` appended if missing.
        api_version: ``"4"`` (default) or ``"boomerang"``, the older name of the same path.

    Returns:
        The root URL, always ending with ``/``, e.g. ``https://acme.booqable.com/api/4/``.

    Raises:
        UsageError: Neither or both of ``company``/``base_url`` given, a slug that is not a
            single host label, a malformed ``base_url``, or an unknown ``api_version``.
    """
    if api_version not in API_VERSIONS:
        raise UsageError(
            f"api_version must be one of {', '.join(map(repr, API_VERSIONS))}, "
            f"got {_shown(api_version)}"
        )
    if (company is None) == (base_url is None):
        raise UsageError("pass exactly one of company= (the slug) or base_url=")
    if company is not None:
        if not isinstance(company, str) or not _SLUG_RE.fullmatch(company):
            raise UsageError(
                "company must be the company slug, as in https://<slug>.booqable.com: "
                "letters, digits and hyphens only (at most 63, not starting with a hyphen); "
                f"got {_shown(company)}"
            )
        return f"https://{company.lower()}.booqable.com/api/{api_version}/"
    assert base_url is not None  # narrowed by the exactly-one check above
    return _normalise_base_url(base_url)


@attrs.frozen
class UrlRule:
    """Where an API lives: a root per company, or one fixed root (part of an API profile).

    Attributes:
        template: Root URL with ``{company}`` (one host label) and optionally
            ``{version}``: ``https://{company}.booqable.com/api/{version}/``.
        versions: The values ``{version}`` may take, the default first.
        default: The root of an API with one host for everybody
            (``https://api.boogaenterprise.com/``); used when no ``company`` is given.
    """

    template: str | None = None
    versions: tuple[str, ...] = ()
    default: str | None = None

    @property
    def needs_company(self) -> bool:
        """True when a root can only be built from a company (no fixed default)."""
        return self.default is None and self.template is not None

    def example(self) -> str:
        """The template with placeholders shown, for messages (``https://<company>...``)."""
        shown = self.template or self.default or "https://..."
        return shown.replace("{company}", "<company>").replace(
            "{version}", self.versions[0] if self.versions else ""
        )

    def resolve(
        self,
        *,
        company: str | None = None,
        base_url: str | None = None,
        api_version: str | None = None,
    ) -> str:
        """Return the normalised root (ending with ``/``) for these settings.

        Args:
            company: Fills ``{company}`` in :attr:`template`.
            base_url: An explicit root instead (a fake server, a proxy), used as given.
            api_version: Fills ``{version}``; ``None`` takes the first of :attr:`versions`.

        Raises:
            UsageError: Both or (without a default) neither of ``company``/``base_url``,
                a company that is not one host label, an unknown version, a malformed
                ``base_url``.
        """
        if self.versions and api_version is not None and api_version not in self.versions:
            raise UsageError(
                f"api_version must be one of {', '.join(map(repr, self.versions))}, "
                f"got {_shown(api_version)}"
            )
        if company is not None and base_url is not None:
            raise UsageError("pass exactly one of company= or base_url=")
        if base_url is not None:
            return _normalise_base_url(base_url)
        if company is None:
            if self.default is None:
                raise UsageError(f"pass company= (as in {self.example()}) or base_url=")
            return _normalise_base_url(self.default)
        if self.template is None or "{company}" not in self.template:
            raise UsageError(
                f"this API has one address ({self.example()}) and takes no company=; "
                "pass base_url= to reach another one"
            )
        if not isinstance(company, str) or not _SLUG_RE.fullmatch(company):
            raise UsageError(
                f"company must be the company slug, as in {self.example()}: one host label of "
                "letters, digits and hyphens (at most 63, not starting with a hyphen); "
                f"got {_shown(company)}"
            )
        version = api_version if api_version is not None else (self.versions or ("",))[0]
        return self.template.format(company=company.lower(), version=version)


def _normalise_base_url(base_url: str) -> str:
    if not isinstance(base_url, str) or not base_url:
        raise UsageError(f"base_url must be a non-empty URL string, got {_shown(base_url)}")
    shown = _shown(redact_url(base_url))
    if _CONTROL_RE.search(base_url) or " " in base_url:
        raise UsageError(f"base_url must not contain spaces or control characters: {shown}")
    try:
        parts = urlsplit(base_url)
        port = parts.port  # parses (and validates) the port
    except ValueError as exc:
        raise UsageError(f"base_url is not a valid URL ({exc}): {shown}") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise UsageError(f"base_url must start with http:// or https://, got {shown}")
    if not parts.hostname:
        raise UsageError(f"base_url must include a host, got {shown}")
    if "@" in parts.netloc:
        raise UsageError(
            "base_url must not carry credentials (user:password@); pass token= or auth= "
            f"instead: {shown}"
        )
    if "?" in base_url or "#" in base_url:
        raise UsageError(f"base_url must not have a query string or fragment: {shown}")
    host = parts.hostname.lower()
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = host if port is None else f"{host}:{port}"
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    return f"{scheme}://{netloc}{path}"


def _segment(raw: object) -> str:
    if isinstance(raw, str) and raw not in (".", "..") and _UNRESERVED_RE.fullmatch(raw):
        return raw  # the common case: a type name or a UUID, nothing to escape
    if not isinstance(raw, str):
        raise UsageError(f"path segments must be strings, got {_shown(raw)}")
    if raw in ("", ".", ".."):
        raise UsageError(
            f"path segment {raw!r} is not allowed: empty, '.' and '..' segments could "
            "change which resource the request reaches"
        )
    if _CONTROL_RE.search(raw):
        raise UsageError(f"path segment {_shown(raw)} contains control characters")
    return _quote_component(raw)


def _raw_segments(path: object) -> Sequence[object]:
    # Typed ``object``: callers are untyped code too, and every shape is checked here.
    if isinstance(path, str):
        return path.strip("/").split("/")
    if isinstance(path, Sequence) and not isinstance(path, (bytes, bytearray)):
        if not path:
            raise UsageError("path must have at least one segment (the resource type)")
        return path
    raise UsageError(
        f"path must be a str like 'orders/<id>' or a sequence of segments, got {_shown(path)}"
    )


def _encode_path(path: str | Sequence[str]) -> str:
    return "/".join([_segment(raw) for raw in _raw_segments(path)])


def _check_base(base_url: str) -> str:
    # Cheap sanity checks only: base_url_for() did the real parsing once, at client set-up.
    if not isinstance(base_url, str) or not base_url.startswith(("https://", "http://")):
        raise UsageError(
            f"base_url must be an http(s) URL from base_url_for(), got {_shown(base_url)}"
        )
    if "?" in base_url or "#" in base_url:
        raise UsageError("base_url must not have a query string or fragment")
    return base_url if base_url.endswith("/") else base_url + "/"


def _quote_component(text: str) -> str:
    if _UNRESERVED_RE.fullmatch(text):
        return text
    if text.isascii():
        return text.translate(_ASCII_ESCAPES)
    try:
        return quote(text, safe="")
    except UnicodeEncodeError:
        raise UsageError(
            f"{_shown(text)} is not valid Unicode text (it cannot be UTF-8 encoded)"
        ) from None


def _query_value(key: str, value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):  # before int: bool is an int subclass
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and math.isfinite(value):
        return repr(value)
    raise UsageError(
        f"query parameter {key!r} has value {_shown(value)}; values must be str, int, "
        "finite float or bool (omit the key to leave it out)"
    )


def _query_key(key: object) -> str:
    if not isinstance(key, str) or not key:
        raise UsageError(f"query parameter names must be non-empty strings, got {_shown(key)}")
    return key


def _query_pairs(params: object) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    if isinstance(params, Mapping):
        keys = [_query_key(key) for key in params]
        for key in sorted(keys):
            value = params[key]
            if isinstance(value, (list, tuple)):
                pairs.extend((key, _query_value(key, item)) for item in value)
            else:
                pairs.append((key, _query_value(key, value)))
        return pairs
    if isinstance(params, (str, bytes)) or not isinstance(params, Sequence):
        raise UsageError(
            f"params must be a mapping or a sequence of (name, value) pairs, got {_shown(params)}"
        )
    for item in params:
        if not isinstance(item, (tuple, list)) or len(item) != 2:
            raise UsageError(f"query pairs must be (name, value) tuples, got {_shown(item)}")
        key = _query_key(item[0])
        pairs.append((key, _query_value(key, item[1])))
    return pairs


def render_query(params: QueryParams | None) -> str:
    """Render query parameters as a deterministic, fully percent-encoded query string.

    A sequence of pairs keeps the caller's order (``Query.to_params()`` already chose
    one); a mapping is rendered sorted by key, and a list/tuple value gives the key once
    per item, in list order (``include[]=a&include[]=b``). Keys and values are
    percent-encoded with nothing left unescaped but RFC 3986 unreserved characters:
    ``page[size]`` becomes ``page%5Bsize%5D``, a space ``%20``, a comma ``%2C``.

    Args:
        params: A mapping of name -> value(s), a sequence of ``(name, value)`` pairs, or
            ``None``. Values may be ``str``, ``int``, finite ``float`` or ``bool``
            (``true``/``false``).

    Returns:
        The query string without the leading ``?`` (``""`` when there are no pairs).

    Raises:
        UsageError: A name that is not a non-empty string, a value of another type
            (``None`` included), or text that is not valid Unicode.
    """
    if params is None:
        return ""
    return "&".join(
        f"{_quote_component(key)}={_quote_component(value)}" for key, value in _query_pairs(params)
    )


def _check_headers(headers: Mapping[str, str] | Headers) -> Headers:
    if not isinstance(headers, Headers):
        if not isinstance(headers, Mapping):
            raise UsageError(f"headers must be a mapping, got {_shown(type(headers))}")
        for name, value in headers.items():
            if not isinstance(name, str) or not isinstance(value, str):
                raise UsageError(
                    f"header {_shown(name)} must map a str name to a str value "
                    f"(got a {type(value).__name__} value)"
                )
        headers = Headers(headers)
    check_header_fields(headers.raw())
    return headers


def _encode_json(json: object) -> bytes:
    try:
        return _encode(json)
    except (TypeError, ValueError, OverflowError) as exc:
        raise UsageError(f"json= could not be serialised as JSON: {exc}") from None


def _check_body(body: object) -> bytes:
    if isinstance(body, bytes):
        return body
    if isinstance(body, (bytearray, memoryview)):
        return bytes(body)
    raise UsageError(
        f"body must be bytes (encode text first, or use json=), got {type(body).__name__}"
    )


def build_request(
    method: str,
    path: str | Sequence[str],
    *,
    base_url: str,
    params: QueryParams | None = None,
    json: object = NOTHING,
    body: bytes | None = None,
    headers: Mapping[str, str] | Headers | None = None,
    timeout: Timeout | None = None,
    media_type: str = JSONAPI_MEDIA_TYPE,
    trailing_slash: bool = False,
) -> HttpRequest:
    """Build one request to the API.

    Args:
        method: HTTP method, any case (``get`` -> ``GET``); must be an HTTP token.
        path: Path under ``base_url``. A ``str`` is split on ``/`` (leading and trailing
            slashes ignored): ``"orders/search"``. A sequence is taken as segments
            verbatim: ``("orders", order_id)``; use it whenever a segment comes from data.
            Every segment is percent-escaped (``a/b`` -> ``a%2Fb``, ``%`` -> ``%25``), so
            pass raw, unescaped text.
        base_url: The API root from :func:`base_url_for`.
        params: Query parameters, rendered by :func:`render_query`.
        json: A value to send as the JSON body (serialised with msgspec); ``None`` sends
            ``null``. Leave it out for no JSON body.
        body: Raw body bytes instead of ``json``.
        headers: Extra headers; they replace the defaults of the same name.
        timeout: Per-request time limits; ``None`` uses the transport's default.
        media_type: What ``Accept`` and ``Content-Type`` say (an API profile's; plain
            ``application/json`` for most APIs other than Booqable v4).
        trailing_slash: End the path with ``/`` (APIs whose routes do, like Django's:
            ``/api/files/``).

    Returns:
        The request, with ``Accept: <media_type>`` (``application/vnd.api+json`` by
        default), ``User-Agent: booqable-async/<version> python/<x.y>`` and, when there
        is a body, ``Content-Type: <media_type>`` unless ``headers`` overrides them.

    Raises:
        UsageError: A bad method, path segment (empty, ``.``, ``..``, control characters),
            query parameter, header, both ``json`` and ``body``, a body that is not bytes,
            or a ``json`` value msgspec cannot serialise.
    """
    verb = check_method(method)
    url = _check_base(base_url) + _encode_path(path)
    if trailing_slash:
        url += "/"
    query = render_query(params)
    if query:
        url = f"{url}?{query}"
    if json is not NOTHING:
        if body is not None:
            raise UsageError("pass either json= or body=, not both")
        body = _encode_json(json)
    elif body is not None:
        body = _check_body(body)
    if timeout is not None and not isinstance(timeout, Timeout):
        raise UsageError(f"timeout must be a Timeout or None, got {_shown(timeout)}")
    if media_type is JSONAPI_MEDIA_TYPE or media_type == JSONAPI_MEDIA_TYPE:
        merged = _DEFAULT_HEADERS if body is None else _DEFAULT_BODY_HEADERS
    else:
        merged = _media_headers(media_type, body is not None)
    if headers:
        merged = merged.merged(_check_headers(headers))
    return HttpRequest(verb, url, merged, body, timeout)


def _media_headers(media_type: str, with_body: bool) -> Headers:
    if not isinstance(media_type, str) or _CONTROL_RE.search(media_type):
        raise UsageError(f"media_type must be a media type string, got {_shown(media_type)}")
    if with_body:
        return Headers(
            (("Accept", media_type), ("Content-Type", media_type), ("User-Agent", USER_AGENT))
        )
    return Headers((("Accept", media_type), ("User-Agent", USER_AGENT)))


def path_template(path: str | Sequence[str], *, base_url: str) -> str:
    """Return a low-cardinality form of a request path, for metrics and hooks.

    The resource type (first segment, ``.json`` suffix included) and the verbs
    ``search``, ``new`` and ``current`` are kept; every other segment becomes ``{id}``
    (``{id}.json`` for the nested-JSON variant of a record).

    Args:
        path: The same ``path`` given to :func:`build_request`.
        base_url: The API root; its path is the prefix.

    Returns:
        A path such as ``/api/4/orders/{id}`` or ``/api/4/orders/search``.

    Raises:
        UsageError: The path is invalid in the same ways :func:`build_request` refuses.
    """
    base = _check_base(base_url)
    start = base.find("/", base.index("://") + 3)
    prefix = base[start:] if start >= 0 else "/"
    out: list[str] = []
    for position, raw in enumerate(_raw_segments(path)):
        segment = _segment(raw)
        if position == 0 or segment in _TEMPLATE_VERBS:
            out.append(segment)
        elif segment.endswith(".json"):
            out.append("{id}.json")
        else:
            out.append("{id}")
    return prefix + "/".join(out)
