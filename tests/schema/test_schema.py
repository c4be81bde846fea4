from __future__ import annotations

import json
from pathlib import Path

import pytest

from booqable_async.errors import UsageError
from booqable_async.schema import (
    filter_operators_for_type,
    get_schema,
    has_schema,
    resource_types,
    searchable_types,
)


def test_every_catalog_type_is_known() -> None:
    types = resource_types()
    assert len(types) == 113
    assert "orders" in types
    assert has_schema("customers")
    assert not has_schema("nope")


def test_orders_schema_facts() -> None:
    orders = get_schema("orders")
    assert orders.supports("list")
    assert not orders.supports("delete")
    assert orders.attributes["starts_at"].type == "datetime"
    assert orders.attributes["amount_in_cents"].readonly
    assert not orders.attributes["amount_in_cents"].writable("create")
    assert orders.relationships["customer"].many is False
    assert orders.relationships["lines"].many is True
    assert "between" in orders.filters["start_or_stop_time"]
    assert orders.stats["total"] == frozenset({"count"})
    assert "customer" in orders.includes_for("list")
    assert orders.includes_for("delete") == ()
    assert orders.concrete_types() == ("orders",)
    assert orders.max_page_size == 100
    assert "list" in orders.sortable
    assert get_schema("orders") is orders  # cached


def test_polymorphic_and_actions() -> None:
    items = get_schema("items")
    assert set(items.concrete_types()) == {"product_groups", "products", "bundles"}
    owner = get_schema("notes").relationships["owner"]
    assert owner.polymorphic
    assert "orders" in owner.types
    fulfil = get_schema("order_fulfillments")
    assert "book_product" in fulfil.actions
    assert "product_id" in fulfil.actions["book_product"].fields
    assert "data.target_ids" in get_schema("operations").actions["archive"].fields
    customers = get_schema("customers")
    assert customers.delete_archives
    assert customers.delete_kind == "archive"


def test_readonly_after_create() -> None:
    spec = next(
        a
        for t in resource_types()
        for a in get_schema(t).attributes.values()
        if a.readonly_after_create and not a.readonly
    )
    assert spec.writable("create")
    assert not spec.writable("update")


def test_unknown_type_suggests() -> None:
    with pytest.raises(UsageError, match=r"; did you mean 'orders'\? \(113 types; first 10: "):
        get_schema("order")
    with pytest.raises(
        UsageError, match=r"^unknown Booqable resource type 'zzzzzz' \(113 types; first 10: "
    ):
        get_schema("zzzzzz")


def test_global_facts() -> None:
    assert "orders" in searchable_types()
    assert "prefix" in filter_operators_for_type("string")
    assert filter_operators_for_type("mystery") == frozenset({"eq"})


def test_generated_data_is_fresh(shared_api: Path) -> None:
    import tools.generate as gen

    catalog = gen.load_catalog(shared_api / "catalog.json")
    for path, text in gen.render_all(catalog).items():
        assert path.read_text(encoding="utf-8") == text, (
            f"{path} is stale: run `make generate` and commit the result"
        )
    assert json.loads((shared_api / "catalog.json").read_text())["resources"]
