"""Reading v1 JSON into typed records: nulls, odd number shapes, wrong shapes."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

from booqable_async import errors
from booqable_async.v1 import Customer, Line, ListMeta, Order, ProductGroup, decode_record
from booqable_async.v1._decode import (
    decode_availability,
    decode_order_availability,
    decode_prices,
    unwrap,
)

# The documented example order (v1 docs, "Orders"), trimmed.
ORDER = {
    "id": "364a726b-419f-4156-ac29-71e2f1c6aefa",
    "updated_at": "2018-01-12T13:04:40.540Z",
    "created_at": "2018-01-12T13:04:38.517Z",
    "legacy_id": None,
    "number": 1,
    "status": "concept",
    "starts_at": None,
    "price_in_cents": 0,
    "customer_id": None,
    "discount_percentage": 0.0,
    "tags": [],
    "item_ids": [],
    "price_as_decimal": 0,
    "grand_total_with_tax_as_decimal": 12.1,
    "plannings": [],
    "lines": [{"id": "l1", "title": "Nikon FE", "quantity": 1.0, "price_each_in_cents": 500}],
    "tax_values": [],
}


def test_a_documented_order() -> None:
    order = decode_record(Order, ORDER)
    assert order.created_at == datetime(2018, 1, 12, 13, 4, 38, 517000, tzinfo=timezone.utc)
    assert (order.number, order.status, order.starts_at) == (1, "concept", None)
    assert order.price_as_decimal == Decimal("0")
    assert order.grand_total_with_tax_as_decimal == Decimal("12.1")
    assert order.discount_percentage == Decimal("0.0")
    assert order.lines == (
        Line(id="l1", title="Nikon FE", quantity=Decimal("1.0"), price_each_in_cents=500),
    )
    assert order.extra == {"legacy_id": None, "tax_values": []}


def test_nulls_read_as_defaults_and_ids_may_be_numbers() -> None:
    customer = decode_record(
        Customer,
        {
            "id": 12,
            "tags": None,
            "notes": None,
            "number": "7",
            "archived": "false",
            "tax_region_id": 3,
            "updated_at": "2018-01-15T15:27:52",
        },
    )
    assert (customer.id, customer.tags, customer.notes, customer.number) == ("12", (), (), 7)
    assert (customer.archived, customer.tax_region_id) == (False, "3")
    assert customer.updated_at == datetime(2018, 1, 15, 15, 27, 52, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("record", "fragment", "member"),
    [
        ({"number": 1}, "required field missing", "/id"),
        ({"id": "x", "number": "one"}, "number", "/number"),
        ({"id": "x", "number": True}, "number", "/number"),
        ({"id": "x", "archived": "maybe"}, "archived", "/archived"),
        ({"id": "x", "turnover": "lots"}, "turnover", "/turnover"),
        ({"id": "x", "turnover": [1]}, "turnover", "/turnover"),
        ({"id": "x", "created_at": "yesterday"}, "created_at", "/created_at"),
        ({"id": "x", "created_at": 5}, "created_at", "/created_at"),
        ({"id": ["x"]}, "id", "/id"),
        ({"id": "x", "orders": [{"number": 2}]}, "orders", "/orders/0/id"),
        ({"id": "x", "notes": [{"id": "n"}, {"id": "m", "body": {}}]}, "notes", "/notes/1/body"),
    ],
)
def test_wrong_shapes_are_decode_errors_naming_the_member(
    record: dict[str, object], fragment: str, member: str
) -> None:
    with pytest.raises(errors.DecodeError, match="a v1 Customer could not be read") as info:
        decode_record(Customer, record, pointer="/customer")
    assert fragment in str(info.value)
    assert info.value.pointer == "/customer" + member


def test_not_an_object() -> None:
    with pytest.raises(errors.DecodeError, match="expected an object"):
        decode_record(ProductGroup, ["x"])
    with pytest.raises(errors.DecodeError, match="expected the record under 'order'"):
        unwrap({"customer": {}}, "order")
    with pytest.raises(errors.DecodeError, match="list"):
        unwrap([], "order")


def test_list_meta() -> None:
    meta = ListMeta.from_meta(
        {
            "total_count": 2,
            "total_item_count": 1.0,
            "facets": {
                "status": {
                    "_type": "terms",
                    "missing": 0,
                    "total": 2,
                    "other": 0,
                    "terms": [{"term": "started", "count": 1}, "junk"],
                }
            },
        }
    )
    assert (meta.total_count, meta.total_item_count) == (2, 1)
    status = meta.facets["status"]
    assert (status.type, status.total, [t.term for t in status.terms]) == ("terms", 2, ["started"])
    assert ListMeta.from_meta({}) == ListMeta()
    with pytest.raises(errors.DecodeError, match="must be an object"):
        ListMeta.from_meta([])  # type: ignore[arg-type]
    with pytest.raises(errors.DecodeError, match="facet 'x' is not an object"):
        ListMeta.from_meta({"facets": {"x": 1}})
    with pytest.raises(errors.DecodeError, match="meta could not be read"):
        ListMeta.from_meta({"total_count": "many"})


def test_availability_prices_and_order_availability() -> None:
    points = decode_availability(
        {
            "2031-01-02T00:00:00.000Z": {"available": 4, "date": "2031-01-02", "interval": "day"},
            "2031-01-01T00:00:00.000Z": {"available": 5, "date": "2031-01-01", "interval": "day"},
        }
    )
    assert [(p.at.day, p.available, p.date) for p in points] == [
        (1, 5, date(2031, 1, 1)),
        (2, 4, date(2031, 1, 2)),
    ]
    available = decode_order_availability({"g1": {"available": 10, "available_stock_ids": ["s1"]}})
    assert available["g1"].available_stock_ids == ("s1",)
    (structure,) = decode_prices(
        {"price_structures": [{"id": None, "tiles": [{"length": 86400, "multiplier": "2.0"}]}]}
    )
    assert structure.tiles[0].multiplier == Decimal("2.0")
    with pytest.raises(errors.DecodeError):
        decode_availability([])
    with pytest.raises(errors.DecodeError, match="is not an object"):
        decode_availability({"2031-01-01": 3})
    with pytest.raises(errors.DecodeError):
        decode_order_availability("x")
    with pytest.raises(errors.DecodeError, match="is not an object"):
        decode_order_availability({"g": []})
    with pytest.raises(errors.DecodeError, match="must be a list"):
        decode_prices({"price_structures": {}})
    with pytest.raises(errors.DecodeError, match="expected a date"):
        decode_availability({"2031-01-01T00:00:00Z": {"date": 5}})
