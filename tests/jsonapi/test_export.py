from __future__ import annotations

from typing import Any

import orjson
import pytest

from booqable_async.errors import UsageError
from booqable_async.jsonapi import Registry, decode, to_dict
from tests.jsonapi.models import REGISTRY, Order

BODY: dict[str, Any] = {
    "data": [
        {
            "type": "orders",
            "id": "o1",
            "attributes": {"number": 1, "starts_at": "2025-01-01T00:00:00Z", "novel": [1]},
            "relationships": {
                "customer": {"data": {"type": "customers", "id": "c1"}, "links": {"related": "r"}},
                "lines": {"data": [{"type": "lines", "id": "l1"}]},
                "plannings": {"meta": {"n": 0}},
                "coupon": {"data": None},
            },
            "meta": {"m": 1},
            "links": {"self": "s"},
        }
    ],
    "included": [
        {"type": "customers", "id": "c1", "attributes": {"name": "Jane"}},
        {
            "type": "lines",
            "id": "l1",
            "attributes": {"title": "t"},
            "relationships": {
                "order": {"data": {"type": "orders", "id": "o1"}},
                "item": {"data": {"type": "products", "id": "missing"}},
            },
        },
    ],
    "meta": {"stats": {"total": {"count": 1}}},
    "links": {"self": "x"},
    "jsonapi": {"version": "1.0"},
}


def test_resource_export_uses_identifiers() -> None:
    order = decode(BODY, REGISTRY).primary[0]
    out = to_dict(order)
    assert out == {
        "type": "orders",
        "id": "o1",
        "attributes": {"number": 1, "starts_at": "2025-01-01T00:00:00Z", "novel": [1]},
        "relationships": {
            "customer": {"data": {"type": "customers", "id": "c1"}, "links": {"related": "r"}},
            "lines": {"data": [{"type": "lines", "id": "l1"}]},
            "coupon": {"data": None},
            "plannings": {"meta": {"n": 0}},
        },
        "meta": {"m": 1},
        "links": {"self": "s"},
    }
    orjson.dumps(out)  # JSON-ready


def test_embedding_with_a_depth_limit_is_cycle_safe() -> None:
    order = decode(BODY, REGISTRY).primary[0]
    out = to_dict(order, embed=5)
    customer = out["relationships"]["customer"]["data"]
    assert customer["attributes"] == {"name": "Jane"}
    line = out["relationships"]["lines"]["data"][0]
    assert line["attributes"] == {"title": "t"}
    # The line's order is the order being exported: an identifier, not a loop.
    assert line["relationships"]["order"]["data"] == {"type": "orders", "id": "o1"}
    # A stub is an identifier.
    assert line["relationships"]["item"]["data"] == {"type": "products", "id": "missing"}
    one_level = to_dict(order, embed=1)
    line = one_level["relationships"]["lines"]["data"][0]
    assert line["relationships"]["order"]["data"] == {"type": "orders", "id": "o1"}
    assert "attributes" in line
    orjson.dumps(out)


def test_shared_targets_are_embedded_everywhere() -> None:
    body = {
        "data": [
            {
                "type": "orders",
                "id": f"o{i}",
                "relationships": {"customer": {"data": {"type": "customers", "id": "c"}}},
            }
            for i in range(2)
        ],
        "included": [{"type": "customers", "id": "c", "attributes": {"name": "x"}}],
    }
    doc = decode(body, REGISTRY)
    out = to_dict(doc, embed=1)
    for item in out["data"]:
        assert item["relationships"]["customer"]["data"]["attributes"] == {"name": "x"}


def test_document_round_trip() -> None:
    for registry in (REGISTRY, Registry()):
        doc = decode(BODY, registry)
        exported = to_dict(doc)
        assert exported["meta"] == BODY["meta"]
        assert exported["jsonapi"] == {"version": "1.0"}
        again = decode(orjson.dumps(exported), registry)
        assert to_dict(again) == exported


def test_single_and_null_documents() -> None:
    assert to_dict(decode({"data": None})) == {"data": None}
    single = to_dict(decode({"data": BODY["data"][0]}, REGISTRY))
    assert single["data"]["id"] == "o1"
    errors = to_dict(decode({"errors": [{"code": "x"}]}))
    assert errors == {"errors": [{"code": "x"}]}  # an error document has no data


def test_new_resources_export_their_lid() -> None:
    assert to_dict(Order(lid="tmp", number=3)) == {
        "type": "orders",
        "lid": "tmp",
        "attributes": {"number": 3},
    }


def test_bad_arguments() -> None:
    with pytest.raises(UsageError):
        to_dict(Order(), embed=-1)
    with pytest.raises(UsageError):
        to_dict({"type": "orders"})  # type: ignore[arg-type]


def test_long_chains_export_without_recursion() -> None:
    n = 5000
    body = {
        "data": {
            "type": "lines",
            "id": "0",
            "relationships": {"parent_line": {"data": {"type": "lines", "id": "1"}}},
        },
        "included": [
            {
                "type": "lines",
                "id": str(i),
                "relationships": {"parent_line": {"data": {"type": "lines", "id": str(i + 1)}}},
            }
            for i in range(1, n)
        ],
    }
    doc = decode(body, REGISTRY)
    assert doc.data is not None
    out = to_dict(doc.data, embed=n + 10)
    depth = 0
    node = out
    while "relationships" in node:
        node = node["relationships"]["parent_line"]["data"]
        depth += 1
    assert depth == n
