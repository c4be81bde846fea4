from __future__ import annotations

import contextlib
import datetime as dt
import json
from urllib.parse import urlencode

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from booqable_async.errors import DecodeError, UsageError
from booqable_async.jsonapi import GenericResource
from booqable_async.models import Customer, Order
from booqable_async.webhooks import EventName, WebhookDecodeError, WebhookEvent, parse_event
from tests.webhooks.conftest import body, payload

FORM = "application/x-www-form-urlencoded"


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
    assert isinstance(event.data, GenericResource)
    assert event.data.status == "new"


def test_v1_rails_bracket_fields():
    form = (
        "id=d2&created_at=2020-01-01T00:00:00Z&event=product_group.created&object=ProductGroup"
        "&data[id]=pg1&data[name]=Tent&data[properties][color]=red"
    )
    event = parse_event(form.encode(), FORM)
    assert event.resource_type == "product_groups"
    assert event.data.name == "Tent"
    assert event.data.properties == {"color": "red"}


def test_v1_one_field_holding_the_payload_and_a_root_key():
    whole = {
        "id": "d3",
        "created_at": "2020-01-01T00:00:00Z",
        "event": "customer.created",
        "data": {"customer": {"id": "c9", "name": "Jo"}},
    }
    event = parse_event(urlencode({"payload": json.dumps(whole)}), FORM)
    assert (event.resource_type, event.record_id) == ("customers", "c9")
    assert parse_event(json.dumps(whole), FORM).record_id == "c9"


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
    try:
        return parse_event(raw)
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
