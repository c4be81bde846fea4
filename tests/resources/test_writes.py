"""Facade writes and validation against MockTransport: bodies, change tracking, errors."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from booqable_async.errors import (
    DecodeError,
    NotFound,
    ShortageError,
    UnprocessableEntity,
    UsageError,
)
from booqable_async.models import destroy
from booqable_async.query import Q, Query
from booqable_async.transport import HttpRequest, HttpResponse
from tests.resources.helpers import Recorder, answer, client_for, resource_object


def echo(type_name: str, status: int = 200) -> Recorder:
    """Answer every write with a full record carrying the sent attributes."""

    def respond(request: HttpRequest) -> HttpResponse:
        record = resource_object(type_name, "c1")
        if request.body:
            import orjson

            sent = orjson.loads(request.body)["data"].get("attributes", {})
            record["attributes"].update(sent)
        return answer(status, {"data": record})

    return Recorder(respond)


async def test_create_sends_wire_names_and_returns_the_model() -> None:
    recorder = echo("customers", 201)
    async with client_for(recorder) as client:
        customer = await client.customers.create(
            name="Jane", email="jane@example.com", tag_list=["vip"], include="barcode"
        )
    assert customer.name == "Jane"
    assert customer.id == "c1"
    body = recorder.last_json
    assert body["data"] == {
        "type": "customers",
        "attributes": {"name": "Jane", "email": "jane@example.com", "tag_list": ["vip"]},
    }
    assert body["include"] == "barcode"
    request = recorder.requests[0]
    assert request.method == "POST"
    assert request.url.endswith("/api/4/customers")


async def test_create_maps_python_names_and_datetimes() -> None:
    recorder = echo("stock_items", 201)
    when = datetime(2024, 5, 1, 10, tzinfo=timezone.utc)
    async with client_for(recorder) as client:
        await client.stock_items.create(from_=when, identifier="A1")
    assert recorder.last_json["data"]["attributes"] == {
        "from": "2024-05-01T10:00:00Z",
        "identifier": "A1",
    }


async def test_create_with_relationships_and_nested_writes() -> None:
    recorder = echo("bundles", 201)
    async with client_for(recorder) as client:
        await client.bundles.create(
            name="Kit",
            nested={"bundle_items": [{"quantity": 2, "product_group_id": "pg1"}, destroy("bi9")]},
        )
        await client.notes.create(body="hi", relationships={"owner": client_owner()})
    bundle_body, note_body = (r.body for r in recorder.requests)
    import orjson

    assert orjson.loads(bundle_body)["data"]["attributes"]["bundle_items_attributes"] == [
        {"quantity": 2, "product_group_id": "pg1"},
        {"id": "bi9", "_destroy": True},
    ]
    assert orjson.loads(note_body)["data"]["attributes"]["owner_id"] == "o1"


def client_owner() -> Any:
    from booqable_async.models import Order

    return Order(id="o1")


async def test_refusals_happen_before_any_request() -> None:
    recorder = echo("customers")
    async with client_for(recorder) as client:
        with pytest.raises(UsageError, match="read-only"):
            await client.customers.create(number=5)  # type: ignore[call-arg]
        with pytest.raises(UsageError, match="did you mean 'name'"):
            await client.customers.create(nmae="x")  # type: ignore[call-arg]
        with pytest.raises(UsageError, match="can only be set when creating"):
            await client.orders.update("o1", status="reserved")  # type: ignore[call-arg]
        with pytest.raises(UsageError, match="include"):
            await client.customers.create(name="x", include="nope")
        with pytest.raises(UsageError, match="non-empty string"):
            await client.customers.get("")
        with pytest.raises(UsageError, match="non-empty string"):
            await client.customers.delete(None)  # type: ignore[arg-type]
        with pytest.raises(UsageError, match="nothing to update"):
            await client.customers.update("c1")
        with pytest.raises(UsageError, match="unknown filter field 'stauts'"):
            client.orders.list(Query().where(stauts="x"))
        with pytest.raises(UsageError, match="over the maximum of 100"):
            client.orders.list(Query().page(size=500))
        with pytest.raises(UsageError, match="search conditions need the search operation"):
            client.orders.list(Query().search(Q(status="x")))
        with pytest.raises(UsageError, match="query must be a Query"):
            client.orders.list("status=x")  # type: ignore[arg-type]
        with pytest.raises(UsageError, match="unknown paginator option"):
            client.orders.list(concurency=2)  # type: ignore[call-arg]
        with pytest.raises(UsageError, match="include must be a string or a list"):
            await client.orders.get("o1", include=[1])  # type: ignore[list-item]
        with pytest.raises(UsageError, match="fields must map a type"):
            await client.orders.get("o1", fields=["number"])  # type: ignore[arg-type]
        with pytest.raises(UsageError, match="updates Order records"):
            await client.orders.update(client_customer())  # type: ignore[arg-type]
    assert recorder.requests == []


def client_customer() -> Any:
    from booqable_async.models import Customer

    return Customer(id="c1")


async def test_update_by_id_sends_only_the_changes() -> None:
    recorder = echo("customers")
    async with client_for(recorder) as client:
        updated = await client.customers.update("c1", email=None, fields={"customers": "email"})
    assert updated.email is None
    assert recorder.last_json == {
        "data": {"id": "c1", "type": "customers", "attributes": {"email": None}},
        "fields": {"customers": "email"},
    }
    assert recorder.requests[0].method == "PUT"
    assert recorder.requests[0].url.endswith("/customers/c1")


async def test_update_with_a_model_uses_change_tracking() -> None:
    raw = resource_object("customers", "c1")
    recorder = Recorder(lambda request: answer(200, {"data": raw}))
    async with client_for(recorder) as client:
        customer = await client.customers.get("c1")
        same = await client.customers.update(customer)  # nothing changed: no request
        assert same is customer
        assert len(recorder.requests) == 1
        customer.name = "Janet"
        await client.customers.update(customer, tag_list=["a"])
    assert recorder.last_json["data"] == {
        "id": "c1",
        "type": "customers",
        "attributes": {"name": "Janet", "tag_list": ["a"]},
    }


async def test_update_of_a_record_without_an_id_is_a_usage_error() -> None:
    from booqable_async.models import Customer

    recorder = Recorder(lambda request: answer(200, {}))
    async with client_for(recorder) as client:
        with pytest.raises(UsageError, match="the record's id"):
            await client.customers.update(Customer(name="Jane"))
    assert recorder.requests == []


async def test_update_current_reads_the_id_first() -> None:
    company = resource_object("companies", "co1")
    recorder = Recorder(lambda request: answer(200, {"data": company}))
    async with client_for(recorder) as client:
        await client.companies.update_current(name="iRent LLC")
        await client.companies.update_current("co1", name="again")
    first, put, second = recorder.requests
    assert (first.method, put.method, second.method) == ("GET", "PUT", "PUT")
    assert put.url.endswith("/companies/current")
    assert recorder.last_json["data"] == {
        "id": "co1",
        "type": "companies",
        "attributes": {"name": "again"},
    }


async def test_delete_returns_the_archived_record_or_none() -> None:
    archived = resource_object("customers", "c1")
    archived["attributes"]["archived"] = True
    answers = iter([answer(200, {"data": archived}), answer(204)])
    recorder = Recorder(lambda request: next(answers))
    async with client_for(recorder) as client:
        record = await client.customers.delete("c1")
        assert record is not None
        assert record.archived is True
        assert await client.customers.delete("c2") is None
    assert [r.method for r in recorder.requests] == ["DELETE", "DELETE"]


async def test_get_needs_one_record() -> None:
    async with client_for(lambda request: answer(200, {"data": []})) as client:
        with pytest.raises(DecodeError, match="expected one customers record"):
            await client.customers.get("c1")
    async with client_for(lambda request: answer(200, {"data": None})) as client:
        with pytest.raises(DecodeError, match="got null"):
            await client.customers.get("c1")


async def test_errors_pass_through() -> None:
    body = {"errors": [{"status": "404", "code": "resources_not_found", "title": "Not found"}]}
    async with client_for(lambda request: answer(404, body)) as client:
        with pytest.raises(NotFound):
            await client.customers.get("c1")
    plain = {"errors": [{"status": "422", "code": "wrong_status", "meta": None}]}
    async with client_for(lambda request: answer(422, plain)) as client:
        with pytest.raises(UnprocessableEntity) as info:
            await client.order_status_transitions.reserve("o1", from_status="reserved")
    assert not isinstance(info.value, ShortageError)


SHORTAGE = {
    "errors": [
        {
            "code": "items_not_available",
            "status": "422",
            "title": "Items not available",
            "detail": "One or more items are not available",
            "meta": {
                "warning": [
                    {
                        "reason": "shortage",
                        "item_id": "p1",
                        "stock_count": 1,
                        "reserved": 0,
                        "needed": 2,
                        "shortage": 1,
                        "orders": [],
                        "downtimes": [],
                    }
                ],
                "blocking": [],
            },
        }
    ]
}


async def test_availability_422_becomes_shortage_error_everywhere() -> None:
    async with client_for(lambda request: answer(422, SHORTAGE)) as client:
        with pytest.raises(ShortageError) as info:
            await client.order_status_transitions.reserve("o1", from_status="draft")
        with pytest.raises(ShortageError):
            await client.request("POST", "order_status_transitions", json={})
        with pytest.raises(ShortageError):  # the session itself, below the facades
            await client.session.request("POST", "order_status_transitions", json={})
    err = info.value
    assert err.only_warnings
    (entry,) = err.warnings
    assert (entry.item_id, entry.needed, entry.available, entry.shortage) == ("p1", 2, 1, 1)
    assert isinstance(err, UnprocessableEntity)
    assert err.__cause__ is None  # built as a ShortageError, not converted from another
    assert "confirm_shortage=True" in str(err)


async def test_list_paginates_with_the_session() -> None:
    pages = {
        "1": {
            "data": [resource_object("customers", f"t{i}") for i in range(2)],
            "meta": {"stats": {"total": {"count": 3}}},
        },
        "2": {
            "data": [resource_object("customers", "t2")],
            "meta": {"stats": {"total": {"count": 3}}},
        },
    }

    def respond(request: HttpRequest) -> HttpResponse:
        number = request.url.split("page%5Bnumber%5D=")[1].split("&")[0]
        return answer(200, pages[number])

    async with client_for(Recorder(respond)) as client:
        tags = await client.customers.list(
            Query().page(size=2), concurrency=2, dedupe=True
        ).collect()
    assert [t.id for t in tags] == ["t0", "t1", "t2"]


async def test_validated_options_are_remembered_but_bounded() -> None:
    from booqable_async.schema import get_schema

    raw = resource_object("orders", "o1")
    recorder = Recorder(lambda request: answer(200, {"data": raw}))
    names = sorted(get_schema("orders").attributes)[:70]
    async with client_for(recorder) as client:
        for name in names:
            await client.orders.get("o1", fields={"orders": [name]})
            client.orders.list(Query().fields(orders=[name]))
        await client.orders.get("o1", fields={"orders": [names[0]]})
    assert len(recorder.requests) == len(names) + 1
    assert recorder.requests[-1].url.endswith(f"fields%5Borders%5D={names[0]}")


async def test_search_answers_in_json_api_form_or_empty() -> None:
    raw = resource_object("customers", "c1")
    answers = iter([answer(200, {"data": [raw]}), answer(204), answer(200, "not a document")])
    async with client_for(lambda request: next(answers)) as client:
        page = await client.customers.search(Query().search(Q(name="x")))
        assert [c.id for c in page.data] == ["c1"]
        assert page.data[0].name == "text"
        empty = await client.customers.search(Query().search(Q(name="x")))
        assert empty.data == ()
        with pytest.raises(DecodeError):
            await client.customers.search(Query().search(Q(name="x")))
