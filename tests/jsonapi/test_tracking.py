"""What decoding keeps beyond the declared fields, and how changes are tracked.

Undeclared attributes (the first record of each type is checked), attributes documents
lack (primed after the first sight, never lost or invented), and change tracking by
snapshot on first assignment.
"""

from __future__ import annotations

import copy
import pickle
from typing import Any

import pytest

from booqable_async.errors import NotLoadedError
from booqable_async.jsonapi import GenericResource, changes, decode, is_loaded, to_dict
from booqable_async.jsonapi._plan import plan_for
from booqable_async.jsonapi._sentinels import ABSENT, CLEAN, DECODING, INCOMPLETE, UNSET
from tests.jsonapi.models import REGISTRY, Customer, Line, Order


def orders(*attributes: dict[str, Any]) -> dict[str, Any]:
    return {
        "data": [
            {"type": "orders", "id": str(i), "attributes": a} for i, a in enumerate(attributes)
        ]
    }


def test_undeclared_attributes_of_the_first_record_make_every_record_keep_them() -> None:
    doc = decode(orders({"number": 1, "brand_new": 1}, {"number": 2, "brand_new": 2}), REGISTRY)
    assert [o.extra_attributes for o in doc.primary] == [{"brand_new": 1}, {"brand_new": 2}]
    assert [o.number for o in doc.primary] == [1, 2]  # type: ignore[attr-defined]
    assert to_dict(doc.primary[1])["attributes"] == {"number": 2, "brand_new": 2}


def test_records_of_one_type_that_differ_need_check_every_record() -> None:
    body = orders({"number": 1}, {"number": 2, "brand_new": 2})
    # The documented assumption: records of one type in one answer share attribute names.
    assert decode(body, REGISTRY).primary[1].extra_attributes == {}
    kept = decode(body, REGISTRY, check_every_record=True).primary[1]
    assert kept.extra_attributes == {"brand_new": 2}


def test_attributes_documents_lack_are_primed_and_never_invented() -> None:
    plan = plan_for(Customer)
    sparse = {"data": {"type": "customers", "id": "c", "attributes": {"name": "a"}}}
    for _ in range(2):  # the second time, the missing attributes are primed
        customer = decode(sparse, REGISTRY).data
        assert isinstance(customer, Customer)
        assert customer.name == "a"
        assert not is_loaded(customer, "email")
        with pytest.raises(NotLoadedError, match="fields"):
            _ = customer.email
    assert "email" in {name for name, _ in plan.primed_getters}
    full = {"data": {"type": "customers", "id": "c", "attributes": {"name": "b", "email": "e"}}}
    customer = decode(full, REGISTRY).data
    assert isinstance(customer, Customer)
    assert customer.email == "e"  # primed, and still decoded when present


def test_a_record_built_locally_has_unset_fields_removed() -> None:
    order = Order(number=3)
    assert not is_loaded(order, "starts_at")
    assert changes(order) == {"number": 3}
    assert order._jsonapi_snap is None
    copied = copy.copy(order)
    assert copied.number == 3
    assert not is_loaded(copied, "starts_at")


def test_changes_snapshot_on_first_assignment() -> None:
    doc = decode(
        {
            "data": {
                "type": "orders",
                "id": "o1",
                "attributes": {"number": 1, "tag_list": ["a"], "status": "new"},
                "relationships": {"customer": {"data": {"type": "customers", "id": "c1"}}},
            },
            "included": [{"type": "customers", "id": "c1"}, {"type": "customers", "id": "c2"}],
        },
        REGISTRY,
    )
    order = doc.data
    assert isinstance(order, Order)
    assert order._jsonapi_snap is CLEAN  # nothing copied until something changes
    order.number = 1  # the same value: not a change
    assert changes(order) == {}
    order.status = "draft"
    order.status = "new"  # back to the original: not a change either
    assert changes(order) == {}
    order.tag_list = ["a", "b"]
    order.starts_at = None  # absent before: set now
    c2 = doc.get("customers", "c2")
    assert isinstance(c2, Customer)
    order.customer = c2
    assert changes(order) == {"tag_list": ["a", "b"], "starts_at": None, "customer": c2}
    order.customer = doc.get("customers", "c1")  # type: ignore[assignment]
    assert "customer" not in changes(order)
    order.lines = [Line(id="l1")]  # not loaded before: a change
    assert [line.id for line in changes(order)["lines"]] == ["l1"]


def test_generic_attributes_changed_in_place_are_seen() -> None:
    doc = decode({"data": {"type": "widgets", "id": "w", "attributes": {"a": 1, "b": [1]}}})
    widget = doc.data
    assert isinstance(widget, GenericResource)
    assert changes(widget) == {}
    widget.attributes["a"] = 2
    widget.attributes["c"] = 3
    assert changes(widget) == {"a": 2, "c": 3}
    widget.attributes["b"].append(2)  # a value changed in place is not seen (documented)
    assert "b" not in changes(widget)


def test_sentinels_are_private_and_tidy() -> None:
    assert [repr(s) for s in (UNSET, ABSENT, CLEAN, DECODING, INCOMPLETE)] == [
        "UNSET",
        "ABSENT",
        "CLEAN",
        "DECODING",
        "INCOMPLETE",
    ]
    assert pickle.loads(pickle.dumps(UNSET)) is UNSET


def test_private_and_dunder_names_are_plain_attribute_errors() -> None:
    order = Order(id="1")
    with pytest.raises(AttributeError) as info:
        _ = order.__nope__  # type: ignore[attr-defined]
    assert not isinstance(info.value, NotLoadedError)
    widget = GenericResource(type="widgets", id="w")
    with pytest.raises(NotLoadedError, match="no id yet"):
        _ = GenericResource(type="widgets").id
    assert widget.id == "w"
