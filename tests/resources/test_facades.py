"""Every generated facade: its operations, and list/get against catalog-built documents."""

from __future__ import annotations

import importlib
import inspect
import keyword
from datetime import date, datetime, timezone
from urllib.parse import parse_qsl, unquote, urlsplit

import pytest

from booqable_async.jsonapi import RESERVED_NAMES, GenericResource, Resource
from booqable_async.models import REGISTRY
from booqable_async.pagination import Page, Paginator
from booqable_async.query import Q, Query
from booqable_async.resources import FACADES, Facade
from booqable_async.schema import OPERATIONS, AttributeSpec, get_schema, resource_types
from booqable_async.transport import HttpRequest, HttpResponse
from tests.resources.helpers import (
    BASE,
    Recorder,
    answer,
    client_for,
    list_document,
    resource_object,
    sample_value,
)

TYPES = resource_types()


def facade_class(type_name: str) -> type[Facade[Resource]]:
    module, _, name = FACADES[type_name].partition(":")
    cls: type[Facade[Resource]] = getattr(importlib.import_module(module), name)
    return cls


def path_and_params(request: HttpRequest) -> tuple[str, list[tuple[str, str]]]:
    parts = urlsplit(request.url)
    path = unquote(parts.path)[len(urlsplit(BASE).path) :]
    return path, parse_qsl(parts.query)


def test_every_catalog_type_has_a_facade() -> None:
    assert set(FACADES) == set(TYPES)


@pytest.mark.parametrize("type_name", TYPES)
def test_facade_offers_exactly_the_catalog_operations(type_name: str) -> None:
    cls = facade_class(type_name)
    schema = get_schema(type_name)
    offered = {name for name in OPERATIONS if callable(getattr(cls, name, None))}
    assert offered == set(schema.operations)
    assert cls.jsonapi_type == type_name
    for op in schema.operations:
        doc = inspect.getdoc(getattr(cls, op))
        assert doc
        assert doc.split("\n")[0].endswith(".")
    if "delete" in schema.operations and schema.delete_archives:
        assert "archive" in (inspect.getdoc(cls.delete) or "").lower()


def test_orders_has_no_delete() -> None:
    assert not hasattr(facade_class("orders"), "delete")
    assert hasattr(facade_class("customers"), "delete")


def required_query(type_name: str) -> Query:
    """A query carrying the filters the resource requires (availabilities...)."""
    schema = get_schema(type_name)
    query = Query()
    for name in sorted(schema.required_filters):
        spec = schema.attributes.get(name)
        kind = schema.filter_types.get(name) or (spec.type if spec else "string")
        query = query.where(**{name: 5 if kind == "integer" else "x"})
    return query


def py_name(wire: str) -> str:
    return wire + "_" if keyword.iskeyword(wire) or wire in RESERVED_NAMES else wire


def sample_json(spec: AttributeSpec) -> object:
    """A Python value to write for an attribute (datetimes as datetimes)."""
    value = sample_value(spec)
    if spec.type == "datetime":
        return datetime(2024, 5, 1, 10, tzinfo=timezone.utc)
    if spec.type == "date":
        return date(2024, 5, 1)
    return value


def check_record(record: Resource, type_name: str) -> None:
    """The record is its type's model, with typed values."""
    assert type(record) is REGISTRY[type_name]
    schema = get_schema(type_name)
    for name, spec in schema.attributes.items():
        if name == "id" or spec.writeonly:
            continue
        value = getattr(record, py_name(name))
        if spec.type == "datetime":
            assert isinstance(value, datetime)
            assert value.tzinfo is not None
        elif spec.type == "date":
            assert isinstance(value, date)
            assert not isinstance(value, datetime)
        elif spec.type == "integer":
            assert type(value) is int
        elif spec.type == "float":
            assert type(value) is float
        elif spec.type == "boolean":
            assert value is True


@pytest.mark.parametrize("type_name", [t for t in TYPES if get_schema(t).supports("list")])
async def test_list_every_resource(type_name: str) -> None:
    document = list_document(type_name)
    recorder = Recorder(lambda request: answer(200, document))
    async with client_for(recorder) as client:
        paginator = client.resource(type_name).list(required_query(type_name))  # type: ignore[attr-defined]
        assert isinstance(paginator, Paginator)
        assert recorder.requests == []  # nothing is sent before it is awaited
        page = await paginator
    assert isinstance(page, Page)
    assert page.total == len(document["data"])
    assert [r.id for r in page.data] == [r["id"] for r in document["data"]]
    for record, raw in zip(page.data, document["data"], strict=True):
        check_record(record, raw["type"])
    (request,) = recorder.requests
    assert request.method == "GET"
    path, params = path_and_params(request)
    assert path == type_name
    assert ("stats[total][]", "count") in params
    assert ("page[number]", "1") in params


@pytest.mark.parametrize("type_name", [t for t in TYPES if get_schema(t).supports("get")])
async def test_get_every_resource(type_name: str) -> None:
    concrete = get_schema(type_name).concrete_types()[-1]
    raw = resource_object(concrete, "rec/1")
    recorder = Recorder(lambda request: answer(200, {"data": raw, "meta": {}}))
    async with client_for(recorder) as client:
        record = await client.resource(type_name).get("rec/1")  # type: ignore[attr-defined]
    check_record(record, concrete)
    (request,) = recorder.requests
    assert request.method == "GET"
    assert urlsplit(request.url).path.endswith(f"/{type_name}/rec%2F1")  # id escaped


@pytest.mark.parametrize(
    ("type_name", "operation"),
    [(t, op) for t in TYPES for op in ("new", "current") if get_schema(t).supports(op)],
)
async def test_new_and_current(type_name: str, operation: str) -> None:
    raw = resource_object(type_name)
    recorder = Recorder(lambda request: answer(200, {"data": raw}))
    async with client_for(recorder) as client:
        facade = client.resource(type_name)
        record = await getattr(facade, operation)()
    check_record(record, type_name)
    path, _ = path_and_params(recorder.requests[0])
    assert path == f"{type_name}/{operation}"


async def test_polymorphic_items_and_payments() -> None:
    for type_name, classes in (
        ("items", {"Bundle", "Product", "ProductGroup"}),
        ("payments", {"PaymentAuthorization", "PaymentCharge", "PaymentRefund"}),
    ):
        document = list_document(type_name, 6)
        recorder = Recorder(lambda request, d=document: answer(200, d))
        async with client_for(recorder) as client:
            records = await client.resource(type_name).list().collect()  # type: ignore[attr-defined]
        assert {type(r).__name__ for r in records} == classes
        assert [r.type for r in records] == [r["type"] for r in document["data"]]


async def test_foreign_list_records_decode_generically() -> None:
    # order_delivery_rates' list example returns "delivery_rates" records.
    document = {"data": [{"id": "r1", "type": "delivery_rates", "attributes": {"label": "x"}}]}
    async with client_for(lambda request: answer(200, document)) as client:
        page = await client.order_delivery_rates.list()
    (record,) = page.data
    assert isinstance(record, GenericResource)
    assert record.attributes["label"] == "x"


def test_facade_repr_and_schema() -> None:
    client = client_for(lambda request: answer(200, {}))
    assert repr(client.orders) == "OrdersFacade(type='orders')"
    assert client.orders.schema.type == "orders"
    assert client.orders.session is client.session


async def test_search_uses_the_body_and_decodes_nested_answers() -> None:
    from booqable_async.query import Q, Query

    nested = {"data": [{"id": "o1", "number": 5}, {"id": "o2", "number": 6}]}

    def respond(request: HttpRequest) -> HttpResponse:
        return answer(200, nested)

    recorder = Recorder(respond)
    query = Query().search(Q(status="reserved") | Q(status="started")).fields(orders="number")
    async with client_for(recorder) as client:
        page = await client.orders.search(query.page(size=10))
    assert [(o.id, o.number) for o in page.data] == [("o1", 5), ("o2", 6)]
    request = recorder.requests[0]
    assert request.method == "POST"
    assert path_and_params(request) == ("orders/search", [])
    body = recorder.last_json
    assert body["filter"]["conditions"]["operator"] == "or"
    assert body["page"] == {"number": 1, "size": 10}
    assert body["stats"] == {"total": ["count"]}


def test_every_client_property_is_its_facade() -> None:
    client = client_for(lambda request: answer(200, {}))
    for type_name in TYPES:
        facade = getattr(client, type_name)
        assert type(facade) is facade_class(type_name)
        assert client.resource(type_name) is facade


def test_facade_classes_load_lazily_by_name() -> None:
    import booqable_async.resources as resources

    assert resources.OrdersFacade is facade_class("orders")
    assert "CustomersFacade" in dir(resources)
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        _ = resources.Nope  # type: ignore[attr-defined]


def echo_record(type_name: str, status: int) -> Recorder:
    def respond(request: HttpRequest) -> HttpResponse:
        return answer(status, {"data": resource_object(type_name, "rec1")})

    return Recorder(respond)


@pytest.mark.parametrize("type_name", [t for t in TYPES if get_schema(t).supports("create")])
async def test_create_every_resource(type_name: str) -> None:
    recorder = echo_record(type_name, 201)
    schema = get_schema(type_name)
    writable = [n for n, s in schema.attributes.items() if n != "id" and s.writable("create")]
    attributes = {}
    if writable:
        name = writable[0]
        attributes[py_name(name)] = sample_json(schema.attributes[name])
    async with client_for(recorder) as client:
        record = await client.resource(type_name).create(**attributes)  # type: ignore[attr-defined]
    check_record(record, type_name)
    (request,) = recorder.requests
    assert request.method == "POST"
    assert path_and_params(request) == (type_name, [])
    body = recorder.last_json["data"]
    assert body["type"] == type_name
    assert set(body["attributes"]) == set(writable[:1])


@pytest.mark.parametrize("type_name", [t for t in TYPES if get_schema(t).supports("update")])
async def test_update_every_resource(type_name: str) -> None:
    recorder = echo_record(type_name, 200)
    schema = get_schema(type_name)
    writable = [n for n, s in schema.attributes.items() if n != "id" and s.writable("update")]
    name = writable[0]
    async with client_for(recorder) as client:
        facade = client.resource(type_name)
        record = await facade.update(
            "rec1", **{py_name(name): sample_json(schema.attributes[name])}
        )  # type: ignore[attr-defined]
    check_record(record, type_name)
    (request,) = recorder.requests
    assert (request.method, path_and_params(request)) == ("PUT", (f"{type_name}/rec1", []))
    assert recorder.last_json["data"]["id"] == "rec1"
    assert list(recorder.last_json["data"]["attributes"]) == [name]


@pytest.mark.parametrize("type_name", [t for t in TYPES if get_schema(t).supports("delete")])
async def test_delete_every_resource(type_name: str) -> None:
    recorder = echo_record(type_name, 200)
    async with client_for(recorder) as client:
        record = await client.resource(type_name).delete("rec1")  # type: ignore[attr-defined]
    assert record is not None
    check_record(record, type_name)
    (request,) = recorder.requests
    assert (request.method, path_and_params(request)) == ("DELETE", (f"{type_name}/rec1", []))


async def test_get_with_fields_and_extra_fields() -> None:
    recorder = echo_record("collections", 200)
    async with client_for(recorder) as client:
        await client.collections.get(
            "c1",
            include=["collection_items"],
            fields={"collections": ["name", "position"]},
            extra_fields={"collections": "hierarchical_name"},
        )
    _, params = path_and_params(recorder.requests[0])
    assert params == [
        ("include", "collection_items"),
        ("fields[collections]", "name,position"),
        ("extra_fields[collections]", "hierarchical_name"),
    ]


@pytest.mark.parametrize("type_name", [t for t in TYPES if get_schema(t).supports("search")])
async def test_search_every_searchable_resource(type_name: str) -> None:
    # The documented search answers use the nested format: records without "type".
    concrete = get_schema(type_name).concrete_types()[0]
    record = {"id": "r1", **resource_object(concrete)["attributes"]}
    if type_name == "items":
        record["type"] = concrete  # union records carry their type inside
    recorder = Recorder(lambda request: answer(200, {"data": [record]}))
    query = Query().search(Q(id="r1"))
    async with client_for(recorder) as client:
        page = await client.resource(type_name).search(query)  # type: ignore[attr-defined]
    (found,) = page.data
    assert found.id == "r1"
    check_record(found, concrete)
    (request,) = recorder.requests
    assert (request.method, path_and_params(request)) == ("POST", (f"{type_name}/search", []))
    assert recorder.last_json["filter"]["conditions"] == {
        "operator": "and",
        "attributes": [{"id": "r1"}],
    }


async def test_union_search_records_without_a_type_stay_generic() -> None:
    # The documented items search answer: bare ids, nothing says which type each is.
    body = {"data": [{"id": "a"}, {"id": "b", "type": "bundles", "name": "Kit"}]}
    async with client_for(lambda request: answer(200, body)) as client:
        page = await client.items.search(Query().search(Q(name="x")))
    first, second = page.data
    assert isinstance(first, GenericResource)
    assert first.id == "a"
    assert type(second).__name__ == "Bundle"
    assert second.name == "Kit"
