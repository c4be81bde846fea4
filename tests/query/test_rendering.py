"""Rendering tables: every operator and every value type, query string and search body."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from decimal import Decimal

import pytest

from booqable_async.errors import UsageError
from booqable_async.query import Query, format_datetime
from booqable_async.query._operators import OPERATORS

UTC = dt.timezone.utc
CEST = dt.timezone(dt.timedelta(hours=2))


class Status(enum.Enum):
    RESERVED = "reserved"


class Count(enum.IntEnum):
    THREE = 3


SAME = object()  # the JSON form equals the query-string text
SCALAR_OPERATORS = [op for op in OPERATORS if op != "between"]


@pytest.mark.parametrize("op", SCALAR_OPERATORS)
def test_every_operator_renders_its_bracket(op: str) -> None:
    params = Query().filter("name", op, "john").to_params()
    key = "filter[name]" if op == "eq" else f"filter[name][{op}]"
    assert params == [(key, "john")]


@pytest.mark.parametrize("op", SCALAR_OPERATORS)
def test_every_operator_in_the_search_body(op: str) -> None:
    body = Query().filter("name", op, "john").to_search_body()
    expected = "john" if op == "eq" else {op: "john"}
    assert body == {"filter": {"name": expected}}


def test_between_renders_two_list_members() -> None:
    low = dt.datetime(2024, 1, 1, tzinfo=UTC)
    high = dt.datetime(2024, 1, 2, tzinfo=UTC)
    q = Query().filter("start_or_stop_time", "between", (low, high))
    assert q.to_params() == [
        ("filter[start_or_stop_time][between][]", "2024-01-01T00:00:00Z"),
        ("filter[start_or_stop_time][between][]", "2024-01-02T00:00:00Z"),
    ]
    assert q.to_search_body()["filter"] == {
        "start_or_stop_time": {"between": ["2024-01-01T00:00:00Z", "2024-01-02T00:00:00Z"]}
    }


@pytest.mark.parametrize(
    ("value", "text", "json"),
    [
        ("reserved", "reserved", "reserved"),
        (42, "42", 42),
        (-7, "-7", -7),
        (2.5, "2.5", 2.5),
        (True, "true", True),
        (False, "false", False),
        (None, "null", None),
        (Decimal("12.50"), "12.50", "12.50"),
        (
            uuid.UUID("24e54970-7473-49a9-a71a-8c07eb97e510"),
            "24e54970-7473-49a9-a71a-8c07eb97e510",
            "24e54970-7473-49a9-a71a-8c07eb97e510",
        ),
        (Status.RESERVED, "reserved", "reserved"),
        (Count.THREE, "3", 3),
        (dt.date(2024, 10, 5), "2024-10-05", "2024-10-05"),
        (dt.datetime(2022, 4, 27, 12, 54, 37, tzinfo=UTC), "2022-04-27T12:54:37Z", SAME),
        (dt.datetime(2022, 4, 27, 14, 54, 37, tzinfo=CEST), "2022-04-27T12:54:37Z", SAME),
        (
            dt.datetime(2017, 8, 24, 2, 52, 1, 120, tzinfo=UTC),
            "2017-08-24T02:52:01.000120Z",
            SAME,
        ),
        ("Doe, John", "{{Doe, John}}", "{{Doe, John}}"),
        ("{{a,b}}", "{{a,b}}", "{{a,b}}"),
        ("a&b=c d+e%", "a&b=c d+e%", "a&b=c d+e%"),
        ("ünïcødé", "ünïcødé", "ünïcødé"),
    ],
)
def test_value_types(value: object, text: str, json: object) -> None:
    q = Query().where(field=value)
    assert q.to_params() == [("filter[field]", text)]
    assert q.to_search_body() == {"filter": {"field": text if json is SAME else json}}


def test_list_values_repeat_the_key_with_brackets() -> None:
    q = Query().where(item_id=["a", "b"])
    assert q.to_params() == [("filter[item_id][]", "a"), ("filter[item_id][]", "b")]
    assert q.to_search_body() == {"filter": {"item_id": ["a", "b"]}}


def test_list_members_with_commas_are_not_quoted() -> None:
    # Graphiti only splits plain strings; each list member arrives whole.
    assert Query().where(tag_list=["a,b"]).to_params() == [("filter[tag_list][]", "a,b")]


def test_set_values_render_sorted() -> None:
    q = Query().where(status={"started", "reserved", "new"})
    assert [v for _, v in q.to_params()] == ["new", "reserved", "started"]


def test_list_with_operator() -> None:
    q = Query().filter("status", "not_eq", ["canceled", "archived"])
    assert q.to_params() == [
        ("filter[status][not_eq][]", "canceled"),
        ("filter[status][not_eq][]", "archived"),
    ]


def test_nested_hash_filters() -> None:
    when = dt.datetime(2026, 7, 30, 11, 17, 19, tzinfo=UTC)
    q = Query().where(range={"from": when, "till": when + dt.timedelta(days=1)})
    assert q.to_params() == [
        ("filter[range][from]", "2026-07-30T11:17:19Z"),
        ("filter[range][till]", "2026-07-31T11:17:19Z"),
    ]
    deep = Query().where(configuration={"f448": "029c", "x": {"y": [1, 2]}, "s": "a,b"})
    assert deep.to_params() == [
        ("filter[configuration][f448]", "029c"),
        ("filter[configuration][x][y][]", "1"),
        ("filter[configuration][x][y][]", "2"),
        ("filter[configuration][s]", "a,b"),  # hash filters are never split by Graphiti
    ]
    assert deep.to_search_body()["filter"] == {
        "configuration": {"f448": "029c", "x": {"y": [1, 2]}, "s": "a,b"}
    }


def test_eq_is_explicit_when_a_field_has_several_operators() -> None:
    q = Query().where(number=5).filter("number", "lt", 10)
    assert q.to_params() == [("filter[number][eq]", "5"), ("filter[number][lt]", "10")]
    assert q.to_search_body()["filter"] == {"number": {"eq": 5, "lt": 10}}


def test_coupons_doc_example_renders_identically() -> None:
    # coupons__list__response_2.json: the docs' own query string (unencoded).
    q = (
        Query()
        .where(active=True, q="WINTER", tag_list=["winter", "clearance"])
        .where(
            range={
                "from": dt.datetime(2026, 7, 30, 11, 17, 19, tzinfo=UTC),
                "till": dt.datetime(2026, 7, 31, 11, 17, 19, tzinfo=UTC),
            }
        )
        .stats(active="count", tag_list="count")
    )
    expected = (
        "filter[active]=true&filter[q]=WINTER&filter[range][from]=2026-07-30T11:17:19Z"
        "&filter[range][till]=2026-07-31T11:17:19Z&filter[tag_list][]=winter"
        "&filter[tag_list][]=clearance&stats[active][]=count&stats[tag_list][]=count"
    )
    assert "&".join(f"{k}={v}" for k, v in q.to_params()) == expected


def test_orders_doc_example() -> None:
    # orders__list__response_2.json: fields[orders]=id,status&filter[status][not_eq]=canceled
    q = Query().fields(orders=["id", "status"]).filter("status", "not_eq", "canceled")
    assert q.to_params() == [
        ("filter[status][not_eq]", "canceled"),
        ("fields[orders]", "id,status"),
    ]


def test_full_order_of_parameters() -> None:
    q = (
        Query()
        .page(number=2, size=50)
        .stats(total="count", grand_total_in_cents=["sum", "average"])
        .extra_fields(collections="hierarchical_name")
        .fields(orders=["number"], customers="name")
        .include("customer", "customer.properties")
        .sort("-created_at", "id")
        .where(status="reserved")
    )
    assert q.to_params() == [
        ("filter[status]", "reserved"),
        ("sort", "-created_at,id"),
        ("include", "customer,customer.properties"),
        ("fields[customers]", "name"),
        ("fields[orders]", "number"),
        ("extra_fields[collections]", "hierarchical_name"),
        ("stats[grand_total_in_cents][]", "sum"),
        ("stats[grand_total_in_cents][]", "average"),
        ("stats[total][]", "count"),
        ("page[number]", "2"),
        ("page[size]", "50"),
    ]
    assert q.to_search_body() == {
        "fields": {"customers": "name", "orders": "number"},
        "extra_fields": {"collections": "hierarchical_name"},
        "filter": {"status": "reserved"},
        "include": "customer,customer.properties",
        "sort": "-created_at,id",
        "stats": {"grand_total_in_cents": ["sum", "average"], "total": ["count"]},
        "page": {"number": 2, "size": 50},
    }


def test_empty_query() -> None:
    assert Query().to_params() == []
    assert Query().to_search_body() == {}
    assert repr(Query()) == "Query()"


def test_format_datetime_rejects_naive() -> None:
    with pytest.raises(UsageError, match="naive datetime"):
        format_datetime(dt.datetime(2024, 1, 1))


@pytest.mark.parametrize(
    ("value", "match"),
    [
        (dt.datetime(2024, 1, 1), "naive datetime"),
        (float("nan"), "cannot be sent"),
        (float("inf"), "cannot be sent"),
        (object(), "unsupported value type object"),
        (dt.time(12, 0), "unsupported value type time"),
        ([], "empty list"),
        ({}, "empty dict"),
        ([["nested"]], "unsupported value type list"),
        ([{"a": 1}], "unsupported value type dict"),
        ({1: "a"}, "hash keys"),
        ({"a[b]": "x"}, "hash keys"),
        ({"": "x"}, "hash keys"),
        ({"a": dt.datetime(2024, 1, 1)}, r"filter field eq\[a\]: naive"),
    ],
)
def test_bad_values_raise_usage_error(value: object, match: str) -> None:
    with pytest.raises(UsageError, match=match):
        Query().where(field=value)
