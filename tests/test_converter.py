from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

import attrs
import cattrs
import pytest

from booqable_async.converter import (
    configure_converter,
    default_converter,
    format_datetime,
    make_converter,
    parse_date,
    parse_datetime,
)

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


def test_format_datetime_round_trips() -> None:
    value = datetime(2025, 1, 2, 3, 4, 5, 6, tzinfo=UTC)
    assert format_datetime(value) == "2025-01-02T03:04:05.000006+00:00"
    assert parse_datetime(format_datetime(value)) == value
    assert format_datetime(datetime(2025, 1, 2)) == "2025-01-02T00:00:00+00:00"


@attrs.define
class Nested:
    when: datetime
    day: date
    cents: int
    ratio: float
    label: str
    flag: bool
    tags: list[str]


def test_converter_structures_our_types() -> None:
    conv = make_converter()
    value = conv.structure(
        {
            "when": "2025-01-01T00:00:00Z",
            "day": "2025-01-02",
            "cents": "12",
            "ratio": 3,
            "label": 7,
            "flag": True,
            "tags": ["a"],
        },
        Nested,
    )
    assert value == Nested(
        datetime(2025, 1, 1, tzinfo=UTC), date(2025, 1, 2), 12, 3.0, "7", True, ["a"]
    )
    assert isinstance(value.ratio, float)
    assert conv.unstructure(value)["when"] == "2025-01-01T00:00:00+00:00"
    assert conv.unstructure(value)["day"] == "2025-01-02"


@pytest.mark.parametrize(
    ("value", "tp", "expected"),
    [
        (3.0, int, 3),
        (" -4 ", int, -4),
        ("2.5", float, 2.5),
        (True, str, "true"),
        (False, str, "false"),
        (1.5, str, "1.5"),
        (datetime(2025, 1, 1), datetime, datetime(2025, 1, 1, tzinfo=UTC)),
        (datetime(2025, 1, 1, 5), date, date(2025, 1, 1)),
        (date(2025, 1, 1), date, date(2025, 1, 1)),
    ],
)
def test_lenient_structuring(value: Any, tp: type, expected: Any) -> None:
    assert default_converter().structure(value, tp) == expected


@pytest.mark.parametrize(
    ("value", "tp", "message"),
    [
        (True, int, "boolean"),
        (1.5, int, "integer"),
        ("1.5", int, "string"),
        ([1], int, "array"),
        (False, float, "boolean"),
        ("x", float, "string"),
        (None, float, "null"),
        ({}, str, "object"),
        (1, bool, "boolean"),
        (5, datetime, "timestamp"),
        (5, date, "date"),
        ("x" * 100, int, r"\.\.\."),
    ],
)
def test_strict_where_it_matters(value: Any, tp: type, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        default_converter().structure(value, tp)


def test_configure_a_converter_of_your_own() -> None:
    conv = cattrs.Converter()
    configure_converter(conv)
    assert conv.structure("2025-01-01T00:00:00+00:00", datetime).tzinfo is not None
    assert default_converter() is default_converter()
    assert make_converter() is not make_converter()
