"""The query engine: every filter operator and value form, sort, include, fields, stats, pages."""

from __future__ import annotations

import pytest

from booqable_async.testing import FakeBooqable

from .conftest import doc, send


@pytest.fixture
def people(fake: FakeBooqable) -> dict[str, str]:
    names = ["Jane Doe", "john smith", "Jan Jansen", "Ann Bakker", "Bob"]
    ids = {}
    for i, name in enumerate(names):
        record = fake.add(
            "customers",
            name=name,
            number=i + 1,
            email=None if name == "Bob" else f"{name.split()[0].lower()}@example.com",
            discount_percentage=float(i * 10),
            email_marketing_consented=i % 2 == 0,
            tag_list=["vip", "b2b"][: i % 3],
            created_at=f"2025-01-0{i + 1}T10:00:00.000000+00:00",
        )
        ids[name] = record["id"]
    return ids


def names(fake: FakeBooqable, query: str, resource: str = "customers") -> list[str]:
    reply = send(fake, "GET", f"/api/4/{resource}?{query}")
    assert reply.status == 200, reply.json
    return [d["attributes"]["name"] for d in reply.json["data"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # string operators (eq is case-insensitive, eql exact)
        ("filter[name]=jane doe", ["Jane Doe"]),
        ("filter[name][eq]=JOHN SMITH", ["john smith"]),
        ("filter[name][not_eq]=bob", ["Jane Doe", "john smith", "Jan Jansen", "Ann Bakker"]),
        ("filter[name][eql]=John Smith", []),
        ("filter[name][eql]=john smith", ["john smith"]),
        ("filter[name][not_eql]=Bob", ["Jane Doe", "john smith", "Jan Jansen", "Ann Bakker"]),
        ("filter[name][prefix]=ja", ["Jane Doe", "Jan Jansen"]),
        ("filter[name][not_prefix]=ja", ["john smith", "Ann Bakker", "Bob"]),
        ("filter[name][suffix]=SEN", ["Jan Jansen"]),
        ("filter[name][not_suffix]=n", ["Jane Doe", "john smith", "Ann Bakker", "Bob"]),
        ("filter[name][match]=an", ["Jane Doe", "Jan Jansen", "Ann Bakker"]),
        ("filter[name][not_match]=an", ["john smith", "Bob"]),
        # several values: any matches; not_*: none matches
        ("filter[name]=bob,jane doe", ["Jane Doe", "Bob"]),
        ("filter[name][]=bob&filter[name][]=ann bakker", ["Ann Bakker", "Bob"]),
        ("filter[name][not_eq]=bob,jane doe", ["john smith", "Jan Jansen", "Ann Bakker"]),
        ("filter[name]={{Bob,x}}", []),
        # several operators on one attribute: all must hold
        ("filter[name][prefix]=j&filter[name][suffix]=e", ["Jane Doe"]),
        ("filter[name][prefix]=j&filter[name][not_match]=smith", ["Jane Doe", "Jan Jansen"]),
        # numbers
        ("filter[discount_percentage]=20", ["Jan Jansen"]),
        ("filter[discount_percentage][not_eq]=20", ["Jane Doe", "john smith", "Ann Bakker", "Bob"]),
        ("filter[discount_percentage][gt]=20", ["Ann Bakker", "Bob"]),
        ("filter[discount_percentage][gte]=20", ["Jan Jansen", "Ann Bakker", "Bob"]),
        ("filter[discount_percentage][lt]=20", ["Jane Doe", "john smith"]),
        ("filter[discount_percentage][lte]=20", ["Jane Doe", "john smith", "Jan Jansen"]),
        (
            "filter[discount_percentage][gt]=5&filter[discount_percentage][lt]=35",
            ["john smith", "Jan Jansen", "Ann Bakker"],
        ),
        ("filter[number][gte]=4", ["Ann Bakker", "Bob"]),
        # datetimes (several input forms)
        ("filter[created_at][gt]=2025-01-03T10:00:00Z", ["Ann Bakker", "Bob"]),
        ("filter[created_at][lte]=2025-01-02 10:00:00", ["Jane Doe", "john smith"]),
        ("filter[created_at]=2025-01-01T11:00:00%2B01:00", ["Jane Doe"]),
        (
            "filter[created_at][not_eq]=2025-01-01T10:00:00 UTC",
            ["john smith", "Jan Jansen", "Ann Bakker", "Bob"],
        ),
        # booleans
        ("filter[email_marketing_consented]=true", ["Jane Doe", "Jan Jansen", "Bob"]),
        ("filter[email_marketing_consented]=false", ["john smith", "Ann Bakker"]),
        # uuids
        (
            "filter[id][not_eq]=00000000-0000-4000-8000-000000000000",
            ["Jane Doe", "john smith", "Jan Jansen", "Ann Bakker", "Bob"],
        ),
        # arrays: any element matches
        ("filter[tag_list]=b2b", ["Jan Jansen"]),
        ("filter[tag_list]=VIP,b2b", ["john smith", "Jan Jansen", "Bob"]),
        # null
        ("filter[email]=", []),
        # free-text q
        ("q=unused&filter[q]=JANS", ["Jan Jansen"]),
    ],
)
def test_filter_operators(
    fake: FakeBooqable, people: dict[str, str], query: str, expected: list[str]
) -> None:
    assert names(fake, query) == expected


def test_filter_by_id_and_list_of_ids(fake: FakeBooqable, people: dict[str, str]) -> None:
    jane, bob = people["Jane Doe"], people["Bob"]
    assert names(fake, f"filter[id]={jane}") == ["Jane Doe"]
    assert names(fake, f"filter[id]={jane},{bob}") == ["Jane Doe", "Bob"]
    assert names(fake, f"filter[id][]={bob}") == ["Bob"]


@pytest.fixture
def orders(fake: FakeBooqable) -> list[str]:
    rows = [
        ("reserved", "2025-03-01T10:00:00Z", "2025-03-05T10:00:00Z", 1000, ["webshop"]),
        ("draft", "2025-03-04T10:00:00Z", "2025-03-08T10:00:00Z", 2500, []),
        ("reserved", "2025-03-10T10:00:00Z", "2025-03-12T10:00:00Z", 500, ["webshop", "vip"]),
        ("canceled", "2025-02-01T10:00:00Z", "2025-02-02T10:00:00Z", 0, []),
    ]
    ids = []
    for i, (status, start, stop, total, tags) in enumerate(rows):
        record = fake.add(
            "orders",
            number=i + 1,
            status=status,
            statuses=[status],
            starts_at=start.replace("Z", ".000000+00:00"),
            stops_at=stop.replace("Z", ".000000+00:00"),
            grand_total_in_cents=total,
            tag_list=tags,
            payment_status="paid" if total == 0 else "payment_due",
        )
        ids.append(record["id"])
    return ids


def numbers(fake: FakeBooqable, query: str) -> list[int]:
    reply = send(fake, "GET", f"/api/4/orders?{query}")
    assert reply.status == 200, reply.json
    return [d["attributes"]["number"] for d in reply.json["data"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    # Orders list newest first (recorded GET /orders); the fixture creates 1 to 4 in order.
    [
        ("filter[status]=reserved", [3, 1]),
        ("filter[status][not_eq]=reserved", [4, 2]),
        ("filter[status]=reserved,draft", [3, 2, 1]),
        ("filter[statuses]=draft", [2]),
        ("filter[statuses][not_eq]=draft", [4, 3, 1]),
        ("filter[grand_total_in_cents][gte]=1000", [2, 1]),
        # between: "from,till", a list, or a hash
        ("filter[start_or_stop_time][between]=2025-03-05T00:00:00Z,2025-03-09T00:00:00Z", [2, 1]),
        (
            "filter[start_or_stop_time][between][]=2025-03-11T00:00:00Z"
            "&filter[start_or_stop_time][between][]=2025-03-12T12:00:00Z",
            [3],
        ),
        (
            "filter[start_or_stop_time][between][from]=2025-02-01T00:00:00Z"
            "&filter[start_or_stop_time][between][till]=2025-02-01T12:00:00Z",
            [4],
        ),
        ("filter[start_or_stop_time][gte]=2025-03-08T00:00:00Z", [3, 2]),
        ("filter[tag_list]=vip", [3]),
        ("filter[payment_status]=paid", [4]),
    ],
)
def test_order_filters(
    fake: FakeBooqable, orders: list[str], query: str, expected: list[int]
) -> None:
    assert numbers(fake, query) == expected


def test_virtual_item_filters(fake: FakeBooqable, orders: list[str]) -> None:
    product = fake.add("products", name="Bike")
    stock = fake.add("stock_items", product_id=product["id"])
    planning = fake.add("plannings", order_id=orders[1], item_id=product["id"], quantity=1)
    fake.add(
        "stock_item_plannings",
        order_id=orders[2],
        planning_id=planning["id"],
        stock_item_id=stock["id"],
    )
    assert numbers(fake, f"filter[item_id]={product['id']}") == [2]
    assert numbers(fake, f"filter[stock_item_id]={stock['id']}") == [3]


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        ("filter[nope]=1", "could not find a filterable attribute"),
        ("filter[status][gt]=x", "does not support operator 'gt'"),
        ("filter[number][eq]=abc", "failed typecasting to integer"),
        ("filter[starts_at][gt]=yesterday", "failed typecasting to datetime"),
        ("filter[has_signed_contract]=maybe", "failed typecasting to boolean"),
        ("filter[start_or_stop_time][between]=2025-01-01", "needs two values"),
        ("filter=x", "filter must be a hash"),
        ("sort=nope", "cannot sort on 'nope'"),
        ("include=lines", 'included relationship "lines" is not supported'),
        ("include=customer.nope", '"customer.nope"'),
        ("stats[total]=sum", "no stat configured for calculation 'sum'"),
        ("stats[nope]=count", "on attribute 'nope'"),
        ("stats=count", "stats must be"),
        ("page[size]=101", "Requested page size 101 is greater than max supported size 100"),
        ("page[size]=0", "page[size] must be a positive integer"),
        ("page[number]=x", "page[number] must be a positive integer"),
        ("fields=name", "fields must be"),
        ("filter[conditions]=x", "filter.conditions must be a hash"),
    ],
)
def test_bad_queries_are_400(fake: FakeBooqable, query: str, fragment: str) -> None:
    reply = send(fake, "GET", f"/api/4/orders?{query}")
    assert reply.status == 400
    (error,) = reply.json["errors"]
    assert error["code"] == "bad_request"
    assert fragment in error["detail"]
    assert "parameter" in error["source"]


def test_attributes_missing_from_the_filter_table_still_filter(fake: FakeBooqable) -> None:
    # order_delivery_rates documents no order_id filter, but its doc example uses one
    order = fake.add("orders")
    rate = fake.add("order_delivery_rates", order_id=order["id"])
    fake.add("order_delivery_rates")
    reply = send(fake, "GET", f"/api/4/order_delivery_rates?filter[order_id]={order['id']}")
    assert [d["id"] for d in reply.json["data"]] == [rate["id"]]
    assert send(fake, "GET", "/api/4/order_delivery_rates?filter[order_id][gt]=x").status == 400


def test_compare_operator_is_refused_clearly(fake: FakeBooqable) -> None:
    reply = send(fake, "GET", "/api/4/downtimes?filter[starts_at][compare]=x")
    assert reply.status == 400
    assert "not implemented by the fake" in reply.json["errors"][0]["detail"]


def test_any_of_and_hash_filters(fake: FakeBooqable) -> None:
    a = fake.add("email_templates", name="a", contexts=["order", "invoice"])
    fake.add("email_templates", name="b", contexts=["user"])
    reply = send(fake, "GET", "/api/4/email_templates?filter[contexts][any_of]=invoice,quote")
    assert [d["id"] for d in reply.json["data"]] == [a["id"]]
    home = fake.add("locations", name="Home", main_address={"city": "Utrecht", "zipcode": "1234"})
    fake.add("locations", name="Away", main_address={"city": "Delft"})
    reply = send(fake, "GET", "/api/4/locations?filter[main_address][city]=Utrecht")
    assert [d["id"] for d in reply.json["data"]] == [home["id"]]


def test_unimplemented_report_filters_are_accepted(fake: FakeBooqable) -> None:
    fake.add("report_rentals")
    reply = send(
        fake, "GET", "/api/4/report_rentals?filter[from]=2025-01-01&filter[till]=2025-02-01"
    )
    assert reply.status == 200
    assert len(reply.json["data"]) == 1


def test_multi_key_sort(fake: FakeBooqable, people: dict[str, str]) -> None:
    fake.update("customers", people["Bob"], discount_percentage=0.0)
    assert names(fake, "sort=discount_percentage,-name") == [
        "Jane Doe",
        "Bob",
        "john smith",
        "Jan Jansen",
        "Ann Bakker",
    ]
    assert names(fake, "sort=-number")[0] == "Bob"
    # nulls last ascending, first descending
    assert names(fake, "sort=email")[-1] == "Bob"
    assert names(fake, "sort=-email")[0] == "Bob"
    assert names(fake, "sort=%2Bname")[0] == "Ann Bakker"


def test_sort_mixed_types_falls_back_to_text(fake: FakeBooqable) -> None:
    fake.add("customers", name="a", stripe_id="10")
    fake.add("customers", name="b", stripe_id=9)
    assert names(fake, "sort=stripe_id") == ["a", "b"]


def test_pagination(fake: FakeBooqable, people: dict[str, str]) -> None:
    assert names(fake, "page[size]=2&sort=number") == ["Jane Doe", "john smith"]
    assert names(fake, "page[size]=2&page[number]=3&sort=number") == ["Bob"]
    assert names(fake, "page[size]=2&page[number]=4") == []
    for i in range(30):
        fake.add("customers", name=f"extra {i}")
    assert len(names(fake, "")) == 25  # default page size
    assert len(names(fake, "page[size]=100")) == 35


def test_unfiltered_pages_of_a_union_in_insertion_order(fake: FakeBooqable) -> None:
    # The fast path of unfiltered, unsorted listings builds only the page it returns.
    ids = [fake.add("product_groups", name=f"g{i}")["id"] for i in range(5)]
    ids += [fake.add("bundles", name=f"b{i}")["id"] for i in range(3)]

    def page(number: int) -> list[str]:
        reply = send(fake, "GET", f"/api/4/items?page[size]=3&page[number]={number}")
        assert reply.status == 200
        return [r["id"] for r in reply.json["data"]]

    everything = [page(n) for n in range(1, 5)]
    assert everything[:3] == [ids[0:3], ids[3:6], ids[6:8]]
    assert everything[3] == []
    counted = send(fake, "GET", "/api/4/items?page[size]=3&stats[total]=count")
    assert counted.json["meta"]["stats"]["total"]["count"] == 8
    assert [r["id"] for r in counted.json["data"]] == ids[0:3]


def test_stats(fake: FakeBooqable, orders: list[str]) -> None:
    query = (
        "stats[total]=count&stats[grand_total_in_cents][]=sum&stats[grand_total_in_cents][]=average"
        "&stats[grand_total_in_cents][]=maximum&stats[grand_total_in_cents][]=minimum"
        "&stats[status]=count&stats[tag_list]=count&page[size]=1&filter[status][not_eq]=canceled"
    )
    reply = send(fake, "GET", f"/api/4/orders?{query}")
    assert len(reply.json["data"]) == 1
    assert reply.json["meta"]["stats"] == {
        "total": {"count": 3},
        "grand_total_in_cents": {"sum": 4000, "average": 4000 / 3, "maximum": 2500, "minimum": 500},
        "status": {"count": {"reserved": 2, "draft": 1}},
        "tag_list": {"count": {"webshop": 2, "vip": 1}},
    }
    empty = send(
        fake, "GET", "/api/4/orders?filter[number]=99&stats[grand_total_in_cents]=average,sum"
    )
    assert empty.json["meta"]["stats"] == {"grand_total_in_cents": {"average": None, "sum": 0}}
    meta_alias = send(fake, "GET", "/api/4/orders?meta[total][]=count")
    assert meta_alias.json["meta"]["stats"] == {"total": {"count": 4}}
    counted = send(fake, "GET", "/api/4/customers?stats[tag_list]=count&stats[archived]=count")
    assert counted.json["meta"]["stats"] == {"tag_list": {"count": {}}, "archived": {"count": {}}}


@pytest.fixture
def booked(fake: FakeBooqable) -> dict[str, str]:
    customer = fake.add("customers", name="Jane")
    fake.add("properties", owner_id=customer["id"], owner_type="customers", name="Phone", value="1")
    order = fake.add("orders", customer_id=customer["id"], number=1)
    product = fake.add("products", name="Bike")
    planning = fake.add("plannings", order_id=order["id"], item_id=product["id"], quantity=1)
    line = fake.add(
        "lines", order_id=order["id"], item_id=product["id"], planning_id=planning["id"]
    )
    return {
        "customer": customer["id"],
        "order": order["id"],
        "product": product["id"],
        "line": line["id"],
    }


def test_include_renders_relationships_only_for_included(
    fake: FakeBooqable, booked: dict[str, str]
) -> None:
    reply = send(fake, "GET", f"/api/4/orders/{booked['order']}?include=customer,lines,lines.item")
    data = reply.json["data"]
    assert set(data["relationships"]) == {"customer", "lines"}
    assert data["relationships"]["customer"] == {
        "data": {"type": "customers", "id": booked["customer"]}
    }
    assert data["relationships"]["lines"] == {"data": [{"type": "lines", "id": booked["line"]}]}
    included = {(r["type"], r["id"]): r for r in reply.json["included"]}
    assert set(included) == {
        ("customers", booked["customer"]),
        ("lines", booked["line"]),
        ("products", booked["product"]),
    }
    assert included[("customers", booked["customer"])]["relationships"] == {}
    assert included[("lines", booked["line"])]["relationships"] == {
        "item": {"data": {"type": "products", "id": booked["product"]}}
    }


def test_include_nested_and_empty(fake: FakeBooqable, booked: dict[str, str]) -> None:
    reply = send(fake, "GET", f"/api/4/orders/{booked['order']}?include=customer.properties,coupon")
    data = reply.json["data"]
    assert data["relationships"]["coupon"] == {"data": None}
    types = sorted(r["type"] for r in reply.json["included"])
    assert types == ["customers", "properties"]
    # nothing to include: no included member
    plain = send(fake, "GET", "/api/4/orders?include=coupon")
    assert "included" not in plain.json
    # the recorded gem quirk include[]=customer works too
    quirk = send(fake, "GET", "/api/4/orders?include[]=customer")
    assert quirk.json["included"][0]["type"] == "customers"


def test_include_paths_are_per_operation(fake: FakeBooqable, booked: dict[str, str]) -> None:
    # lines is offered on get but not on list (catalog includes per operation)
    assert send(fake, "GET", f"/api/4/orders/{booked['order']}?include=lines").status == 200
    assert send(fake, "GET", "/api/4/orders?include=lines").status == 400


def test_shared_targets_are_included_once(fake: FakeBooqable, booked: dict[str, str]) -> None:
    fake.add("lines", order_id=booked["order"], item_id=booked["product"])
    other = fake.add("orders", customer_id=booked["customer"], number=2)
    reply = send(fake, "GET", "/api/4/lines?include=order,planning,planning.item")
    keys = [(r["type"], r["id"]) for r in reply.json["included"]]
    assert len(keys) == len(set(keys))
    assert ("orders", booked["order"]) in keys
    assert ("orders", other["id"]) not in keys
    planning = next(r for r in reply.json["included"] if r["type"] == "plannings")
    assert set(planning["relationships"]) == {"item"}


def test_included_record_reached_by_two_paths_merges_relationships(
    fake: FakeBooqable, booked: dict[str, str]
) -> None:
    # The order is primary data; lines.order points back at it (a cycle) and the line's
    # planning is reached both directly and through the order.
    path = f"/api/4/orders/{booked['order']}?include=lines,lines.planning,lines.item,customer"
    reply = send(fake, "GET", path)
    keys = [(r["type"], r["id"]) for r in reply.json["included"]]
    assert len(keys) == len(set(keys))
    line = next(r for r in reply.json["included"] if r["type"] == "lines")
    assert set(line["relationships"]) == {"planning", "item"}


def test_fields_and_extra_fields(fake: FakeBooqable) -> None:
    method = fake.add("authentication_methods", name="k", kind="token", key="secret")
    plain = send(fake, "GET", f"/api/4/authentication_methods/{method['id']}")
    assert "key" not in plain.json["data"]["attributes"]
    extra = send(
        fake,
        "GET",
        f"/api/4/authentication_methods/{method['id']}?extra_fields[authentication_methods]=key",
    )
    assert extra.json["data"]["attributes"]["key"] == "secret"
    sparse = send(
        fake, "GET", "/api/4/authentication_methods?fields[authentication_methods]=name,kind"
    )
    assert sparse.json["data"][0]["attributes"] == {"name": "k", "kind": "token"}
    both = send(
        fake,
        "GET",
        "/api/4/authentication_methods?fields[authentication_methods]=name&extra_fields[authentication_methods]=key",
    )
    assert both.json["data"][0]["attributes"] == {"name": "k", "key": "secret"}


def test_json_variant_nests_included_records(fake: FakeBooqable, booked: dict[str, str]) -> None:
    reply = send(
        fake,
        "GET",
        "/api/4/orders.json?include=customer&fields[orders]=number&fields[customers]=name",
    )
    assert reply.status == 200
    assert reply.json == {
        "data": [
            {
                "id": booked["order"],
                "number": 1,
                "customer": {"id": booked["customer"], "name": "Jane"},
            }
        ]
    }
    single = send(
        fake,
        "GET",
        f"/api/4/orders/{booked['order']}.json?include=lines&fields[orders]=number&fields[lines]=quantity",
    )
    assert single.json == {
        "data": {
            "id": booked["order"],
            "number": 1,
            "lines": [{"id": booked["line"], "quantity": 0}],
        }
    }
    with_stats = send(
        fake, "GET", "/api/4/customers.json?stats[total]=count&fields[customers]=name"
    )
    assert with_stats.json["meta"] == {"stats": {"total": {"count": 1}}}


def test_search_with_nested_conditions(fake: FakeBooqable, orders: list[str]) -> None:
    body = {
        "fields": {"orders": "id"},
        "filter": {
            "conditions": {
                "operator": "and",
                "attributes": [
                    {
                        "operator": "or",
                        "attributes": [
                            {
                                "starts_at": {
                                    "gte": "2025-03-04T00:00:00Z",
                                    "lte": "2025-03-11T00:00:00Z",
                                }
                            },
                            {
                                "stops_at": {
                                    "gte": "2025-02-01T00:00:00Z",
                                    "lte": "2025-02-03T00:00:00Z",
                                }
                            },
                        ],
                    },
                    {
                        "operator": "and",
                        "attributes": [{"status": ["draft", "reserved", "canceled"]}],
                    },
                ],
            }
        },
    }
    reply = send(fake, "POST", "/api/4/orders/search", body)
    assert reply.status == 200
    # newest first, as GET /orders (recorded)
    assert reply.json == {"data": [{"id": orders[3]}, {"id": orders[2]}, {"id": orders[1]}]}
    reply = send(fake, "POST", "/api/4/orders/search?page[size]=1&sort=-number", body)
    assert reply.json == {"data": [{"id": orders[3]}]}


def test_search_errors(fake: FakeBooqable) -> None:
    bad_op = {"filter": {"conditions": {"operator": "xor", "attributes": []}}}
    assert send(fake, "POST", "/api/4/orders/search", bad_op).status == 400
    bad_attr = {"filter": {"conditions": {"operator": "or", "attributes": [{"nope": 1}]}}}
    assert send(fake, "POST", "/api/4/orders/search", bad_attr).status == 400
    assert send(fake, "POST", "/api/4/orders/search", b"[1]").status == 400
    assert send(fake, "POST", "/api/4/orders/search", b"").status == 200


def test_conditions_in_the_query_string(fake: FakeBooqable, orders: list[str]) -> None:
    query = (
        "filter[conditions][operator]=or"
        "&filter[conditions][attributes][0][status]=draft"
        "&filter[conditions][attributes][1][number][gte]=4"
    )
    assert numbers(fake, query) == [4, 2]
    query = "filter[conditions][status]=draft"
    assert numbers(fake, query) == [2]


def test_created_records_are_filterable_at_once(fake: FakeBooqable) -> None:
    send(fake, "POST", "/api/4/customers", doc("customers", {"name": "Zed"}))
    assert names(fake, "filter[name]=zed") == ["Zed"]


def test_the_documented_includes_work(fake: FakeBooqable) -> None:
    # intro__includes__response: GET /orders?include=customer,customer.properties (the
    # orders list's Includes table lacks customer.properties; the example wins).
    customer = fake.add("customers", name="John Doe")["id"]
    prop = fake.add(
        "properties", owner_id=customer, owner_type="customers", name="Phone", value="+31600000000"
    )["id"]
    fake.add("orders", customer_id=customer)
    reply = send(fake, "GET", "/api/4/orders?include=customer,customer.properties")
    assert reply.status == 200, reply.json
    included = {(r["type"], r["id"]) for r in reply.json["included"]}
    assert included == {("customers", customer), ("properties", prop)}
    # users__list__response_2 and checkout_items__get__response include relations their
    # tables do not list; price_tiles__get__response (include=price_tiles) and
    # default_properties__list__response (include=owner) name no relationship: ignored.
    assert send(fake, "GET", "/api/4/users?include=customer").status == 200
    item = fake.add("checkout_items")["id"]
    assert send(fake, "GET", f"/api/4/checkout_items/{item}?include=default_property").status == 200
    tile = fake.add("price_tiles")["id"]
    ignored = send(fake, "GET", f"/api/4/price_tiles/{tile}?include=price_tiles")
    assert (ignored.status, ignored.json["data"]["relationships"]) == (200, {})
    # a relationship the operation does not offer is still refused
    assert send(fake, "GET", "/api/4/orders?include=lines").status == 400


def test_fields_accept_the_singular_type_name(fake: FakeBooqable) -> None:
    # intro__jsonapi__response: its links carry fields[customer]=name and the included
    # customers show only name.
    customer = fake.add("customers", name="John Doe", email="j@example.com")["id"]
    fake.add("orders", customer_id=customer)
    reply = send(
        fake,
        "GET",
        "/api/4/orders?include=customer&fields[customer]=name&fields[orders]=starts_at,stops_at",
    )
    (order,) = reply.json["data"]
    assert set(order["attributes"]) == {"starts_at", "stops_at"}
    (included,) = reply.json["included"]
    assert included["attributes"] == {"name": "John Doe"}
