from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

import orjson
import pytest

from booqable_async.errors import DecodeError, NotLoadedError, UsageError
from booqable_async.jsonapi import Document, GenericResource, Registry, decode, is_loaded
from tests.jsonapi.models import REGISTRY, Customer, Holiday, Line, Order, Product

UTC = timezone.utc


def ident(type_: str, id_: str) -> dict[str, str]:
    return {"type": type_, "id": id_}


def res(
    type_: str,
    id_: str,
    attributes: dict[str, Any] | None = None,
    relationships: dict[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    out: dict[str, Any] = {"type": type_, "id": id_}
    if attributes is not None:
        out["attributes"] = attributes
    if relationships is not None:
        out["relationships"] = relationships
    out.update(extra)
    return out


def one(*targets: dict[str, str] | None) -> dict[str, Any]:
    return {"data": targets[0]}


def many(*targets: dict[str, str]) -> dict[str, Any]:
    return {"data": list(targets)}


def dec(doc: dict[str, Any], registry: Any = REGISTRY) -> Document:
    return decode(orjson.dumps(doc), registry)


# -- top level -----------------------------------------------------------------------


def test_data_null() -> None:
    doc = dec({"data": None, "meta": {"a": 1}})
    assert doc.data is None
    assert doc.primary == []
    assert doc.meta == {"a": 1}


def test_no_data_member_stats_only() -> None:
    doc = dec({"meta": {"stats": {"total": {"count": 3}}}})
    assert doc.data is None
    assert doc.meta["stats"]["total"]["count"] == 3


def test_empty_list() -> None:
    doc = dec({"data": [], "links": {"self": "x"}, "jsonapi": {"version": "1.0"}})
    assert doc.data == []
    assert doc.links == {"self": "x"}
    assert doc.jsonapi == {"version": "1.0"}
    assert list(doc) == []


def test_single_resource() -> None:
    doc = dec({"data": res("orders", "1", {"number": 7})})
    assert isinstance(doc.data, Order)
    assert doc.data.number == 7
    assert doc.primary == [doc.data]
    assert doc.included == []


def test_input_forms_are_equivalent() -> None:
    body = {"data": res("orders", "1", {"number": 7, "tag_list": ["a"]})}
    from_bytes = decode(orjson.dumps(body), REGISTRY).data
    from_str = decode(orjson.dumps(body).decode(), REGISTRY).data
    from_mapping = decode(body, REGISTRY).data
    assert isinstance(from_mapping, Order)
    for order in (from_bytes, from_str, from_mapping):
        assert isinstance(order, Order)
        assert order.tag_list == ["a"]
    # A parsed mapping is never modified.
    assert body == {"data": res("orders", "1", {"number": 7, "tag_list": ["a"]})}


def test_errors_document_keeps_errors() -> None:
    doc = dec({"errors": [{"status": "404", "code": "not_found"}]})
    assert doc.data is None
    assert doc.errors == [{"status": "404", "code": "not_found"}]


# -- identity and linking -----------------------------------------------------------


def test_shared_targets_and_cycles_are_one_object() -> None:
    doc = dec(
        {
            "data": [
                res(
                    "orders",
                    "o1",
                    {},
                    {
                        "customer": one(ident("customers", "c1")),
                        "lines": many(ident("lines", "l1"), ident("lines", "l2")),
                    },
                ),
                res(
                    "orders", "o2", {}, {"customer": one(ident("customers", "c1")), "lines": many()}
                ),
            ],
            "included": [
                res("customers", "c1", {"name": "Jane"}),
                res("lines", "l1", {"title": "a"}, {"order": one(ident("orders", "o1"))}),
                res("lines", "l2", {"title": "b"}, {"order": one(ident("orders", "o1"))}),
            ],
        }
    )
    o1, o2 = doc.data  # type: ignore[misc]
    assert isinstance(o1, Order)
    assert isinstance(o2, Order)
    assert o1.customer is o2.customer
    assert isinstance(o1.customer, Customer)
    assert o1.customer.name == "Jane"
    assert isinstance(o1.lines, list)
    assert [line.title for line in o1.lines] == ["a", "b"]  # type: ignore[union-attr]
    assert all(line.order is o1 for line in o1.lines)  # type: ignore[union-attr]
    assert o2.lines == []
    assert doc.get("customers", "c1") is o1.customer
    assert doc.resources[("lines", "l2")] is o1.lines[1]
    assert doc.stubs == []


def test_self_reference() -> None:
    doc = dec({"data": res("lines", "l1", {}, {"parent_line": one(ident("lines", "l1"))})})
    line = doc.data
    assert isinstance(line, Line)
    assert line.parent_line is line
    assert "lines:l1" in repr(line)


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        (
            {
                "data": [res("customers", "c1", {"name": "Jane"})],
                "included": [res("customers", "c1")],
            },
            "/included/0",
        ),
        ({"data": [res("things", "1", {"a": 1}), res("things", "1", {"a": 1})]}, "/data/1"),
        ({"data": [], "included": [res("orders", "1"), res("orders", "1")]}, "/included/1"),
        (
            {"data": [{"type": "lines", "lid": "L"}, {"type": "lines", "lid": "L"}]},
            "/data/1",
        ),
    ],
)
def test_a_type_and_id_twice_is_refused(body: dict[str, Any], pointer: str) -> None:
    # JSON:API 1.1: a compound document MUST NOT include more than one resource object
    # for each type and id pair; which copy would be right is unknowable.
    with pytest.raises(DecodeError, match="twice") as info:
        dec(body)
    assert info.value.pointer == pointer


def test_the_same_id_under_two_types_is_two_records() -> None:
    doc = dec({"data": [res("orders", "1"), res("customers", "1")]})
    assert [type(r).__name__ for r in doc.primary] == ["Order", "Customer"]


def test_missing_included_gives_stubs_of_the_right_class() -> None:
    doc = dec(
        {
            "data": [
                res("orders", "o1", {}, {"customer": one(ident("customers", "c9"))}),
                res(
                    "orders",
                    "o2",
                    {},
                    {
                        "customer": one(ident("customers", "c9")),
                        "start_location": one(ident("locations", "x")),
                    },
                ),
            ]
        }
    )
    o1, o2 = doc.primary
    assert isinstance(o1, Order)
    assert isinstance(o2, Order)
    stub = o1.customer
    assert isinstance(stub, Customer)
    assert stub.is_stub
    assert stub.id == "c9"
    assert stub.type == "customers"
    assert o2.customer is stub
    with pytest.raises(NotLoadedError, match="stub"):
        _ = stub.name
    location = o2.start_location
    assert isinstance(location, GenericResource)
    assert location.is_stub
    assert location.type == "locations"
    assert doc.stubs == [stub, location]
    assert doc.get("customers", "c9") is stub
    assert not o1.is_stub


def test_relationship_states() -> None:
    doc = dec(
        {
            "data": res(
                "orders",
                "o1",
                {},
                {
                    "customer": {"data": None},
                    "lines": {"links": {"related": "api/4/lines?filter[order_id]=o1"}},
                    "plannings": {"meta": {"count": 2}},
                    "coupon": {},
                },
            )
        }
    )
    order = doc.data
    assert isinstance(order, Order)
    assert order.customer is None  # known empty
    assert is_loaded(order, "customer")
    for name in ("lines", "plannings", "coupon", "tax_region"):  # links/meta only, or absent
        assert not is_loaded(order, name)
        assert not hasattr(order, name)
        with pytest.raises(NotLoadedError, match=rf"Query\(\)\.include\('{name}'\)") as info:
            getattr(order, name)
        assert info.value.name == name
        assert info.value.resource_type == "orders"
        assert isinstance(info.value, AttributeError)
    assert getattr(order, "lines", "default") == "default"
    assert order.relationship_links == {"lines": {"related": "api/4/lines?filter[order_id]=o1"}}
    assert order.relationship_meta == {"plannings": {"count": 2}}


def test_relationship_links_alongside_data() -> None:
    doc = dec(
        {
            "data": res(
                "orders",
                "o1",
                None,
                {
                    "customer": {
                        "data": ident("customers", "c1"),
                        "links": {"related": "r"},
                        "meta": {"m": 1},
                    }
                },
            )
        }
    )
    order = doc.data
    assert isinstance(order, Order)
    assert isinstance(order.customer, Customer)
    assert order.relationship_links["customer"] == {"related": "r"}
    assert order.relationship_meta["customer"] == {"m": 1}


def test_lid_identifiers() -> None:
    doc = dec(
        {
            "data": res("orders", "o1", {}, {"lines": many({"type": "lines", "lid": "tmp-1"})}),
            "included": [{"type": "lines", "lid": "tmp-1", "attributes": {"title": "new"}}],
        }
    )
    order = doc.data
    assert isinstance(order, Order)
    line = order.lines[0]
    assert isinstance(line, Line)
    assert not is_loaded(line, "id")
    assert line.lid == "tmp-1"
    assert line.title == "new"


def test_lid_and_id_on_one_resource_resolve_to_it() -> None:
    doc = dec(
        {
            "data": res(
                "orders",
                "o1",
                {},
                {"lines": many({"type": "lines", "lid": "L"}, ident("lines", "l1"))},
            ),
            "included": [{"type": "lines", "id": "l1", "lid": "L", "attributes": {}}],
        }
    )
    order = doc.data
    assert isinstance(order, Order)
    assert order.lines[0] is order.lines[1]  # type: ignore[index]


def test_lid_stub() -> None:
    doc = dec(
        {"data": res("orders", "o1", {}, {"customer": one({"type": "customers", "lid": "c"})})}
    )
    order = doc.data
    assert isinstance(order, Order)
    assert isinstance(order.customer, Customer)
    assert order.customer.lid == "c"
    assert order.customer.is_stub
    assert "lid='c'" in repr(order.customer)


def test_unknown_type_is_generic_and_keeps_everything() -> None:
    doc = dec(
        {
            "data": res(
                "widgets",
                "w1",
                {"created_at": "2025-01-01T00:00:00Z", "nested": {"a": [1, 2]}},
                {"owner": one(ident("orders", "o1")), "parts": many()},
                meta={"m": 1},
                links={"self": "s"},
            ),
            "included": [res("orders", "o1", {"number": 1})],
        },
        registry=REGISTRY,
    )
    widget = doc.data
    assert isinstance(widget, GenericResource)
    assert widget.type == "widgets"
    assert widget.attributes == {"created_at": "2025-01-01T00:00:00Z", "nested": {"a": [1, 2]}}
    assert widget.created_at == "2025-01-01T00:00:00Z"
    assert isinstance(widget.owner, Order)
    assert widget.parts == []
    assert widget.relationships["owner"] is doc.included[0]
    assert widget.meta == {"m": 1}
    assert widget.links == {"self": "s"}
    with pytest.raises(NotLoadedError, match="widgets"):
        _ = widget.missing


def test_polymorphic_list_gives_one_class_per_record_type() -> None:
    doc = dec(
        {
            "data": [
                res("products", "p1", {"name": "Bike", "type": "products"}),
                res("bundles", "b1", {"name": "Kit", "type": "bundles"}),
                res("product_groups", "g1", {"name": "Bikes"}),
            ]
        }
    )
    classes = [type(r).__name__ for r in doc.primary]
    assert classes == ["Product", "Bundle", "GenericResource"]
    product = doc.primary[0]
    assert isinstance(product, Product)
    assert product.type_ == "products"  # the "type" attribute, renamed
    assert product.type == "products"  # the JSON:API type


def test_polymorphic_to_one() -> None:
    doc = dec(
        {
            "data": [
                res(
                    "lines",
                    "l1",
                    {},
                    {"item": one(ident("products", "p1")), "owner": one(ident("orders", "o1"))},
                ),
                res("lines", "l2", {}, {"item": one(ident("bundles", "b1"))}),
            ],
            "included": [
                res("products", "p1", {}),
                res("bundles", "b1", {}),
                res("orders", "o1", {}),
            ],
        }
    )
    l1, l2 = doc.primary
    assert isinstance(l1, Line)
    assert isinstance(l2, Line)
    assert type(l1.item).__name__ == "Product"
    assert type(l2.item).__name__ == "Bundle"
    assert isinstance(l1.owner, Order)


# -- typed attributes -------------------------------------------------------------------


def test_typed_attributes() -> None:
    doc = dec(
        {
            "data": res(
                "orders",
                "o1",
                {
                    "starts_at": "2025-04-09T11:00:00.000000+00:00",
                    "stops_at": "2025-04-11T17:00:00Z",
                    "created_at": "2025-04-09T11:00:00",
                    "number": 200,
                    "amount_in_cents": 1500,
                    "deposit_value": 100,
                    "discount_percentage": 12.5,
                    "status": "concept",
                    "statuses": ["concept"],
                    "status_counts": {"concept": 2},
                    "tag_list": [],
                    "shortage": False,
                },
            )
        }
    )
    order = doc.data
    assert isinstance(order, Order)
    assert order.starts_at == datetime(2025, 4, 9, 11, tzinfo=UTC)
    assert order.stops_at == datetime(2025, 4, 11, 17, tzinfo=UTC)
    assert order.created_at == datetime(2025, 4, 9, 11, tzinfo=UTC)  # naive read as UTC
    assert order.number == 200
    assert order.amount_in_cents == 1500
    assert order.deposit_value == 100.0
    assert isinstance(order.deposit_value, float)
    assert order.status == "concept"  # an enum value the docs renamed: still fine
    assert order.statuses == ["concept"]
    assert order.status_counts == {"concept": 2}
    assert order.shortage is False


def test_any_attribute_may_be_null() -> None:
    attributes = dict.fromkeys(
        [
            "starts_at",
            "number",
            "deposit_value",
            "status",
            "statuses",
            "status_counts",
            "shortage",
            "tag_list",
        ]
    )
    doc = dec({"data": res("orders", "o1", attributes)})
    order = doc.data
    assert isinstance(order, Order)
    for name in attributes:
        assert getattr(order, name) is None


def test_lenient_values_are_converted() -> None:
    doc = dec(
        {
            "data": res(
                "orders",
                "o1",
                {"number": 3.0, "status": 4, "deposit_value": "2.5", "item_count": "7"},
            )
        }
    )
    order = doc.data
    assert isinstance(order, Order)
    assert order.number == 3
    assert order.status == "4"
    assert order.deposit_value == 2.5
    assert order.item_count == 7


def test_dates_secrets_and_renamed_keywords() -> None:
    doc = dec(
        {
            "data": res(
                "test_holidays",
                "h1",
                {"day": "2024-12-25", "from": "2024-12-24T18:00:00+01:00", "token": "s3cr3t"},
            )
        }
    )
    holiday = doc.data
    assert isinstance(holiday, Holiday)
    assert holiday.day == date(2024, 12, 25)
    assert holiday.from_ is not None
    assert holiday.from_.utcoffset() is not None
    assert holiday.token == "s3cr3t"
    assert "s3cr3t" not in repr(holiday)
    assert "token='REDACTED'" in repr(holiday)


def test_unknown_attributes_of_a_known_type_are_kept() -> None:
    doc = dec({"data": res("orders", "o1", {"number": 1, "brand_new": {"x": 1}})})
    order = doc.data
    assert isinstance(order, Order)
    assert order.number == 1
    assert order.extra_attributes == {"brand_new": {"x": 1}}
    assert "brand_new" in repr(order)


def test_unknown_relationships_of_a_known_type_are_kept() -> None:
    doc = dec({"data": res("orders", "o1", {}, {"gizmos": many(ident("gizmos", "g"))})})
    order = doc.data
    assert isinstance(order, Order)
    gizmos = order.extra_relationships["gizmos"]
    assert gizmos[0].type == "gizmos"
    assert gizmos[0].is_stub


def test_resource_meta_and_links_are_kept() -> None:
    doc = dec({"data": res("orders", "o1", {}, None, meta={"score": 1}, links={"self": "s"})})
    order = doc.data
    assert isinstance(order, Order)
    assert order.meta == {"score": 1}
    assert order.links == {"self": "s"}


def test_resource_without_attributes() -> None:
    doc = dec({"data": [res("orders", "o1"), {"type": "orders", "id": "o2", "attributes": {}}]})
    for order in doc.primary:
        assert isinstance(order, Order)
        with pytest.raises(NotLoadedError):
            _ = order.number


def test_null_attributes_are_refused() -> None:
    with pytest.raises(DecodeError, match="attributes must be an object, not null") as info:
        dec({"data": {"type": "orders", "id": "o2", "attributes": None}})
    assert info.value.pointer == "/data/attributes"


# -- sparse fields --------------------------------------------------------------------


def test_sparse_fields_raise_a_helpful_attribute_error() -> None:
    doc = dec({"data": res("orders", "o1", {"starts_at": None})})
    order = doc.data
    assert isinstance(order, Order)
    assert order.starts_at is None  # present and null: not the same as absent
    with pytest.raises(NotLoadedError) as info:
        _ = order.stops_at
    message = str(info.value)
    assert "stops_at" in message
    assert "fields[orders]=" in message
    assert "Query().fields(orders=" in message
    assert info.value.name == "stops_at"
    assert info.value.resource_type == "orders"
    assert isinstance(info.value, AttributeError)
    assert getattr(order, "stops_at", "default") == "default"
    assert not hasattr(order, "stops_at")


def test_extra_fields_say_how_to_ask() -> None:
    doc = dec({"data": res("customers", "c1", {"name": "x"})})
    customer = doc.data
    assert isinstance(customer, Customer)
    with pytest.raises(NotLoadedError, match=r"extra_fields\[customers\]=order_count"):
        _ = customer.order_count


def test_unknown_python_attribute_is_a_plain_attribute_error() -> None:
    doc = dec({"data": res("orders", "o1", {})})
    with pytest.raises(AttributeError, match="no attribute 'nope'") as info:
        _ = doc.data.nope  # type: ignore[union-attr]
    assert not isinstance(info.value, NotLoadedError)


# -- malformed input ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "pointer", "reason"),
    [
        (b"not json", "", "not JSON"),
        (b"[1, 2]", "", "document must be an object, not an array"),
        (b'"x"', "", "document must be an object, not a string"),
        (b"{}", "", "at least one of data, errors and meta"),
        (b'{"links": {}}', "", "at least one of data, errors and meta"),
        (b'{"data": [], "errors": []}', "/errors", "both data and errors"),
        (b'{"meta": {}, "included": []}', "/included", "included without data"),
        (b'{"data": 5}', "/data", "data must be an object or an array or null"),
        (b'{"data": "x"}', "/data", "data must be"),
        (b'{"data": ["x"]}', "/data/0", "must be an object, not a string"),
        (b'{"data": [], "included": {}}', "/included", "included must be an array"),
        (b'{"data": [], "meta": []}', "/meta", "meta must be an object"),
        (b'{"data": [], "meta": null}', "/meta", "meta must be an object, not null"),
        (b'{"data": [], "links": "x"}', "/links", "links must be an object"),
        (b'{"data": [], "errors": {}}', "/errors", "errors must be an array"),
        (b'{"data": [1]}', "/data/0", "must be an object"),
        (b'{"data": [{"id": "1"}]}', "/data/0", "must have a type"),
        (b'{"data": [{"id": "1", "type": 3}]}', "/data/0/type", "type must be a string"),
        (b'{"data": [{"id": "1", "type": ""}]}', "/data/0/type", "must not be empty"),
        (b'{"data": [{"type": "orders"}]}', "/data/0", "must have an id"),
        (b'{"data": [{"type": "orders", "id": 1}]}', "/data/0/id", "id must be a string"),
        (b'{"data": [{"type": "orders", "id": 1.5}]}', "/data/0/id", "id must be a string"),
        (b'{"data": [{"type": "orders", "id": true}]}', "/data/0/id", "id must be a string"),
        (b'{"data": [{"type": "orders", "id": "1", "lid": 3}]}', "/data/0/lid", "lid must"),
        (
            b'{"data": {"type": "orders", "id": "1", "attributes": []}}',
            "/data/attributes",
            "attributes must be an object",
        ),
        (
            b'{"data": {"type": "widgets", "id": "1", "attributes": 3}}',
            "/data/attributes",
            "attributes must be an object",
        ),
        (
            b'{"data": {"type": "orders", "id": "1", "relationships": []}}',
            "/data/relationships",
            "relationships must be an object",
        ),
        (
            b'{"data": {"type": "orders", "id": "1", "relationships": {"customer": 1}}}',
            "/data/relationships/customer",
            "customer must be an object",
        ),
        (
            b'{"data": {"type": "orders", "id": "1", "relationships": {"customer": {"data": 1}}}}',
            "/data/relationships/customer/data",
            "data must be",
        ),
        (
            b'{"data": {"type": "orders", "id": "1", "relationships": {"customer": '
            b'{"data": true}}}}',
            "/data/relationships/customer/data",
            "data must be",
        ),
        (
            b'{"data": {"type": "orders", "id": "1", "relationships": {"customer": '
            b'{"data": [1]}}}}',
            "/data/relationships/customer/data/0",
            "must be an object",
        ),
        (
            b'{"data": {"type": "orders", "id": "1", "relationships": {"lines": {"data": '
            b'[{"type": "lines", "id": "a"}, {"id": "b"}]}}}}',
            "/data/relationships/lines/data/1",
            "must have a type",
        ),
        (
            b'{"data": {"type": "orders", "id": "1", "relationships": {"lines": {"data": '
            b'[{"type": "", "id": "b"}]}}}}',
            "/data/relationships/lines/data/0/type",
            "must not be empty",
        ),
        (
            b'{"data": {"type": "orders", "id": "1", "relationships": {"lines": {"data": '
            b'[{"type": "lines"}]}}}}',
            "/data/relationships/lines/data/0",
            "must have an id",
        ),
        (
            b'{"data": {"type": "orders", "id": "1", "relationships": {"lines": {"data": '
            b'[{"type": "lines", "id": []}]}}}}',
            "/data/relationships/lines/data/0/id",
            "id must be a string",
        ),
        (
            b'{"data": {"type": "orders", "id": "1", "relationships": {"lines": {"data": '
            b'[{"type": "lines", "id": "x", "lid": 1}]}}}}',
            "/data/relationships/lines/data/0/lid",
            "lid must be a string",
        ),
        (
            b'{"data": {"type": "orders", "id": "1", "relationships": {"lines": {"data": '
            b'{"type": "lines", "id": "x"}}}}}',
            "/data/relationships/lines/data",
            "to-many",
        ),
        (
            b'{"data": {"type": "orders", "id": "1", "relationships": {"customer": {"data": []}}}}',
            "/data/relationships/customer/data",
            "to-one",
        ),
        (
            b'{"data": {"type": "orders", "id": "1", "relationships": {"customer": {"links": 1}}}}',
            "/data/relationships/customer/links",
            "links must be an object",
        ),
        (b'{"data": {"type": "orders", "id": "1", "meta": 1}}', "/data/meta", "meta must be"),
    ],
)
def test_malformed_documents(body: bytes, pointer: str, reason: str) -> None:
    with pytest.raises(DecodeError) as info:
        decode(body, REGISTRY)
    assert info.value.pointer == pointer
    assert reason in info.value.reason


@pytest.mark.parametrize(
    ("attributes", "member", "reason"),
    [
        ({"starts_at": "yesterday"}, "starts_at", "timestamp"),
        ({"starts_at": 5}, "starts_at", "timestamp"),
        ({"number": "many"}, "number", "integer"),
        ({"number": True}, "number", "not a boolean"),
        ({"deposit_value": "lots"}, "deposit_value", "cannot read"),
        ({"shortage": "no"}, "shortage", "boolean"),
        ({"status_counts": [1]}, "status_counts", "object"),
        ({"statuses": "reserved"}, "statuses", "array"),
        ({"statuses": [{"a": 1}]}, "statuses/0", "string"),
        ({"status": {"a": 1}}, "status", "string"),
    ],
)
def test_values_that_cannot_be_structured(
    attributes: dict[str, Any], member: str, reason: str
) -> None:
    body = {
        "data": [
            res("orders", "1", {}),
            res("orders", "2", {}),
            res("orders", "3", {}),
            res("orders", "4", attributes),
        ]
    }
    with pytest.raises(DecodeError) as info:
        decode(body, REGISTRY)
    assert info.value.pointer == f"/data/3/attributes/{member}"
    assert reason in info.value.reason


def test_bad_value_in_included_and_sparse_documents() -> None:
    body = {"data": [], "included": [res("test_holidays", "h", {"day": "Christmas"})]}
    with pytest.raises(DecodeError) as info:
        decode(body, REGISTRY)
    assert info.value.pointer == "/included/0/attributes/day"
    # A sparse resource (slow path) reports the same way.
    body = {"data": [res("orders", "1", {"number": 1, "starts_at": "soon"})]}
    with pytest.raises(DecodeError) as info:
        decode(body, REGISTRY)
    assert info.value.pointer == "/data/0/attributes/starts_at"


def test_pointer_tokens_are_escaped() -> None:
    body = {"data": {"type": "orders", "id": "1", "relationships": {"a/b~c": 1}}}
    with pytest.raises(DecodeError) as info:
        decode(body, REGISTRY)
    assert info.value.pointer == "/data/relationships/a~1b~0c"


def test_a_nested_json_body_says_records_lack_a_type() -> None:
    with pytest.raises(DecodeError, match="not JSON:API") as info:
        decode({"data": [{"id": "1", "starts_at": "2025-01-01T00:00:00Z"}]}, REGISTRY)
    assert info.value.pointer == "/data/0"


def test_too_deeply_nested_documents_are_refused() -> None:
    value: Any = []
    for _ in range(2_000):
        value = [value]
    body = {"data": {"type": "orders", "id": "1", "attributes": {"status_counts": {"x": value}}}}
    with pytest.raises(DecodeError, match="depth limit"):
        decode(body, REGISTRY)
    too_deep = (
        b'{"data": {"type": "orders", "id": "1", "attributes": {"status_counts": {"x": '
        + b"[" * 100_000
        + b"]" * 100_000
        + b"}}}}"
    )
    with pytest.raises(DecodeError, match="depth limit"):
        decode(too_deep, REGISTRY)
    fine: Any = {"a": [1]}
    for _ in range(100):
        fine = {"x": fine}
    doc = decode(
        {"data": {"type": "orders", "id": "1", "attributes": {"status_counts": fine}}}, REGISTRY
    )
    assert isinstance(doc.data, Order)


def test_long_relationship_chains_need_no_recursion() -> None:
    n = 20_000
    body = {
        "data": res("lines", "0", {}, {"parent_line": one(ident("lines", "1"))}),
        "included": [
            res("lines", str(i), {}, {"parent_line": one(ident("lines", str(i + 1)))})
            for i in range(1, n)
        ],
    }
    doc = decode(body, REGISTRY)
    line = doc.data
    depth = 0
    while isinstance(line, Line) and not line.is_stub:
        line = line.parent_line  # type: ignore[assignment]
        depth += 1
    assert depth == n
    assert "parent_line=lines:1" in repr(doc.data)


def test_registry_argument_forms() -> None:
    body = {"data": res("orders", "1", {"number": 1})}
    assert isinstance(decode(body, {"orders": Order}).data, Order)
    assert isinstance(decode(body, {"orders": "tests.jsonapi.models:Order"}).data, Order)
    assert isinstance(decode(body, Registry()).data, GenericResource)
    with pytest.raises(UsageError):
        decode(body, ["orders"])  # type: ignore[arg-type]
