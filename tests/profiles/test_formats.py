"""Error readers, rate-limit readers and 2xx bodies that report failure."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from booqable_async import errors
from booqable_async.protocol import (
    FixedPeriodHeaders,
    RateLimit,
    ResponseFormat,
    WindowHeaders,
    decipher_response,
    detail_code,
    error_envelope,
    first_of,
    jsonapi_errors,
    status_envelope,
)
from booqable_async.transport import HttpResponse
from booqable_async.v1 import v1_errors


def reply(status: int, body: Any, headers: dict[str, str] | None = None) -> HttpResponse:
    fields = {"Content-Type": "application/json", **(headers or {})}
    return HttpResponse(status, fields, orjson.dumps(body), url="https://x.test/a?api_key=k1")


def test_error_envelope() -> None:
    body = {
        "error": {
            "code": "invalid_request",
            "message": "Invalid email format",
            "details": {"field": "email", "issue": "Must be a valid email address"},
        }
    }
    (error,) = error_envelope(body)
    assert (error.code, error.detail, error.pointer) == (
        "invalid_request",
        "Invalid email format",
        "/email",
    )
    assert error.meta == {"details": body["error"]["details"]}
    (numeric,) = error_envelope({"error": {"status": 500, "message": "boom"}})
    assert (numeric.code, numeric.status, numeric.detail) == (None, "500", "boom")
    assert error_envelope({"error": "Not Found"}) == ()
    assert error_envelope([1, 2]) == ()


def test_detail_code_and_field_maps() -> None:
    (denied,) = detail_code({"detail": "You do not have permission.", "code": "permission_denied"})
    assert (denied.code, denied.detail) == ("permission_denied", "You do not have permission.")
    fields = detail_code(
        {
            "name": ["This field is required."],
            "email": "Enter a valid email address.",
            "non_field_errors": ["Both dates are needed.", "Another."],
        }
    )
    assert [(e.title, e.detail, e.pointer) for e in fields] == [
        ("name", "This field is required.", "/name"),
        ("email", "Enter a valid email address.", "/email"),
        ("non_field_errors", "Both dates are needed.", None),
        ("non_field_errors", "Another.", None),
    ]
    assert str(fields[0]) == "invalid: This field is required. [at /name]"
    assert detail_code({"name": ["ok"], "count": 3}) == ()  # not a field map
    assert detail_code({}) == ()
    assert detail_code("text") == ()


def test_status_envelope_and_first_of() -> None:
    (error,) = status_envelope({"status": "error", "message": "Unknown service", "code": 7})
    assert (error.code, error.detail, error.meta) == ("error", "Unknown service", {"code": 7})
    assert status_envelope({"status": "ok"}) == ()
    read = first_of(jsonapi_errors, status_envelope)
    assert read({"errors": [{"code": "a"}]})[0].code == "a"
    assert read({"status": "error"})[0].code == "error"
    assert read({"other": 1}) == ()


def test_a_2xx_that_reports_failure_is_an_application_error() -> None:
    beebole = ResponseFormat(body_errors=status_envelope, read_errors=status_envelope)
    with pytest.raises(errors.ApplicationError) as info:
        decipher_response(
            reply(200, {"status": "error", "message": "bad token=abc123def456ghi789"}),
            method="POST",
            response_format=beebole,
        )
    error = info.value
    assert error.status == 200
    assert error.codes == ("error",)
    assert "abc123def456ghi789" not in str(error)  # server text is scrubbed
    assert "api_key=REDACTED" in str(error)
    ok = reply(200, {"status": "ok", "companies": []})
    assert decipher_response(ok, response_format=beebole) == {"status": "ok", "companies": []}
    with pytest.raises(errors.Unauthorized) as denied:
        decipher_response(
            reply(401, {"status": "error", "message": "Invalid token"}), response_format=beebole
        )
    assert denied.value.errors[0].detail == "Invalid token"


def test_v1_items_not_available_is_a_shortage() -> None:
    body = {
        "error": {"status": "items_not_available", "data": {"2": {"available": 99, "need": 199}}}
    }
    v1 = ResponseFormat(read_errors=first_of(v1_errors, jsonapi_errors))
    with pytest.raises(errors.ShortageError) as info:
        decipher_response(reply(422, body), method="POST", response_format=v1)
    (entry,) = info.value.blocking
    assert (entry.item_id, entry.available, entry.needed, entry.shortage) == ("2", 99, 199, 100)
    assert not info.value.only_warnings
    assert "item 2, needs 199, 99 available, short by 100" in str(info.value)
    (plain,) = v1_errors({"error": {"status": "not_found", "message": "Record not found"}})
    assert (plain.code, plain.detail) == ("not_found", "Record not found")
    odd = v1_errors({"error": {"status": "items_not_available", "data": {"x": 3, "y": {}}}})
    assert odd[0].meta["blocking"] == [
        {"reason": "shortage", "item_id": "y", "available": None, "needed": None, "shortage": None}
    ]
    assert v1_errors({"errors": []}) == ()


def test_window_headers_read_every_window_shortest_first() -> None:
    read = WindowHeaders({"Minute": 60.0, "Hour": 3600.0})
    both = read(
        {
            "X-RateLimit-Limit-Hour": "3600",
            "X-RateLimit-Remaining-Hour": "3542",
            "x-ratelimit-limit-minute": "60",
            "x-ratelimit-remaining-minute": "0",
        }
    )
    assert both == RateLimit(60, 60.0, 0, also=(RateLimit(3600, 3600.0, 3542),))
    assert both is not None
    assert both.windows == (
        RateLimit(60, 60.0, 0),
        RateLimit(3600, 3600.0, 3542),
    )
    assert repr(both) == (
        "RateLimit(limit=60, period=60.0, remaining=0, also=(RateLimit(limit=3600, "
        "period=3600.0, remaining=3542),))"
    )
    assert read({"X-RateLimit-Limit-Hour": "100"}) == RateLimit(100, 3600.0, None)
    assert read({"X-RateLimit-Limit-Minute": "junk"}) is None
    assert WindowHeaders()({"X-RateLimit-Limit-Day": "4000"}) == RateLimit(4000, 86400.0)


def test_fixed_period_headers() -> None:
    hourly = FixedPeriodHeaders(period=3600.0)
    assert hourly({"X-RateLimit-Limit": "1000", "X-RateLimit-Remaining": "7"}) == RateLimit(
        1000, 3600.0, 7
    )
    assert hourly({"X-RateLimit-Limit": "0"}) is None
    assert hourly({}) is None
    assert RateLimit(5, 1.0).windows == (RateLimit(5, 1.0),)


def test_an_error_carries_the_profiles_rate_limit_snapshot() -> None:
    booga = ResponseFormat(read_errors=detail_code, read_rate_limit=WindowHeaders({"Minute": 60.0}))
    response = reply(
        429,
        {"detail": "Request was throttled.", "code": "throttled"},
        {"X-RateLimit-Limit-Minute": "60", "X-RateLimit-Remaining-Minute": "0"},
    )
    with pytest.raises(errors.RateLimited) as info:
        decipher_response(response, response_format=booga)
    assert info.value.rate_limit == RateLimit(60, 60.0, 0)
    assert info.value.codes == ("throttled",)
