from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import orjson
import pytest

from booqable_async import errors
from booqable_async.protocol import (
    EXCERPT_LIMIT,
    ErrorObject,
    RateLimit,
    api_error_for,
    decipher_response,
    parse_error_objects,
)
from booqable_async.transport import HttpResponse

URL = "https://acme.booqable.com/api/4/orders?api_key=k3y-S3CR3T&page%5Bsize%5D=1"
JSONAPI = {"Content-Type": "application/vnd.api+json; charset=utf-8"}
NOW = datetime(2026, 11, 23, 12, 0, 0, tzinfo=timezone.utc)

NGINX_502 = b"""<html>
<head><title>502 Bad Gateway</title></head>
<body>
<center><h1>502 Bad Gateway</h1></center>
<hr><center>nginx</center>
</body>
</html>
"""

CLOUDFLARE_LIKE = b"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>acme.booqable.com | 504: Gateway time-out</title>
<style>body { font-family: sans-serif; } .x { color: red }</style>
<script>window._cf = {"token": "cf9b2c61e0d44d3c8e0a5f1e2d3c4b5a"};</script>
</head><body>
<!-- debug: Authorization: Bearer sk_live_51H8abcdefghijklmnop -->
<div class="cf-error">Gateway time-out &amp; retry</div>
<p>Ray ID: <strong>8a1b2c3d4e5f6a7b</strong></p>
</body></html>"""


def _error(response: HttpResponse, **kwargs: Any) -> errors.ApiError:
    with pytest.raises(errors.ApiError) as info:
        decipher_response(response, **kwargs)
    return info.value


# --- successes ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "headers", "body", "expected"),
    [
        (200, JSONAPI, b'{"data": []}', {"data": []}),
        (201, JSONAPI, b'{"data": {"id": "1"}}', {"data": {"id": "1"}}),
        (200, {"Content-Type": "application/json; charset=utf-8"}, b'{"a": 1}', {"a": 1}),
        (200, {"Content-Type": "Application/JSON"}, b"[1, 2]", [1, 2]),
        (200, {"Content-Type": "application/problem+json"}, b'"x"', "x"),
        (200, {"Content-Type": 'application/json; charset="UTF-8"'}, b"42", 42),
        (200, {}, b'{"no": "content type"}', {"no": "content type"}),
        (200, JSONAPI, b'\xef\xbb\xbf{"bom": true}', {"bom": True}),
        (200, {"Content-Type": "application/hal+json"}, b'\xef\xbb\xbf{"bom": 1}', {"bom": 1}),
        (200, {}, b'\xef\xbb\xbf{"bom": 2}', {"bom": 2}),
        (
            200,
            {"Content-Type": "application/json; charset=utf-16"},
            '{"wide": "é"}'.encode("utf-16"),
            {"wide": "é"},
        ),
        (200, {"Content-Type": "application/json; charset=latin-1"}, b'{"a": "\xe9"}', {"a": "é"}),
        (204, {}, b"", None),
        (204, JSONAPI, b"ignored", None),
        (205, {}, b"", None),
        (200, JSONAPI, b"", None),
        (200, JSONAPI, b"  \r\n\t ", None),
        (200, {"Content-Type": "text/html"}, b"   ", None),
        (200, {"Content-Type": "application/json"}, b"\xef\xbb\xbf  ", None),
        (202, {}, b"", None),
    ],
)
def test_success_payloads(
    status: int, headers: dict[str, str], body: bytes, expected: object
) -> None:
    assert decipher_response(HttpResponse(status, headers, body, url=URL)) == expected


@pytest.mark.parametrize(
    ("headers", "body", "fragment"),
    [
        (JSONAPI, b"<html>oops</html>", "body is not valid JSON"),
        (JSONAPI, b'{"data": [', "body is not valid JSON"),
        (JSONAPI, b"\xff\xfe{}", "body is not valid JSON"),
        ({}, b"garbage", "no Content-Type"),
        (
            {"Content-Type": "text/html; charset=utf-8"},
            b"<p>Hello</p>",
            "expected JSON, got text/html",
        ),
        (
            {"Content-Type": "text/plain"},
            b'{"looks": "like json"}',
            "expected JSON, got text/plain",
        ),
        ({"Content-Type": "application/json; charset=nope"}, b"{}", "not valid nope text"),
        ({"Content-Type": "application/json; charset=utf-16"}, b"\xff", "not valid utf-16 text"),
    ],
)
def test_unreadable_success_is_a_decode_error(
    headers: dict[str, str], body: bytes, fragment: str
) -> None:
    with pytest.raises(errors.DecodeError) as info:
        decipher_response(HttpResponse(200, headers, body, url=URL), method="get")
    err = info.value
    assert err.pointer == ""
    assert fragment in str(err)
    assert "HTTP 200 for GET https://acme.booqable.com/api/4/orders" in str(err)
    assert "S3CR3T" not in str(err)
    assert f"({len(body)} bytes)" in str(err)


def test_html_success_says_what_arrived() -> None:
    with pytest.raises(errors.DecodeError) as info:
        decipher_response(
            HttpResponse(200, {"Content-Type": "text/html"}, CLOUDFLARE_LIKE), url="https://h/x"
        )
    text = str(info.value)
    assert "expected JSON, got text/html" in text
    assert "Gateway time-out" in text
    assert "sk_live" not in text
    assert "cf9b2c61" not in text


def test_url_argument_overrides_response_url() -> None:
    with pytest.raises(errors.DecodeError) as info:
        decipher_response(HttpResponse(200, JSONAPI, b"nope", url="https://a/x"), url="https://b/y")
    assert "https://b/y" in str(info.value)
    assert "https://a/x" not in str(info.value)


def test_decode_error_without_method_or_url() -> None:
    with pytest.raises(errors.DecodeError) as info:
        decipher_response(HttpResponse(200, JSONAPI, b"nope"))
    assert str(info.value).startswith("HTTP 200: body is not valid JSON")


# --- errors: status -> class ----------------------------------------------------------


# The status -> class table itself is tested in tests/test_errors.py; here every status
# family must come out of decipher_response as that class, whatever the body.
@pytest.mark.parametrize(
    "status",
    [
        0,
        100,
        101,
        199,
        301,
        304,
        400,
        401,
        402,
        403,
        404,
        405,
        406,
        409,
        410,
        415,
        418,
        422,
        423,
        429,
        500,
        502,
        503,
        504,
        600,
    ],
)
@pytest.mark.parametrize(
    "body",
    [b"", b'{"errors": [{"code": "x", "status": "999"}]}', b"<html>page</html>", b"\x00\xff"],
)
def test_status_maps_to_class(status: int, body: bytes) -> None:
    err = _error(HttpResponse(status, JSONAPI, body, url=URL), method="GET")
    assert type(err) is errors.status_error_class(status)
    assert err.status == status
    assert "S3CR3T" not in str(err)
    assert f"HTTP {status} for GET https://acme.booqable.com/api/4/orders?api_key=REDACTED" in str(
        err
    )


def test_informational_and_redirects_are_unexpected() -> None:
    for status in (100, 302, 304):
        assert type(_error(HttpResponse(status))) is errors.UnexpectedStatus


def test_api_error_for_builds_without_raising() -> None:
    err = api_error_for(
        HttpResponse(404, JSONAPI, b'{"errors": [{"code": "resources_not_found"}]}')
    )
    assert isinstance(err, errors.NotFound)
    assert err.codes == ("resources_not_found",)
    assert err.url == ""
    assert err.method == ""


# --- errors: what they carry ----------------------------------------------------------


def test_json_api_error_fields() -> None:
    body = orjson.dumps(
        {
            "errors": [
                {
                    "code": "items_not_available",
                    "status": "422",
                    "title": "Items not available",
                    "detail": "One or more items are not available",
                    "source": {"pointer": "/data/attributes/stops_at", "parameter": "include"},
                    "meta": {"blocking": [{"item_id": "i1", "shortage": 1}], "warning": []},
                }
            ]
        }
    )
    headers = {
        **JSONAPI,
        "X-Request-Id": "req-42",
        "X-Ratelimit-Limit": "100",
        "X-Ratelimit-Period": "60",
        "X-Ratelimit-Remaining": "7",
    }
    err = _error(HttpResponse(422, headers, body, url=URL), method="put")
    # An availability 422 is a ShortageError straight from the protocol layer, so the
    # session and the facades raise the same class for it.
    assert isinstance(err, errors.ShortageError)
    assert isinstance(err, errors.UnprocessableEntity)
    assert [(e.item_id, e.shortage) for e in err.blocking] == [("i1", 1)]
    assert err.warnings == ()
    assert err.errors == (
        ErrorObject(
            code="items_not_available",
            status="422",
            title="Items not available",
            detail="One or more items are not available",
            pointer="/data/attributes/stops_at",
            parameter="include",
            meta={"blocking": [{"item_id": "i1", "shortage": 1}], "warning": []},
        ),
    )
    assert err.request_id == "req-42"
    assert err.rate_limit == RateLimit(100, 60.0, 7)
    assert err.method == "PUT"
    assert err.url == "https://acme.booqable.com/api/4/orders?api_key=REDACTED&page[size]=1"
    assert err.headers is not None
    assert err.headers["x-request-id"] == "req-42"
    assert err.body_excerpt == ""
    assert str(err) == (
        "HTTP 422 for PUT https://acme.booqable.com/api/4/orders?api_key=REDACTED&page[size]=1: "
        "items_not_available: One or more items are not available [at /data/attributes/stops_at]"
        " (request id req-42) (blocking: item i1, short by 1)"
    )


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "30"}, 30.0),
        ({"retry-after": "2.5"}, 2.5),
        ({"Retry-After": "Mon, 23 Nov 2026 12:01:00 GMT"}, 60.0),
        ({"Retry-After": "Mon, 23 Nov 2026 11:00:00 GMT"}, 0.0),
        ({"Retry-After": "soon"}, None),
        ({}, None),
    ],
)
def test_rate_limited_retry_after(headers: dict[str, str], expected: float | None) -> None:
    err = _error(HttpResponse(429, headers, b""), now=NOW)
    assert isinstance(err, errors.RateLimited)
    assert err.retry_after == expected
    if expected is not None:
        assert f"retry after {expected:g} s" in str(err)


def test_retry_after_on_maintenance_503() -> None:
    err = _error(HttpResponse(503, {"Retry-After": "120"}, b""))
    assert type(err) is errors.ServerError
    assert err.retry_after == 120.0
    assert err.body_excerpt == ""
    assert str(err) == "HTTP 503; retry after 120 s"


def test_html_502_from_a_proxy() -> None:
    err = _error(HttpResponse(502, {"Content-Type": "text/html"}, NGINX_502, url=URL), method="GET")
    assert type(err) is errors.ServerError
    assert err.errors == ()
    assert err.body_excerpt == "502 Bad Gateway nginx"
    assert str(err).endswith(": 502 Bad Gateway nginx")


def test_html_page_excerpt_is_safe() -> None:
    err = _error(HttpResponse(504, {"Content-Type": "text/html; charset=utf-8"}, CLOUDFLARE_LIKE))
    excerpt = err.body_excerpt
    assert excerpt.startswith("acme.booqable.com | 504: Gateway time-out: Gateway time-out & retry")
    assert "Ray ID: 8a1b2c3d4e5f6a7b" in excerpt
    for secret in ("cf9b2c61", "sk_live", "font-family", "window._cf", "<", "debug"):
        assert secret not in excerpt
        assert secret not in str(err)


def test_html_without_content_type_is_still_stripped() -> None:
    err = _error(HttpResponse(500, {}, b"  <h1>Internal Server Error</h1>"))
    assert err.body_excerpt == "Internal Server Error"


def test_rails_routing_error_text() -> None:
    body = (
        b'ActionController::RoutingError (No route matches [GET] "/api/4/nope"):\n\n'
        b"actionpack (7.2.2.1) lib/action_dispatch/middleware/debug_exceptions.rb:35:in `call'\n"
    ) * 20
    err = _error(HttpResponse(404, {"Content-Type": "text/plain; charset=utf-8"}, body))
    assert isinstance(err, errors.NotFound)
    assert err.body_excerpt.startswith(
        'ActionController::RoutingError (No route matches [GET] "/api/4/nope"): actionpack'
    )
    assert len(err.body_excerpt) == EXCERPT_LIMIT
    assert err.body_excerpt.endswith("…")


def test_rails_routing_error_json() -> None:
    body = orjson.dumps(
        {
            "status": 404,
            "error": "Not Found",
            "exception": '#<ActionController::RoutingError: No route matches [DELETE] "/x">',
            "traces": {"Application Trace": [], "Framework Trace": [{"id": 0}] * 200},
        }
    )
    err = _error(HttpResponse(404, {"Content-Type": "application/json; charset=UTF-8"}, body))
    assert err.errors == ()
    assert err.body_excerpt == (
        'Not Found: #<ActionController::RoutingError: No route matches [DELETE] "/x">'
    )


@pytest.mark.parametrize(
    ("body", "excerpt"),
    [
        (b'{"type": "about:blank", "title": "Bad", "detail": "No good"}', "Bad: No good"),
        (b'{"message": "Throttled", "error": "Throttled"}', "Throttled"),
        (b'{"errors": []}', '{"errors": []}'),
        (b'{"errors": null, "message": "m"}', "m"),
        (b'{"other": 1}', '{"other": 1}'),
        (b"[1, 2]", "[1, 2]"),
        (b'{"unterminated": ', '{"unterminated":'),
        (b"\xef\xbb\xbf  Service  Unavailable ", "Service Unavailable"),
        ("a\x00b\x1b[31mc\u202ed".encode(), "a b [31mc d"),
    ],
)
def test_error_body_excerpts(body: bytes, excerpt: str) -> None:
    err = _error(HttpResponse(503, {}, body))
    assert err.errors == ()
    assert err.body_excerpt == excerpt


def test_json_error_document_with_bom() -> None:
    err = _error(HttpResponse(409, JSONAPI, b'\xef\xbb\xbf {"errors": [{"code": "conflict"}]}'))
    assert isinstance(err, errors.Conflict)
    assert err.codes == ("conflict",)


def test_empty_error_bodies() -> None:
    for body in (b"", b"   \n"):
        err = _error(HttpResponse(503, JSONAPI, body))
        assert err.errors == ()
        assert err.body_excerpt == ""
        assert str(err) == "HTTP 503"


def test_huge_error_list() -> None:
    document = {"errors": [{"code": f"c{i}", "detail": "x" * 1000} for i in range(20_000)]}
    err = _error(HttpResponse(422, JSONAPI, orjson.dumps(document)))
    assert len(err.errors) == 20_000
    assert err.codes[-1] == "c19999"
    assert "(+19997 more)" in str(err)
    assert len(str(err)) < 1200


def test_huge_detail_is_clipped_in_the_message_not_in_the_data() -> None:
    detail = "word " * 200_000
    err = _error(HttpResponse(400, JSONAPI, orjson.dumps({"errors": [{"detail": detail}]})))
    assert err.errors[0].detail == detail
    assert len(str(err)) < 400


def test_huge_html_page_is_cheap_and_bounded() -> None:
    page = b"<html><head>" + b"<script>" * 200_000 + b"</head><body>late</body></html>"
    err = _error(HttpResponse(502, {"Content-Type": "text/html"}, page))
    assert len(err.body_excerpt) <= EXCERPT_LIMIT
    body = b"<p>" + b"A1b2C3d4 " * 1_000_000 + b"</p>"
    err = _error(HttpResponse(502, {"Content-Type": "text/html"}, body))
    assert len(err.body_excerpt) <= EXCERPT_LIMIT


def test_truncated_scan_drops_a_cut_credential() -> None:
    # The excerpt looks at the first 32 KiB; a token cut at that boundary is dropped
    # rather than shown half-redacted.
    filler = b"<!-- " + b"x" * (32 * 1024 - 30) + b" -->"
    body = filler + b"tok1tok2tok3tok4tok5" + b"tok6" * 100
    err = _error(HttpResponse(500, {"Content-Type": "text/html"}, body))
    assert "tok" not in err.body_excerpt
    err = _error(HttpResponse(500, {"Content-Type": "text/html"}, b"x" * 40_000))
    assert err.body_excerpt == ""


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("abc-123", "abc-123"),
        ("  abc  ", "abc"),
        ("a\r\nb\x00c", "abc"),
        ("x" * 500, "x" * 128),
        ("", None),
        ("\x01", None),
    ],
)
def test_request_id_is_cleaned(value: str, expected: str | None) -> None:
    err = _error(HttpResponse(500, {"X-Request-Id": value}, b""))
    assert err.request_id == expected


def test_secret_headers_never_reach_the_message() -> None:
    headers = [
        ("Set-Cookie", "_booqable_session=c00kieS3CRET; path=/"),
        ("Authorization", "Bearer b34rerS3CRET"),
        ("Cookie", "a=c00kie2S3CRET"),
        ("Session-Expiry-Token", "sessS3CRET"),
        ("X-Request-Id", "rid-1"),
    ]
    err = _error(HttpResponse(401, headers, b'{"errors": [{"code": "unauthorized"}]}', url=URL))
    assert "S3CRET" not in str(err)
    assert "S3CR3T" not in str(err)
    assert "S3CRET" not in repr(err.headers)


def test_server_supplied_text_is_scrubbed_in_messages() -> None:
    body = orjson.dumps(
        {
            "errors": [
                {
                    "code": "bad",
                    "detail": "token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln expired",
                },
                {"code": "bad", "detail": "api_key=abcd1234efgh5678 is revoked"},
            ]
        }
    )
    err = _error(HttpResponse(401, JSONAPI, body))
    assert "eyJ" not in str(err)
    assert "abcd1234" not in str(err)
    # The data itself is kept verbatim for the caller.
    assert err.errors[1].detail == "api_key=abcd1234efgh5678 is revoked"


# --- parse_error_objects --------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"errors": [{"code": "x"}]}, (ErrorObject(code="x"),)),
        ([{"code": "x"}], (ErrorObject(code="x"),)),
        ({"errors": {"code": "single"}}, (ErrorObject(code="single"),)),
        ({"errors": "boom"}, (ErrorObject(detail="boom"),)),
        (
            {"errors": ["a", 1, None, [], {"code": "b"}]},
            (
                ErrorObject(detail="a"),
                ErrorObject(code="b"),
            ),
        ),
        ({"errors": None}, ()),
        ({"errors": 5}, ()),
        ({}, ()),
        (None, ()),
        (42, ()),
        ({"errors": [{}]}, (ErrorObject(),)),
        (
            {"errors": [{"status": 404, "code": 7, "title": True, "detail": ["x"]}]},
            (ErrorObject(status="404", code="7"),),
        ),
        ({"errors": [{"status": 404.0}]}, (ErrorObject(status="404"),)),
        ({"errors": [{"status": 4.5}]}, (ErrorObject(status="4.5"),)),
        ({"errors": [{"status": float("nan")}]}, (ErrorObject(),)),
        (
            {"errors": [{"source": {"pointer": "data/attributes/name"}}]},
            (ErrorObject(pointer="/data/attributes/name"),),
        ),
        ({"errors": [{"source": {"pointer": ""}}]}, (ErrorObject(pointer=""),)),
        ({"errors": [{"source": {"pointer": "/data"}}]}, (ErrorObject(pointer="/data"),)),
        ({"errors": [{"source": {"pointer": 3}}]}, (ErrorObject(pointer="/3"),)),
        (
            {"errors": [{"source": {"parameter": "filter[x]"}}]},
            (ErrorObject(parameter="filter[x]"),),
        ),
        ({"errors": [{"source": "data/attributes/name"}]}, (ErrorObject(),)),
        ({"errors": [{"meta": None}]}, (ErrorObject(meta={}),)),
        ({"errors": [{"meta": [1, 2]}]}, (ErrorObject(meta={"value": [1, 2]}),)),
        ({"errors": [{"meta": "m"}]}, (ErrorObject(meta={"value": "m"}),)),
        (
            {"errors": [{"meta": {"warning": [], "blocking": [{"a": 1}]}}]},
            (ErrorObject(meta={"warning": [], "blocking": [{"a": 1}]}),),
        ),
    ],
)
def test_parse_error_objects(payload: Any, expected: tuple[ErrorObject, ...]) -> None:
    assert parse_error_objects(payload) == expected


@pytest.mark.parametrize(
    ("page", "excerpt"),
    [
        (b"<title>A</title><title>B</title><p>body</p>", "A: body"),
        (b"<title>Only a title</title>", "Only a title"),
        (b"<title>Same</title><h1>Same</h1>", "Same"),
        (b"<title>unclosed", ""),
        (b"<p>a &lt; b &amp;&amp; c</p><", "a < b && c"),
        (b"<!-- unclosed comment", ""),
        (b"<style>p{}</style><STYLE>q{}</STYLE>text", "text"),
    ],
)
def test_html_excerpts(page: bytes, excerpt: str) -> None:
    err = _error(HttpResponse(500, {"Content-Type": "text/html"}, page))
    assert err.body_excerpt == excerpt


def test_broken_json_success_is_not_excerpted() -> None:
    body = b'{"data": [{"attributes": {"email": "jane@example.com"'
    with pytest.raises(errors.DecodeError) as info:
        decipher_response(HttpResponse(200, JSONAPI, body))
    assert "jane@example.com" not in str(info.value)
    assert "truncated" in str(info.value)
    with pytest.raises(errors.DecodeError) as info:
        decipher_response(HttpResponse(200, JSONAPI, b"<html><h1>Maintenance</h1></html>"))
    assert "body starts: 'Maintenance'" in str(info.value)


@pytest.mark.parametrize("collector_on", [True, False])
def test_a_large_page_parses_the_same_and_leaves_the_collector_as_it_was(
    collector_on: bool,
) -> None:
    import gc

    document = {
        "data": [{"type": "orders", "id": str(i), "attributes": {"n": i}} for i in range(2000)]
    }
    body = orjson.dumps(document)
    assert len(body) > 32 * 1024  # parsed with the collector paused
    response = HttpResponse(200, {"Content-Type": "application/vnd.api+json"}, body)
    was = gc.isenabled()
    try:
        (gc.enable if collector_on else gc.disable)()
        assert decipher_response(response, method="GET") == document
        assert gc.isenabled() is collector_on
        broken = HttpResponse(200, {"Content-Type": "application/vnd.api+json"}, body[:-1])
        with pytest.raises(errors.DecodeError):
            decipher_response(broken, method="GET")
        assert gc.isenabled() is collector_on
    finally:
        (gc.enable if was else gc.disable)()
