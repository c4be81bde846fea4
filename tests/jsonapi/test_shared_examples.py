"""Every response example and recorded 2xx body in ../shared/booqable-api decodes."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from booqable_async.jsonapi import GenericResource, Registry, is_loaded, to_dict
from booqable_async.models import decode, decode_nested
from tests.jsonapi.models import REGISTRY, Customer, Line, Order, Product


def _examples(shared: Path) -> list[Path]:
    return sorted((shared / "examples").glob("*__response*.json"))


def _recorded_2xx(shared: Path) -> list[tuple[str, str]]:
    out = []
    for path in sorted((shared / "recorded").glob("*__*.json")):
        exchange = json.loads(path.read_text())
        response = exchange["response"]
        if 200 <= response["status"] < 300 and response["body"]:
            out.append((path.name, response["body"]))
    return out


def test_every_response_example_decodes(shared_api: Path) -> None:
    examples = _examples(shared_api)
    assert len(examples) > 300
    nested = 0
    for path in examples:
        body = path.read_bytes()
        resource_type = path.name.split("__")[0]
        if resource_type == "intro":
            resource_type = "orders"
        for registry in (Registry(), REGISTRY):
            # Some documented answers (searches, a few lists) use the nested format;
            # nested_type lets decode() take either.
            doc = decode(body, registry, nested_type=resource_type)
            # The export of a decoded document decodes to the same graph again.
            again = decode(to_dict(doc), registry)
            assert to_dict(again) == to_dict(doc), path.name
        if (
            decode(body, Registry(), nested_type="x").primary[:1]
            != decode(body, Registry(), nested_type="y").primary[:1]
        ):
            nested += 1
    assert nested >= 10  # the searches, tax_regions, stock_counts, webhook_endpoints...


def test_every_recorded_2xx_body_decodes(shared_api: Path) -> None:
    bodies = _recorded_2xx(shared_api)
    assert len(bodies) > 30
    for name, body in bodies:
        generic = decode(body, Registry())
        typed = decode(body, REGISTRY)
        assert len(generic.primary) == len(typed.primary), name
        for resource in typed.primary:
            if resource.type == "orders":
                assert isinstance(resource, Order)
                assert isinstance(resource.created_at, datetime)
                assert resource.created_at.tzinfo is not None


def _recorded(shared: Path, fragment: str) -> Any:
    for path in sorted((shared / "recorded").glob(f"*{fragment}*")):
        return json.loads(path.read_text())["response"]["body"]
    raise AssertionError(fragment)


def test_recorded_order_with_lines_and_items(shared_api: Path) -> None:
    doc = decode(_recorded(shared_api, "supports-complex-nested-includes"), REGISTRY)
    order = doc.data
    assert isinstance(order, Order)
    assert order.id == "3e037580-3d7a-4d23-876c-f0ba1a481bb7"
    assert order.number == 200
    assert order.status == "concept"
    assert order.status_counts is not None
    assert order.status_counts["concept"] == 2
    assert order.amount_to_be_paid_in_cents is None or isinstance(
        order.amount_to_be_paid_in_cents, int
    )
    assert isinstance(order.lines, list)
    assert len(order.lines) == 2
    line = order.lines[0]
    assert isinstance(line, Line)
    assert isinstance(line.item, Product)
    assert line.item.type_ == "products"
    assert line.item.name is not None
    assert line.item.extra_attributes["lead_time"] == 0  # undeclared: kept
    assert not is_loaded(order, "customer")  # not included in this request


def test_recorded_order_with_customer(shared_api: Path) -> None:
    body = _recorded(shared_api, "find__supports-includes-for-customer")
    doc = decode(body, REGISTRY)
    order = doc.data
    assert isinstance(order, Order)
    customer = order.customer
    assert isinstance(customer, Customer)
    assert customer.name
    assert order.customer_id == customer.id


def test_recorded_list_with_stats(shared_api: Path) -> None:
    doc = decode(_recorded(shared_api, "auto-pagination__fetches-all-the-pages__1"), REGISTRY)
    assert doc.meta["stats"]["total"]["count"] >= 1
    assert all(isinstance(r, Order) for r in doc.primary)


def test_intro_includes_example(shared_api: Path) -> None:
    body = (shared_api / "examples" / "intro__includes__response.json").read_bytes()
    doc = decode(body, REGISTRY)
    order = doc.data
    assert isinstance(order, Order)
    customer = order.customer
    assert isinstance(customer, Customer)
    assert customer.name == "John Doe"
    phone = customer.properties_[0]  # type: ignore[index]
    assert phone.value == "+31600000000"
    assert not is_loaded(phone, "owner")  # only links: not loaded
    assert not hasattr(phone, "owner")
    assert order.relationship_links["customer"]["related"].startswith("api/4/customers/")
    generic = decode(body, Registry()).data
    assert isinstance(generic, GenericResource)
    assert generic.customer.properties[0].value == "+31600000000"


def test_nested_intro_example(shared_api: Path) -> None:
    body = (shared_api / "examples" / "intro__json-nested__response.json").read_bytes()
    doc = decode_nested(body, "orders", REGISTRY)
    order = doc.primary[0]
    assert isinstance(order, Order)
    assert order.starts_at is not None
    assert order.starts_at.year == 2021
    assert isinstance(order.customer, Customer)
    assert order.customer.name == "John Doe"
    assert doc.included == [order.customer]
