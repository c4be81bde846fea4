"""Adversarial sizes: huge, densely linked, deeply chained and deeply nested documents.

These prove correctness and the absence of recursion at sizes far beyond a real page (100
records). How the time grows (n vs 2n, linear) is measured by
``benchmarks/bench_adversarial.py``, not asserted here: machines are noisy.
"""

from __future__ import annotations

from typing import Any

import pytest

from booqable_async import errors
from booqable_async.jsonapi import Document, GenericResource, to_dict
from booqable_async.models import decode, decode_nested
from booqable_async.protocol import decipher_response
from booqable_async.transport import HttpResponse

pytestmark = pytest.mark.slow

#: Resources in the dense document, and the references each one holds.
DENSE = 50_000
FAN_OUT = 8
ORDERS = 100


def dense_document(n: int = DENSE, fan_out: int = FAN_OUT, chain: bool = True) -> bytes:
    """``n`` lines, each referencing ``fan_out`` others, a parent (a chain of ``n``), an order.

    The orders are never included, so they decode as stubs shared by ``n / ORDERS`` lines.
    Written as text directly: building the equivalent dicts costs more than decoding them.
    """

    def line(i: int) -> str:
        nested = ",".join(f'{{"type":"lines","id":"{(i + j) % n}"}}' for j in range(1, fan_out + 1))
        parent = f'{{"type":"lines","id":"{i + 1}"}}' if i + 1 < n else "null"
        chained = f',"parent_line":{{"data":{parent}}}' if chain else ""
        return (
            f'{{"type":"lines","id":"{i}","attributes":{{"title":"line {i}","quantity":{i}}},'
            f'"relationships":{{"nested_lines":{{"data":[{nested}]}},'
            f'"order":{{"data":{{"type":"orders","id":"o{i % ORDERS}"}}}}{chained}}}}}'
        )

    included = ",".join(line(i) for i in range(1, n))
    return f'{{"data":[{line(0)}],"included":[{included}]}}'.encode()


@pytest.fixture(scope="module")
def dense() -> Document:
    return decode(dense_document())


def test_a_densely_linked_50k_document_links_every_reference(dense: Document) -> None:
    lines = dense.primary + dense.included
    assert len(lines) == DENSE
    assert len(dense.stubs) == ORDERS
    by_id = {line.id: line for line in lines}
    for i, line in enumerate(lines):
        assert line.id == str(i)
        targets = line.nested_lines
        assert len(targets) == FAN_OUT
        for j, target in enumerate(targets, start=1):
            assert target is by_id[str((i + j) % DENSE)]
        assert line.order is dense.get("orders", f"o{i % ORDERS}")
        assert line.order.is_stub


def test_a_50k_long_include_chain_needs_no_recursion(dense: Document) -> None:
    line: Any = dense.data[0] if isinstance(dense.data, list) else dense.data
    depth = 1
    while line.parent_line is not None:
        line = line.parent_line
        depth += 1
    assert depth == DENSE
    # repr, equality and hashing are cycle- and depth-safe on the whole graph.
    for resource in (dense.primary[0], line, *dense.stubs[:3]):
        assert resource.id is not None
        assert repr(resource).startswith(("Line(", "Order(", "GenericResource("))
        assert resource == dense.get(resource.type, resource.id)
        assert hash(resource) == hash(dense.get(resource.type, resource.id))
    assert len({*dense.included, *dense.primary}) == DENSE


def test_exporting_a_long_chain_needs_no_recursion() -> None:
    doc = decode(dense_document(n=5_000, fan_out=2))
    exported = to_dict(doc)
    assert len(exported["included"]) == 4_999
    assert exported["data"][0]["relationships"]["parent_line"]["data"] == {
        "type": "lines",
        "id": "1",
    }


def _nested_arrays(depth: int) -> bytes:
    return b'{"data": {"type": "orders", "id": "1", "attributes": {"x": ' + (
        b"[" * depth + b"]" * depth + b"}}}"
    )


@pytest.mark.parametrize("depth", [1_100, 10_000, 100_000])
def test_a_deep_nesting_attempt_is_refused_with_decode_error(depth: int) -> None:
    body = _nested_arrays(depth)
    with pytest.raises(errors.DecodeError, match="depth"):
        decode(body)
    ok = HttpResponse(200, {"Content-Type": "application/vnd.api+json"}, body)
    with pytest.raises(errors.DecodeError, match="depth"):
        decipher_response(ok, method="GET")
    # As an error body it cannot be read as JSON either: a typed error with an excerpt.
    failed = HttpResponse(500, {"Content-Type": "application/vnd.api+json"}, body)
    with pytest.raises(errors.ServerError) as info:
        decipher_response(failed, method="GET")
    assert len(info.value.body_excerpt) <= 200


def test_nesting_within_the_parser_limit_decodes() -> None:
    # msgspec's limit is Python's recursion limit (1,000 frames, less the caller's).
    doc = decode(_nested_arrays(500))
    value: Any = doc.primary[0].extra_attributes.get("x", None)
    if value is None:  # a generic resource keeps it among its attributes
        value = doc.primary[0].attributes["x"]
    depth = 0
    while value:
        value = value[0]
        depth += 1
    assert depth == 499
    repr(doc.primary[0])  # reprlib bounds the depth shown


def test_an_already_parsed_10k_deep_value_is_refused_with_decode_error() -> None:
    value: Any = "leaf"
    for _ in range(10_000):
        value = {"a": value}
    with pytest.raises(errors.DecodeError, match="depth"):
        decode({"data": {"type": "widgets", "id": "1", "attributes": {"deep": value}}})


def test_a_10k_deep_nested_format_chain_decodes_iteratively() -> None:
    # orders -> lines -> order -> lines ...: the nested .json format nests records.
    record: dict[str, Any] = {"id": "o-last", "number": 1}
    for i in range(10_000):
        record = (
            {"id": f"l{i}", "title": "x", "order": record}
            if i % 2 == 0
            else {"id": f"o{i}", "number": i, "lines": [record]}
        )
    doc = decode_nested({"data": [record]}, "orders")
    assert len(doc.primary) == 1
    if isinstance(doc.primary[0], GenericResource):
        # No model says which keys are relationships: nested records stay raw values.
        assert doc.primary[0].lines[0]["id"] == "l9998"
    else:
        assert len(doc.included) == 10_000  # every nested record became a linked model
