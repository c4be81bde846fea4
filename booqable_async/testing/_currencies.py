"""The currencies every fake company can read (``GET /currencies/{code}``).

Booqable's ``currencies`` records carry the RubyMoney currency table (the attribute names
are RubyMoney's); ids are lower-case ISO codes (``currencies__get__response`` fetches
``/currencies/eur``) and a company names its currency the same way
(``companies__current__response``: ``"currency": "usd"``). The euro is the docs' example
verbatim; the others come from RubyMoney's ``config/currency_iso.json``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["CURRENCIES", "DEFAULT_CURRENCY"]

#: The currency a fake company starts with (the demo company is in Amsterdam).
DEFAULT_CURRENCY = "eur"


def _currency(
    iso_code: str,
    name: str,
    symbol: str,
    *,
    numeric: str,
    priority: int = 100,
    subunit: str | None = "Cent",
    subunit_to_unit: int = 100,
    symbol_first: bool = True,
    decimal_mark: str = ".",
    thousands_separator: str = ",",
    disambiguate_symbol: str | None = None,
    html_entity: str = "",
    smallest_denomination: int = 1,
) -> dict[str, Any]:
    return {
        "decimal_mark": decimal_mark,
        "disambiguate_symbol": disambiguate_symbol,
        "exponent": len(str(subunit_to_unit)) - 1,
        "html_entity": html_entity,
        "iso_code": iso_code,
        "iso_numeric": numeric,
        "name": name,
        "priority": priority,
        "smallest_denomination": smallest_denomination,
        "subunit": subunit,
        "subunit_to_unit": subunit_to_unit,
        "symbol": symbol,
        "symbol_first": symbol_first,
        "thousands_separator": thousands_separator,
    }


#: id -> attributes.
CURRENCIES: Mapping[str, Mapping[str, Any]] = {
    "eur": _currency(
        "EUR",
        "Euro",
        "€",
        numeric="978",
        priority=2,
        decimal_mark=",",
        thousands_separator=".",
        html_entity="€",
    ),
    "usd": _currency(
        "USD",
        "United States Dollar",
        "$",
        numeric="840",
        priority=1,
        disambiguate_symbol="US$",
        html_entity="$",
    ),
    "gbp": _currency(
        "GBP",
        "British Pound",
        "£",
        numeric="826",
        priority=3,
        subunit="Penny",
        html_entity="&#x00A3;",
    ),
    "aud": _currency(
        "AUD",
        "Australian Dollar",
        "$",
        numeric="036",
        priority=4,
        disambiguate_symbol="A$",
        html_entity="$",
        smallest_denomination=5,
    ),
    "cad": _currency(
        "CAD",
        "Canadian Dollar",
        "$",
        numeric="124",
        priority=5,
        disambiguate_symbol="C$",
        html_entity="$",
        smallest_denomination=5,
    ),
    "chf": _currency(
        "CHF",
        "Swiss Franc",
        "Fr",
        numeric="756",
        subunit="Rappen",
        smallest_denomination=5,
    ),
    "dkk": _currency(
        "DKK",
        "Danish Krone",
        "kr",
        numeric="208",
        subunit="Øre",
        symbol_first=False,
        decimal_mark=",",
        thousands_separator=".",
        disambiguate_symbol="DKK",
        smallest_denomination=50,
    ),
}
