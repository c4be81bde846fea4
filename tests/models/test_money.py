"""format_cents: integer cents to text, with or without a currency."""

from __future__ import annotations

import pytest

from booqable_async.errors import UsageError
from booqable_async.models import Currency, format_cents


def euro(**changes: object) -> Currency:
    values: dict[str, object] = {
        "symbol": "€",
        "symbol_first": True,
        "decimal_mark": ",",
        "thousands_separator": ".",
        "subunit_to_unit": 100,
        "iso_code": "EUR",
    }
    values.update(changes)
    return Currency(id="eur", **values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("cents", "currency", "text"),
    [
        (1250, None, "12.50"),
        (5, None, "0.05"),
        (-1250, None, "-12.50"),
        (1250, "EUR", "12.50 EUR"),
        (123456789, euro(), "€1.234.567,89"),
        (-50, euro(), "-€0,50"),
        (1250, euro(symbol_first=False), "12,50 €"),
        (1250, euro(symbol=None), "12,50 EUR"),
        (1250, euro(symbol=None, iso_code=None), "12,50"),
        (1250, euro(subunit_to_unit=1), "€1.250"),
        (1250, euro(subunit_to_unit=1000, thousands_separator=""), "€1,250"),
        (1250, Currency(id="x"), "12.50"),  # nothing loaded: plain defaults
    ],
)
def test_format_cents(cents: int, currency: Currency | str | None, text: str) -> None:
    assert format_cents(cents, currency) == text


def test_refuses_floats() -> None:
    with pytest.raises(UsageError, match="integer cents"):
        format_cents(12.5)  # type: ignore[arg-type]
