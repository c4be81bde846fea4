"""The shared checks: one rule each for counts, numbers, HTTP tokens, header fields and ids."""

from __future__ import annotations

import pytest

from booqable_async._validation import (
    check_header_fields,
    check_method,
    check_record_id,
    is_int,
    is_number,
    require_int,
    require_number,
)
from booqable_async.errors import UsageError
from booqable_async.protocol import base_url_for, build_request
from booqable_async.transport import HttpRequest
from booqable_async.transport._common import check_request

TOKEN = "tok_5e1a0c2b7d9f4e3a8b6c1d0e2f3a4b5c"


def test_bools_are_never_counts() -> None:
    assert is_int(3)
    assert not is_int(True)
    assert not is_int(3.0)
    assert is_number(2.5)
    assert is_number(float("nan"))
    assert not is_number(False)
    assert not is_number("1")


@pytest.mark.parametrize("value", [0, -1, True, 1.0, "2", None])
def test_require_int_says_what_and_echoes_scrubbed(value: object) -> None:
    with pytest.raises(UsageError, match=r"^size must be an integer >= 1 \(pages\), got "):
        require_int(value, "size", minimum=1, note=" (pages)")
    assert require_int(1, "size", minimum=1) == 1


def test_require_number_bounds_and_nan() -> None:
    assert require_number(0, "wait") == 0.0
    assert require_number(float("inf"), "wait") == float("inf")
    with pytest.raises(UsageError, match="wait must be a number of seconds > 0, got 0"):
        require_number(0, "wait", inclusive=False, unit="of seconds ")
    for bad in (float("nan"), -1, True, "1"):
        with pytest.raises(UsageError, match="wait must be a number >= 0"):
            require_number(bad, "wait")
    with pytest.raises(UsageError) as info:
        require_number(TOKEN, "wait")
    assert TOKEN not in str(info.value)


def test_methods_and_headers() -> None:
    assert check_method("get") == "GET"
    assert check_method("PROPFIND") == "PROPFIND"
    for bad in ("GE T", "GET\r\n", ""):
        with pytest.raises(UsageError, match="invalid HTTP method"):
            check_method(bad)
    with pytest.raises(UsageError, match="must be a str"):
        check_method(42)
    check_header_fields([("X-A", "1"), ("Authorization", "Bearer x")])
    with pytest.raises(UsageError, match="invalid header name 'Bad Name'"):
        check_header_fields([("Bad Name", "v")])
    with pytest.raises(UsageError) as info:
        check_header_fields([("Authorization", f"Bearer {TOKEN}\r\nX-Injected: 1")])
    assert "CR, LF or NUL" in str(info.value)
    assert TOKEN not in str(info.value)


@pytest.mark.parametrize("headers", [{"X-A": "a\nb"}, {"Bad Name": "v"}])
def test_protocol_and_transport_refuse_the_same_headers_the_same_way(
    headers: dict[str, str],
) -> None:
    # One module decides: building a request and sending a hand-made one agree.
    with pytest.raises(UsageError) as built:
        build_request("GET", "orders", base_url=base_url_for(company="acme"), headers=headers)
    with pytest.raises(UsageError) as sent:
        check_request(HttpRequest("GET", "https://acme.booqable.com/api/4/orders", headers))
    assert str(built.value) == str(sent.value)


def test_record_ids() -> None:
    assert check_record_id("3e037580") == "3e037580"
    for bad in ("", "  ", None, 7):
        with pytest.raises(UsageError, match=r"order_id must be a non-empty id \(the record's id"):
            check_record_id(bad, "order_id")
