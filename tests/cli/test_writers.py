"""Streaming writers: valid documents, stable CSV headers, continuing at an offset."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest

from booqable_async.cli._writers import (
    Column,
    CsvWriter,
    JsonArrayWriter,
    JsonLinesWriter,
    csv_columns,
    make_writer,
)
from booqable_async.errors import UsageError


def order(n: int, **extra: Any) -> dict[str, Any]:
    return {
        "type": "orders",
        "id": f"id-{n}",
        "attributes": {"number": n, "status": "reserved", "tag_list": ["a", "b"], **extra},
        "relationships": {
            "customer": {
                "data": {"type": "customers", "id": f"c-{n}", "attributes": {"name": f"C{n}"}}
            },
            "properties": {"data": [{"type": "properties", "id": "p1", "attributes": {"v": 1}}]},
            "coupon": {"data": None},
        },
    }


@pytest.mark.parametrize("fmt", ["jsonl", "json", "csv"])
def test_empty_documents_are_valid(fmt: str) -> None:
    buf = io.BytesIO()
    writer = make_writer(fmt, buf, columns=[Column("id")])
    offset = writer.checkpoint()
    writer.close()
    writer.close()  # idempotent
    text = buf.getvalue().decode()
    if fmt == "json":
        assert json.loads(text) == []
        assert offset == 1
    elif fmt == "csv":
        assert text == "id\r\n"
        assert offset == len(text)
    else:
        assert text == ""


def test_json_lines_one_record_per_line() -> None:
    buf = io.BytesIO()
    writer = JsonLinesWriter(buf)
    for n in range(3):
        writer.write(order(n))
    assert writer.records == 3
    assert writer.checkpoint() == len(buf.getvalue())
    writer.close()
    lines = buf.getvalue().decode().splitlines()
    assert [json.loads(line)["id"] for line in lines] == ["id-0", "id-1", "id-2"]


def test_json_array_continues_after_truncating_its_closing_bracket() -> None:
    buf = io.BytesIO()
    writer = JsonArrayWriter(buf)
    writer.write(order(1))
    writer.write(order(2))
    offset = writer.checkpoint()
    writer.close()
    assert [r["id"] for r in json.loads(buf.getvalue())] == ["id-1", "id-2"]
    # Resume: cut the closing bracket at the checkpoint and go on.
    buf.truncate(offset)
    buf.seek(offset)
    more = JsonArrayWriter(buf, fresh=False, records_before=2, base_offset=offset)
    more.write(order(3))
    more.close()
    assert [r["id"] for r in json.loads(buf.getvalue())] == ["id-1", "id-2", "id-3"]


def test_json_array_continued_without_records_needs_no_comma() -> None:
    buf = io.BytesIO()
    first = JsonArrayWriter(buf)
    offset = first.checkpoint()
    first.close()
    buf.truncate(offset)
    buf.seek(offset)
    more = JsonArrayWriter(buf, fresh=False, records_before=0, base_offset=offset)
    more.write(order(1))
    more.close()
    assert [r["id"] for r in json.loads(buf.getvalue())] == ["id-1"]


def test_csv_flattens_attributes_and_included_records() -> None:
    columns = csv_columns(
        "orders",
        ["customer", "properties", "coupon"],
        {"orders": ["number", "status", "tag_list", "starts_at"], "customers": ["name"]},
    )
    names = [c.name for c in columns]
    assert names[:7] == [
        "id",
        "number",
        "starts_at",
        "status",
        "tag_list",
        "customer.id",
        "customer.name",
    ]
    assert "properties" in names
    assert "coupon.id" in names
    buf = io.BytesIO()
    writer = CsvWriter(buf, columns)
    writer.write(order(7))
    writer.write(order(8, status=None, number=True))
    writer.close()
    rows = list(csv.DictReader(io.StringIO(buf.getvalue().decode())))
    assert rows[0]["id"] == "id-7"
    assert rows[0]["number"] == "7"
    assert rows[0]["starts_at"] == ""  # not loaded: empty cell
    assert rows[0]["tag_list"] == '["a","b"]'
    assert rows[0]["customer.name"] == "C7"
    assert json.loads(rows[0]["properties"]) == [{"id": "p1", "v": 1}]
    assert rows[0]["coupon.id"] == ""
    assert rows[1]["status"] == ""
    assert rows[1]["number"] == "true"


def test_csv_header_is_stable_and_covers_the_schema() -> None:
    first = csv_columns("orders", ["customer"])
    assert first == csv_columns("orders", ["customer"])
    names = [c.name for c in first]
    assert names[0] == "id"
    assert "grand_total_in_cents" in names
    assert "customer.email" in names
    # writeonly attributes are never returned, so they get no column.
    assert "confirm_shortage" not in names
    # Nested paths under a to-one relation follow it; the same path twice adds nothing.
    nested = [c.name for c in csv_columns("orders", ["customer", "customer.properties"])]
    assert "customer.properties" in nested
    assert nested.count("customer.id") == 1


def test_csv_polymorphic_resources_get_a_type_column_and_the_union_of_attributes() -> None:
    names = [c.name for c in csv_columns("items")]
    assert names[:2] == ["id", "type"]
    assert "base_price_in_cents" in names
    assert names[2:] == sorted(names[2:])


def test_csv_continues_without_a_second_header() -> None:
    columns = [Column("id"), Column("number", field="number")]
    buf = io.BytesIO()
    first = CsvWriter(buf, columns)
    first.write(order(1))
    offset = first.checkpoint()
    more = CsvWriter(buf, columns, fresh=False, records_before=1, base_offset=offset)
    more.write(order(2))
    more.close()
    assert buf.getvalue().decode().splitlines() == ["id,number", "id-1,1", "id-2,2"]
    assert more.records == 2
    assert more.columns == tuple(columns)


def test_csv_values_behind_missing_relations_are_empty() -> None:
    columns = [
        Column("customer.name", ("customer",), "name"),
        Column("a.b.id", ("a", "b"), "id"),
        Column("p", ("properties",), None),
        Column("c", ("customer",), None),
    ]
    buf = io.BytesIO()
    writer = CsvWriter(buf, columns)
    writer.write({"id": "x", "relationships": {"customer": {"data": None}, "properties": {}}})
    writer.write(order(1))
    writer.close()
    rows = buf.getvalue().decode().splitlines()
    assert rows[1] == ",,,"
    assert rows[2].startswith("C1,,")
    assert rows[2].endswith('"{""id"":""c-1"",""name"":""C1""}"')


def test_make_writer_rejects_unknown_formats_and_empty_headers() -> None:
    with pytest.raises(UsageError, match="unknown output format 'xml'"):
        make_writer("xml", io.BytesIO())
    with pytest.raises(UsageError, match="at least one column"):
        make_writer("csv", io.BytesIO())
