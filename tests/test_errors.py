from __future__ import annotations

import pytest

from booqable_async import errors
from booqable_async.errors import (
    ApiError,
    ErrorObject,
    RateLimited,
    redact_url,
    status_error_class,
)


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, errors.BadRequest),
        (401, errors.Unauthorized),
        (402, errors.PaymentRequired),
        (403, errors.Forbidden),
        (404, errors.NotFound),
        (405, errors.MethodNotAllowed),
        (406, errors.NotAcceptable),
        (409, errors.Conflict),
        (410, errors.Gone),
        (415, errors.UnsupportedMediaType),
        (418, errors.ClientError),
        (422, errors.UnprocessableEntity),
        (423, errors.Locked),
        (429, errors.RateLimited),
        (500, errors.ServerError),
        (502, errors.ServerError),
        (503, errors.ServerError),
        (599, errors.ServerError),
        (302, errors.UnexpectedStatus),
        (101, errors.UnexpectedStatus),
    ],
)
def test_status_error_class(status: int, cls: type[ApiError]) -> None:
    assert status_error_class(status) is cls
    assert issubclass(cls, ApiError)


def test_every_error_is_a_booqable_error() -> None:
    for name in errors.__all__:
        obj = getattr(errors, name)
        if isinstance(obj, type) and issubclass(obj, Exception):
            assert issubclass(obj, errors.BooqableError)


def test_api_error_message_has_status_codes_and_request_id() -> None:
    err = errors.UnprocessableEntity(
        422,
        errors=[ErrorObject(code="items_not_available", detail="Not enough", pointer="/data")],
        request_id="req-1",
        method="POST",
        url="https://acme.booqable.com/api/4/orders?api_key=SECRET",
    )
    text = str(err)
    assert "HTTP 422" in text
    assert "items_not_available: Not enough [at /data]" in text
    assert "req-1" in text
    assert "SECRET" not in text
    assert err.codes == ("items_not_available",)


def test_api_error_message_truncates_long_error_lists() -> None:
    err = errors.BadRequest(400, errors=[ErrorObject(code=f"c{i}") for i in range(5)])
    assert "(+2 more)" in str(err)


def test_api_error_uses_body_excerpt_without_errors() -> None:
    err = errors.ServerError(502, body_excerpt="Bad Gateway")
    assert str(err) == "HTTP 502: Bad Gateway"


def test_rate_limited_carries_retry_after() -> None:
    err = RateLimited(retry_after=12.5)
    assert err.status == 429
    assert err.retry_after == 12.5
    assert "retry after 12.5 s" in str(err)
    assert "retry after" not in str(RateLimited())


def test_error_object_str() -> None:
    assert str(ErrorObject()) == "error"
    assert str(ErrorObject(title="Bad")) == "Bad"


def test_transport_error_request_sent_defaults() -> None:
    assert errors.ConnectError("x").request_sent is False
    assert errors.ConnectError("x").retryable is True
    assert errors.ConnectTimeout("x").request_sent is False
    assert errors.TLSError("x").request_sent is False
    assert errors.ReadTimeout("x").request_sent is True
    assert errors.ReadTimeout("x").retryable is False
    assert errors.ConnectionReset("x", request_sent=False).retryable is True
    err = errors.ProtocolError("bad", method="GET", url="https://u:pw@h/x?token=abc&a=1")
    assert "pw" not in str(err)
    assert "abc" not in str(err)
    assert "a=1" in str(err)


def test_decode_error_pointer() -> None:
    err = errors.DecodeError("not a datetime", "/data/3/attributes/starts_at")
    assert err.pointer == "/data/3/attributes/starts_at"
    assert str(err) == "not a datetime (at /data/3/attributes/starts_at)"
    assert str(errors.DecodeError("not JSON")) == "not JSON (at /)"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://h/api/4/orders", "https://h/api/4/orders"),
        ("https://h/a?api_key=s3cr3t&page[size]=1", "https://h/a?api_key=REDACTED&page[size]=1"),
        ("https://h/a?API_KEY=s3cr3t", "https://h/a?API_KEY=REDACTED"),
        ("https://user:pass@h/a", "https://REDACTED@h/a"),
        ("http://[::1", "<unparseable url>"),
    ],
)
def test_redact_url(url: str, expected: str) -> None:
    assert redact_url(url) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Authorization: Bearer abc", "Authorization: REDACTED"),
        ("HTTP_AUTHORIZATION: Bearer abc", "HTTP_AUTHORIZATION: REDACTED"),
        ('"HTTP_COOKIE"=>"s=abc", "x"=>1', '"HTTP_COOKIE"=>REDACTED'),
        ("Set-Cookie: _session=abc; path=/\nnext line", "Set-Cookie: REDACTED\nnext line"),
        ("session-expiry-token: abc", "session-expiry-token: REDACTED"),
        ("sent Bearer abc.def-ghi", "sent Bearer REDACTED"),
        ("basic dXNlcjpwYXNz", "basic REDACTED"),
        ("api_key=abc&x=1", "api_key=REDACTED&x=1"),
        ("X-Api-Key: abc", "X-Api-Key: REDACTED"),
        ('{"token":"abc","a":1}', '{"token":"REDACTED","a":1}'),
        ("{'access_token': 'abc'}", "{'access_token': 'REDACTED'}"),
        ("password: hunter2", "password: REDACTED"),
        ("client_secret=xyz", "client_secret=REDACTED"),
        ("jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln here", "jwt REDACTED here"),
        ("key 8f14e45fceea167a5a36dedd4bea2543!", "key REDACTED!"),
        # Kept: UUIDs (record and request ids), words, numbers, ordinary prose.
        ("id 3e037580-3d7a-4d23-876c-f0ba1a481bb7", "id 3e037580-3d7a-4d23-876c-f0ba1a481bb7"),
        ("stock_item_archivations_are_fine", "stock_item_archivations_are_fine"),
        ("123456789012345678901234567890", "123456789012345678901234567890"),
        ("token expired", "token expired"),
        ("the tokens are fine", "the tokens are fine"),
        ("code: items_not_available", "code: items_not_available"),
        ("", ""),
    ],
)
def test_redact_text(text: str, expected: str) -> None:
    assert errors.redact_text(text) == expected


def test_any_api_error_carries_retry_after() -> None:
    err = errors.ServerError(503, retry_after=120.0)
    assert err.retry_after == 120.0
    assert str(err) == "HTTP 503; retry after 120 s"
    assert errors.NotFound(404).retry_after is None


def test_api_error_message_scrubs_and_clips_server_text() -> None:
    err = errors.Unauthorized(
        401,
        errors=[ErrorObject(detail="Bearer abcdef " + "x" * 5000)],
        body_excerpt="ignored when there are errors",
    )
    assert "abcdef" not in str(err)
    assert len(str(err)) < 400
    assert str(err).endswith("…")
    err = errors.ServerError(502, body_excerpt="api_key=s3cr3t " + "y" * 1000)
    assert "s3cr3t" not in str(err)
    assert len(str(err)) < 400


def test_explicit_message_wins() -> None:
    assert str(errors.NotFound(404, message="custom")) == "custom"


def test_error_objects_show_scrubbed_text_but_keep_it_verbatim() -> None:
    token = "5e1a0c2b7d9f4e3a8b6c1d0e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a"
    error = ErrorObject(code="unauthorized", detail=f"token {token} is invalid", meta={"k": token})
    assert error.detail == f"token {token} is invalid"  # for code: verbatim
    assert error.meta == {"k": token}
    assert token not in str(error)
    assert token not in repr(error)
    assert token not in repr((error,))  # log.error("%s", exc.errors)
    assert repr(ErrorObject(code="x")).startswith("ErrorObject(code='x', status=None")


def test_redact_repr_scrubs_and_clips() -> None:
    token = "5e1a0c2b7d9f4e3a8b6c1d0e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a"
    assert errors.redact_repr(token) == "'REDACTED'"
    assert errors.redact_repr(12.5) == "12.5"
    long = errors.redact_repr("word " * 100)
    assert len(long) == 80
    assert long.endswith("…")
