"""Command-line filter values: typed by the catalog, lists, between, hash filters."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from booqable_async.cli._values import (
    add_filters,
    parse_fieldsets,
    parse_filter,
    parse_names,
    parse_scalar,
    parse_value,
    parse_where,
)
from booqable_async.errors import UsageError
from booqable_async.query import Query
from booqable_async.schema import get_schema

ORDERS = get_schema("orders")
COUPONS = get_schema("coupons")
UTC = dt.timezone.utc


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        ("5", "integer", 5),
        ("-12", "integer", -12),
        ("1.50", "float", Decimal("1.50")),
        ("true", "boolean", True),
        ("Yes", "boolean", True),
        ("0", "boolean", False),
        ("false", "boolean", False),
        ("2024-05-01", "datetime", dt.date(2024, 5, 1)),
        ("2024-05-01T10:00:00Z", "datetime", dt.datetime(2024, 5, 1, 10, tzinfo=UTC)),
        ("2024-05-01T10:00:00z", "datetime", dt.datetime(2024, 5, 1, 10, tzinfo=UTC)),
        ("2024-05-01T10:00", "datetime", dt.datetime(2024, 5, 1, 10, tzinfo=UTC)),
        (
            "2024-05-01T12:00:00+02:00",
            "datetime",
            dt.datetime(2024, 5, 1, 10, tzinfo=UTC),
        ),
        ("2024-05-01", "date", dt.date(2024, 5, 1)),
        ("null", "integer", None),
        ("reserved", "enum", "reserved"),
        ("5", "string", "5"),
        ("5", None, "5"),
    ],
)
def test_parse_scalar_by_catalog_type(text: str, kind: str | None, expected: object) -> None:
    assert parse_scalar(text, kind, "f") == expected


def test_datetime_offsets_are_kept_as_instants() -> None:
    value = parse_scalar("2024-05-01T12:00:00+02:00", "datetime", "starts_at")
    assert isinstance(value, dt.datetime)
    assert value.utcoffset() == dt.timedelta(hours=2)


@pytest.mark.parametrize(
    ("text", "kind", "message"),
    [
        ("five", "integer", "'five' is not an integer"),
        ("1,5x", "float", "is not a number"),
        ("maybe", "boolean", "is not a boolean"),
        ("May 1st", "datetime", "is not an ISO 8601 date or time"),
        ("2024-13-01", "date", "is not an ISO 8601"),
    ],
)
def test_parse_scalar_rejects_malformed_values(text: str, kind: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        parse_value(text, kind, "f")


def test_lists_between_and_quoting() -> None:
    assert parse_value("reserved,started", "enum", "status") == ["reserved", "started"]
    assert parse_value("1, 2", "integer", "number") == [1, 2]
    assert parse_value("{{Doe, John}}", "string", "name") == "Doe, John"
    window = parse_value("2024-01-01,2024-02-01", "datetime", "starts_at", "between")
    assert window == (dt.date(2024, 1, 1), dt.date(2024, 2, 1))
    with pytest.raises(UsageError, match=r"\[between\] takes two values"):
        parse_value("2024-01-01", "datetime", "starts_at", "between")
    with pytest.raises(UsageError, match=r"takes two values: low,high \(got 3\)"):
        parse_value("1,2,3", "integer", "number", "between")


def test_parse_where_types_values_from_the_schema() -> None:
    assert parse_where("number=5", ORDERS) == ("number", "eq", None, 5)
    assert parse_where("status=reserved,started", ORDERS) == (
        "status",
        "eq",
        None,
        ["reserved", "started"],
    )
    # A field the schema does not know is kept as text (validation reports it later).
    assert parse_where(" nope =1", ORDERS) == ("nope", "eq", None, "1")
    assert parse_where("number=5") == ("number", "eq", None, "5")
    for bad in ("status", "=x"):
        with pytest.raises(UsageError, match="--where takes field=value"):
            parse_where(bad, ORDERS)


def test_parse_filter_operators_and_hash_keys() -> None:
    assert parse_filter("number[gte]=10", ORDERS) == ("number", "gte", None, 10)
    assert parse_filter("number=10", ORDERS) == ("number", "eq", None, 10)
    assert parse_filter("starts_at[between]=2024-01-01,2024-02-01", ORDERS)[3] == (
        dt.date(2024, 1, 1),
        dt.date(2024, 2, 1),
    )
    # On a hash filter (coupons.range), a bracketed word that is no operator is a key.
    assert parse_filter("range[from]=2024", COUPONS) == ("range", "eq", "from", "2024")
    assert parse_filter("range[eq]=x", COUPONS) == ("range", "eq", None, "x")
    with pytest.raises(UsageError, match=r"--filter takes field\[operator\]=value"):
        parse_filter("number[gte]", ORDERS)
    with pytest.raises(UsageError, match="is not an integer"):
        parse_filter("number[gte]=ten", ORDERS)


def test_a_bracketed_word_on_a_plain_field_is_an_operator_checked_like_the_api() -> None:
    # It used to become a hash filter (filter[number][greater]=5) that only the server
    # refused (HTTP 400); now it is the API's own operator check, word for word.
    with pytest.raises(UsageError) as api:
        Query().filter("number", "greater", 5)
    with pytest.raises(UsageError) as cli:
        parse_filter("number[greater]=5", ORDERS)
    assert str(cli.value) == str(api.value)
    assert "did you mean 'gt'" in str(cli.value)
    # Hash filters keep their keys; an unknown field is left to the query's validation.
    assert parse_filter("conditions[operator]=or", ORDERS) == ("conditions", "eq", "operator", "or")
    assert parse_filter("bogus[gte]=1", ORDERS) == ("bogus", "gte", None, "1")


def test_add_filters_builds_the_query_and_merges_hash_keys() -> None:
    query = add_filters(
        Query(),
        [
            parse_where("status=reserved", ORDERS),
            parse_filter("number[gte]=10", ORDERS),
            parse_filter("range[from]=a", COUPONS),
            parse_filter("range[till]=b", COUPONS),
        ],
    )
    assert query.to_params() == [
        ("filter[number][gte]", "10"),
        ("filter[range][from]", "a"),
        ("filter[range][till]", "b"),
        ("filter[status]", "reserved"),
    ]


def test_parse_names_and_fieldsets() -> None:
    assert parse_names(["customer, coupon", "customer", " ", "lines.item"]) == [
        "customer",
        "coupon",
        "lines.item",
    ]
    assert parse_names(None) == []
    assert parse_fieldsets(["number,status", "customers=name,email", "number"], "orders") == {
        "orders": ["number", "status"],
        "customers": ["name", "email"],
    }
    assert parse_fieldsets(None, "orders") == {}
    for bad in ("customers=", "=name"):
        with pytest.raises(UsageError, match="--fields takes names"):
            parse_fieldsets([bad], "orders")
