"""Query.validate against the real catalog schemas."""

from __future__ import annotations

import datetime as dt

import pytest

from booqable_async.errors import UsageError
from booqable_async.query import Q, Query
from booqable_async.schema import ResourceSchema, get_schema

UTC = dt.timezone.utc
ORDERS = get_schema("orders")


def problems(q: Query, schema: ResourceSchema = ORDERS, operation: str = "list") -> str:
    with pytest.raises(UsageError) as info:
        q.validate(schema, operation)
    return str(info.value)


def test_a_rich_valid_orders_query_passes() -> None:
    when = dt.datetime(2024, 5, 1, tzinfo=UTC)
    q = (
        Query()
        .where(status="reserved", item_id=["a", "b"], any_shortage=False)
        .filter("starts_at", "gte", when)
        .filter("start_or_stop_time", "between", (when, when + dt.timedelta(days=1)))
        .filter("number", "not_eq", 5)
        .sort("-created_at", "id")
        .include("customer", "start_location")
        .fields(orders=["number", "status", "customer"], customers="name")
        .stats(total="count", grand_total_in_cents=["sum", "average"], status="count")
        .page(number=3, size=100)
    )
    q.validate(ORDERS)
    q.validate(ORDERS, "search")


def test_unknown_filter_field_suggests_and_lists() -> None:
    text = problems(Query().where(stauts="reserved"))
    assert "invalid query for orders list" in text
    assert "unknown filter field 'stauts' (did you mean status" in text
    assert "allowed: amount_in_cents" in text


def test_known_but_not_filterable_attribute() -> None:
    text = problems(Query().where(confirm_shortage=True))
    assert "orders cannot be filtered by 'confirm_shortage'" in text
    assert "filterable fields:" in text


def test_operator_not_allowed_for_the_field_lists_allowed() -> None:
    text = problems(Query().filter("status", "gt", "new"))
    assert "operator 'gt' is not allowed for orders.status (enum); allowed: eq, not_eq" in text


def test_string_operators_per_resource_table() -> None:
    customers = get_schema("customers")
    Query().filter("name", "prefix", "Jo").validate(customers)
    # between exists only where the resource's table lists it.
    text = problems(Query().filter("created_at", "between", ("a", "b")))
    assert "operator 'between' is not allowed for orders.created_at" in text


def test_every_problem_is_listed_at_once() -> None:
    q = (
        Query()
        .where(nope=1)
        .include("lines")
        .stats(total="sum")
        .page(size=101)
        .fields(orders="bogus")
    )
    text = problems(q)
    assert text.count("\n  - ") == 5
    assert "include: unknown include path 'lines'" in text
    assert "stats[total]: aggregation 'sum' is not available; allowed: count" in text
    assert "page size 101 is over the maximum of 100" in text
    assert "fields[orders]: unknown attribute 'bogus'" in text


def test_required_filters() -> None:
    avail = get_schema("availabilities")
    text = problems(Query().where(month=10, year=2024), avail)
    assert "availabilities list requires the filters month, subject_id, subject_type, year" in text
    assert "missing: subject_id, subject_type" in text
    Query().where(month=10, year=2024, subject_id="x", subject_type="order").validate(avail)


def test_includes_depend_on_the_operation() -> None:
    q = Query().include("lines.item")
    q.validate(ORDERS, "get")
    assert "unknown include path 'lines.item'" in problems(q)
    avail = get_schema("availabilities")
    required = Query().where(month=1, year=1, subject_id="x", subject_type="order")
    assert "accepts no includes" in problems(required.include("x"), avail)


def test_operation_must_exist() -> None:
    text = problems(Query(), ORDERS, "delete")
    assert "orders has no 'delete' operation; operations: create, get, list, new, search" in text


def test_get_accepts_no_filters_sort_stats_or_paging() -> None:
    q = Query().where(status="new").sort("id").stats(total="count").page(size=5)
    text = problems(q, ORDERS, "get")
    assert "orders get does not accept filters" in text
    assert "orders get does not accept sort; operations that do: list, search" in text
    assert "orders get does not accept stats" in text
    assert "orders get does not accept page[number]/page[size]" in text


def test_sort_field_must_be_known() -> None:
    assert "sort: unknown attribute 'bogus'" in problems(Query().sort("-bogus"))
    Query().sort("-updated_at", "id").validate(ORDERS)


def test_fields_for_other_and_unknown_types() -> None:
    Query().fields(customers=["name", "email"]).validate(ORDERS)
    assert "fields[nopes]: unknown resource type 'nopes'" in problems(Query().fields(nopes="id"))
    assert "unknown attribute 'nmae'" in problems(Query().fields(customers="nmae"))


def test_extra_fields() -> None:
    collections = get_schema("collections")
    Query().extra_fields(collections=["hierarchical_name"]).validate(collections)
    text = problems(Query().extra_fields(collections="bogus"), collections)
    assert "extra_fields[collections]: unknown attribute 'bogus'" in text
    assert "orders list does not accept extra_fields" in problems(
        Query().extra_fields(orders="number")
    )


def test_stats_unknown_field() -> None:
    text = problems(Query().stats(bogus="count"))
    assert "stats: unknown stats field 'bogus'" in text


def test_search_conditions_are_validated_like_filters() -> None:
    good = Query().search(Q(status="reserved") | Q(starts_at__gte=dt.datetime.now(UTC)))
    good.validate(ORDERS, "search")
    bad = Query().search(Q(status__gt="x") | Q(bogus=1))
    text = problems(bad, ORDERS, "search")
    assert "search condition status gt: operator 'gt' is not allowed" in text
    assert "search condition bogus eq: unknown filter field 'bogus'" in text


def test_search_conditions_need_the_search_operation() -> None:
    text = problems(Query().search(Q(status="new")))
    assert "search conditions need the search operation" in text


def test_search_on_a_non_searchable_type() -> None:
    text = problems(Query().search(Q(name="x")), get_schema("coupons"), "search")
    assert "coupons has no 'search' operation" in text
    # A schema claiming search for a type Booqable does not search is still refused.
    odd = ResourceSchema(type="coupons", operations=frozenset({"search"}))
    text = problems(Query(), odd, "search")
    assert "coupons is not searchable; searchable types: bundles, customers" in text


def test_page_number_below_one_built_directly() -> None:
    text = problems(Query(page_number=0))
    assert "page number 0 must be >= 1" in text


def test_operation_without_documented_params_accepts_only_an_empty_query() -> None:
    trees = get_schema("collection_trees")
    Query().validate(trees, "create")
    assert "does not accept filters" in problems(Query().where(a=1), trees, "create")
