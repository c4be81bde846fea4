"""Rendering edge cases: records reached by several include paths, empty documents."""

from __future__ import annotations

from booqable_async.testing._context import Context
from booqable_async.testing._serialize import RenderOptions, document, nested_document


def _ctx() -> Context:
    return Context(0, lambda: 0.0)


def test_record_reached_by_two_paths_gets_both_relationships() -> None:
    ctx = _ctx()
    customer = ctx.insert("customers", ctx.build("customers", {"name": "Jane"}))
    ctx.insert(
        "properties",
        ctx.build("properties", {"owner_id": customer["id"], "owner_type": "customers"}),
    )
    order = ctx.insert("orders", ctx.build("orders", {"customer_id": customer["id"]}))
    line = ctx.insert("lines", ctx.build("lines", {"order_id": order["id"]}))
    # line -> order -> customer (with properties) and line -> order again without them
    tree = {"order": {"customer": {}}, "owner": {"customer": {"properties": {}}, "coupon": {}}}
    ctx.update("lines", line, {"owner_id": order["id"], "owner_type": "orders"})
    doc = document(ctx.store, ("lines", line), include=tree, options=RenderOptions())
    included = {(r["type"], r["id"]): r for r in doc["included"]}
    rendered_order = included[("orders", order["id"])]
    assert set(rendered_order["relationships"]) == {"customer", "coupon"}
    rendered_customer = included[("customers", customer["id"])]
    assert set(rendered_customer["relationships"]) == {"properties"}
    assert sum(1 for t, _ in included if t == "properties") == 1


def test_primary_record_reached_again_through_include() -> None:
    ctx = _ctx()
    order = ctx.insert("orders", ctx.build("orders", {}))
    line = ctx.insert("lines", ctx.build("lines", {"order_id": order["id"]}))
    tree = {"lines": {"order": {"coupon": {}}}}
    doc = document(ctx.store, [("orders", order)], include=tree, options=RenderOptions())
    assert [r["type"] for r in doc["included"]] == ["lines"]
    assert doc["included"][0]["relationships"]["order"]["data"]["id"] == order["id"]
    assert line["id"] == doc["included"][0]["id"]


def test_empty_documents() -> None:
    ctx = _ctx()
    assert document(ctx.store, None, include={}, options=RenderOptions()) == {
        "data": None,
        "meta": {},
    }
    assert nested_document(ctx.store, None, include={}, options=RenderOptions()) == {"data": None}
