"""Booqable's timestamp and date formats (booqable_async._timestamps)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from booqable_async._timestamps import format_datetime, parse_date, parse_datetime
from booqable_async.errors import UsageError

UTC = timezone.utc


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "2025-07-09T09:22:00.952147+00:00",
            datetime(2025, 7, 9, 9, 22, 0, 952147, tzinfo=UTC),
        ),
        ("2022-04-27T12:54:37Z", datetime(2022, 4, 27, 12, 54, 37, tzinfo=UTC)),
        ("2022-04-27T12:54:37z", datetime(2022, 4, 27, 12, 54, 37, tzinfo=UTC)),
        ("2022-04-27T12:54:37.5Z", datetime(2022, 4, 27, 12, 54, 37, 500000, tzinfo=UTC)),
        (
            "2022-04-27T12:54:37.123456789+02:00",
            datetime(2022, 4, 27, 12, 54, 37, 123456, tzinfo=timezone(timedelta(hours=2))),
        ),
        (
            "2022-04-27T12:54-0530",
            datetime(2022, 4, 27, 12, 54, tzinfo=timezone(-timedelta(hours=5, minutes=30))),
        ),
        (
            "2022-04-27 12:54:37+01",
            datetime(2022, 4, 27, 12, 54, 37, tzinfo=timezone(timedelta(hours=1))),
        ),
        ("2022-04-27T12:54:37", datetime(2022, 4, 27, 12, 54, 37, tzinfo=UTC)),
        # Forms fromisoformat refuses on some Python versions: the careful path.
        ("2022-04-27T12:54z", datetime(2022, 4, 27, 12, 54, tzinfo=UTC)),
        ("2022-04-27T12:54:37,25z", datetime(2022, 4, 27, 12, 54, 37, 250000, tzinfo=UTC)),
        (
            " 2022-04-27T12:54:37+01 ",
            datetime(2022, 4, 27, 12, 54, 37, tzinfo=timezone(timedelta(hours=1))),
        ),
        (
            "2022-04-27T12:54:37-0130 ",
            datetime(2022, 4, 27, 12, 54, 37, tzinfo=timezone(-timedelta(hours=1, minutes=30))),
        ),
        ("2022-04-27T12:54:37 ", datetime(2022, 4, 27, 12, 54, 37, tzinfo=UTC)),
    ],
)
def test_parse_datetime_is_aware(text: str, expected: datetime) -> None:
    parsed = parse_datetime(text)
    assert parsed == expected
    assert parsed.tzinfo is not None


@pytest.mark.parametrize("text", ["yesterday", "", "2022-13-01T00:00:00Z", "12:00"])
def test_parse_datetime_refuses(text: str) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - the message varies by Python version
        parse_datetime(text)


def test_parse_date() -> None:
    assert parse_date("2024-02-29") == date(2024, 2, 29)
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        parse_date("2024-02-29T00:00:00")
    with pytest.raises(ValueError):  # noqa: PT011
        parse_date("2023-02-29")


def test_format_datetime_writes_utc_with_z() -> None:
    value = datetime(2025, 1, 2, 3, 4, 5, 6, tzinfo=UTC)
    assert format_datetime(value) == "2025-01-02T03:04:05.000006Z"
    assert parse_datetime(format_datetime(value)) == value
    assert format_datetime(datetime(2025, 1, 2, tzinfo=UTC)) == "2025-01-02T00:00:00Z"
    # One instant, one text, whatever offset it was written with.
    plus_two = datetime(2025, 1, 2, 5, 4, 5, 6, tzinfo=timezone(timedelta(hours=2)))
    assert format_datetime(plus_two) == format_datetime(value)


def test_format_datetime_refuses_a_naive_datetime() -> None:
    with pytest.raises(UsageError, match=r"naive datetime '2025-01-02T00:00:00'.*tzinfo="):
        format_datetime(datetime(2025, 1, 2))


def test_the_query_package_publishes_the_one_writer() -> None:
    from booqable_async import query

    assert query.format_datetime is format_datetime
