"""Booking action payloads: the docs' request bodies, the catalog's fields, validation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import attrs
import pytest

from booqable_async.errors import UsageError
from booqable_async.models import (
    BookBundle,
    BookProduct,
    BookStockItems,
    FulfillmentAction,
    ProductVariation,
    SpecifyStockItems,
    StartProduct,
    StartStockItems,
    StatusTransition,
    StopProduct,
    StopStockItems,
)
from booqable_async.models._actions import action_list
from booqable_async.schema import get_schema

ACTIONS: list[type[FulfillmentAction]] = [
    BookBundle,
    BookProduct,
    BookStockItems,
    SpecifyStockItems,
    StartProduct,
    StartStockItems,
    StopProduct,
    StopStockItems,
]


def build(kind: str, fields: dict[str, Any]) -> FulfillmentAction:
    cls = next(c for c in ACTIONS if c.action == kind)
    if kind == "book_bundle":
        fields = {
            **fields,
            "product_variations": [ProductVariation(**v) for v in fields["product_variations"]],
        }
    return cls(**fields)


def test_every_documented_action_kind_has_a_payload() -> None:
    documented = get_schema("order_fulfillments").actions
    assert {cls.action for cls in ACTIONS} == set(documented)
    for cls in ACTIONS:
        assert {f.name for f in attrs.fields(cls)} == set(documented[cls.action].fields)


def test_payloads_render_the_docs_request_bodies(shared_api: Path) -> None:
    seen = set()
    for path in sorted((shared_api / "examples").glob("order_fulfillments__create__request*.json")):
        body = json.loads(path.read_text())
        for raw in body["data"]["attributes"]["actions"]:
            # The docs sometimes send an unused member as null; we leave it out.
            sent = {k: v for k, v in raw.items() if v is not None}
            fields = {k: v for k, v in sent.items() if k != "action"}
            assert build(raw["action"], fields).to_json() == sent, path.name
            seen.add(raw["action"])
    assert seen == {cls.action for cls in ACTIONS}


def test_transitions_render_the_docs_request_bodies(shared_api: Path) -> None:
    builders = {
        ("new", "draft"): StatusTransition.save_as_draft(from_status="new"),
        ("draft", "reserved"): StatusTransition.reserve(from_status="draft"),
        ("reserved", "archived"): StatusTransition.archive(from_status="reserved"),
        ("stopped", "archived"): StatusTransition.archive(from_status="stopped"),
    }
    for path in sorted(
        (shared_api / "examples").glob("order_status_transitions__create__request*.json")
    ):
        attributes = json.loads(path.read_text())["data"]["attributes"]
        key = (attributes["transition_from"], attributes["transition_to"])
        if attributes.get("revert"):
            step = StatusTransition.revert_to(key[1], from_status=key[0])
        elif attributes.get("confirm_shortage"):
            step = StatusTransition.reserve(from_status=key[0], confirm_shortage=True)
        else:
            step = builders[key]
        assert step.to_attributes(attributes["order_id"]) == attributes, path.name


def test_transition_constructors() -> None:
    assert StatusTransition.start().revert
    assert StatusTransition.start().transition_to == "started"
    assert StatusTransition.stop().revert
    assert StatusTransition.stop().transition_to == "stopped"
    assert StatusTransition.cancel(from_status="new").to_attributes("o1") == {
        "order_id": "o1",
        "transition_from": "new",
        "transition_to": "canceled",
        "revert": None,
        "confirm_shortage": None,
    }
    with pytest.raises(UsageError, match="give from_status"):
        StatusTransition.reserve().to_attributes("o1")
    with pytest.raises(UsageError, match="order_id"):
        StatusTransition.reserve(from_status="draft").to_attributes("")
    with pytest.raises(UsageError, match="transition_to must be an order status"):
        StatusTransition(transition_to="")


@pytest.mark.parametrize(
    ("build_bad", "message"),
    [
        (lambda: BookProduct(product_id="", quantity=1), "product_id must be a non-empty id"),
        (lambda: BookProduct(product_id="p", quantity=0), "quantity must be an integer >= 1"),
        (lambda: BookProduct(product_id="p", quantity=True), "quantity must be an integer"),
        (lambda: BookProduct(product_id="p", quantity=1, mode="nope"), "mode must be one of"),
        (
            lambda: BookProduct(product_id="p", quantity=1, mode="update_existing"),
            "needs the planning_id",
        ),
        (
            lambda: BookStockItems(product_id="p", stock_item_ids=[], mode="update_existing"),
            "at least one stock item",
        ),
        (
            lambda: BookStockItems(product_id="p", stock_item_ids=["s"], mode="update_existing"),
            "needs the planning_id",
        ),
        (lambda: BookStockItems(product_id="p", stock_item_ids="s1"), "expected a list of ids"),
        (lambda: BookStockItems(product_id="p", stock_item_ids=[1]), r"stock_item_ids\[\]"),
        (lambda: SpecifyStockItems(product_id="p", planning_id="x"), "to add or to remove"),
        (lambda: StartProduct(product_id="p", quantity=1, planning_id=""), "planning_id"),
        (lambda: BookBundle(bundle_id="b", quantity=1, product_variations="x"), "must be a list"),
        (
            lambda: BookBundle(bundle_id="b", quantity=1, product_variations=[{}]),
            "need bundle_item",
        ),
        (lambda: BookBundle(bundle_id="b", quantity=1, product_variations=[3]), "entries must be"),
        (lambda: action_list([]), "at least one action"),
        (lambda: action_list(["book"]), "actions must be"),  # type: ignore[list-item]
    ],
)
def test_bad_values_are_refused(build_bad: Any, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        build_bad()


def test_payload_details() -> None:
    variation = {"bundle_item_id": "bi", "product_id": "p"}
    bundle = BookBundle(bundle_id="b", quantity=2, product_variations=[variation])
    assert bundle.product_variations == (ProductVariation(**variation),)
    assert BookBundle(bundle_id="b", quantity=1).to_json()["product_variations"] == []
    assert BookProduct(product_id="p", quantity=1).to_json() == {
        "action": "book_product",
        "product_id": "p",
        "quantity": 1,
        "mode": "create_new",
    }
    assert StopStockItems(product_id="p", stock_item_ids=("s",)).stock_item_ids == ("s",)
