from __future__ import annotations

from datetime import datetime, timezone

import pytest

from booqable_async.protocol import RateLimit, parse_rate_limit, parse_retry_after
from booqable_async.transport import Headers

NOW = datetime(2026, 11, 23, 12, 0, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (
            {"X-Ratelimit-Limit": "50", "X-Ratelimit-Period": "60", "X-Ratelimit-Remaining": "49"},
            RateLimit(50, 60.0, 49),
        ),
        ({"x-ratelimit-limit": "250", "X-RATELIMIT-PERIOD": "60"}, RateLimit(250, 60.0, None)),
        ({"X-Ratelimit-Limit": "50"}, None),
        ({"X-Ratelimit-Limit": "abc", "X-Ratelimit-Period": "60"}, None),
        ({"X-Ratelimit-Limit": "0", "X-Ratelimit-Period": "60"}, None),
        ({"X-Ratelimit-Limit": "50", "X-Ratelimit-Period": "-1"}, None),
        ({"X-Ratelimit-Limit": "nan", "X-Ratelimit-Period": "60"}, None),
        (
            {"X-Ratelimit-Limit": "50", "X-Ratelimit-Period": "60", "X-Ratelimit-Remaining": "x"},
            RateLimit(50, 60.0, None),
        ),
        ({}, None),
    ],
)
def test_parse_rate_limit_plain_mapping(
    headers: dict[str, str], expected: RateLimit | None
) -> None:
    assert parse_rate_limit(headers) == expected
    assert parse_rate_limit(Headers(headers)) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", None),
        ("   ", None),
        ("120", 120.0),
        ("1.5", 1.5),
        ("-3", None),
        ("soon", None),
        ("Mon, 23 Nov 2026 12:00:30 GMT", 30.0),
        ("Mon, 23 Nov 2026 11:00:00 GMT", 0.0),
        ("Mon, 23 Nov 2026 12:00:30", 30.0),
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, now=NOW) == expected


def test_parse_retry_after_defaults_to_real_clock() -> None:
    assert parse_retry_after("Thu, 01 Jan 1970 00:00:00 GMT") == 0.0
