"""Typecasting of written values and filter values (Graphiti rules, table tests)."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

import pytest

from booqable_async.testing._values import (
    TypecastError,
    cast_filter_value,
    comparable,
    format_datetime,
    parse_date,
    parse_datetime,
    typecast,
)

UTC = timezone.utc


@pytest.mark.parametrize(
    ("type_name", "value", "expected"),
    [
        ("string", "a", "a"),
        ("string", 1.5, "1.5"),
        ("uuid", "x", "x"),
        ("enum", 3, "3"),
        ("integer", 3, 3),
        ("integer", 3.0, 3),
        ("integer", " 7 ", 7),
        ("float", 2, 2.0),
        ("big_decimal", "2.5", 2.5),
        ("boolean", True, True),
        ("boolean", "f", False),
        ("boolean", 1, True),
        ("datetime", "2025-01-01T10:00:00Z", "2025-01-01T10:00:00.000000+00:00"),
        ("date", "2025-01-02", "2025-01-02"),
        ("date", "2025-01-02T23:00:00-02:00", "2025-01-03"),
        ("hash", {"a": 1}, {"a": 1}),
        ("array", [1], [1]),
        ("carrierwave_file", "data:x", "data:x"),
        ("mystery", object, object),
        ("integer", None, None),
    ],
)
def test_typecast_accepts(type_name: str, value: Any, expected: Any) -> None:
    assert typecast(type_name, value) == expected


@pytest.mark.parametrize(
    ("type_name", "value"),
    [
        ("string", [1]),
        ("integer", True),
        ("integer", 1.5),
        ("integer", "one"),
        ("integer", [1]),
        ("float", "x"),
        ("float", float("inf")),
        ("float", None.__class__),
        ("boolean", 2),
        ("boolean", "maybe"),
        ("datetime", 1),
        ("datetime", "soon"),
        ("date", 1),
        ("date", "2025-13-01"),
        ("hash", []),
        ("array", {}),
    ],
)
def test_typecast_rejects(type_name: str, value: Any) -> None:
    with pytest.raises(TypecastError) as info:
        typecast(type_name, value)
    assert str(info.value) == f"failed typecasting to {type_name}"


@pytest.mark.parametrize(
    ("type_name", "value", "expected"),
    [
        ("integer", "5", 5),
        ("integer", "null", None),
        ("string", "null", "null"),
        ("float", "1.5", 1.5),
        ("boolean", "true", True),
        ("datetime", "2025-01-01 10:00:00 UTC", datetime(2025, 1, 1, 10, tzinfo=UTC)),
        ("date", "2025-01-01", date(2025, 1, 1)),
        ("hash", {"a": "1"}, {"a": "1"}),
        ("string", True, "true"),
        ("uuid", 5, "5"),
        ("string", None, None),
    ],
)
def test_filter_values(type_name: str, value: Any, expected: Any) -> None:
    assert cast_filter_value(type_name, value) == expected


@pytest.mark.parametrize(
    ("type_name", "value"), [("integer", "x"), ("datetime", "x"), ("date", "x")]
)
def test_bad_filter_values(type_name: str, value: Any) -> None:
    with pytest.raises(TypecastError):
        cast_filter_value(type_name, value)


@pytest.mark.parametrize(
    ("type_name", "value", "expected"),
    [
        ("datetime", "2025-01-01T00:00:00Z", datetime(2025, 1, 1, tzinfo=UTC)),
        ("datetime", "garbage", None),
        ("date", "2025-01-01", date(2025, 1, 1)),
        ("date", "garbage", None),
        ("float", 3, 3.0),
        ("string", "a", "a"),
        ("integer", None, None),
    ],
)
def test_comparable(type_name: str, value: Any, expected: Any) -> None:
    assert comparable(type_name, value) == expected


def test_time_helpers() -> None:
    assert format_datetime(datetime(2025, 1, 1, 12)) == "2025-01-01T12:00:00.000000+00:00"
    assert parse_datetime("2025-01-01").tzinfo == UTC
    assert parse_date("2025-01-01T10:00:00Z") == date(2025, 1, 1)
