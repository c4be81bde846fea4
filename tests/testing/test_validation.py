"""Model validation of writes, table-driven over every writable resource of the catalog.

Booqable answers a write its records reject with 422 in graphiti_errors' validation format
(``code: unprocessable_entity``, ``title: Validation Error``, a Rails full message in
``detail``, ``source.pointer`` to ``/data/attributes/<name>`` or
``/data/relationships/<name>``, ``meta`` with ``attribute``, ``message`` and ``code``),
every problem at once. The rules come from the catalog's field tables; see
``booqable_async/testing/_validate.py``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from booqable_async.schema import AttributeSpec, get_schema, has_schema, resource_types
from booqable_async.testing import FakeBooqable
from booqable_async.testing._relations import plan_for
from booqable_async.testing._validate import (
    LOOKED_UP,
    NOT_REQUIRED,
    required_relations,
    write_enum,
)
from booqable_async.testing._writes import attribute_writable

from .conftest import Reply, doc, send

EXAMPLES = Path(__file__).resolve().parents[3] / "shared" / "booqable-api" / "examples"
UNKNOWN = "00000000-0000-4000-8000-000000000000"
WRITES = ("create", "update", "update_current")


def _writable(type_name: str) -> list[tuple[str, AttributeSpec, str]]:
    schema = get_schema(type_name)
    return [
        (type_name, spec, op)
        for op in WRITES
        if op in schema.operations
        for spec in schema.attributes.values()
        if spec.name != "id" and attribute_writable(spec, op)
    ]


WRITABLE = [w for t in resource_types() for w in _writable(t)]
ENUMS = [(t, s, op) for t, s, op in WRITABLE if write_enum(t, s, op)]
FOREIGN_KEYS = [
    (t, s, op)
    for t, s, op in WRITABLE
    if op == "create"
    and s.name.endswith("_id")
    and plan_for(t, s.name[:-3]).kind == "fk"
    and plan_for(t, s.name[:-3]).attr == s.name
    and any(has_schema(target) for target in plan_for(t, s.name[:-3]).targets)
]
PERIODS = [
    (t, start, stop, strict)
    for t in resource_types()
    for start, stop, strict in (
        ("starts_at", "stops_at", True),
        ("from", "till", True),
        ("starts_at", "ends_at", False),
    )
    if "create" in get_schema(t).operations
    and all(
        a in get_schema(t).attributes
        and get_schema(t).attributes[a].type == "datetime"
        and attribute_writable(get_schema(t).attributes[a], "create")
        for a in (start, stop)
    )
]
REQUIRED = [(t, r) for t in resource_types() for r in required_relations(t)]


def _ids(cases: list[tuple[str, AttributeSpec, str]]) -> list[str]:
    return [f"{t}.{s.name}:{op}" for t, s, op in cases]


def write(fake: FakeBooqable, type_name: str, operation: str, attributes: dict[str, Any]) -> Reply:
    """Create, update (a fresh record) or update the singleton with ``attributes``."""
    if operation == "create":
        return send(fake, "POST", f"/api/4/{type_name}", doc(type_name, attributes))
    if operation == "update_current":
        return send(fake, "PUT", f"/api/4/{type_name}/current", doc(type_name, attributes))
    record = fake.add(type_name)
    path = f"/api/4/{type_name}/{record['id']}"
    return send(fake, "PUT", path, doc(type_name, attributes, record["id"]))


def pointers(reply: Reply) -> dict[str, dict[str, Any]]:
    return {e["source"]["pointer"]: e for e in reply.json["errors"] if "source" in e}


def test_the_tables_cover_the_catalog() -> None:
    # Guards against an empty parametrisation passing silently.
    assert len(ENUMS) > 60
    assert len(FOREIGN_KEYS) > 60
    assert len(REQUIRED) > 25
    assert {t for t, *_ in PERIODS} >= {"orders", "downtimes", "stock_items", "coupons"}


@pytest.mark.parametrize(("type_name", "spec", "operation"), ENUMS, ids=_ids(ENUMS))
def test_an_enum_value_outside_the_list_is_422(
    fake: FakeBooqable, type_name: str, spec: AttributeSpec, operation: str
) -> None:
    bogus: Any = ["bogus"] if spec.type == "array" else "bogus"
    reply = write(fake, type_name, operation, {spec.name: bogus})
    assert reply.status == 422, reply.json
    error = pointers(reply)[f"/data/attributes/{spec.name}"]
    assert error["code"] == "unprocessable_entity"
    assert error["title"] == "Validation Error"
    assert error["meta"] == {
        "attribute": spec.name,
        "message": "is not included in the list",
        "code": "inclusion",
    }
    assert error["detail"].endswith(" is not included in the list")


@pytest.mark.parametrize(("type_name", "spec", "operation"), ENUMS, ids=_ids(ENUMS))
def test_every_documented_enum_value_is_accepted(
    fake: FakeBooqable, type_name: str, spec: AttributeSpec, operation: str
) -> None:
    for value in write_enum(type_name, spec, operation):
        written = [value] if spec.type == "array" else value
        reply = write(fake, type_name, operation, {spec.name: written})
        if reply.status >= 400 and "errors" in reply.json:
            assert f"/data/attributes/{spec.name}" not in pointers(reply), (value, reply.json)


@pytest.mark.parametrize(("type_name", "spec", "operation"), FOREIGN_KEYS, ids=_ids(FOREIGN_KEYS))
def test_a_foreign_key_must_name_a_stored_record(
    fake: FakeBooqable, type_name: str, spec: AttributeSpec, operation: str
) -> None:
    relation = spec.name[: -len("_id")]
    plan = plan_for(type_name, relation)
    attributes: dict[str, Any] = {spec.name: UNKNOWN}
    if plan.type_attr is not None:
        attributes[plan.type_attr] = next(t for t in plan.targets if has_schema(t))
    before = fake.count(type_name)
    reply = write(fake, type_name, operation, attributes)
    assert fake.count(type_name) == before  # nothing stored
    if type_name in LOOKED_UP:
        # Command resources look their target up: the recorded 404 for a missing record.
        assert reply.status in (404, 422), reply.json
        return
    assert reply.status == 422, reply.json
    error = pointers(reply)[f"/data/relationships/{relation}"]
    assert error["meta"] == {"attribute": relation, "message": "must exist", "code": "blank"}


@pytest.mark.parametrize(("type_name", "relation"), REQUIRED, ids=[f"{t}.{r}" for t, r in REQUIRED])
def test_a_required_relation_must_be_named(
    fake: FakeBooqable, type_name: str, relation: str
) -> None:
    reply = write(fake, type_name, "create", {})
    assert reply.status == 422, reply.json
    error = pointers(reply)[f"/data/relationships/{relation}"]
    assert error["detail"].endswith(" must exist")


def _create_examples() -> dict[str, list[set[str]]]:
    index = EXAMPLES / "index.json"
    if not index.is_file():
        return {}
    sent: dict[str, list[set[str]]] = {}
    for entry in json.loads(index.read_text()):
        if entry["kind"] != "request" or entry["operation"] != "create":
            continue
        body = json.loads((EXAMPLES / entry["file"]).read_text())
        attributes = (body.get("data") or {}).get("attributes") or {}
        sent.setdefault(entry["resource"], []).append(set(attributes))
    return sent


def test_required_badges_follow_the_create_examples(shared_api: Path) -> None:
    # A badge counts only where every documented create example sends the foreign key; the
    # ones left out are badges an example contradicts (the list cannot go stale).
    examples = _create_examples()
    for type_name, relation in REQUIRED:
        for attributes in examples.get(type_name, []):
            assert f"{relation}_id" in attributes, (type_name, relation)
    for type_name, relation in NOT_REQUIRED:
        assert get_schema(type_name).relationships[relation].required
        assert any(f"{relation}_id" not in a for a in examples[type_name]), (type_name, relation)


@pytest.mark.parametrize(("type_name", "start", "stop", "strict"), PERIODS)
def test_a_period_may_not_end_before_it_starts(
    fake: FakeBooqable, type_name: str, start: str, stop: str, strict: bool
) -> None:
    early, late = "2030-01-01T10:00:00Z", "2030-01-05T10:00:00Z"
    reply = write(fake, type_name, "create", {start: late, stop: early})
    assert reply.status == 422, reply.json
    error = pointers(reply)[f"/data/attributes/{stop}"]
    assert error["meta"]["code"] == "greater_than"
    same = write(fake, type_name, "create", {start: early, stop: early})
    assert (
        (f"/data/attributes/{stop}" in pointers(same)) is strict
        if same.status == 422
        else (not strict)
    )


def test_an_update_is_checked_against_the_stored_period(fake: FakeBooqable) -> None:
    order = fake.add(
        "orders", starts_at="2030-01-01T10:00:00.000000+00:00", stops_at="2030-01-03T10:00:00Z"
    )
    path = f"/api/4/orders/{order['id']}"
    moved = send(fake, "PUT", path, doc("orders", {"starts_at": "2030-01-04T10:00:00Z"}))
    assert moved.status == 422
    assert "/data/attributes/stops_at" in pointers(moved)
    assert fake.get("orders", order["id"])["starts_at"] == "2030-01-01T10:00:00.000000+00:00"


def test_bad_enums_periods_and_references_are_rejected_and_nothing_is_stored(
    fake: FakeBooqable,
) -> None:
    # customers.legal_type: "Either person or commercial" (customers field table);
    # orders.deposit_type: none/percentage_total/percentage/fixed (orders field table).
    alien = send(fake, "POST", "/api/4/customers", doc("customers", {"legal_type": "alien"}))
    bogus = send(fake, "POST", "/api/4/orders", doc("orders", {"deposit_type": "bogus"}))
    assert (alien.status, bogus.status) == (422, 422)
    assert alien.json["errors"] == [
        {
            "code": "unprocessable_entity",
            "status": "422",
            "title": "Validation Error",
            "detail": "Legal type is not included in the list",
            "source": {"pointer": "/data/attributes/legal_type"},
            "meta": {
                "attribute": "legal_type",
                "message": "is not included in the list",
                "code": "inclusion",
            },
        }
    ]
    everything = send(
        fake,
        "POST",
        "/api/4/orders",
        doc(
            "orders",
            {
                "starts_at": "2030-01-05T10:00:00Z",
                "stops_at": "2030-01-01T10:00:00Z",
                "customer_id": UNKNOWN,
                "status": "started",
            },
        ),
    )
    assert everything.status == 422
    assert set(pointers(everything)) == {
        "/data/attributes/stops_at",
        "/data/relationships/customer",
        "/data/attributes/status",
    }
    assert fake.count("orders") == fake.count("customers") == 0


def test_nested_writes_are_validated_too(fake: FakeBooqable) -> None:
    body = doc(
        "customers",
        {"name": "Jane", "properties_attributes": [{"name": "x", "property_type": "hologram"}]},
    )
    reply = send(fake, "POST", "/api/4/customers", body)
    assert reply.status == 422
    error = pointers(reply)["/data/relationships/properties.property_type"]
    assert error["detail"] == "Properties property type is not included in the list"
    assert fake.count("customers") == fake.count("properties") == 0


def test_demo_records_written_back_unchanged_are_accepted() -> None:
    # The seed data must pass the same rules a client's writes meet.
    fake = FakeBooqable.demo(orders=40, customers=10, product_groups=5)
    checked = expected = 0
    for type_name in ("customers", "orders", "products", "product_groups", "lines", "locations"):
        schema = get_schema(type_name)
        expected += min(5, fake.count(type_name))
        for record in fake.all(type_name)[:5]:
            attributes = {
                name: value
                for name, value in record.items()
                if name in schema.attributes
                and name != "id"
                and attribute_writable(schema.attributes[name], "update")
                and not schema.attributes[name].writeonly
            }
            reply = send(
                fake,
                "PUT",
                f"/api/4/{type_name}/{record['id']}",
                doc(type_name, attributes, record["id"]),
            )
            assert reply.status == 200, (type_name, reply.json)
            checked += 1
    assert checked == expected > 20
