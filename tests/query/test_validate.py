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
    # The best suggestion leads; the list of 54 filters is capped, not printed whole.
    assert "unknown filter field 'stauts'; did you mean 'status' (or 'statuses', 'starts_at')?" in (
        text
    )
    assert "(54 allowed; first 10: amount_in_cents, " in text
    assert "tag_list" not in text


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
    assert "include: 'lines' is not allowed on list" in text
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
    assert "'lines.item' is not allowed on list" in problems(q)
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


def test_orders_list_cannot_include_lines_but_get_can() -> None:
    # Booqable's list includes for orders are coupon, customer, properties and the
    # locations; lines are only included by get (one order at a time).
    text = problems(Query().include("lines"))
    assert (
        "include: 'lines' is not allowed on list (allowed: coupon, customer, properties, "
        "start_location, stop_location); get() allows it"
    ) in text
    assert "unknown" not in text
    Query().include("lines").validate(ORDERS, "get")
    # A path no operation knows is unknown, with the closest allowed path first.
    assert "unknown include path 'custmer'; did you mean 'customer'?" in problems(
        Query().include("custmer")
    )
    # The other way round: product_groups list allows a path its get does not.
    groups = get_schema("product_groups")
    only_list = next(p for p in groups.includes_for("list") if p not in groups.includes_for("get"))
    text = problems(Query().include(only_list), groups, "get")
    assert f"'{only_list}' is not allowed on get" in text
    assert "list() and search() allow it" in text


def test_a_dict_on_a_field_that_is_no_hash_filter_takes_only_its_operators() -> None:
    # filter[number][greater]=5 would reach Booqable and fail there (HTTP 400).
    text = problems(Query().where(number={"greater": 5}))
    assert (
        "filter number: 'greater' in a dict value is no operator of orders.number (integer), "
        "and only a hash filter takes other keys; did you mean filter('number', 'gt', value)?"
    ) in text
    text = problems(Query().where(number={"zz": 5}))
    assert "use filter('number', operator, value); allowed: eq, gt, gte, lt, lte, not_eq" in text
    # Keys that are the field's operators render exactly as filter() would: accepted.
    Query().where(number={"gte": 5, "lt": 9}).validate(ORDERS)
    # Real hash filters take any key: orders.conditions, coupons.range.
    Query().where(conditions={"operator": "or"}).validate(ORDERS)
    Query().where(range={"from": "2024-01-01"}).validate(get_schema("coupons"))


def test_unknown_operator_leads_with_the_likely_one() -> None:
    with pytest.raises(UsageError) as info:
        Query().filter("number", "greater", 5)
    assert str(info.value) == (
        "unknown filter operator 'greater'; did you mean 'gt' (or 'gte')? (17 operators; "
        "first 10: any_of, between, compare, eq, eql, gt, gte, lt, lte, match, ...)"
    )
    with pytest.raises(UsageError, match="did you mean 'prefix'"):
        Query().filter("name", "starts_with", "Jo")


def test_short_lists_are_shown_whole_and_long_ones_capped() -> None:
    from booqable_async.schema._choices import allowed_list, unknown_choice

    assert allowed_list(["b", "a"]) == "allowed: a, b"
    assert allowed_list([]) == "allowed: none"
    names = [f"n{i:02}" for i in range(54)]
    assert allowed_list(names) == (
        "54 allowed; first 10: n00, n01, n02, n03, n04, n05, n06, n07, n08, n09, ..."
    )
    assert unknown_choice("thing", "zzz", ["a"]) == "unknown thing 'zzz' (allowed: a)"
    text = unknown_choice("thing", "stops_at", [*names, "starts_at"], label="things")
    assert text.startswith("unknown thing 'stops_at'; did you mean 'starts_at'? (55 things; ")
