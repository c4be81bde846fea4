"""The sans-I/O protocol layer: build requests, decipher responses, parse headers.

Nothing in this package awaits or touches the network; it is pure functions over the
transport's value types, so it works with any HTTP client and is tested without a server::

    request = build_request("GET", ("orders", order_id), base_url=base_url_for(company="acme"))
    response = ...  # send request.method / request.url / request.headers / request.body
    payload = decipher_response(response, method=request.method, url=request.url)
"""

from __future__ import annotations

from booqable_async.protocol._error_formats import (
    ErrorReader,
    detail_code,
    error_envelope,
    first_of,
    jsonapi_errors,
    status_envelope,
)
from booqable_async.protocol._error_objects import (
    ErrorObject,
    ShortageEntry,
    parse_error_objects,
    parse_shortage,
)
from booqable_async.protocol._headers import (
    FixedPeriodHeaders,
    RateLimit,
    RateLimitReader,
    WindowHeaders,
    parse_rate_limit,
    parse_retry_after,
)
from booqable_async.protocol._pages import (
    GraphitiPages,
    NumberedPages,
    OffsetPages,
    PageBody,
    PageStyle,
)
from booqable_async.protocol._request import (
    API_VERSIONS,
    JSON_MEDIA_TYPE,
    JSONAPI_MEDIA_TYPE,
    NOTHING,
    USER_AGENT,
    QueryParams,
    QueryValue,
    UrlRule,
    base_url_for,
    build_request,
    path_template,
    render_query,
)
from booqable_async.protocol._response import (
    EXCERPT_LIMIT,
    JSONAPI_FORMAT,
    ResponseFormat,
    api_error_for,
    decipher_response,
)

__all__ = [
    "API_VERSIONS",
    "EXCERPT_LIMIT",
    "JSONAPI_FORMAT",
    "JSONAPI_MEDIA_TYPE",
    "JSON_MEDIA_TYPE",
    "NOTHING",
    "USER_AGENT",
    "ErrorObject",
    "ErrorReader",
    "FixedPeriodHeaders",
    "GraphitiPages",
    "NumberedPages",
    "OffsetPages",
    "PageBody",
    "PageStyle",
    "QueryParams",
    "QueryValue",
    "RateLimit",
    "RateLimitReader",
    "ResponseFormat",
    "ShortageEntry",
    "UrlRule",
    "WindowHeaders",
    "api_error_for",
    "base_url_for",
    "build_request",
    "decipher_response",
    "detail_code",
    "error_envelope",
    "first_of",
    "jsonapi_errors",
    "parse_error_objects",
    "parse_rate_limit",
    "parse_retry_after",
    "parse_shortage",
    "path_template",
    "render_query",
    "status_envelope",
]
