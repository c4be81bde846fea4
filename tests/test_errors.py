from __future__ import annotations

import pytest

from booqable_async import errors
from booqable_async.errors import ApiError, RateLimited, status_error_class
from booqable_async.protocol import ErrorObject


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


def test_timeouts_are_builtin_timeout_errors() -> None:
    # Code that knows nothing about this library can still catch a timeout.
    for cls in (errors.ConnectTimeout, errors.ReadTimeout):
        err = cls("slow", method="GET", url="https://h/x?api_key=s3cr3t")
        assert isinstance(err, TimeoutError)
        assert isinstance(err, errors.TransportError)
        assert str(err) == "slow (GET https://h/x?api_key=REDACTED)"
    assert not isinstance(errors.ConnectError("x"), TimeoutError)
    with pytest.raises(TimeoutError):
        raise errors.ReadTimeout("slow")


def test_errors_module_holds_only_the_exception_tree() -> None:
    # Redaction and error-document parsing live elsewhere; errors.py is the tree (and
    # the status index that maps into it).
    for name in errors.__all__:
        obj = getattr(errors, name)
        assert (isinstance(obj, type) and issubclass(obj, errors.BooqableError)) or (
            name == "status_error_class"
        ), name
    for line in (errors.__doc__ or "").splitlines():
        drawn = line.strip(" │├└─").split(" ")[0]
        if drawn.endswith(("Error", "Timeout", "Mismatch")) and drawn != "NotLoadedError":
            assert drawn in errors.__all__, drawn
