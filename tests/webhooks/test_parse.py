from __future__ import annotations

import contextlib
import datetime as dt
import json
from decimal import Decimal
from urllib.parse import urlencode

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from booqable_async import v1
from booqable_async.errors import DecodeError, UsageError
from booqable_async.jsonapi import GenericResource
from booqable_async.models import Customer, Order
from booqable_async.webhooks import EventName, WebhookDecodeError, WebhookEvent, parse_event
from tests.webhooks.conftest import body, payload

FORM = "application/x-www-form-urlencoded"


def _v1_form(object_name: str, data: object, event: str = "order.updated") -> bytes:
    """A version 1 delivery: form fields, ``data`` as one JSON text."""
    fields = {
        "id": "d1",
        "created_at": "2020-01-01T00:00:00Z",
        "event": event,
        "object": object_name,
        "data": orjson.dumps(data).decode(),
    }
    return urlencode(fields).encode()


def test_v4_body_decodes_into_the_api_model():
    event = parse_event(body())
    assert isinstance(event, WebhookEvent)
    assert event.id == "0f6a4a7e-8a52-4c0b-9d43-6d3f5b1c2e11"
    assert event.created_at == dt.datetime(2025, 7, 9, 9, 22, 0, 952147, tzinfo=dt.timezone.utc)
    assert event.event is EventName.CUSTOMER_UPDATED
    assert (event.resource_type, event.version) == ("customers", 4)
    assert isinstance(event.data, Customer)
    assert event.data.name == "Jane Doe"
    assert event.data.tax_region is None
    assert event.record_id == event.data.id
    assert event.raw["event"] == "customer.updated"
    assert "record_id='c7a0b2f4" in repr(event)


def test_documented_v4_delivery(shared_api):
    """The data of the documented version 4 webhook (webhooks__get__response_2)."""
    stored = json.loads((shared_api / "examples/webhooks__get__response_2.json").read_text())
    attributes = stored["data"]["attributes"]
    delivery = {
        "id": stored["data"]["id"],
        **{k: attributes[k] for k in ("created_at", "event", "resource_type", "data")},
    }
    event = parse_event(orjson.dumps(delivery), "application/json; charset=utf-8")
    assert isinstance(event.data, Order)
    assert event.data.starts_at == dt.datetime(2018, 6, 23, 17, 33, tzinfo=dt.timezone.utc)
    assert event.data.properties == {"delivery_address": None, "billing_address": None}


def test_nested_relations_are_linked():
    data = {
        "id": "o1",
        "number": 7,
        "customer": {"id": "c1", "name": "Jane"},
        "lines": [{"id": "l1", "title": "Tent", "quantity": 2}],
    }
    event = parse_event(body(event="order.updated", resource_type="orders", data=data))
    order = event.data
    assert isinstance(order, Order)
    assert order.customer.name == "Jane"
    assert order.lines[0].title == "Tent"


def test_app_event_with_version_and_updated_at():
    """The apps docs' app.installed example: version, updated_at, a type without a model."""
    event = parse_event(
        body(
            event="app.installed",
            version=4,
            updated_at="2026-08-02T11:12:18.145359+00:00",
            resource_type="app_subscriptions",
            data={"id": "5d0c", "identifier": "mailchimp", "paid": True},
        )
    )
    assert event.updated_at is not None
    assert isinstance(event.data, GenericResource)
    assert event.data.identifier == "mailchimp"


def test_null_data_and_unknown_event():
    event = parse_event(body(event="company.exploded", resource_type="companies", data=None))
    assert event.data is None
    assert event.record_id is None
    assert not event.event.is_known


def _v1_order(shared_api):
    stored = json.loads((shared_api / "examples/webhooks__get__response.json").read_text())
    return stored["data"]["attributes"]["data"]


def test_v1_form_fields_with_json_data(shared_api):
    order = _v1_order(shared_api)
    form = urlencode(
        {
            "id": "d1",
            "created_at": "2014-03-27T18:03:01.000000+00:00",
            "event": "order.updated",
            "object": "Order",
            "data": json.dumps(order),
        }
    )
    event = parse_event(form, FORM)
    assert (event.version, event.resource_type, event.record_id) == (1, "orders", order["id"])
    assert isinstance(event.data, v1.Order)
    assert event.data.status == "new"
    assert event.data.starts_at == dt.datetime(2014, 3, 25, 17, 58, 1, tzinfo=dt.timezone.utc)
    assert event.data.grand_total_as_decimal == Decimal("0.0")
    assert event.data.extra["payment_status"] == "Paid"  # members v1's model does not name
    assert event.data.extra["start_location"]["name"] == "Location 1000090"


def test_v1_rails_bracket_fields_are_read_as_v1_values():
    form = (
        "id=d2&created_at=2020-01-01T00:00:00Z&event=product_group.created&object=ProductGroup"
        "&data[id]=pg1&data[name]=Tent&data[lead_time]=3600&data[trackable]=true"
        "&data[custom][color]=red"
    )
    event = parse_event(form.encode(), FORM)
    assert event.resource_type == "product_groups"
    group = event.data
    assert isinstance(group, v1.ProductGroup)
    assert (group.name, group.lead_time, group.trackable) == ("Tent", 3600, True)
    assert group.extra == {"custom": {"color": "red"}}


def test_v1_one_field_holding_the_payload_and_a_root_key():
    whole = {
        "id": "d3",
        "created_at": "2020-01-01T00:00:00Z",
        "event": "customer.created",
        "data": {"customer": {"id": "c9", "name": "Jo", "tags": ["vip"]}},
    }
    event = parse_event(urlencode({"payload": json.dumps(whole)}), FORM)
    assert (event.resource_type, event.record_id) == ("customers", "c9")
    assert event.data == v1.Customer(id="c9", name="Jo", tags=("vip",))
    assert parse_event(json.dumps(whole), FORM).record_id == "c9"


@pytest.mark.parametrize(
    ("object_name", "model"),
    [
        ("Customer", v1.Customer),
        ("Order", v1.Order),
        ("ProductGroup", v1.ProductGroup),
        ("Product", v1.Product),
        ("StockItem", v1.StockItem),
    ],
)
def test_v1_objects_decode_into_the_v1_models(object_name, model):
    event = parse_event(
        _v1_form(object_name, {"id": "r1", "created_at": "2020-01-01T10:00:00Z"}), FORM
    )
    assert type(event.data) is model
    assert event.data.created_at == dt.datetime(2020, 1, 1, 10, tzinfo=dt.timezone.utc)


def test_a_v1_object_without_a_v1_model_stays_generic():
    event = parse_event(_v1_form("Bundle", {"id": "b1", "name": "Camping set"}), FORM)
    assert event.resource_type == "bundles"
    assert isinstance(event.data, GenericResource)
    assert event.data.name == "Camping set"


@pytest.mark.parametrize(
    ("data", "pointer", "reason"),
    [
        ({"id": "o1", "number": "one"}, "/data/number", "expected an integer, got 'one'"),
        ({"id": "o1", "starts_at": "soon"}, "/data/starts_at", "could not be read"),
        (
            {"id": "o1", "lines": [{"id": "l1"}, {"id": "l2", "quantity": "x"}]},
            "/data/lines/1/quantity",
            "expected a number",
        ),
        ({"id": "o1", "customer": {"name": "no id"}}, "/data/customer/id", "required field"),
        ({"id": {"x": 1}, "number": 7}, "/data/id", "expected text"),
        ({"id": "o1", "tags": 5}, "/data/tags", "could not be read"),
    ],
)
def test_malformed_v1_data_names_the_member(data, pointer, reason):
    with pytest.raises(WebhookDecodeError) as caught:
        parse_event(_v1_form("Order", data), FORM)
    assert caught.value.pointer == pointer
    assert reason in caught.value.reason


@pytest.mark.parametrize(
    ("raw", "content_type", "pointer", "reason"),
    [
        (b"", "application/json", "", "not JSON"),
        (b"{nope", "application/json", "", "not JSON"),
        (b"[1]", "application/json", "", "must be a JSON object"),
        (body(id=None), "application/json", "/id", "id must be a non-empty string"),
        (body(id="x" * 201), "application/json", "/id", "longer than 200"),
        (body(event=""), "application/json", "/event", "event must be"),
        (body(created_at=5), "application/json", "/created_at", "timestamp string"),
        (body(created_at="tuesday"), "application/json", "/created_at", "not an ISO 8601"),
        (body(updated_at="later"), "application/json", "/updated_at", "not an ISO 8601"),
        (body(resource_type="Orders!"), "application/json", "/resource_type", "not a type"),
        (body(version=2), "application/json", "/version", "version must be 1 or 4"),
        (body(version=True), "application/json", "/version", "version must be 1 or 4"),
        (body(data=[1]), "application/json", "/data", "data must be an object"),
        (body(data={"name": "x"}), "application/json", "/data/id", "no id"),
        (
            body(data={"id": "c1", "created_at": 5}),
            "application/json",
            "/data/created_at",
            "timestamp",
        ),
        (
            body(event="order.updated", resource_type="orders", data={"id": "o", "lines": 3}),
            "application/json",
            "/data/lines",
            "",
        ),
        (b"{}", "text/plain", "", "unsupported content type"),
        (b"\xff\xfe", FORM, "", "not UTF-8"),
        (b"a=1&a=2", FORM, "/a", "more than once"),
        (b"data=1&data[x]=2", FORM, "/data", "conflicts"),
        (b"id=1&event=x.y&created_at=2020-01-01&data={bad", FORM, "", "not JSON"),
        (b"id=1&event=x.y&created_at=2020-01-01&object=%21%21&data=", FORM, "/object", ""),
    ],
)
def test_malformed_payloads_name_the_member(raw, content_type, pointer, reason):
    with pytest.raises(WebhookDecodeError) as caught:
        parse_event(raw, content_type)
    assert isinstance(caught.value, DecodeError)
    assert caught.value.pointer == pointer
    assert reason in caught.value.reason


def test_missing_data_member():
    broken = payload()
    del broken["data"]
    with pytest.raises(WebhookDecodeError, match="no data member"):
        parse_event(orjson.dumps(broken))


def test_numeric_ids_are_strings():
    event = parse_event(body(id=12345))
    assert event.id == "12345"


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


def _outcome(raw: bytes) -> WebhookEvent | WebhookDecodeError:
    """The event, or the decode error (any other exception fails the test)."""
    return _outcome_of(raw, "application/json")


def _outcome_of(raw: bytes, content_type: str) -> WebhookEvent | WebhookDecodeError:
    try:
        return parse_event(raw, content_type)
    except WebhookDecodeError as exc:
        return exc


def _mutated(draw_key: str, value: object) -> bytes:
    broken = payload()
    broken[draw_key] = value
    return orjson.dumps(broken)


@given(st.binary(max_size=300), st.sampled_from(["application/json", FORM, "text/plain"]))
def test_fuzz_bytes_only_raise_decode_errors(raw, content_type):
    with contextlib.suppress(WebhookDecodeError):
        parse_event(raw, content_type)


@given(
    st.sampled_from(["id", "created_at", "event", "resource_type", "data", "version"]),
    json_values,
)
def test_fuzz_members_only_raise_decode_errors(key, value):
    outcome = _outcome(_mutated(key, value))
    if isinstance(outcome, WebhookDecodeError):
        assert outcome.pointer == "" or outcome.pointer.startswith(f"/{key}")


@given(
    st.sampled_from(["orders", "customers", "documents", "products", "bundles", "unknown_type"]),
    st.dictionaries(
        st.sampled_from(
            ["name", "starts_at", "lines", "customer", "properties", "number", "tax_region", "x"]
        ),
        json_values,
        max_size=5,
    ),
)
def test_fuzz_data_only_raises_decode_errors(resource_type, data):
    outcome = _outcome(body(resource_type=resource_type, data={"id": "r1", **data}))
    assert isinstance(outcome, WebhookEvent) or outcome.pointer.startswith("/data")


#: Members of the v1 models (and one they do not name), nested ones included.
V1_MEMBERS = [
    "id",
    "number",
    "name",
    "status",
    "tags",
    "archived",
    "starts_at",
    "created_at",
    "quantity",
    "grand_total_in_cents",
    "discount_percentage",
    "customer",
    "order",
    "lines",
    "plannings",
    "notes",
    "properties",
    "products",
    "stock_items",
    "x",
]
V1_OBJECTS = ["Customer", "Order", "ProductGroup", "Product", "StockItem", "Line", "Bundle"]
v1_records = st.recursive(
    st.dictionaries(st.sampled_from(V1_MEMBERS), json_values, max_size=5),
    lambda inner: st.dictionaries(
        st.sampled_from(V1_MEMBERS), inner | st.lists(inner, max_size=3), max_size=4
    ),
    max_leaves=15,
)


@given(st.sampled_from(V1_OBJECTS), v1_records)
def test_fuzz_v1_data_only_raises_decode_errors(object_name, data):
    outcome = _outcome_of(_v1_form(object_name, {"id": "r1", "name": "n", **data}), FORM)
    if isinstance(outcome, WebhookDecodeError):
        assert outcome.pointer.startswith("/data"), outcome
    else:
        assert outcome.version == 1
        assert outcome.record_id is not None


@given(
    st.sampled_from(V1_OBJECTS),
    st.dictionaries(st.sampled_from(V1_MEMBERS), st.text(max_size=20), max_size=6),
)
def test_fuzz_v1_bracket_fields_only_raise_decode_errors(object_name, data):
    fields = {"id": "d1", "created_at": "2020-01-01T00:00:00Z", "event": "x.updated"}
    fields |= {"object": object_name, **{f"data[{k}]": v for k, v in data.items()}}
    outcome = None
    with contextlib.suppress(WebhookDecodeError):
        outcome = parse_event(urlencode(fields), FORM)
    assert outcome is None or outcome.version == 1


@given(st.dictionaries(st.text(max_size=8), st.text(max_size=20), max_size=6))
def test_fuzz_form_only_raises_decode_errors(fields):
    with contextlib.suppress(WebhookDecodeError):
        parse_event(urlencode(fields), FORM)


def test_version_as_text():
    assert parse_event(body(version="4")).version == 4


async def test_refetch_reads_the_record_now(client, fake):
    customer = fake.add("customers", name="Jane")
    event = parse_event(body(data={"id": customer["id"], "name": "Old name"}))
    fake.update("customers", customer["id"], name="New name")
    assert (await event.refetch(client)).name == "New name"
    company = parse_event(
        body(event="company.updated", resource_type="companies", data={"id": fake.company_id})
    )
    assert (await company.refetch(client)).id == fake.company_id


async def test_refetch_needs_a_record_that_can_be_read(client):
    with pytest.raises(UsageError, match="no record id"):
        await parse_event(body(data=None)).refetch(client)
    transition = parse_event(
        body(event="x.y", resource_type="order_status_transitions", data={"id": "t1"})
    )
    with pytest.raises(UsageError, match="cannot be read by id"):
        await transition.refetch(client)


@pytest.mark.parametrize(
    ("type_name", "object_name", "changes", "model", "seen"),
    [
        ("customers", "Customer", {"name": "New name"}, v1.Customer, ("name", "New name")),
        ("orders", "Order", {"tag_list": ["rush"]}, v1.Order, ("tags", ("rush",))),
        ("product_groups", "ProductGroup", {"name": "New"}, v1.ProductGroup, ("name", "New")),
    ],
)
async def test_refetch_with_a_v1_client_reads_the_v1_record_now(
    fake, type_name, object_name, changes, model, seen
):
    record = fake.add(type_name, name="Old name") if type_name != "orders" else fake.add(type_name)
    v1_event = parse_event(_v1_form(object_name, {"id": record["id"], "name": "x"}), FORM)
    v4_event = parse_event(body(resource_type=type_name, data={"id": record["id"]}))
    fake.update(type_name, record["id"], **changes)
    async with fake.v1_client() as legacy:
        now = await v1_event.refetch(legacy)
        assert type(now) is model
        assert now == await getattr(legacy, type_name).get(record["id"])
        assert getattr(now, seen[0]) == seen[1]
        # One company's records have the same ids in both APIs: a v4 event works too.
        assert await v4_event.refetch(legacy) == now


async def test_a_v1_event_refetched_with_a_v4_client_is_the_v4_record(fake, client):
    customer = fake.add("customers", name="Jane")
    event = parse_event(_v1_form("Customer", {"id": customer["id"], "name": "Old"}), FORM)
    now = await event.refetch(client)
    assert isinstance(now, Customer)
    assert now.name == "Jane"


async def test_refetch_with_a_v1_client_says_what_v1_cannot_read(fake):
    product = parse_event(_v1_form("Product", {"id": "p1", "name": "Tent"}), FORM)
    nothing = parse_event(body(data=None))
    customer = parse_event(_v1_form("Customer", {"id": "c1", "name": "Jo"}), FORM)
    async with fake.v1_client() as legacy:
        with pytest.raises(UsageError, match="API v1 cannot read products by id"):
            await product.refetch(legacy)
        with pytest.raises(UsageError, match="no record id"):
            await nothing.refetch(legacy)
        with pytest.raises(UsageError, match="include are options of the v4 client"):
            await customer.refetch(legacy, include=["orders"])  # type: ignore[call-overload]
    assert len(fake.requests) == 0
